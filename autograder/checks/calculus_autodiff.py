"""Checks for module 04, calculus and automatic differentiation.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: forward instead of central
differences, a missing inner derivative, a missing factorial, transposed backward
rules, a forgotten branch of the graph, overflowing softmax, ...). The oracles are
closed forms and torch.autograd; nothing here uses dlkit or the learner's other answers.

Exercises that take a function argument get one of the module-level functions below
(or a numpy ufunc), never a lambda, so that only plain data crosses to the learner.
"""

import math

import numpy as np
import torch

from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    diagnose,
    expect,
    expect_close,
    show,
)

# ---------------------------------------------------------------------------
# Functions handed to the learner's code (module level, so they cross as plain names)
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


def rosenbrock_grad(x):
    """The exact gradient of :func:`rosenbrock`, in the shape of x."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    grad = np.zeros_like(flat)
    inner = flat[1:] - flat[:-1] ** 2  # (n - 1,)
    grad[:-1] += -400.0 * flat[:-1] * inner - 2.0 * (1.0 - flat[:-1])
    grad[1:] += 200.0 * inner
    return grad.reshape(x.shape)


def rosenbrock_grad_buggy(x):
    """The gradient of :func:`rosenbrock` with a planted bug: the 200 became 100."""
    x = np.asarray(x, dtype=float)
    flat = x.reshape(-1)
    grad = np.zeros_like(flat)
    inner = flat[1:] - flat[:-1] ** 2
    grad[:-1] += -400.0 * flat[:-1] * inner - 2.0 * (1.0 - flat[:-1])
    grad[1:] += 100.0 * inner
    return grad.reshape(x.shape)


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
# Shared helpers
# ---------------------------------------------------------------------------


def _pair(result, text, what):
    """The learner's 2-tuple ``result``, or CheckFailed naming ``what``."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a pair {what}; "
            "hint: end the function with `return first, second`"
        )
    return tuple(result)


def _triple(result, text, what):
    if not isinstance(result, tuple | list) or len(result) != 3:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected three values {what}; "
            "hint: end the function with `return f, dfdx, dfdy`"
        )
    return tuple(result)


def _torch(array):
    return torch.tensor(np.asarray(array, dtype=float), dtype=torch.float64, requires_grad=True)


# ---------------------------------------------------------------------------
# 1. Central-difference gradient
# ---------------------------------------------------------------------------

_CENTRAL_HINT = (
    "for each entry i, df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h): perturb one entry "
    "of a float copy of x up and down by h, and put it back before the next entry"
)


def _central_hint(got, exact_forward, exact_one_h):
    return diagnose(
        got,
        _CENTRAL_HINT,
        [
            (exact_one_h, "you divided by h; the central difference divides by 2 h"),
            (
                exact_forward,
                "that is the forward difference (f(x + h) - f(x)) / h; "
                "use the central one, (f(x + h) - f(x - h)) / (2 h)",
            ),
        ],
    )


def _check_central(fn, f, x, h, expected, rtol, atol, forward=None, one_h=None):
    got, text = call(fn, "central_diff_grad", f, x, h, hint=_CENTRAL_HINT)
    hint = _CENTRAL_HINT if forward is None else _central_hint(got, forward, one_h)
    expect_close(got, expected, text, hint, rtol=rtol, atol=atol)


def _cubic_cases(x, h):
    """For f = sum x^3: exact central, forward and 'divided by h' quotients."""
    central = 3 * x**2 + h**2
    forward = 3 * x**2 + 3 * x * h + h**2
    return central, forward, 2 * central


def central_diff_grad_basic(fn):
    """f = sum x^3 at x = (1, 2) with h = 0.1: the central quotient is 3 x^2 + h^2 exactly."""
    x, h = np.array([1.0, 2.0]), 0.1
    central, forward, one_h = _cubic_cases(x, h)
    _check_central(fn, cubic_sum, x, h, central, 1e-9, 1e-9, forward, one_h)


