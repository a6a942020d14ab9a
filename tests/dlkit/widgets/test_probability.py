"""Module-02 widget drawings, headless: labelled figures, correct content, no pyplot leaks."""

import numpy as np
import pytest
import scipy.stats as st

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import probability as pw
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place


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
