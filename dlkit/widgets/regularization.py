"""Widget drawings for module 09, regularization.

``draw_regularization_curves`` shows one cell of a grid of training runs computed in the
notebook; ``draw_penalty_geometry`` and ``draw_bn_noise`` compute what they show in
numpy (a boundary search over 720 points, 500 random mini-batches), so a redraw needs no
training.
"""

import numpy as np

from dlkit.nn import early_stopping_epochs
from dlkit.plot import new_figure

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


def draw_regularization_curves(curves, weight_decay, dropout, patience=10):
    """Training and validation loss per epoch of one run of a grid, and the grid's accuracies.

    curves: ``{(weight_decay, dropout): {"loss": [...], "val_loss": [...],
    "test_accuracy": float}}`` with one loss per epoch (``dk.train.fit``'s history).
    Left: the two curves of the chosen cell, the epoch of the lowest validation loss and
    the epoch where early stopping with ``patience`` would stop. Right: the test accuracy
    of every cell, the chosen one framed.
    """
    run, runs = _cell(curves, weight_decay, dropout)
    loss, val_loss = np.asarray(run["loss"]), np.asarray(run["val_loss"])
    epochs = np.arange(1, len(loss) + 1)
    best, stop = early_stopping_epochs(val_loss, patience)

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.5, top=0.82, bottom=0.15)
    left.plot(epochs, loss, color="C0", label="training (noisy labels)")
    left.plot(epochs, val_loss, color="C1", label="validation (clean labels)")
    left.axvline(best, color="C2", ls="--", lw=1, label=f"lowest validation loss: epoch {best}")
    if stop < len(loss):
        left.axvline(stop, color="0.4", ls=":", lw=1, label=f"early stop (patience {patience})")
    left.set_ylim(0.0, min(3.0, max(loss.max(), val_loss.max()) * 1.05))
    left.set_xlabel("epoch")
    left.set_ylabel("mean cross-entropy (nats)")
    left.set_title(f"weight decay {weight_decay:g}, dropout {dropout:g}", y=TITLE_Y)
    left.legend(loc="upper right", fontsize=7)

    decays = sorted({wd for wd, _ in runs})
    rates = sorted({p for _, p in runs})
    accuracy = np.full((len(rates), len(decays)), np.nan)
    for (wd, p), cell in runs.items():
        accuracy[rates.index(p), decays.index(wd)] = cell["test_accuracy"]
    right.imshow(accuracy, origin="lower", cmap="viridis", vmin=0.6, vmax=1.0, aspect="auto")
    for i in range(len(rates)):
        for j in range(len(decays)):
            right.text(
                j,
                i,
                f"{accuracy[i, j]:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if accuracy[i, j] < 0.8 else "black",
            )
    i, j = rates.index(float(dropout)), decays.index(float(weight_decay))
    right.add_patch(_frame(j, i))
    right.set_xticks(range(len(decays)), [f"{wd:g}" for wd in decays])
    right.set_yticks(range(len(rates)), [f"{p:g}" for p in rates])
    right.grid(False)
    right.set_xlabel("weight decay (AdamW)")
    right.set_ylabel("dropout probability p")
    right.set_title("test accuracy (clean labels)", y=TITLE_Y)
    fig.suptitle(f"test accuracy {run['test_accuracy']:.1%}")
    return fig


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


