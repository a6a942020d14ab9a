"""Variational inference: the ELBO, mean-field coordinate ascent, black-box VI.

Reference implementations for module 18. Variational inference replaces the exact
posterior ``p(z | x)`` by the member ``q`` of a tractable family that maximises the
evidence lower bound

    ELBO(q) = E_q[log p(x, z)] + H[q] = log p(x) - KL(q || p(z | x)),

so maximising the ELBO is minimising the KL divergence to the posterior. Here:

* a conjugate Gaussian model (``z ~ N(0, s0^2)``, ``x_i | z ~ N(z, sigma^2)``), where the
  ELBO, the evidence and the posterior are all closed forms, so the identity can be
  checked number by number;
* coordinate-ascent VI (CAVI) for the normal-gamma model with ``q(mu) q(tau)``;
* mean-field VI on a correlated Gaussian (it finds the mean and *underestimates* the
  variances: ``1 / Lambda_ii`` instead of ``Sigma_ii``);
* the reparameterisation and score-function gradient estimators;
* black-box VI (reparameterised stochastic gradients with Adam) for Bayesian logistic
  regression, and an exact-up-to-quadrature ELBO to judge it by;
* amortised VI on a binomial model, where one encoder serves every data set.

Everything is numpy float64; bad input raises a ValueError that says what to fix.
"""

from functools import cache

import numpy as np
import scipy.special

from dlkit.optim import Adam

LOG_2PI = np.log(2.0 * np.pi)
GAUSS_HERMITE_NODES = 48


# ---------------------------------------------------------------- validation


def _positive(value, name, func):
    value = float(value)
    if not value > 0.0 or not np.isfinite(value):
        raise ValueError(f"{func}: {name} must be a positive number, got {value}")
    return value


def _vector(x, name, func, min_size=1):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < min_size:
        raise ValueError(
            f"{func}: {name} must be a 1-D array of at least {min_size} numbers, "
            f"got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{func}: {name} contains NaN or inf")
    return x


