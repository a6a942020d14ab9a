"""dlkit.nn.normalization against torch: batch norm and layer norm, forward and backward."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import nn
from dlkit.testing import assert_close
from tests.oracles import gradients, tensor

F = torch.nn.functional


def case(seed, n, d):
    rng = np.random.default_rng(seed)
    x = rng.normal(rng.normal(0, 3, d), rng.uniform(0.3, 3, d), (n, d))
    return x, rng.uniform(0.5, 2, d), rng.normal(size=d), rng.normal(size=d), rng.uniform(0.5, 2, d)


def torch_batchnorm(x, gamma, beta, mean, var, momentum, eps, train):
    running_mean, running_var = tensor(mean), tensor(var)
    y = F.batch_norm(
        tensor(x),
        running_mean,
        running_var,
        tensor(gamma),
        tensor(beta),
        training=train,
        momentum=momentum,
        eps=eps,
    )
    return y.numpy(), running_mean.numpy(), running_var.numpy()


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 12),
    d=st.integers(1, 6),
    seed=st.integers(0, 10_000),
    momentum=st.sampled_from([0.1, 0.01, 0.5]),
    eps=st.sampled_from([1e-5, 1e-2]),
    train=st.booleans(),
)
def test_batchnorm_forward_is_torchs(n, d, seed, momentum, eps, train):
    x, gamma, beta, mean, var = case(seed, n, d)
    before = mean.copy(), var.copy()
    got = nn.batchnorm_forward(x, gamma, beta, mean, var, momentum, eps, train)
    for a, b in zip(got, torch_batchnorm(x, gamma, beta, mean, var, momentum, eps, train)):
        assert_close(a, b, rtol=1e-9, atol=1e-11)
    assert_close(mean, before[0]) and assert_close(var, before[1])  # inputs left alone


def test_running_variance_is_unbiased_and_output_biased():
    """The convention that torch's F.batch_norm follows (and the seed's eq 7.8 for the output)."""
    x = np.array([[0.0], [2.0]])  # mean 1, biased variance 1, unbiased 2
    y, mean, var = nn.batchnorm_forward(
        x, np.ones(1), np.zeros(1), np.zeros(1), np.zeros(1), momentum=1.0, eps=0.0
    )
    assert_close(y[:, 0], [-1.0, 1.0])
    assert_close(mean, [1.0]) and assert_close(var, [2.0])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 10),
    d=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    eps=st.sampled_from([1e-5, 0.1]),
)
def test_batchnorm_backward_is_autograd(n, d, seed, eps):
    x, gamma, beta, _, _ = case(seed, n, d)
    dy = np.random.default_rng(seed + 1).normal(size=(n, d))
    expected = gradients(
        lambda x_t, g_t, b_t: (
            F.batch_norm(x_t, None, None, g_t, b_t, training=True, eps=eps) * tensor(dy)
        ).sum(),
        x,
        gamma,
        beta,
    )
    for got, want in zip(nn.batchnorm_backward(dy, x, gamma, eps), expected):
        assert_close(got, want, rtol=1e-7, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(shape=st.sampled_from([(1, 4), (3, 5), (2, 3, 6), (4, 1)]), seed=st.integers(0, 10_000))
def test_layernorm_forward_and_backward_are_torchs(shape, seed):
    rng = np.random.default_rng(seed)
    x, d = rng.normal(1, 2, shape), shape[-1]
    gamma, beta, dy = rng.uniform(0.5, 2, d), rng.normal(size=d), rng.normal(size=shape)
    expected = F.layer_norm(tensor(x), (d,), tensor(gamma), tensor(beta), 1e-5).numpy()
    assert_close(nn.layernorm(x, gamma, beta), expected, rtol=1e-9, atol=1e-11)
    grads = gradients(
        lambda x_t, g_t, b_t: (F.layer_norm(x_t, (d,), g_t, b_t, 1e-5) * tensor(dy)).sum(),
        x,
        gamma,
        beta,
    )
    for got, want in zip(nn.layernorm_backward(dy, x, gamma), grads):
        assert_close(got, want, rtol=1e-7, atol=1e-10)


def test_layernorm_rows_are_independent():
    x, gamma, beta, _, _ = case(3, 6, 4)
    assert_close(nn.layernorm(x[2:3], gamma, beta), nn.layernorm(x, gamma, beta)[2:3])


def test_batchnorm_layer_tracks_torch_over_several_steps():
    """Training passes, evaluation, and the backward pass of each mode, against
    torch.nn.BatchNorm1d in float64 (same initial parameters and running statistics)."""
    rng = np.random.default_rng(0)
    ours = nn.BatchNorm1d(4, momentum=0.2)
    theirs = torch.nn.BatchNorm1d(4, momentum=0.2).double()
    for _ in range(3):
        x = rng.normal(2, 3, (8, 4))
        assert_close(ours.forward(x), theirs(tensor(x)).detach().numpy(), atol=1e-10)
    assert_close(ours.running_mean, theirs.running_mean.numpy())
    assert_close(ours.running_var, theirs.running_var.numpy())
    for training in (True, False):
        ours.train(training), theirs.train(training)
        x, dy = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
        x_t = tensor(x, requires_grad=True)
        out = theirs(x_t)
        (out * tensor(dy)).sum().backward()
        assert_close(ours.forward(x), out.detach().numpy(), atol=1e-10)
        assert_close(ours.backward(dy), x_t.grad.numpy(), atol=1e-10)
        assert_close(ours.dgamma, theirs.weight.grad.numpy(), atol=1e-10)
        assert_close(ours.dbeta, theirs.bias.grad.numpy(), atol=1e-10)
        theirs.zero_grad()
    before = ours.running_mean.copy()
    ours.eval().forward(rng.normal(size=(3, 4)))
    assert_close(ours.running_mean, before)  # evaluation leaves the statistics alone


def test_layers_train_inside_a_sequential():
    rng = np.random.default_rng(1)
    model = nn.Sequential(
        nn.Linear(6, 8, rng),
        nn.BatchNorm1d(8),
        nn.Activation("relu"),
        nn.Linear(8, 3, rng),
        nn.LayerNorm(3),
    )
    assert len(model.parameters()) == 8  # (W, b) twice, (gamma, beta) twice
    x, y = rng.normal(size=(20, 6)), rng.integers(0, 3, 20)
    losses = []
    for _ in range(60):
        loss, grad = nn.softmax_cross_entropy_and_grad(model.forward(x), y)
        model.backward(grad)
        nn.sgd_step(model, 0.3)
        losses.append(loss)
    assert losses[-1] < 0.6 * losses[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nn.batchnorm_forward(np.ones((1, 3)), *[np.ones(3)] * 4), "at least 2 rows"),
        (lambda: nn.batchnorm_forward(np.ones((4, 3)), np.ones(2), *[np.ones(3)] * 3), "gamma"),
        (lambda: nn.batchnorm_forward(np.ones(3), *[np.ones(3)] * 4), r"shape \(n, d\)"),
        (lambda: nn.batchnorm_backward(np.ones((2, 3)), np.ones((3, 3)), np.ones(3)), "dy"),
        (lambda: nn.layernorm(np.ones((2, 3)), np.ones(4), np.ones(3)), "gamma"),
        (lambda: nn.BatchNorm1d(0), "num_features"),
        (lambda: nn.LayerNorm(4).backward(np.ones((1, 4))), "call forward first"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_example_at_evaluation_uses_running_statistics():
    y, _, _ = nn.batchnorm_forward(
        np.array([[3.0, 1.0]]),
        np.ones(2),
        np.zeros(2),
        np.array([1.0, 1.0]),
        np.array([4.0, 1.0]),
        eps=0.0,
        train=False,
    )
    assert_close(y, [[1.0, 0.0]])
