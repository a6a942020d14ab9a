"""Calibration of the pass marks of the module-11 training check (cn-shift-robust).

    python -m benchmarks.convolutional_networks_calibration [n_seeds]     # default 20

Trains, for every seed, the reference answer (a dk.models.CNN on the digits plus three
copies shifted by up to 4 pixels) and the two named mistakes: the same CNN without
augmentation, and an MLP with the same augmentation. Each is scored as the check scores
it (``autograder.checks.convolutional_networks.shift_scores``: the centred and the shifted
held-out digits). Prints the per-seed accuracies, each one's minimum, median and maximum,
the marks, and the margins: the reference must clear both marks on every seed, each
mistake must miss the shifted mark on every seed. One torch thread, as in grading.
"""

import statistics
import sys
import time

import torch

from autograder.checks import convolutional_networks as chk
from tests.autograder.checks.test_convolutional_networks import (
    shift_with_an_mlp,
    shift_without_augmentation,
    train_shift_robust_ref,
)

ANSWERS = {
    "reference (CNN + shifts)": train_shift_robust_ref,
    "no augmentation (CNN)": shift_without_augmentation,
    "MLP + shifts": shift_with_an_mlp,
}


def main(n_seeds: int = 20) -> None:
    torch.set_num_threads(1)
    X_train, y_train, X_test, y_test = chk.shift_data()
    scores = {name: [] for name in ANSWERS}
    seconds = {name: [] for name in ANSWERS}
    print(f"marks: clean >= {chk.CLEAN_MARK:.0%}, shifted >= {chk.SHIFTED_MARK:.0%}")
    print(f"{'seed':>4s} " + " ".join(f"{name:>28s}" for name in ANSWERS))
    for seed in range(n_seeds):
        row = []
        for name, answer in ANSWERS.items():
            start = time.perf_counter()
            predictions = answer(X_train, y_train, X_test, seed, 8)
            seconds[name].append(time.perf_counter() - start)
            clean, shifted = chk.shift_scores(predictions, y_test)
            scores[name].append((clean, shifted))
            row.append(f"{clean:6.1%} / {shifted:6.1%} ({seconds[name][-1]:4.1f} s)")
        print(f"{seed:4d} " + " ".join(f"{cell:>28s}" for cell in row), flush=True)
    print()
    for name in ANSWERS:
        clean = [c for c, _ in scores[name]]
        shifted = [s for _, s in scores[name]]
        print(
            f"{name:26s} clean min {min(clean):6.1%} median {statistics.median(clean):6.1%} "
            f"max {max(clean):6.1%} | shifted min {min(shifted):6.1%} median "
            f"{statistics.median(shifted):6.1%} max {max(shifted):6.1%} | "
            f"{statistics.mean(seconds[name]):.1f} s per run"
        )
    reference = scores["reference (CNN + shifts)"]
    worst_clean = min(c for c, _ in reference)
    worst_shifted = min(s for _, s in reference)
    best_mistake = max(s for name in list(ANSWERS)[1:] for _, s in scores[name])
    print(
        f"\nmargins: reference's worst clean {worst_clean:.1%} - mark {chk.CLEAN_MARK:.0%} = "
        f"{worst_clean - chk.CLEAN_MARK:+.1%}; worst shifted {worst_shifted:.1%} - mark "
        f"{chk.SHIFTED_MARK:.0%} = {worst_shifted - chk.SHIFTED_MARK:+.1%}; mark - best mistake "
        f"{best_mistake:.1%} = {chk.SHIFTED_MARK - best_mistake:+.1%}"
    )
    passes = all(c >= chk.CLEAN_MARK and s >= chk.SHIFTED_MARK for c, s in reference)
    fails = all(s < chk.SHIFTED_MARK for name in list(ANSWERS)[1:] for _, s in scores[name])
    print(f"reference passes on every seed: {passes}; every mistake fails on every seed: {fails}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
