"""dlkit.sampling.diagnostics against direct sums and the AR(1) closed form."""

import numpy as np
import pytest

from dlkit import sampling
from dlkit.testing import assert_close


def ar1(phi, n, seed):
    rng = np.random.default_rng(seed)
    x = np.empty(n)
    x[0] = rng.normal() / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.normal()
    return x


def test_autocovariance_matches_direct_sums():
    x = np.random.default_rng(0).normal(size=300)
    d = x - x.mean()
    direct = np.array([d[: 300 - k] @ d[k:] for k in range(300)]) / 300
    assert_close(sampling.autocovariance(x), direct, atol=1e-12)
    assert_close(sampling.autocorrelation(x, 5), direct[:6] / direct[0], atol=1e-12)
    both = sampling.autocovariance(np.column_stack([x, 2 * x]))
    assert_close(both[:, 1], 4 * direct, atol=1e-11)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9, -0.5])
def test_ess_of_ar1_chains_is_near_n_times_1_minus_phi_over_1_plus_phi(phi):
    n = 40_000
    theory = n * (1 - phi) / (1 + phi)
    assert_close(sampling.ess(ar1(phi, n, seed=1)), theory, rtol=0.15)


def test_ess_follows_the_initial_positive_sequence():
    x = ar1(0.7, 500, seed=2)
    d = x - x.mean()
    rho = np.array([d[: 500 - k] @ d[k:] for k in range(500)]) / (d @ d)
    tau, m = -1.0, 0
    while rho[2 * m] + rho[2 * m + 1] > 0:
        tau += 2 * (rho[2 * m] + rho[2 * m + 1])
        m += 1
    assert_close(sampling.ess(x), 500 / tau)
    assert_close(sampling.ess(np.column_stack([x, x])), [500 / tau] * 2)
    assert_close(sampling.mc_standard_error(x), np.sqrt(x.var(ddof=1) * tau / 500))


def test_split_rhat_is_one_for_agreeing_chains_and_large_for_disagreeing_ones():
    rng = np.random.default_rng(3)
    chains = rng.normal(size=(4, 2000))
    assert abs(sampling.split_rhat(chains) - 1) < 0.01
    shifted = chains + np.array([[0.0], [0.0], [0.0], [1.0]])
    assert sampling.split_rhat(shifted) > 1.1
    drifting = rng.normal(size=(4, 2000)) + np.linspace(-2, 2, 2000)
    assert sampling.split_rhat(drifting) > 1.1  # each chain disagrees with itself


def test_split_rhat_matches_the_formula():
    chains = np.random.default_rng(4).normal(size=(3, 11))
    halves = np.vstack([chains[:, :5], chains[:, 6:]])
    W = np.mean([np.var(h, ddof=1) for h in halves])
    B = 5 * np.var([h.mean() for h in halves], ddof=1)
    assert_close(sampling.split_rhat(chains), np.sqrt((4 / 5 * W + B / 5) / W))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sampling.ess(np.ones(3)), "n >= 4"),
        (lambda: sampling.ess(np.array([1.0, np.nan, 2.0, 3.0])), "non-finite"),
        (lambda: sampling.autocorrelation(np.ones(10)), "constant"),
        (lambda: sampling.split_rhat(np.ones(10)), r"\(m, n\)"),
        (lambda: sampling.split_rhat(np.ones((2, 10))), "constant"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
