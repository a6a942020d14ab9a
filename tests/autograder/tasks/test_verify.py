"""`autograder verify`: the committed course is consistent, and what breaks it is caught.

Each assignment verifies in a test of its own, so that the suite spreads them over its
workers; this is where every solution and student notebook of the course is executed.
"""

import shutil

import nbformat
import pytest

from autograder.cli import main
from autograder.course import Course
from autograder.tasks.release import release, release_differences, student_version
from autograder.tasks.verify import cell_errors, verify_assignment
from tests import ROOT
from tests.autograder.helpers import code_cell, make_course


@pytest.mark.parametrize("assignment", Course(ROOT).assignments())
def test_assignment_verifies(assignment, capsys):
    assert main(["verify", assignment]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert out.startswith(f"ok   {assignment} (graded in: solution ") and "blank" in out


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


DOUBLE = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"


def written_answer(grade_id, points):
    """A manually graded written answer (nbgrader: solution and grade, markdown)."""
    cell = nbformat.v4.new_markdown_cell(
        "### BEGIN SOLUTION\nBecause 2 x = x + x.\n### END SOLUTION"
    )
    cell.metadata["nbgrader"] = {
        "grade_id": grade_id,
        "grade": True,
        "solution": True,
        "locked": False,
        "points": points,
        "schema_version": 3,
        "task": False,
    }
    return cell


def small_course(course, root, example):
    cells = [
        code_cell("answer", DOUBLE, "vd-double"),
        code_cell("tests", "assert double(2) == 4, 'hint: multiply by 2'", "vd-double-test", 1),
        nbformat.v4.new_code_cell(example),
        written_answer("vd-why", 2),
    ]
    small = make_course(course, root, "99_verify", cells)
    release(small)
    return small


def test_written_answers_wait_for_a_person_and_do_not_fail_verify(course, tmp_path):
    small = small_course(course, tmp_path, "print(2 * 21)")
    verdict = verify_assignment(small, "99_verify")
    assert verdict.ok, verdict.problems
    assert set(verdict.seconds) == {"solution", "blank"}


def test_a_worked_example_that_raises_is_reported_with_its_cell(course, tmp_path):
    small = small_course(course, tmp_path, "ratio = 1 / 0  # a broken worked example")
    verdict = verify_assignment(small, "99_verify")
    assert verdict.problems == [
        "99_verify.ipynb cell 3 ('ratio = 1 / 0  # a broken worked example') raised "
        "ZeroDivisionError: division by zero"
    ]


def test_run_all_stops_only_at_cells_outside_the_exercises():
    """Where Run All stops in an executed blank notebook: not at answers or tests (tagged
    raises-exception), but at a worked example that calls an unanswered function."""

    def raised(cell, ename):
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue="", traceback=[])]
        return cell

    nb = nbformat.v4.new_notebook(
        cells=[
            raised(code_cell("answer", "x = f()", "vd-x"), "NotImplementedError"),
            raised(code_cell("tests", "assert x == 1", "vd-x-test", 1), "CheckFailed"),
            raised(nbformat.v4.new_code_cell("print(double(21))"), "NotImplementedError"),
        ]
    )
    assert cell_errors(nb, "blank.ipynb", skip_answers=True) == {
        3: "blank.ipynb cell 3 ('print(double(21))') raised NotImplementedError: "
    }
    assert list(cell_errors(nb, "solution.ipynb")) == [1, 3]


def test_verify_with_no_assignments_fails(tmp_path, capsys):
    assert main(["--course", str(tmp_path), "verify"]) == 1
    assert capsys.readouterr().err == (
        f"autograder verify: no assignments found under {tmp_path.resolve()}/solutions\n"
    )
