"""The table of module 06's checks: references, other correct answers and mutants.

tests/autograder/checks/test_contract.py runs it (see its docstring).
"""

import numpy as np
import pytest

from autograder.checks import optimization as chk
from dlkit import optim
from dlkit.testing import grad_check

pytestmark = pytest.mark.usefixtures("one_thread")

# ---------------------------------------------------------------------------
# References: dlkit, or small wrappers where the exercise's signature differs
# ---------------------------------------------------------------------------


def convexity_gap(f, grad_f, x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(f(y) - f(x) - grad_f(x) @ (y - x))


def gd_step(theta, grad, lr):
    return np.asarray(theta, dtype=float) - lr * np.asarray(grad, dtype=float)


def gd_quadratic(A, b, x0, lr, tol, max_iter):
    path = optim.gradient_descent(lambda x: A @ x - b, x0, lr, max_steps=max_iter, tol=tol)
    return path[-1], len(path) - 1


def momentum_step(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def lagrange_xy(c):
    return c / 2, c / 2, c / 2


REFERENCES = {
    "convexity_gap": convexity_gap,
    "gd_step": gd_step,
    "gd_quadratic": gd_quadratic,
    "momentum_step": momentum_step,
    "adam_step": adam_step,
    "warmup_cosine_lr": optim.warmup_cosine,
    "newton_step": optim.newton_step,
    "lbfgs_direction": optim.lbfgs_direction,
    "lagrange_xy": lagrange_xy,
    "solve_kkt": optim.solve_equality_qp,
    "project_l2_ball": optim.project_ball,
}

# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def gd_quadratic_loop(A, b, x0, lr, tol, max_iter):
    x = np.array(x0, dtype=float)
    for k in range(max_iter):
        g = A @ x - b
        if np.linalg.norm(g) <= tol:
            return x, k
        x = x - lr * g
    return x, max_iter


def lbfgs_direction_lists(g, s_list, y_list):
    q = np.array(g, dtype=float)
    if len(s_list) == 0:
        return -q
    rho = [1.0 / (y @ s) for s, y in zip(s_list, y_list)]
    alpha = [0.0] * len(s_list)
    for i in reversed(range(len(s_list))):
        alpha[i] = rho[i] * (s_list[i] @ q)
        q = q - alpha[i] * y_list[i]
    r = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) * q
    for i in range(len(s_list)):
        r = r + (alpha[i] - rho[i] * (y_list[i] @ r)) * s_list[i]
    return -r


def lagrange_xy_floats(c):
    half = float(c / 2)
    return half, half, half


ALTERNATIVES = [
    ("gd_quadratic", gd_quadratic_loop),
    ("lbfgs_direction", lbfgs_direction_lists),
    ("lagrange_xy", lagrange_xy_floats),
]

# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers
# ---------------------------------------------------------------------------


def gap_with_gradient_at_y(f, grad_f, x, y):
    return f(y) - f(x) - grad_f(y) @ (y - x)


def gap_with_reversed_sign(f, grad_f, x, y):
    return -convexity_gap(f, grad_f, x, y)


def gap_with_x_and_y_swapped(f, grad_f, x, y):
    return convexity_gap(f, grad_f, y, x)


def gd_ascent(theta, grad, lr):
    return theta + lr * grad


def gd_in_place(theta, grad, lr):
    theta -= lr * grad
    return theta


def gd_without_lr(theta, grad, lr):
    return theta - grad


def gd_counts_from_one(A, b, x0, lr, tol, max_iter):
    x, k = gd_quadratic(A, b, x0, lr, tol, max_iter)
    return x, k + 1


def gd_steps_before_the_test(A, b, x0, lr, tol, max_iter):
    x = np.array(x0, dtype=float)
    for k in range(1, max_iter + 1):
        x = x - lr * (A @ x - b)
        if np.linalg.norm(A @ x - b) <= tol:
            return x, k
    return x, max_iter


def momentum_textbook(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return theta + velocity, velocity


def momentum_dampened(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return theta - lr * velocity, velocity


def momentum_steps_with_the_gradient(theta, grad, velocity, lr, momentum):
    return theta - lr * grad, momentum * velocity + grad


def adam_without_bias_correction(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside_the_root(theta, grad, m, v, t, lr, beta1, beta2, eps):
    _, m, v = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_returns_corrected_moments(theta, grad, m, v, t, lr, beta1, beta2, eps):
    theta, m, v = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return theta, m / (1 - beta1**t), v / (1 - beta2**t)


def adam_counts_t_from_zero(theta, grad, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, grad, m, v, t + 1, lr, beta1, beta2, eps)


def warmup_from_zero(t, lr_max, warmup, total, lr_min):
    if t < warmup:
        return lr_max * t / warmup
    return optim.warmup_cosine(t, lr_max, warmup, total, lr_min)


def cosine_over_the_whole_run(t, lr_max, warmup, total, lr_min):
    if t < warmup:
        return lr_max * (t + 1) / warmup
    return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * min(t, total) / total))


def warmup_integer_division(t, lr_max, warmup, total, lr_min):
    if t < warmup:
        return lr_max * ((t + 1) // warmup)
    return optim.warmup_cosine(t, lr_max, warmup, total, lr_min)


def cosine_integer_progress(t, lr_max, warmup, total, lr_min):
    if t < warmup:
        return lr_max * (t + 1) / warmup
    p = min(1, (t - warmup) // (total - warmup))
    return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * p))


def cosine_to_zero(t, lr_max, warmup, total, lr_min):
    return optim.warmup_cosine(t, lr_max, warmup, total, 0.0)


def cosine_without_clamp(t, lr_max, warmup, total, lr_min):
    if t < warmup:
        return lr_max * (t + 1) / warmup
    p = (t - warmup) / (total - warmup)
    return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * p))


