"""Widget drawings for module 18, approximate inference."""

from functools import cache

import numpy as np

from dlkit.inference.belief_propagation import grid_couplings, ising_exact, loopy_bp_ising
from dlkit.inference.variational import kl_diagonal_to_gaussian, mean_field_gaussian
from dlkit.plot import new_figure

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


def draw_vi_fit(iteration, correlation=0.9):
    """Mean-field VI against a correlated 2-D Gaussian posterior, sweep by sweep.

    Left: the posterior ``N(0, [[1, rho], [rho, 1]])`` (1 and 2 sd ellipses), the
    mean-field ``q = N(m_1, 1/Lambda_11) N(m_2, 1/Lambda_22)`` after ``iteration`` CAVI
    sweeps (KL(q || p): too narrow) and the moment-matched factorised Gaussian
    (KL(p || q): the marginal variances), with the path of the means. Right: KL(q || p)
    per sweep.
    """
    if not (isinstance(iteration, int | np.integer) and 0 <= iteration <= VI_SWEEPS):
        raise ValueError(f"iteration must be an integer in 0..{VI_SWEEPS}, got {iteration!r}")
    if not -0.99 <= correlation <= 0.99:
        raise ValueError(f"correlation must lie in [-0.99, 0.99], got {correlation}")
    Sigma, means, var, kls, floor = _mean_field_run(round(float(correlation), 4))
    fig, (left, right) = new_figure(ncols=2, width=4.3, height=4.0, top=0.84, bottom=0.13)
    for radius, style in ((1.0, "-"), (2.0, ":")):
        xs, ys = _ellipse(np.zeros(2), Sigma, radius)
        left.plot(xs, ys, style, color="0.2", lw=1.5, label="posterior p" if radius == 1 else None)
        xs, ys = _ellipse(np.zeros(2), np.diag(np.diag(Sigma)), radius)
        label = "moment matched, KL(p||q)" if radius == 1 else None
        left.plot(xs, ys, style, color="C1", lw=1.2, label=label)
        xs, ys = _ellipse(means[iteration], np.diag(var), radius)
        label = "mean-field q, KL(q||p)" if radius == 1 else None
        left.plot(xs, ys, style, color="C0", lw=2.0, label=label)
    left.plot(means[: iteration + 1, 0], means[: iteration + 1, 1], "o-", color="C0", ms=3, lw=0.8)
    left.set_xlim(-4, 4)
    left.set_ylim(-4, 4)
    left.set_aspect("equal")
    left.set_xlabel("z1 (dimensionless)")
    left.set_ylabel("z2 (dimensionless)")
    left.set_title(f"sweep {iteration}: var_q = {var[0]:.3f} vs Sigma_ii = 1")
    left.legend(loc="lower right", fontsize=7)

    sweeps = np.arange(VI_SWEEPS + 1)
    right.plot(sweeps, kls, "o-", color="C0", ms=3)
    right.plot([iteration], [kls[iteration]], "o", color="C3", ms=8)
    right.axhline(floor, color="0.5", ls="--", lw=1, label=f"best q: {floor:.3f} nats")
    right.set_xlabel("CAVI sweep")
    right.set_ylabel("KL(q || p) (nats)")
    right.set_title(f"KL = {kls[iteration]:.3f} nats")
    right.legend(fontsize=8)
    fig.suptitle(f"Mean-field VI on a Gaussian with correlation {correlation:.2f}")
    return fig


@cache
def _bp_run(coupling):
    """Loopy BP on the 4 x 4 grid with fixed random fields: the belief and message history,
    the max message change per iteration, and the exact marginals (2^16 states)."""
    J = grid_couplings(BP_SIDE, BP_SIDE, coupling)
    h = np.random.default_rng(18).normal(0.0, 0.4, BP_SIDE**2)
    _, deltas, trace = loopy_bp_ising(J, h, BP_ITERATIONS, history=True)
    exact, _ = ising_exact(J, h)
    edges = np.argwhere(J != 0)  # (E, 2) directed edges i -> j
    messages = trace["messages"][:, edges[:, 0], edges[:, 1], 1]  # (T + 1, E): m(x_j = +1)
    result = (trace["beliefs"][:, :, 1], messages, edges, deltas, exact[:, 1])
    for array in result:
        array.flags.writeable = False
    return result


