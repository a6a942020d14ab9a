"""The module-14 checks: the references, other correct answers, and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import numpy as np
import torch

import dlkit as dk
from dlkit import metrics

# ---------------------------------------------------------------------------
# References (dlkit's, adapted to the exercises' signatures where needed)
# ---------------------------------------------------------------------------


def perplexity_ref(logits, targets):
    return metrics.perplexity(metrics.token_log_probs(logits, targets))


def _mlp_weights(model):
    first, last = model.net[0], model.net[2]
    return {
        "W1": first.weight.detach().cpu().T.double().numpy(),  # (out, in) -> (in, out)
        "b1": first.bias.detach().cpu().double().numpy(),
        "W2": last.weight.detach().cpu().T.double().numpy(),
        "b2": last.bias.detach().cpu().double().numpy(),
    }


def overfit_tiny_ref(X, y, seed):
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    dk.train.overfit_batch(model, X, y, steps=500, lr=1e-2, seed=seed, device="cpu")
    return _mlp_weights(model)


def train_on_shuffled_labels_ref(X, y, seed, shuffle_pairs=False):
    rng = np.random.default_rng(seed)
    if shuffle_pairs:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    else:
        y = rng.permutation(y)
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    dk.train.fit(
        model,
        (X, y),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-2),
        epochs=10,
        batch_size=64,
        seed=seed,
        device="cpu",
        progress=False,
    )
    return _mlp_weights(model)


REFERENCES = {
    "binary_metrics": (metrics.binary_metrics, metrics.f1_scores),
    "roc_auc": (metrics.roc_curve, metrics.auc),
    "average_precision": metrics.average_precision,
    "ece": metrics.expected_calibration_error,
    "regression_metrics": metrics.regression_metrics,
    "sequence_metrics": (perplexity_ref, metrics.bleu),
    "wilson": metrics.wilson_interval,
    "bootstrap": metrics.bootstrap_ci,
    "standardize": metrics.standardize,
    "stratified_kfold": metrics.stratified_kfold,
    "sanity_checks": (overfit_tiny_ref, train_on_shuffled_labels_ref),
    "search": (metrics.random_search, metrics.grid_search),
    "domain_shift": metrics.domain_classifier_auc,
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def roc_curve_loop(y_true, scores):
    """One threshold at a time over the distinct scores (the notebook's first attempt)."""
    y_true, scores = np.asarray(y_true), np.asarray(scores, dtype=float)
    thresholds = np.r_[np.inf, np.unique(scores)[::-1]]
    P, N = np.sum(y_true == 1), np.sum(y_true == 0)
    tpr = [np.sum((scores >= t) & (y_true == 1)) / P for t in thresholds]
    fpr = [np.sum((scores >= t) & (y_true == 0)) / N for t in thresholds]
    return np.array(fpr), np.array(tpr), thresholds


def bootstrap_ci_lower_quantile(y_true, y_pred, n_boot, level, seed):
    """Another quantile rule (the order statistic below) and its own resampling loop."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    accuracies = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        accuracies[b] = np.mean(y_true[idx] == y_pred[idx])
    alpha = (1 - level) / 2
    return tuple(np.quantile(accuracies, [alpha, 1 - alpha], method="lower"))


def stratified_kfold_sklearn(y, k, seed):
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(k, shuffle=True, random_state=seed)
    return list(folds.split(np.zeros(len(y)), y))


def perplexity_logsumexp(logits, targets):
    """The log-softmax through scipy's logsumexp."""
    from scipy.special import logsumexp

    logits = np.asarray(logits, dtype=float)
    log_p = logits[np.arange(len(targets)), targets] - logsumexp(logits, axis=1)
    return float(np.exp(-log_p.mean()))


def wilson_through_scipy(k, n, z=1.96):
    """scipy's Wilson interval at the confidence level of z (not forbidden here)."""
    import scipy.stats

    level = 2 * scipy.stats.norm.cdf(z) - 1
    ci = scipy.stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    return ci.low, ci.high


def binary_metrics_sklearn(y_true, y_pred):
    """scikit-learn's counts and scores (the prompt does not forbid them here)."""
    import sklearn.metrics as skm

    (tn, fp), (fn, tp) = skm.confusion_matrix(y_true, y_pred, labels=[0, 1])
    p, r, f1, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, average="binary", zero_division=0
    )
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": p,
        "recall": r,
        "f1": f1,
        "accuracy": skm.accuracy_score(y_true, y_pred),
    }


