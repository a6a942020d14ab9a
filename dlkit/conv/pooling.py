"""Max, average and global pooling, forward and backward, channel by channel.

Max pooling keeps the largest value of each k x k window; its backward pass routes the
whole upstream gradient to that one input (ties go to the *first* maximum in row-major
order, as in torch) and **adds** where windows overlap (k > stride). Average pooling
divides by the window size k^2 (zero padding counted, torch's default); its backward
spreads ``dout / k^2`` over the window, again adding where windows overlap.
"""

import numpy as np

from dlkit.conv._windows import images, output_shape, pair, scatter_windows, windows


def _settings(k, stride, padding, function):
    kernel = pair(k, "k", function)
    stride = kernel if stride is None else pair(stride, "stride", function)
    padding = pair(padding, "padding", function, minimum=0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{function}: padding {padding} must be at most half the window {kernel}")
    return kernel, stride, padding


def maxpool2d(x, k, stride=None, padding=0):
    """Max pooling: ``(out, argmax)``.

    x (N, C, H, W) -> out (N, C, H_out, W_out); argmax (N, C, H_out, W_out) holds the index
    ``row W + col`` of each maximum in its (unpadded) H x W plane, as
    ``F.max_pool2d(..., return_indices=True)``. stride defaults to k; padding pads with -inf.
    """
    fn = "maxpool2d"
    x = images(x, fn)
    kernel, stride, padding = _settings(k, stride, padding, fn)
    N, C, H, W = x.shape
    H_out, W_out = output_shape(H, W, kernel, stride, padding, (1, 1), fn)
    view = windows(x, kernel, stride, padding, pad_value=-np.inf)  # (N, C, H_out, W_out, kh, kw)
    flat = view.reshape(N, C, H_out, W_out, kernel[0] * kernel[1])
    best = np.argmax(flat, axis=-1)  # the first maximum of each window, row-major
    out = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    a, b = np.divmod(best, kernel[1])  # offset of the maximum inside its window
    rows = np.arange(H_out)[:, None] * stride[0] + a - padding[0]  # (N, C, H_out, W_out)
    cols = np.arange(W_out)[None, :] * stride[1] + b - padding[1]
    return out, rows * W + cols


def maxpool2d_backward(dout, argmax, x_shape):
    """dL/dx of max pooling: each ``dout`` entry is added to the input its window picked.

    dout and argmax (N, C, H_out, W_out) (argmax as :func:`maxpool2d` returns it) ->
    dx of shape x_shape (N, C, H, W). Overlapping windows that pick the same input
    accumulate their gradients.
    """
    fn = "maxpool2d_backward"
    if len(x_shape) != 4:
        raise ValueError(f"{fn}: x_shape must be (N, C, H, W), got {x_shape!r}")
    N, C, H, W = (int(s) for s in x_shape)
    dout = np.asarray(dout, dtype=float)
    argmax = np.asarray(argmax)
    if dout.shape != argmax.shape or dout.shape[:2] != (N, C):
        raise ValueError(
            f"{fn}: dout {dout.shape} and argmax {argmax.shape} must have the same shape "
            f"(N, C, H_out, W_out) with (N, C) = {(N, C)}"
        )
    if argmax.size and (argmax.min() < 0 or argmax.max() >= H * W):
        raise ValueError(f"{fn}: argmax entries must index an {H} x {W} plane (0 .. {H * W - 1})")
    planes = np.arange(N * C).reshape(N, C, 1, 1) * (H * W)  # where each plane starts
    flat = (planes + argmax.astype(np.int64)).ravel()
    dx = np.bincount(flat, weights=dout.ravel(), minlength=N * C * H * W)  # adds duplicates
    return dx.reshape(N, C, H, W)


def avgpool2d(x, k, stride=None, padding=0):
    """Average pooling (zero padding counted in the k^2): (N, C, H, W) -> (N, C, H_out, W_out)."""
    fn = "avgpool2d"
    x = images(x, fn)
    kernel, stride, padding = _settings(k, stride, padding, fn)
    output_shape(*x.shape[2:], kernel, stride, padding, (1, 1), fn)
    return windows(x, kernel, stride, padding).mean(axis=(-2, -1))


def avgpool2d_backward(dout, x_shape, k, stride=None, padding=0):
    """dL/dx of :func:`avgpool2d`: ``dout / k^2`` added to every input of each window."""
    fn = "avgpool2d_backward"
    if len(x_shape) != 4:
        raise ValueError(f"{fn}: x_shape must be (N, C, H, W), got {x_shape!r}")
    kernel, stride, padding = _settings(k, stride, padding, fn)
    x_shape = tuple(int(s) for s in x_shape)
    H_out, W_out = output_shape(*x_shape[2:], kernel, stride, padding, (1, 1), fn)
    dout = np.asarray(dout, dtype=float)
    if dout.shape != (*x_shape[:2], H_out, W_out):
        raise ValueError(
            f"{fn}: dout must have shape {(*x_shape[:2], H_out, W_out)}, got {dout.shape}"
        )
    share = dout / (kernel[0] * kernel[1])  # (N, C, H_out, W_out)
    cols = np.broadcast_to(share[..., None, None], (*share.shape, *kernel))
    return scatter_windows(cols, x_shape, kernel, stride, padding, (1, 1))


def global_avg_pool(x):
    """The mean of each feature map: (N, C, H, W) -> (N, C)."""
    return images(x, "global_avg_pool").mean(axis=(2, 3))


def global_max_pool(x):
    """The maximum of each feature map: (N, C, H, W) -> (N, C)."""
    return images(x, "global_max_pool").max(axis=(2, 3))
