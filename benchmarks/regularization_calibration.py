"""Calibrate the pass mark of module 09's hard exercise (rg-train-noisy) over many splits.

    python benchmarks/regularization_calibration.py [n_seeds]   # default 30

For each seed s the check's own task (``autograder.checks.regularization._noisy_digits``:
300 training digits with 30 % of the labels flipped, 200 clean validation digits, 1297
clean test digits) is solved by the reference recipe of the test table (64-128-128-10
MLP, dropout 0.5, AdamW with lr 2e-3 and weight decay 0.5, batches of 64, at most 60
epochs, early stopping with patience 15) and by the named mutants: the unregularised
network (the same optimizer and 60 epochs, without dropout, decay or early stopping) and
the reference evaluated with dropout still on (its copies of duplicated test rows
disagree).
Early stopping alone is shown for information. Prints the per-seed test accuracies, then
for each the minimum, median and maximum, and the margins around the pass mark:
the reference must pass on every seed and each mutant fail on every seed.
One torch thread, as in grading.
"""

import statistics
import sys
import time

import numpy as np
import torch

from autograder.checks import regularization as chk
from tests.autograder.checks import test_regularization as table


def early_stopping_only(X, y, X_val, y_val, X_test, seed):
    return table.train_regularized_ref(
        X, y, X_val, y_val, X_test, seed, dropout=0.0, weight_decay=0.0, patience=15
    )


RECIPES = {
    "reference": table.train_regularized_ref,
    "unregularised (mutant)": table.train_unregularized,
    "dropout at evaluation (mutant)": table.train_evaluates_with_dropout,
    "early stopping only": early_stopping_only,
}


def run(seed):
    """Accuracy on the clean test digits and number of disagreeing duplicates, per recipe."""
    data = chk._noisy_digits(seed)
    X_test, y_test = data[4], data[5]
    passed, rows = chk._with_duplicates(X_test, seed)
    scores = {}
    for name, recipe in RECIPES.items():
        predictions = np.asarray(recipe(*data[:4], passed, seed))
        disagree = int(np.sum(predictions[len(X_test) :] != predictions[rows]))
        scores[name] = (chk._score(predictions, y_test), disagree)
    return scores


def main(n_seeds=30):
    torch.set_num_threads(1)
    results = {name: [] for name in RECIPES}
    disagreements = {name: [] for name in RECIPES}
    start = time.perf_counter()
    print("seed  " + "  ".join(f"{name[:22]:>22s}" for name in RECIPES))
    for seed in range(n_seeds):
        scores = run(seed)
        for name, (accuracy, disagree) in scores.items():
            results[name].append(accuracy)
            disagreements[name].append(disagree)
        cells = "  ".join(f"{a:>15.3f} ({d:>3d})" for a, d in scores.values())
        print(f"{seed:4d}  {cells}", flush=True)
    print(
        f"\n{n_seeds} seeds in {time.perf_counter() - start:.0f} s; accuracy (disagreeing "
        f"duplicates of {chk.N_DUPLICATES})"
    )
    for name, values in results.items():
        print(
            f"{name:32s} min {min(values):.3f}  median {statistics.median(values):.3f}  "
            f"max {max(values):.3f}  duplicates disagreeing: min {min(disagreements[name])}"
        )
    mark = chk.PASS_MARK
    reference = min(results["reference"])
    unregularised = max(results["unregularised (mutant)"])
    print(
        f"\npass mark {mark:.2f}: reference min - mark = {reference - mark:+.3f}; "
        f"mark - unregularised max = {mark - unregularised:+.3f}"
    )
    print(
        "dropout-at-evaluation mutant caught on every seed:",
        min(disagreements["dropout at evaluation (mutant)"]) > 0,
    )
    ok = reference >= mark > unregularised and min(disagreements["reference"]) == 0
    print("calibration holds:", ok and max(disagreements["reference"]) == 0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
