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


def test_unpack_names_the_values_expected():
    assert harness.unpack([1, 2], "f()", ("w", "b")) == (1, 2)
    with pytest.raises(
        CheckFailed,
        match=r"f\(\) returned 3, expected 2 values \(w, b\); hint: end the function with "
        r"`return w, b`",
    ):
        harness.unpack(3, "f()", ("w", "b"))
    with pytest.raises(CheckFailed, match=r"expected 3 values \(mean, var, n\)"):
        harness.unpack((1, 2), "f()", ("mean", "var", "n"))


def test_expect_close_names_the_mistake_the_answer_reproduces():
    expected = np.array([1.0, 2.0, 3.0])
    mistakes = [
        (lambda: expected[::-1], "you reversed the order"),
        (expected * 2, "you doubled it"),
        (lambda: 1 / 0, "never named: computing this mistake fails"),
    ]
    with pytest.raises(CheckFailed, match="hint: you doubled it"):
        harness.expect_close([2, 4, 6], expected, "f()", "generic", mistakes=mistakes)
    with pytest.raises(CheckFailed, match="hint: generic"):
        harness.expect_close([0, 0, 0], expected, "f()", "generic", mistakes=mistakes)
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\); hint: generic"):
        harness.expect_close([1, 2], expected, "f()", "generic", mistakes=mistakes)
    got = harness.expect_close([1, 2, 3], expected, "f()", "generic", mistakes=mistakes)
    assert isinstance(got, np.ndarray) and got.dtype == float


def test_a_mistake_that_is_right_on_this_input_is_never_named():
    symmetric = np.array([2.0, 2.0])  # the reversed answer equals the right one here
    mistakes = [(symmetric[::-1], "you reversed the order")]
    with pytest.raises(CheckFailed, match="hint: generic"):
        harness.expect_close([2.0, 2.0 + 1e-3], symmetric, "f()", "generic", mistakes=mistakes)
    assert harness.diagnose([2.0, 2.0], "generic", mistakes, expected=symmetric) == "generic"


def test_expect_close_compares_complex_values_and_nans():
    harness.expect_close([1 + 2j, 3j], np.array([1 + 2j, 3j]), "dft()", "h")
    with pytest.raises(CheckFailed, match=r"returned \[1\.\+2\.j, 0\.\+3\.j\], expected"):
        harness.expect_close([1 + 2j, 3j], np.array([1 - 2j, 3j]), "dft()", "h")
    with pytest.raises(CheckFailed, match="not a number or an array of complex numbers"):
        harness.expect_close("abc", np.array([1j]), "dft()", "h")
    harness.expect_close([np.nan, 1.0], [np.nan, 1.0], "f()", "h")
    with pytest.raises(CheckFailed, match=r"returned \[nan,  1\.\], expected \[0\., 1\.\]"):
        harness.expect_close([np.nan, 1.0], [0.0, 1.0], "f()", "h")


def test_expect_close_locates_the_largest_difference_without_warnings(recwarn):
    expected = np.zeros((4, 5))
    got = expected.copy()
    got[2, 3], got[0, 1] = 5.0, 1.0
    with pytest.raises(
        CheckFailed,
        match=r"2 of 20 values differ; the largest difference is "
        r"at index \[2, 3\]: got 5, expected 0",
    ):
        harness.expect_close(got, expected, "f()", "h")
    with pytest.raises(CheckFailed, match="returned 1, expected inf"):
        harness.expect_close(1.0, np.inf, "f()", "h")
    assert len(recwarn) == 0


def test_expect_number_and_expect_returns():
    assert harness.expect_number(np.array([2.0]), 2, "f()", "h") == 2.0
    with pytest.raises(CheckFailed, match="returned 3, expected 2; hint: off by one"):
        harness.expect_number(3, 2, "f()", "h", mistakes=[(3, "off by one")])
    got = harness.expect_returns(np.square, "square", (np.array([1.0, 2.0]),), [1.0, 4.0], "h")
    assert np.array_equal(got, [1.0, 4.0])
    with pytest.raises(
        CheckFailed,
        match=r"square\(\[1\., 2\.\]\) returned \[2\., 4\.\], "
        r"expected \[1\., 4\.\]; hint: you doubled",
    ):
        harness.expect_returns(
            lambda x: 2 * x,
            "square",
            (np.array([1.0, 2.0]),),
            [1.0, 4.0],
            "h",
            mistakes=[(lambda: [2.0, 4.0], "you doubled")],
        )


def seeded_normal(n, seed):
    return np.random.default_rng(seed).standard_normal(n)


def fixed_seed_normal(n, seed):
    return np.random.default_rng(0).standard_normal(n)


def global_state_normal(n, seed):
    return np.random.standard_normal(n)


def test_expect_reproducible_catches_fixed_seeds_and_global_state():
    first, text = harness.expect_reproducible(seeded_normal, "draw", (3,), 5)
    assert text == "draw(3, 5)" and np.array_equal(first, seeded_normal(3, 5))
    with pytest.raises(CheckFailed, match="returned the same numbers as with seed=5"):
        harness.expect_reproducible(fixed_seed_normal, "draw", (3,), 5)
    with pytest.raises(CheckFailed, match="different numbers when called twice"):
        harness.expect_reproducible(global_state_normal, "draw", (3,), 5)

    def pair(n, seed):
        return {"x": seeded_normal(n, seed), "y": (seeded_normal(1, seed), 2)}

    harness.expect_reproducible(pair, "draw", (2,), 1)


def test_expect_within_standard_errors():
    harness.expect_within(0.1, 0.0, 0.02, "mean()", "sample mean", "h")
    with pytest.raises(
        CheckFailed,
        match=r"mean\(\): the sample mean is 0.2, expected 0 ± 0.12 "
        r"\(6 standard errors\); hint: h",
    ):
        harness.expect_within(0.2, 0.0, 0.02, "mean()", "sample mean", "h")
    with pytest.raises(CheckFailed, match="is nan"):
        harness.expect_within(np.nan, 0.0, 0.02, "mean()", "sample mean", "h")


def test_call_detects_lists_and_dicts_modified_in_place():
    def append_zero(values):
        values.append(0.0)
        return sum(values)

    def rescale(params):
        params["w"] *= 2
        return params["w"]

    with pytest.raises(CheckFailed, match="append_zero modified its argument 1 in place"):
        harness.call(append_zero, "append_zero", [1.0, 2.0])
    with pytest.raises(CheckFailed, match="rescale modified its argument 1 in place"):
        harness.call(rescale, "rescale", {"w": np.array([1.0]), "b": 0.0})
    with pytest.raises(CheckFailed, match="modified its argument values in place"):
        harness.call(append_zero, "append_zero", values=[np.nan])
    assert harness.call(sum, "sum", [np.nan, 1.0])[1] == "sum([nan,  1.])"  # NaN: unchanged


def test_tiny_values_name_their_mistake_with_the_comparisons_tolerance():
    eps = np.finfo(float).eps
    mistakes = [(eps / 2, "you halved once too often")]
    with pytest.raises(CheckFailed, match="hint: you halved once too often"):
        harness.expect_number(
            eps / 2, eps, "machine_epsilon()", "h", rtol=0, atol=0, mistakes=mistakes
        )


def test_complex_entries_show_as_numbers():
    assert harness.show(np.complex128(1 - 2j)) == "1-2j"
    with pytest.raises(CheckFailed, match=r"got -0-1j, expected 0\+1j"):
        harness.expect_close(np.r_[np.zeros(13), -1j], np.r_[np.zeros(13), 1j], "f()", "h")
