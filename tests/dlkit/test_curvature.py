"""dlkit.curvature against torch autograd (gradients, Hessians, Hessian-vector products),
numpy eigenvalues, scikit-learn's logistic regression and closed forms."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from autograder.checks.oracles import hessian, orthogonal
from dlkit import curvature as cv
from dlkit.testing import assert_close
from tests.oracles import gradients, tensor

fast = settings(max_examples=30, deadline=None)


def objective(X, y, lam):
    """The mean penalised logistic loss as a torch function of w (the oracle)."""
    X_t, y_t = tensor(X), tensor(y)

    def loss(w):
        data = torch.nn.functional.binary_cross_entropy_with_logits(X_t @ w, y_t)
        return data + 0.5 * lam * (w @ w)

    return loss


def problem(seed, n=40, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, 2, n).astype(float), rng.normal(size=d)


# ---------------------------------------------------------------- critical points


@pytest.mark.parametrize(
    ("H", "kind"),
    [
        (np.diag([2.0, 3.0]), "minimum"),
        (-np.eye(2), "maximum"),  # det > 0 like a minimum
        (np.diag([-4.0, 2.0]), "saddle"),
        (np.diag([0.0, 1.0]), "degenerate"),
        (np.diag([-1.0, 0.0, 1.0]), "saddle"),  # both signs decide, whatever the zero
        (np.array([[1.0, 4.0], [0.0, 1.0]]), "saddle"),  # symmetric part has eigenvalues 3, -1
    ],
)
def test_critical_points_are_classified_by_the_eigenvalues(H, kind):
    assert cv.classify_critical_point(H) == kind


def test_tolerance_decides_what_counts_as_zero():
    H = np.diag([1e-12, 1.0])
    assert cv.classify_critical_point(H, tol=1e-9) == "degenerate"
    assert cv.classify_critical_point(H, tol=1e-15) == "minimum"


@fast
@given(st.lists(st.floats(0.01, 10.0), min_size=1, max_size=5), st.data())
def test_random_hessians_with_known_spectra(magnitudes, data):
    signs = data.draw(
        st.lists(st.sampled_from([-1.0, 1.0]), min_size=len(magnitudes), max_size=len(magnitudes))
    )
    eigenvalues = np.array(magnitudes) * signs
    q = orthogonal(np.random.default_rng(len(magnitudes)), len(magnitudes))
    kind = cv.classify_critical_point((q * eigenvalues) @ q.T)
    if eigenvalues.min() > 0:
        assert kind == "minimum"
    elif eigenvalues.max() < 0:
        assert kind == "maximum"
    else:
        assert kind == "saddle"


def test_the_quartic_has_a_saddle_at_the_origin_and_minima_at_plus_minus_one():
    """The seed book (section 8.5.3, Figure 8.3) labels them the other way round."""
    points = np.array(list(cv.QUARTIC_CRITICAL_POINTS))
    assert_close(cv.quartic_grad(points), np.zeros((3, 2)))
    assert_close(cv.quartic(points), [0.0, -1.0, -1.0])
    for point, kind in cv.QUARTIC_CRITICAL_POINTS.items():
        H = hessian(lambda p: p[0] ** 4 - 2 * p[0] ** 2 + p[1] ** 2, np.array(point))
        assert_close(cv.quartic_hessian(point), H)
        assert cv.classify_critical_point(H) == kind
    assert cv.QUARTIC_CRITICAL_POINTS[(0.0, 0.0)] == "saddle"


def test_quartic_gradient_is_the_torch_gradient():
    p = np.random.default_rng(5).normal(size=(6, 2))
    (g,) = gradients(lambda t: (t[:, 0] ** 4 - 2 * t[:, 0] ** 2 + t[:, 1] ** 2).sum(), p)
    assert_close(cv.quartic_grad(p), g)


# ---------------------------------------------------------------- logistic curvature


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_loss_gradient_and_hessian_are_torch_s(lam):
    X, y, w = problem(6)
    loss = objective(X, y, lam)
    assert np.isclose(cv.logistic_loss(X, y, w, lam), loss(tensor(w)).item())
    assert_close(cv.logistic_gradient(X, y, w, lam), gradients(loss, w)[0], atol=1e-12)
    assert_close(cv.logistic_hessian(X, y, w, lam), hessian(loss, w), atol=1e-12)


@fast
@given(st.integers(1, 30), st.integers(1, 8), st.floats(0.0, 2.0), st.integers(0, 1000))
def test_hvp_is_torch_s_hessian_vector_product(n, d, lam, seed):
    X, y, w = problem(seed, n, d)
    v = np.random.default_rng(seed + 1).normal(size=d)
    _, expected = torch.autograd.functional.hvp(objective(X, y, lam), tensor(w), tensor(v))
    assert_close(cv.logistic_hvp(X, y, w, lam, v), expected.numpy(), atol=1e-12)


def test_power_iteration_finds_the_top_eigenpair():
    rng = np.random.default_rng(7)
    q = orthogonal(rng, 6)
    A = (q * [5.0, 2.0, 1.0, 0.5, 0.1, 0.0]) @ q.T
    value, v = cv.power_iteration(lambda x: A @ x, 6, iters=200, seed=1)
    assert np.isclose(value, 5.0) and np.isclose(np.linalg.norm(v), 1.0)
    assert np.isclose(abs(v @ q[:, 0]), 1.0)


def test_top_hessian_eigenvalue_and_the_largest_stable_step():
    X, y, w = problem(8, n=200, d=20)
    X[:, 0] *= 3.0  # a well separated top direction
    value, v = cv.top_hessian_eigenvalue(X, y, w, lam=0.1, iters=300, seed=0)
    H = hessian(objective(X, y, 0.1), w)
    assert np.isclose(value, np.linalg.eigvalsh(H)[-1], rtol=1e-10)
    assert_close(H @ v, value * v, atol=1e-9)
    lr = cv.max_stable_lr(value)
    for factor, grows in ((0.9, False), (1.1, True)):
        delta = v.copy()  # GD on the quadratic model: delta <- (I - lr H) delta
        for _ in range(200):
            delta = delta - factor * lr * (H @ delta)
        assert (np.linalg.norm(delta) > 1.0) == grows


def test_natural_gradient_with_lr_one_is_newton_and_converges_to_sklearn():
    X, y, w = problem(9, n=300, d=4)
    step = cv.natural_gradient_step(X, y, np.zeros(4), 1.0, damping=0.0)
    H, g = (
        hessian(objective(X, y, 0.0), np.zeros(4)),
        gradients(objective(X, y, 0.0), np.zeros(4))[0],
    )
    assert_close(step, -np.linalg.solve(H, g), atol=1e-12)  # the logistic Fisher is the Hessian
    w = np.zeros(4)
    for _ in range(15):
        w = cv.natural_gradient_step(X, y, w, 1.0, damping=0.0)
    model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000)
    assert_close(w, model.fit(X, y).coef_[0], atol=1e-6)


def test_natural_gradient_does_not_care_how_the_features_are_scaled():
    X, y, w = problem(10, n=100, d=5)
    c = np.array([10.0, 0.1, 1.0, 3.0, 0.5])
    natural = X @ cv.natural_gradient_step(X, y, w, 0.7, damping=0.0)
    rescaled = (X * c) @ cv.natural_gradient_step(X * c, y, w / c, 0.7, damping=0.0)
    assert_close(natural, rescaled, atol=1e-9)
    plain = X @ (w - cv.logistic_gradient(X, y, w))
    plain_rescaled = (X * c) @ (w / c - cv.logistic_gradient(X * c, y, w / c))
    assert not np.allclose(plain, plain_rescaled, atol=1e-2)


def test_damping_makes_the_step_exist_with_fewer_examples_than_features():
    X, y, w = problem(11, n=3, d=8)
    assert np.linalg.matrix_rank(cv.logistic_fisher(X, w)) == 3
    step = cv.natural_gradient_step(X, y, w, 1.0, damping=1e-2)
    F = cv.logistic_fisher(X, w) + 1e-2 * np.eye(8)
    assert_close(F @ (w - step), cv.logistic_gradient(X, y, w), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cv.classify_critical_point(np.ones((2, 3))), "square"),
        (
            lambda: cv.logistic_hvp(np.ones((3, 2)), np.ones(3), np.ones(2), 0.0, np.ones(3)),
            "shape of w",
        ),
        (lambda: cv.logistic_hessian(np.ones((3, 2)), np.ones(4), np.ones(2)), r"y \(N,\)"),
        (lambda: cv.power_iteration(lambda v: v, 3, iters=0), "iters"),
        (lambda: cv.max_stable_lr(0.0), "positive"),
        (
            lambda: cv.natural_gradient_step(np.ones((3, 2)), np.ones(3), np.ones(2), 1.0, -1.0),
            "damping",
        ),
        (lambda: cv.logistic_fisher(np.ones((3, 2)), np.ones(3)), r"w \(d,\)"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
