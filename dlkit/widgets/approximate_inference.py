"""Widget drawings for module 18, approximate inference."""

from functools import cache

import numpy as np

from dlkit.inference.belief_propagation import grid_couplings, loopy_bp_ising
from dlkit.inference.variational import kl_diagonal_to_gaussian, mean_field_gaussian
from dlkit.plot import LiveFigure, new_figure, nice_ceil

VI_SWEEPS = 25
VI_START = (-2.5, 2.0)
BP_ITERATIONS = 30
BP_SIDE = 4
_CIRCLE = np.linspace(0, 2 * np.pi, 121)


def _ellipse(mean, cov, radius):
    """Points (2, 121) of the ellipse at Mahalanobis distance ``radius`` around ``mean``."""
    values, vectors = np.linalg.eigh(cov)
    circle = np.stack([np.cos(_CIRCLE), np.sin(_CIRCLE)])  # (2, 121)
    return np.asarray(mean)[:, None] + radius * vectors @ (np.sqrt(values)[:, None] * circle)


@cache
def _mean_field_run(correlation):
    """Mean-field CAVI on N(0, [[1, rho], [rho, 1]]) from VI_START: means (sweeps + 1, 2),
    variances (2,), and KL(q || p) after each sweep (sweeps + 1,)."""
    Sigma = np.array([[1.0, correlation], [correlation, 1.0]])
    Lambda, mu = np.linalg.inv(Sigma), np.zeros(2)
    _, var, means = mean_field_gaussian(mu, Lambda, VI_SWEEPS, m0=np.array(VI_START), history=True)
    kls = np.array([kl_diagonal_to_gaussian(m, var, mu, Lambda) for m in means])
    floor = kl_diagonal_to_gaussian(mu, var, mu, Lambda)  # the best q: m = mu
    for array in (means, var, kls):
        array.flags.writeable = False
    return Sigma, means, var, kls, floor


def _check_vi(iteration, correlation):
    """Raise the ValueError of ``draw_vi_fit`` for a sweep or correlation out of range."""
    if not (isinstance(iteration, int | np.integer) and 0 <= iteration <= VI_SWEEPS):
        raise ValueError(f"iteration must be an integer in 0..{VI_SWEEPS}, got {iteration!r}")
    if not -0.99 <= correlation <= 0.99:
        raise ValueError(f"correlation must lie in [-0.99, 0.99], got {correlation}")


class MeanFieldFit(LiveFigure):
    """Module 18's mean-field VI widget, redrawn in place (see :func:`draw_vi_fit`): the
    axes, labels, the moment-matched ellipses (``Sigma_ii = 1`` for every rho: the unit
    circles) and both legends are fixed; the posterior's and q's ellipses, the path of
    the means, the KL curve, its marker, the best-q line and the axes' titles (rho, the
    sweep, var_q; the KL and the best q's, so that no legend is redrawn on a move) move
    with ``iteration`` and ``correlation``; the suptitle is fixed.

    Limits: left ``[-4, 4]^2`` (equal aspect), right x ``-1 .. VI_SWEEPS + 1``, all fixed;
    the KL axis runs ``-0.03 T .. T`` with ``T = nice_ceil(1.1 KL_0)``, ``KL_0`` the KL
    at sweep 0 (the curve's highest point, 3.5 .. 102 nats over rho in [-0.95, 0.95]): it
    changes only with the correlation, where KL_0 crosses a 1-2-5 step.
    """

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.3, height=4.0, top=0.84, bottom=0.13)
        self.posterior, self.q = [], []
        for radius, style in ((1.0, "-"), (2.0, ":")):
            label = "posterior p" if radius == 1 else None
            self.posterior += left.plot([], [], style, color="0.2", lw=1.5, label=label)
            xs, ys = _ellipse(np.zeros(2), np.eye(2), radius)
            label = "moment matched, KL(p||q)" if radius == 1 else None
            left.plot(xs, ys, style, color="C1", lw=1.2, label=label)
            label = "mean-field q, KL(q||p)" if radius == 1 else None
            self.q += left.plot([], [], style, color="C0", lw=2.0, label=label)
        (self.path,) = left.plot([], [], "o-", color="C0", ms=3, lw=0.8)
        left.set_xlim(-4, 4)
        left.set_ylim(-4, 4)
        left.set_aspect("equal")
        left.set_xlabel("z1 (dimensionless)")
        left.set_ylabel("z2 (dimensionless)")
        left.legend(loc="lower right", fontsize=7)

        (self.kl_curve,) = right.plot([], [], "o-", color="C0", ms=3)
        (self.marker,) = right.plot([], [], "o", color="C3", ms=8)
        self.floor = right.axhline(0.0, color="0.5", ls="--", lw=1, label="best q (m = mu)")
        right.set_xlim(-1, VI_SWEEPS + 1)
        right.set_xlabel("CAVI sweep")
        right.set_ylabel("KL(q || p) (nats)")
        right.legend(fontsize=8)  # fixed: the best q's KL is in the title
        # Fixed: each moving text costs ~0.1 ms a character to draw, so rho is in a title.
        fig.suptitle("Mean-field VI on p = N(0, [[1, rho], [rho, 1]]): Sigma_ii = 1")
        self.left, self.right = left, right
        moving = [*self.posterior, *self.q, self.path, self.kl_curve, self.marker, self.floor]
        super().__init__(fig, [*moving, left.title, right.title])

    def update(self, iteration, correlation=0.9):
        _check_vi(iteration, correlation)
        Sigma, means, var, kls, floor = _mean_field_run(round(float(correlation), 4))
        for radius, posterior, q in zip((1.0, 2.0), self.posterior, self.q):
            posterior.set_data(*_ellipse(np.zeros(2), Sigma, radius))
            q.set_data(*_ellipse(means[iteration], np.diag(var), radius))
        self.path.set_data(means[: iteration + 1, 0], means[: iteration + 1, 1])
        self.left.set_title(f"rho = {correlation:.2f}, sweep {iteration}: var_q = {var[0]:.3f}")

        self.kl_curve.set_data(np.arange(VI_SWEEPS + 1), kls)
        self.marker.set_data([iteration], [kls[iteration]])
        self.floor.set_ydata([floor, floor])
        self.right.set_title(f"KL = {kls[iteration]:.3f} nats (best q: {floor:.3f})")
        top = nice_ceil(1.1 * kls[0])
        self.right.set_ylim(-0.03 * top, top)
        return self


