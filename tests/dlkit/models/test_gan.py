"""dlkit.models.gan against closed forms, scipy and torch: the optimal discriminator and
the value of the game, Jensen-Shannon and Wasserstein distances, the losses from logits,
spectral normalisation, mode coverage, and a short GAN run on the ring of Gaussians."""

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.stats
import torch

import dlkit as dk
from dlkit.models import gan

pytestmark = pytest.mark.usefixtures("one_thread")


def _random_distribution(rng, k):
    p = rng.random(k)
    return p / p.sum()


def test_optimal_discriminator_maximises_the_value_and_matches_js():
    rng = np.random.default_rng(0)
    p, q = _random_distribution(rng, 6), _random_distribution(rng, 6)
    d_star, value = gan.optimal_discriminator(p, q)
    np.testing.assert_allclose(d_star, p / (p + q))
    js = scipy.spatial.distance.jensenshannon(p, q) ** 2  # scipy gives the JS distance
    assert value == pytest.approx(-np.log(4) + 2 * js, rel=1e-12)
    for _ in range(20):  # no other discriminator does better
        d = np.clip(d_star + 0.05 * rng.standard_normal(6), 1e-6, 1 - 1e-6)
        assert np.sum(p * np.log(d)) + np.sum(q * np.log(1 - d)) <= value + 1e-12


def test_optimal_discriminator_at_equal_and_disjoint_distributions():
    p = np.array([0.5, 0.5, 0.0, 0.0])
    d_star, value = gan.optimal_discriminator(p, p)
    np.testing.assert_allclose(d_star[:2], 0.5)
    assert value == pytest.approx(-np.log(4))
    d_star, value = gan.optimal_discriminator(p, p[::-1])
    np.testing.assert_allclose(d_star, [1, 1, 0, 0])
    assert value == pytest.approx(0.0, abs=1e-12)  # -log 4 + 2 log 2


def test_js_divergence_in_nats_against_scipy_and_at_point_masses():
    rng = np.random.default_rng(1)
    for _ in range(5):
        p, q = _random_distribution(rng, 5), _random_distribution(rng, 5)
        expected = scipy.spatial.distance.jensenshannon(p, q) ** 2
        assert gan.js_divergence(p, q) == pytest.approx(expected, rel=1e-10)
    assert gan.js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.log(2))


def test_wasserstein_1d_against_scipy():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(300), 1 + 2 * rng.standard_normal(300)
    assert gan.wasserstein_1d(x, y) == pytest.approx(scipy.stats.wasserstein_distance(x, y))
    z = rng.standard_normal(170)  # unequal sizes
    assert gan.wasserstein_1d(x, z) == pytest.approx(scipy.stats.wasserstein_distance(x, z))
    assert gan.wasserstein_1d([0.0], [3.5]) == pytest.approx(3.5)  # W = |theta|, JS = log 2


def test_gan_losses_against_torch_bce_and_stay_finite():
    rng = np.random.default_rng(3)
    real, fake = 3 * rng.standard_normal(7), 3 * rng.standard_normal(5)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    r, f = torch.tensor(real), torch.tensor(fake)
    d_expected = bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))
    d_loss, g_minimax, g_nonsat = gan.gan_losses(real, fake)
    assert d_loss == pytest.approx(d_expected.item(), rel=1e-12)
    assert g_minimax == pytest.approx(-bce(f, torch.zeros_like(f)).item(), rel=1e-12)
    assert g_nonsat == pytest.approx(bce(f, torch.ones_like(f)).item(), rel=1e-12)
    assert np.all(np.isfinite(gan.gan_losses([1000.0], [-1000.0])))


def test_spectral_normalize_converges_to_the_largest_singular_value():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((5, 3))
    sigma, W_sn, u = gan.spectral_normalize(W, rng.standard_normal(5), n_iter=200)
    assert sigma == pytest.approx(np.linalg.norm(W, 2), rel=1e-10)
    assert np.linalg.norm(W_sn, 2) == pytest.approx(1.0, rel=1e-10)
    assert np.linalg.norm(u) == pytest.approx(1.0)


def test_spectral_normalize_one_round_matches_torch():
    rng = np.random.default_rng(5)
    W, u0 = rng.standard_normal((4, 6)), rng.standard_normal(4)
    u = u0 / np.linalg.norm(u0)
    v = W.T @ u / np.linalg.norm(W.T @ u)
    u = W @ v / np.linalg.norm(W @ v)
    sigma, _, u_out = gan.spectral_normalize(W, u0, n_iter=1)
    assert sigma == pytest.approx(float(torch.tensor(u) @ torch.tensor(W) @ torch.tensor(v)))
    np.testing.assert_allclose(u_out, u)


def test_mode_coverage_counts_modes_and_good_samples():
    centers = dk.data.ring_centers(8)
    X = np.concatenate([centers[:3].repeat(30, axis=0), [[0.0, 0.0]] * 10])  # 3 modes, 10 bad
    n_modes, frac_good = gan.mode_coverage(X, centers)
    assert (n_modes, frac_good) == (3, pytest.approx(90 / 100))
    one = np.concatenate([X, centers[3:4]])  # a single sample does not cover a mode
    assert gan.mode_coverage(one, centers, min_frac=0.02)[0] == 3


def test_numpy_generate_matches_the_torch_generator():
    torch.manual_seed(0)
    model = dk.models.GAN(dk.models.GANConfig(hidden=16))
    z = np.random.default_rng(6).standard_normal((10, 2))
    with torch.no_grad():
        expected = model(torch.tensor(z, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(gan.numpy_generate(model.to_numpy_params(), z), expected, atol=1e-5)


def _trained(steps, **options):
    torch.manual_seed(0)
    model = dk.models.GAN(dk.models.GANConfig(hidden=64))
    X = dk.data.ring_of_gaussians(2000, seed=0)
    history = gan.train_gan(model, X, steps=steps, seed=0, progress=False, **options)
    return model, history


def test_training_is_reproducible_and_records_snapshots():
    first, history = _trained(20, snapshot_every=10)
    second, _ = _trained(20)
    assert sorted(history["snapshots"]) == [10, 20] and len(history["d_loss"]) == 20
    np.testing.assert_array_equal(first.to_numpy_params()["W1"], second.to_numpy_params()["W1"])


def test_a_short_run_covers_most_of_the_ring():
    model, _ = _trained(600)
    samples = model.sample(2000, generator=torch.Generator().manual_seed(1))
    n_modes, _ = gan.mode_coverage(samples, dk.data.ring_centers(8))
    assert n_modes >= 6


def test_bad_input_is_rejected_with_a_message():
    with pytest.raises(ValueError, match="sum to 1"):
        gan.optimal_discriminator([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="loss must be one of"):
        dk.models.GANConfig(loss="wasserstein")
    with pytest.raises(ValueError, match="n_iter"):
        gan.spectral_normalize(np.eye(2), np.ones(2), n_iter=0)
