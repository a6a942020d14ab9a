"""dlkit.gradient_noise against torch autograd, exact enumeration of mini-batches and
closed forms: per-example gradients, mini-batch noise, accumulation, noisy descent."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import gradient_noise as gn
from dlkit.testing import assert_close
from tests.oracles import gradients, tensor

fast = settings(max_examples=25, deadline=None)


def test_per_example_gradients_are_torch_gradients_of_each_example():
    rng = np.random.default_rng(0)
    X, y, w, b = rng.normal(size=(7, 4)), rng.integers(0, 2, 7), rng.normal(size=4), 0.3
    Gw, Gb = gn.logistic_per_example_gradients(X, y, w, b)
    assert Gw.shape == (7, 4) and Gb.shape == (7,)
    for i in range(7):
        x_i, y_i = tensor(X[i]), tensor(float(y[i]))

        def loss(w_t, b_t, x_i=x_i, y_i=y_i):
            return torch.nn.functional.binary_cross_entropy_with_logits(x_i @ w_t + b_t, y_i)

        g_w, g_b = gradients(loss, w, b)
        assert_close(Gw[i], g_w, atol=1e-12)
        assert_close(Gb[i], g_b, atol=1e-12)


def test_per_example_gradients_average_to_the_full_gradient():
    rng = np.random.default_rng(1)
    X, y, w = rng.normal(size=(20, 3)), rng.integers(0, 2, 20).astype(float), rng.normal(size=3)
    Gw, Gb = gn.logistic_per_example_gradients(X, y, w, -0.2)
    X_t, y_t = tensor(X), tensor(y)
    full_w, full_b = gradients(
        lambda w_t, b_t: torch.nn.functional.binary_cross_entropy_with_logits(X_t @ w_t + b_t, y_t),
        w,
        -0.2,
    )
    assert_close(Gw.mean(axis=0), full_w, atol=1e-12)
    assert_close(Gb.mean(), full_b, atol=1e-12)


def enumerate_batches(G, B):
    """Every B-subset's mean gradient minus the full mean: (C(N, B), p)."""
    subsets = np.array(list(itertools.combinations(range(len(G)), B)))
    return G[subsets].mean(axis=1) - G.mean(axis=0)


@fast
@given(st.integers(2, 8), st.integers(1, 3), st.data())
def test_noise_and_covariance_equal_the_exact_average_over_all_batches(n, p, data):
    B = data.draw(st.integers(1, n))
    G = np.random.default_rng(n * 10 + p).normal(size=(n, p))
    deviations = enumerate_batches(G, B)  # each batch equally likely, mean deviation 0
    assert_close(deviations.mean(axis=0), np.zeros(p), atol=1e-12)
    assert_close(
        gn.minibatch_covariance(G, B), deviations.T @ deviations / len(deviations), atol=1e-12
    )
    assert np.isclose(gn.minibatch_noise(G, B), np.mean(np.sum(deviations**2, axis=1)), atol=1e-12)


def test_noise_falls_like_one_over_b_and_vanishes_at_the_full_batch():
    G = np.random.default_rng(2).normal(size=(1000, 5))
    noise = np.array([gn.minibatch_noise(G, B) for B in (1, 10, 100, 1000)])
    trace = G.var(axis=0).sum()
    assert np.isclose(noise[0], trace)
    assert_close(noise[1:3] * [10, 100], trace * np.array([990, 900]) / 999)
    assert noise[3] == 0.0


def test_sampled_batches_have_the_theoretical_covariance():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(30, 2)) * [1.0, 3.0]
    means = gn.sample_minibatch_means(G, 6, 20000, rng)
    assert means.shape == (20000, 2)
    theory = gn.minibatch_covariance(G, 6)
    # 20000 draws: the relative standard error of a variance is about sqrt(2 / 20000) = 1 %
    assert_close(np.cov(means.T), theory, rtol=0.06, atol=0.06 * theory.max())
    assert_close(means.mean(axis=0), G.mean(axis=0), atol=6 * np.sqrt(theory.max() / 20000))


