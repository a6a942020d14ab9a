"""Checks for module 15, linear factor models.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus one
small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random inputs plus
the edge cases behind the classic mistakes: uncentred data, eigh's ascending order, U in
place of V^T, n - 1 where the maximum likelihood uses n (and the reverse where
scikit-learn's convention is asked for), >= where the rule is >, sigma in place of
sigma^2, the PCA projection in place of the posterior mean, an EM step whose
log-likelihood decreases, whitening by the eigenvalues instead of their square roots, ICA
without whitening or without the symmetric decorrelation, ISTA with a step that is not
1/L or the book's objective without its 1/2, dictionary updates with stale codes).
Principal components and whitened coordinates are defined only up to their sign (and
PPCA loadings up to a rotation): they are compared up to sign (and ``W W^T``, not W).

The oracles are scikit-learn (``PCA``, its ``score``, the PPCA log-likelihood, its
``n_components_`` rule for a float, ``FactorAnalysis``, ``FastICA``, ``Lasso``),
``scipy.stats.multivariate_normal``, Gaussian conditioning of the joint of (z, x), the
KKT conditions of the l1 problem, and the checks' own short iterations (EM, ISTA,
dictionary updates) written independently of dlkit. Nothing here uses dlkit.
"""

from functools import cache

import numpy as np
import scipy.stats

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_equal,
    expect_number,
    show,
    unpack,
)

# ---------------------------------------------------------------------------
# Shared by several exercises: data, sign alignment, shapes
# ---------------------------------------------------------------------------


def _spectrum_data(seed, n, variances, offset=3.0):
    """n rows whose covariance has (about) the given variances along random axes."""
    rng = np.random.default_rng(seed)
    d = len(variances)
    axes = oracles.orthogonal(rng, d)
    return rng.standard_normal((n, d)) * np.sqrt(variances) @ axes.T + offset * rng.normal(size=d)


@cache
def _digits():
    """The 8 x 8 digits scaled to [0, 1] (1797, 64), read-only."""
    from sklearn.datasets import load_digits

    X = load_digits().data / 16.0
    X.flags.writeable = False
    return X


def _flip_rows(rows, reference):
    """Signs (k,) that turn each row of ``rows`` towards the same row of ``reference``."""
    signs = np.sign(np.sum(rows * reference, axis=1))
    signs[signs == 0] = 1.0
    return signs


def _expect_shape(value, shape, text, hint, mistakes=()):
    """``value`` as a float array of ``shape``, or CheckFailed naming a known wrong shape.

    ``mistakes`` are ``(wrong_shape, message)`` pairs.
    """
    array = as_float_array(value, text)
    if array.shape != shape:
        for wrong, message in mistakes:
            if array.shape == wrong:
                hint = message
                break
        raise CheckFailed(f"{text} has shape {array.shape}, expected {shape}; hint: {hint}")
    return array


def _expect_finite(array, text, hint):
    expect(
        bool(np.all(np.isfinite(array))),
        f"{text} contains NaN or infinite values ({show(array)}); hint: {hint}",
    )


_SKLEARN_WHY = "this exercise asks you to write it yourself, with numpy, not scikit-learn or dlkit"


# ---------------------------------------------------------------------------
# Exercise 1 · lf-pca · reference: dk.factor.pca_svd, dk.factor.pca_eig
# ---------------------------------------------------------------------------

_PCA_HINT = (
    "centre X (Xc = X - X.mean(axis=0)); the components are the top-k right singular "
    "vectors of Xc (rows of Vt), or the eigenvectors of Xc^T Xc / (n - 1) for the k largest "
    "eigenvalues; explained_variance = s**2 / (n - 1) (the eigenvalues); scores = Xc @ components.T"
)
_UNCENTRED = "your components come from uncentred data: subtract the mean of each column first"
_ASCENDING = (
    "np.linalg.eigh returns the eigenvalues in ascending order: you took the k smallest; "
    "reverse the order (largest first)"
)
_N_NOT_N1 = "explained_variance divides by n - 1 (scikit-learn's sample variance), not by n"


def _pca_reference(X, k):
    """scikit-learn's PCA: components (k, d), variances (n - 1), scores (n, k)."""
    from sklearn.decomposition import PCA

    pca = PCA(k, svd_solver="full").fit(X)
    return pca.components_, pca.explained_variance_, pca.transform(X)


def _pca_uncentred(X, k):
    _, s, Vt = np.linalg.svd(X, full_matrices=False)
    return Vt[:k], s[:k] ** 2 / (len(X) - 1), X @ Vt[:k].T


def _pca_smallest(X, k):
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / (len(X) - 1))  # ascending
    return vectors[:, :k].T, values[:k], Xc @ vectors[:, :k]


def _check_pca(fn, name, X, k):
    result, text = call(fn, name, X, k, hint=_PCA_HINT)
    components, variance, scores = unpack(
        result, text, ("components", "explained_variance", "scores")
    )
    n, d = X.shape
    ref_c, ref_v, ref_s = _pca_reference(X, k)
    components = _expect_shape(
        components,
        (k, d),
        f"{text}[0] (the components)",
        "one component per row: components has shape (k, d)",
        mistakes=[
            ((d, k), "components are the ROWS of the result: return Vt[:k], not its transpose"),
            ((k, n), "those are rows of U (one entry per sample); the components are rows of Vt"),
            (
                (n, k),
                "those are columns of U (one entry per sample); the components are rows of Vt",
            ),
        ],
    )
    _expect_finite(components, f"{text}[0] (the components)", _PCA_HINT)
    signs = _flip_rows(components, ref_c)  # a component's sign is arbitrary
    uncentred, smallest = _pca_uncentred(X, k), _pca_smallest(X, k)

    def as_compared(wrong):  # a mistake's components, signed as yours are compared
        return wrong * (_flip_rows(wrong, components) * signs)[:, None]

    expect_close(
        components * signs[:, None],
        ref_c,
        f"{text}[0] (the components, compared up to the sign of each)",
        _PCA_HINT,
        atol=1e-6,
        mistakes=[(as_compared(uncentred[0]), _UNCENTRED), (as_compared(smallest[0]), _ASCENDING)],
    )
    s = np.sqrt(ref_v * (n - 1))  # the singular values of Xc
    expect_close(
        variance,
        ref_v,
        f"{text}[1] (explained_variance)",
        _PCA_HINT,
        rtol=1e-6,
        atol=1e-10,
        mistakes=[
            (ref_v * (n - 1) / n, _N_NOT_N1),
            (s, "those are the singular values s; the variances are s**2 / (n - 1)"),
            (s**2, "divide the squared singular values by n - 1"),
            (uncentred[1], _UNCENTRED),
            (smallest[1], _ASCENDING),
        ],
    )
    scores = _expect_shape(
        scores,
        (n, k),
        f"{text}[2] (the scores)",
        "scores = (X - mean) @ components.T has shape (n, k)",
        mistakes=[((k, n), "scores has one row per sample: (X - mean) @ components.T")],
    )
    scores = scores * signs
    column_signs = _flip_rows(scores.T, ref_s.T)  # -1 where a column has the other sign
    expect_close(
        scores,
        ref_s,
        f"{text}[2] (the scores, with the signs of your components)",
        "scores = (X - X.mean(axis=0)) @ components.T, with your components' own signs",
        atol=1e-6,
        mistakes=[
            (X @ components.T * signs, "your scores project the uncentred X: use X - mean"),
            (
                ref_s * column_signs,
                "each column of scores must carry the sign of its component: compute "
                "scores = (X - mean) @ components.T after fixing the components",
            ),
        ],
    )


