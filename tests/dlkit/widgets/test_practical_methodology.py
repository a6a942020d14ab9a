"""Module 14's widget drawings, headless: labels, correct content, no pyplot figures."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import practical_methodology as pm
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

# module 14's notebook: (min, max, step) of each slider, and the values it starts at
THRESHOLD_DEFAULTS = {"threshold": 0.5, "positive_fraction": 1.0}
THRESHOLD_SLIDERS = {"threshold": (0.0, 1.0, 0.02), "positive_fraction": (0.05, 1.0, 0.05)}
RELIABILITY_DEFAULTS = {"temperature": 1.0, "n_bins": 10}
RELIABILITY_SLIDERS = {"temperature": (0.2, 5.0, 0.1), "n_bins": (3, 25, 1)}
SEARCH_DEFAULTS = {"budget": 16, "seed": 0}
SEARCH_SLIDERS = {"budget": (4, 100, 1), "seed": (0, 20, 1)}


def overconfident_logits():
    """Synthetic ``(logits (697, 10), y (697,))`` standing in for the notebook's digits MLP
    (which a test cannot train): 85 % of the labels are the argmax, the rest at random."""
    rng = np.random.default_rng(0)
    logits = 4 * rng.normal(size=(697, 10))
    y = np.where(rng.random(697) < 0.85, logits.argmax(1), rng.integers(0, 10, 697))
    return logits, y


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


def test_threshold_redraws_in_place():
    updates = [
        THRESHOLD_DEFAULTS,
        {"threshold": 0.0, "positive_fraction": 0.05},
        {"threshold": 1.0, "positive_fraction": 0.05},  # no positive prediction: no PR point
        {"threshold": 1.0, "positive_fraction": 1.0},
        {"threshold": 0.3, "positive_fraction": 0.4},
        {"threshold": 0.32, "positive_fraction": 0.4},  # moves only the threshold
    ]
    assert_redraws_in_place(widgets.DecisionThreshold, {}, updates)


@pytest.mark.parametrize("slider", THRESHOLD_SLIDERS)
def test_threshold_sliders_keep_the_axes(slider):
    # measured over the notebook's whole ranges: threshold 0 of 50 moves, positives 0 of 19
    updates = sweep(THRESHOLD_DEFAULTS, slider, THRESHOLD_SLIDERS[slider])
    assert background_renders(widgets.DecisionThreshold(), updates) == 0


@pytest.mark.parametrize("slider", THRESHOLD_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_threshold_limits_hold_the_curves(slider, end):
    params = sweep(THRESHOLD_DEFAULTS, slider, THRESHOLD_SLIDERS[slider])[end]
    fig = widgets.draw_threshold(**params)
    for ax in fig.axes[:2]:
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        for line in ax.get_lines():
            x, y = (np.asarray(values, dtype=float) for values in line.get_data())
            assert np.all((x_low <= x) & (x <= x_high)), f"{params}: a curve leaves the x range"
            assert np.all((y_low <= y) & (y <= y_high)), f"{params}: a curve leaves the y range"
        assert x_high - x_low <= 1.1 and y_high - y_low <= 1.1, "rates fill [0, 1]"
    counts = np.array([[int(t.get_text()) for t in fig.axes[2].texts]])
    assert fig.axes[2].images[0].get_clim() == (0, max(counts.max(), 1))


def test_reliability_draws_the_bins():
    logits, y = overconfident_logits()
    fig = widgets.draw_reliability(logits, y, 1.0, 10)
    ax, ax_hist = fig.axes
    z = np.exp(logits - logits.max(1, keepdims=True))
    probs = z / z.sum(1, keepdims=True)
    counts, confidence, accuracy = pm.reliability_curve(probs, y, 10)
    used = counts > 0
    tops = np.array([path.vertices[1:3, 1] for path in ax.collections[0].get_paths()])
    assert_close(tops, np.repeat(accuracy[used][:, None], 2, axis=1))
    shares = np.array([path.vertices[1, 1] for path in ax_hist.collections[0].get_paths()])
    assert_close(shares, counts / counts.sum())
    assert_close(np.array(ax.get_lines()[0].get_data()), np.array([confidence, accuracy])[:, used])


def test_reliability_redraws_in_place():
    logits, y = overconfident_logits()
    updates = [
        RELIABILITY_DEFAULTS,
        {"temperature": 0.2, "n_bins": 3},
        {"temperature": 5.0, "n_bins": 25},
        {"temperature": 5.0, "n_bins": 3},  # fewer bars
        {"temperature": 0.2, "n_bins": 25},  # more bars, a share step crossed
        {"temperature": 1.5, "n_bins": 12},
    ]
    assert_redraws_in_place(widgets.Reliability, {"logits": logits, "y": y}, updates)


@pytest.mark.parametrize(("slider", "most"), [("temperature", 4), ("n_bins", 2)])
def test_reliability_sliders_keep_the_axes(slider, most):
    # measured over the notebook's whole ranges: temperature 4 of 48 moves (the share
    # axis tops 1.05, 0.5, 0.2, 0.5, 1.05: sharp probabilities pile up near 1, soft ones
    # near 1 / 10), bins 2 of 22 (1.05, 0.5, 0.2)
    logits, y = overconfident_logits()
    updates = sweep(RELIABILITY_DEFAULTS, slider, RELIABILITY_SLIDERS[slider])
    assert background_renders(widgets.Reliability(logits, y), updates) <= most


@pytest.mark.parametrize("slider", RELIABILITY_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_reliability_limits_hold_the_bars(slider, end):
    logits, y = overconfident_logits()
    params = sweep(RELIABILITY_DEFAULTS, slider, RELIABILITY_SLIDERS[slider])[end]
    ax, ax_hist = widgets.draw_reliability(logits, y, **params).axes
    assert ax.get_xlim() == ax.get_ylim() == ax_hist.get_xlim() == (0, 1)
    shares = np.array([path.vertices[1, 1] for path in ax_hist.collections[0].get_paths()])
    top = ax_hist.get_ylim()[1]
    assert shares.max() < top, f"{params}: a bar leaves the frame"
    assert shares.max() >= 0.38 * top, f"{params}: the bars are lost in the frame"


def test_search_budget_redraws_in_place():
    for method in ("random", "grid"):
        updates = [
            SEARCH_DEFAULTS,
            {"budget": 4, "seed": 0},
            {"budget": 100, "seed": 20},
            {"budget": 20, "seed": 20},
            {"budget": 21, "seed": 20},  # the trials axis steps from 20 to 30
            {"budget": 21, "seed": 3},
        ]
        assert_redraws_in_place(widgets.SearchBudget, {"method": method}, updates)


@pytest.mark.parametrize("method", ["random", "grid"])
@pytest.mark.parametrize(("slider", "most"), [("budget", 9), ("seed", 0)])
def test_search_budget_sliders_keep_the_axes(method, slider, most):
    # measured over the notebook's whole ranges: budget 9 of 96 moves (the trials axis
    # steps at 5, 7, 10, 15, 20, 30, 50, 70; the loss axis's top from 5 to 1 at 9, where
    # the grid first tries a learning rate near the valley), seed 0 of 20
    updates = sweep(SEARCH_DEFAULTS, slider, SEARCH_SLIDERS[slider])
    assert background_renders(widgets.SearchBudget(method), updates) == most


@pytest.mark.parametrize("method", ["random", "grid"])
@pytest.mark.parametrize("budget", [4, 16, 21, 100])
def test_search_budget_limits_hold_the_trials(method, budget):
    ax, ax_best = widgets.draw_search_budget(budget, method, 0).axes
    x, y = ax.get_lines()[0].get_data()
    assert ax.get_xlim() == (-5.0, 0.0) and ax.get_ylim() == (-0.06, 1.0)
    assert np.all((-5 <= x) & (x <= 0) & (0 <= y) & (y <= 1))
    (low, high), (bottom, top) = ax_best.get_xlim(), ax_best.get_ylim()
    for line in ax_best.get_lines()[:2]:
        trials, best = line.get_data()
        assert low < trials.min() and trials.max() <= high
        assert bottom < best[-1] < top, "the best loss found lies in the frame"
    assert budget >= high / 1.5, "the trials fill two thirds of the axis"
