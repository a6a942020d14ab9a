"""dlkit.inference.variational against independent oracles: grid integration and scipy.stats
for the conjugate models, scipy.optimize for the optima, torch autograd for the gradient
estimators, scikit-learn for the MAP, Monte Carlo (in standard errors) for the ELBOs."""

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as hst

from dlkit.inference import variational as vi
from tests.oracles import gradients

Z = 6.0  # standard errors allowed to a Monte Carlo comparison (fails with prob. ~2e-9)


# ---------------------------------------------------------------- conjugate Gaussian


def _grid_posterior(x, s0, sigma):
    """Posterior mean, variance and log evidence by numerical integration on a fine grid."""
    z = np.linspace(-15, 15, 200_001)
    log_joint = scipy.stats.norm(0, s0).logpdf(z) + scipy.stats.norm(z[:, None], sigma).logpdf(
        x
    ).sum(axis=1)
    shift = log_joint.max()
    weight = np.exp(log_joint - shift)
    total = scipy.integrate.trapezoid(weight, z)
    mean = scipy.integrate.trapezoid(z * weight, z) / total
    var = scipy.integrate.trapezoid((z - mean) ** 2 * weight, z) / total
    return mean, var, shift + np.log(total)


def test_gaussian_posterior_and_evidence_match_integration_and_scipy():
    x = np.array([0.4, 1.9, 1.1, -0.3])
    mean, var = vi.gaussian_posterior(x, 1.5, 0.8)
    grid_mean, grid_var, grid_log_evidence = _grid_posterior(x, 1.5, 0.8)
    assert np.isclose(mean, grid_mean, rtol=1e-7) and np.isclose(var, grid_var, rtol=1e-7)
    cov = 0.8**2 * np.eye(4) + 1.5**2 * np.ones((4, 4))
    evidence = scipy.stats.multivariate_normal(np.zeros(4), cov).logpdf(x)
    assert np.isclose(vi.gaussian_log_evidence(x, 1.5, 0.8), evidence, rtol=1e-12)
    assert np.isclose(evidence, grid_log_evidence, rtol=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    hst.lists(hst.floats(-5, 5), min_size=1, max_size=6),
    hst.floats(-3, 3),
    hst.floats(0.01, 5),
    hst.floats(0.2, 3),
    hst.floats(0.2, 3),
)
def test_elbo_is_log_evidence_minus_kl(x, m, v, s0, sigma):
    x = np.array(x)
    mean, var = vi.gaussian_posterior(x, s0, sigma)
    grid = np.linspace(m - 12 * np.sqrt(v), m + 12 * np.sqrt(v), 20_001)
    q, posterior = scipy.stats.norm(m, np.sqrt(v)), scipy.stats.norm(mean, np.sqrt(var))
    # KL(q || posterior) by numerical integration of q log(q / posterior)
    kl_value = scipy.integrate.trapezoid(
        q.pdf(grid) * (q.logpdf(grid) - posterior.logpdf(grid)), grid
    )
    evidence = vi.gaussian_log_evidence(x, s0, sigma)
    elbo = vi.elbo_gaussian(x, m, v, s0, sigma)
    assert np.isclose(elbo, evidence - kl_value, rtol=1e-6, atol=1e-6)
    assert elbo <= evidence + 1e-9
    assert np.isclose(vi.kl_normal(m, v, mean, var), kl_value, rtol=1e-5, atol=1e-7)


def test_elbo_equals_the_evidence_at_the_posterior_and_its_monte_carlo_estimate():
    x = np.random.default_rng(0).normal(1, 1, 10)
    mean, var = vi.gaussian_posterior(x, 2.0, 1.0)
    assert np.isclose(
        vi.elbo_gaussian(x, mean, var, 2.0, 1.0), vi.gaussian_log_evidence(x, 2.0, 1.0)
    )

    def log_joint(z):
        return scipy.stats.norm(0, 2.0).logpdf(z) + scipy.stats.norm(z[:, None], 1.0).logpdf(x).sum(
            1
        )

    estimate, error = vi.elbo_monte_carlo(log_joint, 0.3, 0.5, 50_000, seed=1)
    assert abs(estimate - vi.elbo_gaussian(x, 0.3, 0.5, 2.0, 1.0)) < Z * error


