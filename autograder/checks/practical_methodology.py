"""Checks for module 14, practical methodology.

Every exercise has a visible ``<name>_basic(...)`` check (return type and shape plus one
small worked case) and a hidden ``<name>_hidden(...)`` check (seeded random inputs plus
the edge cases behind the classic mistakes: precision and recall swapped, a transposed
confusion matrix, NaN when nothing is predicted positive, macro F1 weighted by support;
ROC curves stepped one example at a time through tied scores, sorted the wrong way or
integrated unsorted; the trapezoidal or 11-point PR area; unweighted calibration bins;
R^2 over the predictions' variance, a Huber loss with a jump; perplexity in base 2,
unclipped BLEU counts; the Wald interval; a bootstrap that resamples labels and
predictions independently; scaling fitted on train and test together; folds that are
not stratified; a learning rate searched on a linear scale, a grid of budget^d points;
a network that cannot memorise 16 examples, labels shuffled together with their
inputs; a domain classifier scored on its own training rows).

The oracles are scikit-learn's metrics (``confusion_matrix``,
``precision_recall_fscore_support``, ``roc_curve``, ``roc_auc_score``,
``average_precision_score``, ``r2_score``, ``StandardScaler``, ``StratifiedKFold``, the
domain-classifier pipeline), ``scipy.stats`` (``binomtest``'s Wilson interval,
``mannwhitneyu``, the binomial quantiles behind the bootstrap, ``kstest``), torch's
``huber_loss`` (through ``oracles.torch()``) and closed forms written here. Statistical
checks are sized so that a correct answer fails less than once in 10,000 runs (each
says how); the training checks' pass marks are calibrated in
``benchmarks/practical_methodology_calibration.py``. Nothing here uses dlkit.
"""

import itertools
from collections import Counter
from functools import cache

import numpy as np
import scipy.stats

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_number,
    expect_reproducible,
    expect_returns,
    show,
    unpack,
)

# ---------------------------------------------------------------------------
# Functions passed to the learner's code
# ---------------------------------------------------------------------------


def validation_loss(x):
    """A validation loss over (learning rate, weight decay) in which only the learning
    rate matters much: a valley at lr = 10 ** -2.3 on a log scale, a faint tilt in the
    weight decay. Self-contained: it travels to the learner's kernel as its source."""
    import numpy

    lr, decay = float(x[0]), float(x[1])
    return 0.2 + 0.5 * (numpy.log10(lr) + 2.3) ** 2 + 0.01 * (decay - 0.3) ** 2


def _dict_of_numbers(result, text, keys, hint):
    """The learner's dict as ``{key: float}``, or CheckFailed naming what is missing."""
    expect(
        isinstance(result, dict),
        f"{text} returned a {type(result).__name__} ({show(result)}), expected a dict with "
        f"the keys {', '.join(keys)}; hint: {hint}",
    )
    missing = [k for k in keys if k not in result]
    expect(
        not missing,
        f"{text} returned a dict without the keys {missing}; hint: return a dict with the "
        f"keys {', '.join(keys)}",
    )
    return {k: as_number(result[k], f"{text}[{k!r}]") for k in keys}


# ---------------------------------------------------------------------------
# Exercise 1 · pm-binary-metrics · reference: dk.metrics.binary_metrics, dk.metrics.f1_scores
# ---------------------------------------------------------------------------

_COUNT_KEYS = ("tp", "fp", "fn", "tn")
_SCORE_KEYS = ("precision", "recall", "f1", "accuracy")
_BINARY_HINT = (
    "TP = sum((y_true == 1) & (y_pred == 1)), FP = sum((y_true == 0) & (y_pred == 1)), "
    "FN = sum((y_true == 1) & (y_pred == 0)); precision = TP / (TP + FP) (of the predicted "
    "positives), recall = TP / (TP + FN) (of the actual positives), 0 when a denominator is 0"
)
_F1_HINT = (
    "macro F1 = the plain mean of the k per-class F1 scores (each class one-vs-rest, "
    "0 where undefined); micro F1 = F1 of the pooled counts, which equals the accuracy"
)


def _check_binary(fn, y_true, y_pred):
    import sklearn.metrics

    result, text = call(fn, "binary_metrics", y_true, y_pred, hint=_BINARY_HINT)
    got = _dict_of_numbers(result, text, _COUNT_KEYS + _SCORE_KEYS, _BINARY_HINT)
    (tn, fp), (fn_, tp) = sklearn.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1])
    counts = {"tp": tp, "fp": fp, "fn": fn_, "tn": tn}
    if (got["fp"], got["fn"]) == (fn_, fp) and fp != fn_:
        raise CheckFailed(
            f"{text} returned fp={got['fp']:g} and fn={got['fn']:g}, expected fp={fp} and "
            f"fn={fn_}; hint: your confusion matrix is transposed (FP and FN swapped): a false "
            "positive is a negative example (y_true == 0) predicted positive (y_pred == 1)"
        )
    for key in _COUNT_KEYS:
        expect_number(got[key], counts[key], f"{text}[{key!r}]", _BINARY_HINT)
    p, r, f1, _ = sklearn.metrics.precision_recall_fscore_support(
        y_true, y_pred, average="binary", zero_division=0
    )
    expected = {"precision": p, "recall": r, "f1": f1, "accuracy": np.mean(y_true == y_pred)}
    if np.isnan(got["precision"]) or np.isnan(got["recall"]) or np.isnan(got["f1"]):
        raise CheckFailed(
            f"{text} returned precision={got['precision']:g}, recall={got['recall']:g}, "
            f"f1={got['f1']:g}, expected {p:g}, {r:g}, {f1:g}; hint: NaN when nothing is "
            "predicted positive (or no example is positive): a 0/0 ratio is defined as 0 "
            "here (zero_division=0), so test the denominator before dividing"
        )
    swapped = "precision and recall are swapped: precision divides by the predicted positives "
    swapped += "TP + FP, recall by the actual positives TP + FN"
    for key in _SCORE_KEYS:
        other = {"precision": r, "recall": p}.get(key)
        mistakes = [(other, swapped)] if other is not None else []
        expect_number(got[key], expected[key], f"{text}[{key!r}]", _BINARY_HINT, mistakes=mistakes)


def _check_f1(fn, y_true, y_pred, k):
    import sklearn.metrics

    result, text = call(fn, "f1_scores", y_true, y_pred, k, hint=_F1_HINT)
    macro, micro = unpack(result, text, ("macro", "micro"))
    labels = list(range(k))
    expected_macro = sklearn.metrics.f1_score(
        y_true, y_pred, labels=labels, average="macro", zero_division=0
    )
    weighted = sklearn.metrics.f1_score(
        y_true, y_pred, labels=labels, average="weighted", zero_division=0
    )
    expect_number(
        macro,
        expected_macro,
        f"{text}[0] (macro F1)",
        _F1_HINT,
        mistakes=[
            (
                weighted,
                "your macro F1 is weighted by support (that is 'weighted' F1); macro "
                "gives every class the same weight: the plain mean of the per-class F1 scores",
            ),
            (
                sklearn.metrics.accuracy_score(y_true, y_pred),
                "that is the micro F1 (the accuracy); macro averages the per-class F1 scores",
            ),
        ],
    )
    expected_micro = sklearn.metrics.f1_score(y_true, y_pred, labels=labels, average="micro")
    expect_number(
        micro,
        expected_micro,
        f"{text}[1] (micro F1)",
        _F1_HINT,
        mistakes=[(expected_macro, "that is the macro F1; micro pools the counts")],
    )


