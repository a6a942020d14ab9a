"""dlkit.metrics.intervals against scipy.stats: Wilson against binomtest, the bootstrap
against scipy.stats.bootstrap and the binomial distribution it estimates, and its
coverage by simulation.

Statistical tolerances: the bootstrap end points are compared with the exact binomial
quantiles at levels q -+ 6 sqrt(q (1 - q) / B) (a correct answer falls outside with
probability below 1e-8); the coverage test uses 400 data sets and a band of 6 binomial
standard errors below the nominal level (about 1e-9 for a correct answer)."""

import numpy as np
import pytest
import scipy.stats

from dlkit import metrics
from dlkit.testing import assert_close


@pytest.mark.parametrize(("k", "n"), [(85, 100), (0, 10), (10, 10), (3, 7), (500, 1000)])
def test_wilson_matches_scipy(k, n):
    ci = scipy.stats.binomtest(k, n).proportion_ci(method="wilson")
    z = scipy.stats.norm.ppf(0.975)
    assert_close(metrics.wilson_interval(k, n, z), (ci.low, ci.high), rtol=1e-9, atol=1e-12)


def test_wald_collapses_where_wilson_does_not():
    assert metrics.wald_interval(10, 10) == (1.0, 1.0)
    low, high = metrics.wilson_interval(10, 10)
    assert low < 0.8 and high == 1.0


def test_bootstrap_end_points_are_binomial_quantiles():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 300)
    y_pred = np.where(rng.random(300) < 0.8, y_true, 1 - y_true)
    acc, B = np.mean(y_true == y_pred), 20_000
    low, high = metrics.bootstrap_ci(y_true, y_pred, B, 0.95, seed=1)
    for value, q in ((low, 0.025), (high, 0.975)):
        se = np.sqrt(q * (1 - q) / B)
        lo = scipy.stats.binom.ppf(q - 6 * se, 300, acc) / 300
        hi = scipy.stats.binom.ppf(q + 6 * se, 300, acc) / 300
        assert lo <= value <= hi
    ref = scipy.stats.bootstrap(
        (y_true, y_pred),
        lambda a, b, axis: np.mean(a == b, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=B,
        method="percentile",
        random_state=2,
    ).confidence_interval
    assert abs(low - ref.low) <= 2 / 300 and abs(high - ref.high) <= 2 / 300


def test_bootstrap_with_a_metric_function_and_seeds():
    y = np.array([0, 1, 1, 0, 1, 1, 0, 1])
    p = np.array([0, 1, 0, 0, 1, 1, 1, 1])
    f1 = lambda a, b: metrics.binary_metrics(a, b)["f1"]  # noqa: E731
    assert metrics.bootstrap_ci(y, p, 200, 0.9, 3, metric=f1) == metrics.bootstrap_ci(
        y, p, 200, 0.9, 3, metric=f1
    )
    a, b = metrics.bootstrap_indices(8, 50, 3), metrics.bootstrap_indices(8, 50, 4)
    assert a.shape == (50, 8) and not np.array_equal(a, b)


def test_bootstrap_coverage_is_near_nominal():
    coverage, lows, highs = metrics.bootstrap_coverage(0.8, 200, 400, 1000, 0.95, seed=0)
    assert coverage >= 0.95 - 6 * np.sqrt(0.95 * 0.05 / 400)
    assert np.all(lows <= highs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="0 <= k <= n"):
        metrics.wilson_interval(5, 3)
    with pytest.raises(ValueError, match="level"):
        metrics.bootstrap_ci([0, 1], [0, 1], 10, 1.5)
