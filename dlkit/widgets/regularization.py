"""Widget drawings for module 09, regularization.

``draw_regularization_curves`` shows one cell of a grid of training runs computed in the
notebook; ``draw_penalty_geometry`` and ``draw_bn_noise`` compute what they show in
numpy (a boundary search over 720 points, 500 random mini-batches), so a redraw needs no
training.
"""

import numpy as np

from dlkit.nn import early_stopping_epochs
from dlkit.plot import LiveFigure, new_figure, nice_ceil

TITLE_Y = 1.02  # a fixed title height skips matplotlib's title auto-placement
N_BOUNDARY = 720  # points on the boundary of a penalty ball: every half degree
QUADRATIC = np.array([[1.0, 0.6], [0.6, 0.8]])  # the least-squares Hessian (correlated features)
N_BATCHES = 500
POPULATION = (2.0, 1.5)  # mean and standard deviation of the feature batch norm sees
BN_EPS = 1e-5
MAX_BATCH = 256


# ---------------------------------------------------------------- train/validation curves


def _cell(curves, weight_decay, dropout):
    key = (float(weight_decay), float(dropout))
    runs = {(float(wd), float(p)): run for (wd, p), run in curves.items()}
    if key not in runs:
        raise ValueError(
            f"no run for weight_decay={weight_decay}, dropout={dropout}; the grid holds "
            f"{sorted(runs)}"
        )
    return runs[key], runs


class RegularizationCurves(LiveFigure):
    """Module 09's grid of training runs, redrawn in place (see
    :func:`draw_regularization_curves`): the accuracy grid, its labels and the axes are
    fixed per grid; the two loss curves, the best-epoch and early-stop lines, the legend,
    the frame around the chosen cell and the titles move with the sliders.

    Limits are fixed per grid: x ``1 - m .. N + m`` (N the longest run, m = 0.05 (N - 1),
    matplotlib's margin), y ``0 .. min(3, nice_ceil(1.05 max loss))`` over every run of
    the grid, so choosing another cell moves the curves against a still frame.
    """

    def __init__(self, curves):
        runs = {(float(wd), float(p)): run for (wd, p), run in curves.items()}
        self.curves, self.runs = curves, runs
        self.decays = sorted({wd for wd, _ in runs})
        self.rates = sorted({p for _, p in runs})
        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.5, top=0.82, bottom=0.15)
        (self.loss,) = left.plot([], [], color="C0", label="training (noisy labels)")
        (self.val_loss,) = left.plot([], [], color="C1", label="validation (clean labels)")
        self.best = left.axvline(1.0, color="C2", ls="--", lw=1, label="lowest validation loss")
        self.stop = left.axvline(1.0, color="0.4", ls=":", lw=1, label="early stop")
        length = max(len(run["loss"]) for run in runs.values())
        highest = max(max(np.max(run["loss"]), np.max(run["val_loss"])) for run in runs.values())
        margin = 0.05 * (length - 1)
        left.set_xlim(1 - margin, length + margin)
        left.set_ylim(0.0, min(3.0, nice_ceil(1.05 * highest)))
        left.set_xlabel("epoch")
        left.set_ylabel("mean cross-entropy (nats)")
        left.set_title(" ", y=TITLE_Y)
        self.legend = left.legend(loc="upper right", fontsize=7)

        accuracy = np.full((len(self.rates), len(self.decays)), np.nan)
        for (wd, p), cell in runs.items():
            accuracy[self.rates.index(p), self.decays.index(wd)] = cell["test_accuracy"]
        right.imshow(accuracy, origin="lower", cmap="viridis", vmin=0.6, vmax=1.0, aspect="auto")
        for i in range(len(self.rates)):
            for j in range(len(self.decays)):
                right.text(
                    j,
                    i,
                    f"{accuracy[i, j]:.0%}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if accuracy[i, j] < 0.8 else "black",
                )
        self.frame = right.add_patch(_frame(0, 0))
        right.set_xticks(range(len(self.decays)), [f"{wd:g}" for wd in self.decays])
        right.set_yticks(range(len(self.rates)), [f"{p:g}" for p in self.rates])
        right.grid(False)
        right.set_xlabel("weight decay (AdamW)")
        right.set_ylabel("dropout probability p")
        right.set_title("test accuracy (clean labels)", y=TITLE_Y)
        self.title = fig.suptitle(" ")
        self.left = left
        moving = [self.loss, self.val_loss, self.best, self.stop, self.legend, left.title]
        super().__init__(fig, [*moving, self.frame, self.title])

    def update(self, weight_decay, dropout, patience=10):
        run, _ = _cell(self.curves, weight_decay, dropout)
        loss, val_loss = np.asarray(run["loss"]), np.asarray(run["val_loss"])
        epochs = np.arange(1, len(loss) + 1)
        best, stop = early_stopping_epochs(val_loss, patience)
        self.loss.set_data(epochs, loss)
        self.val_loss.set_data(np.arange(1, len(val_loss) + 1), val_loss)
        self.best.set_xdata([best, best])
        self.best.set_label(f"lowest validation loss: epoch {best}")
        stops = stop < len(loss)
        self.stop.set_xdata([stop, stop])
        self.stop.set_visible(stops)
        self.stop.set_label(f"early stop (patience {patience})" if stops else "_early stop")
        self.legend = self.refresh_legend(self.legend, loc="upper right", fontsize=7)
        self.left.set_title(f"weight decay {weight_decay:g}, dropout {dropout:g}", y=TITLE_Y)
        i, j = self.rates.index(float(dropout)), self.decays.index(float(weight_decay))
        self.frame.set_xy((j - 0.5, i - 0.5))
        self.title.set_text(f"test accuracy {run['test_accuracy']:.1%}")
        return self


