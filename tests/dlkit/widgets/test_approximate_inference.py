"""Module-18 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest

from dlkit import inference, widgets
from dlkit.widgets import approximate_inference as ai
from tests.dlkit.widgets.figures import assert_labelled


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
