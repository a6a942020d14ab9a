"""The instructor's gradebook: one nbgrader course directory per grading output folder.

Workers execute submissions in private directories. Their executed notebooks are
then recorded here, one at a time, by nbgrader's own autograde step with execution
left out: nbgrader restores the original test cells, scores them from the outputs
and stores the grades. Only this process writes to the gradebook, so it stays
consistent with any number of workers, on SQLite or on a shared database server
(PostgreSQL: ``--db postgresql://...``). Batches graded at the same time into one
database (other assignments, other graders) can collide on a row both create (the
schema, a student); such a step is retried, so nothing is lost.

The output folder is also a course directory for nbgrader's formgrader: its own
``nbgrader_config.py`` points nbgrader at it (see :meth:`InstructorGradebook.
write_formgrader_config`), each autograded notebook shows the rubric of a written answer
beside it, for the grader only, and :meth:`InstructorGradebook.grades` reads back what
the graders gave.
"""

import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    DeduplicateIds,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from sqlalchemy.exc import DBAPIError

from autograder.course import CHECKPOINTS, Course
from autograder.grading.coursedir import course_api, course_config
from autograder.grading.messages import nbgrader_reason

EXECUTED = ".work/executed"
#: Attempts at one gradebook step that collided with another writer of the same database.
ATTEMPTS = 6
#: Words in nbgrader's log (or a database error) that mean a collision worth retrying.
CONFLICTS = (
    "IntegrityError",
    "UniqueViolation",
    "OperationalError",
    "SerializationFailure",
    "DeadlockDetected",
    "DuplicateTable",
    "DuplicateObject",
    "database is locked",
)
#: Marks the cell, added after a written answer in the autograded notebook, that holds the
#: solution's rubric for the grader (never in the learner's feedback).
RUBRIC = "rubric"
#: The tag of those cells, by which feedback generated in the formgrader drops them.
RUBRIC_TAG = "autograder-rubric"


