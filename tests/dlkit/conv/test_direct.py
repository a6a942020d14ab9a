"""dlkit.conv.direct: correlation and convolution against scipy.signal, numpy and torch."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import conv_cases, torch_conv

finite = st.floats(-10, 10)


@st.composite
def image_and_kernel(draw):
    kernel = draw(
        arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite)
    )
    H = draw(st.integers(kernel.shape[0], 9))
    W = draw(st.integers(kernel.shape[1], 9))
    return draw(arrays(np.float64, (H, W), elements=finite)), kernel


@settings(max_examples=40, deadline=None)
@given(image_and_kernel(), st.sampled_from(["valid", "full"]))
def test_correlate_and_convolve_match_scipy(case, mode):
    image, kernel = case
    assert_close(
        conv.correlate2d(image, kernel, mode), scipy.signal.correlate2d(image, kernel, mode)
    )
    assert_close(conv.convolve2d(image, kernel, mode), scipy.signal.convolve2d(image, kernel, mode))


def test_the_flip_between_them_is_visible_with_an_asymmetric_kernel():
    rng = np.random.default_rng(0)
    image = rng.normal(size=(6, 7))
    edge = np.array([[1.0, 0.0, -1.0]] * 3)  # vertical-edge kernel: flipping negates it
    assert_close(conv.convolve2d(image, edge), -conv.correlate2d(image, edge))
    assert_close(conv.convolve2d(image, edge), conv.correlate2d(image, conv.flip_kernel(edge)))
    assert np.array_equal(conv.flip_kernel(np.arange(4).reshape(2, 2)), [[3, 2], [1, 0]])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(3, 20), elements=finite), st.integers(1, 3))
def test_one_dimensional_versions_match_numpy(signal, k):
    kernel = np.linspace(-1.0, 2.0, k)
    assert_close(conv.correlate1d(signal, kernel), np.correlate(signal, kernel, "valid"))
    assert_close(conv.convolve1d(signal, kernel), np.convolve(signal, kernel, "valid"))


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_conv2d_direct_matches_torch(case):
    x, w, b, stride, padding, dilation = case
    expected = torch_conv(x, w, b, stride, padding, dilation)
    assert_close(conv.conv2d_direct(x, w, b, stride, padding, dilation), expected, atol=1e-9)
    assert_close(
        conv.conv2d_direct(x, w, None, stride, padding, dilation), expected - b[:, None, None]
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.correlate2d(np.ones((2, 2)), np.ones((3, 3))), "larger than the image"),
        (lambda: conv.correlate2d(np.ones(4), np.ones((1, 1))), "2-D array"),
        (lambda: conv.correlate2d(np.ones((4, 4)), np.ones((2, 2)), "same"), "mode must be"),
        (lambda: conv.conv2d_direct(np.ones((1, 2, 5, 5)), np.ones((1, 3, 3, 3))), r"\(C_out, 2"),
        (lambda: conv.conv2d_direct(np.ones((5, 5)), np.ones((1, 1, 3, 3))), r"x\[None, None\]"),
        (
            lambda: conv.conv2d_direct(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=0),
            "stride",
        ),
        (lambda: conv.conv2d_direct(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), "pad more"),
    ],
)
def test_bad_input_says_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()
