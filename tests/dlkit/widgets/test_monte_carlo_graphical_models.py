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
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)


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


# ---------------------------------------------------------------- redrawn in place

# module 17's notebook: (min, max, step) of each slider, and the values it starts at
IMPORTANCE_DEFAULTS = {"q_mu": 0.0, "q_sd": 1.0, "n": 500, "seed": 0}
IMPORTANCE_SLIDERS = {
    "q_mu": (-3.0, 4.0, 0.1),
    "q_sd": (0.2, 3.0, 0.05),
    "n": (20, 5000, 20),
    "seed": (0, 20, 1),
}
CHAIN_DEFAULTS = {"step": 2.5, "n_steps": 2000, "seed": 0}
CHAIN_SLIDERS = {"step": (0.05, 20.0, 0.05), "n_steps": (200, 10_000, 200), "seed": (0, 20, 1)}
HMC_DEFAULTS = {"eps": 0.25, "L": 20, "seed": 0}
HMC_SLIDERS = {"eps": (0.02, 1.6, 0.02), "L": (1, 100, 1), "seed": (0, 20, 1)}


def slider_ends(defaults, sliders):
    """Each slider at both ends of its notebook range, the others at their defaults."""
    return [
        sweep(defaults, name, bounds)[end] for name, bounds in sliders.items() for end in (0, -1)
    ]


def test_importance_weights_redraw_in_place():
    updates = [
        IMPORTANCE_DEFAULTS,
        *slider_ends(IMPORTANCE_DEFAULTS, IMPORTANCE_SLIDERS),
        {"q_mu": -2.0, "q_sd": 0.3, "n": 500, "seed": 0},  # one weight carries the mass
        {"q_mu": 1.0, "q_sd": 0.45, "n": 5000, "seed": 7},  # q's peak crosses a step
    ]
    assert_redraws_in_place(widgets.ImportanceWeights, {}, updates)


@pytest.mark.parametrize("target", sorted(mc.TARGETS))
def test_mcmc_chain_redraws_in_place(target):
    updates = [
        CHAIN_DEFAULTS,
        *slider_ends(CHAIN_DEFAULTS, CHAIN_SLIDERS),
        {"step": 0.05, "n_steps": 200, "seed": 3},  # a crawling chain: tall bars
        {"step": 1.0, "n_steps": 1400, "seed": 5},  # the trace's x crosses a step
    ]
    assert_redraws_in_place(widgets.MCMCChain, {"target": target}, updates)


def test_hmc_trajectory_redraws_in_place():
    updates = [
        HMC_DEFAULTS,
        *slider_ends(HMC_DEFAULTS, HMC_SLIDERS),
        {"eps": 1.2, "L": 100, "seed": 8},  # at the stability limit
        {"eps": 0.5, "L": 21, "seed": 20},  # the steps' x crosses a step
    ]
    assert_redraws_in_place(widgets.HMCTrajectory, {}, updates)


# measured over the notebook's whole ranges: q_mu 13 of 70 moves (the largest weight
# crosses 1-2-5 steps), q_sd 8 of 56, n 8 of 249, seed 2 of 20
@pytest.mark.parametrize("slider", IMPORTANCE_SLIDERS)
def test_importance_sliders_keep_the_axes(slider):
    updates = sweep(IMPORTANCE_DEFAULTS, slider, IMPORTANCE_SLIDERS[slider])
    assert background_renders(widgets.ImportanceWeights(), updates) <= len(updates) // 3


# measured: step 3, 19 and 20 of 399 moves (bimodal, gaussian, far modes: tall bars of a
# crawling or stuck chain), n_steps 7, 8, 7 of 49 (the trace's x ladder), seed 0; the
# step slider is swept at every 4th value (a full sweep takes 6 s a target)
@pytest.mark.parametrize("target", sorted(mc.TARGETS))
@pytest.mark.parametrize("slider", CHAIN_SLIDERS)
def test_mcmc_chain_sliders_keep_the_axes(target, slider):
    updates = sweep(CHAIN_DEFAULTS, slider, CHAIN_SLIDERS[slider])[:: 4 if slider == "step" else 1]
    assert background_renders(widgets.MCMCChain(target), updates) <= len(updates) // 3