_FORBID_PCA = Forbidden(
    "pca",
    ("sklearn", "dlkit.factor"),
    "this exercise asks you to write PCA with np.linalg.svd and np.linalg.eigh yourself",
)


def pca_basic(pca_svd, pca_eig):
    """Six points in 3-D with distinct variances, k = 2, both methods."""
    X = np.array(
        [
            [2.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [-2.0, 0.5, 1.0],
            [4.0, -1.0, 2.0],
            [1.0, 2.0, 0.0],
            [-3.0, -0.5, 1.5],
        ]
    )
    _check_pca(pca_svd, "pca_svd", X, 2)
    _check_pca(pca_eig, "pca_eig", X, 2)
    _FORBID_PCA.check(pca_svd)
    _FORBID_PCA.check(pca_eig)


def pca_hidden(pca_svd, pca_eig):
    """Data far from the origin, k = d, more features than samples, a digits sample."""
    X = _spectrum_data(1501, 60, [9.0, 4.0, 2.0, 1.0, 0.25], offset=10.0)
    few = _spectrum_data(1502, 12, np.linspace(5.0, 0.5, 15) ** 2)  # n < d
    digits = _digits()[:300]
    for fn, name in ((pca_svd, "pca_svd"), (pca_eig, "pca_eig")):
        _check_pca(fn, name, X, 3)
        _check_pca(fn, name, X, 5)
        _check_pca(fn, name, few, 4)
        _check_pca(fn, name, digits, 6)
    _FORBID_PCA.check(pca_svd)
    _FORBID_PCA.check(pca_eig)


# ---------------------------------------------------------------------------
# Exercise 2 · lf-choose-k · reference: dk.factor.choose_k
# ---------------------------------------------------------------------------

_CHOOSE_HINT = (
    "ratio = explained_variance / explained_variance.sum(); return the smallest k whose "
    "cumulative ratio np.cumsum(ratio)[k - 1] is strictly greater than the threshold, as an int"
)


def _sklearn_k(X, threshold):
    """``PCA(n_components=threshold).n_components_`` and all of X's variances."""
    from sklearn.decomposition import PCA

    return int(PCA(threshold, svd_solver="full").fit(X).n_components_), PCA().fit(
        X
    ).explained_variance_


def _check_choose_k(fn, variances, threshold, expected):
    variances = np.asarray(variances, dtype=float)
    got, text = call(fn, "choose_k", variances, threshold, hint=_CHOOSE_HINT)
    cumulative = np.cumsum(variances / variances.sum())
    at_least = int(np.argmax(cumulative >= threshold)) + 1
    raw = np.cumsum(variances)
    raw_k = int(np.argmax(raw > threshold)) + 1 if np.any(raw > threshold) else -1
    mistakes = [
        (
            raw_k if raw_k not in (expected - 1, at_least) else -1,
            "compare cumulative RATIOS (variances divided by their total), not the raw variances",
        ),
        (
            at_least,
            "a cumulative ratio exactly equal to the threshold is not enough: the rule is "
            "strictly greater (>), not >= (and k counts components: index + 1)",
        ),
        (expected - 1, "that is an index; return the number of components, index + 1"),
    ]
    if isinstance(got, float | np.floating) and float(got).is_integer():
        raise CheckFailed(
            f"{text} returned the float {show(got)}, expected the int {expected}; hint: "
            "return int(k)"
        )
    expect_equal(got, expected, text, _CHOOSE_HINT, mistakes=mistakes)


_FORBID_CHOOSE_K = Forbidden("choose_k", ("sklearn", "dlkit.factor"), _SKLEARN_WHY)


def choose_k_basic(fn):
    """Variances 4, 2, 1, 1 (ratios 0.5, 0.25, 0.125, 0.125), threshold 0.7: k = 2."""
    _check_choose_k(fn, [4.0, 2.0, 1.0, 1.0], 0.7, 2)
    _FORBID_CHOOSE_K.check(fn)


def choose_k_hidden(fn):
    """Exact ties (cumulative ratio equal to the threshold), raw variances far above 1, and
    scikit-learn's PCA(threshold).n_components_ on random data."""
    _check_choose_k(fn, [40.0, 20.0, 10.0, 10.0], 0.9, 4)
    _check_choose_k(fn, [2.0, 1.0, 1.0], 0.5, 2)
    _check_choose_k(fn, [4.0, 2.0, 1.0, 1.0], 0.75, 3)
    _check_choose_k(fn, [5.0, 3.0, 2.0], 0.2, 1)
    X = _spectrum_data(1503, 200, np.linspace(3.0, 0.2, 12) ** 2)
    for threshold in (0.5, 0.8, 0.95, 0.999):
        expected, variances = _sklearn_k(X, threshold)
        _check_choose_k(fn, variances, threshold, expected)
    _FORBID_CHOOSE_K.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · lf-ppca-mle · reference: dk.factor.ppca_mle
# ---------------------------------------------------------------------------

_MLE_HINT = (
    "with S = Xc^T Xc / n (divide by n: the maximum likelihood) and its eigenvalues "
    "lambda_1 >= ... >= lambda_d (eigenvectors U): sigma2 = mean(lambda_{k+1..d}), "
    "W = U_k @ diag(sqrt(lambda_1..k - sigma2)), mu = X.mean(axis=0)"
)
_MLE_N1 = (
    "n - 1 where the maximum likelihood uses n: the covariance of the MLE is Xc^T Xc / n "
    "(scikit-learn's noise_variance_ uses n - 1)"
)


def _eigen_ml(X):
    """Eigenvalues (largest first) and eigenvectors of the ML covariance Xc^T Xc / n."""
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    return values[::-1], vectors[:, ::-1]


def _check_ppca_mle(fn, X, k):
    from sklearn.decomposition import PCA

    result, text = call(fn, "ppca_mle", X, k, hint=_MLE_HINT)
    W, mu, sigma2 = unpack(result, text, ("W", "mu", "sigma2"))
    n, d = X.shape
    values, vectors = _eigen_ml(X)
    pca = PCA(k, svd_solver="full").fit(X)
    expect_close(mu, X.mean(axis=0), f"{text}[1] (mu)", "mu is the mean of the rows of X")
    sigma2_ml = pca.noise_variance_ * (n - 1) / n  # scikit-learn uses n - 1
    expect_number(
        sigma2,
        sigma2_ml,
        f"{text}[2] (sigma2)",
        _MLE_HINT,
        rtol=1e-7,
        mistakes=[
            (pca.noise_variance_, _MLE_N1),
            (values.mean(), "sigma2 is the mean of the d - k SMALLEST eigenvalues, not of all"),
            (values[k:].sum(), "sigma2 is the MEAN of the discarded eigenvalues, not their sum"),
            (
                values[:-k].mean() if k < d else np.nan,
                "take the smallest eigenvalues: eigh sorts ascending",
            ),
        ],
    )
    W = _expect_shape(
        W,
        (d, k),
        f"{text}[0] (W)",
        "W has one column per latent dimension: shape (d, k)",
        mistakes=[((k, d), "W is (d, k): transpose it")],
    )
    _expect_finite(W, f"{text}[0] (W)", "the square root needs lambda_j - sigma2 >= 0")
    U = vectors[:, :k]
    expected = (U * (values[:k] - sigma2_ml)) @ U.T  # W W^T, the same for every rotation
    scaled = n / (n - 1)
    expect_close(
        W @ W.T,
        expected,
        f"{text}[0] @ {text}[0].T (W W^T, which does not depend on the rotation of W)",
        _MLE_HINT,
        atol=1e-8,
        mistakes=[
            (
                (U * values[:k]) @ U.T,
                "subtract sigma2 inside the square root: W = U_k (Lambda_k - sigma2 I)^{1/2}",
            ),
            (expected * scaled, _MLE_N1),
            (
                (vectors[:, -k:] * np.maximum(values[-k:] - sigma2_ml, 0)) @ vectors[:, -k:].T,
                "W must span the eigenvectors of the k LARGEST eigenvalues (eigh sorts ascending)",
            ),
            (
                (U * (values[:k] - sigma2_ml) ** 2) @ U.T,
                "W takes the SQUARE ROOT of lambda_j - sigma2",
            ),
        ],
    )


_FORBID_PPCA_MLE = Forbidden("ppca_mle", ("sklearn", "dlkit.factor"), _SKLEARN_WHY)


def ppca_mle_basic(fn):
    """20 samples in 4-D, k = 1 (at n = 20, n - 1 instead of n is 5 % off)."""
    _check_ppca_mle(fn, _spectrum_data(1504, 20, [6.0, 1.5, 0.6, 0.4]), 1)
    _FORBID_PPCA_MLE.check(fn)


def ppca_mle_hidden(fn):
    """Small n, k = d - 1, a digits sample in 64-D."""
    _check_ppca_mle(fn, _spectrum_data(1505, 20, [8.0, 5.0, 1.0, 0.8, 0.5]), 2)
    _check_ppca_mle(fn, _spectrum_data(1506, 200, [4.0, 3.0, 2.0, 1.0]), 3)
    _check_ppca_mle(fn, _digits()[:400], 10)
    _FORBID_PPCA_MLE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · lf-ppca-loglik · reference: dk.factor.ppca_loglik
# ---------------------------------------------------------------------------

_LOGLIK_HINT = (
    "with C = W W^T + sigma2 I (sigma2 is a variance) return the MEAN over the rows of "
    "-1/2 [d log(2 pi) + log det C + (x - mu)^T C^{-1} (x - mu)]; Woodbury: "
    "C^{-1} = (I - W M^{-1} W^T) / sigma2 and log det C = (d - k) log sigma2 + log det M "
    "with M = W^T W + sigma2 I"
)


def _mvn_mean_logpdf(X, mu, C):
    return float(scipy.stats.multivariate_normal(mu, C, allow_singular=True).logpdf(X).mean())


def _check_ppca_loglik(fn, X, W, mu, sigma2, expected=None):
    got, text = call(fn, "ppca_loglik", X, W, mu, sigma2, hint=_LOGLIK_HINT)
    n, d = X.shape
    C = W @ W.T + sigma2 * np.eye(d)
    if expected is None:
        expected = _mvn_mean_logpdf(X, mu, C)
    value = as_number(got, text, "return one number, the mean log-likelihood, as a float")
    if not np.isfinite(value):
        raise CheckFailed(
            f"{text} returned {show(value)}, expected {expected:.6g}; hint: log det(W W^T) is "
            "-inf (W W^T has rank k < d): the covariance is C = W W^T + sigma2 I"
        )
    expect_number(
        got,
        expected,
        text,
        _LOGLIK_HINT,
        rtol=1e-7,
        mistakes=[
            (expected + 0.5 * d * np.log(2 * np.pi), "the constant -(d/2) log(2 pi) is missing"),
            (expected * n, "return the MEAN log-likelihood over the rows, not the sum"),
            (
                lambda: _mvn_mean_logpdf(X, mu, W @ W.T + np.sqrt(sigma2) * np.eye(d)),
                "sigma2 is already the variance sigma^2: add sigma2 I, not sigma I",
            ),
            (
                lambda: _mvn_mean_logpdf(X, mu, W @ W.T + sigma2**2 * np.eye(d)),
                "sigma2 is already the variance sigma^2: do not square it again",
            ),
            (lambda: _mvn_mean_logpdf(X, np.zeros(d), C), "subtract mu from x"),
        ],
    )


_FORBID_PPCA_LOGLIK = Forbidden(
    "ppca_loglik",
    ("sklearn", "dlkit.factor", "scipy.stats.multivariate_normal"),
    "this exercise asks you to write the Gaussian log-density yourself (Woodbury and the "
    "determinant lemma), not scipy.stats.multivariate_normal",
)


def ppca_loglik_basic(fn):
    """Three points in 2-D with one latent dimension."""
    X = np.array([[1.0, 2.0], [0.0, -1.0], [2.0, 0.5]])
    _check_ppca_loglik(fn, X, np.array([[1.0], [0.5]]), np.array([0.5, 0.0]), 0.4)
    _FORBID_PPCA_LOGLIK.check(fn)


def ppca_loglik_hidden(fn):
    """Random models, a tiny noise variance, and scikit-learn's fitted PCA, whose score is
    the same log-likelihood (its own n - 1 parameters)."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(1507)
    X = rng.standard_normal((40, 6)) * 2 + 1
    _check_ppca_loglik(fn, X, rng.standard_normal((6, 2)), rng.normal(size=6), 0.7)
    _check_ppca_loglik(fn, X, rng.standard_normal((6, 3)), X.mean(axis=0), 2.5)
    _check_ppca_loglik(fn, X[:5], rng.standard_normal((6, 1)), np.zeros(6), 1e-3)
    Y = _spectrum_data(1508, 150, [5.0, 3.0, 0.5, 0.4, 0.3, 0.2, 0.2])
    pca = PCA(2).fit(Y)
    W = pca.components_.T * np.sqrt(pca.explained_variance_ - pca.noise_variance_)
    _check_ppca_loglik(fn, Y, W, pca.mean_, float(pca.noise_variance_), pca.score(Y))
    _FORBID_PPCA_LOGLIK.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · lf-ppca-posterior · reference: dk.factor.ppca_posterior
# ---------------------------------------------------------------------------

_POSTERIOR_HINT = (
    "with M = W^T W + sigma2 I (k x k): means = (X - mu) @ W @ inv(M) (row i is "
    "M^{-1} W^T (x_i - mu)) and cov = sigma2 * inv(M)"
)


def _conditioning(X, W, mu, sigma2):
    """p(z | x) from the joint Gaussian of (z, x): [[I, W^T], [W, W W^T + sigma2 I]]."""
    d, k = W.shape
    C = W @ W.T + sigma2 * np.eye(d)
    gain = np.linalg.solve(C, W).T  # (k, d): W^T C^{-1}
    return (X - mu) @ gain.T, np.eye(k) - gain @ W


def _check_posterior(fn, X, W, mu, sigma2):
    result, text = call(fn, "ppca_posterior", X, W, mu, sigma2, hint=_POSTERIOR_HINT)
    means, cov = unpack(result, text, ("means", "cov"))
    n, k = len(X), W.shape[1]
    ref_means, ref_cov = _conditioning(X, W, mu, sigma2)
    M = W.T @ W + sigma2 * np.eye(k)
    means = _expect_shape(
        means,
        (n, k),
        f"{text}[0] (the posterior means)",
        "one row per sample: means has shape (n, k)",
        mistakes=[((k, n), "means has one ROW per sample: transpose it")],
    )
    expect_close(
        means,
        ref_means,
        f"{text}[0] (the posterior means)",
        _POSTERIOR_HINT,
        atol=1e-9,
        mistakes=[
            (
                (X - mu) @ W,
                "W^T (x - mu) is PCA's projection; the posterior mean is M^{-1} W^T (x - mu)",
            ),
            (X @ W @ np.linalg.inv(M), "subtract mu before projecting: M^{-1} W^T (x - mu)"),
            (
                (X - mu) @ W @ np.linalg.inv(W.T @ W),
                "the posterior mean uses M = W^T W + sigma2 I, not W^T W",
            ),
        ],
    )
    expect_close(
        cov,
        ref_cov,
        f"{text}[1] (the posterior covariance)",
        _POSTERIOR_HINT,
        atol=1e-10,
        mistakes=[
            (np.linalg.inv(M), "the posterior covariance is sigma2 * M^{-1}, not M^{-1}"),
            (sigma2 * np.linalg.inv(W.T @ W), "use M = W^T W + sigma2 I, not W^T W"),
            (np.linalg.inv(M) / sigma2, "multiply by sigma2: cov = sigma2 * M^{-1}"),
        ],
    )


_FORBID_POSTERIOR = Forbidden("ppca_posterior", ("sklearn", "dlkit.factor"), _SKLEARN_WHY)


def ppca_posterior_basic(fn):
    """Two points in 3-D, one latent dimension."""
    X = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]])
    _check_posterior(fn, X, np.array([[2.0], [1.0], [0.0]]), np.array([0.0, 0.5, 1.0]), 0.5)
    _FORBID_POSTERIOR.check(fn)


def ppca_posterior_hidden(fn):
    """Random models, a large and a tiny noise variance (the posterior mean tends to the
    projection), one sample."""
    rng = np.random.default_rng(1509)
    X = rng.standard_normal((30, 5)) + 2
    _check_posterior(fn, X, rng.standard_normal((5, 2)), rng.normal(size=5), 0.8)
    _check_posterior(fn, X, rng.standard_normal((5, 3)), X.mean(axis=0), 5.0)
    _check_posterior(fn, X[:1], rng.standard_normal((5, 2)), np.zeros(5), 1e-6)
    _FORBID_POSTERIOR.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · lf-fa-em · reference: dk.factor.factor_analysis_em
# ---------------------------------------------------------------------------

_FA_HINT = (
    "E-step with G = inv(I + W^T Psi^{-1} W): Ez = (X - mu) @ (W / psi[:, None]) @ G and "
    "sum_i E[z_i z_i^T] = n G + Ez^T Ez; M-step: W = [(X - mu)^T Ez] inv(sum E[zz^T]), then "
    "psi = diag(S) - sum(W * ((X - mu)^T Ez), axis=1) / n with the NEW W; append the mean "
    "log-likelihood after each step"
)
_FA_DECREASE = (
    "an EM step whose log-likelihood decreases is not EM: did you drop G from E[z z^T] = "
    "G + E[z] E[z]^T, update psi with the old W, or keep the off-diagonal entries of Psi "
    "(Psi must stay diagonal)?"
)


def _fa_loglik(X, W, psi, mu):
    return _mvn_mean_logpdf(X, mu, W @ W.T + np.diag(psi))


def _fa_em(X, W, psi, n_iter, variant=None):
    """The check's EM for factor analysis; ``variant`` reproduces a classic mistake."""
    n, d = X.shape
    mu = X.mean(axis=0)
    Xc = X - mu
    S = Xc.T @ Xc / n
    Psi = np.diag(psi)
    history = []
    for _ in range(n_iter):
        Psi_inv = np.linalg.inv(Psi)
        G = np.linalg.inv(np.eye(W.shape[1]) + W.T @ Psi_inv @ W)  # (k, k)
        Ez = Xc @ Psi_inv @ W @ G  # (n, k)
        Ezz = Ez.T @ Ez + (0.0 if variant == "no G" else n * G)
        W_new = np.linalg.solve(Ezz, Ez.T @ Xc).T  # (d, k)
        used = W if variant == "old W" else W_new
        full = S - used @ (Ez.T @ Xc) / n
        Psi = full if variant == "full Psi" else np.diag(np.maximum(np.diag(full), 1e-8))
        W = W_new
        history.append(_mvn_mean_logpdf(X, mu, W @ W.T + Psi))
    return W, np.diag(Psi).copy(), mu, np.array(history)


def _synthetic_fa(seed, n=300, d=7, k=2):
    rng = np.random.default_rng(seed)
    W, psi = rng.standard_normal((d, k)), rng.uniform(0.2, 1.5, d)
    return rng.standard_normal((n, k)) @ W.T + rng.standard_normal((n, d)) * np.sqrt(psi) + 2


def _fa_start(X, k, seed):
    rng = np.random.default_rng(seed)
    s = X.var(axis=0)
    return rng.standard_normal((X.shape[1], k)) * np.sqrt(s.mean() / k), s


def _check_fa(fn, X, W0, psi0, n_iter):
    result, text = call(fn, "factor_analysis_em", X, W0, psi0, n_iter, hint=_FA_HINT)
    W, psi, mu, history = unpack(result, text, ("W", "psi", "mu", "history"))
    d, k = W0.shape
    W = _expect_shape(W, (d, k), f"{text}[0] (W)", "W keeps the shape of W0, (d, k)")
    psi = _expect_shape(
        psi,
        (d,),
        f"{text}[1] (psi)",
        "psi holds the d diagonal noise variances, shape (d,)",
        mistakes=[
            ((d, d), "Psi is diagonal in factor analysis: return (and use) only its diagonal")
        ],
    )
    history = _expect_shape(
        history,
        (n_iter,),
        f"{text}[3] (the log-likelihood history)",
        "append one mean log-likelihood per EM step, after the step: n_iter values",
    )
    _expect_finite(history, f"{text}[3] (the log-likelihood history)", _FA_HINT)
    drops = np.diff(history) < -1e-9 * np.abs(history[1:])
    if drops.any():
        t = int(np.argmax(drops))
        raise CheckFailed(
            f"{text}: the log-likelihood decreased at step {t + 2}, from {history[t]:.8g} to "
            f"{history[t + 1]:.8g}; hint: {_FA_DECREASE}"
        )
    ref_W, ref_psi, ref_mu, ref_history = _fa_em(X, W0.copy(), psi0.copy(), n_iter)
    expect_close(mu, ref_mu, f"{text}[2] (mu)", "mu is the mean of the rows of X")
    expect(
        bool(np.all(psi > 0)),
        f"{text}[1] (psi) = {show(psi)} has values <= 0; hint: noise variances are positive",
    )
    own = _fa_loglik(X, W, psi, np.asarray(mu, dtype=float))
    expect_number(
        history[-1],
        own,
        f"{text}[3][-1] (the last log-likelihood) against the mean log-likelihood of the "
        "W, psi and mu you returned",
        "history[t] is the mean log-likelihood (1/n) sum_i log N(x_i; mu, W W^T + diag(psi)) "
        "of the parameters after step t + 1",
        rtol=1e-7,
    )
    mistakes = [
        (
            lambda: _fa_em(X, W0.copy(), psi0.copy(), n_iter, "no G")[0],
            "E[z z^T] = G + E[z] E[z]^T: the posterior covariance G is missing",
        ),
        (
            lambda: _fa_em(X, W0.copy(), psi0.copy(), n_iter, "old W")[0],
            "update psi with the NEW W of this M-step, not the old one",
        ),
        (
            lambda: _fa_em(X, W0.copy(), psi0.copy(), n_iter, "full Psi")[0],
            "Psi must stay diagonal: keep only the diagonal of S - W (1/n) sum E[z] (x - mu)^T",
        ),
    ]
    expect_close(W, ref_W, f"{text}[0] (W)", _FA_HINT, rtol=1e-6, atol=1e-8, mistakes=mistakes)
    expect_close(psi, ref_psi, f"{text}[1] (psi)", _FA_HINT, rtol=1e-6, atol=1e-8)
    expect_close(history, ref_history, f"{text}[3] (the history)", _FA_HINT, rtol=1e-8)
    return history


_FORBID_FA = Forbidden(
    "factor_analysis_em",
    ("sklearn", "dlkit.factor.factor_analysis_em", "dlkit.factor.fa_posterior"),
    "this exercise asks you to write the E and M steps yourself (dk.factor.fa_loglik is allowed)",
)


def factor_analysis_em_basic(fn):
    """Five EM steps on 60 samples in 4-D with one factor."""
    X = _synthetic_fa(1510, n=60, d=4, k=1)
    _check_fa(fn, X, *_fa_start(X, 1, 0), 5)
    _FORBID_FA.check(fn)


@cache
def _fa_sklearn_score(seed, k):
    from sklearn.decomposition import FactorAnalysis

    X = _synthetic_fa(seed)
    fa = FactorAnalysis(k, tol=1e-12, max_iter=20_000, svd_method="lapack").fit(X)
    return float(fa.score(X))


def factor_analysis_em_hidden(fn):
    """Heteroscedastic noise, three factors, and 300 steps that must reach scikit-learn's
    FactorAnalysis maximum of the likelihood (to 1e-3)."""
    X = _synthetic_fa(1511, n=80, d=6, k=3)
    _check_fa(fn, X, *_fa_start(X, 3, 1), 12)
    X = _synthetic_fa(1512)
    history = _check_fa(fn, X, *_fa_start(X, 2, 2), 300)
    expect_number(
        history[-1],
        _fa_sklearn_score(1512, 2),
        "factor_analysis_em(<X of shape (300, 7)>, ..., 300)[3][-1] (the final log-likelihood) "
        "against sklearn FactorAnalysis(2).score(X)",
        _FA_HINT,
        rtol=0.0,
        atol=1e-3,
    )
    _FORBID_FA.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · lf-whiten · reference: dk.factor.whiten
# ---------------------------------------------------------------------------

_WHITEN_HINT = (
    "centre X, take the eigendecomposition of Sigma = Xc^T Xc / n (divide by n), order the "
    "eigenvalues largest first and set W = E / sqrt(lambda) (column j of E divided by "
    "sqrt(lambda_j)); Z = Xc @ W"
)


def _check_whiten(fn, X):
    from sklearn.decomposition import PCA

    result, text = call(fn, "whiten", X, hint=_WHITEN_HINT)
    Z, W = unpack(result, text, ("Z", "W"))
    n, d = X.shape
    Z = _expect_shape(Z, (n, d), f"{text}[0] (Z)", "Z has the shape of X")
    W = _expect_shape(W, (d, d), f"{text}[1] (W)", "W is (d, d)")
    _expect_finite(Z, f"{text}[0] (Z)", _WHITEN_HINT)
    Xc = X - X.mean(axis=0)
    expect_close(
        Z,
        Xc @ W,
        f"{text}[0] (Z) against (X - X.mean(axis=0)) @ W with your W",
        "Z = (X - mean) @ W",
        atol=1e-8,
        mistakes=[(X @ W, "uncentred data: Z must be (X - mean) @ W, subtract the mean first")],
    )
    values, vectors = np.linalg.eigh(Xc.T @ Xc / n)
    expect_close(
        Z.T @ Z / n,
        np.eye(d),
        f"the covariance Z^T Z / n of {text}[0]",
        _WHITEN_HINT,
        atol=1e-8,
        mistakes=[
            (
                np.eye(d) * (n - 1) / n,
                "n - 1 where the maximum likelihood uses n: Sigma = Xc^T Xc / n, so that Z^T Z / "
                "n = I",
            ),
            (
                np.diag(1.0 / np.sort(values)[::-1]),
                "divide by the SQUARE ROOTS of the eigenvalues, not the eigenvalues",
            ),
            (
                np.diag(1.0 / np.sort(values)),
                "divide by the SQUARE ROOTS of the eigenvalues, not the eigenvalues",
            ),
        ],
    )
    reference = PCA(whiten=True, svd_solver="full").fit_transform(X) * np.sqrt(n / (n - 1))
    signs = _flip_rows(Z.T, reference.T)  # one sign per column

    def as_compared(wrong):  # a mistake's Z, its columns signed as yours are compared
        return wrong * _flip_rows(wrong.T, Z.T) * signs

    zca = Xc @ (vectors / np.sqrt(values)) @ vectors.T  # W = E Lambda^{-1/2} E^T
    expect_close(
        Z * signs,
        reference,
        f"{text}[0] (Z, compared up to the sign of each column) against PCA whitening",
        _WHITEN_HINT,
        atol=1e-6,
        mistakes=[
            (
                as_compared(reference[:, ::-1]),
                "the columns come in the order of eigh (ascending): put the largest eigenvalue "
                "first",
            ),
            (
                as_compared(zca),
                "that is ZCA whitening (W = E Lambda^{-1/2} E^T); this exercise asks for PCA "
                "whitening, W = E Lambda^{-1/2}",
            ),
        ],
    )


_FORBID_WHITEN = Forbidden("whiten", ("sklearn", "dlkit.factor"), _SKLEARN_WHY)


def whiten_basic(fn):
    """40 correlated points in 2-D."""
    _check_whiten(fn, _spectrum_data(1513, 40, [4.0, 0.25]))
    _FORBID_WHITEN.check(fn)


def whiten_hidden(fn):
    """Five dimensions far from the origin, small n, strongly anisotropic data."""
    _check_whiten(fn, _spectrum_data(1514, 200, [9.0, 4.0, 2.0, 1.0, 0.5], offset=20.0))
    _check_whiten(fn, _spectrum_data(1515, 8, [3.0, 2.0, 1.0]))
    _check_whiten(fn, _spectrum_data(1516, 100, [100.0, 1.0, 0.01]))
    _FORBID_WHITEN.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · lf-fastica · reference: dk.factor.fastica
# ---------------------------------------------------------------------------

_ICA_HINT = (
    "whiten (Z = Xc K, Z^T Z / n = I, top n_components directions), start from a random "
    "orthogonal R (np.random.default_rng(seed)), repeat R <- g(Y)^T Z / n - diag(mean g'(Y)) R "
    "with Y = Z R^T, g = tanh, g' = 1 - tanh^2, then R <- (R R^T)^{-1/2} R; return "
    "S_hat = Z R^T and W = R K^T"
)
_ICA_MIN_CORRELATION = 0.98
_ICA_MAX_AMARI = 0.1


def _ica_sources(seed, n, c):
    """c of: a square wave, a sawtooth, a Laplace source; standardised."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20 * np.pi, n)
    S = np.column_stack(
        [np.sign(np.sin(1.3 * t + 0.2)), 2 * ((0.7 * t / np.pi) % 1) - 1, rng.laplace(size=n)]
    )[:, :c]
    S = (S - S.mean(axis=0)) / S.std(axis=0)
    A = rng.standard_normal((c, c)) + 0.5 * np.eye(c)
    return S, A, S @ A.T + rng.normal(size=c)


def _amari(P):
    P = np.abs(P)
    c = len(P)
    rows = np.sum(P.sum(axis=1) / P.max(axis=1) - 1)
    cols = np.sum(P.sum(axis=0) / P.max(axis=0) - 1)
    return float((rows + cols) / (2 * c * (c - 1)))


def _best_match(S_hat, S):
    """The smallest |corr| between a true source and its estimate, best permutation."""
    import itertools

    c = S.shape[1]
    C = np.abs(np.corrcoef(S.T, S_hat.T)[:c, c:])
    return max(min(C[j, p[j]] for j in range(c)) for p in itertools.permutations(range(c)))


@cache
def _sklearn_ica_match(seed, n, c):
    from sklearn.decomposition import FastICA

    S, _, X = _ica_sources(seed, n, c)
    ica = FastICA(c, fun="logcosh", whiten="unit-variance", random_state=0, max_iter=1000, tol=1e-8)
    return float(_best_match(ica.fit_transform(X), S))


def _check_fastica(fn, seed, n, c, n_iter=200):
    S, A, X = _ica_sources(seed, n, c)
    result, text = call(fn, "fastica", X, c, n_iter, 0, hint=_ICA_HINT)
    S_hat, W = unpack(result, text, ("S_hat", "W"))
    S_hat = _expect_shape(
        S_hat,
        (n, c),
        f"{text}[0] (S_hat)",
        "one column per source: shape (n, n_components)",
        mistakes=[((c, n), "S_hat has one ROW per sample: transpose it")],
    )
    W = _expect_shape(
        W,
        (c, c),
        f"{text}[1] (W)",
        "W is the unmixing matrix (n_components, d): S_hat = (X - mean) @ W.T",
    )
    _expect_finite(S_hat, f"{text}[0] (S_hat)", _ICA_HINT)
    Xc = X - X.mean(axis=0)
    expect_close(
        S_hat,
        Xc @ W.T,
        f"{text}[0] (S_hat) against (X - X.mean(axis=0)) @ W.T with your W",
        "W must unmix the centred data: S_hat = (X - mean) @ W.T (W includes the whitening)",
        atol=1e-6,
        mistakes=[(Xc @ W, "S_hat = (X - mean) @ W.T: you used W, not its transpose")],
    )
    covariance = S_hat.T @ S_hat / n
    variances = np.diag(covariance)
    expect(
        not np.allclose(variances, (n - 1) / n, atol=1e-6),
        f"{text}: the estimated sources have variances {show(variances)} = (n - 1) / n; hint: "
        "whiten with the covariance Xc^T Xc / n (ddof = 0), so that S_hat has variance 1",
    )
    expect(
        bool(np.allclose(variances, 1.0, atol=1e-6)),
        f"{text}: the estimated sources have variances {show(variances)}, expected 1; hint: "
        "whiten the data first (no whitening: the fixed point needs Z^T Z / n = I), and keep "
        "the rows of R orthonormal",
    )
    correlations = covariance - np.diag(variances)
    expect(
        bool(np.abs(correlations).max() < 1e-6),
        f"{text}: two estimated sources are correlated (|corr| up to "
        f"{np.abs(correlations).max():.3g}); hint: without the symmetric decorrelation "
        "R <- (R R^T)^{-1/2} R after every step, the rows converge to the same source",
    )
    match = _best_match(S_hat, S)
    sklearn_match = _sklearn_ica_match(seed, n, c)
    expect(
        match >= _ICA_MIN_CORRELATION,
        f"{text}: the best match of your sources to the true ones has |corr| = {match:.4f} "
        f"(scikit-learn's FastICA: {sklearn_match:.4f}), expected at least "
        f"{_ICA_MIN_CORRELATION}; hint: the fixed point is w <- E[z g(w^T z)] - E[g'(w^T z)] w: "
        "without the mean g' term it does not converge to a source",
    )
    amari = _amari(W @ A)
    expect(
        amari <= _ICA_MAX_AMARI,
        f"{text}: the Amari index of W A is {amari:.3f}, expected at most {_ICA_MAX_AMARI}; "
        f"hint: {_ICA_HINT}",
    )
    again, _ = call(fn, "fastica", X, c, n_iter, 0, hint=_ICA_HINT)
    expect(
        bool(np.array_equal(np.asarray(again[0], dtype=float), S_hat)),
        f"{text} returned different sources when called twice with the same seed; hint: "
        "draw the start from rng = np.random.default_rng(seed) only",
    )


_FORBID_FASTICA = Forbidden(
    "fastica",
    ("sklearn", "dlkit.factor.fastica"),
    "this exercise asks you to write the FastICA iteration yourself (whitening may reuse "
    "your whiten or dk.factor.whiten)",
)


def fastica_basic(fn):
    """A square wave and a sawtooth, 1000 samples, mixed by a random 2 x 2 matrix."""
    _check_fastica(fn, 1517, 1000, 2)
    _FORBID_FASTICA.check(fn)


def fastica_hidden(fn):
    """Three sources (square, sawtooth, Laplace) under three mixing matrices."""
    for seed in (1518, 1519, 1520):
        _check_fastica(fn, seed, 2000, 3)
    _FORBID_FASTICA.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · lf-ista · reference: dk.factor.ista
# ---------------------------------------------------------------------------

_ISTA_HINT = (
    "start at z = 0; L = np.linalg.norm(D, 2)**2 (the squared SPECTRAL norm); repeat n_iter "
    "times z = soft(z - D.T @ (D @ z - x) / L, lam / L) with soft(v, t) = "
    "sign(v) * max(|v| - t, 0)"
)


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def _ista(D, x, lam, n_iter, L=None, threshold=None):
    """The check's ISTA from z = 0; ``L``, ``threshold`` override 1/L and lam / L."""
    L = np.linalg.svd(D, compute_uv=False)[0] ** 2 if L is None else L
    t = lam / L if threshold is None else threshold
    z = np.zeros(D.shape[1])
    for _ in range(n_iter):
        z = _soft(z - D.T @ (D @ z - x) / L, t)
    return z


def _check_ista(fn, D, x, lam, n_iter):
    result, text = call(fn, "ista", D, x, lam, n_iter, hint=_ISTA_HINT)
    L = np.linalg.svd(D, compute_uv=False)[0] ** 2
    z = _expect_shape(result, (D.shape[1],), text, "z has one entry per atom (column of D)")
    expected = _ista(D, x, lam, n_iter)
    expect_close(
        z,
        expected,
        text,
        _ISTA_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=[
            (
                lambda: _ista(D, x, lam, n_iter, threshold=lam),
                "the threshold of the proximal step is lam / L, not lam",
            ),
            (
                lambda: _ista(D, x, lam, n_iter, L=1.0),
                "ISTA with a step that is not 1/L: step 1 diverges once ||D||_2^2 > 2; use 1 / L "
                "with L = ||D||_2^2",
            ),
            (
                lambda: _ista(D, x, lam, n_iter, L=float(np.sum(D**2))),
                "ISTA with a step that is not 1/L: L is the squared spectral norm "
                "np.linalg.norm(D, 2)**2, not the Frobenius norm",
            ),
            (
                lambda: _ista(D, x, lam, n_iter, L=2 * L),
                "ISTA with a step that is not 1/L: the step is 1 / L with L = ||D||_2^2, not 1 / "
                "(2L)",
            ),
            (
                lambda: _ista(D, x, lam / 2, n_iter),
                "the book's objective without the 1/2 (||x - Dz||^2 + lam ||z||_1) halves lam; "
                "this exercise minimises (1/2)||x - Dz||^2 + lam ||z||_1",
            ),
            (
                lambda: _ista(D, x, 2 * lam, n_iter),
                "the objective is (1/2)||x - Dz||^2 + lam ||z||_1: the threshold is lam / L, not "
                "2 lam / L",
            ),
        ],
    )
    return z, L


def _check_ista_converged(fn, D, x, lam):
    """3000 steps: the KKT conditions and scikit-learn's Lasso(alpha = lam / m)."""
    from sklearn.linear_model import Lasso

    z, _ = _check_ista(fn, D, x, lam, 3000)
    gradient = D.T @ (x - D @ z)
    support = z != 0
    text = f"ista(<D of shape {D.shape}>, <x>, {lam}, 3000)"
    expect(
        bool(np.all(np.abs(gradient[~support]) <= lam + 1e-6))
        and bool(np.allclose(gradient[support], lam * np.sign(z[support]), atol=1e-6)),
        f"{text} does not satisfy the optimality (KKT) conditions |D^T (x - D z)|_j <= lam, with "
        f"equality and the sign of z_j on the support; hint: {_ISTA_HINT}",
    )
    lasso = Lasso(alpha=lam / len(x), fit_intercept=False, tol=1e-14, max_iter=100_000).fit(D, x)
    expect_close(
        z, lasso.coef_, f"{text} against sklearn Lasso(alpha=lam / m)", _ISTA_HINT, atol=1e-6
    )


_FORBID_ISTA = Forbidden("ista", ("sklearn", "dlkit.factor"), _SKLEARN_WHY)


def ista_basic(fn):
    """A 4 x 3 dictionary: one step, then ten."""
    D = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0], [0.0, 0.5, 1.0]])
    x = np.array([2.0, -1.0, 1.0, 0.5])
    _check_ista(fn, D, x, 0.5, 1)
    _check_ista(fn, D, x, 0.5, 10)
    _FORBID_ISTA.check(fn)


