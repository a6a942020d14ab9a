"""Monte Carlo estimation, variance reduction and importance sampling.

Reference implementations for module 17. The plain estimator of ``E_p[f(X)]`` averages
``f`` over ``n`` independent draws; its standard error is ``sd(f) / sqrt(n)``. Variance
reduction keeps the mean and shrinks the variance per function evaluation:

- **antithetic** pairs ``(U, 1 - U)`` for a monotone ``f`` of a uniform ``U`` are
  negatively correlated, so their average varies less (each pair costs two evaluations);
- a **control variate** ``h`` with known mean: ``f - b (h - E[h])`` with
  ``b = Cov(f, h) / Var(h)`` has variance ``Var(f) (1 - corr(f, h)^2)``.

**Importance sampling** draws from a proposal ``q`` and weights by ``w = p / q``;
when the target is known only up to its normaliser, ``p~ = Z p``, the weights are
normalised to sum to one (self-normalised IS, biased but consistent), and the effective
sample size ``ESS = (sum w)^2 / sum w^2`` measures how many draws really count.
Weights are handled as logarithms and exponentiated after subtracting their maximum.
"""

import numpy as np

from dlkit.numerics import logsumexp


def _values(x, func, name="f_vals", min_size=1):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < min_size:
        raise ValueError(
            f"{func}: {name} must be a 1-D array of at least {min_size} values, got shape {x.shape}"
        )
    return x


def _count(n, func, minimum=2):
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"{func}: n must be an integer >= {minimum}, got {n!r}")
    return int(n)


# ---------------------------------------------------------------- plain Monte Carlo


def mc_estimate(values):
    """``(mean, standard error)`` of the plain Monte Carlo estimator from f-values (n,)."""
    values = _values(values, "mc_estimate", "values", min_size=2)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(values.size))


def antithetic_estimate(f, u):
    """Antithetic estimate of ``E[f(U)]``, ``U ~ U(0, 1)``, from m uniforms u (m,).

    Pairs ``g_i = (f(u_i) + f(1 - u_i)) / 2``; returns ``(estimate, variance per
    evaluation)``: the 2m evaluations give ``Var(estimate) = Var(g) / m``, that is
    ``2 Var(g)`` per evaluation, to be compared with ``Var(f(U))`` of the plain estimator.
    """
    u = _values(u, "antithetic_estimate", "u", min_size=2)
    pairs = 0.5 * (f(u) + f(1.0 - u))  # (m,)
    return float(pairs.mean()), float(2.0 * pairs.var(ddof=1))


def control_variate_estimate(f_vals, h_vals, h_mean):
    """Control-variate estimate of ``E[f]`` with a control ``h`` of known mean ``h_mean``.

    ``z = f - b (h - h_mean)`` with the estimated optimal ``b = Cov(f, h) / Var(h)``.
    f_vals, h_vals (n,); returns ``(estimate, variance per evaluation Var(z), b)``.
    """
    f_vals = _values(f_vals, "control_variate_estimate", min_size=3)
    h_vals = _values(h_vals, "control_variate_estimate", "h_vals", min_size=3)
    if f_vals.shape != h_vals.shape:
        raise ValueError("control_variate_estimate: f_vals and h_vals need the same length")
    b = np.cov(f_vals, h_vals)[0, 1] / h_vals.var(ddof=1)
    z = f_vals - b * (h_vals - h_mean)
    return float(z.mean()), float(z.var(ddof=1)), float(b)


