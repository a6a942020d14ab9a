"""dlkit.conv.backward against torch autograd through F.conv2d."""

import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import conv_cases, t


def autograd(x, w, b, dout, stride, padding, dilation):
    xt, wt, bt = t(x, True), t(w, True), t(b, True)
    out = F.conv2d(xt, wt, bt, stride, padding, dilation)
    (out * t(dout)).sum().backward()
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def upstream(x, w, stride, padding, dilation, seed=0):
    shape = F.conv2d(t(x), t(w), None, stride, padding, dilation).shape
    return np.random.default_rng(seed).normal(size=tuple(shape))


@settings(max_examples=30, deadline=None)
@given(conv_cases())
def test_gradients_match_autograd(case):
    x, w, b, stride, padding, dilation = case
    dout = upstream(x, w, stride, padding, dilation)
    expected = autograd(x, w, b, dout, stride, padding, dilation)
    got = conv.conv2d_backward(dout, x, w, stride, padding, dilation)
    for name, g, e in zip(("dx", "dw", "db"), got, expected):
        assert_close(g, e, atol=1e-9, name=name)


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_dx_is_the_dilated_dout_correlated_with_the_rotated_kernel(case):
    x, w, _, stride, padding, dilation = case
    dout = upstream(x, w, stride, padding, dilation)
    dx, _, _ = conv.conv2d_backward(dout, x, w, stride, padding, dilation)
    rotated = conv.conv2d_backward_input_rotated(dout, w, x.shape, stride, padding, dilation)
    assert_close(rotated, dx, atol=1e-9)


def test_dilate_inserts_stride_minus_one_zeros():
    assert np.array_equal(
        conv.dilate(np.array([[1.0, 2.0], [3.0, 4.0]]), 2), [[1, 0, 2], [0, 0, 0], [3, 0, 4]]
    )


def test_dout_of_the_wrong_shape_names_the_settings():
    x, w = np.ones((1, 1, 6, 6)), np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match="same stride, padding and dilation"):
        conv.conv2d_backward(np.ones((1, 1, 4, 4)), x, w, stride=2)
