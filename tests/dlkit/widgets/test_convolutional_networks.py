"""Module-11 widget drawings, headless: right content (against scipy and torch), labels,
validation, no figure leaks; redrawn in place against steady axes."""

import numpy as np
import pytest
import scipy.signal
import torch

from dlkit import conv, widgets
from dlkit.testing import assert_close
from dlkit.widgets import convolutional_networks as cn
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)


def images_of(fig):
    return [np.asarray(ax.get_images()[0].get_array()) for ax in fig.axes]


@pytest.mark.parametrize("preset", sorted(cn.PRESET_KERNELS))
def test_feature_maps_are_the_correlation_its_relu_and_pooling(preset):
    fig = widgets.draw_feature_maps(preset, image_index=5, source="digit")
    assert_labelled(fig)
    image, feature, rectified, pooled = images_of(fig)
    kernel = cn.PRESET_KERNELS[preset]
    assert_close(image, cn.source_image("digit", 5))
    assert_close(feature, scipy.signal.correlate2d(image, kernel, "valid"))
    assert_close(rectified, np.maximum(feature, 0))
    expected = torch.nn.functional.max_pool2d(torch.tensor(rectified)[None, None], 2)[0, 0]
    assert_close(pooled, expected.numpy())
    assert preset in fig.get_suptitle()


def test_a_custom_kernel_on_the_photo():
    kernel = np.arange(9.0).reshape(3, 3) - 4
    fig = widgets.draw_feature_maps(kernel, source="photo")
    image, feature, _, pooled = images_of(fig)
    assert image.shape == (214, 320) and feature.shape == (212, 318) and pooled.shape == (106, 159)
    assert_close(feature[:5, :5], scipy.signal.correlate2d(image[:7, :7], kernel, "valid"))
    assert "custom" in fig.get_suptitle()


def test_the_edge_kernel_flips_sign_between_its_two_sides():
    """edge-x = [[1, 0, -1]] * 3: positive where the image gets darker to the right."""
    step = np.zeros((5, 6))
    step[:, :3] = 1.0  # bright left half
    feature, _, _ = cn.feature_maps(step, "edge-x")
    assert np.all(feature[:, 1:3] == 3.0) and np.all(feature[:, [0, 3]] == 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel": "emboss"}, "unknown kernel"),
        ({"kernel": np.ones((5, 5))}, "3 x 3"),
        ({"source": "video"}, "unknown source"),
    ],
)
def test_feature_maps_reject_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.draw_feature_maps(**kwargs)


def path_counts(n_layers, k, stride, dilations, size):
    """The number of paths from the first top unit to each input pixel: the gradient of that
    unit with respect to the input of a stack of all-ones convolutions."""
    x = torch.ones(1, 1, size, dtype=torch.float64, requires_grad=True)
    h = x
    for d in dilations:
        h = torch.nn.functional.conv1d(
            h, torch.ones(1, 1, k, dtype=torch.float64), stride=stride, dilation=d
        )
    h[0, 0, 0].backward()
    return x.grad[0, 0].numpy()


@pytest.mark.parametrize(
    ("n_layers", "k", "stride", "dilation", "mode"),
    [
        (2, 3, 1, 1, "same"),
        (4, 3, 1, 1, "doubling"),
        (3, 3, 2, 1, "same"),
        (3, 5, 2, 2, "same"),
        (1, 1, 1, 1, "same"),
    ],
)
def test_receptive_field_paths_are_the_gradient_of_an_all_ones_stack(
    n_layers, k, stride, dilation, mode
):
    fig = widgets.draw_receptive_field(n_layers, k, stride, dilation, mode)
    assert_labelled(fig)
    dilations = cn.layer_dilations(n_layers, dilation, mode)
    field = conv.receptive_field([k] * n_layers, [stride] * n_layers, dilations)
    assert f"= {field}" in fig.get_suptitle()
    expected = path_counts(n_layers, k, stride, dilations, field)
    assert expected[0] > 0 and expected[-1] > 0  # the field spans exactly the footprint
    (bars,) = fig.axes[1].collections
    heights = np.array([segment[1, 1] for segment in bars.get_segments()])
    assert_close(heights, expected)


def test_exercise_9_7_in_the_widget():
    fig = widgets.draw_receptive_field(4, 3, 1, 1, "doubling")
    assert "dilations 1, 2, 4, 8" in fig.get_suptitle() and "= 31" in fig.get_suptitle()
    assert "31 of the 31 pixels" in fig.axes[1].get_title()


