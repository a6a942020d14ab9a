"""Widget drawings for module 11, convolutional networks."""

from functools import cache

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from dlkit.conv import conv_output_size, correlate2d, maxpool2d, receptive_field
from dlkit.data import digits, sample_image
from dlkit.plot import new_figure

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


def draw_feature_maps(kernel="edge-x", image_index=0, source="digit"):
    """The kernel editor: the input, its cross-correlation with the kernel, ReLU, 2 x 2 max-pool.

    ``kernel`` is a preset name (:data:`PRESET_KERNELS`) or any 3 x 3 array, printed at the
    left; ``source`` is a digit (chosen by ``image_index``) or the bundled photo. The feature
    maps share one colour scale centred on 0 (red positive, blue negative).
    """
    weights = _kernel(kernel)
    image = source_image(source, image_index)
    feature, rectified, pooled = feature_maps(image, weights)
    fig, axes = new_figure(ncols=4, width=2.6, height=2.6, top=0.8, bottom=0.08, left=0.16)
    fig.subplots_adjust(wspace=0.2, right=0.99)
    scale = max(float(np.abs(feature).max()), 1e-12)
    panels = [
        (image, "input", "gray_r" if source == "digit" else "gray", {}),
        (feature, "correlation", "RdBu_r", {"vmin": -scale, "vmax": scale}),
        (rectified, "ReLU", "RdBu_r", {"vmin": -scale, "vmax": scale}),
        (pooled, "2 x 2 max-pool", "RdBu_r", {"vmin": -scale, "vmax": scale}),
    ]
    for ax, (values, title, cmap, limits) in zip(axes, panels):
        ax.imshow(values, cmap=cmap, interpolation="nearest", **limits)
        ax.set_title(f"{title}, {values.shape[0]} x {values.shape[1]}", fontsize=9)
        ax.set_xlabel("column", fontsize=8)
        ax.set_ylabel("row", fontsize=8)
        ax.set_xticks([])  # tick labels cost most of a redraw; the title gives the size
        ax.set_yticks([])
        ax.grid(False)
    rows = "\n".join(" ".join(f"{w:5.2f}" for w in row) for row in weights)
    fig.text(0.005, 0.45, f"kernel\n{rows}", family="monospace", fontsize=8, va="center")
    name = kernel if isinstance(kernel, str) else "custom"
    label = f"digit {image_index % len(_digit_images()[0])}" if source == "digit" else "photo"
    fig.suptitle(f"Kernel '{name}' on the {label} (pixels; feature maps share one colour scale)")
    return fig


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
    kernels, strides = [kernel] * n_layers, [stride] * n_layers
    dilations = layer_dilations(n_layers, dilation, dilation_mode)
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

    fig, (left, right) = new_figure(ncols=2, width=5.0, height=3.6, top=0.82, bottom=0.15)
    segments, all_x, all_y, hit_x, hit_y, hit_c = [], [], [], [], [], []
    for layer in range(n_layers + 1):
        jump, centre = jumps[layer], (fields[layer] - 1) / 2
        n_units = (field - fields[layer]) // jump + 1  # the units whose view lies in the field
        all_x.append(np.arange(n_units) * jump + centre)
        all_y.append(np.full(n_units, layer))
        units = np.array(sorted(counts[layer]))
        hit_x.append(units * jump + centre)
        hit_y.append(np.full(len(units), layer))
        hit_c.append(np.full(len(units), layer))
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
    left.scatter(np.concatenate(all_x), np.concatenate(all_y), s=10, color="0.85", zorder=1)
    left.add_collection(LineCollection(segments, colors="0.6", linewidths=0.5, zorder=2))
    left.scatter(
        np.concatenate(hit_x),
        np.concatenate(hit_y),
        s=16,
        c=np.concatenate(hit_c),
        cmap="viridis",
        vmin=0,
        vmax=max(n_layers, 1),
        zorder=3,
    )
    left.set_xlim(-1, field)
    left.set_ylim(-0.5, n_layers + 0.5)
    left.set_yticks(range(n_layers + 1))
    left.set_xlabel("input position (pixels)")
    left.set_ylabel("layer (0 = input)")
    left.set_title("units that reach the top unit")

    paths = np.zeros(field)
    for unit, count in counts[0].items():
        paths[unit] = count
    positions = np.arange(field)
    right.vlines(positions, 0, paths, color="C0", lw=max(0.5, min(3.0, 300 / field)))
    right.set_xlim(-1, field)
    right.set_ylim(0, paths.max() * 1.08)
    right.set_xlabel("input position (pixels)")
    right.set_ylabel("paths from the top unit")
    used = int((paths > 0).sum())
    right.set_title(f"{used} of the {field} pixels are used")
    spelled = ", ".join(str(d) for d in dilations)
    fig.suptitle(
        f"{n_layers} layers, k = {kernel}, stride {stride}, dilations {spelled}: receptive field "
        f"r = 1 + sum_l (k - 1) d_l J_l = {field}"
    )
    return fig


