"""dlkit.rl.bandits: the pinned rules replayed from the simulated history, the reward noise
by z-scores (within 6: a false failure about once in 10^8), the regret by hand."""

import numpy as np
import pytest

from dlkit import rl
from dlkit.testing import assert_close


def replay_estimates(actions, rewards, k):
    """Sample means and counts before every step, (runs, steps, k) each, by cumulative sums."""
    onehot = np.eye(k)[actions]  # (runs, steps, k)
    counts = np.cumsum(onehot, axis=1) - onehot
    sums = np.cumsum(onehot * rewards[..., None], axis=1) - onehot * rewards[..., None]
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0), counts


def test_reward_noise_is_standard_normal():
    means = rl.bandit_means(300, 4, seed=1)
    actions, rewards = rl.run_bandit(means, "eps_greedy", 0.2, 200, seed=2)
    noise = rewards - np.take_along_axis(means, actions, axis=1)
    n = noise.size
    assert abs(noise.mean()) * np.sqrt(n) < 6
    assert abs(noise.var() - 1) / np.sqrt(2 / n) < 6


def test_ucb_pulls_each_arm_once_then_its_rule():
    means = rl.bandit_means(50, 4, seed=3)
    actions, rewards = rl.run_bandit(means, "ucb", 1.5, 60, seed=4)
    assert np.all(actions[:, :4] == np.arange(4))
    Q, N = replay_estimates(actions, rewards, 4)
    t = np.arange(60)[None, 4:, None]
    u = Q[:, 4:] + 1.5 * np.sqrt(np.log(t + 1) / N[:, 4:])
    assert np.array_equal(actions[:, 4:], u.argmax(axis=2))


def test_epsilon_greedy_is_greedy_except_when_exploring():
    means = rl.bandit_means(400, 5, seed=5)
    eps = 0.1
    actions, rewards = rl.run_bandit(means, "eps_greedy", eps, 150, seed=6)
    Q, _ = replay_estimates(actions, rewards, 5)
    greedy = Q.argmax(axis=2)
    ties = (Q == Q.max(axis=2, keepdims=True)).sum(axis=2)
    off = actions != greedy
    p = np.where(ties == 1, eps * 4 / 5, np.nan)  # steps with a unique greedy arm
    mask = ties == 1
    z = (off[mask].sum() - p[mask].sum()) / np.sqrt((p[mask] * (1 - p[mask])).sum())
    assert abs(z) < 6
    greedy_only, _ = rl.run_bandit(means, "eps_greedy", 0.0, 50, seed=7)
    assert np.all(greedy_only[:, 0] == 0)  # all estimates 0: the first maximum


def test_runs_are_reproducible_by_seed():
    means = rl.bandit_means(10, 3)
    a1, r1 = rl.run_bandit(means, "ucb", 2.0, 20, seed=1)
    a2, r2 = rl.run_bandit(means, "ucb", 2.0, 20, seed=1)
    _, r3 = rl.run_bandit(means, "ucb", 2.0, 20, seed=2)
    assert np.array_equal(a1, a2) and np.array_equal(r1, r2) and not np.array_equal(r1, r3)


def test_regret_by_hand_and_ucb_beats_greedy():
    means = np.array([[0.0, 1.0, 0.5]])
    assert_close(rl.regret(means, np.array([[0, 1, 2, 1]])), [[1.0, 1.0, 1.5, 1.5]])
    assert_close(rl.optimal_action_rate(means, np.array([[0, 1, 2, 1]])), [0, 1, 0, 1])
    means = rl.bandit_means(200, 10, seed=8)
    greedy = rl.regret(means, rl.run_bandit(means, "eps_greedy", 0.0, 1000, seed=9)[0])[:, -1]
    ucb = rl.regret(means, rl.run_bandit(means, "ucb", 2.0, 1000, seed=9)[0])[:, -1]
    se = np.sqrt((greedy.var() + ucb.var()) / 200)
    assert greedy.mean() - ucb.mean() > 6 * se  # measured: about 470 against 150


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros(3), "ucb", 1.0, 5, 0), r"\(runs, k\)"),
        ((np.zeros((2, 3)), "softmax", 1.0, 5, 0), "policy must be"),
        ((np.zeros((2, 3)), "eps_greedy", 1.5, 5, 0), "epsilon"),
        ((np.zeros((2, 3)), "ucb", -1.0, 5, 0), "constant c"),
    ],
)
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        rl.run_bandit(*args)
