"""Module-20 widget drawings, headless: the right content, labels, validation, no leaks."""

import numpy as np
import pytest

from dlkit import rl, widgets
from dlkit.testing import assert_close
from dlkit.widgets import reinforcement_learning as wrl
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)


def sweeps_by_hand(P, R, gamma, k):
    V = np.zeros(len(R))
    for _ in range(k):
        V = np.max(R + gamma * np.einsum("sat,t->sa", P, V), axis=1)
    return V


def test_value_iteration_shows_v_k_and_its_greedy_arrows():
    fig = widgets.draw_value_iteration(6, gamma=0.9, slip=0.1)
    assert_labelled(fig)
    left, right = fig.axes
    mdp = rl.gridworld("4x4", slip=0.1)
    V6 = sweeps_by_hand(mdp.P, mdp.R, 0.9, 6)
    assert_close(left.images[0].get_array(), V6[:16].reshape(4, 4), atol=1e-12)
    (quiver,) = left.collections
    greedy = np.argmax(mdp.R + 0.9 * np.einsum("sat,t->sa", mdp.P, V6), axis=1)[:16]
    free = np.array([ch not in "HG" for ch in "".join(rl.MAP_4X4)])
    moves = np.array([[0, 1], [1, 0], [0, -1], [-1, 0]])  # (u, v) drawn for up, right, down, left
    assert_close(np.column_stack([quiver.U, quiver.V]), moves[greedy[free]])
    assert "V* = 0.4412" in right.get_title()


def test_value_iteration_converges_and_clips_k():
    fig = widgets.draw_value_iteration(10_000, gamma=0.5, slip=0.0, grid="8x8")
    _, right = fig.axes
    error = right.get_lines()[1].get_ydata()
    assert error[-1] < -9 and np.all(np.diff(error) <= 1e-9)
    assert "V_" in fig.axes[0].get_title()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": -1}, "non-negative"),
        ({"k": 2, "gamma": 1.0}, "gamma"),
        ({"k": 2, "grid": "3x3"}, "grid"),
    ],
)
def test_value_iteration_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_value_iteration(**kwargs)


def test_bandit_regret_curves_are_the_test_beds_averages():
    fig = widgets.draw_bandit_regret(eps=0.1, c=2.0, steps=300)
    assert_labelled(fig)
    left, middle, right = fig.axes
    means = rl.bandit_means(100, 10, seed=0)
    for line, (policy, param) in zip(
        left.get_lines(), [("eps_greedy", 0.0), ("eps_greedy", 0.1), ("ucb", 2.0)]
    ):
        actions, _ = rl.run_bandit(means, policy, param, 300, seed=1)
        lost = means.max(axis=1)[:, None] - means[np.arange(100)[:, None], actions]
        assert_close(line.get_ydata(), np.cumsum(lost, axis=1).mean(axis=0))
    assert_close(middle.get_lines()[0].get_xdata(), wrl.EPSILONS)
    assert_close(middle.get_lines()[1].get_ydata(), [left.get_lines()[1].get_ydata()[-1]])
    assert_close(right.get_lines()[1].get_xdata(), [2.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"eps": 1.5}, "eps"), ({"c": -1.0}, "c must"), ({"steps": 5}, "steps")],
)
def test_bandit_regret_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_bandit_regret(**kwargs)


def test_pg_variance_is_centred_on_the_exact_gradient():
    fig = widgets.draw_pg_variance(10)
    assert_labelled(fig)
    (ax,) = fig.axes
    mdp = rl.corridor(3, slip=0.2)
    theta, h = wrl.PG_THETA.copy(), 1e-6
    bumped = [theta.copy(), theta.copy()]
    bumped[0][wrl.PG_ENTRY] += h
    bumped[1][wrl.PG_ENTRY] -= h
    up, down = (rl.policy_value(mdp, theta_h, 0.9) for theta_h in bumped)
    numeric = (up - down) / (2 * h)
    exact = ax.get_lines()[0].get_xdata()[0]
    assert abs(exact - numeric) < 1e-6
    plain, based, _ = wrl._pg_estimates()
    for estimates in (plain, based):
        assert abs(estimates.mean() - numeric) < 6 * estimates.std() / np.sqrt(len(estimates))
    ratio = float(ax.get_title().rsplit(" ", 1)[1])
    assert ratio > 2
    with pytest.raises(ValueError, match="n_episodes"):
        widgets.draw_pg_variance(0)


