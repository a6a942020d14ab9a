"""Policy gradients: REINFORCE with a baseline, Gaussian-policy scores, GAE, actor-critic.

A tabular **softmax policy** has one logit per state and action, ``theta`` (S, A), and
``pi(a | s) = softmax(theta[s])[a]``; its score is
``d log pi(a | s) / d theta[s', b] = [s' = s] (onehot(a)[b] - pi(b | s))``.

The objective is the value of the start state, ``J(theta) = V_pi(s_0)``. The policy
gradient theorem gives ``grad J = E[sum_t gamma^t (G_t - b(s_t)) grad log pi(a_t | s_t)]``
with ``G_t`` the **reward-to-go** (the return from step t on, not the whole episode's) and
any baseline ``b(s)`` that does not depend on the action (it changes the variance, not the
mean). The factor ``gamma^t`` makes the estimator unbiased for the discounted objective
(as in Sutton and Barto, chapter 13). Exactly,
``d J / d theta[s, a] = d(s) pi(a | s) (Q(s, a) - V(s))`` with ``d`` the discounted
visitation ``d = e_{s_0}^T (I - gamma P_pi)^{-1}`` (:func:`policy_gradient_exact`).
"""

import numpy as np

from dlkit.rl.mdp import _draw, check_gamma, softmax_policy
from dlkit.rl.planning import discounted_returns, policy_arrays, policy_evaluation


def softmax_score(theta, states, actions):
    """``grad_theta log pi(a_t | s_t)`` restricted to row ``s_t``: ``onehot(a_t) - pi(. | s_t)``,
    shape (T, A) (the full gradient is this row placed at ``theta[s_t]``)."""
    pi = softmax_policy(theta)
    states, actions = np.asarray(states, dtype=int), np.asarray(actions, dtype=int)
    return np.eye(pi.shape[1])[actions] - pi[states]  # (T, A)


def reinforce_gradient(states, actions, rewards, theta, gamma, baseline=None):
    """The REINFORCE estimate of ``grad J`` from one episode, shape (S, A).

    ``sum_t gamma^t (G_t - b[s_t]) (onehot(a_t) - pi(. | s_t))`` added into row ``s_t``,
    with ``G_t = sum_{k >= t} gamma^(k - t) r_k`` the reward-to-go of the episode (the
    arrays ``states``, ``actions``, ``rewards`` of shape (T,) hold one whole episode) and
    ``baseline`` an (S,) array of per-state baselines (zeros when None). It is the
    direction of steepest **ascent** of J.
    """
    theta = np.asarray(theta, dtype=float)
    states, actions = np.asarray(states, dtype=int), np.asarray(actions, dtype=int)
    rewards = np.asarray(rewards, dtype=float)
    if not states.shape == actions.shape == rewards.shape or states.ndim != 1:
        raise ValueError(
            "reinforce_gradient: states, actions and rewards must share one shape (T,)"
        )
    b = np.zeros(theta.shape[0]) if baseline is None else np.asarray(baseline, dtype=float)
    if b.shape != (theta.shape[0],):
        raise ValueError(f"reinforce_gradient: baseline must have shape ({theta.shape[0]},)")
    G = discounted_returns(rewards, gamma)  # (T,) reward-to-go
    weights = gamma ** np.arange(len(G)) * (G - b[states])  # (T,)
    grad = np.zeros_like(theta)
    np.add.at(grad, states, weights[:, None] * softmax_score(theta, states, actions))
    return grad


def discounted_visitation(P, R, policy, gamma, start):
    """``d = e_start^T (I - gamma P_pi)^{-1}``: expected discounted visits of each state, (S,)."""
    P_pi, _ = policy_arrays(P, R, policy)
    e = np.zeros(len(P_pi))
    e[start] = 1.0
    return np.linalg.solve((np.eye(len(P_pi)) - gamma * P_pi).T, e)


def policy_value(mdp, theta, gamma):
    """``J(theta) = V_pi(s_0)`` of the softmax policy of ``theta``, exactly."""
    V, _ = policy_evaluation(mdp.P, mdp.R, softmax_policy(theta), gamma)
    return float(V[mdp.start])


def policy_gradient_exact(mdp, theta, gamma):
    """The exact ``grad J`` of the softmax policy: ``d(s) pi(a|s) (Q(s, a) - V(s))``, (S, A)."""
    pi = softmax_policy(theta)
    V, Q = policy_evaluation(mdp.P, mdp.R, pi, gamma)
    d = discounted_visitation(mdp.P, mdp.R, pi, gamma, mdp.start)
    return d[:, None] * pi * (Q - V[:, None])


def _episode(mdp, theta, rng, max_steps):
    """One episode of the softmax policy of ``theta``: (states, actions, rewards, dones)."""
    states, actions, rewards, dones = [], [], [], []
    s = mdp.start
    for _ in range(max_steps):
        z = np.exp(theta[s] - theta[s].max())
        a = int(_draw(z / z.sum(), rng))
        s2 = int(_draw(mdp.P[s, a], rng))
        states.append(s)
        actions.append(a)
        rewards.append(mdp.R[s, a])
        dones.append(bool(mdp.terminal[s2]))
        if dones[-1]:
            break
        s = s2
    return np.array(states), np.array(actions), np.array(rewards), np.array(dones)


