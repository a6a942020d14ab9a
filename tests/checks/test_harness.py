"""The check harness: safe calls, readable messages, and no trust in returned values."""

import numpy as np
import pytest

from autograder.checks import harness
from autograder.checks.harness import CheckFailed


def test_call_returns_the_result_and_a_readable_call():
    result, text = harness.call(lambda x, k=1: x * k, "scale", np.array([1.0, 2.0]), k=3)
    assert np.array_equal(result, [3.0, 6.0])
    assert text == "scale([1., 2.], k=3)"


def test_call_reports_not_callable_not_implemented_and_errors_with_hints():
    with pytest.raises(CheckFailed, match=r"f should be a function, but it is a int"):
        harness.call(3, "f")

    def blank(x):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match=r"f\(1\) raised NotImplementedError; hint: replace"):
        harness.call(blank, "f", 1)
    with pytest.raises(CheckFailed, match=r"raised ZeroDivisionError: .*; hint: avoid zero"):
        harness.call(lambda x: x / 0, "f", 1, hint="avoid zero")


def test_call_detects_inputs_modified_in_place_and_silences_warnings(recwarn):
    def centre(x):
        x -= x.mean()
        return x

    with pytest.raises(CheckFailed, match=r"modified its argument 1 in place"):
        harness.call(centre, "centre", np.array([1.0, 3.0]))
    result, _ = harness.call(np.log, "log", np.array([0.0]))
    assert result[0] == -np.inf and len(recwarn) == 0


def test_return_values_are_converted_before_comparison():
    with pytest.raises(CheckFailed, match=r"returned None; hint: did you forget the `return`"):
        harness.expect_close(None, 1.0, "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned a str, which is not a number"):
        harness.expect_close("abc", 1.0, "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned shape \(2, 1\), expected shape \(2,\)"):
        harness.expect_close(np.ones((2, 1)), np.ones(2), "f()", "h")
    with pytest.raises(CheckFailed, match=r"f\(\) returned \[1\., 2\.\], expected \[1\., 3\.\]"):
        harness.expect_close([1, 2], [1, 3], "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned wrong values: 1 of 100 values differ"):
        harness.expect_close(np.r_[np.zeros(99), 1.0], np.zeros(100), "f()", "h")
    harness.expect_close([1.0, 2.0 + 1e-12], [1, 2], "f()", "h")


def test_expect_equal_checks_type_and_value():
    harness.expect_equal(np.int64(3), 3, "n()", "h")
    with pytest.raises(CheckFailed, match=r"returned a float \(3\), expected a int \(3\)"):
        harness.expect_equal(3.0, 3, "n()", "h")
    with pytest.raises(CheckFailed, match=r"returned 4, expected 3; hint: h"):
        harness.expect_equal(4, 3, "n()", "h")


def test_expect_raises():
    def solve(a):
        if a == 0:
            raise ZeroDivisionError("singular")
        return 1 / a

    harness.expect_raises(solve, "solve", (0,), ZeroDivisionError, "h")
    with pytest.raises(CheckFailed, match=r"solve\(2\) returned 0.5, expected it to raise"):
        harness.expect_raises(solve, "solve", (2,), ZeroDivisionError, "raise for 0")
    with pytest.raises(CheckFailed, match=r"raised ZeroDivisionError: singular, expected"):
        harness.expect_raises(solve, "solve", (0,), ValueError, "h")


def test_diagnose_names_a_known_mistake():
    mistakes = [([2.0, 2.0], "you used the wrong axis"), ([0.0, 0.0], "you forgot to scale")]
    assert harness.diagnose([0.0, 0.0], "generic", mistakes) == "you forgot to scale"
    assert harness.diagnose([9.0, 9.0], "generic", mistakes) == "generic"


def test_show_keeps_messages_short():
    assert harness.show(np.zeros((5, 5))) == "<array of shape (5, 5)>"
    assert harness.show(np.float64(0.5)) == "0.5"
    assert harness.show(np.array(2.0)) == "2"
    assert len(harness.show("x" * 500)) == 80


def test_as_number_takes_one_number_in_any_wrapping_and_refuses_arrays():
    assert harness.as_number(np.array([[2.5]]), "f()") == 2.5
    assert type(harness.as_number(np.float32(1.0), "f()")) is float
    with pytest.raises(
        CheckFailed,
        match=r"f\(\) returned an array of shape \(2,\), expected a "
        r"single number; hint: return the sum",
    ):
        harness.as_number([1.0, 2.0], "f()", hint="return the sum")
    with pytest.raises(CheckFailed, match="returned None"):
        harness.as_number(None, "f()")
