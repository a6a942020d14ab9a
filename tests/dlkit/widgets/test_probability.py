"""Module-02 widget drawings, headless: labelled figures, correct content, no pyplot leaks."""

import numpy as np
import pytest
import scipy.stats as st

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import probability as pw
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

DISTRIBUTION_DEFAULTS = {"location": 0.0, "scale": 1.0, "p": 0.3, "n_trials": 10}
DISTRIBUTION_SLIDERS = {  # module 02's notebook: (min, max, step) of each slider
    "location": (-3.0, 3.0, 0.1),
    "scale": (0.2, 3.0, 0.1),
    "p": (0.0, 1.0, 0.05),
    "n_trials": (1, 60, 1),
}
CLT_SLIDERS = {"n": (1, 100, 1), "trials": (500, 5000, 500), "seed": (0, 20, 1)}
BAYES_DEFAULTS = {"heads": 3, "flips": 4, "prior_a": 2.0, "prior_b": 2.0}
BAYES_SLIDERS = {"flips": (3, 100, 1), "prior_a": (0.5, 30.0, 0.5), "prior_b": (0.5, 30.0, 0.5)}


def frame(ax):
    """The (x, y) data of the labelled curves of ``ax`` (lines and pmf bars) and its limits."""
    lines = [line for line in ax.lines if not line.get_label().startswith("_")]
    bars = [bars for bars in ax.collections if not bars.get_label().startswith("_")]
    points = [np.column_stack(line.get_data()) for line in lines]
    points += [np.concatenate(bar.get_segments()) for bar in bars]
    xy = np.concatenate(points)  # (points, 2)
    return xy[:, 0], xy[:, 1], ax.get_xlim(), ax.get_ylim()


def assert_frames(ax, least_fill, what):
    """The curves of ``ax`` lie inside its y range and their top fills ``least_fill`` of it."""
    _, y, _, (low, high) = frame(ax)
    assert low < y.min() and y.max() < high, f"{what}: a curve leaves the y range"
    assert y.max() >= least_fill * high, f"{what}: the curves are lost in the frame"


@pytest.mark.parametrize("name", pw.DISTRIBUTIONS)
def test_distribution_explorer_is_labelled(name):
    fig = widgets.draw_distribution(name, location=0.5, scale=2.0, p=0.25, n_trials=8)
    assert_labelled(fig)
    assert len(fig.axes) == 2
    assert "mean" in fig.get_suptitle() and "variance" in fig.get_suptitle()


def test_distribution_explorer_draws_the_gaussian():
    fig = widgets.draw_distribution("gaussian", location=1.0, scale=2.0)
    pdf_line = fig.axes[0].get_lines()[0]
    x, y = pdf_line.get_data()
    assert_close(y, st.norm(1.0, 2.0).pdf(x))
    cdf_x, cdf_y = fig.axes[1].get_lines()[0].get_data()
    assert_close(cdf_y, st.norm(1.0, 2.0).cdf(cdf_x))
    assert "mean 1, variance 4" in fig.get_suptitle()


def test_distribution_explorer_binomial_pmf_and_moments():
    fig = widgets.draw_distribution("binomial", p=0.3, n_trials=12)
    (bars,) = fig.axes[0].collections[:1]
    heights = np.array([seg[1, 1] for seg in bars.get_segments()])
    assert_close(heights, st.binom(12, 0.3).pmf(np.arange(13)))
    assert f"mean {12 * 0.3:.3g}, variance {12 * 0.3 * 0.7:.3g}" in fig.get_suptitle()


def test_distribution_explorer_rejects_unknown_name():
    with pytest.raises(ValueError, match="unknown distribution 'poisson'"):
        widgets.draw_distribution("poisson")


@pytest.mark.parametrize("name", pw.DISTRIBUTIONS)
def test_distribution_redraws_in_place(name):
    updates = [
        {"location": 0.0, "scale": 1.0, "p": 0.3, "n_trials": 10},
        {"location": -3.0, "scale": 0.2, "p": 0.0, "n_trials": 1},
        {"location": 3.0, "scale": 3.0, "p": 1.0, "n_trials": 60},
        {"location": 3.0, "scale": 3.0, "p": 0.5, "n_trials": 60},  # moves only a count
        {"location": 0.5, "scale": 3.0, "p": 0.5, "n_trials": 60},  # moves only a density
    ]
    assert_redraws_in_place(widgets.DistributionExplorer, {"name": name}, updates)


