"""Calibrate module 17's statistical checks: a correct sampler must (practically) never fail
them, and every named mistake must fail them on every seed.

    python -m benchmarks.monte_carlo_graphical_models_calibration [--runs N] [--seeds S]

The checks of mc-variance-reduction, mc-metropolis, mc-gibbs, mc-hmc and mc-cd-k compare
statistics of the learner's random output with their exact values, allowing ``Z = 6``
standard errors (ESS-aware for chains). Two parts:

1. **Tails of a correct answer** (``--runs``, default 4000 per configuration): for every
   configuration the checks use, many independent correct runs (vectorised chains of the
   dlkit samplers, or local vectorised samplers; the CD-k gradient by exact multinomial
   draws of the chains' end states, plus real dk.sampling.cd_k_gradient runs) give the
   check's z-scores. Printed per configuration: runs, statistics per run, the standard
   deviation of z (1 for a calibrated standard error), the largest |z| seen, how many runs
   had |z| > 4, and the failure probability per run implied by a normal tail with the
   observed spread, summed over the statistics. A correct answer fails a check when any
   of its statistics passes 6.
2. **Every seed** (``--seeds``, default 20): the real check functions, basic and hidden,
   on the reference, the alternative answers and every mutant of the test table, with the
   learner's seeds shifted by 1000 s for s = 0..S-1. The reference and the alternatives
   must pass on every seed; each mutant must fail on every seed with its named words.
   For each answer the largest z of the basic configuration is printed (reference: below
   6 on every seed; statistical mutants: above 6 on every seed).
"""

import argparse
import functools
import inspect
import time

import numpy as np
import scipy.special
import scipy.stats

from autograder.checks import monte_carlo_graphical_models as chk
from autograder.checks.harness import CheckFailed
from dlkit import sampling
from tests.autograder.checks import test_monte_carlo_graphical_models as table

STATISTICAL = ("mc_estimators", "metropolis", "gibbs", "hmc", "cd_k")


# ---------------------------------------------------------------------------
# z-scores of one output, exactly as the checks compute them
# ---------------------------------------------------------------------------


def z_mc(result, n):
    exact = chk._estimator_exact()
    scores = []
    for key in ("plain", "antithetic", "control"):
        estimate, variance = result[key]
        var, se_factor, fraction = exact[key]
        scores.append(abs(variance - var) / (se_factor / np.sqrt(n * fraction)))
        scores.append(abs(estimate - (np.e - 1)) / np.sqrt(var / n))
    return scores


def z_mixture(chain, weights, means, sds):
    weights, means, sds = (np.asarray(a, float) for a in (weights, means, sds))
    mean, second = weights @ means, weights @ (sds**2 + means**2)
    return [chk._chain_z(chain, mean)[2], chk._chain_z(chain**2, second)[2]]


def z_gamma(chain, shape, rate):
    expected_log = scipy.special.digamma(shape) - np.log(rate)
    with np.errstate(all="ignore"):
        return [chk._chain_z(chain, shape / rate)[2], chk._chain_z(np.log(chain), expected_log)[2]]


def z_gibbs(chain, rho):
    x, y = chain[:, 0], chain[:, 1]
    return [
        chk._chain_z(x**2, 1.0)[2],
        chk._chain_z(y**2, 1.0)[2],
        chk._chain_z(x * y, rho)[2],
        chk._chain_z(x[1:] * x[:-1], rho**2)[2],
    ]


def z_hmc(chain, A):
    cov = np.linalg.inv(A)
    d = len(A)
    scores = [chk._chain_z(chain[:, i], 0.0)[2] for i in range(d)]
    scores += [
        chk._chain_z(chain[:, i] * chain[:, j], cov[i, j])[2] for i in range(d) for j in range(i, d)
    ]
    return scores


def z_cd(grads, expected, se):
    got = np.concatenate([np.asarray(g, float).reshape(-1) for g in grads])
    return list(np.abs(got - expected) / se)


# ---------------------------------------------------------------------------
# The configurations of the checks, with vectorised correct samplers
# ---------------------------------------------------------------------------


