"""Images for the course's examples: scikit-learn's bundled photograph, in grayscale."""

from functools import cache

import numpy as np

LUMINANCE = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 weights for R, G, B
DEFAULT_STRIDE = 2  # 427 x 640 -> 214 x 320: small enough for a fast SVD


def sample_image(size=None):
    """A grayscale photograph as a float64 array in [0, 1].

    Source: the photo ``china.jpg`` bundled with scikit-learn
    (``sklearn.datasets.load_sample_image``, 427 x 640 RGB, no download needed),
    converted to luminance ``Y = 0.299 R + 0.587 G + 0.114 B`` and scaled by 1/255.

    size: None for every 2nd row and column (214, 320); an int s for every s-th
    pixel (``s = 1`` is full resolution); or a pair (height, width) for a
    nearest-neighbour resize to that shape. Returns an array of shape (height, width).
    """
    gray = _china_luminance()  # (427, 640), shared and read-only
    if size is None:
        size = DEFAULT_STRIDE
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        if size < 1:
            raise ValueError(f"sample_image: a stride must be >= 1, got {size}")
        return gray[::size, ::size].copy()
    return _resize_nearest(gray, size)


@cache
def _china_luminance():
    """The full-size photo as luminance in [0, 1], decoded once per session and read-only."""
    from sklearn.datasets import load_sample_image  # imported lazily: sklearn is slow to load

    rgb = load_sample_image("china.jpg").astype(float) / 255.0  # (427, 640, 3)
    gray = rgb @ LUMINANCE  # (427, 640)
    gray.flags.writeable = False
    return gray


def _resize_nearest(image, size):
    """Nearest-neighbour resize of a (H, W) image to ``size = (height, width)``."""
    H, W = image.shape
    if not (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(isinstance(s, (int, np.integer)) for s in size)
        and 1 <= size[0] <= H
        and 1 <= size[1] <= W
    ):
        raise ValueError(
            f"sample_image: size must be None, an integer stride, or (height, width) "
            f"with 1 <= height <= {H} and 1 <= width <= {W}; got {size!r}"
        )
    rows = np.linspace(0, H - 1, size[0]).round().astype(int)  # (height,)
    cols = np.linspace(0, W - 1, size[1]).round().astype(int)  # (width,)
    return image[np.ix_(rows, cols)]  # (height, width), a fresh copy
