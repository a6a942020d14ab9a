"""Widget drawings for module 20, reinforcement learning."""

from functools import cache

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit.plot import LiveFigure, new_figure, nice_ceil
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
#: Its histograms' half-width in standard deviations, and their height times half-width.
PG_REACH, PG_HEIGHT = 2.6, 7.5


def _few_ticks(fig, n=4):
    """At most ``n`` ticks per axis, on 1-2-2.5-5 steps (steady limits such as 300 would
    otherwise tick at 80s)."""
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(n, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_locator(MaxNLocator(n, steps=[1, 2, 2.5, 5, 10]))


@cache
def _value_history(grid, gamma, slip):
    """The grid world, every V_k of value iteration (tol 1e-10) and V*, computed once."""
    mdp = gridworld(grid, slip=slip)
    _, _, _, history = value_iteration(mdp.P, mdp.R, gamma, tol=1e-10, history=True)
    V_star = optimal_values_lp(mdp.P, mdp.R, gamma)
    for array in (history, V_star):
        array.flags.writeable = False
    return mdp, history, V_star


def _check_grid(grid):
    if grid not in ("4x4", "8x8"):
        raise ValueError(f"grid must be '4x4' or '8x8', got {grid!r}")


class ValueIteration(LiveFigure):
    """Module 20's value iteration, redrawn in place (see :func:`draw_value_iteration`):
    per grid the axes, labels and legend are fixed; the heat map ``V_k``, the greedy
    arrows, the cells' values (4x4), both curves, the dot at sweep k and the titles move
    with k, gamma and slip (the letters H and G are repainted over the moving map).

    Limits: the map is the grid's cells, colours ``0 .. max(1, max V*)``; the curves' y is
    fixed at ``-16.5 .. 0.5`` (log10 of changes from ``max R = 1`` down to the 1e-16
    floor); their x is ``0 .. X``, ``X`` the 1-2-5 step at or above the last sweep (tol
    1e-10), so it changes only when gamma or slip moves convergence across a step.
    """

    def __init__(self, grid="4x4"):
        _check_grid(grid)
        self.grid = grid
        mdp, _, _ = _value_history(grid, 0.9, 0.1)  # the layout; P and R come per update
        rows, cols = mdp.shape
        self.cells = rows * cols
        fig, (left, right) = new_figure(
            ncols=2, width=4.4, height=3.9, top=0.86, bottom=0.13, left=0.1
        )
        fig.subplots_adjust(wspace=0.35)
        self.image = left.imshow(np.zeros(mdp.shape), cmap="viridis", vmin=0.0, vmax=1.0)
        kinds = np.array([list(row) for row in mdp.grid]).reshape(-1)
        self.free = (kinds != "H") & (kinds != "G")
        r, c = np.divmod(np.arange(self.cells), cols)
        self.quiver = left.quiver(
            c[self.free],
            r[self.free],
            np.zeros(self.free.sum()),
            np.zeros(self.free.sum()),
            color="white",
            scale=2.4 * cols,
            width=0.012,
            pivot="middle",
        )
        self.values = {}  # cell -> (its letter, its moving text): "G 0.00", "0.12" (4x4 only)
        self.letters = []  # the other H and G
        for cell, kind in enumerate(kinds):
            place = dict(ha="center", va="center", fontsize=8)
            place["color"] = "red" if kind in "HG" else "white"
            if rows <= 4 and kind != "H":
                text = left.text(c[cell], r[cell] + 0.32, "", **place)
                self.values[cell] = ("G" if kind == "G" else "", text)
            elif kind in "HG":  # moving too, to be painted over the moving heat map
                self.letters.append(left.text(c[cell], r[cell] + 0.32, kind, **place))
        left.grid(False)
        left.set_xlabel("column")
        left.set_ylabel("row")
        (self.change,) = right.plot([], [], color="C0", label="max |V_j - V_(j-1)|")
        (self.error,) = right.plot([], [], color="C1", label="max |V_j - V*|")
        (self.dot,) = right.plot([], [], "o", color="C3")
        right.set_xlabel("sweep j")
        right.set_ylabel("log10 of the change or error")
        right.legend(loc="upper right", fontsize=8)
        right.set_ylim(-16.5, 0.5)
        self.title = fig.suptitle("")
        _few_ticks(fig)
        left.set_xticks(range(cols))
        left.set_yticks(range(rows))
        self.left, self.right = left, right
        texts = [*(text for _, text in self.values.values()), *self.letters]
        lines = [self.change, self.error, self.dot]
        moving = [self.image, self.quiver, *texts, *lines, left.title, right.title, self.title]
        super().__init__(fig, moving)

    def update(self, k=3, gamma=0.9, slip=0.1):
        if not (isinstance(k, int | np.integer) and k >= 0):
            raise ValueError(f"k must be a non-negative integer, got {k!r}")
        if not 0 <= gamma < 1:
            raise ValueError(f"gamma must lie in [0, 1), got {gamma}")
        mdp, history, V_star = _value_history(self.grid, float(gamma), float(slip))
        last = len(history) - 1
        shown = min(k, last)
        V = history[shown]
        policy = q_from_v(mdp.P, mdp.R, V, gamma).argmax(axis=1)[: self.cells]
        self.image.set_data(mdp.cells(V))
        self.image.set_clim(0.0, max(1.0, V_star.max()))
        moves = GRID_MOVES[policy[self.free]]  # (free cells, 2): (row, column) steps
        self.quiver.set_UVC(moves[:, 1], -moves[:, 0])
        for cell, (letter, text) in self.values.items():
            text.set_text(f"{letter} {V[cell]:.2f}".strip())
        change, error = _value_curves(self.grid, float(gamma), float(slip))
        self.change.set_data(np.arange(1, last + 1), change)
        self.error.set_data(np.arange(last + 1), error)
        self.dot.set_data([shown], [error[shown]])
        self.left.set_title(f"V_{shown} (colour) and its greedy policy")
        self.right.set_title(f"V_k(start) = {V[mdp.start]:.4f}, V* = {V_star[mdp.start]:.4f}")
        self.title.set_text(
            f"Value iteration, {self.grid} grid, gamma = {gamma:g}, slip = {slip:g}"
        )
        self.right.set_xlim(0.0, nice_ceil(max(last, 1)))
        return self


@cache
def _value_curves(grid, gamma, slip):
    """log10 of each sweep's change (last,) and of each V_j's error (last + 1,), floored."""
    _, history, V_star = _value_history(grid, gamma, slip)
    change = np.log10(np.maximum(np.abs(np.diff(history, axis=0)).max(axis=1), 1e-16))
    error = np.log10(np.maximum(np.abs(history - V_star).max(axis=1), 1e-16))
    return change, error


def draw_value_iteration(k, gamma=0.9, slip=0.1, grid="4x4"):
    """Value iteration on a grid world after ``k`` sweeps from ``V_0 = 0``.

    Left: ``V_k`` as a heat map with the greedy action of ``Q = R + gamma P V_k`` as an
    arrow in every free cell (H holes, G the goal, S the start). Right: the size of each
    sweep's change ``max |V_j - V_{j-1}|`` and the error ``max |V_j - V*|`` (log10), which
    shrink like ``gamma^j``; the dot marks sweep ``k``.
    """
    return ValueIteration(grid).update(k, gamma, slip).figure


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


#: The finer ladder of the regret-over-time panel's top: the greedy run fills >= 70 %.
FINE_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)


