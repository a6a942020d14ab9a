"""Checks for module 06, optimization.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: stepping up the gradient,
off-by-one step counts, the textbook-vs-torch momentum convention, a dampened
velocity, Adam without bias correction or with eps inside the root, warm-up that
starts at zero, the sign of a Lagrange multiplier, a KKT right-hand side without -c,
projecting points that are already inside the ball, a two-loop recursion without the
initial scaling).

The oracles are torch.optim (``oracles.torch()``), numpy.linalg and closed forms, on
random symmetric positive definite matrices (``oracles.symmetric_with_eigenvalues``);
nothing here uses dlkit or the learner's other answers.

The functions the checks hand to learner code (``f`` and its gradient in the
convexity exercise) are defined at module level here.
"""

import numpy as np

from autograder.checks import harness, oracles
from autograder.checks.harness import Forbidden

# ---------------------------------------------------------------------------
# Functions passed to the learner's code
# ---------------------------------------------------------------------------

_BOWL = np.array([[3.0, 1.0], [1.0, 2.0]])


def bowl(x):
    """A convex quadratic ``1/2 x^T Q x`` with Q = [[3, 1], [1, 2]] (positive definite)."""
    x = np.asarray(x, dtype=float)
    return float(0.5 * x @ _BOWL @ x)


def bowl_grad(x):
    """Gradient ``Q x`` of :func:`bowl`."""
    return _BOWL @ np.asarray(x, dtype=float)


def saddle(x):
    """``x_1^2 - x_2^2``: not convex (a saddle at the origin)."""
    x = np.asarray(x, dtype=float)
    return float(x[0] ** 2 - x[1] ** 2)


def saddle_grad(x):
    """Gradient ``(2 x_1, -2 x_2)`` of :func:`saddle`."""
    x = np.asarray(x, dtype=float)
    return np.array([2 * x[0], -2 * x[1]])


def log_sum_exp(x):
    """``log(sum_i exp(x_i))``: convex, computed stably."""
    x = np.asarray(x, dtype=float)
    top = np.max(x)
    return float(top + np.log(np.sum(np.exp(x - top))))


