"""The module-15 checks: the references, other correct answers, and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import scipy.stats
from sklearn.decomposition import PCA, FastICA
from sklearn.linear_model import Lasso

from dlkit import factor
from dlkit.ml import soft_threshold

REFERENCES = {
    "pca": (factor.pca_svd, factor.pca_eig),
    "choose_k": factor.choose_k,
    "ppca_mle": factor.ppca_mle,
    "ppca_loglik": factor.ppca_loglik,
    "ppca_posterior": factor.ppca_posterior,
    "factor_analysis_em": factor.factor_analysis_em,
    "whiten": factor.whiten,
    "fastica": factor.fastica,
    "ista": factor.ista,
    "learn_dictionary": factor.learn_dictionary,
}


# ---------------------------------------------------------------------------
# Other correct answers (written without dlkit.factor: the checks forbid it)
# ---------------------------------------------------------------------------


def _pca_eigh(X, k, flip=1.0, ddof=1):
    """PCA by numpy's eigh, every component's sign multiplied by ``flip``."""
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / (len(X) - ddof))
    order = np.argsort(values)[::-1][:k]
    components = flip * vectors[:, order].T
    return components, values[order], Xc @ components.T


def pca_svd_negated(X, k):
    """The opposite sign of every component (and score): PCA is defined up to sign."""
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    components = -Vt[:k] * np.sign(Vt[:k, :1])  # first entry negative
    return components, s[:k] ** 2 / (len(X) - 1), Xc @ components.T


def pca_eig_unsigned(X, k):
    """eigh's own, arbitrary signs."""
    return _pca_eigh(X, k)


def choose_k_loop(explained_variance, threshold):
    total, running = float(np.sum(explained_variance)), 0.0
    for k, variance in enumerate(explained_variance, start=1):
        running += variance
        if running / total > threshold:
            return k
    return len(explained_variance)


def ppca_mle_rotated(X, k):
    """The MLE times a rotation: W is identifiable only up to R (W R R^T W^T = W W^T)."""
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    values, vectors = values[::-1], vectors[:, ::-1]
    sigma2 = values[k:].mean()
    W = vectors[:, :k] * np.sqrt(values[:k] - sigma2)
    angle = 0.7
    R = np.eye(k)
    if k >= 2:
        R[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    return W @ R, X.mean(axis=0), float(sigma2)


def ppca_loglik_direct(X, W, mu, sigma2):
    """The d x d covariance, slogdet and solve (no Woodbury)."""
    d = len(mu)
    C = W @ W.T + sigma2 * np.eye(d)
    Xc = X - mu
    _, log_det = np.linalg.slogdet(C)
    quadratic = np.sum(Xc * np.linalg.solve(C, Xc.T).T, axis=1)
    return float(np.mean(-0.5 * (d * np.log(2 * np.pi) + log_det + quadratic)))


def whiten_svd(X):
    """PCA whitening from the SVD of the centred data, with the singular vectors' signs."""
    n = len(X)
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    W = Vt.T / (s / np.sqrt(n))
    return Xc @ W, W


ALTERNATIVES = [
    ("pca", (pca_svd_negated, pca_eig_unsigned)),
    ("choose_k", choose_k_loop),
    ("ppca_mle", ppca_mle_rotated),
    ("ppca_loglik", ppca_loglik_direct),
    ("whiten", whiten_svd),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------

# --- pca ---


def pca_svd_uncentred(X, k):
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt[:k], s[:k] ** 2 / (len(X) - 1), X @ Vt[:k].T


def pca_eig_ascending(X, k):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / (len(X) - 1))
    return vectors[:, :k].T, values[:k], Xc @ vectors[:, :k]


def pca_svd_rows_of_u(X, k):
    Xc = X - X.mean(axis=0)
    U, s, _ = np.linalg.svd(Xc, full_matrices=False)
    return U[:, :k].T, s[:k] ** 2 / (len(X) - 1), U[:, :k] * s[:k]


def pca_svd_variance_over_n(X, k):
    components, variance, scores = pca_svd_negated(X, k)
    return components, variance * (len(X) - 1) / len(X), scores


def pca_svd_scores_keep_old_sign(X, k):
    """Flips the components after computing the scores with the unflipped ones."""
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    return -Vt[:k], s[:k] ** 2 / (len(X) - 1), Xc @ Vt[:k].T


def pca_eig_uncentred(X, k):
    values, vectors = np.linalg.eigh(X.T @ X / (len(X) - 1))
    order = np.argsort(values)[::-1][:k]
    return vectors[:, order].T, values[order], X @ vectors[:, order]


def pca_svd_sklearn(X, k):
    pca = PCA(k).fit(X)
    return pca.components_, pca.explained_variance_, pca.transform(X)


# --- choose_k ---


def choose_k_index(explained_variance, threshold):
    ratio = np.cumsum(explained_variance) / np.sum(explained_variance)
    return int(np.searchsorted(ratio, threshold, side="right"))


def choose_k_at_least(explained_variance, threshold):
    ratio = np.cumsum(explained_variance) / np.sum(explained_variance)
    return int(np.argmax(ratio >= threshold)) + 1


def choose_k_raw_variances(explained_variance, threshold):
    return int(np.argmax(np.cumsum(explained_variance) > threshold)) + 1


def choose_k_float(explained_variance, threshold):
    return float(choose_k_loop(explained_variance, threshold))


def choose_k_dlkit(explained_variance, threshold):
    return factor.choose_k(explained_variance, threshold)


# --- ppca_mle ---


def _ppca_parts(X, k, ddof=0):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / (len(X) - ddof))
    return values[::-1], vectors[:, ::-1]


