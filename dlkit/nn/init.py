"""Weight initialisation: weights of shape ``(n_in, n_out)`` drawn from a numpy Generator."""

import numpy as np


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
