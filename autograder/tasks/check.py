"""``autograder check``: a learner grades their own notebook against the hidden tests."""

import tempfile
from pathlib import Path

from autograder.course import Course, read_notebook
from autograder.grading.submission import grade_submission
from autograder.results import GRADED, SubmissionResult, format_points


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


def score_table(result: SubmissionResult) -> str:
    """A plain-text table: exercise, score, max, status, message; then the total."""
    rows = [("exercise", "score", "max", "status", "message")]
    rows += [
        (e.grade_id, format_points(e.score), format_points(e.max_score), e.status, e.message)
        for e in result.exercises
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4] for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  -------")
    total = f"total: {format_points(result.score)} / {format_points(result.max_score)}"
    if result.status != GRADED:
        total += f"  ({result.status}: {result.message})"
    return "\n".join([f"{result.notebook} ({result.assignment})", "", *lines, "", total])
