"""The instructor's outputs of a batch: grades.csv, exercises.csv, results.json, and the
report that shows where a class struggles.

``report.html`` is one self-contained page (figures embedded as PNG, no scripts, every
name and message escaped) with, per assignment: the score distribution; per exercise, the
fractions of learners with full marks, partial and zero (the hardest first); the most
common failure messages per exercise (the named mistakes, counted); and the statuses
(tampered, timeouts, crashes) at a glance. The figures are also written as files
(``scores.png``, ``exercises.png``, ``statuses.png``) and the counted messages as
``failures.csv``.
"""

import base64
import csv
import html
import io
import json
from collections import Counter
from pathlib import Path

from autograder.results import BY_HAND, GRADED, MANUAL, SubmissionResult, format_points

GRADES_COLUMNS = [
    "student",
    "assignment",
    "score",
    "max_score",
    "status",
    "auto_score",
    "manual_score",
    "open_points",
]
EXERCISES_COLUMNS = ["student", "assignment", "grade_id", "score", "max_score", "status", "message"]
FAILURES_COLUMNS = ["assignment", "grade_id", "count", "message"]
#: Failure messages listed per exercise in the report (failures.csv has them all).
TOP_MESSAGES = 3
#: Problem submissions listed in the report (grades.csv has them all).
TOP_PROBLEMS = 200
#: Colours of full marks, partial, zero and waiting for a person.
COLOURS = {"full": "#2a9d55", "partial": "#e9b73b", "zero": "#d1495b", "waiting": "#9aa5b1"}


def write_grades_csv(results: list[SubmissionResult], path: Path) -> None:
    """One row per (student, assignment): the score (auto-graded and by hand), max_score and
    status, then the auto-graded part, the part given by hand and the points of written
    answers still waiting for a person."""
    rows = [
        {
            "student": r.student,
            "assignment": r.assignment,
            "score": format_points(r.score),
            "max_score": format_points(r.max_score),
            "status": r.status,
            "auto_score": format_points(r.score - r.manual_score),
            "manual_score": format_points(r.manual_score),
            "open_points": format_points(r.open_points),
        }
        for r in _sorted(results)
    ]
    _write_csv(path, GRADES_COLUMNS, rows)


def write_exercises_csv(results: list[SubmissionResult], path: Path) -> None:
    """One row per (student, assignment, grade cell): its score, status and the message the
    learner reads (the check's own words, never the hidden tests' source)."""
    rows = [
        {
            "student": r.student,
            "assignment": r.assignment,
            "grade_id": e.grade_id,
            "score": format_points(e.score),
            "max_score": format_points(e.max_score),
            "status": e.status,
            "message": e.message,
        }
        for r in _sorted(results)
        for e in r.exercises
    ]
    _write_csv(path, EXERCISES_COLUMNS, rows)


def write_results_json(results: list[SubmissionResult], path: Path) -> None:
    """Every submission as ``autograder check --json`` prints it, with its student."""
    entries = [{"student": r.student, **r.to_dict()} for r in _sorted(results)]
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def plot_score_distribution(results: list[SubmissionResult], path: Path | None = None):
    """A histogram per assignment of the scores in percent of the maximum (saved as PNG
    when ``path`` is given); returns the figure."""
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
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def exercise_outcomes(results: list[SubmissionResult]) -> dict[str, list[tuple[str, Counter]]]:
    """assignment -> [(grade_id, counts of full / partial / zero / waiting)], the hardest
    first (fewest full marks, then most zeros), over the submissions that were graded."""
    counts: dict[str, dict[str, Counter]] = {}
    for r in results:
        if not r.was_graded:
            continue
        cells = counts.setdefault(r.assignment, {})
        for e in r.exercises:
            cells.setdefault(e.grade_id, Counter())[_outcome(e)] += 1
    return {
        assignment: sorted(cells.items(), key=lambda item: (*_hardness(item[1]), item[0]))
        for assignment, cells in sorted(counts.items())
    }


def _outcome(exercise) -> str:
    if exercise.status == MANUAL:
        return "waiting"
    if exercise.score >= exercise.max_score > 0:
        return "full"
    return "partial" if exercise.score > 0 else "zero"