def central_diff_grad_hidden(fn):
    """The h argument is used, 2-D inputs keep their shape, Rosenbrock and log-cosh gradients."""
    rng = np.random.default_rng(4101)
    for h in (0.05, 1e-3):
        x = rng.standard_normal(5)
        central, forward, one_h = _cubic_cases(x, h)
        _check_central(fn, cubic_sum, x, h, central, 1e-7, 1e-9, forward, one_h)
    x = rng.uniform(-1.5, 1.5, (3, 2))
    _check_central(fn, rosenbrock, x, 1e-5, rosenbrock_grad(x), 1e-6, 1e-6)
    x = rng.standard_normal(7)
    _check_central(fn, log_cosh_sum, x, 1e-5, np.tanh(x), 1e-7, 1e-8)
    _check_central(fn, log_cosh_sum, np.array([0.25]), 1e-5, np.tanh([0.25]), 1e-7, 1e-8)


# ---------------------------------------------------------------------------
# 2. Jacobian of softmax
# ---------------------------------------------------------------------------

_JACOBIAN_HINT = (
    "J[i, j] = d s_i / d z_j = s_i (delta_ij - s_j), i.e. np.diag(s) - np.outer(s, s), "
    "with s = softmax(z) computed stably (subtract max(z) first)"
)


def _softmax_jacobian_oracle(z):
    return torch.autograd.functional.jacobian(
        lambda t: torch.softmax(t, dim=0), torch.tensor(z, dtype=torch.float64)
    ).numpy()


def _check_softmax_jacobian(fn, z):
    got, text = call(fn, "softmax_jacobian", z, hint=_JACOBIAN_HINT)
    expected = _softmax_jacobian_oracle(z)
    s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    hint = diagnose(
        got,
        _JACOBIAN_HINT,
        [
            (-np.outer(s, s), "the diagonal is missing: add diag(s) to -s s^T"),
            (np.diag(s), "the off-diagonal terms -s_i s_j are missing"),
            (np.diag(s) + np.outer(s, s), "the outer product enters with a minus sign"),
            (np.diag(s - s**2), "the off-diagonal terms -s_i s_j are missing"),
        ],
    )
    if not np.isfinite(as_float_array(got, text)).all():
        hint = "exp overflowed: subtract max(z) before exponentiating; " + hint
    expect_close(got, expected, text, hint, rtol=1e-9, atol=1e-12)


def softmax_jacobian_basic(fn):
    """z = (0, 0): s = (1/2, 1/2), J = [[1/4, -1/4], [-1/4, 1/4]]; then a 3-vector."""
    _check_softmax_jacobian(fn, np.array([0.0, 0.0]))
    _check_softmax_jacobian(fn, np.array([1.0, 2.0, 0.5]))


def softmax_jacobian_hidden(fn):
    """Random sizes, a single class, huge logits (overflow) and integer input."""
    rng = np.random.default_rng(4102)
    for k in (4, 7):
        _check_softmax_jacobian(fn, 2.0 * rng.standard_normal(k))
    _check_softmax_jacobian(fn, np.array([3.0]))
    _check_softmax_jacobian(fn, np.array([1000.0, 999.0, -1000.0]))
    _check_softmax_jacobian(fn, np.array([2, 0, 1]))


# ---------------------------------------------------------------------------
# 3. Gradient and Hessian of a quadratic
# ---------------------------------------------------------------------------

_QUADRATIC_HINT = (
    "for f(x) = 1/2 x^T A x + b^T x the gradient is 1/2 (A + A^T) x + b and the Hessian "
    "is 1/2 (A + A^T); they reduce to A x + b and A only when A is symmetric"
)


def _quadratic_oracle(A, b, x):
    At, bt = torch.tensor(A, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)

    def f(v):
        return 0.5 * v @ At @ v + bt @ v

    point = torch.tensor(x, dtype=torch.float64)
    grad = torch.autograd.functional.jacobian(f, point).numpy()
    hess = torch.autograd.functional.hessian(f, point).numpy()
    return grad, hess