def binary_metrics_basic(binary_metrics, f1_scores):
    """Ten examples with TP = 3, FP = 1, FN = 2, TN = 4; then three unbalanced classes."""
    y_true = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    y_pred = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    _check_binary(binary_metrics, y_true, y_pred)
    _check_f1(
        f1_scores,
        np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2]),
        np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 0]),
        3,
    )


def binary_metrics_hidden(binary_metrics, f1_scores):
    """Random imbalanced labels; nothing predicted positive; no positive example; five
    classes with very unequal support."""
    rng = np.random.default_rng(1401)
    y_true = (rng.random(200) < 0.2).astype(int)
    y_pred = np.where(rng.random(200) < 0.8, y_true, 1 - y_true)
    _check_binary(binary_metrics, y_true, y_pred)
    _check_binary(binary_metrics, y_true, np.zeros(200, dtype=int))
    _check_binary(binary_metrics, np.zeros(30, dtype=int), (rng.random(30) < 0.3).astype(int))
    y = rng.choice(5, 300, p=[0.6, 0.2, 0.1, 0.07, 0.03])
    guess = np.where(rng.random(300) < 0.6, y, rng.integers(0, 5, 300))
    _check_f1(f1_scores, y, guess, 5)


# ---------------------------------------------------------------------------
# Exercise 2 · pm-roc-auc · reference: dk.metrics.roc_curve, dk.metrics.auc
# ---------------------------------------------------------------------------

_ROC_HINT = (
    "sort the scores in descending order, take the cumulative TP and FP counts, keep only "
    "the last position of each run of tied scores (one point per distinct score), divide "
    "by P and N, and prepend the point (0, 0) with threshold np.inf"
)
_AUC_HINT = "trapezoids: sum over i of (x[i] - x[i-1]) * (y[i] + y[i-1]) / 2"


def _roc_untied(y, s, descending=True):
    """The curve stepped one example at a time (ties not grouped), in a stable sort."""
    order = np.argsort(-s if descending else s, kind="stable")
    tps, fps = np.cumsum(y[order]), np.cumsum(1 - y[order])
    return np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[np.inf, s[order]]


def _roc_ascending(y, s):
    """The curve at the distinct scores taken in ascending order."""
    values = np.unique(s)
    tps = np.array([np.sum(y[s <= v]) for v in values])
    fps = np.array([np.sum(1 - y[s <= v]) for v in values])
    return np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[-np.inf, values]


def _check_roc(roc_curve, y, s):
    import sklearn.metrics

    result, text = call(roc_curve, "roc_curve", y, s, hint=_ROC_HINT)
    fpr, tpr, thresholds = unpack(result, text, ("fpr", "tpr", "thresholds"))
    fpr_ref, tpr_ref, thr_ref = sklearn.metrics.roc_curve(y, s, drop_intermediate=False)
    untied, ascending = _roc_untied(y, s), _roc_ascending(y, s)
    tps, fps = np.cumsum(y), np.cumsum(1 - y)  # the data's own order: an unsorted curve
    unsorted = np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[np.inf, s]
    not_sorted = (
        "your curve follows the data's order: sort the scores (descending) first (the "
        "trapezoid over unsorted thresholds is not the AUC either)"
    )
    ties = (
        "you stepped through the tied scores one example at a time: examples with equal "
        "scores cross the threshold together, so each distinct score gives one point (the "
        "trapezoid over such untied thresholds gets the AUC wrong too: a tie counts 1/2)"
    )
    wrong_order = "your curve runs through the scores in ascending order; sort them descending"
    no_origin = "start the curve at (0, 0) with threshold np.inf (nothing predicted positive)"
    for index, (got, ref, label) in enumerate(
        [(thresholds, thr_ref, "thresholds"), (fpr, fpr_ref, "fpr"), (tpr, tpr_ref, "tpr")]
    ):
        k = [2, 0, 1][index]
        expect_close(
            got,
            ref,
            f"{text}[{k}] ({label})",
            _ROC_HINT,
            mistakes=[
                (ref[1:], no_origin),
                (untied[k], ties),
                (unsorted[k], not_sorted),
                (ascending[k], wrong_order),
            ],
        )


def _check_auc(auc, x, y):
    result, text = call(auc, "auc", x, y, hint=_AUC_HINT)
    dx = np.diff(x)
    expect_number(
        result,
        np.sum(dx * (y[1:] + y[:-1]) / 2),
        text,
        _AUC_HINT,
        mistakes=[
            (np.sum(dx * y[1:]), "that is the rectangle rule (right end points); use trapezoids"),
            (np.sum(dx * y[:-1]), "that is the rectangle rule (left end points); use trapezoids"),
        ],
    )


def _check_roc_auc(roc_curve, auc, y, s):
    """The learner's AUC of the learner's curve against the Mann-Whitney statistic
    U / (P N), ties counting 1/2 (which is what ``roc_auc_score`` returns)."""
    result, text = call(roc_curve, "roc_curve", y, s, hint=_ROC_HINT)
    fpr, tpr, _ = unpack(result, text, ("fpr", "tpr", "thresholds"))
    area, _ = call(auc, "auc", fpr, tpr, hint=_AUC_HINT)
    u = scipy.stats.mannwhitneyu(s[y == 1], s[y == 0]).statistic
    expected = u / (np.sum(y == 1) * np.sum(y == 0))
    unsorted_t = np.r_[0, np.cumsum(y) / y.sum()]  # the data's own order: an unsorted curve
    unsorted_f = np.r_[0, np.cumsum(1 - y) / (1 - y).sum()]
    untied_f, untied_t, _ = _roc_untied(y, s)
    expect_number(
        area,
        expected,
        f"auc(*{text}[:2])",
        "the area under the ROC curve is the probability that a random positive scores "
        "higher than a random negative, ties counting 1/2 (roc_auc_score)",
        mistakes=[
            (
                np.trapezoid(untied_t, untied_f),
                "the AUC by the trapezoid over untied "
                "thresholds: with tied scores the curve must step diagonally, one point per "
                "distinct score (a tie counts 1/2)",
            ),
            (
                np.trapezoid(unsorted_t, unsorted_f),
                "the AUC by the trapezoid over unsorted "
                "thresholds: sort the scores (descending) before accumulating TP and FP",
            ),
            (1 - expected, "your AUC is 1 - AUC: the scores were sorted ascending"),
        ],
    )


_FORBID_ROC = Forbidden(
    "roc_auc",
    ("sklearn.metrics", "dlkit.metrics"),
    "this exercise asks you to build the curve from sorted cumulative counts yourself, not "
    "with scikit-learn's or dlkit's metrics",
)
_FORBID_AUC = Forbidden(
    "roc_auc",
    ("sklearn.metrics", "dlkit.metrics"),
    "this exercise asks you to sum the trapezoids yourself",
)


def roc_auc_basic(roc_curve, auc):
    """Six examples with one tie between a positive and a negative: the positives 0.9,
    0.5, 0.3 against the negatives 0.5, 0.2, 0.1 win 7 of 9 pairs and tie 1, AUC 7.5/9."""
    y = np.array([1, 0, 1, 1, 0, 0])
    s = np.array([0.9, 0.5, 0.5, 0.3, 0.2, 0.1])
    _check_roc(roc_curve, y, s)
    _check_auc(auc, np.array([0.0, 0.2, 0.5, 1.0]), np.array([0.0, 0.6, 0.8, 1.0]))
    _check_roc_auc(roc_curve, auc, y, s)
    _FORBID_ROC.check(roc_curve)
    _FORBID_AUC.check(auc)