def _a3():
    rng = np.random.default_rng(1707)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return (Q * np.array([0.5, 1.5, 3.0])) @ Q.T


def gibbs_chains(rho, n, m, rng):
    """m independent Gibbs chains at once (n, m, 2)."""
    sd = np.sqrt(1 - rho**2)
    x, y = np.zeros(m), np.zeros(m)
    out = np.empty((n, m, 2))
    for t in range(n):
        x = rho * y + sd * rng.normal(size=m)
        y = rho * x + sd * rng.normal(size=m)
        out[t, :, 0], out[t, :, 1] = x, y
    return out


def hmc_chains(A, x0, n, eps, L, m, rng):
    """m independent HMC chains at once (n, m, d), leapfrog with half steps."""
    d = len(A)
    x = np.tile(np.asarray(x0, float), (m, 1))
    out = np.empty((n, m, d))
    for t in range(n):
        p = rng.normal(size=(m, d))
        q, r = x.copy(), p - 0.5 * eps * x @ A
        for step in range(L):
            q = q + eps * r
            r = r - (eps if step < L - 1 else 0.5 * eps) * q @ A
        h_old = 0.5 * np.einsum("mi,ij,mj->m", x, A, x) + 0.5 * np.sum(p * p, axis=1)
        h_new = 0.5 * np.einsum("mi,ij,mj->m", q, A, q) + 0.5 * np.sum(r * r, axis=1)
        take = np.log(rng.uniform(size=m)) < h_old - h_new
        x = np.where(take[:, None], q, x)
        out[t] = x
    return out


def cd_multinomial(V, W, b, c, k, runs, rng):
    """CD-k gradients of ``runs`` correct runs, drawing each row's chain end v_k from its
    exact law (the k-step transition of the visible chain), with probabilities for h."""
    n_v, n_h = W.shape
    S = chk._states(n_v)
    ph = scipy.special.expit(S @ W + c)
    first, _ = chk._cd_statistics(S, W, c)  # (2^n_v, 19)
    data, counts = np.unique(V, axis=0, return_counts=True)
    index = (data @ (2 ** np.arange(n_v - 1, -1, -1))).astype(int)
    H = chk._states(n_h)
    p_h = np.prod(np.where(H[None] == 1, ph[:, None], 1 - ph[:, None]), axis=2)
    pv = scipy.special.expit(H @ W.T + b)
    p_v = np.prod(np.where(S[None] == 1, pv[:, None], 1 - pv[:, None]), axis=2)
    T = np.linalg.matrix_power(p_h @ p_v, k)
    positive = (first[index] * counts[:, None]).sum(axis=0) / len(V)
    grads = np.empty((runs, first.shape[1]))
    for r in range(runs):
        negative = np.zeros(first.shape[1])
        for row, count in zip(index, counts):
            negative += rng.multinomial(count, T[row]) @ first
        grads[r] = positive - negative / len(V)
    return grads


