"""Returns, value functions and planning in a known MDP (arrays ``P`` (S, A, S), ``R`` (S, A)).

- the **discounted return** ``G_t = r_t + gamma (1 - done_t) G_{t+1}``, reset at episode ends;
- **policy evaluation**: the Bellman expectation equation ``V = R_pi + gamma P_pi V`` is
  linear, so ``V_pi = (I - gamma P_pi)^{-1} R_pi`` with ``R_pi[s] = sum_a pi(a|s) R[s, a]``
  and ``P_pi[s, s2] = sum_a pi(a|s) P[s, a, s2]``; then ``Q = R + gamma P V``;
- **value iteration**: ``V_{k+1}(s) = max_a (R[s, a] + gamma sum_s2 P[s, a, s2] V_k(s2))``,
  a gamma-contraction, so ``||V_k - V*|| <= gamma^k ||V_0 - V*||``;
- **policy iteration**: evaluate exactly, improve greedily, until the policy is stable;
- the optimal values as the solution of a **linear program** (an independent route to V*).
"""

import numpy as np
import scipy.optimize

from dlkit.rl.mdp import check_gamma, check_mdp, check_policy

#: Greedy improvement keeps the current action unless another is better by more than this.
TIE_TOLERANCE = 1e-10


def discounted_returns(rewards, gamma, dones=None):
    """The discounted return of every step, resetting at episode ends.

    ``G_t = r_t + gamma * (1 - done_t) * G_{t+1}``, with ``G_T = 0`` past the last step;
    ``dones[t]`` is True when the episode ended with step ``t`` (its next state is
    terminal), so nothing after it is discounted into ``G_t``. ``rewards`` and ``dones``
    have shape (..., T), time on the last axis; returns an array of that shape.
    """
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim == 0:
        raise ValueError("discounted_returns: rewards must have a time axis (shape (..., T))")
    gamma = check_gamma(gamma, "discounted_returns", allow_one=True)
    if dones is None:
        dones = np.zeros(rewards.shape, dtype=bool)
    dones = np.asarray(dones, dtype=bool)
    if dones.shape != rewards.shape:
        raise ValueError(
            f"discounted_returns: dones must have the shape of rewards {rewards.shape}, "
            f"got {dones.shape}"
        )
    returns = np.empty_like(rewards)
    running = np.zeros(rewards.shape[:-1])
    for t in range(rewards.shape[-1] - 1, -1, -1):
        running = rewards[..., t] + gamma * (1.0 - dones[..., t]) * running
        returns[..., t] = running
    return returns


def policy_arrays(P, R, policy):
    """``(P_pi (S, S), R_pi (S,))``: the Markov chain and rewards of following ``policy``."""
    P, R = check_mdp(P, R, "policy_arrays")
    pi = check_policy(policy, *R.shape, "policy_arrays")
    return np.einsum("sa,sat->st", pi, P), np.einsum("sa,sa->s", pi, R)


def q_from_v(P, R, V, gamma):
    """``Q[s, a] = R[s, a] + gamma * sum_s2 P[s, a, s2] V[s2]``, shape (S, A)."""
    return np.asarray(R, dtype=float) + gamma * np.asarray(P, dtype=float) @ np.asarray(V, float)


def policy_evaluation(P, R, policy, gamma):
    """Exact ``(V, Q)`` of ``policy`` by one linear solve.

    ``V = (I - gamma P_pi)^{-1} R_pi`` of shape (S,) and ``Q = R + gamma P V`` of shape
    (S, A); they satisfy ``V[s] = sum_a pi(a|s) Q[s, a]``. ``gamma`` in [0, 1).
    """
    gamma = check_gamma(gamma, "policy_evaluation")
    P_pi, R_pi = policy_arrays(P, R, policy)
    V = np.linalg.solve(np.eye(len(R_pi)) - gamma * P_pi, R_pi)
    return V, q_from_v(P, R, V, gamma)


def iterative_policy_evaluation(P, R, policy, gamma, sweeps):
    """``V_k`` after ``sweeps`` synchronous Bellman expectation backups from ``V_0 = 0``:
    ``V_{k+1} = R_pi + gamma P_pi V_k``. Returns an array (sweeps + 1, S) of every V_k."""
    gamma = check_gamma(gamma, "iterative_policy_evaluation", allow_one=True)
    P_pi, R_pi = policy_arrays(P, R, policy)
    history = np.zeros((sweeps + 1, len(R_pi)))
    for k in range(sweeps):
        history[k + 1] = R_pi + gamma * P_pi @ history[k]
    return history


def greedy_policy(Q):
    """The greedy action of every state, ``argmax_a Q[s, a]`` (the first maximum), (S,) ints."""
    return np.asarray(Q, dtype=float).argmax(axis=1)


