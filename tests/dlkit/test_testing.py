"""dlkit.testing: comparisons and gradient checks that explain their failures."""

import numpy as np
import pytest

from dlkit.testing import assert_close, describe_mismatch, grad_check, numeric_grad


def test_assert_close_passes_within_tolerance():
    assert_close([1.0, 2.0], [1.0, 2.0 + 1e-12])
    assert_close(np.full((2, 2), np.nan), np.full((2, 2), np.nan))  # NaNs in the same places
    assert_close(np.zeros((0, 3)), np.zeros((0, 3)))
    assert describe_mismatch(1.0, 1.0) is None


def test_assert_close_failure_names_count_error_and_index():
    expected = np.arange(6.0).reshape(2, 3)
    actual = expected.copy()
    actual[1, 2] += 0.5
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, name="logits")
    message = str(info.value)
    assert message.startswith("logits: 1 of 6 values differ")
    assert "index [1, 2]" in message
    assert "got 5.5, expected 5" in message
    assert "max abs error 0.5" in message


def test_assert_close_reports_shape_mismatch():
    expected_message = r"shape \(3,\) differs from the expected shape \(3, 1\)"
    with pytest.raises(AssertionError, match=expected_message):
        assert_close(np.zeros(3), np.zeros((3, 1)))


def test_assert_close_reports_nan_pattern():
    with pytest.raises(AssertionError, match=r"NaN pattern differs: at index \[1\]"):
        assert_close([1.0, np.nan], [1.0, 2.0])


def test_numeric_grad_of_sum_of_cubes():
    x = np.array([[-1.5, 0.0], [0.5, 2.0]])
    x_before = x.copy()
    grad = numeric_grad(lambda v: np.sum(v**3), x)
    assert grad.shape == x.shape
    assert_close(grad, 3 * x**2, rtol=1e-6, atol=1e-8)
    assert_close(x, x_before, name="x (unchanged)")


def test_numeric_grad_of_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    grad = numeric_grad(lambda v: v @ A @ v, x)  # d/dx x^T A x = (A + A^T) x
    assert_close(grad, (A + A.T) @ x, rtol=1e-6, atol=1e-8)


def test_grad_check_accepts_correct_gradient():
    x = np.linspace(-1.0, 1.0, 5)
    error = grad_check(lambda v: np.sum(np.sin(v)), np.cos, x)
    assert 0.0 <= error < 1e-6


def test_grad_check_catches_wrong_gradient():
    x = np.linspace(0.5, 1.5, 4)
    with pytest.raises(AssertionError, match="analytic gradient vs central differences: .*index"):
        grad_check(lambda v: np.sum(v**2), lambda v: v, x)  # missing factor 2


def test_grad_check_reports_wrong_gradient_shape():
    expected_message = r"shape \(1,\) differs from the expected shape \(3,\)"
    with pytest.raises(AssertionError, match=expected_message):
        grad_check(lambda v: np.sum(v**2), lambda v: np.sum(2 * v, keepdims=True), np.ones(3))
