"""dlkit.optim against torch.optim, torch's schedulers, scipy.optimize and closed forms."""

import numpy as np
import pytest
import scipy.optimize
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import optim
from dlkit.autodiff import Tensor
from dlkit.testing import assert_close

fast = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)

# ---------------------------------------------------------------- update rules vs torch.optim

# (dlkit class, torch class, keyword arguments shared by both)
RULES = {
    "sgd": (optim.SGD, torch.optim.SGD, {"lr": 0.1}),
    "sgd-weight-decay": (optim.SGD, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.3}),
    "momentum": (optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "momentum-dampening": (
        optim.SGD,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.5},
    ),
    "nesterov": (optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "adagrad": (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3}),
    "adagrad-eps": (optim.Adagrad, torch.optim.Adagrad, {"lr": 0.3, "eps": 1e-3}),
    "rmsprop": (optim.RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop-momentum": (
        optim.RMSprop,
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "eps": 1e-6},
    ),
    "adam": (optim.Adam, torch.optim.Adam, {"lr": 0.05}),
    "adam-betas": (
        optim.Adam,
        torch.optim.Adam,
        {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.1},
    ),
}
STEPS = 8


def loss_grad(theta, target):
    """Gradient of sum(theta^4 / 4 - target * theta): depends on the parameter itself."""
    return theta**3 - target


def initial_parameters(seed):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    targets = [rng.standard_normal(p.shape) for p in params]
    return params, targets


def torch_trajectory(torch_cls, kwargs, params, targets):
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    opt = torch_cls(tensors, **kwargs)
    history = []
    for _ in range(STEPS):
        for t, target in zip(tensors, targets):
            t.grad = loss_grad(t.detach(), torch.from_numpy(target))
        opt.step()
        history.append([t.detach().numpy().copy() for t in tensors])
    return history


@pytest.mark.parametrize("rule", RULES)
def test_update_rule_matches_torch_on_arrays(rule):
    ours, theirs, kwargs = RULES[rule]
    params, targets = initial_parameters(7)
    expected = torch_trajectory(theirs, kwargs, params, targets)
    opt = ours(params, **kwargs)
    for step in range(STEPS):
        opt.step([loss_grad(p, t) for p, t in zip(params, targets)])
        for p, e in zip(params, expected[step]):
            assert_close(p, e, rtol=1e-10, atol=1e-12, name=f"{rule} step {step + 1}")


@pytest.mark.parametrize("rule", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_update_rule_matches_torch_on_dlkit_tensors(rule):
    ours, theirs, kwargs = RULES[rule]
    params, targets = initial_parameters(8)
    expected = torch_trajectory(theirs, kwargs, params, targets)
    tensors = [Tensor(p.copy(), requires_grad=True) for p in params]
    opt = ours(tensors, **kwargs)
    for step in range(STEPS):
        opt.zero_grad()
        for w, target in zip(tensors, targets):
            loss = (w.pow(4) * 0.25 - w * Tensor(target)).sum()
            loss.backward()
        opt.step()
        for w, e in zip(tensors, expected[step]):
            assert_close(w.data, e, rtol=1e-10, atol=1e-12, name=f"{rule} step {step + 1}")


class Parameter:
    """Any object with .data and .grad will do (duck typing)."""

    def __init__(self, data):
        self.data, self.grad = np.asarray(data, dtype=float), None


def test_tensor_without_gradient_is_skipped_like_torch():
    a, b = Parameter([1.0, 2.0]), Parameter([3.0])
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0, -1.0])
    opt.step()
    assert_close(a.data, [0.9, 2.1])
    assert_close(b.data, [3.0])
    assert opt.state[1] == {}
    b.grad = np.array([2.0])
    opt.step()  # b's first step: Adam's bias correction makes it exactly lr * sign(g)
    assert_close(b.data, [2.9])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_arrays_are_updated_in_place():
    theta = np.array([1.0, -2.0])
    view = theta
    optim.SGD([theta], lr=0.5).step([np.array([2.0, 2.0])])
    assert view is theta
    assert_close(theta, [0.0, -3.0])


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="dtype int64"):
        optim.SGD([np.array([1, 2])], lr=0.1)
    with pytest.raises(ValueError, match="mix of numpy arrays and tensors"):
        optim.SGD([np.zeros(2), Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="parameter 0 is a list"):
        optim.SGD([[1.0, 2.0]], lr=0.1)
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        optim.Adam([np.zeros(2)], lr=-1.0)
    with pytest.raises(ValueError, match=r"momentum must lie in \[0, 1\)"):
        optim.SGD([np.zeros(2)], lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="nesterov=True needs momentum"):
        optim.SGD([np.zeros(2)], lr=0.1, nesterov=True)
    arrays = optim.SGD([np.zeros(2), np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="pass their gradients"):
        arrays.step()
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        arrays.step([np.zeros(2)])
    with pytest.raises(ValueError, match=r"gradient 1 has shape \(2,\) but parameter 1"):
        arrays.step([np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match="call step\\(\\) without arguments"):
        optim.SGD([Parameter([1.0])], lr=0.1).step([np.zeros(1)])


# ---------------------------------------------------------------- schedules vs torch schedulers


def torch_lrs(make_scheduler, steps, lr=1.0):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(lrs)


def test_step_and_exponential_decay_match_torch():
    t = np.arange(25)
    steplr = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 7, gamma=0.5), 25, lr=0.3)
    assert_close(optim.step_decay(t, 0.3, 7, 0.5), steplr, rtol=1e-12)
    explr = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9), 25, lr=0.3)
    assert_close(optim.exponential_decay(t, 0.3, 0.9), explr, rtol=1e-12)


