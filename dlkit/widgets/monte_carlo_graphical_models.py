"""Widget drawings for module 17, Monte Carlo methods and graphical models."""

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from dlkit.plot import LiveFigure, new_figure, nice_ceil
from dlkit.sampling import (
    autocorrelation,
    ess,
    gaussian_ess_fraction,
    gaussian_leapfrog,
    mixture_log_density,
    rw_metropolis_mixture,
    snis,
)

#: 1-D targets of the chain explorer: (weights, means, standard deviations).
TARGETS = {
    "bimodal": ([0.3, 0.7], [-2.0, 1.5], [0.7, 1.0]),
    "gaussian": ([1.0], [0.0], [1.0]),
    "far modes": ([0.5, 0.5], [-4.0, 4.0], [0.6, 0.6]),
}
MAX_LAG = 60
#: Importance sampling target N(P_MU, P_SD^2), only known up to its normaliser.
P_MU, P_SD = 1.0, 0.5
#: The precision matrix of the HMC trajectory's 2-D Gaussian (covariance inv(A)).
HMC_A = np.array([[2.0, 1.2], [1.2, 1.0]])


def _few_ticks(fig, n=4):
    """At most n ticks per axis: tick labels are most of a redraw's text layout."""
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(n))
        ax.yaxis.set_major_locator(MaxNLocator(n))


def _positive_int(value, name, low, high):
    if not (isinstance(value, int | np.integer) and low <= value <= high):
        raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
    return int(value)


#: Ladders of steady limits: counts (steps, n) and densities, on 1-1.5-2-3-5 steps.
_FINE = (1.0, 1.5, 2.0, 3.0, 5.0)
_DENSITY = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)


def _mixture_window(target):
    """The histogram's x range of a target: its means +- 4 of its largest sd."""
    _, means, sds = TARGETS[target]
    return min(means) - 4 * max(sds), max(means) + 4 * max(sds)


class MCMCChain(LiveFigure):
    """Module 17's Metropolis explorer, redrawn in place (see :func:`draw_mcmc_chain`):
    the panels, the labels and the zero line are fixed per target; the trace, the
    histogram, the target density (repainted over the histogram), the autocorrelations,
    the ESS title and the suptitle move with step, n_steps and seed.

    Limits: the trace's x is ``0 .. N`` with N the 1-1.5-2-3-5 step at or above n_steps,
    its y the target's window ``means -+ 5 max sd``; the histogram's x is the bins' window
    ``means -+ 4 max sd``, its y ``0 .. D`` with D twice the target's peak rounded up on
    1-1.5-2-3-4-5-6-8 steps (room for the bars' noise and for a chain stuck in one of two
    equal modes), or ``nice_ceil(1.05 tallest bar)`` (1-2-5) where a bar rises above D;
    the autocorrelation's x is ``-1 .. MAX_LAG + 1``, its y ``-0.2 .. 1.05`` unless a
    correlation falls below -0.15 (then ``-nice_ceil(0.05 - min rho)``).
    """

    def __init__(self, target="bimodal"):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; choose one of {sorted(TARGETS)}")
        self.target = target
        weights, means, sds = TARGETS[target]
        fig, (trace, hist, acf) = new_figure(ncols=3, width=3.4, height=3.1, top=0.80, bottom=0.17)
        _few_ticks(fig)
        (self.trace_line,) = trace.plot([], [], color="C0", lw=0.6)
        trace.set_xlabel("step t")
        trace.set_ylabel("state x_t")
        trace.set_title("trace")
        reach = 5 * max(sds)
        trace.set_ylim(min(means) - reach, max(means) + reach)

        low, high = _mixture_window(target)
        self.edges = np.linspace(low, high, 41)
        self.stairs = hist.stairs(
            np.zeros(40), self.edges, fill=True, color="C0", alpha=0.5, label="chain"
        )
        grid = np.linspace(low, high, 300)
        density = np.exp(mixture_log_density(grid, weights, means, sds))
        # room for the histogram's noise and for a chain stuck in one of two equal modes
        self.density_top = nice_ceil(2.0 * density.max(), steps=_DENSITY)
        (self.density,) = hist.plot(grid, density, color="C3", label="target p(x)")
        hist.set_xlim(low, high)
        hist.set_xlabel("x")
        hist.set_ylabel("density")
        hist.set_title("chain (blue) vs target (red)")

        self.bars = acf.vlines([], 0.0, [], color="C2", lw=2)
        acf.axhline(0.0, color="0.4", lw=0.8)
        acf.set_xlim(-1, MAX_LAG + 1)
        acf.set_xlabel("lag k (steps)")
        acf.set_ylabel("autocorrelation rho_k")
        self.title = fig.suptitle("")
        self.trace, self.hist, self.acf = trace, hist, acf
        moving = [self.trace_line, self.stairs, self.density, self.bars, acf.title, self.title]
        super().__init__(fig, moving)

    def update(self, step, n_steps=2000, seed=0):
        if not float(step) > 0:
            raise ValueError(f"step must be positive, got {step!r}")
        n_steps = _positive_int(n_steps, "n_steps", 100, 50_000)
        weights, means, sds = TARGETS[self.target]
        chain, rate = rw_metropolis_mixture(weights, means, sds, 0.0, n_steps, float(step), seed)
        if np.ptp(chain) > 0:
            effective, rho = ess(chain), autocorrelation(chain, MAX_LAG)
        else:  # every proposal rejected: no information in the chain
            effective, rho = 1.0, np.ones(MAX_LAG + 1)
        self.trace_line.set_data(np.arange(1, n_steps + 1), chain)
        counts, _ = np.histogram(chain, bins=self.edges, density=True)
        self.stairs.set_data(counts)
        lags = np.arange(MAX_LAG + 1)
        segments = np.zeros((lags.size, 2, 2))  # (lag, bottom and top, x and y)
        segments[:, :, 0] = lags[:, None]
        segments[:, 1, 1] = rho
        self.bars.set_segments(segments)
        self.acf.set_title(f"ESS = {effective:.0f} of {n_steps}")
        self.title.set_text(f"Metropolis, step {float(step):.2f}: acceptance rate {rate:.2f}")

        self.trace.set_xlim(0, nice_ceil(n_steps, steps=_FINE))
        tallest = 1.05 * counts.max()
        self.hist.set_ylim(
            0.0, self.density_top if tallest <= self.density_top else nice_ceil(tallest)
        )
        below = 0.2 if rho.min() >= -0.15 else nice_ceil(0.05 - rho.min())
        self.acf.set_ylim(-below, 1.05)
        return self