def _check_bandit(eps, c, steps):
    if not 0 <= eps <= 1:
        raise ValueError(f"eps must lie in [0, 1], got {eps}")
    if not c >= 0:
        raise ValueError(f"c must be >= 0, got {c}")
    if not (isinstance(steps, int | np.integer) and 20 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer in 20..{MAX_STEPS}, got {steps!r}")


class BanditRegret(LiveFigure):
    """Module 20's exploration on a bandit, redrawn in place (see
    :func:`draw_bandit_regret`): the axes, labels and the regret-against-parameter curves'
    grids are fixed; the three regret curves, the legend (eps and c), both sweeps' curves
    and markers and the middle and right titles (steps) move with eps, c and steps.

    Limits: the left panel is the whole run, x ``0 .. MAX_STEPS`` and y ``0 .. Y`` with
    ``Y`` at or above ``1.1`` times the three curves' regret at ``MAX_STEPS`` (a
    1-1.5-2-3-5-7 step), so ``steps`` grows the curves against a still frame; the middle
    and right panels share y ``0 .. Y'``, ``Y'`` the 1-2-5 step at or above ``1.1`` times
    their highest point after ``steps`` steps; their x is the parameter grid's range
    (``0 .. 0.5`` and ``0 .. 4``, the 1-2-5 step above a larger eps or c).
    """

    def __init__(self):
        fig, axes = new_figure(ncols=3, width=3.6, height=3.4, top=0.84, bottom=0.16)
        left, middle, right = axes
        self.curves = [
            left.plot([], [], color=color, label=" ")[0] for color in ("0.4", "C0", "C1")
        ]
        left.set_xlabel("step t")
        left.set_ylabel("cumulative regret (reward units)")
        left.set_title("regret over time")
        left.set_xlim(0.0, MAX_STEPS)
        self.legend = left.legend(loc="upper left", fontsize=8)
        (self.eps_curve,) = middle.plot([], [], "o-", color="C0")
        (self.eps_marker,) = middle.plot([], [], "s", color="C3")
        middle.set_xlabel("epsilon")
        (self.ucb_curve,) = right.plot([], [], "o-", color="C1")
        (self.ucb_marker,) = right.plot([], [], "s", color="C3")
        right.set_xlabel("UCB constant c")
        for ax in (middle, right):
            ax.set_ylabel("regret after the steps (reward units)")
        fig.suptitle("Exploration on a 10-armed bandit (100 runs)")
        _few_ticks(fig)
        self.left, self.middle, self.right = left, middle, right
        lines = [self.eps_curve, self.eps_marker, self.ucb_curve, self.ucb_marker]
        moving = [*self.curves, self.legend, *lines, middle.title, right.title]
        super().__init__(fig, moving)

    def update(self, eps=0.1, c=2.0, steps=500):
        _check_bandit(eps, c, steps)
        eps, c, steps = float(eps), float(c), int(steps)
        t = np.arange(1, steps + 1)
        runs = [("eps_greedy", 0.0), ("eps_greedy", eps), ("ucb", c)]
        labels = ["greedy", f"eps-greedy, eps = {eps:g}", f"UCB, c = {c:g}"]
        for line, run, label in zip(self.curves, runs, labels):
            line.set_data(t, _mean_regret(*run, steps))
            line.set_label(label)
        self.legend = self.refresh_legend(self.legend, loc="upper left", fontsize=8)
        eps_finals = [_mean_regret("eps_greedy", e, steps)[-1] for e in EPSILONS]
        ucb_finals = [_mean_regret("ucb", u, steps)[-1] for u in UCB_CONSTANTS]
        eps_final = _mean_regret("eps_greedy", eps, steps)[-1]
        ucb_final = _mean_regret("ucb", c, steps)[-1]
        self.eps_curve.set_data(EPSILONS, eps_finals)
        self.eps_marker.set_data([eps], [eps_final])
        self.ucb_curve.set_data(UCB_CONSTANTS, ucb_finals)
        self.ucb_marker.set_data([c], [ucb_final])
        self.middle.set_title(f"epsilon-greedy, after {steps} steps")
        self.right.set_title(f"UCB, after {steps} steps")
        whole_run = max(_mean_regret(*run, MAX_STEPS)[-1] for run in runs)
        self.left.set_ylim(0.0, nice_ceil(1.1 * whole_run, steps=FINE_STEPS))
        highest = max(*eps_finals, *ucb_finals, eps_final, ucb_final)
        for ax, value, grid in ((self.middle, eps, EPSILONS), (self.right, c, UCB_CONSTANTS)):
            reach = grid[-1] if value <= grid[-1] else nice_ceil(value)
            ax.set_xlim(-0.05 * reach, 1.05 * reach)
            ax.set_ylim(0.0, nice_ceil(1.1 * highest))
        return self


def draw_bandit_regret(eps=0.1, c=2.0, steps=500):
    """Cumulative regret of greedy, epsilon-greedy (``eps``) and UCB (``c``) on a 10-armed
    Gaussian test bed (100 runs, arm means N(0, 1), rewards N(mean, 1)).

    Left: the average cumulative regret against the step. Middle and right: the regret
    after ``steps`` steps against epsilon and against c (the sliders' values marked):
    too little exploration locks onto a poor arm, too much keeps paying for it.
    """
    return BanditRegret().update(eps, c, steps).figure


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


class PolicyGradientVariance(LiveFigure):
    """Module 20's REINFORCE variance, redrawn in place (see :func:`draw_pg_variance`): the
    axes, labels and the exact gradient's line are fixed; both histograms, the legend
    (their variances) and the title move with n_episodes and bins.

    Limits: x is ``g -+ H`` around the exact gradient ``g``: ``H`` is the 1-1.5-2-3-5-7
    step at or above ``2.6 sigma_1 / sqrt(n)`` (``sigma_1`` the plain single-episode
    estimates' standard deviation; averaging n shrinks the spread by ``sqrt(n)``), which
    holds about 99 % of the estimates; the bins span it. The histograms are densities,
    so the bins slider does not rescale them; y is ``0 .. 7.5 / H`` (the tallest bar
    times ``H`` stays between 2 and 7 over n 1..50 and bins 10..80), the 1-2-5 step above
    ``1.1`` times the tallest bar where that is higher.
    """

    def __init__(self):
        plain, _, self.exact = _pg_estimates()
        self.spread = float(plain.std())  # sigma_1 of the class docstring
        fig, ax = new_figure(width=6.0, height=3.6, top=0.86, bottom=0.15)
        style = dict(fill=True, alpha=0.55)
        self.plain_bars = ax.stairs([0.0], [0.0, 1.0], color="C0", label=" ", **style)
        self.based_bars = ax.stairs([0.0], [0.0, 1.0], color="C1", label=" ", **style)
        exact = self.exact
        ax.axvline(exact, color="k", ls="--", lw=1, label=f"exact gradient {exact:.3f}")
        ax.set_xlabel("estimate of dJ / d theta[0, right]")
        ax.set_ylabel("density of estimates (1 / unit)")
        self.legend = ax.legend(loc="upper right", fontsize=8)
        _few_ticks(fig)
        self.ax = ax
        super().__init__(fig, [self.plain_bars, self.based_bars, self.legend, ax.title])

    def update(self, n_episodes=1, bins=40):
        if not (isinstance(n_episodes, int | np.integer) and 1 <= n_episodes <= 200):
            raise ValueError(f"n_episodes must be an integer in 1..200, got {n_episodes!r}")
        plain, based = _pg_averages(n_episodes)
        reach = nice_ceil(PG_REACH * self.spread / np.sqrt(n_episodes), steps=FINE_STEPS)
        edges = np.linspace(self.exact - reach, self.exact + reach, bins + 1)
        tallest = 0.0
        for bars, estimates, name in (
            (self.plain_bars, plain, "no baseline"),
            (self.based_bars, based, "baseline V(s)"),
        ):
            density = np.histogram(estimates, edges)[0] / (estimates.size * np.diff(edges))
            bars.set_data(density, edges)
            bars.set_label(f"{name}, var {estimates.var():.3g}")
            tallest = max(tallest, density.max())
        self.legend = self.refresh_legend(self.legend, loc="upper right", fontsize=8)
        self.ax.set_title(
            f"REINFORCE, {n_episodes} episode{'s' if n_episodes > 1 else ''} per estimate: "
            f"variance ratio {plain.var() / based.var():.2f}"
        )
        self.ax.set_xlim(edges[0], edges[-1])
        top = PG_HEIGHT / reach
        self.ax.set_ylim(0.0, top if tallest < top / 1.02 else nice_ceil(1.1 * tallest))
        return self


@cache
def _pg_averages(n_episodes):
    """The estimates averaged over ``n_episodes`` episodes each, without and with baseline."""
    plain, based, _ = _pg_estimates()
    usable = PG_EPISODES // n_episodes * n_episodes
    averages = tuple(e[:usable].reshape(-1, n_episodes).mean(axis=1) for e in (plain, based))
    for array in averages:
        array.flags.writeable = False
    return averages


def draw_pg_variance(n_episodes=1, bins=40):
    """Histograms of REINFORCE estimates of ``dJ / d theta[0, right]`` on the corridor, each
    averaged over ``n_episodes`` episodes, without and with the baseline ``V_pi(s)``.

    Both are centred on the exact gradient (dashed); the baseline shrinks the spread, and
    averaging n episodes divides the variance by n.
    """
    return PolicyGradientVariance().update(n_episodes, bins).figure


__all__ = [
    "BanditRegret",
    "PolicyGradientVariance",
    "ValueIteration",
    "draw_bandit_regret",
    "draw_pg_variance",
    "draw_value_iteration",
]
