"""Module-11 widget drawings, headless: right content (against scipy and torch), labels,
validation, no figure leaks."""

import numpy as np
import pytest
import scipy.signal
import torch

from dlkit import conv, widgets
from dlkit.testing import assert_close
from dlkit.widgets import convolutional_networks as cn
from tests.dlkit.widgets.figures import assert_labelled


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
