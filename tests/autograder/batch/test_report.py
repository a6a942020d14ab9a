"""The report that shows where a class struggles, from results made by hand: per exercise
the fractions with full marks, partial and zero (hardest first), the failure messages
counted, the statuses (each flag once), and one self-contained, escaped page."""

import csv
import re

from autograder.batch import report
from autograder.results import ExerciseResult, SubmissionResult

HARD, EASY = "01-hard", "01-easy"
SWAPPED = "dot product: got 3, expected 4; hint: the arguments are swapped"


def submission(student, hard, easy, status="graded", assignment="01_linear_algebra"):
    """A submission with the two exercises at ``hard`` and ``easy`` points out of 2."""
    exercises = [
        ExerciseResult(HARD, hard, 2, "passed" if hard == 2 else "failed", "" if hard else SWAPPED),
        ExerciseResult(EASY, easy, 2, "passed" if easy == 2 else "failed", ""),
    ]
    if hard == 1:
        exercises[0].message = "half of the cases"
    return SubmissionResult(student, assignment, "", status, "", 4.0, exercises)


CLASS = [
    submission("ann", 2, 2),
    submission("ben", 0, 2),
    submission("cy", 0, 2, status="tampered+kernel-died"),
    submission("dee", 1, 0),
    SubmissionResult("eve", "01_linear_algebra", "", "timeout", "grading took longer than 9 s"),
    SubmissionResult("<script>alert(1)</script>", "01_linear_algebra", "", "error", "a & b"),
]


def test_the_hardest_exercise_comes_first_with_its_fractions():
    outcomes = report.exercise_outcomes(CLASS)["01_linear_algebra"]
    assert [grade_id for grade_id, _ in outcomes] == [HARD, EASY]
    hard = dict(outcomes)[HARD]
    assert (hard["full"], hard["partial"], hard["zero"]) == (1, 1, 2)
    assert dict(outcomes)[EASY]["full"] == 3


def test_failure_messages_are_counted_per_exercise():
    failures = report.common_failures(CLASS)
    assert failures[("01_linear_algebra", HARD)] == {SWAPPED: 2, "half of the cases": 1}
    assert ("01_linear_algebra", EASY) not in failures  # failed without a message


def test_each_flag_of_a_status_is_counted_once():
    counts = report.status_counts(CLASS)["01_linear_algebra"]
    assert counts == {"graded": 3, "tampered": 1, "kernel-died": 1, "timeout": 1, "error": 1}


def test_the_report_is_one_self_contained_escaped_page_with_its_figures(tmp_path):
    page = report.write_report(CLASS, tmp_path).read_text()
    for name in ("scores.png", "exercises.png", "statuses.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.count("src='data:image/png;base64,") == 3
    assert not re.search(r"<script|src=['\"]http|<link", page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &amp; b" in page
    assert page.index(HARD) < page.index(EASY)  # hardest first in the table too
    assert "<td class='n'>2</td><td>" + SWAPPED.replace("&", "&amp;") in page
    with open(tmp_path / "failures.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["grade_id"], r["count"], r["message"]) for r in rows] == [
        (HARD, "2", SWAPPED),
        (HARD, "1", "half of the cases"),
    ]


def test_a_batch_with_nothing_graded_still_gets_a_report(tmp_path):
    page = report.write_report(CLASS[4:], tmp_path).read_text()
    assert "timeout" in page and (tmp_path / "exercises.png").is_file()