def ppca_mle_sigma2_of_all(X, k):
    values, vectors = _ppca_parts(X, k)
    sigma2 = values.mean()
    return vectors[:, :k] * np.sqrt(np.maximum(values[:k] - sigma2, 0)), X.mean(axis=0), sigma2


def ppca_mle_no_minus_sigma2(X, k):
    values, vectors = _ppca_parts(X, k)
    return vectors[:, :k] * np.sqrt(values[:k]), X.mean(axis=0), values[k:].mean()


def ppca_mle_n_minus_1(X, k):
    values, vectors = _ppca_parts(X, k, ddof=1)
    sigma2 = values[k:].mean()
    return vectors[:, :k] * np.sqrt(values[:k] - sigma2), X.mean(axis=0), sigma2


def ppca_mle_transposed(X, k):
    W, mu, sigma2 = ppca_mle_rotated(X, k)
    return W.T, mu, sigma2


def ppca_mle_sklearn(X, k):
    pca = PCA(k).fit(X)
    n = len(X)
    sigma2 = pca.noise_variance_ * (n - 1) / n
    W = pca.components_.T * np.sqrt(pca.explained_variance_ * (n - 1) / n - sigma2)
    return W, pca.mean_, float(sigma2)


# --- ppca_loglik ---


def ppca_loglik_no_2pi(X, W, mu, sigma2):
    return ppca_loglik_direct(X, W, mu, sigma2) + 0.5 * len(mu) * np.log(2 * np.pi)


def ppca_loglik_sum(X, W, mu, sigma2):
    return ppca_loglik_direct(X, W, mu, sigma2) * len(X)


def ppca_loglik_sigma_for_sigma2(X, W, mu, sigma2):
    return ppca_loglik_direct(X, W, mu, np.sqrt(sigma2))


def ppca_loglik_log_det_wwt(X, W, mu, sigma2):
    d = len(mu)
    C = W @ W.T + sigma2 * np.eye(d)
    Xc = X - mu
    quadratic = np.sum(Xc * np.linalg.solve(C, Xc.T).T, axis=1)
    log_det = np.log(np.linalg.det(W @ W.T))
    return float(np.mean(-0.5 * (d * np.log(2 * np.pi) + log_det + quadratic)))


