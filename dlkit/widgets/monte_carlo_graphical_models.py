"""Widget drawings for module 17, Monte Carlo methods and graphical models."""

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit.plot import new_figure
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


def draw_mcmc_chain(step, n_steps=2000, target="bimodal", seed=0):
    """Random-walk Metropolis on a 1-D target: the trace, the histogram against the density,
    and the autocorrelation function, with the acceptance rate and the effective sample size.

    Small steps are almost always accepted but crawl (long autocorrelation, small ESS);
    huge steps are almost always rejected (the trace is flat for long stretches); the ESS
    is largest in between, near an acceptance rate of 0.3-0.5 in one dimension.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {sorted(TARGETS)}")
    if not float(step) > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    n_steps = _positive_int(n_steps, "n_steps", 100, 50_000)
    weights, means, sds = TARGETS[target]
    chain, rate = rw_metropolis_mixture(weights, means, sds, 0.0, n_steps, float(step), seed)
    if np.ptp(chain) > 0:
        effective, rho = ess(chain), autocorrelation(chain, MAX_LAG)
    else:  # every proposal rejected: no information in the chain
        effective, rho = 1.0, np.ones(MAX_LAG + 1)

    fig, (trace, hist, acf) = new_figure(ncols=3, width=3.4, height=3.1, top=0.80, bottom=0.17)
    _few_ticks(fig)
    trace.plot(np.arange(1, n_steps + 1), chain, color="C0", lw=0.6)
    trace.set_xlabel("step t")
    trace.set_ylabel("state x_t")
    trace.set_title("trace")

    low, high = min(means) - 4 * max(sds), max(means) + 4 * max(sds)
    grid = np.linspace(low, high, 300)
    counts, edges = np.histogram(chain, bins=40, range=(low, high), density=True)
    hist.stairs(counts, edges, fill=True, color="C0", alpha=0.5, label="chain")
    hist.plot(
        grid,
        np.exp(mixture_log_density(grid, weights, means, sds)),
        color="C3",
        label="target p(x)",
    )
    hist.set_xlabel("x")
    hist.set_ylabel("density")
    hist.set_title("chain (blue) vs target (red)")

    acf.vlines(np.arange(MAX_LAG + 1), 0.0, rho, color="C2", lw=2)
    acf.axhline(0.0, color="0.4", lw=0.8)
    acf.set_ylim(min(-0.2, rho.min() - 0.05), 1.05)
    acf.set_xlabel("lag k (steps)")
    acf.set_ylabel("autocorrelation rho_k")
    acf.set_title(f"ESS = {effective:.0f} of {n_steps}")
    fig.suptitle(f"Metropolis, step {float(step):.2f}: acceptance rate {rate:.2f}")
    return fig


def draw_importance_weights(q_mu, q_sd, n=500, seed=0):
    """Self-normalised importance sampling of ``E_p[x]`` for p = N(1, 0.5^2) known up to Z,
    with draws from the proposal q = N(q_mu, q_sd^2).

    Left: p, q and the draws, with the weight function ``w = p~ / q``. Middle: the
    normalised weights sorted from the largest (degeneracy: a few weights carry all the
    mass). Right: ESS / n against the proposal's mean, the large-n limit for this q_sd
    (``1 / int p^2 / q``) and this draw's value.
    """
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

    fig, (dens, ranked, curve) = new_figure(ncols=3, width=3.4, height=3.1, top=0.80, bottom=0.17)
    _few_ticks(fig)
    grid = np.linspace(-4.0, 5.0, 300)
    p = np.exp(-0.5 * ((grid - P_MU) / P_SD) ** 2) / (P_SD * np.sqrt(2 * np.pi))
    q = np.exp(-0.5 * ((grid - q_mu) / q_sd) ** 2) / (q_sd * np.sqrt(2 * np.pi))
    dens.plot(grid, p, color="C3", label="target p")
    dens.plot(grid, q, color="C0", label="proposal q")
    dens.plot(x[:200], np.full(min(n, 200), -0.03), "|", color="C0", ms=6, alpha=0.5)
    dens.set_ylim(-0.08, max(p.max(), q.max()) * 1.15)
    dens.set_xlabel("x")
    dens.set_ylabel("density")
    dens.set_title("target p (red), proposal q (blue)")

    top = np.sort(weights)[::-1][:50]
    ranked.vlines(np.arange(1, top.size + 1), 0.0, top, color="C1", lw=3)
    ranked.set_xlabel("rank of the weight")
    ranked.set_ylabel("normalised weight")
    ranked.set_title(f"largest weight {top[0]:.2f}")

    mus = np.linspace(-3.0, 4.0, 141)
    limit = [gaussian_ess_fraction(P_MU, P_SD, m, q_sd) for m in mus]
    curve.plot(mus, limit, color="C0", label=f"large-n limit, q_sd = {q_sd:.2f}")
    curve.plot([q_mu], [effective / n], "o", color="C3", label="this draw (dot)")
    curve.set_ylim(0.0, 1.05)
    curve.set_xlabel("proposal mean q_mu")
    curve.set_ylabel("ESS / n (line: large-n limit)")
    curve.set_title(f"ESS = {effective:.1f} of {n}")
    fig.suptitle(f"SNIS estimate of E_p[x] = {estimate:.3f} (truth {P_MU:.3f})")
    return fig


def draw_hmc_trajectory(eps, L, seed=0):
    """Leapfrog trajectories on a correlated 2-D Gaussian (U = x^T A x / 2) and the energy.

    Left: the contours of U, the exact Hamiltonian flow for the same time eps * L (dashed)
    and the leapfrog path. Right: the energy error ``H_t - H_0`` along the steps; the
    accept probability is ``min(1, exp(-(H_L - H_0)))``. Leapfrog is stable only for
    ``eps < 2 / sqrt(largest eigenvalue of A)``; beyond, the energy explodes.
    """
    L = _positive_int(L, "L", 1, 200)
    eps = float(eps)
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    rng = np.random.default_rng(seed)
    q0 = np.array([1.2, -0.8])
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
    values, vectors = np.linalg.eigh(HMC_A)
    omega = np.sqrt(values)
    times = np.linspace(0.0, eps * L, 200)
    a0, b0 = vectors.T @ q0, vectors.T @ p0
    modes = np.cos(np.outer(times, omega)) * a0 + np.sin(np.outer(times, omega)) * b0 / omega
    exact = modes @ vectors.T  # (200, 2)

    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.6, top=0.84, bottom=0.15)
    g = np.linspace(-3, 3, 80)
    X, Y = np.meshgrid(g, g)
    U = 0.5 * (HMC_A[0, 0] * X**2 + 2 * HMC_A[0, 1] * X * Y + HMC_A[1, 1] * Y**2)
    left.contour(X, Y, U, levels=[0.25, 1, 2, 4], colors="0.7", linewidths=0.8)
    left.plot(exact[:, 0], exact[:, 1], "--", color="0.3", lw=1, label="exact flow")
    shown = np.clip(np.nan_to_num(path, nan=3.0), -3, 3)
    left.plot(shown[:, 0], shown[:, 1], "o-", color="C0", ms=3, lw=1, label="leapfrog")
    left.plot(*q0, "s", color="C3", label="start")
    left.set_xlim(-3, 3)
    left.set_ylim(-3, 3)
    left.set_xlabel("position x_1")
    left.set_ylabel("position x_2")
    left.set_title(f"eps = {eps:.2f}, L = {L}")
    left.legend(fontsize=8, loc="lower left")

    finite = np.isfinite(errors)
    right.plot(np.arange(L + 1)[finite], errors[finite], "o-", color="C1", ms=3)
    right.axhline(0.0, color="0.4", lw=0.8)
    right.set_xlabel("leapfrog step")
    right.set_ylabel("energy error H_t - H_0")
    accept = float(np.exp(min(0.0, -errors[-1]))) if np.isfinite(errors[-1]) else 0.0
    right.set_title(f"accept probability {accept:.2f}")
    stable = 2.0 / np.sqrt(values.max())
    fig.suptitle(f"HMC trajectory (leapfrog stable for eps < {stable:.2f})")
    return fig


__all__ = ["draw_hmc_trajectory", "draw_importance_weights", "draw_mcmc_chain"]