def log_sum_exp_grad(x):
    """Gradient of :func:`log_sum_exp`: the softmax of x."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x))
    return e / e.sum()


# ---------------------------------------------------------------------------
# Exercise 1 · op-convexity-gap · reference: none in dlkit (the closed form of the table)
# ---------------------------------------------------------------------------

_GAP_HINT = (
    "the gap is f(y) - [f(x) + grad_f(x) . (y - x)]: the value at y minus the tangent "
    "plane built at x"
)


def _check_gap(fn, f, grad_f, x, y):
    result, text = harness.call(fn, "convexity_gap", f, grad_f, x, y, hint=_GAP_HINT)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    expected = f(y) - f(x) - float(grad_f(x) @ (y - x))
    at_y = f(y) - f(x) - float(grad_f(y) @ (y - x))
    reversed_sign = "your sign is reversed" + (
        " (or you took the gradient at y instead of x)" if np.isclose(at_y, -expected) else ""
    )
    mistakes = [
        (-expected, f"{reversed_sign}; {_GAP_HINT}"),
        (at_y, "take the gradient at x, not y; " + _GAP_HINT),
        (f(x) - f(y) - float(grad_f(y) @ (x - y)), "you swapped x and y; " + _GAP_HINT),
    ]
    harness.expect_number(
        result, expected, text, _GAP_HINT, rtol=1e-9, atol=1e-12, mistakes=mistakes
    )


_FORBID_CONVEXITY_GAP = Forbidden(
    "convexity_gap",
    ("torch",),
    "this exercise asks you to evaluate the convexity inequality yourself",
)


def convexity_gap_basic(fn):
    """On the convex bowl 1/2 x^T Q x the gap is 1/2 (y - x)^T Q (y - x) >= 0."""
    _check_gap(fn, bowl, bowl_grad, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    _FORBID_CONVEXITY_GAP.check(fn)


def convexity_gap_hidden(fn):
    """Random pairs on the bowl, on log-sum-exp, and on a saddle (where the gap goes negative)."""
    rng = np.random.default_rng(6102)
    for _ in range(3):
        x, y = rng.standard_normal(4), rng.standard_normal(4)
        _check_gap(fn, log_sum_exp, log_sum_exp_grad, x, y)
    for _ in range(3):
        _check_gap(fn, bowl, bowl_grad, rng.standard_normal(2), rng.standard_normal(2))
    _check_gap(fn, saddle, saddle_grad, np.array([0.5, 0.0]), np.array([0.5, 2.0]))
    _check_gap(fn, saddle, saddle_grad, np.array([1.0, -1.0]), np.array([1.0, -1.0]))
    _FORBID_CONVEXITY_GAP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · op-gd-step · reference: dk.optim.gradient_descent (one step)
# ---------------------------------------------------------------------------

_GD_HINT = "move against the gradient: theta_new = theta - lr * grad"


def _check_gd_step(fn, theta, grad, lr):
    mistakes = [
        (theta + lr * grad, "you stepped *up* the gradient; " + _GD_HINT),
        (theta - grad, "the step must be scaled by the learning rate lr; " + _GD_HINT),
    ]
    harness.expect_returns(
        fn,
        "gd_step",
        (theta, grad, lr),
        theta - lr * grad,
        _GD_HINT,
        rtol=1e-12,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_GD_STEP = Forbidden(
    "gd_step",
    ("torch", "dlkit.optim.gradient_descent"),
    "this exercise asks you to write the update x - lr * grad yourself",
)


def gd_step_basic(fn):
    """theta = [1, 2], grad = [0.5, -1], lr = 0.1 gives [0.95, 2.1]."""
    _check_gd_step(fn, np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1)
    _FORBID_GD_STEP.check(fn)


def gd_step_hidden(fn):
    """Random vectors and matrices (the update is element-wise), lr = 1, a zero gradient."""
    rng = np.random.default_rng(6101)
    _check_gd_step(fn, rng.standard_normal(5), rng.standard_normal(5), 0.03)
    _check_gd_step(fn, rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.5)
    _check_gd_step(fn, np.array([2.0, -1.0]), np.array([4.0, 4.0]), 1.0)
    _check_gd_step(fn, np.array([2.0, -1.0]), np.zeros(2), 0.7)
    _FORBID_GD_STEP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · op-gd-quadratic · reference: dk.optim.gradient_descent
# ---------------------------------------------------------------------------

_GDQ_HINT = (
    "loop k = 0, 1, ...: compute g = A x - b; if ||g|| <= tol return (x, k) before stepping; "
    "otherwise x = x - lr g; after max_iter updates return (x, max_iter)"
)


def _gradient_descent(A, b, x0, lr, tol, max_iter):
    """The final x and the number of updates made before ||A x - b|| <= tol (or max_iter)."""
    x = np.asarray(x0, dtype=float).copy()
    for k in range(max_iter):
        g = A @ x - b
        if np.linalg.norm(g) <= tol:
            return x, k
        x = x - lr * g
    return x, max_iter


def _check_gd_quadratic(fn, A, b, x0, lr, tol, max_iter):
    result, text = harness.call(fn, "gd_quadratic", A, b, x0, lr, tol, max_iter, hint=_GDQ_HINT)
    x, n_steps = harness.unpack(result, text, ("x", "n_steps"))
    x_expected, k = _gradient_descent(A, b, x0, lr, tol, max_iter)
    off_by_one = "your count is off by one; " + _GDQ_HINT
    harness.expect_number(
        n_steps,
        k,
        f"{text}[1] (n_steps)",
        _GDQ_HINT,
        rtol=0.0,
        atol=0.0,
        mistakes=[(k + 1, off_by_one), (k - 1, off_by_one)],
    )
    harness.expect_close(x, x_expected, f"{text}[0] (x)", _GDQ_HINT, rtol=1e-8, atol=1e-10)


_FORBID_GD_QUADRATIC = Forbidden(
    "gd_quadratic",
    ("torch", "dlkit.optim.gradient_descent"),
    "this exercise asks you to write the gradient-descent loop yourself",
)


def gd_quadratic_basic(fn):
    """A = diag(1, 2), b = [1, 2] (minimiser [1, 1]) from the origin with lr = 0.5."""
    _check_gd_quadratic(fn, np.diag([1.0, 2.0]), np.array([1.0, 2.0]), np.zeros(2), 0.5, 1e-6, 100)
    _FORBID_GD_QUADRATIC.check(fn)


def gd_quadratic_hidden(fn):
    """Random well and badly conditioned problems, a start at the optimum, a divergent lr."""
    rng = np.random.default_rng(6103)
    for kappa in (2.0, 30.0):
        A = oracles.symmetric_with_eigenvalues(rng, np.linspace(1.0, kappa, 3))
        lr = 2 / (1 + kappa)
        _check_gd_quadratic(fn, A, rng.standard_normal(3), rng.standard_normal(3), lr, 1e-8, 2000)
    A, b = np.diag([2.0, 5.0]), np.array([2.0, 5.0])
    _check_gd_quadratic(fn, A, b, np.ones(2), 0.1, 1e-9, 50)  # already optimal: 0 steps
    _check_gd_quadratic(fn, A, b, np.zeros(2), 0.1, 1e-12, 7)  # stops at max_iter
    _check_gd_quadratic(fn, A, b, np.zeros(2), 0.45, 1e-6, 20)  # lr > 2 / 5: diverges
    _FORBID_GD_QUADRATIC.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · op-momentum-step · reference: dk.optim.SGD (momentum)
# ---------------------------------------------------------------------------

_MOMENTUM_HINT = (
    "torch's convention: velocity = momentum * velocity + grad, then "
    "theta = theta - lr * velocity (lr multiplies the velocity, not the gradient)"
)


def _torch_trajectory(make_optimizer, theta0, A, b, steps):
    """Parameters after each of ``steps`` torch updates on the gradient A theta - b."""
    theta = oracles.tensor(theta0, requires_grad=True)
    optimizer = make_optimizer([theta])
    A_t, b_t = oracles.tensor(A), oracles.tensor(b)
    history = []
    for _ in range(steps):
        theta.grad = A_t @ theta.detach() - b_t
        optimizer.step()
        history.append(theta.detach().numpy().copy())
    return history


def _chain(name, expected, theta, A, b, advance, hint, oracle):
    """Call the learner's update ``len(expected)`` times, comparing theta after each call.

    ``advance(theta, grad, state, step)`` performs one learner call and returns
    ``(theta, state, text)``; the gradient is ``A theta - b`` at the learner's own theta.
    """
    state = None
    for step, target in enumerate(expected, start=1):
        theta, state, text = advance(theta, A @ theta - b, state, step)
        harness.expect_close(
            theta,
            target,
            f"call {step} of a chain of {name} calls, {text},",
            f"{hint} (the oracle is {oracle})",
            rtol=1e-9,
            atol=1e-12,
        )


def _check_momentum_step(fn, theta, grad, velocity, lr, mu):
    result, text = harness.call(
        fn, "momentum_step", theta, grad, velocity, lr, mu, hint=_MOMENTUM_HINT
    )
    theta_new, velocity_new = harness.unpack(result, text, ("theta", "velocity"))
    expected_velocity = mu * velocity + grad
    velocity_mistakes = [
        (
            mu * velocity - lr * grad,
            "that is the textbook form v = mu v - lr g; " + _MOMENTUM_HINT,
        ),
        (
            mu * velocity + (1 - mu) * grad,
            "that is a moving average (dampening 1 - momentum); torch adds the whole "
            "gradient; " + _MOMENTUM_HINT,
        ),
    ]
    harness.expect_close(
        velocity_new,
        expected_velocity,
        f"{text}[1] (velocity)",
        _MOMENTUM_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=velocity_mistakes,
    )
    theta_mistakes = [
        (theta - lr * grad, "update theta with the new velocity, not the raw gradient"),
    ]
    harness.expect_close(
        theta_new,
        theta - lr * expected_velocity,
        f"{text}[0] (theta)",
        _MOMENTUM_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=theta_mistakes,
    )


_FORBID_MOMENTUM_STEP = Forbidden(
    "momentum_step",
    ("torch", "dlkit.optim.SGD"),
    "this exercise asks you to write torch's momentum update yourself, not to call torch.optim",
)


def momentum_step_basic(fn):
    """theta = [1, 1], grad = [1, -2], velocity = [0.5, 0.5], lr = 0.1, momentum = 0.9."""
    _check_momentum_step(
        fn, np.array([1.0, 1.0]), np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1, 0.9
    )
    _FORBID_MOMENTUM_STEP.check(fn)


def momentum_step_hidden(fn):
    """Six chained steps against torch.optim.SGD(momentum=0.8) from a zero velocity."""
    torch = oracles.torch()
    rng = np.random.default_rng(6104)
    A = oracles.symmetric_with_eigenvalues(rng, [1.0, 4.0, 9.0])
    b, theta0 = rng.standard_normal(3), rng.standard_normal(3)
    lr, mu = 0.05, 0.8
    expected = _torch_trajectory(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu), theta0, A, b, 6)

    def advance(theta, grad, velocity, step):
        velocity = np.zeros_like(theta) if velocity is None else velocity
        result, text = harness.call(
            fn, "momentum_step", theta, grad, velocity, lr, mu, hint=_MOMENTUM_HINT
        )
        theta, velocity = harness.unpack(result, text, ("theta", "velocity"))
        return harness.as_float_array(theta, text), harness.as_float_array(velocity, text), text

    _chain(
        "momentum_step",
        expected,
        theta0,
        A,
        b,
        advance,
        _MOMENTUM_HINT,
        "torch.optim.SGD(momentum=0.8)",
    )
    _check_momentum_step(
        fn,
        rng.standard_normal((2, 2)),
        rng.standard_normal((2, 2)),
        rng.standard_normal((2, 2)),
        0.3,
        0.5,
    )
    _check_momentum_step(fn, np.array([1.0]), np.array([2.0]), np.array([-3.0]), 0.1, 0.0)
    _FORBID_MOMENTUM_STEP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · op-adam-step · reference: dk.optim.Adam
# ---------------------------------------------------------------------------

_ADAM_HINT = (
    "m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g**2, m_hat = m / (1 - beta1**t), "
    "v_hat = v / (1 - beta2**t), theta = theta - lr m_hat / (sqrt(v_hat) + eps); return the "
    "uncorrected m and v"
)


def _adam(theta, g, m, v, t, lr, beta1, beta2, eps, corrected=True, eps_inside=False):
    """One Adam step ``(theta, m, v)``, or one of its classic misreadings."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if corrected else (m, v)
    root = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return theta - lr * m_hat / root, m, v


