"""dlkit.conv.fft against scipy.signal and torch: zero padding leaves no wrap-around."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import conv_cases, torch_conv


@st.composite
def stacks(draw):
    kh, kw = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    shape = (draw(st.integers(1, 3)), draw(st.integers(kh, 14)), draw(st.integers(kw, 14)))
    elements = st.floats(-5, 5)
    return draw(arrays(np.float64, shape, elements=elements)), draw(
        arrays(np.float64, (kh, kw), elements=elements)
    )


@settings(max_examples=40, deadline=None)
@given(stacks())
def test_fft_conv2d_matches_scipy_on_every_image(case):
    x, kernel = case
    got_corr, got_conv = conv.fft_conv2d(x, kernel), conv.fft_conv2d(x, kernel, correlate=False)
    assert not np.iscomplexobj(got_corr)
    for image, corr, convolved in zip(x, got_corr, got_conv):
        assert_close(corr, scipy.signal.correlate2d(image, kernel, "valid"), atol=1e-9)
        assert_close(convolved, scipy.signal.fftconvolve(image, kernel, "valid"), atol=1e-9)
    full = conv.fft_conv2d(x, kernel, correlate=False, mode="full")
    for image, convolved in zip(x, full):
        assert_close(convolved, scipy.signal.convolve2d(image, kernel, "full"), atol=1e-9)
    small = x[..., : kernel.shape[0] - 1 or 1, :]
    assert_close(
        conv.fft_conv2d(small, kernel, mode="full")[0],
        scipy.signal.correlate2d(small[0], kernel, "full"),
        atol=1e-9,
    )


def test_without_zero_padding_the_border_wraps_around():
    """A DFT of the image's own size computes the circular convolution: its interior is
    the valid part, but its first rows and columns mix in the opposite border."""
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=(8, 8)), rng.normal(size=(3, 3))
    circular = np.real(np.fft.ifft2(np.fft.fft2(image) * np.fft.fft2(kernel, s=image.shape)))
    assert_close(circular[2:, 2:], conv.fft_conv2d(image, kernel, correlate=False), atol=1e-9)
    full = scipy.signal.convolve2d(image, kernel, "full")
    assert not np.allclose(circular[:2, :2], full[:2, :2])


@settings(max_examples=30, deadline=None)
@given(conv_cases(max_kernel=5))
def test_multichannel_fft_convolution_matches_torch(case):
    x, w, b, _, padding, _ = case
    padding = padding if isinstance(padding, int) else padding[0]
    fits = all(k <= n + 2 * padding for k, n in zip(w.shape[2:], x.shape[2:]))
    if not fits:
        return
    assert_close(conv.conv2d_fft(x, w, b, padding), torch_conv(x, w, b, 1, padding, 1), atol=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="fit in the image"):
        conv.fft_conv2d(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode must be"):
        conv.fft_conv2d(np.ones((4, 4)), np.ones((3, 3)), mode="same")
