"""Depthwise separable convolution: a k x k filter per channel, then a 1 x 1 mix.

A standard layer mixes space and channels at once with ``k^2 C_in C_out`` weights. The
separable factorisation (MobileNet) first filters each input channel on its own
(*depthwise*, ``groups = C_in``: ``k^2 C_in`` weights) and then mixes channels at each
pixel (*pointwise*, a 1 x 1 convolution: ``C_in C_out`` weights), so it costs
``1 / C_out + 1 / k^2`` of the standard layer's multiply-adds.
"""

import numpy as np

from dlkit.conv._windows import bias, images, output_shape, pair, windows


def depthwise_conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Each channel correlated with its own filter (``F.conv2d(..., groups=C)``).

    x (N, C, H, W), w (C, 1, kh, kw), b (C,) or None -> (N, C, H_out, W_out);
    ``out[n, c] = correlate(x[n, c], w[c, 0])``: no sum over channels.
    """
    fn = "depthwise_conv2d"
    x = images(x, fn)
    w = np.asarray(w, dtype=float)
    C = x.shape[1]
    if w.ndim != 4 or w.shape[:2] != (C, 1):
        raise ValueError(
            f"{fn}: w must have shape ({C}, 1, kh, kw) for {C} channels, got {w.shape}"
        )
    b = bias(b, C, fn)
    stride, padding = pair(stride, "stride", fn), pair(padding, "padding", fn, minimum=0)
    dilation = pair(dilation, "dilation", fn)
    output_shape(*x.shape[2:], w.shape[2:], stride, padding, dilation, fn)
    view = windows(x, w.shape[2:], stride, padding, dilation)  # (N, C, H_out, W_out, kh, kw)
    out = np.einsum("nchwab,cab->nchw", view, w[:, 0])
    return out if b is None else out + b[:, None, None]


def pointwise_conv2d(x, w, b=None):
    """A 1 x 1 convolution, a channel mix at every pixel: x (N, C_in, H, W), w (C_out, C_in,
    1, 1) -> (N, C_out, H, W), ``out[n, o] = sum_c w[o, c] x[n, c]``."""
    fn = "pointwise_conv2d"
    x = images(x, fn)
    w = np.asarray(w, dtype=float)
    if w.ndim != 4 or w.shape[1:] != (x.shape[1], 1, 1):
        raise ValueError(f"{fn}: w must have shape (C_out, {x.shape[1]}, 1, 1), got {w.shape}")
    b = bias(b, w.shape[0], fn)
    out = np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x)
    return out if b is None else out + b[:, None, None]


def depthwise_separable_conv(x, w_dw, w_pw, b_dw=None, b_pw=None, stride=1, padding=0, dilation=1):
    """Depthwise then pointwise: ``pointwise_conv2d(depthwise_conv2d(x, w_dw), w_pw)``.

    x (N, C_in, H, W), w_dw (C_in, 1, k, k), w_pw (C_out, C_in, 1, 1) ->
    (N, C_out, H_out, W_out); stride, padding and dilation apply to the depthwise stage.
    """
    depth = depthwise_conv2d(x, w_dw, b_dw, stride, padding, dilation)
    return pointwise_conv2d(depth, w_pw, b_pw)
