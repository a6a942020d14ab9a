"""dlkit.rl.mdp: the environments' arrays by hand, validation, policies and sampling.

Oracles: transitions written out by hand for small maps, scipy's softmax, and the
empirical frequencies of many sampled transitions against P (binomial z-scores within 6,
a false failure about once in 10^8 per comparison).
"""

import numpy as np
import pytest
import scipy.special

from dlkit import rl
from dlkit.testing import assert_close


def test_corridor_by_hand():
    mdp = rl.corridor(3, slip=0.2)
    P, R = mdp.P, mdp.R
    assert P.shape == (4, 2, 4) and R.shape == (4, 2)
    assert_close(P[0, 0], [0.8, 0.2, 0.0, 0.0])  # left into the wall stays; the slip goes right
    assert_close(P[0, 1], [0.2, 0.8, 0.0, 0.0])
    assert_close(P[1, 0], [0.8, 0.0, 0.2, 0.0])
    assert_close(P[2, :, 3], [1.0, 1.0])
    assert_close(R, [[0, 0], [0, 0], [1, 1], [0, 0]])
    assert_close(P[3, :, 3], [1.0, 1.0])
    assert mdp.terminal.tolist() == [False] * 3 + [True]


def test_gridworld_moves_slips_walls_and_exits():
    mdp = rl.gridworld(("SF", "HG"), slip=0.2, hole_reward=-1.0, step_reward=-0.1)
    P, R = mdp.P, mdp.R
    assert P.shape == (5, 4, 5) and mdp.start == 0 and mdp.shape == (2, 2)
    # from the start (0, 0): right moves to cell 1 w.p. 0.8, slips up (wall: stay) or down
    assert_close(P[0, 1], [0.1, 0.8, 0.1, 0.0, 0.0])
    # up from the start: the wall keeps the agent (0.8), slips right (0.1) or left (wall)
    assert_close(P[0, 0], [0.9, 0.1, 0.0, 0.0, 0.0])
    assert_close(P[2, :, 4], np.ones(4))  # the hole exits with its reward
    assert_close(R[2], -np.ones(4))
    assert_close(P[3, :, 4], np.ones(4))  # the goal too
    assert_close(R[3], np.ones(4))
    assert_close(R[0], np.full(4, -0.1))
    assert_close(R[4], np.zeros(4))
    assert_close(mdp.cells(np.arange(5.0)), [[0.0, 1.0], [2.0, 3.0]])


def test_the_module_maps_are_valid_and_read_only():
    for grid in ("4x4", "8x8"):
        mdp = rl.gridworld(grid)
        assert_close(mdp.P.sum(axis=2), np.ones(mdp.R.shape))
        assert mdp.terminal.sum() == 1 and mdp.terminal[-1]
    with pytest.raises(ValueError, match="read-only"):
        mdp.P[0, 0, 0] = 2.0


def test_random_mdp_has_absorbing_terminal_states():
    mdp = rl.random_mdp(6, 3, seed=1, n_terminal=2)
    assert_close(mdp.P.sum(axis=2), np.ones((6, 3)))
    for s in (4, 5):
        assert_close(mdp.P[s, :, s], np.ones(3))
        assert_close(mdp.R[s], np.zeros(3))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: rl.corridor(1), "n must be an integer >= 2"),
        (lambda: rl.corridor(4, slip=1.5), "slip must be a probability"),
        (lambda: rl.gridworld(("SF", "F")), "equal-length"),
        (lambda: rl.gridworld(("SX", "FG")), "only S"),
        (lambda: rl.gridworld(("FF", "FG")), "one start"),
        (lambda: rl.gridworld("9x9"), "'4x4', '8x8'"),
        (lambda: rl.MDP(np.ones((2, 1, 2)), np.zeros((2, 1)), [False, True]), "probability vector"),
        (lambda: rl.MDP(np.ones((2, 1, 3)) / 3, np.zeros((2, 1)), [False, True]), r"\(S, A, S\)"),
        (lambda: rl.MDP(np.ones((2, 1, 2)) / 2, np.zeros((2, 2)), [False, True]), "R must have"),
        (lambda: rl.MDP(np.ones((2, 1, 2)) / 2, np.zeros((2, 1)), [True]), "terminal must"),
        (lambda: rl.MDP(np.ones((2, 1, 2)) / 2, np.zeros((2, 1)), [False, True], 5), "start"),
        (lambda: rl.check_policy(np.ones((2, 2)), 2, 2), "sum to 1"),
        (lambda: rl.check_policy(np.array([0, 3]), 2, 2), r"0\.\.1"),
        (lambda: rl.check_policy(np.ones((3, 2)) / 2, 2, 2), "shape"),
        (lambda: rl.softmax_policy(np.zeros(3)), r"\(S, A\)"),
        (lambda: rl.epsilon_greedy_policy(np.zeros((2, 2)), 1.5), "epsilon"),
    ],
)
def test_bad_input_gets_a_clear_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_policies():
    theta = np.random.default_rng(0).normal(size=(4, 3)) * 50
    assert_close(rl.softmax_policy(theta), scipy.special.softmax(theta, axis=1))
    Q = np.array([[1.0, 3.0, 2.0], [0.0, 0.0, -1.0]])
    assert_close(rl.epsilon_greedy_policy(Q, 0.3), [[0.1, 0.8, 0.1], [0.8, 0.1, 0.1]])
    assert_close(rl.check_policy(np.array([2, 0]), 2, 3), [[0, 0, 1], [1, 0, 0]])
    assert_close(rl.uniform_policy(2, 4), np.full((2, 4), 0.25))


def _z(count, n, p):
    return np.abs(count - n * p) / np.sqrt(np.maximum(n * p * (1 - p), 1e-300))


def test_sampled_transitions_follow_P():
    mdp = rl.gridworld(slip=0.3)
    rng = np.random.default_rng(5)
    policy = rl.uniform_policy(mdp.n_states, mdp.n_actions)
    states, actions, _ = rl.sample_trajectories(mdp, policy, 6, 20_000, rng)
    # transitions (s_t, a_t) -> s_{t+1} counted and compared with P, where seen often
    counts = np.zeros(mdp.P.shape)
    np.add.at(counts, (states[:, :-1], actions[:, :-1], states[:, 1:]), 1)
    seen = counts.sum(axis=2)
    often = seen > 200
    z = _z(counts[often], seen[often][:, None], mdp.P[often])
    assert z.max() < 6
    # a trajectory in the terminal state stays there, with reward 0
    end = mdp.n_states - 1
    ended = states[:, :-1] == end
    assert np.all(states[:, 1:][ended] == end)


def test_sample_episode_ends_at_terminal_states():
    mdp = rl.corridor(4, slip=0.1)
    episode = rl.sample_episode(mdp, np.array([1, 1, 1, 1, 1]), np.random.default_rng(0))
    assert episode["dones"][-1] and not episode["dones"][:-1].any()
    assert_close(episode["rewards"], mdp.R[episode["states"], episode["actions"]])
    assert np.array_equal(episode["states"][1:], episode["next_states"][:-1])
    short = rl.sample_episode(mdp, np.array([0] * 5), np.random.default_rng(0), max_steps=7)
    assert len(short["states"]) == 7 and not short["dones"].any()  # cut, never done