def test_conjugate_functions_reject_bad_input():
    with pytest.raises(ValueError, match="v \\(a variance\\) must be a positive"):
        vi.elbo_gaussian([1.0], 0.0, -1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="1-D array"):
        vi.gaussian_posterior(np.ones((2, 2)), 1.0, 1.0)
    with pytest.raises(ValueError, match="sigma must be a positive"):
        vi.gaussian_log_evidence([1.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="variances"):
        vi.kl_normal(0, 0, 0, 1)
    with pytest.raises(ValueError, match="n_samples"):
        vi.elbo_monte_carlo(np.sin, 0.0, 1.0, 1)


# ---------------------------------------------------------------- normal-gamma


X_NG = np.array([2.1, 1.4, 3.3, 2.8, 1.9])
PRIOR_NG = (0.5, 1.0, 2.0, 1.5)  # mu0, lam0, a0, b0


def _normal_gamma_log_joint(mu, tau, x, mu0, lam0, a0, b0):
    return (
        scipy.stats.norm(mu0, 1 / np.sqrt(lam0 * tau)).logpdf(mu)
        + scipy.stats.gamma(a0, scale=1 / b0).logpdf(tau)
        + scipy.stats.norm(mu[..., None], 1 / np.sqrt(tau[..., None])).logpdf(x).sum(-1)
    )


def test_normal_gamma_posterior_and_evidence_match_2d_integration():
    mu = np.linspace(-2, 6, 801)
    tau = np.linspace(1e-4, 6, 1200)
    M, T = np.meshgrid(mu, tau, indexing="ij")
    log_joint = _normal_gamma_log_joint(M, T, X_NG, *PRIOR_NG)
    shift = log_joint.max()
    w = np.exp(log_joint - shift)
    total = scipy.integrate.trapezoid(scipy.integrate.trapezoid(w, tau, axis=1), mu)
    mean_mu = scipy.integrate.trapezoid(scipy.integrate.trapezoid(w * M, tau, axis=1), mu) / total
    mean_tau = scipy.integrate.trapezoid(scipy.integrate.trapezoid(w * T, tau, axis=1), mu) / total
    mu_n, lam_n, a_n, b_n = vi.normal_gamma_posterior(X_NG, *PRIOR_NG)
    assert np.isclose(mu_n, mean_mu, rtol=1e-4) and np.isclose(a_n / b_n, mean_tau, rtol=1e-4)
    assert np.isclose(
        vi.normal_gamma_log_evidence(X_NG, *PRIOR_NG), shift + np.log(total), atol=1e-4
    )


def test_normal_gamma_elbo_matches_monte_carlo_and_bounds_the_evidence():
    q = (2.0, 4.0, 4.5, 3.0)
    rng = np.random.default_rng(2)
    mu = rng.normal(q[0], 1 / np.sqrt(q[1]), 400_000)
    tau = rng.gamma(q[2], 1 / q[3], 400_000)
    terms = (
        _normal_gamma_log_joint(mu, tau, X_NG, *PRIOR_NG)
        - scipy.stats.norm(q[0], 1 / np.sqrt(q[1])).logpdf(mu)
        - scipy.stats.gamma(q[2], scale=1 / q[3]).logpdf(tau)
    )
    elbo = vi.normal_gamma_elbo(X_NG, *PRIOR_NG, *q)
    assert abs(terms.mean() - elbo) < Z * terms.std() / np.sqrt(terms.size)
    assert elbo < vi.normal_gamma_log_evidence(X_NG, *PRIOR_NG)


def test_cavi_climbs_to_the_best_factorised_q():
    mu_n, lam_n, a_n, b_n, elbos = vi.cavi_normal_gamma(X_NG, *PRIOR_NG, 40, history=True)
    assert elbos.shape == (40,) and np.all(np.diff(elbos) >= -1e-12)

    def negative(p):
        return -vi.normal_gamma_elbo(X_NG, *PRIOR_NG, p[0], *np.exp(p[1:]))

    options = {"xatol": 1e-10, "fatol": 1e-13, "maxiter": 40_000}
    best = scipy.optimize.minimize(negative, np.zeros(4), method="Nelder-Mead", options=options)
    assert np.allclose([best.x[0], *np.exp(best.x[1:])], [mu_n, lam_n, a_n, b_n], rtol=1e-4)
    exact_mu, exact_lam, exact_a, exact_b = vi.normal_gamma_posterior(X_NG, *PRIOR_NG)
    assert np.isclose(mu_n, exact_mu)
    assert 1 / lam_n < exact_b / (exact_lam * (exact_a - 1))  # mean-field under-estimates
    assert elbos[-1] < vi.normal_gamma_log_evidence(X_NG, *PRIOR_NG)


def test_cavi_rejects_bad_input():
    with pytest.raises(ValueError, match="n_iter"):
        vi.cavi_normal_gamma(X_NG, *PRIOR_NG, 0)
    with pytest.raises(ValueError, match="lam0"):
        vi.cavi_normal_gamma(X_NG, 0.0, -1.0, 1.0, 1.0, 3)


# ---------------------------------------------------------------- mean-field Gaussian


def test_mean_field_gaussian_finds_the_mean_and_the_conditional_variances():
    Sigma = np.array([[1.0, 0.9, 0.2], [0.9, 1.5, 0.1], [0.2, 0.1, 0.7]])
    Lambda, mu = np.linalg.inv(Sigma), np.array([1.0, -2.0, 0.5])
    m, var, means = vi.mean_field_gaussian(mu, Lambda, 300, history=True)
    assert np.allclose(m, mu, atol=1e-10) and means.shape == (301, 3)
    assert np.all(var < np.diag(Sigma))  # under-estimated

    def kl(p):  # KL(q || p) by scipy's optimiser: the same q
        return vi.kl_diagonal_to_gaussian(p[:3], np.exp(p[3:]), mu, Lambda)

    best = scipy.optimize.minimize(kl, np.zeros(6), method="BFGS", options={"gtol": 1e-10})
    assert np.allclose(best.x[:3], mu, atol=1e-5) and np.allclose(
        np.exp(best.x[3:]), var, rtol=1e-5
    )


def test_kl_to_a_gaussian_matches_monte_carlo():
    Sigma = np.array([[1.0, 0.6], [0.6, 2.0]])
    mu, m, var = np.array([0.5, -1.0]), np.array([0.0, 0.0]), np.array([0.5, 1.5])
    q = scipy.stats.multivariate_normal(m, np.diag(var))
    z = q.rvs(300_000, random_state=4)
    terms = q.logpdf(z) - scipy.stats.multivariate_normal(mu, Sigma).logpdf(z)
    kl = vi.kl_diagonal_to_gaussian(m, var, mu, np.linalg.inv(Sigma))
    assert abs(terms.mean() - kl) < Z * terms.std() / np.sqrt(terms.size)


def test_mean_field_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="positive definite"):
        vi.mean_field_gaussian(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]), 3)
    with pytest.raises(ValueError, match="precision matrix"):
        vi.mean_field_gaussian(np.zeros(2), np.eye(3), 3)