def _check_quadratic(fn, A, b, x):
    result, text = call(fn, "quadratic_grad_hess", A, b, x, hint=_QUADRATIC_HINT)
    grad, hess = _pair(result, text, "(gradient, Hessian)")
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    expected_grad, expected_hess = _quadratic_oracle(A, b, x)
    grad_hint = diagnose(
        grad,
        _QUADRATIC_HINT,
        [
            (A @ x + b, "A x + b is only right for symmetric A; use 1/2 (A + A^T) x + b"),
            (0.5 * A @ x + b, "differentiate both factors of x^T A x: 1/2 (A + A^T) x + b"),
            (A.T @ x + b, "A^T x + b is only right for symmetric A; use 1/2 (A + A^T) x + b"),
        ],
    )
    expect_close(grad, expected_grad, f"{text}[0] (the gradient)", grad_hint, 1e-9, 1e-10)
    hess_hint = diagnose(
        hess,
        _QUADRATIC_HINT,
        [
            (A, "the Hessian of 1/2 x^T A x is the symmetric part 1/2 (A + A^T), not A"),
            (A + A.T, "mind the 1/2 in f: the Hessian is 1/2 (A + A^T)"),
        ],
    )
    expect_close(hess, expected_hess, f"{text}[1] (the Hessian)", hess_hint, 1e-9, 1e-10)


def quadratic_grad_hess_basic(fn):
    """A symmetric 2 x 2 example: gradient A x + b, Hessian A."""
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    _check_quadratic(fn, A, np.array([1.0, -1.0]), np.array([0.5, 2.0]))


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


# ---------------------------------------------------------------------------
# 4. The chain rule on sin(x^2)
# ---------------------------------------------------------------------------

_CHAIN_HINT = (
    "with u = x^2, d/dx sin(u) = cos(u) * du/dx = cos(x^2) * 2x: the outer derivative at "
    "the inner value, times the inner derivative"
)


def _check_chain(fn, x):
    got, text = call(fn, "d_sin_x2", x, hint=_CHAIN_HINT)
    x = np.asarray(x, dtype=float)
    hint = diagnose(
        got,
        _CHAIN_HINT,
        [
            (np.cos(x**2), "the inner derivative 2x is missing: multiply cos(x^2) by 2x"),
            (
                2 * x * np.cos(x),
                "evaluate the outer derivative at the inner value: cos(x^2), not cos(x)",
            ),
            (np.cos(2 * x), "cos(2x) is not the derivative; the chain rule gives cos(x^2) * 2x"),
            (2 * np.cos(x**2), "the inner derivative of x^2 is 2x, not 2"),
        ],
    )
    expect_close(got, 2 * x * np.cos(x**2), text, hint, rtol=1e-10, atol=1e-12)


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
# 5. Taylor polynomial
# ---------------------------------------------------------------------------

_TAYLOR_HINT = (
    "T_n(x) = sum over k = 0..n of derivs[k] / k! * (x - a)**k, where derivs[k] = f^(k)(a) "
    "and n = len(derivs) - 1; it must work for an array x"
)


def _taylor(derivs, a, x, shift=0, centred=True, factorial=True):
    x = np.asarray(x, dtype=float)
    total = np.zeros_like(x)
    for k, d in enumerate(derivs):
        scale = math.factorial(k + shift) if factorial else 1.0
        total = total + d / scale * ((x - a) if centred else x) ** k
    return total


def _check_taylor(fn, derivs, a, x):
    got, text = call(fn, "taylor_poly", derivs, a, x, hint=_TAYLOR_HINT)
    expected = _taylor(derivs, a, x)
    hint = diagnose(
        got,
        _TAYLOR_HINT,
        [
            (_taylor(derivs, a, x, factorial=False), "divide the k-th term by k!"),
            (_taylor(derivs, a, x, centred=False), "the powers are of (x - a), not of x"),
            (_taylor(derivs, a, x, shift=1), "the k-th term divides by k!, not (k + 1)!"),
            (
                _taylor(derivs[:-1], a, x),
                "include every derivative: k runs from 0 to len(derivs) - 1 inclusive",
            ),
        ],
    )
    expect_close(got, expected, text, hint, rtol=1e-10, atol=1e-12)


def taylor_poly_basic(fn):
    """exp about 0 with three terms: 1 + x + x^2/2."""
    _check_taylor(fn, [1.0, 1.0, 1.0], 0.0, np.array([0.0, 0.5, 1.0, -1.0]))


