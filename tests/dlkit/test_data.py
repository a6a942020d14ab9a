"""dlkit.data: the bundled photograph, against scikit-learn's copy and PIL's conversion."""

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

from dlkit.data import sample_image


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
