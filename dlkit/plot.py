"""Plot style and small figure helpers shared by notebooks and widget drawings."""

import matplotlib as mpl
import matplotlib.figure
from matplotlib.ticker import MaxNLocator

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


def new_figure(ncols=1, nrows=1, width=4.0, height=4.0, top=0.88, bottom=0.13, left=0.12):
    """A figure with an ``nrows x ncols`` grid of axes, each ``width x height`` inches.

    Built for fast redraws in widgets: the object API (no pyplot state, so redraws
    do not leak figures), fixed margins (``top``, ``bottom``, ``left`` as fractions of
    the figure) instead of a layout engine, and at most six ticks per axis; text
    layout is most of what matplotlib spends on a redraw. Returns ``(fig, axes)`` with
    ``axes`` squeezed as in ``plt.subplots``.
    """
    fig = matplotlib.figure.Figure(figsize=(width * ncols, height * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=True)
    fig.subplots_adjust(top=top, bottom=bottom, left=left, right=0.97, wspace=0.3, hspace=0.35)
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(6))
        ax.yaxis.set_major_locator(MaxNLocator(6))
    return fig, axes


__all__ = ["COURSE_STYLE", "new_figure", "use_course_style"]
