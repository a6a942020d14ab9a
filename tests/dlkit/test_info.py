"""dlkit.info against independent oracles (scipy.stats, scipy.special, torch, scikit-learn)."""

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.metrics import mutual_info_score

from dlkit import info
from dlkit.testing import assert_close

fast = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)


def random_simplex(rng, shape, zero_fraction=0.0):
    """Probability vectors along the last axis, with about ``zero_fraction`` exact zeros."""
    w = rng.exponential(size=shape)
    w[rng.random(shape) < zero_fraction] = 0.0
    w[..., 0] += 1e-3  # never an all-zero row
    return w / w.sum(axis=-1, keepdims=True)


@st.composite
def distributions(draw, zero_fraction=0.3):
    """A (batch, k) array of probability vectors, some with zero entries."""
    rng = np.random.default_rng(draw(seeds))
    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 8)))
    return random_simplex(rng, shape, zero_fraction)


# ---------------------------------------------------------------- surprise and entropy


def test_self_information_bits_and_nats():
    assert_close(info.self_information([1.0, 0.5, 0.25, 0.0], base=2), [0.0, 1.0, 2.0, np.inf])
    p = np.random.default_rng(0).random(20)
    assert_close(info.self_information(p), -scipy.special.xlogy(1.0, p))


@fast
@given(distributions(), st.sampled_from([2.0, np.e, 10.0]))
def test_entropy_matches_scipy(p, base):
    expected = scipy.stats.entropy(p, base=base, axis=-1)
    assert_close(info.entropy(p, base=base), expected, atol=1e-12)


def test_entropy_handles_zeros_and_bounds():
    assert info.entropy([1.0, 0.0, 0.0]) == 0.0
    assert_close(info.entropy(np.full(8, 1 / 8), base=2), 3.0)
    p = random_simplex(np.random.default_rng(1), (100, 5), zero_fraction=0.4)
    h = info.entropy(p)
    assert np.all(h >= 0) and np.all(h <= np.log(5) + 1e-12)


def test_entropy_along_another_axis():
    p = random_simplex(np.random.default_rng(2), (3, 6))
    assert_close(info.entropy(p.T, axis=0), scipy.stats.entropy(p, axis=1))


def test_bernoulli_entropy():
    p = np.linspace(0, 1, 11)
    expected = scipy.stats.entropy(np.stack([p, 1 - p]), base=2, axis=0)
    assert_close(info.bernoulli_entropy(p, base=2), expected, atol=1e-12)
    assert info.bernoulli_entropy(0.5, base=2) == 1.0


# ---------------------------------------------------------------- cross-entropy and KL


@fast
@given(seeds, st.integers(1, 8))
def test_kl_and_cross_entropy_match_scipy(seed, k):
    rng = np.random.default_rng(seed)
    p = random_simplex(rng, (3, k), zero_fraction=0.3)
    q = random_simplex(rng, (3, k))
    kl = scipy.special.rel_entr(p, q).sum(axis=-1)
    assert_close(info.kl_divergence(p, q), kl, atol=1e-12)
    assert_close(info.kl_divergence(p, q, base=2), scipy.stats.entropy(p, q, base=2, axis=-1))
    ce = -scipy.special.xlogy(p, q).sum(axis=-1)
    assert_close(info.cross_entropy(p, q), ce, atol=1e-12)
    assert_close(info.cross_entropy(p, q), info.entropy(p) + kl, atol=1e-12)
    assert np.all(info.kl_divergence(p, q) >= -1e-15)


def test_kl_is_asymmetric_and_infinite_off_support():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert_close(info.kl_divergence(p, q), np.log(2))
    assert info.kl_divergence(q, p) == np.inf
    assert info.cross_entropy(q, p) == np.inf
    assert info.kl_divergence(p, p) == 0.0


def test_kl_broadcasts_one_p_against_many_q():
    rng = np.random.default_rng(6)
    p, q = random_simplex(rng, (4,)), random_simplex(rng, (3, 2, 4))
    out = info.kl_divergence(p, q)
    assert out.shape == (3, 2)
    assert_close(out, scipy.special.rel_entr(p, q).sum(axis=-1))


