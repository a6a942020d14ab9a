"""im2col: convolution as one matrix product.

Every receptive field of the padded input becomes a column of the matrix

    cols[n, (c, a, b), l] = xp[n, c, i s + a d, j s + b d],   l = i W_out + j

of shape (N, C kh kw, L) with L = H_out W_out: rows in ``(c, a, b)`` order, which is
the order of ``torch.nn.functional.unfold`` and of a weight ``w.reshape(C_out, -1)``.
Then the convolution is ``w.reshape(C_out, C kh kw) @ cols`` (+ bias), reshaped to
(N, C_out, H_out, W_out): the im2col copy costs ``kh kw`` times the input's memory, in
exchange for one large, fast matrix product. ``col2im`` is its adjoint
(``F.fold``): overlapping entries are added back where they came from.
"""

import numpy as np

from dlkit.conv._windows import (
    bias,
    images,
    kernels,
    output_shape,
    pair,
    scatter_windows,
    windows,
)


def _settings(k, stride, padding, dilation, function):
    return (
        pair(k, "k", function),
        pair(stride, "stride", function),
        pair(padding, "padding", function, minimum=0),
        pair(dilation, "dilation", function),
    )


def im2col(x, k, stride=1, padding=0, dilation=1):
    """The receptive fields of x as columns: (N, C, H, W) -> (N, C kh kw, H_out W_out).

    Equals ``F.unfold(x, k, dilation, padding, stride)``: row ``c kh kw + a kw + b`` holds
    kernel offset (a, b) of channel c; column ``l = i W_out + j`` is output position (i, j).
    k, stride, padding and dilation are ints or (height, width) pairs.
    """
    fn = "im2col"
    x = images(x, fn)
    kernel, stride, padding, dilation = _settings(k, stride, padding, dilation, fn)
    N, C, H, W = x.shape
    H_out, W_out = output_shape(H, W, kernel, stride, padding, dilation, fn)
    view = windows(x, kernel, stride, padding, dilation)  # (N, C, H_out, W_out, kh, kw)
    view = view.transpose(0, 1, 4, 5, 2, 3)  # (N, C, kh, kw, H_out, W_out)
    return view.reshape(N, C * kernel[0] * kernel[1], H_out * W_out)  # a copy


def col2im(cols, x_shape, k, stride=1, padding=0, dilation=1):
    """The adjoint of :func:`im2col` (``F.fold``): (N, C kh kw, L) -> x_shape (N, C, H, W).

    Each column entry is added to the input pixel it was read from, so a pixel inside
    several windows receives the sum; ``col2im(im2col(x))`` is x times the number of
    windows covering each pixel.
    """
    fn = "col2im"
    kernel, stride, padding, dilation = _settings(k, stride, padding, dilation, fn)
    if len(x_shape) != 4:
        raise ValueError(f"{fn}: x_shape must be (N, C, H, W), got {x_shape!r}")
    N, C, H, W = (int(s) for s in x_shape)
    H_out, W_out = output_shape(H, W, kernel, stride, padding, dilation, fn)
    cols = np.asarray(cols, dtype=float)
    expected = (N, C * kernel[0] * kernel[1], H_out * W_out)
    if cols.shape != expected:
        raise ValueError(
            f"{fn}: cols must have shape {expected} for x_shape {x_shape}, got {cols.shape}"
        )
    blocks = cols.reshape(N, C, *kernel, H_out, W_out).transpose(0, 1, 4, 5, 2, 3)
    return scatter_windows(blocks, (N, C, H, W), kernel, stride, padding, dilation)


def columns(x, kernel, stride, padding, dilation):
    """The im2col matrix of the whole batch in GEMM layout: (C kh kw, N H_out W_out).

    Rows in ``(c, a, b)`` order as in :func:`im2col`, columns ``(n, i, j)``; the copy runs
    over contiguous output rows, which makes it several times faster than the
    (N, C kh kw, L) layout for small kernels.
    """
    N, C = x.shape[:2]
    view = windows(x, kernel, stride, padding, dilation)  # (N, C, H_out, W_out, kh, kw)
    H_out, W_out = view.shape[2:4]
    cols = view.transpose(1, 4, 5, 0, 2, 3)  # (C, kh, kw, N, H_out, W_out)
    return cols.reshape(C * kernel[0] * kernel[1], N * H_out * W_out), (H_out, W_out)


def conv2d_im2col(x, w, b=None, stride=1, padding=0, dilation=1):
    """Multi-channel cross-correlation (``F.conv2d``) as one matrix product over im2col.

    x (N, C_in, H, W), w (C_out, C_in, kh, kw), b (C_out,) or None ->
    (N, C_out, H_out, W_out) = ``w.reshape(C_out, C_in kh kw) @ cols`` (+ b), with the
    im2col matrix of the whole batch (C_in kh kw, N H_out W_out): one GEMM for the batch.
    """
    fn = "conv2d_im2col"
    x = images(x, fn)
    w = kernels(w, x.shape[1], fn)
    b = bias(b, w.shape[0], fn)
    kernel, stride, padding, dilation = _settings(w.shape[2:], stride, padding, dilation, fn)
    output_shape(*x.shape[2:], kernel, stride, padding, dilation, fn)
    cols, (H_out, W_out) = columns(x, kernel, stride, padding, dilation)
    out = w.reshape(w.shape[0], -1) @ cols  # (C_out, N H_out W_out): one GEMM
    if b is not None:
        out += b[:, None]
    return out.reshape(w.shape[0], x.shape[0], H_out, W_out).transpose(1, 0, 2, 3)