def test_cosine_decay_matches_torch_up_to_the_end():
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.01), 21, lr=0.5
    )
    assert_close(optim.cosine_decay(np.arange(21), 0.5, 20, 0.01), expected, rtol=1e-10)
    assert optim.cosine_decay(35, 0.5, 20, 0.01) == 0.01  # stays at the floor


def test_warmup_cosine_matches_torch_linear_then_cosine():
    warmup, total = 5, 30

    def make(o):
        return torch.optim.lr_scheduler.SequentialLR(
            o,
            [
                torch.optim.lr_scheduler.LinearLR(o, 1 / warmup, 1.0, total_iters=warmup - 1),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, total - warmup, eta_min=0.002),
            ],
            milestones=[warmup],
        )

    expected = torch_lrs(make, total + 1, lr=0.1)
    got = optim.warmup_cosine(np.arange(total + 1), 0.1, warmup, total, 0.002)
    assert_close(got, expected, rtol=1e-10)
    assert_close(optim.linear_warmup(np.arange(warmup), 0.1, warmup), expected[:warmup])
    assert optim.linear_warmup(warmup + 3, 0.1, warmup) == 0.1
    assert isinstance(optim.warmup_cosine(3, 0.1, warmup, total), float)


def test_lr_scheduler_drives_an_optimizer_like_torch():
    params, targets = initial_parameters(9)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    torch_opt = torch.optim.SGD(tensors, lr=0.2, momentum=0.9)
    torch_sched = torch.optim.lr_scheduler.StepLR(torch_opt, 3, gamma=0.5)
    opt = optim.SGD(params, lr=0.2, momentum=0.9)
    sched = optim.LRScheduler(opt, lambda t: optim.step_decay(t, 0.2, 3, 0.5))
    for _ in range(10):
        for t, target in zip(tensors, targets):
            t.grad = loss_grad(t.detach(), torch.from_numpy(target))
        torch_opt.step()
        torch_sched.step()
        opt.step([loss_grad(p, t) for p, t in zip(params, targets)])
        sched.step()
        assert opt.lr == pytest.approx(torch_opt.param_groups[0]["lr"])
    for p, t in zip(params, tensors):
        assert_close(p, t.detach().numpy(), rtol=1e-10)


def test_schedule_errors():
    with pytest.raises(ValueError, match="whole number >= 0"):
        optim.exponential_decay(-1, 0.1, 0.9)
    with pytest.raises(ValueError, match="whole number >= 0"):
        optim.cosine_decay(1.5, 0.1, 10)
    with pytest.raises(ValueError, match="step_size must be a whole number"):
        optim.step_decay(3, 0.1, 0)
    with pytest.raises(ValueError, match="1 <= warmup_steps < total_steps"):
        optim.warmup_cosine(3, 0.1, 10, 10)


# ---------------------------------------------------------------- gradient descent on quadratics