def taylor_poly_hidden(fn):
    """Another centre (sin about 1), one term, a scalar x, many terms of exp against exp."""
    a = 1.0
    sin_derivs = [math.sin(a + k * math.pi / 2) for k in range(6)]
    _check_taylor(fn, sin_derivs, a, np.linspace(-1.0, 3.0, 9))
    _check_taylor(fn, [2.5], 3.0, np.array([1.0, 2.0]))
    _check_taylor(fn, [0.0, 1.0, -1.0, 2.0], -0.5, 0.25)
    x = np.array([-1.0, 0.3, 1.0])
    got, text = call(fn, "taylor_poly", [1.0] * 20, 0.0, x, hint=_TAYLOR_HINT)
    expect_close(
        got,
        np.exp(x),
        text,
        "20 terms of exp's series must match exp(x) to round-off; " + _TAYLOR_HINT,
        rtol=1e-12,
        atol=1e-14,
    )


# ---------------------------------------------------------------------------
# 6. Finite-difference error against the step size
# ---------------------------------------------------------------------------

_FD_HINT = (
    "for each h: forward = (f(x0 + h) - f(x0)) / h, central = (f(x0 + h) - f(x0 - h)) / (2 h); "
    "return the absolute errors |estimate - df(x0)| as two arrays shaped like hs"
)


def _fd_oracle(f, df, x0, hs):
    hs = np.asarray(hs, dtype=float)
    exact = df(x0)
    forward = np.array([abs((f(x0 + h) - f(x0)) / h - exact) for h in hs])
    central = np.array([abs((f(x0 + h) - f(x0 - h)) / (2 * h) - exact) for h in hs])
    return forward, central


def _check_fd(fn, f, df, x0, hs):
    result, text = call(fn, "fd_errors", f, df, x0, hs, hint=_FD_HINT)
    forward, central = _pair(result, text, "(forward_errors, central_errors)")
    expected_forward, expected_central = _fd_oracle(f, df, x0, hs)
    swapped = "the two arrays are swapped: return (forward_errors, central_errors)"
    forward_hint = diagnose(forward, _FD_HINT, [(expected_central, swapped)])
    expect_close(
        forward,
        expected_forward,
        f"{text}[0] (forward errors)",
        forward_hint,
        rtol=1e-6,
        atol=1e-12,
    )
    divided_by_h = np.abs(2 * _central_estimates(f, x0, hs) - df(x0))
    central_hint = diagnose(
        central, _FD_HINT, [(divided_by_h, "the central difference divides by 2 h, not by h")]
    )
    expect_close(
        central,
        expected_central,
        f"{text}[1] (central errors)",
        central_hint,
        rtol=1e-6,
        atol=1e-12,
    )


def _central_estimates(f, x0, hs):
    return np.array([(f(x0 + h) - f(x0 - h)) / (2 * h) for h in np.asarray(hs, dtype=float)])


def fd_errors_basic(fn):
    """f = x^3 at x0 = 1 with h = 0.1 and 0.01: errors 3h + h^2 (forward) and h^2 (central)."""
    _check_fd(fn, cubic, cubic_derivative, 1.0, np.array([0.1, 0.01]))


def fd_errors_hidden(fn):
    """sin on a log grid of h from 1 to 1e-12 (truncation and round-off), exp, a list of h."""
    _check_fd(fn, np.sin, np.cos, 0.7, np.logspace(0, -12, 13))
    _check_fd(fn, np.exp, np.exp, -0.5, np.array([0.5, 1e-4, 1e-9]))
    _check_fd(fn, cubic, cubic_derivative, 2.0, [0.3])


# ---------------------------------------------------------------------------
# 7. Dual numbers as (value, derivative) pairs
# ---------------------------------------------------------------------------


def _check_dual(fn, name, args, expected, hint, mistakes):
    result, text = call(fn, name, *args, hint=hint)
    value, deriv = _pair(result, text, "(value, derivative)")
    value, deriv = as_number(value, f"{text}[0]"), as_number(deriv, f"{text}[1]")
    got = np.array([value, deriv])
    expect_close(got, expected, text, diagnose(got, hint, mistakes), rtol=1e-12, atol=1e-14)


_MUL_HINT = "(a + a' eps)(b + b' eps) = ab + (a' b + a b') eps, since eps^2 = 0 (product rule)"


def _check_dual_mul(fn, a, b):
    (u, du), (v, dv) = a, b
    _check_dual(
        fn,
        "dual_mul",
        (a, b),
        [u * v, du * v + u * dv],
        _MUL_HINT,
        [
            ([u * v, du * dv], "the eps part is not a' b'; it is a' b + a b' (product rule)"),
            ([u * v, du + dv], "the eps part is a' b + a b', not a' + b'"),
        ],
    )


