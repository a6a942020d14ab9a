"""Noisy labels and data augmentation: label flips, integer image shifts, mixup.

Every random function takes ``seed``: an int or a ``numpy.random.Generator`` (then it
draws from that generator). Inputs are never modified; the results are new arrays.
"""

import numpy as np


def one_hot(labels, n_classes):
    """Class indices (n,) in 0..K-1 as one-hot rows (n, K) of 0.0 and 1.0."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"one_hot: labels must be a 1-D array of ints, got {labels.dtype} "
            f"of shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{n_classes - 1}")
    return np.eye(n_classes)[labels]


def label_noise(y, rate, seed=0, n_classes=None):
    """Labels with a fraction ``rate`` of them flipped to another class; returns a new array.

    Exactly ``round(rate n)`` rows, chosen without replacement, get a label drawn
    uniformly from the ``K - 1`` *other* classes (K = ``n_classes``, default
    ``max(y) + 1``), so ``np.mean(y_noisy != y) == round(rate n) / n``.
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"label_noise: y must be a 1-D array of int labels, got {y.dtype} of shape {y.shape}"
        )
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"label_noise: rate must lie in [0, 1], got {rate}")
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if k < 2 or (y.size and (y.min() < 0 or y.max() >= k)):
        raise ValueError(f"label_noise: labels must lie in 0..K-1 with K = {k} >= 2 classes")
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(y), size=round(rate * len(y)), replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, k, size=len(flipped))) % k  # never y itself
    return noisy


def translate(images, dy, dx):
    """Images moved by whole pixels, ``dy`` down and ``dx`` right, with zeros filling in.

    images (n, H, W) or (n, C, H, W); dy, dx: ints, or int arrays (n,) for one shift per
    image. ``out[..., r, c] = image[..., r - dy, c - dx]`` where that pixel exists, else 0
    (``np.roll`` would instead wrap the pixels that leave one side around to the other).
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"translate: expected images (n, H, W) or (n, C, H, W), got {images.shape}"
        )
    n, (H, W) = len(images), images.shape[-2:]
    dy = np.broadcast_to(np.asarray(dy, dtype=int), (n,))
    dx = np.broadcast_to(np.asarray(dx, dtype=int), (n,))
    rows = np.arange(H)[None, :] - dy[:, None]  # (n, H): source row of each output row
    cols = np.arange(W)[None, :] - dx[:, None]  # (n, W)
    inside = ((rows >= 0) & (rows < H))[:, :, None] & ((cols >= 0) & (cols < W))[:, None, :]
    batch = np.arange(n)[:, None, None]
    source = images.reshape(n, -1, H, W)  # (n, C, H, W), C = 1 for (n, H, W)
    moved = source[
        batch, :, np.clip(rows, 0, H - 1)[:, :, None], np.clip(cols, 0, W - 1)[:, None, :]
    ]
    # advanced indexing puts the batch axes first: moved is (n, H, W, C)
    moved = np.moveaxis(moved, -1, 1) * inside[:, None]  # (n, C, H, W), zeros outside
    return moved.reshape(images.shape).astype(images.dtype, copy=False)


def random_shift(images, max_shift, seed=0, return_shifts=False):
    """Each image moved by its own random integer shift, zero-filled (augmentation, eq 7.5).

    The vertical and horizontal shifts are independent and uniform on
    ``{-max_shift, ..., max_shift}`` (both ends included), so each of the
    ``(2 max_shift + 1)^2`` moves has the same probability. images (n, H, W) or
    (n, C, H, W). With ``return_shifts`` also returns the (n, 2) array of ``(dy, dx)``.
    """
    if not isinstance(max_shift, int | np.integer) or max_shift < 0:
        raise ValueError(f"random_shift: max_shift must be an int >= 0, got {max_shift!r}")
    images = np.asarray(images)
    rng = np.random.default_rng(seed)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))  # (n, 2)
    moved = translate(images, shifts[:, 0], shifts[:, 1])
    return (moved, shifts) if return_shifts else moved


def mixup(x, y, alpha, seed=0):
    """Mixup (eq 7.16-7.17) of one batch: ``(x_mix, y_mix, lam, perm)``.

    One ``lam ~ Beta(alpha, alpha)`` for the batch and a random permutation ``perm`` of
    its rows: ``x_mix = lam x + (1 - lam) x[perm]`` and ``y_mix = lam y + (1 - lam) y[perm]``
    with the **same** lam on both. x (n, ...), y (n, K) one-hot or soft targets (integer
    labels cannot be mixed: convert them with :func:`one_hot`). Rows of y_mix sum to 1.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if y.ndim != 2 or len(y) != len(x):
        raise ValueError(
            f"mixup: y must hold one row of class probabilities per example, shape "
            f"({len(x)}, K), got {y.shape}; convert integer labels with one_hot(y, K)"
        )
    if not alpha > 0:
        raise ValueError(f"mixup: alpha must be > 0, got {alpha}")
    rng = np.random.default_rng(seed)
    lam = float(rng.beta(alpha, alpha))
    perm = rng.permutation(len(x))
    y = y.astype(float)
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm], lam, perm
