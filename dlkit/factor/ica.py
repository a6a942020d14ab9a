"""Whitening and independent component analysis (FastICA), with sources to unmix.

**Whitening** (PCA whitening): with ``Sigma = Xc^T Xc / n = E Lambda E^T`` (the
maximum-likelihood covariance, ddof = 0) the matrix ``W = E Lambda^{-1/2}`` (d, d) gives
``Z = Xc W`` with ``Z^T Z / n = I``. Any ``W R`` (R orthogonal) whitens too: whitening
fixes the data up to a rotation, and ICA is the search for that rotation.

**ICA** assumes ``x = A s`` with independent, non-Gaussian sources s. After whitening,
``z = Q s`` for an orthogonal Q, and FastICA (Hyvarinen, 1999) finds rows ``w`` that make
``w^T z`` maximally non-Gaussian by the fixed point (g = tanh, g' = 1 - tanh^2)

    w <- E[z g(w^T z)] - E[g'(w^T z)] w,

all rows at once, followed by the symmetric decorrelation ``W <- (W W^T)^{-1/2} W`` so
that they stay orthonormal (otherwise they all converge to the same source). A Gaussian
source is rotation invariant after whitening: nothing singles out its direction, and ICA
cannot recover it. Sources come back in any order, with any sign.
"""

import numpy as np

from dlkit.factor._checks import count, data_matrix, fix_signs, positive
from dlkit.factor._checks import n_components as _components

SOURCE_KINDS = ("sine-square", "uniform", "laplace", "gaussian", "sawtooth-laplace")


def _pca_whitening(X, c, func):
    """``(Z (n, c), K (d, c), Xc)``: the top-c PCA-whitened coordinates ``Z = Xc K``."""
    X = data_matrix(X, func)
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / n)  # ascending
    values, vectors = values[::-1][:c], vectors[:, ::-1][:, :c]
    if values[-1] <= 1e-12 * max(values[0], 1e-300):
        raise ValueError(
            f"{func}: the covariance is singular (some direction has no variance); "
            "reduce the dimension with PCA first"
        )
    K = fix_signs(vectors.T)[0].T / np.sqrt(values)  # (d, c): column j over sqrt(lambda_j)
    return Xc @ K, K, Xc


def whiten(X):
    """PCA whitening of X (n, d): ``(Z (n, d), W (d, d))`` with ``Z = (X - mean) @ W`` and
    ``Z^T Z / n = I`` (ddof = 0).

    Column j of W is the j-th eigenvector of the covariance (largest eigenvalue first, its
    largest-magnitude entry positive) divided by the square root of its eigenvalue.
    Raises ValueError when the covariance is singular (a direction without variance).
    """
    Z, W, _ = _pca_whitening(X, np.shape(X)[-1] if np.ndim(X) == 2 else 0, "whiten")
    return Z, W


def _symmetric_decorrelation(W):
    """``(W W^T)^{-1/2} W``: the orthogonal matrix nearest to W (rows orthonormal)."""
    values, vectors = np.linalg.eigh(W @ W.T)
    return (vectors / np.sqrt(values)) @ vectors.T @ W


def fastica(X, n_components=None, n_iter=200, seed=0, tol=1e-10):
    """Symmetric FastICA with g = tanh on X (n, d), after PCA whitening.

    Returns ``(S_hat (n, c), W (c, d))``: the unmixing matrix W acts on the centred data,
    ``S_hat = (X - mean) @ W.T``, and each estimated source has mean 0 and variance 1
    (ddof = 0). ``c = n_components`` (default d) keeps the top-c whitened directions. The
    rotation starts as a random orthogonal matrix from ``np.random.default_rng(seed)``;
    iterations stop after ``n_iter`` or when no row turns by more than ``tol``.
    """
    X = data_matrix(X, "fastica")
    n, d = X.shape
    c = _components(d if n_components is None else n_components, d, "fastica", "n_components")
    n_iter = count(n_iter, "fastica", "n_iter")
    tol = positive(tol, "fastica", "tol", allow_zero=True)
    Z, K, Xc = _pca_whitening(X, c, "fastica")  # (n, c), (d, c): Z = Xc K
    rng = np.random.default_rng(seed)
    R = _symmetric_decorrelation(rng.standard_normal((c, c)))  # (c, c) orthogonal
    for _ in range(n_iter):
        Y = Z @ R.T  # (n, c): current source estimates
        g = np.tanh(Y)
        R_new = g.T @ Z / n - np.mean(1.0 - g**2, axis=0)[:, None] * R  # (c, c)
        R_new = _symmetric_decorrelation(R_new)
        turned = np.max(np.abs(np.abs(np.sum(R_new * R, axis=1)) - 1.0))
        R = R_new
        if turned < tol:
            break
    W = R @ K.T  # (c, d): S_hat = Xc W^T = Z R^T
    return Xc @ W.T, W