def roc_auc_hidden(roc_curve, auc):
    """Rounded random scores (many ties) in shuffled order, an unsorted data order, every
    score tied, and a perfect ranking."""
    rng = np.random.default_rng(1402)
    y = (rng.random(80) < 0.4).astype(int)
    s = np.round(rng.normal(size=80) + 1.2 * y, 1)
    _check_roc(roc_curve, y, s)
    _check_roc_auc(roc_curve, auc, y, s)
    y2 = rng.permutation(np.r_[np.ones(15, int), np.zeros(25, int)])
    s2 = np.round(rng.random(40) + 0.3 * y2, 1)
    _check_roc_auc(roc_curve, auc, y2, s2)
    _check_roc(roc_curve, np.array([0, 1, 0, 1]), np.full(4, 0.5))
    _check_roc_auc(roc_curve, auc, np.array([0, 1, 1, 0, 1]), np.array([0.1, 0.8, 0.7, 0.2, 0.9]))
    x = np.sort(rng.random(12))
    _check_auc(auc, x, x**2)
    _FORBID_ROC.check(roc_curve)
    _FORBID_AUC.check(auc)


# ---------------------------------------------------------------------------
# Exercise 3 · pm-average-precision · reference: dk.metrics.average_precision
# ---------------------------------------------------------------------------

_AP_HINT = (
    "at each distinct score (descending) compute P_n = TP / (TP + FP) and R_n = TP / P with "
    "tied scores crossing the threshold together, then AP = sum_n (R_n - R_{n-1}) P_n with "
    "R_0 = 0 (steps, no trapezoids, no interpolation)"
)


def _pr_points(y, s, tied=True):
    order = np.argsort(-s, kind="stable")
    tps, fps = np.cumsum(y[order]), np.cumsum(1 - y[order])
    if tied:
        last = np.r_[np.flatnonzero(np.diff(s[order])), len(s) - 1]
        tps, fps = tps[last], fps[last]
    return tps / (tps + fps), tps / tps[-1]


def _check_ap(fn, y, s):
    import sklearn.metrics

    precision, recall = _pr_points(y, s)
    p_untied, r_untied = _pr_points(y, s, tied=False)
    interp = [np.max(precision[recall >= t], initial=0) for t in np.linspace(0, 1, 11)]
    r0, p0 = np.r_[0, recall], np.r_[1, precision]
    expect_returns(
        fn,
        "average_precision",
        (y, s),
        sklearn.metrics.average_precision_score(y, s),
        _AP_HINT,
        mistakes=[
            (
                np.sum(np.diff(r0) * (p0[1:] + p0[:-1]) / 2),
                "that is the trapezoidal area under "
                "the PR curve, which interpolates linearly between its points (usually an "
                "optimistic area); AP sums steps (R_n - R_{n-1}) P_n",
            ),
            (
                np.mean(interp),
                "that is the 11-point interpolated AP; here AP is the plain "
                "step sum over every threshold",
            ),
            (
                np.sum(np.diff(np.r_[0, r_untied]) * p_untied),
                "you stepped through tied scores "
                "one example at a time; tied scores cross the threshold together",
            ),
        ],
    )


_FORBID_AP = Forbidden(
    "average_precision",
    ("sklearn.metrics", "dlkit.metrics"),
    "this exercise asks you to sum the precision steps yourself, not with scikit-learn's "
    "average_precision_score or dlkit's metrics",
)


def average_precision_basic(fn):
    """Five ranked examples without ties: AP = (1 + 2/3 + 3/5) / 3 by hand."""
    _check_ap(fn, np.array([1, 0, 1, 0, 1]), np.array([0.9, 0.8, 0.7, 0.6, 0.5]))
    _FORBID_AP.check(fn)


def average_precision_hidden(fn):
    """Rounded scores (ties), a rare positive class, ties across the whole list."""
    rng = np.random.default_rng(1403)
    y = (rng.random(120) < 0.15).astype(int)
    _check_ap(fn, y, np.round(rng.normal(size=120) + 1.5 * y, 1))
    y = rng.permutation(np.r_[np.ones(20, int), np.zeros(60, int)])
    _check_ap(fn, y, np.round(rng.random(80) + 0.4 * y, 1))
    _check_ap(fn, np.array([1, 0, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.2, 0.2]))
    _FORBID_AP.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · pm-ece · reference: dk.metrics.expected_calibration_error
# ---------------------------------------------------------------------------

_ECE_HINT = (
    "confidence = probs.max(axis=1), correct = (probs.argmax(axis=1) == y); put each "
    "example in the equal-width bin (lo, hi] holding its confidence (0 in the first bin, 1.0 "
    "in the last), then ECE = sum over bins of (n_b / n) * |accuracy_b - mean confidence_b|"
)


def _ece(probs, y, n_bins, weighted=True, confidence=None, drop_ones=False):
    """The ECE with switches for the classic mistakes (np.digitize with right=True gives
    the (lo, hi] bins)."""
    conf = probs.max(axis=1) if confidence is None else confidence
    correct = (probs.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    keep = conf < 1.0 if drop_ones else np.ones(len(conf), bool)
    total, gaps = 0.0, []
    for b in range(n_bins):
        members = (bins == b) & keep
        if members.any():
            gap = abs(correct[members].mean() - conf[members].mean())
            gaps.append(gap)
            total += members.sum() / keep.sum() * gap
    return total if weighted else float(np.mean(gaps))


def _check_ece(fn, probs, y, n_bins):
    expect_returns(
        fn,
        "expected_calibration_error",
        (probs, y, n_bins),
        _ece(probs, y, n_bins),
        _ECE_HINT,
        mistakes=[
            (
                lambda: _ece(probs, y, n_bins, weighted=False),
                "you took the unweighted mean "
                "over the bins; weight each bin's gap by its share of the examples, n_b / n",
            ),
            (
                lambda: _ece(probs, y, n_bins, confidence=probs[:, 1]),
                "the confidence is the "
                "largest probability of each row (the predicted class's), not p(class 1)",
            ),
            (
                lambda: _ece(probs, y, n_bins, drop_ones=True),
                "examples with confidence exactly "
                "1.0 were dropped: they belong to the last bin (lo, 1.0]",
            ),
        ],
    )


def _softmax_rows(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def ece_basic(fn):
    """Four binary predictions, all in the upper of two bins: ECE = |3/4 - 0.825|."""
    probs = np.array([[0.4, 0.6], [0.2, 0.8], [0.1, 0.9], [0.0, 1.0]])
    _check_ece(fn, probs, np.array([1, 0, 1, 1]), 2)


def ece_hidden(fn):
    """An overconfident 10-class model with confidences of exactly 1.0, and a 3-class one
    whose predicted class is rarely class 1."""
    rng = np.random.default_rng(1404)
    logits = 3 * rng.normal(size=(300, 10))
    logits[:20, 0] = 1e3  # saturated rows: confidence exactly 1.0
    y = np.where(rng.random(300) < 0.6, logits.argmax(axis=1), rng.integers(0, 10, 300))
    _check_ece(fn, _softmax_rows(logits), y, 15)
    logits = rng.normal(size=(200, 3)) + np.array([1.0, -1.0, 0.5])
    y = rng.integers(0, 3, 200)
    _check_ece(fn, _softmax_rows(logits), y, 10)


# ---------------------------------------------------------------------------
# Exercise 5 · pm-regression-metrics · reference: dk.metrics.regression_metrics
# ---------------------------------------------------------------------------

_REGRESSION_KEYS = ("mse", "rmse", "mae", "r2", "huber")
_REGRESSION_HINT = (
    "with e = y - y_hat: mse = mean(e^2), rmse = sqrt(mse), mae = mean(|e|), r2 = 1 - "
    "sum(e^2) / sum((y - mean(y))^2), huber = mean of e^2/2 where |e| <= delta and "
    "delta |e| - delta^2/2 elsewhere"
)


def _check_regression(fn, y, y_hat, delta):
    import sklearn.metrics

    result, text = call(fn, "regression_metrics", y, y_hat, delta, hint=_REGRESSION_HINT)
    got = _dict_of_numbers(result, text, _REGRESSION_KEYS, _REGRESSION_HINT)
    torch = oracles.torch()
    huber = torch.nn.functional.huber_loss(
        oracles.tensor(y_hat), oracles.tensor(y), delta=delta
    ).item()
    e = y - y_hat
    mse = sklearn.metrics.mean_squared_error(y, y_hat)
    expected = {
        "mse": mse,
        "rmse": np.sqrt(mse),
        "mae": sklearn.metrics.mean_absolute_error(y, y_hat),
        "r2": sklearn.metrics.r2_score(y, y_hat),
        "huber": huber,
    }
    a = np.abs(e)
    mistakes = {
        "rmse": [(np.mean(a), "rmse is sqrt(mean(e^2)), not mean(|e|) (that is the MAE)")],
        "r2": [
            (
                1 - np.sum(e**2) / np.sum((y_hat - y_hat.mean()) ** 2),
                "R^2 divides by the "
                "spread of the targets, sum((y - mean(y))^2), not of the predictions",
            ),
            (
                1 - np.mean(e**2) / np.sum((y - y.mean()) ** 2),
                "R^2 compares two sums (or two means): sum(e^2) / sum((y - mean y)^2)",
            ),
        ],
        "huber": [
            (
                np.mean(np.where(a <= delta, 0.5 * a**2, delta * a)),
                "your Huber loss jumps at |e| = delta: the linear part is delta |e| - delta^2 / 2",
            ),
            (
                np.mean(np.where(a <= delta, a**2, 2 * delta * a - delta**2)),
                "your Huber loss "
                "is twice too large: the quadratic part is e^2 / 2, the linear one "
                "delta |e| - delta^2 / 2",
            ),
        ],
    }
    for key in _REGRESSION_KEYS:
        expect_number(
            got[key],
            expected[key],
            f"{text}[{key!r}]",
            _REGRESSION_HINT,
            mistakes=mistakes.get(key, ()),
        )


def regression_metrics_basic(fn):
    """Four predictions, two errors beyond delta = 1."""
    _check_regression(fn, np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.5, 2.0, 5.0, 1.0]), 1.0)


