"""Data for the course's examples: images and data sets that need no network.

Everything here is either synthetic or bundled with scikit-learn, so notebooks run
offline and in CI. One file per kind of data (``images``, ``digits``; later modules add
theirs, such as noisy labels and augmentation, or sequence tasks); this package
re-exports them, so notebooks write ``dk.data.digits()``.
"""

from dlkit.data.digits import as_images, binarize, digits
from dlkit.data.images import sample_image

__all__ = ["as_images", "binarize", "digits", "sample_image"]
