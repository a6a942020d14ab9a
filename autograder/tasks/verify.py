"""Prove the course is consistent, assignment by assignment.

For each assignment: ``notebooks/`` is exactly what ``release`` generates, the
source notebook (the instructor's solution) earns full marks, and the untouched
student notebook earns zero.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Course
from autograder.grading.coursedir import prepare_assignment
from autograder.grading.submission import grade_submission
from autograder.results import PASSED
from autograder.tasks.release import release_differences


@dataclass
class Verdict:
    assignment: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(course: Course, assignments: list[str] | None = None) -> list[Verdict]:
    """Check every assignment (or the ones named); one verdict each."""
    return [verify_assignment(course, a) for a in assignments or course.assignments()]


def verify_assignment(course: Course, assignment: str) -> Verdict:
    verdict = Verdict(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-verify-") as tmp:
        template = prepare_assignment(course, assignment, Path(tmp) / "template")
        for path in release_differences(course, assignment, template / "release" / assignment):
            verdict.problems.append(
                f"{path} is not what `autograder release {assignment}` generates; "
                "regenerate it (make release) and commit the result"
            )
        solution = _grade(course, assignment, course.solutions, template, Path(tmp) / "solution")
        if solution.score != solution.max_score or solution.max_score == 0:
            wrong = [
                f"{e.grade_id} ({e.message})" for e in solution.exercises if e.status != PASSED
            ]
            verdict.problems.append(
                f"the solution scores {solution.score:g}/{solution.max_score:g} "
                f"({solution.status}); not passing: {'; '.join(wrong) or solution.message}"
            )
        blank = _grade(course, assignment, course.notebooks, template, Path(tmp) / "blank")
        if blank.score != 0:
            passing = [e.grade_id for e in blank.exercises if e.score > 0]
            verdict.problems.append(
                f"the blank student notebook scores {blank.score:g} (should be 0): "
                f"{', '.join(passing)} pass without an answer"
            )
    return verdict


def _grade(course, assignment, folder: Path, template: Path, workdir: Path):
    """Grade the notebooks of ``folder/<assignment>`` as one submission."""
    notebooks = {p.stem: folder / assignment / p.name for p in course.source_notebooks(assignment)}
    return grade_submission(
        course, assignment, "verify", notebooks, workdir, template=template, feedback=False
    )
