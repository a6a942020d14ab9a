"""How gradients flow through depth: per-layer gradient norms and dead ReLU units.

A network is given as plain lists, in the course's row-vector convention: ``weights[l]``
of shape (n_l, n_{l+1}) and ``biases[l]`` of shape (n_{l+1},), for l = 0 .. L-1. Every
hidden layer computes ``h_{l+1} = f(h_l W_l + b_l)``; the last layer returns the logits
``h_{L-1} W_{L-1} + b_{L-1}`` with no activation. Backpropagation of the mean softmax
cross-entropy gives

    dZ_{L-1} = (softmax - onehot) / n,      dW_l = h_l^T dZ_l,
    dZ_{l-1} = (dZ_l W_l^T) * f'(Z_{l-1}),

so each layer further down multiplies the gradient by a weight matrix and by f' at its
pre-activations: with sigmoid (f' <= 1/4) the product shrinks geometrically (vanishing
gradients), with weights too large it grows (exploding gradients).
"""

import numpy as np

from dlkit.nn.activations import get_activation
from dlkit.nn.losses import softmax_cross_entropy_and_grad

#: Initial weight scales for :func:`random_network`: the variance of W as a function of
#: the fan-in and fan-out (``"small"`` is a fixed N(0, 0.01^2), which kills the signal).
WEIGHT_VARIANCES = {
    "xavier": lambda n_in, n_out: 2.0 / (n_in + n_out),
    "he": lambda n_in, n_out: 2.0 / n_in,
    "small": lambda n_in, n_out: 1e-4,
}


def _network(weights, biases, owner):
    """Float copies of the layers, with their shapes checked against each other."""
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float) for b in biases]
    if not weights or len(weights) != len(biases):
        raise ValueError(
            f"{owner}: need as many bias vectors as weight matrices (at least one), got "
            f"{len(weights)} and {len(biases)}"
        )
    for layer, (W, b) in enumerate(zip(weights, biases)):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(
                f"{owner}: layer {layer} has W {W.shape} and b {b.shape}; expected W (n_in, n_out) "
                "and b (n_out,)"
            )
        if layer and W.shape[0] != weights[layer - 1].shape[1]:
            raise ValueError(
                f"{owner}: layer {layer} takes {W.shape[0]} inputs but layer {layer - 1} gives "
                f"{weights[layer - 1].shape[1]}"
            )
    return weights, biases


def _inputs(X, weights, owner):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != weights[0].shape[0]:
        raise ValueError(f"{owner}: X must have shape (n, {weights[0].shape[0]}), got {X.shape}")
    return X


def random_network(sizes, init, rng):
    """``(weights, biases)`` for widths ``sizes = [d, h_1, ..., k]``: zero biases and
    weights ``N(0, WEIGHT_VARIANCES[init](n_in, n_out))`` (``"xavier"``, ``"he"``, ``"small"``)."""
    if init not in WEIGHT_VARIANCES:
        raise ValueError(f"unknown init {init!r}; choose one of {sorted(WEIGHT_VARIANCES)}")
    if len(sizes) < 2:
        raise ValueError(f"random_network: sizes needs an input and an output width, got {sizes}")
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = np.sqrt(WEIGHT_VARIANCES[init](n_in, n_out))
        weights.append(rng.normal(0.0, std, size=(n_in, n_out)))
        biases.append(np.zeros(n_out))
    return weights, biases


def hidden_activations(weights, biases, X, activation="relu"):
    """The hidden layers' outputs ``[h_1, ..., h_{L-1}]`` (each (n, n_l)) for the input X."""
    weights, biases = _network(weights, biases, "hidden_activations")
    f, _ = get_activation(activation)
    h = _inputs(X, weights, "hidden_activations")
    outputs = []
    for W, b in zip(weights[:-1], biases[:-1]):
        h = f(h @ W + b)  # (n, n_out)
        outputs.append(h)
    return outputs


def dead_unit_fraction(weights, biases, X):
    """Per hidden ReLU layer, the fraction of its units that output 0 on **every** row of X.

    A dead unit passes no gradient back for any of these inputs, so gradient descent
    cannot revive it from them. Returns a list of L - 1 floats (the output layer has no
    ReLU and is not counted).
    """
    hidden = hidden_activations(weights, biases, X, "relu")
    return [float(np.mean(np.all(h <= 0.0, axis=0))) for h in hidden]


def layer_grad_norms(weights, biases, X, y, activation="relu"):
    """Frobenius norms ``||dL/dW_l||_F`` of the mean softmax cross-entropy, input layer first.

    X (n, d), y (n,) class indices; every hidden layer uses ``activation`` (a name of
    :func:`dlkit.nn.get_activation`). Returns an array of shape (L,).
    """
    weights, biases = _network(weights, biases, "layer_grad_norms")
    f, f_grad = get_activation(activation)
    h = _inputs(X, weights, "layer_grad_norms")
    inputs, pre_activations = [], []
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(h)
        z = h @ W + b  # (n, n_out)
        pre_activations.append(z)
        h = f(z)
    inputs.append(h)
    _, dz = softmax_cross_entropy_and_grad(h @ weights[-1] + biases[-1], y)  # (n, k)
    norms = np.empty(len(weights))
    for layer in range(len(weights) - 1, -1, -1):
        norms[layer] = np.linalg.norm(inputs[layer].T @ dz)  # ||dW_l||_F, dW_l (n_l, n_{layer+1})
        if layer:
            dz = (dz @ weights[layer].T) * f_grad(pre_activations[layer - 1])  # (n, n_l)
    return norms


__all__ = [
    "WEIGHT_VARIANCES",
    "dead_unit_fraction",
    "hidden_activations",
    "layer_grad_norms",
    "random_network",
]
