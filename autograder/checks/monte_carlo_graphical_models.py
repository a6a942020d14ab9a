"""Checks for module 17, Monte Carlo methods and graphical models.

Every exercise has a visible ``<name>_basic(...)`` check and a hidden ``<name>_hidden(...)``
check. Exact answers (posteriors, factor sizes, importance weights, free energies,
diagnostics, NCE and score-matching fits) are compared with the check's own brute-force
enumeration or closed form. Samplers are judged statistically, on chains the learner's
code draws from the check's seeds: each statistic must lie within ``Z`` standard errors of
its exact value, the standard error taken from the statistic's own variance and, for a
Markov chain, its effective sample size (Geyer's initial positive sequence, computed here).
benchmarks/monte_carlo_graphical_models_calibration.py shows that a correct sampler fails
far less than once in 10,000 runs and that each named mistake fails every time. Nothing
here uses dlkit, torch or the learner's other answers.
"""

import string
from itertools import product

import numpy as np
import scipy.integrate
import scipy.optimize
import scipy.special

from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_number,
    expect_reproducible,
    show,
    unpack,
)

#: Standard errors allowed for a statistical comparison (a Gaussian statistic passes
#: with probability 1 - 2e-9; the calibration script measures the real tails).
Z = 6.0


def _expect_returns(fn, name, args, expected, hint, mistakes, rtol=1e-6, atol=1e-9):
    """Call the learner's ``fn(*args)`` and compare with ``expected``, naming mistakes."""
    result, text = call(fn, name, *args, hint=hint)
    expect_close(result, expected, text, hint, rtol=rtol, atol=atol, mistakes=mistakes)


# ---------------------------------------------------------------------------
# Shared statistics: the effective sample size and ESS-aware z-scores
# ---------------------------------------------------------------------------


def _geyer_ess(x):
    """ESS = n / tau of a 1-D series: autocovariances with 1/n at every lag, pair sums
    P_m = rho_2m + rho_2m+1 kept up to the first P_m <= 0, tau = -1 + 2 sum P_m."""
    x = np.asarray(x, dtype=float)
    n = x.size
    d = x - x.mean()
    f = np.fft.rfft(d, 2 * n)
    gamma = np.fft.irfft(f * np.conj(f), 2 * n)[:n] / n
    if not gamma[0] > 0:
        return 0.0
    rho = gamma / gamma[0]
    m = n // 2
    pairs = rho[: 2 * m].reshape(m, 2).sum(axis=1)
    bad = np.flatnonzero(pairs <= 0)
    tau = -1.0 + 2.0 * pairs[: bad[0] if bad.size else m].sum()
    return float(n / max(tau, 1e-12))


def _chain_z(series, expected):
    """(sample mean, its ESS-aware standard error, z) of a series whose mean should be
    ``expected``; a constant or non-finite series gets z = inf."""
    series = np.asarray(series, dtype=float)
    if not np.all(np.isfinite(series)) or np.ptp(series) == 0:
        return float(np.mean(series)), 0.0, np.inf
    se = np.sqrt(series.var() / _geyer_ess(series))
    mean = float(series.mean())
    return mean, float(se), abs(mean - expected) / se


def _expect_statistic(series, expected, text, what, hint, mistakes=(), z=Z):
    """The mean of ``series`` within z ESS-aware standard errors of ``expected``; else a
    failure naming the first mistake (expected value, message) the mean agrees with."""
    mean, se, score = _chain_z(series, expected)
    if score <= z:
        return
    for wrong, message in mistakes:
        if se > 0 and abs(mean - wrong) <= z * se:
            hint = message
            break
    raise CheckFailed(
        f"{text}: the {what} is {mean:.4g}, expected {expected:.4g} ± {z * se:.2g} "
        f"({z:g} standard errors, from the chain's effective sample size); hint: {hint}"
    )


# ---------------------------------------------------------------------------
# Exercise 1 · mc-enumerate · reference: dk.inference.bayes_net_posterior
# ---------------------------------------------------------------------------

_ENUM_HINT = (
    "multiply the CPTs into the joint p(x) = prod_i p(x_i | parents), keep only the "
    "assignments that agree with the evidence, sum out every other variable, and divide by "
    "the total, P(evidence)"
)


def _letters(names):
    return dict(zip(names, string.ascii_letters))


def _bn_joint(parents, cpts, child_first=False):
    """(names, joint table) of a Bayesian network by one einsum over its CPTs."""
    names = list(cpts)
    letter = _letters(names)
    terms, tables = [], []
    for child in names:
        table = np.asarray(cpts[child], dtype=float)
        if child_first and parents[child]:
            table = np.moveaxis(table, 0, -1)  # what reading cpt[child, parents...] computes
        terms.append("".join(letter[v] for v in [*parents[child], child]))
        tables.append(table)
    out = "".join(letter[v] for v in names)
    return names, np.einsum(",".join(terms) + "->" + out, *tables)


def _condition(names, joint, query, evidence, normalise=True):
    index = tuple(evidence.get(v, slice(None)) for v in names)
    kept = [v for v in names if v not in evidence]
    reduced = joint[index]
    others = tuple(i for i, v in enumerate(kept) if v != query)
    marginal = reduced.sum(axis=others)
    return marginal / marginal.sum() if normalise else marginal


def _enumeration_case(fn, parents, cpts, query, evidence):
    names, joint = _bn_joint(parents, cpts)
    expected = _condition(names, joint, query, evidence)
    mistakes = [
        (
            lambda: _condition(names, joint, query, evidence, normalise=False),
            "evidence not renormalised: divide by P(evidence), the sum of what is left, so "
            "that the posterior sums to 1",
        ),
        (
            lambda: _condition(names, joint, query, {}),
            "that is the prior marginal P(query): the evidence was summed out instead of "
            "fixed at its observed values",
        ),
    ]
    if len({np.shape(t)[-1] for t in cpts.values()}) == 1:
        mistakes.append(
            (
                lambda: _condition(*_bn_joint(parents, cpts, child_first=True), query, evidence),
                "CPT axis order: the parents come first and the child is the LAST axis, "
                "cpts[x][parent_1, ..., parent_m, x]",
            )
        )
    _expect_returns(
        fn,
        "posterior_by_enumeration",
        (parents, cpts, query, evidence),
        expected,
        _ENUM_HINT,
        mistakes,
    )


def _sprinkler():
    """cloudy -> sprinkler, cloudy -> rain, (sprinkler, rain) -> wet -> slippery."""
    parents = {
        "cloudy": [],
        "sprinkler": ["cloudy"],
        "rain": ["cloudy"],
        "wet": ["sprinkler", "rain"],
        "slippery": ["wet"],
    }
    cpts = {
        "cloudy": np.array([0.5, 0.5]),
        "sprinkler": np.array([[0.5, 0.5], [0.9, 0.1]]),
        "rain": np.array([[0.8, 0.2], [0.2, 0.8]]),
        "wet": np.array([[[1.0, 0.0], [0.1, 0.9]], [[0.1, 0.9], [0.01, 0.99]]]),
        "slippery": np.array([[0.95, 0.05], [0.3, 0.7]]),
    }
    return parents, cpts


def _random_network(rng, names, parent_sets, states):
    """Random CPTs (Dirichlet rows) for a DAG given by parent lists."""
    parents = dict(zip(names, parent_sets))
    cpts = {}
    for name in names:
        shape = tuple(states[p] for p in parents[name]) + (states[name],)
        cpts[name] = rng.dirichlet(np.ones(states[name]), size=shape[:-1]).reshape(shape)
    return parents, cpts


def enumeration_basic(fn):
    """The sprinkler network: P(rain | wet grass)."""
    parents, cpts = _sprinkler()
    _enumeration_case(fn, parents, cpts, "rain", {"wet": 1})


def enumeration_hidden(fn):
    """Explaining away, no evidence, a descendant's evidence, 3-state variables, a random
    six-node network."""
    parents, cpts = _sprinkler()
    _enumeration_case(fn, parents, cpts, "sprinkler", {"wet": 1, "rain": 1})
    _enumeration_case(fn, parents, cpts, "cloudy", {"slippery": 1})
    _enumeration_case(fn, parents, cpts, "wet", {})
    rng = np.random.default_rng(1701)
    names = ["a", "b", "c", "d", "e", "f"]
    sets = [[], ["a"], ["a"], ["b", "c"], ["c"], ["d", "e"]]
    states = {"a": 2, "b": 3, "c": 2, "d": 3, "e": 2, "f": 2}
    parents, cpts = _random_network(rng, names, sets, states)
    _enumeration_case(fn, parents, cpts, "b", {"f": 1, "e": 0})
    _enumeration_case(fn, parents, cpts, "d", {"a": 1})
    states = dict.fromkeys(names, 2)
    parents, cpts = _random_network(rng, names, sets, states)
    _enumeration_case(fn, parents, cpts, "a", {"f": 0})