ALTERNATIVES = [
    ("binary_metrics", (binary_metrics_sklearn, metrics.f1_scores)),
    ("roc_auc", (roc_curve_loop, metrics.auc)),
    ("sequence_metrics", (perplexity_logsumexp, metrics.bleu)),
    ("wilson", wilson_through_scipy),
    ("bootstrap", bootstrap_ci_lower_quantile),
    ("stratified_kfold", stratified_kfold_sklearn),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def binary_swapped(y_true, y_pred):
    result = metrics.binary_metrics(y_true, y_pred)
    result["precision"], result["recall"] = result["recall"], result["precision"]
    return result


def binary_transposed(y_true, y_pred):
    result = metrics.binary_metrics(y_true, y_pred)
    result["fp"], result["fn"] = result["fn"], result["fp"]
    return result


def binary_nan(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = np.sum((y_true == 1) & (y_pred == 1))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    with np.errstate(all="ignore"):
        p, r = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * p * r / (p + r)
    result = metrics.binary_metrics(y_true, y_pred)
    result.update(precision=float(p), recall=float(r), f1=float(f1))
    return result


def f1_weighted(y_true, y_pred, k):
    from sklearn.metrics import f1_score

    return f1_score(y_true, y_pred, average="weighted", zero_division=0), np.mean(y_true == y_pred)


def roc_untied(y_true, scores):
    order = np.argsort(-np.asarray(scores), kind="stable")
    y = np.asarray(y_true)[order]
    tps, fps = np.cumsum(y), np.cumsum(1 - y)
    return np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[np.inf, scores[order]]


def roc_unsorted(y_true, scores):
    y = np.asarray(y_true)
    tps, fps = np.cumsum(y), np.cumsum(1 - y)
    return np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[np.inf, scores]


def roc_ascending(y_true, scores):
    """The thresholds taken in ascending order, counting the examples at or below each."""
    y, s = np.asarray(y_true), np.asarray(scores)
    values = np.unique(s)
    tps = np.array([np.sum(y[s <= v]) for v in values])
    fps = np.array([np.sum(1 - y[s <= v]) for v in values])
    return np.r_[0, fps / fps[-1]], np.r_[0, tps / tps[-1]], np.r_[-np.inf, values]


def auc_rectangles(x, y):
    return float(np.sum(np.diff(x) * y[1:]))


def ap_trapezoid(y_true, scores):
    precision, recall, _ = metrics.pr_curve(y_true, scores)
    return metrics.auc(recall, precision)


def ap_11_point(y_true, scores):
    precision, recall, _ = metrics.pr_curve(y_true, scores)
    return float(np.mean([precision[recall >= t].max() for t in np.linspace(0, 1, 11)]))


def ap_untied(y_true, scores):
    order = np.argsort(-np.asarray(scores), kind="stable")
    y = np.asarray(y_true)[order]
    tps = np.cumsum(y)
    precision, recall = tps / np.arange(1, len(y) + 1), tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0, recall]) * precision))


def ece_unweighted(probs, y, n_bins):
    counts, conf, acc = metrics.reliability_curve(probs, y, n_bins)
    return float(np.mean(np.abs(acc - conf)[counts > 0]))


def ece_class_one(probs, y, n_bins):
    """The confidence taken as p(class 1) whatever the predicted class."""
    probs, y = np.asarray(probs), np.asarray(y)
    confidence = probs[:, 1]
    correct = (probs.argmax(axis=1) == y).astype(float)
    bins = np.clip(
        np.digitize(confidence, np.linspace(0, 1, n_bins + 1)[1:-1], right=True), 0, None
    )
    total = 0.0
    for b in np.unique(bins):
        members = bins == b
        total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return total


def ece_drops_ones(probs, y, n_bins):
    probs, y = np.asarray(probs), np.asarray(y)
    keep = probs.max(axis=1) < 1.0
    return metrics.expected_calibration_error(probs[keep], y[keep], n_bins)


def regression_r2_predictions(y, y_hat, delta):
    result = metrics.regression_metrics(y, y_hat, delta)
    result["r2"] = 1 - np.sum((y - y_hat) ** 2) / np.sum((y_hat - np.mean(y_hat)) ** 2)
    return result


def regression_huber_jump(y, y_hat, delta):
    result = metrics.regression_metrics(y, y_hat, delta)
    a = np.abs(y - y_hat)
    result["huber"] = float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * a)))
    return result