def spd(rng, eigenvalues):
    q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return (q * np.asarray(eigenvalues)) @ q.T


@fast
@given(seeds, st.floats(1.0, 50.0))
def test_gd_on_a_quadratic_contracts_at_the_predicted_rate(seed, kappa):
    rng = np.random.default_rng(seed)
    A = spd(rng, np.linspace(1.0, kappa, 3))
    b = rng.standard_normal(3)
    x_star = np.linalg.solve(A, b)
    lr, rho = optim.optimal_step_size(A)
    assert_close(lr, 2 / (1 + kappa), rtol=1e-8)
    assert_close(rho, (kappa - 1) / (kappa + 1), rtol=1e-8, atol=1e-12)
    assert_close(optim.gd_contraction(A, lr), rho, rtol=1e-8, atol=1e-12)
    assert_close(optim.gd_contraction(A, 0.5 * lr), np.linalg.norm(np.eye(3) - 0.5 * lr * A, 2))
    path = optim.gradient_descent(lambda x: A @ x - b, np.zeros(3), lr, max_steps=20)
    errors = np.linalg.norm(path - x_star, axis=1)
    assert np.all(errors[1:] <= rho * errors[:-1] * (1 + 1e-9) + 1e-14)


def test_optimal_step_size_beats_every_other_step():
    A = np.diag([1.0, 10.0])
    lr, rho = optim.optimal_step_size(A)
    grid = np.linspace(0.01, 0.25, 500)
    contractions = [optim.gd_contraction(A, s) for s in grid]
    assert min(contractions) >= rho - 1e-12
    assert optim.gd_contraction(A, 2 / 10 + 0.01) > 1  # past 2 / lambda_max it diverges


def test_gradient_descent_stops_at_tolerance():
    A, b = np.diag([1.0, 4.0]), np.array([1.0, 1.0])
    path = optim.gradient_descent(lambda x: A @ x - b, [5.0, 5.0], lr=0.2, tol=1e-6)
    assert np.linalg.norm(A @ path[-1] - b) <= 1e-6 < np.linalg.norm(A @ path[-2] - b)
    assert len(optim.gradient_descent(lambda x: A @ x - b, [1.0, 0.25], 0.2, tol=1e-12)) == 1


def test_quadratic_helpers_reject_indefinite_matrices():
    with pytest.raises(ValueError, match="positive definite"):
        optim.optimal_step_size(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="symmetric"):
        optim.gd_contraction(np.array([[1.0, 2.0], [0.0, 1.0]]), 0.1)


# ---------------------------------------------------------------- test problems, Newton


@fast
@given(seeds, st.integers(2, 6))
def test_rosenbrock_matches_scipy(seed, n):
    x = np.random.default_rng(seed).uniform(-2, 2, n)
    assert_close(optim.rosenbrock(x), scipy.optimize.rosen(x), rtol=1e-12)
    assert_close(optim.rosenbrock_grad(x), scipy.optimize.rosen_der(x), rtol=1e-12, atol=1e-10)
    assert_close(optim.rosenbrock_hess(x), scipy.optimize.rosen_hess(x), rtol=1e-12, atol=1e-10)


def test_rosenbrock_is_vectorized_over_a_grid():
    grid = np.random.default_rng(0).uniform(-2, 2, (2, 5, 7))  # (2, 5, 7): 35 points
    assert_close(optim.rosenbrock(grid), scipy.optimize.rosen(grid), rtol=1e-12)
    expected = np.stack([scipy.optimize.rosen_der(p) for p in grid.reshape(2, -1).T], axis=1)
    assert_close(optim.rosenbrock_grad(grid).reshape(2, -1), expected, rtol=1e-12, atol=1e-10)
    with pytest.raises(ValueError, match="at least 2 coordinates"):
        optim.rosenbrock(np.ones(1))


def test_newton_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(3)
    A, b = spd(rng, [0.5, 2.0, 30.0]), rng.standard_normal(3)
    x0 = rng.standard_normal(3)
    assert_close(optim.newton_step(x0, A @ x0 - b, A), np.linalg.solve(A, b), rtol=1e-10)
    path = optim.newton_minimize(lambda x: A @ x - b, lambda x: A, x0)
    assert len(path) == 2
    with pytest.raises(ValueError, match=r"H must have shape \(3, 3\)"):
        optim.newton_step(x0, b, np.eye(2))