def test_cross_entropy_matches_torch_soft_targets():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((5, 4))
    p = random_simplex(rng, (5, 4))
    q = scipy.special.softmax(logits, axis=1)
    expected = F.cross_entropy(torch.tensor(logits), torch.tensor(p), reduction="none")
    assert_close(info.cross_entropy(p, q), expected.numpy())


# ---------------------------------------------------------------- Gaussians


@fast
@given(
    st.floats(-3, 3),
    st.floats(0.1, 3),
    st.floats(-3, 3),
    st.floats(0.1, 3),
)
def test_kl_gaussian_matches_torch(mu1, s1, mu2, s2):
    p = torch.distributions.Normal(torch.tensor(mu1, dtype=torch.float64), s1)
    q = torch.distributions.Normal(torch.tensor(mu2, dtype=torch.float64), s2)
    expected = torch.distributions.kl_divergence(p, q).item()
    assert_close(info.kl_gaussian(mu1, s1, mu2, s2), expected, atol=1e-12)


def test_kl_gaussian_broadcasts_and_is_zero_on_equal_arguments():
    mu = np.linspace(-1, 1, 5)
    out = info.kl_gaussian(mu[:, None], 1.0, 0.0, np.array([0.5, 2.0]))
    assert out.shape == (5, 2)
    assert_close(info.kl_gaussian(mu, 0.7, mu, 0.7), np.zeros(5))


def test_gaussian_log_pdf_matches_scipy():
    x = np.linspace(-4, 4, 9)
    assert_close(info.gaussian_log_pdf(x, 0.5, 1.5), scipy.stats.norm(0.5, 1.5).logpdf(x))


def test_kl_gaussian_mc_agrees_with_closed_form():
    exact = info.kl_gaussian(0.3, 0.8, -0.5, 1.4)
    estimate, se = info.kl_gaussian_mc(0.3, 0.8, -0.5, 1.4, n=50_000, seed=7)
    assert abs(estimate - exact) < 5 * se
    assert info.kl_gaussian_mc(0.3, 0.8, -0.5, 1.4, n=1000, seed=1) == info.kl_gaussian_mc(
        0.3, 0.8, -0.5, 1.4, n=1000, seed=1
    )
    # the standard error shrinks like 1 / sqrt(n)
    _, se_small = info.kl_gaussian_mc(0.3, 0.8, -0.5, 1.4, n=500, seed=7)
    assert 5 < se_small / se < 15


@fast
@given(seeds, st.integers(1, 4))
def test_kl_mvn_matches_the_textbook_formula(seed, d):
    rng = np.random.default_rng(seed)
    mus = rng.standard_normal((2, d))
    A = rng.standard_normal((2, d, d))
    covs = A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(d)  # (2, d, d) positive definite
    inv1 = np.linalg.inv(covs[1])
    diff = mus[1] - mus[0]
    logdets = np.linalg.slogdet(covs)[1]  # (2,)
    expected = 0.5 * (np.trace(inv1 @ covs[0]) + diff @ inv1 @ diff - d + logdets[1] - logdets[0])
    assert_close(info.kl_mvn(mus[0], covs[0], mus[1], covs[1]), expected, rtol=1e-8, atol=1e-10)


def test_kl_mvn_diagonal_matches_torch_and_monte_carlo():
    rng = np.random.default_rng(8)
    mu0, mu1 = rng.standard_normal(3), rng.standard_normal(3)
    s0, s1 = rng.uniform(0.5, 2, 3), rng.uniform(0.5, 2, 3)
    kl = info.kl_mvn(mu0, np.diag(s0**2), mu1, np.diag(s1**2))
    p = torch.distributions.Normal(torch.tensor(mu0), torch.tensor(s0))
    q = torch.distributions.Normal(torch.tensor(mu1), torch.tensor(s1))
    assert_close(kl, torch.distributions.kl_divergence(p, q).sum().item())
    cov0 = np.array([[1.0, 0.6], [0.6, 2.0]])
    cov1 = np.array([[1.5, -0.3], [-0.3, 0.8]])
    x = rng.multivariate_normal([0.0, 1.0], cov0, size=200_000)  # (n, 2) samples of p
    log_ratio = scipy.stats.multivariate_normal([0.0, 1.0], cov0).logpdf(
        x
    ) - scipy.stats.multivariate_normal([0.5, -0.5], cov1).logpdf(x)
    se = log_ratio.std() / np.sqrt(len(x))
    assert abs(info.kl_mvn([0.0, 1.0], cov0, [0.5, -0.5], cov1) - log_ratio.mean()) < 5 * se