# ---------------------------------------------------------------------------
# Exercise 2 · mc-variable-elimination · reference: dk.inference.variable_elimination
# ---------------------------------------------------------------------------

_VE_HINT = (
    "reduce every factor by the evidence first; then for each variable of the order "
    "multiply ALL the factors that contain it, sum it out of the product and put the result "
    "back; finally multiply what is left and normalise"
)


def _mrf_joint(factors):
    names = list(dict.fromkeys(v for scope, _ in factors for v in scope))
    letter = _letters(names)
    terms = ["".join(letter[v] for v in scope) for scope, _ in factors]
    out = "".join(letter[v] for v in names)
    return names, np.einsum(",".join(terms) + "->" + out, *(t for _, t in factors))


def _product(factors):
    names, table = _mrf_joint(factors) if factors else ([], np.array(1.0))
    return names, table


def _eliminate(factors, order, query, evidence, sum_first=False, reduce_first=True):
    """The check's own elimination, with the classic mistakes as switches; returns
    (unnormalised result over the query, sizes of the products)."""

    def reduce(scope, table):
        index = tuple(evidence.get(v, slice(None)) for v in scope)
        return [v for v in scope if v not in evidence], np.asarray(table)[index]

    pool = [reduce(s, t) if reduce_first else (list(s), np.asarray(t)) for s, t in factors]
    order = list(order) if reduce_first else list(order) + list(evidence)
    sizes = []
    for name in order:
        touching = [f for f in pool if name in f[0]]
        pool = [f for f in pool if name not in f[0]]
        if name in evidence:  # reduce late: keep the observed state only
            scope, table = _product(touching)
            sizes.append(len(scope))
            axis = scope.index(name)
            pool.append((scope[:axis] + scope[axis + 1 :], np.take(table, evidence[name], axis)))
            continue
        if sum_first:
            for scope, table in touching:
                axis = scope.index(name)
                pool.append((scope[:axis] + scope[axis + 1 :], table.sum(axis=axis)))
            sizes.append(max((len(s) for s, _ in touching), default=1))
            continue
        scope, table = _product(touching)
        sizes.append(len(scope))
        axis = scope.index(name)
        pool.append((scope[:axis] + scope[axis + 1 :], table.sum(axis=axis)))
    scope, table = _product([f for f in pool if f[0]])
    constant = np.prod([float(t) for s, t in pool if not s]) if pool else 1.0
    sizes.append(len(scope))
    return np.asarray(table, dtype=float) * constant, sizes


def _normalised(table):
    return table / table.sum()


def _ve_case(fn, factors, order, query, evidence):
    """``factors`` as (variables, table) pairs here; the learner gets a dict of them, named
    by their variables ("x0,x1": (["x0", "x1"], table))."""
    given = {",".join(scope): (list(scope), table) for scope, table in factors}
    names, joint = _mrf_joint(factors)
    expected = _condition(names, joint, query, evidence)
    _, sizes = _eliminate(factors, order, query, evidence)
    result, text = call(fn, "variable_elimination", given, order, query, evidence, hint=_VE_HINT)
    probs, size = unpack(result, text, ("probs", "max_factor_size"))
    unnormalised = _condition(names, joint, query, evidence, normalise=False)
    expect_close(
        probs,
        expected,
        f"{text}[0] (probs)",
        _VE_HINT,
        rtol=1e-6,
        atol=1e-9,
        mistakes=[
            (unnormalised, "evidence not renormalised: divide by the sum so that it sums to 1"),
            (
                lambda: _normalised(_eliminate(factors, order, query, evidence, True)[0]),
                "summing before multiplying: multiply all the factors that contain the "
                "variable first, then sum it out of the product",
            ),
        ],
    )
    size = as_number(size, f"{text}[1] (max_factor_size)", "return an integer")
    mistakes = [
        (
            max(_eliminate(factors, order, query, evidence, reduce_first=False)[1]),
            "evidence not reduced first: fix the observed variables in every factor before "
            "eliminating, so that they never enter a product",
        ),
        (
            max([s - 1 for s in sizes[:-1]] + [sizes[-1]]),
            "count the variables of the product, before the variable is summed out",
        ),
        (2.0 ** max(sizes), "count variables, not table entries"),
    ]
    expected_size = max(sizes)
    if size != expected_size:
        hint = next(
            (m for wrong, m in mistakes if wrong == size and wrong != expected_size),
            "the size is the number of variables of the largest product you form",
        )
        raise CheckFailed(
            f"{text}[1] (max_factor_size) returned {show(size)}, expected {expected_size}; "
            f"hint: {hint}"
        )


def _chain(rng, n, states=2):
    return [([f"x{i}", f"x{i + 1}"], rng.uniform(0.2, 2.0, (states, states))) for i in range(n - 1)]


def variable_elimination_basic(fn):
    """A chain x0 - ... - x4 eliminated from the far end: products of 2 variables."""
    factors = _chain(np.random.default_rng(1702), 5)
    _ve_case(fn, factors, ["x0", "x1", "x2", "x3"], "x4", {})


def variable_elimination_hidden(fn):
    """The chain in a bad order (products of 3), evidence, a 3 x 3 grid, a Bayesian network
    with unary factors and 3-state variables."""
    rng = np.random.default_rng(1703)
    factors = _chain(rng, 6)
    _ve_case(fn, factors, ["x2", "x3", "x1", "x4", "x0"], "x5", {})
    _ve_case(fn, factors, ["x0", "x1", "x3", "x4"], "x5", {"x2": 1})
    grid = []
    for r, c in product(range(3), range(3)):
        if c < 2:
            grid.append(([f"{r}{c}", f"{r}{c + 1}"], np.exp(rng.normal(0, 0.7, (2, 2)))))
        if r < 2:
            grid.append(([f"{r}{c}", f"{r + 1}{c}"], np.exp(rng.normal(0, 0.7, (2, 2)))))
        grid.append(([f"{r}{c}"], np.exp(rng.normal(0, 0.5, 2))))
    order = ["00", "01", "02", "10", "12", "20", "21"]
    _ve_case(fn, grid, order, "11", {"22": 0})
    parents, cpts = _random_network(
        rng, ["a", "b", "c", "d"], [[], ["a"], ["a", "b"], ["c"]], {"a": 3, "b": 2, "c": 3, "d": 2}
    )
    factors = [([*parents[v], v], cpts[v]) for v in cpts]
    _ve_case(fn, factors, ["a", "c"], "b", {"d": 1})


# ---------------------------------------------------------------------------
# Exercise 3 · mc-variance-reduction · reference: dk.sampling.exp_uniform_estimators
# ---------------------------------------------------------------------------

_E = np.e
_B_OPT = 12.0 * (1.0 - (_E - 1.0) / 2.0)  # Cov(e^U, U) / Var(U)


def _moments(g):
    """(mean, variance, fourth central moment) of g(U), U ~ U(0, 1), by quadrature."""
    mean = scipy.integrate.quad(g, 0, 1)[0]
    var = scipy.integrate.quad(lambda u: (g(u) - mean) ** 2, 0, 1)[0]
    m4 = scipy.integrate.quad(lambda u: (g(u) - mean) ** 4, 0, 1)[0]
    return mean, var, m4


def _estimator_exact():
    """Per method: (variance per evaluation, its standard error factor with m terms)."""
    _, var_f, m4_f = _moments(np.exp)
    _, var_g, m4_g = _moments(lambda u: 0.5 * (np.exp(u) + np.exp(1 - u)))
    _, var_z, m4_z = _moments(lambda u: np.exp(u) - _B_OPT * (u - 0.5))
    _, var_wrong, _ = _moments(lambda u: np.exp(u) + _B_OPT * (u - 0.5))
    return {
        "plain": (var_f, np.sqrt(m4_f - var_f**2), 1.0),
        "antithetic": (2 * var_g, 2 * np.sqrt(m4_g - var_g**2), 0.5),
        "control": (var_z, np.sqrt(m4_z - var_z**2), 1.0),
        "wrong_sign": var_wrong,
        "pair_as_one": var_g,
    }


_MC_HINT = (
    "plain: mean and var(ddof=1) of f = exp(u) over n uniforms; antithetic: n/2 uniforms, "
    "g = (exp(u) + exp(1 - u)) / 2, variance per evaluation 2 var(g); control: "
    "z = f - b (u - 1/2) with b = Cov(f, u) / Var(u), variance var(z)"
)


