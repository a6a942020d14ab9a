"""Convolution arithmetic: output sizes, receptive fields, parameter and multiply-add counts.

Sizes are along one spatial axis (apply them to height and width separately). A layer
with kernel k, stride s, padding p and dilation d spans ``d (k - 1) + 1`` input pixels
(its *effective* kernel) and slides it over the padded input ``n + 2p`` in steps of s.
"""

import math

import numpy as np


def _positive_int(value, name, function, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{function}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def effective_kernel(k, dilation=1):
    """Input pixels one dilated kernel spans: ``d (k - 1) + 1`` (k for d = 1)."""
    k = _positive_int(k, "k", "effective_kernel")
    dilation = _positive_int(dilation, "dilation", "effective_kernel")
    return dilation * (k - 1) + 1


def conv_output_size(n, k, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Output length of a convolution or pooling along one axis.

    ``n_out = floor((n + 2p - d (k - 1) - 1) / s) + 1``: the number of window positions
    ``0, s, 2s, ...`` whose effective kernel ``d (k - 1) + 1`` fits in the padded input
    ``n + 2p``. ``ceil_mode=True`` rounds up instead (torch's pooling option: a last,
    partial window), dropping a window that would start in the right padding.
    Raises ValueError when the kernel does not fit at all.
    """
    fn = "conv_output_size"
    n = _positive_int(n, "n", fn)
    k = _positive_int(k, "k", fn)
    stride = _positive_int(stride, "stride", fn)
    padding = _positive_int(padding, "padding", fn, minimum=0)
    dilation = _positive_int(dilation, "dilation", fn)
    span = n + 2 * padding - dilation * (k - 1) - 1  # room left after the first window
    if span < 0:
        raise ValueError(
            f"conv_output_size: the effective kernel {dilation * (k - 1) + 1} does not fit in "
            f"the padded input {n} + 2 * {padding}; pad more or use a smaller kernel"
        )
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= n + padding:  # the last window would start in the padding
        out -= 1
    return out


def same_padding(k, dilation=1):
    """Padding that keeps the size at stride 1: ``d (k - 1) / 2`` (needs an odd effective
    kernel); raises ValueError otherwise."""
    span = effective_kernel(k, dilation) - 1
    if span % 2:
        raise ValueError(
            f"same_padding: the effective kernel {span + 1} is even, so no symmetric padding "
            "keeps the size; use an odd kernel"
        )
    return span // 2


def _per_layer(values, n_layers, name):
    if values is None:
        return [1] * n_layers
    values = list(values)
    if len(values) != n_layers:
        raise ValueError(
            f"receptive_field: {name} has {len(values)} entries but kernels has {n_layers}; "
            "give one per layer"
        )
    return [_positive_int(v, name, "receptive_field") for v in values]


def receptive_field(kernels, strides=None, dilations=None):
    """Input pixels (along one axis) that one unit of the last layer of a stack can see.

    ``r = 1 + sum_l (k_l - 1) d_l J_l`` with the *jump* ``J_l = s_1 s_2 ... s_{l-1}``, the
    distance in input pixels between neighbouring units of layer l - 1 (J_1 = 1). A layer's
    own stride does not widen its units' view; it spaces the units the next layer sees.
    strides and dilations default to 1 for every layer.
    """
    kernels = [_positive_int(k, "kernels", "receptive_field") for k in kernels]
    if not kernels:
        raise ValueError("receptive_field: give at least one layer")
    strides = _per_layer(strides, len(kernels), "strides")
    dilations = _per_layer(dilations, len(kernels), "dilations")
    field, jump = 1, 1
    for k, s, d in zip(kernels, strides, dilations):
        field += (k - 1) * d * jump
        jump *= s
    return field


def conv_params(c_in, c_out, k, bias=True, separable=False):
    """Trainable parameters of a k x k convolution from c_in to c_out channels.

    Standard: ``k^2 c_in c_out`` weights (+ c_out biases). Depthwise separable: a depthwise
    k x k filter per input channel, ``k^2 c_in`` (+ c_in biases), then a pointwise 1 x 1
    convolution ``c_in c_out`` (+ c_out biases).
    """
    c_in = _positive_int(c_in, "c_in", "conv_params")
    c_out = _positive_int(c_out, "c_out", "conv_params")
    k = _positive_int(k, "k", "conv_params")
    if separable:
        return k * k * c_in + c_in * c_out + (c_in + c_out if bias else 0)
    return k * k * c_in * c_out + (c_out if bias else 0)


def conv_macs(c_in, c_out, k, h_out, w_out, separable=False):
    """Multiply-accumulates of one image through the layer (biases not counted).

    Standard: ``k^2 c_in c_out`` per output pixel, ``h_out w_out`` pixels. Separable:
    ``k^2 c_in`` (depthwise) + ``c_in c_out`` (pointwise) per pixel, so the ratio
    separable / standard is ``1 / c_out + 1 / k^2``.
    """
    c_in = _positive_int(c_in, "c_in", "conv_macs")
    c_out = _positive_int(c_out, "c_out", "conv_macs")
    k = _positive_int(k, "k", "conv_macs")
    pixels = _positive_int(h_out, "h_out", "conv_macs") * _positive_int(w_out, "w_out", "conv_macs")
    per_pixel = k * k * c_in + c_in * c_out if separable else k * k * c_in * c_out
    return per_pixel * pixels


def layers_for_receptive_field(target, k=3):
    """How many plain stride-1 k x k layers reach a receptive field of at least ``target``:
    ``ceil((target - 1) / (k - 1))``."""
    target = _positive_int(target, "target", "layers_for_receptive_field")
    k = _positive_int(k, "k", "layers_for_receptive_field", minimum=2)
    return math.ceil((target - 1) / (k - 1))
