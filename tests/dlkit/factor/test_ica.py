"""dlkit.factor.ica: whitening against its defining property and scikit-learn's
PCA(whiten=True) (n - 1 there, n here), FastICA against the true sources and scikit-learn's
FastICA (sources up to order and sign), the Amari index against its closed form."""

import numpy as np
import pytest
from sklearn.decomposition import PCA, FastICA

from dlkit import factor
from dlkit.testing import assert_close


def _three_sources(seed, n=2000):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20 * np.pi, n)
    S = np.column_stack(
        [np.sign(np.sin(1.3 * t)), 2 * ((0.7 * t / np.pi) % 1) - 1, rng.laplace(size=n)]
    )
    S = (S - S.mean(0)) / S.std(0)
    A = rng.standard_normal((3, 3))
    return S, A, S @ A.T + rng.normal(size=3)


def test_whitening_gives_identity_covariance_and_is_sklearns_up_to_sign_and_n():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 4)) @ rng.standard_normal((4, 4)) + 2
    Z, W = factor.whiten(X)
    n = len(X)
    assert_close(Z.T @ Z / n, np.eye(4), atol=1e-10)
    assert_close(Z, (X - X.mean(0)) @ W, atol=1e-12)
    reference = PCA(whiten=True).fit_transform(X) * np.sqrt(n / (n - 1))
    signs = np.sign(np.sum(Z * reference, axis=0))
    assert_close(Z * signs, reference, atol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_fastica_recovers_three_sources_like_sklearn(seed):
    S, A, X = _three_sources(seed)
    S_hat, W = factor.fastica(X, 3, n_iter=200, seed=seed)
    correlations, _ = factor.match_sources(S_hat, S)
    assert correlations.min() > 0.99
    assert factor.amari_index(W @ A) < 0.05
    assert_close(S_hat.T @ S_hat / len(X), np.eye(3), atol=1e-8)
    assert_close(S_hat, (X - X.mean(0)) @ W.T, atol=1e-10)
    ours = np.abs(
        np.corrcoef(
            S_hat.T,
            FastICA(3, fun="logcosh", random_state=seed, tol=1e-8, max_iter=1000)
            .fit_transform(X)
            .T,
        )[:3, 3:]
    )
    assert np.all(ours.max(axis=1) > 0.999)  # the same sources as scikit-learn's


def test_fastica_cannot_separate_gaussian_sources():
    S, A, X = factor.mixed_sources("gaussian", 4000, 60.0, seed=1)
    S_hat, _ = factor.fastica(X, 2, seed=0)
    assert factor.match_sources(S_hat, S)[0].min() < 0.99  # an arbitrary rotation


def test_fewer_components_than_features():
    S, A, X = _three_sources(5)
    S_hat, W = factor.fastica(np.column_stack([X, X @ [1.0, -1.0, 0.5]]), 3, seed=0)
    assert S_hat.shape == (2000, 3) and W.shape == (3, 4)
    assert factor.match_sources(S_hat, S)[0].min() > 0.99


def test_amari_index_closed_forms():
    assert factor.amari_index(np.array([[0.0, 2.0], [-3.0, 0.0]])) == 0.0
    assert_close(factor.amari_index(np.ones((2, 2))), 1.0)
    assert_close(factor.amari_index(np.array([[1.0, 0.5], [0.0, 1.0]])), (0.5 + 0.5) / 4)


def test_mixed_sources_mixes_along_the_columns_of_a():
    S, A, X = factor.mixed_sources("uniform", 500, 45.0, seed=0)
    assert_close(S.mean(0), [0, 0], atol=1e-12)
    assert_close(S.std(0), [1, 1])
    assert_close(A[:, 1], [np.sqrt(0.5), np.sqrt(0.5)])
    assert_close(X, S @ A.T)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: factor.whiten(np.column_stack([np.arange(5.0), 2 * np.arange(5.0)])), "singular"),
        (lambda: factor.fastica(np.ones((5, 2)) + np.eye(5, 2), 3), r"1\.\.2"),
        (lambda: factor.mixed_sources("cauchy"), "unknown kind"),
        (lambda: factor.mixed_sources(angle=180.0), "strictly between"),
        (lambda: factor.amari_index(np.ones(3)), "square"),
        (lambda: factor.match_sources(np.ones((3, 2)), np.ones((3, 3))), r"\(n, c\)"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
