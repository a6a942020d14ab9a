"""Regularisation in numpy: norm penalties, dropout, label smoothing, early stopping, FGSM.

Conventions (the same as torch's, stated where the seed book differs):

- ``l2_penalty`` is ``lam/2 ||w||^2`` (eq 7.1, gradient ``lam w``: the weight decay of
  eq 7.2); ``elastic_net`` is ``l1 ||w||_1 + l2 ||w||^2`` (eq 7.4, **no** 1/2, gradient
  ``l1 sign(w) + 2 l2 w``). The subgradient of ``|w|`` at 0 is taken as 0, like torch.
- Dropout's ``p`` is the probability to **drop** a unit (torch). The seed's eq 7.6 uses
  p for the probability to *keep*. Inverted dropout scales the kept units by
  ``1 / (1 - p)`` in training so that ``E[out] = x``; evaluation is the identity.
- Label smoothing spreads ``eps`` over **all** K classes: target ``(1 - eps) onehot +
  eps / K`` (eq 7.12; ``F.cross_entropy(label_smoothing=eps)``). With K = 1000 and
  eps = 0.1 the true class gets 0.9001, each other class 0.0001.
- Early stopping counts epochs from 1, as ``dk.train.fit``'s history does.

Random functions take ``seed``: an int or a ``numpy.random.Generator``.
"""

import numpy as np

from dlkit.nn.layers import TrainEvalMode
from dlkit.nn.losses import _class_labels
from dlkit.numerics import log_softmax, softmax


def _array(w, name):
    w = np.asarray(w, dtype=float)
    if w.size == 0:
        raise ValueError(f"{name}: got an empty array of weights")
    return w


def _non_negative(value, name, owner):
    value = float(value)
    if not (value >= 0 and np.isfinite(value)):
        raise ValueError(f"{owner}: {name} must be finite and >= 0, got {value}")
    return value


# ---------------------------------------------------------------- norm penalties


def l2_penalty(w, lam):
    """``(lam/2 sum w^2, lam w)``: the L2 penalty of eq 7.1 and its gradient (w's shape)."""
    w, lam = _array(w, "l2_penalty"), _non_negative(lam, "lam", "l2_penalty")
    return float(0.5 * lam * np.sum(w * w)), lam * w


def l1_penalty(w, lam):
    """``(lam sum |w|, lam sign(w))``: the L1 penalty of eq 7.3 and a subgradient (0 at 0)."""
    w, lam = _array(w, "l1_penalty"), _non_negative(lam, "lam", "l1_penalty")
    return float(lam * np.sum(np.abs(w))), lam * np.sign(w)


def elastic_net(w, l1, l2):
    """``(l1 sum |w| + l2 sum w^2, l1 sign(w) + 2 l2 w)``: eq 7.4 (no 1/2) and a subgradient.

    w: array of any shape; the gradient has its shape and is ``2 l2 w`` = 0 at w = 0.
    """
    w = _array(w, "elastic_net")
    l1, l2 = _non_negative(l1, "l1", "elastic_net"), _non_negative(l2, "l2", "elastic_net")
    penalty = l1 * np.sum(np.abs(w)) + l2 * np.sum(w * w)
    return float(penalty), l1 * np.sign(w) + 2.0 * l2 * w


# ---------------------------------------------------------------- dropout


def _drop_probability(p, owner):
    p = float(p)
    if not 0.0 <= p < 1.0:
        raise ValueError(
            f"{owner}: p is the probability to DROP a unit and must lie in [0, 1), got {p} "
            "(the seed book's p is the probability to keep: pass 1 - p)"
        )
    return p


def dropout_forward(x, p, train=True, seed=None):
    """Inverted dropout: ``(out, mask)`` with ``out = x * mask / (1 - p)``.

    ``mask`` (x's shape) holds 1.0 for kept and 0.0 for dropped entries, each dropped
    independently with probability ``p``. With ``train=False`` (or p = 0) nothing is
    dropped: ``out`` is a copy of x and the mask all ones. ``seed``: an int or a Generator.
    """
    x = np.asarray(x, dtype=float)
    p = _drop_probability(p, "dropout_forward")
    if not train or p == 0.0:
        return x.copy(), np.ones_like(x)
    rng = np.random.default_rng(seed)
    mask = (rng.random(x.shape) >= p).astype(float)  # P(keep) = 1 - p
    return x * mask / (1.0 - p), mask


def dropout_backward(grad_out, mask, p):
    """``dL/dx = grad_out * mask / (1 - p)``: dropout is linear in x, mask fixed."""
    grad_out, mask = np.asarray(grad_out, dtype=float), np.asarray(mask, dtype=float)
    if grad_out.shape != mask.shape:
        raise ValueError(
            f"dropout_backward: grad_out {grad_out.shape} and mask {mask.shape} differ in shape"
        )
    return grad_out * mask / (1.0 - _drop_probability(p, "dropout_backward"))