def configurations():
    """name -> (runs-generator(m, rng) yielding per-run z lists, per-run cost class)."""
    mix3 = ([0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.8])
    A3 = _a3()

    def mc(n):
        def runs(m, rng):
            for _ in range(m):
                yield z_mc(sampling.exp_uniform_estimators(n, int(rng.integers(1 << 62))), n)

        return runs

    def mixture(params, x0, n, step):
        def runs(m, rng):
            chains, _ = sampling.rw_metropolis_mixture(*params, np.full(m, x0), n, step, rng)
            for j in range(m):
                yield z_mixture(chains[:, j], *params)

        return runs

    def gamma(shape, rate, x0, n, s):
        def runs(m, rng):
            chains, _ = sampling.mh_gamma(shape, rate, np.full(m, x0), n, s, rng)
            for j in range(m):
                yield z_gamma(chains[:, j], shape, rate)

        return runs

    def gibbs(rho, n):
        def runs(m, rng):
            chains = gibbs_chains(rho, n, m, rng)
            for j in range(m):
                yield z_gibbs(chains[:, j], rho)

        return runs

    def hmc(A, x0, n, eps, L):
        def runs(m, rng):
            chains = hmc_chains(A, x0, n, eps, L, m, rng)
            for j in range(m):
                yield z_hmc(chains[:, j], A)

        return runs

    def cd(seed, k):
        V, W, b, c = chk._cd_setup(seed)
        expected, se = chk._cd_expectation(V, W, b, c, k)

        def runs(m, rng):
            for g in cd_multinomial(V, W, b, c, k, m, rng):
                yield list(np.abs(g - expected) / se)

        return runs

    def cd_real(seed, k):
        V, W, b, c = chk._cd_setup(seed)
        expected, se = chk._cd_expectation(V, W, b, c, k)

        def runs(m, rng):
            for _ in range(m):
                grads = sampling.cd_k_gradient(V, W, b, c, k, int(rng.integers(1 << 62)))
                yield z_cd(grads, expected, se)

        return runs

    return {
        "mc-variance-reduction n=10000": (mc(10_000), 1.0),
        "mc-variance-reduction n=40000": (mc(40_000), 1.0),
        "mc-variance-reduction n=2000": (mc(2_000), 1.0),
        "mc-metropolis mixture basic": (mixture(chk._MIXTURE, 0.0, 10_000, 2.5), 1.0),
        "mc-metropolis mixture hidden": (mixture(mix3, 1.0, 12_000, 3.0), 1.0),
        "mc-metropolis Gamma(3, 2)": (gamma(3.0, 2.0, 1.0, 10_000, 0.8), 1.0),
        "mc-metropolis Gamma(0.8, 1)": (gamma(0.8, 1.0, 0.5, 12_000, 1.5), 1.0),
        "mc-metropolis Gamma(6, 3)": (gamma(6.0, 3.0, 2.0, 8_000, 0.5), 1.0),
        "mc-gibbs rho=0.8": (gibbs(0.8, 20_000), 1.0),
        "mc-gibbs rho=0.95": (gibbs(0.95, 40_000), 0.5),
        "mc-gibbs rho=-0.5": (gibbs(-0.5, 10_000), 1.0),
        "mc-hmc 2-D eps=1 L=3": (hmc(chk._A2, np.zeros(2), 3_000, 1.0, 3), 1.0),
        "mc-hmc 3-D eps=0.6 L=5": (hmc(A3, np.array([1.0, -1.0, 0.5]), 3_000, 0.6, 5), 1.0),
        "mc-cd-k CD-1 (exact draws)": (cd(1717, 1), 2.5),
        "mc-cd-k CD-2 (exact draws)": (cd(1728, 2), 2.5),
        "mc-cd-k CD-50 (exact draws)": (cd(1728, 50), 2.5),
        "mc-cd-k CD-1 (dk.sampling runs)": (cd_real(1717, 1), 0.05),
    }


