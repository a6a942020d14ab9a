"""Convolution in numpy, four ways, with its backward pass and pooling (module 11).

Images are NCHW float64 arrays: x (N, C_in, H, W), kernels w (C_out, C_in, kh, kw),
biases b (C_out,). "Convolution" means cross-correlation, as in ``torch.nn.functional
.conv2d``; ``convolve2d`` is the flipped-kernel convolution of signal processing. One
file per method, all re-exported here (``dk.conv.im2col``, ``dk.conv.fft_conv2d``, ...):

- ``shapes``: output size, same padding, receptive field, parameter and MAC counts;
- ``direct``: correlate/convolve (1-D and 2-D, loops over the kernel), ``conv2d_direct``;
- ``im2col``: ``im2col`` / ``col2im`` (``F.unfold`` / ``F.fold`` order), ``conv2d_im2col``;
- ``backward``: ``conv2d_backward`` (dx, dw, db) and dx by the rotated kernel;
- ``fft``: zero-padded FFT convolution, one kernel or multi-channel;
- ``winograd``: F(2, 3) and F(2 x 2, 3 x 3), tiled with tails;
- ``pooling``: max (ties to the first maximum) and average, forward and backward, global;
- ``separable``: depthwise, pointwise and depthwise separable convolution;
- ``residual``: the residual block y = x + W2 relu(W1 x) and its Jacobian;
- ``shifts``: translations (the operator of equivariance), digits on a larger canvas.
"""

from dlkit.conv.backward import conv2d_backward, conv2d_backward_input_rotated, dilate
from dlkit.conv.direct import (
    conv2d_direct,
    convolve1d,
    convolve2d,
    correlate1d,
    correlate2d,
    flip_kernel,
)
from dlkit.conv.fft import conv2d_fft, fft_conv2d
from dlkit.conv.im2col import col2im, conv2d_im2col, im2col
from dlkit.conv.pooling import (
    avgpool2d,
    avgpool2d_backward,
    global_avg_pool,
    global_max_pool,
    maxpool2d,
    maxpool2d_backward,
)
from dlkit.conv.residual import residual_forward, residual_jacobian
from dlkit.conv.separable import depthwise_conv2d, depthwise_separable_conv, pointwise_conv2d
from dlkit.conv.shapes import (
    conv_macs,
    conv_output_size,
    conv_params,
    effective_kernel,
    layers_for_receptive_field,
    receptive_field,
    same_padding,
)
from dlkit.conv.shifts import place_on_canvas, random_offsets, shift, shift_each
from dlkit.conv.winograd import (
    winograd_conv2d,
    winograd_correlate1d,
    winograd_correlate2d,
    winograd_f23_matrices,
    winograd_f23_tile,
    winograd_tile_2d,
)

__all__ = [
    "avgpool2d",
    "avgpool2d_backward",
    "col2im",
    "conv2d_backward",
    "conv2d_backward_input_rotated",
    "conv2d_direct",
    "conv2d_fft",
    "conv2d_im2col",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "convolve1d",
    "convolve2d",
    "correlate1d",
    "correlate2d",
    "depthwise_conv2d",
    "depthwise_separable_conv",
    "dilate",
    "effective_kernel",
    "fft_conv2d",
    "flip_kernel",
    "global_avg_pool",
    "global_max_pool",
    "im2col",
    "layers_for_receptive_field",
    "maxpool2d",
    "maxpool2d_backward",
    "place_on_canvas",
    "pointwise_conv2d",
    "random_offsets",
    "receptive_field",
    "residual_forward",
    "residual_jacobian",
    "same_padding",
    "shift",
    "shift_each",
    "winograd_conv2d",
    "winograd_correlate1d",
    "winograd_correlate2d",
    "winograd_f23_matrices",
    "winograd_f23_tile",
    "winograd_tile_2d",
]
