"""Widget drawings for module 10, training deep models."""

import functools

import contourpy
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Ellipse

from dlkit import curvature, gradient_noise
from dlkit.data import digits
from dlkit.nn import hidden_activations, layer_grad_norms, random_network
from dlkit.plot import LiveFigure, new_figure, nice_ceil

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


@functools.lru_cache(maxsize=256)
def _profile(depth, activation, init, seed):
    """``grad_norm_profile`` as log10 (``_log10``), read-only, cached per setting."""
    norms, spread = grad_norm_profile(depth, activation, init, seed)
    log_norms, log_spread = _log10(norms), _log10(spread)
    for array in (norms, log_norms, log_spread):
        array.flags.writeable = False
    return norms, log_norms, log_spread


def _log_limits(values):
    """Steady y limits ``(-depth, top)`` of log10 values: half a decade of margin each side,
    each end moved outwards onto the 1-2-5 ladder, at least 2 decades either side of 0
    (so the frame always holds norm 1, and curves near it do not make it flicker)."""
    depth = nice_ceil(max(0.5 - values.min(), 2.0))
    return -depth, nice_ceil(max(values.max() + 0.5, 2.0))


class GradNorms(LiveFigure):
    """Module 10's gradient-norms-per-layer widget, redrawn in place (see
    :func:`draw_grad_norms`): the labels are fixed per activation and initialisation; the
    two profiles, the last layer's dashed level, the ratio in the title and the suptitle
    move with depth and seed.

    Limits, one frame for both panels: x is ``0.5 .. L + 0.5`` with ``L`` the number of
    layers, depth + 1, rounded up on the 1-2-5 ladder (2, 5, 10, 20, 50); y is ``-d .. h``
    over both curves with ``d`` the 1-2-5 step at or above ``max(2, 0.5 - min)`` and ``h``
    that at or above ``max(2, max + 0.5)``, so a curve moves the frame only when it
    crosses a step."""

    def __init__(self, activation="sigmoid", init="xavier"):
        grad_norm_profile(1, activation, init)  # checks the names before drawing
        self.activation, self.init = activation, init
        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.6, top=0.8, bottom=0.15)
        (self.norm_line,) = left.plot([], [], "o-", color="C0", ms=3)
        (self.last_level,) = left.plot([], [], color="0.6", lw=0.8, ls="--")
        left.set_xlabel("layer l (1 = input layer)")
        left.set_ylabel("log10 of ||dL/dW_l||_F")
        self.ratio_title = left.set_title(" ")
        (self.spread_line,) = right.plot([], [], "s-", color="C2", ms=3)
        right.set_xlabel("hidden layer l")
        right.set_ylabel("log10 of std of the layer's output")
        right.set_title("forward signal")
        self.title = fig.suptitle(" ")
        self.left, self.right = left, right
        moving = [self.norm_line, self.last_level, self.spread_line, self.ratio_title, self.title]
        super().__init__(fig, moving)

    def update(self, depth=10, seed=0):
        norms, log_norms, log_spread = _profile(depth, self.activation, self.init, seed)
        layers = np.arange(1, len(norms) + 1)
        self.norm_line.set_data(layers, log_norms)
        self.spread_line.set_data(layers[:-1], log_spread)
        limit = nice_ceil(depth + 1)
        bottom, top = _log_limits(np.concatenate([log_norms, log_spread]))
        for ax in (self.left, self.right):
            ax.set_xlim(0.5, limit + 0.5)
            ax.set_ylim(bottom, top)
        self.last_level.set_data(self.left.get_xlim(), [log_norms[-1]] * 2)
        ratio = norms[0] / norms[-1] if norms[-1] > 0 else np.nan
        self.ratio_title.set_text(f"first / last layer: {ratio:.1e}")
        self.title.set_text(
            f"{self.activation} with {self.init} initialisation, {depth} hidden layers of {WIDTH}"
        )
        return self


def draw_grad_norms(depth=10, activation="sigmoid", init="xavier", seed=0):
    """log10 of the gradient norm of every layer at initialisation, input layer first.

    Left: ``log10 ||dL/dW_l||_F`` for l = 1 .. depth + 1 (numpy forward and backward
    passes, :func:`grad_norm_profile`); a flat line means every layer learns at the same
    pace, a slope that falls towards layer 1 means vanishing gradients. Right: the
    standard deviation of each hidden layer's output (the forward signal).
    """
    return GradNorms(activation, init).update(depth, seed).figure


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


@functools.lru_cache(maxsize=256)
def _batch_means(batch_size, seed):
    """``N_BATCHES`` mini-batch mean gradients (N_BATCHES, 2), read-only, cached."""
    means = gradient_noise.sample_minibatch_means(
        _logistic_gradients(), batch_size, N_BATCHES, np.random.default_rng(seed)
    )
    means.flags.writeable = False
    return means