def _check_adam_step(fn, theta, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    args = (theta, g, m, v, t, lr, beta1, beta2, eps)
    result, text = harness.call(fn, "adam_step", *args, hint=_ADAM_HINT)
    theta_new, m_new, v_new = harness.unpack(result, text, ("theta", "m", "v"))
    expected_theta, expected_m, expected_v = _adam(*args)
    harness.expect_close(
        m_new,
        expected_m,
        f"{text}[1] (m)",
        "m = beta1 * m + (1 - beta1) * grad, returned without bias correction",
        rtol=1e-10,
        atol=1e-14,
        mistakes=[(expected_m / (1 - beta1**t), "return m itself, not the bias-corrected m_hat")],
    )
    harness.expect_close(
        v_new,
        expected_v,
        f"{text}[2] (v)",
        "v = beta2 * v + (1 - beta2) * grad**2, returned without bias correction",
        rtol=1e-10,
        atol=1e-14,
        mistakes=[(expected_v / (1 - beta2**t), "return v itself, not the bias-corrected v_hat")],
    )
    theta_mistakes = [
        (_adam(*args, corrected=False)[0], "you left out the bias correction; " + _ADAM_HINT),
        (
            _adam(*args, eps_inside=True)[0],
            "eps goes outside the square root (as in torch); " + _ADAM_HINT,
        ),
        (
            _adam(theta, g, m, v, t + 1, lr, beta1, beta2, eps)[0],
            "t is the number of the current step, starting at 1; use beta**t, not "
            "beta**(t + 1); " + _ADAM_HINT,
        ),
    ]
    harness.expect_close(
        theta_new,
        expected_theta,
        f"{text}[0] (theta)",
        _ADAM_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=theta_mistakes,
    )


_FORBID_ADAM_STEP = Forbidden(
    "adam_step",
    ("torch", "dlkit.optim.Adam"),
    (
        "this exercise asks you to write Adam's update with bias correction yourself, not to "
        "call torch.optim"
    ),
)


def adam_step_basic(fn):
    """The first step (t = 1) from m = v = 0: theta moves by lr * sign(grad) (up to eps)."""
    _check_adam_step(
        fn, np.array([1.0, -1.0]), np.array([0.2, -3.0]), np.zeros(2), np.zeros(2), 1, 0.1
    )
    _FORBID_ADAM_STEP.check(fn)


def adam_step_hidden(fn):
    """Odd hyper-parameters and a big eps, then eight chained steps against torch.optim.Adam."""
    torch = oracles.torch()
    rng = np.random.default_rng(6105)
    A = oracles.symmetric_with_eigenvalues(rng, [0.5, 3.0, 20.0])
    b, theta0 = rng.standard_normal(3), rng.standard_normal(3)
    lr, betas, eps = 0.05, (0.8, 0.95), 1e-6
    expected = _torch_trajectory(
        lambda p: torch.optim.Adam(p, lr=lr, betas=betas, eps=eps), theta0, A, b, 8
    )
    shape = (2, 3)
    _check_adam_step(
        fn,
        rng.standard_normal(shape),
        rng.standard_normal(shape),
        0.1 * rng.standard_normal(shape),
        rng.uniform(0, 0.1, shape),
        5,
        0.01,
        0.5,
        0.9,
        1e-8,
    )
    _check_adam_step(
        fn,
        np.array([0.0, 1.0]),
        np.array([1e-3, 0.0]),
        np.zeros(2),
        np.zeros(2),
        1,
        0.1,
        0.9,
        0.999,
        0.1,
    )
    _check_adam_step(
        fn, np.array([3.0]), np.array([-0.5]), np.array([0.2]), np.array([0.04]), 100, 0.001
    )

    def advance(theta, grad, state, step):
        m, v = (np.zeros_like(theta), np.zeros_like(theta)) if state is None else state
        result, text = harness.call(
            fn, "adam_step", theta, grad, m, v, step, lr, *betas, eps, hint=_ADAM_HINT
        )
        values = harness.unpack(result, text, ("theta", "m", "v"))
        theta, m, v = (harness.as_float_array(value, text) for value in values)
        return theta, (m, v), text

    _chain(
        "adam_step",
        expected,
        theta0,
        A,
        b,
        advance,
        _ADAM_HINT,
        "torch.optim.Adam(lr=0.05, betas=(0.8, 0.95), eps=1e-6)",
    )
    _FORBID_ADAM_STEP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · op-warmup-cosine · reference: dk.optim.warmup_cosine
# ---------------------------------------------------------------------------

_WARMUP_HINT = (
    "for t < W: lr_max * (t + 1) / W; for W <= t <= T: p = (t - W) / (T - W) and "
    "lr_min + (lr_max - lr_min) * (1 + cos(pi p)) / 2; for t > T: lr_min"
)


def _cosine(progress, lr_max, lr_min):
    """The cosine decay from lr_max (progress 0) to lr_min (progress 1)."""
    return lr_min + (lr_max - lr_min) * 0.5 * (1 + np.cos(np.pi * progress))


def _warmup_mistakes(t, lr_max, warmup, total, lr_min):
    """The classic mistakes that can show at step t: (wrong rate, message) pairs."""
    floor = (
        "integer division: `//` rounds down, so the rate is stuck at a whole multiple; "
        "divide with `/`: "
    )
    if t == 0:  # forgetting the + 1 and dividing with // both give 0 here
        return [
            (
                0.0,
                "your rate at t = 0 is 0: the warm-up starts at lr_max / W, lr_max * (t + 1) / W "
                "with `/` (not `//`, which rounds down), so that no step is wasted; "
                + _WARMUP_HINT,
            )
        ]
    if t < warmup:
        return [
            (lr_max * ((t + 1) // warmup), floor + "(t + 1) // W is 0 until t + 1 = W"),
            (lr_max * (t + 1) // warmup, floor + "lr_max * (t + 1) // W rounds the rate down"),
            (
                lr_max * t / warmup,
                "the warm-up starts at lr_max / W for t = 0 (use (t + 1) / W) so that no "
                "step is wasted; " + _WARMUP_HINT,
            ),
        ]
    progress = (t - warmup) / (total - warmup)
    if t > total:
        return [
            (
                _cosine(progress, lr_max, lr_min),
                "after T the rate stays at lr_min (the cosine would climb again); " + _WARMUP_HINT,
            )
        ]
    return [
        (
            _cosine(float((t - warmup) // (total - warmup)), lr_max, lr_min),
            floor + "(t - W) // (T - W) is 0 until T, so the rate stays at lr_max; " + _WARMUP_HINT,
        ),
        (
            _cosine(t / total, lr_max, lr_min),
            "the cosine phase starts after the warm-up: measure progress as (t - W) / (T - W); "
            + _WARMUP_HINT,
        ),
        (_cosine(progress, lr_max, 0.0), "the cosine decays to lr_min, not to 0; " + _WARMUP_HINT),
    ]


def _check_warmup(fn, t, lr_max, warmup, total, lr_min):
    args = (t, lr_max, warmup, total, lr_min)
    result, text = harness.call(fn, "warmup_cosine_lr", *args, hint=_WARMUP_HINT)
    if t < warmup:
        expected = lr_max * (t + 1) / warmup
    else:  # progress capped at 1: lr_min after T
        expected = _cosine(min(1.0, (t - warmup) / (total - warmup)), lr_max, lr_min)
    harness.expect_number(
        result,
        expected,
        text,
        _WARMUP_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=_warmup_mistakes(*args),
    )


_FORBID_WARMUP_COSINE_LR = Forbidden(
    "warmup_cosine_lr",
    ("torch", "dlkit.optim.warmup_cosine"),
    (
        "this exercise asks you to write the warm-up and cosine formulas yourself, not torch's "
        "schedulers"
    ),
)


def warmup_cosine_lr_basic(fn):
    """W = 4, T = 12, lr_max = 1, lr_min = 0 at t = 2, 0, 3, 4, 8 and 12 (t = 2 first: there
    a forgotten + 1 and an integer division give different rates)."""
    for t in (2, 0, 3, 4, 8, 12):
        _check_warmup(fn, t, 1.0, 4, 12, 0.0)
    _FORBID_WARMUP_COSINE_LR.check(fn)


def warmup_cosine_lr_hidden(fn):
    """Every step of two schedules (a non-zero floor, W = 1), and steps past the end."""
    for t in range(0, 32):
        _check_warmup(fn, t, 0.3, 5, 30, 0.01)
    for t in (0, 1, 2, 9, 10):
        _check_warmup(fn, t, 2.0, 1, 10, 0.5)
    _check_warmup(fn, 45, 0.3, 5, 30, 0.01)
    _FORBID_WARMUP_COSINE_LR.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · op-newton-step · reference: dk.optim.newton_step
# ---------------------------------------------------------------------------

_NEWTON_HINT = (
    "x_new = x - H^{-1} g; compute d by solving H d = g (np.linalg.solve) and return x - d"
)


def _check_newton(fn, x, g, H):
    mistakes = [
        (x + np.linalg.solve(H, g), "you stepped up the gradient; " + _NEWTON_HINT),
        (x - H @ g, "multiply by the inverse of H, not by H; " + _NEWTON_HINT),
        (x - np.linalg.solve(H.T, g), "solve with H itself, not its transpose; " + _NEWTON_HINT),
    ]
    harness.expect_returns(
        fn,
        "newton_step",
        (x, g, H),
        x - np.linalg.solve(H, g),
        _NEWTON_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=mistakes,
    )


_FORBID_NEWTON_STEP = Forbidden(
    "newton_step",
    (
        "numpy.linalg.inv",
        "numpy.linalg.pinv",
        "scipy.linalg.inv",
        "torch",
        "dlkit.optim.newton_step",
        "scipy.optimize",
    ),
    "compute the step by solving H d = g with np.linalg.solve, never by forming H^-1 (more "
    "work, less accurate); this exercise asks you to write that step yourself",
)


def newton_step_basic(fn):
    """x = [1, 1], g = [2, 4], H = diag(2, 8) gives [0, 0.5]."""
    _check_newton(fn, np.array([1.0, 1.0]), np.array([2.0, 4.0]), np.diag([2.0, 8.0]))
    _FORBID_NEWTON_STEP.check(fn)


def newton_step_hidden(fn):
    """Random dense Hessians; one step from anywhere minimises a quadratic exactly."""
    rng = np.random.default_rng(6106)
    for n in (2, 4):
        H = oracles.symmetric_with_eigenvalues(rng, rng.uniform(0.5, 5, n))
        _check_newton(fn, rng.standard_normal(n), rng.standard_normal(n), H)
    not_symmetric = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    _check_newton(fn, rng.standard_normal(3), rng.standard_normal(3), not_symmetric)
    A = oracles.symmetric_with_eigenvalues(rng, [1.0, 10.0, 100.0])
    b, x = rng.standard_normal(3), rng.standard_normal(3)
    harness.expect_returns(
        fn,
        "newton_step",
        (x, A @ x - b, A),
        np.linalg.solve(A, b),
        "on 1/2 x^T A x - b^T x one Newton step lands on the minimiser A^{-1} b; " + _NEWTON_HINT,
        rtol=1e-7,
        atol=1e-9,
    )
    _FORBID_NEWTON_STEP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · op-lbfgs-direction · reference: dk.optim.lbfgs_direction
# ---------------------------------------------------------------------------

_LBFGS_HINT = (
    "first loop newest to oldest: alpha_i = rho_i s_i.q, q -= alpha_i y_i; scale r = gamma q "
    "with gamma = s.y / y.y of the newest pair; second loop oldest to newest: "
    "beta = rho_i y_i.r, r += (alpha_i - beta) s_i; return -r"
)


def _dense_direction(g, s_list, y_list, scaled=True):
    """-H g with H from the explicit BFGS inverse update, starting at gamma I (or I)."""
    n = len(g)
    if not s_list:
        return -np.asarray(g, dtype=float)
    s_last, y_last = s_list[-1], y_list[-1]
    H = ((s_last @ y_last) / (y_last @ y_last) if scaled else 1.0) * np.eye(n)
    eye = np.eye(n)
    for s, y in zip(s_list, y_list):
        rho = 1.0 / (y @ s)
        H = (eye - rho * np.outer(s, y)) @ H @ (eye - rho * np.outer(y, s)) + rho * np.outer(s, s)
    return -H @ g


def _check_lbfgs(fn, g, s_list, y_list):
    direction = _dense_direction(g, s_list, y_list)
    mistakes = [(-direction, "return the descent direction -H g (minus sign); " + _LBFGS_HINT)]
    if s_list:
        mistakes += [
            (
                _dense_direction(g, s_list, y_list, scaled=False),
                "you skipped the initial scaling H0 = gamma I; " + _LBFGS_HINT,
            ),
            (
                _dense_direction(g, s_list[::-1], y_list[::-1]),
                "the lists are oldest first: the first loop runs from the newest pair "
                "(the end of the lists) back to the oldest; " + _LBFGS_HINT,
            ),
        ]
    harness.expect_returns(
        fn,
        "lbfgs_direction",
        (g, s_list, y_list),
        direction,
        _LBFGS_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=mistakes,
    )


def _curvature_pairs(rng, A, m):
    """m random steps s and their gradient changes y = A s on the quadratic of A."""
    s_list = [rng.standard_normal(A.shape[0]) for _ in range(m)]
    return s_list, [A @ s for s in s_list]


_FORBID_LBFGS_DIRECTION = Forbidden(
    "lbfgs_direction",
    ("torch", "dlkit.optim.lbfgs_direction", "scipy.optimize"),
    "this exercise asks you to write the two-loop recursion yourself",
)


def lbfgs_direction_basic(fn):
    """No history gives -g; one pair on A = diag(1, 4) gives the BFGS direction."""
    _check_lbfgs(fn, np.array([1.0, -2.0]), [], [])
    A = np.diag([1.0, 4.0])
    s = np.array([1.0, 1.0])
    _check_lbfgs(fn, np.array([1.0, 2.0]), [s], [A @ s])
    _FORBID_LBFGS_DIRECTION.check(fn)


def lbfgs_direction_hidden(fn):
    """Random convex curvature pairs (m = 2..5 in 3..6 dimensions); n pairs on a quadratic
    reproduce the exact Newton direction."""
    rng = np.random.default_rng(6109)
    for n, m in ((3, 2), (5, 4), (6, 5)):
        A = oracles.symmetric_with_eigenvalues(rng, rng.uniform(0.5, 6.0, n))
        s_list, y_list = _curvature_pairs(rng, A, m)
        _check_lbfgs(fn, rng.standard_normal(n), s_list, y_list)
    A = np.diag([1.0, 3.0, 10.0])
    s_list = [np.eye(3)[i] for i in range(3)]
    g = np.array([1.0, 1.0, 1.0])
    newton = (
        "with n coordinate steps on a diagonal quadratic the recursion must give the Newton "
        "direction -A^{-1} g; " + _LBFGS_HINT
    )
    harness.expect_returns(
        fn,
        "lbfgs_direction",
        (g, s_list, [A @ s for s in s_list]),
        -np.linalg.solve(A, g),
        newton,
        rtol=1e-7,
        atol=1e-10,
    )
    _FORBID_LBFGS_DIRECTION.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · op-lagrange-xy · reference: none in dlkit (the closed form c / 2)
# ---------------------------------------------------------------------------

_LAGRANGE_HINT = (
    "with L = x y - lam (x + y - c): dL/dx = y - lam = 0, dL/dy = x - lam = 0 and x + y = c, "
    "so x = y = lam = c / 2"
)


def _check_lagrange(fn, c):
    result, text = harness.call(fn, "lagrange_xy", c, hint=_LAGRANGE_HINT)
    values = harness.unpack(result, text, ("x", "y", "lam"))
    mistakes = [([c / 2, c / 2, -c / 2], "check the sign of lam; " + _LAGRANGE_HINT)]
    harness.expect_close(
        harness.as_float_array(values, text),
        [c / 2] * 3,
        text,
        _LAGRANGE_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_LAGRANGE_XY = Forbidden(
    "lagrange_xy",
    ("torch", "scipy.optimize"),
    "this exercise asks you to solve the Lagrange conditions yourself",
)


def lagrange_xy_basic(fn):
    """c = 10: the best rectangle with half-perimeter 10 is the 5 x 5 square."""
    _check_lagrange(fn, 10.0)
    _FORBID_LAGRANGE_XY.check(fn)


def lagrange_xy_hidden(fn):
    """Other totals, including a negative one and zero."""
    for c in (3.0, 7.5, -4.0, 0.0, 123.0):
        _check_lagrange(fn, c)
    _FORBID_LAGRANGE_XY.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · op-solve-kkt · reference: dk.optim.solve_equality_qp
# ---------------------------------------------------------------------------

_KKT_HINT = (
    "solve the linear system [[Q, A^T], [A, 0]] [x; lam] = [-c; b] (np.block and "
    "np.linalg.solve) and split the solution into x (first n entries) and lam (the rest)"
)


def _kkt_solution(Q, c, A, b):
    """x (n,) and lam (p,) from the KKT system [[Q, A^T], [A, 0]] [x; lam] = [-c; b]."""
    n, p = Q.shape[0], A.shape[0]
    kkt = np.block([[Q, A.T], [A, np.zeros((p, p))]])  # (n + p, n + p)
    solution = np.linalg.solve(kkt, np.concatenate([-c, b]))
    return solution[:n], solution[n:]


def _check_kkt(fn, Q, c, A, b):
    result, text = harness.call(fn, "solve_kkt", Q, c, A, b, hint=_KKT_HINT)
    x, lam = harness.unpack(result, text, ("x", "lam"))
    expected_x, expected_lam = _kkt_solution(Q, c, A, b)
    x_mistakes = [
        (
            _kkt_solution(Q, np.zeros_like(c), A, b)[0],
            "you left out c: the right-hand side is [-c; b]",
        ),
        (_kkt_solution(Q, -c, A, b)[0], "the right-hand side is [-c; b], not [c; b]"),
    ]
    harness.expect_close(
        x, expected_x, f"{text}[0] (x)", _KKT_HINT, rtol=1e-7, atol=1e-9, mistakes=x_mistakes
    )
    flipped = (
        "the multiplier's sign is flipped: with L = f + lam^T (A x - b), stationarity reads "
        "Q x + c + A^T lam = 0"
    )
    harness.expect_close(
        harness.as_float_array(lam, text).ravel(),
        expected_lam,
        f"{text}[1] (lam)",
        _KKT_HINT,
        rtol=1e-7,
        atol=1e-9,
        mistakes=[(-expected_lam, flipped)],
    )


_FORBID_SOLVE_KKT = Forbidden(
    "solve_kkt",
    ("torch", "dlkit.optim.solve_equality_qp", "scipy.optimize"),
    "this exercise asks you to build and solve the KKT system yourself",
)


def solve_kkt_basic(fn):
    """Maximise x y on x + y = 10, written as: minimise -x y, Q = [[0, -1], [-1, 0]]."""
    Q = np.array([[0.0, -1.0], [-1.0, 0.0]])
    _check_kkt(fn, Q, np.zeros(2), np.array([[1.0, 1.0]]), np.array([10.0]))
    _FORBID_SOLVE_KKT.check(fn)


def solve_kkt_hidden(fn):
    """Random convex problems with one and with two constraints, and a non-zero c."""
    rng = np.random.default_rng(6107)
    for n, p in ((3, 1), (4, 2), (5, 3)):
        Q = oracles.symmetric_with_eigenvalues(rng, rng.uniform(0.5, 4.0, n))
        _check_kkt(
            fn, Q, rng.standard_normal(n), rng.standard_normal((p, n)), rng.standard_normal(p)
        )
    _check_kkt(fn, np.eye(2), np.array([1.0, -2.0]), np.array([[1.0, 1.0]]), np.array([0.0]))
    _FORBID_SOLVE_KKT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · op-project-ball · reference: dk.optim.project_ball
# ---------------------------------------------------------------------------

_BALL_HINT = (
    "if ||x||_2 <= radius return x unchanged; otherwise scale it back onto the sphere: "
    "x * radius / ||x||_2"
)


def _check_ball(fn, x, radius):
    norm = np.linalg.norm(x)
    expected = x if norm <= radius else x * radius / norm
    mistakes = [
        (
            lambda: x * radius / norm,
            "points already inside the ball must not move; " + _BALL_HINT,
        ),
        (
            np.clip(x, -radius, radius),
            "clipping each coordinate projects onto a box, not onto the ball; " + _BALL_HINT,
        ),
        (
            lambda: x * radius / norm**2,
            "divide by the norm, not the squared norm; " + _BALL_HINT,
        ),
    ]
    harness.expect_returns(
        fn,
        "project_l2_ball",
        (x, radius),
        expected,
        _BALL_HINT,
        rtol=1e-10,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_PROJECT_L2_BALL = Forbidden(
    "project_l2_ball",
    ("torch", "dlkit.optim.project_ball"),
    "this exercise asks you to rescale the points outside the ball yourself",
)


def project_l2_ball_basic(fn):
    """[3, 4] onto the unit ball is [0.6, 0.8]; [0.3, 0.4] stays where it is."""
    _check_ball(fn, np.array([3.0, 4.0]), 1.0)
    _check_ball(fn, np.array([0.3, 0.4]), 1.0)
    _FORBID_PROJECT_L2_BALL.check(fn)


def project_l2_ball_hidden(fn):
    """Random points in and out, other radii, a point on the sphere, the origin."""
    rng = np.random.default_rng(6108)
    for scale, radius in ((5.0, 1.0), (0.1, 1.0), (1.0, 2.5), (3.0, 0.5)):
        _check_ball(fn, scale * rng.standard_normal(4), radius)
    _check_ball(fn, np.array([0.0, -2.0, 0.0]), 2.0)
    _check_ball(fn, np.zeros(3), 1.0)
    _check_ball(fn, np.array([1.5, -1.5]), 1.0)
    _FORBID_PROJECT_L2_BALL.check(fn)
