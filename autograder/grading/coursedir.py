"""A private nbgrader course directory: the course's settings pointed at it, nbgrader's
API over it, and an assignment generated in it (its grade cells in a fresh gradebook)."""

import logging
import shutil
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from autograder.course import CHECKPOINTS, Course
from autograder.grading import speedup


def prepare_assignment(course: Course, assignment: str, workdir: Path) -> Path:
    """Copy the assignment's sources into ``workdir`` and record its grade cells in a
    fresh gradebook there (nbgrader's generate_assignment). Returns ``workdir``."""
    workdir = Path(workdir).resolve()
    shutil.copytree(
        course.solutions / assignment,
        workdir / "source" / assignment,
        ignore=shutil.ignore_patterns(CHECKPOINTS),
    )
    _run(course_api(course_config(course, workdir)).generate_assignment, assignment)
    return workdir


def course_config(
    course: Course,
    root: Path,
    db_url: str | None = None,
    submitted: str = "submitted",
    limits: dict | None = None,
):
    """The course's nbgrader settings, pointed at a course directory ``root``.

    ``root`` gets nbgrader's usual folders (source, submitted, autograded,
    feedback) and, unless ``db_url`` names another database, a SQLite gradebook.
    ``limits`` overrides settings by class, e.g. ``{"SandboxConfig": {"level": "none"}}``.
    """
    config = course.nbgrader_config()
    config.merge(Config(limits or {}))
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.submitted_directory = submitted
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    config.CourseDirectory.db_url = db_url or f"sqlite:///{Path(root) / 'gradebook.db'}"
    config.Exchange.root = str(Path(root) / ".work" / "exchange")
    return config


def course_api(config) -> NbGraderAPI:
    """nbgrader's API over the course directory that ``config`` describes."""
    speedup.install()
    Path(config.Exchange.root).mkdir(parents=True, exist_ok=True)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    return api


def _run(step, *args):
    """Run an nbgrader API step that must succeed (it only touches course files)."""
    outcome = step(*args)
    if not outcome["success"]:
        raise RuntimeError(
            f"nbgrader {step.__name__} failed:\n{outcome.get('error') or outcome['log']}"
        )
