"""dlkit.prob against scipy.stats, numpy and closed forms.

Sampler tests are statistical. Each compares a sample mean with the true mean using
a tolerance of 6 standard errors (a correct sampler fails with probability about
2e-9 per comparison), or a Kolmogorov-Smirnov test at level 1e-7 (under the null
hypothesis the p-value is uniform, so a correct sampler fails with probability 1e-7).
"""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit import prob
from dlkit.testing import assert_close

fast = settings(max_examples=25, deadline=None)
N = 40_000  # draws per sampler test
Z = 6.0  # standard errors allowed in a mean comparison
KS_LEVEL = 1e-7

X_GRID = np.linspace(-6.0, 9.0, 61)
K_GRID = np.arange(-2, 15)


def assert_mean_close(samples, mean, var, n=N):
    """Sample mean within Z standard errors sqrt(var / n) of the true mean."""
    assert abs(np.mean(samples) - mean) <= Z * np.sqrt(var / n), (np.mean(samples), mean)


# ---------------------------------------------------------------- discrete distributions


@fast
@given(hst.floats(0.0, 1.0))
def test_bernoulli_matches_scipy(p):
    d, ref = prob.Bernoulli(p), st.bernoulli(p)
    assert_close(d.pmf(K_GRID), ref.pmf(K_GRID))
    assert_close(d.cdf(X_GRID), ref.cdf(X_GRID))
    with np.errstate(divide="ignore"):
        assert_close(d.log_prob(K_GRID), ref.logpmf(K_GRID))
    assert_close(d.mean(), ref.mean())
    assert_close(d.var(), ref.var())


def test_bernoulli_sample():
    x = prob.Bernoulli(0.3).sample(np.random.default_rng(0), N)
    assert x.shape == (N,) and set(np.unique(x)) <= {0, 1}
    assert_mean_close(x, 0.3, 0.3 * 0.7)


@fast
@given(hst.lists(hst.floats(0.0, 1.0), min_size=1, max_size=8).filter(lambda w: sum(w) > 0.1))
def test_categorical_matches_scipy(weights):
    probs = np.asarray(weights) / np.sum(weights)
    k = np.arange(probs.size)
    d, ref = prob.Categorical(probs), st.rv_discrete(values=(k, probs))
    assert_close(d.pmf(K_GRID), ref.pmf(K_GRID))
    assert_close(d.cdf(X_GRID), np.minimum(ref.cdf(X_GRID), 1.0), atol=1e-12)
    assert_close(d.mean(), ref.mean())
    assert_close(d.var(), ref.var(), atol=1e-12)


def test_categorical_pmf_is_zero_off_the_integers():
    assert_close(prob.Categorical([0.5, 0.5]).pmf([0.5, 1.0, 2.0]), [0.0, 0.5, 0.0])


def test_categorical_sample_frequencies():
    probs = np.array([0.1, 0.0, 0.6, 0.3])
    x = prob.Categorical(probs).sample(1, N)
    assert x.shape == (N,) and np.all(x != 1)
    for k, p in enumerate(probs):
        assert_mean_close(x == k, p, p * (1 - p))


def test_inverse_cdf_categorical_boundaries():
    """Category k holds [F_{k-1}, F_k): boundaries go up, empty categories are never hit."""
    probs = [0.25, 0.5, 0.0, 0.25]
    u = np.array([0.0, 0.2499, 0.25, 0.7499, 0.75, 0.999])
    assert_close(prob.inverse_cdf_categorical(probs, u), [0, 0, 1, 1, 3, 3])
    ten = np.full(10, 0.1)  # its cumulative sum ends at 1 - 2**-53, not 1
    assert prob.inverse_cdf_categorical(ten, np.array([1 - 2**-53]))[0] == 9


def test_inverse_cdf_matches_numpy_choice_law():
    probs = np.array([0.2, 0.5, 0.3])
    u = np.random.default_rng(2).random(N)
    k = prob.inverse_cdf_categorical(probs, u)
    expected = np.digitize(u, np.cumsum(probs))  # an independent oracle: bins [F_{k-1}, F_k)
    assert np.array_equal(k, expected)


# p = 0 and 1 exactly, and values between that scipy's oracle can take (its cdf overflows
# in boost's ibeta_derivative at p near the smallest normal float, 2.2e-308).
BINOMIAL_P = hst.sampled_from([0.0, 1.0]) | hst.floats(1e-100, 1.0)


