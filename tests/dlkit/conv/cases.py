"""Random convolution settings for the dlkit.conv tests (hypothesis) and torch helpers."""

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st


@st.composite
def conv_cases(draw, max_channels=3, max_kernel=4):
    """``(x, w, b, stride, padding, dilation)`` for which the kernel fits the padded input;
    stride, padding and dilation are ints or (height, width) pairs."""
    n = draw(st.integers(1, 2))
    c_in, c_out = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    sizes = []
    for k, p, d in zip((kh, kw), padding, dilation):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        sizes.append(draw(st.integers(smallest, smallest + 6)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c_in, *sizes))
    w = rng.normal(size=(c_out, c_in, kh, kw))
    b = rng.normal(size=c_out)
    as_int = draw(st.booleans()) and stride[0] == stride[1]
    if as_int and padding[0] == padding[1] and dilation[0] == dilation[1]:
        return x, w, b, stride[0], padding[0], dilation[0]
    return x, w, b, stride, padding, dilation


def t(array, grad=False):
    """A float64 tensor copy of ``array``."""
    return torch.tensor(np.array(array, dtype=float), requires_grad=grad)


def torch_conv(x, w, b, stride, padding, dilation):
    return F.conv2d(t(x), t(w), None if b is None else t(b), stride, padding, dilation).numpy()
