"""dlkit.nn against torch.autograd, central differences, scipy and closed forms."""

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlkit import nn
from dlkit.testing import assert_close, grad_check
from tests.oracles import elementwise_derivative

TORCH_ACTIVATIONS = {
    "identity": lambda t: t,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "gelu": lambda t: F.gelu(t, approximate="none"),
    "swish": F.silu,
}


@pytest.fixture
def rng():
    return np.random.default_rng(8)


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_activation_and_derivative_match_torch(name, rng):
    f, f_grad = nn.get_activation(name)
    x = np.concatenate([rng.normal(0, 3, 200), [-40.0, -1e-3, 1e-3, 40.0]])
    t = torch.tensor(x, dtype=torch.float64)
    assert_close(f(x), TORCH_ACTIVATIONS[name](t).numpy(), name=f"{name}(x)")
    assert_close(f_grad(x), elementwise_derivative(TORCH_ACTIVATIONS[name], x), name=f"{name}'(x)")


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_activation_derivative_passes_grad_check(name, rng):
    f, f_grad = nn.get_activation(name)
    x = rng.normal(0, 2, (3, 4))
    x[np.abs(x) < 1e-3] = 0.5  # stay away from the kinks of relu and leaky relu
    weights = rng.normal(size=x.shape)  # a generic scalar loss sum(w * f(x))
    grad_check(lambda z: np.sum(weights * f(z)), lambda z: weights * f_grad(z), x)


def test_kinks_follow_torch_conventions():
    assert nn.relu_grad(np.array([0.0]))[0] == 0.0
    assert nn.leaky_relu_grad(np.array([0.0]), slope=0.2)[0] == 0.2
    assert_close(elementwise_derivative(lambda t: F.leaky_relu(t, 0.2), np.array([0.0])), [0.2])


def test_leaky_relu_and_swish_parameters(rng):
    x = rng.normal(0, 2, 50)
    t = torch.tensor(x)
    assert_close(nn.leaky_relu(x, slope=0.3), F.leaky_relu(t, 0.3).numpy())
    assert_close(nn.swish(x, beta=2.5), (t * torch.sigmoid(2.5 * t)).numpy())
    assert_close(
        nn.swish_grad(x, beta=2.5), elementwise_derivative(lambda u: u * torch.sigmoid(2.5 * u), x)
    )


def test_gelu_uses_the_normal_cdf(rng):
    x = rng.normal(0, 2, 30)
    assert_close(nn.normal_cdf(x), scipy.stats.norm.cdf(x))
    assert_close(nn.normal_pdf(x), scipy.stats.norm.pdf(x))
    assert_close(nn.gelu(x), x * scipy.special.ndtr(x))


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-700, 700)))
def test_saturating_derivatives_are_finite_and_bounded(x):
    for grad, bound in [(nn.sigmoid_grad, 0.25), (nn.tanh_grad, 1.0)]:
        g = grad(x)
        assert np.all(np.isfinite(g)) and np.all((g >= 0) & (g <= bound))


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'softsign'.*relu"):
        nn.get_activation("softsign")


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


def test_softmax_cross_entropy_matches_torch(rng):
    logits = rng.normal(0, 3, (7, 5))
    labels = rng.integers(0, 5, 7)
    loss, grad = nn.softmax_cross_entropy_and_grad(logits, labels)
    t = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(t, torch.tensor(labels))
    expected.backward()
    assert_close(loss, expected.item())
    assert_close(grad, t.grad.numpy())


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss, grad = nn.softmax_cross_entropy_and_grad(np.array([[1000.0, 0.0], [0.0, 1000.0]]), [1, 1])
    assert_close(loss, 500.0)
    assert_close(grad, [[0.5, -0.5], [0.0, 0.0]])


def test_softmax_cross_entropy_gradient_passes_grad_check(rng):
    labels = rng.integers(0, 4, 6)
    logits = rng.normal(size=(6, 4))
    grad_check(
        lambda z: nn.softmax_cross_entropy_and_grad(z, labels)[0],
        lambda z: nn.softmax_cross_entropy_and_grad(z, labels)[1],
        logits,
    )


