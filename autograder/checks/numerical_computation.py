"""Checks for module 05, numerical computation.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: overflow at 1000, underflow
at -1000, the wrong axis, float64 arithmetic where float16 was asked for, Simpson's
weights in the wrong places, a fixed number of Newton steps or an absolute stopping
test, the sign of the DFT's exponent, a 1/sqrt(n) scaling, the FFT's halves swapped,
...). The oracles are numpy, scipy, ``oracles.orthogonal`` (matrices with chosen
singular values) and closed forms; nothing here uses dlkit or the learner's other
answers. Integrands handed to the learner's functions are the module-level functions
below (or numpy ufuncs), never lambdas.
"""

import math

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.special

from autograder.checks import oracles
from autograder.checks.harness import (
    Forbidden,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_number,
    expect_raises,
    expect_returns,
    unpack,
)

# ---------------------------------------------------------------------------
# Functions passed to the learner's code
# ---------------------------------------------------------------------------


def gaussian(x):
    """``exp(-x^2)``; its integral over the real line is sqrt(pi)."""
    return np.exp(-(np.asarray(x, dtype=float) ** 2))


def cubic(x):
    """``2 x^3 - x + 1``: Simpson's rule integrates it exactly."""
    x = np.asarray(x, dtype=float)
    return 2.0 * x**3 - x + 1.0


def quartic(x):
    """``x^4``: the lowest power Simpson's rule gets wrong."""
    return np.asarray(x, dtype=float) ** 4


# ---------------------------------------------------------------------------
# Exercise 1 · nc-eps · reference: dk.numerics.machine_epsilon
# ---------------------------------------------------------------------------

_EPS_HINT = (
    "start from eps = 1 and halve it while 1 + eps / 2 != 1; return the last eps for which "
    "1 + eps was still different from 1"
)


def _check_epsilon(fn, dtype_name):
    got, text = call(fn, "machine_epsilon", dtype_name, hint=_EPS_HINT)
    value = as_number(got, text, "return float(eps)")
    expected = float(np.finfo(dtype_name).eps)
    mistakes = [
        (expected / 2, "you halved once too often: return the last eps with 1 + eps != 1"),
        (
            float(np.finfo(np.float64).eps),
            "this is float64's epsilon: do the arithmetic in the requested type, e.g. "
            "one = np.dtype(dtype).type(1) and eps = one, then halve with eps / 2",
        ),
    ]
    expect_number(value, expected, text, _EPS_HINT, rtol=0, atol=0, mistakes=mistakes)


_FORBID_MACHINE_EPSILON = Forbidden(
    "machine_epsilon",
    (
        "numpy.finfo",
        "numpy.spacing",
        "numpy.nextafter",
        "math.ulp",
        "math.nextafter",
        "sys.float_info",
        "dlkit.numerics.machine_epsilon",
    ),
    "this exercise asks you to find epsilon by halving, not to look it up with np.finfo",
)


def machine_epsilon_basic(fn):
    """float64: the epsilon is 2**-52."""
    _check_epsilon(fn, "float64")
    _FORBID_MACHINE_EPSILON.check(fn)


def machine_epsilon_hidden(fn):
    """float32 and float16, where float64 arithmetic gives the wrong answer."""
    for dtype_name in ("float32", "float16", "float64"):
        _check_epsilon(fn, dtype_name)
    _FORBID_MACHINE_EPSILON.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · nc-logsumexp · reference: dk.numerics.logsumexp
# ---------------------------------------------------------------------------

_LSE_HINT = (
    "with m = max(x), log(sum(exp(x))) = m + log(sum(exp(x - m))); the shift makes the "
    "largest term exp(0) = 1, so nothing overflows or underflows to log(0)"
)