def _count(n, name, func, minimum=0):
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < minimum:
        raise ValueError(f"{func}: {name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def _gauss_hermite(n_nodes=GAUSS_HERMITE_NODES):
    """Nodes t_k and weights w_k with sum_k w_k g(t_k) ~ E[g(T)] for T ~ N(0, 1)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    return nodes, weights / np.sqrt(2.0 * np.pi)


# ---------------------------------------------------------------- the conjugate Gaussian model


def gaussian_posterior(x, s0, sigma):
    """Exact posterior ``N(mean, var)`` of z for ``z ~ N(0, s0^2)``, ``x_i | z ~ N(z, sigma^2)``.

    Precisions add: ``1/var = 1/s0^2 + n/sigma^2`` and ``mean = var * sum(x) / sigma^2``.
    x has shape (n,); returns two floats.
    """
    x = _vector(x, "x", "gaussian_posterior")
    s0 = _positive(s0, "s0", "gaussian_posterior")
    sigma = _positive(sigma, "sigma", "gaussian_posterior")
    var = 1.0 / (1.0 / s0**2 + x.size / sigma**2)
    return float(var * x.sum() / sigma**2), float(var)


def gaussian_log_evidence(x, s0, sigma):
    """``log p(x)`` of the conjugate Gaussian model: x ~ N(0, sigma^2 I + s0^2 1 1^T).

    With ``c = sigma^2 + n s0^2`` the covariance has determinant ``sigma^(2(n-1)) c`` and
    inverse ``(I - s0^2 1 1^T / c) / sigma^2`` (Sherman-Morrison), so no n x n matrix is
    formed. x has shape (n,).
    """
    x = _vector(x, "x", "gaussian_log_evidence")
    s0 = _positive(s0, "s0", "gaussian_log_evidence")
    sigma = _positive(sigma, "sigma", "gaussian_log_evidence")
    n, c = x.size, sigma**2 + x.size * s0**2
    log_det = (n - 1) * np.log(sigma**2) + np.log(c)
    quadratic = (x @ x - s0**2 * x.sum() ** 2 / c) / sigma**2
    return float(-0.5 * (n * LOG_2PI + log_det + quadratic))


def kl_normal(m1, v1, m2, v2):
    """``KL(N(m1, v1) || N(m2, v2))`` for variances v1, v2 (not standard deviations).

    ``(log(v2 / v1) + (v1 + (m1 - m2)^2) / v2 - 1) / 2``, broadcasting.
    """
    m1, v1 = np.asarray(m1, dtype=float), np.asarray(v1, dtype=float)
    m2, v2 = np.asarray(m2, dtype=float), np.asarray(v2, dtype=float)
    if np.any(v1 <= 0) or np.any(v2 <= 0):
        raise ValueError("kl_normal: the variances v1 and v2 must be positive")
    return 0.5 * (np.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1.0)


def elbo_gaussian(x, m, v, s0, sigma):
    """The ELBO of ``q = N(m, v)`` for the conjugate Gaussian model, in closed form.

    ``E_q[log p(x | z)] + E_q[log p(z)] + H[q]`` with, for n observations,

    * ``E_q[log p(x | z)] = -n/2 log(2 pi sigma^2) - (sum_i (x_i - m)^2 + n v) / (2 sigma^2)``,
    * ``E_q[log p(z)] = -1/2 log(2 pi s0^2) - (m^2 + v) / (2 s0^2)``,
    * ``H[q] = 1/2 log(2 pi e v)`` (the entropy enters with a plus sign).

    v is a variance. It equals ``log p(x) - KL(q || p(z | x))``.
    """
    x = _vector(x, "x", "elbo_gaussian")
    v = _positive(v, "v (a variance)", "elbo_gaussian")
    s0 = _positive(s0, "s0", "elbo_gaussian")
    sigma = _positive(sigma, "sigma", "elbo_gaussian")
    m, n = float(m), x.size
    expected_log_lik = -0.5 * n * np.log(2 * np.pi * sigma**2) - (np.sum((x - m) ** 2) + n * v) / (
        2 * sigma**2
    )
    expected_log_prior = -0.5 * np.log(2 * np.pi * s0**2) - (m**2 + v) / (2 * s0**2)
    entropy = 0.5 * np.log(2 * np.pi * np.e * v)
    return float(expected_log_lik + expected_log_prior + entropy)


def elbo_monte_carlo(log_joint, m, v, n_samples, seed=0):
    """Monte Carlo ELBO of ``q = N(m, v)``: the mean of ``log p(x, z_s) - log q(z_s)``.

    ``log_joint`` maps an array of z values (S,) to ``log p(x, z)`` (S,). Returns
    ``(estimate, standard_error)``, the error being the sample sd over ``sqrt(S)``.
    """
    v = _positive(v, "v (a variance)", "elbo_monte_carlo")
    n_samples = _count(n_samples, "n_samples", "elbo_monte_carlo", minimum=2)
    z = float(m) + np.sqrt(v) * np.random.default_rng(seed).standard_normal(n_samples)  # (S,)
    log_q = -0.5 * (LOG_2PI + np.log(v) + (z - m) ** 2 / v)
    terms = np.asarray(log_joint(z), dtype=float) - log_q  # (S,)
    return float(terms.mean()), float(terms.std(ddof=1) / np.sqrt(n_samples))


# ---------------------------------------------------------------- the normal-gamma model


def _normal_gamma_args(x, mu0, lam0, a0, b0, func):
    x = _vector(x, "x", func)
    return (
        x,
        float(mu0),
        _positive(lam0, "lam0", func),
        _positive(a0, "a0", func),
        _positive(b0, "b0", func),
    )


def normal_gamma_posterior(x, mu0, lam0, a0, b0):
    """The exact posterior of ``mu | tau ~ N(mu0, 1/(lam0 tau))``, ``tau ~ Gamma(a0, b0)``
    (rate b0), ``x_i ~ N(mu, 1/tau)``: again normal-gamma, with parameters

    ``mu_N = (lam0 mu0 + n xbar) / (lam0 + n)``, ``lam_N = lam0 + n``, ``a_N = a0 + n/2``,
    ``b_N = b0 + 1/2 sum (x_i - xbar)^2 + lam0 n (xbar - mu0)^2 / (2 (lam0 + n))``.

    Its marginal of mu is a Student t with ``2 a_N`` degrees of freedom, location mu_N and
    variance ``b_N / (lam_N (a_N - 1))`` (for a_N > 1).
    """
    x, mu0, lam0, a0, b0 = _normal_gamma_args(x, mu0, lam0, a0, b0, "normal_gamma_posterior")
    n, xbar = x.size, x.mean()
    mu_n = (lam0 * mu0 + n * xbar) / (lam0 + n)
    b_n = b0 + 0.5 * np.sum((x - xbar) ** 2) + lam0 * n * (xbar - mu0) ** 2 / (2 * (lam0 + n))
    return float(mu_n), float(lam0 + n), float(a0 + n / 2), float(b_n)


def normal_gamma_log_evidence(x, mu0, lam0, a0, b0):
    """``log p(x)`` of the normal-gamma model (the ratio of normalising constants)."""
    x, mu0, lam0, a0, b0 = _normal_gamma_args(x, mu0, lam0, a0, b0, "normal_gamma_log_evidence")
    _, lam_n, a_n, b_n = normal_gamma_posterior(x, mu0, lam0, a0, b0)
    return float(
        scipy.special.gammaln(a_n)
        - scipy.special.gammaln(a0)
        + a0 * np.log(b0)
        - a_n * np.log(b_n)
        + 0.5 * np.log(lam0 / lam_n)
        - 0.5 * x.size * LOG_2PI
    )


def normal_gamma_elbo(x, mu0, lam0, a0, b0, mu_n, lam_n, a_n, b_n):
    """The ELBO of ``q(mu) q(tau) = N(mu; mu_n, 1/lam_n) Gamma(tau; a_n, b_n)``.

    Uses ``E[tau] = a_n / b_n``, ``E[log tau] = digamma(a_n) - log b_n`` and
    ``E[(mu - c)^2] = (mu_n - c)^2 + 1/lam_n``; the Gaussian entropy is
    ``1/2 log(2 pi e / lam_n)`` and the gamma entropy
    ``a_n - log b_n + gammaln(a_n) + (1 - a_n) digamma(a_n)``.
    """
    x, mu0, lam0, a0, b0 = _normal_gamma_args(x, mu0, lam0, a0, b0, "normal_gamma_elbo")
    lam_n = _positive(lam_n, "lam_n", "normal_gamma_elbo")
    a_n = _positive(a_n, "a_n", "normal_gamma_elbo")
    b_n = _positive(b_n, "b_n", "normal_gamma_elbo")
    n, mu_n = x.size, float(mu_n)
    e_tau, e_log_tau = a_n / b_n, scipy.special.digamma(a_n) - np.log(b_n)
    e_sq_data = np.sum((x - mu_n) ** 2) + n / lam_n  # E_q sum_i (x_i - mu)^2
    e_sq_prior = (mu_n - mu0) ** 2 + 1.0 / lam_n  # E_q (mu - mu0)^2
    log_lik = 0.5 * n * (e_log_tau - LOG_2PI) - 0.5 * e_tau * e_sq_data
    log_prior_mu = 0.5 * (np.log(lam0) + e_log_tau - LOG_2PI) - 0.5 * lam0 * e_tau * e_sq_prior
    log_prior_tau = a0 * np.log(b0) - scipy.special.gammaln(a0) + (a0 - 1) * e_log_tau - b0 * e_tau
    entropy_mu = 0.5 * (LOG_2PI + 1.0 - np.log(lam_n))
    entropy_tau = (
        a_n - np.log(b_n) + scipy.special.gammaln(a_n) + (1 - a_n) * scipy.special.digamma(a_n)
    )
    return float(log_lik + log_prior_mu + log_prior_tau + entropy_mu + entropy_tau)


def cavi_normal_gamma(x, mu0, lam0, a0, b0, n_iter, history=False):
    """Coordinate-ascent VI for the normal-gamma model with ``q(mu) q(tau)``.

    Starts from ``E[tau] = a0 / b0`` and repeats ``n_iter`` times, each factor in turn
    using the *current* expectations of the other (eq. ``q_j ∝ exp E_{-j} log p``):

    1. ``q(mu) = N(mu_N, 1/lam_N)``: ``mu_N = (lam0 mu0 + n xbar) / (lam0 + n)``,
       ``lam_N = (lam0 + n) E[tau]``;
    2. ``q(tau) = Gamma(a_N, b_N)``: ``a_N = a0 + (n + 1)/2``,
       ``b_N = b0 + 1/2 E_mu[sum_i (x_i - mu)^2 + lam0 (mu - mu0)^2]`` with
       ``E[mu^2] = mu_N^2 + 1/lam_N``; then ``E[tau] = a_N / b_N``.

    Returns ``(mu_N, lam_N, a_N, b_N)``, and with ``history=True`` also the ELBO after
    each iteration, shape (n_iter,) (non-decreasing: each step maximises it in one factor).
    """
    x, mu0, lam0, a0, b0 = _normal_gamma_args(x, mu0, lam0, a0, b0, "cavi_normal_gamma")
    n_iter = _count(n_iter, "n_iter", "cavi_normal_gamma", minimum=1)
    n, sum_x, sum_sq = x.size, x.sum(), x @ x
    e_tau, a_n = a0 / b0, a0 + (n + 1) / 2
    mu_n = (lam0 * mu0 + sum_x) / (lam0 + n)
    elbos = []
    for _ in range(n_iter):
        lam_n = (lam0 + n) * e_tau
        e_mu_sq = mu_n**2 + 1.0 / lam_n
        e_data = sum_sq - 2 * mu_n * sum_x + n * e_mu_sq  # E sum_i (x_i - mu)^2
        e_prior = e_mu_sq - 2 * mu0 * mu_n + mu0**2  # E (mu - mu0)^2
        b_n = b0 + 0.5 * (e_data + lam0 * e_prior)
        e_tau = a_n / b_n
        if history:
            elbos.append(normal_gamma_elbo(x, mu0, lam0, a0, b0, mu_n, lam_n, a_n, b_n))
    result = (float(mu_n), float(lam_n), float(a_n), float(b_n))
    return (*result, np.array(elbos)) if history else result


# ---------------------------------------------------------------- mean-field on a Gaussian


def _gaussian_target(mu, Lambda, func):
    mu = _vector(mu, "mu", func)
    Lambda = np.asarray(Lambda, dtype=float)
    if Lambda.shape != (mu.size, mu.size):
        raise ValueError(
            f"{func}: Lambda must be the ({mu.size}, {mu.size}) precision matrix, "
            f"got shape {Lambda.shape}"
        )
    if not np.allclose(Lambda, Lambda.T) or np.any(np.linalg.eigvalsh(Lambda) <= 0):
        raise ValueError(f"{func}: Lambda must be symmetric positive definite (a precision)")
    return mu, Lambda


def mean_field_gaussian(mu, Lambda, n_iter, m0=None, history=False):
    """Mean-field ``q(z) = prod_i N(m_i, var_i)`` for ``p = N(mu, Lambda^-1)`` by CAVI.

    ``var_i = 1 / Lambda_ii`` (the conditional variance, never the marginal Sigma_ii), and
    each sweep updates ``m_i = mu_i - sum_{j != i} Lambda_ij (m_j - mu_j) / Lambda_ii`` for
    i = 0..d-1 in turn, using the newest m_j. Starts from ``m0`` (default zeros).
    Returns ``(m, var)`` of shapes (d,), (d,); with ``history=True`` also the means after
    0..n_iter sweeps, shape (n_iter + 1, d). The fixed point is m = mu.
    """
    mu, Lambda = _gaussian_target(mu, Lambda, "mean_field_gaussian")
    n_iter = _count(n_iter, "n_iter", "mean_field_gaussian")
    m = np.zeros_like(mu) if m0 is None else _vector(m0, "m0", "mean_field_gaussian").copy()
    if m.shape != mu.shape:
        raise ValueError(f"mean_field_gaussian: m0 must have shape {mu.shape}, got {m.shape}")
    diag = np.diag(Lambda)
    means = [m.copy()]
    for _ in range(n_iter):
        for i in range(mu.size):
            off = Lambda[i] @ (m - mu) - diag[i] * (m[i] - mu[i])  # sum over j != i
            m[i] = mu[i] - off / diag[i]
        means.append(m.copy())
    var = 1.0 / diag
    return (m, var, np.array(means)) if history else (m, var)


def kl_diagonal_to_gaussian(m, var, mu, Lambda):
    """``KL(q || p)`` for ``q = N(m, diag(var))`` and ``p = N(mu, Lambda^-1)``, nats.

    ``(tr(Lambda S) + (m - mu)^T Lambda (m - mu) - d - log det S - log det Lambda) / 2``.
    """
    mu, Lambda = _gaussian_target(mu, Lambda, "kl_diagonal_to_gaussian")
    m, var = np.asarray(m, dtype=float), np.asarray(var, dtype=float)
    diff = m - mu
    _, log_det = np.linalg.slogdet(Lambda)
    value = np.diag(Lambda) @ var + diff @ Lambda @ diff - mu.size - np.log(var).sum() - log_det
    return float(0.5 * value)


# ---------------------------------------------------------------- gradient estimators


def gradient_estimators(mu, log_sigma, eps, a, b, baseline=True):
    """Per-sample gradient estimates of ``E_q[a z^2 + b z]``, ``q = N(mu, sigma^2)``, with
    respect to ``(mu, log sigma)``; the true gradient is ``(2 a mu + b, 2 a sigma^2)``.

    With ``z_s = mu + sigma eps_s`` and ``f(z) = a z^2 + b z``:

    * reparameterisation: ``f'(z_s) * (1, sigma eps_s)`` (chain rule through z_s);
    * score function: ``(f(z_s) - beta_s) * (eps_s / sigma, eps_s^2 - 1)``, the gradient of
      ``log q(z_s)`` times f, with the leave-one-out baseline
      ``beta_s = (sum_t f(z_t) - f(z_s)) / (S - 1)``, which keeps it unbiased and cuts its
      variance (``baseline=False`` leaves it out).

    eps has shape (S,), S >= 2. Returns ``{"reparam": (S, 2), "score": (S, 2)}``.
    """
    eps = _vector(eps, "eps", "gradient_estimators", min_size=2)
    sigma = float(np.exp(log_sigma))
    z = float(mu) + sigma * eps  # (S,)
    f, f_prime = a * z**2 + b * z, 2 * a * z + b  # (S,)
    reparam = np.column_stack([f_prime, f_prime * sigma * eps])  # (S, 2)
    centred = f - (f.sum() - f) / (eps.size - 1) if baseline else f  # (S,)
    score = centred[:, None] * np.column_stack([eps / sigma, eps**2 - 1.0])  # (S, 2)
    return {"reparam": reparam, "score": score}


# ---------------------------------------------------------------- Bayesian logistic regression


@cache
def _breast_cancer_raw():
    from sklearn.datasets import load_breast_cancer  # imported lazily: sklearn is slow to load

    X, y = load_breast_cancer(return_X_y=True)  # (569, 30), (569,) in {0, 1}
    X.flags.writeable = False
    return X, y.astype(float)


def breast_cancer(n_train=400, seed=0):
    """``(X_train, y_train, X_test, y_test)`` of scikit-learn's breast cancer data.

    569 tumours, 30 features, y = 1 for benign. Rows are permuted with
    ``np.random.default_rng(seed)``; the first ``n_train`` train. Features are
    standardised with the training mean and (population) sd, and a column of ones is
    appended last (the bias), so X has 31 columns.
    """
    X, y = _breast_cancer_raw()
    n_train = _count(n_train, "n_train", "breast_cancer", minimum=2)
    if n_train >= len(y):
        raise ValueError(f"breast_cancer: n_train must be below {len(y)}, got {n_train}")
    order = np.random.default_rng(seed).permutation(len(y))
    train, test = order[:n_train], order[n_train:]
    mean, sd = X[train].mean(axis=0), X[train].std(axis=0)
    Z = np.column_stack([(X - mean) / sd, np.ones(len(y))])  # (569, 31)
    return Z[train], y[train], Z[test], y[test]


def _logistic_args(X, y, prior_var, func):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"{func}: X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{func}: y must hold labels 0 and 1")
    return X, y, _positive(prior_var, "prior_var", func)


def logistic_elbo(X, y, prior_var, m, log_s, n_nodes=GAUSS_HERMITE_NODES, gradient=False):
    """The ELBO of ``q(w) = N(m, diag(s^2))`` for logistic regression with prior
    ``N(0, prior_var I)``, exact up to Gauss-Hermite quadrature.

    Each data term needs only the 1-D law of the logit ``f_i = x_i . w``, which under q
    is ``N(x_i . m, sum_j x_ij^2 s_j^2)``: ``E_q log sigmoid(y'_i f_i)`` with
    ``y' = 2 y - 1`` is a 1-D Gaussian integral. The prior term and the entropy are
    closed forms: ``-d/2 log(2 pi prior_var) - (|m|^2 + sum s^2) / (2 prior_var)`` and
    ``sum_j log s_j + d/2 log(2 pi e)``. With ``gradient=True`` returns
    ``(elbo, d/dm (d,), d/dlog_s (d,))``.
    """
    X, y, prior_var = _logistic_args(X, y, prior_var, "logistic_elbo")
    m, log_s = np.asarray(m, dtype=float), np.asarray(log_s, dtype=float)
    d = X.shape[1]
    if m.shape != (d,) or log_s.shape != (d,):
        raise ValueError(f"logistic_elbo: m and log_s must have shape ({d},)")
    nodes, weights = _gauss_hermite(n_nodes)
    s2 = np.exp(2 * log_s)  # (d,)
    mean, sd = X @ m, np.sqrt((X**2) @ s2)  # (n,), (n,)
    sign = 2 * y - 1  # (n,)
    logits = mean[:, None] + sd[:, None] * nodes  # (n, K)
    data = -np.logaddexp(0.0, -sign[:, None] * logits) @ weights  # (n,)
    prior = -0.5 * d * np.log(2 * np.pi * prior_var) - (m @ m + s2.sum()) / (2 * prior_var)
    entropy = log_s.sum() + 0.5 * d * (LOG_2PI + 1.0)
    value = float(data.sum() + prior + entropy)
    if not gradient:
        return value
    slope = sign[:, None] * scipy.special.expit(-sign[:, None] * logits)  # d/df log sigmoid
    d_mean = slope @ weights  # (n,)
    d_var = (slope * nodes) @ weights / (2 * np.maximum(sd, 1e-300))  # (n,)
    grad_m = X.T @ d_mean - m / prior_var
    grad_log_s = 2 * s2 * ((X**2).T @ d_var - 0.5 / prior_var) + 1.0
    return value, grad_m, grad_log_s


def logistic_vi_optimum(X, y, prior_var=1.0):
    """The best mean-field Gaussian ``(m, log_s)`` for Bayesian logistic regression: the
    maximiser of :func:`logistic_elbo`, by L-BFGS on the quadrature ELBO (deterministic,
    no Monte Carlo). Returns ``(m, log_s, elbo)``."""
    X, y, prior_var = _logistic_args(X, y, prior_var, "logistic_vi_optimum")
    d = X.shape[1]

    def negative(theta):
        value, grad_m, grad_log_s = logistic_elbo(
            X, y, prior_var, theta[:d], theta[d:], gradient=True
        )
        return -value, -np.concatenate([grad_m, grad_log_s])

    start = np.concatenate([np.zeros(d), np.full(d, -1.0)])
    import scipy.optimize  # imported lazily: `import dlkit` stays quick

    result = scipy.optimize.minimize(
        negative,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 5000, "gtol": 1e-9, "ftol": 1e-13},
    )
    return result.x[:d], result.x[d:], float(-result.fun)


def logistic_map(X, y, prior_var=1.0, n_iter=50):
    """The MAP weights of logistic regression with prior ``N(0, prior_var I)`` by Newton's
    method, and the Laplace covariance (the inverse Hessian of the negative log joint).
    Returns ``(w, cov)``."""
    X, y, prior_var = _logistic_args(X, y, prior_var, "logistic_map")
    w = np.zeros(X.shape[1])
    for _ in range(n_iter):
        p = scipy.special.expit(X @ w)  # (n,)
        grad = X.T @ (p - y) + w / prior_var
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.eye(len(w)) / prior_var  # (d, d)
        step = np.linalg.solve(hess, grad)
        w = w - step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = scipy.special.expit(X @ w)
    hess = (X * (p * (1 - p))[:, None]).T @ X + np.eye(len(w)) / prior_var
    return w, np.linalg.inv(hess)


def bbvi_logistic(X, y, prior_var=1.0, steps=2000, lr=0.05, n_samples=16, seed=0, history=False):
    """Black-box VI for Bayesian logistic regression: ``q(w) = N(m, diag(exp(2 log_s)))``
    fitted by reparameterised stochastic gradients of the ELBO with Adam.

    Each step draws ``eps`` (n_samples, d) from ``np.random.default_rng(seed)``, sets
    ``w = m + s eps`` and uses the per-sample gradient of the log joint,
    ``g = X^T (y - sigmoid(X w)) - w / prior_var``, to estimate

    * ``dELBO/dm = mean_s g_s`` and
    * ``dELBO/dlog_s = mean_s (g_s * eps_s) * s + 1`` (the +1 is the entropy's gradient).

    Adam (torch defaults) ascends the ELBO with the learning rate decayed linearly from
    ``lr`` to ``lr / 10``; ``m`` starts at 0 and ``log_s`` at -2. Returns ``(m, log_s)``,
    and with ``history=True`` also the (noisy) per-step ELBO estimates, shape (steps,).
    """
    X, y, prior_var = _logistic_args(X, y, prior_var, "bbvi_logistic")
    steps = _count(steps, "steps", "bbvi_logistic", minimum=1)
    n_samples = _count(n_samples, "n_samples", "bbvi_logistic", minimum=1)
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    m, log_s = np.zeros(d), np.full(d, -2.0)
    optimizer = Adam([m, log_s], lr=_positive(lr, "lr", "bbvi_logistic"))
    trace = np.empty(steps)
    for t in range(steps):
        eps = rng.standard_normal((n_samples, d))  # (S, d)
        s = np.exp(log_s)
        w = m + s * eps  # (S, d)
        logits = w @ X.T  # (S, n)
        g = (y - scipy.special.expit(logits)) @ X - w / prior_var  # (S, d)
        optimizer.lr = lr * (1.0 - 0.9 * t / max(steps - 1, 1))
        optimizer.step([-g.mean(axis=0), -((g * eps).mean(axis=0) * s + 1.0)])
        if history:
            log_lik = -np.logaddexp(0.0, -(2 * y - 1) * logits).sum(axis=1)  # (S,)
            log_prior = -0.5 * (w**2).sum(axis=1) / prior_var
            trace[t] = np.mean(log_lik + log_prior) + log_s.sum()  # up to a constant
    if history:
        constant = -0.5 * d * np.log(2 * np.pi * prior_var) + 0.5 * d * (LOG_2PI + 1.0)
        return m, log_s, trace + constant
    return m, log_s


def predictive_probability(X, m, log_s, n_nodes=GAUSS_HERMITE_NODES):
    """``p(y = 1 | x) = E_q sigmoid(x . w)`` under ``q = N(m, diag(s^2))``, by quadrature;
    X (n, d) -> (n,)."""
    nodes, weights = _gauss_hermite(n_nodes)
    X = np.asarray(X, dtype=float)
    mean, sd = X @ m, np.sqrt((X**2) @ np.exp(2 * np.asarray(log_s, dtype=float)))
    return scipy.special.expit(mean[:, None] + sd[:, None] * nodes) @ weights


# ---------------------------------------------------------------- amortised VI


def binomial_elbo(k, trials, m, log_s, n_nodes=GAUSS_HERMITE_NODES):
    """Per-data-set ELBO for ``theta ~ N(0, 1)``, ``k ~ Binomial(trials, sigmoid(theta))``
    with ``q = N(m, s^2)``, by quadrature (constant ``log C(trials, k)`` included).
    k, m, log_s broadcast; returns their common shape."""
    nodes, weights = _gauss_hermite(n_nodes)
    k, m, log_s = (np.asarray(a, dtype=float) for a in (k, m, log_s))
    theta = m[..., None] + np.exp(log_s)[..., None] * nodes  # (..., K)
    log_lik = -k[..., None] * np.logaddexp(0, -theta) - (trials - k)[..., None] * np.logaddexp(
        0, theta
    )
    log_choose = (
        scipy.special.gammaln(trials + 1)
        - scipy.special.gammaln(k + 1)
        - scipy.special.gammaln(trials - k + 1)
    )
    prior = -0.5 * (LOG_2PI + m**2 + np.exp(2 * log_s))
    entropy = log_s + 0.5 * (LOG_2PI + 1.0)
    return log_lik @ weights + log_choose + prior + entropy


def binomial_vi_optimum(k, trials):
    """The per-data-set optimal ``(m, log_s)`` of :func:`binomial_elbo` (one 2-D
    maximisation per distinct k, by L-BFGS). k (G,) -> two arrays (G,)."""
    import scipy.optimize  # imported lazily: `import dlkit` stays quick

    k = np.asarray(k)
    best = {}
    for value in np.unique(k):
        result = scipy.optimize.minimize(
            lambda p, v=value: -float(binomial_elbo(v, trials, p[0], p[1])),
            np.array([0.0, -1.0]),
            method="L-BFGS-B",
        )
        best[value] = result.x
    return np.array([best[v][0] for v in k]), np.array([best[v][1] for v in k])


def amortised_binomial_vi(k, trials, degree, steps=1500, lr=0.05, n_samples=8, seed=0):
    """Amortised VI: one encoder ``(m, log_s) = (phi(k) . A, phi(k) . B)`` for every data
    set, with polynomial features ``phi(k) = (1, u, ..., u^degree)``, ``u = k/trials - 1/2``,
    fitted by reparameterised stochastic gradients of the summed ELBO (Adam).

    k (G,) holds the successes of G data sets of ``trials`` Bernoulli draws each. Returns
    ``(m, log_s)`` for every data set, shapes (G,), and the encoder ``(A, B)``. A richer
    encoder (larger degree) shrinks the *amortisation gap*, the ELBO lost against
    optimising each q separately.
    """
    k = np.asarray(k, dtype=float)
    degree = _count(degree, "degree", "amortised_binomial_vi")
    rng = np.random.default_rng(seed)
    u = k / trials - 0.5
    features = u[:, None] ** np.arange(degree + 1)  # (G, degree + 1)
    A, B = np.zeros(degree + 1), np.zeros(degree + 1)
    B[0] = -1.0
    optimizer = Adam([A, B], lr=lr)
    for t in range(steps):
        m, log_s = features @ A, features @ B  # (G,), (G,)
        s = np.exp(log_s)
        eps = rng.standard_normal((n_samples, k.size))  # (S, G)
        theta = m + s * eps  # (S, G)
        g = k - trials * scipy.special.expit(theta) - theta  # d/dtheta log p(k, theta)
        grad_m = g.mean(axis=0)  # (G,)
        grad_log_s = (g * eps).mean(axis=0) * s + 1.0  # (G,)
        optimizer.lr = lr * (1.0 - 0.9 * t / max(steps - 1, 1))
        optimizer.step([-(features.T @ grad_m) / k.size, -(features.T @ grad_log_s) / k.size])
    return features @ A, features @ B, (A, B)


__all__ = [
    "amortised_binomial_vi",
    "bbvi_logistic",
    "binomial_elbo",
    "binomial_vi_optimum",
    "breast_cancer",
    "cavi_normal_gamma",
    "elbo_gaussian",
    "elbo_monte_carlo",
    "gaussian_log_evidence",
    "gaussian_posterior",
    "gradient_estimators",
    "kl_diagonal_to_gaussian",
    "kl_normal",
    "logistic_elbo",
    "logistic_map",
    "logistic_vi_optimum",
    "mean_field_gaussian",
    "normal_gamma_elbo",
    "normal_gamma_log_evidence",
    "normal_gamma_posterior",
    "predictive_probability",
]
