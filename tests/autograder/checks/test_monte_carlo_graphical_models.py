"""The module-17 checks: the references, other correct answers and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py. The samplers' statistical
checks run on the check's fixed seeds, so every row here is deterministic; that a correct
sampler with other random draws passes (and each mutant fails) whatever the seed is shown
by benchmarks/monte_carlo_graphical_models_calibration.py.
"""

import math
from itertools import product

import numpy as np
import scipy.optimize
import scipy.special

from dlkit import inference, sampling

# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def variable_elimination_ref(factors, order, query, evidence):
    probs, size = inference.variable_elimination(factors, order, query, evidence)
    return probs, size


def gamma_ref(shape, rate, x0, n, s, seed):
    return sampling.mh_gamma(shape, rate, x0, n, s, seed)


def sm_objective_ref(x, theta):
    return sampling.score_matching_objective(x, theta)


REFERENCES = {
    "enumeration": (inference.bayes_net_posterior,),
    "variable_elimination": (variable_elimination_ref,),
    "mc_estimators": (sampling.exp_uniform_estimators,),
    "snis": (sampling.snis,),
    "metropolis": (sampling.rw_metropolis_mixture, gamma_ref),
    "gibbs": (sampling.gibbs_bivariate_normal,),
    "hmc": (sampling.gaussian_leapfrog, sampling.hmc_gaussian),
    "diagnostics": (sampling.ess, sampling.split_rhat),
    "rbm": (sampling.rbm_free_energy, sampling.rbm_log_likelihood),
    "cd_k": (sampling.cd_k_gradient,),
    "nce": (sampling.nce_loss, sampling.fit_nce_gaussian),
    "score_matching": (sm_objective_ref, sampling.score_matching_fit),
}


# ---------------------------------------------------------------------------
# Other correct answers: loops, other random draws, other conventions the prompts allow
# ---------------------------------------------------------------------------


def enumeration_loops(parents, cpts, query, evidence):
    """Sum over every joint assignment with itertools.product."""
    names = list(cpts)
    states = {v: np.shape(cpts[v])[-1] for v in names}
    result = np.zeros(states[query])
    for values in product(*(range(states[v]) for v in names)):
        x = dict(zip(names, values))
        if any(x[v] != e for v, e in evidence.items()):
            continue
        p = 1.0
        for v in names:
            p *= cpts[v][tuple(x[u] for u in parents[v]) + (x[v],)]
        result[x[query]] += p
    return result / result.sum()


def _mixture_log_p(weights, means, sds):
    """A fast scalar log-density of the mixture (math on floats), as a learner might write."""
    terms = [(math.log(w / s), m, s) for w, m, s in zip(weights, means, sds)]

    def log_p(x):
        logs = [c - 0.5 * ((x - m) / s) ** 2 for c, m, s in terms]
        top = max(logs)
        return top + math.log(sum(math.exp(v - top) for v in logs))

    return log_p


def rw_metropolis_loop(weights, means, sds, x0, n, step, seed):
    """One proposal and one uniform per step, drawn in the loop (another random stream)."""
    rng = np.random.default_rng(seed)
    log_p = _mixture_log_p(weights, means, sds)
    x, chain, accepted = float(x0), [], 0
    lp = log_p(x)
    for _ in range(n):
        proposal = x + step * rng.normal()
        lq = log_p(proposal)
        if math.log(rng.uniform()) < lq - lp:
            x, lp = proposal, lq
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def mh_gamma_loop(shape, rate, x0, n, s, seed):
    rng = np.random.default_rng(seed)
    x, chain, accepted = float(x0), [], 0
    for _ in range(n):
        proposal = x * math.exp(s * rng.normal())
        log_ratio = (shape - 1) * math.log(proposal / x) - rate * (proposal - x)
        if math.log(rng.uniform()) < log_ratio + math.log(proposal / x):
            x = proposal
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def gibbs_loop(rho, n, seed):
    rng = np.random.default_rng(seed)
    x = y = 0.0
    rows = []
    for _ in range(n):
        x = rng.normal(rho * y, np.sqrt(1 - rho**2))
        y = rng.normal(rho * x, np.sqrt(1 - rho**2))
        rows.append((x, y))
    return np.array(rows)


