"""Module-08 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest

from dlkit import nn, widgets
from dlkit.testing import assert_close
from dlkit.widgets import feedforward_backprop as ff
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place, drawn_lines


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_universal_approximation_is_a_least_squares_relu_network():
    fig = widgets.draw_universal_approximation(7, "bump")
    assert_labelled(fig)
    left, right = fig.axes
    x, fit = lines_by_label(left)["network"].get_data()
    _, target = lines_by_label(left)["target"].get_data()
    assert_close(target, np.exp(-4 * x**2))
    # independent oracle: numpy least squares on the same 7 ReLU features plus a bias
    design = np.column_stack([ff.relu_features(x, 7), np.ones_like(x)])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    assert_close(fit, design @ coef, atol=1e-8)
    assert f"MSE = {np.mean((design @ coef - target) ** 2):.2e}" == right.get_title()
    # the unit contributions drawn for small n add up to the network minus its bias
    units = [line.get_ydata() for line in drawn_lines(left)][2:]
    assert len(units) == 7
    assert_close(np.sum(units, axis=0) + coef[-1], fit, atol=1e-8)


def test_more_units_fit_better():
    errors = [ff._fits("sine")[4][n - 1] for n in (2, 10, 50)]
    assert errors[0] > errors[1] > errors[2]
    fig = widgets.draw_universal_approximation(50, "sine")
    assert len(drawn_lines(fig.axes[0])) == 2  # no unit-by-unit lines for many units


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, "sine"), r"1\.\.50"), ((51, "sine"), r"1\.\.50"), ((3, "square"), "unknown target")],
)
def test_universal_approximation_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_universal_approximation(*args)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_activation_panels_show_the_function_and_its_derivative(name):
    fig = widgets.draw_activation(name, x0=0.7)
    assert_labelled(fig)
    left, right = fig.axes
    z, value = lines_by_label(left)["f(z)"].get_data()
    _, slope = lines_by_label(right)["f'(z)"].get_data()
    f, f_grad = nn.get_activation(name)
    assert_close(value, f(z))
    centre = np.gradient(value, z)[1:-1]  # numeric derivative, away from the ends
    kinks = np.abs(z[1:-1]) < 0.05
    assert_close(slope[1:-1][~kinks], centre[~kinks], atol=2e-3)
    assert f"f'(0.70) = {float(f_grad(np.array([0.7]))[0]):.3f}" == right.get_title()


def test_activation_parameter_and_tangent():
    fig = widgets.draw_activation("leaky_relu", x0=-2.0, param=0.2)
    left, _ = fig.axes
    z, tangent = lines_by_label(left)["tangent at z0"].get_data()
    assert_close(tangent, -0.4 + 0.2 * (z + 2.0))
    assert "slope = 0.2" in fig.get_suptitle()


def test_activation_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown activation"):
        widgets.draw_activation("softsign")


@pytest.mark.parametrize("target", sorted(ff.TARGETS))
def test_universal_approximation_redraws_in_place(target):
    updates = [{"n_hidden": n} for n in (3, 10, 11, 50, 1, 7)]
    assert_redraws_in_place(widgets.UniversalApproximation, {"target": target}, updates)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_activation_redraws_in_place(name):
    # the ends of both sliders, the kink z0 = 0 and the default parameter; a new parameter
    # moves the y-limits of leaky_relu and swish, a new z0 alone moves no limits
    updates = [
        {"x0": 1.0, "param": 1.0},
        {"x0": -4.5, "param": 0.05},
        {"x0": 4.5, "param": 5.0},
        {"x0": 0.0, "param": 5.0},
        {"x0": 0.3, "param": None},
    ]
    assert_redraws_in_place(widgets.Activation, {"name": name}, updates)