def test_newton_reaches_the_rosenbrock_minimum_fast():
    path = optim.newton_minimize(optim.rosenbrock_grad, optim.rosenbrock_hess, [-1.2, 1.0])
    assert_close(path[-1], [1.0, 1.0], atol=1e-10)
    assert len(path) < 12
    errors = np.linalg.norm(path - 1.0, axis=1)
    assert errors[-2] < 1e-3 * np.sqrt(errors[-3])  # quadratic convergence at the end


# ---------------------------------------------------------------- L-BFGS


def dense_bfgs_direction(g, s_history, y_history):
    """-H g with H built explicitly by the BFGS inverse update from gamma I."""
    s_last, y_last = s_history[-1], y_history[-1]
    H = (s_last @ y_last) / (y_last @ y_last) * np.eye(len(g))
    eye = np.eye(len(g))
    for s, y in zip(s_history, y_history):
        rho = 1 / (y @ s)
        H = (eye - rho * np.outer(s, y)) @ H @ (eye - rho * np.outer(y, s)) + rho * np.outer(s, s)
    return -H @ g


@fast
@given(seeds, st.integers(1, 6), st.integers(1, 5))
def test_two_loop_recursion_equals_the_dense_bfgs_update(seed, n, m):
    rng = np.random.default_rng(seed)
    A = spd(rng, rng.uniform(0.5, 5.0, n))
    s_history = [rng.standard_normal(n) for _ in range(m)]
    y_history = [A @ s for s in s_history]  # curvature pairs of a convex quadratic
    g = rng.standard_normal(n)
    got = optim.lbfgs_direction(g, s_history, y_history)
    assert_close(got, dense_bfgs_direction(g, s_history, y_history), rtol=1e-8, atol=1e-10)
    assert got @ g < 0  # a descent direction


def test_two_loop_recursion_edge_cases():
    g = np.array([1.0, -2.0])
    assert_close(optim.lbfgs_direction(g, [], []), -g)
    with pytest.raises(ValueError, match="keep them in pairs"):
        optim.lbfgs_direction(g, [g], [])


def test_lbfgs_reaches_the_rosenbrock_minimiser_like_scipy():
    start = np.array([-1.2, 1.0])
    path = optim.lbfgs(optim.rosenbrock, optim.rosenbrock_grad, start, tol=1e-10)
    reference = scipy.optimize.minimize(
        scipy.optimize.rosen,
        start,
        jac=scipy.optimize.rosen_der,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "ftol": 1e-15},
    )
    assert_close(path[-1], [1.0, 1.0], atol=1e-8)
    assert_close(path[-1], reference.x, atol=1e-6)
    assert len(path) < 100


def test_lbfgs_on_a_higher_dimensional_rosenbrock_and_a_quadratic():
    path = optim.lbfgs(optim.rosenbrock, optim.rosenbrock_grad, np.full(8, -0.5), memory=5)
    assert_close(path[-1], np.ones(8), atol=1e-6)
    rng = np.random.default_rng(4)
    A, b = spd(rng, np.geomspace(1, 100, 6)), rng.standard_normal(6)
    path = optim.lbfgs(lambda x: 0.5 * x @ A @ x - b @ x, lambda x: A @ x - b, np.zeros(6))
    assert_close(path[-1], np.linalg.solve(A, b), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="memory must be >= 1"):
        optim.lbfgs(optim.rosenbrock, optim.rosenbrock_grad, [0.0, 0.0], memory=0)


# ---------------------------------------------------------------- projections, constraints


@fast
@given(seeds, st.floats(0.1, 3.0))
def test_projections_satisfy_the_variational_inequality(seed, radius):
    """P(x) is the projection iff it is feasible and (x - P(x)) . (z - P(x)) <= 0 for feasible z."""
    rng = np.random.default_rng(seed)
    x = 3 * rng.standard_normal(4)
    lower, upper = -rng.uniform(0, 1, 4), rng.uniform(0, 1, 4)
    box = optim.project_box(x, lower, upper)
    inside = rng.uniform(lower, upper, (50, 4))  # (50, 4) feasible points
    assert np.all((lower <= box) & (box <= upper))
    assert np.all((inside - box) @ (x - box) <= 1e-12)
    center = rng.standard_normal(4)
    ball = optim.project_ball(x, radius, center)
    directions = rng.standard_normal((50, 4))
    inside = center + directions / np.linalg.norm(directions, axis=1, keepdims=True) * (
        radius * rng.uniform(0, 1, (50, 1))
    )
    assert np.linalg.norm(ball - center) <= radius * (1 + 1e-12)
    assert np.all((inside - ball) @ (x - ball) <= 1e-10)
    assert_close(optim.project_ball(ball, radius, center), ball)  # idempotent