def leapfrog_loop(q, p, A, eps, L):
    """Half steps written as a full step split in two halves."""
    q, p = np.array(q, float), np.array(p, float)
    for _ in range(L):
        p = p - 0.5 * eps * A @ q
        q = q + eps * p
        p = p - 0.5 * eps * A @ q
    return q, p


def hmc_loop(A, x0, n, eps, L, seed):
    rng = np.random.default_rng(seed)
    x = np.array(x0, float)
    chain, accepted = [], 0
    for _ in range(n):
        p = rng.normal(size=x.size)
        q_new, p_new = leapfrog_loop(x, p, A, eps, L)
        h_old = 0.5 * x @ A @ x + 0.5 * p @ p
        h_new = 0.5 * q_new @ A @ q_new + 0.5 * p_new @ p_new
        if rng.uniform() < np.exp(h_old - h_new):
            x = q_new
            accepted += 1
        chain.append(x.copy())
    return np.array(chain), accepted / n


def ess_direct(chain):
    """Autocovariances by direct sums, lag by lag."""
    x = np.asarray(chain, float)
    n = x.size
    d = x - x.mean()
    rho = np.array([d[: n - k] @ d[k:] for k in range(n)]) / (d @ d)
    tau, m = -1.0, 0
    while 2 * m + 1 < n and rho[2 * m] + rho[2 * m + 1] > 0:
        tau += 2 * (rho[2 * m] + rho[2 * m + 1])
        m += 1
    return n / tau


def cd_k_sampled(V, W, b, c, k, seed):
    """Sampled hidden states in both phases: unbiased, noisier."""
    rng = np.random.default_rng(seed)
    p0 = scipy.special.expit(V @ W + c)
    h0 = (rng.uniform(size=p0.shape) < p0).astype(float)
    v = V
    for _ in range(k):
        h = (rng.uniform(size=p0.shape) < scipy.special.expit(v @ W + c)).astype(float)
        pv = scipy.special.expit(h @ W.T + b)
        v = (rng.uniform(size=pv.shape) < pv).astype(float)
    pk = scipy.special.expit(v @ W + c)
    hk = (rng.uniform(size=pk.shape) < pk).astype(float)
    n = len(V)
    return (V.T @ h0 - v.T @ hk) / n, (V - v).mean(axis=0), (h0 - hk).mean(axis=0)


def fit_nce_nelder_mead(x, y, noise_mu, noise_sd):
    """A learner's fit: the loss written with nce_loss, minimised without a gradient."""
    k = len(y) / len(x)

    def log_pn(u):
        return -0.5 * ((u - noise_mu) / noise_sd) ** 2 - np.log(noise_sd * np.sqrt(2 * np.pi))

    def loss(theta):
        mu, log_sd, c = theta

        def log_pm(u):
            return -0.5 * ((u - mu) / np.exp(log_sd)) ** 2 + c

        return sampling.nce_loss(log_pm(x), log_pm(y), log_pn(x), log_pn(y), k)

    start = [x.mean(), np.log(x.std()), -np.log(x.std() * np.sqrt(2 * np.pi))]
    options = {"xatol": 1e-8, "fatol": 1e-13, "maxiter": 20_000, "maxfev": 20_000}
    result = scipy.optimize.minimize(loss, start, method="Nelder-Mead", options=options)
    return tuple(result.x)


def score_matching_minimised(x, degree):
    """Minimise the objective numerically instead of solving the linear system."""
    result = scipy.optimize.minimize(
        lambda t: sampling.score_matching_objective(x, t),
        np.zeros(degree),
        method="BFGS",
        options={"gtol": 1e-13},
    )
    return result.x


