"""dlkit.conv against torch, and its four methods against each other (module 11).

    python benchmarks/conv.py

1. ``conv2d_im2col`` against ``torch.nn.functional.conv2d`` on the CPU for a layer of a
   small CNN (batch 64, 16 -> 32 channels, 3 x 3, padding 1) on 8 x 8 and 32 x 32 inputs
   (goal: at most 2x torch's time), and ``conv2d_backward`` against torch autograd's
   backward pass (goal: at most 3x). Both in float64; torch's float32 (oneDNN) times are
   printed too, for scale.
2. Direct (a loop over the kernel), im2col, FFT and Winograd on one large image (the
   214 x 320 photo) for k in 3, 5, 9, 15, 31, and where the FFT overtakes im2col.
3. Winograd F(2 x 2, 3 x 3)'s multiplications against direct convolution's, counted by
   running both on numbers that count their products.
4. With CUDA: the digits CNN's training (full mode) on the GPU against the CPU.

Every comparison runs side by side in one process (alternating, median of the repeats),
with one thread for numpy's BLAS and for torch, so that a busy machine slows both alike.
"""

import statistics
import time
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

import dlkit as dk
from dlkit import conv

KERNELS = (3, 5, 9, 15, 31)


def side_by_side(functions, repeats):
    """Median seconds of each function, timed alternately (after one warm-up call each)."""
    for f in functions.values():
        f()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def layer_against_torch():
    rng = np.random.default_rng(0)
    print("1. a CNN layer: batch 64, 16 -> 32 channels, 3 x 3, padding 1 (float64, 1 thread)")
    for side in (8, 32):
        x, w, b = (
            rng.normal(size=(64, 16, side, side)),
            rng.normal(size=(32, 16, 3, 3)),
            rng.normal(size=32),
        )
        xt, wt, bt = (torch.tensor(a) for a in (x, w, b))
        xf, wf, bf = xt.float(), wt.float(), bt.float()
        ours = conv.conv2d_im2col(x, w, b, padding=1)
        assert np.allclose(ours, F.conv2d(xt, wt, bt, padding=1).numpy())
        dout = rng.normal(size=ours.shape)
        xg, wg, bg = (t.clone().requires_grad_(True) for t in (xt, wt, bt))
        out = F.conv2d(xg, wg, bg, padding=1)
        gt = torch.tensor(dout)
        repeats = 30 if side == 8 else 8
        forward = side_by_side(
            {
                "dlkit.conv.conv2d_im2col": partial(conv.conv2d_im2col, x, w, b, padding=1),
                "torch conv2d float64": partial(F.conv2d, xt, wt, bt, padding=1),
                "torch conv2d float32": partial(F.conv2d, xf, wf, bf, padding=1),
            },
            repeats,
        )
        backward = side_by_side(
            {
                "dlkit.conv.conv2d_backward": partial(conv.conv2d_backward, dout, x, w, padding=1),
                "torch autograd backward": partial(
                    torch.autograd.grad, out, (xg, wg, bg), gt, retain_graph=True
                ),
            },
            repeats,
        )
        print(f"   {side} x {side}:")
        for name, seconds in {**forward, **backward}.items():
            print(f"      {name:28s} {1000 * seconds:9.2f} ms")
        ratio = forward["dlkit.conv.conv2d_im2col"] / forward["torch conv2d float64"]
        ratio32 = forward["dlkit.conv.conv2d_im2col"] / forward["torch conv2d float32"]
        ratio_b = backward["dlkit.conv.conv2d_backward"] / backward["torch autograd backward"]
        print(
            f"      forward  im2col / torch: {ratio:.2f}x (goal <= 2x; "
            f"{ratio32:.2f}x against float32)\n"
            f"      backward dlkit / autograd: {ratio_b:.2f}x (goal <= 3x)"
        )