def dual_mul_basic(fn):
    """(3, 1) * (2, 0) = (6, 2): x times the constant 2 at x = 3; then x * x at x = 2."""
    _check_dual_mul(fn, (3.0, 1.0), (2.0, 0.0))
    _check_dual_mul(fn, (2.0, 1.0), (2.0, 1.0))


def dual_mul_hidden(fn):
    rng = np.random.default_rng(4107)
    for _ in range(4):
        a, b = tuple(rng.standard_normal(2)), tuple(rng.standard_normal(2))
        _check_dual_mul(fn, tuple(map(float, a)), tuple(map(float, b)))
    _check_dual_mul(fn, (0.0, 1.0), (5.0, -2.0))


def _check_dual_unary(fn, name, a, f, df, outer_name):
    u, du = a
    hint = (
        f"{name}((a, a')) = ({outer_name}(a), {outer_name}'(a) * a'): the chain rule multiplies "
        "by the incoming derivative a'"
    )
    _check_dual(
        fn,
        name,
        (a,),
        [f(u), df(u) * du],
        hint,
        [([f(u), df(u)], "multiply the derivative by the incoming a' (chain rule)")],
    )


def dual_sin_basic(fn):
    """sin at (0, 1) gives (0, 1); at (pi/2, 1) gives (1, 0)."""
    _check_dual_unary(fn, "dual_sin", (0.0, 1.0), math.sin, math.cos, "sin")
    _check_dual_unary(fn, "dual_sin", (math.pi / 2, 1.0), math.sin, math.cos, "sin")


def dual_sin_hidden(fn):
    """Incoming derivatives other than 1 (the chain rule), negative and zero a'."""
    for a in [(0.7, 2.5), (-1.2, -0.5), (3.0, 0.0), (2.0, 4.0)]:
        _check_dual_unary(fn, "dual_sin", a, math.sin, math.cos, "sin")


def dual_exp_basic(fn):
    """exp at (0, 1) gives (1, 1)."""
    _check_dual_unary(fn, "dual_exp", (0.0, 1.0), math.exp, math.exp, "exp")


def dual_exp_hidden(fn):
    for a in [(1.0, 3.0), (-2.0, -0.5), (0.5, 0.0), (2.0, 1.5)]:
        _check_dual_unary(fn, "dual_exp", a, math.exp, math.exp, "exp")


# ---------------------------------------------------------------------------
# 8. Reverse mode by hand on a small graph
# ---------------------------------------------------------------------------

_GRAPH_HINT = (
    "sweep backwards from f_bar = 1: v3_bar = f_bar * v4, v4_bar = f_bar * v3, then x_bar "
    "collects v3_bar * (y + cos x) and y_bar collects v3_bar * x + v4_bar * (-v4): a variable "
    "used twice receives the sum of both contributions"
)


def _graph_oracle(x, y):
    xt, yt = _torch(x), _torch(y)
    f = (xt * yt + torch.sin(xt)) * torch.exp(-yt)
    f.sum().backward()
    return f.detach().numpy(), xt.grad.numpy(), yt.grad.numpy()


def _check_graph(fn, x, y):
    result, text = call(fn, "graph_backward", x, y, hint=_GRAPH_HINT)
    f, dfdx, dfdy = _triple(result, text, "(f, df/dx, df/dy)")
    expected_f, expected_x, expected_y = _graph_oracle(x, y)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    expect_close(
        f, expected_f, f"{text}[0] (the value f)", "f = (x * y + sin(x)) * exp(-y)", 1e-10, 1e-12
    )
    x_hint = diagnose(
        dfdx,
        _GRAPH_HINT,
        [
            (y * np.exp(-y), "x feeds two nodes (x * y and sin x): add both contributions"),
            (np.cos(x) * np.exp(-y), "x feeds two nodes (x * y and sin x): add both"),
        ],
    )
    expect_close(dfdx, expected_x, f"{text}[1] (df/dx)", x_hint, 1e-10, 1e-12)
    y_hint = diagnose(
        dfdy,
        _GRAPH_HINT,
        [
            (x * np.exp(-y), "y also feeds exp(-y): add the path through v4 = exp(-y)"),
            (-expected_f, "y also feeds x * y: add the path through v1 = x * y"),
            (x * np.exp(-y) + expected_f, "d/dy exp(-y) = -exp(-y): mind the sign"),
        ],
    )
    expect_close(dfdy, expected_y, f"{text}[2] (df/dy)", y_hint, 1e-10, 1e-12)