def ista_hidden(fn):
    """||D||_2^2 far above 2 (step 1 diverges), lam = 0 (least squares), lam so large that
    z = 0, and a converged code against scikit-learn's Lasso and the KKT conditions."""
    rng = np.random.default_rng(1521)
    D = rng.standard_normal((30, 15))
    z_true = np.where(rng.uniform(size=15) < 0.3, 3 * rng.normal(size=15), 0.0)
    x = D @ z_true + 0.1 * rng.standard_normal(30)
    _check_ista(fn, D, x, 1.0, 5)
    _check_ista(fn, D, x, 0.0, 20)
    _check_ista(fn, D, x, 1e4, 3)
    _check_ista_converged(fn, D / 3, x, 0.3)
    _FORBID_ISTA.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · lf-dictionary · reference: dk.factor.learn_dictionary
# ---------------------------------------------------------------------------

_DICT_HINT = (
    "Z = 0; each outer step: n_inner ISTA steps on all rows, Z <- soft(Z - (Z D^T - X) D / L, "
    "lam / L) with L = ||D||_2^2 of the current D, warm-started from the current Z; then for "
    "each atom j (A = Z^T Z, B = X^T Z, skip A_jj = 0): u = d_j + (b_j - D a_j) / A_jj, "
    "d_j = u / max(1, ||u||); then append the objective mean(1/2 ||x_i - D z_i||^2 + lam ||z_i||_1)"
)


