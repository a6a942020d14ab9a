"""Principal component analysis two ways, and how many components to keep.

With the data centred, ``Xc = X - mean(X)`` (n, d), the sample covariance is
``S = Xc^T Xc / (n - 1)`` (scikit-learn's convention). PCA keeps the k directions of
largest variance: the top-k eigenvectors ``v_1..v_k`` of S (``S v_j = lambda_j v_j``,
``lambda_1 >= lambda_2 >= ...``). The same directions come from the SVD
``Xc = U Sigma V^T``: the rows of ``V^T`` are the eigenvectors and
``lambda_j = sigma_j^2 / (n - 1)``. The SVD never forms S, so it loses no precision to
squaring the condition number and is the method of choice.

The **scores** (codes) are ``Z = Xc V_k`` (n, k) and the reconstruction
``X_hat = Z V_k^T + mean``. Each direction is defined only up to its sign; here the sign
is fixed so that the largest-magnitude entry of each component is positive.
"""

import numpy as np

from dlkit.factor._checks import data_matrix, fix_signs, n_components


def _centre(X, func):
    X = data_matrix(X, func)
    mean = X.mean(axis=0)  # (d,)
    return X - mean, mean


def pca_svd(X, k):
    """PCA of X (n, d) by the SVD of the centred data.

    Returns ``(components (k, d), explained_variance (k,), scores (n, k))``: the
    components are orthonormal rows (the top-k right singular vectors, sign fixed so the
    largest-magnitude entry of each is positive), ``explained_variance_j = sigma_j^2 / (n-1)``
    and ``scores = (X - mean) @ components.T``. Matches ``sklearn.decomposition.PCA``.
    """
    Xc, _ = _centre(X, "pca_svd")
    n, d = Xc.shape
    k = n_components(k, min(n, d), "pca_svd")
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)  # s (r,), Vt (r, d), r = min(n, d)
    components, _ = fix_signs(Vt[:k])
    return components, s[:k] ** 2 / (n - 1), Xc @ components.T


def pca_eig(X, k):
    """PCA of X (n, d) by the eigendecomposition of the covariance ``S = Xc^T Xc / (n - 1)``.

    ``np.linalg.eigh`` returns eigenvalues in *ascending* order: they are reversed so the
    largest come first. Same outputs and sign convention as :func:`pca_svd`.
    """
    Xc, _ = _centre(X, "pca_eig")
    n, d = Xc.shape
    k = n_components(k, d, "pca_eig")
    S = Xc.T @ Xc / (n - 1)  # (d, d)
    values, vectors = np.linalg.eigh(S)  # ascending; vectors[:, j] is an eigenvector
    order = np.argsort(values)[::-1][:k]
    components, _ = fix_signs(vectors[:, order].T)  # (k, d)
    return components, np.maximum(values[order], 0.0), Xc @ components.T


def explained_variance_ratio(explained_variance):
    """Each variance as a fraction of their total: ``lambda_j / sum(lambda)`` (same shape)."""
    ev = np.asarray(explained_variance, dtype=float)
    if ev.ndim != 1 or ev.size == 0 or np.any(ev < 0) or not np.all(np.isfinite(ev)):
        raise ValueError(
            f"explained_variance_ratio: expected a 1-D array of non-negative variances, got {ev!r}"
        )
    total = ev.sum()
    if total == 0:
        raise ValueError(
            "explained_variance_ratio: all variances are 0; there is nothing to explain"
        )
    return ev / total


def choose_k(explained_variance, threshold):
    """The smallest k whose cumulative explained-variance ratio is **strictly greater** than
    ``threshold`` (0 < threshold < 1), as ``PCA(n_components=threshold)`` picks it.

    ``explained_variance`` (d,) holds all the variances, largest first. On an exact tie
    (variances 2, 1, 1 with threshold 0.5: cumulative 0.5, 0.75, 1.0) the answer is 2.
    """
    threshold = float(threshold)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"choose_k: threshold must lie strictly between 0 and 1, got {threshold}")
    cumulative = np.cumsum(explained_variance_ratio(explained_variance))  # (d,)
    return int(min(np.searchsorted(cumulative, threshold, side="right") + 1, cumulative.size))


def pca_reconstruct(X, k):
    """The rank-k PCA reconstruction ``scores @ components + mean`` of X (n, d), shape (n, d)."""
    X = data_matrix(X, "pca_reconstruct")
    components, _, scores = pca_svd(X, k)
    return scores @ components + X.mean(axis=0)


def reconstruction_errors(X, ks=None):
    """Mean squared reconstruction error per entry for each k in ``ks`` (default 1..rank).

    By the Eckart-Young theorem the rank-k error is the sum of the discarded squared
    singular values, ``sum_{j>k} sigma_j^2 / (n d)``. Returns ``(ks (m,), errors (m,))``.
    """
    Xc, _ = _centre(X, "reconstruction_errors")
    n, d = Xc.shape
    s = np.linalg.svd(Xc, compute_uv=False)  # (min(n, d),)
    ks = np.arange(1, s.size + 1) if ks is None else np.asarray(ks, dtype=int)
    if ks.ndim != 1 or np.any(ks < 0) or np.any(ks > s.size):
        raise ValueError(f"reconstruction_errors: ks must lie in 0..{s.size}, got {ks!r}")
    tail = np.concatenate([np.cumsum((s**2)[::-1])[::-1], [0.0]])  # tail[k] = sum_{j>=k} s_j^2
    return ks, tail[ks] / (n * d)