def amari_index(P):
    """The Amari index of a square matrix P (c, c): 0 exactly when P is a scaled
    permutation (perfect unmixing, ``P = W A``), at most 1.

    ``(1 / (2 c (c - 1))) [sum_i (sum_j |p_ij| / max_j |p_ij| - 1)
    + sum_j (sum_i |p_ij| / max_i |p_ij| - 1)]``.
    """
    P = np.abs(np.asarray(P, dtype=float))
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2:
        raise ValueError(f"amari_index: expected a square matrix of size >= 2, got {P.shape}")
    c = P.shape[0]
    rows = np.sum(P.sum(axis=1) / P.max(axis=1) - 1.0)
    cols = np.sum(P.sum(axis=0) / P.max(axis=0) - 1.0)
    return float((rows + cols) / (2.0 * c * (c - 1)))


def match_sources(S_hat, S):
    """The absolute correlations of estimated and true sources after the best matching.

    S_hat (n, c) and S (n, c): tries every permutation (c <= 6) and returns
    ``(correlations (c,), permutation (c,))`` with ``S_hat[:, permutation[j]]`` matched to
    ``S[:, j]``, maximising the sum of |corr|.
    """
    from itertools import permutations

    S_hat, S = np.asarray(S_hat, dtype=float), np.asarray(S, dtype=float)
    if S_hat.shape != S.shape or S.ndim != 2 or S.shape[1] > 6:
        raise ValueError(
            f"match_sources: expected two (n, c) arrays with c <= 6, got {S_hat.shape}, {S.shape}"
        )
    c = S.shape[1]
    C = np.abs(np.corrcoef(S.T, S_hat.T)[:c, c:])  # (c, c): true j vs estimate i
    best = max(permutations(range(c)), key=lambda p: sum(C[j, p[j]] for j in range(c)))
    return C[np.arange(c), list(best)], np.array(best)


def _sources(kind, t, rng):
    if kind == "sine-square":
        return np.column_stack([np.sin(2 * t), np.sign(np.sin(3 * t + 0.5))])
    if kind == "uniform":
        return rng.uniform(-np.sqrt(3), np.sqrt(3), (t.size, 2))
    if kind == "laplace":
        return rng.laplace(0.0, 1.0 / np.sqrt(2), (t.size, 2))
    if kind == "gaussian":
        return rng.standard_normal((t.size, 2))
    sawtooth = 2.0 * ((t / np.pi) % 1.0) - 1.0  # sawtooth-laplace
    return np.column_stack([sawtooth, rng.laplace(0.0, 1.0, t.size)])


def mixed_sources(kind="sine-square", n=1000, angle=60.0, seed=0):
    """Two sources and their mixture for ICA demos: ``(S (n, 2), A (2, 2), X (n, 2))``.

    ``kind`` is one of ``SOURCE_KINDS``: a sine and a square wave, two uniform, two
    Laplace (super-Gaussian), two Gaussian (not separable) or a sawtooth and a Laplace
    source. The sources are standardised (mean 0, variance 1); the mixing matrix has
    columns ``(1, 0)`` and ``(cos angle, sin angle)`` (angle in degrees, 0 < angle < 180),
    so the mixture ``X = S A^T`` puts source j along column j of A.
    """
    if kind not in SOURCE_KINDS:
        raise ValueError(f"mixed_sources: unknown kind {kind!r}; choose one of {SOURCE_KINDS}")
    n = count(n, "mixed_sources", "n", minimum=10)
    angle = float(angle)
    if not 0.0 < angle < 180.0:
        raise ValueError(f"mixed_sources: angle must lie strictly between 0 and 180, got {angle}")
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 8.0 * np.pi, n)
    S = _sources(kind, t, rng)
    S = (S - S.mean(axis=0)) / S.std(axis=0)
    theta = np.deg2rad(angle)
    A = np.array([[1.0, np.cos(theta)], [0.0, np.sin(theta)]])  # columns: mixing directions
    return S, A, S @ A.T
