"""Temporal-difference control in a tabular MDP: Q-learning (and SARSA for comparison).

The Q-learning update of one transition ``(s, a, r, s2, done)`` is

    Q[s, a] <- Q[s, a] + alpha * (r + gamma * (1 - done) * max_b Q[s2, b] - Q[s, a]),

where ``done`` says that ``s2`` is terminal: the value after a terminal state is 0, so
the target does not bootstrap from it. SARSA replaces ``max_b Q[s2, b]`` by ``Q[s2, a2]``
for the action ``a2`` the behaviour policy takes next (on-policy).
"""

import numpy as np

from dlkit.rl.mdp import _draw


def q_learning_batch(Q, states, actions, rewards, next_states, dones, alpha, gamma):
    """A new Q table after the Q-learning update of each transition of a batch, in order.

    ``Q`` (S, A) is not modified. Transitions are applied **one after another**, each
    seeing the updates before it, so a repeated ``(s, a)`` pair is updated twice (a
    fancy-indexed ``Q[s, a] += ...`` would keep only the last update). ``states``,
    ``actions``, ``rewards``, ``next_states``, ``dones``: arrays of shape (B,).
    """
    Q = np.array(Q, dtype=float)  # a copy
    if Q.ndim != 2:
        raise ValueError(f"q_learning_batch: Q must have shape (S, A), got {Q.shape}")
    batch = [np.asarray(x) for x in (states, actions, rewards, next_states, dones)]
    if len({b.shape for b in batch}) != 1 or batch[0].ndim != 1:
        raise ValueError("q_learning_batch: the five transition arrays must share one shape (B,)")
    for s, a, r, s2, done in zip(*batch):
        target = r + gamma * (0.0 if done else Q[s2].max())
        Q[s, a] += alpha * (target - Q[s, a])
    return Q


def _epsilon_greedy(q_row, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    return int(q_row.argmax())


def q_learning(
    mdp,
    episodes,
    alpha=0.1,
    gamma=0.9,
    epsilon=0.1,
    seed=0,
    max_steps=200,
    sarsa=False,
    q_init=0.0,
):
    """Tabular Q-learning (or SARSA) with an epsilon-greedy behaviour policy.

    Each episode starts in ``mdp.start`` and runs until a terminal state (or
    ``max_steps``); rewards are ``R[s, a]``, next states drawn from ``P[s, a]``. The table
    starts at ``q_init`` everywhere: an **optimistic** start (above every achievable value)
    makes the greedy policy try each untried action, since its estimate can only fall.
    Returns ``(Q, returns)``: the table (S, A) and each episode's discounted return
    (episodes,).
    """
    rng = np.random.default_rng(seed)
    Q = np.full((mdp.n_states, mdp.n_actions), float(q_init))
    returns = np.zeros(episodes)
    for episode in range(episodes):
        s = mdp.start
        a = _epsilon_greedy(Q[s], epsilon, rng)
        discount = 1.0
        for _ in range(max_steps):
            s2 = int(_draw(mdp.P[s, a], rng))
            r, done = mdp.R[s, a], bool(mdp.terminal[s2])
            a2 = _epsilon_greedy(Q[s2], epsilon, rng)
            following = Q[s2, a2] if sarsa else Q[s2].max()
            Q[s, a] += alpha * (r + gamma * (0.0 if done else following) - Q[s, a])
            returns[episode] += discount * r
            discount *= gamma
            if done:
                break
            s, a = s2, a2
    return Q, returns


__all__ = ["q_learning", "q_learning_batch"]
