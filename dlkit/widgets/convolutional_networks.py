"""Widget drawings for module 11, convolutional networks."""

from functools import cache

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from dlkit.conv import conv_output_size, correlate2d, maxpool2d, receptive_field
from dlkit.data import digits, sample_image
from dlkit.plot import LiveFigure, new_figure

#: 3 x 3 kernels of the kernel editor. "edge-x" responds to vertical edges (a change along x).
PRESET_KERNELS = {
    "identity": np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    "edge-x": np.array([[1.0, 0.0, -1.0]] * 3),
    "edge-y": np.array([[1.0, 0.0, -1.0]] * 3).T,
    "blur": np.full((3, 3), 1.0 / 9.0),
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
}
SOURCES = ("digit", "photo")


def _kernel(kernel):
    if isinstance(kernel, str):
        if kernel not in PRESET_KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; choose one of {sorted(PRESET_KERNELS)}")
        return PRESET_KERNELS[kernel]
    kernel = np.asarray(kernel, dtype=float)
    if kernel.shape != (3, 3):
        raise ValueError(
            f"the kernel must be a preset name or a 3 x 3 array, got shape {kernel.shape}"
        )
    return kernel


@cache
def _digit_images():
    X, y, _, _ = digits(n_train=1796, seed=0)
    images = X.reshape(-1, 8, 8)
    images.flags.writeable = False
    return images, y


@cache
def _photo():
    photo = sample_image()  # (214, 320)
    photo.flags.writeable = False
    return photo