def graph_backward_basic(fn):
    """x = 1, y = 0: f = sin(1), df/dx = 1 + cos(1), df/dy = 1 - sin(1)."""
    _check_graph(fn, 1.0, 0.0)


def graph_backward_hidden(fn):
    """Random arrays (elementwise), negative values, a point where cos x < 0."""
    rng = np.random.default_rng(4108)
    _check_graph(fn, 2.0, 1.5)
    _check_graph(fn, rng.uniform(-2, 2, 6), rng.uniform(-1, 2, 6))
    _check_graph(fn, rng.uniform(-3, 3, (2, 3)), rng.uniform(-1, 1, (2, 3)))


# ---------------------------------------------------------------------------
# 9. Backward rule of matmul
# ---------------------------------------------------------------------------

_MATMUL_HINT = (
    "for C = A B with upstream gradient G = dL/dC: dA = G B^T (shape of A) and dB = A^T G "
    "(shape of B); check the shapes: (m, p) (p, n) -> (m, n)"
)


def _check_matmul_backward(fn, A, B, G):
    result, text = call(fn, "matmul_backward", A, B, G, hint=_MATMUL_HINT)
    dA, dB = _pair(result, text, "(dA, dB)")
    At, Bt = _torch(A), _torch(B)
    (At @ Bt).backward(torch.tensor(np.asarray(G, dtype=float)))
    A, B, G = (np.asarray(v, dtype=float) for v in (A, B, G))
    expect_close(
        dA, At.grad.numpy(), f"{text}[0] (dA)", _matmul_hint(dA, A, B, G, "A"), 1e-10, 1e-12
    )
    expect_close(
        dB, Bt.grad.numpy(), f"{text}[1] (dB)", _matmul_hint(dB, A, B, G, "B"), 1e-10, 1e-12
    )


def _matmul_hint(got, A, B, G, which):
    """The general hint, or a sharper one when ``got`` is a classic wrong product."""
    if which == "A":
        candidates = [(B.T, G, "dA = G B^T, with G on the left"), (G, B, "transpose B: dA = G B^T")]
    else:
        candidates = [
            (G, A.T, "dB = A^T G, with A^T on the left"),
            (A, G, "transpose A: dB = A^T G"),
        ]
    mistakes = [
        (left @ right, hint) for left, right, hint in candidates if left.shape[1] == right.shape[0]
    ]
    return diagnose(got, _MATMUL_HINT, mistakes)


def matmul_backward_basic(fn):
    """A (2, 3), B (3, 2) and G of ones."""
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    B = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
    _check_matmul_backward(fn, A, B, np.ones((2, 2)))


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


# ---------------------------------------------------------------------------
# 10. Backward rule of log-softmax
# ---------------------------------------------------------------------------

_LOGSOFTMAX_HINT = (
    "for y = log_softmax(z) along each row: dz = g - softmax(z) * sum(g, axis=1, keepdims=True), "
    "with softmax computed stably (subtract the row maximum)"
)


def _check_log_softmax_backward(fn, z, g):
    got, text = call(fn, "log_softmax_backward", z, g, hint=_LOGSOFTMAX_HINT)
    zt = _torch(z)
    torch.log_softmax(zt, dim=1).backward(torch.tensor(np.asarray(g, dtype=float)))
    z, g = np.asarray(z, dtype=float), np.asarray(g, dtype=float)
    s = np.exp(z - z.max(axis=1, keepdims=True))
    s /= s.sum(axis=1, keepdims=True)
    hint = diagnose(
        got,
        _LOGSOFTMAX_HINT,
        [
            (g - s, "multiply softmax(z) by the row sum of g: dz = g - s * sum(g)"),
            (g - s * g.sum(axis=0, keepdims=True), "sum g over each row (axis=1), not each column"),
            (g - s * g.sum(), "sum g over each row (axis=1, keepdims=True), not over everything"),
            (
                s * (g - (g * s).sum(axis=1, keepdims=True)),
                "that is the backward of softmax; for log-softmax, dz = g - s * sum(g)",
            ),
        ],
    )
    if not np.isfinite(as_float_array(got, text)).all():
        hint = "exp overflowed: subtract the row maximum before exponentiating; " + hint
    expect_close(got, zt.grad.numpy(), text, hint, rtol=1e-9, atol=1e-12)