def ppca_loglik_scipy(X, W, mu, sigma2):
    C = W @ W.T + sigma2 * np.eye(len(mu))
    return float(scipy.stats.multivariate_normal(mu, C).logpdf(X).mean())


# --- ppca_posterior ---


def _m_inverse(W, sigma2):
    return np.linalg.inv(W.T @ W + sigma2 * np.eye(W.shape[1]))


def ppca_posterior_projection(X, W, mu, sigma2):
    return (X - mu) @ W, sigma2 * _m_inverse(W, sigma2)


def ppca_posterior_cov_without_sigma2(X, W, mu, sigma2):
    return (X - mu) @ W @ _m_inverse(W, sigma2), _m_inverse(W, sigma2)


def ppca_posterior_forgets_mu(X, W, mu, sigma2):
    return X @ W @ _m_inverse(W, sigma2), sigma2 * _m_inverse(W, sigma2)


def ppca_posterior_dlkit(X, W, mu, sigma2):
    return factor.ppca_posterior(X, W, mu, sigma2)


# --- factor_analysis_em ---


def _fa_loglik(X, W, psi, mu):
    C = W @ W.T + np.diag(psi)
    return float(scipy.stats.multivariate_normal(mu, C).logpdf(X).mean())


def _fa(X, W0, psi0, n_iter, drop_g=False, old_w=False, full_psi=False, history_before=False):
    n, d = X.shape
    mu = X.mean(axis=0)
    Xc = X - mu
    W, Psi = W0.copy(), np.diag(psi0)
    history = []
    for _ in range(n_iter):
        if history_before:
            history.append(_fa_loglik(X, W, np.diag(Psi), mu))
        Psi_inv = np.linalg.inv(Psi)
        G = np.linalg.inv(np.eye(W.shape[1]) + W.T @ Psi_inv @ W)
        Ez = Xc @ Psi_inv @ W @ G
        Ezz = Ez.T @ Ez + (0 if drop_g else n * G)
        W_new = np.linalg.solve(Ezz, Ez.T @ Xc).T
        full = Xc.T @ Xc / n - (W if old_w else W_new) @ Ez.T @ Xc / n
        Psi = full if full_psi else np.diag(np.maximum(np.diag(full), 1e-8))
        W = W_new
        if not history_before:
            history.append(_fa_loglik(X, W, np.diag(Psi), mu))
    return W, np.diag(Psi).copy(), mu, np.array(history)


def fa_em_alternative(X, W0, psi0, n_iter):
    return _fa(X, W0, psi0, n_iter)


def fa_em_without_g(X, W0, psi0, n_iter):
    return _fa(X, W0, psi0, n_iter, drop_g=True)


def fa_em_psi_with_old_w(X, W0, psi0, n_iter):
    return _fa(X, W0, psi0, n_iter, old_w=True)


def fa_em_full_psi(X, W0, psi0, n_iter):
    return _fa(X, W0, psi0, n_iter, full_psi=True)


def fa_em_returns_full_psi(X, W0, psi0, n_iter):
    W, psi, mu, history = _fa(X, W0, psi0, n_iter)
    return W, np.diag(psi), mu, history


def fa_em_history_before_step(X, W0, psi0, n_iter):
    return _fa(X, W0, psi0, n_iter, history_before=True)


def fa_em_dlkit(X, W0, psi0, n_iter):
    return factor.factor_analysis_em(X, W0, psi0, n_iter)


ALTERNATIVES += [("factor_analysis_em", fa_em_alternative)]


# --- whiten ---


def whiten_by_eigenvalues(X):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    W = vectors[:, ::-1] / values[::-1]
    return Xc @ W, W


def whiten_uncentred(X):
    _, W = whiten_svd(X)
    return X @ W, W


def whiten_n_minus_1(X):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(Xc.T))
    W = vectors[:, ::-1] / np.sqrt(values[::-1])
    return Xc @ W, W


def whiten_zca(X):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    W = vectors / np.sqrt(values) @ vectors.T
    return Xc @ W, W


