"""dlkit.metrics.classification against scikit-learn's metrics (ties included)."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import metrics
from dlkit.testing import assert_close


@st.composite
def scored_labels(draw):
    """Binary labels with both classes and scores on a coarse grid (many ties)."""
    n = draw(st.integers(2, 40))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[draw(st.integers(0, n - 1))] = 1
    y[(draw(st.integers(0, n - 1)) + 1) % n if y.sum() == n else np.argmin(y)] = 0
    if y.min() == y.max():
        y[0], y[1] = 0, 1
    s = np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))) / 6.0
    return y, s


@settings(max_examples=60, deadline=None)
@given(scored_labels())
def test_roc_pr_and_ap_match_sklearn_with_ties(data):
    y, s = data
    fpr, tpr, thresholds = metrics.roc_curve(y, s)
    ref = skm.roc_curve(y, s, drop_intermediate=False)
    for got, expected in zip((fpr, tpr, thresholds), ref):
        assert_close(got, expected)
    assert_close(metrics.roc_auc(y, s), skm.roc_auc_score(y, s))
    assert_close(metrics.average_precision(y, s), skm.average_precision_score(y, s))
    precision, recall, _ = metrics.pr_curve(y, s)
    p_ref, r_ref, _ = skm.precision_recall_curve(y, s, drop_intermediate=False)
    assert_close(precision, p_ref[::-1])
    assert_close(recall, r_ref[::-1])


def test_auc_is_the_mann_whitney_statistic():
    from scipy.stats import mannwhitneyu

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.normal(size=200) + y, 1)
    u = mannwhitneyu(s[y == 1], s[y == 0]).statistic
    assert_close(metrics.roc_auc(y, s), u / (np.sum(y == 1) * np.sum(y == 0)))


def test_auc_trapezoids_either_direction_and_rejects_unsorted_x():
    x, y = np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0])
    assert_close(metrics.auc(x, y), skm.auc(x, y))
    assert_close(metrics.auc(x[::-1], y[::-1]), 0.75)
    with pytest.raises(ValueError, match="not monotonic"):
        metrics.auc(np.array([0.0, 1.0, 0.5]), y)


@pytest.mark.parametrize("seed", range(5))
def test_confusion_binary_and_f1_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    assert np.array_equal(metrics.confusion_matrix(y, p), skm.confusion_matrix(y, p))
    m = metrics.binary_metrics(y, p)
    prf = skm.precision_recall_fscore_support(y, p, average="binary", zero_division=0)
    assert_close([m["precision"], m["recall"], m["f1"]], prf[:3])
    assert m["accuracy"] == skm.accuracy_score(y, p)
    yk, pk = rng.integers(0, 4, 80), rng.integers(0, 4, 80)
    macro, micro = metrics.f1_scores(yk, pk, 4)
    assert_close(macro, skm.f1_score(yk, pk, average="macro", zero_division=0))
    assert_close(micro, skm.f1_score(yk, pk, average="micro"))
    assert_close(metrics.class_weights(yk, 4), skm_balanced(yk))


def skm_balanced(y):
    from sklearn.utils.class_weight import compute_class_weight

    return compute_class_weight("balanced", classes=np.arange(4), y=y)


def test_zero_division_gives_zero():
    m = metrics.binary_metrics([1, 1, 0], [0, 0, 0])
    assert m["precision"] == 0.0 and m["recall"] == 0.0 and m["f1"] == 0.0


def test_ece_matches_the_binned_definition_and_calibration_curve():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(1)
    p1 = 0.5 + 0.499 * rng.random(2000)  # class 1 predicted everywhere, p1 in (0.5, 0.999)
    y = (rng.random(2000) < p1).astype(int)
    probs = np.column_stack([1 - p1, p1])
    counts, conf, acc = metrics.reliability_curve(probs, y, 10)
    frac, mean_pred = calibration_curve(y, p1, n_bins=10)
    assert_close(acc[counts > 0], frac)
    assert_close(conf[counts > 0], mean_pred)
    expected = np.sum(counts * np.abs(acc - conf)) / 2000
    assert_close(metrics.expected_calibration_error(probs, y, 10), expected)
    perfect = np.eye(3)[[0, 1, 2, 0]]
    assert metrics.expected_calibration_error(perfect, [0, 1, 2, 0], 5) == 0.0


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="both classes"):
        metrics.roc_curve([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="binary labels"):
        metrics.binary_metrics([0, 2], [0, 1])
    with pytest.raises(ValueError, match="same length"):
        metrics.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match=r"\(n, k\)"):
        metrics.expected_calibration_error(np.array([0.2, 0.8]), [1, 0])
