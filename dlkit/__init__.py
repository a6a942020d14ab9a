"""dlkit: the course's reference library.

A vectorized numpy core (float64) for every idea the course teaches, small torch
models that run on CPU or GPU, and the helpers notebooks share (set-up, plots,
widget drawings, numerical testing).

    import dlkit as dk
    rng = dk.setup_notebook()
"""

from dlkit import (
    data,
    info,
    linalg,
    numerics,
    plot,
    prob,
    testing,
    widgets,
)
from dlkit.config import budget, device, is_fast, seed_everything, setup_notebook

__all__ = [
    "budget",
    "data",
    "device",
    "info",
    "is_fast",
    "linalg",
    "numerics",
    "plot",
    "prob",
    "seed_everything",
    "setup_notebook",
    "testing",
    "widgets",
]