def _check_logsumexp(fn, x):
    got, text = call(fn, "logsumexp", x, hint=_LSE_HINT)
    value = as_number(got, text, "sum over all entries of the 1-D vector and return one number")
    x = np.asarray(x, dtype=float)
    expected = float(scipy.special.logsumexp(x))
    m = np.max(x)
    shift = m if np.isfinite(m) else 0.0
    mistakes = [
        (
            lambda: np.log(np.sum(np.exp(x - shift))),
            "you subtracted the maximum m but forgot to add it back: m + log(...)",
        ),
        (m, "the maximum alone is only an approximation; add log(sum(exp(x - m)))"),
    ]
    hint = _LSE_HINT
    if not np.isfinite(value) and np.isfinite(expected):
        hint = "exp overflowed to inf (or underflowed to 0 before the log); " + _LSE_HINT
    expect_number(value, expected, text, hint, rtol=1e-10, atol=1e-12, mistakes=mistakes)


_FORBID_LOGSUMEXP = Forbidden(
    "logsumexp",
    ("scipy.special.logsumexp", "numpy.logaddexp", "torch", "dlkit.numerics.logsumexp"),
    (
        "this exercise asks for the max-shifted formula m + log sum exp(x - m) yourself, not "
        "scipy.special.logsumexp"
    ),
)


def logsumexp_basic(fn):
    """``[1, 2, 3]``, and ``[1000, 1000]`` whose naive exp overflows."""
    _check_logsumexp(fn, np.array([1.0, 2.0, 3.0]))
    _check_logsumexp(fn, np.array([1000.0, 1000.0]))
    _FORBID_LOGSUMEXP.check(fn)


def logsumexp_hidden(fn):
    """-1000 (underflow), mixed extremes, one entry, -inf entries, random spreads."""
    rng = np.random.default_rng(5102)
    cases = [
        np.array([-1000.0, -1000.0]),
        np.array([1000.0, -1000.0, 0.0]),
        np.array([-745.0, -800.0, -900.0]),
        np.array([7.5]),
        np.array([-np.inf, 0.0, 1.0]),
        rng.normal(0.0, 1.0, 10),
        rng.normal(0.0, 300.0, 25),
        rng.integers(-900, 900, 6),
    ]
    for x in cases:
        _check_logsumexp(fn, x)
    _FORBID_LOGSUMEXP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · nc-softmax · reference: dk.numerics.softmax
# ---------------------------------------------------------------------------

_SOFTMAX_HINT = (
    "for each row subtract that row's maximum (np.max(Z, axis=1, keepdims=True)), "
    "exponentiate, and divide by the row sum (axis=1, keepdims=True)"
)


def _softmax_with_global_max(Z):
    e = np.exp(Z - Z.max())
    return e / e.sum(axis=1, keepdims=True)


def _check_softmax(fn, Z):
    got, text = call(fn, "softmax_rows", Z, hint=_SOFTMAX_HINT)
    values = as_float_array(got, text)
    Z = np.asarray(Z, dtype=float)
    expected = scipy.special.softmax(Z, axis=1)
    mistakes = [
        (
            lambda: scipy.special.softmax(Z, axis=0),
            "you normalised the columns (axis=0); each row must sum to 1 (axis=1)",
        ),
        (
            lambda: scipy.special.softmax(Z),
            "you normalised the whole matrix; each row must sum to 1 on its own",
        ),
        (
            lambda: _softmax_with_global_max(Z),
            "subtracting the global maximum underflows rows far below it to 0/0; "
            "subtract each row's own maximum",
        ),
    ]
    hint = _SOFTMAX_HINT
    if values.shape == expected.shape and not np.all(np.isfinite(values)):
        hint = "exp overflowed (or a row underflowed to 0 / 0): " + _SOFTMAX_HINT
    expect_close(values, expected, text, hint, rtol=1e-9, atol=1e-12, mistakes=mistakes)


_FORBID_SOFTMAX_ROWS = Forbidden(
    "softmax_rows",
    ("loop", "scipy.special.softmax", "torch", "dlkit.numerics.softmax"),
    (
        "this exercise asks you to write the max-shifted softmax yourself, not "
        "scipy.special.softmax (no loops over the rows)"
    ),
)


