"""Regression metrics: MSE, RMSE, MAE, R^2 and the Huber loss (eq 11.6-11.7)."""

import numpy as np


def _pair(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    if y.shape != y_hat.shape or y.ndim != 1 or y.size == 0:
        raise ValueError(
            f"y and y_hat must be non-empty 1-D arrays of the same shape, got {y.shape} and "
            f"{y_hat.shape}"
        )
    return y, y_hat


def huber(residuals, delta=1.0):
    """Huber loss of each residual e: ``e^2 / 2`` for ``|e| <= delta``, else
    ``delta |e| - delta^2 / 2`` (continuous with a continuous slope at ``|e| = delta``).
    Same shape as ``residuals``; equals ``torch.nn.functional.huber_loss(..., delta)``."""
    if not delta > 0:
        raise ValueError(f"huber: delta must be positive, got {delta}")
    a = np.abs(np.asarray(residuals, dtype=float))
    return np.where(a <= delta, 0.5 * a**2, delta * a - 0.5 * delta**2)


def r2_score(y, y_hat):
    """``R^2 = 1 - sum (y - y_hat)^2 / sum (y - mean y)^2``: the fraction of the variance
    of y that the predictions explain (1 is perfect, 0 is predicting the mean, below 0 is
    worse). Constant y: 1.0 for a perfect fit, else 0.0 (scikit-learn's convention)."""
    y, y_hat = _pair(y, y_hat)
    ss_res = np.sum((y - y_hat) ** 2)
    ss_tot = np.sum((y - y.mean()) ** 2)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return float(1.0 - ss_res / ss_tot)


def regression_metrics(y, y_hat, delta=1.0):
    """``{"mse", "rmse", "mae", "r2", "huber"}`` of predictions y_hat (n,) of targets y (n,).

    mse = mean e^2, rmse = sqrt(mse) (in the units of y), mae = mean |e|, r2 as
    :func:`r2_score`, huber = mean Huber loss with threshold delta; e = y - y_hat.
    """
    y, y_hat = _pair(y, y_hat)
    e = y - y_hat
    mse = float(np.mean(e**2))
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(np.mean(np.abs(e))),
        "r2": r2_score(y, y_hat),
        "huber": float(np.mean(huber(e, delta))),
    }
