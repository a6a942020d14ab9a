"""Factor analysis by EM: PPCA with a diagonal noise covariance.

The model: ``z ~ N(0, I_k)``, ``x | z ~ N(W z + mu, Psi)`` with ``Psi = diag(psi)``, one
noise variance per feature, so ``x ~ N(mu, W W^T + Psi)``. Unlike PPCA there is no closed
form; EM alternates (with ``G = (I + W^T Psi^{-1} W)^{-1}``, k x k):

    E-step   E[z_i] = G W^T Psi^{-1} (x_i - mu),   E[z_i z_i^T] = G + E[z_i] E[z_i]^T
    M-step   W   = [sum_i (x_i - mu) E[z_i]^T] [sum_i E[z_i z_i^T]]^{-1}
             psi = diag(S - W (1/n) sum_i E[z_i] (x_i - mu)^T)     (with the *new* W)

with ``S = Xc^T Xc / n`` and ``mu = mean(X)``. Each step never decreases the likelihood.
W is identifiable only up to a rotation (``W R`` gives the same covariance), so compare
``W W^T`` (or the log-likelihood), not W. scikit-learn's ``FactorAnalysis`` maximises the
same likelihood by another algorithm; its ``score`` is this mean log-likelihood.
"""

import numpy as np

from dlkit.factor._checks import count, data_matrix, model, n_components

LOG_2PI = np.log(2.0 * np.pi)
PSI_FLOOR = 1e-8  # keeps every noise variance positive (a "Heywood case" would hit 0)


def fa_loglik(X, W, psi, mu):
    """Mean log-likelihood of X (n, d) under ``N(mu, W W^T + diag(psi))``.

    W (d, k), psi (d,) positive noise variances, mu (d,). Uses Woodbury and the
    determinant lemma with ``B = I + W^T Psi^{-1} W`` (k x k):
    ``log det C = sum log psi + log det B``.
    """
    X, W, mu = model(X, W, mu, "fa_loglik")
    psi = np.asarray(psi, dtype=float)
    d, k = W.shape
    if psi.shape != (d,) or np.any(psi <= 0):
        raise ValueError(f"fa_loglik: psi must hold {d} positive noise variances, got {psi!r}")
    Xc = X - mu  # (n, d)
    Wp = W / psi[:, None]  # Psi^{-1} W, (d, k)
    B = np.eye(k) + W.T @ Wp  # (k, k)
    L = np.linalg.cholesky(B)
    log_det = np.sum(np.log(psi)) + 2.0 * np.sum(np.log(np.diag(L)))
    projected = np.linalg.solve(L, Wp.T @ Xc.T)  # (k, n)
    mahalanobis = np.sum(Xc**2 / psi, axis=1) - np.sum(projected**2, axis=0)  # (n,)
    return float(-0.5 * np.mean(d * LOG_2PI + log_det + mahalanobis))


def fa_covariance(W, psi):
    """The model covariance ``W W^T + diag(psi)``, shape (d, d)."""
    W = np.asarray(W, dtype=float)
    return W @ W.T + np.diag(np.asarray(psi, dtype=float))


def fa_posterior(X, W, psi, mu):
    """``(means (n, k), G (k, k))``: ``E[z_i | x_i] = G W^T Psi^{-1} (x_i - mu)`` and
    ``Cov[z_i | x_i] = G = (I + W^T Psi^{-1} W)^{-1}``."""
    X, W, mu = model(X, W, mu, "fa_posterior")
    psi = np.asarray(psi, dtype=float)
    Wp = W / psi[:, None]  # (d, k)
    G = np.linalg.inv(np.eye(W.shape[1]) + W.T @ Wp)  # (k, k)
    return (X - mu) @ Wp @ G, G  # G symmetric: rows are E[z_i]^T


def fa_init(X, k, seed=0):
    """A starting point for :func:`factor_analysis_em`: ``(W0 (d, k), psi0 (d,))``.

    ``W0`` is standard normal times ``sqrt(mean(diag S) / k)`` from
    ``np.random.default_rng(seed)`` and ``psi0 = diag(S)``, with ``S = Xc^T Xc / n``.
    """
    X = data_matrix(X, "fa_init")
    d = X.shape[1]
    k = n_components(k, d, "fa_init")
    s_diag = X.var(axis=0)  # diag(S), (d,)
    rng = np.random.default_rng(seed)
    return rng.standard_normal((d, k)) * np.sqrt(s_diag.mean() / k), s_diag


def factor_analysis_em(X, W0, psi0, n_iter=100):
    """Factor analysis of X (n, d) by ``n_iter`` EM steps from ``W0`` (d, k) and ``psi0`` (d,).

    Returns ``(W (d, k), psi (d,), mu (d,), history (n_iter,))`` where ``psi`` holds the
    diagonal of Psi, ``mu = mean(X)`` and ``history[t]`` the mean log-likelihood after EM
    step t + 1 (it never decreases). :func:`fa_init` draws a starting point.
    """
    X = data_matrix(X, "factor_analysis_em")
    n, d = X.shape
    W = np.array(W0, dtype=float)
    psi = np.array(psi0, dtype=float)
    if W.ndim != 2 or W.shape[0] != d or not 1 <= W.shape[1] <= d:
        raise ValueError(f"factor_analysis_em: W0 must have shape ({d}, k), got {W.shape}")
    if psi.shape != (d,) or np.any(psi <= 0) or not np.all(np.isfinite(psi)):
        raise ValueError(f"factor_analysis_em: psi0 must hold {d} positive variances, got {psi!r}")
    n_iter = count(n_iter, "factor_analysis_em", "n_iter")
    mu = X.mean(axis=0)
    Xc = X - mu
    s_diag = np.mean(Xc**2, axis=0)  # diag(S), (d,)
    history = np.empty(n_iter)
    for t in range(n_iter):
        Ez, G = fa_posterior(X, W, psi, mu)  # (n, k), (k, k)
        sum_Ezz = n * G + Ez.T @ Ez  # (k, k): sum_i E[z_i z_i^T]
        XEz = Xc.T @ Ez  # (d, k): sum_i (x_i - mu) E[z_i]^T
        W = np.linalg.solve(sum_Ezz, XEz.T).T  # (d, k)
        psi = np.maximum(s_diag - np.sum(W * XEz, axis=1) / n, PSI_FLOOR)
        history[t] = fa_loglik(X, W, psi, mu)
    return W, psi, mu, history
