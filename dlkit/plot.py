"""Plot style and small figure helpers shared by notebooks and widget drawings."""

import matplotlib as mpl
import matplotlib.figure

COURSE_STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def use_course_style():
    """Apply the course's matplotlib style (grid, no top/right spines, viridis)."""
    mpl.rcParams.update(COURSE_STYLE)


def new_figure(ncols=1, nrows=1, width=4.0, height=4.0):
    """A figure with an ``nrows x ncols`` grid of axes, each ``width x height`` inches.

    Uses the object-oriented API (no pyplot state), so widget redraws do not leak
    figures. Returns ``(fig, axes)`` with ``axes`` squeezed as in ``plt.subplots``.
    """
    fig = mpl.figure.Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


__all__ = ["COURSE_STYLE", "new_figure", "use_course_style"]
