"""dlkit.nn.representation against torch, scikit-learn and closed forms: the VAE's KL,
reparameterisation, ELBO and IWAE bound, active units, the contractive penalty,
corruption, NT-Xent and prototypes."""

import numpy as np
import pytest
import scipy.stats
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestCentroid

from dlkit import nn
from dlkit.testing import assert_close
from tests.oracles import gradients, loss_and_gradients, tensor

F = torch.nn.functional
D = torch.distributions


def _posterior(seed, n, k):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k)), rng.normal(-1, 1.5, (n, k))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), k=st.integers(1, 5))
def test_kl_to_standard_normal_is_torchs_kl_divergence(seed, n, k):
    mu, logvar = _posterior(seed, n, k)
    expected = D.kl_divergence(
        D.Normal(tensor(mu), torch.exp(0.5 * tensor(logvar))), D.Normal(0.0, 1.0)
    ).sum(-1)
    assert_close(nn.kl_to_standard_normal(mu, logvar), expected.numpy(), atol=1e-12)
    assert nn.kl_to_standard_normal(mu[0], logvar[0]) == pytest.approx(float(expected[0]))


def test_kl_is_zero_at_the_prior_and_rejects_mismatched_shapes():
    assert_close(nn.kl_to_standard_normal(np.zeros((3, 2)), np.zeros((3, 2))), np.zeros(3))
    with pytest.raises(ValueError, match="same shape"):
        nn.kl_to_standard_normal(np.zeros((3, 2)), np.zeros((3, 3)))


def test_reparameterize_and_its_derivatives_are_autograds():
    mu, logvar = _posterior(1, 4, 3)
    eps = np.random.default_rng(2).standard_normal((4, 3))
    z, dmu, dlogvar = nn.reparameterize(mu, logvar, eps)
    assert_close(z, mu + np.sqrt(np.exp(logvar)) * eps)
    grads = gradients(lambda m, lv: (m + torch.exp(0.5 * lv) * tensor(eps)).sum(), mu, logvar)
    assert_close(dmu, grads[0])
    assert_close(dlogvar, grads[1])
    with pytest.raises(ValueError, match="mu and eps"):
        nn.reparameterize(mu, logvar, eps[:2])


def test_reparameterised_samples_have_the_posteriors_moments():
    mu, logvar = np.array([[1.5, -2.0]]), np.array([[0.5, -1.0]])
    eps = np.random.default_rng(3).standard_normal((20_000, 2))
    z, _, _ = nn.reparameterize(np.repeat(mu, 20_000, 0), np.repeat(logvar, 20_000, 0), eps)
    assert_close(z.mean(0), mu[0], atol=0.03)
    assert_close(z.var(0), np.exp(logvar[0]), rtol=0.05)


def test_bernoulli_log_likelihood_is_torchs_and_stable():
    rng = np.random.default_rng(4)
    x, logits = (rng.random((5, 7)) < 0.5).astype(float), rng.normal(0, 3, (5, 7))
    expected = D.Bernoulli(logits=tensor(logits)).log_prob(tensor(x)).sum(-1)
    assert_close(nn.bernoulli_log_likelihood(x, logits), expected.numpy(), atol=1e-12)
    huge = nn.bernoulli_log_likelihood(np.array([[1.0, 0.0]]), np.array([[-800.0, 800.0]]))
    assert_close(huge, [-1600.0])


@pytest.mark.parametrize("beta", [1.0, 0.25, 4.0])
def test_negative_elbo_is_the_summed_cross_entropy_plus_beta_kl(beta):
    rng = np.random.default_rng(5)
    x, logits = (rng.random((6, 10)) < 0.3).astype(float), rng.normal(0, 2, (6, 10))
    mu, logvar = _posterior(6, 6, 3)
    rec = F.binary_cross_entropy_with_logits(tensor(logits), tensor(x), reduction="sum")
    kl = D.kl_divergence(D.Normal(tensor(mu), torch.exp(0.5 * tensor(logvar))), D.Normal(0, 1))
    expected = float(rec + beta * kl.sum()) / 6
    assert nn.negative_elbo(x, logits, mu, logvar, beta) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="beta must be"):
        nn.negative_elbo(x, logits, mu, logvar, -1.0)
    with pytest.raises(ValueError, match="rows of x"):
        nn.negative_elbo(x, logits, mu[:2], logvar[:2])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), K=st.integers(1, 30), n=st.integers(1, 4))
