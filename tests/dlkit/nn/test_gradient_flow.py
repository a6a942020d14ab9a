"""dlkit.nn.gradient_flow against torch autograd and direct counting: per-layer gradient
norms through depth, dead ReLU units, random networks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import nn
from dlkit.testing import assert_close
from tests.oracles import gradients, tensor

fast = settings(max_examples=20, deadline=None)
TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def torch_norms(weights, biases, X, y, activation):
    """||dL/dW_l||_F of the mean cross-entropy, by torch autograd."""
    f, L = TORCH_ACTIVATIONS[activation], len(weights)
    X_t, y_t = tensor(X), torch.as_tensor(y)

    def loss(*params):
        h = X_t
        for layer in range(L):
            h = h @ params[layer] + params[L + layer]
            h = f(h) if layer < L - 1 else h
        return torch.nn.functional.cross_entropy(h, y_t)

    return np.array([np.linalg.norm(g) for g in gradients(loss, *weights, *biases)[:L]])


@fast
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=5),
    st.sampled_from(sorted(TORCH_ACTIVATIONS)),
    st.integers(0, 1000),
)
def test_layer_grad_norms_are_torch_s(hidden, activation, seed):
    rng = np.random.default_rng(seed)
    sizes = [4, *hidden, 3]
    weights, biases = nn.random_network(sizes, "xavier", rng)
    biases = [rng.normal(0, 0.3, b.shape) for b in biases]
    X, y = rng.normal(size=(11, 4)), rng.integers(0, 3, 11)
    norms = nn.layer_grad_norms(weights, biases, X, y, activation)
    assert norms.shape == (len(sizes) - 1,)
    assert_close(norms, torch_norms(weights, biases, X, y, activation), rtol=1e-9, atol=1e-300)


def test_sigmoid_gradients_vanish_with_depth_and_he_relu_keeps_them():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(256, 64)), rng.integers(0, 10, 256)
    sizes = [64] + [64] * 20 + [10]
    sigmoid = nn.layer_grad_norms(*nn.random_network(sizes, "xavier", rng), X, y, "sigmoid")
    relu = nn.layer_grad_norms(*nn.random_network(sizes, "he", rng), X, y, "relu")
    small = nn.layer_grad_norms(*nn.random_network(sizes, "small", rng), X, y, "relu")
    assert sigmoid[0] / sigmoid[-1] < 1e-8
    assert 0.1 < relu[0] / relu[-1] < 10
    assert small[0] < 1e-20  # N(0, 0.01^2) weights: the signal and the gradient both die


def test_dead_units_are_counted_per_layer_by_direct_inspection():
    rng = np.random.default_rng(1)
    weights, biases = nn.random_network([5, 6, 4, 3], "he", rng)
    biases[0][:2] = -100.0  # units 0 and 1 of the first layer never fire
    biases[1][3] = -100.0
    X = rng.normal(size=(30, 5))
    fractions = nn.dead_unit_fraction(weights, biases, X)
    hidden = nn.hidden_activations(weights, biases, X)
    expected = [
        sum(all(h[i, j] == 0 for i in range(len(X))) for j in range(h.shape[1])) / h.shape[1]
        for h in hidden
    ]
    assert fractions == pytest.approx(expected)
    assert len(fractions) == 2 and fractions[0] >= 2 / 6 and fractions[1] >= 1 / 4


def test_a_unit_off_on_some_rows_only_is_alive():
    weights = [np.array([[1.0, -1.0]]), np.ones((2, 1))]
    biases = [np.zeros(2), np.zeros(1)]
    assert nn.dead_unit_fraction(weights, biases, np.array([[1.0], [-1.0]])) == [0.0]
    assert nn.dead_unit_fraction(weights, biases, np.array([[1.0], [2.0]])) == [0.5]


@pytest.mark.parametrize(
    ("init", "variance"), [("xavier", 2 / 500), ("he", 2 / 300), ("small", 1e-4)]
)
def test_random_network_variances(init, variance):
    weights, biases = nn.random_network([300, 200], init, np.random.default_rng(2))
    assert np.isclose(weights[0].var(), variance, rtol=0.03)
    assert weights[0].shape == (300, 200) and not biases[0].any()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nn.random_network([3, 4], "lecun", np.random.default_rng(0)), "unknown init"),
        (lambda: nn.random_network([3], "he", np.random.default_rng(0)), "input and an output"),
        (lambda: nn.dead_unit_fraction([np.ones((2, 3))], [], np.ones((1, 2))), "as many bias"),
        (
            lambda: nn.dead_unit_fraction([np.ones((2, 3))], [np.ones(2)], np.ones((1, 2))),
            "layer 0",
        ),
        (
            lambda: nn.dead_unit_fraction(
                [np.ones((2, 3)), np.ones((4, 1))], [np.ones(3), np.ones(1)], np.ones((1, 2))
            ),
            "takes 4 inputs",
        ),
        (
            lambda: nn.layer_grad_norms([np.ones((2, 3))], [np.ones(3)], np.ones((1, 5)), [0]),
            r"shape \(n, 2\)",
        ),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
