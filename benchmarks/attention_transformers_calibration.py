"""Calibration of the module-13 sorting check (at-train-sorter) over many seeds.

    python benchmarks/attention_transformers_calibration.py [--seeds 20] [--steps 300]

For every seed it trains the reference (dk.models.TinyTransformer, 300 steps of 64
sequences, Adam 3e-3 with a one-cycle schedule) and the two named mistakes (no positional
encoding; a causal mask), scores each with the check's own numpy forward pass on the
check's 1000 sequences, and says whether the check's message would name the mistake.
It prints the per-seed accuracies, the reference's minimum and median, each mistake's
maximum and the margins to the pass mark ``SORT_MARK`` of
autograder/checks/attention_transformers.py. One torch thread, as in grading.
"""

import argparse
import statistics
import time

import torch

import dlkit as dk
from autograder.checks import attention_transformers as chk

VARIANTS = {
    "reference": {},
    "no positional encoding": {"pos": None},
    "causal mask": {"causal": True},
    "60 steps only": {"steps": 60},
}
SORTER = dict(vocab=10, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_len=8)


def train(seed, default_steps, **options):
    """The reference solution of the exercise, with config overrides for the mistakes."""
    steps = options.pop("steps", default_steps)
    torch.manual_seed(seed)
    model = dk.models.TinyTransformer(dk.models.TransformerConfig(**{**SORTER, **options}))
    X, Y = dk.data.sort_task(steps * 64, seed=seed)
    dk.models.transformer.train_tokens(model, X, Y, steps=steps, seed=seed, progress=False)
    return model.to_numpy_params()


NAMES = {
    "no positional encoding": "no positional encoding",
    "causal mask": "a causal mask",
    "60 steps only": "train dk.models.TinyTransformer",  # not misnamed as a mistake above
}


def named(variant, params):
    """Whether the check's message for these weights names this variant's mistake."""
    if variant not in NAMES:
        return True
    return chk._sort_hint(params, set(params)).startswith(NAMES[variant])


def cross_entropies(params):
    """The check's cross-entropy of these weights run as given, without PE, with a mask."""
    return [chk._sort_scores(params, **o)[1] for o in ({}, {"positions": False}, {"causal": True})]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)

    scores = {name: [] for name in VARIANTS}
    entropies = {name: [] for name in VARIANTS}  # (as given, without PE, causal) per seed
    names_ok = {name: True for name in VARIANTS}
    seconds = []
    print(f"{'seed':>4s}  " + "  ".join(f"{name:>22s}" for name in VARIANTS) + "  seconds")
    for seed in range(args.seeds):
        row = []
        for name, options in VARIANTS.items():
            start = time.perf_counter()
            params = train(seed, args.steps, **options)
            if name == "reference":
                seconds.append(time.perf_counter() - start)
            accuracy, _ = chk._sort_scores(params)
            scores[name].append(accuracy)
            entropies[name].append(cross_entropies(params))
            ok = named(name, params)
            names_ok[name] &= ok
            row.append(f"{accuracy:21.2%}{' ' if ok else '!'}")
        print(f"{seed:4d}  " + "  ".join(row) + f"  {seconds[-1]:7.2f}")

    mark = chk.SORT_MARK
    reference = scores["reference"]
    print(f"\npass mark {mark:.0%} over {args.seeds} seeds, {args.steps} steps")
    print(
        f"reference: min {min(reference):.2%}, median {statistics.median(reference):.2%}, "
        f"margin above the mark {min(reference) - mark:+.2%}; training "
        f"{statistics.median(seconds):.2f} s median, {max(seconds):.2f} s max (one thread)"
    )
    for name in list(VARIANTS)[1:]:
        top = max(scores[name])
        print(
            f"{name}: max {top:.2%}, margin below the mark {mark - top:+.2%}, "
            f"named on every seed: {names_ok[name]}"
        )
    print(
        "\ncross-entropy (nats) of the weights run as given / without PE / with a causal "
        "mask, min-max over the seeds; the check names 'no positional encoding' below "
        f"{chk._BEST_CE_WITHOUT_POSITIONS + chk._CE_MARGIN:.2f} without PE and 'a causal "
        f"mask' below {chk._BEST_CE_CAUSAL + chk._CE_MARGIN:.2f} with the mask"
    )
    for name, rows in entropies.items():
        columns = list(zip(*rows))
        ranges = "  ".join(f"{min(c):.2f}-{max(c):.2f}" for c in columns)
        print(f"  {name:24s} {ranges}")
    passes = all(a >= mark for a in reference)
    fails = all(max(scores[name]) < mark for name in list(VARIANTS)[1:])
    print(f"reference passes on every seed: {passes}; every mistake fails on every seed: {fails}")


if __name__ == "__main__":
    main()