def newton_multiplies_by_h(x, g, H):
    return x - H @ g


def newton_solves_the_transpose(x, g, H):
    return x - np.linalg.solve(H.T, g)


def newton_ascent(x, g, H):
    return x + np.linalg.solve(H, g)


def lbfgs_ascent(g, s_list, y_list):
    return -optim.lbfgs_direction(g, s_list, y_list)


def lbfgs_unscaled(g, s_list, y_list):
    q = np.array(g, dtype=float)
    alphas = []
    for s, y in zip(reversed(s_list), reversed(y_list)):
        alphas.append((s @ q) / (y @ s))
        q = q - alphas[-1] * y
    r = q  # forgot H0 = gamma I
    for (s, y), alpha in zip(zip(s_list, y_list), reversed(alphas)):
        r = r + (alpha - (y @ r) / (y @ s)) * s
    return -r


def lbfgs_newest_first(g, s_list, y_list):
    return optim.lbfgs_direction(g, s_list[::-1], y_list[::-1])


def lagrange_wrong_sign(c):
    return c / 2, c / 2, -c / 2


def lagrange_hard_coded(c):
    return 5.0, 5.0, 5.0


def kkt_flipped_multiplier(Q, c, A, b):
    x, lam = optim.solve_equality_qp(Q, c, A, b)
    return x, -lam


def kkt_ignores_c(Q, c, A, b):
    return optim.solve_equality_qp(Q, np.zeros_like(c), A, b)


def kkt_plus_c(Q, c, A, b):
    return optim.solve_equality_qp(Q, -np.asarray(c), A, b)


def ball_always_normalises(x, radius):
    return x * radius / np.linalg.norm(x)


def ball_clips(x, radius):
    return np.clip(x, -radius, radius)


def ball_squared_norm(x, radius):
    norm = np.linalg.norm(x)
    return x if norm <= radius else x * radius / norm**2


