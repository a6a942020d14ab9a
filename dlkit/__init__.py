"""dlkit: the course's reference library.

A vectorized numpy core (float64) for every idea the course teaches, small torch
models that run on CPU or GPU, and the helpers notebooks share (set-up, plots,
widget drawings, numerical testing).

    import dlkit as dk
    rng = dk.setup_notebook()
"""

from dlkit import (
    autodiff,
    conv,
    curvature,
    data,
    factor,
    gradient_noise,
    inference,
    info,
    linalg,
    metrics,
    ml,
    nn,
    numerics,
    optim,
    plot,
    prob,
    rl,
    sampling,
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
    "conv",
    "curvature",
    "data",
    "device",
    "factor",
    "gradient_noise",
    "inference",
    "info",
    "is_fast",
    "linalg",
    "metrics",
    "ml",
    "models",
    "nn",
    "numerics",
    "optim",
    "plot",
    "prob",
    "rl",
    "sampling",
    "seed_everything",
    "setup_notebook",
    "testing",
    "train",
    "widgets",
]
