"""Widget drawings for module 10, training deep models."""

import functools

import contourpy
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse

from dlkit import curvature, gradient_noise
from dlkit.data import digits
from dlkit.nn import hidden_activations, layer_grad_norms, random_network
from dlkit.plot import new_figure

GRAD_NORM_ACTIVATIONS = ("sigmoid", "tanh", "relu")
GRAD_NORM_INITS = ("xavier", "he", "small")
MAX_DEPTH = 40
WIDTH, N_EXAMPLES = 64, 256
FLOOR = -40.0  # log10 of a norm that underflowed to 0 is drawn here


@functools.cache
def _digit_batch():
    """256 training digits (256, 64) and their labels, read-only, loaded once."""
    X, y, _, _ = digits(n_train=N_EXAMPLES, seed=0)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def grad_norm_profile(depth, activation, init, seed=0):
    """At initialisation, ``(||dL/dW_l||_F per layer, std of each hidden layer's output)``.

    A network of ``depth`` hidden layers of width 64 (zero biases, weights from ``init``)
    on 256 digits, the mean softmax cross-entropy; shapes (depth + 1,) and (depth,).
    """
    if activation not in GRAD_NORM_ACTIVATIONS:
        raise ValueError(f"activation must be one of {GRAD_NORM_ACTIVATIONS}, got {activation!r}")
    if init not in GRAD_NORM_INITS:
        raise ValueError(f"init must be one of {GRAD_NORM_INITS}, got {init!r}")
    if not (isinstance(depth, int | np.integer) and 1 <= depth <= MAX_DEPTH):
        raise ValueError(f"depth must be an integer in 1..{MAX_DEPTH}, got {depth!r}")
    X, y = _digit_batch()
    sizes = [X.shape[1]] + [WIDTH] * int(depth) + [10]
    weights, biases = random_network(sizes, init, np.random.default_rng(seed))
    with np.errstate(all="ignore"):
        norms = layer_grad_norms(weights, biases, X, y, activation)
        spread = np.array([h.std() for h in hidden_activations(weights, biases, X, activation)])
    return norms, spread


def _log10(values):
    with np.errstate(divide="ignore"):
        return np.maximum(np.log10(values), FLOOR)


def draw_grad_norms(depth=10, activation="sigmoid", init="xavier", seed=0):
    """log10 of the gradient norm of every layer at initialisation, input layer first.

    Left: ``log10 ||dL/dW_l||_F`` for l = 1 .. depth + 1 (numpy forward and backward
    passes, :func:`grad_norm_profile`); a flat line means every layer learns at the same
    pace, a slope that falls towards layer 1 means vanishing gradients. Right: the
    standard deviation of each hidden layer's output (the forward signal).
    """
    norms, spread = grad_norm_profile(depth, activation, init, seed)
    layers = np.arange(1, len(norms) + 1)
    log_norms = _log10(norms)

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.6, top=0.8, bottom=0.15)
    left.plot(layers, log_norms, "o-", color="C0", ms=3)
    left.axhline(log_norms[-1], color="0.6", lw=0.8, ls="--")
    left.set_xlabel("layer l (1 = input layer)")
    left.set_ylabel("log10 of ||dL/dW_l||_F")
    ratio = norms[0] / norms[-1] if norms[-1] > 0 else np.nan
    left.set_title(f"first / last layer: {ratio:.1e}")
    right.plot(layers[:-1], _log10(spread), "s-", color="C2", ms=3)
    right.set_xlabel("hidden layer l")
    right.set_ylabel("log10 of std of the layer's output")
    right.set_title("forward signal")
    fig.suptitle(f"{activation} with {init} initialisation, {depth} hidden layers of {WIDTH}")
    return fig


# ---------------------------------------------------------------- mini-batch noise

N_POINTS, N_BATCHES = 500, 200
NOISE_W = np.array([0.5, -0.5])  # where the gradients are taken


@functools.cache
def _logistic_gradients():
    """Per-example gradients (500, 2) of a 2-parameter logistic regression at NOISE_W."""
    rng = np.random.default_rng(10)
    X = rng.normal(size=(N_POINTS, 2)) * [1.0, 2.0]
    y = (X @ np.array([1.5, 1.0]) + rng.normal(0.0, 1.0, N_POINTS) > 0).astype(float)
    G, _ = gradient_noise.logistic_per_example_gradients(X, y, NOISE_W)
    G.flags.writeable = False
    return G


def _ellipse(mean, cov, n_std, **style):
    """The ``n_std`` contour of a 2-D Gaussian with this mean and covariance."""
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(eigenvectors[1, -1], eigenvectors[0, -1]))
    width, height = 2 * n_std * np.sqrt(np.maximum(eigenvalues[::-1], 0.0))
    return Ellipse(mean, width, height, angle=angle, fill=False, **style)


