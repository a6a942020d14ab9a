"""Honest code keeps its points: warnings on stderr, non-ASCII output and plots are fine;
a failing hidden test reports the check's message, never the hidden test's source."""

import pytest

from autograder.tasks.check import check_notebook
from tests.autograder.helpers import code_cell, make_course

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
def demo(course, tmp_path_factory):
    cells = [
        code_cell("answer", SOLVED_LOG, "demo-log"),
        code_cell("tests", TESTS, "demo-log-visible", 1),
        code_cell("tests", NOISY, "demo-noisy", 1),
        code_cell("tests", HIDDEN, "demo-log-hidden", 2),
    ]
    demo_course = make_course(course, tmp_path_factory.mktemp("demo-course"), "99_demo", cells)
    source = demo_course.source_notebooks("99_demo")[0]
    return demo_course, check_notebook(demo_course, source)


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
