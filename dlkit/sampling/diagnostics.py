"""MCMC diagnostics: autocorrelation, effective sample size and split R-hat.

Reference implementations for module 17. A chain's draws are correlated, so its mean
is less precise than that of n independent draws: ``Var(mean) ~ tau Var(x) / n`` with
the integrated autocorrelation time ``tau = 1 + 2 sum_{k >= 1} rho_k``, and the
**effective sample size** is ``n / tau``. The far lags of an estimated autocorrelation
are noise, so the sum is cut by Geyer's initial positive sequence: with pair sums
``P_m = rho_{2m} + rho_{2m+1}``, keep ``P_0, P_1, ...`` until the first ``P_m <= 0``;
then ``tau = -1 + 2 sum_m P_m``.

**Split R-hat** compares several chains, each cut in halves: with W the mean within-half
variance and B / h the variance of the half means (h draws per half),
``R-hat = sqrt(((h - 1) / h W + B / h) / W)``, 1 for chains that agree and above about
1.01 for chains that have not mixed or still drift.
"""

import numpy as np


def _chain(x, func, min_size=4):
    x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2) or x.shape[0] < min_size:
        raise ValueError(
            f"{func}: chain must be an (n,) or (n, d) array with n >= {min_size}, "
            f"got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{func}: chain has non-finite values")
    return x


def autocovariance(x):
    """``gamma_k = (1/n) sum_{t < n-k} (x_t - mean)(x_{t+k} - mean)`` for k = 0..n-1.

    x (n,) or (n, d) -> same shape, along the first axis; by FFT (zero-padded to 2n).
    """
    x = _chain(x, "autocovariance", min_size=2)
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    spectrum = np.fft.rfft(centred, n=2 * n, axis=0)
    return np.fft.irfft(spectrum * np.conj(spectrum), n=2 * n, axis=0)[:n] / n


def autocorrelation(x, max_lag=None):
    """``rho_k = gamma_k / gamma_0`` for k = 0..max_lag (all lags by default)."""
    gamma = autocovariance(x)
    if np.any(gamma[0] <= 0):
        raise ValueError("autocorrelation: the chain is constant")
    rho = gamma / gamma[0]
    return rho if max_lag is None else rho[: int(max_lag) + 1]


def _tau(rho):
    """Integrated autocorrelation time of one chain from its autocorrelations (n,)."""
    n_pairs = rho.size // 2
    pairs = rho[: 2 * n_pairs].reshape(n_pairs, 2).sum(axis=1)  # P_m = rho_2m + rho_2m+1
    negative = np.flatnonzero(pairs <= 0)
    stop = negative[0] if negative.size else n_pairs
    return -1.0 + 2.0 * pairs[:stop].sum()


def ess(chain):
    """Effective sample size ``n / tau`` (Geyer's initial positive sequence).

    chain (n,) -> float; (n, d) -> (d,), one per coordinate.
    """
    chain = _chain(chain, "ess")
    rho = autocorrelation(chain)
    n = chain.shape[0]
    if rho.ndim == 1:
        return float(n / _tau(rho))
    return np.array([n / _tau(rho[:, j]) for j in range(rho.shape[1])])


def mc_standard_error(chain):
    """Monte Carlo standard error of a chain's mean: ``sd / sqrt(ESS)``."""
    chain = _chain(chain, "mc_standard_error")
    return np.sqrt(chain.var(axis=0, ddof=1) / ess(chain))


def split_rhat(chains):
    """Split R-hat of m chains of n draws, chains (m, n) -> float.

    Each chain is cut into its first and last ``h = n // 2`` draws (the middle one is
    dropped when n is odd), giving 2m sequences; ``W`` = mean of their variances
    (ddof 1), ``B / h`` = variance of their means (ddof 1).
    """
    chains = np.asarray(chains, dtype=float)
    if chains.ndim != 2 or chains.shape[1] < 4:
        raise ValueError(
            f"split_rhat: chains must be an (m, n) array, one chain per row, n >= 4, "
            f"got shape {chains.shape}"
        )
    h = chains.shape[1] // 2
    halves = np.concatenate([chains[:, :h], chains[:, -h:]])  # (2m, h)
    within = halves.var(axis=1, ddof=1).mean()
    if within <= 0:
        raise ValueError("split_rhat: every sequence is constant")
    between_over_h = halves.mean(axis=1).var(ddof=1)
    return float(np.sqrt(((h - 1) / h * within + between_over_h) / within))


__all__ = ["autocorrelation", "autocovariance", "ess", "mc_standard_error", "split_rhat"]
