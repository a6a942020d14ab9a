"""Grade one submission with nbgrader, in a private course directory of its own.

The private directory holds a copy of the assignment's source notebooks (with the
hidden tests), the submitted notebooks and a SQLite gradebook. nbgrader generates
the assignment there (which records every grade cell in the gradebook), autogrades
the submission (restoring the original test cells, executing, scoring) and writes
the feedback HTML. Scores come from that gradebook; each failing test cell's
one-line message comes from the executed notebook.
"""

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from autograder import nbgrader_speedup
from autograder.course import Course, read_notebook
from autograder.normalize import normalize
from autograder.results import (
    ERROR,
    FAILED,
    FLAGS,
    GRADED,
    MANUAL,
    PASSED,
    TAMPERED,
    ExerciseResult,
    SubmissionResult,
)

#: Environment of the grading kernel: training cells in fast mode.
GRADING_ENV = {"DLKIT_FAST": "1"}


def grade_submission(
    course: Course,
    assignment: str,
    student: str,
    notebooks: dict[str, Path],
    workdir: Path,
    template: Path | None = None,
    feedback: bool = True,
    limits: dict | None = None,
) -> SubmissionResult:
    """Autograde ``notebooks`` (source notebook name -> submitted file) in ``workdir``.

    ``template`` is a folder made by :func:`prepare_assignment` for this assignment
    (reused across a batch); without it the assignment is prepared in ``workdir``.
    ``limits`` overrides nbgrader_config.py settings (see :func:`course_config`).
    Returns the scores per grade cell; ``workdir/autograded`` and, with ``feedback``,
    ``workdir/feedback`` hold nbgrader's outputs afterwards.
    """
    workdir = Path(workdir).resolve()
    if template is None:
        prepare_assignment(course, assignment, workdir)
    else:
        shutil.copytree(template, workdir, dirs_exist_ok=True)
    api = course_api(course_config(course, workdir, limits=limits))
    submitted = workdir / "submitted" / student / assignment
    submitted.mkdir(parents=True)
    findings = []
    for name, path in notebooks.items():
        findings += _restore_graded_cells(workdir, assignment, name, path, submitted)

    result = SubmissionResult(student, assignment, ", ".join(p.name for p in notebooks.values()))
    with _environment(GRADING_ENV), _stderr_to(workdir / "kernel.log"):
        outcome = api.autograde(assignment, student)
    if not outcome["success"]:
        result.status, result.message = ERROR, nbgrader_reason(outcome["log"])
        result.max_score = _max_score(api, assignment)
        return result
    if feedback:
        written = api.generate_feedback(assignment, student)
        if not written["success"]:  # the grades stand; only the HTML page is missing
            findings.append("no feedback page: " + nbgrader_reason(written["log"]))
    result.exercises = _exercise_results(api, workdir, assignment, student)
    result.max_score = float(sum(e.max_score for e in result.exercises))
    events = _execution_events(workdir / "autograded" / student / assignment)
    result.status, result.message = flagged_status(findings, events)
    return result


def _restore_graded_cells(workdir, assignment, name, path, submitted) -> list[str]:
    """Write the submission with the assignment's own graded cells (see
    :mod:`autograder.normalize`) into ``submitted``; return what was tampered with."""
    source = nbformat.read(workdir / "source" / assignment / f"{name}.ipynb", as_version=4)
    release = nbformat.read(workdir / "release" / assignment / f"{name}.ipynb", as_version=4)
    restored, findings = normalize(read_notebook(path), source, release)
    nbformat.write(restored, submitted / f"{name}.ipynb")
    return findings


def _execution_events(folder: Path) -> list[dict]:
    """The events TrustedExecute recorded in the executed notebooks of ``folder``."""
    events = []
    for path in sorted(folder.glob("*.ipynb")):
        recorded = nbformat.read(path, as_version=4).metadata.get("autograder", {})
        events += recorded.get("events", [])
    return events


def flagged_status(findings: list[str], events: list[dict]) -> tuple[str, str]:
    """The submission's status and message: ``graded``, or the flags raised, most serious
    first (``tampered``, ``kernel-died``, ``time-cap``, ``cell-timeout``, ``output-capped``)."""
    kinds = ([TAMPERED] if findings else []) + [e["kind"] for e in events]
    flags = [kind for kind in FLAGS if kind in kinds]
    notes = findings + [f"cell {e['cell']}: {e['message']}" for e in events]
    return ("+".join(flags) or GRADED), "; ".join(notes)