@fast
@given(hst.integers(0, 30), BINOMIAL_P)
def test_binomial_matches_scipy(n, p):
    d, ref = prob.Binomial(n, p), st.binom(n, p)
    assert_close(d.pmf(K_GRID), ref.pmf(K_GRID), atol=1e-12)
    assert_close(d.cdf(X_GRID), ref.cdf(X_GRID), atol=1e-12)
    assert_close(d.mean(), ref.mean())
    assert_close(d.var(), ref.var(), atol=1e-12)


def test_binomial_log_prob_and_sample():
    d = prob.Binomial(12, 0.35)
    k = np.arange(13)
    assert_close(d.log_prob(k), st.binom(12, 0.35).logpmf(k))
    assert d.log_prob(13.0) == -np.inf and d.log_prob(2.5) == -np.inf
    x = d.sample(np.random.default_rng(3), N)
    assert x.shape == (N,) and x.min() >= 0 and x.max() <= 12
    assert_mean_close(x, d.mean(), d.var())
    assert st.chisquare(np.bincount(x, minlength=13), N * d.pmf(k)).pvalue > KS_LEVEL


# ---------------------------------------------------------------- continuous distributions

CONTINUOUS = [
    (prob.Gaussian(1.5, 2.0), st.norm(1.5, 2.0)),
    (prob.Gaussian(-3.0, 0.5), st.norm(-3.0, 0.5)),
    (prob.Exponential(0.7), st.expon(scale=1 / 0.7)),
    (prob.Exponential(3.0), st.expon(scale=1 / 3.0)),
    (prob.Laplace(0.5, 1.5), st.laplace(0.5, 1.5)),
    (prob.Laplace(-2.0, 0.3), st.laplace(-2.0, 0.3)),
]
IDS = [f"{type(d).__name__}-{i}" for i, (d, _) in enumerate(CONTINUOUS)]


@pytest.mark.parametrize(("d", "ref"), CONTINUOUS, ids=IDS)
def test_continuous_matches_scipy(d, ref):
    assert_close(d.pdf(X_GRID), ref.pdf(X_GRID), atol=1e-15)
    with np.errstate(divide="ignore"):
        assert_close(d.log_prob(X_GRID), ref.logpdf(X_GRID))
    assert_close(d.cdf(X_GRID), ref.cdf(X_GRID), atol=1e-15)
    assert_close(d.mean(), ref.mean())
    assert_close(d.var(), ref.var())


@pytest.mark.parametrize(("d", "ref"), CONTINUOUS, ids=IDS)
def test_continuous_sampler_passes_ks(d, ref):
    x = d.sample(np.random.default_rng(4), N)
    assert x.shape == (N,)
    assert st.kstest(x, ref.cdf).pvalue > KS_LEVEL
    assert_mean_close(x, d.mean(), d.var())


def test_samplers_are_reproducible_from_a_seed():
    d = prob.Laplace(0.0, 1.0)
    assert np.array_equal(d.sample(7, 5), d.sample(np.random.default_rng(7), 5))


def test_multivariate_gaussian_matches_scipy():
    mean = np.array([1.0, -2.0, 0.5])
    A = np.random.default_rng(5).standard_normal((3, 3))
    cov = A @ A.T + 0.5 * np.eye(3)
    d, ref = prob.MultivariateGaussian(mean, cov), st.multivariate_normal(mean, cov)
    x = np.random.default_rng(6).standard_normal((4, 5, 3))
    assert_close(d.log_prob(x), ref.logpdf(x))
    assert_close(d.pdf(x[0, 0]), ref.pdf(x[0, 0]))
    assert_close(d.mean(), mean)
    assert_close(d.var(), cov)
    samples = d.sample(np.random.default_rng(8), N)
    assert samples.shape == (N, 3)
    # each coordinate's mean within Z standard errors; the covariance within 5 %
    assert np.all(np.abs(samples.mean(axis=0) - mean) <= Z * np.sqrt(np.diag(cov) / N))
    assert_close(np.cov(samples.T), cov, rtol=0.05, atol=0.05 * np.diag(cov).max())


def test_gaussian_mixture_matches_closed_forms():
    w, mu, sd = np.array([0.2, 0.5, 0.3]), np.array([-4.0, 0.0, 5.0]), np.array([0.5, 1.0, 2.0])
    d = prob.GaussianMixture(w, mu, sd)
    pdf = sum(wj * st.norm(m, s).pdf(X_GRID) for wj, m, s in zip(w, mu, sd))
    cdf = sum(wj * st.norm(m, s).cdf(X_GRID) for wj, m, s in zip(w, mu, sd))
    assert_close(d.pdf(X_GRID), pdf)
    assert_close(d.cdf(X_GRID), cdf)
    assert_close(d.log_prob(np.array([200.0])), [np.log(0.3) + st.norm(5, 2).logpdf(200.0)])
    # mean and variance against a fine numerical integral of the density
    grid = np.linspace(-20, 30, 200_001)
    mean = np.trapezoid(grid * d.pdf(grid), grid)
    assert_close(d.mean(), mean, rtol=1e-8)
    assert_close(d.var(), np.trapezoid((grid - mean) ** 2 * d.pdf(grid), grid), rtol=1e-8)


