"""`autograder verify`: the committed course is consistent, and staleness is caught."""

import shutil

from autograder.cli import main
from autograder.tasks.release import release_differences, student_version


def test_every_assignment_verifies(capsys):
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "ok   00_getting_started" in out and "ok   01_linear_algebra" in out


def test_a_hand_edited_student_notebook_is_reported(course, tmp_path):
    assignment = "00_getting_started"
    generated = student_version(course, assignment, tmp_path / "fresh")
    edited = tmp_path / "edited"
    shutil.copytree(generated, edited)
    notebook = next(edited.glob("*.ipynb"))
    notebook.write_text(notebook.read_text().replace("NotImplementedError", "ValueError", 1))
    assert release_differences(course, assignment, generated) == []
    assert release_differences(course, assignment, edited) == [
        f"notebooks/{assignment}/{notebook.name}"
    ]
