"""Finite Markov decision processes as arrays, the course's environments, and sampling.

A finite MDP with ``S`` states and ``A`` actions is two arrays:

- ``P`` of shape ``(S, A, S)``: ``P[s, a, s2] = Pr(s_{t+1} = s2 | s_t = s, a_t = a)``,
  each row ``P[s, a]`` a probability vector;
- ``R`` of shape ``(S, A)``: the reward of taking action ``a`` in state ``s`` (the
  expected reward; in the environments here it is exactly the reward).

**Terminal states** are absorbing and pay nothing: ``P[s, a, s] = 1`` and ``R[s, a] = 0``
for every action, so an episode that reaches one has ended and its value is 0. A boolean
``terminal`` array of shape ``(S,)`` marks them. A **policy** is an ``(S, A)`` array of
action probabilities (rows summing to 1), or for a deterministic policy an integer array
of shape ``(S,)`` holding one action per state.

The environments: :func:`corridor` (a 1-D chain) and :func:`gridworld` (a slippery grid
with holes and a goal, the course's running example), plus :func:`random_mdp` for tests.
In both, the goal (and a hole) is a cell whose every action "exits" to one shared terminal
state with the goal's (or hole's) reward, so rewards depend on ``(s, a)`` only.
"""

from dataclasses import dataclass, field

import numpy as np

#: Grid actions, in index order, and their (row, column) moves.
GRID_ACTIONS = ("up", "right", "down", "left")
GRID_MOVES = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])  # (4, 2)

#: The 4 x 4 map the module uses (FrozenLake's layout): S start, F free, H hole, G goal.
MAP_4X4 = ("SFFF", "FHFH", "FFFH", "HFFG")
#: An 8 x 8 map with more holes and a longer way to the goal.
MAP_8X8 = (
    "SFFFFFFF",
    "FFFFFFFF",
    "FFFHFFFF",
    "FFFFFHFF",
    "FFFHFFFF",
    "FHHFFFHF",
    "FHFFHFHF",
    "FFFHFFFG",
)


@dataclass(frozen=True, eq=False)
class MDP:
    """A finite MDP: ``P`` (S, A, S), ``R`` (S, A), ``terminal`` (S,) bool, ``start`` state.

    ``grid`` holds the map of a grid world (a tuple of strings, one per row) and is None
    otherwise; for a grid, state ``r * cols + c`` is cell ``(r, c)`` and the last state
    is the terminal one. The arrays are read-only: copy them to change a model.
    """

    P: np.ndarray
    R: np.ndarray
    terminal: np.ndarray
    start: int = 0
    grid: tuple | None = field(default=None)

    def __post_init__(self):
        P, R = check_mdp(self.P, self.R, "MDP")
        terminal = np.asarray(self.terminal, dtype=bool)
        if terminal.shape != (P.shape[0],):
            raise ValueError(f"MDP: terminal must have shape ({P.shape[0]},), got {terminal.shape}")
        if not 0 <= int(self.start) < P.shape[0]:
            raise ValueError(f"MDP: start must be a state in 0..{P.shape[0] - 1}, got {self.start}")
        for name, array in (("P", P), ("R", R), ("terminal", terminal)):
            array = array.copy()
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        object.__setattr__(self, "start", int(self.start))

    @property
    def n_states(self) -> int:
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        return self.P.shape[1]

    @property
    def shape(self) -> tuple[int, int] | None:
        """(rows, cols) of a grid world, None for other MDPs."""
        return None if self.grid is None else (len(self.grid), len(self.grid[0]))

    def cells(self, values):
        """A grid world's per-state ``values`` (S,) as a (rows, cols) array (terminal dropped)."""
        if self.grid is None:
            raise ValueError("cells: this MDP is not a grid world")
        rows, cols = self.shape
        return np.asarray(values, dtype=float)[: rows * cols].reshape(rows, cols)  # (rows, cols)


# ---------------------------------------------------------------- validation


