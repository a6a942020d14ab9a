"""`autograder check`: a learner grades their own copy; unusable input gets a clear error."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import find_root
from tests import ROOT
from tests.autograder.helpers import code_cell, make_course, solution, student

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
    assert set(report) == {
        "notebook",
        "assignment",
        "status",
        "message",
        "score",
        "max_score",
        "exercises",
    }
    assert (report["assignment"], report["status"], report["message"]) == (ASSIGNMENT, "graded", "")
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


ADD = "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
ADD_TEST = (
    "from autograder.checks import harness\n"
    "result, text = harness.call(add, 'add', 1, 2)\n"
    "harness.expect_close(result, 3, text, 'add the two numbers')"
)


@pytest.fixture
def tiny_course(course, tmp_path):
    """A one-exercise course in ``tmp_path/course`` (its solution scores 1 / 1)."""
    cells = [code_cell("answer", ADD, "t-add"), code_cell("tests", ADD_TEST, "t-add-basic", 1)]
    (tmp_path / "course").mkdir()
    return make_course(course, tmp_path / "course", "98_tiny", cells)


def test_the_course_is_found_from_the_current_folder_upward(tiny_course, monkeypatch):
    inner = tiny_course.root / "notes" / "deep"
    inner.mkdir(parents=True)
    monkeypatch.delenv("AUTOGRADER_COURSE_ROOT", raising=False)
    monkeypatch.chdir(inner)
    assert find_root() == tiny_course.root.resolve()
    monkeypatch.chdir(tiny_course.root.parent)  # no course above: this checkout's
    assert find_root() == ROOT


def test_a_non_editable_install_checks_a_notebook_from_the_course_folder(tiny_course, tmp_path):
    """A fresh venv with `pip install .` (not editable): the package lives in the venv, so
    only the current folder can say where the course is. The venv reaches the project's
    dependencies through a path file (no network); its kernel runs unconfined, as the
    sandbox binds only the venv's own Python (and the dependencies lie outside it)."""
    venv, source = tmp_path / "venv", tmp_path / "source"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "course-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "autograder", "dlkit"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*install, "--no-index", str(source)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_COURSE_ROOT"}
    notebook = tiny_course.source_notebooks("98_tiny")[0]
    check = [venv / "bin" / "autograder", "check", notebook.name, "--sandbox", "none"]
    done = subprocess.run(
        check, cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "total: 1 / 1" in done.stdout
    elsewhere = subprocess.run(
        check, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert elsewhere.returncode == 2 and "no course found" in elsewhere.stderr
