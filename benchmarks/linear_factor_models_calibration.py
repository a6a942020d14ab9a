"""Calibrate the pass marks and tolerances of module 15's iterative checks over many seeds.

    python -m benchmarks.linear_factor_models_calibration [n_seeds]   # default 30

One BLAS thread, as in grading. Every check of module 15 compares against its own copy
of the algorithm except where an iteration may legitimately differ; those are:

- lf-fastica (``_ICA_MIN_CORRELATION``, ``_ICA_MAX_AMARI``): a correct FastICA may start
  from any orthogonal matrix (another whitening sign, another draw), so the reference and
  the table's alternative are run with every start seed ``s`` (the learner's ``seed``
  shifted by s) on the check's own four mixtures, and with start 0 on ``n_seeds`` other
  mixtures of the same kind. Printed: the smallest matched |corr| and the largest Amari
  index; then the whole check run on each named mutant for every start seed, with the
  fraction it fails and the fraction whose message names the mutant's mistake.
- lf-fa-em (the 1e-9 relative monotonicity tolerance, the 1e-3 gap to scikit-learn after
  300 steps): the gap on the hidden check's own data set; over ``n_seeds`` other data sets
  and starts, the reference's largest relative drop of the log-likelihood, its distance
  from ``FactorAnalysis(2).score`` and how often the mutant that drops G from E[z z^T] has
  a decreasing history; then the whole check (its first hidden case) on every data set,
  for the reference and each named mutant.
- lf-dictionary (the 1e-9 relative tolerance on a rise of the objective): the reference's
  largest relative rise over ``n_seeds`` digit subsets and starts, then the whole check
  (its first hidden case) on each subset, for the reference and each named mutant.
- lf-ista (the 1e-6 KKT tolerance after 3000 steps): the reference's KKT residual over
  ``n_seeds`` problems of the hidden check's shape.

Every other check of the module compares with a closed form or the check's own copy of a
deterministic iteration, at rounding tolerances.
"""

import statistics
import sys
import time

import numpy as np
from sklearn.decomposition import FactorAnalysis
from threadpoolctl import threadpool_limits

from autograder.checks import linear_factor_models as chk
from autograder.checks.harness import CheckFailed
from dlkit import factor
from tests.autograder.checks import test_linear_factor_models as table

# the check's own mixtures: (data seed, n, sources), as in fastica_basic and fastica_hidden
ICA_CASES = ((1517, 1000, 2), (1518, 2000, 3), (1519, 2000, 3), (1520, 2000, 3))
ICA_MUTANTS = (
    (table.fastica_without_whitening, ("whiten the data first",)),
    (table.fastica_without_decorrelation, ("symmetric decorrelation",)),
    (table.fastica_without_g_prime, ("mean g' term",)),
)


def summary(name, values, mark, passes_below):
    values = np.asarray(values, dtype=float)
    side = "<=" if passes_below else ">="
    margin = (mark - values.max()) if passes_below else (values.min() - mark)
    print(
        f"  {name:46s} min {values.min():.4g}  median {statistics.median(values):.4g}  "
        f"max {values.max():.4g}   pass mark {side} {mark:g}  margin {margin:+.4g}"
    )


def shifted(fn, offset):
    """``fn`` with the learner's seed shifted by ``offset`` (another correct start)."""

    def run(X, n_components, n_iter, seed):
        return fn(X, n_components, n_iter, seed + offset)

    return run


def ica_figures(fn, data_seed, n, c, start):
    S, A, X = chk._ica_sources(data_seed, n, c)
    S_hat, W = fn(X, c, 200, start)
    return chk._best_match(S_hat, S), chk._amari(W @ A)


def ica_check(fn, offset):
    """The check on its own four mixtures, the learner's start seed shifted by ``offset``."""
    for case in ICA_CASES:
        chk._check_fastica(shifted(fn, offset), *case)


def fastica(seeds):
    print(
        f"lf-fastica: matched |corr| (pass: >= {chk._ICA_MIN_CORRELATION}) and Amari index "
        f"(pass: <= {chk._ICA_MAX_AMARI})"
    )
    for name, fn in (("reference", factor.fastica), ("alternative", table.fastica_alternative)):
        own = [ica_figures(fn, *case, s) for case in ICA_CASES for s in seeds]
        other = [
            ica_figures(fn, 100 + s, n, c, 0) for s in seeds for n, c in ((1000, 2), (2000, 3))
        ]
        for label, figures in (
            ("the check's mixtures, every start", own),
            ("other mixtures, start 0", other),
        ):
            summary(
                f"{name}, {label}, |corr|", [f[0] for f in figures], chk._ICA_MIN_CORRELATION, False
            )
            summary(f"{name}, {label}, Amari", [f[1] for f in figures], chk._ICA_MAX_AMARI, True)
    report(ica_check, factor.fastica, ICA_MUTANTS, seeds)


def relative_drops(history):
    """The largest relative decrease between consecutive entries (0 if none)."""
    drops = -np.diff(history) / np.abs(history[1:])
    return max(0.0, float(drops.max()))


def verdicts(run_check, fn, seeds, words):
    """How often ``run_check(fn, seed)`` fails, and how often its message holds one of
    ``words`` (the phrases that name the mistake; None for the reference, whose failures
    are printed)."""
    failed = named = 0
    for s in seeds:
        try:
            run_check(fn, s)
        except CheckFailed as error:
            failed += 1
            named += words is not None and any(w in str(error) for w in words)
            if words is None:
                print(f"  {fn.__name__}, seed {s}: FAILED {error}")
    return failed, named