def regression_metrics_hidden(fn):
    """Heavy-tailed errors with targets far from 0 (R^2's mean matters) and another delta."""
    rng = np.random.default_rng(1405)
    y = 50 + 10 * rng.normal(size=100)
    _check_regression(fn, y, 0.8 * y + 8 + scipy.stats.t.rvs(2, size=100, random_state=rng), 1.5)
    _check_regression(fn, y, np.full(100, y.mean() + 3.0), 4.0)


# ---------------------------------------------------------------------------
# Exercise 6 · pm-sequence-metrics · reference: dk.metrics.perplexity, dk.metrics.bleu
# ---------------------------------------------------------------------------

_PPL_HINT = (
    "log p = logits[target] - logsumexp(row) with the row maximum subtracted first; "
    "perplexity = exp(-mean(log p)) with natural logs"
)
_BLEU_HINT = (
    "for n = 1..max_n, p_n = (candidate n-grams, each counted at most as often as in the "
    "reference where it is most frequent) / (number of candidate n-grams); BLEU = BP * "
    "exp(mean(log p_n)) with BP = 1 if c > r else exp(1 - r / c), r the reference length "
    "closest to c (the shorter on a tie); 0 if some p_n is 0"
)


def _log_probs(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.sum(np.exp(shifted), axis=1))
    return shifted[np.arange(len(targets)), targets] - log_z


def _check_perplexity(fn, logits, targets):
    with np.errstate(all="ignore"):
        lp = _log_probs(logits, targets)
        nll = -np.mean(lp)
        raw = logits[np.arange(len(targets)), targets]
        expected = np.exp(nll)
        mistakes = [
            (
                2.0**nll,
                "perplexity in base 2: 2 ** (mean NLL) needs the NLL in bits; with "
                "natural logs (what log-softmax gives) use np.exp",
            ),
            (
                np.exp(-np.mean(lp / np.log(2))),
                "you converted the log-probabilities to base 2 "
                "and then exponentiated with e; use natural logs and np.exp throughout",
            ),
            (
                np.mean(np.exp(-lp)),
                "that is the mean of per-token perplexities; perplexity "
                "is the exponential of the mean NLL",
            ),
            (
                np.exp(-np.mean(raw)),
                "the logits are not log-probabilities: subtract the "
                "log-sum-exp of each row first (log-softmax)",
            ),
        ]
    result, text = call(fn, "perplexity", logits, targets, hint=_PPL_HINT)
    value = as_number(result, text)
    if not np.isfinite(value):
        raise CheckFailed(
            f"{text} returned {value:g}, expected {expected:.6g}; hint: the exponentials "
            "overflowed: subtract each row's maximum before np.exp (a stable log-softmax)"
        )
    expect_number(value, expected, text, _PPL_HINT, mistakes=mistakes)


def _bleu_oracle(candidate, references, max_n, clip=True, geometric=True, always_bp=False):
    c = len(candidate)
    precisions = []
    for n in range(1, max_n + 1):
        grams = Counter(zip(*[candidate[i:] for i in range(n)]))
        total = max(c - n + 1, 0)
        if total == 0:
            return 0.0
        limit = Counter()
        for ref in references:
            for gram, count in Counter(zip(*[ref[i:] for i in range(n)])).items():
                limit[gram] = max(limit[gram], count)
        if clip:
            matched = sum(min(count, limit[gram]) for gram, count in grams.items())
        else:
            matched = sum(count for gram, count in grams.items() if gram in limit)
        precisions.append(matched / total)
    lengths = sorted((abs(len(ref) - c), len(ref)) for ref in references)
    r = lengths[0][1]
    bp = np.exp(1 - r / c) if (c <= r or always_bp) else 1.0
    if geometric:
        if min(precisions) == 0:
            return 0.0
        return float(bp * np.exp(np.mean(np.log(precisions))))
    return float(bp * np.mean(precisions))


def _check_bleu(fn, candidate, references, max_n):
    expect_returns(
        fn,
        "bleu",
        (candidate, references, max_n),
        _bleu_oracle(candidate, references, max_n),
        _BLEU_HINT,
        mistakes=[
            (
                lambda: _bleu_oracle(candidate, references, max_n, clip=False),
                "your n-gram "
                "counts are not clipped: a candidate n-gram counts at most as often as it occurs "
                "in a reference",
            ),
            (
                lambda: _bleu_oracle(candidate, references, max_n, geometric=False),
                "that is the arithmetic mean of the precisions; BLEU takes their geometric mean",
            ),
            (
                lambda: _bleu_oracle(candidate, references, max_n, always_bp=True),
                "the brevity "
                "penalty applies only when the candidate is not longer than the reference (c <= r)",
            ),
        ],
    )


def sequence_metrics_basic(perplexity, bleu):
    """Perplexity of three tokens; the textbook clipping case (unigram precision 2/7)."""
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.5]])
    _check_perplexity(perplexity, logits, np.array([0, 1, 0]))
    _check_bleu(bleu, ["the"] * 7, [["the", "cat", "is", "on", "the", "mat"]], 1)
    _check_bleu(bleu, "the cat sat on the mat".split(), ["the cat is on the mat".split()], 2)


