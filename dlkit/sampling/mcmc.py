"""Markov chain Monte Carlo: Metropolis-Hastings, Gibbs and Hamiltonian Monte Carlo.

Reference implementations for module 17. Every sampler returns the chain of the states
**after** each of its n steps (the start ``x0`` excluded); a rejected proposal repeats the
current state, so the chain always has n entries, plus the fraction of accepted proposals.

- **Metropolis-Hastings** proposes ``x' ~ q(x' | x)`` and accepts with probability
  ``min(1, p(x') q(x | x') / (p(x) q(x' | x)))``; only ratios of p appear, so the target
  may be unnormalised. Compared in logs: accept when ``log u < log alpha``.
- **Gibbs** draws each coordinate from its conditional given the current others.
- **HMC** adds a momentum ``p ~ N(0, I)``, follows Hamilton's equations for
  ``H = U(x) + |p|^2 / 2`` (``U = -log p``) with L leapfrog steps of size eps, and accepts
  with ``min(1, exp(H_old - H_new))``.

Targets are given by their parameters: a 1-D Gaussian mixture (weights, means, standard
deviations), a Gamma (shape, rate), a zero-mean Gaussian by its precision matrix A.
"""

import math

import numpy as np


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _steps(n, func):
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{func}: n must be a positive integer number of steps, got {n!r}")
    return int(n)


def _positive(x, name, func):
    x = float(x)
    if not x > 0:
        raise ValueError(f"{func}: {name} must be positive, got {x}")
    return x


# ---------------------------------------------------------------- targets by parameters


def _mixture(weights, means, sds, func):
    weights, means, sds = (np.asarray(a, dtype=float).reshape(-1) for a in (weights, means, sds))
    if not weights.shape == means.shape == sds.shape or weights.size == 0:
        raise ValueError(f"{func}: weights, means and sds must be 1-D arrays of one length")
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0) or np.any(sds <= 0):
        raise ValueError(f"{func}: weights must be >= 0 and sum to 1, and sds must be positive")
    return weights, means, sds


def mixture_log_density(x, weights, means, sds):
    """``log sum_k w_k N(x; mu_k, sd_k^2)`` element-wise for x of any shape."""
    weights, means, sds = _mixture(weights, means, sds, "mixture_log_density")
    x = np.asarray(x, dtype=float)
    z = (x[..., None] - means) / sds  # (..., K)
    with np.errstate(divide="ignore"):
        logs = np.log(weights) - np.log(sds) - 0.5 * z**2 - 0.5 * np.log(2.0 * np.pi)
    top = logs.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(logs - top).sum(axis=-1, keepdims=True)))[..., 0]


def mixture_moments(weights, means, sds):
    """``(mean, variance)`` of the mixture, in closed form."""
    weights, means, sds = _mixture(weights, means, sds, "mixture_moments")
    mean = float(weights @ means)
    return mean, float(weights @ (sds**2 + means**2) - mean**2)