def draw_regularization_curves(curves, weight_decay, dropout, patience=10):
    """Training and validation loss per epoch of one run of a grid, and the grid's accuracies.

    curves: ``{(weight_decay, dropout): {"loss": [...], "val_loss": [...],
    "test_accuracy": float}}`` with one loss per epoch (``dk.train.fit``'s history).
    Left: the two curves of the chosen cell, the epoch of the lowest validation loss and
    the epoch where early stopping with ``patience`` would stop. Right: the test accuracy
    of every cell, the chosen one framed.
    """
    _cell(curves, weight_decay, dropout)  # the error names the cell before any drawing
    return RegularizationCurves(curves).update(weight_decay, dropout, patience).figure


def _frame(x, y):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="C3", lw=2.5)


# ---------------------------------------------------------------- penalty geometry


def ball_boundary(budget, l1_ratio, n=N_BOUNDARY):
    """Points (n, 2) on ``{w : a |w|_1 + (1 - a) ||w||_2^2 = budget}``, a = ``l1_ratio``.

    Along the direction u at angle 2 pi k / n the radius r solves
    ``(1 - a) r^2 + a |u|_1 r = budget``; a = 1 is the L1 diamond, a = 0 the L2 circle of
    radius sqrt(budget). The four corners of the diamond (the axes) are among the points.
    """
    if not budget > 0:
        raise ValueError(f"budget must be > 0, got {budget}")
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must lie in [0, 1], got {l1_ratio}")
    angle = 2 * np.pi * np.arange(n) / n
    u = np.column_stack([np.cos(angle), np.sin(angle)])  # (n, 2), unit vectors
    u[np.abs(u) < 1e-12] = 0.0  # exact axes: a corner is exactly on them
    s = np.abs(u).sum(axis=1)  # |u|_1, (n,)
    a = float(l1_ratio)
    if a == 1.0:
        r = budget / s
    else:
        r = (-a * s + np.sqrt((a * s) ** 2 + 4 * (1 - a) * budget)) / (2 * (1 - a))
    return u * r[:, None]


def least_squares_loss(w, w_ls):
    """``(w - w_ls)^T A (w - w_ls)`` for points w (..., 2), with A = QUADRATIC."""
    d = np.asarray(w, dtype=float) - np.asarray(w_ls, dtype=float)
    return np.einsum("...i,ij,...j->...", d, QUADRATIC, d)


def constrained_optimum(budget, l1_ratio, w_ls):
    """The minimiser of the least-squares loss on the penalty ball (boundary search)."""
    w_ls = np.asarray(w_ls, dtype=float)
    if l1_ratio * np.abs(w_ls).sum() + (1 - l1_ratio) * np.sum(w_ls**2) <= budget:
        return w_ls.copy()  # the unconstrained optimum lies inside
    boundary = ball_boundary(budget, l1_ratio)
    return boundary[np.argmin(least_squares_loss(boundary, w_ls))]


def _unit_ellipse(n=241):
    """Points (n, 2) of the closed level set ``d^T A d = 1`` of the quadratic (A = QUADRATIC)."""
    eigenvalues, vectors = np.linalg.eigh(QUADRATIC)
    angle = np.linspace(0.0, 2 * np.pi, n)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])  # (n, 2)
    return (circle / np.sqrt(eigenvalues)) @ vectors.T


