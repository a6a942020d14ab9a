"""Classification metrics: confusion matrix, precision, recall, F1, ROC, PR and calibration.

Binary labels are 0 (negative) and 1 (positive). Every ratio whose denominator is 0 (no
predicted positives for precision, no actual positives for recall) is defined as 0, as
scikit-learn's ``zero_division=0``. Curves are computed at the **distinct** scores in
descending order, so tied scores move the operating point diagonally in one step, as
scikit-learn does.
"""

import numpy as np

from dlkit.metrics import _validate


def confusion_matrix(y_true, y_pred, k=None):
    """Counts ``C[i, j]`` = number of examples of true class i predicted as class j.

    y_true, y_pred: (n,) integer labels in 0..k-1; k defaults to 1 + the largest label.
    Returns a (k, k) int64 array: rows are the truth, columns the prediction (the
    layout of ``sklearn.metrics.confusion_matrix``). For binary labels
    ``[[TN, FP], [FN, TP]]``.
    """
    y_true, y_pred = _validate.labels(y_true), _validate.labels(y_pred, "y_pred")
    _validate.same_length(y_true, y_pred)
    if min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("class labels must be 0, 1, ..., k-1; found a negative label")
    k = int(max(y_true.max(), y_pred.max())) + 1 if k is None else int(k)
    if max(y_true.max(), y_pred.max()) >= k:
        raise ValueError(f"labels must be below k={k}; found {max(y_true.max(), y_pred.max())}")
    flat = np.bincount(y_true * k + y_pred, minlength=k * k)  # (k*k,) counts of each pair
    return flat.reshape(k, k)  # (k*k,) -> (k, k): row = truth, column = prediction


def _ratio(num, den):
    """num / den elementwise, 0 where den == 0 (zero_division=0)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def binary_metrics(y_true, y_pred):
    """Counts and scores of a binary classifier's hard predictions.

    Returns ``{"tp", "fp", "fn", "tn"}`` (ints) and ``precision = TP / (TP + FP)``,
    ``recall = TP / (TP + FN)``, ``f1 = 2 P R / (P + R)`` and
    ``accuracy = (TP + TN) / n`` (floats; 0 where a denominator is 0).
    """
    y_true, y_pred = _validate.binary(y_true), _validate.binary(y_pred, "y_pred")
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_pred, k=2)
    precision, recall = float(_ratio(tp, tp + fp)), float(_ratio(tp, tp + fn))
    f1 = float(_ratio(2 * precision * recall, precision + recall))
    accuracy = (tp + tn) / len(y_true)
    return {
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": float(accuracy),
    }


def per_class_prf(y_true, y_pred, k):
    """Precision, recall and F1 of every class (one-vs-rest): three (k,) arrays."""
    C = confusion_matrix(y_true, y_pred, k)  # (k, k)
    tp = np.diag(C)
    precision = _ratio(tp, C.sum(axis=0))  # column sums: predicted as the class
    recall = _ratio(tp, C.sum(axis=1))  # row sums: truly the class
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def f1_scores(y_true, y_pred, k):
    """``(macro, micro)`` F1 over k classes.

    Macro: the unweighted mean of the k per-class F1 scores (every class counts the
    same, whatever its support). Micro: F1 of the pooled counts, which for single-label
    classification equals the accuracy.
    """
    _, _, f1 = per_class_prf(y_true, y_pred, k)
    C = confusion_matrix(y_true, y_pred, k)
    micro = np.trace(C) / C.sum()  # pooled TP / (TP + FP) = pooled recall = accuracy
    return float(f1.mean()), float(micro)


def _curve_counts(y_true, scores):
    """Cumulative TP and FP counts at each distinct score, descending, and those scores.

    Returns ``(tps, fps, thresholds)``, each (m,) for the m distinct scores: predicting
    positive every example with a score >= threshold gives tps true and fps false positives.
    """
    y_true, scores = _validate.binary(y_true), _validate.scores(scores)
    _validate.same_length(y_true, scores, ("y_true", "scores"))
    order = np.argsort(-scores, kind="stable")  # descending scores
    s, y = scores[order], y_true[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # end of each run of ties
    tps = np.cumsum(y)[last_of_tie]
    fps = (last_of_tie + 1) - tps
    return tps, fps, s[last_of_tie]


def roc_curve(y_true, scores):
    """The ROC curve ``(fpr, tpr, thresholds)``, one point per distinct score plus (0, 0).

    ``tpr = TP / P`` and ``fpr = FP / N`` when every example with score >= threshold is
    called positive; thresholds descend from ``inf`` (nothing positive) through the
    distinct scores. Equals ``sklearn.metrics.roc_curve(..., drop_intermediate=False)``.
    Needs both classes in y_true.
    """
    tps, fps, thresholds = _curve_counts(y_true, scores)
    if tps[-1] == 0 or fps[-1] == 0:
        raise ValueError("roc_curve needs both classes in y_true (positives and negatives)")
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, np.r_[np.inf, thresholds]


def auc(x, y):
    """Area under the curve through the points (x, y) by the trapezoid rule.

    x must be monotonic (increasing or decreasing, as the points of an ROC curve are);
    ``sum_i (x_i - x_{i-1}) (y_i + y_{i-1}) / 2``.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
        raise ValueError(
            f"auc needs two 1-D arrays of the same length >= 2, got {x.shape}, {y.shape}"
        )
    dx = np.diff(x)
    if np.all(dx >= 0):
        sign = 1.0
    elif np.all(dx <= 0):
        sign = -1.0
    else:
        raise ValueError("auc: x is not monotonic; sort the curve's points by x first")
    return float(sign * np.sum(dx * (y[1:] + y[:-1]) / 2))


