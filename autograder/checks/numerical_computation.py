"""Checks for module 05, numerical computation.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: overflow at 1000, underflow
at -1000, the wrong axis, float64 arithmetic where float16 was asked for, Simpson's
weights in the wrong places, a fixed number of Newton steps, the sign of the DFT's
exponent, ...). The oracles are numpy, scipy and closed forms; nothing here uses
dlkit or the learner's other answers. Integrands handed to the learner's functions
are the module-level functions below (or numpy ufuncs), never lambdas.
"""

import math

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.special

from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    diagnose,
    expect,
    expect_close,
    expect_raises,
    quiet,
    show,
)

# ---------------------------------------------------------------------------
# Integrands passed to the learner's integration functions
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
# Shared helpers (local to this module)
# ---------------------------------------------------------------------------


def _pair(result, text, what):
    """The learner's 2-tuple ``result`` as a tuple, or CheckFailed naming ``what``."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a pair {what}; "
            f"hint: end the function with `return a, b`"
        )
    return tuple(result)


def _as_complex_array(value, text):
    """``np.asarray(value, dtype=complex)``, or CheckFailed saying why it is unusable."""
    if value is None:
        raise CheckFailed(f"{text} returned None; hint: did you forget the `return` statement?")
    try:
        with quiet():
            return np.asarray(value, dtype=complex)
    except (TypeError, ValueError) as error:
        raise CheckFailed(
            f"{text} returned a {type(value).__name__}, which is not an array of complex "
            f"numbers ({error})"
        ) from None


def _expect_complex_close(got, expected, text, hint, known_mistakes=(), atol=1e-9):
    """Compare complex arrays (shape, then values) with a hint chosen from known mistakes."""
    got = _as_complex_array(got, text)
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{text} returned shape {got.shape}, expected shape {expected.shape}; hint: {hint}"
        )
    if np.allclose(got, expected, rtol=1e-7, atol=atol):
        return
    for wrong, mistake in known_mistakes:
        if np.allclose(got, wrong, rtol=1e-7, atol=atol):
            hint = mistake
            break
    error = np.abs(got - expected)
    where = np.unravel_index(int(np.argmax(error)), error.shape)
    if got.size <= 8:
        raise CheckFailed(
            f"{text} returned {show(np.round(got, 6))}, expected {show(np.round(expected, 6))}; "
            f"hint: {hint}"
        )
    raise CheckFailed(
        f"{text} returned wrong values: the largest error is at index {tuple(map(int, where))}, "
        f"got {complex(got[where]):.6g}, expected {complex(expected[where]):.6g}; hint: {hint}"
    )


# ---------------------------------------------------------------------------
# Machine epsilon by halving
# ---------------------------------------------------------------------------

_EPS_HINT = (
    "start from eps = 1 and halve it while 1 + eps / 2 != 1; return the last eps for which "
    "1 + eps was still different from 1"
)


def _check_epsilon(fn, dtype_name):
    got, text = call(fn, "machine_epsilon", dtype_name, hint=_EPS_HINT)
    value = as_number(got, text, "return float(eps)")
    expected = float(np.finfo(dtype_name).eps)
    hint = diagnose(
        value,
        _EPS_HINT,
        [
            (expected / 2, "you halved once too often: return the last eps with 1 + eps != 1"),
            (
                float(np.finfo(np.float64).eps),
                "this is float64's epsilon: do the arithmetic in the requested type, e.g. "
                "one = np.dtype(dtype).type(1) and eps = one, then halve with eps / 2",
            ),
        ],
    )
    expect_close(value, expected, text, hint, rtol=0, atol=0)


def machine_epsilon_basic(fn):
    """float64: the epsilon is 2**-52."""
    _check_epsilon(fn, "float64")


def machine_epsilon_hidden(fn):
    """float32 and float16, where float64 arithmetic gives the wrong answer."""
    for dtype_name in ("float32", "float16", "float64"):
        _check_epsilon(fn, dtype_name)


# ---------------------------------------------------------------------------
# Stable log-sum-exp
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
    finite_m = m if np.isfinite(m) else 0.0
    with quiet():
        shifted_only = float(np.log(np.sum(np.exp(x - finite_m))))
    hint = diagnose(
        value,
        _LSE_HINT,
        [
            (shifted_only, "you subtracted the maximum m but forgot to add it back: m + log(...)"),
            (m, "the maximum alone is only an approximation; add log(sum(exp(x - m)))"),
        ],
    )
    if not np.isfinite(value) and np.isfinite(expected):
        hint = "exp overflowed to inf (or underflowed to 0 before the log); " + _LSE_HINT
    expect_close(value, expected, text, hint, rtol=1e-10, atol=1e-12)


def logsumexp_basic(fn):
    """``[1, 2, 3]``, and ``[1000, 1000]`` whose naive exp overflows."""
    _check_logsumexp(fn, np.array([1.0, 2.0, 3.0]))
    _check_logsumexp(fn, np.array([1000.0, 1000.0]))


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


# ---------------------------------------------------------------------------
# Stable softmax on rows
# ---------------------------------------------------------------------------

_SOFTMAX_HINT = (
    "for each row subtract that row's maximum (np.max(Z, axis=1, keepdims=True)), "
    "exponentiate, and divide by the row sum (axis=1, keepdims=True)"
)


def _softmax_mistakes(Z):
    """Outputs of the classic wrong softmaxes on Z, with their hints."""
    with quiet():
        e = np.exp(Z - Z.max())
        global_max = e / e.sum(axis=1, keepdims=True)
        columns = scipy.special.softmax(Z, axis=0)
        whole = scipy.special.softmax(Z)
    return [
        (columns, "you normalised the columns (axis=0); each row must sum to 1 (axis=1)"),
        (whole, "you normalised the whole matrix; each row must sum to 1 on its own"),
        (
            global_max,
            "subtracting the global maximum underflows rows far below it to 0/0; "
            "subtract each row's own maximum",
        ),
    ]


def _check_softmax(fn, Z):
    got, text = call(fn, "softmax_rows", Z, hint=_SOFTMAX_HINT)
    Z = np.asarray(Z, dtype=float)
    expected = scipy.special.softmax(Z, axis=1)
    values = as_float_array(got, text)
    hint = _SOFTMAX_HINT
    if values.shape == expected.shape and not np.all(np.isfinite(values)):
        hint = "exp overflowed (or a row underflowed to 0 / 0): " + _SOFTMAX_HINT
    for wrong, mistake in _softmax_mistakes(Z):
        if wrong.shape == values.shape and np.allclose(values, wrong, atol=1e-12, equal_nan=True):
            hint = mistake
            break
    expect_close(values, expected, text, hint, rtol=1e-9, atol=1e-12)


def softmax_rows_basic(fn):
    """Two rows of three, one of them constant (uniform probabilities)."""
    _check_softmax(fn, np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]]))


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


# ---------------------------------------------------------------------------
# Stable sigmoid
# ---------------------------------------------------------------------------

_SIGMOID_HINT = (
    "use 1 / (1 + exp(-x)) where x >= 0 and exp(x) / (1 + exp(x)) where x < 0, so exp only "
    "sees non-positive numbers; with np.where compute exp(-|x|) once"
)


def _check_sigmoid(fn, x):
    got, text = call(fn, "sigmoid", x, hint=_SIGMOID_HINT)
    expected = scipy.special.expit(np.asarray(x, dtype=float))
    values = as_float_array(got, text)
    hint = _SIGMOID_HINT
    if values.shape == expected.shape and np.any(np.isnan(values)):
        hint = "nan means inf / inf or 0 / 0 somewhere: " + _SIGMOID_HINT
    elif values.shape != expected.shape:
        hint = "return an array of the same shape as x (work elementwise, no loops needed)"
    expect_close(values, expected, text, hint, rtol=1e-12, atol=1e-300)


def sigmoid_basic(fn):
    """``[0, 2, -2]``: 1/2 and a symmetric pair summing to 1."""
    _check_sigmoid(fn, np.array([0.0, 2.0, -2.0]))


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


# ---------------------------------------------------------------------------
# Sensitivity of a linear solve and the condition number
# ---------------------------------------------------------------------------

_SENS_HINT = (
    "solve A x = b and A x' = b + db; relative_change = ||x' - x|| / ||x|| and "
    "bound = cond_2(A) * ||db|| / ||b||, all with 2-norms (np.linalg.cond(A) is cond_2)"
)


def _with_singular_values(rng, s):
    """A random square matrix U diag(s) V^T and its factors."""
    n = len(s)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (U * np.asarray(s, dtype=float)) @ V.T, U


def _check_sensitivity(fn, A, b, db):
    got, text = call(fn, "solve_sensitivity", A, b, db, hint=_SENS_HINT)
    change, bound = _pair(got, text, "(relative_change, bound)")
    change = as_number(change, text + "[0]", "relative_change is one number")
    bound = as_number(bound, text + "[1]", "bound is one number")
    x = scipy.linalg.solve(A, b)
    dx = scipy.linalg.solve(A, db)
    s = np.linalg.svd(A, compute_uv=False)
    expected_change = np.linalg.norm(dx) / np.linalg.norm(x)
    expected_bound = s[0] / s[-1] * np.linalg.norm(db) / np.linalg.norm(b)
    bound_hint = diagnose(
        bound,
        _SENS_HINT,
        [
            (
                np.linalg.cond(A, 1) * np.linalg.norm(db) / np.linalg.norm(b),
                "that is the 1-norm condition number; use the 2-norm one, s_max / s_min",
            ),
            (s[0] / s[-1] * np.linalg.norm(db), "divide ||db|| by ||b||: the bound is relative"),
            (
                s[0] / s[-1] * np.linalg.norm(db) / np.linalg.norm(x),
                "the bound divides ||db|| by ||b|| (the data), not by ||x||",
            ),
        ],
    )
    change_hint = diagnose(
        change,
        _SENS_HINT,
        [(np.linalg.norm(dx), "divide ||x' - x|| by ||x||: the change is relative")],
    )
    expect_close(change, expected_change, text + "[0] (relative_change)", change_hint, rtol=1e-5)
    expect_close(bound, expected_bound, text + "[1] (bound)", bound_hint, rtol=1e-6)


def solve_sensitivity_basic(fn):
    """A diagonal matrix with condition number 100, perturbed in its weakest direction."""
    A = np.diag([10.0, 0.1])
    _check_sensitivity(fn, A, np.array([1.0, 0.0]), np.array([0.0, 1e-6]))


def solve_sensitivity_hidden(fn):
    """Random matrices with condition numbers from 1 to 1e8, worst-case and random db."""
    rng = np.random.default_rng(5105)
    for s in ([3.0, 2.0, 1.0], [1e2, 1.0, 1e-2], [1.0, 1e-3, 1e-4, 1e-8], [5.0, 5.0]):
        A, U = _with_singular_values(rng, s)
        _check_sensitivity(fn, A, U[:, 0], 1e-7 * U[:, -1])  # the worst case: change == bound
        _check_sensitivity(fn, A, rng.standard_normal(len(s)), 1e-6 * rng.standard_normal(len(s)))
    _check_sensitivity(fn, np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, 2.0]), [1e-3, 0])


# ---------------------------------------------------------------------------
# Composite Simpson's rule
# ---------------------------------------------------------------------------

_SIMPSON_HINT = (
    "h = (b - a) / n and nodes x_i = a + i h for i = 0..n (n + 1 of them); "
    "S = h/3 * (f_0 + 4 f_1 + 2 f_2 + 4 f_3 + ... + 4 f_(n-1) + f_n)"
)


def _check_simpson(fn, f, a, b, n):
    got, text = call(fn, "simpson", f, a, b, n, hint=_SIMPSON_HINT)
    text = text.replace(show(f), f.__name__)
    value = as_number(got, text, "return the value of the integral as one number")
    x = np.linspace(a, b, n + 1)
    y = f(x)
    expected = float(scipy.integrate.simpson(y, x=x))
    h = (b - a) / n
    swapped = h / 3 * (y[0] + y[-1] + 2 * y[1:-1:2].sum() + 4 * y[2:-1:2].sum())
    hint = diagnose(
        value,
        _SIMPSON_HINT,
        [
            (
                float(scipy.integrate.trapezoid(y, x=x)),
                "this is the trapezoid rule; " + _SIMPSON_HINT,
            ),
            (swapped, "the weights 4 belong to the odd nodes x_1, x_3, ... and 2 to the even ones"),
            (3 * expected, "multiply by h / 3, not by h"),
        ],
    )
    expect_close(value, expected, text, hint, rtol=1e-10, atol=1e-12)


def simpson_basic(fn):
    """A cubic on [0, 3] with n = 2 (exact), and exp(-x^2) on [0, 1] with n = 4."""
    _check_simpson(fn, cubic, 0.0, 3.0, 2)
    _check_simpson(fn, gaussian, 0.0, 1.0, 4)


def simpson_hidden(fn):
    """Other intervals and n, reversed limits, sqrt(pi) from exp(-x^2), odd n rejected."""
    _check_simpson(fn, np.sin, 0.0, math.pi, 10)
    _check_simpson(fn, quartic, -1.0, 2.0, 6)
    _check_simpson(fn, np.exp, 1.0, -1.0, 8)
    _check_simpson(fn, cubic, -2.5, 4.0, 12)
    got, text = call(fn, "simpson", gaussian, -8.0, 8.0, 128, hint=_SIMPSON_HINT)
    value = as_number(got, text.replace(show(gaussian), "gaussian"), "return one number")
    expect(
        abs(value - math.sqrt(math.pi)) < 1e-12,
        f"simpson(gaussian, -8.0, 8.0, 128) returned {value:.15g}, expected sqrt(pi) = "
        f"{math.sqrt(math.pi):.15g} to 12 digits; hint: {_SIMPSON_HINT}",
    )
    expect_raises(
        fn,
        "simpson",
        (gaussian, 0.0, 1.0, 5),
        ValueError,
        "Simpson's rule pairs up subintervals, so an odd n must raise ValueError",
    )


# ---------------------------------------------------------------------------
# Convergence order from a log-log fit
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
    ends = float((log_e[-1] - log_e[0]) / (log_n[-1] - log_n[0]))
    hint = diagnose(
        value,
        _ORDER_HINT,
        [
            (slope, "that is the slope itself, which is negative; the order is -slope"),
            (-ends, "you used the two end points only; fit all points by least squares"),
            (-slope / np.log(10), "take natural logs of both n and the errors (or log10 of both)"),
        ],
    )
    expect_close(value, -slope, text, hint, rtol=1e-8, atol=1e-10)


def convergence_order_basic(fn):
    """Errors exactly 1 / n^2: the order is 2."""
    ns = np.array([10.0, 20.0, 40.0, 80.0])
    _check_order(fn, ns, 1.0 / ns**2)


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


# ---------------------------------------------------------------------------
# Newton's method for a square root
# ---------------------------------------------------------------------------

_NEWTON_HINT = (
    "iterate x <- (x + a / x) / 2 from x0 = max(a, 1) until the step |x_new - x| is at "
    "most tol * x_new (a relative test), with no fixed iteration count; sqrt(0) is 0"
)


def _check_sqrt(fn, a):
    got, text = call(fn, "newton_sqrt", a, hint=_NEWTON_HINT)
    value = as_number(got, text, "return float(x)")
    expect_close(value, math.sqrt(a), text, _NEWTON_HINT, rtol=1e-14, atol=0)


def newton_sqrt_basic(fn):
    """sqrt(2), sqrt(9) and sqrt(1) (the starting guess is already the root)."""
    for a in (2.0, 9.0, 1.0):
        _check_sqrt(fn, a)


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


# ---------------------------------------------------------------------------
# The DFT matrix
# ---------------------------------------------------------------------------

_DFT_HINT = (
    "F[j, k] = exp(-2 pi i j k / n) for j, k = 0..n-1: build j k with np.outer(np.arange(n), "
    "np.arange(n)) and use the complex unit 1j; no normalisation factor"
)


def _check_dft_matrix(fn, n):
    got, text = call(fn, "dft_matrix", n, hint=_DFT_HINT)
    expected = scipy.linalg.dft(n)
    _expect_complex_close(
        got,
        expected,
        text,
        _DFT_HINT,
        [
            (np.conj(expected), "the exponent needs a minus sign: exp(-2j * pi * j * k / n)"),
            (expected / np.sqrt(n), "do not divide by sqrt(n): numpy's forward DFT is unscaled"),
            (expected / n, "do not divide by n: numpy's forward DFT is unscaled"),
        ],
    )


def dft_matrix_basic(fn):
    """n = 2 (the matrix [[1, 1], [1, -1]]) and n = 4 (entries 1, -i, -1, i)."""
    for n in (2, 4):
        _check_dft_matrix(fn, n)


def dft_matrix_hidden(fn):
    """n = 1, odd n, larger n, and F x agreeing with np.fft.fft."""
    for n in (1, 3, 5, 8, 16):
        _check_dft_matrix(fn, n)
    rng = np.random.default_rng(5109)
    x = rng.standard_normal(12)
    got, text = call(fn, "dft_matrix", 12)
    F = _as_complex_array(got, text)
    expect(F.shape == (12, 12), f"{text} returned shape {F.shape}, expected (12, 12)")
    _expect_complex_close(F @ x, np.fft.fft(x), f"{text} @ x", "F @ x must equal np.fft.fft(x)")


# ---------------------------------------------------------------------------
# The recursive radix-2 FFT
# ---------------------------------------------------------------------------

_FFT_HINT = (
    "E = fft(x[0::2]), O = fft(x[1::2]), w = exp(-2j pi k / n) for k < n/2; the result is "
    "np.concatenate([E + w * O, E - w * O]); the base case n = 1 returns x itself"
)


def _fft_mistakes(x):
    """Outputs of classic FFT slips on x: conjugated twiddles, halves swapped."""
    n = len(x)
    expected = np.fft.fft(x)
    return [
        (np.conj(np.fft.fft(np.conj(x))), "the twiddle factors need exp(-2j pi k / n), minus sign"),
        (np.roll(expected, n // 2), "the E + w O half comes first, then E - w O"),
        (np.fft.ifft(x), "that is the inverse transform (plus sign and 1/n)"),
    ]


def _check_fft(fn, x):
    got, text = call(fn, "fft", x, hint=_FFT_HINT)
    _expect_complex_close(got, np.fft.fft(x), text, _FFT_HINT, _fft_mistakes(x), atol=1e-8)


def fft_basic(fn):
    """Length 1, a length-4 impulse and a length-8 ramp."""
    _check_fft(fn, np.array([3.0]))
    _check_fft(fn, np.array([1.0, 0.0, 0.0, 0.0]))
    _check_fft(fn, np.arange(8.0))


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
