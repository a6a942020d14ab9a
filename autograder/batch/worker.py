"""Grade one submission in a process of its own.

The batch grader starts one worker per submission, so a submission that crashes,
hangs or exhausts memory takes down only its own worker. The task file names the
course, the assignment, the student, the notebooks, a working folder and the
prepared assignment template; the worker writes ``result.json`` and ``worker.log``
next to it.

:func:`grade_isolated` is the grader's side: it starts that process (from a fork server
that has already imported nbgrader), enforces the wall-clock cap and returns what the
submission produced as plain data (:func:`payload`), the same on this machine
(``--jobs``) and on a Dask worker (``--scheduler``, :mod:`autograder.batch.cluster`).
"""

import contextlib
import ctypes
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import traceback
from dataclasses import asdict
from pathlib import Path

import psutil

from autograder.course import Course
from autograder.grading.submission import grade_submission
from autograder.results import ERROR, TIMEOUT, SubmissionResult

_PR_SET_PDEATHSIG = 1  # prctl(2): signal this process when its parent ends

#: Workers are forked from a server process that has already imported nbgrader and
#: the grading code, so each submission starts in milliseconds instead of seconds.
_WORKERS = multiprocessing.get_context("forkserver")
_WORKERS.set_forkserver_preload(["autograder.batch.worker"])

#: The most of a submission's logs that travels back to the grader (the end is kept).
LOG_BYTES = 1_000_000


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


def grade_isolated(task: dict, folder: Path, timeout: float) -> dict:
    """Grade ``task`` in a worker process of its own in ``folder``, at most ``timeout``
    seconds, and return :func:`payload` (a crash or a timeout becomes the status)."""
    folder.mkdir(parents=True, exist_ok=True)
    task_file = folder / "task.json"
    task_file.write_text(json.dumps(task))
    process = _start(task_file)
    if not _wait(process, timeout):
        _kill_tree(process.pid)
        _wait(process, None)
        return payload(_failed(task, TIMEOUT, f"grading took longer than {timeout:g} s"), folder)
    result_file = folder / "result.json"
    if not result_file.exists():
        code = process.exitcode if hasattr(process, "exitcode") else process.returncode
        return payload(_failed(task, ERROR, f"the grading process died (exit code {code})"), folder)
    return payload(SubmissionResult.from_dict(json.loads(result_file.read_text())), folder)


def payload(result: SubmissionResult, folder: Path | None = None) -> dict:
    """What one submission produced, as plain data: its result (``check --json``'s fields),
    the executed notebooks and feedback pages (file name -> bytes) and its logs (text),
    read from the task's ``folder`` (none without it)."""
    if folder is None:
        return {"result": asdict(result), "executed": {}, "feedback": {}, "log": ""}
    course = folder / "course"
    key = Path(result.student) / result.assignment
    return {
        "result": asdict(result),
        "executed": _files(course / "autograded" / key),
        "feedback": _files(course / "feedback" / key),
        "log": _logs(folder),
    }


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _logs(folder: Path) -> str:
    """The worker's log (a traceback, nbgrader's complaints), then what the kernel wrote on
    stderr (a crash's last words), each cut to its last :data:`LOG_BYTES`."""
    text = ""
    logs = (("worker", folder / "worker.log"), ("kernel", folder / "course" / "kernel.log"))
    for title, path in logs:
        if path.is_file():
            with open(path, "rb") as handle:
                handle.seek(max(0, path.stat().st_size - LOG_BYTES))
                body = handle.read().decode("utf-8", errors="replace")
            text += f"--- {title} log ---\n{body.rstrip()}\n"
    return text


def _failed(task: dict, status: str, message: str) -> SubmissionResult:
    return SubmissionResult(task["student"], task["assignment"], "", status, message)


def _start(task_file: Path):
    """The worker process: forked from the fork server, or, inside a daemonic process (a
    Dask worker started with its default ``distributed.worker.daemon: true``), which may
    not have children of multiprocessing's, a fresh interpreter (about 2 s slower)."""
    if multiprocessing.current_process().daemon:
        return subprocess.Popen([sys.executable, "-m", "autograder.batch.worker", str(task_file)])
    process = _WORKERS.Process(target=main, args=(str(task_file),))
    process.start()
    return process


def _wait(process, timeout: float | None) -> bool:
    """Wait for the worker to end; whether it did within ``timeout`` seconds."""
    if isinstance(process, subprocess.Popen):
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    process.join(timeout)
    return not process.is_alive()


def _kill_tree(pid: int) -> None:
    """Stop a worker and every process it started: its kernel runs in a session of its
    own, so killing the worker's process group alone would leave the kernel running."""
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        for member in [*root.children(recursive=True), root]:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()


if __name__ == "__main__":  # the worker in a fresh interpreter (see _start)
    main(sys.argv[1])
