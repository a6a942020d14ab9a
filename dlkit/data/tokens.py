"""Synthetic token tasks for sequence models: sort, reverse, copy the previous token, running max.

Each task returns ``(X, Y)``, two int64 arrays of shape (n, length) with tokens in
``0..vocab-1``: X is drawn uniformly at random (with ``np.random.default_rng(seed)``) and
Y[b, t] is the target at position t. A model that predicts one token per position (an
encoder such as ``dk.models.TinyTransformer``) is trained on them with the per-token
cross-entropy. The tasks differ in what a position needs to see:

- ``sort_task``: Y = X sorted; position t needs the whole sequence *and* its own index;
- ``reverse_task``: Y[t] = X[length - 1 - t]; needs positions (attend to the mirror);
- ``prev_token_task``: Y[t] = X[t - 1] (Y[0] = X[0]); a causal model can do it;
- ``running_max_task``: Y[t] = max(X[:t + 1]); a causal model needs no positions at all.
"""

import numpy as np


def _tokens(n, length, vocab, seed, func):
    for name, value in (("n", n), ("length", length), ("vocab", vocab)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{func}: {name} must be a positive integer, got {value!r}")
    return np.random.default_rng(seed).integers(0, vocab, size=(n, length), dtype=np.int64)


def sort_task(n, length=8, vocab=10, seed=0):
    """``(X, Y)``: n random sequences (n, length) and the same sequences sorted ascending."""
    X = _tokens(n, length, vocab, seed, "sort_task")
    return X, np.sort(X, axis=1)


def reverse_task(n, length=8, vocab=10, seed=0):
    """``(X, Y)`` with ``Y[:, t] = X[:, length - 1 - t]``."""
    X = _tokens(n, length, vocab, seed, "reverse_task")
    return X, X[:, ::-1].copy()


def prev_token_task(n, length=8, vocab=10, seed=0):
    """``(X, Y)`` with ``Y[:, t] = X[:, t - 1]`` for t >= 1 and ``Y[:, 0] = X[:, 0]``."""
    X = _tokens(n, length, vocab, seed, "prev_token_task")
    Y = np.concatenate([X[:, :1], X[:, :-1]], axis=1)  # shift right by one
    return X, Y


def running_max_task(n, length=8, vocab=10, seed=0):
    """``(X, Y)`` with ``Y[:, t] = max(X[:, :t + 1])``."""
    X = _tokens(n, length, vocab, seed, "running_max_task")
    return X, np.maximum.accumulate(X, axis=1)


TASKS = {
    "sort": sort_task,
    "reverse": reverse_task,
    "prev_token": prev_token_task,
    "running_max": running_max_task,
}

__all__ = ["TASKS", "prev_token_task", "reverse_task", "running_max_task", "sort_task"]