def log_softmax_backward_basic(fn):
    """One row z = (0, 0) with g = (2, 0): dz = g - (1/2, 1/2) * 2 = (1, -1)."""
    _check_log_softmax_backward(fn, np.array([[0.0, 0.0]]), np.array([[2.0, 0.0]]))


def log_softmax_backward_hidden(fn):
    """Several rows (axis!), a non-square batch, huge logits, one class."""
    rng = np.random.default_rng(4110)
    _check_log_softmax_backward(fn, rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))
    _check_log_softmax_backward(fn, rng.standard_normal((3, 3)), rng.standard_normal((3, 3)))
    _check_log_softmax_backward(
        fn, np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]]), rng.standard_normal((2, 3))
    )
    _check_log_softmax_backward(fn, np.array([[2.0], [-1.0]]), np.array([[1.0], [3.0]]))


# ---------------------------------------------------------------------------
# 11. Gradient checking
# ---------------------------------------------------------------------------

_GRADCHECK_HINT = (
    "compute g = grad_f(x) and n = central differences of f (step eps) in the shape of x, then "
    "return max over entries of |g - n| / max(|g|, |n|, 1e-12) as one float"
)


def _relative_error(f, grad_f, x, eps=1e-6):
    analytic = np.asarray(grad_f(x), dtype=float)
    numeric = np.zeros_like(analytic)
    flat = x.reshape(-1).copy()
    for i in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[i] += eps
        down[i] -= eps
        numeric.reshape(-1)[i] = (f(up.reshape(x.shape)) - f(down.reshape(x.shape))) / (2 * eps)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / scale))


def _check_gradient_check(fn, f, grad_f, x, buggy):
    got, text = call(fn, "gradient_check", f, grad_f, x, hint=_GRADCHECK_HINT)
    value = as_number(got, text)
    expected = _relative_error(f, grad_f, np.asarray(x, dtype=float))
    if buggy:
        expect(
            math.isfinite(value) and abs(value - expected) <= 0.02 * expected,
            f"{text} returned {show(value)}, but {grad_f.__name__} has a planted bug and the "
            f"largest relative error is {expected:.4g}; hint: {_GRADCHECK_HINT} (take the "
            "maximum over all entries, not the first entry or the mean)",
        )
    else:
        expect(
            math.isfinite(value) and 0.0 <= value < 1e-5,
            f"{text} returned {show(value)} for a correct gradient, expected a relative error "
            f"below 1e-5 (about {expected:.1g}); hint: {_GRADCHECK_HINT}",
        )


def gradient_check_basic(fn):
    """Rosenbrock with its exact gradient (small error) and with a planted bug (large error)."""
    x = np.array([0.5, -1.0, 1.5])
    _check_gradient_check(fn, rosenbrock, rosenbrock_grad, x, buggy=False)
    _check_gradient_check(fn, rosenbrock, rosenbrock_grad_buggy, x, buggy=True)


def gradient_check_hidden(fn):
    """A bug in the last entry only (max, not first/mean), 2-D x, zero gradients (no 0/0)."""
    rng = np.random.default_rng(4111)
    x = rng.uniform(-1, 1, 6)
    _check_gradient_check(fn, log_cosh_sum, log_cosh_grad, x, buggy=False)
    _check_gradient_check(fn, log_cosh_sum, log_cosh_grad_last_entry_wrong, x, buggy=True)
    X = rng.uniform(-1, 1.5, (2, 3))
    _check_gradient_check(fn, rosenbrock, rosenbrock_grad, X, buggy=False)
    _check_gradient_check(fn, rosenbrock, rosenbrock_grad_buggy, X, buggy=True)
    _check_gradient_check(fn, log_cosh_sum, log_cosh_grad, np.zeros(3), buggy=False)
