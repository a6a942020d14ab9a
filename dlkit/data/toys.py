"""Two-dimensional toy data sets for generative models: a ring of Gaussians, moons, a swiss roll.

Each is a point cloud in the plane whose shape a picture judges at a glance, small enough
to train a GAN, a flow or a diffusion model on in seconds. All draw from
``np.random.default_rng(seed)`` and return fresh float64 arrays of shape (n, 2).

    X = dk.data.ring_of_gaussians(2000, seed=0)     # 8 tight clusters on a circle of radius 2
    X, which = dk.data.moons(2000, seed=0, return_labels=True)
"""

import numpy as np


def _check_n(n, name):
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{name}: n must be a positive integer (the number of points), got {n!r}")


def _check_scale(value, name, what):
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name}: {what} must be a finite number >= 0, got {value!r}")


def _standardized(X):
    """Columns shifted to mean 0 and scaled to standard deviation 1 (the sample's own)."""
    return (X - X.mean(axis=0)) / X.std(axis=0)


def ring_centers(n_modes=8, radius=2.0):
    """The means of :func:`ring_of_gaussians`: (n_modes, 2) points ``radius (cos a_j, sin a_j)``
    at the angles ``a_j = 2 pi j / n_modes``, j = 0, ..., n_modes - 1."""
    if isinstance(n_modes, bool) or not isinstance(n_modes, int | np.integer) or n_modes < 1:
        raise ValueError(f"ring_centers: n_modes must be a positive integer, got {n_modes!r}")
    _check_scale(radius, "ring_centers", "radius")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (n_modes, 2)


def ring_of_gaussians(n, seed=0, n_modes=8, radius=2.0, std=0.05, return_labels=False):
    """n points from an equal mixture of ``n_modes`` isotropic Gaussians N(c_j, std^2 I)
    centred on a circle (:func:`ring_centers`): (n, 2), and with ``return_labels`` also the
    component j of every point, (n,) int64.

    The classic test of mode collapse: a GAN that covers only some of the modes shows it.
    """
    _check_n(n, "ring_of_gaussians")
    _check_scale(std, "ring_of_gaussians", "std")
    centers = ring_centers(n_modes, radius)
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_modes, size=n)
    X = centers[labels] + std * rng.standard_normal((n, 2))
    return (X, labels.astype(np.int64)) if return_labels else X


def moons(n, seed=0, noise=0.05, standardize=True, return_labels=False):
    """n points from two interleaved half circles: (n, 2), and with ``return_labels`` the
    moon of each point (0 upper, 1 lower), (n,) int64.

    The upper moon is ``(cos a, sin a)``, the lower ``(1 - cos a, 1/2 - sin a)``, with the
    angle a uniform on [0, pi] (drawn, not evenly spaced) and ``ceil(n / 2)`` points on the
    upper moon; Gaussian noise of standard deviation ``noise`` is added to both coordinates
    (scikit-learn's ``make_moons`` has the same shape). ``standardize`` then shifts and
    scales each column to mean 0 and standard deviation 1 (the sample's own statistics).
    """
    _check_n(n, "moons")
    _check_scale(noise, "moons", "noise")
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) >= (n + 1) // 2).astype(np.int64)
    labels = labels[rng.permutation(n)]
    angle = np.pi * rng.random(n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    X = np.where(labels[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    X = _standardized(X) if standardize and n > 1 else X
    return (X, labels) if return_labels else X


def swiss_roll(n, seed=0, noise=0.05, standardize=True):
    """n points on a 2-D spiral: (n, 2), ``t (cos t, sin t) / 10`` with ``t = 1.5 pi (1 + 2u)``,
    u uniform on [0, 1] (scikit-learn's ``make_swiss_roll`` seen from its side, scaled by
    1/10), plus Gaussian noise of standard deviation ``noise``; ``standardize`` as in
    :func:`moons`."""
    _check_n(n, "swiss_roll")
    _check_scale(noise, "swiss_roll", "noise")
    rng = np.random.default_rng(seed)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    X = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 10 + noise * rng.standard_normal((n, 2))
    return _standardized(X) if standardize and n > 1 else X


__all__ = ["moons", "ring_centers", "ring_of_gaussians", "swiss_roll"]