def prepare_assignment(course: Course, assignment: str, workdir: Path) -> Path:
    """Copy the assignment's sources into ``workdir`` and record its grade cells in a
    fresh gradebook there (nbgrader's generate_assignment). Returns ``workdir``."""
    workdir = Path(workdir).resolve()
    shutil.copytree(course.solutions / assignment, workdir / "source" / assignment)
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
    nbgrader_speedup.install()
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


def _exercise_results(api, workdir, assignment, student) -> list[ExerciseResult]:
    """One result per grade cell, in notebook order, scored by the gradebook."""
    results = []
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        for notebook in sorted(submission.notebooks, key=lambda n: n.name):
            path = workdir / "autograded" / student / assignment / f"{notebook.name}.ipynb"
            cells = _grade_cells(path)
            grades = {grade.name: grade for grade in notebook.grades}
            in_order = [gid for gid in cells if gid in grades] + sorted(set(grades) - set(cells))
            for grade_id in in_order:
                results.append(_exercise_result(grades[grade_id], cells.get(grade_id)))
    return results


def _exercise_result(grade, cell) -> ExerciseResult:
    score = float(grade.score or 0.0)
    max_score = float(grade.max_score)
    if grade.needs_manual_grade:
        return ExerciseResult(grade.name, score, max_score, MANUAL, "graded by your instructor")
    if cell is None:
        return ExerciseResult(grade.name, score, max_score, FAILED, "notebook not submitted")
    status = PASSED if score >= max_score else FAILED
    message = "" if status == PASSED else failure_message(cell)
    return ExerciseResult(grade.name, score, max_score, status, message)


def _grade_cells(path: Path) -> dict:
    """grade_id -> cell for the grade cells of an autograded notebook ({} if missing)."""
    if not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }


def failure_message(cell) -> str:
    """The learner-facing reason a test cell lost its points."""
    if cell.cell_type != "code":
        return "not answered"
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return _explain_error(output.ename, output.evalue)
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            return "the test cell wrote to stderr: " + _last_line(output.text)
    return "partial credit"


def _explain_error(ename: str, evalue: str) -> str:
    if ename == "CheckFailed":
        return evalue
    if ename == "NameError":
        return (
            f"NameError: {evalue}; hint: run the answer cell above first, and make sure it "
            "defines this name without raising an error"
        )
    if ename == "NotImplementedError":
        return "NotImplementedError; hint: replace `raise NotImplementedError()` with your solution"
    if ename == "CellTimeoutError":
        return "the cell ran past the time limit; hint: look for an endless loop or a slow loop"
    return f"{ename}: {evalue}" if evalue else ename


_NBGRADER_HINTS = {
    "ValidationError": "; the notebook's graded cells do not match the assignment (made from "
    "an older release, or cells edited or copied?)",
    "DeadKernelError": "; the notebook's code stopped the kernel (out of memory, a crash, or "
    "exit() in a cell?)",
}


def nbgrader_reason(log: str) -> str:
    """The first specific error in nbgrader's log (its last line is only a generic summary)."""
    for line in log.splitlines():
        found = re.search(r"(\w+(?:Error|Exception)): (.+)", line)
        if found and "see the the above traceback" not in found.group(2):
            name, text = found.groups()
            reason = f"{name}: {text[:200]}"
            return reason + _NBGRADER_HINTS.get(name, "")
    return _last_line(log)


def _max_score(api, assignment) -> float:
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's stderr (file descriptor 2, which kernels inherit) to a file:
    kernels log notices there, such as the interrupt jupyter_client sends on shutdown."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def _environment(values: dict):
    """Set environment variables for the kernels started inside the block."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def identify(course: Course, path: Path) -> tuple[str, str]:
    """Validate a learner's notebook; return its ``(assignment, source notebook name)``."""
    return course.assignment_of(Path(path), read_notebook(path))


def check_notebook(course: Course, path: Path, limits: dict | None = None) -> SubmissionResult:
    """Grade a learner's own notebook against the hidden tests, in a throwaway directory."""
    path = Path(path)
    assignment, name = identify(course, path)
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
        result = grade_submission(
            course, assignment, "learner", {name: path}, Path(tmp), feedback=False, limits=limits
        )
    result.notebook = str(path)
    return result
