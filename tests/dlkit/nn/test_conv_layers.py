"""dlkit.nn conv layers (Conv2D, MaxPool2D, AvgPool2D, Flatten, Unflatten) against torch
layers with the same weights, a gradient check of a whole CNN, and digits training."""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import nn
from dlkit.testing import assert_close, grad_check


def torch_grads(layer, x, dout):
    xt = torch.tensor(x, requires_grad=True)
    out = layer(xt)
    (out * torch.tensor(dout)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, 1, 1), (2, 0, 1), (1, 2, 2)])
def test_conv2d_layer_matches_torch_conv2d(stride, padding, dilation):
    rng = np.random.default_rng(0)
    layer = nn.Conv2D(3, 4, 3, rng, stride=stride, padding=padding, dilation=dilation)
    layer.b = rng.normal(size=4)
    reference = torch.nn.Conv2d(3, 4, 3, stride, padding, dilation).double()
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.W))
        reference.bias.copy_(torch.tensor(layer.b))
    x = rng.normal(size=(2, 3, 9, 8))
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    expected, expected_dx = torch_grads(reference, x, dout)
    assert_close(out, expected)
    assert_close(layer.backward(dout), expected_dx)
    assert_close(layer.dW, reference.weight.grad.numpy())
    assert_close(layer.db, reference.bias.grad.numpy())
    assert [p.shape for p, _ in layer.parameters()] == [(4, 3, 3, 3), (4,)]


def test_he_initialisation_uses_the_fan_in_of_a_filter():
    layer = nn.Conv2D(16, 200, 3, np.random.default_rng(1))
    assert layer.W.var() == pytest.approx(2 / (16 * 9), rel=0.05)
    assert np.all(layer.b == 0)


@pytest.mark.parametrize(
    ("layer", "reference"),
    [
        (nn.MaxPool2D(2), torch.nn.MaxPool2d(2)),
        (nn.MaxPool2D(3, 2), torch.nn.MaxPool2d(3, 2)),
        (nn.AvgPool2D(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1)),
    ],
)
def test_pooling_layers_match_torch(layer, reference):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 4, (2, 3, 7, 7)).astype(float)  # ties
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    expected, expected_dx = torch_grads(reference, x, dout)
    assert_close(out, expected)
    assert_close(layer.backward(dout), expected_dx)
    assert layer.parameters() == []


def test_flatten_and_unflatten_are_inverse_reshapes():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    flat = nn.Flatten()
    rows = flat.forward(x)
    assert rows.shape == (2, 12) and np.array_equal(rows[1], np.arange(12.0, 24.0))
    assert np.array_equal(flat.backward(rows), x)
    images = nn.Unflatten((3, 2, 2))
    assert np.array_equal(images.forward(rows), x)
    assert np.array_equal(images.backward(x), rows)


def small_cnn(rng):
    return nn.Sequential(
        nn.Unflatten((1, 6, 6)),
        nn.Conv2D(1, 2, 3, rng, padding=1),
        nn.Activation("tanh"),
        nn.MaxPool2D(2),
        nn.Flatten(),
        nn.Linear(2 * 3 * 3, 3, rng),
    )


def test_a_whole_cnn_passes_a_gradient_check():
    rng = np.random.default_rng(3)
    model = small_cnn(rng)
    x, y = rng.normal(size=(4, 36)), np.array([0, 2, 1, 2])
    conv_layer = model.layers[1]

    def loss(W):
        conv_layer.W = W
        return nn.softmax_cross_entropy_and_grad(model.forward(x), y)[0]

    def gradient(W):
        conv_layer.W = W
        _, grad = nn.softmax_cross_entropy_and_grad(model.forward(x), y)
        model.backward(grad)
        return conv_layer.dW

    grad_check(loss, gradient, conv_layer.W.copy())


def test_a_numpy_cnn_learns_the_digits():
    rng = np.random.default_rng(0)
    X, y, X_test, y_test = dk.data.digits(n_train=1000, seed=0)
    model = nn.Sequential(
        nn.Unflatten((1, 8, 8)),
        nn.Conv2D(1, 8, 3, rng, padding=1),
        nn.Activation("relu"),
        nn.MaxPool2D(2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 10, rng),
    )
    nn.train_classifier(model, X, y, rng, epochs=8, lr=0.5)
    assert np.mean(nn.predict(model, X_test) == y_test) > 0.93


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nn.Conv2D(2, 3, 3, np.random.default_rng(0)).forward(np.ones((1, 1, 5, 5))),
            r"\(N, 2, H, W\)",
        ),
        (
            lambda: nn.Conv2D(1, 1, 3, np.random.default_rng(0)).backward(np.ones((1, 1, 3, 3))),
            "call forward first",
        ),
        (lambda: nn.MaxPool2D(2).forward(np.ones((4, 4))), r"\(N, C, H, W\)"),
        (lambda: nn.Unflatten((1, 8, 8)).forward(np.ones((2, 63))), "rows of 64"),
    ],
)
def test_bad_input_says_what_to_pass(call, message):
    with pytest.raises(ValueError, match=message):
        call()