def test_receptive_field_rejects_what_it_cannot_draw():
    with pytest.raises(ValueError, match="too wide to draw"):
        widgets.draw_receptive_field(6, 7, 3, 4)
    with pytest.raises(ValueError, match="n_layers must be an integer in 1..6"):
        widgets.draw_receptive_field(0)
    with pytest.raises(ValueError, match="dilation mode"):
        widgets.draw_receptive_field(2, dilation_mode="random")


@pytest.mark.parametrize(
    ("n", "k", "stride", "padding", "dilation"),
    [
        (5, 3, 1, 0, 1),
        (7, 3, 2, 1, 1),
        (8, 3, 1, 0, 2),
        (6, 2, 3, 2, 1),
        (4, 4, 1, 0, 1),
    ],
)
def test_conv_arithmetic_shows_the_output_size_torch_gives(n, k, stride, padding, dilation):
    fig = widgets.draw_conv_arithmetic(n, k, stride, padding, dilation, row=1, col=0)
    assert_labelled(fig)
    expected = torch.nn.Conv2d(1, 1, k, stride, padding, dilation)(torch.zeros(1, 1, n, n)).shape[
        -1
    ]
    assert f"= {expected}" in fig.get_suptitle()
    grid, output = images_of(fig)
    assert grid.shape == (n + 2 * padding,) * 2 and output.shape == (expected, expected)
    inside = np.zeros(grid.shape, dtype=bool)
    inside[padding : padding + n, padding : padding + n] = True
    assert np.all(np.isin(grid[inside], [1, 3])) and np.all(np.isin(grid[~inside], [0, 3]))
    row = min(1, expected - 1)
    taps = np.argwhere(grid == 3)
    assert len(taps) == k * k
    assert taps.min(axis=0).tolist() == [row * stride, 0]
    assert taps.max(axis=0).tolist() == [row * stride + dilation * (k - 1), dilation * (k - 1)]


def test_conv_arithmetic_when_the_kernel_does_not_fit():
    fig = widgets.draw_conv_arithmetic(3, 5, 1, 0, 1)
    assert "no output" in fig.get_suptitle()
    with pytest.raises(ValueError, match="stride must be an integer"):
        widgets.draw_conv_arithmetic(5, 3, 0)


# --- redrawn in place (dlkit.plot.LiveFigure), with the notebook's controls ---------------

WEIGHT_SLIDERS = {name: (-2.0, 2.0, 0.25) for name in cn._WEIGHTS}
FEATURE_DEFAULTS = {"image_index": 0, **dict(zip(cn._WEIGHTS, [1.0, 0, -1, 2, 0, -2, 1, 0, -1]))}


@pytest.mark.parametrize(
    ("setting", "updates"),
    [
        ({"preset": "edge-x"}, [{"image_index": 0}, {"image_index": 50}, {"image_index": 7}]),
        (
            {"preset": "custom"},
            [{"k00": -2.0, "image_index": 3}, {"k11": 2.0}, {"k00": 2.0, "k22": -2.0}, {}],
        ),
        ({"preset": "custom", "source": "photo"}, [{"k00": -2.0}, {"k12": 2.0}]),
        ({"preset": "blur", "source": "photo"}, [{}, {"image_index": 4}]),
    ],
)
def test_feature_maps_redraw_in_place(setting, updates):
    assert_redraws_in_place(widgets.FeatureMaps, setting, updates)


def test_the_feature_maps_class_matches_the_function():
    kernel = np.arange(9.0).reshape(3, 3) - 4
    drawing = widgets.FeatureMaps("custom").update(5, *kernel.ravel())
    assert_close(images_of(drawing.figure)[1], images_of(widgets.draw_feature_maps(kernel, 5))[1])
    preset = widgets.FeatureMaps("sharpen").update(5, k00=9.0)  # a preset ignores the weights
    assert_close(images_of(preset.figure)[1], images_of(widgets.draw_feature_maps("sharpen", 5))[1])
    with pytest.raises(ValueError, match="unknown kernel"):
        widgets.FeatureMaps("emboss")


# measured: 0 renders for every slider (an image keeps its own frame; colours are not limits)
@pytest.mark.parametrize("source", cn.SOURCES)
@pytest.mark.parametrize("slider", ["image_index", *WEIGHT_SLIDERS])
def test_feature_map_sliders_keep_the_axes(source, slider):
    bounds = (0, 50, 1) if slider == "image_index" else WEIGHT_SLIDERS[slider]
    updates = sweep(FEATURE_DEFAULTS, slider, bounds)
    assert background_renders(widgets.FeatureMaps("custom", source), updates) == 0


