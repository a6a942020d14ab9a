"""Multi-armed bandits: exploration by epsilon-greedy and UCB, and their regret.

A ``k``-armed Gaussian bandit pays ``r ~ N(mu_a, 1)`` for pulling arm ``a``. Many
independent bandits are simulated at once: ``means`` has shape (runs, k), one row per run.
Both policies keep sample-average estimates ``Q_a`` (0 before the first pull) and counts
``N_a``, updated incrementally ``N_a <- N_a + 1``, ``Q_a <- Q_a + (r - Q_a) / N_a``:

- **epsilon-greedy**: with probability ``epsilon`` an arm drawn uniformly from all ``k``
  (the greedy one included), otherwise the greedy arm ``argmax_a Q_a`` (first maximum);
- **UCB1**: pull every arm once (arm 0, 1, ..., k-1 at steps 1..k), then at step ``t``
  (counted from 1) the arm maximising ``Q_a + c sqrt(ln t / N_a)`` (first maximum).

The **regret** after ``T`` steps is ``sum_t (mu* - mu_{a_t})``, the expected reward lost
against always pulling the best arm ``mu* = max_a mu_a``.
"""

import numpy as np

POLICIES = ("eps_greedy", "ucb")


def bandit_means(runs, k, seed=0):
    """The standard test bed: arm means drawn from N(0, 1), shape (runs, k)."""
    return np.random.default_rng(seed).standard_normal((runs, k))


def run_bandit(means, policy, param, steps, seed):
    """Simulate ``steps`` pulls of every run's bandit: ``(actions, rewards)``, both (runs, steps).

    ``policy`` is ``"eps_greedy"`` (``param`` = epsilon in [0, 1]) or ``"ucb"`` (``param``
    = the exploration constant c >= 0); rewards are ``N(means[run, arm], 1)``; all
    randomness comes from ``np.random.default_rng(seed)``.
    """
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or means.shape[1] < 1:
        raise ValueError(f"run_bandit: means must have shape (runs, k), got {means.shape}")
    if policy not in POLICIES:
        raise ValueError(f"run_bandit: policy must be one of {POLICIES}, got {policy!r}")
    if policy == "eps_greedy" and not 0 <= param <= 1:
        raise ValueError(f"run_bandit: epsilon must lie in [0, 1], got {param}")
    if policy == "ucb" and not param >= 0:
        raise ValueError(f"run_bandit: the UCB constant c must be >= 0, got {param}")
    rng = np.random.default_rng(seed)
    runs, k = means.shape
    rows = np.arange(runs)
    Q, N = np.zeros((runs, k)), np.zeros((runs, k))
    actions = np.empty((runs, steps), dtype=int)
    rewards = np.empty((runs, steps))
    for t in range(steps):
        if policy == "eps_greedy":
            explore = rng.random(runs) < param
            a = np.where(explore, rng.integers(k, size=runs), Q.argmax(axis=1))
        elif t < k:
            a = np.full(runs, t)
        else:
            a = (Q + param * np.sqrt(np.log(t + 1) / N)).argmax(axis=1)  # step t + 1
        r = means[rows, a] + rng.standard_normal(runs)
        N[rows, a] += 1
        Q[rows, a] += (r - Q[rows, a]) / N[rows, a]
        actions[:, t], rewards[:, t] = a, r
    return actions, rewards


def regret(means, actions):
    """Cumulative regret ``sum_{t' <= t} (mu* - mu_{a_t'})`` of every run, shape (runs, steps)."""
    means = np.asarray(means, dtype=float)
    actions = np.asarray(actions)
    if actions.ndim != 2 or actions.shape[0] != means.shape[0]:
        raise ValueError(
            f"regret: actions must have shape (runs, steps) with runs = {means.shape[0]}, "
            f"got {actions.shape}"
        )
    lost = means.max(axis=1, keepdims=True) - np.take_along_axis(means, actions, axis=1)
    return np.cumsum(lost, axis=1)


def optimal_action_rate(means, actions):
    """The fraction of runs pulling a best arm at each step, shape (steps,)."""
    means = np.asarray(means, dtype=float)
    best = np.take_along_axis(means, np.asarray(actions), axis=1) == means.max(axis=1)[:, None]
    return best.mean(axis=0)


__all__ = ["POLICIES", "bandit_means", "optimal_action_rate", "regret", "run_bandit"]