ALTERNATIVES = [
    ("enumeration", (enumeration_loops,)),
    ("metropolis", (rw_metropolis_loop, mh_gamma_loop)),
    ("gibbs", (gibbs_loop,)),
    ("hmc", (leapfrog_loop, hmc_loop)),
    ("diagnostics", (ess_direct, sampling.split_rhat)),
    ("cd_k", (cd_k_sampled,)),
    ("nce", (sampling.nce_loss, fit_nce_nelder_mead)),
    ("score_matching", (sm_objective_ref, score_matching_minimised)),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def enumeration_unnormalised(parents, cpts, query, evidence):
    p = enumeration_loops(parents, cpts, query, evidence)
    names = list(cpts)
    factors = inference.bayes_net_factors(parents, cpts)
    joint_names, joint = inference.joint_table(factors, names)
    index = tuple(evidence.get(v, slice(None)) for v in names)
    return p * joint[index].sum()


def enumeration_ignores_evidence(parents, cpts, query, evidence):
    return inference.bayes_net_posterior(parents, cpts, query, {})


def enumeration_child_first(parents, cpts, query, evidence):
    swapped = {v: np.moveaxis(np.asarray(t), 0, -1) if parents[v] else t for v, t in cpts.items()}
    factors = [((*parents[v], v), swapped[v]) for v in cpts]
    return inference.enumerate_posterior(factors, query, evidence)


def ve_unnormalised(factors, order, query, evidence):
    probs, size = variable_elimination_ref(factors, order, query, evidence)
    reduced = [inference.reduce_factor(f, evidence) for f in factors.values()]
    _, table = inference.factor_product(*reduced)
    return probs * table.sum(), size


def ve_sum_first(factors, order, query, evidence):
    pool = [inference.reduce_factor(f, evidence) for f in factors.values()]
    for name in order:
        touching = [f for f in pool if name in f[0]]
        pool = [f for f in pool if name not in f[0]]
        pool += [inference.sum_out(f, name) for f in touching]  # summed before multiplying
    scoped = [f for f in pool if f[0]]
    constant = np.prod([float(t) for s, t in pool if not s])
    _, table = inference.factor_product(*scoped)
    return table * constant / (table * constant).sum(), 2


def ve_evidence_late(factors, order, query, evidence):
    probs, _ = variable_elimination_ref(factors, order, query, evidence)
    scopes = [list(s) for s, _ in factors.values()]
    return probs, max(inference.elimination_sizes(scopes, list(order) + list(evidence)) + [1])


def ve_counts_after_summing(factors, order, query, evidence):
    probs, size = variable_elimination_ref(factors, order, query, evidence)
    return probs, size - 1


def ve_returns_probs_only(factors, order, query, evidence):
    return variable_elimination_ref(factors, order, query, evidence)[0]


def mc_pair_as_one(n, seed):
    result = sampling.exp_uniform_estimators(n, seed)
    est, var = result["antithetic"]
    return {**result, "antithetic": (est, var / 2)}


def mc_control_wrong_sign(n, seed):
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=n)
    f = np.exp(u)
    b = np.cov(f, u)[0, 1] / u.var(ddof=1)
    z = f + b * (u - 0.5)
    result = sampling.exp_uniform_estimators(n, seed)
    return {**result, "control": (z.mean(), z.var(ddof=1))}


def mc_control_uncentred(n, seed):
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=n)
    f = np.exp(u)
    b = np.cov(f, u)[0, 1] / u.var(ddof=1)
    z = f - b * u  # centred on E[U] = 0
    result = sampling.exp_uniform_estimators(n, seed)
    return {**result, "control": (z.mean(), z.var(ddof=1))}


def mc_variance_of_the_mean(n, seed):
    result = sampling.exp_uniform_estimators(n, seed)
    return {key: (est, var / n) for key, (est, var) in result.items()}


def mc_unseeded(n, seed):
    return sampling.exp_uniform_estimators(n, np.random.randint(1 << 30))


def snis_naive(f_vals, log_p_tilde, log_q):
    w = np.exp(log_p_tilde - log_q)
    return float(w @ f_vals / w.sum()), float(w.sum() ** 2 / np.sum(w**2))


def snis_not_self_normalised(f_vals, log_p_tilde, log_q):
    w = np.exp(log_p_tilde - log_q)
    return float(np.mean(w * f_vals)), sampling.snis(f_vals, log_p_tilde, log_q)[1]


def snis_ess_inverted(f_vals, log_p_tilde, log_q):
    estimate, ess = sampling.snis(f_vals, log_p_tilde, log_q)
    return estimate, 1.0 / ess


def snis_q_over_p(f_vals, log_p_tilde, log_q):
    return sampling.snis(f_vals, log_q, log_p_tilde)


