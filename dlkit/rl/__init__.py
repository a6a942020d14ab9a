"""Reinforcement learning on finite MDPs stored as arrays ``P`` (S, A, S) and ``R`` (S, A).

One file per family, written for module 20: ``mdp`` (the MDP container, the corridor and
grid-world environments, policies, sampling), ``planning`` (returns, policy evaluation by a
linear solve, value and policy iteration, the linear program for V*), ``td`` (Q-learning,
SARSA), ``bandits`` (epsilon-greedy and UCB, regret), ``policy_gradient`` (REINFORCE with a
baseline, the exact policy gradient, Gaussian-policy scores, GAE, actor-critic) and
``off_policy`` (importance-sampling estimators). This package re-exports what notebooks
use, so they write ``dk.rl.<name>``.
"""

from dlkit.rl.bandits import POLICIES, bandit_means, optimal_action_rate, regret, run_bandit
from dlkit.rl.mdp import (
    GRID_ACTIONS,
    GRID_MOVES,
    MAP_4X4,
    MAP_8X8,
    MDP,
    check_mdp,
    check_policy,
    corridor,
    epsilon_greedy_policy,
    gridworld,
    random_mdp,
    sample_episode,
    sample_trajectories,
    softmax_policy,
    uniform_policy,
)
from dlkit.rl.off_policy import effective_sample_size, importance_ratios, off_policy_estimates
from dlkit.rl.planning import (
    bellman_residual,
    discounted_returns,
    finite_horizon_value,
    greedy_policy,
    iterative_policy_evaluation,
    optimal_values_lp,
    policy_arrays,
    policy_evaluation,
    policy_iteration,
    q_from_v,
    value_iteration,
)
from dlkit.rl.policy_gradient import (
    actor_critic,
    discounted_visitation,
    gae,
    gaussian_bandit_gradients,
    gaussian_policy_score,
    policy_gradient_exact,
    policy_value,
    reinforce,
    reinforce_gradient,
    softmax_score,
)
from dlkit.rl.td import q_learning, q_learning_batch

__all__ = [
    "GRID_ACTIONS",
    "GRID_MOVES",
    "MAP_4X4",
    "MAP_8X8",
    "MDP",
    "POLICIES",
    "actor_critic",
    "bandit_means",
    "bellman_residual",
    "check_mdp",
    "check_policy",
    "corridor",
    "discounted_returns",
    "discounted_visitation",
    "effective_sample_size",
    "epsilon_greedy_policy",
    "finite_horizon_value",
    "gae",
    "gaussian_bandit_gradients",
    "gaussian_policy_score",
    "greedy_policy",
    "gridworld",
    "importance_ratios",
    "iterative_policy_evaluation",
    "off_policy_estimates",
    "optimal_action_rate",
    "optimal_values_lp",
    "policy_arrays",
    "policy_evaluation",
    "policy_gradient_exact",
    "policy_iteration",
    "policy_value",
    "q_from_v",
    "q_learning",
    "q_learning_batch",
    "random_mdp",
    "regret",
    "reinforce",
    "reinforce_gradient",
    "run_bandit",
    "sample_episode",
    "sample_trajectories",
    "softmax_policy",
    "softmax_score",
    "uniform_policy",
    "value_iteration",
]
