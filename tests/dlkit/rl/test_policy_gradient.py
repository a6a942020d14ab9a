"""dlkit.rl.policy_gradient against torch autograd and closed forms.

REINFORCE's estimate against autograd of sum_t gamma^t (G_t - b) log pi(a_t | s_t); the exact
policy gradient against autograd of J(theta) = V_pi(s_0) through a torch linear solve; the
Monte Carlo mean of REINFORCE estimates against that exact gradient and the Gaussian
score's mean against 0 (z-scores within 6: a false failure about once in 10^8 per entry);
GAE against its double-sum definition and its lambda = 0 and 1 limits.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit import rl
from dlkit.testing import assert_close
from tests.oracles import gradients

pytestmark = pytest.mark.usefixtures("one_thread")
fast = settings(max_examples=25, deadline=None)


@fast
@given(hst.integers(1, 12), hst.floats(0.0, 1.0), hst.integers(0, 2**32 - 1))
def test_reinforce_gradient_matches_autograd(T, gamma, seed):
    rng = np.random.default_rng(seed)
    S, A = 4, 3
    states, actions = rng.integers(S, size=T), rng.integers(A, size=T)
    rewards, theta, baseline = rng.normal(size=T), rng.normal(size=(S, A)), rng.normal(size=S)
    G = np.array([sum(gamma ** (k - t) * rewards[k] for k in range(t, T)) for t in range(T)])
    weights = torch.tensor(gamma ** np.arange(T) * (G - baseline[states]))
    s, a = torch.as_tensor(states), torch.as_tensor(actions)
    (expected,) = gradients(lambda th: (weights * th.log_softmax(dim=1)[s, a]).sum(), theta)
    got = rl.reinforce_gradient(states, actions, rewards, theta, gamma, baseline)
    assert_close(got, expected, atol=1e-10)


def exact_gradient_by_autograd(mdp, theta, gamma):
    P, R = torch.tensor(mdp.P), torch.tensor(mdp.R)

    def J(th):
        pi = th.softmax(dim=1)
        P_pi = torch.einsum("sa,sat->st", pi, P)
        V = torch.linalg.solve(torch.eye(len(R), dtype=th.dtype) - gamma * P_pi, (pi * R).sum(1))
        return V[mdp.start]

    return gradients(J, theta)[0]


def test_exact_policy_gradient_matches_autograd():
    mdp = rl.gridworld(slip=0.2)
    theta = np.random.default_rng(0).normal(size=(mdp.n_states, 4))
    expected = exact_gradient_by_autograd(mdp, theta, 0.9)
    assert_close(rl.policy_gradient_exact(mdp, theta, 0.9), expected, atol=1e-12)
    assert_close(
        rl.policy_value(mdp, theta, 0.9),
        rl.policy_evaluation(mdp.P, mdp.R, rl.softmax_policy(theta), 0.9)[0][mdp.start],
    )


def test_reinforce_is_unbiased_and_a_baseline_reduces_its_variance():
    mdp = rl.corridor(3, slip=0.2)
    gamma = 0.9
    theta = np.array([[0.3, -0.2], [0.5, 0.0], [0.0, 0.0], [0.0, 0.0]])
    exact = rl.policy_gradient_exact(mdp, theta, gamma)
    V, _ = rl.policy_evaluation(mdp.P, mdp.R, rl.softmax_policy(theta), gamma)
    rng = np.random.default_rng(1)
    plain, based = [], []
    for _ in range(1500):
        ep = rl.sample_episode(mdp, rl.softmax_policy(theta), rng, max_steps=200)
        args = (ep["states"], ep["actions"], ep["rewards"], theta, gamma)
        plain.append(rl.reinforce_gradient(*args))
        based.append(rl.reinforce_gradient(*args, baseline=V))
    for estimates in (np.array(plain), np.array(based)):
        se = estimates.std(axis=0) / np.sqrt(len(estimates))
        live = se > 0
        assert np.all(np.abs(estimates.mean(axis=0) - exact)[live] < 6 * se[live])
    assert np.array(based)[:, 0].var(axis=0).sum() < 0.5 * np.array(plain)[:, 0].var(axis=0).sum()


@fast
@given(hst.integers(0, 2**32 - 1))
def test_gaussian_score_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    a, mu, log_std = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    action = torch.tensor(a)
    expected = gradients(
        lambda m, s: torch.distributions.Normal(m, s.exp()).log_prob(action).sum(), mu, log_std
    )
    got = rl.gaussian_policy_score(a, mu, log_std)
    assert_close(got[0], expected[0], atol=1e-10)
    assert_close(got[1], expected[1], atol=1e-10)


def test_gaussian_score_has_mean_zero_and_broadcasts():
    rng = np.random.default_rng(2)
    mu, log_std, n = 0.7, -0.4, 200_000
    a = mu + np.exp(log_std) * rng.normal(size=n)
    d_mu, d_log_std = rl.gaussian_policy_score(a, mu, log_std)
    assert d_mu.shape == d_log_std.shape == (n,)
    for score in (d_mu, d_log_std):
        assert abs(score.mean()) < 6 * score.std() / np.sqrt(n)
    g_mu, g_log_std = rl.gaussian_bandit_gradients(0.5, np.log(0.8), 2.0, n, rng)
    assert abs(g_mu.mean() - (-2 * (0.5 - 2.0))) < 6 * g_mu.std() / np.sqrt(n)
    assert abs(g_log_std.mean() - (-2 * 0.8**2)) < 6 * g_log_std.std() / np.sqrt(n)


def gae_by_definition(r, v, v_next, d, gamma, lam):
    T = len(r)
    delta = r + gamma * (1 - d) * v_next - v
    out = np.zeros(T)
    for t in range(T):
        for k in range(t, T):
            out[t] += (gamma * lam) ** (k - t) * delta[k]
            if d[k]:
                break
    return out


@fast
@given(hst.integers(1, 15), hst.floats(0, 1), hst.floats(0, 1), hst.integers(0, 2**32 - 1))
def test_gae_matches_its_definition(T, gamma, lam, seed):
    rng = np.random.default_rng(seed)
    r, v, v_next = rng.normal(size=T), rng.normal(size=T), rng.normal(size=T)
    d = (rng.random(T) < 0.3).astype(float)
    assert_close(
        rl.gae(r, v, v_next, d, gamma, lam),
        gae_by_definition(r, v, v_next, d, gamma, lam),
        atol=1e-10,
    )


def test_gae_limits():
    rng = np.random.default_rng(3)
    T = 12
    r, v, v_next = rng.normal(size=T), rng.normal(size=T), rng.normal(size=T)
    d = rng.random(T) < 0.3
    d[-1] = True
    delta = r + 0.9 * (1 - d) * v_next - v
    assert_close(rl.gae(r, v, v_next, d, 0.9, 0.0), delta)
    # lam = 1 with the next values those of the same trajectory: the Monte Carlo return - V
    v_next = np.where(d, 0.0, np.append(v[1:], 0.0))
    assert_close(rl.gae(r, v, v_next, d, 0.9, 1.0), rl.discounted_returns(r, 0.9, d) - v)
    with pytest.raises(ValueError, match="lam"):
        rl.gae(r, v, v_next, d, 0.9, 1.5)


def test_actor_critic_and_reinforce_learn_the_grid():
    mdp = rl.gridworld(slip=0.1)
    V_star = rl.optimal_values_lp(mdp.P, mdp.R, 0.9)[mdp.start]
    theta, V, returns = rl.actor_critic(mdp, 1000, 0.9, 1.0, 0.5, seed=0, max_steps=100)
    assert rl.policy_value(mdp, theta, 0.9) >= 0.7 * V_star
    assert returns.shape == (1000,) and V.shape == (mdp.n_states,)
    theta, returns = rl.reinforce(mdp, 1000, 0.9, lr=1.0, baseline=True, seed=0)
    uniform = rl.policy_value(mdp, np.zeros_like(theta), 0.9)
    assert rl.policy_value(mdp, theta, 0.9) > 10 * uniform