def softmax_rows_basic(fn):
    """Two rows of three, one of them constant (uniform probabilities)."""
    _check_softmax(fn, np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]]))
    _FORBID_SOFTMAX_ROWS.check(fn)


def softmax_rows_hidden(fn):
    """Rows at +-1000, rows far apart in scale, a single row/column, random logits."""
    rng = np.random.default_rng(5103)
    cases = [
        np.array([[1000.0, 1000.0], [1000.0, 999.0]]),
        np.array([[1000.0, 1001.0], [-1000.0, -1001.0]]),
        np.array([[0.5, -1.0, 2.0, 3.0]]),
        np.array([[2.0], [-3.0], [1e4]]),
        rng.normal(0.0, 2.0, (5, 4)),
        rng.normal(0.0, 500.0, (3, 6)),
        rng.integers(-5, 5, (4, 3)),
    ]
    for Z in cases:
        _check_softmax(fn, Z)
    _FORBID_SOFTMAX_ROWS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · nc-sigmoid · reference: dk.numerics.sigmoid
# ---------------------------------------------------------------------------

_SIGMOID_HINT = (
    "use 1 / (1 + exp(-x)) where x >= 0 and exp(x) / (1 + exp(x)) where x < 0, so exp only "
    "sees non-positive numbers; with np.where compute exp(-|x|) once"
)


def _check_sigmoid(fn, x):
    got, text = call(fn, "sigmoid", x, hint=_SIGMOID_HINT)
    values = as_float_array(got, text)
    expected = scipy.special.expit(np.asarray(x, dtype=float))
    hint = _SIGMOID_HINT
    if values.shape != expected.shape:
        hint = "return an array of the same shape as x (work elementwise, no loops needed)"
    elif np.any(np.isnan(values)):
        hint = "nan means inf / inf or 0 / 0 somewhere: " + _SIGMOID_HINT
    expect_close(values, expected, text, hint, rtol=1e-12, atol=1e-300)


_FORBID_SIGMOID = Forbidden(
    "sigmoid",
    ("scipy.special.expit", "torch", "dlkit.numerics.sigmoid"),
    (
        "this exercise asks you to write the two-branch stable sigmoid yourself, not "
        "scipy.special.expit"
    ),
)


def sigmoid_basic(fn):
    """``[0, 2, -2]``: 1/2 and a symmetric pair summing to 1."""
    _check_sigmoid(fn, np.array([0.0, 2.0, -2.0]))
    _FORBID_SIGMOID.check(fn)


def sigmoid_hidden(fn):
    """+-1000 (overflow either way), tiny tails, a matrix, a single value, random inputs."""
    rng = np.random.default_rng(5104)
    cases = [
        np.array([1000.0, -1000.0]),
        np.array([-40.0, 40.0, -700.0, 700.0]),
        np.array([[-3.0, 0.0], [5.0, -710.0]]),
        np.array([0.25]),
        rng.normal(0.0, 20.0, 30),
        rng.normal(0.0, 2.0, (3, 4, 2)),
    ]
    for x in cases:
        _check_sigmoid(fn, x)
    _FORBID_SIGMOID.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · nc-sensitivity · reference: dk.numerics.solve_sensitivity
# ---------------------------------------------------------------------------

_SENS_HINT = (
    "solve A x = b and A x' = b + db; relative_change = ||x' - x|| / ||x|| and "
    "bound = cond_2(A) * ||db|| / ||b||, all with 2-norms (np.linalg.cond(A) is cond_2)"
)


def _with_singular_values(rng, s):
    """A random square matrix U diag(s) V^T with singular values s, and U."""
    n = len(s)
    U, V = oracles.orthogonal(rng, n), oracles.orthogonal(rng, n)
    return (U * np.asarray(s, dtype=float)) @ V.T, U


