"""Widget drawings for module 14, practical methodology.

``draw_threshold``: the ROC and PR curves of a logistic regression on the breast-cancer
tumours with the operating point of a decision threshold and its confusion matrix;
keeping only a fraction of the positives shows PR degrading while ROC does not.
``draw_search_budget``: random against grid search on a 2-D validation loss in which only
the learning rate matters. ``draw_reliability``: the reliability diagram and ECE of a
classifier's softmax under temperature scaling. What does not depend on the sliders
(the fitted scores, the loss surface) is computed once.
"""

from functools import cache

import numpy as np
from matplotlib.collections import PolyCollection

from dlkit.metrics import (
    average_precision,
    binary_metrics,
    expected_calibration_error,
    grid_search,
    pr_curve,
    random_search,
    reliability_curve,
    roc_auc,
    roc_curve,
)
from dlkit.plot import LiveFigure, new_figure, nice_ceil

TITLE_Y = 1.02
SEARCH_BOUNDS = [(1e-5, 1.0), (0.0, 1.0)]  # learning rate (log axis), weight decay
SEARCH_LOG = [True, False]
BEST_LOG10_LR = -2.3
CANCER_FEATURES = [1, 4, 8]  # mean texture, mean smoothness, mean symmetry
TRIAL_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)  # the ladder of the trials axis


@cache
def cancer_scores():
    """Held-out scores of a deliberately weak model: a standardised logistic regression on
    three of the breast-cancer features (mean texture, smoothness and symmetry; AUC about
    0.8, so the threshold matters). ``(y (n,), scores (n,))`` for a fixed random half of the
    tumours (1 = malignant)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, CANCER_FEATURES]
    y = 1 - y  # scikit-learn codes malignant as 0; the positive class here is malignant
    order = np.random.default_rng(0).permutation(len(y))
    train, test = order[: len(y) // 2], order[len(y) // 2 :]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    model.fit(X[train], y[train])
    scores = model.predict_proba(X[test])[:, 1]
    scores.flags.writeable = False
    return y[test], scores


@cache
def _subsample(positive_fraction):
    """The held-out set with only ``positive_fraction`` of its positives kept (seeded)."""
    y, scores = cancer_scores()
    rng = np.random.default_rng(1)
    positives = np.flatnonzero(y == 1)
    keep_n = max(2, int(round(positive_fraction * len(positives))))
    keep = np.r_[np.flatnonzero(y == 0), rng.permutation(positives)[:keep_n]]
    keep.sort()
    y_sub, s_sub = y[keep], scores[keep]
    fpr, tpr, _ = roc_curve(y_sub, s_sub)
    precision, recall, _ = pr_curve(y_sub, s_sub)
    summary = (roc_auc(y_sub, s_sub), average_precision(y_sub, s_sub))
    return y_sub, s_sub, (fpr, tpr), (precision, recall), summary


def _check_threshold(threshold, positive_fraction):
    """Raise the ValueErrors of ``draw_threshold`` for settings outside the sliders' ranges."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"draw_threshold: threshold must lie in [0, 1], got {threshold}")
    if not 0.0 < positive_fraction <= 1.0:
        raise ValueError(
            f"draw_threshold: positive_fraction must lie in (0, 1], got {positive_fraction}"
        )