# ---------------------------------------------------------------- gradient estimators


def test_gradient_estimators_match_torch_autograd_per_sample():
    import torch

    eps = np.random.default_rng(5).standard_normal(40)
    mu, log_sigma, a, b = 0.3, np.log(0.7), 1.5, -2.0
    got = vi.gradient_estimators(mu, log_sigma, eps, a, b)
    e = torch.tensor(eps)

    def objective(m, ls):  # one (mu, log sigma) copy per sample: per-sample gradients
        z = m + torch.exp(ls) * e
        return (a * z**2 + b * z).sum()

    g_mu, g_ls = gradients(objective, np.full(40, mu), np.full(40, log_sigma))
    assert np.allclose(got["reparam"], np.column_stack([g_mu, g_ls]), rtol=1e-12)
    z = torch.tensor(mu + np.exp(log_sigma) * eps)

    def log_q(m, ls):
        return (-0.5 * ((z - m) / torch.exp(ls)) ** 2 - ls).sum()

    s_mu, s_ls = gradients(log_q, np.full(40, mu), np.full(40, log_sigma))
    f = (a * z**2 + b * z).numpy()
    baseline = (f.sum() - f) / 39
    assert np.allclose(got["score"], (f - baseline)[:, None] * np.column_stack([s_mu, s_ls]))
    plain = vi.gradient_estimators(mu, log_sigma, eps, a, b, baseline=False)["score"]
    assert np.allclose(plain, f[:, None] * np.column_stack([s_mu, s_ls]))