def _check_sensitivity(fn, A, b, db):
    got, text = call(fn, "solve_sensitivity", A, b, db, hint=_SENS_HINT)
    change, bound = unpack(got, text, ("relative_change", "bound"))
    change = as_number(change, text + "[0]", "relative_change is one number")
    bound = as_number(bound, text + "[1]", "bound is one number")
    x, dx = scipy.linalg.solve(A, b), scipy.linalg.solve(A, db)
    s = np.linalg.svd(A, compute_uv=False)
    cond, size_b, size_db = s[0] / s[-1], np.linalg.norm(b), np.linalg.norm(db)
    change_mistakes = [(np.linalg.norm(dx), "divide ||x' - x|| by ||x||: the change is relative")]
    bound_mistakes = [
        (
            np.linalg.cond(A, 1) * size_db / size_b,
            "that is the 1-norm condition number; use the 2-norm one, s_max / s_min",
        ),
        (cond * size_db, "divide ||db|| by ||b||: the bound is relative"),
        (
            cond * size_db / np.linalg.norm(x),
            "the bound divides ||db|| by ||b|| (the data), not by ||x||",
        ),
    ]
    expect_number(
        change,
        np.linalg.norm(dx) / np.linalg.norm(x),
        text + "[0] (relative_change)",
        _SENS_HINT,
        rtol=1e-5,
        mistakes=change_mistakes,
    )
    expect_number(
        bound,
        cond * size_db / size_b,
        text + "[1] (bound)",
        _SENS_HINT,
        rtol=1e-6,
        mistakes=bound_mistakes,
    )


_FORBID_SOLVE_SENSITIVITY = Forbidden(
    "solve_sensitivity",
    ("dlkit.numerics.solve_sensitivity",),
    "this exercise asks you to perturb, solve and compare yourself",
)


def solve_sensitivity_basic(fn):
    """A diagonal matrix with condition number 100, perturbed in its weakest direction."""
    A = np.diag([10.0, 0.1])
    _check_sensitivity(fn, A, np.array([1.0, 0.0]), np.array([0.0, 1e-6]))
    _FORBID_SOLVE_SENSITIVITY.check(fn)


def solve_sensitivity_hidden(fn):
    """Random matrices with condition numbers from 1 to 1e8, worst-case and random db."""
    rng = np.random.default_rng(5105)
    for s in ([3.0, 2.0, 1.0], [1e2, 1.0, 1e-2], [1.0, 1e-3, 1e-4, 1e-8], [5.0, 5.0]):
        A, U = _with_singular_values(rng, s)
        _check_sensitivity(fn, A, U[:, 0], 1e-7 * U[:, -1])  # the worst case: change == bound
        _check_sensitivity(fn, A, rng.standard_normal(len(s)), 1e-6 * rng.standard_normal(len(s)))
    _check_sensitivity(fn, np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, 2.0]), [1e-3, 0])
    _FORBID_SOLVE_SENSITIVITY.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · nc-simpson · reference: dk.numerics.simpson
# ---------------------------------------------------------------------------

_SIMPSON_HINT = (
    "h = (b - a) / n and nodes x_i = a + i h for i = 0..n (n + 1 of them); "
    "S = h/3 * (f_0 + 4 f_1 + 2 f_2 + 4 f_3 + ... + 4 f_(n-1) + f_n)"
)


def _check_simpson(fn, f, a, b, n):
    got, text = call(fn, "simpson", f, a, b, n, hint=_SIMPSON_HINT)
    value = as_number(got, text, "return the value of the integral as one number")
    x = np.linspace(a, b, n + 1)  # the n + 1 nodes
    y = f(x)
    expected = float(scipy.integrate.simpson(y, x=x))
    h = (b - a) / n
    mistakes = [
        (
            float(scipy.integrate.trapezoid(y, x=x)),
            "this is the trapezoid rule; " + _SIMPSON_HINT,
        ),
        (
            h / 3 * (y[0] + y[-1] + 2 * y[1:-1:2].sum() + 4 * y[2:-1:2].sum()),
            "the weights 4 belong to the odd nodes x_1, x_3, ... and 2 to the even ones",
        ),
        (3 * expected, "multiply by h / 3, not by h"),
        (
            -expected if a > b else None,
            "your result has the wrong sign when a > b: keep the sign of h = (b - a) / n "
            "(not abs(b - a) / n) and the nodes from a to b, so that the integral changes sign",
        ),
    ]
    expect_number(value, expected, text, _SIMPSON_HINT, rtol=1e-10, atol=1e-12, mistakes=mistakes)


