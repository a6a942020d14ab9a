"""Module-18 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest

from dlkit import inference, widgets
from dlkit.widgets import approximate_inference as ai
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

# module 18's notebook: the defaults and (min, max, step) of each slider
VI_DEFAULTS = {"iteration": 3, "correlation": 0.9}
VI_SLIDERS = {"iteration": (0, 25, 1), "correlation": (-0.95, 0.95, 0.05)}
BP_DEFAULTS = {"iteration": 2, "coupling": 0.3}
BP_SLIDERS = {"iteration": (0, 30, 1), "coupling": (-1.0, 1.0, 0.1)}


def test_vi_fit_draws_the_mean_field_q_and_its_kl():
    fig = widgets.draw_vi_fit(ai.VI_SWEEPS, 0.9)
    assert_labelled(fig)
    left, right = fig.axes
    q = next(line for line in left.get_lines() if line.get_label() == "mean-field q, KL(q||p)")
    xs, ys = q.get_data()
    # the 1-sd ellipse of q has half-widths sqrt(1 / Lambda_ii) = sqrt(1 - rho^2)
    assert np.isclose(xs.max() - xs.min(), 2 * np.sqrt(1 - 0.81), rtol=1e-3)
    assert np.isclose(ys.max() - ys.min(), 2 * np.sqrt(1 - 0.81), rtol=1e-3)
    assert abs(xs.mean()) < 0.05 and abs(ys.mean()) < 0.05  # near the posterior mean 0
    _, kls = right.get_lines()[0].get_data()
    assert np.all(np.diff(kls) <= 1e-12)  # CAVI never increases KL(q || p)
    # the best q has KL(q* || p) = -log(1 - rho^2) / 2 (closed form for unit variances)
    floor = right.get_lines()[2].get_ydata()[0]
    assert np.isclose(floor, -0.5 * np.log(1 - 0.81)) and 0 < kls[-1] - floor < 1e-3
    assert "var_q = 0.190" in left.get_title()
    assert "best q: 0.830" in right.get_title()  # -log(1 - 0.81) / 2


def test_vi_fit_with_no_correlation_is_exact():
    fig = widgets.draw_vi_fit(ai.VI_SWEEPS, 0.0)
    _, kls = fig.axes[1].get_lines()[0].get_data()
    assert abs(kls[-1]) < 1e-12


def test_bp_messages_show_beliefs_against_exact_marginals():
    fig = widgets.draw_bp_messages(ai.BP_ITERATIONS, 0.3)
    assert_labelled(fig)
    grid, versus, trace = fig.axes[:3]
    exact, beliefs = versus.get_lines()[1].get_data()
    J = inference.grid_couplings(4, 4, 0.3)
    h = np.random.default_rng(18).normal(0.0, 0.4, 16)
    assert np.allclose(exact, inference.ising_exact(J, h)[0][:, 1])
    assert np.allclose(beliefs, inference.loopy_bp_ising(J, h, ai.BP_ITERATIONS)[0][:, 1])
    assert np.max(np.abs(beliefs - exact)) < 0.02
    nodes = grid.collections[1].get_array()
    assert np.allclose(nodes, beliefs)
    assert len(grid.collections[0].get_offsets()) == 48  # one square per directed edge


def test_bp_messages_start_uniform():
    fig = widgets.draw_bp_messages(0, 0.5)
    squares = fig.axes[0].collections[0].get_array()
    assert np.allclose(squares, 0.5)


@pytest.mark.parametrize(
    ("draw", "args", "message"),
    [
        (widgets.draw_vi_fit, (-1, 0.5), "iteration"),
        (widgets.draw_vi_fit, (3, 1.0), "correlation"),
        (widgets.draw_bp_messages, (31, 0.3), "iteration"),
        (widgets.draw_bp_messages, (3, 2.5), "coupling"),
    ],
)
def test_drawings_reject_bad_input(draw, args, message):
    with pytest.raises(ValueError, match=message):
        draw(*args)


def test_vi_fit_redraws_in_place():
    updates = [
        {"iteration": 3, "correlation": 0.9},
        {"iteration": 0, "correlation": 0.9},
        {"iteration": 25, "correlation": 0.9},
        {"iteration": 25, "correlation": 0.95},  # the KL axis: 100 -> 200
        {"iteration": 0, "correlation": -0.95},  # the KL axis: 200 -> 10
        {"iteration": 12, "correlation": -0.9},  # 10 -> 5
        {"iteration": 12, "correlation": 0.0},  # q exact: KL 0 at the end
    ]
    assert_redraws_in_place(widgets.MeanFieldFit, {}, updates)


@pytest.mark.parametrize("name", list(VI_SLIDERS))
def test_vi_fit_sweeps_keep_the_axes(name):
    # measured: iteration 0 renders in 25 moves; correlation 6 in 38 (KL_0 crosses
    # 5, 10, 20, 50, 100 and 200 nats)
    updates = sweep(VI_DEFAULTS, name, VI_SLIDERS[name])
    assert background_renders(widgets.MeanFieldFit(), updates) <= (len(updates) - 1) // 3


@pytest.mark.parametrize("correlation", [-0.95, -0.6, 0.0, 0.45, 0.95])
def test_vi_fit_limits_hold_the_curves(correlation):
    drawing = widgets.MeanFieldFit()
    for iteration in (0, ai.VI_SWEEPS):
        drawing.update(iteration, correlation)
        _, kls = drawing.kl_curve.get_data()
        low, high = drawing.right.get_ylim()
        assert low < kls.min() and kls.max() < high, "the KL curve leaves the frame"
        assert kls.max() >= 0.4 * high, "the KL curve is lost in the frame"
        assert low < drawing.floor.get_ydata()[0] < high
        assert drawing.right.get_xlim() == (-1, ai.VI_SWEEPS + 1)
        # the posterior's ellipses and the means' path lie inside the fixed [-4, 4]^2
        for line in (*drawing.posterior, drawing.path):
            assert np.abs(np.concatenate(line.get_data())).max() < 4
        assert drawing.left.get_xlim() == drawing.left.get_ylim() == (-4, 4)
    for line in drawing.q:  # after all sweeps, q's ellipses too
        assert np.abs(np.concatenate(line.get_data())).max() < 4


def test_bp_exact_marginals_match_enumeration():
    for coupling in (-1.0, 0.0, 0.7, 2.0):
        exact = ai._bp_run(coupling)[4]
        J = inference.grid_couplings(4, 4, coupling)
        h = np.random.default_rng(18).normal(0.0, 0.4, 16)
        assert np.allclose(exact, inference.ising_exact(J, h)[0][:, 1], atol=1e-12)


def test_bp_messages_are_uniform_without_coupling():
    fig = widgets.draw_bp_messages(ai.BP_ITERATIONS, 0.0)
    squares = fig.axes[0].collections[0]
    assert len(squares.get_offsets()) == 48 and np.allclose(squares.get_array(), 0.5)


def test_bp_messages_redraw_in_place():
    updates = [
        {"iteration": 2, "coupling": 0.3},
        {"iteration": 0, "coupling": 0.3},  # no marker on the convergence curve
        {"iteration": 30, "coupling": 0.3},
        {"iteration": 30, "coupling": -1.0},
        {"iteration": 0, "coupling": 1.0},
        {"iteration": 7, "coupling": 0.0},  # uniform messages, a flat curve at the floor
        {"iteration": 7, "coupling": -2.0},
    ]
    assert_redraws_in_place(widgets.BeliefPropagation, {}, updates)


@pytest.mark.parametrize("name", list(BP_SLIDERS))
def test_bp_messages_sweeps_keep_the_axes(name):
    # measured: iteration 0 renders in 30 moves, coupling 0 in 20 (all limits fixed)
    updates = sweep(BP_DEFAULTS, name, BP_SLIDERS[name])
    assert background_renders(widgets.BeliefPropagation(), updates) <= (len(updates) - 1) // 3


@pytest.mark.parametrize("coupling", [-2.0, -1.0, 0.3, 1.0, 2.0])
def test_bp_messages_limits_hold_the_curves(coupling):
    drawing = widgets.BeliefPropagation().update(ai.BP_ITERATIONS, coupling)
    trace = drawing.figure.axes[2]
    _, log_deltas = drawing.curve.get_data()
    low, high = trace.get_ylim()
    assert low < log_deltas.min() and log_deltas.max() < high
    assert log_deltas.max() - log_deltas.min() >= 0.25 * (high - low), "a flat, lost curve"
    exact, beliefs = drawing.points.get_data()
    assert np.all((0 < exact) & (exact < 1) & (0 < beliefs) & (beliefs < 1))
