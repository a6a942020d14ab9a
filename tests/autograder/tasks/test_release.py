"""`autograder release` is deterministic and strips solutions, hidden tests and outputs."""

import shutil

import nbformat

from autograder.batch.runner import find_submissions
from autograder.course import Course
from autograder.tasks.release import release, release_differences, student_version
from tests.autograder.helpers import code_cell, make_course, place


def test_release_twice_gives_identical_files_without_solutions(course, tmp_path):
    copy = Course(tmp_path / "course")
    shutil.copytree(course.solutions, copy.solutions)
    shutil.copy(course.root / "nbgrader_config.py", copy.root)
    release(copy)
    first = {
        p.relative_to(copy.root): p.read_bytes() for p in copy.notebooks.rglob("*") if p.is_file()
    }
    release(copy)
    second = {
        p.relative_to(copy.root): p.read_bytes() for p in copy.notebooks.rglob("*") if p.is_file()
    }
    assert first == second
    assert {p.parent.name for p in first} == set(course.assignments())
    for path in copy.notebooks.rglob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        graded = [
            c
            for c in nb.cells
            if c.cell_type == "code" and {"grade", "solution"} & _true(c.metadata.get("nbgrader"))
        ]
        assert graded and all("raises-exception" in c.metadata.tags for c in graded)  # Run All


def test_jupyters_checkpoints_are_never_released_compared_or_graded(course, tmp_path):
    """A learner who opened and saved notebooks in JupyterLab leaves .ipynb_checkpoints/
    folders (git ignores them): release, verify and grading must not see them."""
    (tmp_path / "course").mkdir()
    small = make_course(
        course, tmp_path / "course", "99_saved", [code_cell("answer", "x = 1", "cp-x")]
    )
    release(small)
    for folder in (small.solutions, small.notebooks / "99_saved", small.solutions / "99_saved"):
        saved = folder / ".ipynb_checkpoints"
        saved.mkdir()
        shutil.copy(
            small.solutions / "99_saved" / "99_saved.ipynb", saved / "99_saved-checkpoint.ipynb"
        )
    assert small.assignments() == ["99_saved"]
    generated = student_version(small, "99_saved", tmp_path / "fresh")
    assert not (tmp_path / "fresh" / "source" / "99_saved" / ".ipynb_checkpoints").exists()
    assert release_differences(small, "99_saved", generated) == []

    submitted = place(
        small.notebooks / "99_saved" / "99_saved.ipynb",
        tmp_path / "in",
        "ada",
        "99_saved",
        "mine.ipynb",
    )
    shutil.copytree(
        small.notebooks / "99_saved" / ".ipynb_checkpoints", submitted.parent / ".ipynb_checkpoints"
    )
    (tmp_path / "in" / "ada" / ".ipynb_checkpoints").mkdir()  # not an assignment either
    [submission] = find_submissions(small, tmp_path / "in")
    assert submission.problem is None and submission.notebooks == {"99_saved": submitted}


def _true(fields) -> set[str]:
    return {key for key, value in (fields or {}).items() if value is True}