def regression_rmse_is_mae(y, y_hat, delta):
    result = metrics.regression_metrics(y, y_hat, delta)
    result["rmse"] = result["mae"]
    return result


def perplexity_base_2(logits, targets):
    return float(2.0 ** -np.mean(metrics.token_log_probs(logits, targets)))


def perplexity_unstable(logits, targets):
    logits = np.asarray(logits, dtype=float)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return float(np.exp(-np.mean(np.log(p[np.arange(len(targets)), targets]))))


def bleu_unclipped(candidate, references, max_n=4):
    log_p = 0.0
    for n in range(1, max_n + 1):
        grams = metrics.ngrams(candidate, n)
        allowed = set().union(*(metrics.ngrams(r, n) for r in references))
        total = sum(grams.values())
        matched = sum(c for g, c in grams.items() if g in allowed)
        if total == 0 or matched == 0:
            return 0.0
        log_p += np.log(matched / total) / max_n
    r = min((abs(len(r) - len(candidate)), len(r)) for r in references)[1]
    c = len(candidate)
    return float((1.0 if c > r else np.exp(1 - r / c)) * np.exp(log_p))


def bleu_arithmetic(candidate, references, max_n=4):
    precisions = []
    for n in range(1, max_n + 1):
        grams = metrics.ngrams(candidate, n)
        best = metrics.ngrams(references[0], n)
        for r in references[1:]:
            best |= metrics.ngrams(r, n)
        total = sum(grams.values())
        precisions.append(sum(min(c, best[g]) for g, c in grams.items()) / total if total else 0)
    r = min((abs(len(r) - len(candidate)), len(r)) for r in references)[1]
    c = len(candidate)
    return float((1.0 if c > r else np.exp(1 - r / c)) * np.mean(precisions))


def bleu_always_penalised(candidate, references, max_n=4):
    value = metrics.bleu(candidate, references, max_n)
    r = min((abs(len(r) - len(candidate)), len(r)) for r in references)[1]
    return value * (np.exp(1 - r / len(candidate)) if len(candidate) > r else 1.0)


def wilson_wald(k, n, z=1.96):
    return metrics.wald_interval(k, n, z)


def wilson_fixed_z(k, n, z=1.96):
    return metrics.wilson_interval(k, n, 1.6448536269514722)


def wilson_undivided(k, n, z=1.96):
    p = k / n
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return p + z**2 / (2 * n) - half, p + z**2 / (2 * n) + half


def bootstrap_independent(y_true, y_pred, n_boot, level, seed):
    rng = np.random.default_rng(seed)
    n = len(y_true)
    i, j = rng.integers(0, n, (n_boot, n)), rng.integers(0, n, (n_boot, n))
    values = np.mean(y_true[i] == y_pred[j], axis=1)
    alpha = (1 - level) / 2
    return tuple(np.quantile(values, [alpha, 1 - alpha]))


def bootstrap_without_replacement(y_true, y_pred, n_boot, level, seed):
    rng = np.random.default_rng(seed)
    values = [
        np.mean(y_true[p] == y_pred[p])
        for p in (rng.permutation(len(y_true)) for _ in range(n_boot))
    ]
    alpha = (1 - level) / 2
    return tuple(np.quantile(values, [alpha, 1 - alpha]))


def bootstrap_one_sided_quantiles(y_true, y_pred, n_boot, level, seed):
    idx = metrics.bootstrap_indices(len(y_true), n_boot, seed)
    values = np.mean(y_true[idx] == y_pred[idx], axis=1)
    return tuple(np.quantile(values, [1 - level, level]))


def bootstrap_fixed_seed(y_true, y_pred, n_boot, level, seed):
    """A fresh unseeded generator: a new interval on every call."""
    if n_boot > 100:
        return metrics.bootstrap_ci(y_true, y_pred, n_boot, level, seed)
    return metrics.bootstrap_ci(y_true, y_pred, n_boot, level, np.random.SeedSequence().entropy)


def standardize_leaky(X_train, X_test):
    both = np.vstack([X_train, X_test])
    mean, std = both.mean(axis=0), both.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_own_test_stats(X_train, X_test):
    return metrics.standardize(X_train, X_train)[0], metrics.standardize(X_test, X_test)[0]