def value_iteration(P, R, gamma, tol=1e-8, max_sweeps=100_000, history=False):
    """Optimal values by value iteration: ``(V, policy, n_sweeps)``.

    Starts from ``V_0 = 0`` and applies synchronous sweeps
    ``V_k = max_a (R + gamma P V_{k-1})`` until the first ``k`` with
    ``max_s |V_k(s) - V_{k-1}(s)| < tol``; returns that ``V_k`` (S,), the greedy policy of
    ``Q = R + gamma P V_k`` ((S,) ints, first maximum) and ``n_sweeps = k``. Since the
    backup is a gamma-contraction, ``||V_k - V*|| <= gamma tol / (1 - gamma)``. With
    ``history=True`` a fourth value holds every ``V_0..V_k`` as an array (k + 1, S).
    """
    P, R = check_mdp(P, R, "value_iteration")
    gamma = check_gamma(gamma, "value_iteration")
    if not tol > 0:
        raise ValueError(f"value_iteration: tol must be positive, got {tol}")
    V = np.zeros(R.shape[0])
    values = [V]
    k, done = 0, False
    while not done:
        if k == max_sweeps:
            raise RuntimeError(f"value_iteration: no convergence in {max_sweeps} sweeps")
        V_new = q_from_v(P, R, V, gamma).max(axis=1)
        values.append(V_new)
        done = np.max(np.abs(V_new - V)) < tol
        V, k = V_new, k + 1
    policy = greedy_policy(q_from_v(P, R, V, gamma))
    if history:
        return V, policy, k, np.array(values)
    return V, policy, k


def policy_iteration(P, R, gamma, max_iters=10_000):
    """Optimal values and policy by policy iteration: ``(V, policy, n_iters)``.

    Starts from the policy that takes action 0 everywhere; each iteration evaluates the
    policy exactly (:func:`policy_evaluation`) and improves it greedily, keeping the
    current action unless another is better by more than :data:`TIE_TOLERANCE` (so ties
    cannot make it cycle); stops when no action changes. ``n_iters`` counts the
    evaluations, the last one included; ``V`` (S,) is the value of the returned policy.
    """
    P, R = check_mdp(P, R, "policy_iteration")
    gamma = check_gamma(gamma, "policy_iteration")
    policy = np.zeros(R.shape[0], dtype=int)
    rows = np.arange(R.shape[0])
    for n_iters in range(1, max_iters + 1):
        V, Q = policy_evaluation(P, R, policy, gamma)
        best = Q.argmax(axis=1)
        better = Q[rows, best] > Q[rows, policy] + TIE_TOLERANCE
        if not better.any():
            return V, policy, n_iters
        policy = np.where(better, best, policy)
    raise RuntimeError(f"policy_iteration: the policy still changed after {max_iters} iterations")


def optimal_values_lp(P, R, gamma):
    """V* as the solution of the linear program ``min sum_s V(s)`` subject to
    ``V(s) >= R[s, a] + gamma sum_s2 P[s, a, s2] V(s2)`` for every (s, a) (scipy's HiGHS)."""
    P, R = check_mdp(P, R, "optimal_values_lp")
    gamma = check_gamma(gamma, "optimal_values_lp")
    S, A = R.shape
    # constraint rows (s, a): gamma P[s, a] - e_s  <=  -R[s, a]
    A_ub = gamma * P.reshape(S * A, S) - np.repeat(np.eye(S), A, axis=0)  # (S A, S)
    result = scipy.optimize.linprog(
        np.ones(S), A_ub=A_ub, b_ub=-R.reshape(S * A), bounds=(None, None), method="highs"
    )
    if not result.success:
        raise RuntimeError(f"optimal_values_lp: the linear program failed: {result.message}")
    return result.x


def bellman_residual(P, R, V, gamma):
    """``max_s |max_a (R + gamma P V)(s) - V(s)|``: how far ``V`` is from optimal's fixed point."""
    return float(np.max(np.abs(q_from_v(P, R, V, gamma).max(axis=1) - np.asarray(V, float))))


def finite_horizon_value(P, R, policy, gamma, horizon):
    """``V_H(s) = E_pi[sum_{t<H} gamma^t r_t | s_0 = s]`` by backward induction, shape (S,)."""
    P_pi, R_pi = policy_arrays(P, R, policy)
    V = np.zeros(len(R_pi))
    for _ in range(horizon):
        V = R_pi + gamma * P_pi @ V
    return V


__all__ = [
    "TIE_TOLERANCE",
    "bellman_residual",
    "discounted_returns",
    "finite_horizon_value",
    "greedy_policy",
    "iterative_policy_evaluation",
    "optimal_values_lp",
    "policy_arrays",
    "policy_evaluation",
    "policy_iteration",
    "q_from_v",
    "value_iteration",
]
