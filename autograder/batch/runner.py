"""Bulk grading: ``SUBMISSIONS/<student>/<assignment>/*.ipynb`` into grades, feedback and a plot.

Each submission is graded by a worker process of its own (:mod:`autograder.batch.worker`),
at most ``jobs`` at a time on this machine, or as a task on a Dask cluster
(``scheduler``, :mod:`autograder.batch.cluster`), each with a wall-clock cap. Whatever
happens to one submission (invalid JSON, a crash, a timeout) becomes its status; the
batch goes on. Results come back as plain data; the parent process alone records grades
in the gradebook, writes feedback and writes ``grades.csv``, ``exercises.csv``,
``results.json``, the report (:mod:`autograder.batch.report`) and the logs of
submissions that did not end ``graded`` into the output folder.

Re-running over the same folder grades only what is missing: a submission recorded in
the gradebook by an earlier run, with the same notebooks, course version, limits and
database, keeps its grades (``regrade`` grades everything again). The outputs always
carry the gradebook's current scores, so the points graders give written answers in
nbgrader's formgrader appear in them (:func:`export` rewrites them without grading).
"""

import hashlib
import json
import shutil
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from autograder.batch import report
from autograder.batch.gradebook import InstructorGradebook
from autograder.batch.worker import grade_isolated
from autograder.course import Course, GradingError, read_notebook
from autograder.grading.coursedir import prepare_assignment
from autograder.grading.fingerprint import fingerprint
from autograder.results import (
    BY_HAND,
    ERROR,
    FAILED,
    GRADED,
    INVALID,
    MANUAL,
    MANUAL_MESSAGE,
    MISSING,
    UNKNOWN,
    ExerciseResult,
    SubmissionResult,
)

#: Default wall-clock cap for grading one submission, in seconds: a backstop above the
#: notebook's own cap (TrustedExecute.notebook_timeout), which keeps partial credit.
SUBMISSION_TIMEOUT = 900

#: Where a run keeps, per submission it recorded, what a re-run needs to skip it.
RECORDS = ".work/graded"


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
    scheduler: str | None = None,
    regrade: bool = False,
) -> list[SubmissionResult]:
    """Grade every submission under ``submissions_dir``; write the results into ``out``.

    ``limits`` overrides nbgrader_config.py settings for every submission (see
    :func:`autograder.grading.coursedir.course_config`); ``scheduler`` (a Dask scheduler's
    address) grades on that cluster instead of ``jobs`` local workers; ``regrade`` grades
    again what an earlier run over ``out`` recorded."""
    submissions_dir, out = Path(submissions_dir), Path(out).resolve()
    if not submissions_dir.is_dir():
        raise GradingError(f"{submissions_dir} is not a folder of submissions")
    if assignment is not None:
        course.require(assignment)
    submissions = find_submissions(course, submissions_dir, assignment)
    # This run's scratch folder is its own: the grading processes of an earlier run that
    # was killed may still be writing into theirs (removed here, so they fail harmlessly).
    runs = out / ".work" / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    work = runs / uuid.uuid4().hex[:12]
    gradebook = InstructorGradebook(course, out, db_url)
    names = sorted({s.assignment for s in submissions if s.problem is None})
    fingerprints = {name: fingerprint(course, name) for name in names}
    for name in names:
        gradebook.add_assignment(name)

    results = [_ungradable(course, s) for s in submissions if s.problem is not None]
    logs: dict[tuple[str, str], str] = {}
    todo = []
    recorded = {name: gradebook.recorded(name) for name in names}
    for submission in (s for s in submissions if s.problem is None):
        key = _record_key(submission, fingerprints, limits, gradebook.db_url)
        kept = None if regrade else _kept(out, submission, key, recorded)
        if kept is None:
            todo.append((submission, key))
        else:
            results.append(SubmissionResult.from_dict(kept["result"]))
            logs[submission.student, submission.assignment] = kept["log"]
    skipped = sum(1 for s in submissions if s.problem is None) - len(todo)
    if skipped:
        print(
            f"grading {len(todo)} submissions; {skipped} already graded by an earlier run keep "
            "their grades (--regrade grades them again)",
            file=sys.stderr,
        )
    keys = {submission_id(s): key for s, key in todo}
    pending = [s for s, _ in todo]
    graded = _grade(course, pending, work, timeout, limits, jobs, scheduler, fingerprints)
    for submission, data in graded:
        result = SubmissionResult.from_dict(data["result"])
        if result.exercises and _collect(gradebook, submission, result, data, out):
            _keep(out, submission, keys[submission_id(submission)], result, data["log"])
        if not result.exercises:
            result.exercises = _zero_exercises(course, submission.assignment)
        logs[submission.student, submission.assignment] = data["log"]
        results.append(result)

    results = finish(gradebook, results, out, logs)
    shutil.rmtree(work, ignore_errors=True)
    return results


