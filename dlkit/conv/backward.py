"""The backward pass of a convolution layer ``out = conv2d(x, w, b, stride, padding, dilation)``.

For an upstream gradient ``dout = dL/dout`` of shape (N, C_out, H_out, W_out):

    db[o]          = sum_{n, i, j} dout[n, o, i, j]                       (C_out,)
    dw[o, c, a, q] = sum_{n, i, j} dout[n, o, i, j] xp[n, c, i s + a d, j s + q d]
    dxp[n, c, m, r] = sum over (o, a, q, i, j) with i s + a d = m and j s + q d = r
                      of dout[n, o, i, j] w[o, c, a, q]

dw is a correlation of the input with dout; dx is a *full* correlation of dout, dilated
by the stride (s - 1 zeros between its entries), with the kernel rotated by 180 degrees
and its channel axes swapped: each input pixel collects the gradient of every output
whose window covered it. :func:`conv2d_backward` computes it by scattering the window
gradients back (the adjoint of im2col); :func:`conv2d_backward_input_rotated` computes it
the textbook way, which the tests show agree.
"""

import numpy as np

from dlkit.conv._windows import images, kernels, output_shape, pad, pair, scatter_windows
from dlkit.conv.direct import conv2d_direct, flip_kernel
from dlkit.conv.im2col import columns


def _settings(stride, padding, dilation, function):
    return (
        pair(stride, "stride", function),
        pair(padding, "padding", function, minimum=0),
        pair(dilation, "dilation", function),
    )


def _upstream(dout, x_shape, w, stride, padding, dilation, function):
    N, _, H, W = x_shape
    H_out, W_out = output_shape(H, W, w.shape[2:], stride, padding, dilation, function)
    dout = np.asarray(dout, dtype=float)
    expected = (N, w.shape[0], H_out, W_out)
    if dout.shape != expected:
        raise ValueError(
            f"{function}: dout must have the output's shape {expected}, got {dout.shape}; "
            "pass the same stride, padding and dilation as the forward pass"
        )
    return dout


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1):
    """Gradients ``(dx, dw, db)`` of a convolution layer, given ``dout = dL/dout``.

    dout (N, C_out, H_out, W_out), x (N, C_in, H, W), w (C_out, C_in, kh, kw) ->
    dx (N, C_in, H, W), dw (C_out, C_in, kh, kw), db (C_out,). With the im2col matrix
    ``cols`` (C_in kh kw, N L) and dout as G (C_out, N L): db sums G over the batch and
    every position, ``dw = G cols^T``, and dx scatters the window gradients ``W^T G`` back
    over the windows (col2im), adding where they overlap and cropping the padding.
    """
    fn = "conv2d_backward"
    x = images(x, fn)
    w = kernels(w, x.shape[1], fn)
    stride, padding, dilation = _settings(stride, padding, dilation, fn)
    dout = _upstream(dout, x.shape, w, stride, padding, dilation, fn)
    N, C_in, H, W = x.shape
    C_out, _, kh, kw = w.shape
    cols, (H_out, W_out) = columns(x, (kh, kw), stride, padding, dilation)  # (C kh kw, N L)
    grad = dout.transpose(1, 0, 2, 3).reshape(C_out, -1)  # (C_out, N L)
    db = grad.sum(axis=1)  # (C_out,): over the batch and every position
    dw = (grad @ cols.T).reshape(w.shape)  # (C_out, C_in, kh, kw)
    dcols = w.reshape(C_out, -1).T @ grad  # (C_in kh kw, N L): each window's gradient
    dcols = dcols.reshape(C_in, kh, kw, N, H_out, W_out).transpose(3, 0, 4, 5, 1, 2)
    dx = scatter_windows(dcols, x.shape, (kh, kw), stride, padding, dilation)  # (N, C_in, H, W)
    return dx, dw, db


def dilate(dout, stride):
    """Insert ``s - 1`` zeros between neighbouring entries of the last two axes:
    (..., H, W) -> (..., s_h (H - 1) + 1, s_w (W - 1) + 1)."""
    sh, sw = pair(stride, "stride", "dilate")
    dout = np.asarray(dout, dtype=float)
    *lead, H, W = dout.shape
    out = np.zeros((*lead, sh * (H - 1) + 1, sw * (W - 1) + 1))
    out[..., ::sh, ::sw] = dout
    return out


def conv2d_backward_input_rotated(dout, w, x_shape, stride=1, padding=0, dilation=1):
    """dL/dx the textbook way: the dilated dout, zero-padded by ``d (k - 1)``, correlated
    with the 180-degree rotated kernel whose in and out channels are swapped.

    That gives the gradient of the padded input's rows ``0 .. s (H_out - 1) + d (k - 1)``;
    rows the forward windows never reached get 0, and the padding ``p`` is cropped.
    """
    fn = "conv2d_backward_input_rotated"
    if len(x_shape) != 4:
        raise ValueError(f"{fn}: x_shape must be (N, C, H, W), got {x_shape!r}")
    w = np.asarray(w, dtype=float)
    w = kernels(w, x_shape[1], fn)
    stride, padding, dilation = _settings(stride, padding, dilation, fn)
    dout = _upstream(dout, x_shape, w, stride, padding, dilation, fn)
    (kh, kw), (ph, pw), (dh, dw_) = w.shape[2:], padding, dilation
    spread = pad(dilate(dout, stride), (dh * (kh - 1), dw_ * (kw - 1)))
    rotated = flip_kernel(w).transpose(1, 0, 2, 3)  # (C_in, C_out, kh, kw)
    reached = conv2d_direct(spread, rotated, dilation=dilation)  # (N, C_in, rows, cols)
    N, C, H, W = x_shape
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    dxp[:, :, : reached.shape[2], : reached.shape[3]] = reached
    return dxp[:, :, ph : ph + H, pw : pw + W]
