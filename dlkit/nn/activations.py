"""Activations and their derivatives, element-wise on arrays of any shape (float64)."""

import numpy as np
from scipy.special import erf

from dlkit.numerics import sigmoid

SQRT_2 = np.sqrt(2.0)
SQRT_2PI = np.sqrt(2.0 * np.pi)


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
