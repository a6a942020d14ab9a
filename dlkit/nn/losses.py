"""Losses, each returning ``(mean loss, gradient with respect to the predictions)``."""

import numpy as np

from dlkit.numerics import log_softmax, sigmoid, softmax, softplus


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
