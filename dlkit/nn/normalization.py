"""Batch and layer normalisation, forward and backward, with torch's conventions.

Batch norm (eq 7.7-7.11) normalises every feature over the batch, axis 0 of x (n, d):

    mu = mean_i x_i,   var = mean_i (x_i - mu)^2      (biased: divide by n)
    x_hat = (x - mu) / sqrt(var + eps),   y = gamma x_hat + beta

In training the running averages move towards the batch statistics,
``running = (1 - momentum) running + momentum batch`` with ``momentum = 0.1`` (the seed's
``rho = 0.9`` is ``1 - momentum``), and the running *variance* is updated with the
**unbiased** batch variance ``n / (n - 1) var``, as ``torch.nn.BatchNorm1d`` does. At
evaluation the running statistics replace the batch's: a prediction must not depend on
which other examples share its batch.

Layer norm normalises every example over its features (the last axis) with the biased
variance and has no running statistics: training and evaluation compute the same thing,
and one row alone gives the same output as inside a batch.

The backward pass of batch norm must differentiate through mu and var, which depend on
every row. With ``g = dL/dy`` (n, d) and ``sigma = sqrt(var + eps)``:

    dbeta = sum_i g_i,   dgamma = sum_i g_i * x_hat_i,
    dx = gamma / (n sigma) * (n g - sum_i g_i - x_hat * sum_i (g_i * x_hat_i))

Layer norm's is the same formula along the last axis, with d in place of n.
"""

import numpy as np

from dlkit.nn.layers import TrainEvalMode

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def _rows(x, name, min_rows=1):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name}: expected x of shape (n, d), one example per row, got {x.shape}")
    if len(x) < min_rows:
        raise ValueError(
            f"{name}: batch statistics need at least {min_rows} rows, got {len(x)}; in "
            "evaluation mode (train=False) the running statistics are used instead"
        )
    return x


def _feature_vector(value, d, name, what):
    value = np.asarray(value, dtype=float)
    if value.shape != (d,):
        raise ValueError(
            f"{name}: {what} must have shape ({d},), one entry per feature, got {value.shape}"
        )
    return value


def batchnorm_forward(
    x, gamma, beta, running_mean, running_var, momentum=BN_MOMENTUM, eps=BN_EPS, train=True
):
    """Batch norm of x (n, d); returns ``(y, new_running_mean, new_running_var)``.

    ``train=True``: normalise with the batch mean and biased variance, and return the
    running statistics moved towards the batch's (the variance's unbiased, ``ddof=1``).
    ``train=False``: normalise with ``running_mean`` and ``running_var`` and return them
    unchanged. gamma, beta, running_mean, running_var: (d,). The inputs are not modified.
    Equals ``torch.nn.functional.batch_norm`` (whose running statistics are updated in place).
    """
    x = _rows(x, "batchnorm_forward", min_rows=2 if train else 1)
    d = x.shape[1]
    gamma, beta, running_mean, running_var = (
        _feature_vector(v, d, "batchnorm_forward", what)
        for v, what in [
            (gamma, "gamma"),
            (beta, "beta"),
            (running_mean, "running_mean"),
            (running_var, "running_var"),
        ]
    )
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"batchnorm_forward: momentum must lie in [0, 1], got {momentum}")
    if train:
        n = len(x)
        mean, var = x.mean(axis=0), x.var(axis=0)  # (d,), (d,): biased, divide by n
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)  # unbiased
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    y = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return y, new_mean, new_var


def batchnorm_backward(dy, x, gamma, eps=BN_EPS):
    """Gradients ``(dx, dgamma, dbeta)`` of training-mode batch norm at x (n, d).

    dy = dL/dy (n, d), gamma (d,). The batch mean and variance are functions of x, so
    ``dx = gamma / (n sigma) (n dy - sum_i dy_i - x_hat sum_i dy_i x_hat_i)`` (module
    docstring); treating them as constants would give ``gamma dy / sigma``.
    """
    x = _rows(x, "batchnorm_backward", min_rows=2)
    dy = np.asarray(dy, dtype=float)
    if dy.shape != x.shape:
        raise ValueError(f"batchnorm_backward: dy {dy.shape} must have the shape of x {x.shape}")
    gamma = _feature_vector(gamma, x.shape[1], "batchnorm_backward", "gamma")
    return _normalised_backward(dy, x, gamma, eps, axis=0)


def _normalised_backward(dy, x, gamma, eps, axis):
    """Backward of ``gamma (x - mean) / sqrt(var + eps) + beta``, statistics along ``axis``.

    Returns dx (x.shape) and dgamma, dbeta summed over every axis but the last (features).
    """
    n = x.shape[axis]
    mean = x.mean(axis=axis, keepdims=True)
    sigma = np.sqrt(x.var(axis=axis, keepdims=True) + eps)
    x_hat = (x - mean) / sigma
    g = dy * gamma  # dL/dx_hat
    dx = (
        n * g - g.sum(axis=axis, keepdims=True) - x_hat * (g * x_hat).sum(axis=axis, keepdims=True)
    ) / (n * sigma)
    batch_axes = tuple(range(dy.ndim - 1))
    return dx, (dy * x_hat).sum(axis=batch_axes), dy.sum(axis=batch_axes)


