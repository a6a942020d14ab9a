"""Module-10 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import training_deep_models as td
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)


def test_grad_norms_show_vanishing_sigmoid_gradients_layer_by_layer():
    fig = widgets.draw_grad_norms(12, "sigmoid", "xavier")
    assert_labelled(fig)
    left, right = fig.axes
    layers, log_norms = left.get_lines()[0].get_data()
    assert_close(layers, np.arange(1, 14))
    norms, spread = td.grad_norm_profile(12, "sigmoid", "xavier")
    assert_close(log_norms, np.log10(norms))
    assert log_norms[0] < log_norms[-1] - 4  # the first layer's gradient has all but vanished
    assert len(right.get_lines()[0].get_xdata()) == 12 == len(spread)
    assert f"{norms[0] / norms[-1]:.1e}" in left.get_title()


def test_he_relu_keeps_the_gradient_and_small_weights_kill_it():
    he, _ = td.grad_norm_profile(30, "relu", "he")
    small, spread = td.grad_norm_profile(30, "relu", "small")
    assert 0.05 < he[0] / he[-1] < 20
    assert small[0] < 1e-30 and spread[-1] < 1e-30
    fig = widgets.draw_grad_norms(30, "relu", "small")  # norms below 1e-40 are drawn at the floor
    assert np.all(np.isfinite(fig.axes[0].get_lines()[0].get_ydata()))


def test_batch_noise_ellipse_is_the_theoretical_covariance():
    fig = widgets.draw_batch_noise(25, seed=3)
    assert_labelled(fig)
    left, right = fig.axes
    G = td._logistic_gradients()
    (ellipse,) = left.patches
    cov = td.gradient_noise.minibatch_covariance(G, 25)
    eigenvalues = np.linalg.eigvalsh(cov)
    assert np.isclose(ellipse.width, 4 * np.sqrt(eigenvalues[-1]))
    assert np.isclose(ellipse.height, 4 * np.sqrt(eigenvalues[0]))
    assert_close(ellipse.center, G.mean(axis=0))
    dots = np.column_stack(left.get_lines()[0].get_data())
    assert dots.shape == (td.N_BATCHES, 2)
    # 200 batches: the sample covariance is within about 30 % of the theory
    assert_close(np.trace(np.cov(dots.T)), np.trace(cov), rtol=0.3)


def test_batch_noise_of_the_full_batch_is_zero():
    fig = widgets.draw_batch_noise(td.N_POINTS)
    dots = np.column_stack(fig.axes[0].get_lines()[0].get_data())
    assert_close(dots, np.tile(td._logistic_gradients().mean(axis=0), (td.N_BATCHES, 1)))


def test_saddle_landscape_path_and_labels():
    fig = widgets.draw_saddle_landscape(0.0, 1.0, 0.05, 0.0, 300)
    assert_labelled(fig)
    left, right = fig.axes
    labels = {line.get_label(): line for line in left.get_lines()}
    assert {"saddle (0, 0)", "minima (±1, 0)"} <= set(labels)
    x, y = labels["path"].get_data()
    assert np.all(x == 0.0) and abs(y[-1]) < 1e-6  # no noise: stuck at the saddle
    escaped = widgets.draw_saddle_landscape(0.0, 1.0, 0.05, 1e-3, 400, seed=2)
    x, _ = {line.get_label(): line for line in escaped.axes[0].get_lines()}["path"].get_data()
    assert abs(abs(x[-1]) - 1.0) < 1e-2
    diverged = widgets.draw_saddle_landscape(1.9, 1.0, 0.3, 0.0, 100)
    assert diverged.axes[0].get_title() == "diverged"


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda: widgets.draw_grad_norms(0), r"1\.\.40"),
        (lambda: widgets.draw_grad_norms(5, "gelu"), "activation must be one of"),
        (lambda: widgets.draw_grad_norms(5, "relu", "lecun"), "init must be one of"),
        (lambda: widgets.draw_batch_noise(0), r"1\.\.500"),
        (lambda: widgets.draw_saddle_landscape(steps=0), r"1\.\.2000"),
    ],
)
def test_bad_input_is_rejected(draw, message):
    with pytest.raises(ValueError, match=message):
        draw()


# ------------------------------------------------ redrawn in place against steady axes


def frame(ax):
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    return x_low, x_high, y_low, y_high


@pytest.mark.parametrize(
    "setting",
    [{}, {"activation": "relu", "init": "small"}, {"activation": "tanh", "init": "he"}],
)
def test_grad_norms_redraws_in_place(setting):
    updates = [
        {"depth": 1},
        {"depth": 4, "seed": 3},  # x limit 5
        {"depth": 10},  # x limit 20, the bottom steps down
        {"depth": 12, "seed": 10},  # the same limits: background kept
        {"depth": 40, "seed": 0},
    ]
    assert_redraws_in_place(td.GradNorms, setting, updates)


def test_batch_noise_redraws_in_place():
    updates = [
        {"batch_size": 1},
        {"batch_size": 16, "seed": 20},
        {"batch_size": 499},
        {"batch_size": 500},  # no noise: the measured point goes
        {"batch_size": 3, "seed": 1},  # and comes back
    ]
    assert_redraws_in_place(td.BatchNoise, {}, updates)


def test_saddle_landscape_redraws_in_place():
    updates = [
        {"steps": 10},
        {"x0": 1.9, "y0": 1.4, "steps": 150},  # f(start) = 7.8: the top steps to 10
        {"x0": 1.9, "y0": 1.0, "lr": 0.3, "steps": 100},  # diverges
        {"noise": 1.0, "seed": 20, "steps": 1000},
        {"x0": -1.9, "y0": -1.4, "lr": 0.005, "steps": 990},  # the same x limit
        {"x0": 0.5, "y0": 0.0, "steps": 40},
    ]
    assert_redraws_in_place(td.SaddleLandscape, {}, updates)


def test_saddle_path_is_the_first_steps_of_the_longer_run():
    """The run is computed to the x limit; its first `steps` steps are those of a run of
    `steps` steps (the noise is drawn in order)."""
    shown = td.SaddleLandscape().update(noise=0.3, steps=130, seed=4).path.get_xydata()
    path = td.gradient_noise.noisy_gradient_descent(
        td.curvature.quartic_grad, [0.0, 1.2], 0.05, 130, 0.3, 4
    )
    assert_close(shown, path)


# The notebook's sliders: (low, high, step) and the widget's defaults there.
GRAD_SLIDERS = {"depth": (1, 40, 1), "seed": (0, 10, 1)}
BATCH_SLIDERS = {"batch_size": (1, 500, 1), "seed": (0, 20, 1)}
SADDLE_SLIDERS = {
    "x0": (-1.9, 1.9, 0.05),
    "y0": (-1.4, 1.4, 0.05),
    "lr": (0.005, 0.3, 0.005),
    "noise": (0.0, 1.0, 0.01),
    "steps": (10, 1000, 10),
    "seed": (0, 20, 1),
}
SADDLE_DEFAULTS = {"x0": 0.0, "y0": 1.2, "lr": 0.05, "noise": 0.0, "steps": 150, "seed": 0}

#: Full renders over each slider's whole notebook range (measured; a third is the limit).
GRAD_RENDERS = {  # (activation, init, slider): measured count
    ("sigmoid", "xavier", "depth"): 8,  # of 39 moves
    ("sigmoid", "xavier", "seed"): 0,
    ("relu", "small", "depth"): 7,
    ("relu", "small", "seed"): 0,
    ("relu", "he", "depth"): 4,
    ("tanh", "xavier", "depth"): 4,
}


@pytest.mark.parametrize(("activation", "init", "name"), list(GRAD_RENDERS))
def test_grad_norms_sliders_keep_the_axes(activation, init, name):
    updates = sweep({"depth": 10, "seed": 0}, name, GRAD_SLIDERS[name])
    renders = background_renders(td.GradNorms(activation, init), updates)
    assert renders <= GRAD_RENDERS[activation, init, name] <= (len(updates) - 1) // 3


@pytest.mark.parametrize("name", list(BATCH_SLIDERS))
def test_batch_noise_sliders_keep_the_axes(name):
    updates = sweep({"batch_size": 16, "seed": 0}, name, BATCH_SLIDERS[name])
    every = 5 if name == "batch_size" else 1  # 500 batch sizes: every 5th (7 s in all)
    assert background_renders(td.BatchNoise(), updates[::every]) == 0  # every limit is fixed


#: measured: x0 8 of 76 moves, y0 4 of 56, lr 0, noise 0, steps 9 of 99, seed 0
SADDLE_RENDERS = {"x0": 8, "y0": 4, "lr": 0, "noise": 0, "steps": 9, "seed": 0}


@pytest.mark.parametrize("name", list(SADDLE_SLIDERS))
def test_saddle_landscape_sliders_keep_the_axes(name):
    updates = sweep(SADDLE_DEFAULTS, name, SADDLE_SLIDERS[name])
    renders = background_renders(td.SaddleLandscape(), updates)
    assert renders <= SADDLE_RENDERS[name] <= (len(updates) - 1) // 3


@pytest.mark.parametrize("setting", [("sigmoid", "xavier"), ("relu", "small"), ("relu", "he")])
@pytest.mark.parametrize("depth", [1, 10, 40])
def test_grad_norms_limits_hold_the_curves(setting, depth):
    drawing = td.GradNorms(*setting).update(depth=depth)
    for line in (drawing.norm_line, drawing.spread_line):
        x_low, x_high, y_low, y_high = frame(line.axes)
        x, y = line.get_data()
        assert x_low < x.min() and x.max() < x_high and x.max() >= 0.4 * x_high
        assert y_low < y.min() and y.max() < y_high
    # the profile (or its level) is readable: the frame is at most 5 times its span + 4
    y = np.concatenate([drawing.norm_line.get_ydata(), drawing.spread_line.get_ydata()])
    _, _, y_low, y_high = frame(drawing.left)
    assert y_high - y_low <= 5 * (np.ptp(y) + 4), f"{setting}, depth {depth}: lost"


def test_batch_noise_limits_hold_the_points():
    drawing = td.BatchNoise()
    for batch_size in (1, 2, 16, 250, 499):
        drawing.update(batch_size=batch_size)
        x_low, x_high, y_low, y_high = frame(drawing.right)
        (x,), (y,) = drawing.measured.get_data()
        assert x_low < x < x_high and y_low < y < y_high
        lines = drawing.right.get_lines()[:2]
        ys = np.concatenate([line.get_ydata() for line in lines])
        assert y_low < ys.min() and ys.max() < y_high and np.ptp(ys) >= 0.4 * (y_high - y_low)
    dots = drawing.update(batch_size=1).dots.get_xydata()
    x_low, x_high, y_low, y_high = frame(drawing.left)
    inside = (dots[:, 0] > x_low) & (dots[:, 0] < x_high) & (dots[:, 1] > y_low)
    assert (inside & (dots[:, 1] < y_high)).mean() > 0.95  # B = 1: the widest cloud


@pytest.mark.parametrize(
    ("name", "value"), [(name, v) for name, (lo, hi, _) in SADDLE_SLIDERS.items() for v in (lo, hi)]
)
def test_saddle_landscape_limits_hold_the_curve(name, value):
    drawing = td.SaddleLandscape().update(**{**SADDLE_DEFAULTS, name: value})
    x_low, x_high, y_low, y_high = frame(drawing.right)
    k, f = drawing.values.get_data()
    assert x_low < 0 and k.max() < x_high
    if drawing.verdict.get_text() != "diverged":
        assert k.max() >= 0.6 * x_high
        assert y_low < f.min() and f.max() < y_high, f"{name}={value}: the curve leaves"
        assert np.ptp(f) >= 0.2 * (y_high - y_low) or np.ptp(f) < 1e-3, f"{name}={value}"