def whiten_ascending(X):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    W = vectors / np.sqrt(values)
    return Xc @ W, W


def whiten_sklearn(X):
    n = len(X)
    pca = PCA(whiten=True).fit(X)
    W = pca.components_.T / np.sqrt(pca.explained_variance_ * (n - 1) / n)
    return (X - X.mean(axis=0)) @ W, W


# --- fastica ---


def _decorrelate(R):
    values, vectors = np.linalg.eigh(R @ R.T)
    return vectors / np.sqrt(values) @ vectors.T @ R


def _ica(X, c, n_iter, seed, whiten=True, decorrelate=True, g_prime=True):
    Xc = X - X.mean(axis=0)
    if whiten:
        Z, K = whiten_svd(X)
        Z, K = Z[:, :c], K[:, :c]
    else:
        Z, K = Xc[:, :c], np.eye(X.shape[1])[:, :c]
    R = _decorrelate(np.random.default_rng(seed).standard_normal((c, c)))
    for _ in range(n_iter):
        g = np.tanh(Z @ R.T)
        R = g.T @ Z / len(Z) - (np.mean(1 - g**2, axis=0)[:, None] * R if g_prime else 0)
        R = _decorrelate(R) if decorrelate else R / np.linalg.norm(R, axis=1, keepdims=True)
    W = R @ K.T
    return Xc @ W.T, W


def fastica_without_whitening(X, n_components, n_iter, seed):
    return _ica(X, n_components, n_iter, seed, whiten=False)


def fastica_without_decorrelation(X, n_components, n_iter, seed):
    return _ica(X, n_components, n_iter, seed, decorrelate=False)


def fastica_without_g_prime(X, n_components, n_iter, seed):
    return _ica(X, n_components, n_iter, seed, g_prime=False)


def fastica_alternative(X, n_components, n_iter, seed):
    return _ica(X, n_components, n_iter, seed)


def fastica_sklearn(X, n_components, n_iter, seed):
    ica = FastICA(n_components, whiten="unit-variance", random_state=seed, max_iter=n_iter)
    S = ica.fit_transform(X)
    S = S / S.std(axis=0)
    return S, np.linalg.lstsq(X - X.mean(axis=0), S, rcond=None)[0].T


def fastica_dlkit(X, n_components, n_iter, seed):
    return factor.fastica(X, n_components, n_iter, seed)


ALTERNATIVES += [("fastica", fastica_alternative)]


# --- ista ---


def _ista(D, x, lam, n_iter, L, threshold):
    z = np.zeros(D.shape[1])
    for _ in range(n_iter):
        z = soft_threshold(z - D.T @ (D @ z - x) / L, threshold)
    return z


def _spectral(D):
    return np.linalg.norm(D, 2) ** 2


def ista_threshold_lam(D, x, lam, n_iter):
    return _ista(D, x, lam, n_iter, _spectral(D), lam)


def ista_step_one(D, x, lam, n_iter):
    return _ista(D, x, lam, n_iter, 1.0, lam)


def ista_frobenius(D, x, lam, n_iter):
    L = np.sum(D**2)
    return _ista(D, x, lam, n_iter, L, lam / L)


def ista_book_objective(D, x, lam, n_iter):
    """The book's ||x - Dz||^2 + lam ||z||_1: gradient 2 D^T (Dz - x), Lipschitz 2 L."""
    L = 2 * _spectral(D)
    z = np.zeros(D.shape[1])
    for _ in range(n_iter):
        z = soft_threshold(z - 2 * D.T @ (D @ z - x) / L, lam / L)
    return z


def ista_alternative(D, x, lam, n_iter):
    L = _spectral(D)
    return _ista(D, x, lam, n_iter, L, lam / L)


def ista_lasso(D, x, lam, n_iter):
    """The converged Lasso whatever n_iter is: not the n_iter-th iterate."""
    return Lasso(alpha=lam / len(x), fit_intercept=False).fit(D, x).coef_


def ista_dlkit(D, x, lam, n_iter):
    return factor.ista(D, x, lam, n_iter)


