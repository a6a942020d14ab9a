"""Widget drawings for module 20, reinforcement learning."""

from functools import cache

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit.plot import new_figure
from dlkit.rl import (
    GRID_MOVES,
    bandit_means,
    corridor,
    discounted_returns,
    gridworld,
    optimal_values_lp,
    policy_evaluation,
    policy_gradient_exact,
    q_from_v,
    regret,
    run_bandit,
    sample_trajectories,
    softmax_policy,
    value_iteration,
)

#: Parameters the regret panels sweep (epsilon of epsilon-greedy, c of UCB).
EPSILONS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
UCB_CONSTANTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
BANDIT_RUNS, BANDIT_ARMS, MAX_STEPS = 100, 10, 500
#: The REINFORCE variance demo: the corridor, its logits and the parameter shown.
PG_EPISODES, PG_THETA = 4000, np.array([[0.3, -0.2], [0.5, 0.0], [0.0, 0.0], [0.0, 0.0]])
PG_GAMMA, PG_ENTRY, PG_HORIZON = 0.9, (0, 1), 200


def _few_ticks(fig, n=4):
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(n))
        ax.yaxis.set_major_locator(MaxNLocator(n))


@cache
def _value_history(grid, gamma, slip):
    """The grid world, every V_k of value iteration (tol 1e-10) and V*, computed once."""
    mdp = gridworld(grid, slip=slip)
    _, _, _, history = value_iteration(mdp.P, mdp.R, gamma, tol=1e-10, history=True)
    V_star = optimal_values_lp(mdp.P, mdp.R, gamma)
    for array in (history, V_star):
        array.flags.writeable = False
    return mdp, history, V_star


def draw_value_iteration(k, gamma=0.9, slip=0.1, grid="4x4"):
    """Value iteration on a grid world after ``k`` sweeps from ``V_0 = 0``.

    Left: ``V_k`` as a heat map with the greedy action of ``Q = R + gamma P V_k`` as an
    arrow in every free cell (H holes, G the goal, S the start). Right: the size of each
    sweep's change ``max |V_j - V_{j-1}|`` and the error ``max |V_j - V*|`` (log10), which
    shrink like ``gamma^j``; the dot marks sweep ``k``.
    """
    if not (isinstance(k, int | np.integer) and k >= 0):
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    if not 0 <= gamma < 1:
        raise ValueError(f"gamma must lie in [0, 1), got {gamma}")
    if grid not in ("4x4", "8x8"):
        raise ValueError(f"grid must be '4x4' or '8x8', got {grid!r}")
    mdp, history, V_star = _value_history(grid, float(gamma), float(slip))
    last = len(history) - 1
    V = history[min(k, last)]
    rows, cols = mdp.shape
    policy = q_from_v(mdp.P, mdp.R, V, gamma).argmax(axis=1)[: rows * cols]

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.9, top=0.86, bottom=0.13, left=0.1)
    fig.subplots_adjust(wspace=0.35)
    left.imshow(mdp.cells(V), cmap="viridis", vmin=0.0, vmax=max(1.0, V_star.max()))
    letters = np.array([list(row) for row in mdp.grid])
    kinds = letters.reshape(-1)
    free = (kinds != "H") & (kinds != "G")
    r, c = np.divmod(np.arange(rows * cols), cols)
    moves = GRID_MOVES[policy]  # (cells, 2): (row, column) steps
    left.quiver(
        c[free],
        r[free],
        moves[free, 1],
        -moves[free, 0],
        color="white",
        scale=2.4 * cols,
        width=0.012,
        pivot="middle",
    )
    for cell in range(rows * cols):
        label = kinds[cell] if kinds[cell] in "HG" else ""
        if rows <= 4:
            label = f"{label} {V[cell]:.2f}".strip() if kinds[cell] != "H" else "H"
        if label:
            color = "red" if kinds[cell] in "HG" else "white"
            left.text(
                c[cell], r[cell] + 0.32, label, ha="center", va="center", color=color, fontsize=8
            )
    left.grid(False)
    left.set_xlabel("column")
    left.set_ylabel("row")
    left.set_title(f"V_{min(k, last)} (colour) and its greedy policy")

    sweeps = np.arange(1, last + 1)
    change = np.log10(np.maximum(np.abs(np.diff(history, axis=0)).max(axis=1), 1e-16))
    error = np.log10(np.maximum(np.abs(history - V_star).max(axis=1), 1e-16))
    right.plot(sweeps, change, color="C0", label="max |V_j - V_(j-1)|")
    right.plot(np.arange(last + 1), error, color="C1", label="max |V_j - V*|")
    shown = min(k, last)
    right.plot([shown], [error[shown]], "o", color="C3")
    right.set_xlabel("sweep j")
    right.set_ylabel("log10 of the change or error")
    right.set_title(f"V_k(start) = {V[mdp.start]:.4f}, V* = {V_star[mdp.start]:.4f}")
    right.legend(loc="upper right", fontsize=8)
    fig.suptitle(f"Value iteration, {grid} grid, gamma = {gamma:g}, slip = {slip:g}")
    _few_ticks(fig)
    left.set_xticks(range(cols))
    left.set_yticks(range(rows))
    return fig


