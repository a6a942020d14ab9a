"""``autograder progress [FOLDER]``: a self-learner's way through the course.

Every notebook of the course found under FOLDER is checked as ``autograder check`` checks
it (the newest copy of each assignment counts), and the results are printed module by
module and exercise by exercise, with the next exercise to try: the first not passed, in
course order. Results are cached in ``FOLDER/.autograder-progress.json`` by the notebook's
SHA-256 and the course's fingerprint (:mod:`autograder.grading.fingerprint`), so a second
run checks only what changed. The drawing is one bar per module: the fraction of its
points earned.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course, GradingError, is_checkpoint, read_notebook
from autograder.grading.fingerprint import fingerprint
from autograder.results import PASSED, SubmissionResult, format_points
from autograder.tasks.check import check_notebook

CACHE = ".autograder-progress.json"


@dataclass
class Progress:
    """What ``progress`` found: the text it prints, the results per assignment, the next
    exercise (None when every exercise is passed) and the drawing's path (if drawn)."""

    text: str
    results: dict[str, SubmissionResult]
    next_exercise: tuple[str, str] | None
    figure: Path | None


def progress(
    course: Course, folder: Path, limits: dict | None = None, figure: str | None = None
) -> Progress:
    """Check the learner's notebooks under ``folder``; ``figure`` is where to draw (default
    ``folder/progress.png``; ``"none"``: no drawing)."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder; give the folder holding your notebooks")
    notebooks = find_notebooks(course, folder)
    cache_path = folder / CACHE
    cache = _read_cache(cache_path)
    fresh, results = {}, {}
    for assignment, path in notebooks.items():
        key = _cache_key(course, assignment, path, limits)
        entry = cache.get(key)
        result = (
            SubmissionResult.from_dict(entry) if entry else check_notebook(course, path, limits)
        )
        fresh[key] = result.to_dict() | {"student": result.student}
        results[assignment] = result
    cache_path.write_text(json.dumps(fresh, indent=1), encoding="utf-8")
    following = next_exercise(course, results)
    drawn = None
    if figure != "none":
        drawn = Path(figure) if figure else folder / "progress.png"
        draw(course, results, drawn)
    return Progress(_text(course, results, following), results, following, drawn)


def find_notebooks(course: Course, folder: Path) -> dict[str, Path]:
    """assignment -> the newest notebook of it under ``folder`` (not the course's solutions
    nor Jupyter's checkpoint copies; notebooks of no assignment are skipped)."""
    newest: dict[str, Path] = {}
    solutions = course.solutions.resolve()
    for path in sorted(folder.rglob("*.ipynb")):
        if is_checkpoint(path) or path.resolve().is_relative_to(solutions):
            continue
        try:
            assignment, _ = course.assignment_of(path, read_notebook(path))
        except GradingError:
            continue
        if assignment not in newest or path.stat().st_mtime > newest[assignment].stat().st_mtime:
            newest[assignment] = path
    return newest


def next_exercise(course: Course, results: dict[str, SubmissionResult]) -> tuple[str, str] | None:
    """``(assignment, grade_id)`` of the first exercise not yet passed, in course order
    (an assignment without a notebook starts at its first exercise)."""
    for assignment in course.assignments():
        result = results.get(assignment)
        passed = {e.grade_id for e in result.exercises if e.status == PASSED} if result else set()
        for grade_id in course.points(assignment):
            if grade_id not in passed:
                return assignment, grade_id
    return None


def draw(course: Course, results: dict[str, SubmissionResult], path: Path) -> Path:
    """One horizontal bar per module: the fraction of its points earned."""
    from matplotlib.figure import Figure

    names = course.assignments()
    fractions = []
    for name in names:
        result = results.get(name)
        fractions.append(result.score / result.max_score if result and result.max_score else 0.0)
    fig = Figure(figsize=(7, 1.2 + 0.3 * len(names)), layout="constrained")
    ax = fig.subplots()
    ax.barh(names, fractions, color="#2a9d55")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("fraction of the module's points")
    ax.set_title("Your progress through the course")
    fig.savefig(path, dpi=100)
    return path


def _text(course, results, following) -> str:
    lines = []
    for assignment in course.assignments():
        result = results.get(assignment)
        if result is None:
            lines.append(f"{assignment}: not started")
            continue
        passed = sum(e.status == PASSED for e in result.exercises)
        lines.append(
            f"{assignment}: {format_points(result.score)} / {format_points(result.max_score)} "
            f"points, {passed} of {len(result.exercises)} tests passed ({result.notebook})"
        )
        for e in result.exercises:
            mark = "ok" if e.status == PASSED else e.status
            lines.append(f"    {e.grade_id}: {mark}" + (f": {e.message}" if e.message else ""))
    if following is None:
        lines.append("every exercise passed: the course is done")
    else:
        lines.append(f"next: {following[1]} in {following[0]}")
    return "\n".join(lines)


def _cache_key(course, assignment, path, limits) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update(json.dumps([fingerprint(course, assignment), limits], sort_keys=True).encode())
    return f"{path}:{digest.hexdigest()}"


def _read_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