def _expect_sqrt_pi(fn):
    """exp(-x^2) over [-8, 8] with n = 128: sqrt(pi) to 12 digits."""
    got, text = call(fn, "simpson", gaussian, -8.0, 8.0, 128, hint=_SIMPSON_HINT)
    value = as_number(got, text, "return one number")
    expect(
        abs(value - math.sqrt(math.pi)) < 1e-12,
        f"{text} returned {value:.15g}, expected sqrt(pi) = {math.sqrt(math.pi):.15g} to "
        f"12 digits; hint: {_SIMPSON_HINT}",
    )


_FORBID_SIMPSON = Forbidden(
    "simpson",
    ("scipy.integrate", "dlkit.numerics.simpson"),
    (
        "this exercise asks you to write Simpson's weights 1, 4, 2, ..., 4, 1 yourself, not "
        "scipy.integrate"
    ),
)


def simpson_basic(fn):
    """A cubic on [0, 3] with n = 2 (exact), and exp(-x^2) on [0, 1] with n = 4."""
    _check_simpson(fn, cubic, 0.0, 3.0, 2)
    _check_simpson(fn, gaussian, 0.0, 1.0, 4)
    _FORBID_SIMPSON.check(fn)


def simpson_hidden(fn):
    """Other intervals and n, reversed limits, sqrt(pi) from exp(-x^2), odd n rejected."""
    _check_simpson(fn, np.sin, 0.0, math.pi, 10)
    _check_simpson(fn, quartic, -1.0, 2.0, 6)
    _check_simpson(fn, np.exp, 1.0, -1.0, 8)
    _check_simpson(fn, np.cos, math.pi, math.pi / 2, 6)  # a > b, integrand < 0: S = +1
    _check_simpson(fn, cubic, -2.5, 4.0, 12)
    _expect_sqrt_pi(fn)
    expect_raises(
        fn,
        "simpson",
        (gaussian, 0.0, 1.0, 5),
        ValueError,
        "Simpson's rule pairs up subintervals, so an odd n must raise ValueError",
    )
    _FORBID_SIMPSON.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · nc-order · reference: dk.numerics.convergence_order
# ---------------------------------------------------------------------------

_ORDER_HINT = (
    "fit a straight line to (log n, log error) by least squares (np.polyfit(log_n, "
    "log_err, 1)) over all points; the order p is minus its slope, so it is positive"
)


