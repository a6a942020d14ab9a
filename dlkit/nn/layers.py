"""Layers with forward and backward passes: ``Linear``, ``Activation``, ``Sequential``;
``TrainEvalMode``, the training flag of the layers that behave differently in evaluation."""

import numpy as np

from dlkit.nn.activations import get_activation
from dlkit.nn.init import init_weights


def _batch(x, width, name):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"{name}: expected input of shape (n, {width}), got {x.shape}")
    return x


class TrainEvalMode:
    """A layer's ``training`` flag (True at first), set by ``train()`` and ``eval()`` as in
    torch; Dropout, BatchNorm1d and LayerNorm read it in ``forward``."""

    training = True

    def train(self, mode=True):
        self.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)


class Linear:
    """Affine layer ``y = x W + b`` with x (n, n_in), W (n_in, n_out), b (n_out,).

    Backward, for ``g = dL/dy`` of shape (n, n_out):
    ``dL/dW = x^T g`` (n_in, n_out), ``dL/db = sum_i g_i`` (n_out,), ``dL/dx = g W^T`` (n, n_in).
    """

    def __init__(self, n_in, n_out, rng, init="he"):
        self.W = init_weights(init, n_in, n_out, rng)
        self.b = np.zeros(n_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._x = None

    def forward(self, x):
        self._x = _batch(x, self.W.shape[0], "Linear.forward")
        return self._x @ self.W + self.b

    def backward(self, grad_out):
        if self._x is None:
            raise ValueError("Linear.backward: call forward first; it stores the input")
        grad_out = _batch(grad_out, self.W.shape[1], "Linear.backward")
        self.dW = self._x.T @ grad_out
        self.db = grad_out.sum(axis=0)
        return grad_out @ self.W.T

    def parameters(self):
        """``[(W, dW), (b, db)]``: each parameter with the gradient of the last backward."""
        return [(self.W, self.dW), (self.b, self.db)]


class Activation:
    """Element-wise ``y = f(x)``; backward multiplies by ``f'(x)`` (the Jacobian is diagonal)."""

    def __init__(self, name, **options):
        self.name = name
        self.f, self.f_grad = get_activation(name)
        self.options = options  # e.g. slope= for leaky_relu, beta= for swish
        self._x = None

    def forward(self, x):
        self._x = np.asarray(x, dtype=float)
        return self.f(self._x, **self.options)

    def backward(self, grad_out):
        if self._x is None:
            raise ValueError("Activation.backward: call forward first; it stores the input")
        return np.asarray(grad_out, dtype=float) * self.f_grad(self._x, **self.options)

    def parameters(self):
        return []


class Sequential:
    """Layers applied in order; backward runs them in reverse (the chain rule)."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def parameters(self):
        return [pair for layer in self.layers for pair in layer.parameters()]


def mlp(sizes, rng, activation="relu", init="he"):
    """A Sequential MLP ``Linear, act, Linear, act, ..., Linear`` for ``sizes = [d, h1, ..., k]``.

    The last layer has no activation: it returns scores (logits) for a loss to consume.
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes needs an input and an output width, got {sizes!r}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out, rng, init=init))
        if i < len(sizes) - 2:
            layers.append(Activation(activation))
    return Sequential(*layers)