def check_mdp(P, R, func="mdp"):
    """``(P, R)`` as float arrays after checking shapes (S, A, S) and (S, A) and that every
    row of ``P`` is a probability vector; ValueError saying what is wrong otherwise."""
    P, R = np.asarray(P, dtype=float), np.asarray(R, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2]:
        raise ValueError(f"{func}: P must have shape (S, A, S), got {P.shape}")
    if R.shape != P.shape[:2]:
        raise ValueError(f"{func}: R must have shape (S, A) = {P.shape[:2]}, got {R.shape}")
    if not (np.all(np.isfinite(P)) and np.all(np.isfinite(R))):
        raise ValueError(f"{func}: P and R must be finite")
    if np.any(P < 0) or not np.allclose(P.sum(axis=2), 1.0, atol=1e-8):
        worst = np.abs(P.sum(axis=2) - 1).max()
        raise ValueError(
            f"{func}: every row P[s, a, :] must be a probability vector (non-negative, summing "
            f"to 1); the worst row sum is off by {worst:.3g}"
        )
    return P, R


def check_gamma(gamma, func, allow_one=False):
    """``gamma`` as a float in [0, 1) (or [0, 1] with ``allow_one``), else ValueError."""
    gamma = float(gamma)
    top_ok = gamma <= 1 if allow_one else gamma < 1
    if not (gamma >= 0 and top_ok):
        interval = "[0, 1]" if allow_one else "[0, 1): with gamma = 1 the linear system is singular"
        raise ValueError(f"{func}: gamma must lie in {interval}, got {gamma}")
    return gamma