def draw_batch_noise(batch_size=16, seed=0):
    """200 mini-batch gradients of a 2-parameter logistic regression around the full one.

    Left: each dot is the mean gradient of ``batch_size`` of the 500 examples drawn
    without replacement; the ellipse is the 2-standard-deviation contour of the theory,
    ``Cov = (N - B) / (B (N - 1)) Sigma``. Right: the noise ``tr Cov`` against B with and
    without the finite-population correction, and the measured value at this B.
    """
    G = _logistic_gradients()
    n = len(G)
    if not (isinstance(batch_size, int | np.integer) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer in 1..{n}, got {batch_size!r}")
    full = G.mean(axis=0)
    means = gradient_noise.sample_minibatch_means(
        G, batch_size, N_BATCHES, np.random.default_rng(seed)
    )
    cov = gradient_noise.minibatch_covariance(G, batch_size)
    reach = 2.6 * np.sqrt(np.diag(gradient_noise.minibatch_covariance(G, 1)))

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.82, bottom=0.14)
    left.plot(means[:, 0], means[:, 1], ".", color="C0", ms=3, alpha=0.6, label="mini-batch means")
    left.add_patch(_ellipse(full, cov, 2.0, color="C3", lw=1.5, label="theory, 2 std"))
    left.plot(*full, "k*", ms=10, label="full gradient")
    left.set_xlim(full[0] - reach[0], full[0] + reach[0])
    left.set_ylim(full[1] - reach[1], full[1] + reach[1])
    left.set_xlabel("dL/dw₁")
    left.set_ylabel("dL/dw₂")
    left.set_title(f"B = {batch_size} of N = {n}")
    left.legend(loc="lower left", fontsize=7)

    sizes = np.unique(np.geomspace(1, n, 40).astype(int))
    trace = G.var(axis=0).sum()
    measured = float(np.mean(np.sum((means - full) ** 2, axis=1)))
    right.plot(np.log10(sizes), np.log10(trace / sizes), "--", color="0.5", label="tr Σ / B")
    with np.errstate(divide="ignore"):
        exact = np.log10((n - sizes) / (sizes * (n - 1)) * trace)
    right.plot(np.log10(sizes[:-1]), exact[:-1], color="C3", label="(N−B)/(B(N−1)) tr Σ")
    if measured > 0:
        right.plot(np.log10(batch_size), np.log10(measured), "o", color="C0", label="measured")
    right.set_xlabel("log10 of the batch size B")
    right.set_ylabel("log10 of E||g_B − g||²")
    right.set_title("noise against batch size")
    right.legend(loc="lower left", fontsize=7)
    fig.suptitle("Mini-batch gradient noise, sampled without replacement")
    return fig


# ---------------------------------------------------------------- the saddle landscape

BOX = (-2.0, 2.0, -1.5, 1.5)


@functools.cache
def _quartic_lines(n=120):
    """Contour segments of f = x^4 - 2 x^2 + y^2 on BOX, computed once."""
    x0, x1, y0, y1 = BOX
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))  # (n, n) each
    F = curvature.quartic(np.stack([X, Y], axis=-1))  # (n, n)
    levels = np.r_[-0.9, -0.6, -0.3, np.linspace(0.0, 8.0, 12)]
    generator = contourpy.contour_generator(X, Y, F)
    return tuple(line for level in levels for line in generator.lines(level))


def draw_saddle_landscape(x0=0.0, y0=1.2, lr=0.05, noise=0.0, steps=100, seed=0):
    """Noisy gradient descent on ``f = x^4 - 2 x^2 + y^2`` from ``(x0, y0)``.

    Left: the contours, the saddle at (0, 0) (H = diag(-4, 2)), the minima at (+-1, 0)
    (H = diag(8, 2), f = -1) and the path of :func:`dlkit.gradient_noise.noisy_gradient_descent`
    with gradient noise of standard deviation ``noise``. Right: f along the path. A start
    on the y-axis with no noise slides into the saddle and stays; a little noise escapes.
    """
    if not (isinstance(steps, int | np.integer) and 1 <= steps <= 2000):
        raise ValueError(f"steps must be an integer in 1..2000, got {steps!r}")
    with np.errstate(all="ignore"):
        path = gradient_noise.noisy_gradient_descent(
            curvature.quartic_grad, [x0, y0], lr, steps, noise, seed
        )
        values = curvature.quartic(path)
    inside = np.all(np.isfinite(path), axis=1) & (np.abs(path).max(axis=1) < 1e3)
    shown = path[: np.argmin(inside) if not inside.all() else len(path)]

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.82, bottom=0.14)
    left.add_collection(LineCollection(_quartic_lines(), colors="0.65", linewidths=0.6))
    left.plot(shown[:, 0], shown[:, 1], "-", color="C0", lw=1.2, label="path")
    left.plot([x0], [y0], "k*", ms=9, label="start")
    left.plot([0.0], [0.0], "X", color="C3", ms=9, label="saddle (0, 0)")
    left.plot([-1.0, 1.0], [0.0, 0.0], "o", color="C2", ms=7, label="minima (±1, 0)")
    left.set_xlim(*BOX[:2])
    left.set_ylim(*BOX[2:])
    left.set_xlabel("x")
    left.set_ylabel("y")
    verdict = (
        "diverged" if len(shown) < len(path) else f"ends at ({path[-1, 0]:.2f}, {path[-1, 1]:.2f})"
    )
    left.set_title(verdict)
    left.legend(loc="lower left", fontsize=7)
    right.plot(np.arange(len(shown)), values[: len(shown)], color="C0")
    right.axhline(-1.0, color="C2", lw=0.8, ls="--")
    right.axhline(0.0, color="C3", lw=0.8, ls=":")
    right.set_xlabel("step k")
    right.set_ylabel("f(x_k, y_k)")
    right.set_title("f along the path (minimum -1, saddle 0)")
    fig.suptitle(f"f = x⁴ − 2x² + y²: lr = {lr:g}, gradient noise std = {noise:g}")
    return fig
