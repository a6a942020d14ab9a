"""dlkit.conv.shapes against torch layers applied to zeros, autograd footprints and counts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import conv


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 7),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(1, 3),
)
def test_output_size_matches_torch_conv(n, k, stride, padding, dilation):
    if dilation * (k - 1) + 1 > n + 2 * padding:
        with pytest.raises(ValueError, match="does not fit"):
            conv.conv_output_size(n, k, stride, padding, dilation)
        return
    layer = torch.nn.Conv2d(1, 1, k, stride, padding, dilation)
    expected = layer(torch.zeros(1, 1, n, n)).shape[-1]
    assert conv.conv_output_size(n, k, stride, padding, dilation) == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.integers(1, 5), st.integers(1, 4), st.booleans())
def test_pooling_sizes_with_ceil_mode_match_torch(n, k, stride, ceil_mode):
    padding = k // 2 if k > 1 and n % 2 else 0
    if k > n + 2 * padding:
        return
    pool = torch.nn.MaxPool2d(k, stride, padding, ceil_mode=ceil_mode)
    expected = pool(torch.zeros(1, 1, n, n)).shape[-1]
    assert conv.conv_output_size(n, k, stride, padding, ceil_mode=ceil_mode) == expected


def test_the_seed_book_shapes_of_exercise_9_5():
    side = conv.conv_output_size(224, 7, stride=2, padding=3)
    assert side == 112
    assert conv.conv_output_size(side, 3, stride=2) == 55  # no padding: 55, not ResNet's 56
    assert conv.conv_output_size(side, 3, stride=2, padding=1) == 56
    assert conv.conv_output_size(55, 3, stride=1, padding=1) == 55


def test_same_padding_keeps_the_size():
    for k, d in [(3, 1), (5, 1), (3, 2), (7, 3)]:
        assert conv.conv_output_size(17, k, padding=conv.same_padding(k, d), dilation=d) == 17
    with pytest.raises(ValueError, match="even"):
        conv.same_padding(4)


def footprint(kernels, strides, dilations, size=80):
    """Input pixels (along one axis) whose gradient reaches one output unit of a stack of
    all-ones torch convolutions: the receptive field, measured."""
    x = torch.ones(1, 1, 1, size, requires_grad=True, dtype=torch.float64)
    h = x
    for k, s, d in zip(kernels, strides, dilations):
        weight = torch.ones(1, 1, 1, k, dtype=torch.float64)
        h = torch.nn.functional.conv2d(h, weight, stride=(1, s), dilation=(1, d))
    h[0, 0, 0, h.shape[-1] // 2].backward()
    touched = np.flatnonzero(x.grad[0, 0, 0].numpy())
    return touched.max() - touched.min() + 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4
    )
)
def test_receptive_field_is_the_gradient_footprint(layers):
    kernels, strides, dilations = (list(column) for column in zip(*layers))
    # the input holds the largest receptive field drawn, 1 + (5 - 1)·3·(1 + 3 + 9 + 27) = 481
    # (kernel 5, dilation 3, strides 3 before each layer), so that one output unit exists
    assert conv.receptive_field(kernels, strides, dilations) == footprint(
        kernels, strides, dilations, size=481
    )


def test_receptive_field_values_of_the_seed_exercises():
    assert conv.receptive_field([3, 3]) == 5  # Exercise 9.1
    assert conv.receptive_field([3] * 4, dilations=[1, 2, 4, 8]) == 31  # Exercise 9.7
    assert conv.layers_for_receptive_field(31) == 15
    with pytest.raises(ValueError, match="one per layer"):
        conv.receptive_field([3, 3], strides=[1])


@pytest.mark.parametrize(("c_in", "c_out", "k"), [(64, 128, 3), (64, 64, 3), (3, 16, 5), (1, 1, 1)])
def test_parameter_counts_match_torch(c_in, c_out, k):
    standard = torch.nn.Conv2d(c_in, c_out, k)
    depthwise = torch.nn.Conv2d(c_in, c_in, k, groups=c_in)
    pointwise = torch.nn.Conv2d(c_in, c_out, 1)
    count = lambda *layers: sum(p.numel() for m in layers for p in m.parameters())  # noqa: E731
    assert conv.conv_params(c_in, c_out, k) == count(standard)
    assert conv.conv_params(c_in, c_out, k, bias=False) == standard.weight.numel()
    assert conv.conv_params(c_in, c_out, k, separable=True) == count(depthwise, pointwise)
    assert (
        conv.conv_params(64, 128, 3) == 73_856
        and conv.conv_params(64, 64, 3, separable=True) == 4_800
    )


def test_mac_counts_and_the_separable_ratio():
    assert conv.conv_macs(3, 64, 7, 112, 112) == 7 * 7 * 3 * 64 * 112 * 112
    ratio = conv.conv_macs(64, 64, 3, 56, 56, separable=True) / conv.conv_macs(64, 64, 3, 56, 56)
    assert ratio == pytest.approx(1 / 64 + 1 / 9)
    assert ratio == pytest.approx(0.1267, abs=1e-4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.conv_output_size(5, 0), "k must be an integer >= 1"),
        (lambda: conv.conv_output_size(5, 3, padding=-1), "padding must be an integer >= 0"),
        (lambda: conv.conv_output_size(2, 5), "does not fit"),
        (lambda: conv.conv_params(3, 2.5, 3), "c_out must be an integer"),
        (lambda: conv.receptive_field([]), "at least one layer"),
    ],
)
def test_bad_arguments_say_what_to_pass(call, message):
    with pytest.raises(ValueError, match=message):
        call()