MUTANTS = [
    ("convexity_gap_basic", gap_with_gradient_at_y, "or you took the gradient at y"),
    ("convexity_gap_hidden", gap_with_gradient_at_y, "take the gradient at x, not y"),
    ("convexity_gap_hidden", gap_with_reversed_sign, "your sign is reversed"),
    ("convexity_gap_hidden", gap_with_x_and_y_swapped, "you swapped x and y"),
    ("gd_step_basic", gd_ascent, "you stepped *up* the gradient"),
    ("gd_step_basic", gd_in_place, "modified its argument 1 in place"),
    ("gd_step_basic", gd_without_lr, "scaled by the learning rate lr"),
    ("gd_quadratic_basic", gd_counts_from_one, "returned 21, expected 20; hint: your count is off"),
    ("gd_quadratic_hidden", gd_steps_before_the_test, "returned 1, expected 0; hint: your count"),
    ("momentum_step_basic", momentum_textbook, "that is the textbook form v = mu v - lr g"),
    ("momentum_step_basic", momentum_dampened, "that is a moving average"),
    ("momentum_step_hidden", momentum_dampened, "call 1 of a chain of momentum_step calls"),
    ("momentum_step_basic", momentum_steps_with_the_gradient, "not the raw gradient"),
    ("adam_step_basic", adam_without_bias_correction, "you left out the bias correction"),
    ("adam_step_hidden", adam_eps_inside_the_root, "eps goes outside the square root"),
    ("adam_step_basic", adam_returns_corrected_moments, "not the bias-corrected m_hat"),
    ("adam_step_basic", adam_counts_t_from_zero, "use beta**t, not beta**(t + 1)"),
    ("warmup_cosine_lr_basic", warmup_from_zero, "returned 0.5, expected 0.75; hint: the warm-up"),
    ("warmup_cosine_lr_basic", warmup_integer_division, "(t + 1) // W is 0 until t + 1 = W"),
    ("warmup_cosine_lr_hidden", cosine_integer_progress, "(t - W) // (T - W) is 0 until T"),
    ("warmup_cosine_lr_basic", cosine_over_the_whole_run, "measure progress as (t - W) / (T - W)"),
    ("warmup_cosine_lr_hidden", cosine_to_zero, "decays to lr_min, not to 0"),
    ("warmup_cosine_lr_hidden", cosine_without_clamp, "after T the rate stays at lr_min"),
    ("newton_step_basic", newton_multiplies_by_h, "multiply by the inverse of H, not by H"),
    ("newton_step_hidden", newton_solves_the_transpose, "not its transpose"),
    ("newton_step_basic", newton_ascent, "you stepped up the gradient"),
    ("lbfgs_direction_basic", lbfgs_ascent, "descent direction -H g (minus sign)"),
    ("lbfgs_direction_basic", lbfgs_unscaled, "skipped the initial scaling"),
    ("lbfgs_direction_hidden", lbfgs_newest_first, "the lists are oldest first"),
    ("lagrange_xy_basic", lagrange_wrong_sign, "check the sign of lam"),
    ("lagrange_xy_hidden", lagrange_hard_coded, "lagrange_xy(3) returned [5., 5., 5.]"),
    ("solve_kkt_basic", kkt_flipped_multiplier, "multiplier's sign is flipped"),
    ("solve_kkt_hidden", kkt_ignores_c, "you left out c"),
    ("solve_kkt_hidden", kkt_plus_c, "not [c; b]"),
    ("project_l2_ball_basic", ball_always_normalises, "points already inside the ball must not"),
    ("project_l2_ball_basic", ball_clips, "projects onto a box"),
    ("project_l2_ball_basic", ball_squared_norm, "divide by the norm, not the squared norm"),
]


