"""Checks for module 04, calculus and automatic differentiation.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: forward instead of central
differences, a fixed step instead of h, a missing inner derivative, a missing
factorial, transposed backward rules, a forgotten branch of the graph, overflowing
softmax, signed instead of absolute errors, the mean instead of the maximum, ...).

The oracles are closed forms and torch autograd in float64 (``oracles.jacobian``,
``oracles.hessian``, ``oracles.gradients``, ``oracles.vector_jacobian_products``);
nothing here uses dlkit or the learner's other answers.

Exercises that take a function argument get one of the module-level functions below
(or a numpy ufunc), never a lambda, so that only plain data crosses to the learner.
"""

import math

import numpy as np

from autograder.checks import harness, oracles
from autograder.checks.harness import Forbidden

# ---------------------------------------------------------------------------
# Functions passed to the learner's code
# ---------------------------------------------------------------------------


def cubic_sum(x):
    """f(x) = sum_i x_i^3 (central differences give exactly 3 x_i^2 + h^2)."""
    return float(np.sum(np.asarray(x, dtype=float) ** 3))


def cubic(x):
    """f(x) = x^3 elementwise, for the finite-difference study."""
    return np.asarray(x, dtype=float) ** 3


def cubic_derivative(x):
    """f'(x) = 3 x^2 elementwise."""
    return 3.0 * np.asarray(x, dtype=float) ** 2


def rosenbrock(x):
    """f(x) = sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 over a flattened x."""
    x = np.asarray(x, dtype=float).reshape(-1)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def _rosenbrock_grad(x, weight):
    """The gradient of :func:`rosenbrock` with ``weight`` in place of the 200 of the
    ``x_{i+1}`` term (200 is right), in the shape of x."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    grad = np.zeros_like(flat)
    inner = flat[1:] - flat[:-1] ** 2  # (n - 1,)
    grad[:-1] += -400.0 * flat[:-1] * inner - 2.0 * (1.0 - flat[:-1])
    grad[1:] += weight * inner
    return grad.reshape(x.shape)


def rosenbrock_grad(x):
    """The exact gradient of :func:`rosenbrock`, in the shape of x."""
    return _rosenbrock_grad(x, 200.0)


def rosenbrock_grad_buggy(x):
    """The gradient of :func:`rosenbrock` with a planted bug: the 200 became 100."""
    return _rosenbrock_grad(x, 100.0)


def log_cosh_sum(x):
    """f(x) = sum_i log cosh(x_i), whose gradient is tanh(x)."""
    x = np.asarray(x, dtype=float)
    return float(np.sum(np.abs(x) + np.log1p(np.exp(-2.0 * np.abs(x))) - math.log(2.0)))


def log_cosh_grad(x):
    """The exact gradient of :func:`log_cosh_sum`: tanh(x)."""
    return np.tanh(np.asarray(x, dtype=float))


def log_cosh_grad_last_entry_wrong(x):
    """tanh(x) except in the last entry, where the sign is flipped (a bug in one place)."""
    grad = np.tanh(np.asarray(x, dtype=float)).reshape(-1)
    grad[-1] = -grad[-1]
    return grad.reshape(np.shape(x))


# ---------------------------------------------------------------------------
# Exercise 1 · ca-central-diff · reference: dk.testing.numeric_grad
# ---------------------------------------------------------------------------

_CENTRAL_HINT = (
    "for each entry i, df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h): perturb one entry "
    "of a float copy of x up and down by h, and put it back before the next entry"
)


def _check_central(fn, f, x, h, expected, rtol, atol, mistakes=()):
    harness.expect_returns(
        fn,
        "central_diff_grad",
        (f, x, h),
        expected,
        _CENTRAL_HINT,
        rtol=rtol,
        atol=atol,
        mistakes=mistakes,
    )


def _check_central_on_cubic(fn, x, h, rtol):
    """f = sum x^3, where each quotient is a closed form: central 3 x^2 + h^2."""
    central = 3 * x**2 + h**2
    mistakes = [
        (2 * central, "you divided by h; the central difference divides by 2 h"),
        (
            3 * x**2 + 3 * x * h + h**2,
            "that is the forward difference (f(x + h) - f(x)) / h; "
            "use the central one, (f(x + h) - f(x - h)) / (2 h)",
        ),
        (
            3 * x**2,
            "use the step h you are given, not a fixed small one: the central quotient "
            "of x^3 with step h is 3 x^2 + h^2",
        ),
    ]
    _check_central(fn, cubic_sum, x, h, central, rtol, 1e-9, mistakes)


_FORBID_CENTRAL_DIFF_GRAD = Forbidden(
    "central_diff_grad",
    ("torch", "dlkit.autodiff", "jax", "autograd", "dlkit.testing.numeric_grad"),
    (
        "this exercise asks you to write the central differences yourself, without automatic "
        "differentiation"
    ),
)


def central_diff_grad_basic(fn):
    """f = sum x^3 at x = (1, 2) with h = 0.1: the central quotient is 3 x^2 + h^2 exactly."""
    _check_central_on_cubic(fn, np.array([1.0, 2.0]), 0.1, rtol=1e-9)
    _FORBID_CENTRAL_DIFF_GRAD.check(fn)


def central_diff_grad_hidden(fn):
    """The h argument is used, 2-D inputs keep their shape, Rosenbrock and log-cosh gradients."""
    rng = np.random.default_rng(4101)
    for h in (0.05, 1e-3):
        _check_central_on_cubic(fn, rng.standard_normal(5), h, rtol=1e-7)
    x = rng.uniform(-1.5, 1.5, (3, 2))
    _check_central(fn, rosenbrock, x, 1e-5, rosenbrock_grad(x), 1e-6, 1e-6)
    x = rng.standard_normal(7)
    _check_central(fn, log_cosh_sum, x, 1e-5, np.tanh(x), 1e-7, 1e-8)
    _check_central(fn, log_cosh_sum, np.array([0.25]), 1e-5, np.tanh([0.25]), 1e-7, 1e-8)
    _FORBID_CENTRAL_DIFF_GRAD.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · ca-softmax-jacobian · reference: dk.numerics.softmax
# ---------------------------------------------------------------------------

_JACOBIAN_HINT = (
    "J[i, j] = d s_i / d z_j = s_i (delta_ij - s_j), i.e. np.diag(s) - np.outer(s, s), "
    "with s = softmax(z) computed stably (subtract max(z) first)"
)


def _softmax(z, axis=-1):
    """softmax along ``axis``, computed stably (the row maximum subtracted first)."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _unstable_softmax(z, axis=-1):
    """softmax without the maximum subtracted: overflows to NaN for large z."""
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_jacobian(s):
    """diag(s) - s s^T for a probability vector s: (k,) -> (k, k)."""
    return np.diag(s) - np.outer(s, s)