@dataclass
class CellGrade:
    """One grade cell of a recorded submission, as the gradebook holds it now."""

    score: float
    max_score: float
    auto_score: float | None
    manual_score: float | None
    needs_manual_grade: bool
    comment: str | None


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
        self.config = config
        self.course_id = config.CourseDirectory.course_id
        self.api = course_api(config)
        self.course = course
        self.out.mkdir(parents=True, exist_ok=True)
        _retry(lambda: self._open().close())  # the schema and the course, created once

    def add_assignment(self, assignment: str) -> None:
        """Snapshot the assignment's sources into ``out/source`` and register its cells."""
        source = self.out / "source" / assignment
        shutil.rmtree(source, ignore_errors=True)
        shutil.copytree(
            self.course.solutions / assignment, source, ignore=shutil.ignore_patterns(CHECKPOINTS)
        )
        outcome = _retry_step(self.api.generate_assignment, assignment)
        if not outcome["success"]:
            raise RuntimeError(f"cannot register {assignment}: {nbgrader_reason(outcome['log'])}")

    def record(self, student: str, assignment: str, executed: dict[str, bytes]) -> None:
        """Store the grades of a submission from its executed notebooks (file name -> bytes)."""
        target = self.out / EXECUTED / student / assignment
        shutil.rmtree(target, ignore_errors=True)
        for name, data in executed.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
        outcome = _retry_step(self.api.autograde, assignment, student)
        if not outcome["success"]:
            raise RuntimeError(nbgrader_reason(outcome["log"]))
        self._show_rubrics(student, assignment)

    def recorded(self, assignment: str) -> set[str]:
        """The students whose submission of ``assignment`` the gradebook holds."""
        with self._open() as gradebook:
            try:
                return {s.student.id for s in gradebook.find_assignment(assignment).submissions}
            except MissingEntry:
                return set()

    def grades(self, assignment: str) -> dict[str, dict[str, CellGrade]]:
        """student -> grade_id -> :class:`CellGrade` for every recorded submission, with the
        scores and comments graders gave in the formgrader."""
        found = {}
        with self._open() as gradebook:
            try:
                submissions = gradebook.find_assignment(assignment).submissions
            except MissingEntry:
                return {}
            for submission in submissions:
                cells = found.setdefault(submission.student.id, {})
                for notebook in submission.notebooks:
                    comments = {c.name: c.manual_comment for c in notebook.comments}
                    for grade in notebook.grades:
                        cells[grade.name] = CellGrade(
                            score=float(grade.score or 0.0),
                            max_score=float(grade.max_score),
                            auto_score=grade.auto_score,
                            manual_score=grade.manual_score,
                            needs_manual_grade=bool(grade.needs_manual_grade),
                            comment=comments.get(grade.name),
                        )
        return found

    def write_formgrader_config(self) -> Path:
        """``out/nbgrader_config.py``: this folder as nbgrader's course directory, for the
        formgrader (``make lab GRADING=out``). Readable by its owner only, since a database
        URL may hold a password."""
        directory = self.config.CourseDirectory
        settings = {
            "course_id": self.course_id,
            "root": str(self.out),
            "source_directory": "source",
            "release_directory": ".work/release",
            "submitted_directory": EXECUTED,
            "autograded_directory": "autograded",
            "feedback_directory": "feedback",
            "db_url": directory.db_url,
        }
        lines = [
            "# Written by `autograder grade`: this output folder as an nbgrader course directory,",
            "# so that nbgrader's formgrader grades its written answers by hand",
            "# (make lab GRADING=<this folder>; see the README). Rewritten by every run.",
            "from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, TagRemovePreprocessor",
            "from nbgrader.preprocessors import ClearHiddenTests, GetGrades",
            "",
            "c = get_config()  # noqa: F821",
            *(f"c.CourseDirectory.{key} = {value!r}" for key, value in settings.items()),
            "# feedback the formgrader generates leaves out the graders' rubrics; only there:",
            "# set on TagRemovePreprocessor itself, it would drop them from the grading page too",
            "c.GenerateFeedback.HTMLExporter.TagRemovePreprocessor.remove_cell_tags = "
            f"{{{RUBRIC_TAG!r}}}",
            "c.GenerateFeedback.preprocessors = [",
            "    GetGrades, ClearHiddenTests, TagRemovePreprocessor, CSSHTMLHeaderPreprocessor",
            "]",
        ]
        path = self.out / "nbgrader_config.py"
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def _open(self) -> Gradebook:
        return Gradebook(self.db_url, self.course_id)

    def _show_rubrics(self, student: str, assignment: str) -> None:
        """After each written answer of the autograded notebooks (what the formgrader shows),
        a read-only cell with the solution's rubric, marked so feedback never shows it."""
        folder = self.out / "autograded" / student / assignment
        for path in sorted(folder.glob("*.ipynb")):
            source = self.out / "source" / assignment / path.name
            if not source.is_file():
                continue
            rubrics = _rubrics(nbformat.read(source, as_version=4))
            if not rubrics:
                continue
            nb = nbformat.read(path, as_version=4)
            cells = []
            for cell in nb.cells:
                if cell.metadata.get("autograder", {}).get(RUBRIC):
                    continue  # an older copy (the submission graded again)
                cells.append(cell)
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in rubrics:
                    cells.append(_rubric_cell(grade_id, rubrics[grade_id]))
            nb.cells = cells
            nbformat.write(nb, path)


def _rubrics(source) -> dict[str, str]:
    """grade_id -> the solution text of each manually graded answer (its rubric)."""
    found = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("solution") and cell.cell_type == "markdown":
            text = cell.source
            if "### BEGIN SOLUTION" in text:
                text = text.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            found[meta["grade_id"]] = text.strip()
    return found


def _rubric_cell(grade_id: str, text: str):
    cell = nbformat.v4.new_markdown_cell(
        f"**Rubric for {grade_id}** (from the solution; graders only, never in feedback)\n\n"
        + "\n".join(f"> {line}" for line in text.splitlines())
    )
    cell.metadata["autograder"] = {RUBRIC: grade_id}
    cell.metadata["tags"] = [RUBRIC_TAG]
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


def _retry_step(step, *args) -> dict:
    """An nbgrader API step, run again (after a short random pause) while it fails on a
    collision with another writer of the same database."""
    for attempt in range(ATTEMPTS):
        outcome = step(*args)
        log = outcome.get("log") or ""
        if outcome["success"] or not any(word in log for word in CONFLICTS):
            return outcome
        if attempt < ATTEMPTS - 1:
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    return outcome


def _retry(action) -> None:
    """``action`` (which opens the gradebook), run again while the database refuses it."""
    for attempt in range(ATTEMPTS):
        try:
            return action()
        except DBAPIError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
