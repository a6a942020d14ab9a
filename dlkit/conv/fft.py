"""Convolution by the FFT: a product of spectra instead of a sum over the kernel.

The DFT turns *circular* convolution into a product, ``DFT(x (*) g) = DFT(x) DFT(g)``.
To get the *linear* convolution, both arrays are zero-padded to at least
``(H + kh - 1, W + kw - 1)``: then no product wraps around the border. The valid part of
the full convolution (rows ``kh - 1 .. H - 1``) is what ``correlate2d(x, flipped g)``
returns, so cross-correlation uses the flipped kernel. The cost is
``O(H W log(H W))`` whatever the kernel size, against ``O(H W kh kw)`` for the direct
methods: the FFT wins for large kernels.
"""

import numpy as np
import scipy.fft

from dlkit.conv._windows import bias, images, kernels, pad, pair


def _spectral_shape(H, W, kh, kw):
    """A fast FFT size at least the linear-convolution size (H + kh - 1, W + kw - 1)."""
    return (
        scipy.fft.next_fast_len(H + kh - 1, real=True),
        scipy.fft.next_fast_len(W + kw - 1, real=True),
    )


def fft_conv2d(x, kernel, correlate=True, mode="valid"):
    """2-D cross-correlation (``correlate=True``) or convolution of x with one kernel.

    x (..., H, W) (a single image or a stack), kernel (kh, kw). mode ``"valid"``:
    (..., H - kh + 1, W - kw + 1); ``"full"``: every overlap, (..., H + kh - 1, W + kw - 1).
    Real output, matching ``scipy.signal.correlate2d(x, kernel, mode)`` (or
    ``convolve2d`` / ``fftconvolve``) on each image.
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim < 2 or kernel.ndim != 2:
        raise ValueError(
            f"fft_conv2d: x must be (..., H, W) and kernel (kh, kw), got shapes {x.shape} and "
            f"{kernel.shape}"
        )
    if mode not in ("valid", "full"):
        raise ValueError(f"fft_conv2d: mode must be 'valid' or 'full', got {mode!r}")
    (H, W), (kh, kw) = x.shape[-2:], kernel.shape
    if 0 in kernel.shape or (mode == "valid" and (kh > H or kw > W)):
        raise ValueError(
            f"fft_conv2d: the kernel {kernel.shape} must be non-empty and, in 'valid' mode, "
            f"fit in the image {(H, W)}"
        )
    if correlate:
        kernel = kernel[::-1, ::-1]  # correlation = convolution with the flipped kernel
    shape = _spectral_shape(H, W, kh, kw)  # zero padding: no circular wrap-around
    spectrum = scipy.fft.rfft2(x, s=shape) * scipy.fft.rfft2(kernel, s=shape)
    full = scipy.fft.irfft2(spectrum, s=shape)  # (..., >= H + kh - 1, >= W + kw - 1)
    if mode == "full":
        return full[..., : H + kh - 1, : W + kw - 1]
    return full[..., kh - 1 : H, kw - 1 : W]  # the valid part


def conv2d_fft(x, w, b=None, padding=0):
    """Multi-channel cross-correlation (``F.conv2d``, stride 1) through the FFT.

    x (N, C_in, H, W), w (C_out, C_in, kh, kw) -> (N, C_out, H_out, W_out): the spectra of
    every channel are multiplied and summed over C_in (a matrix product per frequency).
    """
    fn = "conv2d_fft"
    x = images(x, fn)
    w = kernels(w, x.shape[1], fn)
    b = bias(b, w.shape[0], fn)
    x = pad(x, pair(padding, "padding", fn, minimum=0))
    (H, W), (kh, kw) = x.shape[2:], w.shape[2:]
    if kh > H or kw > W:
        raise ValueError(f"{fn}: the kernel {(kh, kw)} does not fit in the padded input {(H, W)}")
    shape = _spectral_shape(H, W, kh, kw)
    X = scipy.fft.rfft2(x, s=shape)  # (N, C_in, F1, F2)
    K = scipy.fft.rfft2(w[:, :, ::-1, ::-1], s=shape)  # (C_out, C_in, F1, F2)
    Y = np.einsum("ncuv,ocuv->nouv", X, K)  # (N, C_out, F1, F2)
    out = scipy.fft.irfft2(Y, s=shape)[:, :, kh - 1 : H, kw - 1 : W]
    return out if b is None else out + b[:, None, None]
