"""dlkit.conv.shifts: translations against np.roll, and the equivariance they reveal."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import conv
from dlkit.testing import assert_close


@settings(max_examples=40, deadline=None)
@given(st.integers(-4, 4), st.integers(-4, 4))
def test_shift_is_a_roll_with_zeros_where_the_image_wrapped(dy, dx):
    image = np.random.default_rng(0).normal(size=(2, 7, 9))
    rolled = np.roll(image, (dy, dx), axis=(-2, -1))
    rows = np.arange(7)[:, None] - dy
    cols = np.arange(9)[None, :] - dx
    inside = (rows >= 0) & (rows < 7) & (cols >= 0) & (cols < 9)
    assert_close(conv.shift(image, dy, dx), np.where(inside, rolled, 0.0))


def test_convolution_commutes_with_shifts_away_from_the_border():
    rng = np.random.default_rng(1)
    image = np.zeros((16, 16))
    image[5:10, 5:10] = rng.normal(size=(5, 5))
    kernel = rng.normal(size=(3, 3))
    for dy, dx in [(1, 0), (0, -2), (2, 3)]:
        shifted_then_filtered = conv.correlate2d(conv.shift(image, dy, dx), kernel)
        filtered_then_shifted = conv.shift(conv.correlate2d(image, kernel), dy, dx)
        assert_close(shifted_then_filtered, filtered_then_shifted)


def test_place_on_canvas_moves_digits_without_losing_ink():
    digits = np.random.default_rng(2).uniform(size=(3, 8, 8))
    offsets = np.array([[0, 0], [-4, 4], [2, -1]])
    canvas = conv.place_on_canvas(digits, 16, offsets)
    assert canvas.shape == (3, 1, 16, 16)
    assert_close(canvas.sum(axis=(1, 2, 3)), digits.sum(axis=(1, 2)))
    assert_close(canvas[1, 0, 0:8, 8:16], digits[1])
    assert_close(conv.place_on_canvas(digits[:, None], 16)[2, 0, 4:12, 4:12], digits[2])
    with pytest.raises(ValueError, match="within the margins"):
        conv.place_on_canvas(digits, 16, offsets * 2)


def test_random_offsets_cover_the_range():
    offsets = conv.random_offsets(2000, 2, np.random.default_rng(3))
    assert offsets.shape == (2000, 2) and set(np.unique(offsets)) == {-2, -1, 0, 1, 2}
    with pytest.raises(ValueError, match="max_shift"):
        conv.random_offsets(3, -1, np.random.default_rng(0))


def test_shift_each_moves_every_image_by_its_own_offset():
    images = np.random.default_rng(4).normal(size=(3, 1, 6, 6))
    offsets = np.array([[1, 0], [0, -2], [-1, 3]])
    moved = conv.shift_each(images, offsets)
    for image, out, (dy, dx) in zip(images, moved, offsets):
        assert_close(out, conv.shift(image, dy, dx))
    with pytest.raises(ValueError, match="integer offsets"):
        conv.shift_each(images, offsets[:2])
