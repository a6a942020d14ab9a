"""Module 04 widget drawings, headless: labelled figures with the right curves, no leaks."""

import math

import numpy as np
import pytest

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import calculus_autodiff as ca
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place


def test_taylor_polynomial_of_sin_about_zero():
    fig = widgets.draw_taylor(3, 0.0, "sin")
    assert_labelled(fig)
    left, right = fig.axes
    x, y = left.get_lines()[0].get_data()
    _, taylor = left.get_lines()[1].get_data()
    assert_close(y, np.sin(x))
    assert_close(taylor, x - x**3 / 6, rtol=1e-12, atol=1e-12)
    _, error = right.get_lines()[0].get_data()
    assert_close(error, np.maximum(np.abs(np.sin(x) - (x - x**3 / 6)), 1e-17), rtol=1e-9)
    assert right.get_yscale() == "log"


def test_taylor_polynomial_about_another_centre():
    a = 0.7
    fig = widgets.draw_taylor(2, a, "exp")
    x, taylor = fig.axes[0].get_lines()[1].get_data()
    assert_close(taylor, math.exp(a) * (1 + (x - a) + (x - a) ** 2 / 2), rtol=1e-12)
    assert "0.7" in fig.axes[0].get_legend().get_texts()[2].get_text()


def test_taylor_error_shrinks_with_order_near_the_centre():
    def near_error(order):
        fig = widgets.draw_taylor(order, 0.0, "log1p")
        x, error = fig.axes[1].get_lines()[0].get_data()
        near = np.abs(x) <= 0.5
        return error[near].max(), x[near]

    (first, x), (third, _), (sixth, _) = (near_error(n) for n in (1, 3, 6))
    assert first > third > sixth
    assert_close(first, np.max(np.abs(np.log1p(x) - x)))  # T_1(x) = x


def test_taylor_error_axis_ends_a_decade_above_ten_times_the_largest_error():
    fig = widgets.draw_taylor(3, 0.0, "sin")
    largest = abs(2 * np.pi - (2 * np.pi) ** 3 / 6)  # |sin - T_3| at x = 2 pi, about 35
    assert fig.axes[1].get_ylim() == (1e-17, 1e3)  # 10 * 35 rounded up to a power of 10
    assert_close(fig.axes[1].get_lines()[0].get_ydata().max(), largest)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"order": 3, "function": "cosh"}, "must be one of"),
        ({"order": -1}, "integer in 0..40"),
        ({"order": 2.5}, "integer in 0..40"),
        ({"order": 2, "center": 5.0, "function": "log1p"}, "plotted window"),
    ],
)
def test_taylor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_taylor(**kwargs)


def test_fd_error_curves_are_the_measured_errors():
    fig = widgets.draw_fd_error(1.0, "exp")
    assert_labelled(fig)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    h, forward = lines["forward (measured)"].get_data()
    _, central = lines["central (measured)"].get_data()
    expected_forward = np.abs((np.exp(1 + h) - np.exp(1)) / h - np.e)
    expected_central = np.abs((np.exp(1 + h) - np.exp(1 - h)) / (2 * h) - np.e)
    assert_close(forward, np.maximum(expected_forward, 1e-17))
    assert_close(central, np.maximum(expected_central, 1e-17))


def test_fd_error_shows_truncation_and_round_off_regimes():
    fig = widgets.draw_fd_error(0.5, "sin")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    h, forward = lines["forward (measured)"].get_data()
    _, central = lines["central (measured)"].get_data()
    big = (h > 1e-3) & (h < 1e-1)  # truncation regime: slopes 1 and 2 on log-log axes
    slope_forward = np.polyfit(np.log(h[big]), np.log(forward[big]), 1)[0]
    slope_central = np.polyfit(np.log(h[big]), np.log(central[big]), 1)[0]
    assert abs(slope_forward - 1) < 0.1 and abs(slope_central - 2) < 0.1
    best_forward, best_central = h[np.argmin(forward)], h[np.argmin(central)]
    assert 1e-10 < best_forward < 1e-6 and 1e-7 < best_central < 1e-3  # ~sqrt(eps), ~eps^(1/3)
    assert "best h" in fig.axes[0].get_title()


def test_fd_error_rejects_an_unknown_function():
    with pytest.raises(ValueError, match="must be one of"):
        widgets.draw_fd_error(1.0, "gamma")


@pytest.mark.parametrize("function", sorted(ca.TAYLOR_FUNCTIONS))
def test_taylor_redraws_in_place(function):
    # the top of the error axis moves by decades: (3, 0.0) -> (3, 0.1) keeps it for all three
    updates = [(3, 0.0), (3, 0.1), (0, -0.9), (15, 2.5), (40, 0.5)]
    updates = [{"order": order, "center": center} for order, center in updates]
    assert_redraws_in_place(widgets.Taylor, {"function": function}, updates)


@pytest.mark.parametrize("function", sorted(ca.FD_FUNCTIONS))
def test_fd_error_redraws_in_place(function):
    updates = [{"x0": x0} for x0 in (1.0, -3.0, 0.0, 3.0, 0.5)]
    assert_redraws_in_place(widgets.FiniteDifferenceSteps, {"function": function}, updates)