def sequence_metrics_hidden(perplexity, bleu):
    """Large logits (overflow without the max shift), a 50-token vocabulary; BLEU-4 with two
    references, a long candidate (no brevity penalty), repeated n-grams, a short candidate."""
    rng = np.random.default_rng(1406)
    logits = 40 * rng.normal(size=(64, 50)) + 800
    _check_perplexity(perplexity, logits, rng.integers(0, 50, 64))
    _check_perplexity(perplexity, rng.normal(size=(200, 50)), rng.integers(0, 50, 200))
    refs = ["the cat is sitting on the mat today".split(), "a cat sits on the mat".split()]
    _check_bleu(bleu, "the cat sits on the mat today and the cat sleeps".split(), refs, 4)
    _check_bleu(bleu, "the cat the cat on the mat".split(), refs, 2)
    _check_bleu(bleu, "on the mat".split(), refs, 2)
    _check_bleu(bleu, "dogs bark loudly".split(), refs, 2)


# ---------------------------------------------------------------------------
# Exercise 7 · pm-wilson · reference: dk.metrics.wilson_interval
# ---------------------------------------------------------------------------

_WILSON_HINT = (
    "with p = k / n: centre p + z^2/(2n), half-width z sqrt(p(1-p)/n + z^2/(4n^2)), both "
    "divided by 1 + z^2/n; use the z you are given"
)


def _check_wilson(fn, k, n, level):
    z = float(scipy.stats.norm.ppf((1 + level) / 2))
    result, text = call(fn, "wilson_interval", k, n, z, hint=_WILSON_HINT)
    low, high = unpack(result, text, ("low", "high"))
    ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    p = k / n
    wald = p - z * np.sqrt(p * (1 - p) / n), p + z * np.sqrt(p * (1 - p) / n)
    z90 = 1.6448536269514722
    half = z90 * np.sqrt(p * (1 - p) / n + z90**2 / (4 * n**2))
    fixed = [(p + z90**2 / (2 * n) - half) / (1 + z90**2 / n)]
    fixed.append((p + z90**2 / (2 * n) + half) / (1 + z90**2 / n))
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    undivided = p + z**2 / (2 * n) - half, p + z**2 / (2 * n) + half
    for i, (got, ref) in enumerate([(low, ci.low), (high, ci.high)]):
        expect_number(
            got,
            ref,
            f"{text}[{i}] ({'low' if i == 0 else 'high'})",
            _WILSON_HINT,
            rtol=1e-7,
            mistakes=[
                (
                    wald[i],
                    "that is the Wald interval p -+ z sqrt(p(1-p)/n), which collapses at "
                    "k = 0 or k = n; Wilson's centre and width carry the z^2 terms",
                ),
                (fixed[i], "that is the interval for z = 1.645; use the z argument"),
                (undivided[i], "divide the centre and the half-width by 1 + z^2/n"),
            ],
        )


def wilson_basic(fn):
    """85 right out of 100 at 95 %: (0.767, 0.907)."""
    _check_wilson(fn, 85, 100, 0.95)


def wilson_hidden(fn):
    """k = n and k = 0 (where the Wald interval collapses), small n, a 99 % level."""
    _check_wilson(fn, 20, 20, 0.95)
    _check_wilson(fn, 0, 12, 0.95)
    _check_wilson(fn, 3, 7, 0.99)
    _check_wilson(fn, 912, 1000, 0.90)


# ---------------------------------------------------------------------------
# Exercise 8 · pm-bootstrap · reference: dk.metrics.bootstrap_ci
# ---------------------------------------------------------------------------

_BOOT_HINT = (
    "draw idx = rng.integers(0, n, size=(n_boot, n)) with rng = np.random.default_rng(seed), "
    "compute the accuracy of each resample, np.mean(y_true[idx] == y_pred[idx], axis=1), and "
    "return its (1 - level)/2 and (1 + level)/2 quantiles"
)
N_BOOT = 10_000
#: Six standard errors of an empirical quantile's level: sqrt(q(1-q)/B) is the standard
#: deviation of the empirical CDF at the true quantile, so a correct answer's end point
#: falls outside the bracket [F^-1(q - 6 se), F^-1(q + 6 se)] with probability below 1e-8.
_QUANTILE_Z = 6.0


def _bootstrap_bracket(accuracy, n, q, n_boot):
    """The interval in which a correct percentile-bootstrap end point must lie: resampling
    the pairs makes the resampled accuracy exactly Binomial(n, accuracy) / n."""
    se = np.sqrt(q * (1 - q) / n_boot)
    lo = scipy.stats.binom.ppf(max(q - _QUANTILE_Z * se, 0.0), n, accuracy) / n
    hi = scipy.stats.binom.ppf(min(q + _QUANTILE_Z * se, 1.0), n, accuracy) / n
    return lo, hi


def _check_bootstrap(fn, y_true, y_pred, level, seed):
    args = (y_true, y_pred, N_BOOT, level, seed)
    result, text = call(fn, "bootstrap_ci", *args, hint=_BOOT_HINT)
    low, high = unpack(result, text, ("low", "high"))
    low, high = as_number(low, f"{text}[0]"), as_number(high, f"{text}[1]")
    n, acc = len(y_true), float(np.mean(y_true == y_pred))
    alpha = (1 - level) / 2
    brackets = [_bootstrap_bracket(acc, n, q, N_BOOT) for q in (alpha, 1 - alpha)]
    narrow = [_bootstrap_bracket(acc, n, q, N_BOOT) for q in (2 * alpha, 1 - 2 * alpha)]

    def inside(value, bracket):
        return bracket[0] - 1e-12 <= value <= bracket[1] + 1e-12

    for value, bracket, label in [(low, brackets[0], "low"), (high, brackets[1], "high")]:
        if inside(value, bracket):
            continue
        if low == high:
            hint = (
                "your interval has zero width: you resampled without replacement (a "
                "permutation keeps the accuracy); draw the indices with replacement"
            )
        elif (high + low) / 2 < acc - 0.1:
            hint = (
                "your interval is centred far below the accuracy: the bootstrap resamples "
                "predictions and labels independently, which breaks the pairs; draw one index "
                "array and use it for both y_true and y_pred"
            )
        elif inside(low, narrow[0]) and inside(high, narrow[1]):
            hint = (
                f"your end points are the {2 * alpha:g} and {1 - 2 * alpha:g} quantiles, a "
                f"{1 - 4 * alpha:.0%} interval; a {level:.0%} interval takes the (1 - level)/2 "
                "and (1 + level)/2 quantiles"
            )
        else:
            hint = _BOOT_HINT
        raise CheckFailed(
            f"{text} returned ({low:.4g}, {high:.4g}); the {label} end point should lie in "
            f"[{bracket[0]:.4g}, {bracket[1]:.4g}] (the accuracy is {acc:.4g}: resampled pairs "
            f"give a Binomial({n}, {acc:.3g}) / {n} accuracy); hint: {hint}"
        )
    return text


def _bootstrap_data(rng, n, accuracy, k=2):
    y_true = rng.integers(0, k, n)
    wrong = rng.random(n) > accuracy
    y_pred = np.where(wrong, (y_true + rng.integers(1, k, n)) % k, y_true)
    return y_true, y_pred


