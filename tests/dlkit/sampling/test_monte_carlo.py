"""dlkit.sampling.monte_carlo against closed forms, quadrature and scipy.

Statistical comparisons allow 6 standard errors of the statistic (a correct estimator
fails with probability about 2e-9); the seeds are fixed, so nothing here is flaky.
"""

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit import sampling
from dlkit.testing import assert_close

fast = settings(max_examples=30, deadline=None)
E = np.e


def test_exp_uniform_estimators_have_the_exact_variances():
    var_f = (E**2 - 1) / 2 - (E - 1) ** 2
    var_pair = (E**2 - 1 + 2 * E) / 4 - (E - 1) ** 2
    cov = 1 - (E - 1) / 2
    var_control = var_f - 12 * cov**2
    n = 200_000
    result = sampling.exp_uniform_estimators(n, seed=0)
    for key, var in (("plain", var_f), ("antithetic", 2 * var_pair), ("control", var_control)):
        estimate, variance = result[key]
        assert abs(estimate - (E - 1)) <= 6 * np.sqrt(var / n)
        assert_close(variance, var, rtol=0.03)
    assert_close([var_f, 2 * var_pair, var_control], [0.2420356, 0.0078254, 0.0039402], rtol=1e-4)


def test_antithetic_and_control_variate_helpers():
    u = np.random.default_rng(1).uniform(size=1000)
    estimate, var = sampling.antithetic_estimate(np.exp, u)
    g = (np.exp(u) + np.exp(1 - u)) / 2
    assert_close([estimate, var], [g.mean(), 2 * g.var(ddof=1)])
    f = np.exp(u)
    estimate, var, b = sampling.control_variate_estimate(f, u, 0.5)
    assert_close(b, scipy.stats.linregress(u, f).slope)  # the least-squares slope
    assert_close(estimate, np.mean(f - b * (u - 0.5)))
    mean, se = sampling.mc_estimate(f)
    assert_close([mean, se], [f.mean(), scipy.stats.sem(f)])


@fast
@given(
    hst.integers(2, 60),
    hst.floats(-900, 900),
    hst.integers(0, 2**32 - 1),
)
def test_snis_matches_softmax_weights_for_any_offset(n, offset, seed):
    rng = np.random.default_rng(seed)
    f, log_p, log_q = rng.normal(size=n), rng.normal(size=n) * 3 + offset, rng.normal(size=n)
    weights = scipy.special.softmax(log_p - log_q)
    estimate, ess = sampling.snis(f, log_p, log_q)
    assert_close(estimate, weights @ f, rtol=1e-10, atol=1e-12)
    assert_close(ess, 1 / np.sum(weights**2), rtol=1e-10)
    assert 1 - 1e-9 <= ess <= n + 1e-9
    assert_close(sampling.weights_ess(log_p - log_q), ess)


def test_snis_is_consistent_and_log_z_is_estimated():
    rng = np.random.default_rng(2)
    x = rng.normal(0.0, 2.0, 200_000)
    log_q = scipy.stats.norm.logpdf(x, 0, 2)
    log_p_tilde = -0.5 * ((x - 1) / 0.5) ** 2  # Z = 0.5 sqrt(2 pi)
    estimate, ess = sampling.snis(x**2, log_p_tilde, log_q)
    assert abs(estimate - 1.25) < 6 * np.sqrt(2 * 1.25**2 / ess)  # E x^2 = mu^2 + sd^2
    assert_close(
        sampling.log_normalizer_estimate(log_p_tilde, log_q),
        np.log(0.5 * np.sqrt(2 * np.pi)),
        atol=0.01,
    )
    mean, se = sampling.importance_estimate(
        x, log_p_tilde - np.log(0.5 * np.sqrt(2 * np.pi)), log_q
    )
    assert abs(mean - 1.0) <= 6 * se


@pytest.mark.parametrize(("mu_q", "sd_q"), [(0.0, 1.0), (1.0, 2.0), (-1.0, 0.8), (0.5, 1.5)])
def test_gaussian_ess_fraction_is_one_over_the_second_moment(mu_q, sd_q):
    p, q = scipy.stats.norm(0.3, 0.7), scipy.stats.norm(mu_q, sd_q)
    second, _ = scipy.integrate.quad(lambda x: p.pdf(x) ** 2 / q.pdf(x), -15, 15)
    assert_close(sampling.gaussian_ess_fraction(0.3, 0.7, mu_q, sd_q), 1 / second, rtol=1e-7)


def test_gaussian_ess_fraction_is_zero_when_the_weights_have_no_variance():
    assert sampling.gaussian_ess_fraction(0.0, 1.0, 0.0, 0.7) == 0.0  # 2 sd_q^2 < sd_p^2
    assert sampling.gaussian_ess_fraction(0.0, 1.0, 0.0, 1.0) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sampling.snis(np.ones(3), np.ones(4), np.ones(4)), "same length"),
        (lambda: sampling.snis(np.ones((2, 2)), np.ones(2), np.ones(2)), "1-D"),
        (lambda: sampling.exp_uniform_estimators(11), "even"),
        (lambda: sampling.exp_uniform_estimators(2), ">= 4"),
        (lambda: sampling.gaussian_ess_fraction(0, -1, 0, 1), "positive"),
        (lambda: sampling.control_variate_estimate(np.ones(4), np.ones(5), 0.0), "same length"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
