"""Honest code keeps its points: warnings on stderr, non-ASCII output and plots are fine;
a failing hidden test reports the check's message, never the hidden test's source."""

import shutil

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import check_notebook

ROOT_CONFIG = Course(__import__("pathlib").Path(__file__).resolve().parents[2]).root


def _cell(kind, source, grade_id=None, points=None):
    cell = nbformat.v4.new_code_cell(source)
    if kind == "answer":
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": grade_id,
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
    elif kind == "tests":
        cell.metadata["nbgrader"] = {
            "grade": True,
            "grade_id": grade_id,
            "locked": True,
            "points": points,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    return cell


SOLVED_LOG = """def safe_log(x):
    ### BEGIN SOLUTION
    import numpy as np
    return np.log(x)
    ### END SOLUTION"""

TESTS = """from autograder.checks import harness
import numpy as np
result, text = harness.call(safe_log, "safe_log", np.array([0.0, 1.0]))
harness.expect_close(result, [-np.inf, 0.0], text, "use np.log")"""

HIDDEN = """from autograder.checks import harness
### BEGIN HIDDEN TESTS
result, text = harness.call(safe_log, "safe_log", 1.0)
harness.expect_close(result, 42.0, text, "a message from the check")
### END HIDDEN TESTS"""

NOISY = """import warnings
import numpy as np
import matplotlib.pyplot as plt
warnings.warn("this is only a warning", RuntimeWarning)
np.log(np.array([0.0]))
print("non-ASCII output: θ, σ², ∑, 日本")
plt.plot([0, 1], [1, 0]); plt.title("a plot"); plt.show()"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-course")
    shutil.copy(ROOT_CONFIG / "nbgrader_config.py", root)
    folder = root / "solutions" / "99_demo"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell("answer", SOLVED_LOG, "demo-log"),
        _cell("tests", TESTS, "demo-log-visible", 1),
        _cell("tests", NOISY, "demo-noisy", 1),
        _cell("tests", HIDDEN, "demo-log-hidden", 2),
    ]
    nbformat.write(nb, folder / "99_demo.ipynb")
    return Course(root), check_notebook(Course(root), folder / "99_demo.ipynb")


def test_warnings_non_ascii_and_plots_keep_their_points(demo):
    _, result = demo
    scores = {e.grade_id: (e.score, e.status) for e in result.exercises}
    assert scores["demo-log-visible"] == (1.0, "passed")
    assert scores["demo-noisy"] == (1.0, "passed")


def test_failing_hidden_test_reports_the_check_message_only(demo):
    _, result = demo
    hidden = next(e for e in result.exercises if e.grade_id == "demo-log-hidden")
    assert hidden.score == 0 and hidden.status == "failed"
    assert hidden.message.startswith("safe_log(1) returned 0, expected 42")
    assert "a message from the check" in hidden.message
    assert "BEGIN HIDDEN" not in hidden.message and "expect_close" not in hidden.message