ALTERNATIVES += [("ista", ista_alternative)]


# --- learn_dictionary ---


def _objective(D, X, Z, lam):
    residual = X - Z @ D.T
    return float(np.mean(0.5 * np.sum(residual**2, axis=1) + lam * np.abs(Z).sum(axis=1)))


def _atoms(D, X, Z):
    D = D.copy()
    A, B = Z.T @ Z, X.T @ Z
    for j in range(D.shape[1]):
        if A[j, j] > 0:
            u = D[:, j] + (B[:, j] - D @ A[:, j]) / A[j, j]
            D[:, j] = u / max(1.0, np.linalg.norm(u))
    return D


def _learn(X, D0, lam, n_iter, n_inner, stale=False, renormalise=False, cold=False):
    D, Z = D0.copy(), np.zeros((len(X), D0.shape[1]))
    history = []
    for _ in range(n_iter):
        old = Z
        L = _spectral(D)
        Z = np.zeros_like(Z) if cold else Z
        for _ in range(n_inner):
            Z = soft_threshold(Z - (Z @ D.T - X) @ D / L, lam / L)
        if renormalise:
            D = np.linalg.lstsq(Z, X, rcond=None)[0].T
            D = D / np.maximum(np.linalg.norm(D, axis=0), 1e-12)
        else:
            D = _atoms(D, X, old if stale else Z)
        history.append(_objective(D, X, Z, lam))
    return D, Z, np.array(history)


def learn_dictionary_alternative(X, D0, lam, n_iter, n_inner):
    return _learn(X, D0, lam, n_iter, n_inner)


def learn_dictionary_atoms_as_rows(X, D0, lam, n_iter, n_inner):
    D, Z, history = _learn(X, D0, lam, n_iter, n_inner)
    return D.T, Z, history


def learn_dictionary_stale_codes(X, D0, lam, n_iter, n_inner):
    return _learn(X, D0, lam, n_iter, n_inner, stale=True)


def learn_dictionary_renormalised(X, D0, lam, n_iter, n_inner):
    return _learn(X, D0, lam, n_iter, n_inner, renormalise=True)


def learn_dictionary_cold_start(X, D0, lam, n_iter, n_inner):
    return _learn(X, D0, lam, n_iter, n_inner, cold=True)


def learn_dictionary_unbounded_atoms(X, D0, lam, n_iter, n_inner):
    D, Z, history = _learn(X, D0, lam, n_iter, n_inner)
    return 2 * D, Z / 2, history


def learn_dictionary_dlkit(X, D0, lam, n_iter, n_inner):
    return factor.learn_dictionary(X, D0, lam, n_iter, n_inner)


ALTERNATIVES += [("learn_dictionary", learn_dictionary_alternative)]


