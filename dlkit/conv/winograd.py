"""Winograd's minimal filtering: F(2, 3) in 1-D and F(2 x 2, 3 x 3) in 2-D.

F(2, 3) computes two outputs of a 3-tap correlation, ``y_i = sum_j d_{i + j} g_j``
(i = 0, 1), from a tile of four inputs with **4** multiplications instead of 6:

    y = A^T [ (G g) * (B^T d) ]          (* is element-wise)

    B^T = [[1, 0, -1, 0],  G = [[1,    0,   0 ],  A^T = [[1, 1,  1,  0],
           [0, 1,  1, 0],       [1/2,  1/2, 1/2],         [0, 1, -1, -1]]
           [0, -1, 1, 0],       [1/2, -1/2, 1/2],
           [0, 1,  0, -1]]      [0,    0,   1 ]]

``G g`` depends on the filter only (computed once), ``B^T d`` and ``A^T m`` use additions
only. Nesting it gives F(2 x 2, 3 x 3): ``Y = A^T [ (G g G^T) * (B^T d B) ] A`` turns a
4 x 4 input tile into a 2 x 2 output tile with 16 multiplications instead of 36 (2.25x
fewer). Tiles overlap by 2 (they advance by 2 outputs = 2 inputs); the last tile of an
odd-length output runs on zero padding and keeps only its first output.

Everything here also runs on object arrays (numbers that count their multiplications),
which is how ``benchmarks/conv.py`` counts them.
"""

import numpy as np

from dlkit.conv._windows import bias, images, kernels, pad, pair

_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=float)
_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=float)


def winograd_f23_matrices():
    """Fresh copies of ``(B^T (4, 4), G (4, 3), A^T (2, 4))`` of F(2, 3)."""
    return _BT.copy(), _G.copy(), _AT.copy()


def _array(value, ndim, name, function):
    array = np.asarray(value)
    if array.dtype != object:
        array = array.astype(float, copy=False)
    if array.ndim != ndim:
        raise ValueError(f"{function}: {name} must have {ndim} axes, got shape {array.shape}")
    return array


def winograd_f23_tile(d, g):
    """Two correlation outputs from four inputs d (4,) and a filter g (3,), 4 multiplications."""
    d, g = _array(d, 1, "d", "winograd_f23_tile"), _array(g, 1, "g", "winograd_f23_tile")
    if d.shape != (4,) or g.shape != (3,):
        raise ValueError(f"winograd_f23_tile: need d (4,) and g (3,), got {d.shape} and {g.shape}")
    return _AT @ ((_G @ g) * (_BT @ d))  # (2,)


