"""dlkit.factor.fa against scipy.stats.multivariate_normal and scikit-learn's
FactorAnalysis (the same maximum of the likelihood; W only up to a rotation)."""

import numpy as np
import pytest
import scipy.stats
from sklearn.datasets import load_wine
from sklearn.decomposition import FactorAnalysis

from dlkit import factor
from dlkit.testing import assert_close


def _synthetic(seed=0, n=400, d=8, k=2):
    rng = np.random.default_rng(seed)
    W, psi = rng.standard_normal((d, k)), rng.uniform(0.2, 1.5, d)
    return rng.standard_normal((n, k)) @ W.T + rng.standard_normal((n, d)) * np.sqrt(psi) + 1


def _sklearn(X, k):
    return FactorAnalysis(k, tol=1e-12, max_iter=20_000, svd_method="lapack").fit(X)


def test_loglik_and_posterior_match_scipy_and_conditioning():
    rng = np.random.default_rng(1)
    X, W, psi, mu = (
        rng.normal(size=(20, 5)),
        rng.normal(size=(5, 2)),
        rng.uniform(0.5, 2, 5),
        rng.normal(size=5),
    )
    C = W @ W.T + np.diag(psi)
    assert_close(
        factor.fa_loglik(X, W, psi, mu), scipy.stats.multivariate_normal(mu, C).logpdf(X).mean()
    )
    means, G = factor.fa_posterior(X, W, psi, mu)
    gain = W.T @ np.linalg.inv(C)
    assert_close(means, (X - mu) @ gain.T, atol=1e-12)
    assert_close(G, np.eye(2) - gain @ W, atol=1e-12)
    assert_close(factor.fa_covariance(W, psi), C)


@pytest.mark.parametrize("seed", range(3))
def test_em_is_monotone_and_reaches_sklearns_maximum(seed):
    X = _synthetic(seed)
    W0, psi0 = factor.fa_init(X, 2, seed)
    W, psi, mu, history = factor.factor_analysis_em(X, W0, psi0, n_iter=300)
    assert np.all(np.diff(history) >= -1e-10 * np.abs(history[:-1]))
    reference = _sklearn(X, 2)
    assert_close(history[-1], reference.score(X), atol=1e-8)
    assert_close(history[-1], factor.fa_loglik(X, W, psi, mu))
    assert_close(W @ W.T + np.diag(psi), reference.get_covariance(), atol=2e-3)
    assert_close(psi, reference.noise_variance_, atol=2e-3)  # the likelihood is flat here


def test_wine_standardised_reaches_sklearn():
    X = load_wine().data
    X = (X - X.mean(0)) / X.std(0)
    W, psi, mu, history = factor.factor_analysis_em(X, *factor.fa_init(X, 3, 0), n_iter=500)
    assert np.all(np.diff(history) >= -1e-10 * np.abs(history[:-1]))
    assert abs(history[-1] - _sklearn(X, 3).score(X)) < 1e-3


def test_em_with_diagonal_noise_beats_ppca_on_heteroscedastic_data():
    X = _synthetic(7)
    *_, history = factor.factor_analysis_em(X, *factor.fa_init(X, 2, 0), n_iter=200)
    W, mu, sigma2 = factor.ppca_mle(X, 2)
    assert history[-1] > factor.ppca_loglik(X, W, mu, sigma2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: factor.factor_analysis_em(np.ones((4, 3)), np.ones((2, 1)), np.ones(3), 5), "W0"),
        (
            lambda: factor.factor_analysis_em(np.ones((4, 3)), np.ones((3, 1)), -np.ones(3), 5),
            "psi0",
        ),
        (lambda: factor.fa_init(np.ones((4, 3)), 4), r"1\.\.3"),
        (
            lambda: factor.fa_loglik(np.ones((2, 2)), np.ones((2, 1)), np.zeros(2), np.zeros(2)),
            "positive",
        ),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
