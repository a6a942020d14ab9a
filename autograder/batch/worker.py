"""Grade one submission in a process of its own.

The batch grader starts one worker per submission, so a submission that crashes,
hangs or exhausts memory takes down only its own worker. The task file names the
course, the assignment, the student, the notebooks, a working folder and the
prepared assignment template; the worker writes ``result.json`` and ``worker.log``
next to it.
"""

import contextlib
import ctypes
import json
import os
import signal
import traceback
from dataclasses import asdict
from pathlib import Path

from autograder.course import Course
from autograder.grading.submission import grade_submission
from autograder.results import ERROR, SubmissionResult

_PR_SET_PDEATHSIG = 1  # prctl(2): signal this process when its parent ends


def run_task(task: dict) -> SubmissionResult:
    """Grade the submission a task describes; never raises."""
    try:
        return grade_submission(
            Course(Path(task["course_root"])),
            task["assignment"],
            task["student"],
            {name: Path(path) for name, path in task["notebooks"].items()},
            Path(task["workdir"]),
            template=Path(task["template"]),
            limits=task.get("limits"),
        )
    except Exception as error:  # reported as the submission's status, never a crash
        traceback.print_exc()
        return SubmissionResult(
            task["student"],
            task["assignment"],
            "",
            status=ERROR,
            message=f"{type(error).__name__}: {error}",
        )


def main(task_file: str) -> None:
    """Grade the task in ``task_file``; output and logs go to ``worker.log`` beside it."""
    _die_with_parent()
    task_file = Path(task_file)
    with open(task_file.parent / "worker.log", "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    task = json.loads(task_file.read_text())
    result = run_task(task)
    (task_file.parent / "result.json").write_text(json.dumps(asdict(result)))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the process that started it ends, so a batch
    that is killed leaves no worker (or kernel) behind to write into a re-run."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent was gone before the request took effect
        os._exit(1)