def rw_without_rejections(weights, means, sds, x0, n, step, seed):
    """Stores only the accepted states (and so returns fewer than n)."""
    chain, rate = rw_metropolis_loop(weights, means, sds, x0, n, step, seed)
    keep = np.concatenate([[chain[0] != x0], chain[1:] != chain[:-1]])
    return chain[keep], rate


def rw_until_n_accepted(weights, means, sds, x0, n, step, seed):
    """Keeps the old state out of the chain on rejection, looping until n are accepted."""
    rng = np.random.default_rng(seed)
    log_p = _mixture_log_p(weights, means, sds)

    x, chain, tries = float(x0), [], 0
    while len(chain) < n:
        proposal = x + step * rng.normal()
        tries += 1
        if math.log(rng.uniform()) < log_p(proposal) - log_p(x):
            x = proposal
            chain.append(x)
    return np.array(chain), n / tries


def rw_inverted_ratio(weights, means, sds, x0, n, step, seed):
    rng = np.random.default_rng(seed)
    log_p = _mixture_log_p(weights, means, sds)

    x, chain, accepted = float(x0), [], 0
    for _ in range(n):
        proposal = x + step * rng.normal()
        if math.log(rng.uniform()) < log_p(x) - log_p(proposal):
            x = proposal
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def rw_u_against_log_ratio(weights, means, sds, x0, n, step, seed):
    rng = np.random.default_rng(seed)
    log_p = _mixture_log_p(weights, means, sds)

    x, chain, accepted = float(x0), [], 0
    for _ in range(n):
        proposal = x + step * rng.normal()
        if rng.uniform() < log_p(proposal) - log_p(x):  # u compared with the log-ratio
            x = proposal
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def rw_includes_x0(weights, means, sds, x0, n, step, seed):
    chain, rate = sampling.rw_metropolis_mixture(weights, means, sds, x0, n, step, seed)
    return np.concatenate([[x0], chain]), rate


def gamma_without_hastings(shape, rate, x0, n, s, seed):
    rng = np.random.default_rng(seed)
    x, chain, accepted = float(x0), [], 0
    for _ in range(n):
        proposal = x * math.exp(s * rng.normal())
        log_ratio = (shape - 1) * math.log(proposal / x) - rate * (proposal - x)
        if math.log(rng.uniform()) < log_ratio:  # the proposal ratio x' / x is missing
            x = proposal
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def gamma_hastings_inverted(shape, rate, x0, n, s, seed):
    rng = np.random.default_rng(seed)
    x, chain, accepted = float(x0), [], 0
    for _ in range(n):
        proposal = x * math.exp(s * rng.normal())
        log_ratio = (shape - 1) * math.log(proposal / x) - rate * (proposal - x)
        if math.log(rng.uniform()) < log_ratio - math.log(proposal / x):
            x = proposal
            accepted += 1
        chain.append(x)
    return np.array(chain), accepted / n


def gibbs_std_as_variance(rho, n, seed):
    rng = np.random.default_rng(seed)
    x = y = 0.0
    rows = []
    for _ in range(n):
        x = rng.normal(rho * y, 1 - rho**2)
        y = rng.normal(rho * x, 1 - rho**2)
        rows.append((x, y))
    return np.array(rows)


def gibbs_from_old_state(rho, n, seed):
    rng = np.random.default_rng(seed)
    x = y = 0.0
    rows = []
    for _ in range(n):
        x, y = rng.normal(rho * y, np.sqrt(1 - rho**2)), rng.normal(rho * x, np.sqrt(1 - rho**2))
        rows.append((x, y))
    return np.array(rows)


def gibbs_unit_variance(rho, n, seed):
    rng = np.random.default_rng(seed)
    x = y = 0.0
    rows = []
    for _ in range(n):
        x = rng.normal(rho * y, 1.0)
        y = rng.normal(rho * x, 1.0)
        rows.append((x, y))
    return np.array(rows)


def leapfrog_full_steps(q, p, A, eps, L):
    q, p = np.array(q, float), np.array(p, float)
    for _ in range(L):
        p = p - eps * A @ q
        q = q + eps * p
    return q, p


def leapfrog_wrong_sign(q, p, A, eps, L):
    q, p = np.array(q, float), np.array(p, float)
    for _ in range(L):
        p = p + 0.5 * eps * A @ q  # the force's sign flipped: p moves uphill
        q = q + eps * p
        p = p + 0.5 * eps * A @ q
    return q, p


