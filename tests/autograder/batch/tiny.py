"""A tiny course for the batch tests: assignments of one exercise (``add``, one test cell
of 1 point), optionally with a written answer graded by hand (2 points), and submissions
made from it in a few lines; ``written_batch`` grades two of them, one with a written
answer left for a grader (tests/autograder/batch/test_manual_grading.py and the browser
test tests/browser/test_instructor_day.py)."""

import csv
from pathlib import Path

import nbformat

from autograder.batch.runner import grade_batch
from autograder.course import Course
from tests.autograder.helpers import code_cell, make_course

ADD = "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
TEST = (
    "from autograder.checks import harness\n"
    "result, text = harness.call(add, 'add', 1, 2)\n"
    "harness.expect_close(result, 3, text, 'add the two numbers', "
    "mistakes=[(-1, 'subtracts instead of adding')])"
)
#: Answers to the ``add`` exercise, by the outcome they get.
RIGHT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"
SLOW = "import time\ntime.sleep(2.5)\n\ndef add(a, b):\n    return a + b\n"
RUBRIC = "*Rubric (2 points).* One point for naming the sum, one for its symmetry."
WRITTEN_ID = "why"
#: ann's written answer in ``written_batch``.
ANN_WRITES = "Addition is commutative."


def written_cell(grade_id: str, points: float = 2):
    """A manually graded answer (markdown) whose solution is the rubric."""
    cell = nbformat.v4.new_markdown_cell(f"### BEGIN SOLUTION\n{RUBRIC}\n### END SOLUTION")
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": True,
        "locked": False,
        "points": points,
        "grade_id": grade_id,
        "schema_version": 3,
        "task": False,
    }
    return cell


def tiny_course(course: Course, root: Path, assignments=("98_tiny",), written=False) -> Course:
    """A course in ``root`` with the real course's settings; each assignment's grade ids
    are prefixed by its name's number (``98-add``, ``98-add-basic``, ``98-why``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in assignments:
        prefix = name.split("_", 1)[0]
        cells = [
            code_cell("answer", ADD, f"{prefix}-add"),
            code_cell("tests", TEST, f"{prefix}-add-basic", 1),
        ]
        if written:
            cells += [
                nbformat.v4.new_markdown_cell("Why does `add` give the same for (a, b), (b, a)?"),
                written_cell(f"{prefix}-{WRITTEN_ID}"),
            ]
        tiny = make_course(course, root, name, cells)
    return tiny


def submit(
    course: Course,
    root: Path,
    student: str,
    assignment: str,
    answer: str,
    written: str | None = None,
) -> Path:
    """``root/<student>/<assignment>/<assignment>.ipynb``: the assignment with ``answer`` in
    its answer cell (and ``written`` as the written answer)."""
    source = course.source_notebooks(assignment)[0]
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source = answer
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith(WRITTEN_ID):
            cell.source = written if written is not None else "YOUR ANSWER HERE"
    path = root / student / assignment / source.name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def written_batch(course: Course, root: Path) -> tuple[Course, Path]:
    """Assignment ``98_tiny`` with a written answer, in ``root/course``; ann's submission
    (right, with a written answer) and ben's (wrong, the answer left as handed out) under
    ``root/submissions``, graded into ``root/out``; the course and that output folder."""
    tiny = tiny_course(course, root / "course", written=True)
    submit(tiny, root / "submissions", "ann", "98_tiny", RIGHT, ANN_WRITES)
    submit(tiny, root / "submissions", "ben", "98_tiny", WRONG)
    grade_batch(tiny, root / "submissions", root / "out", jobs=1, timeout=120)
    return tiny, root / "out"


def read_csv(path: Path) -> dict:
    """The rows of grades.csv or exercises.csv by ``(student, grade_id)`` (None in grades.csv)."""
    with open(path, newline="") as handle:
        return {(row["student"], row.get("grade_id")): row for row in csv.DictReader(handle)}