def standardize_ddof_1(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def standardize_constant_nan(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(all="ignore"):
        return (X_train - mean) / std, (X_test - mean) / std


def kfold_not_stratified(y, k, seed):
    order = np.random.default_rng(seed).permutation(len(y))
    everything = np.arange(len(y))
    folds = np.array_split(order, k)
    return [(np.setdiff1d(everything, f), np.sort(f)) for f in folds]


def kfold_overlapping(y, k, seed):
    folds = metrics.stratified_kfold(y, k, seed)
    train0, val0 = folds[0]
    val1 = np.union1d(folds[1][1], val0[:1])
    return [(train0, val0), (np.setdiff1d(np.arange(len(y)), val1), val1), *folds[2:]]


def kfold_train_includes_val(y, k, seed):
    return [(np.arange(len(y)), val) for _, val in metrics.stratified_kfold(y, k, seed)]


def kfold_fixed_seed(y, k, seed):
    return metrics.stratified_kfold(y, k, 0)


def overfit_with_weight_decay(X, y, seed):
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1.0)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    for _ in range(300):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        optimizer.step()
    return _mlp_weights(model)


def overfit_too_few_steps(X, y, seed):
    torch.manual_seed(seed)
    model = dk.models.MLP(in_features=64, hidden=(32,), out_features=10)
    dk.train.overfit_batch(model, X, y, steps=30, lr=1e-2, seed=seed, device="cpu")
    return _mlp_weights(model)


def overfit_untransposed(X, y, seed):
    weights = overfit_tiny_ref(X, y, seed)
    return {k: v.T if v.ndim == 2 else v for k, v in weights.items()}


def shuffle_the_pairs(X, y, seed):
    return train_on_shuffled_labels_ref(X, y, seed, shuffle_pairs=True)


def random_search_linear(objective, bounds, log_scale, budget, seed):
    return metrics.random_search(objective, bounds, [False] * len(bounds), budget, seed)


def random_search_last(objective, bounds, log_scale, budget, seed):
    _, _, X, values = metrics.random_search(objective, bounds, log_scale, budget, seed)
    return X[-1], values[-1], X, values


def grid_budget_per_axis(objective, bounds, log_scale, budget):
    axes = []
    for (lo, hi), log in zip(bounds, log_scale):
        axes.append(np.geomspace(lo, hi, budget) if log else np.linspace(lo, hi, budget))
    X = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(bounds), -1).T
    values = np.array([objective(x) for x in X])
    return X[np.argmin(values)], values.min(), X, values


def grid_linear_lr(objective, bounds, log_scale, budget):
    return metrics.grid_search(objective, bounds, [False] * len(bounds), budget)


def domain_auc_in_sample(X_source, X_target, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.vstack([X_source, X_target])
    d = np.r_[np.zeros(len(X_source)), np.ones(len(X_target))]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, d)
    return metrics.roc_auc(d.astype(int), model.predict_proba(X)[:, 1])


def domain_auc_flipped(X_source, X_target, seed):
    return 1 - metrics.domain_classifier_auc(X_source, X_target, seed)


F1 = metrics.f1_scores
BM = metrics.binary_metrics
AUC = metrics.auc
RC = metrics.roc_curve