def _check_softmax_jacobian(fn, z):
    expected = oracles.jacobian(lambda t: t.softmax(dim=0), z)  # (k, k)
    s = _softmax(np.asarray(z, dtype=float))
    mistakes = [
        (
            lambda: _softmax_jacobian(_unstable_softmax(np.asarray(z, dtype=float))),
            "exp overflowed: subtract max(z) before exponentiating",
        ),
        (-np.outer(s, s), "the diagonal is missing: add diag(s) to -s s^T"),
        (np.diag(s), "the off-diagonal terms -s_i s_j are missing"),
        (np.diag(s) + np.outer(s, s), "the outer product enters with a minus sign"),
        (np.diag(s - s**2), "the off-diagonal terms -s_i s_j are missing"),
    ]
    harness.expect_returns(
        fn,
        "softmax_jacobian",
        (z,),
        expected,
        _JACOBIAN_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_SOFTMAX_JACOBIAN = Forbidden(
    "softmax_jacobian",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    (
        "this exercise asks you to write the Jacobian diag(s) - s s^T yourself, without "
        "automatic differentiation"
    ),
)


def softmax_jacobian_basic(fn):
    """z = (0, 0): s = (1/2, 1/2), J = [[1/4, -1/4], [-1/4, 1/4]]; then a 3-vector."""
    _check_softmax_jacobian(fn, np.array([0.0, 0.0]))
    _check_softmax_jacobian(fn, np.array([1.0, 2.0, 0.5]))
    _FORBID_SOFTMAX_JACOBIAN.check(fn)


def softmax_jacobian_hidden(fn):
    """Random sizes, a single class, huge logits (overflow) and integer input."""
    rng = np.random.default_rng(4102)
    for k in (4, 7):
        _check_softmax_jacobian(fn, 2.0 * rng.standard_normal(k))
    _check_softmax_jacobian(fn, np.array([3.0]))
    _check_softmax_jacobian(fn, np.array([1000.0, 999.0, -1000.0]))
    _check_softmax_jacobian(fn, np.array([2, 0, 1]))
    _FORBID_SOFTMAX_JACOBIAN.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · ca-quadratic · reference: none in dlkit (the closed form of the table)
# ---------------------------------------------------------------------------

_QUADRATIC_HINT = (
    "for f(x) = 1/2 x^T A x + b^T x the gradient is 1/2 (A + A^T) x + b and the Hessian "
    "is 1/2 (A + A^T); they reduce to A x + b and A only when A is symmetric"
)


def _check_quadratic(fn, A, b, x):
    result, text = harness.call(fn, "quadratic_grad_hess", A, b, x, hint=_QUADRATIC_HINT)
    grad, hess = harness.unpack(result, text, ("gradient", "hessian"))
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    A_t, b_t = oracles.tensor(A), oracles.tensor(b)

    def f(v):
        return 0.5 * v @ A_t @ v + b_t @ v

    grad_mistakes = [
        (A @ x + b, "A x + b is only right for symmetric A; use 1/2 (A + A^T) x + b"),
        (0.5 * A @ x + b, "differentiate both factors of x^T A x: 1/2 (A + A^T) x + b"),
        (A.T @ x + b, "A^T x + b is only right for symmetric A; use 1/2 (A + A^T) x + b"),
    ]
    harness.expect_close(
        grad,
        oracles.gradients(f, x)[0],
        f"{text}[0] (the gradient)",
        _QUADRATIC_HINT,
        rtol=1e-9,
        atol=1e-10,
        mistakes=grad_mistakes,
    )
    hess_mistakes = [
        (A, "the Hessian of 1/2 x^T A x is the symmetric part 1/2 (A + A^T), not A"),
        (A + A.T, "mind the 1/2 in f: the Hessian is 1/2 (A + A^T)"),
    ]
    harness.expect_close(
        hess,
        oracles.hessian(f, x),
        f"{text}[1] (the Hessian)",
        _QUADRATIC_HINT,
        rtol=1e-9,
        atol=1e-10,
        mistakes=hess_mistakes,
    )


_FORBID_QUADRATIC_GRAD_HESS = Forbidden(
    "quadratic_grad_hess",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    (
        "this exercise asks you to write the gradient and Hessian of the quadratic yourself, "
        "without automatic differentiation"
    ),
)


def quadratic_grad_hess_basic(fn):
    """A symmetric 2 x 2 example: gradient A x + b, Hessian A."""
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    _check_quadratic(fn, A, np.array([1.0, -1.0]), np.array([0.5, 2.0]))
    _FORBID_QUADRATIC_GRAD_HESS.check(fn)


def quadratic_grad_hess_hidden(fn):
    """Non-symmetric A (the classic trap), random sizes, a 1 x 1 case, integer input."""
    rng = np.random.default_rng(4103)
    _check_quadratic(fn, np.array([[1.0, 4.0], [0.0, 2.0]]), np.zeros(2), np.array([1.0, 1.0]))
    for n in (3, 5):
        _check_quadratic(
            fn, rng.standard_normal((n, n)), rng.standard_normal(n), rng.standard_normal(n)
        )
    _check_quadratic(fn, np.array([[4.0]]), np.array([-2.0]), np.array([3.0]))
    _check_quadratic(
        fn, rng.integers(-3, 4, (3, 3)), rng.integers(-3, 4, 3), rng.integers(-3, 4, 3)
    )
    _FORBID_QUADRATIC_GRAD_HESS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · ca-chain-rule · reference: none in dlkit (the closed form of the table)
# ---------------------------------------------------------------------------

_CHAIN_HINT = (
    "with u = x^2, d/dx sin(u) = cos(u) * du/dx = cos(x^2) * 2x: the outer derivative at "
    "the inner value, times the inner derivative"
)


def _check_chain(fn, x):
    u = np.asarray(x, dtype=float)
    mistakes = [
        (np.cos(u**2), "the inner derivative 2x is missing: multiply cos(x^2) by 2x"),
        (
            2 * u * np.cos(u),
            "evaluate the outer derivative at the inner value: cos(x^2), not cos(x)",
        ),
        (np.cos(2 * u), "cos(2x) is not the derivative; the chain rule gives cos(x^2) * 2x"),
        (2 * np.cos(u**2), "the inner derivative of x^2 is 2x, not 2"),
    ]
    harness.expect_returns(
        fn,
        "d_sin_x2",
        (x,),
        2 * u * np.cos(u**2),
        _CHAIN_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=mistakes,
    )


def d_sin_x2_basic(fn):
    """A single number, then a small array."""
    _check_chain(fn, 1.5)
    _check_chain(fn, np.array([0.0, 1.0, -2.0]))


def d_sin_x2_hidden(fn):
    """Random arrays of several shapes (elementwise), negative values, integers."""
    rng = np.random.default_rng(4104)
    _check_chain(fn, rng.uniform(-3, 3, 8))
    _check_chain(fn, rng.uniform(-3, 3, (2, 3)))
    _check_chain(fn, np.array([-1, 2, 3]))
    _check_chain(fn, 0.3)


# ---------------------------------------------------------------------------
# Exercise 5 · ca-taylor · reference: dk.autodiff.taylor_polynomial
# ---------------------------------------------------------------------------

_TAYLOR_HINT = (
    "T_n(x) = sum over k = 0..n of derivs[k] / k! * (x - a)**k, where derivs[k] = f^(k)(a) "
    "and n = len(derivs) - 1; it must work for an array x"
)


def _taylor(derivs, a, x, shift=0, centred=True, factorial=True):
    """T_n(x), or one of its classic misreadings: no k!, (k + shift)!, powers of x."""
    x = np.asarray(x, dtype=float)
    total = np.zeros_like(x)
    for k, d in enumerate(derivs):
        scale = math.factorial(k + shift) if factorial else 1.0
        total = total + d / scale * ((x - a) if centred else x) ** k
    return total


def _check_taylor(fn, derivs, a, x):
    mistakes = [
        (_taylor(derivs, a, x, factorial=False), "divide the k-th term by k!"),
        (_taylor(derivs, a, x, centred=False), "the powers are of (x - a), not of x"),
        (_taylor(derivs, a, x, shift=1), "the k-th term divides by k!, not (k + 1)!"),
        (
            _taylor(derivs[:-1], a, x),
            "include every derivative: k runs from 0 to len(derivs) - 1 inclusive",
        ),
    ]
    harness.expect_returns(
        fn,
        "taylor_poly",
        (derivs, a, x),
        _taylor(derivs, a, x),
        _TAYLOR_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_TAYLOR_POLY = Forbidden(
    "taylor_poly",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    "this exercise asks you to sum the Taylor terms yourself, without automatic differentiation",
)


def taylor_poly_basic(fn):
    """exp about 0 with three terms: 1 + x + x^2/2."""
    _check_taylor(fn, [1.0, 1.0, 1.0], 0.0, np.array([0.0, 0.5, 1.0, -1.0]))
    _FORBID_TAYLOR_POLY.check(fn)


def taylor_poly_hidden(fn):
    """Another centre (sin about 1), one term, a scalar x, many terms of exp against exp."""
    a = 1.0
    sin_derivs = [math.sin(a + k * math.pi / 2) for k in range(6)]
    _check_taylor(fn, sin_derivs, a, np.linspace(-1.0, 3.0, 9))
    _check_taylor(fn, [2.5], 3.0, np.array([1.0, 2.0]))
    _check_taylor(fn, [0.0, 1.0, -1.0, 2.0], -0.5, 0.25)
    x = np.array([-1.0, 0.3, 1.0])
    harness.expect_returns(
        fn,
        "taylor_poly",
        ([1.0] * 20, 0.0, x),
        np.exp(x),
        "20 terms of exp's series must match exp(x) to round-off; " + _TAYLOR_HINT,
        rtol=1e-12,
        atol=1e-14,
    )
    _FORBID_TAYLOR_POLY.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · ca-fd-errors · reference: dk.autodiff.difference_quotient
# ---------------------------------------------------------------------------

_FD_HINT = (
    "for each h: forward = (f(x0 + h) - f(x0)) / h, central = (f(x0 + h) - f(x0 - h)) / (2 h); "
    "return the absolute errors |estimate - df(x0)| as two arrays shaped like hs"
)
_SIGNED = "return absolute errors |estimate - df(x0)|, not signed differences"


def _quotients(f, x0, hs):
    """The forward and central difference quotients of f at x0, one per h: (len(hs),) each."""
    hs = np.asarray(hs, dtype=float)
    forward = np.array([(f(x0 + h) - f(x0)) / h for h in hs])
    central = np.array([(f(x0 + h) - f(x0 - h)) / (2 * h) for h in hs])
    return forward, central


def _check_fd(fn, f, df, x0, hs):
    result, text = harness.call(fn, "fd_errors", f, df, x0, hs, hint=_FD_HINT)
    forward_errors, central_errors = harness.unpack(
        result, text, ("forward_errors", "central_errors")
    )
    forward, central = _quotients(f, x0, hs)
    exact = df(x0)
    expected_forward, expected_central = np.abs(forward - exact), np.abs(central - exact)
    swapped = "the two arrays are swapped: return (forward_errors, central_errors)"
    harness.expect_close(
        forward_errors,
        expected_forward,
        f"{text}[0] (forward errors)",
        _FD_HINT,
        rtol=1e-6,
        atol=1e-12,
        mistakes=[(expected_central, swapped), (forward - exact, _SIGNED)],
    )
    harness.expect_close(
        central_errors,
        expected_central,
        f"{text}[1] (central errors)",
        _FD_HINT,
        rtol=1e-6,
        atol=1e-12,
        mistakes=[
            (np.abs(2 * central - exact), "the central difference divides by 2 h, not by h"),
            (central - exact, _SIGNED),
        ],
    )


_FORBID_FD_ERRORS = Forbidden(
    "fd_errors",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    "this exercise asks you to write the difference quotients yourself",
)


def fd_errors_basic(fn):
    """f = x^3 at x0 = 1 with h = 0.1 and 0.01: errors 3h + h^2 (forward) and h^2 (central)."""
    _check_fd(fn, cubic, cubic_derivative, 1.0, np.array([0.1, 0.01]))
    _FORBID_FD_ERRORS.check(fn)


def fd_errors_hidden(fn):
    """sin on a log grid of h from 1 to 1e-12 (truncation and round-off), exp, a list of h."""
    _check_fd(fn, np.sin, np.cos, 0.7, np.logspace(0, -12, 13))
    _check_fd(fn, np.exp, np.exp, -0.5, np.array([0.5, 1e-4, 1e-9]))
    _check_fd(fn, cubic, cubic_derivative, 2.0, [0.3])
    _FORBID_FD_ERRORS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · ca-dual · reference: dk.autodiff.Dual
# ---------------------------------------------------------------------------


def _check_dual(fn, name, args, expected, hint, mistakes):
    """The learner's dual number ``(value, derivative)`` against ``expected``, both numbers."""
    result, text = harness.call(fn, name, *args, hint=hint)
    value, derivative = harness.unpack(result, text, ("value", "derivative"))
    got = [harness.as_number(value, f"{text}[0]"), harness.as_number(derivative, f"{text}[1]")]
    harness.expect_close(got, expected, text, hint, rtol=1e-12, atol=1e-14, mistakes=mistakes)


_MUL_HINT = "(a + a' eps)(b + b' eps) = ab + (a' b + a b') eps, since eps^2 = 0 (product rule)"


def _check_dual_mul(fn, a, b):
    (u, du), (v, dv) = a, b
    mistakes = [
        ([u * v, du * dv], "the eps part is not a' b'; it is a' b + a b' (product rule)"),
        ([u * v, du + dv], "the eps part is a' b + a b', not a' + b'"),
    ]
    _check_dual(fn, "dual_mul", (a, b), [u * v, du * v + u * dv], _MUL_HINT, mistakes)


def dual_mul_basic(fn):
    """(3, 1) * (2, 0) = (6, 2): x times the constant 2 at x = 3; then x * x at x = 2."""
    _check_dual_mul(fn, (3.0, 1.0), (2.0, 0.0))
    _check_dual_mul(fn, (2.0, 1.0), (2.0, 1.0))


def dual_mul_hidden(fn):
    """Random dual numbers (no 1s or 0s to hide a missing term), then a zero value."""
    rng = np.random.default_rng(4107)
    for _ in range(4):
        a, b = rng.standard_normal(2), rng.standard_normal(2)
        _check_dual_mul(fn, tuple(map(float, a)), tuple(map(float, b)))
    _check_dual_mul(fn, (0.0, 1.0), (5.0, -2.0))


def _check_dual_unary(fn, name, a, f, df):
    """``name((u, u')) = (f(u), f'(u) u')``, with ``f`` and ``f'`` from ``math``."""
    u, du = a
    hint = (
        f"{name}((a, a')) = ({f.__name__}(a), {f.__name__}'(a) * a'): the chain rule "
        "multiplies by the incoming derivative a'"
    )
    mistakes = [([f(u), df(u)], "multiply the derivative by the incoming a' (chain rule)")]
    _check_dual(fn, name, (a,), [f(u), df(u) * du], hint, mistakes)


def dual_sin_basic(fn):
    """sin at (0, 1) gives (0, 1); at (pi/2, 1) gives (1, 0)."""
    _check_dual_unary(fn, "dual_sin", (0.0, 1.0), math.sin, math.cos)
    _check_dual_unary(fn, "dual_sin", (math.pi / 2, 1.0), math.sin, math.cos)


def dual_sin_hidden(fn):
    """Incoming derivatives other than 1 (the chain rule), negative and zero a'."""
    for a in [(0.7, 2.5), (-1.2, -0.5), (3.0, 0.0), (2.0, 4.0)]:
        _check_dual_unary(fn, "dual_sin", a, math.sin, math.cos)


def dual_exp_basic(fn):
    """exp at (0, 1) gives (1, 1)."""
    _check_dual_unary(fn, "dual_exp", (0.0, 1.0), math.exp, math.exp)


def dual_exp_hidden(fn):
    """Incoming derivatives other than 1 (the chain rule), negative and zero a'."""
    for a in [(1.0, 3.0), (-2.0, -0.5), (0.5, 0.0), (2.0, 1.5)]:
        _check_dual_unary(fn, "dual_exp", a, math.exp, math.exp)


# ---------------------------------------------------------------------------
# Exercise 8 · ca-graph-backward · reference: dk.autodiff.Tensor
# ---------------------------------------------------------------------------

_GRAPH_HINT = (
    "sweep backwards from f_bar = 1: v3_bar = f_bar * v4, v4_bar = f_bar * v3, then x_bar "
    "collects v3_bar * (y + cos x) and y_bar collects v3_bar * x + v4_bar * (-v4): a variable "
    "used twice receives the sum of both contributions"
)


def _check_graph(fn, x, y):
    result, text = harness.call(fn, "graph_backward", x, y, hint=_GRAPH_HINT)
    f, dfdx, dfdy = harness.unpack(result, text, ("f", "dfdx", "dfdy"))
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    value = (x * y + np.sin(x)) * np.exp(-y)
    grad_x, grad_y = oracles.gradients(lambda s, t: ((s * t + s.sin()) * (-t).exp()).sum(), x, y)
    harness.expect_close(
        f,
        value,
        f"{text}[0] (the value f)",
        "f = (x * y + sin(x)) * exp(-y)",
        rtol=1e-10,
        atol=1e-12,
    )
    x_mistakes = [
        (y * np.exp(-y), "x feeds two nodes (x * y and sin x): add both contributions"),
        (np.cos(x) * np.exp(-y), "x feeds two nodes (x * y and sin x): add both"),
    ]
    harness.expect_close(
        dfdx,
        grad_x,
        f"{text}[1] (df/dx)",
        _GRAPH_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=x_mistakes,
    )
    y_mistakes = [
        (x * np.exp(-y), "y also feeds exp(-y): add the path through v4 = exp(-y)"),
        (-value, "y also feeds x * y: add the path through v1 = x * y"),
        (x * np.exp(-y) + value, "d/dy exp(-y) = -exp(-y): mind the sign"),
    ]
    harness.expect_close(
        dfdy,
        grad_y,
        f"{text}[2] (df/dy)",
        _GRAPH_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=y_mistakes,
    )


_FORBID_GRAPH_BACKWARD = Forbidden(
    "graph_backward",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    (
        "this exercise asks you to apply the chain rule through the graph yourself, without "
        "automatic differentiation"
    ),
)


def graph_backward_basic(fn):
    """x = 1, y = 0: f = sin(1), df/dx = 1 + cos(1), df/dy = 1 - sin(1)."""
    _check_graph(fn, 1.0, 0.0)
    _FORBID_GRAPH_BACKWARD.check(fn)


def graph_backward_hidden(fn):
    """Random arrays (elementwise), negative values, a point where cos x < 0."""
    rng = np.random.default_rng(4108)
    _check_graph(fn, 2.0, 1.5)
    _check_graph(fn, rng.uniform(-2, 2, 6), rng.uniform(-1, 2, 6))
    _check_graph(fn, rng.uniform(-3, 3, (2, 3)), rng.uniform(-1, 1, (2, 3)))
    _FORBID_GRAPH_BACKWARD.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · ca-matmul-backward · reference: dk.autodiff.Tensor.__matmul__
# ---------------------------------------------------------------------------

_MATMUL_HINT = (
    "for C = A B with upstream gradient G = dL/dC: dA = G B^T (shape of A) and dB = A^T G "
    "(shape of B); check the shapes: (m, p) (p, n) -> (m, n)"
)


def _check_matmul_backward(fn, A, B, G):
    result, text = harness.call(fn, "matmul_backward", A, B, G, hint=_MATMUL_HINT)
    dA, dB = harness.unpack(result, text, ("dA", "dB"))
    expected_dA, expected_dB = oracles.vector_jacobian_products(lambda a, b: a @ b, (A, B), G)
    # a product whose shapes do not fit raises, and the harness skips that mistake
    dA_mistakes = [
        (lambda: B.T @ G, "dA = G B^T, with G on the left"),
        (lambda: G @ B, "transpose B: dA = G B^T"),
        (expected_dA.T, "that is dA transposed: dA = G B^T has the shape of A"),
    ]
    harness.expect_close(
        dA,
        expected_dA,
        f"{text}[0] (dA)",
        _MATMUL_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=dA_mistakes,
    )
    dB_mistakes = [
        (lambda: G @ A.T, "dB = A^T G, with A^T on the left"),
        (lambda: A @ G, "transpose A: dB = A^T G"),
        (expected_dB.T, "that is dB transposed: dB = A^T G has the shape of B"),
    ]
    harness.expect_close(
        dB,
        expected_dB,
        f"{text}[1] (dB)",
        _MATMUL_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=dB_mistakes,
    )


_FORBID_MATMUL_BACKWARD = Forbidden(
    "matmul_backward",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    (
        "this exercise asks you to write the backward rule of the matrix product yourself, "
        "without automatic differentiation"
    ),
)


def matmul_backward_basic(fn):
    """A (2, 3), B (3, 2) and G of ones."""
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    B = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    _check_matmul_backward(fn, A, B, np.ones((2, 2)))
    _FORBID_MATMUL_BACKWARD.check(fn)


def matmul_backward_hidden(fn):
    """Square (where transposes hide), tall, wide and vector-like shapes, random G."""
    rng = np.random.default_rng(4109)
    for m, p, n in [(3, 3, 3), (5, 2, 4), (1, 6, 3), (4, 3, 1)]:
        _check_matmul_backward(
            fn,
            rng.standard_normal((m, p)),
            rng.standard_normal((p, n)),
            rng.standard_normal((m, n)),
        )
    _FORBID_MATMUL_BACKWARD.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · ca-log-softmax-backward · reference: dk.autodiff.Tensor.log_softmax
# ---------------------------------------------------------------------------

_LOGSOFTMAX_HINT = (
    "for y = log_softmax(z) along each row: dz = g - softmax(z) * sum(g, axis=1, keepdims=True), "
    "with softmax computed stably (subtract the row maximum)"
)


def _check_log_softmax_backward(fn, z, g):
    (expected,) = oracles.vector_jacobian_products(lambda t: t.log_softmax(dim=1), (z,), g)
    z, g = np.asarray(z, dtype=float), np.asarray(g, dtype=float)
    s = _softmax(z, axis=1)  # (n, k)
    row_sums = g.sum(axis=1, keepdims=True)  # (n, 1)
    mistakes = [
        (
            lambda: g - _unstable_softmax(z, axis=1) * row_sums,
            "exp overflowed: subtract the row maximum before exponentiating",
        ),
        (g - s, "multiply softmax(z) by the row sum of g: dz = g - s * sum(g)"),
        (g - s * g.sum(axis=0, keepdims=True), "sum g over each row (axis=1), not each column"),
        (g - s * g.sum(), "sum g over each row (axis=1, keepdims=True), not over everything"),
        (
            s * (g - (g * s).sum(axis=1, keepdims=True)),
            "that is the backward of softmax; for log-softmax, dz = g - s * sum(g)",
        ),
    ]
    harness.expect_returns(
        fn,
        "log_softmax_backward",
        (z, g),
        expected,
        _LOGSOFTMAX_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_LOG_SOFTMAX_BACKWARD = Forbidden(
    "log_softmax_backward",
    ("torch", "dlkit.autodiff", "jax", "autograd"),
    (
        "this exercise asks you to write the backward rule of log-softmax yourself, without "
        "automatic differentiation"
    ),
)


def log_softmax_backward_basic(fn):
    """One row z = (0, 0) with g = (2, 0): dz = g - (1/2, 1/2) * 2 = (1, -1)."""
    _check_log_softmax_backward(fn, np.array([[0.0, 0.0]]), np.array([[2.0, 0.0]]))
    _FORBID_LOG_SOFTMAX_BACKWARD.check(fn)


def log_softmax_backward_hidden(fn):
    """Several rows (axis!), a non-square batch, huge logits, one class."""
    rng = np.random.default_rng(4110)
    _check_log_softmax_backward(fn, rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))
    _check_log_softmax_backward(fn, rng.standard_normal((3, 3)), rng.standard_normal((3, 3)))
    _check_log_softmax_backward(
        fn, np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]]), rng.standard_normal((2, 3))
    )
    _check_log_softmax_backward(fn, np.array([[2.0], [-1.0]]), np.array([[1.0], [3.0]]))
    _FORBID_LOG_SOFTMAX_BACKWARD.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · ca-gradient-check · reference: dk.testing.grad_check