# measured: eps 0 of 79 moves and seed 0 of 20 (a fixed symlog energy axis), L 6 of 99
@pytest.mark.parametrize("slider", HMC_SLIDERS)
def test_hmc_sliders_keep_the_axes(slider):
    updates = sweep(HMC_DEFAULTS, slider, HMC_SLIDERS[slider])
    assert background_renders(widgets.HMCTrajectory(), updates) <= len(updates) // 3


def inside(values, limits):
    low, high = limits
    return low <= np.min(values) and np.max(values) <= high


@pytest.mark.parametrize(
    "params", slider_ends(IMPORTANCE_DEFAULTS, IMPORTANCE_SLIDERS), ids=lambda p: str(p)
)
def test_importance_limits_hold_the_curves(params):
    drawing = widgets.ImportanceWeights().update(**params)
    dens, ranked, curve = drawing.figure.axes
    q = drawing.q_line.get_ydata()
    p = dens.get_lines()[0].get_ydata()
    top = dens.get_ylim()[1]
    assert inside(drawing.rug.get_ydata(), dens.get_ylim())
    assert max(p.max(), q.max()) <= top and max(p.max(), q.max()) >= 0.36 * top
    heights = np.array([segment[1, 1] for segment in drawing.bars.get_segments()])
    assert inside(heights, ranked.get_ylim()) and heights.max() >= 0.36 * ranked.get_ylim()[1]
    assert inside(drawing.dot.get_ydata(), curve.get_ylim())
    assert inside(drawing.dot.get_xdata(), curve.get_xlim())
    assert inside(drawing.limit_line.get_xdata(), curve.get_xlim())


@pytest.mark.parametrize("target", sorted(mc.TARGETS))
@pytest.mark.parametrize("params", slider_ends(CHAIN_DEFAULTS, CHAIN_SLIDERS), ids=lambda p: str(p))
def test_mcmc_chain_limits_hold_the_curves(target, params):
    drawing = widgets.MCMCChain(target).update(**params)
    trace, hist, acf = drawing.figure.axes
    steps, chain = drawing.trace_line.get_data()
    assert inside(chain, trace.get_ylim()), "the chain leaves the trace's frame"
    assert inside(steps, trace.get_xlim()) and steps[-1] >= 0.6 * trace.get_xlim()[1]
    bars = drawing.stairs.get_data().values
    top = hist.get_ylim()[1]
    tallest = max(bars.max(), drawing.density.get_ydata().max())
    assert tallest <= top and tallest >= 0.36 * top, "the histogram is lost in the frame"
    rho = np.array([segment[1, 1] for segment in drawing.bars.get_segments()])
    assert inside(rho, acf.get_ylim())


@pytest.mark.parametrize("params", slider_ends(HMC_DEFAULTS, HMC_SLIDERS), ids=lambda p: str(p))
def test_hmc_limits_hold_the_curves(params):
    drawing = widgets.HMCTrajectory().update(**params)
    left, right = drawing.figure.axes
    assert inside(drawing.path.get_xdata(), left.get_xlim())
    assert inside(drawing.path.get_ydata(), left.get_ylim())
    steps, errors = drawing.errors.get_data()
    assert inside(steps, right.get_xlim()) and steps[-1] >= 0.4 * right.get_xlim()[1]
    if params["eps"] < 1.2:  # stable: the energy error stays in the frame
        assert inside(drawing.exact.get_xdata(), left.get_xlim())
        assert inside(errors, right.get_ylim())
    else:  # unstable: the energy explodes out of the frame, the accept probability is 0
        assert np.max(errors) > right.get_ylim()[1]