def _mc_case(fn, n, seed):
    result, text = call(fn, "mc_estimators", n, seed, hint=_MC_HINT)
    keys = ("plain", "antithetic", "control")
    expect(
        isinstance(result, dict) and set(result) == set(keys),
        f"{text} returned {show(result)}, expected a dict with keys plain, antithetic, control; "
        "hint: return {'plain': (est, var), 'antithetic': (est, var), 'control': (est, var)}",
    )
    exact = _estimator_exact()
    for key in keys:
        estimate, variance = unpack(result[key], f"{text}['{key}']", ("estimate", "variance"))
        label = f"{text}['{key}']"
        estimate = as_number(estimate, f"{label}[0]")
        variance = as_number(variance, f"{label}[1]")
        var, se_factor, fraction = exact[key]
        terms = n * fraction  # uniforms drawn: n, or n / 2 antithetic pairs
        se_var = se_factor / np.sqrt(terms)
        if not abs(variance - var) <= Z * se_var:
            hint = _MC_HINT
            if 0 < variance < var / 100:
                hint = (
                    "report the variance of ONE evaluation (var(f), not var(f) / n): the "
                    "check compares methods at the same cost"
                )
            elif key == "antithetic" and abs(variance - exact["pair_as_one"]) <= Z * se_var / 2:
                hint = (
                    "the antithetic pair counted as one evaluation: a pair costs two function "
                    "evaluations, so the variance per evaluation is 2 var(g)"
                )
            elif key == "control" and abs(variance - exact["wrong_sign"]) <= 0.1:
                hint = (
                    "the control variate's coefficient has the wrong sign: subtract "
                    "b (u - 1/2) with b = Cov(f, u) / Var(u) > 0"
                )
            raise CheckFailed(
                f"{label}[1]: the variance per evaluation is {variance:.5g}, expected "
                f"{var:.5g} ± {Z * se_var:.2g} ({Z:g} standard errors); hint: {hint}"
            )
        se = np.sqrt(var / n)
        if not abs(estimate - (_E - 1)) <= Z * se:
            hint = _MC_HINT
            shifted = [(_E - 1) - _B_OPT * 0.5, (_E - 1) + _B_OPT * 0.5]
            if key == "control" and any(abs(estimate - s) <= Z * se for s in shifted):
                hint = (
                    "the control variate is centred on the wrong E[U]: subtract its exact "
                    "mean, b (u - 1/2), so that the correction has mean 0"
                )
            raise CheckFailed(
                f"{label}[0]: the estimate is {estimate:.6g}, expected e - 1 = {_E - 1:.6g} "
                f"± {Z * se:.2g} ({Z:g} standard errors); hint: {hint}"
            )


def mc_estimators_basic(fn):
    """n = 10,000 evaluations each, seed 0."""
    _mc_case(fn, 10_000, 0)


def mc_estimators_hidden(fn):
    """Other seeds and sizes; the same seed gives the same numbers, another seed others."""
    _mc_case(fn, 40_000, 17)
    _mc_case(fn, 2_000, 5)
    expect_reproducible(fn, "mc_estimators", (1_000,), 3, hint=_MC_HINT)


# ---------------------------------------------------------------------------
# Exercise 4 · mc-importance · reference: dk.sampling.snis
# ---------------------------------------------------------------------------

_SNIS_HINT = (
    "log w = log_p_tilde - log_q; subtract max(log w) before exponentiating; normalise the "
    "weights to sum to 1; estimate = sum(wbar * f); ESS = 1 / sum(wbar**2)"
)


def _snis_case(fn, f_vals, log_p, log_q):
    log_w = log_p - log_q
    wbar = scipy.special.softmax(log_w)
    estimate, ess = float(wbar @ f_vals), float(1.0 / np.sum(wbar**2))
    result, text = call(fn, "snis", f_vals, log_p, log_q, hint=_SNIS_HINT)
    got_estimate, got_ess = unpack(result, text, ("estimate", "ess"))
    overflow = "exp overflowed: subtract the largest log-weight before exponentiating"
    with np.errstate(all="ignore"):
        raw = np.exp(log_w)
        naive_estimate, naive_ess = raw @ f_vals / raw.sum(), raw.sum() ** 2 / np.sum(raw**2)
    flipped = scipy.special.softmax(-log_w)
    expect_number(
        got_estimate,
        estimate,
        f"{text}[0] (estimate)",
        _SNIS_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=[
            (naive_estimate, overflow),
            (
                lambda: np.mean(np.exp(log_w) * f_vals),
                "not self-normalised: the target is unnormalised (its Z is unknown), so divide "
                "by the sum of the weights instead of by n",
            ),
            (flipped @ f_vals, "the weights are p / q, not q / p: log w = log_p - log_q"),
        ],
    )
    expect_number(
        got_ess,
        ess,
        f"{text}[1] (ESS)",
        _SNIS_HINT,
        rtol=1e-7,
        mistakes=[
            (naive_ess, overflow),
            (1.0 / ess, "the ESS formula is inverted: ESS = (sum w)**2 / sum w**2 >= 1"),
            (
                lambda: 1.0 / np.sum(np.exp(log_w) ** 2),
                "normalise the weights before ESS = 1 / sum(wbar**2)",
            ),
            (1.0 / np.sum(flipped**2), "the weights are p / q, not q / p"),
        ],
    )


def _gaussian_draws(rng, n, q_mu, q_sd):
    x = rng.normal(q_mu, q_sd, n)
    log_q = -0.5 * ((x - q_mu) / q_sd) ** 2 - np.log(q_sd * np.sqrt(2 * np.pi))
    return x, log_q


def snis_basic(fn):
    """200 draws from N(0, 2^2) for the unnormalised target exp(-(x - 1)^2 / (2 0.5^2)), f = x."""
    x, log_q = _gaussian_draws(np.random.default_rng(1704), 200, 0.0, 2.0)
    _snis_case(fn, x, -0.5 * ((x - 1.0) / 0.5) ** 2, log_q)


def snis_hidden(fn):
    """Log-weights near 1000 (overflow), a narrow proposal (ESS << n), equal weights
    (ESS = n), f = x^2, integer f-values."""
    rng = np.random.default_rng(1705)
    x, log_q = _gaussian_draws(rng, 500, 0.0, 1.0)
    _snis_case(fn, x**2, 1000.0 - 0.5 * ((x - 0.5) / 0.8) ** 2, log_q)
    x, log_q = _gaussian_draws(rng, 300, 2.0, 0.3)
    _snis_case(fn, np.sin(x), -0.5 * x**2, log_q)
    _snis_case(fn, rng.normal(size=50), np.zeros(50), np.zeros(50))
    x, log_q = _gaussian_draws(rng, 100, -1.0, 1.5)
    _snis_case(fn, (x > 0).astype(int), -800.0 - np.abs(x), log_q)


# ---------------------------------------------------------------------------
# Exercise 5 · mc-metropolis · reference: dk.sampling.rw_metropolis_mixture, dk.sampling.mh_gamma
# ---------------------------------------------------------------------------

_RW_HINT = (
    "propose x' = x + step * rng.normal(); accept when log(u) < log p(x') - log p(x) with "
    "u = rng.uniform(); on a rejection the chain stays at x: append x again"
)
_GAMMA_HINT = (
    "propose x' = x * exp(s * rng.normal()); this proposal is asymmetric, so accept when "
    "log(u) < log p(x') - log p(x) + log(x' / x) (the Hastings ratio q(x | x') / q(x' | x))"
)


def _mixture_log_p(x, weights, means, sds):
    z = (np.asarray(x, float)[:, None] - means) / sds
    return scipy.special.logsumexp(np.log(weights) - np.log(sds) - 0.5 * z**2, axis=1)


def _chain_and_rate(fn, name, args, n, x0, hint):
    """The learner's (chain (n,), accept_rate), with the chain's bookkeeping verified."""
    result, text = call(fn, name, *args, hint=hint)
    chain, rate = unpack(result, text, ("chain", "accept_rate"))
    chain = as_float_array(chain, f"{text}[0] (chain)")
    if chain.ndim == 1 and chain.size == n + 1:
        raise CheckFailed(
            f"{text}[0] (chain) has {n + 1} states, expected {n}; hint: the chain holds the "
            "state after each of the n steps: leave x0 out"
        )
    if chain.ndim == 1 and chain.size < n:
        raise CheckFailed(
            f"{text}[0] (chain) has {chain.size} states, expected {n}; hint: the old state "
            "was kept out of the chain on rejection: a rejected proposal still counts as a "
            "step, and the chain repeats the current state"
        )
    expect(
        chain.shape == (n,),
        f"{text}[0] (chain) has shape {chain.shape}, expected ({n},); hint: one state per step",
    )
    rate = as_number(rate, f"{text}[1] (accept_rate)")
    expect(
        0.0 <= rate <= 1.0 and np.all(np.isfinite(chain)),
        f"{text}: accept_rate {rate:.4g} must be a fraction in [0, 1] and the chain finite; "
        f"hint: {hint}",
    )
    stays = int(chain[0] == x0) + int(np.sum(chain[1:] == chain[:-1]))
    rejected = n - rate * n
    if stays == 0 and rate < 0.999:
        raise CheckFailed(
            f"{text}: the chain never repeats a state, yet the acceptance rate is {rate:.3f}; "
            "hint: the old state was kept out of the chain on rejection: when a proposal is "
            "rejected the chain stays put, so append the current state again"
        )
    expect(
        abs(stays - rejected) <= 1.5,
        f"{text}: the chain stays put {stays} times but accept_rate = {rate:.4g} says "
        f"{rejected:.0f} proposals were rejected; hint: accept_rate = accepted / n, and each "
        "rejection repeats the current state",
    )
    return chain, rate, text


