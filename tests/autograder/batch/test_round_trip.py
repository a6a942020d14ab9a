"""Bulk grading end to end: full marks, zero, an exact partial score and a broken file,
all in one batch of module 01 submissions."""

import csv
import json

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main
from tests.autograder.helpers import (
    answer_ids,
    graded_by,
    place,
    solution,
    student,
    with_wrong_answers,
)

ASSIGNMENT = "01_linear_algebra"
#: The keys of ``autograder check --json`` (see tests/autograder/tasks/test_check.py).
CHECK_JSON_KEYS = {"notebook", "assignment", "status", "message", "score", "max_score", "exercises"}


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def batch(course, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    source = solution(course, ASSIGNMENT)
    place(source, submissions, "alice", ASSIGNMENT)
    place(student(course, ASSIGNMENT), submissions, "bob", ASSIGNMENT)
    wrong = answer_ids(source)[1:3]
    with_wrong_answers(source, submissions / "carol" / ASSIGNMENT / source.name, wrong)
    broken = submissions / "dave" / ASSIGNMENT / source.name
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    out = tmp_path_factory.mktemp("out")
    assert main(["grade", str(submissions), "--out", str(out), "--jobs", "2"]) == 0
    lost = sum(course.points(ASSIGNMENT)[gid] for w in wrong for gid in graded_by(source, w))
    return out, wrong, lost


def grades(out):
    return {row["student"]: row for row in read_csv(out / "grades.csv")}


def test_scores_full_zero_partial_and_invalid(course, batch):
    out, _, lost = batch
    total = sum(course.points(ASSIGNMENT).values())
    rows = grades(out)
    assert float(rows["alice"]["score"]) == total == float(rows["alice"]["max_score"])
    assert rows["alice"]["status"] == "graded"
    assert float(rows["bob"]["score"]) == 0 and rows["bob"]["status"] == "graded"
    assert lost > 0
    assert float(rows["carol"]["score"]) == pytest.approx(total - lost)
    assert rows["dave"]["status"] == "invalid-notebook"
    assert float(rows["dave"]["score"]) == 0 and float(rows["dave"]["max_score"]) == total


def test_exercise_rows_add_up_to_the_grades(course, batch):
    out, wrong, _ = batch
    rows = read_csv(out / "exercises.csv")
    ids = set(course.points(ASSIGNMENT))
    for who, row in grades(out).items():
        mine = [r for r in rows if r["student"] == who]
        assert {r["grade_id"] for r in mine} == ids
        assert sum(float(r["score"]) for r in mine) == pytest.approx(float(row["score"]))
    failed = {r["grade_id"] for r in rows if r["student"] == "carol" and float(r["score"]) == 0}
    assert failed == {
        gid
        for w in wrong
        for gid in graded_by(course.solutions / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", w)
    }


def test_gradebook_holds_the_same_scores(batch):
    out, _, _ = batch
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "dl-math-course") as gradebook:
        stored = {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    rows = grades(out)
    assert set(stored) == {"alice", "bob", "carol"}
    for who, score in stored.items():
        assert score == pytest.approx(float(rows[who]["score"]))


def test_feedback_shows_messages_but_never_hidden_tests(batch):
    out, _, _ = batch
    pages = {p.parts[-3]: p.read_text() for p in out.glob("feedback/*/*/*.html")}
    assert set(pages) == {"alice", "bob", "carol"}
    for page in pages.values():
        assert "BEGIN HIDDEN TESTS" not in page
        assert "_hidden(" not in page
    assert "hint" in pages["carol"]
    assert "NotImplementedError" in pages["bob"]


def test_score_plot_is_written(batch):
    out, _, _ = batch
    assert (out / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exercises_csv_carries_each_learner_message_and_never_hidden_tests(batch):
    out, _, _ = batch
    rows = read_csv(out / "exercises.csv")
    assert list(rows[0]) == [
        "student",
        "assignment",
        "grade_id",
        "score",
        "max_score",
        "status",
        "message",
    ]
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(row)
    assert all(r["message"] == "" and r["status"] == "passed" for r in by_student["alice"])
    assert all("NotImplementedError; hint: replace" in r["message"] for r in by_student["bob"])
    failed = [r for r in by_student["carol"] if r["status"] == "failed"]
    assert failed and all("hint:" in r["message"] for r in failed)
    for row in rows:
        assert not row["message"].startswith("CheckFailed")
        assert "BEGIN HIDDEN TESTS" not in row["message"] and "_hidden(" not in row["message"]


def test_results_json_holds_every_submission_as_check_json_prints_it(batch):
    out, _, _ = batch
    entries = {e["student"]: e for e in json.loads((out / "results.json").read_text())}
    assert set(entries) == {"alice", "bob", "carol", "dave"}
    for who, row in grades(out).items():
        entry = entries[who]
        assert set(entry) == {"student", *CHECK_JSON_KEYS}
        assert (entry["assignment"], entry["status"]) == (ASSIGNMENT, row["status"])
        assert entry["score"] == pytest.approx(float(row["score"]))
        assert entry["score"] == pytest.approx(sum(e["score"] for e in entry["exercises"]))
    assert "not valid JSON" in entries["dave"]["message"]
    csv_messages = {
        (r["student"], r["grade_id"]): r["message"] for r in read_csv(out / "exercises.csv")
    }
    for who, entry in entries.items():
        for exercise in entry["exercises"]:
            assert csv_messages[(who, exercise["grade_id"])] == exercise["message"]
    assert not (out / "logs").exists()  # every submission that ran was graded