class BatchNoise(LiveFigure):
    """Module 10's mini-batch-noise widget, redrawn in place (see :func:`draw_batch_noise`):
    the frame, the full gradient, the two theory curves and the legends are fixed; the 200
    batch means, the ellipse, the measured point and the left title move with B and seed.

    Limits, all fixed: left ``g ± 2.6 sqrt(diag Σ)`` (the spread of B = 1); right x is
    ``-0.1 .. log10 N + 0.1`` and y is ``floor(exact at B = N - 1) - 0.5 .. ceil(log10 tr Σ)
    + 0.5``, which holds both curves and the measured point (within ~0.2 decade of them)."""

    def __init__(self):
        G = _logistic_gradients()
        n = len(G)
        self.full = G.mean(axis=0)
        reach = 2.6 * np.sqrt(np.diag(gradient_noise.minibatch_covariance(G, 1)))
        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.82, bottom=0.14)
        style = dict(color="C0", ms=3, alpha=0.6)
        (self.dots,) = left.plot([], [], ".", label="mini-batch means", **style)
        self.ellipse = _ellipse(
            self.full, np.eye(2), 2.0, color="C3", lw=1.5, label="theory, 2 std"
        )
        left.add_patch(self.ellipse)
        left.plot(*self.full, "k*", ms=10, label="full gradient")
        left.set_xlim(self.full[0] - reach[0], self.full[0] + reach[0])
        left.set_ylim(self.full[1] - reach[1], self.full[1] + reach[1])
        left.set_xlabel("dL/dw₁")
        left.set_ylabel("dL/dw₂")
        self.batch_title = left.set_title(" ")
        self.legend = left.legend(loc="lower left", fontsize=7)

        sizes = np.unique(np.geomspace(1, n, 40).astype(int))
        trace = G.var(axis=0).sum()
        right.plot(np.log10(sizes), np.log10(trace / sizes), "--", color="0.5", label="tr Σ / B")
        with np.errstate(divide="ignore"):
            exact = np.log10((n - sizes) / (sizes * (n - 1)) * trace)
        right.plot(np.log10(sizes[:-1]), exact[:-1], color="C3", label="(N−B)/(B(N−1)) tr Σ")
        (self.measured,) = right.plot([], [], "o", color="C0", label="measured")
        right.set_xlim(-0.1, np.log10(n) + 0.1)
        lowest = np.log10(trace / ((n - 1) * (n - 1)))  # the exact noise at B = N - 1
        right.set_ylim(np.floor(lowest) - 0.5, np.ceil(np.log10(trace)) + 0.5)
        right.set_xlabel("log10 of the batch size B")
        right.set_ylabel("log10 of E||g_B − g||²")
        right.set_title("noise against batch size")
        right.legend(loc="lower left", fontsize=7)
        fig.suptitle("Mini-batch gradient noise, sampled without replacement")
        self.n, self.left, self.right = n, left, right
        moving = [self.dots, self.ellipse, self.measured, self.batch_title, self.legend]
        super().__init__(fig, moving)

    def update(self, batch_size=16, seed=0):
        G = _logistic_gradients()
        if not (isinstance(batch_size, int | np.integer) and 1 <= batch_size <= self.n):
            raise ValueError(f"batch_size must be an integer in 1..{self.n}, got {batch_size!r}")
        means = _batch_means(int(batch_size), seed)
        self.dots.set_data(means[:, 0], means[:, 1])
        shape = _ellipse(self.full, gradient_noise.minibatch_covariance(G, batch_size), 2.0)
        self.ellipse.set_width(shape.width)
        self.ellipse.set_height(shape.height)
        self.ellipse.set_angle(shape.angle)
        measured = float(np.mean(np.sum((means - self.full) ** 2, axis=1)))
        if measured > 0:  # the full batch (B = N) has no noise: no point
            self.measured.set_data([np.log10(batch_size)], [np.log10(measured)])
        else:
            self.measured.set_data([], [])
        self.batch_title.set_text(f"B = {batch_size} of N = {self.n}")
        return self


def draw_batch_noise(batch_size=16, seed=0):
    """200 mini-batch gradients of a 2-parameter logistic regression around the full one.

    Left: each dot is the mean gradient of ``batch_size`` of the 500 examples drawn
    without replacement; the ellipse is the 2-standard-deviation contour of the theory,
    ``Cov = (N - B) / (B (N - 1)) Sigma``. Right: the noise ``tr Cov`` against B with and
    without the finite-population correction, and the measured value at this B.
    """
    return BatchNoise().update(batch_size, seed).figure


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


#: The ladder of step-axis limits (10, 15, 20, 30, 50, 100, ...), as in module 06.
_STEP_LIMITS = (1.0, 1.5, 2.0, 3.0, 5.0)
F_TOP = 20.0  # the highest top of the f panel: f <= 10.25 on BOX, a diverged run leaves


