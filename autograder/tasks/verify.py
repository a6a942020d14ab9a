"""Prove the course is consistent, assignment by assignment.

For each assignment: ``notebooks/`` is exactly what ``release`` generates; the
source notebook (the instructor's solution) runs in the grading kernel without an
error in any cell and earns full marks on every auto-graded exercise (written
answers wait for a person); and the untouched student notebook earns zero, and runs
to its end with no error outside the exercises' own cells (as Run All in JupyterLab
does, see :data:`autograder.tasks.release.MAY_RAISE`). This is where CI executes every
notebook.
"""

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course import Course
from autograder.grading.normalize import is_test
from autograder.grading.submission import grade_submission
from autograder.results import GRADED, MANUAL, PASSED
from autograder.tasks.release import release_differences, student_version


@dataclass
class Verdict:
    assignment: str
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # "solution", "blank": grading time

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(course: Course, assignments: list[str] | None = None) -> list[Verdict]:
    """Check every assignment (or the ones named); one verdict each."""
    return [verify_assignment(course, a) for a in assignments or course.assignments()]


def verify_assignment(course: Course, assignment: str) -> Verdict:
    verdict = Verdict(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-verify-") as tmp:
        template = Path(tmp) / "template"
        released = student_version(course, assignment, template)
        for path in release_differences(course, assignment, released):
            verdict.problems.append(
                f"{path} is not what `autograder release {assignment}` generates; "
                "regenerate it (make release) and commit the result"
            )
        solution = _grade(course, assignment, course.solutions, template, Path(tmp), verdict)
        verdict.problems += _solution_problems(solution, Path(tmp) / "solution")
        blank = _grade(course, assignment, course.notebooks, template, Path(tmp), verdict)
        if blank.score != 0:
            passing = [e.grade_id for e in blank.exercises if e.score > 0]
            verdict.problems.append(
                f"the blank student notebook scores {blank.score:g} (should be 0): "
                f"{', '.join(passing)} pass without an answer"
            )
        verdict.problems += _blank_problems(Path(tmp) / "blank", Path(tmp) / "solution")
    return verdict


def _grade(course, assignment, folder: Path, template: Path, tmp: Path, verdict: Verdict):
    """Grade the notebooks of ``folder/<assignment>`` as one submission, timing it."""
    kind = "solution" if folder == course.solutions else "blank"
    notebooks = {p.stem: folder / assignment / p.name for p in course.source_notebooks(assignment)}
    start = time.perf_counter()
    result = grade_submission(
        course, assignment, "verify", notebooks, tmp / kind, template=template, feedback=False
    )
    verdict.seconds[kind] = time.perf_counter() - start
    return result


def _solution_problems(solution, workdir: Path) -> list[str]:
    """What is wrong with the solution's grading: points missed, flags raised, cells that
    raised an error (a plot or a worked example broken as well as a failing test)."""
    problems = []
    graded = [e for e in solution.exercises if e.status != MANUAL]
    missed = [f"{e.grade_id} ({e.message})" for e in graded if e.status != PASSED]
    if missed or not graded:
        score, top = sum(e.score for e in graded), sum(e.max_score for e in graded)
        problems.append(
            f"the solution scores {score:g}/{top:g} on the auto-graded exercises "
            f"({solution.status}); not passing: {'; '.join(missed) or solution.message}"
        )
    elif solution.status != GRADED:
        problems.append(f"grading the solution raised {solution.status}: {solution.message}")
    for path in _executed(workdir):
        problems += cell_errors(nbformat.read(path, as_version=4), path.name).values()
    return problems


def _blank_problems(blank: Path, solution: Path) -> list[str]:
    """Where Run All stops in the untouched student notebook: cells other than answers and
    tests that raise there (and not in the solution, reported already)."""
    problems = []
    for path in _executed(blank):
        solved = _executed(solution, path.name)
        broken = cell_errors(nbformat.read(solved[0], as_version=4), path.name) if solved else {}
        stops = cell_errors(nbformat.read(path, as_version=4), path.name, skip_answers=True)
        problems += [
            f"unanswered, {error}: Run All stops there; hint: a cell outside the exercises "
            "must not need the learner's answers (use dlkit's reference instead)"
            for number, error in stops.items()
            if number not in broken
        ]
    return problems


def _executed(workdir: Path, name: str = "*.ipynb") -> list[Path]:
    """The notebooks grading executed in ``workdir`` (named ``name``), sorted."""
    return sorted((workdir / "autograded").glob(f"*/*/{name}"))


def cell_errors(nb, name: str, skip_answers: bool = False) -> dict[int, str]:
    """Cell number -> one line, for each cell of an executed notebook that raised an error
    (test cells aside: their failures are missed points, reported with the check's
    message; answer cells too with ``skip_answers``, as Run All goes past them)."""
    found = {}
    for number, cell in enumerate(nb.cells, start=1):
        answer = cell.metadata.get("nbgrader", {}).get("solution", False)
        if cell.cell_type != "code" or is_test(cell) or (skip_answers and answer):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                first = next((line for line in cell.source.splitlines() if line.strip()), "")
                found[number] = (
                    f"{name} cell {number} ({first[:60]!r}) raised {output.ename}: "
                    f"{output.evalue[:200]}"
                )
                break
    return found
