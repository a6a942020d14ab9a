"""Mini-batch gradients as random estimates of the full gradient.

The full-batch gradient of a mean loss is the mean of the per-example gradients,
``g = (1/N) sum_i g_i``. A mini-batch of B rows drawn **without replacement** gives the
unbiased estimate ``g_B = (1/B) sum_{i in batch} g_i`` whose covariance is

    Cov(g_B) = (N - B) / (B (N - 1)) * Sigma,    Sigma = (1/N) sum_i (g_i - g)(g_i - g)^T,

the population covariance of the per-example gradients times the finite-population
correction: the noise falls like 1/B and is exactly 0 at B = N. Gradient accumulation
recovers the full gradient from batch means by weighting each with its batch size.
Everything here is numpy, float64; gradients are rows, ``G`` of shape (N, p).
"""

import numpy as np

from dlkit.numerics import sigmoid


def _matrix(G, owner):
    G = np.asarray(G, dtype=float)
    if G.ndim != 2 or len(G) < 2:
        raise ValueError(
            f"{owner}: expected per-example gradients as rows, shape (N, p) with N >= 2, "
            f"got shape {G.shape}"
        )
    return G


def _batch_size(batch_size, n, owner):
    if int(batch_size) != batch_size or not 1 <= batch_size <= n:
        raise ValueError(f"{owner}: batch_size must be a whole number in 1..{n}, got {batch_size}")
    return int(batch_size)


def logistic_per_example_gradients(X, y, w, b=0.0):
    """Per-example gradients of the logistic loss ``l_i = -y_i log p_i - (1-y_i) log(1-p_i)``.

    With ``p_i = sigmoid(x_i . w + b)``: ``dl_i/dw = (p_i - y_i) x_i`` and
    ``dl_i/db = p_i - y_i``. X (n, d), y (n,) in {0, 1}, w (d,); returns
    ``(Gw (n, d), Gb (n,))``. Their mean over the rows is the full-batch gradient.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    if X.ndim != 2 or y.shape != (len(X),) or w.shape != (X.shape[1],):
        raise ValueError(
            "logistic_per_example_gradients: expected X (n, d), y (n,) and w (d,), got "
            f"{X.shape}, {y.shape} and {w.shape}"
        )
    residual = sigmoid(X @ w + b) - y  # (n,)
    return residual[:, None] * X, residual  # (n, d), (n,)


def minibatch_covariance(G, batch_size):
    """Covariance ``(N - B) / (B (N - 1)) * Sigma`` of the mean of B rows of G drawn
    without replacement; Sigma is the population covariance (divide by N) of the rows.

    G (N, p) holds one gradient per example; returns (p, p).
    """
    G = _matrix(G, "minibatch_covariance")
    n = len(G)
    B = _batch_size(batch_size, n, "minibatch_covariance")
    centred = G - G.mean(axis=0)  # (N, p)
    sigma = centred.T @ centred / n  # (p, p), population covariance
    return (n - B) / (B * (n - 1)) * sigma


def minibatch_noise(G, batch_size):
    """``E ||g_B - g||^2 = tr Cov(g_B) = (N - B) / (B (N - 1)) * tr Sigma`` (a float).

    The expected squared distance between a mini-batch mean gradient (B rows of G drawn
    without replacement) and the full gradient; 0 at B = N, ``tr Sigma`` at B = 1.
    """
    G = _matrix(G, "minibatch_noise")
    n = len(G)
    B = _batch_size(batch_size, n, "minibatch_noise")
    total_variance = float(np.sum(G.var(axis=0)))  # tr Sigma, population variances
    return (n - B) / (B * (n - 1)) * total_variance


def sample_minibatch_means(G, batch_size, n_batches, rng):
    """``n_batches`` mini-batch mean gradients, each of B rows of G without replacement.

    G (N, p); returns (n_batches, p). Each batch is the first B entries of an independent
    random permutation (``rng`` a numpy Generator).
    """
    G = _matrix(G, "sample_minibatch_means")
    B = _batch_size(batch_size, len(G), "sample_minibatch_means")
    means = np.empty((int(n_batches), G.shape[1]))
    for k in range(int(n_batches)):  # one batch at a time: memory O(B p), not O(n_batches B p)
        means[k] = G[rng.permutation(len(G))[:B]].mean(axis=0)
    return means


def accumulate_gradients(batch_mean_grads, batch_sizes):
    """The full-data mean gradient from per-batch means: ``sum_b n_b g_b / sum_b n_b``.

    batch_mean_grads: a sequence of K arrays of one shape (each the mean gradient of its
    batch); batch_sizes: K positive counts. A plain average of the g_b is wrong as soon
    as one batch (usually the last) is shorter than the others.
    """
    grads = np.asarray([np.asarray(g, dtype=float) for g in batch_mean_grads])  # (K, ...)
    sizes = np.asarray(batch_sizes, dtype=float)
    if sizes.ndim != 1 or len(sizes) != len(grads) or len(sizes) == 0:
        raise ValueError(
            f"accumulate_gradients: need one batch size per gradient, got {len(grads)} "
            f"gradients and batch sizes of shape {sizes.shape}"
        )
    if np.any(sizes <= 0):
        raise ValueError(f"accumulate_gradients: batch sizes must be positive, got {sizes}")
    weights = sizes.reshape((-1,) + (1,) * (grads.ndim - 1))  # (K, 1, ...) broadcasts
    return np.sum(weights * grads, axis=0) / sizes.sum()


def noisy_gradient_descent(grad, x0, lr, steps, noise_std, seed):
    """Gradient descent on noisy gradients: ``x_{k+1} = x_k - lr (grad(x_k) + xi_k)``.

    ``xi_k ~ N(0, noise_std^2 I)``, all drawn at once as
    ``np.random.default_rng(seed).normal(0, noise_std, size=(steps, d))``. Returns the
    path, shape (steps + 1, d), starting with x0.
    """
    x = np.array(x0, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"noisy_gradient_descent: x0 must be a vector, got shape {x.shape}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"noisy_gradient_descent: steps must be a whole number >= 0, got {steps}")
    if noise_std < 0:
        raise ValueError(f"noisy_gradient_descent: noise_std must be >= 0, got {noise_std}")
    noise = np.random.default_rng(seed).normal(0.0, noise_std, size=(int(steps), len(x)))
    path = np.empty((int(steps) + 1, len(x)))
    path[0] = x
    for k in range(int(steps)):
        x = x - lr * (np.asarray(grad(x), dtype=float) + noise[k])
        path[k + 1] = x
    return path


__all__ = [
    "accumulate_gradients",
    "logistic_per_example_gradients",
    "minibatch_covariance",
    "minibatch_noise",
    "noisy_gradient_descent",
    "sample_minibatch_means",
]
