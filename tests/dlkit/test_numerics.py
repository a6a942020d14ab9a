"""dlkit.numerics against independent oracles (scipy.special, numpy.fft, scipy, closed forms)."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.optimize
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import numerics
from dlkit.testing import assert_close

fast = settings(max_examples=25, deadline=None)

wide = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)
wide_arrays = hnp.arrays(np.float64, shapes, elements=wide)


def assert_complex_close(actual, expected, atol):
    """assert_close on the real and the imaginary parts (it compares real arrays)."""
    assert np.shape(actual) == np.shape(expected)
    assert_close(np.real(actual), np.real(expected), atol=atol, name="real part")
    assert_close(np.imag(actual), np.imag(expected), atol=atol, name="imaginary part")


def gaussian(x):
    return np.exp(-(x**2))


# ---------------------------------------------------------------- stable exponentials


@fast
@given(wide_arrays, st.integers(0, 2), st.booleans())
def test_logsumexp_matches_scipy(x, axis, keepdims):
    axis = axis % x.ndim
    expected = scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)
    assert_close(numerics.logsumexp(x, axis=axis, keepdims=keepdims), expected, rtol=1e-12)


def test_logsumexp_extremes():
    assert_close(numerics.logsumexp([1000.0, 1000.0]), 1000.0 + math.log(2), rtol=1e-15)
    assert_close(numerics.logsumexp([-1000.0, -1000.0]), -1000.0 + math.log(2), rtol=1e-15)
    assert numerics.logsumexp([-np.inf, -np.inf]) == -np.inf
    assert numerics.logsumexp([-np.inf, 0.0]) == 0.0


@fast
@given(wide_arrays, st.integers(0, 2))
def test_softmax_and_log_softmax_match_scipy(x, axis):
    axis = axis % x.ndim
    assert_close(numerics.softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), atol=1e-15)
    assert_close(
        numerics.log_softmax(x, axis=axis), scipy.special.log_softmax(x, axis=axis), rtol=1e-12
    )


def test_softmax_survives_large_inputs():
    p = numerics.softmax(np.array([[1000.0, 1000.0], [-1000.0, -1001.0]]))
    assert_close(p, [[0.5, 0.5], [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))]])


@fast
@given(hnp.arrays(np.float64, shapes, elements=st.floats(-800, 800)))
def test_sigmoid_and_softplus_match_scipy(x):
    # atol covers subnormal results, which scipy's expit flushes to 0
    assert_close(numerics.sigmoid(x), scipy.special.expit(x), rtol=1e-14, atol=1e-300)
    assert_close(numerics.softplus(x), np.logaddexp(0.0, x), rtol=1e-14, atol=1e-300)


def test_softplus_keeps_tiny_values():
    assert_close(numerics.softplus(-50.0), math.exp(-50.0), rtol=1e-14, atol=0)


@pytest.mark.parametrize("func", [numerics.logsumexp, numerics.softmax])
def test_axis_functions_reject_scalars_and_empty_axes(func):
    with pytest.raises(ValueError, match="at least one dimension"):
        func(3.0)
    with pytest.raises(ValueError, match="length 0"):
        func(np.zeros((2, 0)))


# ---------------------------------------------------------------- floating point


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", np.float32])
def test_machine_epsilon_is_finfo_eps(dtype):
    assert numerics.machine_epsilon(dtype) == float(np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", ["int32", "banana"])
def test_machine_epsilon_rejects_non_floats(dtype):
    with pytest.raises(ValueError, match="dtype|floating-point"):
        numerics.machine_epsilon(dtype)


def test_rounding_error():
    x = np.array([0.0, 1.0, 1 / 3, 1e40, 1e-50])
    got = numerics.rounding_error(x, "float32")
    assert_close(got[:3], [0.0, 0.0, abs(float(np.float32(1 / 3)) - 1 / 3) * 3], rtol=1e-12)
    assert got[3] == np.inf and got[4] == 1.0
    assert np.all(numerics.rounding_error(np.linspace(1, 2, 50), "float16") <= 2.0**-11)


@fast
@given(st.floats(-1e6, 1e6).filter(lambda r: abs(r) > 1e-6), st.floats(1e-3, 1e3))
def test_quadratic_roots_match_constructed_roots(r1, scale):
    r2 = 1.0 / r1 * 1e-3  # roots of very different size: the textbook formula cancels
    a, b, c = scale, -scale * (r1 + r2), scale * r1 * r2
    assert_close(numerics.quadratic_roots(a, b, c), np.sort([r1, r2]), rtol=1e-9, atol=0)


def test_quadratic_roots_edge_cases():
    assert_close(numerics.quadratic_roots(1.0, 0.0, 0.0), [0.0, 0.0])
    assert_close(numerics.quadratic_roots(1.0, 0.0, -4.0), [-2.0, 2.0])
    with pytest.raises(ValueError, match="linear"):
        numerics.quadratic_roots(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="negative"):
        numerics.quadratic_roots(1.0, 0.0, 1.0)


# ---------------------------------------------------------------- conditioning


def test_solve_sensitivity_attains_the_bound_in_the_worst_direction():
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    V, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    s = np.array([1e3, 10.0, 1.0, 0.1, 1e-3])
    A = (U * s) @ V.T
    b, db = U[:, 0], 1e-8 * U[:, -1]  # b along the largest, db along the smallest direction
    change, bound = numerics.solve_sensitivity(A, b, db)
    assert_close(bound, 1e6 * 1e-8, rtol=1e-9)
    assert_close(change, bound, rtol=1e-6)


@fast
@given(st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_solve_sensitivity_is_below_the_bound(seed, n):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n)) + n * np.eye(n)
    b, db = rng.standard_normal(n), 1e-6 * rng.standard_normal(n)
    change, bound = numerics.solve_sensitivity(A, b, db)
    x, x2 = scipy.linalg.solve(A, b), scipy.linalg.solve(A, b + db)
    assert_close(change, np.linalg.norm(x2 - x) / np.linalg.norm(x), rtol=1e-5)
    assert change <= bound * (1 + 1e-9)


def test_solve_sensitivity_rejects_bad_shapes():
    with pytest.raises(ValueError, match="square"):
        numerics.solve_sensitivity(np.ones((2, 3)), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="same shape|must both have shape"):
        numerics.solve_sensitivity(np.eye(2), np.ones(2), np.ones(3))


# ---------------------------------------------------------------- integration


@pytest.mark.parametrize("n", [2, 8, 64])
def test_trapezoid_and_simpson_match_scipy(n):
    x = np.linspace(-1.0, 2.0, n + 1)
    assert_close(
        numerics.trapezoid(gaussian, -1.0, 2.0, n), scipy.integrate.trapezoid(gaussian(x), x=x)
    )
    assert_close(
        numerics.simpson(gaussian, -1.0, 2.0, n), scipy.integrate.simpson(gaussian(x), x=x)
    )


def test_simpson_is_exact_for_cubics_and_gaussian_integral_is_sqrt_pi():
    def cubic(x):
        return 2 * x**3 - x + 1

    assert_close(numerics.simpson(cubic, 0.0, 3.0, 2), 2 * 81 / 4 - 9 / 2 + 3, rtol=1e-14)
    assert_close(numerics.simpson(gaussian, -8.0, 8.0, 200), math.sqrt(math.pi), rtol=1e-14)


def test_orders_of_trapezoid_and_simpson():
    ns = np.array([8, 16, 32, 64])
    exact = math.sqrt(math.pi) * scipy.special.erf(1.0) / 2  # int_0^1 exp(-x^2) dx
    trap = [abs(numerics.trapezoid(gaussian, 0.0, 1.0, n) - exact) for n in ns]
    simp = [abs(numerics.simpson(gaussian, 0.0, 1.0, n) - exact) for n in ns]
    assert abs(numerics.convergence_order(ns, trap) - 2) < 0.05
    assert abs(numerics.convergence_order(ns, simp) - 4) < 0.1


def test_integration_rejects_bad_n():
    with pytest.raises(ValueError, match="even"):
        numerics.simpson(gaussian, 0.0, 1.0, 3)
    with pytest.raises(ValueError, match="positive integer"):
        numerics.trapezoid(gaussian, 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="integer >= 2"):
        numerics.monte_carlo_integral(gaussian, 0.0, 1.0, 1)


def test_monte_carlo_integral_is_unbiased_with_the_right_standard_error():
    exact = math.sqrt(math.pi) * scipy.special.erf(2.0) / 2  # int_0^2 exp(-x^2) dx
    runs = [numerics.monte_carlo_integral(gaussian, 0.0, 2.0, 400, seed=s) for s in range(200)]
    estimates, errors = np.array(runs).T
    assert abs(estimates.mean() - exact) < 4 * estimates.std() / math.sqrt(len(runs))
    assert_close(errors.mean(), estimates.std(), rtol=0.15)  # the stderr predicts the spread
    assert numerics.monte_carlo_integral(gaussian, 0.0, 2.0, 400, seed=7) == tuple(runs[7])


def test_convergence_order_recovers_known_power():
    ns = np.array([10.0, 20.0, 40.0, 80.0])
    assert_close(numerics.convergence_order(ns, 3.0 * ns**-2.5), 2.5, rtol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        numerics.convergence_order(ns, np.array([1.0, 0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="length"):
        numerics.convergence_order([1.0], [1.0])


# ---------------------------------------------------------------- root finding


def test_newton_finds_known_roots_quadratically():
    xs = numerics.newton_root(lambda x: x**3 - 2 * x - 5, lambda x: 3 * x**2 - 2, 2.0)
    root = scipy.optimize.brentq(lambda x: x**3 - 2 * x - 5, 2.0, 3.0, xtol=1e-15)
    assert_close(xs[-1], root, rtol=1e-14)
    errors = np.abs(xs[1:4] - root)
    assert np.all(errors[1:] <= 2 * errors[:-1] ** 2)  # quadratic convergence


def test_newton_failures():
    with pytest.raises(ValueError, match="f'"):
        numerics.newton_root(np.cos, lambda x: -np.sin(x), 0.0)
    with pytest.raises(ValueError, match="no convergence"):
        numerics.newton_root(lambda x: x**2 + 1, lambda x: 2 * x, 0.5, max_iter=20)


@fast
@given(st.floats(0, 1e300))
def test_newton_sqrt_matches_math_sqrt(a):
    assert_close(numerics.newton_sqrt(a), math.sqrt(a), rtol=4e-16, atol=0)


def test_newton_sqrt_rejects_negative():
    with pytest.raises(ValueError, match="negative"):
        numerics.newton_sqrt(-1.0)


# ---------------------------------------------------------------- Fourier transform


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_dft_matrix_matches_scipy(n):
    assert_complex_close(numerics.dft_matrix(n), scipy.linalg.dft(n), atol=1e-12)


@fast
@given(st.integers(0, 7), st.integers(0, 2**32 - 1))
def test_dft_and_fft_match_numpy(log_n, seed):
    rng = np.random.default_rng(seed)
    n = 2**log_n
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    assert_complex_close(numerics.fft(x), np.fft.fft(x), atol=1e-10)
    assert_complex_close(numerics.dft(x), np.fft.fft(x), atol=1e-10)
    assert_complex_close(
        numerics.dft(x[: max(1, n - 1)]), np.fft.fft(x[: max(1, n - 1)]), atol=1e-10
    )


def test_fourier_errors():
    with pytest.raises(ValueError, match="power-of-two"):
        numerics.fft(np.ones(6))
    with pytest.raises(ValueError, match="power-of-two"):
        numerics.fft(np.ones((2, 2)))
    with pytest.raises(ValueError, match="1-D"):
        numerics.dft(np.ones((2, 2)))
    with pytest.raises(ValueError, match="positive integer"):
        numerics.dft_matrix(0)