def bootstrap_basic(fn):
    """400 binary predictions, 85 % right, 10,000 resamples, 95 %: the end points against
    the binomial quantiles they estimate (see _QUANTILE_Z for the tolerance)."""
    rng = np.random.default_rng(1407)
    _check_bootstrap(fn, *_bootstrap_data(rng, 400, 0.85), 0.95, seed=0)


def bootstrap_hidden(fn):
    """Ten classes (independent resampling collapses to about 10 %), a 90 % level, a small
    set; the same seed gives the same interval."""
    rng = np.random.default_rng(1408)
    y_true, y_pred = _bootstrap_data(rng, 300, 0.7, k=10)
    _check_bootstrap(fn, y_true, y_pred, 0.95, seed=3)
    _check_bootstrap(fn, *_bootstrap_data(rng, 500, 0.9), 0.90, seed=4)
    _check_bootstrap(fn, *_bootstrap_data(rng, 60, 0.75), 0.95, seed=5)
    # 7 resamples of 20,000 pairs: the end points vary from seed to seed on a fine grid
    # (two unseeded calls agree with probability about 1e-5), so the same seed must give
    # the same interval
    large = _bootstrap_data(rng, 20_000, 0.8)
    first, text = call(fn, "bootstrap_ci", *large, 7, 0.95, 11, hint=_BOOT_HINT)
    again, _ = call(fn, "bootstrap_ci", *large, 7, 0.95, 11, hint=_BOOT_HINT)
    expect(
        np.array_equal(as_float_array(first, text), as_float_array(again, text)),
        f"{text} returned {show(first)} and then {show(again)} with the same seed; hint: build "
        "the generator inside the function, rng = np.random.default_rng(seed), and draw only "
        "from rng",
    )


# ---------------------------------------------------------------------------
# Exercise 9 · pm-train-only-scaling · reference: dk.metrics.standardize
# ---------------------------------------------------------------------------

_SCALE_HINT = (
    "mean = X_train.mean(axis=0), std = X_train.std(axis=0) (ddof = 0) with 1 where std is "
    "0; return ((X_train - mean) / std, (X_test - mean) / std): the test set is scaled with "
    "the training statistics"
)


def _scaled(fit_on, X, ddof=0):
    mean, std = fit_on.mean(axis=0), fit_on.std(axis=0, ddof=ddof)
    return (X - mean) / np.where(std > 0, std, 1.0)


def _check_standardize(fn, X_train, X_test):
    from sklearn.preprocessing import StandardScaler

    result, text = call(fn, "standardize", X_train, X_test, hint=_SCALE_HINT)
    Z_train, Z_test = unpack(result, text, ("Z_train", "Z_test"))
    scaler = StandardScaler().fit(X_train)
    both = np.vstack([X_train, X_test])
    leak = (
        "leakage: your statistics were fitted on train and test together; fit the mean and "
        "std on X_train only, as if the test set did not exist yet"
    )
    constant = "a constant training column has std 0: use a scale of 1 there (no NaN or inf)"
    with np.errstate(all="ignore"):
        own = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
        raw_test = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
        raw_train = (X_train - X_train.mean(axis=0)) / X_train.std(axis=0)
    for index, (got, X, label, extra) in enumerate(
        [
            (Z_train, X_train, "Z_train", [(raw_train, constant)]),
            (
                Z_test,
                X_test,
                "Z_test",
                [
                    (
                        own,
                        "the test set was standardised with its own "
                        "statistics; use the training mean and std",
                    ),
                    (raw_test, constant),
                ],
            ),
        ]
    ):
        expect_close(
            got,
            scaler.transform(X),
            f"{text}[{index}] ({label})",
            _SCALE_HINT,
            mistakes=[
                (lambda X=X: _scaled(both, X), leak),
                (
                    lambda X=X: _scaled(X_train, X, ddof=1),
                    "use the population std (ddof = 0, np.std's default), not ddof = 1",
                ),
                *extra,
            ],
        )


_FORBID_SCALER = Forbidden(
    "standardize",
    ("sklearn.preprocessing", "dlkit.metrics"),
    "this exercise asks you to compute the training mean and std yourself, not with "
    "StandardScaler or dlkit's reference",
)


def standardize_basic(fn):
    """Two features, a test set far from the training data."""
    X_train = np.array([[0.0, 10.0], [2.0, 20.0], [4.0, 30.0]])
    _check_standardize(fn, X_train, np.array([[10.0, 0.0], [6.0, 25.0]]))
    _FORBID_SCALER.check(fn)


def standardize_hidden(fn):
    """A shifted test set (leakage moves the statistics), a constant training column."""
    rng = np.random.default_rng(1409)
    X_train = rng.normal(5.0, 2.0, size=(40, 4))
    X_test = rng.normal(8.0, 3.0, size=(30, 4))
    _check_standardize(fn, X_train, X_test)
    X_train[:, 2] = 7.0
    _check_standardize(fn, X_train, X_test)
    _FORBID_SCALER.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · pm-stratified-kfold · reference: dk.metrics.stratified_kfold
# ---------------------------------------------------------------------------

_KFOLD_HINT = (
    "for each class, shuffle its indices with rng = np.random.default_rng(seed) and deal "
    "them to the folds in turn (fold = (start + position) % k, start carried on from class "
    "to class); fold f validates on its indices and trains on all the others"
)


def _check_kfold(fn, y, k, seed):
    """The folds' properties: disjoint validation folds covering every index once, each
    training set the complement of its fold, and every class c with n_c examples in each
    fold floor(n_c / k) or ceil(n_c / k) times, the bounds scikit-learn's StratifiedKFold
    meets (its folds pass this check: an alternative in the check's table)."""
    result, text = call(fn, "stratified_kfold", y, k, seed, hint=_KFOLD_HINT)
    expect(
        isinstance(result, list | tuple) and len(result) == k,
        f"{text} returned {show(result)}, expected a list of {k} (train_idx, val_idx) pairs; "
        f"hint: {_KFOLD_HINT}",
    )
    n = len(y)
    seen = np.zeros(n, int)
    classes = np.unique(y)
    counts = np.array([np.sum(y == c) for c in classes])
    low, high = counts // k, -(-counts // k)
    validation = []
    for f, pair in enumerate(result):
        train, val = unpack(pair, f"{text}[{f}]", ("train_idx", "val_idx"))
        train = as_float_array(train, f"{text}[{f}][0]").astype(int)
        val = as_float_array(val, f"{text}[{f}][1]").astype(int)
        expect(
            val.ndim == 1 and train.ndim == 1 and np.all((val >= 0) & (val < n)),
            f"{text}[{f}]: expected 1-D arrays of indices in 0..{n - 1}; hint: {_KFOLD_HINT}",
        )
        expect(
            np.array_equal(np.sort(train), np.setdiff1d(np.arange(n), val)),
            f"{text}[{f}]: train_idx is not the complement of val_idx (every index not "
            "validated on must be trained on, and none of the validation indices); hint: "
            "train_idx = np.setdiff1d(np.arange(n), val_idx)",
        )
        np.add.at(seen, val, 1)
        validation.append(val)
    expect(
        np.all(seen == 1),
        f"{text}: {int(np.sum(seen != 1))} indices are validated on "
        f"{sorted(set(seen[seen != 1].tolist()))} times, expected exactly once: the folds "
        "overlap or miss indices; hint: assign each index to exactly one fold",
    )
    for f, val in enumerate(validation):
        per_class = np.array([np.sum(y[val] == c) for c in classes])
        bad = (per_class < low) | (per_class > high)
        if bad.any():
            c = int(np.flatnonzero(bad)[0])
            allowed = f"{low[c]}" if low[c] == high[c] else f"{low[c]} or {high[c]}"
            raise CheckFailed(
                f"{text}[{f}] validates on {per_class[c]} examples of class {classes[c]}, "
                f"expected {allowed} (the class has {counts[c]} examples, {k} folds); hint: "
                "the folds are not stratified: split each class separately so that every "
                "fold gets its share of every class"
            )
    return text


