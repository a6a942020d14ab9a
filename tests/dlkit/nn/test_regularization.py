"""dlkit.nn.regularization against torch and closed forms: penalties, dropout, label
smoothing, early stopping, FGSM."""

import numpy as np
import pytest
import scipy.stats
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import nn
from dlkit.testing import assert_close
from tests.oracles import loss_and_gradients, tensor

F = torch.nn.functional


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from([(5,), (3, 4), (2, 2, 2)]),
    seed=st.integers(0, 10_000),
    l1=st.floats(0, 2),
    l2=st.floats(0, 2),
)
def test_penalties_and_their_gradients_are_autograds(shape, seed, l1, l2):
    w = np.random.default_rng(seed).normal(size=shape)
    w.flat[0] = 0.0  # torch's d|w|/dw at 0 is 0, as dlkit's subgradient
    for got, loss in [
        (nn.elastic_net(w, l1, l2), lambda t: l1 * t.abs().sum() + l2 * (t * t).sum()),
        (nn.l1_penalty(w, l1), lambda t: l1 * t.abs().sum()),
        (nn.l2_penalty(w, l2), lambda t: 0.5 * l2 * (t * t).sum()),
    ]:
        value, (grad,) = loss_and_gradients(loss, w)
        assert np.isclose(got[0], value, rtol=1e-12, atol=1e-12)
        assert_close(got[1], grad, atol=1e-12)


def test_weight_decay_is_the_gradient_step_of_the_l2_penalty():
    """Eq 7.2: a gradient step on L + lam/2 ||w||^2 shrinks w by (1 - lr lam) first."""
    w, grad_loss, lr, lam = np.array([1.0, -2.0]), np.array([0.3, 0.1]), 0.1, 0.5
    _, grad_penalty = nn.l2_penalty(w, lam)
    assert_close(w - lr * (grad_loss + grad_penalty), (1 - lr * lam) * w - lr * grad_loss)


def test_dropout_masks_scale_and_fraction():
    x = np.random.default_rng(0).uniform(0.5, 2, (300, 400))
    for p in (0.1, 0.5, 0.8):
        out, mask = nn.dropout_forward(x, p, seed=1)
        assert set(np.unique(mask)) == {0.0, 1.0}
        assert_close(out, x * mask / (1 - p))
        se = np.sqrt(p * (1 - p) / x.size)
        assert abs(np.mean(mask == 0) - p) < 6 * se
        assert abs(out.mean() / x.mean() - 1) < 0.02  # E[out] = x: inverted dropout
    out, mask = nn.dropout_forward(x, 0.5, train=False, seed=1)
    assert_close(out, x) and np.all(mask == 1)


def test_dropout_is_torchs_distribution_and_gradient():
    """torch's nn.Dropout drops with probability p and scales by 1 / (1 - p); its gradient
    with the same mask is dlkit's backward."""
    x = np.random.default_rng(2).uniform(1, 2, (200, 500))
    theirs = F.dropout(tensor(x), p=0.3, training=True).numpy()
    ours, mask = nn.dropout_forward(x, 0.3, seed=3)
    kept = theirs != 0
    assert_close(theirs[kept] / x[kept], np.full(kept.sum(), 1 / 0.7), rtol=1e-12)
    table = [[np.sum(theirs == 0), np.sum(theirs != 0)], [np.sum(ours == 0), np.sum(ours != 0)]]
    assert scipy.stats.chi2_contingency(table).pvalue > 1e-4
    upstream = np.random.default_rng(4).normal(size=x.shape)
    _, (expected,) = loss_and_gradients(
        lambda t: (t * tensor(mask) / 0.7 * tensor(upstream)).sum(), x
    )
    assert_close(nn.dropout_backward(upstream, mask, 0.3), expected)


def test_dropout_layer_switches_off_and_is_seeded():
    x = np.ones((4, 6))
    layer = nn.Dropout(0.5, rng=7)
    assert_close(layer.forward(x), nn.dropout_forward(x, 0.5, seed=np.random.default_rng(7))[0])
    grad = layer.backward(np.ones_like(x))
    assert_close(grad, layer._mask * 2.0)
    nn.set_training(nn.Sequential(nn.Linear(6, 6, np.random.default_rng(0)), layer), False)
    assert not layer.training
    assert_close(layer.forward(x), x) and assert_close(layer.backward(x), x)


