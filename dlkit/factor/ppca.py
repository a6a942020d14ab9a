"""Probabilistic PCA: closed-form maximum likelihood, log-likelihood, posterior and EM.

The model (Tipping and Bishop, 1999): a latent ``z ~ N(0, I_k)`` and an observation
``x | z ~ N(W z + mu, sigma^2 I_d)``, so that ``x ~ N(mu, C)`` with ``C = W W^T + sigma^2 I``.

**Maximum likelihood in closed form.** With the *maximum-likelihood* covariance
``S = Xc^T Xc / n`` (divide by n, not n - 1) and its eigenvalues
``lambda_1 >= ... >= lambda_d`` (eigenvectors ``U``):

    sigma^2 = mean(lambda_{k+1}, ..., lambda_d)          (the discarded variance)
    W = U_k (Lambda_k - sigma^2 I)^{1/2} R                (R any k x k rotation)
    mu = mean(X)

so W spans the top-k principal subspace and is defined only up to a rotation R:
``(W R)(W R)^T = W W^T``. scikit-learn's ``PCA.noise_variance_`` uses n - 1: it is
``sigma^2 * n / (n - 1)``.

**Log-likelihood** without a d x d inverse: with ``M = W^T W + sigma^2 I_k`` (k x k),
Woodbury gives ``C^{-1} = (I - W M^{-1} W^T) / sigma^2`` and the determinant lemma
``log det C = (d - k) log sigma^2 + log det M``.

**Posterior**: ``z | x ~ N(M^{-1} W^T (x - mu), sigma^2 M^{-1})``; as ``sigma^2 -> 0`` its
mean tends to the orthogonal projection ``(W^T W)^{-1} W^T (x - mu)``, PCA's.
"""

import numpy as np

from dlkit.factor._checks import count, data_matrix, model, n_components, positive

LOG_2PI = np.log(2.0 * np.pi)


def ppca_mle(X, k):
    """Closed-form maximum-likelihood PPCA of X (n, d) with k < d latent dimensions.

    Returns ``(W (d, k), mu (d,), sigma2)`` with the covariance S = Xc^T Xc / n: sigma2 is
    the mean of the d - k smallest eigenvalues of S and ``W = U_k (Lambda_k - sigma2 I)^{1/2}``
    (columns along the top-k eigenvectors, sign fixed so the largest-magnitude entry of each
    column is positive; any ``W @ R`` with R orthogonal is as good).
    """
    X = data_matrix(X, "ppca_mle")
    n, d = X.shape
    k = n_components(k, d - 1, "ppca_mle")
    mu = X.mean(axis=0)
    Xc = X - mu
    values, vectors = np.linalg.eigh(Xc.T @ Xc / n)  # ascending
    values, vectors = np.maximum(values[::-1], 0.0), vectors[:, ::-1]  # largest first
    sigma2 = float(values[k:].mean())
    if sigma2 <= 1e-12 * max(values[0], 1e-300):
        raise ValueError(
            "ppca_mle: the d - k smallest eigenvalues are all 0 (the data lie in a "
            f"{k}-dimensional subspace), so sigma^2 = 0 and the likelihood is unbounded; "
            "use fewer components or add noise"
        )
    U = vectors[:, :k]  # (d, k)
    biggest = np.argmax(np.abs(U), axis=0)
    U = U * np.sign(U[biggest, np.arange(k)])
    W = U * np.sqrt(np.maximum(values[:k] - sigma2, 0.0))  # (d, k), column j scaled
    return W, mu, sigma2