_ARITHMETIC_COLOURS = ListedColormap(["#d9d9d9", "white", "#9ecae1", "#08519c"])


def _cell_lines(ax, side):
    """Thin lines between the cells of a side x side grid drawn by imshow (one collection:
    much faster than minor ticks with a grid)."""
    edges = np.arange(side + 1) - 0.5
    ends = (-0.5, side - 0.5)
    segments = [[(e, ends[0]), (e, ends[1])] for e in edges] + [
        [(ends[0], e), (ends[1], e)] for e in edges
    ]
    ax.add_collection(LineCollection(segments, colors="0.5", linewidths=0.4))
    ax.grid(False)
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))


def draw_conv_arithmetic(n=5, k=3, stride=1, padding=0, dilation=1, row=0, col=0):
    """Window positions on the padded input and the output size they give.

    Left: the input (white) inside its zero padding (grey); the kernel taps of output pixel
    (row, col) in dark blue; light blue dots mark where every window starts. Right: the
    output grid, ``n_out = floor((n + 2p - d (k - 1) - 1) / s) + 1`` on each side, with
    (row, col) highlighted.
    """
    n = _check_int(n, "n", 1, 16)
    k = _check_int(k, "k", 1, 7)
    stride = _check_int(stride, "stride", 1, 4)
    padding = _check_int(padding, "padding", 0, 4)
    dilation = _check_int(dilation, "dilation", 1, 4)
    side = n + 2 * padding
    grid = np.zeros((side, side))
    grid[padding : padding + n, padding : padding + n] = 1  # the input inside its padding
    span = dilation * (k - 1) + 1
    fig, (left, right) = new_figure(ncols=2, width=4.2, height=4.4, top=0.78, bottom=0.12)
    if span > side:
        out = 0
        title = f"the kernel spans {span} pixels, more than the padded input {side}: no output"
    else:
        out = conv_output_size(n, k, stride, padding, dilation)
        row, col = min(max(int(row), 0), out - 1), min(max(int(col), 0), out - 1)
        taps = row * stride + dilation * np.arange(k)
        tap_cols = col * stride + dilation * np.arange(k)
        grid[np.ix_(taps, tap_cols)] = 3
        starts = np.arange(out) * stride
        ys, xs = np.meshgrid(starts, starts, indexing="ij")
        left.scatter(xs.ravel(), ys.ravel(), s=14, color="#6baed6", zorder=3)
        title = (
            f"n_out = floor(({n} + 2*{padding} - {dilation}*({k} - 1) - 1) / {stride}) + 1 = {out}"
        )
    left.imshow(grid, cmap=_ARITHMETIC_COLOURS, vmin=0, vmax=3, interpolation="nearest")
    _cell_lines(left, side)
    left.set_xlabel("padded input column")
    left.set_ylabel("padded input row")
    left.set_title(f"input {n} x {n} in padding {padding}; taps of ({row}, {col}), dots: starts")

    output = np.ones((max(out, 1), max(out, 1)))
    if out:
        output[row, col] = 3
    else:
        output[:] = 0
    right.imshow(output, cmap=_ARITHMETIC_COLOURS, vmin=0, vmax=3, interpolation="nearest")
    _cell_lines(right, max(out, 1))
    right.set_xlabel("output column")
    right.set_ylabel("output row")
    right.set_title(f"output {out} x {out}")
    fig.suptitle(f"k = {k}, stride {stride}, padding {padding}, dilation {dilation}\n{title}")
    return fig