def _rw_case(fn, weights, means, sds, x0, n, step, seed, moments=True):
    weights, means, sds = (np.asarray(a, dtype=float) for a in (weights, means, sds))
    args = (weights, means, sds, x0, n, step, seed)
    chain, rate, text = _chain_and_rate(fn, "rw_metropolis", args, n, x0, _RW_HINT)
    mean = float(weights @ means)
    second = float(weights @ (sds**2 + means**2))
    spread = np.sqrt(second - mean**2)
    if np.max(np.abs(chain - mean)) > 30 * spread:
        raise CheckFailed(
            f"{text}: the chain runs away from the target (it reaches "
            f"{show(chain[np.argmax(np.abs(chain))])}); hint: the acceptance ratio is "
            "inverted: accept with min(1, p(x') / p(x)), the proposal's density over the "
            "current state's"
        )
    moved = np.flatnonzero(chain[1:] != chain[:-1]) + 1
    log_p = _mixture_log_p(chain, weights, means, sds)
    if moved.size and np.all(log_p[moved] >= log_p[moved - 1]):
        raise CheckFailed(
            f"{text}: the chain never accepts a move to a lower density; hint: compare log(u) "
            "with log p(x') - log p(x) (or u itself with the ratio p(x') / p(x)): comparing u "
            "with the log-ratio never accepts a step downhill"
        )
    if not moments:
        return rate
    what = "target mixture"
    _expect_statistic(chain, mean, text, f"chain's mean (the {what}'s mean)", _RW_HINT)
    _expect_statistic(chain**2, second, text, f"chain's mean of x**2 (the {what}'s)", _RW_HINT)
    return rate


def _gamma_case(fn, shape, rate, x0, n, s, seed):
    chain, _, text = _chain_and_rate(
        fn, "mh_gamma", (shape, rate, x0, n, s, seed), n, x0, _GAMMA_HINT
    )
    expect(
        np.all(chain > 0),
        f"{text}: the chain leaves x > 0; hint: x' = x * exp(s * z) is always positive",
    )
    _expect_statistic(
        chain,
        shape / rate,
        text,
        "chain's mean (Gamma's mean shape / rate)",
        _GAMMA_HINT,
        mistakes=[
            (
                (shape - 1) / rate,
                "no Hastings correction: the log-normal proposal is asymmetric, so add "
                "log(x' / x) to the log acceptance ratio (without it the chain samples "
                "Gamma(shape - 1, rate))",
            ),
            (
                (shape - 2) / rate,
                "the Hastings correction is inverted: add log(x' / x), not log(x / x') (the "
                "chain then samples Gamma(shape - 2, rate))",
            ),
        ],
    )
    _expect_statistic(
        np.log(chain),
        scipy.special.digamma(shape) - np.log(rate),
        text,
        "chain's mean of log x",
        _GAMMA_HINT,
    )


_MIXTURE = ([0.3, 0.7], [-2.0, 1.5], [0.7, 1.0])


def metropolis_basic(rw_metropolis, mh_gamma):
    """A two-component mixture (10,000 steps of width 2.5) and Gamma(3, 2) (s = 0.8)."""
    _rw_case(rw_metropolis, *_MIXTURE, 0.0, 10_000, 2.5, 0)
    _gamma_case(mh_gamma, 3.0, 2.0, 1.0, 10_000, 0.8, 0)


def metropolis_hidden(rw_metropolis, mh_gamma):
    """A three-component mixture, acceptance falling as the step grows, Gamma(0.8, 1) and
    Gamma(6, 3), reproducible seeds."""
    _rw_case(rw_metropolis, [0.2, 0.5, 0.3], [-3.0, 0.0, 4.0], [0.5, 1.0, 0.8], 1.0, 12_000, 3.0, 7)
    narrow = _rw_case(rw_metropolis, *_MIXTURE, 0.0, 2_000, 0.5, 8, moments=False)
    wide = _rw_case(rw_metropolis, *_MIXTURE, 0.0, 2_000, 12.0, 9, moments=False)
    expect(
        narrow > wide,
        f"rw_metropolis accepted {narrow:.2f} of steps of width 0.5 but {wide:.2f} of width 12; "
        "hint: wide steps land in low density more often, so they are accepted less",
    )
    _gamma_case(mh_gamma, 0.8, 1.0, 0.5, 12_000, 1.5, 10)
    _gamma_case(mh_gamma, 6.0, 3.0, 2.0, 8_000, 0.5, 11)
    expect_reproducible(rw_metropolis, "rw_metropolis", (*_MIXTURE, 0.0, 200, 2.5), 4)
    expect_reproducible(mh_gamma, "mh_gamma", (3.0, 2.0, 1.0, 200, 0.8), 4)


# ---------------------------------------------------------------------------
# Exercise 6 · mc-gibbs · reference: dk.sampling.gibbs_bivariate_normal
# ---------------------------------------------------------------------------

_GIBBS_HINT = (
    "start at (0, 0); each sweep draws x = rho * y + sqrt(1 - rho**2) * z1 and then "
    "y = rho * x + sqrt(1 - rho**2) * z2 with the NEW x; store (x, y) after each sweep"
)


def _gibbs_case(fn, rho, n, seed):
    result, text = call(fn, "gibbs_bivariate_normal", rho, n, seed, hint=_GIBBS_HINT)
    chain = as_float_array(result, text)
    expect(
        chain.shape == (n, 2),
        f"{text} returned shape {chain.shape}, expected ({n}, 2); hint: one row (x, y) per sweep",
    )
    x, y = chain[:, 0], chain[:, 1]
    var_mistakes = [
        (
            1 - rho**2,
            "rng.normal takes the standard deviation: pass sqrt(1 - rho**2), the square root "
            "of the conditional variance 1 - rho**2",
        ),
        (1 / (1 - rho**2), "the conditional variance is 1 - rho**2, not 1"),
    ]
    _expect_statistic(x**2, 1.0, text, "mean of x**2 (Var x = 1)", _GIBBS_HINT, var_mistakes)
    _expect_statistic(y**2, 1.0, text, "mean of y**2 (Var y = 1)", _GIBBS_HINT, var_mistakes)
    _expect_statistic(
        x * y,
        rho,
        text,
        "mean of x * y (the correlation rho)",
        _GIBBS_HINT,
        [(0.0, "both coordinates were updated from the old state: draw y given the NEW x")],
    )
    _expect_statistic(
        x[1:] * x[:-1],
        rho**2,
        text,
        "lag-1 autocorrelation of x (rho**2 for this sampler)",
        _GIBBS_HINT,
    )


def gibbs_basic(fn):
    """rho = 0.8, 20,000 sweeps."""
    _gibbs_case(fn, 0.8, 20_000, 0)


def gibbs_hidden(fn):
    """Strong correlation (slow mixing), a negative rho, reproducible seeds."""
    _gibbs_case(fn, 0.95, 40_000, 1)
    _gibbs_case(fn, -0.5, 10_000, 2)
    expect_reproducible(fn, "gibbs_bivariate_normal", (0.5, 100), 3, hint=_GIBBS_HINT)


# ---------------------------------------------------------------------------
# Exercise 7 · mc-hmc · reference: dk.sampling.gaussian_leapfrog, dk.sampling.hmc_gaussian
# ---------------------------------------------------------------------------

_LEAPFROG_HINT = (
    "p -= eps/2 * A @ q; then L times: q += eps * p and p -= eps * A @ q, except that the "
    "last momentum step is a half step eps/2"
)
_HMC_HINT = (
    "each iteration: draw a fresh momentum p ~ N(0, I), run leapfrog(x, p, A, eps, L), "
    "accept when log(u) < H(x, p) - H(x', p') with H = q.A q / 2 + p.p / 2, otherwise stay"
)