def draw_mcmc_chain(step, n_steps=2000, target="bimodal", seed=0):
    """Random-walk Metropolis on a 1-D target: the trace, the histogram against the density,
    and the autocorrelation function, with the acceptance rate and the effective sample size.

    Small steps are almost always accepted but crawl (long autocorrelation, small ESS);
    huge steps are almost always rejected (the trace is flat for long stretches); the ESS
    is largest in between, near an acceptance rate of 0.3-0.5 in one dimension.
    """
    return MCMCChain(target).update(step, n_steps, seed).figure


def _gaussian_pdf(x, mu, sd):
    return np.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))


class ImportanceWeights(LiveFigure):
    """Module 17's importance-sampling explorer, redrawn in place (see
    :func:`draw_importance_weights`): the panels, the labels and the target p are fixed;
    the proposal q and its draws, the ranked weights, the large-n ESS curve (cached per
    q_sd), this draw's dot and every title move with q_mu, q_sd, n and seed.

    Limits: the densities' x is the grid's ``-4 .. 5``, their y ``-0.08 Y .. Y`` with
    ``Y = nice_ceil(1.15 max(peak of p, peak of q))`` on 1-1.5-2-3-5 steps (the draws sit
    at ``-0.03 Y``); the ranks' x is ``0 .. 51`` (the 50 largest weights), their y
    ``0 .. nice_ceil(1.1 largest weight)`` (1-2-5, at most 1.1); the ESS curve's x is the
    mean slider's ``-3 .. 4`` with a margin, its y the fraction's ``0 .. 1.05``.
    """

    def __init__(self):
        fig, (dens, ranked, curve) = new_figure(
            ncols=3, width=3.4, height=3.1, top=0.80, bottom=0.17
        )
        _few_ticks(fig)
        self.grid = np.linspace(-4.0, 5.0, 300)
        p = _gaussian_pdf(self.grid, P_MU, P_SD)
        self.p_peak = float(p.max())
        dens.plot(self.grid, p, color="C3", label="target p")
        (self.q_line,) = dens.plot([], [], color="C0", label="proposal q")
        (self.rug,) = dens.plot([], [], "|", color="C0", ms=6, alpha=0.5)
        dens.set_xlim(self.grid[0], self.grid[-1])
        dens.set_xlabel("x")
        dens.set_ylabel("density")
        dens.set_title("target p (red), proposal q (blue)")

        self.bars = ranked.vlines([], 0.0, [], color="C1", lw=3)
        ranked.set_xlim(0, 51)
        ranked.set_xlabel("rank of the weight")
        ranked.set_ylabel("normalised weight")

        self.mus = np.linspace(-3.0, 4.0, 141)
        self._ess_curves = {}  # q_sd -> the large-n ESS fraction along self.mus
        (self.limit_line,) = curve.plot([], [], color="C0", label="large-n limit")
        (self.dot,) = curve.plot([], [], "o", color="C3", label="this draw (dot)")
        curve.set_xlim(-3.35, 4.35)
        curve.set_ylim(0.0, 1.05)
        curve.set_xlabel("proposal mean q_mu")
        curve.set_ylabel("ESS / n (line: large-n limit)")
        self.title = fig.suptitle("")
        self.dens, self.ranked, self.curve = dens, ranked, curve
        moving = [self.q_line, self.rug, self.bars, self.limit_line, self.dot]
        super().__init__(fig, [*moving, ranked.title, curve.title, self.title])

    def update(self, q_mu, q_sd, n=500, seed=0):
        if not float(q_sd) > 0:
            raise ValueError(f"q_sd must be positive, got {q_sd!r}")
        n = _positive_int(n, "n", 10, 100_000)
        q_mu, q_sd = float(q_mu), float(q_sd)
        rng = np.random.default_rng(seed)
        x = rng.normal(q_mu, q_sd, n)
        log_q = -0.5 * ((x - q_mu) / q_sd) ** 2 - np.log(q_sd * np.sqrt(2 * np.pi))
        log_p_tilde = -0.5 * ((x - P_MU) / P_SD) ** 2  # the normaliser is "unknown"
        estimate, effective = snis(x, log_p_tilde, log_q)
        weights = np.exp(log_p_tilde - log_q - np.max(log_p_tilde - log_q))
        weights /= weights.sum()

        q = _gaussian_pdf(self.grid, q_mu, q_sd)
        top = nice_ceil(1.15 * max(self.p_peak, q.max()), steps=_FINE)
        self.q_line.set_data(self.grid, q)
        self.rug.set_data(x[:200], np.full(min(n, 200), -0.03 * top))
        self.dens.set_ylim(-0.08 * top, top)

        largest = np.sort(weights)[::-1][:50]
        segments = np.zeros((largest.size, 2, 2))  # (rank, bottom and top, x and y)
        segments[:, :, 0] = np.arange(1, largest.size + 1)[:, None]
        segments[:, 1, 1] = largest
        self.bars.set_segments(segments)
        self.ranked.set_title(f"largest weight {largest[0]:.2f}")
        self.ranked.set_ylim(0.0, min(nice_ceil(1.1 * largest[0]), 1.1))

        if q_sd not in self._ess_curves:
            self._ess_curves[q_sd] = [gaussian_ess_fraction(P_MU, P_SD, m, q_sd) for m in self.mus]
        self.limit_line.set_data(self.mus, self._ess_curves[q_sd])
        self.limit_line.set_label(f"large-n limit, q_sd = {q_sd:.2f}")
        self.dot.set_data([q_mu], [effective / n])
        self.curve.set_title(f"ESS = {effective:.1f} of {n}")
        self.title.set_text(f"SNIS estimate of E_p[x] = {estimate:.3f} (truth {P_MU:.3f})")
        return self


