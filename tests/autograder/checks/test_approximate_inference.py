"""The module-18 checks: the references, other correct answers, and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py; the tests below it cover
what a row cannot say (the checks' own oracles against independent ones).
"""

import numpy as np
import pytest
import scipy.special

from autograder.checks import approximate_inference as chk
from dlkit import inference

# ---------------------------------------------------------------------------
# References (dlkit), adapted to the exercises' signatures
# ---------------------------------------------------------------------------


def bbvi_ref(X, y, prior_var, steps, seed):
    return inference.bbvi_logistic(X, y, prior_var, steps, chk.BBVI_LR, chk.BBVI_SAMPLES, seed)


def loopy_bp_ref(J, h, n_iter, damping):
    return inference.loopy_bp_ising(J, h, n_iter, damping)[0]


REFERENCES = {
    "elbo_gaussian": inference.elbo_gaussian,
    "cavi_normal_gamma": inference.cavi_normal_gamma,
    "mean_field_gaussian": inference.mean_field_gaussian,
    "gradient_estimators": inference.gradient_estimators,
    "bbvi_logistic": bbvi_ref,
    "chain_marginals": inference.chain_marginals,
    "loopy_bp_ising": loopy_bp_ref,
    "mean_field_ising": inference.mean_field_ising,
    "probit_tilted_moments": inference.probit_tilted_moments,
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def elbo_by_identity(x, m, v, s0, sigma):
    """log p(x) - KL(q || posterior), from dlkit's evidence and posterior."""
    mean, var = inference.gaussian_posterior(x, s0, sigma)
    kl = inference.kl_normal(m, v, mean, var)
    return inference.gaussian_log_evidence(x, s0, sigma) - float(kl)


def bbvi_closed_form_prior(X, y, prior_var, steps, seed):
    """Other random draws (eps as (d, S)), the prior term's gradient in closed form."""
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    m, log_s = np.zeros(d), np.full(d, -2.0)
    state = [np.zeros(d), np.zeros(d), np.zeros(d), np.zeros(d)]
    for t in range(steps):
        eps = rng.standard_normal((d, 16)).T
        s = np.exp(log_s)
        w = m + s * eps
        g = (y - scipy.special.expit(w @ X.T)) @ X  # likelihood part only
        grads = [g.mean(0) - m / prior_var, (g * eps).mean(0) * s - s**2 / prior_var + 1.0]
        lr = 0.05 * (1 - 0.9 * t / max(steps - 1, 1))
        for k, (param, grad) in enumerate(zip((m, log_s), grads)):
            state[2 * k] = 0.9 * state[2 * k] + 0.1 * grad
            state[2 * k + 1] = 0.999 * state[2 * k + 1] + 0.001 * grad**2
            m_hat = state[2 * k] / (1 - 0.9 ** (t + 1))
            v_hat = state[2 * k + 1] / (1 - 0.999 ** (t + 1))
            param += lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return m, log_s


def chain_in_logs(unary, pairwise):
    """Forward-backward with log messages and log-sum-exp."""
    log_u, log_p = np.log(unary), np.log(pairwise)
    n, k = unary.shape
    fwd, bwd = np.zeros((n, k)), np.zeros((n, k))
    for i in range(1, n):
        fwd[i] = scipy.special.logsumexp((fwd[i - 1] + log_u[i - 1])[:, None] + log_p, axis=0)
    for i in range(n - 2, -1, -1):
        bwd[i] = scipy.special.logsumexp(log_p + (bwd[i + 1] + log_u[i + 1])[None, :], axis=1)
    log_b = fwd + bwd + log_u
    return np.exp(log_b - scipy.special.logsumexp(log_b, axis=1, keepdims=True))


ALTERNATIVES = [
    ("elbo_gaussian", elbo_by_identity),
    ("bbvi_logistic", bbvi_closed_form_prior),
    ("chain_marginals", chain_in_logs),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def _elbo_terms(x, m, v, s0, sigma):
    n = len(x)
    log_lik = -0.5 * n * np.log(2 * np.pi * sigma**2) - (np.sum((x - m) ** 2) + n * v) / (
        2 * sigma**2
    )
    log_prior = -0.5 * np.log(2 * np.pi * s0**2) - (m**2 + v) / (2 * s0**2)
    return log_lik, log_prior, 0.5 * np.log(2 * np.pi * np.e * v)


def elbo_entropy_flipped(x, m, v, s0, sigma):
    log_lik, log_prior, entropy = _elbo_terms(x, m, v, s0, sigma)
    return log_lik + log_prior - entropy


def elbo_without_entropy(x, m, v, s0, sigma):
    log_lik, log_prior, _ = _elbo_terms(x, m, v, s0, sigma)
    return log_lik + log_prior


def elbo_v_as_sd(x, m, v, s0, sigma):
    return sum(_elbo_terms(x, m, v**2, s0, sigma))


def elbo_without_q_variance(x, m, v, s0, sigma):
    return inference.elbo_gaussian(x, m, v, s0, sigma) + len(x) * v / (2 * sigma**2)


def elbo_plus_kl(x, m, v, s0, sigma):
    mean, var = inference.gaussian_posterior(x, s0, sigma)
    kl = float(inference.kl_normal(m, v, mean, var))
    return inference.gaussian_log_evidence(x, s0, sigma) + kl


def _cavi(x, mu0, lam0, a0, b0, n_iter, a_shift=0.5, posterior_var=True, stale=False):
    n = len(x)
    e_tau, a_n = a0 / b0, a0 + n / 2 + a_shift
    mu_n = (lam0 * mu0 + x.sum()) / (lam0 + n)
    lam_n = (lam0 + n) * e_tau
    for _ in range(n_iter):
        lam_prev, lam_n = lam_n, (lam0 + n) * e_tau
        lam = lam_prev if stale else lam_n
        e_mu2 = mu_n**2 + (1 / lam if posterior_var else 0.0)
        b_n = b0 + 0.5 * (
            np.sum(x**2) - 2 * mu_n * x.sum() + n * e_mu2 + lam0 * (e_mu2 - 2 * mu0 * mu_n + mu0**2)
        )
        e_tau = a_n / b_n
    return mu_n, lam_n, a_n, b_n


def cavi_a_half(x, mu0, lam0, a0, b0, n_iter):
    return _cavi(x, mu0, lam0, a0, b0, n_iter, a_shift=0.0)


def cavi_mean_squared(x, mu0, lam0, a0, b0, n_iter):
    return _cavi(x, mu0, lam0, a0, b0, n_iter, posterior_var=False)


def cavi_stale_lambda(x, mu0, lam0, a0, b0, n_iter):
    return _cavi(x, mu0, lam0, a0, b0, n_iter, stale=True)


def cavi_tau_never_updated(x, mu0, lam0, a0, b0, n_iter):
    n = len(x)
    mu_n = (lam0 * mu0 + x.sum()) / (lam0 + n)
    lam_n = (lam0 + n) * a0 / b0
    e_mu2 = mu_n**2 + 1 / lam_n
    b_n = b0 + 0.5 * (
        np.sum((x - mu_n) ** 2) + n / lam_n + lam0 * (e_mu2 - 2 * mu0 * mu_n + mu0**2)
    )
    return mu_n, lam_n, a0 + (n + 1) / 2, b_n


def cavi_one_pass(x, mu0, lam0, a0, b0, n_iter):
    return inference.cavi_normal_gamma(x, mu0, lam0, a0, b0, 1)


def mean_field_marginal_variance(mu, Lambda, n_iter):
    m, _ = inference.mean_field_gaussian(mu, Lambda, n_iter)
    return m, np.diag(np.linalg.inv(Lambda))


def mean_field_precision_as_variance(mu, Lambda, n_iter):
    m, _ = inference.mean_field_gaussian(mu, Lambda, n_iter)
    return m, np.diag(Lambda)


def mean_field_means_fixed(mu, Lambda, n_iter):
    return np.zeros_like(mu), 1 / np.diag(Lambda)


def mean_field_parallel(mu, Lambda, n_iter):
    m, diag = np.zeros_like(mu), np.diag(Lambda)
    for _ in range(n_iter):
        m = mu - (Lambda @ (m - mu) - diag * (m - mu)) / diag
    return m, 1 / diag


def mean_field_with_sigma(mu, Lambda, n_iter):
    m, _ = inference.mean_field_gaussian(mu, np.linalg.inv(Lambda), n_iter)
    return m, 1 / np.diag(Lambda)


def _estimators(mu, log_sigma, eps, a, b, baseline="loo", sigma_chain=True, score_scale=True):
    sigma = np.exp(log_sigma)
    z = mu + sigma * eps
    f, fp = a * z**2 + b * z, 2 * a * z + b
    reparam = np.column_stack([fp, fp * (sigma if sigma_chain else 1.0) * eps])
    beta = {"loo": (f.sum() - f) / (len(f) - 1), "none": 0.0, "mean": f.mean()}[baseline]
    d_mu = eps / sigma if score_scale else eps
    score = (f - beta)[:, None] * np.column_stack([d_mu, eps**2 - 1])
    return {"reparam": reparam, "score": score}


def estimators_no_baseline(mu, log_sigma, eps, a, b):
    return _estimators(mu, log_sigma, eps, a, b, baseline="none")


def estimators_baseline_includes_self(mu, log_sigma, eps, a, b):
    return _estimators(mu, log_sigma, eps, a, b, baseline="mean")


def estimators_no_sigma_in_chain_rule(mu, log_sigma, eps, a, b):
    return _estimators(mu, log_sigma, eps, a, b, sigma_chain=False)


def estimators_score_without_inverse_sigma(mu, log_sigma, eps, a, b):
    return _estimators(mu, log_sigma, eps, a, b, score_scale=False)


def estimators_score_without_minus_one(mu, log_sigma, eps, a, b):
    result = _estimators(mu, log_sigma, eps, a, b)
    sigma = np.exp(log_sigma)
    f = a * (mu + sigma * eps) ** 2 + b * (mu + sigma * eps)
    result["score"][:, 1] = (f - (f.sum() - f) / (len(f) - 1)) * eps**2
    return result


def estimators_resample_eps(mu, log_sigma, eps, a, b):
    fresh = np.random.default_rng().standard_normal(len(eps))
    return _estimators(mu, log_sigma, fresh, a, b)


def _bbvi(X, y, prior_var, steps, seed, entropy=1.0, prior=1.0, samples=16, lr=0.05):
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    m, log_s = np.zeros(d), np.full(d, -2.0)
    from dlkit.optim import Adam

    optimizer = Adam([m, log_s], lr=lr)
    for t in range(steps):
        eps = rng.standard_normal((samples, d))
        s = np.exp(log_s)
        w = m + s * eps
        g = (y - scipy.special.expit(w @ X.T)) @ X - prior * w / prior_var
        optimizer.lr = lr * (1 - 0.9 * t / max(steps - 1, 1))
        optimizer.step([-g.mean(0), -((g * eps).mean(0) * s + entropy)])
    return m, log_s


def bbvi_without_entropy(X, y, prior_var, steps, seed):
    return _bbvi(X, y, prior_var, steps, seed, entropy=0.0)


def bbvi_entropy_flipped(X, y, prior_var, steps, seed):
    return _bbvi(X, y, prior_var, steps, seed, entropy=-1.0)


def bbvi_without_prior(X, y, prior_var, steps, seed):
    return _bbvi(X, y, prior_var, steps, seed, prior=0.0)


def bbvi_one_sample_large_lr(X, y, prior_var, steps, seed):
    return _bbvi(X, y, prior_var, steps, seed, samples=1, lr=0.5)


def bbvi_global_random_state(X, y, prior_var, steps, seed):
    return _bbvi(X, y, prior_var, steps, int(np.random.randint(1 << 30)))


def chain_transposed(unary, pairwise):
    return inference.chain_marginals(unary, pairwise.T)


def chain_double_counting(unary, pairwise):
    n, k = unary.shape
    bwd = np.ones((n, k)) / k
    for i in range(n - 2, -1, -1):
        bwd[i] = pairwise @ (bwd[i + 1] * unary[i + 1])
        bwd[i] /= bwd[i].sum()
    fwd = np.ones((n, k)) / k
    for i in range(1, n):  # the belief of node i-1, with node i's own message, is sent to i
        fwd[i] = (fwd[i - 1] * unary[i - 1] * bwd[i - 1]) @ pairwise
        fwd[i] /= fwd[i].sum()
    b = unary * fwd * bwd
    return b / b.sum(axis=1, keepdims=True)


def chain_unnormalised_messages(unary, pairwise):
    n, k = unary.shape
    fwd, bwd = np.ones((n, k)), np.ones((n, k))
    for i in range(1, n):
        fwd[i] = (fwd[i - 1] * unary[i - 1]) @ pairwise
    for i in range(n - 2, -1, -1):
        bwd[i] = pairwise @ (bwd[i + 1] * unary[i + 1])
    b = unary * fwd * bwd
    return b / b.sum(axis=1, keepdims=True)


def chain_without_unary(unary, pairwise):
    b = inference.chain_marginals(unary, pairwise) / unary
    return b / b.sum(axis=1, keepdims=True)


def chain_beliefs_not_normalised(unary, pairwise):
    return inference.chain_marginals(unary, pairwise) * unary


def _loopy(J, h, n_iter, damping, own=False, outgoing=False, normalise=True, flip=False):
    """An array implementation of synchronous BP with switches for the mistakes."""
    spins = np.array([-1.0, 1.0])
    edges = (J != 0)[:, :, None]
    M = np.where(edges, 0.5, 1.0)  # M[i, j, x_j]
    local = np.exp(h[:, None] * spins)  # (n, 2)
    psi = np.exp(J[:, :, None, None] * spins[:, None] * spins[None, :])  # (i, j, x_i, x_j)
    for _ in range(n_iter):
        incoming = M.prod(axis=0)  # (n, 2)
        cavity = local[:, None, :] * incoming[:, None, :]
        if not own:
            cavity = cavity / M.transpose(1, 0, 2)
        new = np.einsum("ija,ijab->ijb", cavity, psi)
        if normalise:
            new = new / new.sum(axis=2, keepdims=True)
        keep = damping if flip else 1 - damping
        M = np.where(edges, keep * new + (1 - keep) * M, 1.0)
    b = local * (M.prod(axis=1) if outgoing else M.prod(axis=0))
    return b / b.sum(axis=1, keepdims=True)


def loopy_includes_own_message(J, h, n_iter, damping):
    return _loopy(J, h, n_iter, damping, own=True)


def loopy_outgoing_beliefs(J, h, n_iter, damping):
    return _loopy(J, h, n_iter, damping, outgoing=True)


def loopy_unnormalised(J, h, n_iter, damping):
    return _loopy(J, h, n_iter, damping, normalise=False)


def loopy_damping_reversed(J, h, n_iter, damping):
    return _loopy(J, h, n_iter, damping, flip=True)


def loopy_without_field(J, h, n_iter, damping):
    b = loopy_bp_ref(J, h, n_iter, damping) / np.exp(h[:, None] * np.array([-1.0, 1.0]))
    return b / b.sum(axis=1, keepdims=True)


def loopy_columns_swapped(J, h, n_iter, damping):
    return loopy_bp_ref(J, h, n_iter, damping)[:, ::-1]


def _mean_field(J, h, m0, n_sweeps, scale=1.0, diagonal=False, parallel=False):
    m = np.array(m0, dtype=float)
    J = J if diagonal else J - np.diag(np.diag(J))
    for _ in range(n_sweeps):
        if parallel:
            m = np.tanh(scale * (h + J @ m))
            continue
        for i in range(len(h)):
            m[i] = np.tanh(scale * (h[i] + J[i] @ m))
    return m


def mean_field_sigmoid_formula(J, h, m0, n_sweeps):
    """2 sigmoid(field) - 1, the 0/1-spin formula."""
    return _mean_field(J, h, m0, n_sweeps, scale=0.5)


def mean_field_keeps_diagonal(J, h, m0, n_sweeps):
    return _mean_field(J, h, m0, n_sweeps, diagonal=True)


def mean_field_parallel_spins(J, h, m0, n_sweeps):
    return _mean_field(J, h, m0, n_sweeps, parallel=True)


def mean_field_from_zeros(J, h, m0, n_sweeps):
    return _mean_field(J, h, np.zeros_like(h), n_sweeps)


def _tilted(m, v, y, root=True, sign=True, stable=True, var_root=False):
    s = np.sqrt(1 + v) if root else 1.0
    yy = y if sign else 1.0
    kappa = yy * m / s
    if stable:
        log_z = scipy.special.log_ndtr(kappa)
        r = np.exp(-0.5 * kappa**2 - 0.5 * np.log(2 * np.pi) - log_z)
    else:
        Z = scipy.special.ndtr(kappa)
        log_z, r = np.log(Z), np.exp(-0.5 * kappa**2) / np.sqrt(2 * np.pi) / Z
    mean = m + yy * v * r / s
    var = v - v**2 * r * (kappa + r) / (np.sqrt(1 + v) if var_root else s**2)
    return log_z, mean, var


def tilted_without_root(m, v, y):
    return _tilted(m, v, y, root=False)


def tilted_ignores_label(m, v, y):
    return _tilted(m, v, y, sign=False)


def tilted_unstable_log(m, v, y):
    return _tilted(m, v, y, stable=False)


def tilted_variance_root(m, v, y):
    return _tilted(m, v, y, var_root=True)


MUTANTS = [
    ("elbo_gaussian_basic", elbo_entropy_flipped, "entropy's sign is flipped"),
    ("elbo_gaussian_hidden", elbo_entropy_flipped, "entropy's sign is flipped"),
    ("elbo_gaussian_basic", elbo_without_entropy, "the entropy H[q]"),
    ("elbo_gaussian_hidden", elbo_v_as_sd, "VARIANCE of q, not its sd"),
    ("elbo_gaussian_hidden", elbo_without_q_variance, "n v / (2 sigma^2) term is missing"),
    ("elbo_gaussian_basic", elbo_plus_kl, "the KL's sign"),
    ("cavi_normal_gamma_basic", cavi_a_half, "adds another 1/2"),
    ("cavi_normal_gamma_hidden", cavi_mean_squared, "not E[mu]^2"),
    ("cavi_normal_gamma_basic", cavi_stale_lambda, "stale expectations: update q(tau)"),
    ("cavi_normal_gamma_hidden", cavi_stale_lambda, "stale expectations"),
    ("cavi_normal_gamma_basic", cavi_tau_never_updated, "E[tau] never updated"),
    ("cavi_normal_gamma_hidden", cavi_one_pass, "only one pass"),
    ("mean_field_gaussian_basic", mean_field_marginal_variance, "Sigma_ii, the marginal"),
    ("mean_field_gaussian_hidden", mean_field_precision_as_variance, "PRECISION"),
    ("mean_field_gaussian_basic", mean_field_means_fixed, "never moved"),
    ("mean_field_gaussian_hidden", mean_field_parallel, "updated at once"),
    ("mean_field_gaussian_hidden", mean_field_with_sigma, "uses Sigma"),
    ("gradient_estimators_basic", estimators_no_baseline, "has no baseline"),
    ("gradient_estimators_hidden", estimators_no_baseline, "variance drops"),
    ("gradient_estimators_hidden", estimators_baseline_includes_self, "includes f(z_s) itself"),
    ("gradient_estimators_basic", estimators_no_sigma_in_chain_rule, "sigma eps, not eps"),
    ("gradient_estimators_hidden", estimators_score_without_inverse_sigma, "1/sigma is missing"),
    ("gradient_estimators_hidden", estimators_score_without_minus_one, "the -1"),
    ("gradient_estimators_basic", estimators_resample_eps, "do not draw new noise"),
    ("bbvi_logistic_basic", bbvi_without_entropy, "entropy term is missing"),
    ("bbvi_logistic_hidden", bbvi_entropy_flipped, "sign flipped"),
    ("bbvi_logistic_basic", bbvi_without_prior, "prior term is missing"),
    ("bbvi_logistic_basic", bbvi_one_sample_large_lr, "nats below the best"),
    ("bbvi_logistic_hidden", bbvi_global_random_state, "same seed"),
    ("chain_marginals_basic", chain_transposed, "pairwise is transposed"),
    ("chain_marginals_hidden", chain_double_counting, "double counting"),
    ("chain_marginals_hidden", chain_unnormalised_messages, "not normalised"),
    ("chain_marginals_basic", chain_without_unary, "own potential"),
    ("chain_marginals_basic", chain_beliefs_not_normalised, "sum to 1"),
    ("loopy_bp_ising_basic", loopy_includes_own_message, "the recipient's own"),
    ("loopy_bp_ising_hidden", loopy_includes_own_message, "the recipient's own"),
    ("loopy_bp_ising_basic", loopy_outgoing_beliefs, "OUTGOING"),
    ("loopy_bp_ising_hidden", loopy_unnormalised, "normalise every message"),
    ("loopy_bp_ising_hidden", loopy_damping_reversed, "damping is reversed"),
    ("loopy_bp_ising_basic", loopy_without_field, "local potential"),
    ("loopy_bp_ising_basic", loopy_columns_swapped, "columns are swapped"),
    ("mean_field_ising_basic", mean_field_sigmoid_formula, "factor of 2"),
    ("mean_field_ising_hidden", mean_field_keeps_diagonal, "J[i, i] must not enter"),
    ("mean_field_ising_basic", mean_field_parallel_spins, "updated at once"),
    ("mean_field_ising_hidden", mean_field_from_zeros, "start from m0"),
    ("probit_tilted_moments_basic", tilted_without_root, "sqrt(1 + v)"),
    ("probit_tilted_moments_basic", tilted_ignores_label, "the sign of y"),
    ("probit_tilted_moments_hidden", tilted_unstable_log, "log_ndtr"),
    ("probit_tilted_moments_hidden", tilted_variance_root, "divides by (1 + v)"),
]


# ---------------------------------------------------------------------------
# The checks' own oracles, against independent ones
# ---------------------------------------------------------------------------


def test_elbo_oracle_meets_the_identity_and_the_bound():
    """log p(x) - KL from scipy equals dlkit's closed-form ELBO; at the posterior, log p(x)."""
    rng = np.random.default_rng(0)
    x = rng.normal(1, 1, 7)
    for m, v in [(0.3, 0.5), (-2.0, 3.0)]:
        elbo, log_evidence, kl = chk._elbo_oracle(x, m, v, 1.3, 0.8)
        assert np.isclose(elbo, inference.elbo_gaussian(x, m, v, 1.3, 0.8), rtol=1e-12)
        assert kl > 0 and elbo < log_evidence
    mean, var = inference.gaussian_posterior(x, 1.3, 0.8)
    elbo, log_evidence, kl = chk._elbo_oracle(x, mean, var, 1.3, 0.8)
    assert abs(kl) < 1e-12 and np.isclose(elbo, log_evidence)


def test_cavi_oracle_reaches_the_best_factorised_q():
    """The fixed point of the checks' CAVI maximises dlkit's ELBO (scipy.optimize) and its
    ELBO equals the checks' own ELBO."""
    import scipy.optimize

    x = np.array([0.5, 2.0, 1.2, 3.1])
    args = (0.0, 0.5, 1.5, 1.0)
    q = chk._cavi_oracle(x, *args, 200)
    assert np.isclose(
        chk._normal_gamma_elbo(x, *args, q), inference.normal_gamma_elbo(x, *args, *q)
    )

    def negative(p):
        return -inference.normal_gamma_elbo(x, *args, p[0], *np.exp(p[1:]))

    options = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}
    start = np.array([1.0, 0.0, 1.0, 1.0])
    best = scipy.optimize.minimize(negative, start, method="Nelder-Mead", options=options)
    assert -best.fun <= chk._normal_gamma_elbo(x, *args, q) + 1e-7
    assert np.allclose([best.x[0], *np.exp(best.x[1:])], q, rtol=1e-4)


def test_chain_oracles_agree_with_brute_force():
    rng = np.random.default_rng(1)
    unary, pairwise = rng.uniform(0.1, 2, (6, 3)), rng.uniform(0.1, 2, (3, 3))
    exact = chk._enumerate_chain(unary, pairwise)
    assert np.allclose(exact, inference.chain_brute_force(unary, pairwise), atol=1e-12)
    assert np.allclose(chk._log_chain(unary, pairwise), exact, atol=1e-12)


def test_bp_oracle_is_exact_on_a_tree_and_close_on_a_weak_loopy_grid():
    rng = np.random.default_rng(2)
    J = np.zeros((5, 5))
    for child, parent in [(1, 0), (2, 0), (3, 1), (4, 1)]:  # a tree, not a chain
        J[child, parent] = J[parent, child] = rng.uniform(-1, 1)
    h = rng.normal(0, 0.5, 5)
    exact, _ = inference.ising_exact(J, h)
    assert np.allclose(chk._ising_enumeration(J, h), exact, atol=1e-12)
    assert np.allclose(chk._bp_oracle(J, h, 20, 0.0), exact, atol=1e-10)
    J, h = chk._grid(3, 3, 0.15), rng.normal(0, 0.3, 9)
    assert np.max(np.abs(chk._bp_oracle(J, h, 60, 0.3) - chk._ising_enumeration(J, h))) < 0.02


def test_strong_grid_case_converges_so_the_exact_comparison_is_stable():
    """The overflow case (J = 3, h = 2, 40 iterations) is at a stable fixed point."""
    J, h = chk._grid(4, 4, 3.0), np.full(16, 2.0)
    beliefs, deltas = inference.loopy_bp_ising(J, h, 40)
    assert deltas[-1] < 1e-14 and np.allclose(beliefs, chk._bp_oracle(J, h, 40, 0.0))


def test_tilted_quadrature_matches_the_closed_form():
    for m, v, y in [(0.3, 2.0, 1.0), (-40 * np.sqrt(2.0), 1.0, 1.0), (1.5, 1e-4, -1.0)]:
        got = chk._tilted_quad(m, v, y)
        assert np.allclose(got, inference.probit_tilted_moments(m, v, y), rtol=1e-7, atol=1e-9)


def test_best_mean_field_gaussian_is_dlkits_and_beats_bbvi():
    """The checks' quadrature ELBO and optimum agree with dlkit's (same data split)."""
    X, y, _, _ = inference.breast_cancer()
    X_chk, y_chk = chk._breast_cancer()
    assert np.array_equal(X, X_chk) and np.array_equal(y, y_chk)
    m, log_s, elbo = chk._best_mean_field(1.0)
    assert np.isclose(inference.logistic_elbo(X, y, 1.0, m, log_s), elbo, rtol=1e-10)
    m_ref, _, elbo_ref = inference.logistic_vi_optimum(X, y, 1.0)
    assert np.isclose(elbo, elbo_ref, rtol=1e-8) and np.allclose(m, m_ref, atol=2e-3)


@pytest.mark.parametrize("case", ["score", "reparam"])
def test_estimator_oracle_agrees_with_dlkit(case):
    eps = np.random.default_rng(3).standard_normal(30)
    reparam, score, _, _ = chk._estimator_oracle(0.4, -0.3, eps, 1.5, -0.7)
    expected = inference.gradient_estimators(0.4, -0.3, eps, 1.5, -0.7)[case]
    assert np.allclose({"reparam": reparam, "score": score}[case], expected, rtol=1e-12)
