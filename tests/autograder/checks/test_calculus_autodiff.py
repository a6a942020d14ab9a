"""The table of module 04's checks: references, other correct answers and mutants.

tests/autograder/checks/test_contract.py runs it (see its docstring).
"""

import math

import numpy as np
import pytest

from autograder.checks import calculus_autodiff as chk
from autograder.checks.harness import CheckFailed
from dlkit import autodiff
from dlkit.numerics import softmax
from dlkit.testing import numeric_grad

pytestmark = pytest.mark.usefixtures("one_thread")

# ---------------------------------------------------------------------------
# References: dlkit, or small wrappers around it
# ---------------------------------------------------------------------------


def central_diff_grad(f, x, h=1e-5):
    return numeric_grad(f, x, eps=h)


def softmax_jacobian(z):
    s = softmax(np.asarray(z, dtype=float))
    return np.diag(s) - np.outer(s, s)


def quadratic_grad_hess(A, b, x):
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    H = 0.5 * (A + A.T)
    return H @ x + b, H


def d_sin_x2(x):
    x = np.asarray(x, dtype=float)
    return np.cos(x**2) * 2 * x


def fd_errors(f, df, x0, hs):
    exact = df(x0)
    forward = autodiff.difference_quotient(f, x0, hs, scheme="forward")
    central = autodiff.difference_quotient(f, x0, hs, scheme="central")
    return np.abs(forward - exact), np.abs(central - exact)


def _dual_result(dual):
    return dual.value, dual.deriv


def dual_mul(a, b):
    return _dual_result(autodiff.Dual(*a) * autodiff.Dual(*b))


def dual_sin(a):
    return _dual_result(autodiff.sin(autodiff.Dual(*a)))


def dual_exp(a):
    return _dual_result(autodiff.exp(autodiff.Dual(*a)))


def graph_backward(x, y):
    x, y = autodiff.Tensor(x, requires_grad=True), autodiff.Tensor(y, requires_grad=True)
    f = (x * y + x.sin()) * (-y).exp()
    f.sum().backward()
    return f.numpy(), x.grad, y.grad


def matmul_backward(A, B, grad_out):
    A, B = autodiff.Tensor(A, requires_grad=True), autodiff.Tensor(B, requires_grad=True)
    (A @ B).backward(grad_out)
    return A.grad, B.grad


def log_softmax_backward(z, grad_out):
    z = autodiff.Tensor(z, requires_grad=True)
    z.log_softmax(axis=1).backward(grad_out)
    return z.grad