def export(course: Course, out: Path, db_url: str | None = None) -> list[SubmissionResult]:
    """Rewrite the outputs of an earlier run over ``out`` with the gradebook's scores now
    (the written answers graders scored in the formgrader), without grading anything.
    ``db_url`` defaults to the database that run used."""
    out = Path(out).resolve()
    if not (out / "results.json").is_file():
        raise GradingError(f"{out} holds no graded batch (no results.json); run grade first")
    if db_url is None:
        db_url = _recorded_db_url(out)
    entries = json.loads((out / "results.json").read_text(encoding="utf-8"))
    results = [SubmissionResult.from_dict(entry) for entry in entries]
    return finish(InstructorGradebook(course, out, db_url), results, out, logs=None)


def finish(gradebook, results, out, logs) -> list[SubmissionResult]:
    """The scores the gradebook holds now put into ``results``, then every output written
    (the logs too, from ``logs``, unless it is None); returns the results, sorted."""
    apply_gradebook(results, gradebook)
    _write_outputs(results, out)
    if logs is not None:
        _keep_logs(results, logs, out / "logs")
    gradebook.write_formgrader_config()
    return sorted(results, key=lambda r: (r.student, r.assignment))


def apply_gradebook(results: list[SubmissionResult], gradebook: InstructorGradebook) -> None:
    """Each recorded submission's scores as the gradebook holds them now: a written answer
    a grader scored is ``graded-by-hand`` (with the grader's comment), one not yet scored
    stays ``needs-manual-grade``; a score a grader overrode is theirs."""
    assignments = {r.assignment for r in results if r.was_graded}
    grades = {name: gradebook.grades(name) for name in sorted(assignments)}
    for result in results:
        if not result.was_graded:
            continue
        cells = grades[result.assignment].get(result.student, {})
        for exercise in result.exercises:
            cell = cells.get(exercise.grade_id)
            if cell is None:
                continue
            exercise.score = cell.score
            if cell.manual_score is not None:
                written = cell.auto_score is None
                exercise.status = BY_HAND
                exercise.message = cell.comment or ("" if written else exercise.message)
            elif cell.needs_manual_grade and cell.auto_score is None:
                exercise.status, exercise.message = MANUAL, MANUAL_MESSAGE


def submission_id(submission) -> tuple[str, str]:
    return submission.student, submission.assignment


def _grade(course, todo, work, timeout, limits, jobs, scheduler, fingerprints):
    """Yield ``(submission, payload)`` for each submission of ``todo`` as it is graded,
    by ``jobs`` local workers or on the Dask cluster at ``scheduler``."""
    tasks = {}
    for submission in todo:
        folder = work / "tasks" / submission.student / submission.assignment
        key = f"grade-{submission.student}/{submission.assignment}-{uuid.uuid4().hex[:8]}"
        tasks[key] = (submission, folder, _task(course, submission, folder, limits))
    progress = {"total": len(tasks), "desc": "grading", "unit": "nb"}
    if scheduler is not None:
        from autograder.batch.cluster import grade_on_cluster, remote_task

        remote = {k: remote_task(t, course, fingerprints) for k, (_, _, t) in tasks.items()}
        for key, data in tqdm(grade_on_cluster(scheduler, remote, timeout), **progress):
            yield tasks[key][0], data
        return
    templates = {}
    for name in sorted({s.assignment for s in todo}):
        templates[name] = prepare_assignment(course, name, work / "templates" / name)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {}
        for submission, folder, task in tasks.values():
            task["template"] = str(templates[submission.assignment])
            futures[pool.submit(grade_isolated, task, folder, timeout)] = submission
        for future in tqdm(as_completed(futures), **progress):
            yield futures[future], future.result()