# ---------------------------------------------------------------------------

_GRADCHECK_HINT = (
    "compute g = grad_f(x) and n = central differences of f (step eps) in the shape of x, then "
    "return max over entries of |g - n| / max(|g|, |n|, 1e-12) as one float"
)


def _relative_errors(f, grad_f, x, eps=1e-6):
    """|g - n| / max(|g|, |n|, 1e-12) entry by entry, flattened: (x.size,)."""
    analytic = np.asarray(grad_f(x), dtype=float).reshape(-1)
    numeric = np.zeros_like(analytic)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = eps
        up, down = x + step.reshape(x.shape), x - step.reshape(x.shape)
        numeric[i] = (f(up) - f(down)) / (2 * eps)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    return np.abs(analytic - numeric) / scale


def _gradient_check(fn, f, grad_f, x):
    """The learner's number, the call text and the relative errors entry by entry."""
    result, text = harness.call(fn, "gradient_check", f, grad_f, x, hint=_GRADCHECK_HINT)
    errors = _relative_errors(f, grad_f, np.asarray(x, dtype=float))
    return harness.as_number(result, text), text, errors


def _check_finds_the_bug(fn, f, grad_f, x):
    """grad_f has a planted bug: the answer must be the largest relative error."""
    value, text, errors = _gradient_check(fn, f, grad_f, x)
    mistakes = [
        (errors[0], "take the maximum over all entries, not the first entry"),
        (errors.mean(), "take the maximum over all entries, not the mean"),
    ]
    hint = (
        f"{grad_f.__name__} has a planted bug, so the largest relative error is large; "
        + _GRADCHECK_HINT
    )
    harness.expect_number(value, errors.max(), text, hint, rtol=0.02, atol=1e-6, mistakes=mistakes)