def report(run_check, reference, mutants, seeds):
    failed, _ = verdicts(run_check, reference, seeds, None)
    print(f"  the whole check, reference: passes {len(seeds) - failed} of {len(seeds)} seeds")
    for mutant, words in mutants:
        failed, named = verdicts(run_check, mutant, seeds, words)
        print(
            f"  the whole check, {mutant.__name__:32s} fails {failed} of {len(seeds)}, "
            f"names the mistake ({' or '.join(map(repr, words))}) in {named}"
        )


def fa_check(fn, seed):
    """The hidden check's first case (12 steps, d = 6, k = 3) on data set ``seed``."""
    X = chk._synthetic_fa(seed, n=80, d=6, k=3)
    chk._check_fa(fn, X, *chk._fa_start(X, 3, seed), 12)


def factor_analysis(seeds):
    print("lf-fa-em: 300 EM steps from the check's kind of start on synthetic data (d = 7, k = 2)")
    drops, gaps, decreasing = [], [], 0
    for s in [1512, *seeds]:  # 1512: the hidden check's own data set
        X = chk._synthetic_fa(s)
        W0, psi0 = chk._fa_start(X, 2, 2 if s == 1512 else s)
        *_, history = factor.factor_analysis_em(X, W0, psi0, 300)
        sklearn = FactorAnalysis(2, tol=1e-12, max_iter=20_000, svd_method="lapack").fit(X)
        gap = abs(history[-1] - sklearn.score(X))
        if s == 1512:
            print(f"  the check's data: |final - sklearn score| = {gap:.3g}")
            continue
        drops.append(relative_drops(history))
        gaps.append(gap)
        *_, wrong = table.fa_em_without_g(X, W0, psi0, 300)
        decreasing += relative_drops(wrong) > 1e-9
    summary("reference, largest relative drop", drops, 1e-9, True)
    summary("reference, |final - sklearn score|", gaps, 1e-3, True)
    slow = int(np.sum(np.asarray(gaps) > 1e-3))
    print(
        f"  ({slow} data sets converge slowly: 300 steps are not enough there, for EM or sklearn)"
    )
    print(f"  E[zz^T] without G (mutant): history decreases on {decreasing} of {len(seeds)} seeds")
    mutants = (
        (table.fa_em_without_g, ("G is missing", "did you drop G")),
        (table.fa_em_psi_with_old_w, ("NEW W", "update psi with the old W")),
        (table.fa_em_full_psi, ("Psi must stay diagonal",)),
        (table.fa_em_history_before_step, ("after step t + 1",)),
    )
    report(fa_check, factor.factor_analysis_em, mutants, seeds)


def dictionary_check(fn, seed):
    """The hidden check's first case (24 atoms, lam 0.15, 10 outer steps) on 300 digits."""
    X_all = chk._digits()
    X = X_all[np.random.default_rng(seed).choice(len(X_all), 300, replace=False)]
    chk._check_dictionary(fn, X, chk._dictionary_start(X, 24, seed), 0.15, 10, 20)


def dictionary(seeds):
    print("lf-dictionary: 10 outer steps, 24 atoms, lam 0.15 on 300 random digits")
    X_all = chk._digits()
    rises = []
    for s in seeds:
        X = X_all[np.random.default_rng(s).choice(len(X_all), 300, replace=False)]
        *_, history = factor.learn_dictionary(X, chk._dictionary_start(X, 24, s), 0.15, 10, 20)
        rises.append(max(0.0, float((np.diff(history) / np.abs(history[:-1])).max())))
    summary("reference, largest relative rise", rises, 1e-9, True)
    mutants = (
        (table.learn_dictionary_stale_codes, ("stale codes",)),
        (table.learn_dictionary_renormalised, ("without rescaling Z",)),
        (table.learn_dictionary_cold_start, ("warm-start ISTA",)),
        (table.learn_dictionary_unbounded_atoms, ("unit ball",)),
    )
    report(dictionary_check, factor.learn_dictionary, mutants, seeds)


def ista(seeds):
    print("lf-ista: KKT residual after 3000 steps on (30, 15) problems, lam 0.3, D / 3")
    residuals = []
    for s in seeds:
        rng = np.random.default_rng(s)
        D = rng.standard_normal((30, 15)) / 3
        z_true = np.where(rng.uniform(size=15) < 0.3, 3 * rng.normal(size=15), 0.0)
        x = 3 * D @ z_true + 0.1 * rng.standard_normal(30)
        z = factor.ista(D, x, 0.3, 3000)
        gradient = D.T @ (x - D @ z)
        on = z != 0
        residual = max(
            float(np.max(np.abs(gradient[on] - 0.3 * np.sign(z[on])), initial=0.0)),
            float(np.max(np.abs(gradient[~on]) - 0.3, initial=0.0)),
        )
        residuals.append(residual)
    summary("reference, KKT residual", residuals, 1e-6, True)


def main(n_seeds=30):
    start = time.perf_counter()
    seeds = list(range(n_seeds))
    with threadpool_limits(1):
        fastica(seeds)
        factor_analysis(seeds)
        dictionary(seeds)
        ista(seeds)
    print(f"done in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
