"""Module-17 widget drawings, headless: right content (against scipy), labels, validation."""

import re

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats

from dlkit import widgets
from dlkit.testing import assert_close
from dlkit.widgets import monte_carlo_graphical_models as mc
from tests.dlkit.widgets.figures import assert_labelled


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def number_after(text, prefix):
    return float(re.search(re.escape(prefix) + r"\s*(-?[\d.]+)", text).group(1))


@pytest.mark.parametrize("target", sorted(mc.TARGETS))
def test_mcmc_chain_shows_the_density_the_trace_and_its_acceptance(target):
    fig = widgets.draw_mcmc_chain(1.5, n_steps=1500, target=target, seed=2)
    assert_labelled(fig)
    trace, hist, acf = fig.axes
    steps, chain = trace.get_lines()[0].get_data()
    assert len(chain) == 1500 and steps[0] == 1
    moved = int(chain[0] != 0.0) + int(np.sum(chain[1:] != chain[:-1]))
    assert number_after(fig.get_suptitle(), "acceptance rate") == pytest.approx(
        moved / 1500, abs=6e-3
    )
    x, density = lines_by_label(hist)["target p(x)"].get_data()
    w, mu, sd = (np.asarray(a) for a in mc.TARGETS[target])
    assert_close(density, (w * scipy.stats.norm.pdf(x[:, None], mu, sd)).sum(axis=1))
    assert "ESS" in acf.get_title() and "of 1500" in acf.get_title()


def test_mcmc_chain_small_and_huge_steps():
    small = widgets.draw_mcmc_chain(0.05, n_steps=500)
    huge = widgets.draw_mcmc_chain(50.0, n_steps=500)
    assert number_after(small.get_suptitle(), "acceptance rate") > 0.9
    assert number_after(huge.get_suptitle(), "acceptance rate") < 0.1


def test_importance_weights_estimate_and_ess_limit():
    fig = widgets.draw_importance_weights(0.5, 1.2, n=400, seed=3)
    assert_labelled(fig)
    x = np.random.default_rng(3).normal(0.5, 1.2, 400)
    log_w = -0.5 * ((x - 1.0) / 0.5) ** 2 - scipy.stats.norm.logpdf(x, 0.5, 1.2)
    weights = scipy.special.softmax(log_w)
    assert number_after(fig.get_suptitle(), "E_p[x] =") == pytest.approx(weights @ x, abs=6e-4)
    assert number_after(fig.axes[2].get_title(), "ESS =") == pytest.approx(
        1 / np.sum(weights**2), abs=0.06
    )
    mus, limit = fig.axes[2].get_lines()[0].get_data()
    for i in (0, 70, 140):
        p, q = scipy.stats.norm(1.0, 0.5), scipy.stats.norm(mus[i], 1.2)
        second, _ = scipy.integrate.quad(lambda t, p=p, q=q: p.pdf(t) ** 2 / q.pdf(t), -20, 20)
        assert limit[i] == pytest.approx(1 / second, rel=1e-6)


def test_importance_weights_degenerate_for_a_narrow_far_proposal():
    fig = widgets.draw_importance_weights(-2.0, 0.3, n=500)
    assert number_after(fig.axes[1].get_title(), "largest weight") > 0.5


def test_hmc_trajectory_against_the_exact_flow():
    fig = widgets.draw_hmc_trajectory(0.05, 40, seed=1)
    assert_labelled(fig)
    left, right = fig.axes
    exact = lines_by_label(left)["exact flow"].get_data()
    path = lines_by_label(left)["leapfrog"].get_data()
    p0 = np.random.default_rng(1).normal(size=2)
    A = mc.HMC_A
    flow = scipy.integrate.solve_ivp(
        lambda t, y: np.concatenate([y[2:], -A @ y[:2]]),
        (0, 2.0),
        np.concatenate([[1.2, -0.8], p0]),
        rtol=1e-11,
        atol=1e-11,
    ).y[:2, -1]
    assert_close([exact[0][-1], exact[1][-1]], flow, atol=1e-8)
    assert_close([path[0][-1], path[1][-1]], flow, atol=5e-3)  # leapfrog with small steps
    assert number_after(right.get_title(), "accept probability") > 0.99


def test_hmc_trajectory_survives_an_unstable_step():
    fig = widgets.draw_hmc_trajectory(1.6, 100)
    assert number_after(fig.axes[1].get_title(), "accept probability") == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: widgets.draw_mcmc_chain(1.0, target="cauchy"), "unknown target"),
        (lambda: widgets.draw_mcmc_chain(0.0), "positive"),
        (lambda: widgets.draw_mcmc_chain(1.0, n_steps=10), "100..50000"),
        (lambda: widgets.draw_importance_weights(0.0, -1.0), "positive"),
        (lambda: widgets.draw_hmc_trajectory(0.1, 0), "1..200"),
    ],
)
def test_bad_input_is_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