def _leapfrog_map(A, eps, L, sign=1.0):
    """The 2d x 2d matrix of L leapfrog steps for U = q^T A q / 2 (unit mass)."""
    d = len(A)
    eye, S = np.eye(d), sign * A
    step = np.block(
        [[eye - eps**2 / 2 * S, eps * eye], [-eps * S + eps**3 / 4 * S @ S, eye - eps**2 / 2 * S]]
    )
    return np.linalg.matrix_power(step, L)


def _euler(q, p, A, eps, L, momentum_first=True):
    """Full momentum steps at both ends (symplectic Euler), the missing-half-steps mistake."""
    for _ in range(L):
        if momentum_first:
            p = p - eps * A @ q
        q = q + eps * p
        if not momentum_first:
            p = p - eps * A @ q
    return np.concatenate([q, p])


def _leapfrog_case(fn, q, p, A, eps, L):
    d = len(q)
    expected = _leapfrog_map(A, eps, L) @ np.concatenate([q, p])
    result, text = call(fn, "leapfrog", q, p, A, eps, L, hint=_LEAPFROG_HINT)
    got_q, got_p = unpack(result, text, ("q", "p"))
    got_q, got_p = as_float_array(got_q, f"{text}[0]"), as_float_array(got_p, f"{text}[1]")
    expect(
        got_q.shape == got_p.shape == (d,),
        f"{text} returned q of shape {got_q.shape} and p of shape {got_p.shape}, expected "
        f"({d},) each; hint: {_LEAPFROG_HINT}",
    )
    got = np.concatenate([got_q, got_p])
    no_half = (
        "a leapfrog without the half steps: the first and last momentum updates are half "
        "steps eps/2 (full steps make the energy error O(eps) and the map irreversible)"
    )
    mistakes = [
        (lambda: _euler(q, p, A, eps, L), no_half),
        (lambda: _euler(q, p, A, eps, L, momentum_first=False), no_half),
        (
            _leapfrog_map(A, eps, L, sign=-1.0) @ np.concatenate([q, p]),
            "the force is -grad U = -A q: the momentum moves downhill, p -= eps * A @ q",
        ),
    ]
    expect_close(
        got,
        expected,
        f"{text} (q and p joined)",
        _LEAPFROG_HINT,
        rtol=1e-7,
        atol=1e-10,
        mistakes=mistakes,
    )


def _hmc_case(fn, A, x0, n, eps, L, seed):
    A = np.asarray(A, dtype=float)
    d = len(A)
    result, text = call(fn, "hmc_gaussian", A, x0, n, eps, L, seed, hint=_HMC_HINT)
    chain, rate = unpack(result, text, ("chain", "accept_rate"))
    chain = as_float_array(chain, f"{text}[0] (chain)")
    expect(
        chain.shape == (n, d),
        f"{text}[0] (chain) has shape {chain.shape}, expected ({n}, {d}); hint: one row per "
        "iteration, the state after it (x0 left out; a rejection repeats the current state)",
    )
    rate = as_number(rate, f"{text}[1] (accept_rate)")
    stays = int(np.all(chain[0] == x0)) + int(np.sum(np.all(chain[1:] == chain[:-1], axis=1)))
    if stays == 0 and rate > 0.999:
        raise CheckFailed(
            f"{text}: every trajectory was accepted at eps = {eps}, where the leapfrog's energy "
            "error is large; hint: no accept/reject step: accept with probability "
            "min(1, exp(H_old - H_new)), otherwise keep the current state"
        )
    expect(
        abs(stays - (1 - rate) * n) <= 1.5,
        f"{text}: the chain stays put {stays} times but accept_rate = {rate:.4g}; hint: "
        "accept_rate = accepted / n, and a rejection repeats the current state",
    )
    if _follows_one_trajectory(chain, A, eps, L):
        raise CheckFailed(
            f"{text}: each accepted move continues the previous trajectory exactly; hint: "
            "the momentum is never redrawn: draw a fresh momentum p ~ N(0, I) at the start "
            "of every iteration (otherwise the chain stays on one energy level)"
        )
    cov = np.linalg.inv(A)
    for i in range(d):
        _expect_statistic(chain[:, i], 0.0, text, f"mean of x[{i}]", _HMC_HINT)
        for j in range(i, d):
            _expect_statistic(
                chain[:, i] * chain[:, j],
                cov[i, j],
                text,
                f"mean of x[{i}] * x[{j}] (entry ({i}, {j}) of the covariance inv(A))",
                _HMC_HINT + "; with full steps instead of leapfrog half steps, or without a "
                "fresh momentum each iteration, the chain samples the wrong distribution",
            )


def _follows_one_trajectory(chain, A, eps, L):
    """Whether most runs of two accepted moves are one leapfrog trajectory continued: the
    momentum implied by (x_t, x_t+1) predicts x_t+2 (never, with a fresh momentum)."""
    d = len(A)
    M = _leapfrog_map(A, eps, L)
    M11, M12, M21, M22 = M[:d, :d], M[:d, d:], M[d:, :d], M[d:, d:]
    moved = np.any(chain[1:] != chain[:-1], axis=1)
    both = np.flatnonzero(moved[:-1] & moved[1:])  # t with moves t -> t+1 -> t+2
    if both.size < 10:
        return False
    q0, q1, q2 = chain[both], chain[both + 1], chain[both + 2]
    with np.errstate(all="ignore"):
        p0 = np.linalg.solve(M12, (q1 - q0 @ M11.T).T).T  # momentum at the start of t
        p1 = q0 @ M21.T + p0 @ M22.T
        predicted = q1 @ M11.T + p1 @ M12.T
        close = np.all(np.abs(predicted - q2) <= 1e-6 * (1 + np.abs(q2)), axis=1)
    return bool(np.mean(close) > 0.5)


_A2 = np.array([[2.0, 0.8], [0.8, 1.0]])


def hmc_basic(leapfrog, hmc_gaussian):
    """One and five leapfrog steps in 2-D; 3,000 HMC iterations with eps = 1, L = 3."""
    _leapfrog_case(leapfrog, np.array([1.0, -0.5]), np.array([0.3, 0.8]), _A2, 0.1, 1)
    _leapfrog_case(leapfrog, np.array([1.0, -0.5]), np.array([0.3, 0.8]), _A2, 0.2, 5)
    _hmc_case(hmc_gaussian, _A2, np.zeros(2), 3_000, 1.0, 3, 0)


def hmc_hidden(leapfrog, hmc_gaussian):
    """Random 3-D precisions, long trajectories, reversibility, the energy error's order,
    reproducible seeds."""
    rng = np.random.default_rng(1707)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A3 = (Q * np.array([0.5, 1.5, 3.0])) @ Q.T
    q, p = rng.normal(size=3), rng.normal(size=3)
    _leapfrog_case(leapfrog, q, p, A3, 0.05, 40)
    _leapfrog_case(leapfrog, q, p, A3, 0.9, 2)
    result, text = call(leapfrog, "leapfrog", q, p, A3, 0.3, 10, hint=_LEAPFROG_HINT)
    q1, p1 = (as_float_array(v, text) for v in unpack(result, text, ("q", "p")))
    back, text_back = call(leapfrog, "leapfrog", q1, -p1, A3, 0.3, 10, hint=_LEAPFROG_HINT)
    q2, p2 = (as_float_array(v, text_back) for v in unpack(back, text_back, ("q", "p")))
    expect_close(
        np.concatenate([q2, -p2]),
        np.concatenate([q, p]),
        f"{text_back} (run back with the momentum negated)",
        "leapfrog is time-reversible: half steps at both ends make it so",
        atol=1e-9,
    )
    _hmc_case(hmc_gaussian, A3, np.array([1.0, -1.0, 0.5]), 3_000, 0.6, 5, 1)
    expect_reproducible(hmc_gaussian, "hmc_gaussian", (_A2, np.zeros(2), 20, 0.5, 3), 2)


# ---------------------------------------------------------------------------
# Exercise 8 · mc-diagnostics · reference: dk.sampling.ess, dk.sampling.split_rhat
# ---------------------------------------------------------------------------

_ESS_HINT = (
    "rho_k = gamma_k / gamma_0 with gamma_k = sum_t (x_t - mean)(x_t+k - mean) / n (1/n at "
    "every lag); pair sums P_m = rho_2m + rho_2m+1 up to the first P_m <= 0; "
    "tau = -1 + 2 sum P_m; ESS = n / tau"
)
_RHAT_HINT = (
    "cut each chain into its first and last n // 2 draws; W = mean of the halves' "
    "variances (ddof=1), B/h = variance of the halves' means (ddof=1); "
    "R-hat = sqrt(((h - 1) / h * W + B/h) / W)"
)


def _autocorrelations(x, unbiased=False):
    n = x.size
    d = x - x.mean()
    gamma = np.array([d[: n - k] @ d[k:] for k in range(n)])
    gamma = gamma / (n - np.arange(n)) if unbiased else gamma / n
    return gamma / gamma[0]


