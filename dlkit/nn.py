"""Feedforward networks in numpy: activations, layers with forward and backward, losses, init.

Reference code for module 08. Arrays are float64 and batches are rows: a layer maps
``x`` of shape ``(n, n_in)`` to ``(n, n_out)``. Every backward pass takes the gradient
of the loss with respect to the layer's output and returns the gradient with respect
to its input, storing the parameter gradients on the layer. Losses return the pair
``(loss, gradient with respect to the predictions)`` so a training step is

    loss, grad = softmax_cross_entropy_and_grad(model.forward(x), y)
    model.backward(grad)
    sgd_step(model, lr)
"""

import numpy as np
from scipy.special import erf

from dlkit.numerics import log_softmax, sigmoid, softmax, softplus

SQRT_2 = np.sqrt(2.0)
SQRT_2PI = np.sqrt(2.0 * np.pi)

# ---------------------------------------------------------------------------
# Activations and their derivatives (element-wise, any shape)
# ---------------------------------------------------------------------------


def sigmoid_grad(x):
    """``sigma'(x) = sigma(x) (1 - sigma(x))``, element-wise; never overflows."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """``tanh(x) = (e^x - e^-x) / (e^x + e^-x)``, element-wise, in (-1, 1)."""
    return np.tanh(np.asarray(x, dtype=float))


def tanh_grad(x):
    """``tanh'(x) = 1 - tanh(x)^2``, element-wise."""
    t = np.tanh(np.asarray(x, dtype=float))
    return 1.0 - t * t


def relu(x):
    """``relu(x) = max(x, 0)``, element-wise."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def relu_grad(x):
    """``relu'(x) = 1 if x > 0 else 0`` (0 at the kink x = 0, as in torch)."""
    return (np.asarray(x, dtype=float) > 0).astype(float)


def leaky_relu(x, slope=0.01):
    """``x if x > 0 else slope * x``, element-wise."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=0.01):
    """``1 if x > 0 else slope`` (``slope`` at the kink x = 0, as in torch)."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, slope)


def normal_cdf(x):
    """Standard normal CDF ``Phi(x) = (1 + erf(x / sqrt 2)) / 2``, element-wise."""
    return 0.5 * (1.0 + erf(np.asarray(x, dtype=float) / SQRT_2))


def normal_pdf(x):
    """Standard normal density ``phi(x) = exp(-x^2 / 2) / sqrt(2 pi)``, element-wise."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * x * x) / SQRT_2PI


def gelu(x):
    """Exact GELU ``x Phi(x)``: the input weighted by the probability a N(0, 1) is below it."""
    x = np.asarray(x, dtype=float)
    return x * normal_cdf(x)


def gelu_grad(x):
    """``gelu'(x) = Phi(x) + x phi(x)`` (product rule; ``Phi' = phi``)."""
    x = np.asarray(x, dtype=float)
    return normal_cdf(x) + x * normal_pdf(x)


def swish(x, beta=1.0):
    """Swish ``x sigma(beta x)`` (``beta = 1`` is SiLU), element-wise."""
    x = np.asarray(x, dtype=float)
    return x * sigmoid(beta * x)


def swish_grad(x, beta=1.0):
    """``swish'(x) = s + beta x s (1 - s)`` with ``s = sigma(beta x)``."""
    x = np.asarray(x, dtype=float)
    s = sigmoid(beta * x)
    return s + beta * x * s * (1.0 - s)


def identity(x):
    """``f(x) = x`` (a linear "activation"), as a float array."""
    return np.asarray(x, dtype=float).copy()


def identity_grad(x):
    """``f'(x) = 1`` everywhere."""
    return np.ones_like(np.asarray(x, dtype=float))


ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "gelu": (gelu, gelu_grad),
    "swish": (swish, swish_grad),
}


