"""Calibrate the pass marks and tolerances of module 14's statistical and training checks.

    python -m benchmarks.practical_methodology_calibration [n_seeds [n_permutations]]
    # defaults 30 and 200

One torch thread, as in grading. For each check it prints the per-seed figures of the
reference and of the named mutants, their minimum, median and maximum, and the margins
around the pass mark: the reference must pass on every seed and each mutant fail on
every seed.

- pm-sanity-checks (``OVERFIT_LOSS``, ``SHUFFLED_MAX``): the mean cross-entropy on the 16
  digits of the check's split ``seed`` after the reference's ``dk.train.overfit_batch``
  and after the mutants (AdamW with weight decay 1.0; 30 steps only); the held-out
  accuracy of the reference trained on shuffled labels and of the mutant that shuffles
  the (image, label) pairs together; then the upper tail of that held-out accuracy over
  many more label permutations (``n_permutations``, default 200), since an answer that
  shuffles in another order draws a fresh permutation.
- pm-domain-shift (``SHIFT_TOL``): the check's own AUC with no shift, the in-sample AUC
  (the named mistake) and its distance from the check's value, and the mean of per-fold
  AUCs (another recipe, for information).
- pm-bootstrap (``_QUANTILE_Z``): over many seeds, the largest distance of the
  reference's end points from the binomial quantile they estimate, in units of the
  quantile's standard error sqrt(q (1 - q) / B) (a correct answer fails when it exceeds
  6 at the bracket's edges), and the bootstrap's coverage of the true accuracy.
- pm-search (``KS_P``): the KS p-values of the reference's log learning rates (smallest
  over the seeds) and of the linear-scale mutant (largest).
"""

import statistics
import sys
import time

import numpy as np
import scipy.stats
import torch

from autograder.checks import practical_methodology as chk
from dlkit import metrics
from tests.autograder.checks import test_practical_methodology as table


def summary(name, values, mark, passes_below):
    values = np.asarray(values, dtype=float)
    side = "<=" if passes_below else ">="
    margin = (mark - values.max()) if passes_below else (values.min() - mark)
    print(
        f"  {name:42s} min {values.min():.4f}  median {statistics.median(values):.4f}  "
        f"max {values.max():.4f}   pass mark {side} {mark}  margin {margin:+.4f}"
    )


def sanity(seeds):
    print(
        "pm-sanity-checks: mean cross-entropy on the 16 digits (pass: 100 % and <= "
        f"{chk.OVERFIT_LOSS})"
    )
    rows = {"reference": [], "weight decay 1.0 (mutant)": [], "30 steps (mutant)": []}
    recipes = {
        "reference": table.overfit_tiny_ref,
        "weight decay 1.0 (mutant)": table.overfit_with_weight_decay,
        "30 steps (mutant)": table.overfit_too_few_steps,
    }
    shuffled = {"reference": [], "pairs shuffled (mutant)": []}
    for seed in seeds:
        X, y, _, _ = chk._digit_split(seed, 16)
        line = []
        for name, recipe in recipes.items():
            w = recipe(X, y, seed)
            logits = chk._forward(w, X)
            loss = chk._mean_cross_entropy(logits, y)
            if np.mean(logits.argmax(1) == y) < 1.0:
                loss = max(loss, 1.0)  # not memorised at all: fails either way
            rows[name].append(loss)
            line.append(f"{loss:.4f}")
        X, y, X_test, y_test = chk._digit_split(seed, 1000)
        for name, recipe in (
            ("reference", table.train_on_shuffled_labels_ref),
            ("pairs shuffled (mutant)", table.shuffle_the_pairs),
        ):
            accuracy = np.mean(chk._forward(recipe(X, y, seed), X_test).argmax(1) == y_test)
            shuffled[name].append(accuracy)
            line.append(f"{accuracy:.3f}")
        print(
            f"  seed {seed:2d}: losses {' '.join(line[:3])}  shuffled-label test acc "
            f"{' '.join(line[3:])}"
        )
    summary("overfit, reference", rows["reference"], chk.OVERFIT_LOSS, True)
    for name in list(rows)[1:]:
        summary(f"overfit, {name}", rows[name], chk.OVERFIT_LOSS, False)
    print(f"  held-out accuracy after shuffled labels (pass: <= {chk.SHUFFLED_MAX})")
    summary("shuffled labels, reference", shuffled["reference"], chk.SHUFFLED_MAX, True)
    summary("shuffled pairs (mutant)", shuffled["pairs shuffled (mutant)"], chk.SHUFFLED_MAX, False)


def shuffled_tail(n_permutations, split_seeds=7):
    """The reference's held-out accuracy after shuffled labels over many permutations
    (the check's digit splits seed % split_seeds, the permutation and torch seed seed)."""
    accuracies = []
    for seed in range(100, 100 + n_permutations):
        X, y, X_test, y_test = chk._digit_split(seed % split_seeds, 1000)
        w = table.train_on_shuffled_labels_ref(X, y, seed)
        accuracies.append(np.mean(chk._forward(w, X_test).argmax(1) == y_test))
    q50, q90, q99 = np.quantile(accuracies, [0.5, 0.9, 0.99])
    print(
        f"  shuffled labels over {n_permutations} permutations: median {q50:.3f}, 90 % "
        f"{q90:.3f}, 99 % {q99:.3f}, max {max(accuracies):.3f} (pass: <= {chk.SHUFFLED_MAX})"
    )


