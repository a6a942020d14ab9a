"""Data for the course's examples: images and data sets that need no network.

Everything here is either synthetic or bundled with scikit-learn, so notebooks run
offline and in CI. One file per kind of data (``images``; later modules add theirs, such
as noisy labels and augmentation, or sequence tasks); this package re-exports them, so
notebooks write ``dk.data.sample_image()``.
"""

from dlkit.data.images import sample_image

__all__ = ["sample_image"]