def ppca_covariance(W, sigma2):
    """The model covariance ``C = W W^T + sigma2 I``, shape (d, d)."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"ppca_covariance: W must have shape (d, k), got {W.shape}")
    return W @ W.T + positive(sigma2, "ppca_covariance", "sigma2") * np.eye(len(W))


def _m_matrix(W, sigma2):
    return W.T @ W + sigma2 * np.eye(W.shape[1])  # (k, k)


def ppca_loglik(X, W, mu, sigma2):
    """Mean log-likelihood ``(1/n) sum_i log N(x_i; mu, W W^T + sigma2 I)`` of X (n, d).

    ``-(1/2) [d log 2 pi + log det C + (x - mu)^T C^{-1} (x - mu)]`` averaged over the
    rows, with C^{-1} by Woodbury and log det C by the determinant lemma (only k x k
    matrices are factorised). W (d, k), mu (d,), sigma2 > 0 the noise variance.
    """
    X, W, mu = model(X, W, mu, "ppca_loglik")
    sigma2 = positive(sigma2, "ppca_loglik", "sigma2")
    d, k = W.shape
    Xc = X - mu  # (n, d)
    M = _m_matrix(W, sigma2)
    L = np.linalg.cholesky(M)  # M = L L^T
    log_det = (d - k) * np.log(sigma2) + 2.0 * np.sum(np.log(np.diag(L)))
    projected = np.linalg.solve(L, W.T @ Xc.T)  # (k, n): L^{-1} W^T (x - mu)
    mahalanobis = (np.sum(Xc**2, axis=1) - np.sum(projected**2, axis=0)) / sigma2  # (n,)
    return float(-0.5 * np.mean(d * LOG_2PI + log_det + mahalanobis))


def ppca_posterior(X, W, mu, sigma2):
    """The posterior ``p(z | x_i)`` for each row of X (n, d): ``(means (n, k), cov (k, k))``.

    ``means_i = M^{-1} W^T (x_i - mu)`` and ``cov = sigma2 M^{-1}`` (the same for every
    row), with ``M = W^T W + sigma2 I_k``.
    """
    X, W, mu = model(X, W, mu, "ppca_posterior")
    sigma2 = positive(sigma2, "ppca_posterior", "sigma2")
    M = _m_matrix(W, sigma2)
    means = np.linalg.solve(M, W.T @ (X - mu).T).T  # (n, k)
    return means, sigma2 * np.linalg.inv(M)


def ppca_sample(W, mu, sigma2, n, seed=0):
    """``n`` draws ``x = W z + mu + sigma epsilon`` from the model, shape (n, d)."""
    W, mu = np.asarray(W, dtype=float), np.asarray(mu, dtype=float)
    sigma2 = positive(sigma2, "ppca_sample", "sigma2", allow_zero=True)
    n = count(n, "ppca_sample", "n")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, W.shape[1]))
    return z @ W.T + mu + np.sqrt(sigma2) * rng.standard_normal((n, len(mu)))


def ppca_em(X, k, n_iter=100, seed=0):
    """EM for PPCA: ``(W (d, k), mu (d,), sigma2, history (n_iter,))``.

    E-step with ``M = W^T W + sigma2 I``: ``E[z_i] = M^{-1} W^T (x_i - mu)`` and
    ``E[z_i z_i^T] = sigma2 M^{-1} + E[z_i] E[z_i]^T``. M-step:
    ``W = [sum_i (x_i - mu) E[z_i]^T] [sum_i E[z_i z_i^T]]^{-1}`` and
    ``sigma2 = (1/(n d)) sum_i [||x_i - mu||^2 - 2 E[z_i]^T W^T (x_i - mu)
    + tr(E[z_i z_i^T] W^T W)]``. ``history[t]`` is the mean log-likelihood after step t + 1;
    it never decreases and converges to that of :func:`ppca_mle` (W up to a rotation).
    W starts as a standard normal draw from ``np.random.default_rng(seed)``, sigma2 as 1.
    """
    X = data_matrix(X, "ppca_em")
    n, d = X.shape
    k = n_components(k, d - 1, "ppca_em")
    n_iter = count(n_iter, "ppca_em", "n_iter")
    mu = X.mean(axis=0)
    Xc = X - mu
    rng = np.random.default_rng(seed)
    W, sigma2 = rng.standard_normal((d, k)), float(Xc.var(axis=0).mean())
    history = np.empty(n_iter)
    for t in range(n_iter):
        M_inv = np.linalg.inv(_m_matrix(W, sigma2))  # (k, k)
        Ez = Xc @ W @ M_inv  # (n, k), rows E[z_i]^T (M is symmetric)
        sum_Ezz = n * sigma2 * M_inv + Ez.T @ Ez  # (k, k)
        W = np.linalg.solve(sum_Ezz, Ez.T @ Xc).T  # (d, k)
        sigma2 = float(
            (np.sum(Xc**2) - 2.0 * np.sum(Ez * (Xc @ W)) + np.trace(sum_Ezz @ W.T @ W)) / (n * d)
        )
        history[t] = ppca_loglik(X, W, mu, sigma2)
    return W, mu, sigma2, history