def exp_uniform_estimators(n, seed=0):
    """Three estimates of ``E[e^U] = e - 1``, ``U ~ U(0, 1)``, each from n evaluations.

    Returns ``{"plain": (est, var), "antithetic": (est, var), "control": (est, var)}``
    with the variance per function evaluation: exactly 0.24204, 0.0078254 and 0.0039402
    (control variate ``h = U``, ``E[U] = 1/2``). n even.
    """
    n = _count(n, "exp_uniform_estimators", minimum=4)
    if n % 2:
        raise ValueError(f"exp_uniform_estimators: n must be even (antithetic pairs), got {n}")
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=n)
    f = np.exp(u)
    plain = (float(f.mean()), float(f.var(ddof=1)))
    antithetic = antithetic_estimate(np.exp, rng.uniform(size=n // 2))
    est, var, _ = control_variate_estimate(f, u, 0.5)
    return {"plain": plain, "antithetic": antithetic, "control": (est, var)}


# ---------------------------------------------------------------- importance sampling


def log_weights(log_p, log_q):
    """Log importance weights ``log p(x_i) - log q(x_i)`` (p may be unnormalised)."""
    log_p = _values(log_p, "log_weights", "log_p")
    log_q = _values(log_q, "log_weights", "log_q")
    if log_p.shape != log_q.shape:
        raise ValueError("log_weights: log_p and log_q need the same length")
    return log_p - log_q


def normalized_weights(log_w):
    """Self-normalised weights ``w_i / sum_j w_j`` from log-weights, computed stably."""
    log_w = _values(log_w, "normalized_weights", "log_w")
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def weights_ess(log_w):
    """Effective sample size ``(sum w)^2 / sum w^2 = 1 / sum wbar^2``, in [1, n]."""
    wbar = normalized_weights(log_w)
    return float(1.0 / np.sum(wbar**2))


def snis(f_vals, log_p_tilde, log_q):
    """Self-normalised importance sampling: ``(sum_i wbar_i f(x_i), ESS)``.

    f_vals, log_p_tilde, log_q (n,): f, the unnormalised target's log-density and the
    proposal's log-density at the draws ``x_i ~ q``.
    """
    f_vals = _values(f_vals, "snis")
    log_w = log_weights(log_p_tilde, log_q)
    if f_vals.shape != log_w.shape:
        raise ValueError("snis: f_vals, log_p_tilde and log_q need the same length")
    wbar = normalized_weights(log_w)
    return float(wbar @ f_vals), float(1.0 / np.sum(wbar**2))


def importance_estimate(f_vals, log_p, log_q):
    """Unbiased IS for a **normalised** target: ``(mean of w f, standard error)``."""
    f_vals = _values(f_vals, "importance_estimate")
    w = np.exp(log_weights(log_p, log_q))
    return mc_estimate(w * f_vals)


def log_normalizer_estimate(log_p_tilde, log_q):
    """``log Z`` estimated by ``log mean(p~ / q)`` (unbiased for Z, not for log Z)."""
    log_w = log_weights(log_p_tilde, log_q)
    return float(logsumexp(log_w) - np.log(log_w.size))


def gaussian_ess_fraction(mu_p, sd_p, mu_q, sd_q):
    """Large-n limit of ESS / n for target N(mu_p, sd_p^2) and proposal N(mu_q, sd_q^2).

    ``ESS / n -> 1 / E_q[w^2] = 1 / int p^2 / q``; the integral is finite only when
    ``2 sd_q^2 > sd_p^2`` (else the weights have infinite variance and the limit is 0).
    """
    sd_p, sd_q = float(sd_p), float(sd_q)
    if not (sd_p > 0 and sd_q > 0):
        raise ValueError("gaussian_ess_fraction: standard deviations must be positive")
    spread = 2.0 * sd_q**2 - sd_p**2
    if spread <= 0:
        return 0.0
    second_moment = sd_q**2 / (sd_p * np.sqrt(spread)) * np.exp((mu_p - mu_q) ** 2 / spread)
    return float(1.0 / second_moment)


__all__ = [
    "antithetic_estimate",
    "control_variate_estimate",
    "exp_uniform_estimators",
    "gaussian_ess_fraction",
    "importance_estimate",
    "log_normalizer_estimate",
    "log_weights",
    "mc_estimate",
    "normalized_weights",
    "snis",
    "weights_ess",
]