@pytest.mark.parametrize(
    ("labels", "message"),
    [([0, 1], r"shape \(3,\)"), ([0, 1, 4], r"0\.\.3"), ([0, 1.5, 2], "integer")],
)
def test_softmax_cross_entropy_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        nn.softmax_cross_entropy_and_grad(np.zeros((3, 4)), labels)


def test_mse_matches_torch(rng):
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss, grad = nn.mse_and_grad(pred, target)
    t = torch.tensor(pred, requires_grad=True)
    expected = F.mse_loss(t, torch.tensor(target))
    expected.backward()
    assert_close(loss, expected.item())
    assert_close(grad, t.grad.numpy())


def test_binary_cross_entropy_matches_torch_and_is_stable(rng):
    logits = np.concatenate([rng.normal(0, 3, 8), [-800.0, 800.0]])
    targets = np.concatenate([rng.uniform(size=8), [1.0, 0.0]])
    loss, grad = nn.binary_cross_entropy_with_logits_and_grad(logits, targets)
    t = torch.tensor(logits, requires_grad=True)
    expected = F.binary_cross_entropy_with_logits(t, torch.tensor(targets))
    expected.backward()
    assert np.isfinite(loss)
    assert_close(loss, expected.item())
    assert_close(grad, t.grad.numpy())


def test_hinge_closed_form_and_subgradient(rng):
    scores = np.array([2.0, 0.5, -1.0, -3.0])
    labels = np.array([1.0, 1.0, 1.0, -1.0])
    loss, grad = nn.hinge_and_grad(scores, labels)
    assert_close(loss, (0.0 + 0.5 + 2.0 + 0.0) / 4)
    assert_close(grad, [0.0, -0.25, -0.25, 0.0])
    away = rng.normal(0, 3, 10)
    away[np.abs(np.abs(away) - 1) < 1e-2] = 2.0  # not on the margin, where it has a kink
    y = np.where(rng.uniform(size=10) < 0.5, -1.0, 1.0)
    grad_check(lambda s: nn.hinge_and_grad(s, y)[0], lambda s: nn.hinge_and_grad(s, y)[1], away)


def test_losses_reject_mismatched_shapes_and_bad_labels():
    with pytest.raises(ValueError, match=r"same shape.*y\[:, None\]"):
        nn.mse_and_grad(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge_and_grad(np.zeros(2), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="empty"):
        nn.binary_cross_entropy_with_logits_and_grad(np.zeros(0), np.zeros(0))


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "variance"),
    [("xavier", 2 / 700), ("xavier_uniform", 2 / 700), ("he", 2 / 400)],
)
def test_initialisers_have_the_stated_variance(scheme, variance):
    W = nn.init_weights(scheme, 400, 300, np.random.default_rng(1))
    assert W.shape == (400, 300)
    assert abs(W.mean()) < 4 * np.sqrt(variance / W.size)
    assert_close(W.var(), variance, rtol=0.02)


def test_initialisers_follow_their_distribution():
    W = nn.xavier_uniform(50, 30, np.random.default_rng(2))
    limit = np.sqrt(6 / 80)
    assert scipy.stats.kstest(W.ravel(), scipy.stats.uniform(-limit, 2 * limit).cdf).pvalue > 1e-3
    W = nn.he_normal(50, 30, np.random.default_rng(3))
    assert scipy.stats.kstest(W.ravel(), scipy.stats.norm(0, np.sqrt(2 / 50)).cdf).pvalue > 1e-3


def test_he_keeps_relu_signal_through_depth_and_xavier_halves_it():
    rng = np.random.default_rng(4)
    for scheme, factor in [("he", 1.0), ("xavier", 0.5)]:
        h = rng.normal(size=(500, 200))
        first = None
        for _ in range(8):
            z = h @ nn.init_weights(scheme, 200, 200, rng)
            first = z.var() if first is None else first
            h = nn.relu(z)
        assert_close(z.var() / first, factor**7, rtol=0.25)