def roc_auc(y_true, scores):
    """Area under the ROC curve: the probability that a random positive scores higher
    than a random negative, ties counted 1/2 (= ``sklearn.metrics.roc_auc_score``)."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc(fpr, tpr)


def pr_curve(y_true, scores):
    """The precision-recall curve ``(precision, recall, thresholds)`` at the distinct
    scores, thresholds descending (recall increasing), with the point (P=1, R=0) first.

    Precision at a threshold with no predicted positive does not occur (every distinct
    score predicts at least one). Needs at least one positive.
    """
    tps, fps, thresholds = _curve_counts(y_true, scores)
    if tps[-1] == 0:
        raise ValueError("pr_curve needs at least one positive example in y_true")
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return np.r_[1.0, precision], np.r_[0.0, recall], thresholds


def average_precision(y_true, scores):
    """``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct thresholds, R_0 = 0.

    The step (not trapezoidal) area under the PR curve, without interpolation; equals
    ``sklearn.metrics.average_precision_score``.
    """
    precision, recall, _ = pr_curve(y_true, scores)
    return float(np.sum(np.diff(recall) * precision[1:]))


def _calibration_inputs(probs, y):
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(
            f"probs must be (n, k) class probabilities with k >= 2, got shape {probs.shape}; "
            "for a binary model stack [1 - p, p]"
        )
    y = _validate.labels(y, "y")
    _validate.same_length(probs, y, ("probs", "y"))
    return probs, y


def reliability_curve(probs, y, n_bins=15):
    """Per bin of confidence: ``(counts, mean confidence, accuracy)``, three (n_bins,) arrays.

    The confidence is the largest probability of each row (the predicted class is its
    argmax); bins are equal-width ``(lo, hi]`` on [0, 1] with 0 in the first bin. Empty
    bins have count 0 and confidence and accuracy 0.
    """
    probs, y = _calibration_inputs(probs, y)
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    mean_conf = _ratio(np.bincount(bins, confidence, n_bins), counts)
    accuracy = _ratio(np.bincount(bins, correct, n_bins), counts)
    return counts, mean_conf, accuracy


def expected_calibration_error(probs, y, n_bins=15):
    """``ECE = sum_b (n_b / n) |acc_b - conf_b|`` over equal-width confidence bins.

    probs: (n, k) predicted class probabilities; y: (n,) true labels. See
    :func:`reliability_curve` for the bins.
    """
    counts, mean_conf, accuracy = reliability_curve(probs, y, n_bins)
    return float(np.sum(counts * np.abs(accuracy - mean_conf)) / counts.sum())


def class_weights(y, k):
    """Balanced class weights ``n / (k n_c)`` (scikit-learn's ``"balanced"``), shape (k,);
    a class absent from y gets weight 0."""
    y = _validate.labels(y, "y")
    counts = np.bincount(y, minlength=k).astype(float)
    return _ratio(np.full(k, len(y), dtype=float), k * counts)
