"""What every widget figure must have, and what redrawing one in place must keep."""

import io
from unittest import mock

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from dlkit.plot import LiveFigure


def assert_labelled(fig):
    """Every axes has x and y labels, and a title of its own or the figure's."""
    assert isinstance(fig, Figure)
    suptitle = fig.get_suptitle()
    for ax in fig.axes:
        assert ax.get_title() or suptitle, "axes without a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "axes without axis labels"


def drawn_lines(ax):
    """The lines of ``ax`` that hold data (a LiveFigure keeps empty lines for later)."""
    return [line for line in ax.get_lines() if len(line.get_xdata())]


def picture(png: bytes) -> np.ndarray:
    """PNG bytes as an (height, width, 4) uint8 array."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def assert_redraws_in_place(drawing, setting, updates, max_differing=0.02):
    """A LiveFigure redrawn in place shows what a fresh drawing of the same parameters shows.

    ``drawing(**setting)`` is updated with each dict of ``updates`` in turn. After each,
    its picture must equal, pixel for pixel, that of a new drawing given the same
    parameters (so no stale background, no artist left from an earlier update), and be
    close to the plain figure rendered by savefig: moving artists are painted over the
    static ones rather than in z-order, so at most ``max_differing`` of the pixels may
    differ.
    """
    live = drawing(**setting)
    for params in updates:
        shown = picture(live.update(**params)._repr_png_())
        fresh = drawing(**setting).update(**params)
        expected = picture(fresh._repr_png_())
        assert shown.shape == expected.shape, f"after {params}: the figure changed size"
        differing = np.any(shown != expected, axis=-1).mean()
        assert differing == 0, f"after {params}: {differing:.2%} of the pixels are stale"
        buffer = io.BytesIO()
        fresh.figure.savefig(buffer, format="png")
        saved = picture(buffer.getvalue())
        assert saved.shape == shown.shape, f"after {params}: savefig's size differs"
        differing = (np.abs(saved.astype(int) - shown).max(axis=-1) > 32).mean()
        assert differing <= max_differing, (
            f"after {params}: {differing:.2%} of the pixels differ from the saved figure"
        )


def background_renders(live, updates) -> int:
    """How many times showing ``live`` after each dict of ``updates`` in turn renders its
    static part again (a change of axes limits does; a steady axis does not).

    Shows ``live`` at the first dict before counting, so the count is that of the moves
    from there on. A slider swept
    step by step over its range should render it only where the curve crosses a steady
    limit (:func:`dlkit.plot.nice_ceil`), never on every step.
    """
    live.update(**updates[0])._repr_png_()
    with mock.patch.object(
        type(live), "_render_background", autospec=True, side_effect=LiveFigure._render_background
    ) as render:
        for params in updates[1:]:
            live.update(**params)._repr_png_()
    return render.call_count


def sweep(defaults, name, bounds) -> list:
    """Updates moving slider ``name`` step by step over ``bounds = (low, high, step)``
    (integers where ``step`` is one), the other parameters at ``defaults``."""
    low, high, step = bounds
    values = np.round(low + step * np.arange(int(round((high - low) / step)) + 1), 10)
    values = values.astype(int) if isinstance(step, int) else values  # (count,)
    return [{**defaults, name: value} for value in values]