def _ess_variants(x):
    """The ESS mistakes' outputs on x: (value, message)."""
    n = x.size
    rho = _autocorrelations(x)
    m = n // 2
    pairs = rho[: 2 * m].reshape(m, 2).sum(axis=1)
    stop = np.flatnonzero(pairs <= 0)
    kept = pairs[: stop[0] if stop.size else m].sum()
    single = np.flatnonzero(rho < 0)
    tau_single = 1 + 2 * rho[1 : single[0] if single.size else n].sum()
    unbiased = _autocorrelations(x, unbiased=True)
    pairs_u = unbiased[: 2 * m].reshape(m, 2).sum(axis=1)
    stop_u = np.flatnonzero(pairs_u <= 0)
    with np.errstate(all="ignore"):
        return [
            (
                n / (1 + 2 * rho[1:].sum()),
                "summing every autocorrelation lag: the far lags are noise (and with 1/n they sum "
                "to -1/2 exactly); stop at the first pair sum P_m <= 0",
            ),
            (n / (2 * kept), "tau = -1 + 2 sum_m P_m (P_0 counts rho_0 = 1 once too often)"),
            (n * (-1 + 2 * kept), "ESS = n / tau, not n * tau"),
            (
                n / tau_single,
                "Geyer's rule cuts at the first negative PAIR sum rho_2m + rho_2m+1, not at the "
                "first negative rho_k",
            ),
            (
                n / (-1 + 2 * pairs_u[: stop_u[0] if stop_u.size else m].sum()),
                "divide every lag's sum by n (not by n - k)",
            ),
        ]


def _rhat(chains, split=True, ddof=1, root=True):
    if split:
        h = chains.shape[1] // 2
        chains = np.concatenate([chains[:, :h], chains[:, -h:]])
    h = chains.shape[1]
    W = chains.var(axis=1, ddof=ddof).mean()
    B_over_h = chains.mean(axis=1).var(ddof=ddof)
    ratio = ((h - 1) / h * W + B_over_h) / W
    return np.sqrt(ratio) if root else ratio


def _ess_case(fn, x):
    expected = _geyer_ess(x)
    result, text = call(fn, "ess", x, hint=_ESS_HINT)
    value = as_number(result, text)
    if np.isclose(value, expected, rtol=1e-6, atol=0.0):
        return
    if not np.isfinite(value) or abs(value) > 100 * x.size:
        raise CheckFailed(
            f"{text} returned {value:.6g}, expected {expected:.6g}; hint: " + _ess_variants(x)[0][1]
        )
    expect_number(value, expected, text, _ESS_HINT, rtol=1e-6, mistakes=_ess_variants(x))


def _rhat_case(fn, chains):
    mistakes = [
        (
            lambda: _rhat(chains, split=False),
            "R-hat without splitting: cut each chain in halves first, so "
            "that a chain that drifts disagrees with itself",
        ),
        (
            lambda: _rhat(chains, ddof=0),
            "use ddof=1 for the variances (of the draws and of the means)",
        ),
        (lambda: _rhat(chains, root=False), "R-hat is the square root of (var+ / W)"),
    ]
    result, text = call(fn, "split_rhat", chains, hint=_RHAT_HINT)
    expect_number(result, _rhat(chains), text, _RHAT_HINT, rtol=1e-6, mistakes=mistakes)