def draw_importance_weights(q_mu, q_sd, n=500, seed=0):
    """Self-normalised importance sampling of ``E_p[x]`` for p = N(1, 0.5^2) known up to Z,
    with draws from the proposal q = N(q_mu, q_sd^2).

    Left: p, q and the draws, with the weight function ``w = p~ / q``. Middle: the
    normalised weights sorted from the largest (degeneracy: a few weights carry all the
    mass). Right: ESS / n against the proposal's mean, the large-n limit for this q_sd
    (``1 / int p^2 / q``) and this draw's value.
    """
    return ImportanceWeights().update(q_mu, q_sd, n, seed).figure


#: The energy error's symlog axis: linear within +-HMC_ERROR_LINEAR, fixed at
#: +-HMC_ERROR_CAP (an unstable step's explosion leaves the frame). Its scale spans
#: decades with eps and changes with the seed's momentum, so a steady linear limit cannot
#: follow it; a fixed log axis shows every scale against the same frame.
HMC_ERROR_LINEAR, HMC_ERROR_CAP = 1e-4, 1e3


class HMCTrajectory(LiveFigure):
    """Module 17's leapfrog explorer, redrawn in place (see :func:`draw_hmc_trajectory`):
    the contours of U, the legend, the labels and the suptitle are fixed; the exact flow,
    the leapfrog path, the start (repainted over the paths), the energy errors and both
    titles move with eps, L and seed.

    Limits: the positions' ``-3 .. 3`` in both axes (the path is clipped to it); the
    energy's x is ``-0.03 X .. 1.03 X`` with X the 1-2-5 step at or above L; its y is a
    fixed symlog axis ``-HMC_ERROR_CAP .. HMC_ERROR_CAP``, linear within
    ``+-HMC_ERROR_LINEAR`` (an unstable step's explosion leaves the frame).
    """

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.6, top=0.84, bottom=0.15)
        g = np.linspace(-3, 3, 80)
        X, Y = np.meshgrid(g, g)
        U = 0.5 * (HMC_A[0, 0] * X**2 + 2 * HMC_A[0, 1] * X * Y + HMC_A[1, 1] * Y**2)
        left.contour(X, Y, U, levels=[0.25, 1, 2, 4], colors="0.7", linewidths=0.8)
        (self.exact,) = left.plot([], [], "--", color="0.3", lw=1, label="exact flow")
        (self.path,) = left.plot([], [], "o-", color="C0", ms=3, lw=1, label="leapfrog")
        self.q0 = np.array([1.2, -0.8])
        (start,) = left.plot(*self.q0, "s", color="C3", label="start")
        left.set_xlim(-3, 3)
        left.set_ylim(-3, 3)
        left.set_xlabel("position x_1")
        left.set_ylabel("position x_2")

        (self.errors,) = right.plot([], [], "o-", color="C1", ms=3)
        right.axhline(0.0, color="0.4", lw=0.8)
        right.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        right.set_xlabel("leapfrog step")
        right.set_yscale("symlog", linthresh=HMC_ERROR_LINEAR)
        right.set_ylim(-HMC_ERROR_CAP, HMC_ERROR_CAP)
        ticks = [-100.0, -1.0, -0.01, 0.0, 0.01, 1.0, 100.0]
        right.set_yticks(ticks, [f"{t:g}" for t in ticks])
        right.yaxis.set_minor_locator(NullLocator())
        right.set_ylabel("energy error H_t - H_0 (symlog)")
        values, self.vectors = np.linalg.eigh(HMC_A)
        self.omega = np.sqrt(values)
        stable = 2.0 / np.sqrt(values.max())
        fig.suptitle(f"HMC trajectory (leapfrog stable for eps < {stable:.2f})")
        self.left, self.right = left, right
        left.legend(fontsize=8, loc="lower left")
        moving = [self.exact, self.path, start, self.errors, left.title, right.title]
        super().__init__(fig, moving)

    def update(self, eps, L, seed=0):
        L = _positive_int(L, "L", 1, 200)
        eps = float(eps)
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps!r}")
        rng = np.random.default_rng(seed)
        q0 = self.q0
        p0 = rng.normal(size=2)

        def energy(q, p):
            return 0.5 * q @ HMC_A @ q + 0.5 * p @ p

        path, energies = [q0], [energy(q0, p0)]
        q, p = q0, p0
        with np.errstate(all="ignore"):  # an unstable step size overflows: drawn as far as finite
            for _ in range(L):
                q, p = gaussian_leapfrog(q, p, HMC_A, eps, 1)
                path.append(q)
                energies.append(energy(q, p))
            path, errors = np.array(path), np.array(energies) - energies[0]
        # exact flow: q(t) = cos(Omega t) q0 + Omega^-1 sin(Omega t) p0 with Omega = A^(1/2)
        omega, vectors = self.omega, self.vectors
        times = np.linspace(0.0, eps * L, 200)
        a0, b0 = vectors.T @ q0, vectors.T @ p0
        modes = np.cos(np.outer(times, omega)) * a0 + np.sin(np.outer(times, omega)) * b0 / omega
        exact = modes @ vectors.T  # (200, 2)
        self.exact.set_data(exact[:, 0], exact[:, 1])
        shown = np.clip(np.nan_to_num(path, nan=3.0), -3, 3)
        self.path.set_data(shown[:, 0], shown[:, 1])
        self.left.set_title(f"eps = {eps:.2f}, L = {L}")

        finite = np.isfinite(errors)
        self.errors.set_data(np.arange(L + 1)[finite], errors[finite])
        accept = float(np.exp(min(0.0, -errors[-1]))) if np.isfinite(errors[-1]) else 0.0
        self.right.set_title(f"accept probability {accept:.2f}")
        reach = nice_ceil(L)
        self.right.set_xlim(-0.03 * reach, 1.03 * reach)
        return self


def draw_hmc_trajectory(eps, L, seed=0):
    """Leapfrog trajectories on a correlated 2-D Gaussian (U = x^T A x / 2) and the energy.

    Left: the contours of U, the exact Hamiltonian flow for the same time eps * L (dashed)
    and the leapfrog path. Right: the energy error ``H_t - H_0`` along the steps; the
    accept probability is ``min(1, exp(-(H_L - H_0)))``. Leapfrog is stable only for
    ``eps < 2 / sqrt(largest eigenvalue of A)``; beyond, the energy explodes.
    """
    return HMCTrajectory().update(eps, L, seed).figure


__all__ = [
    "HMCTrajectory",
    "ImportanceWeights",
    "MCMCChain",
    "draw_hmc_trajectory",
    "draw_importance_weights",
    "draw_mcmc_chain",
]