def source_image(source="digit", image_index=0):
    """The widget's input: digit number ``image_index`` (8 x 8) or the photo (214 x 320)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of {SOURCES}")
    if source == "photo":
        return _photo()
    images, _ = _digit_images()
    return images[int(image_index) % len(images)]


def feature_maps(image, kernel):
    """``(correlation, relu, 2 x 2 max-pool)`` of one image with a 3 x 3 kernel ('valid')."""
    feature = correlate2d(image, _kernel(kernel))  # (H - 2, W - 2)
    rectified = np.maximum(feature, 0.0)
    pooled, _ = maxpool2d(rectified[None, None], 2)  # (1, 1, (H - 2) // 2, (W - 2) // 2)
    return feature, rectified, pooled[0, 0]


_WEIGHTS = ("k00", "k01", "k02", "k10", "k11", "k12", "k20", "k21", "k22")


class FeatureMaps(LiveFigure):
    """The kernel editor redrawn in place (see :func:`draw_feature_maps`).

    Fixed by ``preset`` (a name of :data:`PRESET_KERNELS` or ``"custom"``) and ``source``:
    the four panels, their titles (the sizes) and labels, the frames (each image's own
    shape: 8 x 8 for a digit, 214 x 320 for the photo, so no limit ever moves), the photo.
    Moving: the digit (``image_index``), the three feature maps (``set_data``), their
    shared colour scale ``+-max |correlation|`` (``set_clim``, colours only), the kernel
    text (the nine weights ``k00 .. k22`` where ``preset="custom"``, ignored otherwise)
    and the suptitle. The digits' feature maps of a preset are computed once.
    """

    def __init__(self, preset="edge-x", source="digit"):
        if preset != "custom":
            _kernel(preset)
        self.preset, self.source = preset, source
        image = source_image(source, 0)
        shapes = [image.shape, *(values.shape for values in feature_maps(image, "identity"))]
        fig, axes = new_figure(ncols=4, width=2.6, height=2.6, top=0.8, bottom=0.08, left=0.16)
        fig.subplots_adjust(wspace=0.2, right=0.99)
        titles = ("input", "correlation", "ReLU", "2 x 2 max-pool")
        self.images = []
        for index, (ax, shape, title) in enumerate(zip(axes, shapes, titles)):
            cmap = "RdBu_r" if index else ("gray_r" if source == "digit" else "gray")
            self.images.append(
                ax.imshow(
                    image if index == 0 else np.zeros(shape),
                    cmap=cmap,
                    interpolation="nearest",
                    **({"vmin": -1.0, "vmax": 1.0} if index else {}),
                )
            )
            ax.set_title(f"{title}, {shape[0]} x {shape[1]}", fontsize=9)
            ax.set_xlabel("column", fontsize=8)
            ax.set_ylabel("row", fontsize=8)
            ax.set_xticks([])  # tick labels cost most of a redraw; the title gives the size
            ax.set_yticks([])
            ax.grid(False)
        self.kernel_text = fig.text(0.005, 0.45, "", family="monospace", fontsize=8, va="center")
        self.suptitle = fig.suptitle("")
        moving = [*self.images[1:], self.kernel_text, self.suptitle]
        if source == "digit":
            moving.insert(0, self.images[0])
        super().__init__(fig, moving)
        self._cache = {}  # digit index -> feature maps, for a preset

    def update(
        self,
        image_index=0,
        k00=1.0,
        k01=0.0,
        k02=-1.0,
        k10=2.0,
        k11=0.0,
        k12=-2.0,
        k20=1.0,
        k21=0.0,
        k22=-1.0,
    ):
        if self.preset == "custom":
            kernel = np.array([[k00, k01, k02], [k10, k11, k12], [k20, k21, k22]], dtype=float)
            maps = feature_maps(source_image(self.source, image_index), kernel)
        else:
            kernel = PRESET_KERNELS[self.preset]
            key = int(image_index) % len(_digit_images()[0]) if self.source == "digit" else 0
            if key not in self._cache:
                self._cache[key] = feature_maps(source_image(self.source, key), kernel)
            maps = self._cache[key]
        image = source_image(self.source, image_index)
        if self.source == "digit":
            self.images[0].set_data(image)
            self.images[0].set_clim(float(image.min()), float(image.max()))
        scale = max(float(np.abs(maps[0]).max()), 1e-12)
        for artist, values in zip(self.images[1:], maps):
            artist.set_data(values)
            artist.set_clim(-scale, scale)
        rows = "\n".join(" ".join(f"{w:5.2f}" for w in row) for row in kernel)
        self.kernel_text.set_text(f"kernel\n{rows}")
        label = (
            f"digit {int(image_index) % len(_digit_images()[0])}"
            if self.source == "digit"
            else "photo"
        )
        self.suptitle.set_text(
            f"Kernel '{self.preset}' on the {label} (pixels; feature maps share one colour scale)"
        )
        return self


def draw_feature_maps(kernel="edge-x", image_index=0, source="digit"):
    """The kernel editor: the input, its cross-correlation with the kernel, ReLU, 2 x 2 max-pool.

    ``kernel`` is a preset name (:data:`PRESET_KERNELS`) or any 3 x 3 array, printed at the
    left; ``source`` is a digit (chosen by ``image_index``) or the bundled photo. The feature
    maps share one colour scale centred on 0 (red positive, blue negative).
    """
    weights = _kernel(kernel)
    source_image(source, image_index)
    if isinstance(kernel, str):
        return FeatureMaps(kernel, source).update(image_index=image_index).figure
    named = dict(zip(_WEIGHTS, weights.ravel().tolist()))
    return FeatureMaps("custom", source).update(image_index=image_index, **named).figure


DILATIONS = ("same", "doubling")
MAX_FIELD = 1200


def layer_dilations(n_layers, dilation=1, mode="same"):
    """Per-layer dilations: ``dilation`` everywhere, or doubling ``d, 2d, 4d, ...``."""
    if mode not in DILATIONS:
        raise ValueError(f"unknown dilation mode {mode!r}; choose one of {DILATIONS}")
    return [dilation * (2**layer if mode == "doubling" else 1) for layer in range(n_layers)]


def receptive_field_paths(kernels, strides, dilations):
    """For unit 0 of the last layer of a stack: per layer (0 = the input) a dict unit -> the
    number of paths from the top unit down to it."""
    counts = [{0: 1}]
    for k, s, d in reversed(list(zip(kernels, strides, dilations))):
        below = {}
        for unit, count in counts[0].items():
            for a in range(k):
                child = unit * s + a * d
                below[child] = below.get(child, 0) + count
        counts.insert(0, below)
    return counts


def _check_int(value, name, low, high):
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")
    return int(value)


class ReceptiveField(LiveFigure):
    """The receptive field of a stack, redrawn in place (see :func:`draw_receptive_field`).

    Fixed by ``dilation_mode``: the two panels and their labels. Moving: the grey units,
    the connections, the coloured units (colours ``0 .. n_layers``), the path-count bars,
    the titles and the suptitle. Both panels are live axes (drawn whole on each move): their
    x range is the field itself, ``-1 .. r`` with ``r = 1 + sum_l (k - 1) d_l J_l``, which
    changes with every slider (``n_layers`` multiplies it, so no ladder could hold it); the
    left y range is ``-0.5 .. n_layers + 0.5``, the right one ``0 .. 1.08 max paths``.
    Nothing else of the figure is ever rendered again.
    """

    def __init__(self, dilation_mode="same"):
        if dilation_mode not in DILATIONS:
            raise ValueError(f"unknown dilation mode {dilation_mode!r}; choose one of {DILATIONS}")
        self.dilation_mode = dilation_mode
        fig, (left, right) = new_figure(ncols=2, width=5.0, height=3.6, top=0.82, bottom=0.15)
        self.units = left.scatter([], [], s=10, color="0.85", zorder=1)
        self.connections = LineCollection([], colors="0.6", linewidths=0.5, zorder=2)
        left.add_collection(self.connections)
        self.hits = left.scatter([], [], s=16, c=[], cmap="viridis", zorder=3)
        left.set_xlabel("input position (pixels)")
        left.set_ylabel("layer (0 = input)")
        left.set_title("units that reach the top unit")
        self.bars = LineCollection([], colors="C0")
        right.add_collection(self.bars)
        right.set_xlabel("input position (pixels)")
        right.set_ylabel("paths from the top unit")
        right.set_title(" ", y=1.0)
        left.set_title(left.get_title(), y=1.0)
        for ax in (left, right):  # fixed places: live axes skip their layout on each draw
            ax.xaxis.set_label_coords(0.5, -0.12)
            ax.yaxis.set_label_coords(-0.12, 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))  # few labels to draw
        right.yaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.suptitle = fig.suptitle(" ")
        moving = [self.units, self.connections, self.hits, self.bars, right.title, self.suptitle]
        super().__init__(fig, moving, live_axes=[left, right])
        self.left, self.right = left, right

    def update(self, n_layers=3, kernel=3, stride=1, dilation=1):
        n_layers = _check_int(n_layers, "n_layers", 1, 6)
        kernel = _check_int(kernel, "kernel", 1, 7)
        stride = _check_int(stride, "stride", 1, 3)
        dilation = _check_int(dilation, "dilation", 1, 4)
        kernels, strides = [kernel] * n_layers, [stride] * n_layers
        dilations = layer_dilations(n_layers, dilation, self.dilation_mode)
        field = receptive_field(kernels, strides, dilations)
        if field > MAX_FIELD:
            raise ValueError(
                f"a receptive field of {field} pixels is too wide to draw (at most {MAX_FIELD}); "
                "use fewer layers, a smaller stride or dilation"
            )
        counts = receptive_field_paths(kernels, strides, dilations)
        fields = [
            receptive_field(kernels[:layer], strides[:layer], dilations[:layer]) if layer else 1
            for layer in range(n_layers + 1)
        ]
        jumps = [stride**layer for layer in range(n_layers + 1)]
        segments, all_x, all_y, hit_x, hit_y = [], [], [], [], []
        for layer in range(n_layers + 1):
            jump, centre = jumps[layer], (fields[layer] - 1) / 2
            n_units = (field - fields[layer]) // jump + 1  # the units whose view lies in the field
            all_x.append(np.arange(n_units) * jump + centre)
            all_y.append(np.full(n_units, layer))
            units = np.array(sorted(counts[layer]))
            hit_x.append(units * jump + centre)
            hit_y.append(np.full(len(units), layer))
            if layer:
                k, s, d = kernels[layer - 1], strides[layer - 1], dilations[layer - 1]
                below_jump, below_centre = jumps[layer - 1], (fields[layer - 1] - 1) / 2
                for unit in units:
                    for a in range(k):
                        child = unit * s + a * d
                        segments.append(
                            [
                                (unit * jump + centre, layer),
                                (child * below_jump + below_centre, layer - 1),
                            ]
                        )
        self.units.set_offsets(np.column_stack([np.concatenate(all_x), np.concatenate(all_y)]))
        self.connections.set_segments(segments)
        hit_y = np.concatenate(hit_y)
        self.hits.set_offsets(np.column_stack([np.concatenate(hit_x), hit_y]))
        self.hits.set_array(hit_y)
        self.hits.set_clim(0, max(n_layers, 1))
        self.left.set_xlim(-1, field)
        self.left.set_ylim(-0.5, n_layers + 0.5)
        self.left.set_yticks(range(n_layers + 1))

        paths = np.zeros(field)
        for unit, count in counts[0].items():
            paths[unit] = count
        positions = np.arange(field)
        self.bars.set_segments(
            [[(x, 0.0), (x, height)] for x, height in zip(positions, paths)]  # (field, 2, 2)
        )
        self.bars.set_linewidth(max(0.5, min(3.0, 300 / field)))
        self.right.set_xlim(-1, field)
        self.right.set_ylim(0, paths.max() * 1.08)
        used = int((paths > 0).sum())
        self.right.set_title(f"{used} of the {field} pixels are used")
        spelled = ", ".join(str(d) for d in dilations)
        self.suptitle.set_text(
            f"{n_layers} layers, k = {kernel}, stride {stride}, dilations {spelled}: receptive "
            f"field r = 1 + sum_l (k - 1) d_l J_l = {field}"
        )
        return self


def draw_receptive_field(n_layers=3, kernel=3, stride=1, dilation=1, dilation_mode="same"):
    """The input pixels one output unit sees, layer by layer, in a stack of k x k layers.

    Left: the units of each layer (input at the bottom) along one axis, each drawn at the
    centre of its own receptive field; those that reach the top unit are coloured and
    connected. Right: how many paths lead from the top unit to each input pixel (the centre
    is reached in more ways; dilation leaves holes). ``dilation_mode="doubling"`` uses
    d, 2d, 4d, ... (Exercise 9.7). The title gives ``r = 1 + sum_l (k - 1) d_l J_l``.
    """
    n_layers = _check_int(n_layers, "n_layers", 1, 6)
    kernel = _check_int(kernel, "kernel", 1, 7)
    stride = _check_int(stride, "stride", 1, 3)
    dilation = _check_int(dilation, "dilation", 1, 4)
    drawing = ReceptiveField(dilation_mode)
    return drawing.update(n_layers, kernel, stride, dilation).figure


_ARITHMETIC_COLOURS = ListedColormap(["#d9d9d9", "white", "#9ecae1", "#08519c"])


def _frame(side):
    """The steady frame of a ``side x side`` grid: the multiple of 5 at or above it."""
    return 5 * -(-side // 5)


def _cell_segments(side):
    """The lines between the cells of a side x side grid drawn by imshow."""
    edges = np.arange(side + 1) - 0.5
    ends = (-0.5, side - 0.5)
    return [[(e, ends[0]), (e, ends[1])] for e in edges] + [
        [(ends[0], e), (ends[1], e)] for e in edges
    ]


class ConvArithmetic(LiveFigure):
    """Window positions and output size, redrawn in place (see :func:`draw_conv_arithmetic`).

    Fixed: the two panels, their labels and colours. Moving: the padded input and the output
    grids (``set_data``, ``set_extent``), their cell lines, the window starts, the titles and
    the suptitle. Limits: both panels show ``-0.5 .. F - 0.5`` with ``F = 5 ceil((n + 2p) /
    5)``, the padded input's side rounded up to a multiple of 5 (the grid fills over half
    of each side from 3 pixels on); the output (never wider than the padded input) shares
    the frame, so its cells are the input's size. Only ``n`` and ``padding`` move a
    limit, where ``n + 2p`` crosses a multiple of 5.
    """

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=4.4, top=0.78, bottom=0.12)
        options = {"cmap": _ARITHMETIC_COLOURS, "vmin": 0, "vmax": 3, "interpolation": "nearest"}
        self.grid = left.imshow(np.zeros((1, 1)), **options)
        self.output = right.imshow(np.zeros((1, 1)), **options)
        self.grid_lines = LineCollection([], colors="0.5", linewidths=0.4)
        self.output_lines = LineCollection([], colors="0.5", linewidths=0.4)
        left.add_collection(self.grid_lines)
        right.add_collection(self.output_lines)
        self.starts = left.scatter([], [], s=14, color="#6baed6", zorder=3)
        for ax in (left, right):
            ax.grid(False)
            ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
        left.set_xlabel("padded input column")
        left.set_ylabel("padded input row")
        right.set_xlabel("output column")
        right.set_ylabel("output row")
        left.set_title(" ")
        right.set_title(" ")
        self.suptitle = fig.suptitle(" ")
        moving = [self.grid, self.output, self.grid_lines, self.output_lines, self.starts]
        super().__init__(fig, [*moving, left.title, right.title, self.suptitle])
        self.left, self.right = left, right

    def update(self, n=5, k=3, stride=1, padding=0, dilation=1, row=0, col=0):
        n = _check_int(n, "n", 1, 16)
        k = _check_int(k, "k", 1, 7)
        stride = _check_int(stride, "stride", 1, 4)
        padding = _check_int(padding, "padding", 0, 4)
        dilation = _check_int(dilation, "dilation", 1, 4)
        side = n + 2 * padding
        grid = np.zeros((side, side))
        grid[padding : padding + n, padding : padding + n] = 1  # the input inside its padding
        span = dilation * (k - 1) + 1
        if span > side:
            out = 0
            title = f"the kernel spans {span} pixels, more than the padded input {side}: no output"
            starts = np.empty((0, 2))
        else:
            out = conv_output_size(n, k, stride, padding, dilation)
            row, col = min(max(int(row), 0), out - 1), min(max(int(col), 0), out - 1)
            taps = row * stride + dilation * np.arange(k)
            tap_cols = col * stride + dilation * np.arange(k)
            grid[np.ix_(taps, tap_cols)] = 3
            first = np.arange(out) * stride
            ys, xs = np.meshgrid(first, first, indexing="ij")
            starts = np.column_stack([xs.ravel(), ys.ravel()])  # (out * out, 2)
            title = (
                f"n_out = floor(({n} + 2*{padding} - {dilation}*({k} - 1) - 1) / {stride}) + 1 "
                f"= {out}"
            )
        output = np.ones((max(out, 1), max(out, 1)))
        if out:
            output[row, col] = 3
        else:
            output[:] = 0
        for image, lines, values in (
            (self.grid, self.grid_lines, grid),
            (self.output, self.output_lines, output),
        ):
            width = values.shape[0]
            image.set_data(values)
            image.set_extent((-0.5, width - 0.5, width - 0.5, -0.5))
            lines.set_segments(_cell_segments(width))
        self.starts.set_offsets(starts)
        frame = _frame(side)
        for ax in (self.left, self.right):
            ax.set_xlim(-0.5, frame - 0.5)
            ax.set_ylim(frame - 0.5, -0.5)
        self.left.set_title(
            f"input {n} x {n} in padding {padding}; taps of ({row}, {col}), dots: starts"
        )
        self.right.set_title(f"output {out} x {out}")
        self.suptitle.set_text(
            f"k = {k}, stride {stride}, padding {padding}, dilation {dilation}\n{title}"
        )
        return self


def draw_conv_arithmetic(n=5, k=3, stride=1, padding=0, dilation=1, row=0, col=0):
    """Window positions on the padded input and the output size they give.

    Left: the input (white) inside its zero padding (grey); the kernel taps of output pixel
    (row, col) in dark blue; light blue dots mark where every window starts. Right: the
    output grid, ``n_out = floor((n + 2p - d (k - 1) - 1) / s) + 1`` on each side, with
    (row, col) highlighted.
    """
    return ConvArithmetic().update(n, k, stride, padding, dilation, row, col).figure