def test_gaussian_mixture_sample():
    d = prob.GaussianMixture([0.2, 0.5, 0.3], [-4.0, 0.0, 5.0], [0.5, 1.0, 2.0])
    x, comp = d.sample(np.random.default_rng(9), N, return_components=True)
    assert x.shape == comp.shape == (N,)
    for j, wj in enumerate(d.weights):
        assert_mean_close(comp == j, wj, wj * (1 - wj))
    assert st.kstest(x, d.cdf).pvalue > KS_LEVEL


# ---------------------------------------------------------------- moments


def test_discrete_expectation_and_variance():
    values, probs = np.array([-1.0, 2.0, 5.0]), np.array([0.5, 0.3, 0.2])
    ref = st.rv_discrete(values=(values, probs))
    assert_close(prob.expectation(values, probs), ref.mean())
    assert_close(prob.variance(values, probs), ref.var())


@fast
@given(hst.integers(2, 50), hst.integers(0, 2**32 - 1), hst.sampled_from([0, 1]))
def test_sample_variance_matches_numpy(n, seed, ddof):
    x = np.random.default_rng(seed).standard_normal(n) * 3 + 1e8
    assert_close(prob.sample_variance(x, ddof), np.var(x, ddof=ddof), rtol=1e-6)


@fast
@given(hst.integers(2, 30), hst.integers(1, 5), hst.integers(0, 2**32 - 1))
def test_covariance_and_correlation_match_numpy(n, d, seed):
    X = np.random.default_rng(seed).standard_normal((n, d)) @ np.triu(np.ones((d, d)))
    assert_close(prob.covariance_matrix(X), np.cov(X, rowvar=False).reshape(d, d))
    assert_close(prob.covariance_matrix(X, ddof=0), np.cov(X, rowvar=False, ddof=0).reshape(d, d))
    assert_close(prob.correlation_matrix(X), np.corrcoef(X, rowvar=False).reshape(d, d))


# ---------------------------------------------------------------- joint tables and Bayes


def test_marginals_conditional_and_independence():
    joint = np.array([[0.1, 0.2, 0.1], [0.3, 0.05, 0.25]])
    p_x, p_y = prob.marginals(joint)
    assert_close(p_x, [0.4, 0.6])
    assert_close(p_y, [0.4, 0.25, 0.35])
    cond = prob.conditional(joint)
    assert_close(cond, [[0.25, 0.5, 0.25], [0.5, 1 / 12, 5 / 12]])
    assert not prob.is_independent(joint)
    assert prob.is_independent(np.outer([0.3, 0.7], [0.2, 0.5, 0.3]))
    with_empty_row = prob.conditional(np.array([[0.5, 0.5], [0.0, 0.0]]))
    assert np.all(np.isnan(with_empty_row[1])) and np.allclose(with_empty_row[0], 0.5)


def test_diagnostic_posterior_closed_form():
    # 1 % prevalence, 99 % sensitivity, 95 % specificity: 0.0099 / (0.0099 + 0.0495) = 1/6
    assert_close(prob.diagnostic_posterior(0.01, 0.99, 0.95), 1 / 6)
    assert prob.diagnostic_posterior(0.0, 0.9, 0.9) == 0.0


def test_bayes_posterior_matches_beta_conjugacy():
    theta = np.linspace(0.0005, 0.9995, 1000)  # grid of coin biases
    prior = st.beta(2, 3).pdf(theta)
    prior /= prior.sum()
    post = prob.bayes_posterior(prior, st.binom(10, theta).pmf(7))
    exact = st.beta(2 + 7, 3 + 3).pdf(theta)
    assert_close(post, exact / exact.sum(), atol=1e-10)


# ---------------------------------------------------------------- estimation and limits