ARITHMETIC_DEFAULTS = {"n": 7, "k": 3, "stride": 2, "padding": 1, "dilation": 1, "row": 0, "col": 0}
ARITHMETIC_SLIDERS = {
    "n": (1, 12, 1),
    "k": (1, 7, 1),
    "stride": (1, 4, 1),
    "padding": (0, 3, 1),
    "dilation": (1, 3, 1),
    "row": (0, 11, 1),
    "col": (0, 11, 1),
}


@pytest.mark.parametrize(
    "updates",
    [
        [{"n": 1}, {"n": 4}, {"n": 5}, {"n": 12, "padding": 3}, {"n": 3, "padding": 0}],
        [{"k": 7}, {"k": 1, "row": 11, "col": 11}, {"dilation": 3, "k": 4}, {"stride": 4}],
        [{"n": 3, "k": 5, "padding": 0}, {"n": 12}, {"padding": 3, "dilation": 3, "k": 7}],
    ],
)
def test_conv_arithmetic_redraws_in_place(updates):
    updates = [{**ARITHMETIC_DEFAULTS, **params} for params in updates]
    assert_redraws_in_place(widgets.ConvArithmetic, {}, updates)


# measured over the notebook's ranges: n 2 renders of 11 moves (n + 2p crosses 5 and 10),
# padding 1 of 3, k, stride, dilation, row and col 0
@pytest.mark.parametrize("slider", ARITHMETIC_SLIDERS)
def test_conv_arithmetic_sliders_keep_the_axes(slider):
    updates = sweep(ARITHMETIC_DEFAULTS, slider, ARITHMETIC_SLIDERS[slider])
    renders = background_renders(widgets.ConvArithmetic(), updates)
    assert renders <= (len(updates) - 1) // 3
    if slider not in ("n", "padding"):
        assert renders == 0


@pytest.mark.parametrize("n", range(1, 13))
@pytest.mark.parametrize("padding", range(4))
def test_conv_arithmetic_frames_hold_the_grids(n, padding):
    fig = widgets.draw_conv_arithmetic(n, 3, 1, padding, 1)
    side = n + 2 * padding
    for ax in fig.axes:
        low, high = sorted(ax.get_xlim())
        assert ax.get_ylim() == (high, low)  # rows down, square
        (image,) = ax.get_images()
        left, right, bottom, top = image.get_extent()
        assert low <= left and right <= high and low <= top and bottom <= high
    frame = high - low
    assert side <= frame < side + 5 and (side < 3 or side / frame > 0.5)


RECEPTIVE_DEFAULTS = {"n_layers": 4, "kernel": 3, "stride": 1, "dilation": 1}
RECEPTIVE_SLIDERS = {
    "n_layers": (1, 4, 1),
    "kernel": (1, 5, 1),
    "stride": (1, 2, 1),
    "dilation": (1, 3, 1),
}


@pytest.mark.parametrize("mode", cn.DILATIONS)
def test_receptive_field_redraws_in_place(mode):
    updates = [
        {"n_layers": 1, "kernel": 1},
        {"n_layers": 4, "kernel": 5, "stride": 2, "dilation": 3},
        {"n_layers": 2, "kernel": 3, "stride": 1, "dilation": 2},
        RECEPTIVE_DEFAULTS,
    ]
    assert_redraws_in_place(widgets.ReceptiveField, {"dilation_mode": mode}, updates)


# measured: 0 renders for every slider (both panels are live axes: only they are drawn)
@pytest.mark.parametrize("mode", cn.DILATIONS)
@pytest.mark.parametrize("slider", RECEPTIVE_SLIDERS)
def test_receptive_field_sliders_render_nothing_else(mode, slider):
    updates = sweep(RECEPTIVE_DEFAULTS, slider, RECEPTIVE_SLIDERS[slider])
    assert background_renders(widgets.ReceptiveField(mode), updates) == 0


@pytest.mark.parametrize("mode", cn.DILATIONS)
@pytest.mark.parametrize("slider", RECEPTIVE_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_receptive_field_limits_hold_the_field(mode, slider, end):
    params = sweep(RECEPTIVE_DEFAULTS, slider, RECEPTIVE_SLIDERS[slider])[end]
    drawing = widgets.ReceptiveField(mode).update(**params)
    left, right = drawing.figure.axes
    units = np.concatenate([c.get_offsets() for c in left.collections[::2]])
    heights = np.array([segment[1, 1] for segment in right.collections[0].get_segments()])
    for ax in (left, right):
        x_low, x_high = ax.get_xlim()
        assert x_low < units[:, 0].min() and units[:, 0].max() < x_high
    assert left.get_ylim() == (-0.5, params["n_layers"] + 0.5)
    assert heights.max() <= right.get_ylim()[1] < 1.1 * heights.max()
