"""Grade one submission with nbgrader, in a private course directory of its own.

The private directory holds a copy of the assignment's source notebooks (with the
hidden tests), the submitted notebooks and a SQLite gradebook. nbgrader generates
the assignment there (which records every grade cell in the gradebook), autogrades
the submission (restoring the original test cells, executing, scoring) and writes
the feedback HTML. Scores come from that gradebook; each failing test cell's
one-line message comes from the executed notebook.
"""

import contextlib
import os
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.course import Course, read_notebook
from autograder.grading.coursedir import course_api, course_config, prepare_assignment
from autograder.grading.messages import failure_message, nbgrader_reason
from autograder.grading.normalize import normalize
from autograder.results import (
    ERROR,
    FAILED,
    FLAGS,
    GRADED,
    MANUAL,
    MANUAL_MESSAGE,
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
    :mod:`autograder.grading.normalize`) into ``submitted``; return what was tampered with."""
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
        return ExerciseResult(grade.name, score, max_score, MANUAL, MANUAL_MESSAGE)
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


def _max_score(api, assignment) -> float:
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


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