def check_policy(policy, n_states, n_actions, func="policy"):
    """A policy as an (S, A) array of probabilities; an integer (S,) array of actions
    becomes its one-hot matrix. ValueError when rows are not probability vectors."""
    policy = np.asarray(policy)
    if policy.shape == (n_states,) and np.issubdtype(policy.dtype, np.integer):
        if np.any((policy < 0) | (policy >= n_actions)):
            raise ValueError(f"{func}: actions must lie in 0..{n_actions - 1}")
        return np.eye(n_actions)[policy]  # (S, A)
    policy = policy.astype(float)
    if policy.shape != (n_states, n_actions):
        raise ValueError(
            f"{func}: a policy is an (S, A) = ({n_states}, {n_actions}) array of probabilities "
            f"or an integer (S,) array of actions, got shape {policy.shape}"
        )
    if np.any(policy < 0) or not np.allclose(policy.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError(f"{func}: every row of the policy must be non-negative and sum to 1")
    return policy


# ---------------------------------------------------------------- environments


def corridor(n=5, slip=0.0):
    """A corridor of ``n`` cells and one terminal state, as an :class:`MDP`.

    States ``0..n-1`` are the cells (the agent starts in cell 0), state ``n`` the terminal
    one. Action 0 moves left, action 1 right. In cells ``0..n-2`` the move succeeds with
    probability ``1 - slip`` and goes the opposite way with probability ``slip``; a move
    left from cell 0 bumps into the wall and stays. Cell ``n-1`` is the goal: both actions
    lead to the terminal state with reward 1. Every other reward is 0.
    """
    if not (isinstance(n, int | np.integer) and n >= 2):
        raise ValueError(f"corridor: n must be an integer >= 2, got {n!r}")
    if not 0 <= slip <= 1:
        raise ValueError(f"corridor: slip must be a probability in [0, 1], got {slip}")
    S = n + 1
    P, R = np.zeros((S, 2, S)), np.zeros((S, 2))
    for s in range(n - 1):
        left, right = max(s - 1, 0), s + 1
        P[s, 0, left] += 1 - slip
        P[s, 0, right] += slip
        P[s, 1, right] += 1 - slip
        P[s, 1, left] += slip
    P[n - 1, :, n] = 1.0
    R[n - 1, :] = 1.0
    P[n, :, n] = 1.0
    terminal = np.zeros(S, dtype=bool)
    terminal[n] = True
    return MDP(P, R, terminal, start=0)


def gridworld(grid=MAP_4X4, slip=0.1, goal_reward=1.0, hole_reward=0.0, step_reward=0.0) -> MDP:
    """A slippery grid world from a map, as an :class:`MDP` with ``rows * cols + 1`` states.

    ``grid`` is a sequence of equal-length strings: ``S`` the start, ``F`` a free cell, ``H``
    a hole, ``G`` a goal (the module's 4 x 4 map :data:`MAP_4X4` by default; ``"8x8"``
    selects :data:`MAP_8X8`). State ``r * cols + c`` is cell ``(r, c)``; the last state is
    the terminal one. Actions ``0..3`` move up, right, down, left (:data:`GRID_ACTIONS`).

    From a free cell the agent moves as intended with probability ``1 - slip`` and to each
    of the two perpendicular directions with probability ``slip / 2``; a move off the
    grid leaves it where it was; the reward is ``step_reward``. In a goal (hole) cell every
    action leads to the terminal state with reward ``goal_reward`` (``hole_reward``).
    """
    if isinstance(grid, str):
        grid = {"4x4": MAP_4X4, "8x8": MAP_8X8}.get(grid, grid)
        if isinstance(grid, str):
            raise ValueError("gridworld: grid must be '4x4', '8x8' or a sequence of strings")
    grid = tuple(str(row) for row in grid)
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if rows == 0 or any(len(row) != cols for row in grid):
        raise ValueError("gridworld: the map must be a non-empty list of equal-length strings")
    letters = "".join(grid)
    if set(letters) - set("SFHG") or letters.count("S") != 1 or "G" not in letters:
        raise ValueError(
            "gridworld: the map may hold only S (one start), F, H and G (at least one goal)"
        )
    if not 0 <= slip <= 1:
        raise ValueError(f"gridworld: slip must be a probability in [0, 1], got {slip}")
    n_cells = rows * cols
    S, end = n_cells + 1, n_cells
    P, R = np.zeros((S, 4, S)), np.zeros((S, 4))
    for r in range(rows):
        for c in range(cols):
            s, kind = r * cols + c, grid[r][c]
            if kind in "GH":
                P[s, :, end] = 1.0
                R[s, :] = goal_reward if kind == "G" else hole_reward
                continue
            R[s, :] = step_reward
            for a in range(4):
                for move, p in ((a, 1 - slip), ((a + 1) % 4, slip / 2), ((a + 3) % 4, slip / 2)):
                    r2, c2 = r + GRID_MOVES[move, 0], c + GRID_MOVES[move, 1]
                    inside = 0 <= r2 < rows and 0 <= c2 < cols
                    P[s, a, r2 * cols + c2 if inside else s] += p
    P[end, :, end] = 1.0
    terminal = np.zeros(S, dtype=bool)
    terminal[end] = True
    return MDP(P, R, terminal, start=letters.index("S"), grid=grid)


def random_mdp(n_states, n_actions, seed=0, n_terminal=0, concentration=1.0):
    """A random MDP: Dirichlet(``concentration``) transition rows, N(0, 1) rewards, and
    the last ``n_terminal`` states terminal (absorbing, reward 0). Start state 0."""
    if n_terminal >= n_states:
        raise ValueError("random_mdp: at least one state must be non-terminal")
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(n_states, concentration), size=(n_states, n_actions))  # (S, A, S)
    R = rng.standard_normal((n_states, n_actions))
    terminal = np.zeros(n_states, dtype=bool)
    terminal[n_states - n_terminal :] = True
    P[terminal] = np.eye(n_states)[terminal][:, None, :]
    R[terminal] = 0.0
    return MDP(P, R, terminal, start=0)


# ---------------------------------------------------------------- policies