def gamma_log_density(x, shape, rate):
    """Unnormalised ``log Gamma(x; shape, rate) = (shape - 1) log x - rate x`` (-inf at x <= 0)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, (shape - 1.0) * np.log(x) - rate * x, -np.inf)


# ---------------------------------------------------------------- Metropolis-Hastings


def metropolis_hastings(log_target, propose, log_q, x0, n, seed=0):
    """Generic Metropolis-Hastings for one chain.

    ``log_target(x)``: unnormalised log-density; ``propose(x, rng)``: a draw of
    ``x' ~ q(. | x)``; ``log_q(to, frm)``: ``log q(to | frm)`` (up to a constant, which
    cancels). Returns ``(chain, accept_rate)``, chain of shape (n, *x0.shape).
    """
    n = _steps(n, "metropolis_hastings")
    rng = _rng(seed)
    x = np.asarray(x0, dtype=float)
    log_px = log_target(x)
    chain = np.empty((n, *x.shape))
    accepted = 0
    for t in range(n):
        proposal = np.asarray(propose(x, rng), dtype=float)
        log_pp = log_target(proposal)
        log_alpha = log_pp - log_px + log_q(x, proposal) - log_q(proposal, x)
        if np.log(rng.uniform()) < log_alpha:
            x, log_px = proposal, log_pp
            accepted += 1
        chain[t] = x
    return chain, accepted / n


def random_walk_metropolis(log_target, x0, n, step, seed=0):
    """Gaussian random-walk Metropolis, vectorised over independent chains.

    ``x' = x + step * N(0, 1)`` (symmetric, so no Hastings correction). ``x0`` a number or
    an array (m,) of starting points, one chain each; ``log_target`` element-wise.
    Returns ``(chain, accept_rate)``: (n,) and a float, or (n, m) and (m,).
    """
    n = _steps(n, "random_walk_metropolis")
    step = _positive(step, "step", "random_walk_metropolis")
    rng = _rng(seed)
    x = np.array(x0, dtype=float)
    scalar = x.ndim == 0
    x = x.reshape(-1)  # (m,)
    noise = rng.normal(size=(n, x.size)) * step
    log_u = np.log(rng.uniform(size=(n, x.size)))
    log_px = log_target(x)
    chain = np.empty((n, x.size))
    accepted = np.zeros(x.size)
    for t in range(n):
        proposal = x + noise[t]
        log_pp = log_target(proposal)
        take = log_u[t] < log_pp - log_px
        x = np.where(take, proposal, x)
        log_px = np.where(take, log_pp, log_px)
        accepted += take
        chain[t] = x
    rate = accepted / n
    return (chain[:, 0], float(rate[0])) if scalar else (chain, rate)


def rw_metropolis_mixture(weights, means, sds, x0, n, step, seed=0):
    """Random-walk Metropolis on the Gaussian mixture ``sum_k w_k N(mu_k, sd_k^2)``."""
    weights, means, sds = _mixture(weights, means, sds, "rw_metropolis_mixture")
    with np.errstate(divide="ignore"):
        log_c = np.log(weights) - np.log(sds) - 0.5 * np.log(2.0 * np.pi)  # (K,)

    def log_target(x):  # x (m,): the mixture's log-density, validated once, not per step
        return np.logaddexp.reduce(log_c - 0.5 * ((x[:, None] - means) / sds) ** 2, axis=1)

    if np.ndim(x0) == 0:  # one chain: the same draws, stepped with Python floats (faster)
        return _scalar_mixture_chain(log_c, means, sds, float(x0), n, step, seed)
    return random_walk_metropolis(log_target, x0, n, step, seed)


def _scalar_mixture_chain(log_c, means, sds, x, n, step, seed):
    """:func:`random_walk_metropolis` for one chain on a mixture, with the same random
    draws (so the same chain), but float arithmetic per step instead of array calls."""
    n = _steps(n, "rw_metropolis_mixture")
    step = _positive(step, "step", "rw_metropolis_mixture")
    rng = _rng(seed)
    noise = (rng.normal(size=(n, 1)) * step)[:, 0].tolist()
    log_u = np.log(rng.uniform(size=(n, 1)))[:, 0].tolist()
    terms = list(zip(log_c.tolist(), means.tolist(), sds.tolist()))

    def log_p(value):
        logs = [c - 0.5 * ((value - m) / s) ** 2 for c, m, s in terms]
        top = max(logs)
        return top + math.log(sum(math.exp(v - top) for v in logs)) if top > -math.inf else top

    chain, accepted, log_px = [], 0, log_p(x)
    for t in range(n):
        proposal = x + noise[t]
        log_pp = log_p(proposal)
        if log_u[t] < log_pp - log_px:
            x, log_px = proposal, log_pp
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def mh_gamma(shape, rate, x0, n, s, seed=0):
    """Metropolis-Hastings on Gamma(shape, rate) with the log-normal proposal ``x' = x e^{s Z}``.

    The proposal is asymmetric: ``q(x' | x) = LogNormal(log x, s^2)`` has density
    ``1 / x'`` times a symmetric term, so the Hastings ratio ``q(x | x') / q(x' | x)``
    equals ``x' / x``. Without it the chain samples ``Gamma(shape - 1, rate)``.
    Returns ``(chain (n,), accept_rate)``; x0 > 0, vectorised like ``random_walk_metropolis``.
    """
    n = _steps(n, "mh_gamma")
    s = _positive(s, "s", "mh_gamma")
    _positive(shape, "shape", "mh_gamma")
    _positive(rate, "rate", "mh_gamma")
    rng = _rng(seed)
    x = np.array(x0, dtype=float)
    scalar = x.ndim == 0
    x = x.reshape(-1)
    if np.any(x <= 0):
        raise ValueError("mh_gamma: x0 must be positive")
    log_steps = rng.normal(size=(n, x.size)) * s
    log_u = np.log(rng.uniform(size=(n, x.size)))
    chain = np.empty((n, x.size))
    accepted = np.zeros(x.size)
    for t in range(n):
        proposal = x * np.exp(log_steps[t])
        # log p(x') - log p(x) + log(x' / x), with log(x' / x) = log_steps[t]
        log_alpha = (shape - 1.0) * log_steps[t] - rate * (proposal - x) + log_steps[t]
        take = log_u[t] < log_alpha
        x = np.where(take, proposal, x)
        accepted += take
        chain[t] = x
    rate_ = accepted / n
    return (chain[:, 0], float(rate_[0])) if scalar else (chain, rate_)


# ---------------------------------------------------------------- Gibbs sampling


def gibbs_bivariate_normal(rho, n, seed=0, start=(0.0, 0.0)):
    """Gibbs sampler for the standard bivariate normal with correlation rho.

    One sweep: ``x ~ N(rho y, 1 - rho^2)``, then ``y ~ N(rho x, 1 - rho^2)`` with the new x.
    Returns the (n, 2) states after each sweep. The x-chain is AR(1) with coefficient
    ``rho^2``, so the lag-1 autocorrelation is rho^2: strong correlation mixes slowly.
    """
    n = _steps(n, "gibbs_bivariate_normal")
    rho = float(rho)
    if not -1.0 < rho < 1.0:
        raise ValueError(f"gibbs_bivariate_normal: rho must lie in (-1, 1), got {rho}")
    rng = _rng(seed)
    sd = np.sqrt(1.0 - rho**2)
    noise = rng.normal(size=(n, 2)) * sd
    x, y = (float(v) for v in start)
    chain = np.empty((n, 2))
    for t in range(n):
        x = rho * y + noise[t, 0]
        y = rho * x + noise[t, 1]
        chain[t] = x, y
    return chain


# ---------------------------------------------------------------- Hamiltonian Monte Carlo


def leapfrog(q, p, grad_U, eps, L):
    """L leapfrog steps of size eps for ``H = U(q) + |p|^2 / 2`` (unit mass).

    Half a momentum step, then L times (a full position step, a full momentum step), the
    last momentum step halved: ``p -= eps/2 grad U(q); [q += eps p; p -= eps grad U(q)]
    x L`` with the final ``eps`` replaced by ``eps/2``. Time-reversible and volume
    preserving; the energy error is O(eps^2). Returns the new ``(q, p)``.
    """
    if not (isinstance(L, int | np.integer) and L >= 1):
        raise ValueError(f"leapfrog: L must be a positive integer number of steps, got {L!r}")
    eps = float(eps)
    q, p = np.array(q, dtype=float), np.array(p, dtype=float)
    p = p - 0.5 * eps * grad_U(q)
    for step in range(L):
        q = q + eps * p
        p = p - (eps if step < L - 1 else 0.5 * eps) * grad_U(q)
    return q, p


def _precision(A, func):
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise ValueError(f"{func}: A must be a symmetric (d, d) precision matrix")
    if np.linalg.eigvalsh(A).min() <= 0:
        raise ValueError(f"{func}: A must be positive definite")
    return A


def gaussian_leapfrog(q, p, A, eps, L):
    """:func:`leapfrog` for ``U(q) = q^T A q / 2`` (``grad U = A q``); q, p (d,)."""
    A = _precision(A, "gaussian_leapfrog")
    return leapfrog(q, p, lambda x: A @ x, eps, L)


def hmc(U, grad_U, x0, n, eps, L, seed=0):
    """Hamiltonian Monte Carlo: n iterations of (fresh momentum, L leapfrog steps, accept).

    ``U(x) = -log p(x)`` up to a constant and its gradient; x0 (d,).
    Returns ``(chain (n, d), accept_rate)``.
    """
    n = _steps(n, "hmc")
    rng = _rng(seed)
    x = np.array(x0, dtype=float).reshape(-1)
    chain = np.empty((n, x.size))
    u_x = U(x)
    accepted = 0
    for t in range(n):
        p = rng.normal(size=x.size)
        q_new, p_new = leapfrog(x, p, grad_U, eps, L)
        u_new = U(q_new)
        log_alpha = (u_x + 0.5 * p @ p) - (u_new + 0.5 * p_new @ p_new)
        if np.log(rng.uniform()) < log_alpha:
            x, u_x = q_new, u_new
            accepted += 1
        chain[t] = x
    return chain, accepted / n


def hmc_gaussian(A, x0, n, eps, L, seed=0):
    """HMC on the zero-mean Gaussian with precision A (covariance ``A^-1``)."""
    A = _precision(A, "hmc_gaussian")
    return hmc(lambda x: 0.5 * x @ A @ x, lambda x: A @ x, x0, n, eps, L, seed)


__all__ = [
    "gamma_log_density",
    "gaussian_leapfrog",
    "gibbs_bivariate_normal",
    "hmc",
    "hmc_gaussian",
    "leapfrog",
    "metropolis_hastings",
    "mh_gamma",
    "mixture_log_density",
    "mixture_moments",
    "random_walk_metropolis",
    "rw_metropolis_mixture",
]
