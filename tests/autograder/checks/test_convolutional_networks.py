"""The module-11 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import conv

pytestmark = pytest.mark.usefixtures("one_thread")


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit.conv)
# ---------------------------------------------------------------------------


def im2col_ref(x, k, stride, padding):
    return conv.im2col(x, k, stride, padding)


def conv2d_ref(x, w, b, stride, padding):
    return conv.conv2d_im2col(x, w, b, stride, padding)


def conv_backward_ref(dout, x, w, stride, padding):
    return conv.conv2d_backward(dout, x, w, stride, padding)


def maxpool_ref(x, k, stride):
    return conv.maxpool2d(x, k, stride)


def maxpool_backward_ref(dout, argmax, x_shape):
    return conv.maxpool2d_backward(dout, argmax, x_shape)


def avgpool_backward_ref(dout, x_shape, k, stride):
    return conv.avgpool2d_backward(dout, x_shape, k, stride)


def fft_convolve_ref(image, kernel):
    return conv.fft_conv2d(image, kernel, correlate=False, mode="full")


def fft_correlate_ref(image, kernel):
    return conv.fft_conv2d(image, kernel)


def separable_ref(x, w_dw, w_pw):
    return conv.depthwise_separable_conv(x, w_dw, w_pw)


def augmented(X_train, y_train, rng, copies=3, max_shift=4):
    """The training digits plus ``copies`` copies, each digit moved by a random offset."""
    parts = [X_train]
    for _ in range(copies):
        parts.append(conv.shift_each(X_train, conv.random_offsets(len(X_train), max_shift, rng)))
    return np.concatenate(parts), np.tile(y_train, copies + 1)


def train_shift_robust_ref(
    X_train, y_train, X_test, seed, epochs=8, copies=3, model=None, torch_seed=True
):
    if torch_seed:
        torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    X, y = augmented(X_train, y_train, rng, copies)
    if model is None:
        model = dk.models.CNN(dk.models.CNNConfig(channels=(16, 32, 64), image_size=16))
    dk.train.fit(
        model,
        (X.astype(np.float32), y),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        epochs=epochs,
        batch_size=64,
        seed=seed,
        progress=False,
    )
    return dk.train.predict(model, X_test.astype(np.float32)).argmax(dim=1).numpy()


REFERENCES = {
    "correlate_convolve": (conv.correlate2d, conv.convolve2d),
    "output_size": conv.conv_output_size,
    "param_count": (conv.conv_params, conv.conv_macs),
    "receptive_field": conv.receptive_field,
    "im2col": (im2col_ref, conv2d_ref),
    "conv_backward": conv_backward_ref,
    "pooling": (maxpool_ref, maxpool_backward_ref, avgpool_backward_ref),
    "fft_conv": (fft_convolve_ref, fft_correlate_ref),
    "winograd": (conv.winograd_f23_matrices, conv.winograd_correlate1d),
    "depthwise_separable": separable_ref,
    "residual_jacobian": conv.residual_jacobian,
    "shift_robust": train_shift_robust_ref,
}


# ---------------------------------------------------------------------------
# Alternatives: other correct answers (loops; another valid set of Winograd transforms)
# ---------------------------------------------------------------------------


def correlate_loops(image, kernel):
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def convolve_loops(image, kernel):
    return correlate_loops(image, np.asarray(kernel)[::-1, ::-1])


def rescaled_matrices():
    """Scaling row r of G by c_r and row r of B^T by 1 / c_r keeps every product."""
    BT, G, AT = conv.winograd_f23_matrices()
    scale = np.array([1.0, 2.0, 2.0, -1.0])
    return BT / scale[:, None], G * scale[:, None], AT


def maxpool_loops(x, k, stride):
    N, C, H, W = x.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    out, argmax = np.zeros((N, C, H_out, W_out)), np.zeros((N, C, H_out, W_out), dtype=int)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride : i * stride + k, j * stride : j * stride + k]
                    a, b = divmod(int(np.argmax(window)), k)
                    out[n, c, i, j] = window[a, b]
                    argmax[n, c, i, j] = (i * stride + a) * W + j * stride + b
    return out, argmax


def maxpool_backward_add_at(dout, argmax, x_shape):
    N, C, H, W = x_shape
    dx = np.zeros((N * C, H * W))
    np.add.at(dx, (np.arange(N * C)[:, None], argmax.reshape(N * C, -1)), dout.reshape(N * C, -1))
    return dx.reshape(x_shape)


ALTERNATIVES = [
    ("correlate_convolve", (correlate_loops, convolve_loops)),
    ("winograd", (rescaled_matrices, conv.winograd_correlate1d)),
    ("pooling", (maxpool_loops, maxpool_backward_add_at, avgpool_backward_ref)),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def correlate_flips(image, kernel):
    return conv.convolve2d(image, kernel)


def convolve_without_flip(image, kernel):
    return conv.correlate2d(image, kernel)


def convolve_flips_one_axis(image, kernel):
    return conv.correlate2d(image, np.asarray(kernel)[:, ::-1])


def correlate_off_by_one(image, kernel):
    return conv.correlate2d(image, kernel)[:-1, :-1]


def size_without_plus_one(n, k, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride


def size_ignores_dilation(n, k, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - k) // stride + 1


def size_with_ceil(n, k, stride=1, padding=0, dilation=1):
    return int(np.ceil((n + 2 * padding - dilation * (k - 1) - 1) / stride)) + 1


def size_pads_once(n, k, stride=1, padding=0, dilation=1):
    return (n + padding - dilation * (k - 1) - 1) // stride + 1


def size_assumes_same_padding(n, k, stride=1, padding=0, dilation=1):
    return conv.conv_output_size(n, k, stride, max(padding, k // 2), dilation)


def size_as_float(n, k, stride=1, padding=0, dilation=1):
    return float(conv.conv_output_size(n, k, stride, padding, dilation))


def params_without_bias(c_in, c_out, k, bias=True, separable=False):
    return conv.conv_params(c_in, c_out, k, bias=False, separable=separable)


def params_full_depthwise(c_in, c_out, k, bias=True, separable=False):
    if separable:
        return k * k * c_in * c_out + c_in * c_out + (c_in + c_out) * bias
    return conv.conv_params(c_in, c_out, k, bias)


def macs_per_pixel(c_in, c_out, k, h_out, w_out, separable=False):
    return conv.conv_macs(c_in, c_out, k, 1, 1, separable)


def macs_full_depthwise(c_in, c_out, k, h_out, w_out, separable=False):
    if separable:
        return (k * k * c_in * c_out + c_in * c_out) * h_out * w_out
    return conv.conv_macs(c_in, c_out, k, h_out, w_out)


def field_without_jump(kernels, strides, dilations):
    return 1 + sum((k - 1) * d for k, d in zip(kernels, dilations))


def field_with_own_stride(kernels, strides, dilations):
    field, jump = 1, 1
    for k, s, d in zip(kernels, strides, dilations):
        jump *= s
        field += (k - 1) * d * jump
    return field


def field_multiplied(kernels, strides, dilations):
    return int(np.prod([(k - 1) * d + 1 for k, d in zip(kernels, dilations)]))


def field_ignores_dilation(kernels, strides, dilations):
    return conv.receptive_field(kernels, strides)


def im2col_kernel_offset_first(x, k, stride, padding):
    N, C = x.shape[:2]
    cols = conv.im2col(x, k, stride, padding)
    return cols.reshape(N, C, k * k, -1).transpose(0, 2, 1, 3).reshape(N, C * k * k, -1)


def im2col_transposed(x, k, stride, padding):
    return conv.im2col(x, k, stride, padding).transpose(0, 2, 1)


def im2col_without_padding(x, k, stride, padding):
    return conv.im2col(x, k, stride, 0)


def conv2d_reshaped_wrong(x, w, b, stride, padding):
    out = conv.conv2d_im2col(x, w, b, stride, padding)
    N, C_out, H_out, W_out = out.shape
    return out.reshape(N, C_out, W_out, H_out)


def conv2d_without_bias(x, w, b, stride, padding):
    return conv.conv2d_im2col(x, w, None, stride, padding)


def conv2d_bias_on_last_axis(x, w, b, stride, padding):
    return conv.conv2d_im2col(x, w, None, stride, padding) + b


def _textbook_dx(dout, w, x_shape, stride, padding, rotate=True, dilate=True):
    """The full correlation of dout with the kernel, as a learner writes it (the crop assumes
    the result has the padded input's size)."""
    k = w.shape[2]
    spread = conv.dilate(dout, stride) if dilate else np.asarray(dout, dtype=float)
    padded = np.pad(spread, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
    kernel = conv.flip_kernel(w) if rotate else w
    full = conv.conv2d_direct(padded, kernel.transpose(1, 0, 2, 3))  # (N, C, rows, cols)
    return full[:, :, padding : full.shape[2] - padding, padding : full.shape[3] - padding]


def backward_without_rotation(dout, x, w, stride, padding):
    _, dw, db = conv.conv2d_backward(dout, x, w, stride, padding)
    return _textbook_dx(dout, w, x.shape, stride, padding, rotate=False), dw, db


def backward_stride_without_dilation(dout, x, w, stride, padding):
    _, dw, db = conv.conv2d_backward(dout, x, w, stride, padding)
    return _textbook_dx(dout, w, x.shape, stride, padding, dilate=False), dw, db


def backward_padding_not_cropped(dout, x, w, stride, padding):
    _, dw, db = conv.conv2d_backward(dout, x, w, stride, padding)
    return _textbook_dx(dout, w, x.shape, stride, 0), dw, db


def backward_db_per_example(dout, x, w, stride, padding):
    dx, dw, _ = conv.conv2d_backward(dout, x, w, stride, padding)
    return dx, dw, dout.sum(axis=(2, 3))


def backward_db_per_position(dout, x, w, stride, padding):
    dx, dw, _ = conv.conv2d_backward(dout, x, w, stride, padding)
    return dx, dw, dout.sum(axis=0)


def backward_dw_rotated(dout, x, w, stride, padding):
    dx, dw, db = conv.conv2d_backward(dout, x, w, stride, padding)
    return dx, conv.flip_kernel(dw), db


def maxpool_last_maximum(x, k, stride):
    """Ties resolved with >= in a loop: the last maximum of each window wins."""
    out, argmax = maxpool_loops(x, k, stride)
    W = x.shape[3]
    for index in np.ndindex(out.shape):
        n, c, i, j = index
        window = x[n, c, i * stride : i * stride + k, j * stride : j * stride + k]
        a, b = divmod(k * k - 1 - int(np.argmax(window.ravel()[::-1])), k)
        argmax[index] = (i * stride + a) * W + j * stride + b
    return out, argmax


def maxpool_window_index(x, k, stride):
    out, argmax = conv.maxpool2d(x, k, stride)
    W = x.shape[3]
    rows, cols = np.divmod(argmax, W)
    i = np.arange(out.shape[2])[:, None] * stride
    j = np.arange(out.shape[3])[None, :] * stride
    return out, (rows - i) * k + (cols - j)


def maxpool_backward_assigns(dout, argmax, x_shape):
    N, C, H, W = x_shape
    dx = np.zeros((N * C, H * W))
    dx[np.arange(N * C)[:, None], argmax.reshape(N * C, -1)] = dout.reshape(N * C, -1)
    return dx.reshape(x_shape)


def avgpool_backward_without_scale(dout, x_shape, k, stride):
    return conv.avgpool2d_backward(dout, x_shape, k, stride) * k * k


def avgpool_backward_assigns(dout, x_shape, k, stride):
    dx = np.zeros(x_shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, i * stride : i * stride + k, j * stride : j * stride + k] = (
                dout[:, :, i : i + 1, j : j + 1] / k**2
            )
    return dx


def fft_convolve_circular(image, kernel):
    return np.real(np.fft.ifft2(np.fft.fft2(image) * np.fft.fft2(kernel, s=image.shape)))


def fft_convolve_complex(image, kernel):
    shape = (image.shape[0] + kernel.shape[0] - 1, image.shape[1] + kernel.shape[1] - 1)
    return np.fft.ifft2(np.fft.fft2(image, s=shape) * np.fft.fft2(kernel, s=shape))


def fft_correlate_without_flip(image, kernel):
    return conv.fft_conv2d(image, kernel, correlate=False)


def fft_correlate_crop_offset(image, kernel):
    (H, W), (kh, kw) = image.shape, kernel.shape
    return conv.fft_conv2d(image, kernel, mode="full")[: H - kh + 1, : W - kw + 1]


def matrices_without_halves():
    BT, G, AT = conv.winograd_f23_matrices()
    G[1:3] *= 2.0
    return BT, G, AT


def matrices_for_convolution():
    BT, G, AT = conv.winograd_f23_matrices()
    return BT, G[:, ::-1], AT


def _f23_tiles(d, g, starts):
    BT, G, AT = conv.winograd_f23_matrices()
    padded = np.concatenate([d, np.zeros(4)])
    return np.concatenate([AT @ ((G @ g) * (BT @ padded[t : t + 4])) for t in starts])


def winograd_advances_by_4(d, g):
    return _f23_tiles(d, g, range(0, len(d) - 3, 4))


def winograd_drops_odd_tail(d, g):
    return _f23_tiles(d, g, range(0, len(d) - 3, 2))


def separable_sums_channels(x, w_dw, w_pw):
    summed = conv.conv2d_im2col(x, np.repeat(w_dw, x.shape[1], axis=1))
    return conv.pointwise_conv2d(summed, w_pw)


def separable_pointwise_first(x, w_dw, w_pw):
    return conv.depthwise_conv2d(conv.pointwise_conv2d(x, w_pw), w_dw)


def separable_transposed_pointwise(x, w_dw, w_pw):
    return conv.pointwise_conv2d(conv.depthwise_conv2d(x, w_dw), w_pw.transpose(1, 0, 2, 3))


def jacobian_without_identity(x, W1, W2):
    return conv.residual_jacobian(x, W1, W2) - np.eye(len(x))


def jacobian_without_mask(x, W1, W2):
    return np.eye(len(x)) + W2 @ W1


def jacobian_transposed(x, W1, W2):
    return conv.residual_jacobian(x, W1, W2).T


def shift_without_augmentation(X_train, y_train, X_test, seed, epochs=8):
    return train_shift_robust_ref(X_train, y_train, X_test, seed, epochs, copies=0)


def shift_with_an_mlp(X_train, y_train, X_test, seed, epochs=8):
    torch.manual_seed(seed)
    mlp = dk.models.MLP(dk.models.MLPConfig(in_features=256, hidden=(256,), out_features=10))
    return train_shift_robust_ref(X_train, y_train, X_test, seed, epochs, model=mlp)


def shift_unseeded(X_train, y_train, X_test, seed, epochs=8):
    return train_shift_robust_ref(X_train, y_train, X_test, int(np.random.randint(1 << 30)), epochs)


def shift_fixed_seed(X_train, y_train, X_test, seed, epochs=8):
    return train_shift_robust_ref(X_train, y_train, X_test, 0, epochs)


def shift_returns_scores(X_train, y_train, X_test, seed, epochs=8):
    return np.zeros((len(X_test), 10))


MUTANTS = [
    ("correlate_convolve_basic", (correlate_flips, conv.convolve2d), "does not flip the kernel"),
    (
        "correlate_convolve_basic",
        (conv.correlate2d, convolve_without_flip),
        "convolution flips the kernel first",
    ),
    (
        "correlate_convolve_hidden",
        (conv.correlate2d, convolve_flips_one_axis),
        "flips both axes",
    ),
    ("correlate_convolve_basic", (correlate_off_by_one, conv.convolve2d), "the missing +1"),
    ("output_size_basic", size_without_plus_one, "the missing +1"),
    ("output_size_hidden", size_ignores_dilation, "dilation ignored"),
    ("output_size_hidden", size_with_ceil, "ceil instead of floor"),
    ("output_size_basic", size_pads_once, "on both sides"),
    ("output_size_basic", size_assumes_same_padding, "ResNet's pool (padding 1)"),
    ("output_size_basic", size_as_float, "returned a float"),
    ("param_count_basic", (params_without_bias, conv.conv_macs), "add one bias per output channel"),
    (
        "param_count_basic",
        (params_full_depthwise, conv.conv_macs),
        "one k x k filter per input channel",
    ),
    ("param_count_basic", (conv.conv_params, macs_per_pixel), "multiply by h_out * w_out"),
    (
        "param_count_basic",
        (conv.conv_params, macs_full_depthwise),
        "the depthwise stage costs k*k*c_in per pixel",
    ),
    ("receptive_field_hidden", field_without_jump, "the jump left out"),
    ("receptive_field_hidden", field_with_own_stride, "not including its own"),
    ("receptive_field_basic", field_multiplied, "not multiplied"),
    ("receptive_field_basic", field_ignores_dilation, "dilation ignored"),
    ("im2col_basic", (im2col_kernel_offset_first, conv2d_ref), "im2col rows in the wrong order"),
    ("im2col_basic", (im2col_transposed, conv2d_ref), "columns the L positions"),
    ("im2col_basic", (im2col_without_padding, conv2d_ref), "pad x first"),
    ("im2col_basic", (im2col_ref, conv2d_reshaped_wrong), "rows first, then columns"),
    ("im2col_basic", (im2col_ref, conv2d_without_bias), "add the bias"),
    ("im2col_hidden", (im2col_ref, conv2d_bias_on_last_axis), "not b along the last axis"),
    ("conv_backward_basic", backward_without_rotation, "rotated by 180 degrees"),
    ("conv_backward_hidden", backward_stride_without_dilation, "dilate dout first"),
    ("conv_backward_basic", backward_padding_not_cropped, "crop the padding"),
    ("conv_backward_basic", backward_db_per_example, "db not summed over the batch"),
    ("conv_backward_basic", backward_db_per_position, "db not summed over space"),
    ("conv_backward_basic", backward_dw_rotated, "dw needs no rotation"),
    (
        "pooling_hidden",
        (maxpool_ref, maxpool_backward_assigns, avgpool_backward_ref),
        "accumulate (np.add.at), do not assign",
    ),
    (
        "pooling_hidden",
        (maxpool_last_maximum, maxpool_backward_ref, avgpool_backward_ref),
        "ties go to the first maximum",
    ),
    (
        "pooling_basic",
        (maxpool_window_index, maxpool_backward_ref, avgpool_backward_ref),
        "not the position inside the window",
    ),
    (
        "pooling_basic",
        (maxpool_ref, maxpool_backward_ref, avgpool_backward_without_scale),
        "dout / k**2",
    ),
    (
        "pooling_hidden",
        (maxpool_ref, maxpool_backward_ref, avgpool_backward_assigns),
        "+=, not =",
    ),
    (
        "fft_conv_basic",
        (fft_convolve_circular, fft_correlate_ref),
        "without zero padding is circular",
    ),
    ("fft_conv_basic", (fft_convolve_complex, fft_correlate_ref), "returned complex numbers"),
    ("fft_conv_basic", (fft_convolve_ref, fft_correlate_without_flip), "flip the kernel"),
    ("fft_conv_basic", (fft_convolve_ref, fft_correlate_crop_offset), "crop is offset"),
    (
        "winograd_basic",
        (matrices_without_halves, conv.winograd_correlate1d),
        "½ factors are missing",
    ),
    (
        "winograd_basic",
        (matrices_for_convolution, conv.winograd_correlate1d),
        "compute a convolution",
    ),
    ("winograd_basic", (conv.winograd_f23_matrices, winograd_advances_by_4), "tiles advanced by 4"),
    ("winograd_hidden", (conv.winograd_f23_matrices, winograd_drops_odd_tail), "odd tail dropped"),
    ("depthwise_separable_basic", separable_sums_channels, "do not sum over channels"),
    ("depthwise_separable_basic", separable_pointwise_first, "depthwise first"),
    ("depthwise_separable_basic", separable_transposed_pointwise, "w_pw transposed"),
    ("residual_jacobian_basic", jacobian_without_identity, "the +I is missing"),
    ("residual_jacobian_basic", jacobian_without_mask, "the ReLU's derivative"),
    ("residual_jacobian_basic", jacobian_transposed, "that is the transpose"),
    ("shift_robust_basic", shift_without_augmentation, "no augmentation"),
    ("shift_robust_basic", shift_with_an_mlp, "an MLP is not translation equivariant"),
    ("shift_robust_basic", shift_returns_scores, "expected (1594,)"),
    ("shift_robust_hidden", shift_unseeded, "gave different predictions"),
    ("shift_robust_hidden", shift_fixed_seed, "the same predictions as with seed 5"),
]
