"""dlkit.inference.expectation_propagation against scipy.integrate.quad (tilted moments)
and grid integration of a small probit posterior; EP's fixed point matches moments."""

import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit.inference import expectation_propagation as ep


def tilted_by_quad(m, v, y):
    def density(z, k):
        normal = np.exp(-0.5 * (z - m) ** 2 / v) / np.sqrt(2 * np.pi * v)
        return z**k * normal * scipy.special.ndtr(y * z)

    lo, hi = m - 15 * np.sqrt(v), m + 15 * np.sqrt(v)
    moments = [scipy.integrate.quad(density, lo, hi, args=(k,), limit=200)[0] for k in range(3)]
    mean = moments[1] / moments[0]
    return np.log(moments[0]), mean, moments[2] / moments[0] - mean**2


@settings(max_examples=15, deadline=None)
@given(hst.floats(-4, 4), hst.floats(0.05, 5), hst.sampled_from([-1.0, 1.0]))
def test_tilted_moments_match_quadrature(m, v, y):
    got = ep.probit_tilted_moments(m, v, y)
    assert np.allclose(got, tilted_by_quad(m, v, y), rtol=1e-6, atol=1e-9)


def test_tilted_moments_stay_finite_far_in_the_tail_and_broadcast():
    log_z, mean, var = ep.probit_tilted_moments(-40 * np.sqrt(2.0), 1.0, 1.0)
    assert np.isclose(log_z, scipy.special.log_ndtr(-40.0)) and np.isfinite(mean) and 0 < var < 1
    # far in the tail the mean moves by about v |kappa| / sqrt(1 + v)
    assert np.isclose(mean, -40 * np.sqrt(2.0) + 40 / np.sqrt(2.0), rtol=1e-3)
    shapes = ep.probit_tilted_moments(np.zeros((3, 1)), np.ones(4), 1.0)
    assert all(part.shape == (3, 4) for part in shapes)


def test_tilted_moments_reject_bad_input():
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        ep.probit_tilted_moments(0.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="positive variance"):
        ep.probit_tilted_moments(0.0, -1.0, 1.0)


def _grid_posterior(X, y, prior_var):
    w1, w2 = np.meshgrid(np.linspace(-9, 9, 1201), np.linspace(-9, 9, 1201), indexing="ij")
    W = np.stack([w1.ravel(), w2.ravel()], axis=1)  # (G, 2)
    log_p = -0.5 * (W**2).sum(1) / prior_var + scipy.special.log_ndtr((W @ X.T) * y).sum(1)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    mean = p @ W
    return mean, (W - mean).T @ ((W - mean) * p[:, None])


def test_ep_with_one_site_is_the_exact_moment_projection():
    X, y = np.array([[1.0, 0.5]]), np.array([1.0])
    mu, Sigma = ep.ep_probit(X, y, prior_var=2.0, n_sweeps=1)
    mean, cov = _grid_posterior(X, y, 2.0)
    assert np.allclose(mu, mean, atol=1e-5) and np.allclose(Sigma, cov, atol=1e-5)


def test_ep_is_close_to_the_exact_posterior_and_matches_moments_at_its_fixed_point():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (12, 2))
    y = np.where(X @ np.array([1.0, -0.5]) + 0.5 * rng.standard_normal(12) > 0, 1.0, -1.0)
    mu, Sigma, trace = ep.ep_probit(X, y, prior_var=1.0, n_sweeps=30, history=True)
    means = trace["means"]
    assert means.shape == (30, 2) and np.allclose(means[-1], means[-2], atol=1e-10)
    mean, cov = _grid_posterior(X, y, 1.0)
    assert np.allclose(mu, mean, atol=0.02) and np.allclose(Sigma, cov, atol=0.02)
    # moment matching: each site's tilted distribution has q's marginal moments
    s, m = np.einsum("nd,de,ne->n", X, Sigma, X), X @ mu  # marginals of z_i = x_i . w
    cavity_precision, cavity_shift = 1 / s - trace["tau"], m / s - trace["nu"]
    _, tilted_mean, tilted_var = ep.probit_tilted_moments(
        cavity_shift / cavity_precision, 1 / cavity_precision, y
    )
    assert np.allclose(tilted_mean, m, atol=1e-8) and np.allclose(tilted_var, s, atol=1e-8)
    assert np.all(trace["tau"] >= 0)


def test_ep_probit_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        ep.ep_probit(np.ones((3, 2)), np.array([0.0, 1.0, 1.0]))
