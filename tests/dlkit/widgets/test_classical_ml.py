"""Module 07's widget drawings, headless: labels, correct content, no pyplot figures."""

import numpy as np
import pytest
from sklearn.svm import SVC

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import classical_ml
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place


def test_decision_boundary_reports_the_svm_fit():
    fig = widgets.draw_decision_boundary(log10_C=0.0, gamma=2.0)
    assert_labelled(fig)
    (ax,) = fig.axes
    X, y, X_test, y_test = classical_ml.moons_data()
    model = SVC(kernel="rbf", C=1.0, gamma=2.0).fit(X, y)
    title = ax.get_title()
    assert "C = 1, γ = 2" in title
    assert f"train acc {model.score(X, y):.2f}" in title
    assert f"test acc {model.score(X_test, y_test):.2f}" in title
    assert f"{len(model.support_)} support vectors" in title
    (circles,) = [c for c in ax.collections if c.get_label() == "support vectors"]
    assert_close(np.sort(circles.get_offsets(), axis=0), np.sort(model.support_vectors_, axis=0))


def test_decision_boundary_regularisation_changes_the_support_set():
    few = widgets.draw_decision_boundary(log10_C=2.0, gamma=1.0).axes[0].get_title()
    many = widgets.draw_decision_boundary(log10_C=-2.0, gamma=1.0).axes[0].get_title()

    def count(title):
        return int(title.split(", ")[-1].split()[0])

    assert count(many) > count(few)  # small C: wide margin, many support vectors


def test_decision_boundary_rejects_bad_gamma():
    with pytest.raises(ValueError, match="gamma must be > 0"):
        widgets.draw_decision_boundary(0.0, 0.0)


@pytest.mark.parametrize("degree", [0, 3, 12])
def test_bias_variance_curves_and_fits(degree):
    fig = widgets.draw_bias_variance(degree)
    assert_labelled(fig)
    left, right = fig.axes
    bias_line, var_line, total_line = left.get_lines()[:3]
    degrees, bias_sq = bias_line.get_data()
    variance = var_line.get_data()[1]
    assert_close(total_line.get_data()[1], bias_sq + variance + classical_ml.BV_NOISE_SD**2)
    # variance of least squares on a fixed design: sigma^2 (p + 1) / n averaged over the
    # training points; on a dense grid it only grows with the degree
    assert np.all(np.diff(variance) > 0)
    assert bias_sq[0] > bias_sq[5]  # a constant misses sin(2 pi x) by far
    assert_close(bias_sq[0], 0.5, rtol=0.05)  # mean of sin^2 over [0, 1] is 1/2
    assert f"degree {degree}:" in right.get_title()
    mean_fit, truth = right.get_lines()[1:3]
    assert_close(truth.get_data()[1], np.sin(2 * np.pi * truth.get_data()[0]))
    assert mean_fit.get_data()[1].shape == (101,)


def test_bias_variance_rejects_bad_degree():
    with pytest.raises(ValueError, match=r"integer in 0\.\.12"):
        widgets.draw_bias_variance(13)
    with pytest.raises(ValueError, match=r"integer in 0\.\.12"):
        widgets.draw_bias_variance(2.5)


def test_decision_boundary_redraws_in_place():
    # the corners of the sliders (one support vector per point, very smooth or very
    # wiggly boundaries) and two neighbouring settings
    updates = [
        {"log10_C": 0.0, "gamma": 1.0},
        {"log10_C": 0.5, "gamma": 1.0},
        {"log10_C": 3.0, "gamma": 100.0},
        {"log10_C": -2.0, "gamma": 0.1},
        {"log10_C": -2.0, "gamma": 100.0},
    ]
    assert_redraws_in_place(classical_ml.DecisionBoundary, {}, updates)


def test_bias_variance_redraws_in_place():
    # the legend ("best" place) moves away from the marked degree between 9 and 10
    updates = [{"degree": k} for k in (3, 0, 12, 9, 10)]
    assert_redraws_in_place(classical_ml.BiasVariance, {}, updates)