class DecisionThreshold(LiveFigure):
    """Module 14's decision-threshold widget, redrawn in place (see :func:`draw_threshold`):
    the panels, labels, ROC diagonal and confusion-matrix ticks are fixed; the ROC and PR
    curves, the operating points, the prevalence line, the confusion matrix (image, counts
    and colour scale ``0 .. max count``) and every title move with the two sliders.

    Every limit is fixed: rates and precision lie in [0, 1], so ROC is
    ``[-0.05, 1.05]^2`` and PR ``[-0.05, 1.05] x [0, 1.05]``; the matrix is its 2 x 2 cells.
    """

    def __init__(self):
        fig, (ax_roc, ax_pr, ax_cm) = new_figure(
            ncols=3, width=3.6, height=3.4, top=0.76, left=0.08
        )
        fig.subplots_adjust(wspace=0.45)
        (self.roc,) = ax_roc.plot([], [], color="C0", lw=1.5)
        ax_roc.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--")
        (self.roc_point,) = ax_roc.plot([], [], "o", color="C3")
        ax_roc.set(xlabel="false positive rate", ylabel="true positive rate (recall)")
        ax_roc.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05))
        (self.pr,) = ax_pr.plot([], [], color="C1", lw=1.5, drawstyle="steps-post")
        self.prevalence = ax_pr.axhline(0.0, color="0.6", lw=0.8, ls="--")
        (self.pr_point,) = ax_pr.plot([], [], "o", color="C3")
        ax_pr.set(xlabel="recall", ylabel="precision", xlim=(-0.05, 1.05), ylim=(0, 1.05))
        self.matrix = ax_cm.imshow(np.zeros((2, 2)), cmap="Blues", vmin=0, vmax=1)
        self.counts = [
            ax_cm.text(j, i, "", ha="center", va="center") for i in range(2) for j in range(2)
        ]
        ax_cm.set_xticks([0, 1], ["benign", "malignant"])
        ax_cm.set_yticks([0, 1], ["benign", "malig."])
        ax_cm.set(xlabel="predicted", ylabel="true")
        ax_cm.grid(False)  # grid lines would cross the cells' centres
        self.axes = ax_roc, ax_pr, ax_cm
        for ax in self.axes:
            ax.set_title(" ", y=TITLE_Y)
        self.title = fig.suptitle("", y=0.99)
        moving = [self.roc, self.roc_point, self.pr, self.prevalence, self.pr_point]
        moving += [self.matrix, *self.counts, *(ax.title for ax in self.axes), self.title]
        super().__init__(fig, moving)

    def update(self, threshold=0.5, positive_fraction=1.0):
        _check_threshold(threshold, positive_fraction)
        y, s, (fpr, tpr), (precision, recall), (auc_value, ap) = _subsample(
            round(float(positive_fraction), 3)
        )
        m = binary_metrics(y, (s >= threshold).astype(int))
        op_fpr = m["fp"] / max(m["fp"] + m["tn"], 1)
        ax_roc, ax_pr, ax_cm = self.axes
        self.roc.set_data(fpr, tpr)
        self.roc_point.set_data([op_fpr], [m["recall"]])
        ax_roc.title.set_text(f"ROC, AUC = {auc_value:.3f}")
        prevalence = float(np.mean(y))
        self.pr.set_data(recall, precision)
        self.prevalence.set_ydata([prevalence, prevalence])
        if m["tp"] + m["fp"] > 0:
            self.pr_point.set_data([m["recall"]], [m["precision"]])
        else:  # no positive prediction: precision is undefined
            self.pr_point.set_data([], [])
        ax_pr.title.set_text(f"PR, AP = {ap:.3f}\n(prevalence {prevalence:.2f}, dashed)")
        counts = np.array([[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
        self.matrix.set_data(counts)
        self.matrix.set_clim(0, max(counts.max(), 1))
        for text, value in zip(self.counts, counts.ravel()):
            text.set_text(str(value))
            text.set_color("white" if value > counts.max() / 2 else "black")
        ax_cm.title.set_text(
            f"threshold {threshold:.2f}\n"
            f"P = {m['precision']:.2f}, R = {m['recall']:.2f}, F1 = {m['f1']:.2f}"
        )
        self.title.set_text(f"breast cancer, {len(y)} held-out tumours, {int(y.sum())} malignant")
        return self


def draw_threshold(threshold=0.5, positive_fraction=1.0):
    """ROC curve, PR curve and confusion matrix at one decision threshold.

    threshold: predict malignant when the model's probability is >= threshold (0..1).
    positive_fraction: the share of the malignant tumours kept in the evaluation set
    (1.0 keeps all; 0.1 makes them rare): ROC, which conditions on the true class,
    barely moves, while precision and the PR curve fall with the prevalence.
    """
    _check_threshold(threshold, positive_fraction)
    return DecisionThreshold().update(threshold, positive_fraction).figure


def _loss_at(log_lr, decay):
    """The validation loss at log10(learning rate) and weight decay (arrays broadcast)."""
    return 0.2 + 0.5 * (log_lr - BEST_LOG10_LR) ** 2 + 0.01 * (decay - 0.3) ** 2


def search_loss(x):
    """The widget's validation loss over x = (learning rate, weight decay): only the
    learning rate matters much (a valley at 10 ** -2.3 on a log scale)."""
    return float(_loss_at(np.log10(float(x[0])), float(x[1])))


@cache
def _loss_surface():
    u = np.linspace(-5, 0, 80)
    v = np.linspace(0, 1, 60)
    U, V = np.meshgrid(u, v)  # (60, 80): rows are weight decays, columns log learning rates
    return u, v, _loss_at(U, V)


@cache
def _search_points(method, budget, seed):
    """The points ``(X (trials, 2), losses (trials,))`` a search tries, in its order
    (read-only arrays, cached per setting)."""
    if method == "grid":
        _, _, X, losses = grid_search(search_loss, SEARCH_BOUNDS, SEARCH_LOG, budget)
        order = np.random.default_rng(seed).permutation(len(X))  # a grid has no natural order
        X, losses = X[order], losses[order]
    else:
        _, _, X, losses = random_search(search_loss, SEARCH_BOUNDS, SEARCH_LOG, budget, seed)
    X.flags.writeable = losses.flags.writeable = False
    return X, losses


def _check_method(method):
    if method not in ("random", "grid"):
        raise ValueError(f"draw_search_budget: method must be 'random' or 'grid', got {method!r}")


def _check_budget(budget):
    if not isinstance(budget, int | np.integer) or budget < 4:
        raise ValueError(f"draw_search_budget: budget must be an integer >= 4, got {budget!r}")


def _best_top(worst_best):
    """The steady top of the best-loss axis for final bests up to ``worst_best``: 1, or the
    1-2-5 step at or above ``1.05 worst_best`` when that passes 1 (a grid of 4 to 8 trials
    tries only the learning rates 1e-5 and 1, far from the valley)."""
    return max(1.0, nice_ceil(1.05 * worst_best))


class SearchBudget(LiveFigure):
    """Module 14's random-against-grid search widget, redrawn in place (see
    :func:`draw_search_budget`): the loss surface, the best learning rate's line, the
    labels and the optimum's line are fixed per ``method``; the trials, their rug on the
    learning-rate axis, both best-so-far curves, the legend's bests and the title move
    with ``budget`` and ``seed``.

    The surface's limits are fixed (``log10 lr in [-5, 0]``, weight decay ``[-0.06, 1]``
    with room for the rug). The best loss's axis is ``0.18 .. 1`` (a first trial far from
    the valley starts above it) unless a final best passes 1 / 1.05: then its top is the
    1-2-5 step at or above 1.05 times it (grid budgets 4 to 8). The trials axis is
    ``0 .. X`` with ``X`` the step of 1, 1.5, 2, 3, 5, 7 at or above ``budget`` (the
    curves fill at least 2/3 of it).
    """

    def __init__(self, method="random"):
        _check_method(method)
        self.method = method
        u, v, Z = _loss_surface()
        fig, (ax, ax_best) = new_figure(ncols=2, width=4.2, height=3.6, top=0.85)
        ax.imshow(
            Z, origin="lower", extent=(u[0], u[-1], v[0], v[-1]), aspect="auto", cmap="viridis_r"
        )
        (self.trials,) = ax.plot([], [], "o", color="white", mec="black", ms=5)
        (self.rug,) = ax.plot([], [], "|", color="C3", ms=10, clip_on=False)
        ax.axvline(BEST_LOG10_LR, color="C3", lw=0.8, ls="--")
        ax.set(xlabel="log10(learning rate)", ylabel="weight decay")
        ax.set(xlim=(u[0], u[-1]), ylim=(-0.06, 1.0))
        ax.set_title(" ", y=TITLE_Y)
        self.best = {
            name: ax_best.plot([], [], color=colour, label=name, drawstyle="steps-post")[0]
            for name, colour in (("random", "C0"), ("grid", "C1"))
        }
        ax_best.axhline(0.2, color="0.5", lw=0.8, ls=":", label="optimum 0.2")
        ax_best.set(xlabel="trials", ylabel="best validation loss so far", ylim=(0.18, 1.0))
        ax_best.set_title("best found against trials", y=TITLE_Y)
        self.legend = ax_best.legend(loc="upper right", fontsize=8)
        self.ax, self.ax_best = ax, ax_best
        moving = [self.trials, self.rug, ax.title, *self.best.values(), self.legend]
        super().__init__(fig, moving)

    def update(self, budget=16, seed=0):
        _check_budget(budget)
        X, _ = _search_points(self.method, budget, seed)
        log_lr = np.log10(X[:, 0])
        self.trials.set_data(log_lr, X[:, 1])
        self.rug.set_data(log_lr, np.full(len(X), -0.04))
        distinct = len(np.unique(np.round(log_lr, 9)))
        self.ax.title.set_text(f"{self.method} search: {len(X)} trials, {distinct} learning rates")
        for name, line in self.best.items():
            _, trace = _search_points(name, budget, seed)
            line.set_data(np.arange(1, len(trace) + 1), np.minimum.accumulate(trace))
            line.set_label(f"{name} (best {trace.min():.3f})")
        self.legend = self.refresh_legend(self.legend, loc="upper right", fontsize=8)
        self.ax_best.set_xlim(0, nice_ceil(budget, steps=TRIAL_STEPS))
        self.ax_best.set_ylim(
            0.18, _best_top(max(line.get_ydata()[-1] for line in self.best.values()))
        )
        return self


def draw_search_budget(budget=16, method="random", seed=0):
    """Random against grid search with a budget of trials on a 2-D validation loss.

    Left: the loss surface over log10(learning rate) and weight decay, the points the
    chosen ``method`` ("random" or "grid") tries, and their projections on the
    learning-rate axis (a grid of B points tries only sqrt(B) learning rates). Right:
    the best loss found against the number of trials, for both methods (the grid's
    points taken in a random order, ``seed``).
    """
    _check_method(method)
    _check_budget(budget)
    return SearchBudget(method).update(budget, seed).figure


def _softmax(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _bars(edges, heights):
    """The (bars, 4, 2) corners of bars on ``edges[i] .. edges[i + 1]`` up to ``heights``."""
    left, right = edges[:-1], edges[1:]
    zero = np.zeros_like(heights)
    x = np.stack([left, left, right, right], axis=1)  # (bars, 4)
    y = np.stack([zero, heights, heights, zero], axis=1)  # (bars, 4)
    return np.stack([x, y], axis=-1)


def _share_top(peak):
    """The steady top of the share axis: the 1-2-5 step at or above ``1.05 peak``, and
    1.05 above 0.5 (a share is at most 1)."""
    return 1.05 if 1.05 * peak > 0.5 else nice_ceil(1.05 * peak)


def _check_temperature(temperature):
    if not temperature > 0:
        raise ValueError(f"draw_reliability: temperature must be > 0, got {temperature}")


class Reliability(LiveFigure):
    """Module 14's reliability diagram, redrawn in place (see :func:`draw_reliability`):
    the panels, labels, diagonal and legend's entries are fixed per ``(logits, y)``; the
    accuracy bars and (confidence, accuracy) points, the confidence histogram and both
    titles move with ``temperature`` and ``n_bins`` (the bars are polygon collections,
    so the number of bins changes in place; the legend is repainted over them).

    Confidence and accuracy lie in [0, 1]: the diagram is ``[0, 1]^2`` and the histogram's
    x range ``[0, 1]``. The share axis runs up to the 1-2-5 step at or above 1.05 times the
    tallest share (0.1, 0.2, 0.5), or 1.05 once that passes 0.5.
    """

    def __init__(self, logits, y):
        self.logits, self.y = np.asarray(logits, dtype=float), np.asarray(y)
        fig, (ax, ax_hist) = new_figure(ncols=2, width=3.8, height=3.4, top=0.85)
        for axes in (ax, ax_hist):
            axes.set_axisbelow(True)  # the grid under the bars, as they are repainted
        self.accuracy = PolyCollection([], facecolors="C0", edgecolors="white", label="accuracy")
        ax.add_collection(self.accuracy, autolim=False)
        (self.points,) = ax.plot([], [], "o", color="C3", ms=4, label="(confidence, accuracy)")
        ax.plot([0, 1], [0, 1], color="0.4", lw=0.8, ls="--")
        ax.set(
            xlabel="confidence (max probability)",
            ylabel="accuracy in the bin",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        self.legend = ax.legend(loc="upper left", fontsize=8)
        self.shares = PolyCollection([], facecolors="C1", edgecolors="white")
        ax_hist.add_collection(self.shares, autolim=False)
        ax_hist.set(xlabel="confidence (max probability)", ylabel="share of examples", xlim=(0, 1))
        for axes in (ax, ax_hist):
            axes.set_title(" ", y=TITLE_Y)
        self.ax, self.ax_hist = ax, ax_hist
        moving = [self.accuracy, self.points, self.legend, self.shares, ax.title, ax_hist.title]
        super().__init__(fig, moving)

    def update(self, temperature=1.0, n_bins=10):
        _check_temperature(temperature)
        probs = _softmax(self.logits / temperature)
        counts, confidence, accuracy = reliability_curve(probs, self.y, n_bins)
        ece = expected_calibration_error(probs, self.y, n_bins)
        edges = np.linspace(0, 1, n_bins + 1)
        used = counts > 0
        self.accuracy.set_verts(_bars(edges, accuracy)[used])
        self.points.set_data(confidence[used], accuracy[used])
        self.ax.title.set_text(f"T = {temperature:.2f}: ECE = {ece:.3f}")
        shares = counts / counts.sum()
        self.shares.set_verts(_bars(edges, shares))
        accuracy_all = float(np.mean(probs.argmax(axis=1) == self.y))
        self.ax_hist.title.set_text(
            f"mean conf. {probs.max(axis=1).mean():.3f}, acc. {accuracy_all:.3f}"
        )
        self.ax_hist.set_ylim(0, _share_top(shares.max()))
        return self


def draw_reliability(logits, y, temperature=1.0, n_bins=10):
    """Reliability diagram of ``softmax(logits / temperature)`` against labels y.

    logits: (n, k) scores of a classifier; y: (n,) labels. Bars: accuracy per
    equal-width confidence bin against the bin's mean confidence (the diagonal is
    perfect calibration); the title gives the ECE. T > 1 softens overconfident
    probabilities, T < 1 sharpens them; the accuracy does not change.
    """
    _check_temperature(temperature)
    return Reliability(logits, y).update(temperature, n_bins).figure