@pytest.mark.parametrize(
    ("check", "wrong"),
    [
        ("gd_quadratic_basic", gd_steps_before_the_test),  # same count when x0 is not optimal
        ("adam_step_basic", adam_eps_inside_the_root),  # eps = 1e-8 hides the mistake
        ("lagrange_xy_basic", lagrange_hard_coded),  # c = 10 is the hard-coded case
        ("solve_kkt_basic", kkt_ignores_c),  # c = 0 in the visible case
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_basic_lets_through_what_only_hidden_catches(check, wrong):
    """These mutants pass the visible check and are rejected by the hidden one (MUTANTS):
    the hidden inputs must differ from the visible ones. A row can only say "rejected"."""
    getattr(chk, check)(wrong)


def test_functions_handed_to_learners_are_right():
    """The checks' own test functions (f and its gradient) must be right; not a check, so
    no row can say it."""
    x = np.array([0.3, -1.2])
    for f, grad in ((chk.bowl, chk.bowl_grad), (chk.saddle, chk.saddle_grad)):
        grad_check(f, grad, x)
    grad_check(chk.log_sum_exp, chk.log_sum_exp_grad, np.array([0.1, 2.0, -1.0]))
    assert chk.log_sum_exp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def convexity_gap_touching_torch(*args, **kwargs):
    """The reference, using torch: the exercise forbids it."""
    import torch

    torch.tensor  # noqa: B018
    return convexity_gap(*args, **kwargs)


def gd_step_through_gradient_descent(*args, **kwargs):
    """The reference, using dlkit.optim.gradient_descent: the exercise forbids it."""
    import dlkit

    dlkit.optim.gradient_descent  # noqa: B018
    return gd_step(*args, **kwargs)


def gd_quadratic_through_gradient_descent(*args, **kwargs):
    """The reference, using dlkit.optim.gradient_descent: the exercise forbids it."""
    import dlkit

    dlkit.optim.gradient_descent  # noqa: B018
    return gd_quadratic(*args, **kwargs)


def momentum_step_through_SGD(*args, **kwargs):
    """The reference, using dlkit.optim.SGD: the exercise forbids it."""
    import dlkit

    dlkit.optim.SGD  # noqa: B018
    return momentum_step(*args, **kwargs)


def adam_step_through_Adam(*args, **kwargs):
    """The reference, using dlkit.optim.Adam: the exercise forbids it."""
    import dlkit

    dlkit.optim.Adam  # noqa: B018
    return adam_step(*args, **kwargs)


def warmup_cosine_lr_through_warmup_cosine(*args, **kwargs):
    """The reference, using dlkit.optim.warmup_cosine: the exercise forbids it."""
    import dlkit

    dlkit.optim.warmup_cosine  # noqa: B018
    return optim.warmup_cosine(*args, **kwargs)


def newton_step_through_newton_step(*args, **kwargs):
    """The reference, using dlkit.optim.newton_step: the exercise forbids it."""
    import dlkit

    dlkit.optim.newton_step  # noqa: B018
    return optim.newton_step(*args, **kwargs)


def lbfgs_direction_through_lbfgs_direction(*args, **kwargs):
    """The reference, using dlkit.optim.lbfgs_direction: the exercise forbids it."""
    import dlkit

    dlkit.optim.lbfgs_direction  # noqa: B018
    return optim.lbfgs_direction(*args, **kwargs)


def lagrange_xy_through_optimize(*args, **kwargs):
    """The reference, using scipy.optimize: the exercise forbids it."""
    import scipy.optimize

    scipy.optimize  # noqa: B018
    return lagrange_xy(*args, **kwargs)


def solve_kkt_through_solve_equality_qp(*args, **kwargs):
    """The reference, using dlkit.optim.solve_equality_qp: the exercise forbids it."""
    import dlkit

    dlkit.optim.solve_equality_qp  # noqa: B018
    return optim.solve_equality_qp(*args, **kwargs)


def project_l2_ball_through_project_ball(*args, **kwargs):
    """The reference, using dlkit.optim.project_ball: the exercise forbids it."""
    import dlkit

    dlkit.optim.project_ball  # noqa: B018
    return optim.project_ball(*args, **kwargs)


MUTANTS += [
    ("convexity_gap_hidden", convexity_gap_touching_torch, "your answer uses torch.tensor"),
    (
        "gd_step_hidden",
        gd_step_through_gradient_descent,
        "your answer uses dlkit.optim.gradient_descent",
    ),
    (
        "gd_quadratic_hidden",
        gd_quadratic_through_gradient_descent,
        "your answer uses dlkit.optim.gradient_descent",
    ),
    ("momentum_step_hidden", momentum_step_through_SGD, "your answer uses dlkit.optim.SGD"),
    ("adam_step_hidden", adam_step_through_Adam, "your answer uses dlkit.optim.Adam"),
    (
        "warmup_cosine_lr_hidden",
        warmup_cosine_lr_through_warmup_cosine,
        "your answer uses dlkit.optim.warmup_cosine",
    ),
    (
        "newton_step_hidden",
        newton_step_through_newton_step,
        "your answer uses dlkit.optim.newton_step",
    ),
    (
        "lbfgs_direction_hidden",
        lbfgs_direction_through_lbfgs_direction,
        "your answer uses dlkit.optim.lbfgs_direction",
    ),
    ("lagrange_xy_hidden", lagrange_xy_through_optimize, "your answer uses scipy.optimize"),
    (
        "solve_kkt_hidden",
        solve_kkt_through_solve_equality_qp,
        "your answer uses dlkit.optim.solve_equality_qp",
    ),
    (
        "project_l2_ball_hidden",
        project_l2_ball_through_project_ball,
        "your answer uses dlkit.optim.project_ball",
    ),
]


def newton_step_through_the_inverse(x, grad, hess):
    """Right values, through the inverse the prompt warns against."""
    return np.asarray(x, dtype=float) - np.linalg.inv(hess) @ grad


MUTANTS += [
    ("newton_step_basic", newton_step_through_the_inverse, "your answer calls np.linalg.inv"),
]
