"""Calibration of module 20's random checks over many seeds.

    python -m benchmarks.reinforcement_learning_calibration [--seeds 30] [--mutant-seeds 20]
        [--bandit-seeds 50]

1. The actor-critic (rl-actor-critic). For both settings the checks use (the 4 x 4 grid,
   slip 0.1, gamma 0.9 in the visible check and 0.95 in the hidden one, ``AC_EPISODES``
   episodes) it trains each correct answer of the table (the reference
   ``dk.rl.actor_critic``, the notebook's loop with ``rng.choice``, and the common variant
   without I = gamma^t in the actor's step) over ``--seeds`` seeds, evaluates the softmax
   policy exactly and prints V_pi(start) / V*(start): minimum, median, maximum, the pass
   mark ``PASS_FRACTION``, the margin in standard deviations and the Gaussian tail beyond
   it. Then each named mutant over ``--mutant-seeds`` seeds through the check itself: it
   must fail on every one.
2. The bandits (rl-bandits). For every setting of the checks it runs the correct answers
   (the reference and Sutton and Barto's random tie-breaking) over ``--bandit-seeds``
   seeds and prints, for epsilon-greedy, the z of the count of non-greedy pulls (a
   martingale sum: given the history, step t is non-greedy with probability
   eps (k - ties) / k) and the z of the reward noise's mean and variance, with the largest
   |z| seen against the check's ``Z`` = 6 and the normal tail beyond 6; for UCB the number
   of pulls the rule would not make (0 on every seed: the check is exact). Then each
   named mutant over ``--mutant-seeds`` seeds through the check itself: it must fail on
   every one.

The other checks of the module are deterministic (exact answers on fixed inputs). One
thread, as in grading.
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.stats  # noqa: E402

from autograder.checks import reinforcement_learning as chk  # noqa: E402
from autograder.checks.harness import CheckFailed  # noqa: E402
from tests.autograder.checks import test_reinforcement_learning as table  # noqa: E402

AC_SETTINGS = {"basic (gamma 0.9)": 0.9, "hidden (gamma 0.95)": 0.95}
AC_CORRECT = {
    "reference": table.actor_critic_ref,
    "notebook loop (rng.choice)": table.actor_critic_solution,
    "no gamma^t in the actor": table.actor_critic_without_discount,
}
AC_MUTANTS = {
    "gradient descent": table.actor_critic_descends,
    "returns probabilities": table.actor_critic_probabilities,
    "untrained": table.actor_critic_untrained,
    "transposed": table.actor_critic_transposed,
}
#: The check's settings: (name, means, policy, parameter, steps).
BANDIT_SETTINGS = [
    ("basic eps 0.1", chk._testbed(2008, 500, 5), "eps_greedy", 0.1, 200),
    ("basic UCB c 2", chk._testbed(2008, 500, 5), "ucb", 2.0, 200),
    ("hidden eps 0", chk._testbed(2009, 400, 4), "eps_greedy", 0.0, 150),
    ("hidden eps 1", chk._testbed(2009, 400, 4), "eps_greedy", 1.0, 150),
    ("hidden 2 arms eps 0.3", chk._testbed(2010, 600, 2, 0.3), "eps_greedy", 0.3, 200),
    (
        "hidden ties eps 0.05",
        np.tile([0.5, 1.0, 1.0, -0.5, 0.0], (300, 1)),
        "eps_greedy",
        0.05,
        200,
    ),
    ("hidden UCB c 0.5", chk._testbed(2009, 400, 4), "ucb", 0.5, 200),
    ("hidden ties UCB c 0", np.tile([0.5, 1.0, 1.0, -0.5, 0.0], (300, 1)), "ucb", 0.0, 100),
]
BANDIT_CORRECT = {
    "reference": table.REFERENCES["run_bandit"],
    "random ties": table.bandit_random_ties,
}
BANDIT_MUTANTS = {
    "explores other arms only": (table.bandit_explores_others_only, "eps_greedy", 0.1),
    "explores with 1 - eps": (table.bandit_exploits_with_eps, "eps_greedy", 0.1),
    "never explores": (table.bandit_never_explores, "eps_greedy", 0.1),
    "mean over N + 1": (table.bandit_mean_plus_one, "eps_greedy", 0.1),
    "UCB log(t)": (table.bandit_ucb_log_t, "ucb", 2.0),
    "UCB c inside the root": (table.bandit_ucb_c_inside, "ucb", 2.0),
    "UCB counts from 1": (table.bandit_ucb_counts_from_one, "ucb", 2.0),
    "uniform noise": (table.bandit_uniform_noise, "eps_greedy", 0.1),
}


def _fails(check, *args):
    try:
        check(*args)
    except CheckFailed:
        return True
    return False


def actor_critic(args):
    P, R, terminal, start = chk._grid(0.1)
    S, A = R.shape
    for setting, gamma in AC_SETTINGS.items():
        best = chk._optimal_values(P, R, gamma)[start]
        uniform = chk._evaluate(P, R, np.full((S, A), 1.0 / A), gamma)[0][start] / best
        print(
            f"\n== actor-critic, {setting}, {chk.AC_EPISODES} episodes: pass mark "
            f"V_pi(start) >= {chk.PASS_FRACTION} V*(start); a uniform policy has {uniform:.3f}"
        )
        for name, fn in AC_CORRECT.items():
            started = time.perf_counter()
            ratios = np.array(
                [
                    chk._evaluate(
                        P,
                        R,
                        chk._softmax(fn(P, R, terminal, start, gamma, chk.AC_EPISODES, seed)),
                        gamma,
                    )[0][start]
                    / best
                    for seed in range(args.seeds)
                ]
            )
            seconds = (time.perf_counter() - started) / args.seeds
            margin = (ratios.mean() - chk.PASS_FRACTION) / ratios.std(ddof=1)
            tail = scipy.stats.norm.sf(margin)
            print(
                f"{name}: V_pi/V* min {ratios.min():.3f}, median {np.median(ratios):.3f}, max "
                f"{ratios.max():.3f}; passes {np.sum(ratios >= chk.PASS_FRACTION)}/{args.seeds}; "
                f"mean {margin:.1f} SD above the mark (normal tail {tail:.1e}); "
                f"{seconds:.2f} s per training"
            )
        for name, fn in AC_MUTANTS.items():
            failed = sum(
                _fails(chk._check_actor_critic, fn, 0.1, gamma, seed)
                for seed in range(args.mutant_seeds)
            )
            print(f"mutant {name}: fails {failed}/{args.mutant_seeds}")


def _eps_z(actions, rewards, means, eps):
    """The check's two statistics: the non-greedy count's z and the reward noise's worst z."""
    k = means.shape[1]
    off, n_tied = chk._eps_statistics(actions, rewards, k)
    count_z = chk._binomial_z(off, eps * (k - n_tied) / k)
    noise = rewards - np.take_along_axis(means, actions, axis=1)
    n = noise.size
    noise_z = max(abs(noise.mean() * np.sqrt(n)), abs((noise.var() - 1.0) / np.sqrt(2.0 / n)))
    return count_z, noise_z


