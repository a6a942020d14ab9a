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
from dlkit.plot import new_figure

TITLE_Y = 1.02
SEARCH_BOUNDS = [(1e-5, 1.0), (0.0, 1.0)]  # learning rate (log axis), weight decay
SEARCH_LOG = [True, False]
BEST_LOG10_LR = -2.3
CANCER_FEATURES = [1, 4, 8]  # mean texture, mean smoothness, mean symmetry


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


def draw_threshold(threshold=0.5, positive_fraction=1.0):
    """ROC curve, PR curve and confusion matrix at one decision threshold.

    threshold: predict malignant when the model's probability is >= threshold (0..1).
    positive_fraction: the share of the malignant tumours kept in the evaluation set
    (1.0 keeps all; 0.1 makes them rare): ROC, which conditions on the true class,
    barely moves, while precision and the PR curve fall with the prevalence.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"draw_threshold: threshold must lie in [0, 1], got {threshold}")
    if not 0.0 < positive_fraction <= 1.0:
        raise ValueError(
            f"draw_threshold: positive_fraction must lie in (0, 1], got {positive_fraction}"
        )
    y, s, (fpr, tpr), (precision, recall), (auc_value, ap) = _subsample(
        round(float(positive_fraction), 3)
    )
    m = binary_metrics(y, (s >= threshold).astype(int))
    op_fpr = m["fp"] / max(m["fp"] + m["tn"], 1)
    fig, (ax_roc, ax_pr, ax_cm) = new_figure(ncols=3, width=3.6, height=3.4, top=0.76, left=0.08)
    fig.subplots_adjust(wspace=0.45)
    ax_roc.plot(fpr, tpr, color="C0", lw=1.5)
    ax_roc.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--")
    ax_roc.plot([op_fpr], [m["recall"]], "o", color="C3")
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate (recall)")
    ax_roc.set_title(f"ROC, AUC = {auc_value:.3f}", y=TITLE_Y)
    prevalence = float(np.mean(y))
    ax_pr.plot(recall, precision, color="C1", lw=1.5, drawstyle="steps-post")
    ax_pr.axhline(prevalence, color="0.6", lw=0.8, ls="--")
    if m["tp"] + m["fp"] > 0:
        ax_pr.plot([m["recall"]], [m["precision"]], "o", color="C3")
    ax_pr.set(xlabel="recall", ylabel="precision", ylim=(0, 1.05))
    ax_pr.set_title(f"PR, AP = {ap:.3f}\n(prevalence {prevalence:.2f}, dashed)", y=TITLE_Y)
    counts = np.array([[m["tn"], m["fp"]], [m["fn"], m["tp"]]])
    ax_cm.imshow(counts, cmap="Blues", vmin=0, vmax=max(counts.max(), 1))
    for (i, j), value in np.ndenumerate(counts):
        colour = "white" if value > counts.max() / 2 else "black"
        ax_cm.text(j, i, str(value), ha="center", va="center", color=colour)
    ax_cm.set_xticks([0, 1], ["benign", "malignant"])
    ax_cm.set_yticks([0, 1], ["benign", "malig."])
    ax_cm.set(xlabel="predicted", ylabel="true")
    ax_cm.set_title(
        f"threshold {threshold:.2f}\n"
        f"P = {m['precision']:.2f}, R = {m['recall']:.2f}, F1 = {m['f1']:.2f}",
        y=TITLE_Y,
    )
    fig.suptitle(f"breast cancer, {len(y)} held-out tumours, {int(y.sum())} malignant", y=0.99)
    return fig


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


def _search_points(method, budget, seed):
    """The points ``(X (trials, 2), losses (trials,))`` a search tries, in its order."""
    if method == "grid":
        _, _, X, losses = grid_search(search_loss, SEARCH_BOUNDS, SEARCH_LOG, budget)
        order = np.random.default_rng(seed).permutation(len(X))  # a grid has no natural order
        return X[order], losses[order]
    _, _, X, losses = random_search(search_loss, SEARCH_BOUNDS, SEARCH_LOG, budget, seed)
    return X, losses


def draw_search_budget(budget=16, method="random", seed=0):
    """Random against grid search with a budget of trials on a 2-D validation loss.

    Left: the loss surface over log10(learning rate) and weight decay, the points the
    chosen ``method`` ("random" or "grid") tries, and their projections on the
    learning-rate axis (a grid of B points tries only sqrt(B) learning rates). Right:
    the best loss found against the number of trials, for both methods (the grid's
    points taken in a random order, ``seed``).
    """
    if method not in ("random", "grid"):
        raise ValueError(f"draw_search_budget: method must be 'random' or 'grid', got {method!r}")
    if not isinstance(budget, int | np.integer) or budget < 4:
        raise ValueError(f"draw_search_budget: budget must be an integer >= 4, got {budget!r}")
    u, v, Z = _loss_surface()
    X, losses = _search_points(method, budget, seed)
    fig, (ax, ax_best) = new_figure(ncols=2, width=4.2, height=3.6, top=0.85)
    ax.imshow(Z, origin="lower", extent=(u[0], u[-1], v[0], v[-1]), aspect="auto", cmap="viridis_r")
    ax.plot(np.log10(X[:, 0]), X[:, 1], "o", color="white", mec="black", ms=5)
    ax.plot(np.log10(X[:, 0]), np.full(len(X), -0.04), "|", color="C3", ms=10, clip_on=False)
    ax.axvline(BEST_LOG10_LR, color="C3", lw=0.8, ls="--")
    ax.set(xlabel="log10(learning rate)", ylabel="weight decay", ylim=(-0.06, 1.0))
    distinct = len(np.unique(np.round(np.log10(X[:, 0]), 9)))
    ax.set_title(f"{method} search: {len(X)} trials, {distinct} learning rates", y=TITLE_Y)
    for name, colour in (("random", "C0"), ("grid", "C1")):
        _, trace = _search_points(name, budget, seed)
        ax_best.plot(
            np.arange(1, len(trace) + 1),
            np.minimum.accumulate(trace),
            color=colour,
            label=f"{name} (best {trace.min():.3f})",
            drawstyle="steps-post",
        )
    ax_best.axhline(0.2, color="0.5", lw=0.8, ls=":", label="optimum 0.2")
    ax_best.set(xlabel="trials", ylabel="best validation loss so far", ylim=(0.18, 1.0))
    ax_best.set_title("best found against trials", y=TITLE_Y)
    ax_best.legend(loc="upper right", fontsize=8)
    return fig


def _softmax(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def draw_reliability(logits, y, temperature=1.0, n_bins=10):
    """Reliability diagram of ``softmax(logits / temperature)`` against labels y.

    logits: (n, k) scores of a classifier; y: (n,) labels. Bars: accuracy per
    equal-width confidence bin against the bin's mean confidence (the diagonal is
    perfect calibration); the title gives the ECE. T > 1 softens overconfident
    probabilities, T < 1 sharpens them; the accuracy does not change.
    """
    if not temperature > 0:
        raise ValueError(f"draw_reliability: temperature must be > 0, got {temperature}")
    logits, y = np.asarray(logits, dtype=float), np.asarray(y)
    probs = _softmax(logits / temperature)
    counts, confidence, accuracy = reliability_curve(probs, y, n_bins)
    ece = expected_calibration_error(probs, y, n_bins)
    edges = np.linspace(0, 1, n_bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    fig, (ax, ax_hist) = new_figure(ncols=2, width=3.8, height=3.4, top=0.85)
    used = counts > 0
    ax.bar(
        centres[used],
        accuracy[used],
        width=1 / n_bins,
        color="C0",
        edgecolor="white",
        label="accuracy",
    )
    ax.plot(confidence[used], accuracy[used], "o", color="C3", ms=4, label="(confidence, accuracy)")
    ax.plot([0, 1], [0, 1], color="0.4", lw=0.8, ls="--")
    ax.set(
        xlabel="confidence (max probability)",
        ylabel="accuracy in the bin",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.set_title(f"T = {temperature:.2f}: ECE = {ece:.3f}", y=TITLE_Y)
    ax.legend(loc="upper left", fontsize=8)
    ax_hist.bar(centres, counts / counts.sum(), width=1 / n_bins, color="C1", edgecolor="white")
    ax_hist.set(xlabel="confidence (max probability)", ylabel="share of examples", xlim=(0, 1))
    accuracy_all = float(np.mean(probs.argmax(axis=1) == y))
    ax_hist.set_title(
        f"mean conf. {probs.max(axis=1).mean():.3f}, acc. {accuracy_all:.3f}", y=TITLE_Y
    )
    return fig
