"""Module-09 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import scipy.optimize

from dlkit import nn, widgets
from dlkit.testing import assert_close
from dlkit.widgets import regularization as rg
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    drawn_lines,
    sweep,
)

PENALTY_DEFAULTS = {"budget": 1.0, "l1_ratio": 1.0}
PENALTY_SLIDERS = {"budget": (0.1, 3.0, 0.1), "l1_ratio": (0.0, 1.0, 0.1)}  # the notebook's
BATCH_SIZES = [2, 4, 8, 16, 32, 64, 128, 256]  # the notebook's SelectionSlider


def grid_of_runs():
    epochs = np.arange(60)
    return {
        (wd, p): {
            "loss": 2.0 * np.exp(-epochs / (10 + 20 * p + 40 * wd)),
            "val_loss": 0.5 + 0.002 * (epochs - 20 - 10 * p) ** 2,
            "test_accuracy": 0.7 + 0.1 * p + 0.2 * wd,
        }
        for wd in (0.0, 0.5)
        for p in (0.0, 0.25, 0.5)
    }


def test_curves_show_the_run_its_best_epoch_and_the_grid():
    curves = grid_of_runs()
    fig = widgets.draw_regularization_curves(curves, 0.5, 0.25, patience=5)
    assert_labelled(fig)
    left, right = fig.axes
    lines = {line.get_label(): line for line in left.get_lines()}
    assert_close(lines["training (noisy labels)"].get_ydata(), curves[(0.5, 0.25)]["loss"])
    best, stop = nn.early_stopping_epochs(curves[(0.5, 0.25)]["val_loss"], 5)
    assert best == 23 and f"lowest validation loss: epoch {best}" in lines
    assert lines["early stop (patience 5)"].get_xdata()[0] == stop
    shown = right.get_images()[0].get_array()
    assert shown.shape == (3, 2) and np.isclose(shown[1, 1], 0.825)  # rows: dropout
    assert "82.5%" in fig.get_suptitle()


def test_curves_reject_a_cell_not_in_the_grid():
    with pytest.raises(ValueError, match="no run for weight_decay=0.1"):
        widgets.draw_regularization_curves(grid_of_runs(), 0.1, 0.0)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.4, 1.0])
def test_ball_boundary_lies_on_the_penalty_level_set(l1_ratio):
    w = rg.ball_boundary(1.3, l1_ratio)
    penalty = l1_ratio * np.abs(w).sum(axis=1) + (1 - l1_ratio) * (w**2).sum(axis=1)
    assert_close(penalty, np.full(len(w), 1.3))
    if l1_ratio == 1.0:  # the diamond's corners are exactly on the axes
        assert np.any((w[:, 0] == 0) & np.isclose(w[:, 1], 1.3))


@pytest.mark.parametrize(("l1_ratio", "budget"), [(1.0, 1.0), (0.0, 1.0), (0.5, 0.8)])
def test_constrained_optimum_matches_scipy(l1_ratio, budget):
    w_ls = np.array([2.0, 0.6])
    got = rg.constrained_optimum(budget, l1_ratio, w_ls)

    def penalty(w):
        return l1_ratio * np.abs(w).sum() + (1 - l1_ratio) * (w**2).sum()

    best = min(
        (
            scipy.optimize.minimize(
                lambda w: rg.least_squares_loss(w, w_ls),
                start,
                constraints=[{"type": "ineq", "fun": lambda w: budget - penalty(w)}],
                method="SLSQP",
            )
            for start in ([0.1, 0.1], [0.5, -0.2], [0.0, 0.5])
        ),
        key=lambda result: result.fun,
    )
    assert_close(got, best.x, atol=0.02)  # the boundary search has half-degree steps
    if l1_ratio == 1.0:
        assert got[1] == 0.0  # the lasso's corner: an exact zero


def test_penalty_geometry_draws_the_optimum_and_its_path():
    fig = widgets.draw_penalty_geometry(1.0, 1.0, (2.0, 0.6))
    assert_labelled(fig)
    left, right = fig.axes
    assert "w2 = 0 exactly" in left.get_title()
    inside = widgets.draw_penalty_geometry(5.0, 0.0, (0.5, 0.5))
    assert "(0.50, 0.50)" in inside.axes[0].get_title()  # the ball contains w_ls
    with pytest.raises(ValueError, match="l1_ratio"):
        widgets.draw_penalty_geometry(1.0, 1.5)
    with pytest.raises(ValueError, match="budget"):
        widgets.draw_penalty_geometry(0.0, 0.5)


def test_batch_statistics_spread_like_sigma_over_root_batch_size():
    mu, sigma = rg.POPULATION
    for batch_size in (4, 64):
        means, stds, normalised = rg.bn_batches(batch_size, shift=1.0)
        x0 = mu + sigma
        # one fixed member x0 and B - 1 random ones: the batch mean has sd sigma sqrt(B-1) / B
        expected = sigma * np.sqrt(batch_size - 1) / batch_size
        assert abs(means.std() / expected - 1) < 0.15
        assert_close(normalised, (x0 - means) / np.sqrt(stds**2 + rg.BN_EPS))
    _, _, pair = rg.bn_batches(2, shift=0.5)
    # two values normalise to -1 and +1 (a little less when they are within sqrt(eps))
    assert np.all(np.abs(pair) <= 1) and np.median(np.abs(pair)) > 0.999


def test_bn_noise_figure_and_validation():
    fig = widgets.draw_bn_noise(32, 2.0)
    assert_labelled(fig)
    left, right = fig.axes
    assert right.get_lines()[0].get_xdata()[0] == 2.0  # evaluation mode: exactly the shift
    with pytest.raises(ValueError, match=r"2\.\.256"):
        widgets.draw_bn_noise(1)


# ---------------------------------------------------------------- redrawn in place


def test_curves_redraw_in_place():
    curves = grid_of_runs()
    updates = [
        {"weight_decay": 0.5, "dropout": 0.5, "patience": 10},
        {"weight_decay": 0.0, "dropout": 0.0, "patience": 1},
        {"weight_decay": 0.0, "dropout": 0.25, "patience": 30},  # no early stop: 3 entries
        {"weight_decay": 0.5, "dropout": 0.25, "patience": 5},  # back to 4 entries
    ]
    assert_redraws_in_place(widgets.RegularizationCurves, {"curves": curves}, updates)


def test_curves_limits_are_fixed_per_grid():
    curves = grid_of_runs()
    drawing = widgets.RegularizationCurves(curves)
    left = drawing.figure.axes[0]
    limits = []
    for wd, p in curves:
        drawing.update(wd, p, 10)
        limits.append((left.get_xlim(), left.get_ylim()))
        for line in drawn_lines(left)[:2]:
            y = line.get_ydata()
            assert 0 <= y.min() and y.max() <= left.get_ylim()[1] or y.max() > 3.0
    assert len(set(limits)) == 1 and limits[0][1] == (0.0, 3.0)  # max loss 2.88: 5, capped
    assert_close(np.array(limits[0][0]), np.array([1 - 2.95, 60 + 2.95]))


# measured: weight decay 0 renders of 1 move, dropout 0 of 2, patience 0 of 29
@pytest.mark.parametrize(
    ("slider", "values"),
    [("weight_decay", [0.0, 0.5]), ("dropout", [0.0, 0.25, 0.5]), ("patience", range(1, 31))],
)
def test_curves_sliders_keep_the_axes(slider, values):
    defaults = {"weight_decay": 0.5, "dropout": 0.5, "patience": 10}
    updates = [{**defaults, slider: value} for value in values]
    assert background_renders(widgets.RegularizationCurves(grid_of_runs()), updates) == 0


@pytest.mark.parametrize("w_ls", [(2.0, 0.6), (0.5, 0.5)])
def test_penalty_geometry_redraws_in_place(w_ls):
    updates = [
        {"budget": 0.1, "l1_ratio": 1.0},
        {"budget": 3.0, "l1_ratio": 0.0},
        {"budget": 1.3, "l1_ratio": 0.4},
        {"budget": 5.0, "l1_ratio": 0.0},  # past the notebook's budget: the x range widens
        {"budget": 1.0, "l1_ratio": 1.0},
    ]
    assert_redraws_in_place(widgets.PenaltyGeometry, {"w_ls": w_ls}, updates)


@pytest.mark.parametrize("slider", PENALTY_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_penalty_limits_hold_the_path(slider, end):
    params = sweep(PENALTY_DEFAULTS, slider, PENALTY_SLIDERS[slider])[end]
    left, right = widgets.draw_penalty_geometry(**params).axes
    assert left.get_xlim() == left.get_ylim() == (-3.0, 3.0)
    assert right.get_xlim() == (0.0, 3.0)
    low, high = right.get_ylim()
    y = np.concatenate([line.get_ydata() for line in drawn_lines(right)[:2]])
    assert low < y.min() and y.max() < high
    assert y.max() - min(y.min(), 0) >= 0.5 * (high - low)  # the path fills the frame
    optimum = drawn_lines(left)[2].get_xydata()[0]
    assert np.all(np.abs(optimum) <= 3)


# measured: 0 renders over budget's 29 moves and l1_ratio's 10
@pytest.mark.parametrize("slider", PENALTY_SLIDERS)
def test_penalty_sliders_keep_the_axes(slider):
    updates = sweep(PENALTY_DEFAULTS, slider, PENALTY_SLIDERS[slider])
    assert background_renders(widgets.PenaltyGeometry(), updates) == 0


def test_penalty_contours_are_level_sets():
    drawing = widgets.PenaltyGeometry((2.0, 0.6)).update(1.0, 1.0)
    rings = drawn_lines(drawing.figure.axes[0])[0].get_xydata()  # NaN-separated ellipses
    levels = rg.least_squares_loss(rings[~np.isnan(rings[:, 0])], (2.0, 0.6))
    optimum = rg.constrained_optimum(1.0, 1.0, (2.0, 0.6))
    expected = rg.least_squares_loss(optimum, (2.0, 0.6)) * np.array([0.25, 1, 2.5, 5, 9])
    assert_close(np.unique(np.round(levels, 8)), np.round(expected + 1e-3, 8))


def test_bn_noise_redraws_in_place():
    updates = [
        {"batch_size": 2, "shift": -3.0},
        {"batch_size": 256, "shift": 3.0},
        {"batch_size": 16, "shift": 1.0},
        {"batch_size": 128, "shift": 0.25},  # the y top steps up
        {"batch_size": 4, "shift": -1.5},  # and down
    ]
    assert_redraws_in_place(widgets.BatchNormNoise, {}, updates)


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize("shift", [-3.0, 0.0, 1.0, 3.0])
def test_bn_limits_hold_the_histogram(batch_size, shift):
    left, right = widgets.draw_bn_noise(batch_size, shift).axes
    (stairs,) = right.patches
    counts = stairs.get_data().values
    top = right.get_ylim()[1]
    assert right.get_xlim() == (-6.0, 6.0) and counts.sum() == rg.N_BATCHES  # nothing cut
    assert 1.05 * counts.max() <= top
    assert counts.max() >= 0.18 * top  # measured: at least 19 % (batches of 4)
    if batch_size >= 8:  # the left frame is the old fixed one: batches of 2, 4 spill at +-3
        means, stds = drawn_lines(left)[0].get_data()
        (x_low, x_high), (_, y_high) = left.get_xlim(), left.get_ylim()
        assert x_low < means.min() and means.max() < x_high and stds.max() < y_high


# measured: batch size 2 renders of 7 moves (2 -> 4, 64 -> 128), shift 0 of 24
@pytest.mark.parametrize(
    ("slider", "batch_size"), [("batch_size", 16), ("shift", 2), ("shift", 16)]
)
def test_bn_sliders_keep_the_axes(slider, batch_size):
    if slider == "batch_size":
        updates = [{"batch_size": size, "shift": 1.0} for size in BATCH_SIZES]
    else:
        updates = sweep({"batch_size": batch_size}, "shift", (-3.0, 3.0, 0.25))
    renders = background_renders(widgets.BatchNormNoise(), updates)
    assert renders <= (2 if slider == "batch_size" else 0)