def _task(course, submission, folder, limits) -> dict:
    return {
        "course_root": str(course.root),
        "assignment": submission.assignment,
        "student": submission.student,
        "notebooks": {name: str(path.resolve()) for name, path in submission.notebooks.items()},
        "workdir": str(folder / "course"),
        "limits": limits,
    }


def _record_key(submission, fingerprints, limits, db_url) -> str:
    """What a recorded grade depends on: the submitted notebooks, the course's version
    (:mod:`autograder.grading.fingerprint`), the limits and the database."""
    digest = hashlib.sha256()
    for name, path in sorted(submission.notebooks.items()):
        digest.update(name.encode() + b"\0" + Path(path).read_bytes())
    digest.update(
        json.dumps([fingerprints[submission.assignment], limits, db_url], sort_keys=True).encode()
    )
    return digest.hexdigest()


def _record_path(out: Path, submission) -> Path:
    return out / RECORDS / submission.student / f"{submission.assignment}.json"


def _kept(out, submission, key, recorded) -> dict | None:
    """The record of an earlier run for this very submission, if the gradebook has it."""
    path = _record_path(out, submission)
    if submission.student not in recorded[submission.assignment] or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("key") == key else None


def _keep(out, submission, key, result, log) -> None:
    path = _record_path(out, submission)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"key": key, "result": asdict(result), "log": log}
    path.write_text(json.dumps(record), encoding="utf-8")


def _recorded_db_url(out: Path) -> str | None:
    """The database URL the run that wrote ``out`` used (its nbgrader_config.py)."""
    from traitlets.config import PyFileConfigLoader

    if not (out / "nbgrader_config.py").is_file():
        return None
    config = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()
    return config.CourseDirectory.get("db_url")


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


def _collect(gradebook, submission, result, data, out) -> bool:
    """Record a graded submission in the gradebook and publish its feedback; if the
    gradebook refuses it, the submission's status says so and the batch goes on."""
    try:
        gradebook.record(submission.student, submission.assignment, data["executed"])
    except Exception as error:  # one submission's problem, never the batch's
        result.status, result.message = ERROR, f"not recorded in the gradebook: {error}"
        result.exercises = []
        return False
    feedback = out / "feedback" / submission.student / submission.assignment
    shutil.rmtree(feedback, ignore_errors=True)
    for name, page in data["feedback"].items():
        (feedback / name).parent.mkdir(parents=True, exist_ok=True)
        (feedback / name).write_bytes(page)
    return True


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
    report.write_results_json(results, out / "results.json")
    report.write_report(results, out)


def _keep_logs(results: list[SubmissionResult], logs: dict, folder: Path) -> None:
    """For each submission that did not end ``graded`` (an error, a timeout, a flag such as
    kernel-died), keep ``logs/<student>/<assignment>.log``: its status line, the worker's log
    (a traceback, nbgrader's complaints), then what the kernel wrote on stderr (a crash's
    last words). A graded submission's logs hold nothing of use and are not kept; logs of
    an earlier run over the same folder are replaced."""
    shutil.rmtree(folder, ignore_errors=True)
    for result in results:
        text = logs.get((result.student, result.assignment))
        if result.status == GRADED or not text:
            continue
        target = folder / result.student / f"{result.assignment}.log"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{result.status}: {result.message}\n{text}", encoding="utf-8")


def _printable(name: str) -> str:
    """A file name with any bytes that are not UTF-8 (kept by Python as surrogates)
    written as backslash escapes, so it can go into CSV files and the gradebook."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
