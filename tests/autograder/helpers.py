"""Building submissions for the grading tests from the course's own notebooks."""

import shutil
from pathlib import Path

import nbformat

from autograder.course import Course


def solution(course: Course, assignment: str) -> Path:
    return course.solutions / assignment / f"{assignment}.ipynb"


def student(course: Course, assignment: str) -> Path:
    return course.notebooks / assignment / f"{assignment}.ipynb"


def answer_ids(path: Path) -> list[str]:
    """grade_ids of the autograded answer cells of a notebook, in order."""
    nb = nbformat.read(path, as_version=4)
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]


def with_wrong_answers(source: Path, target: Path, wrong: list[str]) -> None:
    """Copy a solved notebook, replacing the named answers by a function that returns 0."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in wrong:
            name = cell.source.split("def ", 1)[1].split("(", 1)[0]
            cell.source = f"def {name}(*args, **kwargs):\n    return 0\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def place(
    path: Path, root: Path, student_id: str, assignment: str, name: str | None = None
) -> Path:
    """Copy a notebook to ``root/<student>/<assignment>/``."""
    folder = root / student_id / assignment
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / (name or path.name)))


def graded_by(path: Path, answer_id: str) -> list[str]:
    """grade_ids of the test cells that follow an answer cell (up to the next answer)."""
    nb = nbformat.read(path, as_version=4)
    owner, found = None, []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            owner = meta["grade_id"]
        elif meta.get("grade") and owner == answer_id:
            found.append(meta["grade_id"])
    return found


def code_cell(kind: str, source: str, grade_id: str, points: float | None = None):
    """An nbgrader code cell: kind "answer" (autograded answer) or "tests" (with points)."""
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade_id": grade_id, "schema_version": 3, "task": False}
    if kind == "answer":
        meta |= {"grade": False, "locked": False, "solution": True}
    else:
        meta |= {"grade": True, "locked": True, "solution": False, "points": points}
    cell.metadata["nbgrader"] = meta
    return cell


def make_course(course: Course, root: Path, assignment: str, cells) -> Course:
    """A one-assignment course in ``root`` with the real course's nbgrader settings."""
    shutil.copy(course.root / "nbgrader_config.py", root)
    folder = root / "solutions" / assignment
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    return Course(root)
