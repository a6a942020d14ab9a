"""dlkit: the course's reference library.

A vectorized numpy core (float64) for every idea the course teaches, small torch
models that run on CPU or GPU, and the helpers notebooks share (set-up, plots,
widget drawings, numerical testing).

    import dlkit as dk
    rng = dk.setup_notebook()
"""

from dlkit import (
    autodiff,
    data,
    info,
    linalg,
    numerics,
    optim,
    plot,
    prob,
    testing,
    widgets,
)
from dlkit.config import budget, device, is_fast, seed_everything, setup_notebook

__all__ = [
    "autodiff",
    "budget",
    "data",
    "device",
    "info",
    "is_fast",
    "linalg",
    "numerics",
    "optim",
    "plot",
    "prob",
    "seed_everything",
    "setup_notebook",
    "testing",
    "widgets",
]
