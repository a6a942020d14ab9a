"""Grading on a Dask cluster (``autograder grade --scheduler tcp://HOST:8786``).

Each submission becomes one Dask task, :func:`grade_remote`, that runs on a worker
machine the same per-submission worker as ``--jobs`` (:func:`autograder.batch.worker.
grade_isolated`: a process of its own, a sandboxed kernel, a private course copy, the
wall-clock cap) in the worker's own checkout of the course. The task carries the
submitted notebooks as bytes and returns what grading produced as plain data, so a worker
machine needs no shared file system and never holds the gradebook's credentials: only the
submitting process writes the gradebook. A fingerprint of the assignment, the settings
and the grading code (:mod:`autograder.grading.fingerprint`) travels with each task; a
worker whose checkout differs grades nothing and says so.

Dask does the scheduling: a worker that dies mid-task has its tasks run again elsewhere
(the scheduler's ``allowed-failures``), a task that fails is retried (``retries``), and
results arrive as they complete (``as_completed``), at most :data:`WINDOW` tasks queued
at a time so that a batch of thousands does not sit in the scheduler's memory. Workers
run with the settings of :data:`WORKER_CONFIG` (``DASK_CONFIG=...``, README).
"""

import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from autograder.batch.worker import grade_isolated, payload
from autograder.course import Course, find_root, is_course
from autograder.grading.coursedir import prepare_assignment
from autograder.grading.fingerprint import fingerprint
from autograder.results import ERROR, SubmissionResult

#: Times a task that raised is run again (a worker's death is counted by the scheduler).
RETRIES = 2
#: Tasks queued on the scheduler at once, at least (4 per worker thread when more).
WINDOW = 64
#: The Dask settings grading workers run with: not daemonic, no profiler, slower monitors.
WORKER_CONFIG = Path(__file__).with_name("dask-worker.yaml")


def worker_config() -> dict[str, object]:
    """:data:`WORKER_CONFIG` as dotted keys, for ``dask.config.set`` (whose nested dicts
    would replace whole sections); a LocalCluster started inside it passes them on."""
    import yaml

    def flat(section: dict, prefix: str = "") -> dict:
        found = {}
        for key, value in section.items():
            if isinstance(value, dict):
                found.update(flat(value, f"{prefix}{key}."))
            else:
                found[prefix + key] = value
        return found

    return flat(yaml.safe_load(WORKER_CONFIG.read_text(encoding="utf-8")))


def remote_task(task: dict, course: Course, fingerprints: dict) -> dict:
    """A local task (:func:`autograder.batch.runner`) as a Dask task: the notebooks' bytes
    instead of their paths, and the fingerprint instead of a template folder."""
    files = {}
    for name, path in task["notebooks"].items():
        files[name] = (Path(path).name, Path(path).read_bytes())
    kept = {k: v for k, v in task.items() if k not in ("notebooks", "template", "workdir")}
    return {**kept, "files": files, "fingerprint": fingerprints[task["assignment"]]}


def grade_remote(task: dict, timeout: float) -> dict:
    """Run on a Dask worker: grade one submission in this machine's checkout of the course
    and return :func:`autograder.batch.worker.payload` (never raises for a submission)."""
    base = _scratch()
    course = _course(task["course_root"])
    where = _where()
    if course is None:
        return _failed(task, f"the Dask worker {where} finds no course checkout")
    mine = fingerprint(course, task["assignment"])
    differ = [part for part, digest in task["fingerprint"].items() if mine.get(part) != digest]
    if differ:
        return _failed(
            task,
            f"the Dask worker {where} has other {' and '.join(differ)} than the grader in its "
            f"course checkout {course.root}; update it (git pull, make install) and grade again",
        )
    template = _template(course, task["assignment"], mine["notebooks"], base)
    with tempfile.TemporaryDirectory(dir=base, prefix="submission-") as tmp:
        tmp = Path(tmp)
        notebooks = {}
        for name, (filename, data) in task["files"].items():
            path = tmp / "in" / name / filename
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            notebooks[name] = str(path)
        local = {
            **{k: v for k, v in task.items() if k not in ("files", "fingerprint")},
            "course_root": str(course.root),
            "notebooks": notebooks,
            "workdir": str(tmp / "task" / "course"),
            "template": str(template),
        }
        data = grade_isolated(local, tmp / "task", timeout)
    data["worker"] = where
    return data


def grade_on_cluster(address: str, tasks: dict[str, dict], timeout: float) -> Iterator[tuple]:
    """Grade ``tasks`` (Dask key -> :func:`remote_task`) on the cluster at ``address``;
    yield ``(key, payload)`` as each completes. A task the cluster could not run (its
    workers kept dying) yields an ``error`` payload."""
    from distributed import Client, as_completed

    with Client(address, timeout="60s") as client:
        _say_dashboard(client)
        threads = sum(client.nthreads().values())
        pending = iter(tasks.items())

        def submit(key, task):
            return client.submit(grade_remote, task, timeout, key=key, retries=RETRIES, pure=False)

        window = max(WINDOW, 4 * threads)
        started = [submit(key, task) for key, task in _take(pending, window)]
        completed = as_completed(started)
        for future in completed:
            try:
                data = future.result()
            except Exception as error:  # the cluster's failure, reported as the submission's
                data = _failed(tasks[future.key], f"the Dask task failed: {_reason(error)}")
            future.release()
            for key, task in _take(pending, 1):
                completed.add(submit(key, task))
            yield future.key, data


def _take(items, count):
    for _ in range(count):
        item = next(items, None)
        if item is None:
            return
        yield item


def _reason(error: Exception) -> str:
    name = type(error).__name__
    if name == "KilledWorker":
        return "every Dask worker that ran it died (KilledWorker); see the workers' logs"
    return f"{name}: {error}"


def _say_dashboard(client) -> None:
    try:
        link = client.dashboard_link
    except KeyError:  # the scheduler runs without a dashboard (no bokeh there)
        return
    if link:
        print(f"Dask dashboard: {link}", file=sys.stderr)


def _failed(task: dict, message: str) -> dict:
    return payload(SubmissionResult(task["student"], task["assignment"], "", ERROR, message))


def _course(root: str) -> Course | None:
    """The course on this worker: the grader's path when it is a course here too, else
    ``$AUTOGRADER_COURSE_ROOT``, else the checkout autograder is installed from."""
    if is_course(Path(root)):
        return Course(Path(root))
    if os.environ.get("AUTOGRADER_COURSE_ROOT"):
        found = Path(os.environ["AUTOGRADER_COURSE_ROOT"])
        return Course(found.resolve()) if is_course(found) else None
    found = find_root()
    return None if found is None else Course(found)


def _scratch() -> Path:
    """The Dask worker's own scratch folder (Dask removes a dead worker's), else /tmp."""
    try:
        from distributed import get_worker

        folder = Path(get_worker().local_directory) / "autograder"
    except (ImportError, ValueError):
        folder = Path(tempfile.gettempdir()) / "autograder-worker"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _where() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        import socket

        return socket.gethostname()


_templates: dict[tuple, Path] = {}
_templates_lock = threading.Lock()


def _template(course: Course, assignment: str, digest: str, base: Path) -> Path:
    """The assignment prepared once per worker process (and version of its notebooks)."""
    key = (str(course.root), assignment, digest)
    with _templates_lock:
        if key not in _templates:
            folder = Path(tempfile.mkdtemp(dir=base, prefix=f"template-{assignment}-"))
            _templates[key] = prepare_assignment(course, assignment, folder / "course")
        return _templates[key]