def gradient_check(f, grad_f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    analytic = np.asarray(grad_f(x.copy()), dtype=float)
    numeric = numeric_grad(f, x, eps=eps)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    return float(np.max(np.abs(analytic - numeric) / scale))


REFERENCES = {
    "central_diff_grad": central_diff_grad,
    "softmax_jacobian": softmax_jacobian,
    "quadratic_grad_hess": quadratic_grad_hess,
    "d_sin_x2": d_sin_x2,
    "taylor_poly": autodiff.taylor_polynomial,
    "fd_errors": fd_errors,
    "dual_mul": dual_mul,
    "dual_sin": dual_sin,
    "dual_exp": dual_exp,
    "graph_backward": graph_backward,
    "matmul_backward": matmul_backward,
    "log_softmax_backward": log_softmax_backward,
    "gradient_check": gradient_check,
}

# ---------------------------------------------------------------------------
# Other correct answers: the solution notebook's loops and plain numpy
# ---------------------------------------------------------------------------


def central_diff_grad_loop(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def softmax_jacobian_numpy(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def taylor_poly_loop(derivs, a, x):
    x = np.asarray(x, dtype=float)
    return sum(d / math.factorial(k) * (x - a) ** k for k, d in enumerate(derivs))


def fd_errors_loop(f, df, x0, hs):
    hs = np.asarray(hs, dtype=float)
    exact = df(x0)
    forward = np.array([abs((f(x0 + h) - f(x0)) / h - exact) for h in hs])
    central = np.array([abs((f(x0 + h) - f(x0 - h)) / (2 * h) - exact) for h in hs])
    return forward, central


def dual_mul_tuples(a, b):
    (u, du), (v, dv) = a, b
    return u * v, du * v + u * dv


def dual_sin_math(a):
    return math.sin(a[0]), math.cos(a[0]) * a[1]


def dual_exp_math(a):
    return math.exp(a[0]), math.exp(a[0]) * a[1]


def graph_backward_by_hand(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    v1, v2, v4 = x * y, np.sin(x), np.exp(-y)
    v3 = v1 + v2
    f = v3 * v4
    v3_bar, v4_bar = v4, v3
    x_bar = v3_bar * y + v3_bar * np.cos(x)
    y_bar = v3_bar * x + v4_bar * (-v4)
    return f, x_bar, y_bar


def matmul_backward_numpy(A, B, grad_out):
    A, B, G = (np.asarray(v, dtype=float) for v in (A, B, grad_out))
    return G @ B.T, A.T @ G


def log_softmax_backward_numpy(z, grad_out):
    z, g = np.asarray(z, dtype=float), np.asarray(grad_out, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    return g - s * g.sum(axis=1, keepdims=True)


ALTERNATIVES = [
    ("central_diff_grad", central_diff_grad_loop),
    ("softmax_jacobian", softmax_jacobian_numpy),
    ("taylor_poly", taylor_poly_loop),
    ("fd_errors", fd_errors_loop),
    ("dual_mul", dual_mul_tuples),
    ("dual_sin", dual_sin_math),
    ("dual_exp", dual_exp_math),
    ("graph_backward", graph_backward_by_hand),
    ("matmul_backward", matmul_backward_numpy),
    ("log_softmax_backward", log_softmax_backward_numpy),
]

# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers
# ---------------------------------------------------------------------------


def forward_difference(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        bumped = x.copy()
        bumped[i] += h
        grad[i] = (f(bumped) - f(x)) / h
    return grad


def central_divided_by_h(f, x, h=1e-5):
    return 2 * central_diff_grad(f, x, h)


def central_ignores_h(f, x, h=1e-5):
    return central_diff_grad(f, x, 1e-5)


def central_flattens(f, x, h=1e-5):
    return central_diff_grad(f, x, h).reshape(-1)


def central_perturbs_in_place(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def jacobian_without_diagonal(z):
    s = softmax(np.asarray(z, dtype=float))
    return -np.outer(s, s)


def jacobian_plus_outer(z):
    s = softmax(np.asarray(z, dtype=float))
    return np.diag(s) + np.outer(s, s)


def jacobian_unstable(z):
    e = np.exp(np.asarray(z, dtype=float))
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def quadratic_assumes_symmetric(A, b, x):
    A, b, x = (np.asarray(v, dtype=float) for v in (A, b, x))
    return A @ x + b, A


def quadratic_hessian_is_a(A, b, x):
    grad, _ = quadratic_grad_hess(A, b, x)
    return grad, np.asarray(A, dtype=float)


def quadratic_hessian_without_half(A, b, x):
    grad, H = quadratic_grad_hess(A, b, x)
    return grad, 2 * H


def chain_without_inner(x):
    return np.cos(np.asarray(x, dtype=float) ** 2)


def chain_outer_at_x(x):
    x = np.asarray(x, dtype=float)
    return 2 * x * np.cos(x)


def taylor_without_factorial(derivs, a, x):
    x = np.asarray(x, dtype=float)
    return sum(d * (x - a) ** k for k, d in enumerate(derivs))


def taylor_about_zero(derivs, a, x):
    x = np.asarray(x, dtype=float)
    return sum(d / math.factorial(k) * x**k for k, d in enumerate(derivs))


def taylor_drops_last_term(derivs, a, x):
    return (
        taylor_poly_loop(derivs[:-1], a, x) if len(derivs) > 1 else taylor_poly_loop(derivs, a, x)
    )


def fd_swapped(f, df, x0, hs):
    forward, central = fd_errors(f, df, x0, hs)
    return central, forward


def fd_central_over_h(f, df, x0, hs):
    hs = np.asarray(hs, dtype=float)
    forward, _ = fd_errors(f, df, x0, hs)
    central = np.array([abs((f(x0 + h) - f(x0 - h)) / h - df(x0)) for h in hs])
    return forward, central


def fd_signed_errors(f, df, x0, hs):
    hs = np.asarray(hs, dtype=float)
    forward = np.array([(f(x0 + h) - f(x0)) / h - df(x0) for h in hs])
    central = np.array([(f(x0 + h) - f(x0 - h)) / (2 * h) - df(x0) for h in hs])
    return forward, central


def dual_mul_wrong(a, b):
    return a[0] * b[0], a[1] * b[1]


def dual_mul_adds_derivatives(a, b):
    return a[0] * b[0], a[1] + b[1]


def dual_sin_no_chain(a):
    return math.sin(a[0]), math.cos(a[0])


def dual_exp_no_chain(a):
    return math.exp(a[0]), math.exp(a[0])


def dual_sin_returns_list(a):
    return [math.sin(a[0]), math.cos(a[0]) * a[1], 0.0]


def graph_one_path_for_x(x, y):
    f, _, y_bar = graph_backward_by_hand(x, y)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return f, y * np.exp(-y), y_bar


def graph_one_path_for_y(x, y):
    f, x_bar, _ = graph_backward_by_hand(x, y)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return f, x_bar, x * np.exp(-y)


def graph_returns_two(x, y):
    return graph_backward_by_hand(x, y)[1:]


def matmul_backward_swapped_order(A, B, grad_out):
    A, B, G = (np.asarray(v, dtype=float) for v in (A, B, grad_out))
    return G @ B.T, G.T @ A if G.shape[0] == A.shape[0] else A.T @ G


def matmul_backward_no_transpose(A, B, grad_out):
    A, B, G = (np.asarray(v, dtype=float) for v in (A, B, grad_out))
    return G @ B, A.T @ G


def log_softmax_backward_no_sum(z, grad_out):
    g = np.asarray(grad_out, dtype=float)
    return g - softmax(np.asarray(z, dtype=float), axis=1)


def log_softmax_backward_wrong_axis(z, grad_out):
    g = np.asarray(grad_out, dtype=float)
    return g - softmax(np.asarray(z, dtype=float), axis=1) * g.sum(axis=0, keepdims=True)


def log_softmax_backward_unstable(z, grad_out):
    g = np.asarray(grad_out, dtype=float)
    e = np.exp(np.asarray(z, dtype=float))
    return g - e / e.sum(axis=1, keepdims=True) * g.sum(axis=1, keepdims=True)


def _gradients(f, grad_f, x, eps):
    x = np.asarray(x, dtype=float)
    return np.asarray(grad_f(x.copy()), dtype=float), numeric_grad(f, x, eps=eps)


def gradient_check_first_entry_only(f, grad_f, x, eps=1e-6):
    analytic, numeric = (g.reshape(-1) for g in _gradients(f, grad_f, x, eps))
    return float(abs(analytic[0] - numeric[0]) / max(abs(analytic[0]), abs(numeric[0]), 1e-12))


def gradient_check_no_floor(f, grad_f, x, eps=1e-6):
    analytic, numeric = _gradients(f, grad_f, x, eps)
    return float(np.max(np.abs(analytic - numeric) / np.maximum(np.abs(analytic), np.abs(numeric))))


def gradient_check_mean(f, grad_f, x, eps=1e-6):
    analytic, numeric = _gradients(f, grad_f, x, eps)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    return float(np.mean(np.abs(analytic - numeric) / scale))


MUTANTS = [
    ("central_diff_grad_basic", forward_difference, "that is the forward difference"),
    ("central_diff_grad_basic", central_divided_by_h, "you divided by h"),
    ("central_diff_grad_hidden", central_ignores_h, "use the step h you are given"),
    ("central_diff_grad_hidden", central_flattens, "returned shape (6,), expected shape (3, 2)"),
    ("central_diff_grad_basic", central_perturbs_in_place, "modified its argument 2 in place"),
    ("softmax_jacobian_basic", jacobian_without_diagonal, "the diagonal is missing"),
    ("softmax_jacobian_basic", jacobian_plus_outer, "enters with a minus sign"),
    ("softmax_jacobian_hidden", jacobian_unstable, "exp overflowed"),
    ("quadratic_grad_hess_hidden", quadratic_assumes_symmetric, "only right for symmetric A"),
    ("quadratic_grad_hess_hidden", quadratic_hessian_is_a, "the symmetric part 1/2 (A + A^T)"),
    ("quadratic_grad_hess_basic", quadratic_hessian_without_half, "mind the 1/2 in f"),
    ("d_sin_x2_basic", chain_without_inner, "the inner derivative 2x is missing"),
    ("d_sin_x2_basic", chain_outer_at_x, "cos(x^2), not cos(x)"),
    ("taylor_poly_basic", taylor_without_factorial, "divide the k-th term by k!"),
    ("taylor_poly_hidden", taylor_about_zero, "the powers are of (x - a)"),
    ("taylor_poly_basic", taylor_drops_last_term, "k runs from 0 to len(derivs) - 1"),
    ("fd_errors_basic", fd_swapped, "the two arrays are swapped"),
    ("fd_errors_basic", fd_central_over_h, "divides by 2 h, not by h"),
    ("fd_errors_hidden", fd_signed_errors, "not signed differences"),
    ("dual_mul_basic", dual_mul_wrong, "the eps part is not a' b'"),
    ("dual_mul_hidden", dual_mul_adds_derivatives, "not a' + b'"),
    ("dual_sin_hidden", dual_sin_no_chain, "multiply the derivative by the incoming a'"),
    ("dual_exp_hidden", dual_exp_no_chain, "multiply the derivative by the incoming a'"),
    ("dual_sin_basic", dual_sin_returns_list, "expected 2 values (value, derivative)"),
    ("graph_backward_basic", graph_one_path_for_x, "x feeds two nodes"),
    ("graph_backward_basic", graph_one_path_for_y, "add the path through v4 = exp(-y)"),
    ("graph_backward_basic", graph_returns_two, "expected 3 values (f, dfdx, dfdy)"),
    ("matmul_backward_basic", matmul_backward_swapped_order, "that is dB transposed"),
    ("matmul_backward_hidden", matmul_backward_no_transpose, "transpose B: dA = G B^T"),
    ("log_softmax_backward_basic", log_softmax_backward_no_sum, "by the row sum of g"),
    ("log_softmax_backward_hidden", log_softmax_backward_wrong_axis, "not each column"),
    ("log_softmax_backward_hidden", log_softmax_backward_unstable, "exp overflowed"),
    ("gradient_check_hidden", gradient_check_first_entry_only, "not the first entry"),
    ("gradient_check_hidden", gradient_check_no_floor, "keep the floor 1e-12"),
    ("gradient_check_hidden", gradient_check_mean, "not the mean"),
]


def test_functions_handed_to_learners_are_right():
    """The checks' own test functions (f and its gradient) must be right; not a check, so
    no row can say it."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (2, 3))
    assert np.allclose(chk.rosenbrock_grad(x), numeric_grad(chk.rosenbrock, x), atol=1e-6)
    assert np.allclose(chk.log_cosh_grad(x), numeric_grad(chk.log_cosh_sum, x), atol=1e-8)
    assert np.isclose(chk.log_cosh_sum(np.array([0.3])), math.log(math.cosh(0.3)))
    assert not np.allclose(chk.rosenbrock_grad_buggy(x), chk.rosenbrock_grad(x))


def test_the_message_starts_with_the_call():
    """A row checks words anywhere in the message; this checks where the message starts."""
    with pytest.raises(CheckFailed) as failure:
        chk.d_sin_x2_basic(chain_without_inner)
    text = str(failure.value)
    assert text.startswith("d_sin_x2(1.5) returned") and "expected" in text and "hint:" in text


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def central_diff_grad_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return central_diff_grad(*args, **kwargs)


def softmax_jacobian_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return softmax_jacobian(*args, **kwargs)


def quadratic_grad_hess_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return quadratic_grad_hess(*args, **kwargs)


def taylor_poly_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return autodiff.taylor_polynomial(*args, **kwargs)


def fd_errors_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return fd_errors(*args, **kwargs)


def graph_backward_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return graph_backward(*args, **kwargs)


def matmul_backward_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return matmul_backward(*args, **kwargs)


def log_softmax_backward_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return log_softmax_backward(*args, **kwargs)


def gradient_check_through_autodiff(*args, **kwargs):
    """The reference, using dlkit.autodiff: the exercise forbids it."""
    import dlkit

    dlkit.autodiff  # noqa: B018
    return gradient_check(*args, **kwargs)


MUTANTS += [
    (
        "central_diff_grad_hidden",
        central_diff_grad_through_autodiff,
        "your answer uses dlkit.autodiff",
    ),
    (
        "softmax_jacobian_hidden",
        softmax_jacobian_through_autodiff,
        "your answer uses dlkit.autodiff",
    ),
    (
        "quadratic_grad_hess_hidden",
        quadratic_grad_hess_through_autodiff,
        "your answer uses dlkit.autodiff",
    ),
    ("taylor_poly_hidden", taylor_poly_through_autodiff, "your answer uses dlkit.autodiff"),
    ("fd_errors_hidden", fd_errors_through_autodiff, "your answer uses dlkit.autodiff"),
    ("graph_backward_hidden", graph_backward_through_autodiff, "your answer uses dlkit.autodiff"),
    ("matmul_backward_hidden", matmul_backward_through_autodiff, "your answer uses dlkit.autodiff"),
    (
        "log_softmax_backward_hidden",
        log_softmax_backward_through_autodiff,
        "your answer uses dlkit.autodiff",
    ),
    ("gradient_check_hidden", gradient_check_through_autodiff, "your answer uses dlkit.autodiff"),
]