def softmax_policy(theta):
    """The tabular softmax policy ``pi(a | s) = exp(theta[s, a]) / sum_b exp(theta[s, b])``,
    an (S, A) array; computed stably (the row maximum subtracted)."""
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2:
        raise ValueError(f"softmax_policy: theta must have shape (S, A), got {theta.shape}")
    z = np.exp(theta - theta.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def uniform_policy(n_states, n_actions):
    """Every action equally likely in every state, an (S, A) array."""
    return np.full((n_states, n_actions), 1.0 / n_actions)


def epsilon_greedy_policy(Q, epsilon):
    """The epsilon-greedy policy of ``Q`` (S, A): probability ``epsilon / A`` on every
    action plus ``1 - epsilon`` on the greedy one (the first maximum), shape (S, A)."""
    Q = np.asarray(Q, dtype=float)
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon_greedy_policy: epsilon must lie in [0, 1], got {epsilon}")
    n_actions = Q.shape[1]
    policy = np.full(Q.shape, epsilon / n_actions)
    policy[np.arange(len(Q)), Q.argmax(axis=1)] += 1 - epsilon
    return policy


# ---------------------------------------------------------------- sampling


def _draw(rows, rng):
    """One index per row of the probability rows (n, K), by inverse-CDF sampling."""
    cdf = np.cumsum(rows, axis=-1)  # (n, K)
    u = rng.random(cdf.shape[:-1]) * cdf[..., -1]  # scaled: row sums off by round-off
    return np.minimum((cdf <= u[..., None]).sum(axis=-1), rows.shape[-1] - 1)


def sample_episode(mdp, policy, rng, max_steps=1000, start=None):
    """One episode of ``policy`` in ``mdp``, until a terminal state or ``max_steps`` steps.

    Returns a dict of arrays of length T: ``states``, ``actions``, ``rewards``
    (``R[s_t, a_t]``), ``next_states`` and ``dones`` (``dones[t]`` is True when
    ``next_states[t]`` is terminal; an episode cut at ``max_steps`` ends with False).
    """
    P, R = mdp.P, mdp.R
    policy = check_policy(policy, mdp.n_states, mdp.n_actions, "sample_episode")
    s = mdp.start if start is None else int(start)
    out = {k: [] for k in ("states", "actions", "rewards", "next_states", "dones")}
    for _ in range(max_steps):
        if mdp.terminal[s]:
            break
        a = int(_draw(policy[s], rng))
        s2 = int(_draw(P[s, a], rng))
        for key, value in zip(out, (s, a, R[s, a], s2, bool(mdp.terminal[s2]))):
            out[key].append(value)
        s = s2
    dtypes = {"states": int, "actions": int, "rewards": float, "next_states": int, "dones": bool}
    return {key: np.array(values, dtype=dtypes[key]) for key, values in out.items()}


def sample_trajectories(mdp, policy, horizon, n, rng, start=None):
    """``n`` trajectories of ``horizon`` steps each, all at once (vectorised over runs).

    A trajectory that reaches a terminal state stays there with reward 0, so every
    trajectory has the same length. Returns ``(states, actions, rewards)``, each of shape
    (n, horizon).
    """
    policy = check_policy(policy, mdp.n_states, mdp.n_actions, "sample_trajectories")
    states = np.empty((n, horizon), dtype=int)
    actions = np.empty((n, horizon), dtype=int)
    rewards = np.empty((n, horizon))
    s = np.full(n, mdp.start if start is None else int(start))
    for t in range(horizon):
        a = _draw(policy[s], rng)  # (n,)
        states[:, t], actions[:, t], rewards[:, t] = s, a, mdp.R[s, a]
        s = _draw(mdp.P[s, a], rng)
    return states, actions, rewards


__all__ = [
    "GRID_ACTIONS",
    "GRID_MOVES",
    "MAP_4X4",
    "MAP_8X8",
    "MDP",
    "check_gamma",
    "check_mdp",
    "check_policy",
    "corridor",
    "epsilon_greedy_policy",
    "gridworld",
    "random_mdp",
    "sample_episode",
    "sample_trajectories",
    "softmax_policy",
    "uniform_policy",
]
