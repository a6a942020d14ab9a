"""Grade one submission in a process of its own.

The batch grader starts one worker per submission, so a submission that crashes,
hangs or exhausts memory takes down only its own worker. The task file names the
course, the assignment, the student, the notebooks, a working folder and the
prepared assignment template; the worker writes ``result.json`` and ``worker.log``
next to it.
"""

import json
import os
import traceback
from dataclasses import asdict
from pathlib import Path

from autograder.course import Course
from autograder.grading import grade_submission
from autograder.results import ERROR, SubmissionResult


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
    task_file = Path(task_file)
    with open(task_file.parent / "worker.log", "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    task = json.loads(task_file.read_text())
    result = run_task(task)
    (task_file.parent / "result.json").write_text(json.dumps(asdict(result)))
