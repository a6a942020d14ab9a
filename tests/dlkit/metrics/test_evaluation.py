"""dlkit.metrics.evaluation: StandardScaler, StratifiedKFold's properties, search, and the
domain classifier against scikit-learn's pipeline.

The search test's KS tests reject at p < 1e-6 (a correct sampler fails one run in a
million); the domain-classifier bands were measured over 10 splits (no shift: 0.40-0.58)."""

import numpy as np
import pytest
import scipy.stats
from sklearn.preprocessing import StandardScaler

from dlkit import metrics
from dlkit.testing import assert_close


def test_standardize_uses_train_statistics_only():
    rng = np.random.default_rng(0)
    X_train, X_test = rng.normal(3, 2, (40, 3)), rng.normal(9, 1, (10, 3))
    X_train[:, 1] = 4.0
    scaler = StandardScaler().fit(X_train)
    Z_train, Z_test = metrics.standardize(X_train, X_test)
    assert_close(Z_train, scaler.transform(X_train))
    assert_close(Z_test, scaler.transform(X_test))


@pytest.mark.parametrize(("counts", "k"), [([40, 23, 9, 3], 5), ([97, 7], 10), ([5, 5], 2)])
def test_stratified_kfold_properties(counts, k):
    y = np.random.default_rng(1).permutation(np.repeat(np.arange(len(counts)), counts))
    folds = metrics.stratified_kfold(y, k, seed=2)
    seen = np.zeros(len(y), int)
    for train, val in folds:
        assert np.array_equal(train, np.setdiff1d(np.arange(len(y)), val))
        seen[val] += 1
        for c, n_c in enumerate(counts):
            assert n_c // k <= np.sum(y[val] == c) <= -(-n_c // k)
    assert np.all(seen == 1)
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    again = metrics.stratified_kfold(y, k, seed=2)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def _loss(x):
    return (np.log10(x[0]) + 2.3) ** 2 + 0.01 * (x[1] - 0.3) ** 2


def test_random_search_is_log_uniform_and_grid_counts_points():
    bounds, log = [(1e-5, 1.0), (0.0, 1.0)], [True, False]
    best_x, best, X, values = metrics.random_search(_loss, bounds, log, 3000, seed=0)
    assert scipy.stats.kstest((np.log10(X[:, 0]) + 5) / 5, "uniform").pvalue > 1e-6
    assert scipy.stats.kstest(X[:, 1], "uniform").pvalue > 1e-6
    assert best == values.min() and np.array_equal(best_x, X[np.argmin(values)])
    grid = metrics.grid_points(bounds, log, 30)
    assert grid.shape == (25, 2)
    assert_close(np.unique(np.log10(grid[:, 0])), np.linspace(-5, 0, 5))
    _, grid_best, _, _ = metrics.grid_search(_loss, bounds, log, 16)
    assert best < grid_best  # 3000 random learning rates against 4


def test_domain_classifier_detects_a_shift():
    from sklearn.datasets import load_breast_cancer

    X, _ = load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(X))
    A, B = X[order[:120]], X[order[120:240]]
    assert 0.35 < metrics.domain_classifier_auc(A, B, seed=0) < 0.65
    shifted = metrics.shift_features(B, [1, 9, 19], 0.5, seed=0)
    assert metrics.domain_classifier_auc(A, shifted, seed=0) > 0.75


def test_majority_baseline_and_bad_input():
    assert np.array_equal(metrics.majority_baseline([2, 1, 2, 0], 3), [2, 2, 2])
    with pytest.raises(ValueError, match="2 <= k"):
        metrics.stratified_kfold([0, 1, 0], 5)
    with pytest.raises(ValueError, match="budget of at least 4"):
        metrics.grid_points([(0, 1), (0, 1)], [False, False], 3)