def draw_vi_fit(iteration, correlation=0.9):
    """Mean-field VI against a correlated 2-D Gaussian posterior, sweep by sweep.

    Left: the posterior ``N(0, [[1, rho], [rho, 1]])`` (1 and 2 sd ellipses), the
    mean-field ``q = N(m_1, 1/Lambda_11) N(m_2, 1/Lambda_22)`` after ``iteration`` CAVI
    sweeps (KL(q || p): too narrow) and the moment-matched factorised Gaussian
    (KL(p || q): the marginal variances), with the path of the means. Right: KL(q || p)
    per sweep.
    """
    return MeanFieldFit().update(iteration, correlation).figure


@cache
def _bp_model():
    """The 4 x 4 grid's unit couplings (n, n), its fixed random fields h (n,), and for the
    exact marginals its 2^16 states' spins up (2^16, n), pair sums ``x^T A x / 2`` and
    field terms ``h . x`` (2^16,), so that a coupling J weighs a state by
    ``exp(J pair + field)``."""
    unit = grid_couplings(BP_SIDE, BP_SIDE, 1.0)
    h = np.random.default_rng(18).normal(0.0, 0.4, BP_SIDE**2)
    codes = np.arange(2 ** (BP_SIDE**2))[:, None]  # (2^n, 1)
    spins = np.where((codes >> np.arange(BP_SIDE**2)) & 1, 1.0, -1.0)  # (2^n, n)
    pair = 0.5 * np.einsum("bi,ij,bj->b", spins, unit, spins)
    return unit, h, (spins > 0).astype(float), pair, spins @ h


@cache
def _bp_run(coupling):
    """Loopy BP on the 4 x 4 grid with fixed random fields: the belief and message history,
    the max message change per iteration, and the exact marginals (2^16 states)."""
    unit, h, up, pair, field = _bp_model()
    J = coupling * unit
    _, deltas, trace = loopy_bp_ising(J, h, BP_ITERATIONS, history=True)
    log_weights = coupling * pair + field  # (2^n,), as in dlkit.inference.ising_exact
    weights = np.exp(log_weights - log_weights.max())
    exact = weights @ up / weights.sum()  # (n,) P(x_i = +1)
    edges = np.argwhere(unit != 0)  # (E, 2) directed edges i -> j
    messages = trace["messages"][:, edges[:, 0], edges[:, 1], 1]  # (T + 1, E): m(x_j = +1)
    if coupling == 0:  # BP keeps no messages on J = 0 edges; such a message is uniform
        messages = np.full_like(messages, 0.5)
    result = (trace["beliefs"][:, :, 1], messages, edges, deltas, exact)
    for array in result:
        array.flags.writeable = False
    return result


def _check_bp(iteration, coupling):
    """Raise the ValueError of ``draw_bp_messages`` for an iteration or coupling out of range."""
    if not (isinstance(iteration, int | np.integer) and 0 <= iteration <= BP_ITERATIONS):
        raise ValueError(f"iteration must be an integer in 0..{BP_ITERATIONS}, got {iteration!r}")
    if not -2.0 <= coupling <= 2.0:
        raise ValueError(f"coupling must lie in [-2, 2], got {coupling}")