def test_estimators_are_unbiased_and_the_baseline_and_reparameterisation_cut_variance():
    eps = np.random.default_rng(6).standard_normal(200_000)
    mu, sigma, a, b = 0.8, 1.3, 0.5, 1.0
    truth = np.array([2 * a * mu + b, 2 * a * sigma**2])
    with_baseline = vi.gradient_estimators(mu, np.log(sigma), eps, a, b)
    plain = vi.gradient_estimators(mu, np.log(sigma), eps, a, b, baseline=False)["score"]
    for estimates in (with_baseline["reparam"], with_baseline["score"], plain):
        error = estimates.std(axis=0) / np.sqrt(len(eps))
        assert np.all(np.abs(estimates.mean(axis=0) - truth) < Z * error)
    variances = [e.var(axis=0) for e in (with_baseline["reparam"], with_baseline["score"], plain)]
    assert np.all(variances[0] < variances[1]) and np.all(variances[1] < variances[2])


# ---------------------------------------------------------------- logistic regression


@pytest.fixture(scope="module")
def cancer():
    return vi.breast_cancer()


def test_breast_cancer_split_is_standardised_with_a_bias_column(cancer):
    X, y, X_test, y_test = cancer
    assert X.shape == (400, 31) and X_test.shape == (169, 31) and set(np.unique(y)) == {0.0, 1.0}
    assert np.allclose(X[:, :30].mean(0), 0, atol=1e-12) and np.allclose(X[:, :30].std(0), 1)
    assert np.all(X[:, 30] == 1) and np.all(X_test[:, 30] == 1)
    with pytest.raises(ValueError, match="n_train"):
        vi.breast_cancer(n_train=569)


def test_logistic_elbo_matches_monte_carlo_and_its_gradient_finite_differences(cancer):
    X, y, _, _ = cancer
    rng = np.random.default_rng(7)
    m, log_s = 0.3 * rng.standard_normal(31), rng.uniform(-2, -0.5, 31)
    value, grad_m, grad_log_s = vi.logistic_elbo(X, y, 2.0, m, log_s, gradient=True)
    w = m + np.exp(log_s) * rng.standard_normal((20_000, 31))
    log_lik = -np.logaddexp(0, -(2 * y - 1) * (w @ X.T)).sum(1)
    terms = (
        log_lik
        + scipy.stats.norm(0, np.sqrt(2.0)).logpdf(w).sum(1)
        - scipy.stats.norm(m, np.exp(log_s)).logpdf(w).sum(1)
    )
    assert abs(terms.mean() - value) < Z * terms.std() / np.sqrt(len(terms))
    theta = np.concatenate([m, log_s])
    numeric = scipy.optimize.approx_fprime(
        theta, lambda t: vi.logistic_elbo(X, y, 2.0, t[:31], t[31:]), 1e-6
    )
    assert np.allclose(np.concatenate([grad_m, grad_log_s]), numeric, rtol=1e-4, atol=1e-4)