def test_clt_statistics_are_standardised():
    z = pw.clt_statistics(5, "exponential", trials=20_000, seed=1)
    assert z.shape == (20_000,)
    # mean 0 and variance 1 exactly: 6 standard errors (sqrt(1/T), sqrt((2 + 6/n)/T))
    assert abs(z.mean()) < 6 * np.sqrt(1 / 20_000)
    assert abs(np.mean(z**2) - 1) < 6 * np.sqrt((2 + 6 / 5) / 20_000)
    # the exact law: the sum of 5 Exp(1) draws is Gamma(5)
    assert st.kstest(z, lambda t: st.gamma(5).cdf(5 + np.sqrt(5) * t)).pvalue > 1e-7
    for source in ("uniform", "bernoulli(0.2)"):
        z = pw.clt_statistics(3, source, trials=20_000, seed=2)
        assert abs(z.mean()) < 6 * np.sqrt(1 / 20_000)


def test_clt_widget_overlays_the_normal_density():
    fig = widgets.draw_clt(12, "uniform", trials=500)
    assert_labelled(fig)
    (ax,) = fig.axes
    x, y = ax.get_lines()[0].get_data()
    assert_close(y, st.norm.pdf(x))
    (stairs,) = ax.patches
    heights, edges = stairs.get_data().values, stairs.get_data().edges
    z = pw.clt_statistics(12, "uniform", 500)
    assert_close(heights * np.diff(edges), np.histogram(z, bins=edges)[0] / z.size)
    assert "n = 12" in ax.get_title()


def test_clt_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown source"):
        widgets.draw_clt(3, "cauchy")
    with pytest.raises(ValueError, match="positive integer"):
        widgets.draw_clt(0)


@pytest.mark.parametrize("source", list(pw.CLT_SOURCES))
def test_clt_redraws_in_place(source):
    updates = [
        {"n": 1, "trials": 500, "seed": 0},
        {"n": 100, "trials": 5000, "seed": 0},
        {"n": 2, "trials": 5000, "seed": 3},
        {"n": 2, "trials": 500, "seed": 3},  # a shorter legend entry
        {"n": 30, "trials": 2000, "seed": 20},
    ]
    assert_redraws_in_place(widgets.CentralLimit, {"source": source}, updates)


def test_bayes_posterior_matches_the_conjugate_beta():
    theta, prior, _, posterior = pw.beta_binomial_posterior(7, 10, prior_a=2.0, prior_b=3.0)
    assert_close(prior, st.beta(2, 3).pdf(theta), rtol=1e-3, atol=1e-3)
    assert_close(posterior, st.beta(9, 6).pdf(theta), rtol=1e-3, atol=1e-3)


def test_bayes_widget_is_labelled_and_reports_the_mean():
    fig = widgets.draw_bayes_update(3, 4, prior_a=1.0, prior_b=1.0)
    assert_labelled(fig)
    title = fig.axes[0].get_title()
    assert "3 heads in 4 flips" in title
    assert f"{st.beta(4, 2).mean():.3f}" in title  # posterior Beta(1 + 3, 1 + 1)
    assert len(fig.axes[0].get_lines()) == 4


def test_bayes_rejects_impossible_counts():
    with pytest.raises(ValueError, match="0 <= heads <= flips"):
        widgets.draw_bayes_update(5, 3)
    with pytest.raises(ValueError, match="a > 0 and b > 0"):
        widgets.draw_bayes_update(1, 3, prior_a=0.0)


def test_bayes_update_redraws_in_place():
    updates = [
        {"heads": 0, "flips": 0, "prior_a": 1.0, "prior_b": 1.0},
        {"heads": 3, "flips": 4, "prior_a": 2.0, "prior_b": 2.0},
        {"heads": 0, "flips": 100, "prior_a": 0.5, "prior_b": 0.5},
        {"heads": 100, "flips": 100, "prior_a": 30.0, "prior_b": 30.0},
        {"heads": 100, "flips": 100, "prior_a": 30.0, "prior_b": 0.5},  # the legend's prior
    ]
    assert_redraws_in_place(widgets.BayesUpdate, {}, updates)


@pytest.mark.parametrize(
    ("name", "x_range", "top"),
    [
        ("gaussian", (-5.0, 5.0), 0.5),
        ("laplace", (-5.0, 5.0), 1.0),
        ("exponential", (-0.25, 5.0), 2.0),
        ("binomial", (-1.0, 15.0), 0.5),
        ("bernoulli", (-1.0, 2.0), 1.0),
    ],
)
def test_distribution_limits_at_the_notebook_defaults(name, x_range, top):
    left, right = widgets.draw_distribution(name, **DISTRIBUTION_DEFAULTS).axes
    assert left.get_xlim() == right.get_xlim() == x_range
    assert_close(np.array(left.get_ylim()), np.array([-0.03 * top, top]))