def test_init_rejects_unknown_scheme_and_empty_layers():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown initialisation 'lecun'"):
        nn.init_weights("lecun", 3, 3, rng)
    with pytest.raises(ValueError, match="n_in >= 1"):
        nn.init_weights("he", 0, 3, rng)


# ---------------------------------------------------------------------------
# Layers and a whole network
# ---------------------------------------------------------------------------


def test_linear_backward_passes_grad_check(rng):
    layer = nn.Linear(4, 3, rng)
    layer.b = rng.normal(size=3)
    x, weights = rng.normal(size=(5, 4)), rng.normal(size=(5, 3))

    def loss_of_x(x_):
        return np.sum(weights * layer.forward(x_))

    def grad_of_x(x_):
        layer.forward(x_)
        return layer.backward(weights)

    grad_check(loss_of_x, grad_of_x, x)
    W = layer.W.copy()

    def loss_of_W(W_):
        layer.W = W_
        return np.sum(weights * layer.forward(x))

    def grad_of_W(W_):
        layer.W = W_
        layer.forward(x)
        layer.backward(weights)
        return layer.dW

    grad_check(loss_of_W, grad_of_W, W)
    layer.W = W
    layer.forward(x)
    layer.backward(weights)
    assert_close(layer.db, weights.sum(axis=0))


def test_mlp_backward_matches_torch_autograd(rng):
    model = nn.mlp([6, 8, 7, 3], rng, activation="tanh", init="xavier")
    for layer in model.layers:
        if isinstance(layer, nn.Linear):
            layer.b = rng.normal(size=layer.b.shape)
    x, y = rng.normal(size=(10, 6)), rng.integers(0, 3, 10)
    loss, grad = nn.softmax_cross_entropy_and_grad(model.forward(x), y)
    model.backward(grad)

    params = [torch.tensor(p, requires_grad=True) for p, _ in model.parameters()]
    h = torch.tensor(x)
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = torch.tanh(h)
    expected = F.cross_entropy(h, torch.tensor(y))
    expected.backward()
    assert_close(loss, expected.item())
    for (_, grad_numpy), p in zip(model.parameters(), params):
        assert_close(grad_numpy, p.grad.numpy())


def test_sequential_input_gradient_passes_grad_check(rng):
    model = nn.Sequential(
        nn.Linear(3, 5, rng), nn.Activation("swish", beta=1.5), nn.Linear(5, 2, rng)
    )
    target = rng.normal(size=(4, 2))
    x = rng.normal(size=(4, 3))

    def grad_of_x(x_):
        _, grad = nn.mse_and_grad(model.forward(x_), target)
        return model.backward(grad)

    grad_check(lambda x_: nn.mse_and_grad(model.forward(x_), target)[0], grad_of_x, x)


def test_training_the_numpy_mlp_learns_the_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(0)
    model = nn.mlp([64, 32, 10], rng)
    history = nn.train_classifier(model, X[:1000], y[:1000], rng, epochs=10, lr=0.2)
    assert history["loss"][-1] < history["loss"][0] / 5
    assert np.mean(nn.predict(model, X[1000:]) == y[1000:]) > 0.9


def test_sgd_step_moves_against_the_gradient(rng):
    layer = nn.Linear(2, 2, rng)
    W = layer.W.copy()
    layer.dW = np.ones((2, 2))
    nn.sgd_step(nn.Sequential(layer), lr=0.5)
    assert_close(layer.W, W - 0.5)


def test_layer_errors_are_explained(rng):
    layer = nn.Linear(3, 2, rng)
    with pytest.raises(ValueError, match="call forward first"):
        layer.backward(np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"shape \(n, 3\), got \(4, 2\)"):
        layer.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="input and an output"):
        nn.mlp([5], rng)
    with pytest.raises(ValueError, match=r"x \(n, d\) and y \(n,\)"):
        nn.train_classifier(nn.mlp([2, 2], rng), np.zeros((3, 2)), np.zeros(2), rng)
