"""Off-policy evaluation by importance sampling.

Trajectories of a **behaviour** policy ``b`` estimate the value of a **target** policy
``pi``. With the ratios ``rho_t = pi(a_t | s_t) / b(a_t | s_t)``, their running products
``rho_{0:t} = prod_{k <= t} rho_k`` and the return ``G = sum_{t < H} gamma^t r_t`` of each
trajectory of ``H`` steps:

- **ordinary** IS: ``mean_i rho_{0:H-1}^(i) G^(i)`` (unbiased; variance can explode);
- **weighted** IS: ``sum_i rho^(i) G^(i) / sum_i rho^(i)`` (biased, consistent, far smaller
  variance);
- **per-decision** IS: ``mean_i sum_t gamma^t rho_{0:t}^(i) r_t^(i)``: reward ``r_t`` only
  needs the ratios up to step t (unbiased, lower variance than ordinary IS).

They estimate ``V_pi^H(s_0) = E_pi[sum_{t<H} gamma^t r_t]`` and need ``b(a | s) > 0``
wherever ``pi(a | s) > 0`` (coverage).
"""

import numpy as np


def importance_ratios(states, actions, pi, b):
    """``rho_t = pi[s_t, a_t] / b[s_t, a_t]`` of every step, shape (N, H)."""
    pi, b = np.asarray(pi, dtype=float), np.asarray(b, dtype=float)
    if pi.shape != b.shape or pi.ndim != 2:
        raise ValueError(
            f"importance_ratios: pi and b must both be (S, A), got {pi.shape}, {b.shape}"
        )
    if np.any((pi > 0) & (b <= 0)):
        raise ValueError(
            "importance_ratios: the behaviour policy b must give every action pi can take a "
            "positive probability (coverage)"
        )
    states, actions = np.asarray(states, dtype=int), np.asarray(actions, dtype=int)
    taken = b[states, actions]
    if np.any(taken <= 0):
        raise ValueError("importance_ratios: a trajectory takes an action b never takes")
    return pi[states, actions] / taken


def off_policy_estimates(states, actions, rewards, pi, b, gamma, per_trajectory=False):
    """Ordinary, weighted and per-decision IS estimates of the target policy's value.

    ``states``, ``actions``, ``rewards`` of shape (N, H) hold N trajectories of H steps of
    the behaviour policy ``b`` (S, A); ``pi`` (S, A) is the target. Returns a dict with
    float values ``"ordinary"``, ``"weighted"`` (0 when every weight is 0) and
    ``"per_decision"``; with ``per_trajectory=True`` the ordinary and per-decision entries
    are the per-trajectory terms (N,) whose means are the estimates, and ``"weights"``
    (N,) the ratio products ``rho_{0:H-1}``.
    """
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 2 or np.shape(states) != rewards.shape or np.shape(actions) != rewards.shape:
        raise ValueError(
            "off_policy_estimates: states, actions and rewards must share one shape (N, H)"
        )
    rho = np.cumprod(importance_ratios(states, actions, pi, b), axis=1)  # (N, H) rho_{0:t}
    discounts = gamma ** np.arange(rewards.shape[1])  # (H,)
    G = rewards @ discounts  # (N,)
    weights = rho[:, -1]
    ordinary = weights * G
    per_decision = (rho * rewards) @ discounts
    total = weights.sum()
    weighted = float(ordinary.sum() / total) if total > 0 else 0.0
    if per_trajectory:
        return {
            "ordinary": ordinary,
            "weighted": weighted,
            "per_decision": per_decision,
            "weights": weights,
        }
    return {
        "ordinary": float(ordinary.mean()),
        "weighted": weighted,
        "per_decision": float(per_decision.mean()),
    }


def effective_sample_size(weights):
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of importance weights."""
    weights = np.asarray(weights, dtype=float)
    square = np.sum(weights**2)
    return float(np.sum(weights) ** 2 / square) if square > 0 else 0.0


__all__ = ["effective_sample_size", "importance_ratios", "off_policy_estimates"]