def _check_passes_the_gradient(fn, f, grad_f, x):
    """grad_f is right: the answer must be a small relative error (round-off only)."""
    value, text, errors = _gradient_check(fn, f, grad_f, x)
    hint = _GRADCHECK_HINT
    if math.isnan(value):
        hint = "where both gradients are 0 the ratio is 0/0: keep the floor 1e-12 in the scale"
    harness.expect(
        0.0 <= value < 1e-5,
        f"{text} returned {harness.show(value)} for a correct gradient, expected a relative "
        f"error below 1e-5 (about {errors.max():.1g}); hint: {hint}",
    )


_FORBID_GRADIENT_CHECK = Forbidden(
    "gradient_check",
    ("torch", "dlkit.autodiff", "jax", "autograd", "dlkit.testing.grad_check"),
    (
        "this exercise asks you to compare the gradients yourself (dk.testing.numeric_grad may "
        "give the numeric one)"
    ),
)


def gradient_check_basic(fn):
    """Rosenbrock with its exact gradient (small error) and with a planted bug (large error)."""
    x = np.array([0.5, -1.0, 1.5])
    _check_passes_the_gradient(fn, rosenbrock, rosenbrock_grad, x)
    _check_finds_the_bug(fn, rosenbrock, rosenbrock_grad_buggy, x)
    _FORBID_GRADIENT_CHECK.check(fn)


def gradient_check_hidden(fn):
    """A bug in the last entry only (max, not first/mean), 2-D x, zero gradients (no 0/0)."""
    rng = np.random.default_rng(4111)
    x = rng.uniform(-1, 1, 6)
    _check_passes_the_gradient(fn, log_cosh_sum, log_cosh_grad, x)
    _check_finds_the_bug(fn, log_cosh_sum, log_cosh_grad_last_entry_wrong, x)
    X = rng.uniform(-1, 1.5, (2, 3))
    _check_passes_the_gradient(fn, rosenbrock, rosenbrock_grad, X)
    _check_finds_the_bug(fn, rosenbrock, rosenbrock_grad_buggy, X)
    _check_passes_the_gradient(fn, log_cosh_sum, log_cosh_grad, np.zeros(3))
    _FORBID_GRADIENT_CHECK.check(fn)
