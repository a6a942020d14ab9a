"""dlkit.rl.td: the batch update against one-transition-at-a-time arithmetic on Python
floats, and Q-learning's table against Q* from value iteration."""

import numpy as np
import pytest

from dlkit import rl
from dlkit.testing import assert_close


def test_q_learning_batch_applies_transitions_in_order():
    Q0 = [[0.0, 1.0], [2.0, 0.5]]
    batch = ([0, 0, 1], [1, 1, 0], [1.0, 0.5, -1.0], [1, 1, 0], [False, False, True])
    got = rl.q_learning_batch(np.array(Q0), *map(np.array, batch), alpha=0.5, gamma=0.9)
    q = [row[:] for row in Q0]  # Python floats, one transition at a time
    q[0][1] += 0.5 * (1.0 + 0.9 * 2.0 - q[0][1])
    q[0][1] += 0.5 * (0.5 + 0.9 * 2.0 - q[0][1])  # the repeated pair sees the first update
    q[1][0] += 0.5 * (-1.0 - q[1][0])  # terminal: no bootstrap
    assert_close(got, q)
    assert Q0 == [[0.0, 1.0], [2.0, 0.5]]


def test_q_learning_batch_rejects_ragged_batches():
    with pytest.raises(ValueError, match="share one shape"):
        rl.q_learning_batch(np.zeros((2, 2)), [0], [0, 1], [1.0], [1], [False], 0.1, 0.9)


def test_q_learning_finds_the_optimal_greedy_policy():
    mdp = rl.corridor(4, slip=0.1)
    Q, returns = rl.q_learning(mdp, 1500, alpha=0.2, gamma=0.9, epsilon=0.2, seed=0)
    V_star, policy, _ = rl.value_iteration(mdp.P, mdp.R, 0.9)
    Q_star = rl.q_from_v(mdp.P, mdp.R, V_star, 0.9)
    assert np.array_equal(Q[:3].argmax(axis=1), policy[:3])  # always right
    assert np.max(np.abs(Q[:4] - Q_star[:4])) < 0.1
    assert returns.shape == (1500,) and returns[-300:].mean() > returns[:50].mean()
    Q_sarsa, _ = rl.q_learning(mdp, 1500, alpha=0.2, gamma=0.9, epsilon=0.2, seed=0, sarsa=True)
    assert np.array_equal(Q_sarsa[:3].argmax(axis=1), policy[:3])


def test_an_optimistic_start_explores_the_grid_that_zeros_never_leave():
    """With Q = 0 every action ties, argmax takes "up" and the goal is hardly ever found;
    starting above every value (q_init = 1 > V*) makes each untried action look best."""
    mdp = rl.gridworld("4x4", slip=0.1)
    V_star = rl.optimal_values_lp(mdp.P, mdp.R, 0.9)
    values = {}
    for q_init in (0.0, 1.0):
        Q, _ = rl.q_learning(mdp, 500, 0.1, 0.9, 0.1, seed=0, max_steps=100, q_init=q_init)
        V, _ = rl.policy_evaluation(mdp.P, mdp.R, rl.greedy_policy(Q), 0.9)
        values[q_init] = V[mdp.start]
    assert values[0.0] < 0.01 and values[1.0] > 0.8 * V_star[mdp.start]
