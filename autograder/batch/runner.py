"""Bulk grading: ``SUBMISSIONS/<student>/<assignment>/*.ipynb`` into grades, feedback and a plot.

Each submission is graded by a worker process of its own (:mod:`autograder.batch.worker`),
at most ``jobs`` at a time, each with a wall-clock cap. Whatever happens to one
submission (invalid JSON, a crash, a timeout) becomes its status; the batch goes
on. The parent process alone records grades in the gradebook, copies feedback and
writes ``grades.csv``, ``exercises.csv`` and ``scores.png`` into the output folder.
Re-running over the same folder gives the same results.
"""

import contextlib
import json
import multiprocessing
import shutil
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from tqdm import tqdm

from autograder.batch import report, worker
from autograder.batch.gradebook import InstructorGradebook
from autograder.course import Course, GradingError, read_notebook
from autograder.grading.coursedir import prepare_assignment
from autograder.results import (
    ERROR,
    FAILED,
    INVALID,
    MISSING,
    TIMEOUT,
    UNKNOWN,
    ExerciseResult,
    SubmissionResult,
)

#: Default wall-clock cap for grading one submission, in seconds: a backstop above the
#: notebook's own cap (TrustedExecute.notebook_timeout), which keeps partial credit.
SUBMISSION_TIMEOUT = 900

#: Workers are forked from a server process that has already imported nbgrader and
#: the grading code, so each submission starts in milliseconds instead of seconds.
_WORKERS = multiprocessing.get_context("forkserver")
_WORKERS.set_forkserver_preload(["autograder.batch.worker"])


@dataclass
class Submission:
    """One student's folder for one assignment, and what was found in it."""

    student: str
    assignment: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)
    problem: tuple[str, str] | None = None  # (status, message) when it cannot be graded


def grade_batch(
    course: Course,
    submissions_dir: Path,
    out: Path,
    assignment: str | None = None,
    jobs: int = 1,
    db_url: str | None = None,
    timeout: float = SUBMISSION_TIMEOUT,
    limits: dict | None = None,
) -> list[SubmissionResult]:
    """Grade every submission under ``submissions_dir``; write the results into ``out``.

    ``limits`` overrides nbgrader_config.py settings for every submission (see
    :func:`autograder.grading.coursedir.course_config`)."""
    submissions_dir, out = Path(submissions_dir), Path(out).resolve()
    if not submissions_dir.is_dir():
        raise GradingError(f"{submissions_dir} is not a folder of submissions")
    if assignment is not None:
        course.require(assignment)
    submissions = find_submissions(course, submissions_dir, assignment)
    work = out / ".work"
    shutil.rmtree(work, ignore_errors=True)
    gradebook = InstructorGradebook(course, out, db_url)
    templates = {}
    for name in sorted({s.assignment for s in submissions if s.problem is None}):
        templates[name] = prepare_assignment(course, name, work / "templates" / name)
        gradebook.add_assignment(name)

    results = [_ungradable(course, s) for s in submissions if s.problem is not None]
    gradable = [s for s in submissions if s.problem is None]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(_run_worker, course, s, templates[s.assignment], work, timeout, limits): s
            for s in gradable
        }
        progress = tqdm(as_completed(futures), total=len(futures), desc="grading", unit="nb")
        for future in progress:
            submission = futures[future]
            result = future.result()
            if result.exercises:
                _collect(gradebook, submission, result, work, out)
            if not result.exercises:
                result.exercises = _zero_exercises(course, submission.assignment)
            results.append(result)

    _write_outputs(results, out)
    _keep_logs(work / "tasks", out / "logs")
    shutil.rmtree(work / "tasks", ignore_errors=True)
    return sorted(results, key=lambda r: (r.student, r.assignment))


def find_submissions(course: Course, root: Path, only: str | None = None) -> list[Submission]:
    """Every ``<student>/<assignment>/`` folder under ``root`` (one assignment if ``only``)."""
    known = set(course.assignments())
    found = []
    for student_dir in _subfolders(root):
        for folder in _subfolders(student_dir):
            if only is not None and folder.name != only:
                continue
            submission = Submission(_printable(student_dir.name), _printable(folder.name), folder)
            if folder.name not in known:
                submission.problem = (
                    UNKNOWN,
                    f"{submission.assignment} is not an assignment of this course",
                )
            elif submission.student != student_dir.name:
                submission.problem = (
                    INVALID,
                    "the student folder's name is not valid UTF-8; rename it (letters, digits, "
                    "- and _)",
                )
            else:
                _match_notebooks(course, submission)
            found.append(submission)
    return found