def _hardness(counts: Counter) -> tuple:
    total = sum(counts.values()) or 1
    return counts["full"] / total, -counts["zero"] / total


def common_failures(results: list[SubmissionResult]) -> dict[tuple[str, str], Counter]:
    """(assignment, grade_id) -> how often each failure message was given."""
    found: dict[tuple[str, str], Counter] = {}
    for r in results:
        if not r.was_graded:
            continue
        for e in r.exercises:
            if e.score < e.max_score and e.status not in (MANUAL, BY_HAND) and e.message:
                found.setdefault((r.assignment, e.grade_id), Counter())[e.message] += 1
    return found


def status_counts(results: list[SubmissionResult]) -> dict[str, Counter]:
    """assignment -> how many submissions ended with each status or flag (a status such as
    ``tampered+kernel-died`` counts once for each of its flags)."""
    found: dict[str, Counter] = {}
    for r in results:
        found.setdefault(r.assignment, Counter()).update(r.status.split("+"))
    return dict(sorted(found.items()))


def plot_exercise_outcomes(results: list[SubmissionResult], path: Path | None = None):
    """Per assignment, a stacked bar per exercise: the fractions of learners with full
    marks, partial, zero (and waiting for a person), the hardest at the top."""
    from matplotlib.figure import Figure

    outcomes = exercise_outcomes(results)
    rows = [max(1, len(cells)) for cells in outcomes.values()] or [1]
    fig = Figure(figsize=(7, 1.2 + 0.28 * sum(rows) + 0.6 * len(rows)), layout="constrained")
    axes = fig.subplots(len(rows), 1, squeeze=False, height_ratios=rows)[:, 0]
    for ax, (assignment, cells) in zip(axes, outcomes.items() or [("no graded submissions", [])]):
        names = [grade_id for grade_id, _ in cells][::-1]
        left = [0.0] * len(names)
        for kind, colour in COLOURS.items():
            widths = []
            for _, counts in cells[::-1]:
                widths.append(counts[kind] / (sum(counts.values()) or 1))
            if any(widths):
                ax.barh(names, widths, left=left, color=colour, label=kind)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_xlim(0, 1)
        ax.set_title(f"{assignment}: outcome per exercise (hardest at the top)", fontsize=10)
        ax.tick_params(axis="y", labelsize=7)
        if cells:
            ax.legend(loc="lower right", fontsize=7, ncols=4)
    axes[-1].set_xlabel("fraction of graded learners")
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def plot_statuses(results: list[SubmissionResult], path: Path | None = None):
    """Per assignment, how many submissions ended with each status or flag."""
    from matplotlib.figure import Figure

    counts = status_counts(results)
    kinds = sorted({k for c in counts.values() for k in c}, key=lambda k: (k != GRADED, k))
    fig = Figure(figsize=(7, 1.5 + 0.35 * max(1, len(kinds))), layout="constrained")
    ax = fig.subplots()
    height = 0.8 / max(1, len(counts))
    for i, (assignment, found) in enumerate(counts.items()):
        positions = [k + i * height for k in range(len(kinds))]
        bars = ax.barh(positions, [found[k] for k in kinds], height=height, label=assignment)
        ax.bar_label(bars, fontsize=7, padding=2)
    ax.set_yticks([k + 0.4 - height / 2 for k in range(len(kinds))], kinds)
    ax.invert_yaxis()
    ax.set_title("Statuses at a glance")
    ax.set_xlabel("submissions")
    if counts:
        ax.legend(fontsize=7)
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def write_failures_csv(results: list[SubmissionResult], path: Path) -> None:
    """Every failure message per exercise with how often it was given, most common first."""
    rows = [
        {"assignment": assignment, "grade_id": grade_id, "count": count, "message": message}
        for (assignment, grade_id), messages in sorted(common_failures(results).items())
        for message, count in _most_common(messages)
    ]
    _write_csv(path, FAILURES_COLUMNS, rows)