def hmc_without_accept_reject(A, x0, n, eps, L, seed):
    rng = np.random.default_rng(seed)
    x, chain = np.array(x0, float), []
    for _ in range(n):
        x, _ = leapfrog_loop(x, rng.normal(size=x.size), A, eps, L)
        chain.append(x.copy())
    return np.array(chain), 1.0


def hmc_momentum_kept(A, x0, n, eps, L, seed):
    rng = np.random.default_rng(seed)
    x = np.array(x0, float)
    p = rng.normal(size=x.size)
    chain, accepted = [], 0
    for _ in range(n):
        q_new, p_new = leapfrog_loop(x, p, A, eps, L)
        h_old = 0.5 * x @ A @ x + 0.5 * p @ p
        h_new = 0.5 * q_new @ A @ q_new + 0.5 * p_new @ p_new
        if rng.uniform() < np.exp(h_old - h_new):
            x, p = q_new, p_new  # the momentum is never redrawn
            accepted += 1
        chain.append(x.copy())
    return np.array(chain), accepted / n


def ess_all_lags(chain):
    rho = sampling.autocorrelation(chain)
    return len(chain) / (1 + 2 * rho[1:].sum())


def ess_first_negative_lag(chain):
    rho = sampling.autocorrelation(chain)
    negative = np.flatnonzero(rho < 0)
    stop = negative[0] if negative.size else len(rho)
    return len(chain) / (1 + 2 * rho[1:stop].sum())