# ---- redrawn in place against steady axes (dlkit.plot.LiveFigure) -------------------------

#: The notebook's sliders: (low, high, step), and their notebook values.
VALUE_SLIDERS = {"k": (0, 60, 1), "gamma": (0.5, 0.99, 0.01), "slip": (0.0, 0.6, 0.05)}
VALUE_DEFAULTS = {"k": 3, "gamma": 0.9, "slip": 0.1}
BANDIT_SLIDERS = {"eps": (0.0, 0.5, 0.01), "c": (0.0, 4.0, 0.25), "steps": (50, 500, 50)}
BANDIT_DEFAULTS = {"eps": 0.1, "c": 2.0, "steps": 300}
PG_SLIDERS = {"n_episodes": (1, 50, 1), "bins": (10, 80, 10)}
PG_DEFAULTS = {"n_episodes": 1, "bins": 40}


@pytest.mark.parametrize("grid", ["4x4", "8x8"])
def test_value_iteration_redraws_in_place(grid):
    updates = [
        VALUE_DEFAULTS,
        {"k": 0, "gamma": 0.5, "slip": 0.0},  # the slider ends, x 0 .. 10 or 20
        {"k": 60, "gamma": 0.99, "slip": 0.6},  # x 0 .. 1000
        {"k": 10, "gamma": 0.9, "slip": 0.45},  # x back to 100
        {"k": 11, "gamma": 0.9, "slip": 0.45},
    ]
    assert_redraws_in_place(widgets.ValueIteration, {"grid": grid}, updates)


def test_bandit_regret_redraws_in_place():
    updates = [
        BANDIT_DEFAULTS,
        {"eps": 0.5, "c": 4.0, "steps": 50},  # the ends: the left top 500, the others' 100
        {"eps": 0.0, "c": 0.0, "steps": 500},  # the left top 300, the others' 500
        {"eps": 0.37, "c": 1.25, "steps": 250},  # off the parameter grids
        {"eps": 0.8, "c": 6.0, "steps": 250},  # beyond the notebook: the x ranges widen
    ]
    assert_redraws_in_place(widgets.BanditRegret, {}, updates)


def test_pg_variance_redraws_in_place():
    updates = [
        PG_DEFAULTS,
        {"n_episodes": 2, "bins": 10},  # the x window steps from 1.5 to 1
        {"n_episodes": 50, "bins": 80},  # the ends
        {"n_episodes": 3, "bins": 40},
        {"n_episodes": 4, "bins": 50},
    ]
    assert_redraws_in_place(widgets.PolicyGradientVariance, {}, updates)


# measured over the notebook's whole ranges, 4x4 and 8x8 alike: k 0 of 60 moves, gamma 1
# of 49 (convergence passes sweep 20), slip 3 of 12 (it slows convergence past 10, 50, 100)
@pytest.mark.parametrize("grid", ["4x4", "8x8"])
@pytest.mark.parametrize("slider", VALUE_SLIDERS)
def test_value_iteration_sliders_keep_the_axes(grid, slider):
    updates = sweep(VALUE_DEFAULTS, slider, VALUE_SLIDERS[slider])
    most = {"k": 0, "gamma": 2, "slip": 4}[slider]
    assert background_renders(widgets.ValueIteration(grid), updates) <= most


# measured: eps 1 of 50 moves (the left top steps from 300 to 500), c 0 of 16, steps 2 of 9
@pytest.mark.parametrize("slider", BANDIT_SLIDERS)
def test_bandit_regret_sliders_keep_the_axes(slider):
    updates = sweep(BANDIT_DEFAULTS, slider, BANDIT_SLIDERS[slider])
    assert background_renders(widgets.BanditRegret(), updates) <= (len(updates) - 1) // 4