UNIT_ELLIPSE = _unit_ellipse()
PATH_RATIOS = np.linspace(0.0, 1.0, 11)  # the notebook's l1_ratio slider positions


def _check_w_ls(w_ls):
    w_ls = np.asarray(w_ls, dtype=float)
    if w_ls.shape != (2,):
        raise ValueError(f"w_ls must be a point (w1, w2), got shape {w_ls.shape}")
    return w_ls


class PenaltyGeometry(LiveFigure):
    """Module 09's penalty ball against least-squares contours, redrawn in place (see
    :func:`draw_penalty_geometry`): the axes, ``w_ls`` and the labels are fixed per
    ``w_ls``; the ball, the contours (ellipses ``(w - w_ls)^T A (w - w_ls) = c``, scaled
    from one precomputed ellipse), the optimum, the path of the optimum, the budget line
    and the titles move with ``budget`` and ``l1_ratio``.

    Left limits ``-3 .. 3`` both ways. Right: x ``0 .. 3``, ``0 .. nice_ceil(budget)``
    past 3 (the path is drawn across it); y from ``min(0, path)`` to ``max(path)``, padded by 8 % of
    the span, over the paths of l1_ratio = 0, 0.1, ..., 1 (computed once; they end at
    ``w_ls``), so both sliders move the curves against still axes.
    """

    def __init__(self, w_ls=(2.0, 0.6)):
        self.w_ls = _check_w_ls(w_ls)
        self._paths = {}
        fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.4, top=0.84, bottom=0.15)
        (self.contours,) = left.plot([], [], color="C0", lw=0.8)
        (self.ball,) = left.fill([0.0], [0.0], color="C1", alpha=0.3, label="penalty ball")
        (marker,) = left.plot(*self.w_ls, "k+", ms=10, label="least squares w_ls")
        (self.optimum,) = left.plot([], [], "o", color="C3", label="constrained optimum")
        (axes_lines,) = left.plot([-3, 3, np.nan, 0, 0], [0, 0, np.nan, -3, 3], color="0.5", lw=0.5)
        left.set_xlim(-3, 3)
        left.set_ylim(-3, 3)
        left.set_aspect("equal")
        left.set_xlabel("weight w1")
        left.set_ylabel("weight w2")
        left.set_title(" ", y=TITLE_Y, fontsize=10)
        left_legend = left.legend(loc="lower left", fontsize=7)

        (self.w1,) = right.plot([], [], color="C0", label="w1")
        (self.w2,) = right.plot([], [], color="C2", label="w2")
        self.budget_line = right.axvline(1.0, color="C3", ls="--", lw=1)
        right.axhline(0, color="0.5", lw=0.5)
        paths = np.concatenate([self._path(a, 3.0) for a in PATH_RATIOS])  # (11 * 40, 2)
        low, high = min(0.0, paths.min()), max(0.0, paths.max())
        pad = 0.08 * (high - low)
        right.set_ylim(low - pad, high + pad)
        right.set_xlabel("budget (size of the ball)")
        right.set_ylabel("coordinate of the optimum")
        right.set_title("the optimum as the ball grows", y=TITLE_Y, fontsize=10)
        right.legend(loc="upper left", fontsize=8)
        self.title = fig.suptitle(" ")
        self.left, self.right = left, right
        left_moving = [self.ball, self.contours, marker, self.optimum, axes_lines, left_legend]
        moving = [*left_moving, left.title, self.w1, self.w2, self.budget_line, self.title]
        super().__init__(fig, moving)

    def _path(self, l1_ratio, reach):
        """The optimum (40, 2) at 40 budgets from 0.02 to ``reach``, cached."""
        key = (float(l1_ratio), float(reach))
        if key not in self._paths:
            budgets = np.linspace(0.02, reach, 40)
            self._paths[key] = np.array(
                [constrained_optimum(b, l1_ratio, self.w_ls) for b in budgets]
            )
        return self._paths[key]

    def update(self, budget=1.0, l1_ratio=1.0):
        optimum = constrained_optimum(budget, l1_ratio, self.w_ls)  # checks both
        boundary = ball_boundary(budget, l1_ratio)
        self.ball.set_xy(boundary)
        levels = least_squares_loss(optimum, self.w_ls) * np.array([0.25, 1.0, 2.5, 5.0, 9.0])
        rings = [self.w_ls + np.sqrt(c) * UNIT_ELLIPSE for c in np.unique(levels + 1e-3)]
        gap = np.full((1, 2), np.nan)
        self.contours.set_data(*np.concatenate([x for ring in rings for x in (ring, gap)]).T)
        self.optimum.set_data([optimum[0]], [optimum[1]])
        zero = (
            " (w2 = 0 exactly)"
            if optimum[1] == 0
            else (" (w1 = 0 exactly)" if optimum[0] == 0 else "")
        )
        self.left.set_title(
            f"w* = ({optimum[0]:.2f}, {optimum[1]:.2f}){zero}", y=TITLE_Y, fontsize=10
        )
        reach = 3.0 if budget <= 3.0 else nice_ceil(budget)
        path = self._path(l1_ratio, reach)
        budgets = np.linspace(0.02, reach, 40)
        self.w1.set_data(budgets, path[:, 0])
        self.w2.set_data(budgets, path[:, 1])
        self.budget_line.set_xdata([budget, budget])
        self.right.set_xlim(0.0, reach)
        kind = {1.0: "L1 (lasso)", 0.0: "L2 (ridge)"}.get(float(l1_ratio), "elastic net")
        self.title.set_text(f"{kind} ball, l1_ratio = {l1_ratio:g}, budget = {budget:g}")
        return self


