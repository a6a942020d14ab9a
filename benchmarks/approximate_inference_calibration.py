"""Calibration of module 18's statistical checks over many seeds.

    python benchmarks/approximate_inference_calibration.py [--seeds 100] [--mutant-seeds 20]
        [--draws 10000]

1. Black-box VI (ai-bbvi-logistic). For each setting the checks use (prior_var 1 in the
   visible check, 4 in the hidden one, 2000 steps) it runs the reference
   (``dk.inference.bbvi_logistic``, the prompt's recipe) and another correct
   implementation (other random draws, the prior's gradient in closed form) over
   ``--seeds`` seeds, scores each q with the check's own exact (quadrature) ELBO against
   the best mean-field Gaussian, and prints the per-seed ELBO gaps and mean errors, their
   minimum, median and maximum, the pass marks ``BBVI_MAX_GAP`` and
   ``BBVI_MAX_MEAN_ERROR`` of autograder/checks/approximate_inference.py, the margin in
   standard deviations, and the chance that a correct answer fails, from a scaled
   chi-square fitted to the gaps by their moments (the gap is about a quadratic form in
   the optimiser's Gaussian noise). Then each named mutant over ``--mutant-seeds`` seeds:
   the check must fail it on every one.
2. The two Monte Carlo comparisons (ai-gradient-estimators: the means of 100000 per-sample
   estimates against the true gradient; ai-elbo: the closed-form ELBO against a
   100000-draw estimate), each over ``--draws`` independent noise seeds: the largest
   |z| seen against the checks' 6 standard errors, and the Gaussian tail beyond 6.
One thread, as in grading.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402

from autograder.checks import approximate_inference as chk  # noqa: E402
from dlkit import inference  # noqa: E402
from tests.autograder.checks import test_approximate_inference as table  # noqa: E402

SETTINGS = {"basic (prior_var 1)": 1.0, "hidden (prior_var 4)": 4.0}
CORRECT = {"reference": table.bbvi_ref, "closed-form prior": table.bbvi_closed_form_prior}
MUTANTS = {
    "entropy missing": table.bbvi_without_entropy,
    "entropy sign flipped": table.bbvi_entropy_flipped,
    "prior term missing": table.bbvi_without_prior,
    "one sample, lr 0.5": table.bbvi_one_sample_large_lr,
}


def scores(fn, prior_var, seed):
    X, y = (np.array(a) for a in chk._breast_cancer())
    m, log_s = fn(X, y, prior_var, 2000, seed)
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(log_s))):
        return np.inf, np.inf
    return chk.bbvi_scores(np.asarray(m), np.asarray(log_s), prior_var)


def chi_square_tail(values, mark):
    """P(gap > mark) under a scaled chi-square with the sample's mean and variance."""
    mean, var = np.mean(values), np.var(values, ddof=1)
    dof, scale = 2 * mean**2 / var, var / (2 * mean)
    return float(scipy.stats.chi2(dof, scale=scale).sf(mark)), dof


def bbvi(args):
    for setting, prior_var in SETTINGS.items():
        print(
            f"\n== black-box VI, {setting}: pass marks gap <= {chk.BBVI_MAX_GAP} nats, "
            f"mean error <= {chk.BBVI_MAX_MEAN_ERROR}"
        )
        for name, fn in CORRECT.items():
            gaps, errors, seconds = [], [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                gap, error = scores(fn, prior_var, seed)
                seconds.append(time.perf_counter() - start)
                gaps.append(gap)
                errors.append(error)
            print(f"{name}: per-seed gaps {np.round(gaps, 3).tolist()}")
            mean, sd = np.mean(gaps), np.std(gaps, ddof=1)
            tail, dof = chi_square_tail(gaps, chk.BBVI_MAX_GAP)
            print(
                f"{name}: gap min {min(gaps):.3f}, median {statistics.median(gaps):.3f}, "
                f"max {max(gaps):.3f} over {len(gaps)} seeds; mean error max {max(errors):.4f}; "
                f"margin (mark - max) {chk.BBVI_MAX_GAP - max(gaps):.3f} nats = "
                f"{(chk.BBVI_MAX_GAP - mean) / sd:.1f} sd above the mean; P(fail) under a "
                f"scaled chi-square with {dof:.1f} dof: {tail:.1e}; "
                f"{statistics.median(seconds):.2f} s per run"
            )
        for name, fn in MUTANTS.items():
            worst = []
            failed = 0
            for seed in range(args.mutant_seeds):
                gap, error = scores(fn, prior_var, seed)
                worst.append(gap)
                failed += bool(gap > chk.BBVI_MAX_GAP or error > chk.BBVI_MAX_MEAN_ERROR)
            print(
                f"mutant {name}: gap min {min(worst):.3f} (mark {chk.BBVI_MAX_GAP}), "
                f"rejected on {failed} of {args.mutant_seeds} seeds"
            )


def monte_carlo(args):
    rng = np.random.default_rng(2024)
    mu, log_sigma, a, b = 0.7, np.log(1.5), 0.5, 2.0
    truth = np.array([2 * a * mu + b, 2 * a * np.exp(2 * log_sigma)])
    largest = 0.0
    for _ in range(args.draws):
        estimates = inference.gradient_estimators(mu, log_sigma, rng.standard_normal(100_000), a, b)
        for values in estimates.values():
            z = (values.mean(0) - truth) / (values.std(0, ddof=1) / np.sqrt(len(values)))
            largest = max(largest, float(np.abs(z).max()))
    print(
        f"\n== gradient estimators: largest |z| over {args.draws} draws x 4 means: {largest:.2f} "
        f"(the check allows 6; a Gaussian exceeds 6 with probability "
        f"{2 * scipy.stats.norm.sf(6):.1e})"
    )
    x = np.random.default_rng(18011).normal(1.5, 0.7, 12)
    m, v, s0, sigma = -0.3, 2.5, 2.0, 0.7
    exact = inference.elbo_gaussian(x, m, v, s0, sigma)
    largest = 0.0
    runs = max(args.draws // 10, 20)
    for _ in range(runs):
        z_draws = m + np.sqrt(v) * rng.standard_normal(100_000)
        log_joint = -0.5 * (np.log(2 * np.pi * s0**2) + z_draws**2 / s0**2)
        log_joint = log_joint - 0.5 * (
            len(x) * np.log(2 * np.pi * sigma**2)
            + ((x[None, :] - z_draws[:, None]) ** 2).sum(1) / sigma**2
        )
        terms = log_joint + 0.5 * (np.log(2 * np.pi * v) + (z_draws - m) ** 2 / v)
        z = (terms.mean() - exact) / (terms.std(ddof=1) / np.sqrt(len(terms)))
        largest = max(largest, abs(float(z)))
    print(
        f"== ELBO Monte Carlo cross-check: largest |z| over {runs} draws: {largest:.2f} (allowed 6)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--mutant-seeds", type=int, default=20)
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args()
    bbvi(args)
    monte_carlo(args)


if __name__ == "__main__":
    main()
