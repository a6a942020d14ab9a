"""The module-06 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import optimization as chk
from autograder.checks.harness import CheckFailed
from dlkit import optim

# ---------------------------------------------------------------------------
# Reference solutions where the exercise's signature differs from dlkit.optim
# ---------------------------------------------------------------------------


def gd_step_ref(theta, grad, lr):
    return np.asarray(theta, dtype=float) - lr * np.asarray(grad, dtype=float)


def convexity_gap_ref(f, grad_f, x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(f(y) - f(x) - grad_f(x) @ (y - x))


def gd_quadratic_ref(A, b, x0, lr, tol, max_iter):
    x = np.array(x0, dtype=float)
    for k in range(max_iter):
        g = A @ x - b
        if np.linalg.norm(g) <= tol:
            return x, k
        x = x - lr * g
    return x, max_iter


def momentum_step_ref(theta, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return theta - lr * velocity, velocity


def adam_step_ref(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def lagrange_xy_ref(c):
    return c / 2, c / 2, c / 2


REFERENCES = {
    "gd_step": gd_step_ref,
    "convexity_gap": convexity_gap_ref,
    "gd_quadratic": gd_quadratic_ref,
    "momentum_step": momentum_step_ref,
    "adam_step": adam_step_ref,
    "warmup_cosine_lr": optim.warmup_cosine,
    "newton_step": optim.newton_step,
    "lagrange_xy": lagrange_xy_ref,
    "solve_kkt": optim.solve_equality_qp,
    "project_l2_ball": optim.project_ball,
    "lbfgs_direction": optim.lbfgs_direction,
}


def test_functions_handed_to_learners_are_right():
    x = np.array([0.3, -1.2])
    for f, grad in ((chk.bowl, chk.bowl_grad), (chk.saddle, chk.saddle_grad)):
        from dlkit.testing import grad_check

        grad_check(f, grad, x)
    grad_check(chk.log_sum_exp, chk.log_sum_exp_grad, np.array([0.1, 2.0, -1.0]))
    assert chk.log_sum_exp(np.array([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2))


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_gd_step_rejects_ascent():
    with pytest.raises(CheckFailed, match=r"stepped \*up\* the gradient"):
        chk.gd_step_basic(lambda theta, grad, lr: theta + lr * grad)


def test_gd_step_rejects_in_place_update():
    def in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    with pytest.raises(CheckFailed, match="modified its argument 1 in place"):
        chk.gd_step_basic(in_place)


def test_convexity_gap_rejects_gradient_at_y():
    def gap_at_y(f, grad_f, x, y):
        return f(y) - f(x) - grad_f(y) @ (y - x)

    with pytest.raises(CheckFailed, match=r"reversed \(or you took the gradient at y"):
        chk.convexity_gap_basic(gap_at_y)  # on a quadratic the two mistakes coincide
    with pytest.raises(CheckFailed, match="take the gradient at x, not y"):
        chk.convexity_gap_hidden(gap_at_y)


def test_convexity_gap_rejects_reversed_sign():
    with pytest.raises(CheckFailed, match="your sign is reversed"):
        chk.convexity_gap_hidden(lambda f, g, x, y: -convexity_gap_ref(f, g, x, y))


def test_gd_quadratic_rejects_counting_from_one():
    def off_by_one(A, b, x0, lr, tol, max_iter):
        x, k = gd_quadratic_ref(A, b, x0, lr, tol, max_iter)
        return x, k + 1

    with pytest.raises(
        CheckFailed, match="took 21 steps, expected 20; hint: your count is off by one"
    ):
        chk.gd_quadratic_basic(off_by_one)


def test_gd_quadratic_rejects_stepping_before_the_test():
    def step_first(A, b, x0, lr, tol, max_iter):
        x = np.array(x0, dtype=float)
        for k in range(1, max_iter + 1):
            x = x - lr * (A @ x - b)
            if np.linalg.norm(A @ x - b) <= tol:
                return x, k
        return x, max_iter

    chk.gd_quadratic_basic(step_first)  # same count when x0 is not optimal ...
    with pytest.raises(CheckFailed, match=r"took 1 steps, expected 0; hint: your count is off"):
        chk.gd_quadratic_hidden(step_first)  # ... but not from the optimum


def test_momentum_rejects_the_textbook_velocity():
    def textbook(theta, grad, velocity, lr, momentum):
        velocity = momentum * velocity - lr * grad
        return theta + velocity, velocity

    with pytest.raises(CheckFailed, match="that is the textbook form v = mu v - lr g"):
        chk.momentum_step_basic(textbook)


def test_momentum_hidden_compares_with_torch():
    def dampened(theta, grad, velocity, lr, momentum):
        velocity = momentum * velocity + (1 - momentum) * grad
        return theta - lr * velocity, velocity

    with pytest.raises(CheckFailed, match=r"call 1 of a chain of momentum_step calls.*torch"):
        chk.momentum_step_hidden(dampened)


def test_adam_rejects_missing_bias_correction():
    def no_correction(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    with pytest.raises(CheckFailed, match="you left out the bias correction"):
        chk.adam_step_basic(no_correction)


def test_adam_rejects_eps_inside_the_root():
    def eps_inside(theta, grad, m, v, t, lr, beta1, beta2, eps):
        theta_ok, m, v = adam_step_ref(theta, grad, m, v, t, lr, beta1, beta2, eps)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v

    chk.adam_step_basic(eps_inside)  # eps = 1e-8 hides the mistake here ...
    with pytest.raises(CheckFailed, match="eps goes outside the square root"):
        chk.adam_step_hidden(eps_inside)  # ... a large eps does not


def test_adam_rejects_returning_corrected_moments():
    def corrected(theta, grad, m, v, t, lr, beta1, beta2, eps):
        theta, m, v = adam_step_ref(theta, grad, m, v, t, lr, beta1, beta2, eps)
        return theta, m / (1 - beta1**t), v / (1 - beta2**t)

    with pytest.raises(CheckFailed, match=r"\(m\) returned .* without bias correction"):
        chk.adam_step_basic(corrected)


def test_warmup_rejects_starting_at_zero():
    def from_zero(t, lr_max, warmup, total, lr_min):
        if t < warmup:
            return lr_max * t / warmup
        return optim.warmup_cosine(t, lr_max, warmup, total, lr_min)

    with pytest.raises(CheckFailed, match=r"returned 0, expected 0.25; hint: the warm-up starts"):
        chk.warmup_cosine_lr_basic(from_zero)


def test_warmup_rejects_cosine_over_the_whole_run():
    def whole_run(t, lr_max, warmup, total, lr_min):
        if t < warmup:
            return lr_max * (t + 1) / warmup
        return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * min(t, total) / total))

    with pytest.raises(CheckFailed, match=r"measure progress as \(t - W\) / \(T - W\)"):
        chk.warmup_cosine_lr_basic(whole_run)


def test_warmup_rejects_decay_to_zero_and_no_clamp():
    def to_zero(t, lr_max, warmup, total, lr_min):
        return optim.warmup_cosine(t, lr_max, warmup, total, 0.0)

    with pytest.raises(CheckFailed, match="decays to lr_min, not to 0"):
        chk.warmup_cosine_lr_hidden(to_zero)

    def no_clamp(t, lr_max, warmup, total, lr_min):
        if t < warmup:
            return lr_max * (t + 1) / warmup
        p = (t - warmup) / (total - warmup)
        return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * p))

    with pytest.raises(CheckFailed, match="after T the rate stays at lr_min"):
        chk.warmup_cosine_lr_hidden(no_clamp)


def test_newton_rejects_multiplying_by_the_hessian():
    with pytest.raises(CheckFailed, match="multiply by the inverse of H, not by H"):
        chk.newton_step_basic(lambda x, g, H: x - H @ g)


def test_newton_rejects_the_transpose():
    with pytest.raises(CheckFailed, match="not its transpose"):
        chk.newton_step_hidden(lambda x, g, H: x - np.linalg.solve(H.T, g))


def test_lagrange_rejects_the_wrong_sign():
    with pytest.raises(CheckFailed, match="check the sign of lam"):
        chk.lagrange_xy_basic(lambda c: (c / 2, c / 2, -c / 2))


def test_lagrange_rejects_a_hard_coded_answer():
    chk.lagrange_xy_basic(lambda c: (5.0, 5.0, 5.0))
    with pytest.raises(CheckFailed, match=r"lagrange_xy\(3\) returned \[5., 5., 5.\]"):
        chk.lagrange_xy_hidden(lambda c: (5.0, 5.0, 5.0))


def test_kkt_rejects_the_flipped_multiplier():
    def flipped(Q, c, A, b):
        x, lam = optim.solve_equality_qp(Q, c, A, b)
        return x, -lam

    with pytest.raises(CheckFailed, match="multiplier's sign is flipped"):
        chk.solve_kkt_basic(flipped)


def test_kkt_rejects_ignoring_c():
    def no_c(Q, c, A, b):
        return optim.solve_equality_qp(Q, np.zeros_like(c), A, b)

    chk.solve_kkt_basic(no_c)  # c = 0 in the visible case ...
    with pytest.raises(CheckFailed, match=r"\(x\) returned"):
        chk.solve_kkt_hidden(no_c)


def test_ball_rejects_always_normalising():
    with pytest.raises(CheckFailed, match="points already inside the ball must not move"):
        chk.project_l2_ball_basic(lambda x, r: x * r / np.linalg.norm(x))


def test_ball_rejects_clipping_and_the_squared_norm():
    with pytest.raises(CheckFailed, match="projects onto a box"):
        chk.project_l2_ball_basic(lambda x, r: np.clip(x, -r, r))

    def squared_norm(x, r):
        norm = np.linalg.norm(x)
        return x if norm <= r else x * r / norm**2

    with pytest.raises(CheckFailed, match="divide by the norm, not the squared norm"):
        chk.project_l2_ball_basic(squared_norm)


def test_lbfgs_rejects_the_sign_and_the_missing_scaling():
    with pytest.raises(CheckFailed, match=r"descent direction -H g \(minus sign\)"):
        chk.lbfgs_direction_basic(lambda g, s, y: -optim.lbfgs_direction(g, s, y))

    def unscaled(g, s_list, y_list):
        q = np.array(g, dtype=float)
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list)):
            alphas.append((s @ q) / (y @ s))
            q = q - alphas[-1] * y
        r = q  # forgot H0 = gamma I
        for (s, y), alpha in zip(zip(s_list, y_list), reversed(alphas)):
            r = r + (alpha - (y @ r) / (y @ s)) * s
        return -r

    with pytest.raises(CheckFailed, match="skipped the initial scaling"):
        chk.lbfgs_direction_basic(unscaled)