def draw_penalty_geometry(budget=1.0, l1_ratio=1.0, w_ls=(2.0, 0.6)):
    """Least-squares contours against an L1 / elastic-net / L2 ball of size ``budget``.

    The penalised problem ``min L(w) + lam P(w)`` has the solution of ``min L(w)`` subject
    to ``P(w) <= budget`` for some budget (Lagrange duality, module 06), with
    ``P = l1_ratio |w|_1 + (1 - l1_ratio) ||w||^2``. Left: the contours of L around its
    minimum ``w_ls``, the ball and the constrained optimum, which sits on a corner
    (w_1 = 0 exactly) far more often for the L1 diamond. Right: both coordinates of the
    optimum as the budget grows.
    """
    _check_w_ls(w_ls)
    return PenaltyGeometry(w_ls).update(budget, l1_ratio).figure


# ---------------------------------------------------------------- batch-norm noise


def bn_batches(batch_size, shift, seed=0):
    """What batch norm computes for one example inside ``N_BATCHES`` random batches.

    The example is ``x0 = mu + shift * sigma`` of a population N(mu, sigma^2) (POPULATION);
    each batch holds it and ``batch_size - 1`` random others. Returns the batch means and
    (biased) standard deviations (N_BATCHES,) and x0's normalised value in each batch.
    """
    if not (isinstance(batch_size, int | np.integer) and 2 <= batch_size <= MAX_BATCH):
        raise ValueError(f"batch_size must be an integer in 2..{MAX_BATCH}, got {batch_size!r}")
    mu, sigma = POPULATION
    x0 = mu + shift * sigma
    others = np.random.default_rng(seed).normal(mu, sigma, (N_BATCHES, MAX_BATCH))
    batch = np.column_stack([np.full(N_BATCHES, x0), others[:, : batch_size - 1]])  # (500, B)
    means, stds = batch.mean(axis=1), batch.std(axis=1)
    return means, stds, (x0 - means) / np.sqrt(stds**2 + BN_EPS)


def _bn_peaks(batch_size, shifts):
    """The tallest bar of the training-mode histogram (HISTOGRAM_BINS) at each shift."""
    mu, sigma = POPULATION
    others = np.random.default_rng(0).normal(mu, sigma, (N_BATCHES, MAX_BATCH))
    others = others[:, : batch_size - 1]  # bn_batches' draws (seed 0)
    x0 = mu + np.asarray(shifts, dtype=float)[:, None] * sigma  # (shifts, 1)
    total = others.sum(axis=1) + x0  # (shifts, N_BATCHES)
    squares = (others**2).sum(axis=1) + x0**2
    means = total / batch_size
    stds = np.sqrt(np.maximum(squares / batch_size - means**2, 0.0))
    normalised = (x0 - means) / np.sqrt(stds**2 + BN_EPS)
    return np.array([np.histogram(z, HISTOGRAM_BINS)[0].max() for z in normalised])


HISTOGRAM_BINS = np.linspace(-6.0, 6.0, 81)  # 0.15 wide, across every shift +- 3
NOTEBOOK_SHIFTS = np.arange(-3.0, 3.001, 0.25)  # the notebook's shift slider positions
BN_TOPS = (0.5 * N_BATCHES, 0.8 * N_BATCHES, 1.1 * N_BATCHES)  # the right panel's y tops (counts)