def test_iwae_bound_is_log_mean_exp_of_the_weights(seed, K, n):
    log_w = np.random.default_rng(seed).normal(-500, 30, (K, n))  # exp underflows to 0
    expected = torch.logsumexp(tensor(log_w), dim=0) - np.log(K)
    assert_close(nn.iwae_bound(log_w), expected.numpy(), rtol=1e-12)
    assert np.all(nn.iwae_bound(log_w) >= log_w.mean(axis=0) - 1e-9)  # Jensen: L_K >= L_1
    assert_close(nn.log_mean_exp(log_w.T, axis=1), expected.numpy(), rtol=1e-12)


def test_iwae_tightens_towards_the_exact_evidence_of_a_linear_gaussian_model():
    """z ~ N(0, 1), x | z ~ N(z, 1): p(x) = N(0, 2), p(z | x) = N(x/2, 1/2). With a
    deliberately wrong q = N(x/2 + 0.5, 1) the bounds rise with K towards log p(x)."""
    x, rng = 1.3, np.random.default_rng(7)
    log_px = scipy.stats.norm(0, np.sqrt(2)).logpdf(x)
    bounds = []
    for K in (1, 5, 50, 500):
        z = x / 2 + 0.5 + rng.standard_normal((K, 2000))
        log_w = (
            scipy.stats.norm.logpdf(z)
            + scipy.stats.norm(z, 1).logpdf(x)
            - scipy.stats.norm(x / 2 + 0.5, 1).logpdf(z)
        )
        bounds.append(nn.iwae_bound(log_w).mean())
    assert bounds == sorted(bounds) and bounds[-1] <= log_px + 1e-3
    assert log_px - bounds[-1] < 0.01 < log_px - bounds[0]
    with pytest.raises(ValueError, match=r"\(K, n\)"):
        nn.iwae_bound(np.zeros(5))


def test_active_units_counts_columns_whose_mean_varies():
    rng = np.random.default_rng(8)
    mu = rng.normal(size=(500, 4)) * np.array([1.0, 0.01, 0.3, 0.05]) + np.array([0, 5, 0, 0])
    assert nn.active_units(mu) == 2  # variances 1, 1e-4, 0.09, 0.0025
    assert nn.active_units(mu, threshold=0.001) == 3
    assert isinstance(nn.active_units(mu), int)
    with pytest.raises(ValueError, match="2-D"):
        nn.active_units(np.zeros(3))


def _jacobian_penalty(X, W, b):
    def penalty(W_t, b_t):
        jacobians = torch.func.vmap(torch.func.jacrev(lambda x: torch.sigmoid(x @ W_t + b_t)))(
            tensor(X)
        )
        return (jacobians**2).sum(dim=(1, 2)).mean()

    return loss_and_gradients(penalty, W, b)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), d=st.integers(1, 5), m=st.integers(1, 4))
def test_contractive_penalty_and_gradient_match_jacobians_by_autograd(seed, n, d, m):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
    penalty, dW, db = nn.contractive_penalty(X, W, b)
    value, (dW_expected, db_expected) = _jacobian_penalty(X, W, b)
    assert penalty == pytest.approx(value, rel=1e-10)
    assert_close(dW, dW_expected, atol=1e-12)
    assert_close(db, db_expected, atol=1e-12)


def test_contractive_penalty_rejects_mismatched_weights():
    with pytest.raises(ValueError, match="expected W"):
        nn.contractive_penalty(np.zeros((3, 4)), np.zeros((3, 2)), np.zeros(2))


