"""Input checks the metric families share: clear ValueErrors for arrays of the wrong kind."""

import numpy as np


def labels(y, name="y_true"):
    """``y`` as a 1-D integer array of class labels, or a ValueError saying what to pass."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {y.shape}")
    if y.size == 0:
        raise ValueError(f"{name} is empty: pass at least one example")
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise ValueError(f"{name} must hold whole-number class labels, got {y[:5]}...")
    if y.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    return y.astype(np.int64)


def binary(y, name="y_true"):
    """``y`` as a 1-D array of 0/1 labels, or a ValueError."""
    y = labels(y, name)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name} must hold binary labels 0 and 1, got values {np.unique(y)[:5]}")
    return y


def same_length(a, b, names=("y_true", "y_pred")):
    if len(a) != len(b):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length, got {len(a)} and {len(b)}"
        )


def scores(s, name="scores"):
    """``s`` as a 1-D float array of finite scores, or a ValueError."""
    s = np.asarray(s, dtype=float)
    if s.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (one score per example), got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} must be finite numbers; found NaN or infinity")
    return s
