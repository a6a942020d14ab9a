"""dlkit.rl.off_policy: the estimators' expectations by enumerating every trajectory (the
ordinary and per-decision estimators are exactly unbiased for the finite-horizon value),
by hand on tiny data, and the coverage errors."""

from itertools import product

import numpy as np
import pytest

from dlkit import rl
from dlkit.testing import assert_close


def all_trajectories(mdp, b, horizon):
    """Every (states, actions) trajectory from the start, with its probability under b."""
    S, A = mdp.R.shape
    rows, probs = [], []
    for path in product(range(S), repeat=horizon - 1):
        states = (mdp.start, *path)
        for actions in product(range(A), repeat=horizon):
            p = 1.0
            for t in range(horizon):
                p *= b[states[t], actions[t]]
                if t + 1 < horizon:
                    p *= mdp.P[states[t], actions[t], states[t + 1]]
            if p > 0:
                rows.append((states, actions))
                probs.append(p)
    states = np.array([r[0] for r in rows])
    actions = np.array([r[1] for r in rows])
    return states, actions, mdp.R[states, actions], np.array(probs)


def test_ordinary_and_per_decision_are_unbiased_exactly():
    mdp = rl.random_mdp(3, 2, seed=7)
    b = np.array([[0.5, 0.5], [0.3, 0.7], [0.6, 0.4]])
    pi = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    gamma, H = 0.9, 4
    states, actions, rewards, probs = all_trajectories(mdp, b, H)
    assert_close(probs.sum(), 1.0)
    terms = rl.off_policy_estimates(states, actions, rewards, pi, b, gamma, per_trajectory=True)
    truth = rl.finite_horizon_value(mdp.P, mdp.R, pi, gamma, H)[mdp.start]
    assert_close(probs @ terms["ordinary"], truth, atol=1e-12)
    assert_close(probs @ terms["per_decision"], truth, atol=1e-12)
    assert_close(probs @ terms["weights"], 1.0, atol=1e-12)  # E_b[rho] = 1


def test_by_hand():
    pi = np.array([[1.0, 0.0], [0.5, 0.5]])
    b = np.array([[0.5, 0.5], [0.5, 0.5]])
    states = np.array([[0, 1], [0, 1]])
    actions = np.array([[0, 1], [1, 0]])
    rewards = np.array([[1.0, 2.0], [3.0, 4.0]])
    # trajectory 1: rho = 2, 1 -> weights 2, G = 1 + 0.5 * 2 = 2; trajectory 2: rho = 0
    est = rl.off_policy_estimates(states, actions, rewards, pi, b, 0.5)
    assert_close(est["ordinary"], (2 * 2 + 0) / 2)
    assert_close(est["weighted"], 2.0)
    assert_close(est["per_decision"], (2 * 1 + 0.5 * 2 * 2 + 0) / 2)
    on_policy = rl.off_policy_estimates(states, actions, rewards, b, b, 0.5)
    # on-policy (pi = b) every weight is 1: all three are the mean return (2 + 5) / 2
    assert_close([on_policy[k] for k in ("ordinary", "weighted", "per_decision")], [3.5] * 3)


def test_weights_variance_grows_with_the_horizon():
    mdp = rl.random_mdp(4, 2, seed=2)
    b = rl.uniform_policy(4, 2)
    pi = np.tile([0.8, 0.2], (4, 1))
    rng = np.random.default_rng(0)
    ess = []
    for horizon in (2, 8):
        states, actions, rewards = rl.sample_trajectories(mdp, b, horizon, 5000, rng)
        terms = rl.off_policy_estimates(states, actions, rewards, pi, b, 0.9, per_trajectory=True)
        ess.append(rl.effective_sample_size(terms["weights"]))
    assert ess[1] < 0.5 * ess[0]


def test_coverage_and_shapes_are_checked():
    pi, b = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match="coverage"):
        rl.off_policy_estimates(
            np.zeros((1, 1), int), np.zeros((1, 1), int), np.ones((1, 1)), pi, b, 0.9
        )
    with pytest.raises(ValueError, match="share one shape"):
        rl.off_policy_estimates(
            np.zeros((2, 1), int), np.zeros((1, 1), int), np.ones((1, 1)), b, b, 0.9
        )
    assert rl.effective_sample_size(np.zeros(3)) == 0.0
    assert_close(rl.effective_sample_size(np.ones(7)), 7.0)
