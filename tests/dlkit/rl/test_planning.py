"""dlkit.rl.planning against independent oracles.

Returns against scipy.signal.lfilter per episode; policy evaluation against the Neumann
series sum_t gamma^t P_pi^t R_pi; value and policy iteration and the linear program against
brute force over every deterministic policy (the optimal one maximises every state's value
at once); finite-horizon values against an enumeration of every trajectory.
"""

from itertools import product

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit import rl
from dlkit.testing import assert_close

fast = settings(max_examples=30, deadline=None)


def lfilter_returns(rewards, gamma, dones):
    out, start = np.zeros(len(rewards)), 0
    for end in [*(np.flatnonzero(dones) + 1), len(rewards)]:
        if end > start:
            out[start:end] = scipy.signal.lfilter([1], [1, -gamma], rewards[start:end][::-1])[::-1]
        start = end
    return out


@fast
@given(
    hst.integers(1, 30),
    hst.floats(0.0, 1.0),
    hst.integers(0, 2**32 - 1),
    hst.integers(1, 3),
)
def test_discounted_returns_match_lfilter_row_by_row(T, gamma, seed, batch):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(batch, T))
    dones = rng.random((batch, T)) < 0.3
    got = rl.discounted_returns(rewards, gamma, dones)
    assert got.shape == (batch, T)
    for row in range(batch):
        assert_close(got[row], lfilter_returns(rewards[row], gamma, dones[row]), atol=1e-9)


def test_discounted_returns_by_hand():
    assert_close(rl.discounted_returns([1.0, 1.0, 1.0, 1.0], 0.5), [1.875, 1.75, 1.5, 1.0])
    assert_close(rl.discounted_returns([1.0, 2.0, 3.0], 0.9, [False, True, False]), [2.8, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape of rewards"):
        rl.discounted_returns([1.0, 2.0], 0.9, [True])
    with pytest.raises(ValueError, match="gamma"):
        rl.discounted_returns([1.0], 1.5)


def neumann_values(P, R, policy, gamma, terms=3000):
    P_pi = np.einsum("sa,sat->st", policy, P)
    R_pi = (policy * R).sum(axis=1)
    V, term = np.zeros(len(R)), R_pi.copy()
    for _ in range(terms):
        V += term
        term = gamma * P_pi @ term
    return V


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.95])
def test_policy_evaluation_matches_the_neumann_series(gamma):
    mdp = rl.random_mdp(7, 3, seed=3, n_terminal=1)
    policy = np.random.default_rng(1).dirichlet(np.ones(3), size=7)
    V, Q = rl.policy_evaluation(mdp.P, mdp.R, policy, gamma)
    assert_close(V, neumann_values(mdp.P, mdp.R, policy, gamma), atol=1e-9)
    assert_close((policy * Q).sum(axis=1), V, atol=1e-10)
    assert_close(Q, mdp.R + gamma * mdp.P @ V)
    # iterative evaluation converges to it
    assert_close(rl.iterative_policy_evaluation(mdp.P, mdp.R, policy, gamma, 600)[-1], V, atol=1e-8)


def brute_force_optimum(P, R, gamma):
    """max over every deterministic policy of its exact value, state by state."""
    S, A = R.shape
    best = np.full(S, -np.inf)
    for actions in product(range(A), repeat=S):
        P_pi, R_pi = P[np.arange(S), actions], R[np.arange(S), actions]
        best = np.maximum(best, np.linalg.solve(np.eye(S) - gamma * P_pi, R_pi))
    return best


