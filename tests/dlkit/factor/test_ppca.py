"""dlkit.factor.ppca against scipy.stats.multivariate_normal, scikit-learn's PCA (its
noise_variance_ uses n - 1, the maximum likelihood n; its score is the PPCA log-likelihood),
Gaussian conditioning of the joint of (z, x), and EM against the closed form."""

import numpy as np
import pytest
import scipy.stats
from sklearn.decomposition import PCA

from dlkit import factor
from dlkit.testing import assert_close


def _data(n=300, d=7, k=2, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((d, k)) * 2
    return factor.ppca_sample(W, rng.normal(size=d), 0.3, n, seed)


def test_mle_is_sklearns_model_with_n_instead_of_n_minus_1():
    X = _data()
    n = len(X)
    W, mu, sigma2 = factor.ppca_mle(X, 2)
    pca = PCA(2).fit(X)
    assert_close(mu, pca.mean_)
    assert_close(sigma2, pca.noise_variance_ * (n - 1) / n, rtol=1e-10)
    signal = pca.components_.T * (pca.explained_variance_ - pca.noise_variance_)
    assert_close(W @ W.T, signal @ pca.components_ * (n - 1) / n, atol=1e-9)


def test_mle_maximises_the_likelihood_and_is_rotation_invariant():
    X = _data(seed=4)
    W, mu, sigma2 = factor.ppca_mle(X, 2)
    best = scipy.stats.multivariate_normal(mu, W @ W.T + sigma2 * np.eye(7)).logpdf(X).mean()
    assert_close(factor.ppca_loglik(X, W, mu, sigma2), best, rtol=1e-12)
    rotation = np.linalg.qr(np.random.default_rng(1).normal(size=(2, 2)))[0]
    assert_close(factor.ppca_loglik(X, W @ rotation, mu, sigma2), best, rtol=1e-12)
    for scale in (0.98, 1.02):
        assert factor.ppca_loglik(X, W * scale, mu, sigma2) < best
        assert factor.ppca_loglik(X, W, mu, sigma2 * scale) < best


@pytest.mark.parametrize("seed", range(3))
def test_loglik_matches_scipy_and_sklearns_score(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 6)) * 3
    W, mu, sigma2 = rng.standard_normal((6, 3)), rng.normal(size=6), rng.uniform(0.1, 2)
    C = W @ W.T + sigma2 * np.eye(6)
    expected = scipy.stats.multivariate_normal(mu, C).logpdf(X).mean()
    assert_close(factor.ppca_loglik(X, W, mu, sigma2), expected, rtol=1e-12)
    pca = PCA(3).fit(X)
    W_sk = pca.components_.T * np.sqrt(pca.explained_variance_ - pca.noise_variance_)
    assert_close(factor.ppca_loglik(X, W_sk, pca.mean_, pca.noise_variance_), pca.score(X))


def test_posterior_is_gaussian_conditioning_of_the_joint():
    rng = np.random.default_rng(2)
    W, mu, sigma2 = rng.standard_normal((5, 2)), rng.normal(size=5), 0.7
    X = rng.standard_normal((4, 5))
    C = W @ W.T + sigma2 * np.eye(5)  # joint of (z, x): [[I, W^T], [W, C]]
    gain = W.T @ np.linalg.inv(C)  # (2, 5)
    means, cov = factor.ppca_posterior(X, W, mu, sigma2)
    assert_close(means, (X - mu) @ gain.T, atol=1e-12)
    assert_close(cov, np.eye(2) - gain @ W, atol=1e-12)


def test_posterior_mean_tends_to_the_projection_as_the_noise_vanishes():
    rng = np.random.default_rng(3)
    W, X = rng.standard_normal((5, 2)), rng.standard_normal((3, 5))
    means, cov = factor.ppca_posterior(X, W, np.zeros(5), 1e-10)
    assert_close(means, X @ W @ np.linalg.inv(W.T @ W), atol=1e-8)
    assert np.abs(cov).max() < 1e-9


def test_em_climbs_to_the_closed_form():
    X = _data(n=200, seed=5)
    W, mu, sigma2, history = factor.ppca_em(X, 2, n_iter=1000, seed=0)
    W_ml, _, sigma2_ml = factor.ppca_mle(X, 2)
    assert np.all(np.diff(history) >= -1e-10 * np.abs(history[:-1]))
    assert_close(sigma2, sigma2_ml, rtol=1e-8)
    assert_close(W @ W.T, W_ml @ W_ml.T, atol=1e-5)
    assert_close(history[-1], factor.ppca_loglik(X, W, mu, sigma2))


def test_sampling_has_the_model_covariance():
    W, mu = np.array([[2.0], [1.0]]), np.array([1.0, -1.0])
    X = factor.ppca_sample(W, mu, 0.5, 200_000, seed=0)
    assert_close(np.cov(X.T), W @ W.T + 0.5 * np.eye(2), atol=0.05)  # ~8 standard errors
    assert_close(factor.ppca_covariance(W, 0.5), W @ W.T + 0.5 * np.eye(2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: factor.ppca_mle(np.ones((5, 3)), 3), r"1\.\.2"),
        (lambda: factor.ppca_mle(np.outer(np.arange(5.0), [1.0, 2.0, 3.0]), 1), "unbounded"),
        (
            lambda: factor.ppca_loglik(np.ones((2, 3)), np.ones((2, 1)), np.ones(3), 1.0),
            r"\(3, k\)",
        ),
        (lambda: factor.ppca_loglik(np.ones((2, 3)), np.ones((3, 1)), np.ones(2), 1.0), "mu"),
        (lambda: factor.ppca_posterior(np.ones((2, 3)), np.ones((3, 1)), np.ones(3), 0.0), "> 0"),
        (lambda: factor.ppca_em(np.ones((4, 3)), 1, n_iter=0), "n_iter"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
