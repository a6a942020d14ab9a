"""Data for the course's examples: images and data sets that need no network.

Everything here is either synthetic or bundled with scikit-learn, so notebooks run
offline and in CI. One file per kind of data (``images``, ``digits``; later modules add
theirs, such as noisy labels and augmentation, or sequence tasks); this package
re-exports them, so notebooks write ``dk.data.digits()``.
"""

from dlkit.data.augment import label_noise, mixup, one_hot, random_shift, translate
from dlkit.data.digits import as_images, binarize, digits
from dlkit.data.images import sample_image
from dlkit.data.sequences import (
    ADDING_BASELINE_MSE,
    BOS,
    adding_problem,
    copy_pairs,
    reverse_pairs,
)
from dlkit.data.tokens import prev_token_task, reverse_task, running_max_task, sort_task
from dlkit.data.toys import moons, ring_centers, ring_of_gaussians, swiss_roll

__all__ = [
    "ADDING_BASELINE_MSE",
    "BOS",
    "adding_problem",
    "as_images",
    "binarize",
    "copy_pairs",
    "digits",
    "label_noise",
    "mixup",
    "moons",
    "one_hot",
    "prev_token_task",
    "random_shift",
    "reverse_pairs",
    "reverse_task",
    "ring_centers",
    "ring_of_gaussians",
    "running_max_task",
    "sample_image",
    "sort_task",
    "swiss_roll",
    "translate",
]