def domain(seeds):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    print(f"pm-domain-shift: AUC with no shift (pass: within {chk.SHIFT_TOL} of the check's)")
    own, in_sample, per_fold = [], [], []
    for seed in seeds:
        source, target = chk._domains(seed, 0.0)
        value = chk._domain_auc(source, target, seed)
        inside = chk._domain_auc(source, target, seed, in_sample=True)
        X = np.vstack([source, target])
        d = np.r_[np.zeros(len(source), int), np.ones(len(target), int)]
        folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(X, d)
        fold_aucs = []
        for train, val in folds:
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            model.fit(X[train], d[train])
            fold_aucs.append(roc_auc_score(d[val], model.predict_proba(X[val])[:, 1]))
        own.append(value)
        in_sample.append(inside - value)
        per_fold.append(abs(np.mean(fold_aucs) - value))
        print(
            f"  seed {seed:2d}: cross-validated {value:.3f}  in-sample {inside:.3f}  mean of "
            f"folds {np.mean(fold_aucs):.3f}"
        )
    own = np.asarray(own)
    print(
        f"  the check's AUC without a shift: min {own.min():.3f} median {np.median(own):.3f} "
        f"max {own.max():.3f}"
    )
    summary("in-sample AUC minus the check's (mutant)", in_sample, chk.SHIFT_TOL, False)
    print(f"  |mean of per-fold AUCs - pooled AUC| (another recipe): max {max(per_fold):.3f}")
    shifted = [chk._domain_auc(*chk._domains(seed, 0.5), seed) for seed in seeds[:10]]
    print(f"  with a 0.5-sd shift in 3 features: min {min(shifted):.3f}")


def bootstrap(n_repeats):
    print(
        "pm-bootstrap: reference end points against the binomial quantiles, in standard "
        "errors of the quantile level"
    )
    rng = np.random.default_rng(0)
    y_true, y_pred = chk._bootstrap_data(rng, 400, 0.85)
    n, acc, B = 400, np.mean(y_true == y_pred), chk.N_BOOT
    worst = 0.0
    for seed in range(n_repeats):
        low, high = metrics.bootstrap_ci(y_true, y_pred, B, 0.95, seed)
        for value, q in ((low, 0.025), (high, 0.975)):
            cdf_below = scipy.stats.binom.cdf(round(value * n) - 1, n, acc)
            cdf_at = scipy.stats.binom.cdf(round(value * n), n, acc)
            se = np.sqrt(q * (1 - q) / B)
            # distance of the level q from the CDF step the end point sits on
            gap = max(0.0, cdf_below - q, q - cdf_at) / se
            worst = max(worst, gap)
    print(
        f"  {n_repeats} seeds: largest distance {worst:.2f} standard errors (fails above "
        f"{chk._QUANTILE_Z:g})"
    )
    for name, mutant in (
        ("independent resampling", table.bootstrap_independent),
        ("without replacement", table.bootstrap_without_replacement),
        ("5/95 quantiles", table.bootstrap_one_sided_quantiles),
    ):
        low, high = mutant(y_true, y_pred, B, 0.95, 0)
        lo_bracket = chk._bootstrap_bracket(acc, n, 0.025, B)
        print(
            f"  {name:24s} ({low:.4f}, {high:.4f}); the low end must lie in "
            f"[{lo_bracket[0]:.4f}, {lo_bracket[1]:.4f}]"
        )
    coverage, _, _ = metrics.bootstrap_coverage(0.85, 400, 400, 2000, 0.95, seed=1)
    print(f"  coverage of the true accuracy over 400 simulated test sets (n = 400): {coverage:.3f}")


def search(seeds):
    print(f"pm-search: KS p-values of the sampled log learning rates (pass: >= {chk.KS_P})")
    ref, linear = [], []
    for seed in seeds:
        for fn, out in ((metrics.random_search, ref), (table.random_search_linear, linear)):
            X = fn(chk.validation_loss, chk._BOUNDS, chk._LOG, 2000, seed)[2]
            out.append(scipy.stats.kstest((np.log10(X[:, 0]) + 5) / 5, "uniform").pvalue)
    print(
        f"  reference: smallest p {min(ref):.3g} over {len(seeds)} seeds; linear-scale "
        f"mutant: largest p {max(linear):.3g}"
    )


def main(n_seeds=30, n_permutations=200):
    torch.set_num_threads(1)
    start = time.perf_counter()
    seeds = list(range(n_seeds))
    sanity(seeds)
    shuffled_tail(n_permutations)
    domain(seeds)
    bootstrap(max(n_seeds, 200))
    search(seeds)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