def mlp_gradient(X, y, params):
    """The flattened gradient of the mean cross-entropy of a tanh MLP (torch autograd)."""
    X_t, y_t = tensor(X), torch.as_tensor(y)

    def loss(W1, b1, W2, b2):
        return torch.nn.functional.cross_entropy(torch.tanh(X_t @ W1 + b1) @ W2 + b2, y_t)

    return np.concatenate([g.ravel() for g in gradients(loss, *params)])


def test_accumulated_batch_gradients_are_the_full_batch_gradient():
    rng = np.random.default_rng(4)
    params = [rng.normal(size=(5, 6)), rng.normal(size=6), rng.normal(size=(6, 3)), np.zeros(3)]
    X, y = rng.normal(size=(71, 5)), rng.integers(0, 3, 71)
    sizes = [32, 32, 7]
    bounds = np.cumsum([0, *sizes])
    batches = [mlp_gradient(X[a:b], y[a:b], params) for a, b in zip(bounds[:-1], bounds[1:])]
    full = mlp_gradient(X, y, params)
    assert_close(gn.accumulate_gradients(batches, sizes), full, atol=1e-12)
    assert not np.allclose(np.mean(batches, axis=0), full)  # the naive mean is wrong here


def test_accumulation_keeps_the_shape_of_matrix_gradients():
    grads = [np.ones((2, 3)), 4 * np.ones((2, 3))]
    assert_close(gn.accumulate_gradients(grads, [3, 1]), 1.75 * np.ones((2, 3)))


def test_noisy_descent_without_noise_is_gradient_descent_on_a_quadratic():
    a = np.array([1.0, 4.0])
    path = gn.noisy_gradient_descent(lambda x: a * x, [1.0, -2.0], 0.1, 30, 0.0, seed=0)
    k = np.arange(31)[:, None]
    assert_close(path, np.array([1.0, -2.0]) * (1 - 0.1 * a) ** k, atol=1e-14)


def test_noisy_descent_adds_the_documented_noise_to_the_gradient():
    path = gn.noisy_gradient_descent(lambda x: 2 * x, [0.5, 0.5, 0.5], 0.1, 4, 0.3, seed=7)
    noise = np.random.default_rng(7).normal(0.0, 0.3, size=(4, 3))
    x = np.full(3, 0.5)
    for k in range(4):
        x = x - 0.1 * (2 * x + noise[k])
        assert_close(path[k + 1], x, atol=1e-15)
    again = gn.noisy_gradient_descent(lambda x: 2 * x, [0.5, 0.5, 0.5], 0.1, 4, 0.3, seed=7)
    assert np.array_equal(path, again)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gn.minibatch_noise(np.ones(5), 2), r"shape \(N, p\)"),
        (lambda: gn.minibatch_noise(np.ones((5, 2)), 6), r"1\.\.5"),
        (lambda: gn.minibatch_covariance(np.ones((5, 2)), 0), r"1\.\.5"),
        (lambda: gn.minibatch_noise(np.ones((5, 2)), 2.5), "whole number"),
        (lambda: gn.accumulate_gradients([np.ones(2)], [1, 2]), "one batch size per gradient"),
        (lambda: gn.accumulate_gradients([np.ones(2)], [0]), "positive"),
        (
            lambda: gn.logistic_per_example_gradients(np.ones((3, 2)), [0, 1], [1.0, 2.0]),
            "y \\(n,\\)",
        ),
        (lambda: gn.noisy_gradient_descent(lambda x: x, np.ones((2, 2)), 0.1, 3, 0.0, 0), "vector"),
        (lambda: gn.noisy_gradient_descent(lambda x: x, [1.0], 0.1, -1, 0.0, 0), "steps"),
        (lambda: gn.noisy_gradient_descent(lambda x: x, [1.0], 0.1, 3, -1.0, 0), "noise_std"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