def _objective(D, X, Z, lam):
    residual = X - Z @ D.T
    return float(np.mean(0.5 * np.sum(residual**2, axis=1) + lam * np.sum(np.abs(Z), axis=1)))


def _dictionary(X, D, lam, n_iter, n_inner, variant=None):
    """The check's dictionary learning; ``variant`` reproduces a classic mistake."""
    D = D.copy()
    Z = np.zeros((len(X), D.shape[1]))
    history = []
    for _ in range(n_iter):
        old_Z = Z
        L = np.linalg.svd(D, compute_uv=False)[0] ** 2
        if variant == "cold start":
            Z = np.zeros_like(Z)
        for _ in range(n_inner):
            Z = _soft(Z - (Z @ D.T - X) @ D / L, lam / L)
        codes = old_Z if variant == "stale codes" else Z
        if variant == "renormalise":
            D = np.linalg.lstsq(codes, X, rcond=None)[0].T
            D = D / np.maximum(np.linalg.norm(D, axis=0), 1e-12)
        else:
            A, B = codes.T @ codes, X.T @ codes
            for j in range(D.shape[1]):
                if A[j, j] > 0:
                    u = D[:, j] + (B[:, j] - D @ A[:, j]) / A[j, j]
                    D[:, j] = u / max(1.0, np.linalg.norm(u))
        history.append(_objective(D, X, Z, lam))
    return D, Z, np.array(history)