@pytest.mark.parametrize(("seed", "gamma"), [(0, 0.9), (1, 0.5), (2, 0.99), (3, 0.0)])
def test_planning_finds_the_brute_force_optimum(seed, gamma):
    mdp = rl.random_mdp(5, 3, seed=seed, n_terminal=1)
    V_star = brute_force_optimum(mdp.P, mdp.R, gamma)
    tol = 1e-10
    V, policy, sweeps = rl.value_iteration(mdp.P, mdp.R, gamma, tol=tol)
    assert np.max(np.abs(V - V_star)) <= gamma * tol / (1 - gamma) + 1e-12
    V_pi, _ = rl.policy_evaluation(mdp.P, mdp.R, policy, gamma)
    assert_close(V_pi, V_star, atol=1e-8)
    V, policy, n_iters = rl.policy_iteration(mdp.P, mdp.R, gamma)
    assert_close(V, V_star, atol=1e-10)
    assert 1 <= n_iters <= 10
    assert_close(rl.optimal_values_lp(mdp.P, mdp.R, gamma), V_star, atol=1e-7)
    assert rl.bellman_residual(mdp.P, mdp.R, V_star, gamma) < 1e-9


def test_value_iteration_history_contracts_and_stops_on_the_values():
    mdp = rl.gridworld(slip=0.1)
    V, policy, k, history = rl.value_iteration(mdp.P, mdp.R, 0.9, tol=1e-8, history=True)
    assert history.shape == (k + 1, mdp.n_states) and np.all(history[0] == 0)
    steps = np.abs(np.diff(history, axis=0)).max(axis=1)
    assert steps[-1] < 1e-8 <= steps[-2]  # stops at the first sweep under the tolerance
    V_star = rl.optimal_values_lp(mdp.P, mdp.R, 0.9)
    errors = np.abs(history - V_star).max(axis=1)
    assert np.all(errors[1:] <= 0.9 * errors[:-1] + 1e-9)  # a gamma-contraction
    assert_close(V, history[-1])
    assert np.array_equal(policy, rl.greedy_policy(rl.q_from_v(mdp.P, mdp.R, V, 0.9)))


def test_the_grid_solution():
    """The 4 x 4 grid (slip 0.1, gamma 0.9): the measured sweeps and value, the goal's."""
    mdp = rl.gridworld(slip=0.1)
    V, policy, k = rl.value_iteration(mdp.P, mdp.R, 0.9, tol=1e-8)
    assert k == 24 and abs(V[mdp.start] - 0.44116) < 1e-5 and abs(V[15] - 1.0) < 1e-12
    assert policy[14] == 1  # next to the goal: move right


def enumerate_finite_horizon(P, R, policy, gamma, horizon, start):
    """E[sum_{t<H} gamma^t r_t] by summing over every state-action trajectory."""
    S, A = R.shape
    total = 0.0
    for path in product(range(S), repeat=horizon - 1):
        for acts in product(range(A), repeat=horizon):
            states = (start, *path)
            p, ret = 1.0, 0.0
            for t in range(horizon):
                p *= policy[states[t], acts[t]]
                ret += gamma**t * R[states[t], acts[t]]
                if t + 1 < horizon:
                    p *= P[states[t], acts[t], states[t + 1]]
            total += p * ret
    return total


def test_finite_horizon_value_by_enumeration():
    mdp = rl.random_mdp(3, 2, seed=4)
    policy = np.array([[0.3, 0.7], [0.5, 0.5], [0.9, 0.1]])
    V = rl.finite_horizon_value(mdp.P, mdp.R, policy, 0.8, 4)
    assert_close(V[1], enumerate_finite_horizon(mdp.P, mdp.R, policy, 0.8, 4, 1))


def test_bad_input():
    mdp = rl.random_mdp(3, 2)
    with pytest.raises(ValueError, match="gamma = 1"):
        rl.policy_evaluation(mdp.P, mdp.R, rl.uniform_policy(3, 2), 1.0)
    with pytest.raises(ValueError, match="tol must be positive"):
        rl.value_iteration(mdp.P, mdp.R, 0.9, tol=0)
    with pytest.raises(ValueError, match="R must have"):
        rl.policy_iteration(mdp.P, mdp.R[:2], 0.9)
