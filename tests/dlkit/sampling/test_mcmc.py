"""dlkit.sampling.mcmc against scipy.stats and closed forms.

The samplers run many independent chains at once; their final states are compared with
the target by Kolmogorov-Smirnov tests at level 1e-6, and chain averages by 6 standard
errors from the effective sample size. Seeds are fixed: nothing here is flaky.
"""

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from dlkit import sampling
from dlkit.testing import assert_close

LEVEL = 1e-6
MIXTURE = ([0.3, 0.7], [-2.0, 1.5], [0.7, 1.0])


def mixture_cdf(x):
    w, mu, sd = (np.asarray(a) for a in MIXTURE)
    return np.sum(w * scipy.stats.norm.cdf((np.asarray(x)[:, None] - mu) / sd), axis=1)


def test_mixture_density_and_moments_match_scipy():
    x = np.linspace(-6, 6, 41)
    w, mu, sd = MIXTURE
    expected = w[0] * scipy.stats.norm.pdf(x, mu[0], sd[0]) + w[1] * scipy.stats.norm.pdf(
        x, mu[1], sd[1]
    )
    assert_close(np.exp(sampling.mixture_log_density(x, *MIXTURE)), expected)
    mean, var = sampling.mixture_moments(*MIXTURE)
    pdf = lambda t: np.exp(sampling.mixture_log_density(np.array([t]), *MIXTURE))[0]  # noqa: E731
    assert_close(mean, scipy.integrate.quad(lambda t: t * pdf(t), -20, 20)[0], atol=1e-9)
    assert_close(var, scipy.integrate.quad(lambda t: (t - mean) ** 2 * pdf(t), -20, 20)[0])


def test_random_walk_metropolis_chains_reach_the_mixture():
    chains, rates = sampling.rw_metropolis_mixture(*MIXTURE, np.zeros(3000), 300, 2.5, seed=0)
    assert chains.shape == (300, 3000) and rates.shape == (3000,)
    assert scipy.stats.kstest(chains[-1], mixture_cdf).pvalue > LEVEL
    assert 0.4 < rates.mean() < 0.7


def test_a_single_chain_repeats_its_state_on_rejection():
    chain, rate = sampling.rw_metropolis_mixture(*MIXTURE, 0.0, 5000, 8.0, seed=1)
    stays = int(chain[0] == 0.0) + int(np.sum(chain[1:] == chain[:-1]))
    assert chain.shape == (5000,) and stays == round((1 - rate) * 5000)
    mean, _ = sampling.mixture_moments(*MIXTURE)
    se = np.sqrt(chain.var() / sampling.ess(chain))
    assert abs(chain.mean() - mean) < 6 * se


@pytest.mark.parametrize(("shape", "rate"), [(3.0, 2.0), (0.8, 1.0)])
def test_mh_gamma_targets_the_gamma_with_the_hastings_ratio(shape, rate):
    chains, _ = sampling.mh_gamma(shape, rate, np.ones(3000), 300, 1.0, seed=2)
    assert (
        scipy.stats.kstest(chains[-1], scipy.stats.gamma(shape, scale=1 / rate).cdf).pvalue > LEVEL
    )


def test_generic_metropolis_hastings_with_an_asymmetric_proposal():
    """The same log-normal proposal through the generic sampler: its q-terms give x'/x."""

    def propose(x, rng):
        return x * np.exp(0.8 * rng.normal())

    def log_q(to, frm):  # log-normal density of `to` around log(frm), up to a constant
        return -np.log(to) - 0.5 * ((np.log(to) - np.log(frm)) / 0.8) ** 2

    chain, _ = sampling.metropolis_hastings(
        lambda x: sampling.gamma_log_density(x, 3.0, 2.0), propose, log_q, 1.0, 20_000, seed=3
    )
    se = np.sqrt(chain.var() / sampling.ess(chain))
    assert abs(chain.mean() - 1.5) < 6 * se


def test_gibbs_is_an_ar1_chain_with_coefficient_rho_squared():
    chain = sampling.gibbs_bivariate_normal(0.9, 40_000, seed=4)
    x = chain[:, 0]
    for series, expected in ((x * chain[:, 1], 0.9), (x[1:] * x[:-1], 0.81), (x**2, 1.0)):
        se = np.sqrt(series.var() / sampling.ess(series))
        assert abs(series.mean() - expected) < 6 * se


def test_leapfrog_follows_the_exact_flow_with_second_order_error():
    A = np.array([[2.0, 0.8], [0.8, 1.0]])
    q0, p0 = np.array([1.0, -0.5]), np.array([0.3, 0.8])
    exact = scipy.integrate.solve_ivp(
        lambda t, y: np.concatenate([y[2:], -A @ y[:2]]),
        (0, 1),
        np.concatenate([q0, p0]),
        rtol=1e-12,
        atol=1e-12,
    ).y[:, -1]
    errors = []
    for eps in (0.1, 0.05):
        q, p = sampling.gaussian_leapfrog(q0, p0, A, eps, int(round(1 / eps)))
        errors.append(np.abs(np.concatenate([q, p]) - exact).max())
    assert 3.5 < errors[0] / errors[1] < 4.5  # halving eps divides the error by 4
    q, p = sampling.gaussian_leapfrog(q0, p0, A, 0.3, 7)
    back_q, back_p = sampling.gaussian_leapfrog(q, -p, A, 0.3, 7)
    assert_close(np.concatenate([back_q, -back_p]), np.concatenate([q0, p0]), atol=1e-12)


def test_hmc_samples_the_gaussian():
    A = np.array([[2.0, 0.8], [0.8, 1.0]])
    chain, rate = sampling.hmc_gaussian(A, np.zeros(2), 6000, 0.5, 6, seed=5)
    cov = np.linalg.inv(A)
    assert 0.6 < rate < 1.0
    for i, j in ((0, 0), (0, 1), (1, 1)):
        series = chain[:, i] * chain[:, j]
        assert abs(series.mean() - cov[i, j]) < 6 * np.sqrt(series.var() / sampling.ess(series))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: sampling.rw_metropolis_mixture([0.5, 0.6], [0, 1], [1, 1], 0.0, 10, 1.0),
            "sum to 1",
        ),
        (lambda: sampling.rw_metropolis_mixture([1.0], [0], [1], 0.0, 0, 1.0), "positive integer"),
        (lambda: sampling.rw_metropolis_mixture([1.0], [0], [1], 0.0, 10, -1.0), "positive"),
        (lambda: sampling.mh_gamma(3, 2, -1.0, 10, 0.5), "x0 must be positive"),
        (lambda: sampling.gibbs_bivariate_normal(1.0, 10), r"\(-1, 1\)"),
        (
            lambda: sampling.gaussian_leapfrog(np.zeros(2), np.zeros(2), -np.eye(2), 0.1, 3),
            "positive definite",
        ),
        (
            lambda: sampling.leapfrog(np.zeros(2), np.zeros(2), lambda q: q, 0.1, 0),
            "positive integer",
        ),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
