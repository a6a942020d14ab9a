"""Calibration of the module-10 training check (td-train-deep) over many seeds.

    python benchmarks/training_deep_models_calibration.py [--seeds 20] [--epochs 20]

For every seed it trains the depth-8 ReLU network of the exercise with the prompt's
recipe (SGD lr 0.2, momentum 0.9, batches of 128, linear warm-up over the first quarter
of the steps then cosine decay, gradient clipping at norm 1) and with the two named
mistakes (no warm-up and no clipping; warm-up and cosine but no clipping), scores each
with the check's own numpy forward pass on the check's 797 held-out digits, and prints
the per-seed accuracies, the reference's minimum and median, each mistake's maximum, the
margins to the pass mark ``_PASS_MARK`` of autograder/checks/training_deep_models.py and
the seconds per run. One torch thread, as in grading.
"""

import argparse
import statistics
import time

import numpy as np
import torch

from autograder.checks import training_deep_models as chk
from tests.autograder.checks.test_training_deep_models import train_deep_mlp_ref

VARIANTS = {
    "reference": {},
    "no warm-up, no clipping": {"warmup": False, "clip": None},
    "warm-up, no clipping": {"clip": None},
}


def accuracy(seed, epochs, **options):
    X, y, _, _ = (np.array(a) for a in chk._digits())
    result = train_deep_mlp_ref(X, y, epochs, seed, **options)
    return chk._deep_accuracy(chk._deep_layers(result, "train_deep_mlp"))[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)

    scores = {name: [] for name in VARIANTS}
    seconds = []
    for seed in range(args.seeds):
        row = []
        for name, options in VARIANTS.items():
            start = time.perf_counter()
            scores[name].append(accuracy(seed, args.epochs, **options))
            seconds.append(time.perf_counter() - start)
            row.append(f"{name} {scores[name][-1]:.3f}")
        print(f"seed {seed:2d}: " + ", ".join(row), flush=True)

    mark = chk._PASS_MARK
    reference = scores["reference"]
    print(
        f"\nreference: min {min(reference):.3f}, median {statistics.median(reference):.3f}, "
        f"max {max(reference):.3f}; margin above the pass mark {mark:.2f}: "
        f"{min(reference) - mark:+.3f}"
    )
    for name in list(VARIANTS)[1:]:
        worst = max(scores[name])
        print(
            f"{name}: median {statistics.median(scores[name]):.3f}, max {worst:.3f}; "
            f"margin below the pass mark: {mark - worst:+.3f}"
        )
    print(f"seconds per run: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")
    failed = min(reference) < mark or any(max(scores[n]) >= mark for n in list(VARIANTS)[1:])
    print("CALIBRATION FAILS" if failed else "calibration holds")


if __name__ == "__main__":
    main()