def tails(runs, seed=2024):
    """Part 1: the z-scores of correct runs, configuration by configuration."""
    print(f"Part 1: z-scores of correct answers (Z = {chk.Z:g})")
    print(
        f"{'configuration':34s} {'runs':>6s} {'stats':>5s} {'sd(z)':>6s} {'max|z|':>7s} "
        f"{'#|z|>4':>6s} {'P(fail)/run':>12s}"
    )
    rng = np.random.default_rng(seed)
    worst = 0.0
    for name, (generate, share) in configurations().items():
        m = max(20, int(runs * share))
        start = time.perf_counter()
        scores = []
        batch = 500
        for first in range(0, m, batch):
            scores += list(generate(min(batch, m - first), rng))
        z = np.array(scores)  # (m, statistics)
        # |z| is a folded normal when calibrated: its root mean square is the spread of z
        spread = float(np.sqrt(np.mean(z**2)))
        tail = z.shape[1] * 2 * scipy.stats.norm.sf(chk.Z / spread)
        worst = max(worst, tail)
        print(
            f"{name:34s} {m:6d} {z.shape[1]:5d} {spread:6.2f} {z.max():7.2f} "
            f"{int(np.sum(z.max(axis=1) > 4)):6d} {tail:12.1e}   "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    print(f"largest implied failure probability of a correct run: {worst:.1e} (target < 1e-4)\n")


# ---------------------------------------------------------------------------
# Part 2: the real checks on every seed
# ---------------------------------------------------------------------------


def shifted(fn, offset):
    """``fn`` with its ``seed`` argument moved by ``offset`` (other draws, same contract)."""
    if "seed" not in inspect.signature(fn).parameters:
        return fn

    @functools.wraps(fn)
    def wrapper(*args):
        *rest, seed = args
        return fn(*rest, seed + offset)

    return wrapper


def basic_z(name, answer):
    """The largest z-score of the basic configuration for an answer (None if unusable)."""
    try:
        if name == "mc_estimators":
            return max(z_mc(answer[0](10_000, 0), 10_000))
        if name == "metropolis":
            chain, _ = answer[0](*chk._MIXTURE, 0.0, 10_000, 2.5, 0)
            gamma_chain, _ = answer[1](3.0, 2.0, 1.0, 10_000, 0.8, 0)
            chain = np.asarray(chain, float)
            if chain.shape != (10_000,):
                return None
            return max(z_mixture(chain, *chk._MIXTURE) + z_gamma(np.asarray(gamma_chain), 3.0, 2.0))
        if name == "gibbs":
            return max(z_gibbs(np.asarray(answer[0](0.8, 20_000, 0)), 0.8))
        if name == "hmc":
            chain, _ = answer[1](chk._A2, np.zeros(2), 3_000, 1.0, 3, 0)
            return max(z_hmc(np.asarray(chain), chk._A2))
        if name == "cd_k":
            V, W, b, c = chk._cd_setup(1717)
            expected, se = chk._cd_expectation(V, W, b, c, 1)
            grads = answer[0](V, W, b, c, 1, 0)
            if np.shape(grads[0]) != W.shape:
                return None
            return max(z_cd(grads, expected, se))
    except Exception:  # noqa: BLE001 - a mutant that breaks the statistic
        return None
    return None


def every_seed(seeds):
    print(f"Part 2: the real checks, learner seeds shifted by 1000 s, s = 0..{seeds - 1}")
    answers = [(n, a, None, "reference") for n, a in table.REFERENCES.items() if n in STATISTICAL]
    answers += [(n, a, None, "alternative") for n, a in table.ALTERNATIVES if n in STATISTICAL]
    for check, wrong, words in table.MUTANTS:
        name = check.rsplit("_", 1)[0]
        if name in STATISTICAL:
            answers.append(
                (name, wrong if isinstance(wrong, tuple) else (wrong,), (check, words), "mutant")
            )
    ok = True
    for name, answer, mutant, kind in answers:
        start = time.perf_counter()
        good, zs = 0, []
        for s in range(seeds):
            moved = tuple(shifted(f, 1000 * s) for f in answer)
            zs.append(basic_z(name, moved))
            if mutant is None:
                try:
                    getattr(chk, f"{name}_basic")(*moved)
                    getattr(chk, f"{name}_hidden")(*moved)
                    good += 1
                except CheckFailed as failure:
                    print(f"    seed {s}: {failure}")
            else:
                check, words = mutant
                try:
                    getattr(chk, check)(*moved)
                except CheckFailed as failure:
                    good += words in str(failure)
        label = "+".join(f.__name__ for f in answer)
        verdict = "pass" if mutant is None else "fail, named"
        usable = [z for z in zs if z is not None]
        zinfo = (
            f"basic max z: min {min(usable):6.2f} max {max(usable):7.2f}"
            if usable
            else "basic z: n/a"
        )
        line_ok = good == seeds
        ok &= line_ok
        print(
            f"  {'ok ' if line_ok else 'BAD'} {kind:11s} {name:13s} {label[:44]:44s} "
            f"{verdict} {good}/{seeds}  {zinfo}  ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    print("every seed:", "all as required" if ok else "SOME ROWS FAILED")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=4000, help="correct runs per configuration")
    parser.add_argument("--seeds", type=int, default=20, help="seeds for the real checks")
    parser.add_argument("--part", choices=("1", "2", "both"), default="both")
    options = parser.parse_args()
    if options.part in ("1", "both"):
        tails(options.runs)
    if options.part in ("2", "both"):
        every_seed(options.seeds)


if __name__ == "__main__":
    main()