# measured: n_episodes 5 of 49 moves (the window at n = 2, 3, 6, 15, 32), bins 0 of 7 at
# n = 1, 10 and 50
@pytest.mark.parametrize(
    ("slider", "n_episodes"), [("n_episodes", 1), *(("bins", n) for n in (1, 10, 50))]
)
def test_pg_variance_sliders_keep_the_axes(slider, n_episodes):
    updates = sweep({**PG_DEFAULTS, "n_episodes": n_episodes}, slider, PG_SLIDERS[slider])
    renders = background_renders(widgets.PolicyGradientVariance(), updates)
    assert renders <= (len(updates) - 1) // 8


def _sweep_ends(defaults, sliders):
    return [
        params
        for name, bounds in sliders.items()
        for params in (sweep(defaults, name, bounds)[0], sweep(defaults, name, bounds)[-1])
    ]


@pytest.mark.parametrize("grid", ["4x4", "8x8"])
@pytest.mark.parametrize("params", _sweep_ends(VALUE_DEFAULTS, VALUE_SLIDERS))
def test_value_iteration_limits_hold_the_curves(grid, params):
    _, right = widgets.draw_value_iteration(**params, grid=grid).axes
    (x_low, x_high), (y_low, y_high) = right.get_xlim(), right.get_ylim()
    x = np.concatenate([line.get_xdata() for line in right.get_lines()])
    y = np.concatenate([line.get_ydata() for line in right.get_lines()])
    assert x_low <= x.min() and x.max() <= x_high and y_low <= y.min() and y.max() <= y_high
    assert x.max() >= 0.4 * x_high, f"{params}: the curves fill under 40 % of the width"
    assert y.max() - y.min() >= 0.55 * (y_high - y_low), "the curves fill under 55 % in y"


@pytest.mark.parametrize("params", _sweep_ends(BANDIT_DEFAULTS, BANDIT_SLIDERS))
def test_bandit_regret_limits_hold_the_curves(params):
    left, middle, right = widgets.draw_bandit_regret(**params).axes
    for ax in (left, middle, right):
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        x = np.concatenate([line.get_xdata() for line in ax.get_lines()])
        y = np.concatenate([line.get_ydata() for line in ax.get_lines()])
        assert x_low <= x.min() and x.max() <= x_high and y_low <= y.min() and y.max() <= y_high
    assert left.get_xlim() == (0.0, wrl.MAX_STEPS)  # the whole run, curves up to ``steps``
    if params["steps"] == wrl.MAX_STEPS:
        greedy = left.get_lines()[0].get_ydata()[-1]
        assert greedy >= 0.5 * left.get_ylim()[1], "the greedy run fills under half the height"
    top = max(np.max(line.get_ydata()) for ax in (middle, right) for line in ax.get_lines())
    assert top >= 0.4 * middle.get_ylim()[1], "the sweeps' points fill under 40 % of the height"


@pytest.mark.parametrize("params", _sweep_ends(PG_DEFAULTS, PG_SLIDERS))
def test_pg_variance_limits_hold_the_histograms(params):
    (ax,) = widgets.draw_pg_variance(**params).axes
    (x_low, x_high), (_, y_high) = ax.get_xlim(), ax.get_ylim()
    n = params["n_episodes"]
    plain, based, _ = wrl._pg_estimates()
    for estimates in (plain, based):
        averages = estimates[: len(estimates) // n * n].reshape(-1, n).mean(axis=1)
        inside = np.mean((x_low <= averages) & (averages <= x_high))
        assert inside >= 0.98, f"{params}: the window holds {inside:.1%} of the estimates"
    tallest = max(bars.get_data().values.max() for bars in ax.patches)
    assert tallest <= y_high and tallest >= 0.28 * y_high, f"{params}: the tallest bar {tallest}"