def write_report(results: list[SubmissionResult], out: Path) -> Path:
    """``out/report.html`` and its figures as files (scores.png, exercises.png,
    statuses.png) and failures.csv; returns the page's path."""
    figures = {
        "scores.png": plot_score_distribution(results),
        "exercises.png": plot_exercise_outcomes(results),
        "statuses.png": plot_statuses(results),
    }
    images = {}
    for name, fig in figures.items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        (out / name).write_bytes(buffer.getvalue())
        images[name] = base64.b64encode(buffer.getvalue()).decode("ascii")
    write_failures_csv(results, out / "failures.csv")
    page = out / "report.html"
    page.write_text(_page(results, images), encoding="utf-8")
    return page


def _page(results, images) -> str:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Grading report</title><style>",
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}",
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;",
        "padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}",
        "img{max-width:100%}.n{text-align:right}</style></head><body>",
        "<h1>Grading report</h1>",
        "<h2>Assignments</h2>",
        _summary(results),
        "<h2>Score distribution</h2>",
        _image(images["scores.png"], "Histogram of scores per assignment"),
        "<h2>Where the class struggles: outcome per exercise</h2>",
        "<p>Per exercise, the fraction of graded learners with full marks, partial and zero "
        "(and written answers waiting for a person), the hardest first.</p>",
        _image(images["exercises.png"], "Outcome per exercise"),
        _outcome_table(results),
        "<h2>Most common failure messages</h2>",
        f"<p>Per exercise, the {TOP_MESSAGES} messages learners got most often (all of them "
        "in failures.csv).</p>",
        _failure_table(results),
        "<h2>Statuses at a glance</h2>",
        _image(images["statuses.png"], "Statuses per assignment"),
        _problem_table(results),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _image(data: str, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def _table(header: list[str], rows: list[list]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='n'>{e(str(v))}</td>" if isinstance(v, int | float) else f"<td>{e(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary(results) -> str:
    rows = []
    by_assignment: dict[str, list[SubmissionResult]] = {}
    for r in results:
        by_assignment.setdefault(r.assignment, []).append(r)
    for assignment, group in sorted(by_assignment.items()):
        percents = sorted(100 * r.score / r.max_score for r in group if r.max_score)
        mean = sum(percents) / len(percents) if percents else 0.0
        median = percents[len(percents) // 2] if percents else 0.0
        rows.append(
            [
                assignment,
                len(group),
                sum(1 for r in group if r.status == GRADED),
                sum(1 for r in group if r.status != GRADED),
                f"{mean:.0f} %",
                f"{median:.0f} %",
                sum(1 for r in group if r.open_points),
            ]
        )
    header = [
        "assignment",
        "submissions",
        "graded",
        "with problems",
        "mean",
        "median",
        "written answers to grade",
    ]
    return _table(header, rows)


def _outcome_table(results) -> str:
    rows = []
    for assignment, cells in exercise_outcomes(results).items():
        for grade_id, counts in cells:
            total = sum(counts.values()) or 1
            rows.append(
                [assignment, grade_id]
                + [f"{100 * counts[kind] / total:.0f} %" for kind in COLOURS]
                + [total]
            )
    return _table(["assignment", "exercise", *COLOURS, "learners"], rows)


def _failure_table(results) -> str:
    rows = [
        [assignment, grade_id, count, message]
        for (assignment, grade_id), messages in sorted(common_failures(results).items())
        for message, count in _most_common(messages)[:TOP_MESSAGES]
    ]
    return _table(["assignment", "exercise", "learners", "message"], rows)


def _problem_table(results) -> str:
    problems = [r for r in _sorted(results) if r.status != GRADED]
    rows = [[r.student, r.assignment, r.status, r.message] for r in problems[:TOP_PROBLEMS]]
    more = len(problems) - len(rows)
    note = f"<p>and {more} more in grades.csv</p>" if more > 0 else ""
    return _table(["student", "assignment", "status", "message"], rows) + note


def _most_common(messages: Counter) -> list[tuple[str, int]]:
    """Most often first, then alphabetically (the same order whatever order results came in)."""
    return sorted(messages.items(), key=lambda item: (-item[1], item[0]))


def _sorted(results):
    return sorted(results, key=lambda r: (r.student, r.assignment))


def _write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
