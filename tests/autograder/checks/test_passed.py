"""The success line under a visible test cell that passes, in a real IPython shell."""

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell

from autograder.checks import passed
from tests.autograder.helpers import code_cell

VISIBLE = "from autograder.checks import harness\n\nharness.expect_equal(2 + 2, 4, 'sum', 'add')"
VISIBLE_1 = "assert len('ab') == 2"
HIDDEN = "from autograder.checks import harness\n\n# Hidden tests: run when graded."


@pytest.fixture
def notebook(tmp_path):
    """A student notebook with a visible test worth 2 points, one worth 1, a hidden one."""
    cells = [
        code_cell("answer", "x = 1", "ps-x"),
        code_cell("tests", VISIBLE, "ps-x-basic", 2),
        code_cell("tests", VISIBLE_1, "ps-x-one", 1),
        code_cell("tests", HIDDEN, "ps-x-hidden", 3),
        nbformat.v4.new_code_cell("print(len('ab'))"),
    ]
    path = tmp_path / "course.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_the_line_names_the_points_of_a_visible_test_cell_only(notebook, tmp_path):
    assert passed.success_line(VISIBLE, [notebook]) == "passed: 2 points"
    assert passed.success_line(VISIBLE_1 + "\n", [notebook]) == "passed: 1 point"
    assert passed.success_line(HIDDEN, [notebook]) is None  # nothing was checked
    assert passed.success_line("print(len('ab'))", [notebook]) is None  # not a test
    assert passed.success_line(VISIBLE, [tmp_path / "missing.ipynb"]) is None
    (tmp_path / "damaged.ipynb").write_text("{")
    assert passed.success_line(VISIBLE, [tmp_path / "damaged.ipynb", notebook]) is not None


@pytest.fixture
def shell(notebook, monkeypatch):
    """A learner's IPython shell started for ``notebook`` (as Jupyter starts a kernel)."""
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    monkeypatch.chdir(notebook.parent.parent)  # the notebook is found by the session name
    shell = InteractiveShell.instance()
    yield shell
    shell.events.unregister("post_run_cell", passed.after_cell)
    InteractiveShell.clear_instance()


def test_a_passing_test_cell_prints_the_line_and_a_failing_one_does_not(shell, capsys):
    passed.install()
    passed.install()  # once only
    assert shell.events.callbacks["post_run_cell"].count(passed.after_cell) == 1
    shell.run_cell(VISIBLE)
    assert capsys.readouterr().out == "passed: 2 points\n"
    shell.run_cell(VISIBLE.replace("4", "5"))
    shown = capsys.readouterr().out
    assert "passed" not in shown and "CheckFailed" in shown
    shell.run_cell("print(len('ab'))")
    assert capsys.readouterr().out == "2\n"


def test_outside_ipython_nothing_is_registered():
    assert InteractiveShell.initialized() is False
    passed.install()  # the grader, pytest: no shell, no hook, no error
