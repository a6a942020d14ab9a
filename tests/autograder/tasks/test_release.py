"""`autograder release` is deterministic and strips solutions, hidden tests and outputs."""

import shutil

import nbformat

from autograder.course import Course
from autograder.tasks.release import release


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