def test_vi_optimum_is_stationary_and_bbvi_gets_close(cancer):
    X, y, X_test, y_test = cancer
    m, log_s, best = vi.logistic_vi_optimum(X, y, 1.0)
    _, grad_m, grad_log_s = vi.logistic_elbo(X, y, 1.0, m, log_s, gradient=True)
    assert np.max(np.abs(grad_m)) < 1e-5 and np.max(np.abs(grad_log_s)) < 1e-5
    m_b, log_s_b, trace = vi.bbvi_logistic(X, y, 1.0, steps=2000, seed=3, history=True)
    assert trace.shape == (2000,)
    assert best - vi.logistic_elbo(X, y, 1.0, m_b, log_s_b) < 0.5
    assert abs(trace[-200:].mean() - best) < 1.0  # the noisy estimates hover at the optimum
    accuracy = np.mean((vi.predictive_probability(X_test, m_b, log_s_b) > 0.5) == y_test)
    assert accuracy > 0.93
    again = vi.bbvi_logistic(X, y, 1.0, steps=10, seed=3)
    assert np.array_equal(again[0], vi.bbvi_logistic(X, y, 1.0, steps=10, seed=3)[0])


def test_map_matches_scikit_learn_and_mean_field_is_narrower_than_laplace(cancer):
    from sklearn.linear_model import LogisticRegression

    X, y, _, _ = cancer
    w, cov = vi.logistic_map(X, y, 2.0)
    sk = LogisticRegression(C=2.0, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, y)
    assert np.allclose(w, sk.coef_[0], atol=1e-5)
    _, log_s, _ = vi.logistic_vi_optimum(X, y, 2.0)
    assert np.median(np.exp(log_s) / np.sqrt(np.diag(cov))) < 1.0


def test_predictive_probability_matches_monte_carlo(cancer):
    X, _, _, _ = cancer
    m, log_s = np.full(31, 0.1), np.full(31, -1.0)
    w = m + np.exp(log_s) * np.random.default_rng(8).standard_normal((200_000, 31))
    p = scipy.special.expit(X[:5] @ w.T)  # (5, S)
    error = p.std(1) / np.sqrt(p.shape[1])
    assert np.all(np.abs(vi.predictive_probability(X[:5], m, log_s) - p.mean(1)) < Z * error)


def test_logistic_functions_reject_bad_input(cancer):
    X, y, _, _ = cancer
    with pytest.raises(ValueError, match="labels 0 and 1"):
        vi.bbvi_logistic(X, 2 * y - 1, 1.0, steps=1)
    with pytest.raises(ValueError, match="prior_var"):
        vi.logistic_elbo(X, y, 0.0, np.zeros(31), np.zeros(31))
    with pytest.raises(ValueError, match="shape \\(31,\\)"):
        vi.logistic_elbo(X, y, 1.0, np.zeros(30), np.zeros(31))


# ---------------------------------------------------------------- amortised VI


def test_binomial_elbo_matches_monte_carlo():
    rng = np.random.default_rng(9)
    theta = rng.normal(0.4, 0.6, 300_000)
    terms = (
        scipy.stats.binom(10, scipy.special.expit(theta)).logpmf(7)
        + scipy.stats.norm.logpdf(theta)
        - scipy.stats.norm(0.4, 0.6).logpdf(theta)
    )
    elbo = vi.binomial_elbo(7, 10, 0.4, np.log(0.6))
    assert abs(terms.mean() - elbo) < Z * terms.std() / np.sqrt(terms.size)


def test_amortisation_gap_shrinks_with_the_encoder():
    k = np.random.default_rng(10).binomial(10, 0.6, 200)
    m, log_s = vi.binomial_vi_optimum(k, 10)
    best = vi.binomial_elbo(k, 10, m, log_s).mean()
    gaps = []
    for degree in (0, 2):
        m_a, log_s_a, _ = vi.amortised_binomial_vi(k, 10, degree, steps=800)
        gaps.append(best - vi.binomial_elbo(k, 10, m_a, log_s_a).mean())
    assert gaps[0] > 0.1 and 0 <= gaps[1] < 0.05
