"""Confidence intervals for a measured accuracy: Wilson, Wald and the percentile bootstrap."""

import numpy as np


def _counts(k, n):
    if not (float(n).is_integer() and n >= 1 and float(k).is_integer() and 0 <= k <= n):
        raise ValueError(f"need whole numbers 0 <= k <= n and n >= 1, got k={k}, n={n}")
    return int(k), int(n)


def wilson_interval(k, n, z=1.96):
    """Wilson score interval for a proportion: k successes in n trials.

    With p = k / n: ``(p + z^2/(2n) -+ z sqrt(p (1 - p)/n + z^2/(4 n^2))) / (1 + z^2/n)``.
    It inverts the score test, so it stays inside [0, 1] and keeps a width at k = 0 or
    k = n; equals ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` for the
    z of its confidence level (1.96 for 95 %). Returns ``(low, high)``.
    """
    k, n = _counts(k, n)
    p = k / n
    centre = p + z**2 / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    scale = 1 + z**2 / n
    return float(max(0.0, (centre - half) / scale)), float(min(1.0, (centre + half) / scale))


def wald_interval(k, n, z=1.96):
    """The textbook normal interval ``p -+ z sqrt(p (1 - p) / n)``, clipped to [0, 1]; it
    collapses to a point at k = 0 and k = n (shown for comparison with Wilson's)."""
    k, n = _counts(k, n)
    p = k / n
    half = z * np.sqrt(p * (1 - p) / n)
    return float(max(0.0, p - half)), float(min(1.0, p + half))


def bootstrap_indices(n, n_boot, seed):
    """(n_boot, n) row indices drawn uniformly **with** replacement: one resample a row."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def bootstrap_ci(y_true, y_pred, n_boot=10_000, level=0.95, seed=0, metric=None):
    """Percentile bootstrap interval of a metric of paired labels and predictions.

    Each resample draws n example indices with replacement and keeps every (y_true,
    y_pred) **pair** together; the interval is the ``(1 - level)/2`` and ``(1 + level)/2``
    quantiles (numpy's default linear interpolation) of the metric over the resamples.
    metric: ``metric(y_true, y_pred) -> float``; default accuracy (vectorised over the
    resamples). Returns ``(low, high)``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"y_true and y_pred must be non-empty 1-D arrays of one shape, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    if not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    idx = bootstrap_indices(len(y_true), n_boot, seed)  # (n_boot, n)
    if metric is None:
        values = np.mean(y_true[idx] == y_pred[idx], axis=1)  # (n_boot,)
    else:
        values = np.array([metric(y_true[i], y_pred[i]) for i in idx], dtype=float)
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_coverage(p, n, n_datasets=200, n_boot=2000, level=0.95, seed=0):
    """Fraction of simulated test sets whose percentile-bootstrap accuracy interval holds
    the true accuracy p: each of ``n_datasets`` sets has n examples, each right with
    probability p. Resampling the correct/incorrect flags of a set is resampling its
    pairs; the n_boot resamples of one set are drawn as one (n_boot, n) index array.
    Returns ``(coverage, lows (n_datasets,), highs (n_datasets,))``."""
    rng = np.random.default_rng(seed)
    correct = rng.random((n_datasets, n)) < p  # (D, n) flags of each data set
    lows, highs = np.empty(n_datasets), np.empty(n_datasets)
    alpha = (1 - level) / 2
    for d in range(n_datasets):
        idx = rng.integers(0, n, size=(n_boot, n))  # (B, n)
        values = correct[d][idx].mean(axis=1)
        lows[d], highs[d] = np.quantile(values, [alpha, 1 - alpha])
    return float(np.mean((lows <= p) & (p <= highs))), lows, highs