@cache
def _testbed():
    means = bandit_means(BANDIT_RUNS, BANDIT_ARMS, seed=0)
    means.flags.writeable = False
    return means


@cache
def _regret_curve(policy, param):
    """Average cumulative regret over the test bed's runs, (MAX_STEPS,), computed once."""
    means = _testbed()
    actions, _ = run_bandit(means, policy, param, MAX_STEPS, seed=1)
    curve = regret(means, actions).mean(axis=0)
    curve.flags.writeable = False
    return curve


def _mean_regret(policy, param, steps):
    """The first ``steps`` values: a shorter run draws the same numbers as a longer one's start."""
    return _regret_curve(policy, float(param))[:steps]


def draw_bandit_regret(eps=0.1, c=2.0, steps=500):
    """Cumulative regret of greedy, epsilon-greedy (``eps``) and UCB (``c``) on a 10-armed
    Gaussian test bed (100 runs, arm means N(0, 1), rewards N(mean, 1)).

    Left: the average cumulative regret against the step. Middle and right: the regret
    after ``steps`` steps against epsilon and against c (the sliders' values marked):
    too little exploration locks onto a poor arm, too much keeps paying for it.
    """
    if not 0 <= eps <= 1:
        raise ValueError(f"eps must lie in [0, 1], got {eps}")
    if not c >= 0:
        raise ValueError(f"c must be >= 0, got {c}")
    if not (isinstance(steps, int | np.integer) and 20 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer in 20..{MAX_STEPS}, got {steps!r}")
    eps, c, steps = float(eps), float(c), int(steps)
    fig, axes = new_figure(ncols=3, width=3.6, height=3.4, top=0.84, bottom=0.16)
    left, middle, right = axes
    t = np.arange(1, steps + 1)
    curves = {
        "greedy": _mean_regret("eps_greedy", 0.0, steps),
        f"eps-greedy, eps = {eps:g}": _mean_regret("eps_greedy", eps, steps),
        f"UCB, c = {c:g}": _mean_regret("ucb", c, steps),
    }
    for (label, curve), color in zip(curves.items(), ("0.4", "C0", "C1")):
        left.plot(t, curve, color=color, label=label)
    left.set_xlabel("step t")
    left.set_ylabel("cumulative regret (reward units)")
    left.set_title("regret over time")
    left.legend(loc="upper left", fontsize=8)

    finals = [_mean_regret("eps_greedy", e, steps)[-1] for e in EPSILONS]
    middle.plot(EPSILONS, finals, "o-", color="C0")
    middle.plot([eps], [curves[f"eps-greedy, eps = {eps:g}"][-1]], "s", color="C3")
    middle.set_xlabel("epsilon")
    middle.set_ylabel(f"regret after {steps} steps")
    middle.set_title("epsilon-greedy")
    finals = [_mean_regret("ucb", u, steps)[-1] for u in UCB_CONSTANTS]
    right.plot(UCB_CONSTANTS, finals, "o-", color="C1")
    right.plot([c], [curves[f"UCB, c = {c:g}"][-1]], "s", color="C3")
    right.set_xlabel("UCB constant c")
    right.set_ylabel(f"regret after {steps} steps")
    right.set_title("UCB")
    fig.suptitle("Exploration on a 10-armed bandit (100 runs)")
    _few_ticks(fig)
    return fig


@cache
def _pg_estimates():
    """REINFORCE estimates of one parameter's gradient from single episodes, without and
    with the baseline V_pi, and the exact gradient.

    The episodes are sampled all at once, PG_HORIZON steps long; after the terminal state
    the rewards and the score of entry ``PG_ENTRY`` are 0, so the cut changes nothing
    unless an episode outlasts the horizon (probability about 1e-13 per episode here).
    """
    mdp = corridor(3, slip=0.2)
    pi = softmax_policy(PG_THETA)
    V, _ = policy_evaluation(mdp.P, mdp.R, pi, PG_GAMMA)
    rng = np.random.default_rng(0)
    states, actions, rewards = sample_trajectories(mdp, pi, PG_HORIZON, PG_EPISODES, rng)
    s, a = PG_ENTRY
    G = discounted_returns(rewards, PG_GAMMA)  # (episodes, horizon): the reward-to-go
    discount = PG_GAMMA ** np.arange(PG_HORIZON)  # (horizon,)
    score = (states == s) * ((actions == a) - pi[s, a])  # entry [s, a] of grad log pi
    plain = (discount * G * score).sum(axis=1)
    based = (discount * (G - V[states]) * score).sum(axis=1)
    exact = policy_gradient_exact(mdp, PG_THETA, PG_GAMMA)[PG_ENTRY]
    for array in (plain, based):
        array.flags.writeable = False
    return plain, based, float(exact)


def draw_pg_variance(n_episodes=1, bins=40):
    """Histograms of REINFORCE estimates of ``dJ / d theta[0, right]`` on the corridor, each
    averaged over ``n_episodes`` episodes, without and with the baseline ``V_pi(s)``.

    Both are centred on the exact gradient (dashed); the baseline shrinks the spread, and
    averaging n episodes divides the variance by n.
    """
    if not (isinstance(n_episodes, int | np.integer) and 1 <= n_episodes <= 200):
        raise ValueError(f"n_episodes must be an integer in 1..200, got {n_episodes!r}")
    plain, based, exact = _pg_estimates()
    usable = PG_EPISODES // n_episodes * n_episodes
    plain = plain[:usable].reshape(-1, n_episodes).mean(axis=1)
    based = based[:usable].reshape(-1, n_episodes).mean(axis=1)
    fig, ax = new_figure(width=6.0, height=3.6, top=0.86, bottom=0.15)
    low, high = np.quantile(np.concatenate([plain, based]), [0.005, 0.995])
    edges = np.linspace(low, high, bins + 1)
    ax.hist(
        plain,
        edges,
        histtype="stepfilled",
        alpha=0.55,
        color="C0",
        label=f"no baseline, var {plain.var():.3g}",
    )
    ax.hist(
        based,
        edges,
        histtype="stepfilled",
        alpha=0.55,
        color="C1",
        label=f"baseline V(s), var {based.var():.3g}",
    )
    ax.axvline(exact, color="k", ls="--", lw=1, label=f"exact gradient {exact:.3f}")
    ax.set_xlabel("estimate of dJ / d theta[0, right]")
    ax.set_ylabel("count of estimates")
    ax.set_title(
        f"REINFORCE, {n_episodes} episode{'s' if n_episodes > 1 else ''} per estimate: "
        f"variance ratio {plain.var() / based.var():.2f}"
    )
    ax.legend(loc="upper right", fontsize=8)
    _few_ticks(fig)
    return fig


__all__ = ["draw_bandit_regret", "draw_pg_variance", "draw_value_iteration"]