def winograd_correlate1d(d, g):
    """Valid correlation of a signal d (n,) with a 3-tap filter g, tiled with F(2, 3).

    Equals ``np.correlate(d, g, "valid")`` (n - 2 outputs, n >= 3). Tiles start at inputs
    0, 2, 4, ...; when n - 2 is odd the input is zero-padded by one and the extra output
    dropped.
    """
    fn = "winograd_correlate1d"
    d, g = _array(d, 1, "d", fn), _array(g, 1, "g", fn)
    if g.shape != (3,) or len(d) < 3:
        raise ValueError(
            f"{fn}: need g of shape (3,) and at least 3 inputs, got {g.shape}, {d.shape}"
        )
    n_out = len(d) - 2
    tiles = -(-n_out // 2)  # ceil(n_out / 2)
    d = np.concatenate([d, np.zeros(2 * tiles + 2 - len(d), dtype=d.dtype)])  # the tail
    starts = 2 * np.arange(tiles)  # tiles advance by 2 (they overlap by 2)
    D = d[starts[:, None] + np.arange(4)]  # (tiles, 4)
    U = _G @ g  # (4,): the transformed filter, once
    V = D @ _BT.T  # (tiles, 4): B^T d for every tile
    Y = (U * V) @ _AT.T  # (tiles, 2)
    return Y.reshape(-1)[:n_out]


def winograd_tile_2d(d, g):
    """F(2 x 2, 3 x 3): a 2 x 2 output tile from a 4 x 4 input tile d and a 3 x 3 filter g,
    ``A^T [(G g G^T) * (B^T d B)] A`` with 16 multiplications."""
    fn = "winograd_tile_2d"
    d, g = _array(d, 2, "d", fn), _array(g, 2, "g", fn)
    if d.shape != (4, 4) or g.shape != (3, 3):
        raise ValueError(f"{fn}: need d (4, 4) and g (3, 3), got {d.shape} and {g.shape}")
    return _AT @ ((_G @ g @ _G.T) * (_BT @ d @ _BT.T)) @ _AT.T  # (2, 2)


def _tiles(x):
    """x (..., H, W) -> its 4 x 4 tiles (..., th, tw, 4, 4) advancing by 2, zero-padded."""
    H_out, W_out = x.shape[-2] - 2, x.shape[-1] - 2
    th, tw = -(-H_out // 2), -(-W_out // 2)
    widths = [(0, 0)] * (x.ndim - 2) + [
        (0, 2 * th + 2 - x.shape[-2]),
        (0, 2 * tw + 2 - x.shape[-1]),
    ]
    xp = np.pad(x, widths)  # (..., 2 th + 2, 2 tw + 2): the odd tails padded
    rows = (2 * np.arange(th))[:, None, None, None] + np.arange(4)[None, None, :, None]
    cols = (2 * np.arange(tw))[None, :, None, None] + np.arange(4)[None, None, None, :]
    return xp[..., rows, cols], (H_out, W_out)  # (..., th, tw, 4, 4)


def _untile(Y, H_out, W_out):
    """(..., th, tw, 2, 2) output tiles -> (..., H_out, W_out), the padded tail dropped."""
    *lead, th, tw, _, _ = Y.shape
    Y = np.swapaxes(Y, -3, -2).reshape(*lead, 2 * th, 2 * tw)  # (..., th, 2, tw, 2) -> rows, cols
    return Y[..., :H_out, :W_out]


def winograd_correlate2d(x, g):
    """Valid 2-D correlation of x (..., H, W) with a 3 x 3 filter, tiled with F(2 x 2, 3 x 3).

    Equals ``correlate2d(x, g)`` on each image: (..., H - 2, W - 2), H, W >= 3.
    """
    fn = "winograd_correlate2d"
    x, g = np.asarray(x), _array(g, 2, "g", fn)
    if x.dtype != object:
        x = x.astype(float, copy=False)
    if g.shape != (3, 3) or x.ndim < 2 or min(x.shape[-2:]) < 3:
        raise ValueError(
            f"{fn}: need g (3, 3) and x (..., H, W) with H, W >= 3, got {g.shape}, {x.shape}"
        )
    D, (H_out, W_out) = _tiles(x)  # (..., th, tw, 4, 4)
    U = _G @ g @ _G.T  # (4, 4), once
    V = _BT @ D @ _BT.T  # (..., th, tw, 4, 4)
    Y = _AT @ (U * V) @ _AT.T  # (..., th, tw, 2, 2)
    return _untile(Y, H_out, W_out)


def winograd_conv2d(x, w, b=None, padding=0):
    """Multi-channel 3 x 3 cross-correlation (``F.conv2d``, stride 1) with F(2 x 2, 3 x 3).

    x (N, C_in, H, W), w (C_out, C_in, 3, 3) -> (N, C_out, H + 2p - 2, W + 2p - 2). The
    element-wise products of the 1-channel case become, for each of the 16 tile
    frequencies, a matrix product over the input channels.
    """
    fn = "winograd_conv2d"
    x = images(x, fn)
    w = kernels(w, x.shape[1], fn)
    b = bias(b, w.shape[0], fn)
    if w.shape[2:] != (3, 3):
        raise ValueError(f"{fn}: Winograd F(2x2, 3x3) needs 3 x 3 kernels, got {w.shape[2:]}")
    x = pad(x, pair(padding, "padding", fn, minimum=0))
    if min(x.shape[2:]) < 3:
        raise ValueError(f"{fn}: the padded input {x.shape[2:]} is smaller than the kernel")
    D, (H_out, W_out) = _tiles(x)  # (N, C_in, th, tw, 4, 4)
    U = _G @ w @ _G.T  # (C_out, C_in, 4, 4)
    V = _BT @ D @ _BT.T  # (N, C_in, th, tw, 4, 4)
    M = np.einsum("ocuv,nctsuv->notsuv", U, V)  # (N, C_out, th, tw, 4, 4)
    out = _untile(_AT @ M @ _AT.T, H_out, W_out)  # (N, C_out, H_out, W_out)
    return out if b is None else out + b[:, None, None]