@pytest.mark.parametrize("level", [0.1, 0.5])
def test_corruptions_have_their_distributions_and_leave_the_input(level):
    X = np.random.default_rng(9).uniform(0.05, 1.0, (300, 64))
    before = X.copy()
    masked = nn.corrupt(X, "mask", level, seed=1)
    changed = masked != X
    assert np.all(masked[changed] == 0) and abs(changed.mean() - level) < 0.02
    noisy = nn.corrupt(X, "gaussian", level, seed=1)
    assert abs((noisy - X).std() - level) < 0.01 * level + 0.005
    assert abs(scipy.stats.kurtosis((noisy - X).ravel())) < 0.1  # Gaussian noise
    salted = nn.corrupt(X, "salt_pepper", level, seed=1)
    hit = salted != X
    assert set(np.unique(salted[hit])) <= {0.0, 1.0} and abs(hit.mean() - level) < 0.02
    assert abs((salted[hit] == 1).mean() - 0.5) < 0.05
    assert np.array_equal(X, before)
    assert np.array_equal(nn.corrupt(X, "mask", level, 3), nn.corrupt(X, "mask", level, 3))
    assert not np.array_equal(nn.corrupt(X, "mask", level, 3), nn.corrupt(X, "mask", level, 4))


@pytest.mark.parametrize(
    ("kind", "level", "message"),
    [("blur", 0.1, "unknown kind"), ("mask", 1.5, r"in \[0, 1\]"), ("gaussian", -1, ">= 0")],
)
def test_corrupt_rejects_bad_arguments(kind, level, message):
    with pytest.raises(ValueError, match=message):
        nn.corrupt(np.zeros((2, 2)), kind, level)


def _torch_nt_xent(z1, z2, tau):
    u = F.normalize(torch.cat([tensor(z1), tensor(z2)]), dim=1)
    n2 = len(u)
    scores = (u @ u.T / tau).masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    return float(F.cross_entropy(scores, (torch.arange(n2) + n2 // 2) % n2))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 8),
    d=st.integers(2, 6),
    tau=st.sampled_from([0.001, 0.1, 0.5, 2.0]),
)
def test_nt_xent_is_the_cross_entropy_over_the_other_views(seed, n, d, tau):
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    assert nn.nt_xent(z1, z2, tau) == pytest.approx(_torch_nt_xent(z1, z2, tau), rel=1e-9)


def test_nt_xent_is_low_for_aligned_views_and_scale_free():
    rng = np.random.default_rng(10)
    z = rng.normal(size=(16, 8))
    aligned, unrelated = nn.nt_xent(z, 3 * z, 0.1), nn.nt_xent(z, rng.normal(size=(16, 8)), 0.1)
    assert aligned < 0.5 < np.log(2 * 16 - 1) - 0.5 < unrelated
    assert nn.nt_xent(2 * z, z) == pytest.approx(nn.nt_xent(z, z))
    with pytest.raises(ValueError, match="tau must be > 0"):
        nn.nt_xent(z, z, 0.0)


def test_prototype_predict_is_nearest_centroid_with_any_labels():
    rng = np.random.default_rng(11)
    support = rng.normal(size=(15, 4)) + np.repeat(rng.normal(0, 3, (3, 4)), 5, axis=0)
    labels = np.repeat([9, 3, 7], 5)
    queries = rng.normal(0, 3, (40, 4))
    expected = NearestCentroid().fit(support, labels).predict(queries)
    got = nn.prototype_predict(support, labels, queries)
    assert got.dtype == np.int64 and np.array_equal(got, expected)
    with pytest.raises(ValueError, match="one label per row"):
        nn.prototype_predict(support, labels[:3], queries)
    with pytest.raises(ValueError, match=r"query_z must be \(q, 4\)"):
        nn.prototype_predict(support, labels, queries[:, :2])
