"""Module-10 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import training_deep_models as td
from tests.dlkit.widgets.figures import assert_labelled


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