def test_gaussian_mle_maximises_the_log_likelihood():
    x = np.random.default_rng(10).normal(2.0, 3.0, 500)
    mu, var = prob.gaussian_mle(x)
    loc, scale = st.norm.fit(x)  # scipy's maximum-likelihood fit
    assert_close([mu, var], [loc, scale**2])
    best = prob.gaussian_log_likelihood(x, mu, var)
    assert_close(best, np.sum(st.norm(mu, np.sqrt(var)).logpdf(x)))
    for dmu, dvar in [(0.01, 0), (-0.01, 0), (0, 0.05), (0, -0.05)]:
        assert prob.gaussian_log_likelihood(x, mu + dmu, var + dvar) < best


def test_running_mean_and_standardized_means():
    x = np.array([1.0, 3.0, 2.0, 6.0])
    assert_close(prob.running_mean(x), [1.0, 2.0, 2.0, 3.0])
    draws = np.random.default_rng(11).exponential(1.0, (N, 8))
    z = prob.standardized_means(draws, 1.0, 1.0)
    assert z.shape == (N,)
    assert_mean_close(z, 0.0, 1.0)
    # skewness of a mean of 8 exponentials is 2/sqrt(8); its standard error is below 0.05
    assert abs(prob.skewness(z) - 2 / np.sqrt(8)) < 0.05 * Z
    assert_close(prob.skewness(draws[:, 0]), st.skew(draws[:, 0]))


def test_jensen_gap_signs_and_variance():
    values, probs = np.array([0.5, 1.0, 4.0]), np.array([0.2, 0.5, 0.3])
    assert prob.jensen_gap(np.exp, values, probs) > 0
    assert prob.jensen_gap(np.log, values, probs) < 0
    assert_close(prob.jensen_gap(np.square, values, probs), prob.variance(values, probs))


def test_concentration_bounds_hold_and_match_formulas():
    assert prob.markov_bound(2.0, 8.0) == 0.25 and prob.markov_bound(2.0, 1.0) == 1.0
    assert prob.chebyshev_bound(4.0, 4.0) == 0.25
    assert_close(prob.hoeffding_bound(100, 0.1), 2 * np.exp(-2.0))
    # the bounds are above the exact tail probabilities of an Exponential(1)
    assert st.expon.sf(3.0) <= prob.markov_bound(1.0, 3.0)
    assert st.expon.sf(1.0 + 2.0) <= prob.chebyshev_bound(1.0, 2.0)
    # Bernoulli(0.5) means of 100: exact two-sided tail at t = 0.1 is below Hoeffding's bound
    exact = st.binom(100, 0.5).cdf(39) + st.binom(100, 0.5).sf(60)
    assert exact <= prob.hoeffding_bound(100, 0.1)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: prob.Bernoulli(1.5), r"probability in \[0, 1\]"),
        (lambda: prob.Categorical([0.5, 0.6]), "sum to 1"),
        (lambda: prob.Categorical([[0.5, 0.5]]), "1-D array"),
        (lambda: prob.Binomial(3.5, 0.2), "non-negative integer"),
        (lambda: prob.Gaussian(0.0, 0.0), "must be positive"),
        (lambda: prob.Exponential(-1.0), "must be positive"),
        (lambda: prob.Laplace(0.0, -2.0), "must be positive"),
        (lambda: prob.MultivariateGaussian([0, 0], np.eye(3)), r"\(d, d\)"),
        (lambda: prob.MultivariateGaussian([0, 0], [[1, 2], [2, 1]]), "positive definite"),
        (lambda: prob.GaussianMixture([0.5, 0.5], [0, 1], [1, 0]), "standard deviation"),
        (lambda: prob.GaussianMixture([0.5, 0.5], [0, 1, 2], [1, 1]), "shape"),
        (lambda: prob.inverse_cdf_categorical([0.5, 0.5], [1.0]), r"\[0, 1\)"),
        (lambda: prob.expectation([1, 2, 3], [0.5, 0.5]), "must match"),
        (lambda: prob.sample_variance([1.0], ddof=1), "at least 2"),
        (lambda: prob.covariance_matrix(np.ones(5)), r"\(n, d\)"),
        (lambda: prob.correlation_matrix([[1.0, 2.0], [1.0, 3.0]]), "constant"),
        (lambda: prob.marginals([[0.5, 0.6]]), "sum to 1"),
        (lambda: prob.bayes_posterior([0.5, 0.5], [0.0, 0.0]), "probability 0"),
        (lambda: prob.standardized_means(np.ones(4), 0.0, 1.0), r"\(trials, n\)"),
        (lambda: prob.Gaussian().sample(0, -1), "non-negative integer"),
        (lambda: prob.MultivariateGaussian([0, 0], np.eye(2)).log_prob(np.ones(3)), r"\.\.\., 2"),
    ],
)
def test_bad_input_raises_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