def test_kl_mvn_reduces_to_univariate():
    assert_close(
        info.kl_mvn([0.3], [[0.64]], [-0.5], [[1.96]]), info.kl_gaussian(0.3, 0.8, -0.5, 1.4)
    )


# ---------------------------------------------------------------- joint tables


@fast
@given(seeds, st.integers(1, 5), st.integers(1, 5))
def test_mutual_information_matches_sklearn(seed, nx, ny):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 6, size=(nx, ny)).astype(float)
    counts[0, 0] += 1
    joint = counts / counts.sum()
    expected = mutual_info_score(None, None, contingency=counts)  # nats
    assert_close(info.mutual_information(joint), expected, atol=1e-12)
    hx = scipy.stats.entropy(joint.sum(axis=1))
    hxy = scipy.stats.entropy(joint.ravel())
    assert_close(info.conditional_entropy(joint), hxy - hx, atol=1e-12)


def test_mutual_information_independent_and_copy():
    px, py = np.array([0.2, 0.8]), np.array([0.1, 0.3, 0.6])
    assert abs(info.mutual_information(np.outer(px, py))) < 1e-15
    copy = np.diag([0.25, 0.25, 0.5])  # Y = X: I(X; Y) = H(X)
    assert_close(info.mutual_information(copy, base=2), 1.5)
    assert info.conditional_entropy(copy) == 0.0


# ---------------------------------------------------------------- maximum entropy


def max_entropy_by_optimizer(x, mean):
    """Oracle: maximise -sum p log p subject to sum p = 1, sum p x = mean (SLSQP)."""
    k = len(x)
    result = scipy.optimize.minimize(
        lambda p: np.sum(scipy.special.xlogy(p, p)),
        np.full(k, 1 / k),
        jac=lambda p: np.log(np.maximum(p, 1e-300)) + 1,
        bounds=[(0, 1)] * k,
        constraints=[
            {"type": "eq", "fun": lambda p: p.sum() - 1},
            {"type": "eq", "fun": lambda p: p @ x - mean},
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    return result.x


@pytest.mark.parametrize(
    ("values", "mean"),
    [(np.arange(1, 7), 4.5), (np.arange(1, 7), 2.0), ([-1.0, 0.0, 2.0, 5.0], 0.3)],
)
def test_max_entropy_with_mean_matches_optimizer(values, mean):
    x = np.asarray(values, dtype=float)
    p = info.max_entropy_with_mean(x, mean)
    assert_close(p.sum(), 1.0)
    assert_close(p @ x, mean, atol=1e-10)
    assert_close(p, max_entropy_by_optimizer(x, mean), atol=1e-5)
    assert info.entropy(p) >= info.entropy(max_entropy_by_optimizer(x, mean)) - 1e-12


def test_max_entropy_without_constraint_is_uniform_and_handles_extremes():
    assert_close(info.max_entropy_with_mean(np.arange(1, 7), 3.5), np.full(6, 1 / 6))
    x = np.array([0.0, 1.0, 100.0])
    p = info.max_entropy_with_mean(x, 99.99)
    assert_close(p @ x, 99.99, rtol=1e-10)
    assert np.all(p > 0)
    log_p = np.log(info.max_entropy_with_mean(x, 20.0))
    slopes = np.diff(log_p) / np.diff(x)  # Gibbs form: log p is linear in x
    assert_close(slopes[0], slopes[1], rtol=1e-8)


# ---------------------------------------------------------------- losses on logits


def test_binary_cross_entropy_with_logits_matches_torch():
    rng = np.random.default_rng(4)
    z = np.concatenate([rng.standard_normal(20) * 5, [800.0, -800.0, 0.0]])
    y = np.concatenate([rng.random(20), [0.0, 1.0, 0.5]])
    t = F.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y), reduction="none")
    assert_close(info.binary_cross_entropy_with_logits(z, y, reduction="none"), t.numpy())
    assert_close(info.binary_cross_entropy_with_logits(z, y), t.mean().item())
    assert_close(info.binary_cross_entropy_with_logits(z, y, reduction="sum"), t.sum().item())


