"""Plot style and small figure helpers shared by notebooks and widget drawings."""

import inspect
import math
import struct
import zlib
from operator import methodcaller

import matplotlib as mpl
import matplotlib.figure
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
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


class LiveFigure:
    """A widget's figure redrawn in place: the parts that a slider does not move are
    rendered once, and each redraw paints only the moving artists over that picture.

    Drawing a new figure on every slider move spends most of its time creating ticks and
    laying out text that did not change; this repaints a handful of artists instead
    (blitting). A subclass builds the whole figure, moving artists included, in
    ``__init__`` from the parameters that change its structure (a dropdown's choice),
    passes it here with the list of moving artists, and defines ``update(**params)``:
    it sets the moving artists' data and text from the other parameters, may change the
    axes' limits, and returns ``self``. A change of limits (ticks, grid) renders the
    whole figure again on the next redraw; any other change belongs in ``__init__``.
    An artist that cannot be updated (a contour set) may be replaced in ``update``:
    remove the old one from the axes and from ``self.moving``, add the new one to both
    (a legend: :meth:`refresh_legend`, which relabels it in place where it can).
    Axes whose limits follow the sliders may be given as ``live_axes``: they are drawn
    whole on every redraw and never make the rest of the figure render again.

    ``self.figure`` is an ordinary figure (``draw_x`` functions return it). Displaying a
    ``LiveFigure`` (IPython calls ``_repr_png_``) shows the same picture, faster.
    """

    def __init__(self, figure, moving, live_axes=()):
        self.figure = figure
        self.moving = list(moving)
        self.live_axes = list(live_axes)
        self._canvas = FigureCanvasAgg(figure)
        self._limits = None  # the axes' limits when the background was rendered
        self._background = None  # the rendered static part

    def update(self, **params):
        raise NotImplementedError("a LiveFigure subclass defines update(**params)")

    def refresh_legend(self, legend, **options):
        """The legend of ``legend.axes`` for its artists' current labels, returned.

        While the axes have as many labelled artists as ``legend`` has entries (the same
        curves, relabelled), their texts are set in place: a legend lays out its texts
        when drawn, so the picture is that of a new legend, which takes longer to build.
        Otherwise (an entry comes or goes, and a legend's entries cannot be added or
        removed) a new legend built with ``options`` (``loc``, ``fontsize``, ...)
        replaces it in the axes and in ``self.moving``.
        """
        ax = legend.axes
        _, labels = ax.get_legend_handles_labels()
        texts = legend.get_texts()
        if len(labels) == len(texts):
            for text, label in zip(texts, labels):
                text.set_text(label)
            return legend
        legend.remove()
        replacement = ax.legend(**options)
        self.moving[self.moving.index(legend)] = replacement
        return replacement

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes: the background, then the moving artists over it."""
        fixed_axes = [ax for ax in self.figure.axes if ax not in self.live_axes]
        limits = [(ax.get_xlim(), ax.get_ylim()) for ax in fixed_axes]
        if limits != self._limits:
            self._render_background()
            self._limits = limits
        self._canvas.restore_region(self._background)
        for ax in self.live_axes:
            self.figure.draw_artist(ax)  # whole, with its moving artists
        others = [artist for artist in self.moving if artist.axes not in self.live_axes]
        for artist in sorted(others, key=methodcaller("get_zorder")):
            self.figure.draw_artist(artist)
        return png_bytes(np.asarray(self._canvas.buffer_rgba()))

    def _render_background(self):
        """Render everything except the moving artists and keep the picture."""
        left_out = [*self.moving, *self.live_axes]
        for artist in left_out:
            artist.set_animated(True)  # skipped by a canvas draw (never by savefig)
        try:
            self._canvas.draw()
        finally:
            for artist in left_out:
                artist.set_animated(False)
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)


def tick_texts(ax, which, count):
    """``count`` empty texts at ticks ``0 .. count - 1`` of ``ax.xaxis`` (``which="x"``)
    or ``ax.yaxis`` (``"y"``), placed and styled as its tick labels: labels that move with
    a slider and that a :class:`LiveFigure` repaints (an axis' own tick labels are part of
    the saved picture). Set their text, and their position along the axis if it moves."""
    if which not in ("x", "y"):
        raise ValueError(f'tick_texts: which must be "x" or "y", got {which!r}')
    pad = mpl.rcParams[f"{which}tick.major.size"] + mpl.rcParams[f"{which}tick.major.pad"]
    place = ax.get_xaxis_text1_transform if which == "x" else ax.get_yaxis_text1_transform
    transform, va, ha = place(pad)
    size = mpl.rcParams[f"{which}tick.labelsize"]
    return [
        ax.text(
            *((i, 0) if which == "x" else (0, i)),
            "",
            transform=transform,
            va=va,
            ha=ha,
            fontsize=size,
        )
        for i in range(count)
    ]


def png_bytes(rgba) -> bytes:
    """An (height, width, 4) uint8 RGBA array as PNG bytes, encoded for speed: a redraw is
    shown once, so encoding time counts more than size.

    Every row is stored unfiltered (PNG filter type 0) and deflated at zlib level 1. A
    plot's flat colours compress about as well that way as with Pillow's encoder, which
    tries five filters on every row and has no option to skip them (measured on a
    920 x 400 figure: 3.8 ms and 101 KB here, 9.2 ms and 113 KB with Pillow at level 1).
    Layout (PNG specification, ISO/IEC 15948): the signature, then IHDR, IDAT and IEND
    chunks, each ``length, type, data, CRC-32 of type and data``.
    """
    rgba = np.asarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(
            f"png_bytes: expected an (height, width, 4) uint8 RGBA array, got dtype "
            f"{rgba.dtype} and shape {rgba.shape}"
        )
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # a filter-type byte per row
    rows[:, 1:] = rgba.reshape(height, 4 * width)  # (height, 4 width): R G B A R G B A ...
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, defaults
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def nice_ceil(value, steps=(1.0, 2.0, 5.0)):
    """The smallest number ``s * 10**k`` at or above ``value > 0`` (``s`` in ``steps``,
    ``k`` an integer): 0.3 -> 0.5, 4 -> 5, 5.1 -> 10; with ``steps=(1,)``, the decade above.

    An axis limit that follows a slider through ``nice_ceil`` changes only when the curve
    crosses a step: the learner sees the curve move against steady axes, and a
    :class:`LiveFigure` keeps its saved background on most moves.
    """
    return min(c for c in _ladder("nice_ceil", value, steps) if c >= value * (1 - 1e-12))


def nice_floor(value, steps=(1.0, 2.0, 5.0)):
    """The largest number ``s * 10**k`` at or below ``value > 0`` (see :func:`nice_ceil`)."""
    return max(c for c in _ladder("nice_floor", value, steps) if c <= value * (1 + 1e-12))


def _ladder(caller, value, steps):
    """The numbers ``s * 10**k`` around ``value`` for ``k`` in its decade and both next."""
    if not value > 0:
        raise ValueError(f"{caller}: value must be positive, got {value}")
    exponent = math.floor(math.log10(value))
    return [s * 10.0**k for k in (exponent - 1, exponent, exponent + 1) for s in steps]


def live(drawing):
    """A function for ``ipywidgets.interact`` that keeps one ``drawing`` (a LiveFigure
    subclass) and updates it in place on each slider move.

    Its parameters are those of ``drawing.__init__`` followed by those of
    ``drawing.update``. A change in the first kind builds a new drawing; a change in the
    second only updates it. ``interact`` displays the drawing it returns.
    """
    structural = _parameters(drawing.__init__)
    moving = _parameters(drawing.update)
    current = {}

    def redraw(**params):
        setting = {name: params[name] for name in structural if name in params}
        if "setting" not in current or not _same(current["setting"], setting):
            current["drawing"], current["setting"] = drawing(**setting), setting
        changes = {name: params[name] for name in moving if name in params}
        return current["drawing"].update(**changes)

    redraw.__name__ = redraw.__qualname__ = drawing.__name__
    redraw.__doc__ = drawing.__doc__
    redraw.__signature__ = inspect.Signature([*structural.values(), *moving.values()])
    return redraw


def _same(setting, other) -> bool:
    """Equal settings; arrays (an image passed with ``fixed``) compare by identity."""
    return setting.keys() == other.keys() and all(
        _same_value(value, other[name]) for name, value in setting.items()
    )


def _same_value(a, b) -> bool:
    if a is b:
        return True
    return not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray) and a == b


def _parameters(method):
    """The named parameters of ``method`` without ``self``, by name."""
    parameters = list(inspect.signature(method).parameters.values())[1:]
    return {p.name: p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters}


__all__ = [
    "COURSE_STYLE",
    "LiveFigure",
    "live",
    "new_figure",
    "nice_ceil",
    "nice_floor",
    "png_bytes",
    "use_course_style",
]