def bandits(args):
    print(f"\n== bandits over {args.bandit_seeds} seeds (the check allows |z| <= {chk.Z:g})")
    for setting, means, policy, param, steps in BANDIT_SETTINGS:
        k = means.shape[1]
        for name, fn in BANDIT_CORRECT.items():
            runs = [fn(means, policy, param, steps, seed) for seed in range(args.bandit_seeds)]
            if policy == "ucb":
                bad = [chk._ucb_mismatches(a, r, k, param) for a, r in runs]
                print(f"{setting}, {name}: UCB pulls off the rule, worst seed {max(bad)}")
                continue
            zs = np.array([_eps_z(a, r, means, param) for a, r in runs])
            print(
                f"{setting}, {name}: non-greedy count z mean {zs[:, 0].mean():+.2f} sd "
                f"{zs[:, 0].std(ddof=1):.2f} max |z| {np.abs(zs[:, 0]).max():.2f}; noise max |z| "
                f"{zs[:, 1].max():.2f}"
            )
    print(f"normal tail beyond |z| = {chk.Z:g}: {2 * scipy.stats.norm.sf(chk.Z):.1e}")
    means = chk._testbed(2008, 500, 5)
    for name, (fn, policy, param) in BANDIT_MUTANTS.items():
        failed = sum(
            _fails(chk._check_bandit, fn, means, policy, param, 200, seed)
            for seed in range(args.mutant_seeds)
        )
        print(f"mutant {name} ({policy} {param:g}): fails {failed}/{args.mutant_seeds}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--mutant-seeds", type=int, default=20)
    parser.add_argument("--bandit-seeds", type=int, default=50)
    args = parser.parse_args()
    actor_critic(args)
    bandits(args)


if __name__ == "__main__":
    main()
