"""`autograder check`: a learner grades their own copy; unusable input gets a clear error."""

import json
import shutil

import pytest

from autograder.cli import main
from tests.autograder.helpers import solution, student

ASSIGNMENT = "00_getting_started"  # the smallest module: the command, not the content, is tested


def run_check(capsys, *args):
    code = main(["check", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_untouched_student_copy_scores_zero_with_messages(course, capsys, tmp_path):
    # a renamed copy, as a learner would make, is still recognised by its exercises
    copy = shutil.copy(student(course, ASSIGNMENT), tmp_path / "my work (copy).ipynb")
    code, out, _ = run_check(capsys, copy, "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"notebook", "score", "max_score", "exercises"}
    assert report["score"] == 0 and report["max_score"] == sum(course.points(ASSIGNMENT).values())
    assert len(report["exercises"]) == len(course.points(ASSIGNMENT))
    for exercise in report["exercises"]:
        assert set(exercise) == {"grade_id", "score", "max_score", "status", "message"}
        assert exercise["score"] == 0 and exercise["status"] == "failed"
        assert "NotImplementedError" in exercise["message"], exercise


def test_solution_shows_full_marks_in_a_table(course, capsys):
    code, out, _ = run_check(capsys, solution(course, ASSIGNMENT))
    assert code == 0
    total = f"{sum(course.points(ASSIGNMENT).values()):g}"
    assert f"total: {total} / {total}" in out
    assert "failed" not in out
    for grade_id in course.points(ASSIGNMENT):
        assert grade_id in out


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ("just text", "notes.txt", "not a notebook"),
        ('{"cells": [', "01_linear_algebra.ipynb", "not valid JSON"),
        ('{"nbformat": 3, "worksheets": []}', "old.ipynb", "not an nbformat 4 notebook"),
    ],
)
def test_unusable_files_exit_non_zero_with_a_reason(capsys, tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_text(content)
    code, out, err = run_check(capsys, path)
    assert code == 2 and out == ""
    assert expected in err


def test_missing_file_and_unknown_assignment(capsys, tmp_path):
    code, _, err = run_check(capsys, tmp_path / "nowhere.ipynb")
    assert code == 2 and "does not exist" in err
    foreign = tmp_path / "foreign.ipynb"
    foreign.write_text(
        json.dumps(
            {
                "cells": [],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    code, _, err = run_check(capsys, foreign)
    assert code == 2 and "does not belong to any assignment" in err