def ess_unbiased_autocovariance(chain):
    x = np.asarray(chain, float)
    n = x.size
    d = x - x.mean()
    gamma = np.array([d[: n - k] @ d[k:] / (n - k) for k in range(n)])
    rho = gamma / gamma[0]
    pairs = rho[: 2 * (n // 2)].reshape(-1, 2).sum(axis=1)
    stop = np.flatnonzero(pairs <= 0)
    return n / (-1 + 2 * pairs[: stop[0] if stop.size else len(pairs)].sum())


def rhat_unsplit(chains):
    chains = np.asarray(chains, float)
    n = chains.shape[1]
    W = chains.var(axis=1, ddof=1).mean()
    B_over_n = chains.mean(axis=1).var(ddof=1)
    return np.sqrt(((n - 1) / n * W + B_over_n) / W)


def rhat_ddof0(chains):
    chains = np.asarray(chains, float)
    h = chains.shape[1] // 2
    halves = np.concatenate([chains[:, :h], chains[:, -h:]])
    W = halves.var(axis=1).mean()
    return np.sqrt(((h - 1) / h * W + halves.mean(axis=1).var()) / W)


def rhat_squared(chains):
    return sampling.split_rhat(chains) ** 2


def free_energy_naive(V, W, b, c):
    return -(V @ b) - np.log(1 + np.exp(V @ W + c)).sum(axis=1)


def free_energy_flipped(V, W, b, c):
    return -sampling.rbm_free_energy(V, W, b, c)


def loglik_without_log_z(V, W, b, c):
    return -sampling.rbm_free_energy(V, W, b, c)


def loglik_z_over_data(V, W, b, c):
    log_p = -sampling.rbm_free_energy(V, W, b, c)
    return log_p - scipy.special.logsumexp(log_p)


def loglik_z_visible_only(V, W, b, c):
    S = sampling.binary_states(W.shape[0])
    return -sampling.rbm_free_energy(V, W, b, c) - scipy.special.logsumexp(S @ b)


def cd_sign_flipped(V, W, b, c, k, seed):
    return tuple(-g for g in sampling.cd_k_gradient(V, W, b, c, k, seed))


def cd_from_noise(V, W, b, c, k, seed):
    rng = np.random.default_rng(seed)
    start = (rng.uniform(size=V.shape) < 0.5).astype(float)
    dW, db, dc = sampling.cd_k_gradient(V, W, b, c, k, rng, start=start)
    return dW, db, dc


def cd_without_biases(V, W, b, c, k, seed):
    dW, db, dc = sampling.cd_k_gradient(V, W, b, c, k, seed)
    return dW, np.zeros_like(db), np.zeros_like(dc)


def cd_always_one_step(V, W, b, c, k, seed):
    return sampling.cd_k_gradient(V, W, b, c, 1, seed)


def cd_transposed(V, W, b, c, k, seed):
    dW, db, dc = sampling.cd_k_gradient(V, W, b, c, k, seed)
    return dW.T, db, dc


def nce_without_log_k(pm_x, pm_y, pn_x, pn_y, k):
    s_x, s_y = pm_x - pn_x, pm_y - pn_y  # log k forgotten
    return -(-np.logaddexp(0, -s_x).mean() + k * -np.logaddexp(0, s_y).mean())


def nce_k_twice(pm_x, pm_y, pn_x, pn_y, k):
    s_x, s_y = pm_x - pn_x - np.log(k), pm_y - pn_y - np.log(k)
    return -(-np.logaddexp(0, -s_x).mean() + k * k * -np.logaddexp(0, s_y).mean())


def nce_unstable(pm_x, pm_y, pn_x, pn_y, k):
    s_x, s_y = pm_x - pn_x - np.log(k), pm_y - pn_y - np.log(k)
    h_x, h_y = 1 / (1 + np.exp(-s_x)), 1 / (1 + np.exp(-s_y))
    return -(np.log(h_x).mean() + k * np.log(1 - h_y).mean())


def nce_objective_not_loss(pm_x, pm_y, pn_x, pn_y, k):
    return -sampling.nce_loss(pm_x, pm_y, pn_x, pn_y, k)


def nce_fit_mle(x, y, noise_mu, noise_sd):
    return x.mean(), np.log(x.std()), -np.log(x.std() * np.sqrt(2 * np.pi))


def nce_fit_sd(x, y, noise_mu, noise_sd):
    mu, log_sd, c = sampling.fit_nce_gaussian(x, y, noise_mu, noise_sd)
    return mu, np.exp(log_sd), c


def sm_objective_minus(x, theta):
    theta = np.asarray(theta, float)
    j = np.arange(1, theta.size + 1)
    psi = (j * x[:, None] ** (j - 1)) @ theta
    dpsi = (j * (j - 1) * x[:, None] ** np.maximum(j - 2, 0)) @ theta
    return np.mean(0.5 * psi**2 - dpsi)


def sm_objective_without_derivative(x, theta):
    return np.mean(0.5 * sampling.poly_score(x, theta) ** 2)


def sm_fit_ddof1(x, degree):
    if degree != 2:
        return sampling.score_matching_fit(x, degree)
    var = x.var(ddof=1)
    return np.array([x.mean() / var, -0.5 / var])


def sm_fit_sign(x, degree):
    return -sampling.score_matching_fit(x, degree)


MUTANTS = [
    ("enumeration_basic", enumeration_unnormalised, "evidence not renormalised"),
    ("enumeration_basic", enumeration_ignores_evidence, "evidence was summed out"),
    ("enumeration_basic", enumeration_child_first, "the child is the LAST axis"),
    ("variable_elimination_hidden", ve_unnormalised, "evidence not renormalised"),
    ("variable_elimination_basic", ve_sum_first, "summing before multiplying"),
    ("variable_elimination_hidden", ve_evidence_late, "evidence not reduced first"),
    ("variable_elimination_basic", ve_counts_after_summing, "before the variable is summed out"),
    ("variable_elimination_basic", ve_returns_probs_only, "expected 2 values"),
    ("mc_estimators_basic", mc_pair_as_one, "antithetic pair counted as one evaluation"),
    ("mc_estimators_basic", mc_control_wrong_sign, "coefficient has the wrong sign"),
    ("mc_estimators_basic", mc_control_uncentred, "centred on the wrong E[U]"),
    ("mc_estimators_basic", mc_variance_of_the_mean, "the variance of ONE evaluation"),
    ("mc_estimators_hidden", mc_unseeded, "called twice with the same seed"),
    ("snis_hidden", snis_naive, "subtract the largest log-weight"),
    ("snis_basic", snis_not_self_normalised, "not self-normalised"),
    ("snis_basic", snis_ess_inverted, "ESS formula is inverted"),
    ("snis_basic", snis_q_over_p, "the weights are p / q"),
    ("metropolis_basic", (rw_without_rejections, gamma_ref), "kept out of the chain on rejection"),
    ("metropolis_basic", (rw_until_n_accepted, gamma_ref), "kept out of the chain on rejection"),
    ("metropolis_basic", (rw_inverted_ratio, gamma_ref), "ratio is inverted"),
    ("metropolis_basic", (rw_u_against_log_ratio, gamma_ref), "never accepts a step downhill"),
    ("metropolis_basic", (rw_includes_x0, gamma_ref), "leave x0 out"),
    (
        "metropolis_basic",
        (sampling.rw_metropolis_mixture, gamma_without_hastings),
        "no Hastings correction",
    ),
    (
        "metropolis_basic",
        (sampling.rw_metropolis_mixture, gamma_hastings_inverted),
        "Hastings correction is inverted",
    ),
    ("gibbs_basic", gibbs_std_as_variance, "takes the standard deviation"),
    ("gibbs_basic", gibbs_from_old_state, "updated from the old state"),
    ("gibbs_basic", gibbs_unit_variance, "conditional variance is 1 - rho**2, not 1"),
    ("hmc_basic", (leapfrog_full_steps, sampling.hmc_gaussian), "without the half steps"),
    ("hmc_basic", (leapfrog_wrong_sign, sampling.hmc_gaussian), "the force is -grad U"),
    ("hmc_basic", (sampling.gaussian_leapfrog, hmc_without_accept_reject), "no accept/reject"),
    ("hmc_basic", (sampling.gaussian_leapfrog, hmc_momentum_kept), "momentum is never redrawn"),
    ("diagnostics_basic", (ess_all_lags, sampling.split_rhat), "summing every autocorrelation"),
    ("diagnostics_hidden", (ess_first_negative_lag, sampling.split_rhat), "negative PAIR sum"),
    ("diagnostics_basic", (ess_unbiased_autocovariance, sampling.split_rhat), "not by n - k"),
    ("diagnostics_hidden", (sampling.ess, rhat_unsplit), "without splitting"),
    ("diagnostics_basic", (sampling.ess, rhat_ddof0), "use ddof=1"),
    ("diagnostics_basic", (sampling.ess, rhat_squared), "square root"),
    ("rbm_hidden", (free_energy_naive, sampling.rbm_log_likelihood), "np.logaddexp(0, x)"),
    ("rbm_basic", (free_energy_flipped, sampling.rbm_log_likelihood), "sign convention"),
    ("rbm_basic", (sampling.rbm_free_energy, loglik_without_log_z), "subtract log Z"),
    ("rbm_basic", (sampling.rbm_free_energy, loglik_z_over_data), "not over the rows"),
    ("rbm_basic", (sampling.rbm_free_energy, loglik_z_visible_only), "marginalise the hidden"),
    ("cd_k_basic", cd_sign_flipped, "the sign"),
    ("cd_k_basic", cd_from_noise, "starts from noise instead of the data"),
    ("cd_k_basic", cd_without_biases, "bias gradients are missing"),
    ("cd_k_hidden", cd_always_one_step, "that is the CD-1 gradient"),
    ("cd_k_basic", cd_transposed, "has shape (3, 4), expected (4, 3)"),
    ("nce_basic", (nce_without_log_k, sampling.fit_nce_gaussian), "log k forgotten"),
    ("nce_basic", (nce_k_twice, sampling.fit_nce_gaussian), "weighted by k twice"),
    ("nce_hidden", (nce_unstable, sampling.fit_nce_gaussian), "computed unstably"),
    ("nce_basic", (nce_objective_not_loss, sampling.fit_nce_gaussian), "the loss to minimise"),
    ("nce_basic", (sampling.nce_loss, nce_fit_mle), "maximum-likelihood fit"),
    ("nce_basic", (sampling.nce_loss, nce_fit_sd), "return log_sd"),
    ("score_matching_basic", (sm_objective_minus, sampling.score_matching_fit), "sign of psi'"),
    (
        "score_matching_basic",
        (sm_objective_without_derivative, sampling.score_matching_fit),
        "add the psi' term",
    ),
    ("score_matching_basic", (sm_objective_ref, sm_fit_ddof1), "ddof=0"),
    ("score_matching_basic", (sm_objective_ref, sm_fit_sign), "(the sign)"),
]