def _match_notebooks(course: Course, submission: Submission) -> None:
    """Pair each source notebook with the submitted file of the same name (a single
    notebook may be renamed) and validate it; record a problem when that fails."""
    sources = [p.stem for p in course.source_notebooks(submission.assignment)]
    submitted = sorted(submission.folder.glob("*.ipynb"))
    by_name = {p.stem: p for p in submitted}
    if len(sources) == 1 and len(submitted) == 1:
        by_name = {sources[0]: submitted[0]}
    for name in sources:
        if name in by_name:
            submission.notebooks[name] = by_name[name]
    if not submission.notebooks:
        submission.problem = (
            MISSING,
            f"no notebook named {', '.join(s + '.ipynb' for s in sources)}",
        )
        return
    for path in submission.notebooks.values():
        try:
            read_notebook(path)
        except GradingError as error:
            submission.problem = (INVALID, str(error).replace(str(submission.folder) + "/", ""))
            return


def _run_worker(course, submission, template, work, timeout, limits) -> SubmissionResult:
    """Grade one submission in a worker process; a crash or timeout becomes its status."""
    folder = work / "tasks" / submission.student / submission.assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    task = {
        "course_root": str(course.root),
        "assignment": submission.assignment,
        "student": submission.student,
        "notebooks": {name: str(path.resolve()) for name, path in submission.notebooks.items()},
        "workdir": str(folder / "course"),
        "template": str(template),
        "limits": limits,
    }
    (folder / "task.json").write_text(json.dumps(task))
    process = _WORKERS.Process(target=worker.main, args=(str(folder / "task.json"),))
    process.start()
    process.join(timeout)
    if process.is_alive():
        _kill_tree(process.pid)
        process.join()
        return _failed(submission, TIMEOUT, f"grading took longer than {timeout:g} s")
    result_file = folder / "result.json"
    if not result_file.exists():
        return _failed(
            submission, ERROR, f"the grading process died (exit code {process.exitcode})"
        )
    return SubmissionResult.from_dict(json.loads(result_file.read_text()))


def _kill_tree(pid: int) -> None:
    """Stop a worker and every process it started: its kernel runs in a session of its
    own, so killing the worker's process group alone would leave the kernel running."""
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(pid)
        for member in [*root.children(recursive=True), root]:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()


def _collect(gradebook, submission, result, work, out) -> None:
    """Record a graded submission in the gradebook and publish its feedback; if the
    gradebook refuses it, the submission's status says so and the batch goes on."""
    course_dir = work / "tasks" / submission.student / submission.assignment / "course"
    key = Path(submission.student) / submission.assignment
    try:
        gradebook.record(submission.student, submission.assignment, course_dir / "autograded" / key)
    except Exception as error:  # one submission's problem, never the batch's
        result.status, result.message = ERROR, f"not recorded in the gradebook: {error}"
        result.exercises = []
        return
    feedback = out / "feedback" / key
    shutil.rmtree(feedback, ignore_errors=True)
    if (course_dir / "feedback" / key).is_dir():
        shutil.copytree(course_dir / "feedback" / key, feedback)


def _failed(submission: Submission, status: str, message: str) -> SubmissionResult:
    return SubmissionResult(submission.student, submission.assignment, "", status, message)


def _ungradable(course: Course, submission: Submission) -> SubmissionResult:
    status, message = submission.problem
    result = _failed(submission, status, message)
    if status != UNKNOWN:
        result.exercises = _zero_exercises(course, submission.assignment)
    return result


def _zero_exercises(course: Course, assignment: str) -> list[ExerciseResult]:
    """Every graded cell of the assignment at zero (for submissions that could not run)."""
    return [ExerciseResult(gid, 0.0, pts, FAILED) for gid, pts in course.points(assignment).items()]


def _write_outputs(results: list[SubmissionResult], out: Path) -> None:
    for result in results:
        if result.exercises and not result.max_score:
            result.max_score = float(sum(e.max_score for e in result.exercises))
    report.write_grades_csv(results, out / "grades.csv")
    report.write_exercises_csv(results, out / "exercises.csv")
    report.plot_score_distribution(results, out / "scores.png")


def _keep_logs(tasks: Path, logs: Path) -> None:
    """Keep each worker's log as ``logs/<student>/<assignment>.log``."""
    for log in tasks.glob("*/*/worker.log"):
        target = logs / log.parent.parent.name / f"{log.parent.name}.log"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, target)


def _printable(name: str) -> str:
    """A file name with any bytes that are not UTF-8 (kept by Python as surrogates)
    written as backslash escapes, so it can go into CSV files and the gradebook."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
