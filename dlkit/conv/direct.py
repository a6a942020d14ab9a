"""Direct convolution: cross-correlation and true convolution, by looping over the kernel.

Deep learning's "convolution" is the cross-correlation (no flip; what ``F.conv2d`` and
``nn.Conv2d`` compute):

    S(i, j) = sum_{a, b} I(i + a, j + b) K(a, b)             (correlate2d)

and the convolution of signal processing flips the kernel by 180 degrees:

    S(i, j) = sum_{a, b} I(i - a, j - b) K(a, b)  =  correlate2d(I, K[::-1, ::-1])

The loops here run over the kh kw kernel offsets only; each offset is one vectorised
product over every output position (and channel), so the direct method costs
``kh kw`` array operations.
"""

import numpy as np

from dlkit.conv._windows import bias, images, kernels, output_shape, pad, pair

MODES = ("valid", "full")


def flip_kernel(kernel):
    """The kernel rotated by 180 degrees (both spatial axes reversed): ``K[..., ::-1, ::-1]``."""
    kernel = np.asarray(kernel)
    if kernel.ndim < 2:
        raise ValueError(f"flip_kernel: need at least 2 axes (kh, kw), got shape {kernel.shape}")
    return kernel[..., ::-1, ::-1]


def _plane(array, name, function):
    array = np.asarray(array)
    if array.dtype != object:
        array = array.astype(float, copy=False)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(
            f"{function}: {name} must be a non-empty 2-D array, got shape {array.shape}"
        )
    return array


def correlate2d(image, kernel, mode="valid"):
    """2-D cross-correlation of one image (H, W) with one kernel (kh, kw).

    mode ``"valid"``: windows inside the image, shape (H - kh + 1, W - kw + 1); ``"full"``:
    every overlap (the image zero-padded by k - 1), shape (H + kh - 1, W + kw - 1).
    Matches ``scipy.signal.correlate2d(image, kernel, mode)``.
    """
    image = _plane(image, "image", "correlate2d")
    kernel = _plane(kernel, "kernel", "correlate2d")
    if mode not in MODES:
        raise ValueError(f"correlate2d: mode must be one of {MODES}, got {mode!r}")
    kh, kw = kernel.shape
    if mode == "full":
        image = pad(image, (kh - 1, kw - 1))
    H, W = image.shape
    if kh > H or kw > W:
        raise ValueError(
            f"correlate2d: the kernel {kernel.shape} is larger than the image {image.shape} in "
            "'valid' mode; use mode='full' or a smaller kernel"
        )
    H_out, W_out = H - kh + 1, W - kw + 1
    out = np.zeros((H_out, W_out), dtype=np.result_type(image, kernel))
    for a in range(kh):
        for b in range(kw):
            out += image[a : a + H_out, b : b + W_out] * kernel[a, b]  # (H_out, W_out)
    return out


def convolve2d(image, kernel, mode="valid"):
    """2-D convolution (the kernel flipped): ``correlate2d(image, flip_kernel(kernel), mode)``.

    Matches ``scipy.signal.convolve2d(image, kernel, mode)``; commutative in "full" mode.
    """
    return correlate2d(image, flip_kernel(_plane(kernel, "kernel", "convolve2d")), mode)


def correlate1d(signal, kernel):
    """1-D valid cross-correlation ``y_i = sum_j x_{i + j} g_j``, length n - k + 1
    (``np.correlate(signal, kernel, "valid")``)."""
    signal, kernel = np.asarray(signal, dtype=float), np.asarray(kernel, dtype=float)
    if signal.ndim != 1 or kernel.ndim != 1 or not 1 <= len(kernel) <= len(signal):
        raise ValueError(
            f"correlate1d: need 1-D arrays with 1 <= len(kernel) <= len(signal), got shapes "
            f"{signal.shape} and {kernel.shape}"
        )
    return correlate2d(signal[None, :], kernel[None, :])[0]


def convolve1d(signal, kernel):
    """1-D valid convolution ``y_i = sum_j x_{i + k - 1 - j} g_j`` (``np.convolve``, "valid")."""
    return correlate1d(signal, np.asarray(kernel, dtype=float)[::-1])


def conv2d_direct(x, w, b=None, stride=1, padding=0, dilation=1):
    """Multi-channel cross-correlation (``F.conv2d``), one vectorised step per kernel offset.

    x (N, C_in, H, W), w (C_out, C_in, kh, kw), b (C_out,) or None ->
    (N, C_out, H_out, W_out) with

        out[n, o, i, j] = b[o] + sum_{c, a, q} xp[n, c, i s + a d, j s + q d] w[o, c, a, q]

    where xp is x zero-padded by ``padding``; stride, padding and dilation are ints or
    (height, width) pairs.
    """
    fn = "conv2d_direct"
    x = images(x, fn)
    w = kernels(w, x.shape[1], fn)
    b = bias(b, w.shape[0], fn)
    stride, padding = pair(stride, "stride", fn), pair(padding, "padding", fn, minimum=0)
    dilation = pair(dilation, "dilation", fn)
    (kh, kw), (sh, sw), (dh, dw) = w.shape[2:], stride, dilation
    H_out, W_out = output_shape(*x.shape[2:], (kh, kw), stride, padding, dilation, fn)
    xp = pad(x, padding)
    out = np.zeros((w.shape[0], x.shape[0], H_out, W_out), dtype=np.result_type(x, w))
    for a in range(kh):
        rows = slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh)
        for q in range(kw):
            columns = slice(q * dw, q * dw + sw * (W_out - 1) + 1, sw)
            patch = xp[:, :, rows, columns]  # (N, C_in, H_out, W_out)
            out += np.tensordot(w[:, :, a, q], patch, axes=([1], [1]))  # (C_out, N, H_out, W_out)
    out = out.transpose(1, 0, 2, 3)  # (N, C_out, H_out, W_out)
    return out if b is None else out + b[:, None, None]