def get_activation(name):
    """The pair ``(f, f')`` of functions for an activation called ``name``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# ---------------------------------------------------------------------------
# Losses: each returns (mean loss, gradient with respect to the predictions)
# ---------------------------------------------------------------------------


def _class_labels(labels, n, k, name):
    """``labels`` as an int array of shape (n,) with values in 0..k-1, or ValueError."""
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(
            f"{name}: labels must have shape ({n},), one class index per row, got {labels.shape}"
        )
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.all(labels == np.round(labels)):
            raise ValueError(f"{name}: labels must be integer class indices, got {labels.dtype}")
        labels = labels.astype(int)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"{name}: labels must lie in 0..{k - 1} for {k} classes")
    return labels.astype(int)


def _same_shape(pred, target, name):
    pred, target = np.asarray(pred, dtype=float), np.asarray(target, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: predictions {pred.shape} and targets {target.shape} must have the same "
            "shape; reshape the targets (e.g. y[:, None]) to match"
        )
    if pred.size == 0:
        raise ValueError(f"{name}: the batch is empty; a mean over no examples is undefined")
    return pred, target


def softmax_cross_entropy_and_grad(logits, labels):
    """Mean cross-entropy of softmax(logits) against class labels, and its gradient.

    ``L = -(1/n) sum_i log softmax(z_i)[y_i]``; ``dL/dz = (softmax(z) - onehot(y)) / n``.
    logits (n, k), labels (n,) ints in 0..k-1 -> (float, (n, k)). Stable for large logits.
    """
    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(
            "softmax_cross_entropy_and_grad: logits must be a non-empty (n, k) array, "
            f"got {logits.shape}"
        )
    n, k = logits.shape
    labels = _class_labels(labels, n, k, "softmax_cross_entropy_and_grad")
    rows = np.arange(n)
    loss = -np.mean(log_softmax(logits, axis=1)[rows, labels])
    grad = softmax(logits, axis=1)  # (n, k)
    grad[rows, labels] -= 1.0
    return float(loss), grad / n


def mse_and_grad(pred, target):
    """Mean squared error over all entries and its gradient.

    ``L = mean((p - t)^2)``; ``dL/dp = 2 (p - t) / p.size``. Same shapes in, (float, p.shape) out.
    """
    pred, target = _same_shape(pred, target, "mse_and_grad")
    diff = pred - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def binary_cross_entropy_with_logits_and_grad(logits, targets):
    """Mean binary cross-entropy of sigma(z) against targets in [0, 1], and its gradient.

    ``L = mean(softplus(z) - t z)`` (= ``-t log sigma(z) - (1 - t) log(1 - sigma(z))``,
    stable for any z); ``dL/dz = (sigma(z) - t) / z.size``.
    """
    logits, targets = _same_shape(logits, targets, "binary_cross_entropy_with_logits_and_grad")
    loss = np.mean(softplus(logits) - targets * logits)
    return float(loss), (sigmoid(logits) - targets) / logits.size


def hinge_and_grad(scores, labels):
    """Mean hinge loss ``mean(max(0, 1 - y s))`` for labels y in {-1, +1}, and a subgradient.

    ``dL/ds = -y [y s < 1] / n`` (0 at and beyond the margin). Same shapes in.
    """
    scores, labels = _same_shape(scores, labels, "hinge_and_grad")
    if not np.all(np.abs(labels) == 1.0):
        raise ValueError("hinge_and_grad: labels must be -1 or +1; map 0/1 labels with 2 * y - 1")
    margins = labels * scores
    loss = np.mean(np.maximum(0.0, 1.0 - margins))
    return float(loss), np.where(margins < 1.0, -labels, 0.0) / scores.size


# ---------------------------------------------------------------------------
# Initialisation: weights of shape (n_in, n_out)
# ---------------------------------------------------------------------------


def xavier_normal(n_in, n_out, rng):
    """Glorot/Xavier normal weights: ``W_ij ~ N(0, 2 / (n_in + n_out))``, shape (n_in, n_out).

    Keeps the variance of activations (forward) and gradients (backward) about constant
    for activations that are linear near 0 (tanh, identity).
    """
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def xavier_uniform(n_in, n_out, rng):
    """Glorot/Xavier uniform weights ``U(-a, a)``, ``a = sqrt(6 / (n_in + n_out))``.

    A uniform on (-a, a) has variance a^2 / 3 = 2 / (n_in + n_out), as in :func:`xavier_normal`.
    """
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in, n_out, rng):
    """He/Kaiming normal weights: ``W_ij ~ N(0, 2 / n_in)``, shape (n_in, n_out).

    ReLU zeroes half of a symmetric input, halving its second moment; the factor 2
    restores it, so ``Var(z)`` stays constant through a deep ReLU network.
    """
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


INITIALISERS = {"xavier": xavier_normal, "xavier_uniform": xavier_uniform, "he": he_normal}


def init_weights(scheme, n_in, n_out, rng):
    """Weights (n_in, n_out) from the scheme ``"xavier"``, ``"xavier_uniform"`` or ``"he"``."""
    if scheme not in INITIALISERS:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {sorted(INITIALISERS)}")
    if n_in < 1 or n_out < 1:
        raise ValueError(f"a layer needs n_in >= 1 and n_out >= 1, got {n_in} and {n_out}")
    return INITIALISERS[scheme](n_in, n_out, rng)


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------


def _batch(x, width, name):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"{name}: expected input of shape (n, {width}), got {x.shape}")
    return x


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


def sgd_step(model, lr):
    """Plain gradient descent, in place: ``theta <- theta - lr * dL/dtheta`` for every parameter."""
    for param, grad in model.parameters():
        param -= lr * grad


def predict(model, x):
    """Class predictions ``argmax_k`` of the model's scores for x (n, d) -> (n,) ints."""
    return np.argmax(model.forward(x), axis=1)


def train_classifier(model, x, y, rng, epochs=10, lr=0.1, batch_size=32):
    """Mini-batch SGD on the softmax cross-entropy; returns ``{"loss": [mean loss per epoch]}``.

    Each epoch visits the n rows of x (n, d) once in a random order drawn from ``rng``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"train_classifier: need x (n, d) and y (n,), got {x.shape} and {y.shape}")
    history = {"loss": []}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            loss, grad = softmax_cross_entropy_and_grad(model.forward(x[rows]), y[rows])
            model.backward(grad)
            sgd_step(model, lr)
            total += loss * len(rows)
        history["loss"].append(total / len(x))
    return history


__all__ = [
    "ACTIVATIONS",
    "Activation",
    "INITIALISERS",
    "Linear",
    "Sequential",
    "binary_cross_entropy_with_logits_and_grad",
    "gelu",
    "gelu_grad",
    "get_activation",
    "he_normal",
    "hinge_and_grad",
    "identity",
    "identity_grad",
    "init_weights",
    "leaky_relu",
    "leaky_relu_grad",
    "mlp",
    "mse_and_grad",
    "normal_cdf",
    "normal_pdf",
    "predict",
    "relu",
    "relu_grad",
    "sgd_step",
    "sigmoid",
    "sigmoid_grad",
    "softmax_cross_entropy_and_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
    "train_classifier",
    "xavier_normal",
    "xavier_uniform",
]
