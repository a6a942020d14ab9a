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
    ml,
    nn,
    numerics,
    optim,
    plot,
    prob,
    testing,
    widgets,
)
from dlkit.config import budget, device, is_fast, seed_everything, setup_notebook

_TORCH_MODULES = ("models", "train")  # import torch: loaded on first use, not by `import dlkit`


def __getattr__(name):
    if name in _TORCH_MODULES:
        import importlib

        return importlib.import_module(f"dlkit.{name}")
    raise AttributeError(f"module 'dlkit' has no attribute {name!r}")


__all__ = [
    "autodiff",
    "budget",
    "data",
    "device",
    "info",
    "is_fast",
    "linalg",
    "ml",
    "models",
    "nn",
    "numerics",
    "optim",
    "plot",
    "prob",
    "seed_everything",
    "setup_notebook",
    "testing",
    "train",
    "widgets",
]