def methods_on_a_photo():
    image = dk.data.sample_image()  # (214, 320)
    x = image[None, None]
    print(
        f"\n2. one {image.shape[0]} x {image.shape[1]} image, one k x k kernel "
        "(ms, float64, 1 thread)"
    )
    print(f"   {'k':>3s} {'direct':>9s} {'im2col':>9s} {'FFT':>9s} {'Winograd':>9s} {'torch':>9s}")
    rng = np.random.default_rng(1)
    overtakes = None
    for k in KERNELS:
        w = rng.normal(size=(1, 1, k, k))
        expected = F.conv2d(torch.tensor(x), torch.tensor(w)).numpy()
        functions = {
            "direct": partial(conv.conv2d_direct, x, w),
            "im2col": partial(conv.conv2d_im2col, x, w),
            "fft": partial(conv.fft_conv2d, image, w[0, 0]),
            "torch": partial(F.conv2d, torch.tensor(x), torch.tensor(w)),
        }
        if k == 3:
            functions["winograd"] = partial(conv.winograd_correlate2d, image, w[0, 0])
        for f in functions.values():
            assert np.allclose(np.asarray(f()).reshape(expected.shape), expected, atol=1e-8)
        seconds = side_by_side(functions, 7 if k < 15 else 3)
        if overtakes is None and seconds["fft"] < seconds["im2col"]:
            overtakes = k
        winograd = f"{1000 * seconds['winograd']:9.2f}" if "winograd" in seconds else f"{'-':>9s}"
        print(
            f"   {k:3d} {1000 * seconds['direct']:9.2f} {1000 * seconds['im2col']:9.2f} "
            f"{1000 * seconds['fft']:9.2f} {winograd} {1000 * seconds['torch']:9.2f}"
        )
    where = f"from k = {overtakes} on" if overtakes else "for none of the kernels"
    print(f"   the FFT is faster than im2col {where} (goal: for k >= 15)")


class Counted:
    """A number that counts the products of two data values (input or filter entries);
    products with the transforms' constants (0, 1, 1/2) are not counted."""

    products = 0

    def __init__(self, value):
        self.value = float(value)

    @staticmethod
    def _plain(other):
        return other.value if isinstance(other, Counted) else float(other)

    def __mul__(self, other):
        if isinstance(other, Counted):
            Counted.products += 1
        return Counted(self.value * self._plain(other))

    __rmul__ = __mul__

    def __add__(self, other):
        return Counted(self.value + self._plain(other))

    __radd__ = __add__

    def __sub__(self, other):
        return Counted(self.value - self._plain(other))

    def __rsub__(self, other):
        return Counted(self._plain(other) - self.value)

    def __neg__(self):
        return Counted(-self.value)


def _counted(array):
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = Counted(value)
    return out


def _count(function, *arrays):
    Counted.products = 0
    function(*(_counted(a) for a in arrays))
    return Counted.products


def winograd_multiplications():
    rng = np.random.default_rng(2)
    g = rng.normal(size=(3, 3))
    print("\n3. multiplications, counted (products of an input and a filter value)")
    print(
        f"   {'input':>8s} {'outputs':>8s} {'direct':>8s} {'Winograd':>9s} "
        f"{'per output':>14s} {'ratio':>6s}"
    )
    for side in (4, 10, 9, 34):
        image = rng.normal(size=(side, side))
        direct = _count(conv.correlate2d, image, g)
        winograd = _count(
            conv.winograd_tile_2d if side == 4 else conv.winograd_correlate2d, image, g
        )
        outputs = (side - 2) ** 2
        print(
            f"   {side:>3d} x {side:<3d} {outputs:8d} {direct:8d} {winograd:9d} "
            f"{direct / outputs:6.2f} / {winograd / outputs:5.2f} {direct / winograd:6.2f}"
        )
    print("   one 2 x 2 tile: 36 against 16, 2.25x fewer; odd sizes pay for the padded tail")


def cuda_training():
    print("\n4. the digits CNN (channels 16, 32; 20 epochs; Adam 3e-3) on CUDA and on the CPU")
    if not torch.cuda.is_available():
        print("   no CUDA device here: not measured")
        return
    X, y, X_test, y_test = dk.data.digits(n_train=1000, seed=0)
    for device in ("cpu", "cuda"):
        torch.manual_seed(0)
        model = dk.models.CNN(dk.models.CNNConfig(channels=(16, 32)))
        start = time.perf_counter()
        dk.train.fit(
            model,
            (X.astype(np.float32), y),
            optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
            epochs=20,
            batch_size=64,
            device=device,
            progress=False,
        )
        if device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        scores = dk.train.predict(model, X_test.astype(np.float32), device=device)
        accuracy = float((scores.argmax(dim=1).numpy() == y_test).mean())
        print(f"   {device:5s} {seconds:6.2f} s, test accuracy {accuracy:.3f}")


def main() -> None:
    torch.set_num_threads(1)
    with threadpool_limits(1):
        layer_against_torch()
        methods_on_a_photo()
        winograd_multiplications()
    cuda_training()


if __name__ == "__main__":
    main()