class BatchNormNoise(LiveFigure):
    """Module 09's batch-norm noise, redrawn in place (see :func:`draw_bn_noise`): the
    axes, the population and the labels are fixed; the batch statistics, the histogram of
    the normalised example, the evaluation-mode line and the titles move with
    ``batch_size`` and ``shift``.

    Left limits are fixed (as before). Right: x ``-6 .. 6`` with fixed bins 0.15 wide
    (every ``shift +- 3``); y ``0 .. T`` with T the first of ``0.5 N, 0.8 N, 1.1 N``
    (N = N_BATCHES) at or above 1.05 times the tallest bar over the notebook's shifts at
    this batch size (and the current one): 0.5 N for batches of 4 to 64, 0.8 N for 128
    and 256, 1.1 N for 2 (its normalised values are exactly +-1), so shift never moves
    the axes and the histogram narrows against a still frame.
    """

    def __init__(self):
        mu, sigma = POPULATION
        self._peaks = {}
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.5, top=0.82, bottom=0.15)
        (self.batches,) = left.plot(
            [], [], ".", color="C0", ms=3, alpha=0.5, label="one mini-batch"
        )
        (population,) = left.plot([mu], [sigma], "+", color="C3", ms=14, mew=2, label="population")
        left.set_xlim(mu - 3 * sigma / np.sqrt(2), mu + 3 * sigma / np.sqrt(2) + 1.2)
        left.set_ylim(0, 2.5 * sigma)
        left.set_xlabel("batch mean mu_B")
        left.set_ylabel("batch standard deviation sigma_B")
        left.set_title(" ", y=TITLE_Y, fontsize=9)
        left_legend = left.legend(loc="upper right", fontsize=7)

        self.histogram = right.stairs(
            np.zeros(HISTOGRAM_BINS.size - 1),
            HISTOGRAM_BINS,
            fill=True,
            color="C0",
            alpha=0.7,
            label="training mode (batch statistics)",
        )
        self.evaluation = right.axvline(
            0.0, color="C3", lw=2, label="evaluation mode (running statistics)"
        )
        right.set_xlim(HISTOGRAM_BINS[0], HISTOGRAM_BINS[-1])
        right.set_xlabel("normalised value of the example")
        right.set_ylabel("number of batches")
        right.set_title(" ", y=TITLE_Y, fontsize=9)
        right.legend(loc="upper left", fontsize=7)
        self.title = fig.suptitle(" ")
        self.left, self.right = left, right
        moving = [self.batches, population, left_legend, left.title]
        moving += [self.histogram, self.evaluation, right.title, self.title]
        super().__init__(fig, moving)

    def update(self, batch_size=16, shift=1.0):
        means, stds, normalised = bn_batches(batch_size, shift)  # checks batch_size
        _, sigma = POPULATION
        self.batches.set_data(means, stds)
        self.left.set_title(
            f"std of mu_B: {means.std():.3f} (sigma / sqrt(B) = {sigma / np.sqrt(batch_size):.3f})",
            y=TITLE_Y,
            fontsize=9,
        )
        counts = np.histogram(normalised, HISTOGRAM_BINS)[0]
        self.histogram.set_data(counts)
        self.evaluation.set_xdata([shift, shift])
        self.right.set_title(
            f"spread {normalised.std():.3f} around {shift:g}", y=TITLE_Y, fontsize=9
        )
        if batch_size not in self._peaks:
            self._peaks[batch_size] = _bn_peaks(batch_size, NOTEBOOK_SHIFTS).max()
        tallest = 1.05 * max(self._peaks[batch_size], counts.max())
        self.right.set_ylim(0.0, next((t for t in BN_TOPS if t >= tallest), BN_TOPS[-1]))
        self.title.set_text(f"Batch norm with batches of {batch_size}")
        return self


def draw_bn_noise(batch_size=16, shift=1.0):
    """The noise of batch statistics, and why evaluation uses the running statistics.

    Left: the mean and standard deviation of 500 random mini-batches of ``batch_size``
    drawn from a feature N(2, 1.5^2), around the population values. Right: the normalised
    value of one example ``shift`` standard deviations above the mean, computed with each
    batch's statistics (training mode: it depends on the other examples in the batch) and
    with the population's (evaluation mode: exactly ``shift``).
    """
    return BatchNormNoise().update(batch_size, shift).figure
