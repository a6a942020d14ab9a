"""Translations of images: the operator T behind translation equivariance.

``shift(x, dy, dx)`` moves the content of the last two axes dy rows down and dx columns
right and fills the uncovered border with zeros. A convolution commutes with it,
``conv(T x) = T conv(x)`` away from the borders (equivariance); pooling over the whole
map turns that into invariance. ``place_on_canvas`` puts small images on a larger zero
canvas at chosen offsets: digits moved by a few pixels without losing any ink. The
zero-filled move itself is :func:`dlkit.data.translate` (module 09's augmentation).
"""

import numpy as np

from dlkit.data.augment import translate


def _offset(value, name):
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"shift: {name} must be an integer number of pixels, got {value!r}")
    return int(value)


def shift(x, dy, dx):
    """x (..., H, W) translated by dy rows and dx columns (positive: down and right),
    zero-filled; a fresh array of the same shape."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"shift: x must have at least 2 axes (..., H, W), got shape {x.shape}")
    dy, dx = _offset(dy, "dy"), _offset(dx, "dx")
    H, W = x.shape[-2:]
    return translate(x.reshape(1, -1, H, W), dy, dx).reshape(x.shape)  # one image, C = rest


def place_on_canvas(images, size, offsets=None):
    """Images (n, h, w) or (n, 1, h, w) centred on a zero canvas -> (n, 1, size, size).

    offsets (n, 2) of ints (dy, dx) move each image from the centre; every offset must keep
    the image on the canvas (``|dy| <= (size - h) // 2``, likewise for dx).
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(
            f"place_on_canvas: images must be (n, h, w) or (n, 1, h, w), got {images.shape}"
        )
    n, h, w = images.shape
    margin_y, margin_x = (size - h) // 2, (size - w) // 2
    if margin_y < 0 or margin_x < 0:
        raise ValueError(
            f"place_on_canvas: a canvas of {size} is smaller than the images ({h}, {w})"
        )
    offsets = np.zeros((n, 2), dtype=int) if offsets is None else np.asarray(offsets)
    if offsets.shape != (n, 2) or offsets.dtype.kind not in "iu":
        raise ValueError(
            f"place_on_canvas: offsets must be integers of shape ({n}, 2), got {offsets.shape}"
        )
    if np.any(np.abs(offsets[:, 0]) > margin_y) or np.any(np.abs(offsets[:, 1]) > margin_x):
        raise ValueError(
            f"place_on_canvas: offsets must stay within the margins ({margin_y}, {margin_x}) "
            "so that the images stay on the canvas"
        )
    canvas = np.zeros((n, 1, size, size))
    rows = margin_y + offsets[:, 0, None] + np.arange(h)  # (n, h)
    cols = margin_x + offsets[:, 1, None] + np.arange(w)  # (n, w)
    canvas[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]] = images
    return canvas


def random_offsets(n, max_shift, rng):
    """n offsets (dy, dx), each uniform on ``-max_shift .. max_shift``: (n, 2) ints."""
    if isinstance(max_shift, bool) or not isinstance(max_shift, int | np.integer) or max_shift < 0:
        raise ValueError(f"random_offsets: max_shift must be an integer >= 0, got {max_shift!r}")
    return rng.integers(-max_shift, max_shift + 1, size=(n, 2))


def shift_each(images, offsets):
    """Each image of a batch (n, ..., H, W) translated by its own offset ``offsets[i] = (dy,
    dx)`` (ints, shape (n, 2)), zero-filled: data augmentation by random shifts."""
    images = np.asarray(images, dtype=float)
    offsets = np.asarray(offsets)
    if images.ndim < 3 or offsets.shape != (len(images), 2) or offsets.dtype.kind not in "iu":
        raise ValueError(
            f"shift_each: need images (n, ..., H, W) and integer offsets (n, 2), got shapes "
            f"{images.shape} and {offsets.shape}"
        )
    H, W = images.shape[-2:]
    moved = translate(images.reshape(len(images), -1, H, W), offsets[:, 0], offsets[:, 1])
    return moved.reshape(images.shape)  # (n, ..., H, W) -> (n, C, H, W) and back