MUTANTS = [
    ("pca_basic", (pca_svd_uncentred, factor.pca_eig), "uncentred data"),
    ("pca_hidden", (factor.pca_svd, pca_eig_uncentred), "uncentred data"),
    ("pca_basic", (factor.pca_svd, pca_eig_ascending), "ascending order"),
    ("pca_hidden", (pca_svd_rows_of_u, factor.pca_eig), "rows of U"),
    ("pca_basic", (pca_svd_variance_over_n, factor.pca_eig), "n - 1"),
    ("pca_hidden", (pca_svd_scores_keep_old_sign, factor.pca_eig), "sign of its component"),
    ("pca_basic", (pca_svd_sklearn, factor.pca_eig), "your answer calls sklearn"),
    ("choose_k_basic", choose_k_index, "that is an index"),
    ("choose_k_hidden", choose_k_at_least, "strictly greater (>), not >="),
    ("choose_k_hidden", choose_k_raw_variances, "not the raw variances"),
    ("choose_k_basic", choose_k_float, "return int(k)"),
    ("choose_k_basic", choose_k_dlkit, "your answer calls dlkit.factor.choose_k"),
    ("ppca_mle_basic", ppca_mle_sigma2_of_all, "SMALLEST eigenvalues"),
    ("ppca_mle_hidden", ppca_mle_no_minus_sigma2, "subtract sigma2 inside the square root"),
    ("ppca_mle_basic", ppca_mle_n_minus_1, "n - 1 where the maximum likelihood uses n"),
    ("ppca_mle_hidden", ppca_mle_transposed, "transpose it"),
    ("ppca_mle_basic", ppca_mle_sklearn, "your answer calls sklearn"),
    ("ppca_loglik_basic", ppca_loglik_no_2pi, "log(2 pi) is missing"),
    ("ppca_loglik_hidden", ppca_loglik_sum, "MEAN log-likelihood"),
    ("ppca_loglik_hidden", ppca_loglik_sigma_for_sigma2, "not sigma I"),
    ("ppca_loglik_hidden", ppca_loglik_log_det_wwt, "log det(W W^T)"),
    ("ppca_loglik_basic", ppca_loglik_scipy, "your answer calls scipy.stats.multivariate_normal"),
    ("ppca_posterior_basic", ppca_posterior_projection, "PCA's projection"),
    ("ppca_posterior_hidden", ppca_posterior_cov_without_sigma2, "not M^{-1}"),
    ("ppca_posterior_hidden", ppca_posterior_forgets_mu, "subtract mu"),
    ("ppca_posterior_basic", ppca_posterior_dlkit, "your answer calls dlkit.factor"),
    ("factor_analysis_em_hidden", fa_em_without_g, "log-likelihood decreases"),
    ("factor_analysis_em_basic", fa_em_psi_with_old_w, "NEW W"),
    ("factor_analysis_em_basic", fa_em_full_psi, "Psi must stay diagonal"),
    ("factor_analysis_em_basic", fa_em_returns_full_psi, "Psi is diagonal"),
    ("factor_analysis_em_basic", fa_em_history_before_step, "after step t + 1"),
    ("factor_analysis_em_basic", fa_em_dlkit, "your answer calls dlkit.factor.factor_analysis_em"),
    ("whiten_basic", whiten_by_eigenvalues, "SQUARE ROOTS"),
    ("whiten_hidden", whiten_uncentred, "uncentred data"),
    ("whiten_basic", whiten_n_minus_1, "n - 1 where the maximum likelihood uses n"),
    ("whiten_hidden", whiten_zca, "ZCA"),
    ("whiten_basic", whiten_ascending, "ascending"),
    ("whiten_basic", whiten_sklearn, "your answer calls sklearn"),
    ("fastica_basic", fastica_without_whitening, "whiten the data first"),
    ("fastica_hidden", fastica_without_decorrelation, "symmetric decorrelation"),
    ("fastica_hidden", fastica_without_g_prime, "mean g' term"),
    ("fastica_basic", fastica_sklearn, "your answer calls sklearn"),
    ("fastica_hidden", fastica_dlkit, "your answer calls dlkit.factor.fastica"),
    ("ista_basic", ista_threshold_lam, "lam / L, not lam"),
    ("ista_hidden", ista_step_one, "step that is not 1/L"),
    ("ista_basic", ista_frobenius, "not the Frobenius norm"),
    ("ista_basic", ista_book_objective, "without the 1/2"),
    ("ista_basic", ista_lasso, "ista("),
    ("ista_basic", ista_dlkit, "your answer calls dlkit.factor.ista"),
    ("learn_dictionary_basic", learn_dictionary_atoms_as_rows, "atoms stored as rows"),
    ("learn_dictionary_hidden", learn_dictionary_stale_codes, "stale codes"),
    ("learn_dictionary_basic", learn_dictionary_renormalised, "without rescaling Z"),
    ("learn_dictionary_hidden", learn_dictionary_cold_start, "warm-start ISTA"),
    ("learn_dictionary_basic", learn_dictionary_unbounded_atoms, "unit ball"),
    ("learn_dictionary_basic", learn_dictionary_dlkit, "your answer calls dlkit.factor"),
]
