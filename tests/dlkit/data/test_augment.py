"""dlkit.data.augment: label flips, zero-filled shifts and mixup, against loops and scipy."""

import numpy as np
import pytest
import scipy.stats

from dlkit import data
from dlkit.testing import assert_close


def test_label_noise_flips_exactly_the_rate_to_other_classes():
    y = np.random.default_rng(0).integers(0, 10, 3000)
    noisy = data.label_noise(y, 0.3, seed=1)
    flipped = noisy != y
    assert flipped.sum() == 900 and np.array_equal(noisy[~flipped], y[~flipped])
    # the new label is uniform over the 9 other classes: (noisy - y) mod 10 is uniform on 1..9
    offsets = np.bincount((noisy[flipped] - y[flipped]) % 10, minlength=10)
    assert offsets[0] == 0 and scipy.stats.chisquare(offsets[1:]).pvalue > 1e-4
    assert np.array_equal(noisy, data.label_noise(y, 0.3, seed=1))
    assert not np.array_equal(noisy, data.label_noise(y, 0.3, seed=2))
    assert np.array_equal(data.label_noise(y, 0.0), y) and y.dtype == noisy.dtype


def loop_translate(image, dy, dx):
    H, W = image.shape[-2:]
    out = np.zeros_like(image)
    for r in range(H):
        for c in range(W):
            if 0 <= r - dy < H and 0 <= c - dx < W:
                out[..., r, c] = image[..., r - dy, c - dx]
    return out


@pytest.mark.parametrize("shape", [(5, 4, 6), (3, 2, 5, 5)])
def test_translate_matches_a_loop_and_fills_with_zeros(shape):
    rng = np.random.default_rng(3)
    images = rng.uniform(0.1, 1, shape)
    dy, dx = rng.integers(-3, 4, len(images)), rng.integers(-3, 4, len(images))
    moved = data.translate(images, dy, dx)
    for i in range(len(images)):
        assert_close(moved[i], loop_translate(images[i], dy[i], dx[i]))
    assert_close(data.translate(images, 0, 0), images)
    assert np.all(data.translate(images, 9, 0) == 0)  # moved out of the frame


def test_random_shift_draws_every_move_equally_often():
    images = np.random.default_rng(4).uniform(0.1, 1, (4000, 8, 8))
    moved, shifts = data.random_shift(images, 1, seed=5, return_shifts=True)
    assert shifts.min() == -1 and shifts.max() == 1
    counts = np.bincount((shifts[:, 0] + 1) * 3 + shifts[:, 1] + 1, minlength=9)
    assert scipy.stats.chisquare(counts).pvalue > 1e-4
    assert_close(moved, data.translate(images, shifts[:, 0], shifts[:, 1]))
    assert_close(moved, data.random_shift(images, 1, seed=5))


def test_mixup_is_one_convex_combination_with_beta_lambda():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(12, 3)), data.one_hot(rng.integers(0, 4, 12), 4)
    x_mix, y_mix, lam, perm = data.mixup(x, y, 0.4, seed=7)
    assert sorted(perm) == list(range(12)) and 0 <= lam <= 1
    assert_close(x_mix, lam * x + (1 - lam) * x[perm])
    assert_close(y_mix, lam * y + (1 - lam) * y[perm])
    assert_close(y_mix.sum(axis=1), np.ones(12))
    lams = [data.mixup(x, y, 0.2, seed=s)[2] for s in range(400)]
    assert scipy.stats.kstest(lams, scipy.stats.beta(0.2, 0.2).cdf).pvalue > 1e-4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.label_noise(np.array([0.5, 1.0]), 0.1), "int labels"),
        (lambda: data.label_noise(np.array([0, 1]), 1.5), "rate"),
        (lambda: data.translate(np.ones((4, 4)), 1, 1), r"\(n, H, W\)"),
        (lambda: data.random_shift(np.ones((2, 4, 4)), -1), "max_shift"),
        (lambda: data.mixup(np.ones((3, 2)), np.array([0, 1, 1]), 0.2), "one_hot"),
        (lambda: data.mixup(np.ones((3, 2)), np.eye(3), 0.0), "alpha"),
        (lambda: data.one_hot(np.array([0, 5]), 3), r"0\.\.2"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