def test_project_ball_leaves_inside_points_alone():
    x = np.array([0.3, -0.4])
    assert_close(optim.project_ball(x, 1.0), x)
    assert_close(optim.project_ball([3.0, 4.0], 1.0), [0.6, 0.8])
    assert_close(optim.project_ball(np.ones((2, 2)), 1.0), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="lower bound must be <="):
        optim.project_box(x, 1.0, 0.0)


def test_projected_gd_matches_scipy_with_bounds_and_a_ball():
    rng = np.random.default_rng(5)
    A, b = spd(rng, [1.0, 3.0, 6.0]), 4 * rng.standard_normal(3)

    def f(x):
        return 0.5 * x @ A @ x - b @ x

    def grad(x):
        return A @ x - b

    path = optim.projected_gradient_descent(
        grad, lambda z: optim.project_box(z, -0.5, 0.5), np.zeros(3), lr=0.1, steps=500
    )
    boxed = scipy.optimize.minimize(f, np.zeros(3), jac=grad, bounds=[(-0.5, 0.5)] * 3)
    assert_close(path[-1], boxed.x, atol=1e-6)
    path = optim.projected_gradient_descent(
        grad, lambda z: optim.project_ball(z, 1.0), np.full(3, 2.0), lr=0.1, steps=500
    )
    assert np.linalg.norm(path[0]) <= 1 + 1e-12  # the start is projected too
    balled = scipy.optimize.minimize(
        f,
        np.zeros(3),
        jac=grad,
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda x: 1 - x @ x}],
        options={"ftol": 1e-12},
    )
    assert_close(path[-1], balled.x, atol=1e-5)


def test_projected_wrapper_keeps_arrays_and_tensors_feasible():
    theta = np.array([0.9, 0.0])
    opt = optim.Projected(optim.SGD([theta], lr=1.0), lambda z: optim.project_ball(z, 1.0))
    opt.step([np.array([-1.0, -1.0])])
    assert_close(theta, np.array([1.9, 1.0]) / np.hypot(1.9, 1.0))
    w = Tensor(np.array([0.0, 0.0]), requires_grad=True)
    opt = optim.Projected(optim.Adam([w], lr=0.5), lambda z: optim.project_box(z, -0.2, 0.2))
    for _ in range(5):
        opt.optimizer.zero_grad()
        ((w - Tensor(np.array([1.0, -1.0]))).pow(2).sum()).backward()
        opt.step()
    assert_close(w.data, [0.2, -0.2])


def test_lagrange_maximise_xy_on_a_line():
    x, lam = optim.solve_equality_qp([[0.0, -1.0], [-1.0, 0.0]], [0.0, 0.0], [[1.0, 1.0]], [10.0])
    assert_close(x, [5.0, 5.0])
    assert_close(lam, [5.0])


@fast
@given(seeds, st.integers(2, 5))
def test_equality_qp_matches_scipy(seed, n):
    rng = np.random.default_rng(seed)
    Q, c = spd(rng, rng.uniform(0.5, 4.0, n)), rng.standard_normal(n)
    A, b = rng.standard_normal((1, n)), rng.standard_normal(1)
    x, lam = optim.solve_equality_qp(Q, c, A, b)
    reference = scipy.optimize.minimize(
        lambda z: 0.5 * z @ Q @ z + c @ z,
        np.zeros(n),
        jac=lambda z: Q @ z + c,
        method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda z: A @ z - b, "jac": lambda z: A}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert_close(x, reference.x, rtol=1e-5, atol=1e-6)
    assert_close(Q @ x + c + A.T @ lam, np.zeros(n), atol=1e-9)  # stationarity of L


def test_equality_qp_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"need Q \(n, n\)"):
        optim.solve_equality_qp(np.eye(2), [0.0, 0.0, 0.0], [[1.0, 1.0]], [1.0])