def reinforce(
    mdp, episodes, gamma=0.9, lr=0.5, baseline=False, lr_baseline=0.1, seed=0, max_steps=200
):
    """Train a tabular softmax policy with REINFORCE: ``(theta, returns)``.

    After each episode ``theta += lr * reinforce_gradient(...)``. With ``baseline=True``
    a per-state baseline ``b(s)`` is learnt alongside by Monte Carlo regression
    (``b[s_t] += lr_baseline * (G_t - b[s_t])``) and subtracted. ``returns`` holds each
    episode's discounted return.
    """
    rng = np.random.default_rng(seed)
    theta = np.zeros((mdp.n_states, mdp.n_actions))
    b = np.zeros(mdp.n_states)
    returns = np.zeros(episodes)
    for episode in range(episodes):
        states, actions, rewards, _ = _episode(mdp, theta, rng, max_steps)
        grad = reinforce_gradient(states, actions, rewards, theta, gamma, b if baseline else None)
        G = discounted_returns(rewards, gamma)
        returns[episode] = G[0]
        if baseline:
            np.add.at(b, states, lr_baseline * (G - b[states]))
        theta += lr * grad
    return theta, returns


def actor_critic(mdp, episodes, gamma=0.9, lr_actor=0.5, lr_critic=0.2, seed=0, max_steps=200):
    """One-step (TD(0)) actor-critic with a tabular softmax actor and a tabular critic.

    At every step ``a ~ pi(. | s)``, ``s2 ~ P[s, a]``, ``r = R[s, a]``, and with the TD error
    ``delta = r + gamma (1 - done) V[s2] - V[s]`` (an estimate of the advantage):
    ``V[s] += lr_critic * delta`` and ``theta[s] += lr_actor * gamma^t * delta *
    (onehot(a) - pi(. | s))``. Returns ``(theta, V, returns)``.
    """
    check_gamma(gamma, "actor_critic", allow_one=True)
    rng = np.random.default_rng(seed)
    theta = np.zeros((mdp.n_states, mdp.n_actions))
    V = np.zeros(mdp.n_states)
    eye = np.eye(mdp.n_actions)
    returns = np.zeros(episodes)
    for episode in range(episodes):
        s, discount = mdp.start, 1.0
        for _ in range(max_steps):
            z = np.exp(theta[s] - theta[s].max())
            pi = z / z.sum()
            a = int(_draw(pi, rng))
            s2 = int(_draw(mdp.P[s, a], rng))
            r, done = mdp.R[s, a], bool(mdp.terminal[s2])
            delta = r + (0.0 if done else gamma * V[s2]) - V[s]
            V[s] += lr_critic * delta
            theta[s] += lr_actor * discount * delta * (eye[a] - pi)
            returns[episode] += discount * r
            discount *= gamma
            if done:
                break
            s = s2
    return theta, V, returns


def gaussian_policy_score(a, mu, log_std):
    """Score of a Gaussian policy ``a ~ N(mu, sigma^2)``, ``sigma = exp(log_std)``.

    ``log pi(a) = -(a - mu)^2 / (2 sigma^2) - log_std - log(2 pi) / 2``, so
    ``d/d mu = (a - mu) / sigma^2`` and ``d/d log_std = (a - mu)^2 / sigma^2 - 1``
    (with respect to ``log sigma``, not ``sigma``). Element-wise with broadcasting;
    returns ``(d_mu, d_log_std)``.
    """
    a, mu, log_std = (np.asarray(x, dtype=float) for x in (a, mu, log_std))
    z = (a - mu) * np.exp(-log_std)  # standardised action
    var = np.exp(2 * log_std)
    return np.broadcast_to((a - mu) / var, z.shape).copy(), z**2 - 1


def gaussian_bandit_gradients(mu, log_std, target, n, rng):
    """Score-function estimates of ``grad E[r]`` for the reward ``r(a) = -(a - target)^2``.

    Actions ``a ~ N(mu, sigma^2)`` with ``sigma = exp(log_std)``. Returns ``(d_mu,
    d_log_std)`` per sample, each (n,): ``r(a_i) * score_i``. Their means
    estimate the exact gradients ``-2 (mu - target)`` and ``-2 sigma^2`` (since
    ``E[r] = -(mu - target)^2 - sigma^2``).
    """
    a = mu + np.exp(log_std) * rng.standard_normal(n)
    d_mu, d_log_std = gaussian_policy_score(a, mu, log_std)
    r = -((a - target) ** 2)
    return r * d_mu, r * d_log_std


def gae(rewards, values, next_values, dones, gamma, lam):
    """Generalised advantage estimates, shape (T,).

    ``delta_t = r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)`` and
    ``A_t = delta_t + gamma lam (1 - done_t) A_{t+1}`` (``A_T = 0``): an exponentially
    weighted sum ``sum_k (gamma lam)^k delta_{t+k}`` that stops at each episode's end.
    ``values[t] = V(s_t)``, ``next_values[t] = V(s_{t+1})``; lam = 0 gives the TD errors,
    lam = 1 the discounted returns (bootstrapped at a cut) minus ``V(s_t)``.
    """
    arrays = [np.asarray(x, dtype=float) for x in (rewards, values, next_values, dones)]
    if len({x.shape for x in arrays}) != 1 or arrays[0].ndim != 1:
        raise ValueError("gae: rewards, values, next_values and dones must share one shape (T,)")
    rewards, values, next_values, dones = arrays
    if not 0 <= lam <= 1:
        raise ValueError(f"gae: lam must lie in [0, 1], got {lam}")
    gamma = check_gamma(gamma, "gae", allow_one=True)
    alive = 1.0 - dones
    deltas = rewards + gamma * alive * next_values - values
    advantages = np.zeros_like(deltas)
    running = 0.0
    for t in range(len(deltas) - 1, -1, -1):
        running = deltas[t] + gamma * lam * alive[t] * running
        advantages[t] = running
    return advantages


__all__ = [
    "actor_critic",
    "discounted_visitation",
    "gae",
    "gaussian_bandit_gradients",
    "gaussian_policy_score",
    "policy_gradient_exact",
    "policy_value",
    "reinforce",
    "reinforce_gradient",
    "softmax_score",
]
