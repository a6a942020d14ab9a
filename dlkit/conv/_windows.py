"""What every method of dlkit.conv shares: argument checks, padding and sliding windows."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def pair(value, name, function, minimum=1):
    """``value`` as a pair of ints ``(along height, along width)``: an int counts for both."""
    if isinstance(value, tuple | list) and len(value) == 2:
        values = tuple(value)
    else:
        values = (value, value)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < minimum:
            raise ValueError(
                f"{function}: {name} must be an integer >= {minimum} or a pair of them, "
                f"got {value!r}"
            )
    return int(values[0]), int(values[1])


def images(x, function, name="x"):
    """``x`` as a float array of shape (N, C, H, W), or ValueError saying what to pass."""
    x = np.asarray(x)
    if x.dtype != object:
        x = x.astype(float, copy=False)
    if x.ndim != 4:
        raise ValueError(
            f"{function}: {name} must be a batch of images of shape (N, C, H, W), got shape "
            f"{x.shape}; add axes with x[None, None] for a single 2-D image"
        )
    return x


def kernels(w, c_in, function, name="w"):
    """``w`` as a float array (C_out, C_in, kh, kw) whose C_in matches the input's channels."""
    w = np.asarray(w)
    if w.dtype != object:
        w = w.astype(float, copy=False)
    if w.ndim != 4 or w.shape[1] != c_in:
        raise ValueError(
            f"{function}: {name} must have shape (C_out, {c_in}, kh, kw) for an input with "
            f"{c_in} channels, got shape {w.shape}"
        )
    return w


def bias(b, c_out, function):
    """``b`` as a float array (C_out,), or None."""
    if b is None:
        return None
    b = np.asarray(b, dtype=float)
    if b.shape != (c_out,):
        raise ValueError(f"{function}: b must have shape ({c_out},), got {b.shape}")
    return b


def pad(x, padding, value=0.0):
    """Pad the last two axes of x by ``padding = (ph, pw)`` on both sides with ``value``."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, constant_values=value)


def output_shape(H, W, kernel, stride, padding, dilation, function):
    """``(H_out, W_out)`` of a sliding window, or ValueError when the window does not fit."""
    sizes = []
    for n, k, s, p, d in zip((H, W), kernel, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        if span < 0:
            raise ValueError(
                f"{function}: a kernel of {k} with dilation {d} spans {d * (k - 1) + 1} pixels, "
                f"more than the padded input {n} + 2 * {p}; pad more or use a smaller kernel"
            )
        sizes.append(span // s + 1)
    return tuple(sizes)


def windows(x, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), pad_value=0.0):
    """Every window of the padded x as a strided view (no copy).

    x (..., H, W) -> (..., H_out, W_out, kh, kw): element ``[..., i, j, a, b]`` is the padded
    input at row ``i s_h + a d_h`` and column ``j s_w + b d_w``.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    xp = pad(x, padding, pad_value)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(xp, span, axis=(-2, -1))  # (..., H', W', span_h, span_w)
    return view[..., ::sh, ::sw, ::dh, ::dw]  # (..., H_out, W_out, kh, kw)


def scatter_windows(cols, shape, kernel, stride, padding, dilation):
    """The adjoint of :func:`windows`: add each window's values back where they came from.

    cols (..., H_out, W_out, kh, kw) -> (..., H, W), overlapping windows accumulate (+=),
    the padding is cropped. One vectorised add per kernel offset (kh kw of them).
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    *lead, H, W = shape
    H_out, W_out = cols.shape[-4], cols.shape[-3]
    out = np.zeros((*lead, H + 2 * ph, W + 2 * pw), dtype=cols.dtype)
    for a in range(kh):
        rows = slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh)
        for b in range(kw):
            columns = slice(b * dw, b * dw + sw * (W_out - 1) + 1, sw)
            out[..., rows, columns] += cols[..., a, b]
    return out[..., ph : ph + H, pw : pw + W]