def test_cross_entropy_with_logits_matches_torch_and_is_stable():
    rng = np.random.default_rng(5)
    z = rng.standard_normal((10, 4)) * 3
    z[0] = [1000.0, -1000.0, 0.0, 999.0]
    y = rng.integers(0, 4, 10)
    t = F.cross_entropy(torch.tensor(z), torch.tensor(y), reduction="none")
    assert_close(info.cross_entropy_with_logits(z, y, reduction="none"), t.numpy())
    assert_close(info.cross_entropy_with_logits(z, y), t.mean().item())
    expected = -np.log(scipy.special.softmax(z[1:], axis=1)[np.arange(9), y[1:]])
    assert_close(info.cross_entropy_with_logits(z[1:], y[1:], reduction="none"), expected)


@fast
@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-50, 50)))
def test_binary_loss_equals_two_class_softmax_loss(z):
    y = (z > 0).astype(int)  # labels 0/1
    two_class = np.stack([np.zeros_like(z), z], axis=1)  # sigma(z) = softmax([0, z])[1]
    assert_close(
        info.binary_cross_entropy_with_logits(z, y.astype(float), reduction="none"),
        info.cross_entropy_with_logits(two_class, y, reduction="none"),
        atol=1e-12,
    )


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: info.entropy([0.5, 0.6]), "must sum to 1"),
        (lambda: info.entropy([1.2, -0.2]), "negative"),
        (lambda: info.entropy([]), "at least one entry"),
        (lambda: info.entropy([0.5, 0.5], base=1), "base must be a positive number"),
        (lambda: info.self_information(1.5), r"lie in \[0, 1\]"),
        (lambda: info.bernoulli_entropy(-0.1), r"lie in \[0, 1\]"),
        (lambda: info.kl_divergence([0.5, 0.5], [1.0, 0.0, 0.0]), "same number of outcomes"),
        (lambda: info.cross_entropy([0.5, 0.5], [0.5, 0.6]), "q must sum to 1"),
        (lambda: info.kl_gaussian(0, -1, 0, 1), "standard deviation"),
        (lambda: info.kl_gaussian_mc(0, 1, 0, 1, n=1), "n must be an integer"),
        (lambda: info.kl_mvn([0, 0], np.eye(2), [0], np.eye(1)), "expected means"),
        (lambda: info.kl_mvn([0, 0], -np.eye(2), [0, 0], np.eye(2)), "positive definite"),
        (lambda: info.mutual_information([0.5, 0.5]), "2-D table"),
        (lambda: info.conditional_entropy([[0.5, 0.6]]), "must sum to 1"),
        (lambda: info.max_entropy_with_mean([1, 2, 3], 3.0), "strictly between"),
        (lambda: info.max_entropy_with_mean([1, 1, 3], 2.0), "distinct"),
        (lambda: info.binary_cross_entropy_with_logits([0.0], [0.0, 1.0]), "same shape"),
        (lambda: info.binary_cross_entropy_with_logits([0.0], [2.0]), r"in \[0, 1\]"),
        (lambda: info.binary_cross_entropy_with_logits([0.0], [1.0], "avg"), "reduction"),
        (lambda: info.cross_entropy_with_logits(np.zeros((2, 3)), [0, 3]), r"0\.\.2"),
        (lambda: info.cross_entropy_with_logits(np.zeros((2, 3)), [0.0, 1.0]), "integers"),
        (lambda: info.cross_entropy_with_logits(np.zeros(3), [0]), r"logits \(n, k\)"),
    ],
)
def test_errors_say_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