@functools.lru_cache(maxsize=256)
def _saddle_run(x0, y0, lr, noise, steps, seed):
    """The noisy path (steps + 1, 2) and f along it, read-only, cached per setting."""
    with np.errstate(all="ignore"):
        path = gradient_noise.noisy_gradient_descent(
            curvature.quartic_grad, [x0, y0], lr, steps, noise, seed
        )
        values = curvature.quartic(path)
    path.flags.writeable = False
    values.flags.writeable = False
    return path, values


class SaddleLandscape(LiveFigure):
    """Module 10's saddle-escape widget, redrawn in place (see :func:`draw_saddle_landscape`):
    the contours, the saddle, the minima, the reference levels and the left frame (BOX) are
    fixed; the path, the start, the verdict, the f curve and the suptitle move.

    The f panel's limits change in steps: x runs to ``K``, the steps rounded up on the
    1-1.5-2-3-5 ladder (10, 15, 20, 30, 50, 100, ...), with a 3 % margin each side; the run
    is computed to step K (its first ``steps`` steps are the same, the noise being drawn in
    order), and y is ``-1 - 0.05 (top + 1) .. top`` with ``top`` the 1-2-5 step at or above
    ``max(1, max f + 0.25)`` over the K steps inside the frame, at most F_TOP (a diverged
    run leaves through the top), so y changes with the steps slider only where x does."""

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.82, bottom=0.14)
        left.add_collection(LineCollection(_quartic_lines(), colors="0.65", linewidths=0.6))
        (self.path,) = left.plot([], [], "-", color="C0", lw=1.2, label="path")
        (self.start,) = left.plot([], [], "k*", ms=9, label="start")
        left.plot([0.0], [0.0], "X", color="C3", ms=9, label="saddle (0, 0)")
        left.plot([-1.0, 1.0], [0.0, 0.0], "o", color="C2", ms=7, label="minima (±1, 0)")
        left.set_xlim(*BOX[:2])
        left.set_ylim(*BOX[2:])
        left.set_xlabel("x")
        left.set_ylabel("y")
        self.verdict = left.set_title(" ")
        self.legend = left.legend(loc="lower left", fontsize=7)
        (self.values,) = right.plot([], [], color="C0")
        right.axhline(-1.0, color="C2", lw=0.8, ls="--")
        right.axhline(0.0, color="C3", lw=0.8, ls=":")
        right.set_xlabel("step k")
        right.set_ylabel("f(x_k, y_k)")
        right.set_title("f along the path (minimum -1, saddle 0)")
        self.title = fig.suptitle(" ")
        self.right = right
        moving = [self.path, self.start, self.verdict, self.legend, self.values, self.title]
        super().__init__(fig, moving)

    def update(self, x0=0.0, y0=1.2, lr=0.05, noise=0.0, steps=100, seed=0):
        if not (isinstance(steps, int | np.integer) and 1 <= steps <= 2000):
            raise ValueError(f"steps must be an integer in 1..2000, got {steps!r}")
        limit = round(nice_ceil(max(steps, 10), steps=_STEP_LIMITS))
        long_path, long_values = _saddle_run(x0, y0, lr, noise, limit, seed)
        inside = np.all(np.isfinite(long_path), axis=1) & (np.abs(long_path).max(axis=1) < 1e3)
        within = int(np.argmin(inside)) if not inside.all() else len(long_path)
        path = long_path[: steps + 1]
        shown = path[:within]
        self.path.set_data(shown[:, 0], shown[:, 1])
        self.start.set_data([x0], [y0])
        if len(shown) < len(path):
            self.verdict.set_text("diverged")
        else:
            self.verdict.set_text(f"ends at ({path[-1, 0]:.2f}, {path[-1, 1]:.2f})")
        self.values.set_data(np.arange(len(shown)), long_values[: len(shown)])
        in_frame = long_values[:within][np.all(np.abs(long_path[:within]) <= 2.5, axis=1)]
        highest = in_frame.max() if len(in_frame) else F_TOP
        top = min(nice_ceil(max(1.0, highest + 0.25)), F_TOP)
        self.right.set_xlim(-0.03 * limit, 1.03 * limit)
        self.right.set_ylim(-1.0 - 0.05 * (top + 1.0), top)
        self.title.set_text(f"f = x⁴ − 2x² + y²: lr = {lr:g}, gradient noise std = {noise:g}")
        return self


def draw_saddle_landscape(x0=0.0, y0=1.2, lr=0.05, noise=0.0, steps=100, seed=0):
    """Noisy gradient descent on ``f = x^4 - 2 x^2 + y^2`` from ``(x0, y0)``.

    Left: the contours, the saddle at (0, 0) (H = diag(-4, 2)), the minima at (+-1, 0)
    (H = diag(8, 2), f = -1) and the path of :func:`dlkit.gradient_noise.noisy_gradient_descent`
    with gradient noise of standard deviation ``noise``. Right: f along the path. A start
    on the y-axis with no noise slides into the saddle and stays; a little noise escapes.
    """
    return SaddleLandscape().update(x0, y0, lr, noise, steps, seed).figure