def stratified_kfold_basic(fn):
    """Twenty labels, 15 of class 0 and 5 of class 1, in 5 folds: one class-1 example each."""
    _check_kfold(fn, np.r_[np.zeros(15, int), np.ones(5, int)], 5, seed=0)


def stratified_kfold_hidden(fn):
    """Four imbalanced classes in shuffled order, a class with fewer examples than folds,
    reproducibility with the seed."""
    rng = np.random.default_rng(1410)
    y = rng.permutation(np.repeat([0, 1, 2, 3], [40, 23, 9, 3]))
    _check_kfold(fn, y, 5, seed=1)
    _check_kfold(fn, y, 4, seed=2)
    _check_kfold(fn, rng.permutation(np.repeat([0, 1], [97, 7])), 10, seed=3)
    expect_reproducible(fn, "stratified_kfold", (y, 5), 4)


# ---------------------------------------------------------------------------
# Exercise 11 · pm-sanity-checks · reference: dk.train.overfit_batch with dk.models.MLP
# ---------------------------------------------------------------------------

_SHAPES = {"W1": (64, 32), "b1": (32,), "W2": (32, 10), "b2": (10,)}
#: Pass marks, calibrated in benchmarks/practical_methodology_calibration.py: the reference
#: reaches a mean cross-entropy of 0.001 on the 16 digits; a network with weight decay 1.0
#: or 30 steps of training stays above 0.01. Trained on shuffled labels, the reference
#: scores 0.10 on held-out digits in the median, with a long upper tail (a permutation
#: may by luck give many of one class's training images that class's own label): over
#: 230 permutations the accuracy reached at most 0.24 (99 % quantile 0.195). Training on
#: pairs shuffled together (or not shuffling) scores above 0.93. The mark 0.5 is twice the
#: largest value seen and 0.44 below the mutant's smallest.
OVERFIT_LOSS = 0.005
SHUFFLED_MAX = 0.5
_OVERFIT_HINT = (
    "build the 64-32-10 ReLU network, switch regularisation off (no dropout, no weight "
    "decay), train on the 16 examples with Adam (lr about 1e-2) for a few hundred full-batch "
    "steps (dk.train.overfit_batch does this), then return its weights as numpy arrays in "
    "the x @ W + b convention (W1 = model.net[0].weight.detach().T.numpy(), ...)"
)
_SHUFFLE_HINT = (
    "shuffle the labels alone, y_shuffled = rng.permutation(y), keeping X in its order, then "
    "train the same network on (X, y_shuffled) with dk.train.fit"
)


@cache
def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X / 16.0, y.astype(np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _digit_split(seed, n_train):
    X, y = _digits()
    order = np.random.default_rng(seed).permutation(len(y))
    return X[order[:n_train]], y[order[:n_train]], X[order[n_train:]], y[order[n_train:]]


def _weights(result, text, hint):
    expect(
        isinstance(result, dict) and set(_SHAPES) <= set(result),
        f"{text} returned {show(result)}, expected a dict with the keys W1, b1, W2, b2; "
        f"hint: {hint}",
    )
    weights = {}
    for key, shape in _SHAPES.items():
        array = as_float_array(result[key], f"{text}[{key!r}]")
        if array.shape != shape and array.shape == shape[::-1]:
            raise CheckFailed(
                f"{text}[{key!r}] has shape {array.shape}, expected {shape}; hint: torch's "
                "nn.Linear stores its weight as (out, in): return layer.weight.T for x @ W + b"
            )
        expect(
            array.shape == shape,
            f"{text}[{key!r}] has shape {array.shape}, expected {shape}; hint: {hint}",
        )
        weights[key] = array
    return weights


def _forward(w, X):
    return np.maximum(X @ w["W1"] + w["b1"], 0.0) @ w["W2"] + w["b2"]


def _mean_cross_entropy(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(y)), y]))


def _check_overfit(fn, seed):
    X, y, _, _ = _digit_split(seed, 16)
    result, text = call(fn, "overfit_tiny", X, y, seed, hint=_OVERFIT_HINT)
    w = _weights(result, text, _OVERFIT_HINT)
    logits = _forward(w, X)
    accuracy = float(np.mean(logits.argmax(axis=1) == y))
    loss = _mean_cross_entropy(logits, y)
    expect(
        accuracy == 1.0 and loss <= OVERFIT_LOSS,
        f"{text}: the returned network classifies {accuracy:.0%} of the 16 training digits "
        f"right with a mean cross-entropy of {loss:.4g}, expected 100 % and at most "
        f"{OVERFIT_LOSS}; hint: it has not memorised 16 examples, which a correct set-up "
        "always can: regularisation (weight decay or dropout) left on, too few steps or a "
        f"learning rate too small; {_OVERFIT_HINT}",
    )
    return w, text


def _check_shuffled(fn, seed):
    X, y, X_test, y_test = _digit_split(seed, 1000)
    result, text = call(fn, "train_on_shuffled_labels", X, y, seed, hint=_SHUFFLE_HINT)
    w = _weights(result, text, _SHUFFLE_HINT)
    accuracy = float(np.mean(_forward(w, X_test).argmax(axis=1) == y_test))
    expect(
        accuracy <= SHUFFLED_MAX,
        f"{text}: the network scores {accuracy:.1%} on {len(y_test)} held-out digits, "
        f"expected about chance (10 %; at most {SHUFFLED_MAX:.0%}, far below the 95 % that "
        "true labels give); hint: you shuffled the "
        "pairs, not the labels (or did not shuffle): a network trained on labels that no "
        f"longer belong to their images cannot generalise; {_SHUFFLE_HINT}",
    )


def sanity_checks_basic(overfit_tiny, train_on_shuffled_labels):
    """Memorise 16 digits (100 %, loss <= 0.005); shuffled labels give chance on test."""
    _check_overfit(overfit_tiny, seed=0)
    _check_shuffled(train_on_shuffled_labels, seed=0)


def sanity_checks_hidden(overfit_tiny, train_on_shuffled_labels):
    """Other digits and seeds; the same seed gives the same weights."""
    w, text = _check_overfit(overfit_tiny, seed=3)
    again, _ = _check_overfit(overfit_tiny, seed=3)
    expect(
        all(np.array_equal(w[k], again[k]) for k in _SHAPES),
        f"two calls {text} returned different weights; hint: call torch.manual_seed(seed) "
        "before building the network",
    )
    _check_shuffled(train_on_shuffled_labels, seed=5)


# ---------------------------------------------------------------------------
# Exercise 12 · pm-search · reference: dk.metrics.random_search, dk.metrics.grid_search
# ---------------------------------------------------------------------------

_BOUNDS = [(1e-5, 1.0), (0.0, 1.0)]
_LOG = [True, False]
#: The KS tests of random search's samples reject at p < 1e-6: a correct sampler fails
#: one run in a million per test.
KS_P = 1e-6
_SEARCH_HINT = (
    "for each trial draw u uniformly between the axis's bounds on its scale (log10 lo .. "
    "log10 hi where log_scale is True, then x = 10 ** u), evaluate objective(x), and return "
    "(best_x, best_value, X, values) with best = the smallest value"
)
_GRID_HINT = (
    "m = floor(budget ** (1 / d)) values per axis, np.linspace on the axis's scale "
    "(log10 on a log axis, then 10 ** ...), every combination (m ** d <= budget points)"
)


