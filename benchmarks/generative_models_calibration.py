"""Calibration of module 19's training checks (gm-train-ddpm, gm-train-gan, gm-train-flow)
over many seeds.

    python benchmarks/generative_models_calibration.py [--models ddpm,gan,flow] [--seeds 20]
        [--mutant-seeds 20] [--steps 1500]

DDPM: for each training seed it trains the reference (``dk.models.DDPM`` with T = 100, the
prompt's noise MLP, ``train_ddpm`` for ``--steps`` steps on ``dk.data.moons(4000, seed)``),
runs the check's own ancestral sampler on the returned weights (``N_SAMPLES`` samples, the
check's noise seed) and prints the mean nearest-neighbour distance to the check's moons,
the energy distance to them and the share of samples on the upper moon, with their
minimum, median and maximum against the marks ``NN_MARK``, ``ENERGY_MARK`` and
``MOON_SHARE`` of autograder/checks/generative_models.py, and the seconds per run. Then
the named mutants over ``--mutant-seeds`` seeds: the network trained without t (its third
input held at 0) and the run stopped after 30 steps; the check must fail each on every
seed and name the mistake (the t-blind hint is given when the noise-prediction loss with
t / T exceeds ``T_USE_RATIO`` times the loss with t held at 0).

GAN: the reference (``dk.models.GAN`` with hidden 64, 800 steps of ``train_gan`` on
``dk.data.ring_of_gaussians(4000, seed)``) and the run stopped after 50 steps, scored by
the check's own samples: covered modes and the share of good samples against
``MODES_MARK`` and ``GOOD_MARK``. Flow: the reference (``dk.models.RealNVP`` with 4
couplings, 10 epochs of ``train_flow`` on ``dk.data.moons(4000, seed)``) and the run
stopped after 1 epoch, scored by the check's held-out log-likelihood against
``FLOW_LL_MARK``. The check must pass the reference and fail each mutant on every seed.
One thread, as in grading.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from autograder.checks import generative_models as chk  # noqa: E402
from autograder.checks.harness import CheckFailed  # noqa: E402
from tests.autograder.checks import test_generative_models as table  # noqa: E402


def scores(params):
    return chk._sample_scores(chk._ancestral(chk._ddpm_params(params, "weights"), seed=1911))


def t_use(params):
    """The check's ratio: noise loss with t / T over the loss with t held at 0."""
    return chk._noise_loss(params, True) / chk._noise_loss(params, False)


def summary(name, values, mark):
    low, mid, high = min(values), statistics.median(values), max(values)
    print(f"  {name}: min {low:.4f}  median {mid:.4f}  max {high:.4f}  (mark {mark})")


