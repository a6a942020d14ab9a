"""Module 05 widget drawings, headless: labelled figures, correct content, no pyplot leaks."""

import math

import numpy as np
import pytest

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import numerical_computation as nc
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
def test_precision_loss_marks_the_types_epsilon_and_range(dtype_name):
    fig = widgets.draw_precision_loss(dtype_name, 1.0)
    assert_labelled(fig)
    cancel, spacing = fig.axes
    eps = float(np.finfo(dtype_name).eps)
    assert dtype_name in cancel.get_title() and dtype_name in spacing.get_title()
    assert any(f"{eps:.2g}" in t.get_text() for t in cancel.get_legend().get_texts())
    log10_x, gap = spacing.get_lines()[0].get_data()
    normal = log10_x > math.log10(np.finfo(dtype_name).smallest_normal) + 0.1
    # between the normal numbers, neighbours are eps/2 to eps apart relative to x
    assert np.all((gap[normal] >= eps / 2 * 0.999) & (gap[normal] <= eps * 1.001))
    assert log10_x.max() == pytest.approx(math.log10(np.finfo(dtype_name).max), abs=0.05)


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
def test_precision_loss_redraws_in_place(dtype_name):
    updates = [{"log10_big": b} for b in (-3.0, 4.0, 0.5, 0.0)]  # the slider's ends first
    assert_redraws_in_place(widgets.PrecisionLoss, {"dtype_name": dtype_name}, updates)


def test_cancellation_error_follows_eps_over_fraction():
    fractions = np.array([1e-2, 1e-4, 1e-10])
    err = nc.cancellation_error("float32", 1.0, fractions)
    assert np.all(err[:2] <= np.finfo(np.float32).eps / fractions[:2])
    assert err[2] == 1.0  # 1 + 1e-10 rounds to 1 in float32: the difference is 0
    assert np.all(nc.cancellation_error("float64", 1.0, fractions) < 1e-5)


def test_precision_loss_rejects_bad_input():
    with pytest.raises(ValueError, match="float16"):
        widgets.draw_precision_loss("int8")
    with pytest.raises(ValueError, match="overflows float16"):
        widgets.draw_precision_loss("float16", 6.0)


def test_integration_error_curves_have_the_textbook_orders():
    ns, errors = nc.integration_errors("gaussian")
    assert list(ns) == [2**k for k in range(1, 13)]
    mid = slice(2, 7)  # before Simpson reaches round-off
    slope = {r: np.polyfit(np.log(ns[mid]), np.log(e[mid]), 1)[0] for r, e in errors.items()}
    assert slope["trapezoid"] == pytest.approx(-2, abs=0.1)
    assert slope["Simpson"] == pytest.approx(-4, abs=0.2)
    assert slope["Monte Carlo (RMS)"] == pytest.approx(-0.5, abs=0.25)
    _, sqrt_errors = nc.integration_errors("sqrt")  # the kink at 0 costs Simpson its order
    assert np.polyfit(np.log(ns), np.log(sqrt_errors["Simpson"]), 1)[0] > -2


def test_integration_error_figure():
    fig = widgets.draw_integration_error(8, "sine")
    assert_labelled(fig)
    curve, right = fig.axes
    assert_close(curve.get_lines()[0].get_ydata(), np.sin(curve.get_lines()[0].get_xdata()))
    nodes = curve.get_lines()[1].get_xdata()
    assert len(nodes) == 9
    assert "2.000000" in curve.get_title()
    marker = [line for line in right.get_lines() if line.get_linestyle() == "--"]
    assert len(marker) == 1 and marker[0].get_xdata()[0] == 8
    assert {t.get_text() for t in right.get_legend().get_texts()} == {
        "trapezoid",
        "Simpson",
        "Monte Carlo (RMS)",
    }


@pytest.mark.parametrize(("n", "integrand"), [(3, "gaussian"), (0, "sine"), (4, "cosh")])
def test_integration_error_rejects_bad_input(n, integrand):
    with pytest.raises(ValueError, match="even integer|integrand must be"):
        widgets.draw_integration_error(n, integrand)


@pytest.mark.parametrize("integrand", ["gaussian", "sine", "sqrt"])
def test_integration_error_redraws_in_place(integrand):
    # the slider's ends, then an n past the error curves' 4096 (the x axis widens) and back
    updates = [{"n": n} for n in (2, 128, 8192, 8)]
    assert_redraws_in_place(widgets.IntegrationRules, {"integrand": integrand}, updates)
