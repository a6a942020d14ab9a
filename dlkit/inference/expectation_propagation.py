"""Expectation propagation (EP) for probit regression, built on tilted moments.

Reference implementations for module 18. EP approximates a posterior
``p(w) ∝ p_0(w) prod_i f_i(w)`` by ``q(w) ∝ p_0(w) prod_i t_i(w)`` with Gaussian *sites*
``t_i``. It refines one site at a time:

1. the *cavity* ``q_{-i} ∝ q / t_i`` removes the site;
2. the *tilted* distribution ``q_{-i} f_i`` puts the true factor back;
3. the new q is the Gaussian with the tilted distribution's mean and variance (moment
   matching, which minimises ``KL(tilted || q)``), and the site is ``q_new / q_{-i}``.

For probit regression, ``f_i(w) = Phi(y_i x_i . w)`` with ``y_i in {-1, +1}``, the site
depends on w only through ``z = x_i . w``, so step 3 needs the moments of the 1-D
tilted density ``N(z; m, v) Phi(y z)``, which are closed forms (:func:`probit_tilted_moments`).
"""

import numpy as np
import scipy.special


def _log_phi(x):
    """log of the standard normal density."""
    return -0.5 * x**2 - 0.5 * np.log(2 * np.pi)


def probit_tilted_moments(m, v, y):
    """``(log_Z, mean, var)`` of the tilted density ``N(z; m, v) Phi(y z)``, y = ±1.

    With ``kappa = y m / sqrt(1 + v)`` and the ratio ``r = phi(kappa) / Phi(kappa)``:

    * ``Z = Phi(kappa)`` (the normaliser), computed as ``log_Z = log_ndtr(kappa)``;
    * ``mean = m + y v r / sqrt(1 + v)``;
    * ``var = v - v^2 r (kappa + r) / (1 + v)``.

    ``r`` is formed as ``exp(log phi - log Phi)``, so it stays finite far in the tail
    (kappa = -40, where Phi underflows to 0). Arguments broadcast; v > 0.
    """
    m, v, y = (np.asarray(a, dtype=float) for a in (m, v, y))
    if np.any(v <= 0):
        raise ValueError("probit_tilted_moments: v must be a positive variance")
    if not np.all(np.abs(y) == 1):
        raise ValueError("probit_tilted_moments: y must hold labels -1 and +1 (map 0 to -1)")
    root = np.sqrt(1.0 + v)
    kappa = y * m / root
    log_z = scipy.special.log_ndtr(kappa)
    ratio = np.exp(_log_phi(kappa) - log_z)
    mean = m + y * v * ratio / root
    var = v - v**2 * ratio * (kappa + ratio) / (1.0 + v)
    return log_z, mean, var


def ep_probit(X, y, prior_var=1.0, n_sweeps=5, history=False):
    """EP for Bayesian probit regression, ``w ~ N(0, prior_var I)``,
    ``p(y_i | w) = Phi(y_i x_i . w)`` with labels ±1.

    Sites ``t_i(w) ∝ exp(-tau_i (x_i . w)^2 / 2 + nu_i x_i . w)`` start at 0; q = N(mu, Sigma)
    with ``Sigma^-1 = I / prior_var + sum_i tau_i x_i x_i^T`` and ``mu = Sigma sum_i nu_i x_i``.
    A sweep visits i = 0..n-1: the cavity of ``z = x_i . w`` has precision
    ``1/s_i - tau_i`` and precision-mean ``m_i/s_i - nu_i`` (m_i, s_i the marginal of z under
    q), the tilted moments give the new site ``tau_i = 1/var - cavity precision``,
    ``nu_i = mean/var - cavity precision-mean``, and Sigma gets a rank-one update.
    Returns ``(mu (d,), Sigma (d, d))``; with ``history=True`` also a dict with the mean
    after each sweep (``"means"``, (n_sweeps, d)) and the final sites (``"tau"``, ``"nu"``,
    (n,) each). For probit, tau_i >= 0 always (the likelihood is log-concave).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"ep_probit: X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("ep_probit: y must hold labels -1 and +1 (use 2 * y - 1 for 0/1 labels)")
    if not prior_var > 0:
        raise ValueError(f"ep_probit: prior_var must be positive, got {prior_var}")
    n, d = X.shape
    tau, nu = np.zeros(n), np.zeros(n)
    Sigma, b = prior_var * np.eye(d), np.zeros(d)  # b = sum_i nu_i x_i
    means = []
    for _ in range(n_sweeps):
        for i in range(n):
            x = X[i]
            Sx = Sigma @ x  # (d,)
            s, m = x @ Sx, x @ (Sigma @ b)
            cav_prec, cav_pm = 1.0 / s - tau[i], m / s - nu[i]
            _, mean, var = probit_tilted_moments(cav_pm / cav_prec, 1.0 / cav_prec, y[i])
            new_tau = max(1.0 / var - cav_prec, 0.0)
            new_nu = mean / var - cav_pm
            delta = new_tau - tau[i]
            Sigma = Sigma - (delta / (1.0 + delta * s)) * np.outer(Sx, Sx)
            b = b + (new_nu - nu[i]) * x
            tau[i], nu[i] = new_tau, new_nu
        Sigma = np.linalg.inv(np.eye(d) / prior_var + (X * tau[:, None]).T @ X)  # refresh
        means.append(Sigma @ b)
    mu = Sigma @ b
    if history:
        return mu, Sigma, {"means": np.array(means), "tau": tau, "nu": nu}
    return mu, Sigma


__all__ = ["ep_probit", "probit_tilted_moments"]
