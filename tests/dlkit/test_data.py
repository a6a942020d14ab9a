"""dlkit.data: the bundled photograph and digits, against scikit-learn's copies and PIL."""

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits, load_sample_image

from dlkit.data import as_images, binarize, digits, sample_image


def test_sample_image_shapes_and_range():
    default = sample_image()
    assert default.shape == (214, 320) and default.dtype == np.float64
    assert 0.0 <= default.min() and default.max() <= 1.0
    assert sample_image(4).shape == (107, 160)
    assert sample_image((40, 60)).shape == (40, 60)
    with pytest.raises(ValueError, match=r"\(height, width\)"):
        sample_image((0, 10))
    with pytest.raises(ValueError, match="stride must be >= 1"):
        sample_image(0)


def test_full_resolution_is_the_luminance_of_the_bundled_photo():
    rgb = load_sample_image("china.jpg")  # (427, 640, 3) uint8
    luminance = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float) / 255.0  # ITU-R 601
    full = sample_image(1)
    assert full.shape == rgb.shape[:2]
    assert np.max(np.abs(full - luminance)) <= 1 / 255 + 1e-12  # PIL rounds to integers
    assert np.array_equal(sample_image(), full[::2, ::2])


def test_each_call_returns_a_fresh_writable_copy():
    first = sample_image(8)
    first[:] = 0.0
    assert sample_image(8).max() > 0


def test_digits_are_scikit_learns_scaled_and_split_without_overlap():
    X_train, y_train, X_test, y_test = digits(n_train=1200, seed=3)
    assert X_train.shape == (1200, 64) and X_test.shape == (597, 64)
    assert y_train.dtype == np.int64 and X_train.dtype == np.float64
    reference_X, reference_y = load_digits(return_X_y=True)
    X, y = np.vstack([X_train, X_test]), np.concatenate([y_train, y_test])
    order = np.lexsort(np.column_stack([X * 16, y]).T)
    reference = np.lexsort(np.column_stack([reference_X, reference_y]).T)
    assert np.array_equal(X[order] * 16, reference_X[reference])  # the same images, once each
    assert np.array_equal(y[order], reference_y[reference])
    again = digits(n_train=1200, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_train, y_train, X_test, y_test)))
    assert not np.array_equal(digits(n_train=1200, seed=4)[1], y_train)
    X_train[:] = -1.0  # a fresh copy: the cache is untouched
    assert digits(n_train=1200, seed=3)[0].min() == 0.0
    with pytest.raises(ValueError, match="n_train must lie in 1..1796"):
        digits(n_train=1797)


def test_images_and_binarised_pixels():
    X, _, _, _ = digits(n_train=10)
    images = as_images(X)
    assert images.shape == (10, 1, 8, 8) and np.array_equal(images[3, 0, 2], X[3, 16:24])
    assert set(np.unique(binarize(X))) <= {0.0, 1.0}
    assert np.array_equal(binarize(np.array([[0.5, 0.51]])), [[0.0, 1.0]])
    with pytest.raises(ValueError, match="rows of 64 pixels"):
        as_images(np.zeros((2, 63)))