def _unpack_search(result, text, budget, d):
    best_x, best_value, X, values = unpack(result, text, ("best_x", "best_value", "X", "values"))
    X, values = as_float_array(X, f"{text}[2] (X)"), as_float_array(values, f"{text}[3] (values)")
    expect(
        X.ndim == 2 and X.shape[1] == d and values.shape == (len(X),),
        f"{text} returned X of shape {X.shape} and values of shape {values.shape}, expected "
        f"(trials, {d}) and (trials,); hint: {_SEARCH_HINT}",
    )
    expect(
        len(X) <= budget,
        f"{text} evaluated {len(X)} points, more than the budget of {budget}; hint: the "
        f"budget is respected: a grid with budget ** d points is too many: {_GRID_HINT}",
    )
    expected_values = np.array([validation_loss(x) for x in X])
    expect_close(values, expected_values, f"{text}[3] (values)", "values[i] = objective(X[i])")
    best = int(np.argmin(expected_values))
    expect_close(
        best_x,
        X[best],
        f"{text}[0] (best_x)",
        "best_x is the trial with the smallest value",
        mistakes=[(X[-1], "you returned the last trial instead of the best one")],
    )
    expect_number(
        best_value, expected_values[best], f"{text}[1] (best_value)", "the smallest value"
    )
    return X


def _check_random(fn, budget, seed):
    args = (validation_loss, _BOUNDS, _LOG, budget, seed)
    result, text = call(fn, "random_search", *args, hint=_SEARCH_HINT)
    X = _unpack_search(result, text, budget, 2)
    expect(
        len(X) == budget,
        f"{text} evaluated {len(X)} points, expected all {budget}; hint: {_SEARCH_HINT}",
    )
    inside = (X >= np.array(_BOUNDS)[:, 0]) & (X <= np.array(_BOUNDS)[:, 1])
    expect(
        inside.all(), f"{text}: some trials lie outside the bounds {_BOUNDS}; hint: {_SEARCH_HINT}"
    )
    with np.errstate(all="ignore"):
        log_lr = np.log10(X[:, 0])
    p_log = scipy.stats.kstest((log_lr + 5) / 5, "uniform").pvalue
    if p_log < KS_P:
        linear = scipy.stats.kstest(X[:, 0], "uniform").pvalue >= KS_P
        share = float(np.mean(X[:, 0] < 1e-2))
        hint = (
            "you sampled the learning rate on a linear scale: almost every trial lands "
            "between 0.1 and 1; draw its log10 uniformly instead"
            if linear
            else _SEARCH_HINT
        )
        raise CheckFailed(
            f"{text}: log10 of the sampled learning rates is not uniform on [-5, 0] "
            f"(KS p = {p_log:.2g}; {share:.0%} of the trials lie below 1e-2, expected 60 %); "
            f"hint: {hint}"
        )
    p_lin = scipy.stats.kstest(X[:, 1], "uniform").pvalue
    expect(
        p_lin >= KS_P,
        f"{text}: the weight decays are not uniform on [0, 1] (KS p = {p_lin:.2g}); hint: "
        "this axis has log_scale False: draw it uniformly between its bounds",
    )
    return text


def _grid(budget, linear_lr=False):
    m = int(np.floor(budget**0.5 + 1e-9))
    lr = np.linspace(1e-5, 1.0, m) if linear_lr else 10.0 ** np.linspace(-5, 0, m)
    return np.array(list(itertools.product(lr, np.linspace(0, 1, m))))


def _check_grid(fn, budget):
    result, text = call(fn, "grid_search", validation_loss, _BOUNDS, _LOG, budget, hint=_GRID_HINT)
    X = _unpack_search(result, text, budget, 2)
    expected = _grid(budget)

    def rows(A):
        return A[np.lexsort(A.T[::-1])]

    got = rows(X)
    expect_close(
        got,
        rows(expected),
        f"the points of {text}, sorted",
        _GRID_HINT,
        rtol=1e-9,
        mistakes=[
            (
                rows(_grid(budget, linear_lr=True)),
                "your grid spaces the learning rate "
                "linearly; on a log axis the values are evenly spaced in log10",
            )
        ],
    )


def search_basic(random_search, grid_search):
    """500 random trials (log-uniform learning rates); a 16-point grid (4 x 4)."""
    _check_random(random_search, 500, seed=0)
    _check_grid(grid_search, 16)


def search_hidden(random_search, grid_search):
    """2000 trials (KS tests at p = 1e-6), another grid budget, reproducibility."""
    _check_random(random_search, 2000, seed=1)
    _check_grid(grid_search, 30)
    expect_reproducible(random_search, "random_search", (validation_loss, _BOUNDS, _LOG, 20), 2)


# ---------------------------------------------------------------------------
# Exercise 13 · pm-domain-shift · reference: dk.metrics.domain_classifier_auc
# ---------------------------------------------------------------------------

_SHIFT_HINT = (
    "stack X = [X_source; X_target] with domain labels 0 and 1, then cross_val_predict("
    "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), X, d, cv="
    "StratifiedKFold(5, shuffle=True, random_state=seed), method='predict_proba')[:, 1] and "
    "one roc_auc_score(d, scores) on the pooled out-of-fold scores"
)
#: How far an answer may be from the check's run of the recipe the prompt pins (which it
#: reproduces exactly): room for another solver's rounding, not for another recipe.
SHIFT_TOL = 0.02


@cache
def _cancer():
    from sklearn.datasets import load_breast_cancer

    X, _ = load_breast_cancer(return_X_y=True)
    X.flags.writeable = False
    return X


def _domains(seed, shift_sd, n=120, features=(1, 9, 19)):
    X = _cancer()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    source, target = X[order[:n]].copy(), X[order[n : 2 * n]].copy()
    sd = X[:, list(features)].std(axis=0)
    target[:, list(features)] += shift_sd * sd
    return source, target


def _domain_auc(X_source, X_target, seed, in_sample=False):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.vstack([X_source, X_target])
    d = np.r_[np.zeros(len(X_source), int), np.ones(len(X_target), int)]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    if in_sample:
        return roc_auc_score(d, model.fit(X, d).predict_proba(X)[:, 1])
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    return roc_auc_score(d, cross_val_predict(model, X, d, cv=folds, method="predict_proba")[:, 1])


def _check_domain(fn, seed, shift_sd):
    source, target = _domains(seed, shift_sd)
    result, text = call(fn, "domain_classifier_auc", source, target, seed, hint=_SHIFT_HINT)
    expected = _domain_auc(source, target, seed)
    in_sample = _domain_auc(source, target, seed, in_sample=True)
    expect_number(
        result,
        expected,
        text,
        _SHIFT_HINT,
        atol=SHIFT_TOL,
        rtol=0,
        mistakes=[
            (
                in_sample,
                "the AUC was computed on the training predictions: a classifier "
                "scored on the rows it was fitted on finds a 'shift' even between two halves of "
                "one sample; score each fold with a model that did not see it",
            ),
            (1 - expected, "your AUC is 1 - AUC: the target rows are the positive class (1)"),
        ],
    )


def domain_shift_basic(fn):
    """Two random halves of the breast-cancer tumours (no shift: AUC near 0.5)."""
    _check_domain(fn, seed=0, shift_sd=0.0)


def domain_shift_hidden(fn):
    """Another split without a shift; a shift of half a standard deviation in 3 features."""
    _check_domain(fn, seed=4, shift_sd=0.0)
    _check_domain(fn, seed=2, shift_sd=0.5)
