"""Module-09 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import scipy.optimize

from dlkit import nn, widgets
from dlkit.testing import assert_close
from dlkit.widgets import regularization as rg
from tests.dlkit.widgets.figures import assert_labelled


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