def layernorm(x, gamma, beta, eps=BN_EPS):
    """Layer norm over the last axis of x (..., d): ``gamma (x - mu) / sqrt(var + eps) + beta``.

    mu and the biased var are taken per example (per row of a (n, d) batch), so each row
    is normalised on its own. gamma, beta: (d,). Equals ``torch.nn.functional.layer_norm``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"layernorm: x needs a last axis of features, got shape {x.shape}")
    d = x.shape[-1]
    gamma = _feature_vector(gamma, d, "layernorm", "gamma")
    beta = _feature_vector(beta, d, "layernorm", "beta")
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def layernorm_backward(dy, x, gamma, eps=BN_EPS):
    """Gradients ``(dx, dgamma, dbeta)`` of :func:`layernorm` at x (..., d) for dy = dL/dy.

    The batch-norm formula along the last axis; dgamma and dbeta (d,) sum over the rest.
    """
    x = np.asarray(x, dtype=float)
    dy = np.asarray(dy, dtype=float)
    if dy.shape != x.shape or x.ndim < 1:
        raise ValueError(f"layernorm_backward: dy {dy.shape} must have the shape of x {x.shape}")
    gamma = _feature_vector(gamma, x.shape[-1], "layernorm_backward", "gamma")
    return _normalised_backward(dy, x, gamma, eps, axis=-1)


class BatchNorm1d(TrainEvalMode):
    """Batch norm layer for (n, d) inputs, as ``torch.nn.BatchNorm1d(d)``.

    ``gamma`` starts at 1, ``beta`` at 0, ``running_mean`` at 0 and ``running_var`` at 1.
    ``training`` (True at first; ``train()`` and ``eval()`` set it) chooses batch or
    running statistics. ``backward`` differentiates the mode of the last ``forward``.
    """

    def __init__(self, num_features, eps=BN_EPS, momentum=BN_MOMENTUM):
        if not isinstance(num_features, int | np.integer) or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be an int >= 1, got {num_features}")
        self.eps, self.momentum = eps, momentum
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.running_mean, self.running_var = np.zeros(num_features), np.ones(num_features)
        self.dgamma, self.dbeta = np.zeros(num_features), np.zeros(num_features)
        self._cache = None

    def forward(self, x):
        y, self.running_mean, self.running_var = batchnorm_forward(
            x,
            self.gamma,
            self.beta,
            self.running_mean,
            self.running_var,
            self.momentum,
            self.eps,
            train=self.training,
        )
        statistics = None if self.training else (self.running_mean, self.running_var)
        self._cache = (np.asarray(x, dtype=float), statistics)
        return y

    def backward(self, grad_out):
        if self._cache is None:
            raise ValueError("BatchNorm1d.backward: call forward first; it stores the input")
        x, statistics = self._cache
        grad_out = np.asarray(grad_out, dtype=float)
        if statistics is None:
            dx, self.dgamma, self.dbeta = batchnorm_backward(grad_out, x, self.gamma, self.eps)
            return dx
        mean, var = statistics  # evaluation: mean and var are constants, the map is affine
        sigma = np.sqrt(var + self.eps)
        self.dgamma = (grad_out * (x - mean) / sigma).sum(axis=0)
        self.dbeta = grad_out.sum(axis=0)
        return grad_out * self.gamma / sigma

    def parameters(self):
        """``[(gamma, dgamma), (beta, dbeta)]`` (the running statistics are not trained)."""
        return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]


class LayerNorm(TrainEvalMode):
    """Layer norm over the last axis (d features), as ``torch.nn.LayerNorm(d)``.

    Has ``train()``/``eval()`` like every layer here, but both modes compute the same.
    """

    def __init__(self, num_features, eps=BN_EPS):
        if not isinstance(num_features, int | np.integer) or num_features < 1:
            raise ValueError(f"LayerNorm: num_features must be an int >= 1, got {num_features}")
        self.eps = eps
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.dgamma, self.dbeta = np.zeros(num_features), np.zeros(num_features)
        self._x = None

    def forward(self, x):
        self._x = np.asarray(x, dtype=float)
        return layernorm(self._x, self.gamma, self.beta, self.eps)

    def backward(self, grad_out):
        if self._x is None:
            raise ValueError("LayerNorm.backward: call forward first; it stores the input")
        dx, self.dgamma, self.dbeta = layernorm_backward(grad_out, self._x, self.gamma, self.eps)
        return dx

    def parameters(self):
        return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]
