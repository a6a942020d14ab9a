"""dlkit.conv.separable against F.conv2d(groups=C) followed by a 1 x 1 convolution."""

import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import given, settings

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import conv_cases, t


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_depthwise_then_pointwise_matches_torch(case):
    x, w, b, stride, padding, dilation = case
    C, C_out = x.shape[1], w.shape[0]
    rng = np.random.default_rng(0)
    w_dw, w_pw = rng.normal(size=(C, 1, *w.shape[2:])), rng.normal(size=(C_out, C, 1, 1))
    b_dw = rng.normal(size=C)
    depth = F.conv2d(t(x), t(w_dw), t(b_dw), stride, padding, dilation, groups=C)
    expected = F.conv2d(depth, t(w_pw), t(b)).numpy()
    got = conv.depthwise_separable_conv(x, w_dw, w_pw, b_dw, b, stride, padding, dilation)
    assert_close(got, expected, atol=1e-9)


def test_bad_shapes():
    with pytest.raises(ValueError, match=r"\(3, 1, kh, kw\)"):
        conv.depthwise_conv2d(np.ones((1, 3, 5, 5)), np.ones((3, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"\(C_out, 3, 1, 1\)"):
        conv.pointwise_conv2d(np.ones((1, 3, 5, 5)), np.ones((4, 3, 3, 3)))
