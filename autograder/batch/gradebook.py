"""The instructor's gradebook: one nbgrader course directory per grading output folder.

Workers execute submissions in private directories. Their executed notebooks are
then recorded here, one at a time, by nbgrader's own autograde step with execution
left out: nbgrader restores the original test cells, scores them from the outputs
and stores the grades. Only this process writes to the gradebook, so it stays
consistent with any number of workers, on SQLite or on a shared database server.
"""

import shutil
from pathlib import Path

from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.course import Course
from autograder.grading.coursedir import course_api, course_config
from autograder.grading.messages import nbgrader_reason

EXECUTED = ".work/executed"


class InstructorGradebook:
    """The gradebook and autograded notebooks kept in an output folder ``out``."""

    def __init__(self, course: Course, out: Path, db_url: str | None = None):
        self.out = Path(out).resolve()
        self.db_url = db_url or f"sqlite:///{self.out / 'gradebook.db'}"
        config = course_config(course, self.out, self.db_url, submitted=EXECUTED)
        config.CourseDirectory.release_directory = ".work/release"
        config.Autograde.sanitize_preprocessors = [
            DeduplicateIds,
            OverwriteKernelspec,
            OverwriteCells,
            CheckCellMetadata,
        ]
        config.Autograde.autograde_preprocessors = [
            SaveAutoGrades,
            AssignLatePenalties,
            CheckCellMetadata,
        ]
        self.api = course_api(config)
        self.course = course

    def add_assignment(self, assignment: str) -> None:
        """Snapshot the assignment's sources into ``out/source`` and register its cells."""
        source = self.out / "source" / assignment
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(self.course.solutions / assignment, source)
        outcome = self.api.generate_assignment(assignment)
        if not outcome["success"]:
            raise RuntimeError(f"cannot register {assignment}: {nbgrader_reason(outcome['log'])}")

    def record(self, student: str, assignment: str, executed: Path) -> None:
        """Store the grades of a submission from its folder of executed notebooks."""
        target = self.out / EXECUTED / student / assignment
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(executed, target)
        outcome = self.api.autograde(assignment, student)
        if not outcome["success"]:
            raise RuntimeError(nbgrader_reason(outcome["log"]))