def test_label_smoothing_is_torchs():
    rng = np.random.default_rng(5)
    for logits, labels, eps in [
        (rng.normal(0, 3, (7, 5)), rng.integers(0, 5, 7), 0.1),
        (np.array([[1000.0, 0.0, -1000.0]]), np.array([2]), 0.3),
        (rng.normal(size=(3, 4)), rng.integers(0, 4, 3), 0.0),
    ]:
        y = torch.as_tensor(labels)
        value, (grad,) = loss_and_gradients(
            lambda t, y=y, eps=eps: F.cross_entropy(t, y, label_smoothing=eps), logits
        )
        got = nn.smoothed_cross_entropy_and_grad(logits, labels, eps)
        assert np.isclose(got[0], value, rtol=1e-10)
        assert_close(got[1], grad, atol=1e-12)


def test_smoothed_targets_sum_to_one_with_the_seeds_numbers_corrected():
    """Example 7.4: K = 1000, eps = 0.1 gives 0.9001 (not 0.9) and 0.0001 elsewhere."""
    targets = nn.smooth_labels(np.array([3]), 1000, 0.1)
    assert np.isclose(targets[0, 3], 0.9001) and np.isclose(targets[0, 0], 0.0001)
    assert_close(targets.sum(axis=1), [1.0])


@pytest.mark.parametrize(
    ("losses", "patience", "min_delta", "expected"),
    [
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.6, 0.9], 2, 0.0, (3, 5)),
        ([1.0, 0.9, 0.8], 1, 0.0, (3, 3)),  # never stops
        ([1.0, 0.5, 0.5, 0.5], 2, 0.0, (2, 4)),  # a tie is no improvement
        ([1.0, float("nan"), 0.9], 1, 0.0, (1, 2)),  # NaN is no improvement
        ([1.0, 0.96, 0.9, 0.89], 1, 0.05, (1, 2)),
    ],
)
def test_early_stopping_epochs(losses, patience, min_delta, expected):
    assert nn.early_stopping_epochs(losses, patience, min_delta) == expected


def test_fgsm_is_the_sign_of_torchs_input_gradient():
    rng = np.random.default_rng(6)
    X, y = rng.uniform(0, 1, (10, 6)), rng.integers(0, 3, 10)
    W, b = rng.normal(size=(6, 3)), rng.normal(size=3)
    _, (grad,) = loss_and_gradients(
        lambda t: F.cross_entropy(t @ tensor(W) + tensor(b), torch.as_tensor(y)), X
    )
    for eps, low in [(0.1, 0.0), (0.3, None)]:
        high = None if low is None else 1.0
        expected = X + eps * np.sign(grad)
        if low is not None:
            expected = np.clip(expected, 0, 1)
        assert_close(nn.fgsm_softmax(X, y, W, b, eps, low, high), expected)
    # the perturbation raises the loss (to first order it is the steepest L-inf ascent)
    loss = nn.softmax_cross_entropy_and_grad
    assert loss(nn.fgsm_softmax(X, y, W, b, 0.1) @ W + b, y)[0] > loss(X @ W + b, y)[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nn.dropout_forward(np.ones(3), 1.0), "probability to DROP"),
        (lambda: nn.dropout_backward(np.ones(3), np.ones(2), 0.1), "differ in shape"),
        (lambda: nn.elastic_net(np.ones(3), -1.0, 0.0), "l1 must be"),
        (lambda: nn.smooth_labels([0, 3], 3, 0.1), r"0\.\.2"),
        (lambda: nn.early_stopping_epochs([], 2), "non-empty"),
        (lambda: nn.early_stopping_epochs([1.0], 0), "patience"),
        (
            lambda: nn.fgsm_softmax(np.ones((2, 3)), [0, 1], np.ones((4, 2)), np.ones(2), 0.1),
            "need X",
        ),
        (lambda: nn.Dropout(0.1).backward(np.ones(2)), "call forward first"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
