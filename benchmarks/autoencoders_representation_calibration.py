"""Calibration of the module-16 training checks (ae-train-vae, ae-linear-pca) over many seeds.

    python benchmarks/autoencoders_representation_calibration.py [--seeds 20]

For every seed it trains, with the references and mutants of
tests/autograder/checks/test_autoencoders_representation.py:

- the fixed VAE (64-128-16 / 8-128-64, Bernoulli, 50 epochs, Adam 3e-3) and three named
  mistakes: the reconstruction averaged over the pixels, a KL weight of 4, and the
  encoder's second half trained as log sigma. Each is scored with the check's own numpy
  estimate of -ELBO on the check's 797 held-out binarised digits (and with the second
  half read as log sigma), and the check is run on it to see that it passes or names
  the mistake;
- the bias-free linear autoencoder (k = 4 as in the visible check, k = 6 as in the hidden
  one, 100 epochs, Adam 1e-2) on centred data, and on the raw data: the held-out MSE
  against PCA's and the largest principal angle to PCA's subspace.

It prints the per-seed figures, the references' worst values, each mistake's best, the
margins to the pass marks ``VAE_MARK``, ``PCA_MSE_RATIO`` and ``PCA_MAX_ANGLE`` of
autograder/checks/autoencoders_representation.py, and the seconds per training run.
One torch thread, as in grading.
"""

import argparse
import statistics
import time

import torch

from autograder.checks import autoencoders_representation as chk
from autograder.checks.harness import CheckFailed
from tests.autograder.checks import test_autoencoders_representation as table

VAE_VARIANTS = {
    "reference": (table.train_vae_ref, None),
    "pixel-mean reconstruction": (table.vae_pixel_mean, "posterior collapse"),
    "KL weight 4": (table.vae_beta_4, "posterior collapse"),
    "trained with log sigma": (table.vae_log_sigma, "reads as log sigma"),
}
LINEAR_VARIANTS = {
    "reference": (table.train_linear_ae_ref, None),
    "not centred": (table.linear_ae_uncentred, "not centred"),
}
LINEAR_K = (4, 6)  # the visible and the hidden check


def verdict(expect, result, words):
    """'pass' when the check accepts; the mistake named or not when it rejects."""
    try:
        expect(result, "train(...)")
    except CheckFailed as failure:
        return "named" if words and words in str(failure) else "REJECTED"
    return "pass" if words is None else "ACCEPTED"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    X_bin, X_test = chk._binary_digits()
    X = chk._train_digits()

    vae = {name: [] for name in VAE_VARIANTS}  # (bound, bound as log sigma, kl, verdict)
    linear = {(name, k): [] for name in LINEAR_VARIANTS for k in LINEAR_K}  # (ratio, angle, v)
    seconds = {"vae": [], "linear": []}
    for seed in range(args.seeds):
        cells = []
        for name, (train, words) in VAE_VARIANTS.items():
            start = time.perf_counter()
            params = train(X_bin, seed)
            seconds["vae"].append(time.perf_counter() - start)
            bound, kl, _ = chk._vae_scores(params, X_test)
            as_log_sigma = chk._vae_scores(params, X_test, logvar_scale=2.0)[0]
            seen = verdict(chk._expect_good_vae, params, words)
            vae[name].append((bound, as_log_sigma, kl, seen))
            cells.append(f"{bound:6.2f}/{as_log_sigma:5.2f} {seen:5s}")
        print(f"seed {seed:2d} VAE   " + "  ".join(cells))
        cells = []
        for name, (train, words) in LINEAR_VARIANTS.items():
            for k in LINEAR_K:
                start = time.perf_counter()
                weights = train(X, k, seed)
                seconds["linear"].append(time.perf_counter() - start)
                ratio, angle = chk._linear_scores(
                    chk._weights(weights, "w", chk._linear_shapes(k), ""), k
                )
                seen = verdict(lambda r, t, k=k: chk._expect_pca_like(r, t, k), weights, words)
                linear[(name, k)].append((ratio, angle, seen))
                cells.append(f"k={k} {ratio:.3f} {angle:4.1f}deg {seen:5s}")
        print("        linear " + "  ".join(cells))

    print(
        f"\nVAE: -ELBO (nats per held-out digit) over {args.seeds} seeds; pass mark {chk.VAE_MARK}"
    )
    reference = [row[0] for row in vae["reference"]]
    print(
        f"  reference: min {min(reference):.2f}, median {statistics.median(reference):.2f}, "
        f"max {max(reference):.2f}, margin below the mark {chk.VAE_MARK - max(reference):+.2f}; "
        f"read as log sigma it is worse by {min(r[1] - r[0] for r in vae['reference']):.2f}"
        f"-{max(r[1] - r[0] for r in vae['reference']):.2f} nats; KL "
        f"{min(r[2] for r in vae['reference']):.2f}-{max(r[2] for r in vae['reference']):.2f}"
    )
    for name in list(VAE_VARIANTS)[1:]:
        rows = vae[name]
        print(
            f"  {name}: -ELBO {min(r[0] for r in rows):.2f}-{max(r[0] for r in rows):.2f}, "
            f"KL {min(r[2] for r in rows):.3f}-{max(r[2] for r in rows):.3f}, as log sigma "
            f"better by {min(r[0] - r[1] for r in rows):.2f}-{max(r[0] - r[1] for r in rows):.2f}"
            f"; named on every seed: {all(r[3] == 'named' for r in rows)}"
        )
    print(
        f"\nlinear AE: held-out MSE / PCA's (mark {chk.PCA_MSE_RATIO}) and largest principal "
        f"angle (mark {chk.PCA_MAX_ANGLE:.0f} deg)"
    )
    for (name, k), rows in linear.items():
        ratios, angles = [r[0] for r in rows], [r[1] for r in rows]
        print(
            f"  {name:30s} k={k}: ratio {min(ratios):.4f}-{max(ratios):.4f}, angle "
            f"{min(angles):5.1f}-{max(angles):5.1f} deg, verdicts {sorted({r[2] for r in rows})}"
        )
    print(
        f"\nseconds per run (one thread): VAE median {statistics.median(seconds['vae']):.2f}, "
        f"max {max(seconds['vae']):.2f}; linear AE median "
        f"{statistics.median(seconds['linear']):.2f}, max {max(seconds['linear']):.2f}"
    )
    passes = all(r[3] == "pass" for r in vae["reference"]) and all(
        r[2] == "pass" for k in LINEAR_K for r in linear[("reference", k)]
    )
    named = all(r[3] == "named" for n in list(VAE_VARIANTS)[1:] for r in vae[n]) and all(
        r[2] == "named" for n in list(LINEAR_VARIANTS)[1:] for k in LINEAR_K for r in linear[(n, k)]
    )
    print(f"references pass on every seed: {passes}; every mistake named on every seed: {named}")


if __name__ == "__main__":
    main()
