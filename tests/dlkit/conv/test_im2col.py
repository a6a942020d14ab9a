"""dlkit.conv.im2col against torch's unfold, fold and conv2d; col2im is im2col's adjoint."""

import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import conv_cases, t, torch_conv


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_im2col_is_unfold_and_col2im_is_fold(case):
    x, w, _, stride, padding, dilation = case
    k = w.shape[2:]
    cols = conv.im2col(x, k, stride, padding, dilation)
    assert_close(cols, F.unfold(t(x), k, dilation, padding, stride).numpy())
    folded = F.fold(t(cols), x.shape[2:], k, dilation, padding, stride).numpy()
    assert_close(conv.col2im(cols, x.shape, k, stride, padding, dilation), folded)


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_col2im_is_the_adjoint_of_im2col(case):
    x, w, _, stride, padding, dilation = case
    k = w.shape[2:]
    cols = conv.im2col(x, k, stride, padding, dilation)
    other = np.random.default_rng(1).normal(size=cols.shape)
    # <im2col(x), y> = <x, col2im(y)> for every x and y
    left = np.sum(cols * other)
    right = np.sum(x * conv.col2im(other, x.shape, k, stride, padding, dilation))
    assert abs(left - right) <= 1e-9 * (1 + abs(left))


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_conv2d_im2col_matches_torch(case):
    x, w, b, stride, padding, dilation = case
    expected = torch_conv(x, w, b, stride, padding, dilation)
    assert_close(conv.conv2d_im2col(x, w, b, stride, padding, dilation), expected, atol=1e-9)


def test_rows_are_ordered_channel_then_kernel_row_then_column():
    x = np.arange(2 * 3 * 3, dtype=float).reshape(1, 2, 3, 3)
    cols = conv.im2col(x, 2)  # (1, 2 * 2 * 2, 4)
    assert cols.shape == (1, 8, 4)
    assert np.array_equal(cols[0, :, 0], [0, 1, 3, 4, 9, 10, 12, 13])  # (c, a, b) order


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match=r"cols must have shape \(1, 9, 4\)"):
        conv.col2im(np.ones((1, 9, 5)), (1, 1, 4, 4), 3)
    with pytest.raises(ValueError, match="x_shape must be"):
        conv.col2im(np.ones((1, 9, 4)), (4, 4), 3)