class BeliefPropagation(LiveFigure):
    """Module 18's loopy-BP widget, redrawn in place (see :func:`draw_bp_messages`): the
    grid's edges, the diagonal, the axes and labels are fixed; the colours of the nodes
    (beliefs) and of the message squares, the beliefs against the exact marginals, the
    convergence curve and its marker and the axes' titles (the coupling in the
    convergence panel's) move with ``iteration`` and ``coupling``; the suptitle is fixed.

    Limits, all fixed: the grid ``-0.6 .. 3.6`` (rows downwards), beliefs and marginals
    ``0 .. 1`` (probabilities), the convergence panel x ``0 .. BP_ITERATIONS + 1`` and y
    ``-18 .. 1`` (log10 of a change of a probability, at most 1, clipped at 1e-17).
    """

    def __init__(self):
        unit = _bp_model()[0]
        edges = np.argwhere(unit != 0)  # (E, 2)
        rows, cols = np.divmod(np.arange(BP_SIDE**2), BP_SIDE)
        fig, (grid, versus, trace) = new_figure(
            ncols=3, width=3.6, height=3.6, top=0.82, bottom=0.15
        )
        for i, j in edges[edges[:, 0] < edges[:, 1]]:
            grid.plot([cols[i], cols[j]], [rows[i], rows[j]], color="0.7", lw=1, zorder=1)
        x_msg = 0.7 * cols[edges[:, 1]] + 0.3 * cols[edges[:, 0]]
        y_msg = 0.7 * rows[edges[:, 1]] + 0.3 * rows[edges[:, 0]]
        colours = {"cmap": "coolwarm", "vmin": 0, "vmax": 1}
        self.squares = grid.scatter(
            x_msg, y_msg, c=np.full(len(edges), 0.5), s=30, marker="s", zorder=2, **colours
        )
        self.nodes = grid.scatter(
            cols, rows, c=np.full(BP_SIDE**2, 0.5), s=380, edgecolors="k", zorder=3, **colours
        )
        grid.set_xlim(-0.6, BP_SIDE - 0.4)
        grid.set_ylim(BP_SIDE - 0.4, -0.6)
        grid.set_aspect("equal")
        grid.set_xticks(range(BP_SIDE))
        grid.set_yticks(range(BP_SIDE))
        grid.set_xlabel("column")
        grid.set_ylabel("row")
        grid.set_title(" ", fontsize=10)

        versus.plot([0, 1], [0, 1], color="0.5", lw=1)
        (self.points,) = versus.plot([], [], "o", color="C0", ms=5)
        versus.set_xlim(0, 1)
        versus.set_ylim(0, 1)
        versus.set_xlabel("exact P(x_i = +1)")
        versus.set_ylabel("BP belief P(x_i = +1)")

        (self.curve,) = trace.plot([], [], color="C2")
        (self.marker,) = trace.plot([], [], "o", color="C3")
        trace.set_xlim(0, BP_ITERATIONS + 1)
        trace.set_ylim(-18, 1)
        trace.set_xlabel("iteration")
        trace.set_ylabel("log10 max message change")
        fig.suptitle("Loopy BP on a 4 x 4 Ising grid")  # fixed: J is in a title (cheaper)
        self.grid, self.versus, self.trace = grid, versus, trace
        moving = [self.squares, self.nodes, self.points, self.curve, self.marker]
        super().__init__(fig, [*moving, grid.title, versus.title, trace.title])

    def update(self, iteration, coupling=0.3):
        _check_bp(iteration, coupling)
        beliefs, messages, _, deltas, exact = _bp_run(round(float(coupling), 4))
        self.squares.set_array(messages[iteration])
        self.nodes.set_array(beliefs[iteration])
        self.grid.set_title(f"iteration {iteration}: P(x = +1), blue 0, red 1", fontsize=10)

        error = float(np.max(np.abs(beliefs[iteration] - exact)))
        self.points.set_data(exact, beliefs[iteration])
        self.versus.set_title(f"max error {error:.3f}")

        log_deltas = np.log10(np.maximum(deltas, 1e-17))  # a linear axis: log ticks draw slowly
        self.curve.set_data(np.arange(1, BP_ITERATIONS + 1), log_deltas)
        if iteration >= 1:
            self.marker.set_data([iteration], [log_deltas[iteration - 1]])
        else:
            self.marker.set_data([], [])
        self.trace.set_title(f"convergence, J = {coupling:.2f}")
        return self


def draw_bp_messages(iteration, coupling=0.3):
    """Loopy belief propagation on a 4 x 4 Ising grid, iteration by iteration.

    Left: the grid; each node coloured by its belief P(x_i = +1), each small square on an
    edge (next to the receiving node) by that message's m(x_j = +1). Middle: the beliefs
    against the exact marginals (enumeration of 2^16 states). Right: the largest message
    change per iteration (log scale): it converges for weak coupling and may not for
    strong.
    """
    return BeliefPropagation().update(iteration, coupling).figure


__all__ = ["BeliefPropagation", "MeanFieldFit", "draw_bp_messages", "draw_vi_fit"]
