"""Numerical comparison and gradient checking with readable failure messages.

Used by the test-suite, by the autograder's check functions and by learners in
the notebooks. Every failure says what the shapes were, how large the error was
and where it was largest.
"""

import numpy as np


def describe_mismatch(actual, expected, rtol=1e-7, atol=1e-9):
    """Explain how ``actual`` differs from ``expected``, or return None when they are close.

    Close means, element-wise, ``|actual - expected| <= atol + rtol * |expected|``
    (numpy's ``isclose`` rule), with equal shapes and NaNs in the same places.
    """
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return f"shape {actual.shape} differs from the expected shape {expected.shape}"
    if actual.size == 0:
        return None
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    if (nan_a != nan_e).any():
        where = np.unravel_index(np.argmax(nan_a != nan_e), actual.shape)
        return (
            f"NaN pattern differs: at index {_index(where)} got {float(actual[where]):.6g}, "
            f"expected {float(expected[where]):.6g}"
        )
    ok = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        abs_err = np.where(nan_a, 0.0, np.abs(actual - expected))
        rel_err = abs_err / np.maximum(np.abs(expected), np.finfo(float).tiny)
    abs_err = np.nan_to_num(abs_err, nan=np.inf, posinf=np.inf)  # inf - inf: infinitely wrong
    rel_err = np.nan_to_num(rel_err, nan=np.inf, posinf=np.inf)
    where = np.unravel_index(np.argmax(np.where(ok, -1.0, abs_err)), actual.shape)
    return (
        f"{int((~ok).sum())} of {actual.size} values differ; largest error at index "
        f"{_index(where)}: got {actual[where]:.6g}, expected {expected[where]:.6g} "
        f"(max abs error {abs_err.max():.3g}, max rel error {rel_err.max():.3g}; "
        f"tolerance rtol={rtol:g}, atol={atol:g})"
    )


def assert_close(actual, expected, rtol=1e-7, atol=1e-9, name="value"):
    """Raise AssertionError with shapes, max abs/rel error and its location unless close."""
    problem = describe_mismatch(actual, expected, rtol=rtol, atol=atol)
    if problem is not None:
        raise AssertionError(f"{name}: {problem}")


def numeric_grad(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape).

    ``df/dx_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``, error O(eps²).
    Returns an array with the shape of ``x``; ``x`` itself is left unchanged.
    """
    x = np.array(x, dtype=float)  # a private copy that we perturb in place
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)  # views: (x.size,)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        f_plus = float(f(x))
        flat_x[i] = original - eps
        f_minus = float(f(x))
        flat_x[i] = original
        flat_g[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def grad_check(f, grad_f, x, eps=1e-6, rtol=1e-5, atol=1e-7):
    """Compare an analytic gradient ``grad_f(x)`` with central differences of ``f`` at ``x``.

    Returns the maximum relative error ``|g - g_num| / max(|g|, |g_num|, 1e-12)``;
    raises AssertionError naming the worst entry when the two disagree.
    """
    x = np.array(x, dtype=float)
    analytic = np.asarray(grad_f(x.copy()), dtype=float)
    numeric = numeric_grad(f, x, eps=eps)
    problem = describe_mismatch(analytic, numeric, rtol=rtol, atol=atol)
    if problem is not None:
        raise AssertionError(f"analytic gradient vs central differences: {problem}")
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / scale)) if x.size else 0.0


def _index(where):
    """Format a numpy index tuple as ``[i, j]``."""
    return "[" + ", ".join(str(int(i)) for i in where) + "]"
