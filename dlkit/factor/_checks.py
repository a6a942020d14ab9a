"""Input validation shared by the linear factor models (private)."""

import numpy as np


def data_matrix(X, func, min_rows=2):
    """``X`` as a finite float64 (n, d) array with at least ``min_rows`` rows, or ValueError."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < min_rows or X.shape[1] < 1:
        raise ValueError(
            f"{func}: X must be a 2-D array (n samples, d features) with n >= {min_rows}, "
            f"got shape {X.shape}; reshape a single feature with X.reshape(-1, 1)"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{func}: X contains NaN or infinite values; remove or impute them first")
    return X


def n_components(k, upper, func, name="k"):
    """``k`` as an int in 1..upper, or ValueError naming the range."""
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or not 1 <= k <= upper:
        raise ValueError(f"{func}: {name} must be an integer in 1..{upper}, got {k!r}")
    return int(k)


def count(n, func, name, minimum=1):
    """``n`` as an int >= minimum, or ValueError."""
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"{func}: {name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def positive(value, func, name, allow_zero=False):
    """``value`` as a float > 0 (or >= 0), or ValueError."""
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{func}: {name} must be a finite number {bound}, got {value!r}")
    return value


def model(X, W, mu, func):
    """Validate PPCA/FA parameters against X: W (d, k), mu (d,); returns float arrays."""
    X = data_matrix(X, func, min_rows=1)
    W = np.asarray(W, dtype=float)
    mu = np.asarray(mu, dtype=float)
    d = X.shape[1]
    if W.ndim != 2 or W.shape[0] != d:
        raise ValueError(f"{func}: W must have shape (d, k) = ({d}, k), got {W.shape}")
    if mu.shape != (d,):
        raise ValueError(f"{func}: mu must have shape ({d},), got {mu.shape}")
    return X, W, mu


def fix_signs(vectors):
    """Flip each row of ``vectors`` (k, d) so that its largest-magnitude entry is positive.

    Returns ``(fixed (k, d), signs (k,))``. Ties (equal magnitudes) go to the first entry.
    """
    vectors = np.asarray(vectors, dtype=float)
    biggest = np.argmax(np.abs(vectors), axis=1)  # (k,)
    signs = np.sign(vectors[np.arange(len(vectors)), biggest])
    signs[signs == 0] = 1.0
    return vectors * signs[:, None], signs