def draw_bp_messages(iteration, coupling=0.3):
    """Loopy belief propagation on a 4 x 4 Ising grid, iteration by iteration.

    Left: the grid; each node coloured by its belief P(x_i = +1), each small square on an
    edge (next to the receiving node) by that message's m(x_j = +1). Middle: the beliefs
    against the exact marginals (enumeration of 2^16 states). Right: the largest message
    change per iteration (log scale): it converges for weak coupling and may not for
    strong.
    """
    if not (isinstance(iteration, int | np.integer) and 0 <= iteration <= BP_ITERATIONS):
        raise ValueError(f"iteration must be an integer in 0..{BP_ITERATIONS}, got {iteration!r}")
    if not -2.0 <= coupling <= 2.0:
        raise ValueError(f"coupling must lie in [-2, 2], got {coupling}")
    beliefs, messages, edges, deltas, exact = _bp_run(round(float(coupling), 4))
    rows, cols = np.divmod(np.arange(BP_SIDE**2), BP_SIDE)
    fig, (grid, versus, trace) = new_figure(ncols=3, width=3.6, height=3.6, top=0.82, bottom=0.15)
    for i, j in edges[edges[:, 0] < edges[:, 1]]:
        grid.plot([cols[i], cols[j]], [rows[i], rows[j]], color="0.7", lw=1, zorder=1)
    x_msg = 0.7 * cols[edges[:, 1]] + 0.3 * cols[edges[:, 0]]
    y_msg = 0.7 * rows[edges[:, 1]] + 0.3 * rows[edges[:, 0]]
    grid.scatter(
        x_msg,
        y_msg,
        c=messages[iteration],
        cmap="coolwarm",
        vmin=0,
        vmax=1,
        s=30,
        marker="s",
        zorder=2,
    )
    grid.scatter(
        cols,
        rows,
        c=beliefs[iteration],
        cmap="coolwarm",
        vmin=0,
        vmax=1,
        s=380,
        edgecolors="k",
        zorder=3,
    )
    grid.set_xlim(-0.6, BP_SIDE - 0.4)
    grid.set_ylim(BP_SIDE - 0.4, -0.6)
    grid.set_aspect("equal")
    grid.set_xticks(range(BP_SIDE))
    grid.set_yticks(range(BP_SIDE))
    grid.set_xlabel("column")
    grid.set_ylabel("row")
    grid.set_title(f"iteration {iteration}: P(x = +1), blue 0, red 1", fontsize=10)

    error = float(np.max(np.abs(beliefs[iteration] - exact)))
    versus.plot([0, 1], [0, 1], color="0.5", lw=1)
    versus.plot(exact, beliefs[iteration], "o", color="C0", ms=5)
    versus.set_xlim(0, 1)
    versus.set_ylim(0, 1)
    versus.set_xlabel("exact P(x_i = +1)")
    versus.set_ylabel("BP belief P(x_i = +1)")
    versus.set_title(f"max error {error:.3f}")

    steps = np.arange(1, BP_ITERATIONS + 1)
    log_deltas = np.log10(np.maximum(deltas, 1e-17))  # a linear axis: log ticks draw slowly
    trace.plot(steps, log_deltas, color="C2")
    if iteration >= 1:
        trace.plot([iteration], [log_deltas[iteration - 1]], "o", color="C3")
    trace.set_xlabel("iteration")
    trace.set_ylabel("log10 max message change")
    trace.set_title("convergence")
    fig.suptitle(f"Loopy BP on a 4 x 4 Ising grid, coupling J = {coupling:.2f}")
    return fig


__all__ = ["draw_bp_messages", "draw_vi_fit"]
