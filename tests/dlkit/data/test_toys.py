"""dlkit.data.toys: the ring of Gaussians, moons and the swiss roll have the shapes,
statistics and seeds their docstrings promise (checked against their closed forms and
scikit-learn's make_moons)."""

import numpy as np
import pytest
import sklearn.datasets

import dlkit as dk


def test_ring_points_sit_near_their_centers():
    X, labels = dk.data.ring_of_gaussians(4000, seed=0, std=0.05, return_labels=True)
    centers = dk.data.ring_centers(8, radius=2.0)
    assert X.shape == (4000, 2) and labels.shape == (4000,)
    residual = X - centers[labels]
    assert residual.std() == pytest.approx(0.05, rel=0.05)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0)
    assert np.bincount(labels).min() > 400  # about 500 each


def test_moons_before_standardising_lie_on_the_two_half_circles():
    X, which = dk.data.moons(2001, seed=1, noise=0.0, standardize=False, return_labels=True)
    assert np.sum(which == 0) == 1001
    upper, lower = X[which == 0], X[which == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    ref, _ = sklearn.datasets.make_moons(2000, noise=0.0, random_state=0)  # same bounding box
    np.testing.assert_allclose(X.min(0), ref.min(0), atol=0.01)
    np.testing.assert_allclose(X.max(0), ref.max(0), atol=0.01)


def test_standardised_sets_have_zero_mean_unit_sd_and_follow_the_seed():
    for make in (dk.data.moons, dk.data.swiss_roll):
        X = make(1000, seed=3)
        np.testing.assert_allclose(X.mean(0), 0, atol=1e-12)
        np.testing.assert_allclose(X.std(0), 1)
        np.testing.assert_array_equal(X, make(1000, seed=3))
        assert not np.array_equal(X, make(1000, seed=4))


def test_swiss_roll_radius_grows_with_the_angle():
    X = dk.data.swiss_roll(500, seed=0, noise=0.0, standardize=False)
    r = np.linalg.norm(X, axis=1)
    assert r.min() >= 1.5 * np.pi / 10 - 1e-12 and r.max() <= 4.5 * np.pi / 10 + 1e-12


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="positive integer"):
        dk.data.moons(0)
    with pytest.raises(ValueError, match="std"):
        dk.data.ring_of_gaussians(10, std=-1.0)
