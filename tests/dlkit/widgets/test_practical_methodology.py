"""Module 14's widget drawings, headless: labels, correct content, no pyplot figures."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import practical_methodology as pm
from tests.dlkit.widgets.figures import assert_labelled


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.9])
def test_threshold_shows_the_operating_point_and_its_confusion_matrix(threshold):
    fig = widgets.draw_threshold(threshold, 1.0)
    assert_labelled(fig)
    ax_roc, ax_pr, ax_cm = fig.axes
    y, s = pm.cancer_scores()
    assert f"AUC = {roc_auc_score(y, s):.3f}" in ax_roc.get_title()
    assert f"AP = {average_precision_score(y, s):.3f}" in ax_pr.get_title()
    (tn, fp), (fn, tp) = confusion_matrix(y, (s >= threshold).astype(int), labels=[0, 1])
    assert [t.get_text() for t in ax_cm.texts] == [str(v) for v in (tn, fp, fn, tp)]
    point = ax_roc.get_lines()[-1]
    assert_close(np.ravel(point.get_data()), [fp / (fp + tn), tp / (tp + fn)])


def test_fewer_positives_lower_precision_but_not_the_roc_curve():
    full = widgets.draw_threshold(0.5, 1.0).axes
    rare = widgets.draw_threshold(0.5, 0.1).axes
    auc = [float(ax[0].get_title().split("= ")[1].split()[0]) for ax in (full, rare)]
    ap = [float(ax[1].get_title().split("AP = ")[1].split()[0]) for ax in (full, rare)]
    assert abs(auc[0] - auc[1]) < 0.1
    assert ap[1] < ap[0] - 0.2


def test_search_budget_counts_distinct_learning_rates():
    grid = widgets.draw_search_budget(16, "grid", 0)
    assert_labelled(grid)
    assert "16 trials, 4 learning rates" in grid.axes[0].get_title()
    random = widgets.draw_search_budget(16, "random", 0)
    assert "16 trials, 16 learning rates" in random.axes[0].get_title()
    random_best, grid_best = (line.get_data()[1] for line in random.axes[1].get_lines()[:2])
    assert np.all(np.diff(random_best) <= 0) and np.all(np.diff(grid_best) <= 0)


def test_reliability_reports_the_ece_and_keeps_the_accuracy():
    rng = np.random.default_rng(0)
    logits = 3 * rng.normal(size=(400, 5))
    y = np.where(rng.random(400) < 0.6, logits.argmax(1), rng.integers(0, 5, 400))
    for temperature in (0.5, 1.0, 3.0):
        fig = widgets.draw_reliability(logits, y, temperature, 10)
        assert_labelled(fig)
        assert f"acc. {np.mean(logits.argmax(1) == y):.3f}" in fig.axes[1].get_title()
    z = np.exp(logits - logits.max(1, keepdims=True))
    probs = z / z.sum(1, keepdims=True)
    conf, correct = probs.max(1), probs.argmax(1) == y
    bins = np.minimum((conf * 10).astype(int), 9)  # no confidence lies on an edge here
    ece = sum(
        np.mean(bins == b) * abs(correct[bins == b].mean() - conf[bins == b].mean())
        for b in np.unique(bins)
    )
    assert f"ECE = {ece:.3f}" in widgets.draw_reliability(logits, y, 1.0, 10).axes[0].get_title()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: widgets.draw_threshold(1.5), "threshold must lie in"),
        (lambda: widgets.draw_threshold(0.5, 0.0), "positive_fraction"),
        (lambda: widgets.draw_search_budget(16, "bayes"), "method must be"),
        (lambda: widgets.draw_search_budget(2), "budget must be"),
        (lambda: widgets.draw_reliability(np.zeros((3, 2)), [0, 1, 0], 0.0), "temperature"),
    ],
)
def test_drawings_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