def _check_order(fn, ns, errors):
    got, text = call(fn, "convergence_order", ns, errors, hint=_ORDER_HINT)
    value = as_number(got, text, "return the order p as one number")
    log_n, log_e = np.log(np.asarray(ns, dtype=float)), np.log(np.asarray(errors, dtype=float))
    slope = float(np.polyfit(log_n, log_e, 1)[0])
    mistakes = [
        (slope, "that is the slope itself, which is negative; the order is -slope"),
        (
            -(log_e[-1] - log_e[0]) / (log_n[-1] - log_n[0]),
            "you used the two end points only; fit all points by least squares",
        ),
        (-slope / np.log(10), "take natural logs of both n and the errors (or log10 of both)"),
    ]
    expect_number(value, -slope, text, _ORDER_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_CONVERGENCE_ORDER = Forbidden(
    "convergence_order",
    ("dlkit.numerics.convergence_order",),
    "this exercise asks you to fit the slope of log error against log n yourself",
)


def convergence_order_basic(fn):
    """Errors exactly 1 / n^2: the order is 2."""
    ns = np.array([10.0, 20.0, 40.0, 80.0])
    _check_order(fn, ns, 1.0 / ns**2)
    _FORBID_CONVERGENCE_ORDER.check(fn)


def convergence_order_hidden(fn):
    """Other powers and constants, noisy errors (least squares), integer n."""
    rng = np.random.default_rng(5107)
    ns = np.array([4, 8, 16, 32, 64])
    _check_order(fn, ns, 0.3 * ns**-4.0)
    _check_order(fn, np.array([100.0, 1000.0, 10000.0]), 2.0 * np.array([100.0, 1e3, 1e4]) ** -0.5)
    noisy = 5.0 * ns**-1.5 * np.exp(rng.normal(0.0, 0.3, ns.size))
    _check_order(fn, ns, noisy)
    ms = np.array([3.0, 7.0, 20.0, 50.0, 90.0, 200.0])
    _check_order(fn, ms, 1e-3 * ms**-3.2 * np.exp(rng.normal(0.0, 0.2, ms.size)))
    _FORBID_CONVERGENCE_ORDER.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · nc-newton · reference: dk.numerics.newton_sqrt
# ---------------------------------------------------------------------------

_NEWTON_HINT = (
    "iterate x <- (x + a / x) / 2 from x0 = max(a, 1) until the step |x_new - x| is at "
    "most tol * x_new (a relative test), with no fixed iteration count; sqrt(0) is 0"
)


def _newton_hint(a, value):
    """The hint for a wrong square root: stopping while x still halves, or the general one."""
    if value > 2 * math.sqrt(a):  # x_k^2 >> a: the iteration was still halving x
        return (
            "the iteration stopped while x was still far above sqrt(a), where each step only "
            "about halves x (a = 0 never gets there); " + _NEWTON_HINT
        )
    return _NEWTON_HINT


def _check_sqrt(fn, a):
    got, text = call(fn, "newton_sqrt", a, hint=_NEWTON_HINT)
    value = as_number(got, text, "return float(x)")
    expect_number(value, math.sqrt(a), text, _newton_hint(a, value), rtol=1e-14, atol=0)


_FORBID_NEWTON_SQRT = Forbidden(
    "newton_sqrt",
    (
        "numpy.sqrt",
        "math.sqrt",
        "cmath.sqrt",
        "numpy.power",
        "numpy.float_power",
        "math.pow",
        "math.isqrt",
        "** 0.5",
        "dlkit.numerics.newton_sqrt",
    ),
    (
        "this exercise asks you to use only the Newton step x <- (x + a / x) / 2, no np.sqrt, "
        "math.sqrt or ** 0.5"
    ),
)


def newton_sqrt_basic(fn):
    """sqrt(2), sqrt(9) and sqrt(1) (the starting guess is already the root)."""
    for a in (2.0, 9.0, 1.0):
        _check_sqrt(fn, a)
    _FORBID_NEWTON_SQRT.check(fn)


def newton_sqrt_hidden(fn):
    """0, tiny and huge numbers (a fixed number of steps is not enough), negative a."""
    rng = np.random.default_rng(5108)
    for a in (0.0, 0.25, 1e-10, 1e10, 12345.678, 1e100, 5e-300, *rng.uniform(0.0, 50.0, 4)):
        _check_sqrt(fn, float(a))
    expect_raises(
        fn,
        "newton_sqrt",
        (-4.0,),
        ValueError,
        "a negative number has no real square root: raise ValueError before iterating",
    )
    _FORBID_NEWTON_SQRT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · nc-dft · reference: dk.numerics.dft_matrix
# ---------------------------------------------------------------------------

_DFT_HINT = (
    "F[j, k] = exp(-2 pi i j k / n) for j, k = 0..n-1: build j k with np.outer(np.arange(n), "
    "np.arange(n)) and use the complex unit 1j; no normalisation factor"
)


def _check_dft_matrix(fn, n):
    """The learner's n x n DFT matrix against scipy's; returns it as a complex array."""
    expected = scipy.linalg.dft(n)
    mistakes = [
        (np.conj(expected), "the exponent needs a minus sign: exp(-2j * pi * j * k / n)"),
        (expected / np.sqrt(n), "do not divide by sqrt(n): numpy's forward DFT is unscaled"),
        (expected / n, "do not divide by n: numpy's forward DFT is unscaled"),
        (expected.real, "F is complex: use the complex unit 1j, not only the cosines"),
    ]
    return expect_returns(
        fn, "dft_matrix", (n,), expected, _DFT_HINT, rtol=1e-7, atol=1e-9, mistakes=mistakes
    )


_FORBID_DFT_MATRIX = Forbidden(
    "dft_matrix",
    (
        "loop",
        "numpy.fft",
        "scipy.fft",
        "scipy.fftpack",
        "scipy.linalg.dft",
        "dlkit.numerics.dft_matrix",
    ),
    (
        "this exercise asks you to build the matrix of exp(-2 pi i j k / n) yourself, not with "
        "np.fft (no loops)"
    ),
)


def dft_matrix_basic(fn):
    """n = 2 (the matrix [[1, 1], [1, -1]]) and n = 4 (entries 1, -i, -1, i)."""
    for n in (2, 4):
        _check_dft_matrix(fn, n)
    _FORBID_DFT_MATRIX.check(fn)


def dft_matrix_hidden(fn):
    """n = 1, odd n, larger n, and F x agreeing with np.fft.fft."""
    for n in (1, 3, 5, 8, 16):
        _check_dft_matrix(fn, n)
    F = _check_dft_matrix(fn, 12)
    x = np.random.default_rng(5109).standard_normal(12)
    expect_close(
        F @ x,
        np.fft.fft(x),
        "dft_matrix(12) @ x",
        "F @ x must equal np.fft.fft(x)",
        rtol=1e-7,
        atol=1e-9,
    )
    _FORBID_DFT_MATRIX.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · nc-fft · reference: dk.numerics.fft
# ---------------------------------------------------------------------------

_FFT_HINT = (
    "E = fft(x[0::2]), O = fft(x[1::2]), w = exp(-2j pi k / n) for k < n/2; the result is "
    "np.concatenate([E + w * O, E - w * O]); the base case n = 1 returns x itself"
)


def _check_fft(fn, x):
    expected = np.fft.fft(x)
    mistakes = [
        (
            lambda: np.conj(np.fft.fft(np.conj(x))),
            "the twiddle factors need exp(-2j pi k / n), minus sign",
        ),
        (np.roll(expected, len(x) // 2), "the E + w O half comes first, then E - w O"),
        (lambda: np.fft.ifft(x), "that is the inverse transform (plus sign and 1/n)"),
    ]
    expect_returns(fn, "fft", (x,), expected, _FFT_HINT, rtol=1e-7, atol=1e-8, mistakes=mistakes)


_FORBID_FFT = Forbidden(
    "fft",
    ("numpy.fft", "scipy.fft", "scipy.fftpack", "dlkit.numerics.fft"),
    "this exercise asks you to write the radix-2 recursion yourself, not np.fft.fft",
)


def fft_basic(fn):
    """Length 1, a length-4 impulse and a length-8 ramp."""
    _check_fft(fn, np.array([3.0]))
    _check_fft(fn, np.array([1.0, 0.0, 0.0, 0.0]))
    _check_fft(fn, np.arange(8.0))
    _FORBID_FFT.check(fn)


def fft_hidden(fn):
    """Random real and complex signals of length 2 to 256, and lengths that are not 2^k."""
    rng = np.random.default_rng(5110)
    _check_fft(fn, np.array([1.0, -1.0]))
    for n in (16, 64, 256):
        _check_fft(fn, rng.standard_normal(n))
    _check_fft(fn, rng.standard_normal(32) + 1j * rng.standard_normal(32))
    _check_fft(fn, np.cos(2 * np.pi * 5 * np.arange(64) / 64))
    for bad in (np.ones(3), np.ones(6), np.ones(12)):
        expect_raises(
            fn,
            "fft",
            (bad,),
            ValueError,
            "the radix-2 FFT needs a power-of-two length: check n & (n - 1) == 0 and raise "
            "ValueError otherwise",
        )
    _FORBID_FFT.check(fn)
