"""dlkit.conv.winograd against numpy, scipy and torch; its multiplications counted."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import torch_conv

finite = st.floats(-10, 10)


class Counted:
    """A number that counts the products of two data values (filter or input): what
    Winograd saves. Products with the transforms' constants are not counted."""

    products = 0

    def __init__(self, value):
        self.value = float(value)

    def _other(self, other):
        return other.value if isinstance(other, Counted) else float(other)

    def __mul__(self, other):
        if isinstance(other, Counted):
            Counted.products += 1
        return Counted(self.value * self._other(other))

    __rmul__ = __mul__

    def __add__(self, other):
        return Counted(self.value + self._other(other))

    __radd__ = __add__

    def __sub__(self, other):
        return Counted(self.value - self._other(other))

    def __rsub__(self, other):
        return Counted(self._other(other) - self.value)

    def __neg__(self):
        return Counted(-self.value)


def counted(array):
    out = np.empty(np.shape(array), dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = Counted(value)
    return out


def values(array):
    return np.vectorize(lambda c: c.value if isinstance(c, Counted) else float(c))(array)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.integers(3, 25), elements=finite), arrays(np.float64, 3, elements=finite)
)
def test_f23_tiles_give_the_valid_correlation_with_the_odd_tail(d, g):
    assert_close(conv.winograd_correlate1d(d, g), np.correlate(d, g, "valid"), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 2), st.integers(3, 12), st.integers(3, 12)),
        elements=finite,
    )
)
def test_two_dimensional_tiling_matches_scipy(x):
    g = np.arange(9.0).reshape(3, 3) - 4.0
    got = conv.winograd_correlate2d(x, g)
    for image, out in zip(x, got):
        assert_close(out, scipy.signal.correlate2d(image, g, "valid"), atol=1e-8)


def test_the_matrices_satisfy_the_f23_identity_on_random_tiles():
    BT, G, AT = conv.winograd_f23_matrices()
    rng = np.random.default_rng(0)
    for _ in range(100):
        d, g = rng.normal(size=4), rng.normal(size=3)
        assert_close(AT @ ((G @ g) * (BT @ d)), np.correlate(d, g, "valid"), atol=1e-12)
        d2, g2 = rng.normal(size=(4, 4)), rng.normal(size=(3, 3))
        assert_close(
            conv.winograd_tile_2d(d2, g2), scipy.signal.correlate2d(d2, g2, "valid"), atol=1e-12
        )
    BT[0, 0] = 7.0  # a copy: the module's matrices are untouched
    assert conv.winograd_f23_matrices()[0][0, 0] == 1.0


@pytest.mark.parametrize("padding", [0, 1])
def test_multichannel_winograd_matches_torch(padding):
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    assert_close(
        conv.winograd_conv2d(x, w, b, padding), torch_conv(x, w, b, 1, padding, 1), atol=1e-9
    )


def test_f23_uses_4_multiplications_per_tile_and_the_2d_tile_16_against_36():
    rng = np.random.default_rng(2)
    d, g = rng.normal(size=4), rng.normal(size=3)
    Counted.products = 0
    out = conv.winograd_f23_tile(counted(d), counted(g))
    assert Counted.products == 4
    assert_close(values(out), np.correlate(d, g, "valid"))
    d2, g2 = rng.normal(size=(4, 4)), rng.normal(size=(3, 3))
    Counted.products = 0
    out = conv.winograd_tile_2d(counted(d2), counted(g2))
    assert Counted.products == 16
    assert_close(values(out), scipy.signal.correlate2d(d2, g2, "valid"))
    Counted.products = 0
    direct = conv.correlate2d(counted(d2), counted(g2))
    assert Counted.products == 36
    assert_close(values(direct), values(out))


def test_tiled_counts_include_the_padded_tail():
    rng = np.random.default_rng(4)
    image, g = rng.normal(size=(9, 9)), rng.normal(size=(3, 3))  # 7 x 7 outputs: 4 x 4 tiles
    Counted.products = 0
    out = conv.winograd_correlate2d(counted(image), counted(g))
    assert Counted.products == 16 * 16
    assert_close(values(out), scipy.signal.correlate2d(image, g, "valid"))


def test_bad_input():
    with pytest.raises(ValueError, match="3 x 3 kernels"):
        conv.winograd_conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="at least 3 inputs"):
        conv.winograd_correlate1d(np.ones(2), np.ones(3))