def _ar1(rng, phi, n):
    x = np.empty(n)
    x[0] = rng.normal() / np.sqrt(1 - phi**2)
    noise = rng.normal(size=n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return x


def diagnostics_basic(ess, split_rhat):
    """An AR(1) chain with phi = 0.6 (ESS about n / 4), four agreeing chains."""
    rng = np.random.default_rng(1708)
    _ess_case(ess, _ar1(rng, 0.6, 2_000))
    _rhat_case(split_rhat, rng.normal(size=(4, 500)))


def diagnostics_hidden(ess, split_rhat):
    """phi = 0.9, independent and anti-correlated draws (ESS > n), odd lengths; chains with
    shifted means (R-hat > 1.1) and chains that drift (only the split sees them)."""
    rng = np.random.default_rng(1709)
    x = _ar1(rng, 0.9, 5_001)
    _ess_case(ess, x)
    _ess_case(ess, rng.normal(size=1_000))
    _ess_case(ess, _ar1(rng, -0.5, 999))
    _ess_case(ess, np.cumsum(rng.normal(size=400)) + rng.normal(size=400) * 5)
    _rhat_case(split_rhat, rng.normal(size=(3, 301)) + np.array([[0.0], [0.0], [1.0]]))
    drift = rng.normal(size=(4, 400)) + np.linspace(-1.5, 1.5, 400)
    _rhat_case(split_rhat, drift)
    _rhat_case(split_rhat, rng.normal(size=(1, 40)))


# ---------------------------------------------------------------------------
# Exercise 9 · mc-rbm · reference: dk.sampling.rbm_free_energy, dk.sampling.rbm_log_likelihood
# ---------------------------------------------------------------------------

_F_HINT = (
    "F(v) = -v @ b - sum_j softplus(c_j + (v @ W)_j) row by row, with softplus(x) = "
    "np.logaddexp(0, x) (log(1 + exp(x)) overflows for large x)"
)
_LL_HINT = (
    "log p(v) = -F(v) - log Z; log Z = logsumexp over all 2**n_v visible states of -F(v) "
    "(or over the hidden states of c.h + sum_i softplus(b_i + (W h)_i))"
)


def _states(n):
    return np.array(list(product([0.0, 1.0], repeat=n)))


def _rbm_brute(V, W, b, c):
    """Free energies of V and log Z by summing exp(-E) over every joint state (v, h)."""
    n_v, n_h = W.shape
    H = _states(n_h)  # (2^n_h, n_h)
    neg_energy = (V @ b)[:, None] + (H @ c)[None, :] + V @ W @ H.T  # (n, 2^n_h)
    free = -scipy.special.logsumexp(neg_energy, axis=1)
    S = _states(n_v)
    all_neg = (S @ b)[:, None] + (H @ c)[None, :] + S @ W @ H.T
    return free, scipy.special.logsumexp(all_neg)


def _rbm_case(free_energy, log_likelihood, V, W, b, c):
    free, log_z = _rbm_brute(V, W, b, c)
    with np.errstate(all="ignore"):
        naive = -(V @ b) - np.log(1 + np.exp(V @ W + c)).sum(axis=1)
    overflow = "log(1 + exp(x)) overflows for large x: use np.logaddexp(0, x)"
    _expect_returns(
        free_energy,
        "rbm_free_energy",
        (V, W, b, c),
        free,
        _F_HINT,
        [
            (naive, overflow),
            (
                -free,
                "the energy's sign convention: F(v) = -b.v - sum_j softplus(...), the negative",
            ),
            (free + V @ b, "include the visible bias term -b.v"),
        ],
    )
    S = _states(W.shape[0])
    all_free = _rbm_brute(S, W, b, c)[0]
    expected = -free - log_z
    _expect_returns(
        log_likelihood,
        "rbm_log_likelihood",
        (V, W, b, c),
        expected,
        _LL_HINT,
        [
            (-free, "subtract log Z: -F(v) is only the unnormalised log-probability"),
            (
                -free - scipy.special.logsumexp(-free),
                "Z sums over all 2**n_v visible states, not over the rows of the data",
            ),
            (
                -free - scipy.special.logsumexp(S @ b),
                "Z sums over every joint state (v, h): marginalise the hidden units too "
                "(use exp(-F(v)) for each visible state)",
            ),
            (
                lambda: -free - np.log(np.sum(np.exp(-all_free))),
                "exp(-F) overflowed: compute log Z = logsumexp(-F) (subtract the maximum first)",
            ),
        ],
    )


def rbm_basic(rbm_free_energy, rbm_log_likelihood):
    """n_v = 6, n_h = 4, five data rows."""
    rng = np.random.default_rng(1710)
    W, b, c = rng.normal(0, 0.8, (6, 4)), rng.normal(0, 0.5, 6), rng.normal(0, 0.5, 4)
    V = (rng.uniform(size=(5, 6)) < 0.5).astype(float)
    _rbm_case(rbm_free_energy, rbm_log_likelihood, V, W, b, c)


def rbm_hidden(rbm_free_energy, rbm_log_likelihood):
    """Huge weights (overflow), more hidden than visible units, one row, every state."""
    rng = np.random.default_rng(1711)
    W, b, c = rng.normal(0, 300, (5, 3)), rng.normal(0, 100, 5), rng.normal(0, 100, 3)
    _rbm_case(rbm_free_energy, rbm_log_likelihood, _states(5)[::3], W, b, c)
    W, b, c = rng.normal(0, 1.0, (3, 7)), rng.normal(0, 0.5, 3), rng.normal(0, 0.5, 7)
    _rbm_case(rbm_free_energy, rbm_log_likelihood, _states(3), W, b, c)
    W, b, c = rng.normal(0, 0.5, (8, 2)), rng.normal(0, 0.5, 8), rng.normal(0, 0.5, 2)
    _rbm_case(rbm_free_energy, rbm_log_likelihood, np.ones((1, 8)), W, b, c)


# ---------------------------------------------------------------------------
# Exercise 10 · mc-cd-k · reference: dk.sampling.cd_k_gradient
# ---------------------------------------------------------------------------

_CD_HINT = (
    "P0 = sigmoid(c + V @ W) at the data; start the negative chain AT THE DATA, v = V, and "
    "take k Gibbs steps (h ~ Bernoulli(sigmoid(c + v @ W)), v ~ Bernoulli(sigmoid(b + h @ "
    "W.T))); Pk = sigmoid(c + v @ W); dW = (V.T @ P0 - v.T @ Pk) / n, db = mean(V - v), "
    "dc = mean(P0 - Pk)"
)


def _cd_statistics(S, W, c):
    """Per visible state: the flattened (v outer sigma(c + v W), v, sigma(c + v W)), and the
    same statistics' second moments when h is sampled (an upper bound on their variance)."""
    P = scipy.special.expit(S @ W + c)  # (2^n_v, n_h)
    outer = (S[:, :, None] * P[:, None, :]).reshape(len(S), -1)
    first = np.concatenate([outer, S, P], axis=1)
    second = np.concatenate([outer, S, P], axis=1)  # binary v, h: E[(v h)^2] = E[v h]
    return first, second


def _cd_expectation(V, W, b, c, k, start="data"):
    """The exact mean and standard error of a CD-k gradient, by the Markov chain on the
    2^n_v visible states (V's rows must be visible states)."""
    n_v, n_h = W.shape
    S, H = _states(n_v), _states(n_h)
    ph = scipy.special.expit(S @ W + c)  # (2^n_v, n_h)
    p_h = np.prod(np.where(H[None] == 1, ph[:, None], 1 - ph[:, None]), axis=2)  # p(h | v)
    pv = scipy.special.expit(H @ W.T + b)  # (2^n_h, n_v)
    p_v = np.prod(np.where(S[None] == 1, pv[:, None], 1 - pv[:, None]), axis=2)  # p(v | h)
    T = p_h @ p_v  # (2^n_v, 2^n_v) one Gibbs step
    index = (V @ (2 ** np.arange(n_v - 1, -1, -1))).astype(int)  # row of each data vector
    if start == "data":
        rows = np.eye(len(S))[index]
    else:  # uniform noise
        rows = np.full((len(V), len(S)), 1.0 / len(S))
    pi = rows @ np.linalg.matrix_power(T, k)  # (n, 2^n_v) law of v_k per row
    first, second = _cd_statistics(S, W, c)
    positive = first[index]
    neg_mean = pi @ first
    var_neg = pi @ second - neg_mean**2
    var_pos = positive * (1 - positive)
    var_pos[:, n_v * n_h : n_v * n_h + n_v] = 0.0  # the data's own v has no noise
    n = len(V)
    mean = (positive - neg_mean).mean(axis=0)
    se = np.sqrt(np.maximum((var_neg + var_pos).sum(axis=0), 1e-12)) / n
    return mean, se


def _cd_case(fn, V, W, b, c, k, seed):
    n_v, n_h = W.shape
    result, text = call(fn, "cd_k_gradient", V, W, b, c, k, seed, hint=_CD_HINT)
    dW, db, dc = unpack(result, text, ("dW", "db", "dc"))
    parts = []
    for name, value, shape in (("dW", dW, (n_v, n_h)), ("db", db, (n_v,)), ("dc", dc, (n_h,))):
        value = as_float_array(value, f"{text} ({name})")
        expect(
            value.shape == shape,
            f"{text}: {name} has shape {value.shape}, expected {shape}; hint: each gradient has "
            "the shape of its parameter",
        )
        parts.append(value.reshape(-1))
    got = np.concatenate(parts)
    expected, se = _cd_expectation(V, W, b, c, k)
    score = np.abs(got - expected) / se
    if np.all(score <= Z):
        return
    noise, _ = _cd_expectation(V, W, b, c, k, start="noise")
    one, _ = _cd_expectation(V, W, b, c, 1)
    hint = _CD_HINT
    if np.all(np.abs(got + expected) <= Z * se):
        hint = (
            "the sign: the gradient of the log-likelihood is data statistics minus model "
            "statistics (P0 terms minus Pk terms)"
        )
    elif k <= 2 and np.all(np.abs(got - noise) <= Z * se):
        hint = (
            "the negative phase starts from noise instead of the data: CD-k starts its Gibbs "
            "chain at the data rows V"
        )
    elif np.allclose(got[n_v * n_h :], 0.0):
        hint = "the bias gradients are missing: db = mean(V - v_k), dc = mean(P0 - Pk)"
    elif k > 1 and np.all(np.abs(got - one) <= Z * se):
        hint = "that is the CD-1 gradient: take k Gibbs steps before the negative statistics"
    elif np.all(np.abs(got / len(V) - expected) <= Z * se):
        hint = "average over the rows: divide the sums by n"
    worst = int(np.argmax(score))
    raise CheckFailed(
        f"{text}: the gradient's entry {worst} (dW, db, dc flattened and joined) is "
        f"{got[worst]:.4g}, expected {expected[worst]:.4g} ± {Z * se[worst]:.2g} ({Z:g} "
        f"standard errors of the exact CD-{k} expectation); hint: {hint}"
    )


def _cd_setup(seed):
    rng = np.random.default_rng(seed)
    W, b, c = rng.normal(0, 2.0, (4, 3)), rng.normal(0, 0.4, 4), rng.normal(0, 0.4, 3)
    data = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1], [1, 1, 1, 1]], dtype=float)
    return np.repeat(data, 5_000, axis=0), W, b, c  # (20000, 4)


def cd_k_basic(fn):
    """CD-1 on a tiny RBM (n_v = 4, n_h = 3), 4 data vectors repeated 5,000 times each."""
    _cd_case(fn, *_cd_setup(1717), 1, 0)


def cd_k_hidden(fn):
    """CD-2 and CD-50 (close to the exact log-likelihood gradient), reproducible seeds."""
    V, W, b, c = _cd_setup(1728)
    _cd_case(fn, V, W, b, c, 2, 1)
    _cd_case(fn, V, W, b, c, 50, 2)
    expect_reproducible(fn, "cd_k_gradient", (V[::250], W, b, c, 1), 3, hint=_CD_HINT)


# ---------------------------------------------------------------------------
# Exercise 11 · mc-nce · reference: dk.sampling.nce_loss, dk.sampling.fit_nce_gaussian
# ---------------------------------------------------------------------------

_NCE_HINT = (
    "s = log_pm - log_pn - log(k); loss = -(mean over data of log sigmoid(s) + k * mean over "
    "noise of log sigmoid(-s)); log sigmoid(s) = -np.logaddexp(0, -s) stays finite"
)
_FIT_HINT = (
    "write the NCE loss of log p_m(u) = -(u - mu)**2 / (2 exp(2 log_sd)) + c against the "
    "noise N(noise_mu, noise_sd**2), k = len(y) / len(x), and minimise it over "
    "(mu, log_sd, c), e.g. with scipy.optimize.minimize from the sample mean and log std"
)


def _log_sigmoid(z):
    return scipy.special.log_expit(z)


def _nce(pm_x, pm_y, pn_x, pn_y, k, log_k=True, noise_weight=None):
    shift = np.log(k) if log_k else 0.0
    weight = k if noise_weight is None else noise_weight
    return -(
        _log_sigmoid(pm_x - pn_x - shift).mean() + weight * _log_sigmoid(pn_y + shift - pm_y).mean()
    )