class Dropout(TrainEvalMode):
    """Inverted dropout layer with drop probability ``p`` (torch's ``nn.Dropout(p)``).

    ``training`` (True at first; ``train()``, ``eval()``) switches it on and off; masks are
    drawn from ``rng`` (a Generator or a seed).
    """

    def __init__(self, p, rng=None):
        self.p = _drop_probability(p, "Dropout")
        self.rng = np.random.default_rng(rng)
        self._mask = None

    def forward(self, x):
        out, self._mask = dropout_forward(x, self.p, self.training, self.rng)
        return out

    def backward(self, grad_out):
        if self._mask is None:
            raise ValueError("Dropout.backward: call forward first; it draws the mask")
        p = self.p if self.training else 0.0
        return dropout_backward(grad_out, self._mask, p)

    def parameters(self):
        return []


def set_training(model, mode=True):
    """Put every layer of a ``dk.nn.Sequential`` (or one layer) in training or evaluation
    mode: the layers with a ``training`` flag (Dropout, BatchNorm1d, LayerNorm) follow."""
    for layer in getattr(model, "layers", [model]):
        if hasattr(layer, "training"):
            layer.train(mode)
    return model


# ---------------------------------------------------------------- label smoothing


def smooth_labels(labels, n_classes, eps):
    """Smoothed targets ``(1 - eps) onehot(y) + eps / K`` of shape (n, K); rows sum to 1."""
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"smooth_labels: eps must lie in [0, 1], got {eps}")
    labels = _class_labels(labels, len(np.asarray(labels)), n_classes, "smooth_labels")
    onehot = np.eye(n_classes)[labels]  # (n, K)
    return (1.0 - eps) * onehot + eps / n_classes


def smoothed_cross_entropy_and_grad(logits, labels, eps):
    """Mean cross-entropy against label-smoothed targets, and its gradient.

    ``L = -(1/n) sum_i sum_k t_ik log softmax(z_i)_k`` with ``t = smooth_labels(y, K, eps)``;
    ``dL/dz = (softmax(z) - t) / n``. logits (n, K), labels (n,) -> (float, (n, K)).
    Equals ``F.cross_entropy(z, y, label_smoothing=eps)``; stable for huge logits.
    """
    logits = np.asarray(logits, dtype=float)
    if logits.ndim != 2 or logits.shape[0] == 0:
        raise ValueError(
            f"smoothed_cross_entropy_and_grad: logits must be a non-empty (n, K) array, "
            f"got {logits.shape}"
        )
    n, k = logits.shape
    targets = smooth_labels(labels, k, eps)
    loss = -np.sum(targets * log_softmax(logits, axis=1)) / n
    return float(loss), (softmax(logits, axis=1) - targets) / n


# ---------------------------------------------------------------- early stopping


def early_stopping_epochs(val_losses, patience, min_delta=0.0):
    """Algorithm 3 (one epoch between evaluations) on a list of validation losses.

    Epoch e (counting from 1) has loss ``val_losses[e - 1]``. It improves when its loss is
    below ``best - min_delta`` (strictly; a NaN never improves); training stops after the
    first epoch that ends ``patience`` epochs in a row without improvement. Returns
    ``(best_epoch, stop_epoch)``; if patience never runs out, ``stop_epoch`` is the last
    epoch. ``dk.train.fit(early_stopping=patience)`` stops at the same epoch.
    """
    losses = np.asarray(val_losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError("early_stopping_epochs: val_losses must be a non-empty list of numbers")
    if isinstance(patience, bool) or not isinstance(patience, int | np.integer) or patience < 1:
        raise ValueError(f"early_stopping_epochs: patience must be an int >= 1, got {patience!r}")
    min_delta = _non_negative(min_delta, "min_delta", "early_stopping_epochs")
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses)


# ---------------------------------------------------------------- adversarial examples


def fgsm_step(x, grad_x, eps, low=0.0, high=1.0):
    """The fast gradient sign step (eq 7.18), kept in the valid range:
    ``clip(x + eps sign(dL/dx), low, high)``; pass ``low=None, high=None`` not to clip."""
    x, grad_x = np.asarray(x, dtype=float), np.asarray(grad_x, dtype=float)
    if x.shape != grad_x.shape:
        raise ValueError(f"fgsm_step: x {x.shape} and grad_x {grad_x.shape} must have one shape")
    eps = _non_negative(eps, "eps", "fgsm_step")
    x_adv = x + eps * np.sign(grad_x)
    if low is None and high is None:
        return x_adv
    return np.clip(x_adv, low, high)


def fgsm_softmax(X, y, W, b, eps, low=0.0, high=1.0):
    """FGSM examples for softmax regression ``softmax(X W + b)`` on inputs in [low, high].

    The gradient of the cross-entropy with respect to the **inputs** is
    ``dL/dX = (softmax(X W + b) - onehot(y)) W^T`` (n, d) (up to the positive 1/n of a
    mean, which the sign ignores). X (n, d), y (n,), W (d, K), b (K,) -> X_adv (n, d).
    """
    X, W, b = np.asarray(X, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(
            f"fgsm_softmax: need X (n, d), W (d, K), b (K,), got {X.shape}, {W.shape}, {b.shape}"
        )
    labels = _class_labels(y, len(X), W.shape[1], "fgsm_softmax")
    residual = softmax(X @ W + b, axis=1)  # (n, K)
    residual[np.arange(len(X)), labels] -= 1.0
    return fgsm_step(X, residual @ W.T, eps, low, high)  # (n, K) @ (K, d) -> (n, d)
