"""The 8x8 handwritten digits bundled with scikit-learn, ready for training.

1797 grey images of the digits 0-9, 8 x 8 pixels with values 0-16. The course scales
them to [0, 1] (divide by 16) and splits them at random into a training and a test set.
"""

from functools import cache

import numpy as np

N_DIGITS = 1797
SIDE = 8


@cache
def _load():
    from sklearn.datasets import load_digits  # imported lazily: sklearn is slow to load

    X, y = load_digits(return_X_y=True)  # (1797, 64) in 0..16, (1797,) in 0..9
    X, y = X / 16.0, y.astype(np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def digits(n_train=1000, seed=0):
    """``(X_train, y_train, X_test, y_test)``: the digits in [0, 1], split at random.

    X has shape (n, 64), float64 (row-major 8 x 8 pixels); y holds the labels 0-9 as
    int64. ``n_train`` rows, drawn with ``np.random.default_rng(seed)``, train; the other
    ``1797 - n_train`` test. Fresh writable arrays on every call.
    """
    if not 0 < n_train < N_DIGITS:
        raise ValueError(f"digits: n_train must lie in 1..{N_DIGITS - 1}, got {n_train}")
    X, y = _load()
    order = np.random.default_rng(seed).permutation(N_DIGITS)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]


def as_images(X):
    """Rows of 64 pixels as images for a CNN: (n, 64) -> (n, 1, 8, 8), NCHW."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != SIDE * SIDE:
        raise ValueError(f"as_images: expected rows of {SIDE * SIDE} pixels, got shape {X.shape}")
    return X.reshape(len(X), 1, SIDE, SIDE)  # (n, 1, 8, 8)


def binarize(X, threshold=0.5):
    """Pixels as 0.0 / 1.0 (``X > threshold``), for Bernoulli likelihoods; same shape."""
    return (np.asarray(X, dtype=float) > threshold).astype(float)