def _nce_loss_case(fn, pm_x, pm_y, pn_x, pn_y, k):
    expected = _nce(pm_x, pm_y, pn_x, pn_y, k)
    with np.errstate(all="ignore"):
        s_x, s_y = pm_x - pn_x - np.log(k), pm_y - pn_y - np.log(k)
        naive = -(
            np.log(1 / (1 + np.exp(-s_x))).mean() + k * np.log(1 - 1 / (1 + np.exp(-s_y))).mean()
        )
    mistakes = [
        (
            _nce(pm_x, pm_y, pn_x, pn_y, k, log_k=False),
            "log k forgotten: h = sigmoid(log p_m - log(k p_n))",
        ),
        (
            _nce(pm_x, pm_y, pn_x, pn_y, k, noise_weight=k * k),
            "the noise term is weighted by k twice: k * (mean over the k n noise draws) already "
            "counts each draw once per data point",
        ),
        (_nce(pm_x, pm_y, pn_x, pn_y, k, noise_weight=1.0), "the noise term carries the factor k"),
        (-expected, "return the loss to minimise: minus the log-likelihood of the labels"),
        (naive, "log sigmoid computed unstably: use -np.logaddexp(0, -s)"),
    ]
    result, text = call(fn, "nce_loss", pm_x, pm_y, pn_x, pn_y, k, hint=_NCE_HINT)
    expect_number(result, expected, text, _NCE_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


def _nce_gaussian(theta, x, y, noise_mu, noise_sd):
    """The NCE loss of log p_m(u) = -(u - mu)^2 / (2 sd^2) + c and its gradient in
    theta = (mu, log_sd, c), for data x (n,) and noise draws y (k n,)."""
    mu, log_sd, c = theta
    k = len(y) / len(x)
    precision = np.exp(-2 * log_sd)

    def logit(u):
        log_pn = -0.5 * ((u - noise_mu) / noise_sd) ** 2 - np.log(noise_sd * np.sqrt(2 * np.pi))
        return -0.5 * (u - mu) ** 2 * precision + c - log_pn - np.log(k)

    s_x, s_y = logit(x), logit(y)
    loss = -(_log_sigmoid(s_x).sum() + _log_sigmoid(-s_y).sum()) / len(x)
    g_x, g_y = -scipy.special.expit(-s_x) / len(x), scipy.special.expit(s_y) / len(x)
    grad = np.zeros(3)
    for u, g in ((x, g_x), (y, g_y)):  # d logit / d (mu, log_sd, c)
        grad += [g @ ((u - mu) * precision), g @ ((u - mu) ** 2 * precision), g.sum()]
    return loss, grad


def _fit_case(fn, x, y, noise_mu, noise_sd):
    start = np.array([x.mean(), np.log(x.std()), -np.log(x.std() * np.sqrt(2 * np.pi))])
    best = scipy.optimize.minimize(
        _nce_gaussian,
        start,
        args=(x, y, noise_mu, noise_sd),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-11, "maxiter": 1_000},
    ).x
    result, text = call(fn, "fit_nce_gaussian", x, y, noise_mu, noise_sd, hint=_FIT_HINT)
    got = np.array([as_number(v, text) for v in unpack(result, text, ("mu", "log_sd", "c"))])
    mistakes = [
        (
            start,
            "that is the maximum-likelihood fit (mean, log std, -log(std sqrt(2 pi))): NCE "
            "minimises the noise-contrastive loss, whose optimum differs on a finite sample",
        ),
        (
            np.array([best[0], np.exp(best[1]), best[2]]),
            "return log_sd, the logarithm of the standard deviation",
        ),
    ]
    expect_close(
        got, best, f"{text} (mu, log_sd, c)", _FIT_HINT, rtol=0.0, atol=2e-4, mistakes=mistakes
    )


def _nce_data(seed, n, k, mu=1.5, sd=0.7, noise_mu=1.0, noise_sd=2.0):
    rng = np.random.default_rng(seed)
    return rng.normal(mu, sd, n), rng.normal(noise_mu, noise_sd, k * n), noise_mu, noise_sd


def nce_basic(nce_loss, fit_nce_gaussian):
    """The loss on 100 data and 500 noise log-densities (k = 5); a Gaussian fit on 1,000 data."""
    rng = np.random.default_rng(1714)
    _nce_loss_case(
        nce_loss,
        rng.normal(size=100),
        rng.normal(size=500),
        rng.normal(size=100) - 1,
        rng.normal(size=500) - 1,
        5,
    )
    _fit_case(fit_nce_gaussian, *_nce_data(1715, 1_000, 5))


def nce_hidden(nce_loss, fit_nce_gaussian):
    """Extreme logits (log sigmoid's stability), k = 1 and 20, fits with other noise."""
    rng = np.random.default_rng(1716)
    _nce_loss_case(
        nce_loss,
        np.array([800.0, -800.0, 0.0]),
        np.array([-900.0, 700.0, 1.0] * 2),
        np.zeros(3),
        np.zeros(6),
        2,
    )
    _nce_loss_case(
        nce_loss,
        rng.normal(size=40),
        rng.normal(size=40),
        rng.normal(size=40),
        rng.normal(size=40),
        1,
    )
    _nce_loss_case(
        nce_loss,
        rng.normal(size=10),
        rng.normal(size=200),
        rng.normal(size=10),
        rng.normal(size=200),
        20,
    )
    _fit_case(
        fit_nce_gaussian, *_nce_data(1717, 2_000, 3, mu=-0.5, sd=1.5, noise_mu=0.0, noise_sd=3.0)
    )
    _fit_case(
        fit_nce_gaussian, *_nce_data(1718, 500, 10, mu=2.0, sd=0.4, noise_mu=2.0, noise_sd=1.0)
    )


# ---------------------------------------------------------------------------
# Exercise 12 · mc-score-matching · reference: dk.sampling.score_matching_fit (and _objective)
# ---------------------------------------------------------------------------

_SM_HINT = (
    "psi(x) = sum_j j theta_j x**(j-1) and psi'(x) = sum_j j (j-1) theta_j x**(j-2) "
    "(j = 1..K); J = mean(psi**2 / 2 + psi')"
)
_SM_FIT_HINT = (
    "J is quadratic in theta: J = theta.M theta / 2 + theta.v with M = mean of a a^T, "
    "a_j = j x**(j-1), and v_j = mean of j (j-1) x**(j-2); solve M theta = -v"
)


def _design(x, K):
    j = np.arange(1, K + 1)
    a = j * x[:, None] ** (j - 1)
    d2 = j * (j - 1) * x[:, None] ** np.maximum(j - 2, 0)
    return a, d2


def _sm_objective_case(fn, x, theta):
    a, d2 = _design(x, len(theta))
    psi, dpsi = a @ theta, d2 @ theta
    expected = float(np.mean(0.5 * psi**2 + dpsi))
    mistakes = [
        (np.mean(0.5 * psi**2 - dpsi), "the sign of psi': J = mean(psi**2 / 2 + psi')"),
        (
            np.mean(0.5 * psi**2),
            "add the psi' term (integration by parts replaces the unknown data score by it)",
        ),
        (np.mean(psi**2 + dpsi), "the square carries a factor 1/2: psi**2 / 2"),
    ]
    result, text = call(fn, "sm_objective", x, theta, hint=_SM_HINT)
    expect_number(result, expected, text, _SM_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


def _sm_fit_case(fn, x, K):
    a, d2 = _design(x, K)
    M, v = a.T @ a / len(x), d2.mean(axis=0)
    expected = np.linalg.lstsq(M, -v, rcond=None)[0]
    mistakes = [
        (-expected, "minimise: theta = -M^-1 v (the sign)"),
        (expected / 2, "J = theta.M theta / 2 + theta.v: its minimiser is -M^-1 v"),
    ]
    if K == 2:
        var1 = x.var(ddof=1)
        mistakes.append(
            (
                np.array([x.mean() / var1, -0.5 / var1]),
                "the minimiser uses the ddof=0 "
                "variance mean((x - mean)**2), like maximum likelihood",
            )
        )
    result, text = call(fn, "score_matching_fit", x, K, hint=_SM_FIT_HINT)
    expect_close(result, expected, text, _SM_FIT_HINT, rtol=1e-4, atol=1e-8, mistakes=mistakes)


def score_matching_basic(sm_objective, score_matching_fit):
    """A Gaussian model (K = 2) on 200 normal draws: the fit is the maximum-likelihood one."""
    rng = np.random.default_rng(1719)
    x = rng.normal(1.0, 2.0, 200)
    _sm_objective_case(sm_objective, x, np.array([0.25, -0.125]))
    _sm_fit_case(score_matching_fit, x, 2)


def score_matching_hidden(sm_objective, score_matching_fit):
    """Quartic models on bimodal data, K = 1..4, small samples."""
    rng = np.random.default_rng(1720)
    x = np.concatenate([rng.normal(-1.5, 0.5, 300), rng.normal(1.5, 0.5, 300)])
    _sm_objective_case(sm_objective, x, np.array([0.1, 2.0, 0.0, -0.5]))
    _sm_objective_case(sm_objective, rng.normal(size=7), np.array([1.0]))
    _sm_fit_case(score_matching_fit, x, 4)
    _sm_fit_case(score_matching_fit, rng.normal(3.0, 0.5, 30), 2)
    _sm_fit_case(score_matching_fit, rng.gamma(3.0, 1.0, 500), 4)
    _sm_fit_case(score_matching_fit, rng.normal(size=50), 1)
