"""Notebook set-up: seeds, plot style, device choice and the fast-mode budget.

Fast mode (``DLKIT_FAST=1``, set by CI and ``make test``) keeps the same code path
but shrinks data and epochs, so every notebook executes in seconds.
"""

import os
import random
import sys

import numpy as np

DEFAULT_SEED = 0
_TRUE = {"1", "true", "yes", "on"}


def is_fast() -> bool:
    """True when the environment asks for fast mode (``DLKIT_FAST`` is 1/true/yes/on)."""
    return os.environ.get("DLKIT_FAST", "").strip().lower() in _TRUE


def budget(full, fast):
    """Pick a size for training cells: ``fast`` in fast mode, ``full`` otherwise.

    >>> budget(full=200, fast=5)   # doctest: +SKIP
    200
    """
    return fast if is_fast() else full


def device():
    """The torch device the course's models run on: CUDA when present, else CPU."""
    import torch  # imported lazily: numpy-only notebooks stay quick to start

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """Seed Python, numpy's legacy global state and torch; return a fresh numpy Generator.

    torch is seeded when it has been imported already (notebooks that use it import
    it first): importing it here would add seconds to every numpy-only notebook.
    """
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    return np.random.default_rng(seed)


def setup_notebook(seed: int = DEFAULT_SEED, verbose: bool = True) -> np.random.Generator:
    """Prepare a course notebook: seed everything, set the plot style, report the set-up.

    Returns a seeded ``numpy.random.Generator`` for the notebook to use.
    """
    from dlkit.plot import use_course_style

    rng = seed_everything(seed)
    _show_figures_inline()
    use_course_style()
    if verbose:
        mode = "fast (DLKIT_FAST=1)" if is_fast() else "full"
        where = f"device={device()}" if "torch" in sys.modules else "numpy only (torch not loaded)"
        print(f"dlkit ready: seed={seed}, {where}, mode={mode}")
    return rng


def _show_figures_inline():
    """In a Jupyter kernel, display figures (also those a widget returns) as images."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        shell.run_line_magic("matplotlib", "inline")
        from matplotlib.figure import Figure

        shell.display_formatter.formatters["image/png"].for_type(Figure, figure_png)


def figure_png(fig) -> str:
    """A figure as the base64 PNG a notebook shows: a pyplot figure cropped to what it
    draws, as ``%matplotlib inline`` does; a widget's drawing (object API, fixed margins,
    see :func:`dlkit.plot.new_figure`) as it is, since cropping renders a figure twice,
    about half of a slider redraw's time."""
    from IPython.core.pylabtools import print_figure

    cropped = "tight" if fig.canvas.manager is not None else None
    return print_figure(fig, "png", bbox_inches=cropped, base64=True)