@pytest.mark.parametrize("name", pw.DISTRIBUTIONS)
@pytest.mark.parametrize("slider", DISTRIBUTION_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_distribution_limits_hold_the_curves(name, slider, end):
    params = sweep(DISTRIBUTION_DEFAULTS, slider, DISTRIBUTION_SLIDERS[slider])[end]
    left, right = widgets.draw_distribution(name, **params).axes
    x, _, (x_low, x_high), _ = frame(left)
    assert x_low <= x.min() and x.max() <= x_high, f"{name} {params}: a curve leaves the x range"
    assert_frames(left, 0.36, f"{name} {params}")
    mean, spread = left.get_lines()[-1].get_xdata()[0], left.patches[0].get_x()
    assert x_low <= spread and mean <= x_high, f"{name} {params}: the mean band is cut"
    (cdf,) = right.get_lines()
    _, cdf_y = cdf.get_data()
    assert cdf_y[0] < 0.01 and cdf_y[-1] > 0.99, f"{name} {params}: the window cuts the mass"


# measured over the notebook's whole ranges: scale 6 or 7 of 28 moves (the x range and
# the peak each take a few steps), location 2 of 60, binomial p 4 of 20 and n 14 of 59
@pytest.mark.parametrize("name", pw.DISTRIBUTIONS)
@pytest.mark.parametrize("slider", DISTRIBUTION_SLIDERS)
def test_distribution_sliders_keep_the_axes(name, slider):
    updates = sweep(DISTRIBUTION_DEFAULTS, slider, DISTRIBUTION_SLIDERS[slider])
    assert background_renders(widgets.DistributionExplorer(name), updates) <= len(updates) // 4


def test_clt_limits():
    (ax,) = widgets.draw_clt(30).axes
    assert ax.get_xlim() == (-4.0, 4.0) and ax.get_ylim() == (0.0, 0.6)
    assert widgets.draw_clt(1).axes[0].get_ylim() == (0.0, 1.2)  # the skewed n = 1, doubled


@pytest.mark.parametrize("source", list(pw.CLT_SOURCES))
@pytest.mark.parametrize("n", [1, 2, 5, 30, 100])
@pytest.mark.parametrize("trials", [500, 5000])
def test_clt_limits_hold_the_histogram(source, n, trials):
    (ax,) = widgets.draw_clt(n, source, trials).axes
    (stairs,) = ax.patches
    tallest = max(stairs.get_data().values.max(), 1 / np.sqrt(2 * np.pi))
    top = ax.get_ylim()[1]
    assert 1.05 * tallest <= top, "the tallest bar leaves the frame"
    assert top == 0.6 or top <= 2 * 1.05 * tallest, "a doubling too many"


# measured: the exponential's n 1 of 99 moves, bernoulli(0.2)'s 9 (its spikes at small n);
# trials and seed 0, at n = 1 and at n = 30
@pytest.mark.parametrize("source", list(pw.CLT_SOURCES))
@pytest.mark.parametrize(("slider", "n"), [("n", 1), ("trials", 1), ("trials", 30), ("seed", 30)])
def test_clt_sliders_keep_the_axes(source, slider, n):
    updates = sweep({"n": n, "trials": 2000, "seed": 0}, slider, CLT_SLIDERS[slider])
    assert background_renders(widgets.CentralLimit(source), updates) <= len(updates) // 10


def test_bayes_limits():
    (ax,) = widgets.draw_bayes_update(**BAYES_DEFAULTS).axes
    assert ax.get_xlim() == (0.0, 1.0)
    assert_close(np.array(ax.get_ylim()), np.array([-0.15, 5.0]))  # posterior peak 2.3


@pytest.mark.parametrize(
    "counts", [(0, 0), (3, 4), (0, 100), (50, 100), (100, 100)], ids=lambda c: f"{c[0]}-of-{c[1]}"
)
@pytest.mark.parametrize("prior", [(0.5, 0.5), (2.0, 2.0), (30.0, 0.5), (30.0, 30.0)])
def test_bayes_limits_hold_the_curves(counts, prior):
    (ax,) = widgets.draw_bayes_update(*counts, *prior).axes
    assert_frames(ax, 0.36, f"{counts} with the prior {prior}")


# measured: 3 steps each over flips 3..100 (97 moves) and a, b 0.5..30 (59 moves)
@pytest.mark.parametrize("slider", BAYES_SLIDERS)
def test_bayes_sliders_keep_the_axes(slider):
    updates = sweep(BAYES_DEFAULTS, slider, BAYES_SLIDERS[slider])
    assert background_renders(widgets.BayesUpdate(), updates) <= 5