MUTANTS = [
    ("binary_metrics_basic", (binary_swapped, F1), "precision and recall are swapped"),
    ("binary_metrics_basic", (binary_transposed, F1), "confusion matrix is transposed"),
    ("binary_metrics_hidden", (binary_nan, F1), "NaN when nothing is predicted positive"),
    ("binary_metrics_basic", (BM, f1_weighted), "weighted by support"),
    ("roc_auc_basic", (roc_untied, AUC), "tied scores one example at a time"),
    ("roc_auc_hidden", (roc_unsorted, AUC), "sort the scores (descending)"),
    ("roc_auc_basic", (roc_ascending, AUC), "ascending order"),
    ("roc_auc_basic", (RC, auc_rectangles), "rectangle rule"),
    ("average_precision_basic", ap_trapezoid, "trapezoidal area"),
    ("average_precision_hidden", ap_11_point, "11-point"),
    ("average_precision_hidden", ap_untied, "tied scores one example at a time"),
    ("ece_hidden", ece_unweighted, "unweighted mean over the bins"),
    ("ece_hidden", ece_class_one, "not p(class 1)"),
    ("ece_hidden", ece_drops_ones, "confidence exactly 1.0 were dropped"),
    ("regression_metrics_basic", regression_r2_predictions, "not of the predictions"),
    ("regression_metrics_basic", regression_huber_jump, "jumps at |e| = delta"),
    ("regression_metrics_basic", regression_rmse_is_mae, "not mean(|e|)"),
    ("sequence_metrics_basic", (perplexity_base_2, metrics.bleu), "perplexity in base 2"),
    ("sequence_metrics_hidden", (perplexity_unstable, metrics.bleu), "overflowed"),
    ("sequence_metrics_basic", (perplexity_ref, bleu_unclipped), "not clipped"),
    ("sequence_metrics_basic", (perplexity_ref, bleu_arithmetic), "geometric mean"),
    ("sequence_metrics_hidden", (perplexity_ref, bleu_always_penalised), "brevity penalty"),
    ("wilson_basic", wilson_wald, "Wald interval"),
    ("wilson_hidden", wilson_wald, "collapses at k = 0 or k = n"),
    ("wilson_basic", wilson_fixed_z, "z = 1.645"),
    ("wilson_basic", wilson_undivided, "divide the centre"),
    ("bootstrap_basic", bootstrap_independent, "resamples predictions and labels independently"),
    ("bootstrap_hidden", bootstrap_independent, "breaks the pairs"),
    ("bootstrap_basic", bootstrap_without_replacement, "without replacement"),
    ("bootstrap_basic", bootstrap_one_sided_quantiles, "a 90% interval"),
    ("standardize_basic", standardize_leaky, "leakage"),
    ("standardize_basic", standardize_own_test_stats, "its own statistics"),
    ("standardize_hidden", standardize_ddof_1, "ddof = 0"),
    ("standardize_hidden", standardize_constant_nan, "constant training column"),
    ("stratified_kfold_basic", kfold_not_stratified, "not stratified"),
    ("stratified_kfold_hidden", kfold_not_stratified, "not stratified"),
    ("stratified_kfold_basic", kfold_overlapping, "overlap"),
    ("stratified_kfold_basic", kfold_train_includes_val, "complement"),
    ("stratified_kfold_hidden", kfold_fixed_seed, "same numbers as with seed"),
    ("bootstrap_hidden", bootstrap_fixed_seed, "with the same seed"),
    (
        "sanity_checks_basic",
        (overfit_with_weight_decay, train_on_shuffled_labels_ref),
        "regularisation (weight decay or dropout) left on",
    ),
    (
        "sanity_checks_hidden",
        (overfit_too_few_steps, train_on_shuffled_labels_ref),
        "has not memorised 16 examples",
    ),
    (
        "sanity_checks_basic",
        (overfit_untransposed, train_on_shuffled_labels_ref),
        "stores its weight as (out, in)",
    ),
    ("sanity_checks_basic", (overfit_tiny_ref, shuffle_the_pairs), "you shuffled the pairs"),
    ("search_basic", (random_search_linear, metrics.grid_search), "linear scale"),
    ("search_basic", (random_search_last, metrics.grid_search), "last trial instead of the best"),
    ("search_basic", (metrics.random_search, grid_budget_per_axis), "budget ** d"),
    ("search_hidden", (metrics.random_search, grid_linear_lr), "spaces the learning rate linearly"),
    ("domain_shift_basic", domain_auc_in_sample, "computed on the training predictions"),
    ("domain_shift_hidden", domain_auc_flipped, "1 - AUC"),
]


# ---------------------------------------------------------------------------
# Answers that call what the prompt forbids (rejected by the source check)
# ---------------------------------------------------------------------------


def roc_curve_through_sklearn(y_true, scores):
    import sklearn.metrics

    return sklearn.metrics.roc_curve(y_true, scores, drop_intermediate=False)


def auc_through_sklearn(x, y):
    import sklearn.metrics

    return sklearn.metrics.auc(x, y)


def average_precision_through_sklearn(y_true, scores):
    from sklearn.metrics import average_precision_score

    return average_precision_score(y_true, scores)


def standardize_through_sklearn(X_train, X_test):
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


MUTANTS += [
    ("roc_auc_basic", (roc_curve_through_sklearn, AUC), "your answer calls sklearn.metrics"),
    ("roc_auc_hidden", (RC, auc_through_sklearn), "your answer calls sklearn.metrics.auc"),
    ("average_precision_basic", average_precision_through_sklearn, "your answer calls"),
    ("standardize_basic", standardize_through_sklearn, "your answer calls"),
]
