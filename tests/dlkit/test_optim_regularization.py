"""What module 09 adds to dlkit.optim: AdamW, the proximal L1 step, clipping by global norm,
against torch and scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import Lasso

from dlkit import optim
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")


def test_adamw_follows_torch_step_by_step():
    rng = np.random.default_rng(0)
    w0, targets = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    ours = w0.copy()
    opt = optim.AdamW([ours], lr=0.05, weight_decay=0.3)
    theirs = torch.tensor(w0, requires_grad=True)
    torch_opt = torch.optim.AdamW([theirs], lr=0.05, weight_decay=0.3)
    for _ in range(20):
        opt.step([2 * (ours - targets)])  # gradient of ||w - t||^2
        torch_opt.zero_grad()
        ((theirs - torch.tensor(targets)) ** 2).sum().backward()
        torch_opt.step()
        assert_close(ours, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_decoupled_decay_differs_from_l2_in_adam():
    """With Adam, L2 added to the gradient is rescaled per coordinate; AdamW's is not."""
    w_l2, w_decoupled = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    adam, adamw = (
        optim.Adam([w_l2], lr=0.1, weight_decay=0.5),
        optim.AdamW([w_decoupled], lr=0.1, weight_decay=0.5),
    )
    for _ in range(5):
        grad = np.array([100.0, 0.0])
        adam.step([grad])
        adamw.step([grad])
    assert not np.allclose(w_l2, w_decoupled)
    assert_close(w_decoupled[1], (1 - 0.1 * 0.5) ** 5)  # zero gradient: pure decay


def test_proximal_steps_solve_the_lasso_with_exact_zeros():
    """ISTA with dk.optim.l1_prox_step reaches scikit-learn's Lasso, zeros included, while
    subgradient steps never land exactly on 0."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 10))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + 0.1 * rng.normal(size=80)
    alpha = 0.2
    lr = 1.0 / np.linalg.eigvalsh(X.T @ X / len(y)).max()
    w, w_sub = np.zeros(10), np.zeros(10)
    for _ in range(3000):
        grad = X.T @ (X @ w - y) / len(y)  # of (1 / 2n) ||y - X w||^2
        w = optim.l1_prox_step(w, grad, lr, alpha)
        grad_sub = X.T @ (X @ w_sub - y) / len(y)
        w_sub = w_sub - lr * (grad_sub + alpha * np.sign(w_sub))
    expected = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
    assert_close(w, expected.coef_, atol=1e-7)
    assert np.sum(w == 0) == np.sum(expected.coef_ == 0) >= 5
    assert np.sum(w_sub == 0) == 0


@pytest.mark.parametrize("as_dict", [False, True])
def test_clip_by_global_norm_is_torchs(as_dict):
    rng = np.random.default_rng(2)
    for max_norm, scale in [(1.0, 3.0), (50.0, 1.0)]:
        grads = [rng.normal(0, scale, shape) for shape in [(3, 4), (4,), (2, 2, 2)]]
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm).item()
        given = {f"g{i}": g for i, g in enumerate(grads)} if as_dict else grads
        clipped, got_total = optim.clip_by_global_norm(given, max_norm)
        clipped = list(clipped.values()) if as_dict else clipped
        assert np.isclose(got_total, total, rtol=1e-12)
        for ours, p in zip(clipped, params):
            assert_close(ours, p.grad.numpy(), rtol=1e-12)
        assert_close(grads[0], grads[0].copy())  # inputs untouched


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: optim.l1_prox_step(np.ones(3), np.ones(2), 0.1, 0.1), "one shape"),
        (lambda: optim.l1_prox_step(np.ones(3), np.ones(3), 0.1, -1.0), "lam"),
        (lambda: optim.clip_by_global_norm([], 1.0), "no gradients"),
        (lambda: optim.clip_by_global_norm([np.ones(2)], 0.0), "max_norm"),
        (lambda: optim.AdamW([np.ones(2)], weight_decay=-0.1), "weight_decay"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