def draw_penalty_geometry(budget=1.0, l1_ratio=1.0, w_ls=(2.0, 0.6)):
    """Least-squares contours against an L1 / elastic-net / L2 ball of size ``budget``.

    The penalised problem ``min L(w) + lam P(w)`` has the solution of ``min L(w)`` subject
    to ``P(w) <= budget`` for some budget (Lagrange duality, module 06), with
    ``P = l1_ratio |w|_1 + (1 - l1_ratio) ||w||^2``. Left: the contours of L around its
    minimum ``w_ls``, the ball and the constrained optimum, which sits on a corner
    (w_1 = 0 exactly) far more often for the L1 diamond. Right: both coordinates of the
    optimum as the budget grows.
    """
    w_ls = np.asarray(w_ls, dtype=float)
    if w_ls.shape != (2,):
        raise ValueError(f"w_ls must be a point (w1, w2), got shape {w_ls.shape}")
    optimum = constrained_optimum(budget, l1_ratio, w_ls)
    boundary = ball_boundary(budget, l1_ratio)

    fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.4, top=0.84, bottom=0.15)
    grid = np.linspace(-3, 3, 81)
    g1, g2 = np.meshgrid(grid, grid)
    loss = least_squares_loss(np.stack([g1, g2], axis=-1), w_ls)  # (81, 81)
    levels = least_squares_loss(optimum, w_ls) * np.array([0.25, 1.0, 2.5, 5.0, 9.0]) + 1e-3
    left.contour(g1, g2, loss, levels=np.unique(levels), colors="C0", linewidths=0.8)
    left.fill(boundary[:, 0], boundary[:, 1], color="C1", alpha=0.3, label="penalty ball")
    left.plot(*w_ls, "k+", ms=10, label="least squares w_ls")
    left.plot(*optimum, "o", color="C3", label="constrained optimum")
    left.plot([-3, 3, np.nan, 0, 0], [0, 0, np.nan, -3, 3], color="0.5", lw=0.5)  # the axes
    left.set_xlim(-3, 3)
    left.set_ylim(-3, 3)
    left.set_aspect("equal")
    left.set_xlabel("weight w1")
    left.set_ylabel("weight w2")
    zero = (
        " (w2 = 0 exactly)" if optimum[1] == 0 else (" (w1 = 0 exactly)" if optimum[0] == 0 else "")
    )
    left.set_title(f"w* = ({optimum[0]:.2f}, {optimum[1]:.2f}){zero}", y=TITLE_Y, fontsize=10)
    left.legend(loc="lower left", fontsize=7)

    budgets = np.linspace(0.02, 3.0, 40)
    path = np.array([constrained_optimum(b, l1_ratio, w_ls) for b in budgets])  # (40, 2)
    right.plot(budgets, path[:, 0], color="C0", label="w1")
    right.plot(budgets, path[:, 1], color="C2", label="w2")
    right.axvline(budget, color="C3", ls="--", lw=1)
    right.axhline(0, color="0.5", lw=0.5)
    right.set_xlabel("budget (size of the ball)")
    right.set_ylabel("coordinate of the optimum")
    right.set_title("the optimum as the ball grows", y=TITLE_Y, fontsize=10)
    right.legend(loc="upper left", fontsize=8)
    kind = {1.0: "L1 (lasso)", 0.0: "L2 (ridge)"}.get(float(l1_ratio), "elastic net")
    fig.suptitle(f"{kind} ball, l1_ratio = {l1_ratio:g}, budget = {budget:g}")
    return fig


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


def draw_bn_noise(batch_size=16, shift=1.0):
    """The noise of batch statistics, and why evaluation uses the running statistics.

    Left: the mean and standard deviation of 500 random mini-batches of ``batch_size``
    drawn from a feature N(2, 1.5^2), around the population values. Right: the normalised
    value of one example ``shift`` standard deviations above the mean, computed with each
    batch's statistics (training mode: it depends on the other examples in the batch) and
    with the population's (evaluation mode: exactly ``shift``).
    """
    means, stds, normalised = bn_batches(batch_size, shift)
    mu, sigma = POPULATION
    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.5, top=0.82, bottom=0.15)
    left.plot(means, stds, ".", color="C0", ms=3, alpha=0.5, label="one mini-batch")
    left.plot([mu], [sigma], "+", color="C3", ms=14, mew=2, label="population")
    left.set_xlim(mu - 3 * sigma / np.sqrt(2), mu + 3 * sigma / np.sqrt(2) + 1.2)
    left.set_ylim(0, 2.5 * sigma)
    left.set_xlabel("batch mean mu_B")
    left.set_ylabel("batch standard deviation sigma_B")
    left.set_title(
        f"std of mu_B: {means.std():.3f} (sigma / sqrt(B) = {sigma / np.sqrt(batch_size):.3f})",
        y=TITLE_Y,
        fontsize=9,
    )
    left.legend(loc="upper right", fontsize=7)

    right.hist(
        normalised,
        bins=40,
        range=(shift - 3, shift + 3),
        color="C0",
        alpha=0.7,
        histtype="stepfilled",
        label="training mode (batch statistics)",
    )
    right.axvline(shift, color="C3", lw=2, label="evaluation mode (running statistics)")
    right.set_xlabel("normalised value of the example")
    right.set_ylabel("number of batches")
    right.set_title(f"spread {normalised.std():.3f} around {shift:g}", y=TITLE_Y, fontsize=9)
    right.legend(loc="upper left", fontsize=7)
    fig.suptitle(f"Batch norm with batches of {batch_size}")
    return fig