def calibrate_ddpm(args):
    if args.seeds > 0:  # --seeds 0 runs the mutants only
        print(f"reference, {args.steps} steps, {args.seeds} seeds")
        distances, energies, shares, seconds = [], [], [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            params = table.train_ddpm_ref(seed, args.steps)
            seconds.append(time.perf_counter() - start)
            distance, energy, share = scores(params)
            distances.append(distance)
            energies.append(energy)
            shares.append(share)
            print(
                f"    seed {seed:2d}: NN {distance:.4f}  energy {energy:.4f}  upper moon "
                f"{share:.3f}  t-use ratio {t_use(params):.3f}  {seconds[-1]:.1f} s"
            )
        summary("NN distance", distances, f"<= {chk.NN_MARK}")
        summary("energy distance", energies, f"<= {chk.ENERGY_MARK}")
        summary("upper-moon share", shares, chk.MOON_SHARE)
        passed = sum(
            d <= chk.NN_MARK
            and e <= chk.ENERGY_MARK
            and chk.MOON_SHARE[0] <= s <= chk.MOON_SHARE[1]
            for d, e, s in zip(distances, energies, shares)
        )
        median_seconds = statistics.median(seconds)
        print(f"  reference passes {passed}/{args.seeds}; seconds per run {median_seconds:.1f}")

    mutants = {
        "t not given to the network": (
            lambda seed: table.train_ddpm_ref(seed, args.steps, time_input=False),
            "t is not given to the network",
        ),
        "30 steps only": (table.ddpm_undertrained, "energy distance"),
    }
    for name, (mutant, words) in mutants.items():
        failed, named, values, energies, ratios = 0, 0, [], [], []
        for seed in range(args.mutant_seeds):
            params = mutant(seed)
            distance, energy, _ = scores(params)
            values.append(distance)
            energies.append(energy)
            ratios.append(t_use(params))
            try:
                chk._expect_samples_moons(params, "train_ddpm")
            except CheckFailed as failure:
                failed += 1
                named += words in str(failure)
        print(f"mutant {name}: failed {failed}/{args.mutant_seeds}, named {named}")
        summary("NN distance", values, f"<= {chk.NN_MARK}")
        summary("energy distance", energies, f"<= {chk.ENERGY_MARK}")
        summary("t-use ratio", ratios, f"named t-blind above {chk.T_USE_RATIO}")


def _rate(check, answers, seeds, words):
    """How many of ``answers(seed)`` the check fails, and how many of those by ``words``."""
    failed = named = 0
    for seed in range(seeds):
        try:
            check(answers(seed))
        except CheckFailed as failure:
            failed += 1
            named += words in str(failure)
    return failed, named


def calibrate_gan(args):
    print(f"GAN reference, 800 steps, {args.seeds} seeds")
    modes, goods, seconds = [], [], []
    for seed in range(args.seeds):
        start = time.perf_counter()
        params = table.train_gan_ref(seed)
        seconds.append(time.perf_counter() - start)
        covered, good = chk._gan_scores(chk._gan_samples(params))
        modes.append(covered)
        goods.append(good)
        print(f"    seed {seed:2d}: modes {covered}  good {good:.3f}  {seconds[-1]:.1f} s")
    summary("covered modes", modes, f">= {chk.MODES_MARK}")
    summary("good share", goods, f">= {chk.GOOD_MARK}")
    passed = sum(m >= chk.MODES_MARK and g >= chk.GOOD_MARK for m, g in zip(modes, goods))
    print(
        f"  reference passes {passed}/{args.seeds}; "
        f"seconds per run {statistics.median(seconds):.1f}"
    )
    undertrained = [
        chk._gan_scores(chk._gan_samples(table.gan_undertrained(s)))
        for s in range(args.mutant_seeds)
    ]
    summary("50 steps: covered modes", [m for m, _ in undertrained], f">= {chk.MODES_MARK}")
    summary("50 steps: good share", [g for _, g in undertrained], f">= {chk.GOOD_MARK}")
    failed, named = _rate(
        lambda params: chk._expect_ring_covered(params, "train_gan"),
        table.gan_undertrained,
        args.mutant_seeds,
        "trained too briefly",
    )
    print(f"mutant 50 steps only: failed {failed}/{args.mutant_seeds}, named {named}")


def calibrate_flow(args):
    print(f"flow reference, 10 epochs, {args.seeds} seeds")
    values, seconds = [], []
    for seed in range(args.seeds):
        start = time.perf_counter()
        params = table.train_flow_ref(seed)
        seconds.append(time.perf_counter() - start)
        values.append(chk._held_out_log_likelihood(params))
        print(f"    seed {seed:2d}: held-out log-likelihood {values[-1]:.4f}  {seconds[-1]:.1f} s")
    summary("held-out log-likelihood", values, f">= {chk.FLOW_LL_MARK}")
    passed = sum(v >= chk.FLOW_LL_MARK for v in values)
    print(
        f"  reference passes {passed}/{args.seeds}; "
        f"seconds per run {statistics.median(seconds):.1f}"
    )
    short = [
        chk._held_out_log_likelihood(table.flow_undertrained(s)) for s in range(args.mutant_seeds)
    ]
    summary("1 epoch: held-out log-likelihood", short, f">= {chk.FLOW_LL_MARK}")
    failed, named = _rate(
        lambda params: chk.train_flow_basic(lambda seed: params),
        table.flow_undertrained,
        args.mutant_seeds,
        "trained too briefly",
    )
    print(f"mutant 1 epoch only: failed {failed}/{args.mutant_seeds}, named {named}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="ddpm,gan,flow")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--mutant-seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    runs = {"ddpm": calibrate_ddpm, "gan": calibrate_gan, "flow": calibrate_flow}
    for name in args.models.split(","):
        runs[name](args)


if __name__ == "__main__":
    main()