def _dictionary_start(X, p, seed):
    rng = np.random.default_rng(seed)
    D = X[rng.choice(len(X), p, replace=False)].T
    return D / np.linalg.norm(D, axis=0)


def _check_dictionary(fn, X, D0, lam, n_iter, n_inner):
    result, text = call(fn, "learn_dictionary", X, D0, lam, n_iter, n_inner, hint=_DICT_HINT)
    D, Z, history = unpack(result, text, ("D", "Z", "history"))
    (n, m), p = X.shape, D0.shape[1]
    D = _expect_shape(
        D,
        (m, p),
        f"{text}[0] (D)",
        "D keeps the shape of D0, (m, n_atoms)",
        mistakes=[
            ((p, m), "atoms stored as rows: the atoms are the COLUMNS of D, shape (m, n_atoms)")
        ],
    )
    Z = _expect_shape(
        Z,
        (n, p),
        f"{text}[1] (Z)",
        "one code per row of X: Z has shape (n, n_atoms)",
        mistakes=[((p, n), "Z has one ROW per sample, X ~ Z D^T: shape (n, n_atoms)")],
    )
    history = _expect_shape(
        history,
        (n_iter,),
        f"{text}[2] (the objective history)",
        "append the objective once per outer step: n_iter values",
    )
    _expect_finite(history, f"{text}[2] (the objective history)", _DICT_HINT)
    norms = np.linalg.norm(D, axis=0)
    expect(
        bool(np.all(norms <= 1 + 1e-9)),
        f"{text}[0] (D) has atoms of norm up to {norms.max():.4g}; hint: keep every atom in the "
        "unit ball, d_j = u / max(1, ||u||) (otherwise D grows and Z shrinks without bound)",
    )
    rises = np.diff(history) > 1e-9 * np.abs(history[:-1])
    if rises.any():
        t = int(np.argmax(rises))
        raise CheckFailed(
            f"{text}: the objective increased at outer step {t + 2}, from {history[t]:.8g} to "
            f"{history[t + 1]:.8g}; hint: each step must not increase it: ISTA with step 1/L, "
            "then the atom update with the NEW codes; renormalising D without rescaling Z, "
            "or updating D with stale codes, breaks this"
        )
    expect_number(
        history[-1],
        _objective(D, X, Z, lam),
        f"{text}[2][-1] (the last objective) against the objective of the D and Z you returned",
        "history[t] = mean over rows of 1/2 ||x_i - D z_i||^2 + lam ||z_i||_1 after outer step "
        "t + 1, with the D and Z of that step",
        rtol=1e-7,
    )
    ref_D, ref_Z, ref_history = _dictionary(X, D0, lam, n_iter, n_inner)
    mistakes = [
        (
            lambda: _dictionary(X, D0, lam, n_iter, n_inner, "stale codes")[0],
            "updating D with stale codes: update the atoms with the codes of THIS outer step",
        ),
        (
            lambda: _dictionary(X, D0, lam, n_iter, n_inner, "renormalise")[0],
            "renormalising D without rescaling Z: update each atom by block coordinate descent, "
            "projected on the unit ball",
        ),
        (
            lambda: _dictionary(X, D0, lam, n_iter, n_inner, "cold start")[0],
            "warm-start ISTA from the current Z, not from 0",
        ),
    ]
    expect_close(D, ref_D, f"{text}[0] (D)", _DICT_HINT, rtol=1e-6, atol=1e-8, mistakes=mistakes)
    expect_close(Z, ref_Z, f"{text}[1] (Z)", _DICT_HINT, rtol=1e-6, atol=1e-8)
    expect_close(history, ref_history, f"{text}[2] (the history)", _DICT_HINT, rtol=1e-7)


_FORBID_DICTIONARY = Forbidden(
    "learn_dictionary",
    (
        "sklearn",
        "dlkit.factor.learn_dictionary",
        "dlkit.factor.dictionary_learning",
        "dlkit.factor.update_atoms",
    ),
    "this exercise asks you to write the alternation and the atom updates yourself "
    "(dk.factor.ista is allowed for the codes)",
)


def learn_dictionary_basic(fn):
    """Eight atoms for 60 digits, three outer steps."""
    X = _digits()[:60]
    _check_dictionary(fn, X, _dictionary_start(X, 8, 0), 0.1, 3, 10)
    _FORBID_DICTIONARY.check(fn)


def learn_dictionary_hidden(fn):
    """24 atoms for 300 digits and ten outer steps; a large lam that leaves atoms unused."""
    X = _digits()[200:500]
    _check_dictionary(fn, X, _dictionary_start(X, 24, 1), 0.15, 10, 20)
    Y = _digits()[:40]
    _check_dictionary(fn, Y, _dictionary_start(Y, 10, 2), 2.0, 3, 5)
    _FORBID_DICTIONARY.check(fn)
