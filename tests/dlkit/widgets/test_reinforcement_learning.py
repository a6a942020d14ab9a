"""Module-20 widget drawings, headless: the right content, labels, validation, no leaks."""

import numpy as np
import pytest

from dlkit import rl, widgets
from dlkit.testing import assert_close
from dlkit.widgets import reinforcement_learning as wrl
from tests.dlkit.widgets.figures import assert_labelled


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
