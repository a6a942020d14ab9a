"""dlkit.conv.pooling against F.max_pool2d (indices), F.avg_pool2d and autograd."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import t


@st.composite
def pool_cases(draw):
    k = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 4))
    padding = draw(st.integers(0, k // 2))
    H, W = (
        draw(st.integers(max(1, k - 2 * padding), 9)),
        draw(st.integers(max(1, k - 2 * padding), 9)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    ties = draw(st.booleans())  # small integers: many tied maxima
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), H, W)
    x = rng.integers(0, 3, shape).astype(float) if ties else rng.normal(size=shape)
    return x, k, stride, padding


@settings(max_examples=40, deadline=None)
@given(pool_cases())
def test_max_pooling_matches_torch_indices_and_gradients(case):
    x, k, stride, padding = case
    xt = t(x, True)
    out, indices = F.max_pool2d(xt, k, stride, padding, return_indices=True)
    got, argmax = conv.maxpool2d(x, k, stride, padding)
    assert_close(got, out.detach().numpy())
    assert np.array_equal(argmax, indices.numpy())  # ties: the first maximum, row-major
    dout = np.random.default_rng(0).normal(size=tuple(out.shape))
    (out * t(dout)).sum().backward()
    assert_close(conv.maxpool2d_backward(dout, argmax, x.shape), xt.grad.numpy())


@settings(max_examples=40, deadline=None)
@given(pool_cases())
def test_average_pooling_matches_torch(case):
    x, k, stride, padding = case
    xt = t(x, True)
    out = F.avg_pool2d(xt, k, stride, padding)
    assert_close(conv.avgpool2d(x, k, stride, padding), out.detach().numpy())
    dout = np.random.default_rng(0).normal(size=tuple(out.shape))
    (out * t(dout)).sum().backward()
    assert_close(conv.avgpool2d_backward(dout, x.shape, k, stride, padding), xt.grad.numpy())


def test_overlapping_windows_accumulate():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0  # the maximum of all four 3 x 3 windows (stride 2)
    _, argmax = conv.maxpool2d(x, 3, 2)
    assert np.all(argmax == 12)
    dx = conv.maxpool2d_backward(np.ones((1, 1, 2, 2)), argmax, x.shape)
    assert dx[0, 0, 2, 2] == 4.0 and dx.sum() == 4.0


def test_global_pooling():
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 5))
    assert_close(conv.global_avg_pool(x), torch.tensor(x).mean(dim=(2, 3)).numpy())
    assert_close(conv.global_max_pool(x), F.adaptive_max_pool2d(t(x), 1)[..., 0, 0].numpy())


def test_bad_input():
    with pytest.raises(ValueError, match="at most half the window"):
        conv.maxpool2d(np.ones((1, 1, 4, 4)), 2, padding=2)
    with pytest.raises(ValueError, match="index an 2 x 2 plane"):
        conv.maxpool2d_backward(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 9), (1, 1, 2, 2))
