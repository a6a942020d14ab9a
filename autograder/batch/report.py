"""The instructor's outputs of a batch: grades.csv, exercises.csv and the score plot."""

import csv
from pathlib import Path

from autograder.results import SubmissionResult, format_points

GRADES_COLUMNS = ["student", "assignment", "score", "max_score", "status"]
EXERCISES_COLUMNS = ["student", "assignment", "grade_id", "score", "max_score"]


def write_grades_csv(results: list[SubmissionResult], path: Path) -> None:
    """One row per (student, assignment): score, max_score and status."""
    rows = [
        {
            "student": r.student,
            "assignment": r.assignment,
            "score": format_points(r.score),
            "max_score": format_points(r.max_score),
            "status": r.status,
        }
        for r in _sorted(results)
    ]
    _write_csv(path, GRADES_COLUMNS, rows)


def write_exercises_csv(results: list[SubmissionResult], path: Path) -> None:
    """One row per (student, assignment, grade cell)."""
    rows = [
        {
            "student": r.student,
            "assignment": r.assignment,
            "grade_id": e.grade_id,
            "score": format_points(e.score),
            "max_score": format_points(e.max_score),
        }
        for r in _sorted(results)
        for e in r.exercises
    ]
    _write_csv(path, EXERCISES_COLUMNS, rows)


def plot_score_distribution(results: list[SubmissionResult], path: Path) -> None:
    """A histogram per assignment of the scores in percent of the maximum, saved as PNG."""
    from matplotlib.figure import Figure

    by_assignment: dict[str, list[float]] = {}
    for r in results:
        percent = 100.0 * r.score / r.max_score if r.max_score else 0.0
        by_assignment.setdefault(r.assignment, []).append(percent)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for assignment, scores in sorted(by_assignment.items()):
        ax.hist(scores, bins=10, range=(0, 100), alpha=0.6, label=f"{assignment} (n={len(scores)})")
    ax.set_title("Score distribution")
    ax.set_xlabel("score (% of maximum)")
    ax.set_ylabel("submissions")
    if by_assignment:
        ax.legend()
    fig.savefig(path, dpi=100)


def _sorted(results):
    return sorted(results, key=lambda r: (r.student, r.assignment))


def _write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
