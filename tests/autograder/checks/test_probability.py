"""The module-02 checks: references and realistic mistakes.

The runner is tests/autograder/checks/test_contract.py.
"""

import numpy as np

from dlkit import prob

# ---------------------------------------------------------------------------
# Reference solutions (the notebook's solutions, built on dlkit.prob where it fits)
# ---------------------------------------------------------------------------


def discrete_mean_var_ref(values, probs):
    return prob.expectation(values, probs), prob.variance(values, probs)


def variances_ref(x):
    return prob.sample_variance(x, ddof=0), prob.sample_variance(x, ddof=1)


def marginals_and_conditional_ref(joint):
    p_x, p_y = prob.marginals(joint)
    return p_x, p_y, prob.conditional(joint)


def sample_gaussian_mixture_ref(weights, means, stds, n, seed):
    return prob.GaussianMixture(weights, means, stds).sample(np.random.default_rng(seed), n)


def clt_standardized_means_ref(n, trials, seed):
    draws = np.random.default_rng(seed).exponential(1.0, size=(trials, n))  # (trials, n)
    return prob.standardized_means(draws, 1.0, 1.0)


REFERENCES = {
    "discrete_mean_var": discrete_mean_var_ref,
    "variances": variances_ref,
    "categorical_inverse_cdf": prob.inverse_cdf_categorical,
    "marginals_and_conditional": marginals_and_conditional_ref,
    "diagnostic_posterior": prob.diagnostic_posterior,
    "covariance_matrix": prob.covariance_matrix,
    "correlation_matrix": prob.correlation_matrix,
    "sample_gaussian_mixture": sample_gaussian_mixture_ref,
    "clt_standardized_means": clt_standardized_means_ref,
    "gaussian_mle": prob.gaussian_mle,
    "jensen_gap": prob.jensen_gap,
}


# ---------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------


def mean_var_unweighted_mean(values, probs):
    return float(np.mean(values)), prob.variance(values, probs)


def mean_var_second_moment(values, probs):
    return prob.expectation(values, probs), float(np.sum(probs * np.asarray(values) ** 2))


def mean_var_standard_deviation(values, probs):
    return prob.expectation(values, probs), float(np.sqrt(prob.variance(values, probs)))


def mean_var_mean_only(values, probs):
    return prob.expectation(values, probs)


def variances_swapped(x):
    return np.var(x, ddof=1), np.var(x)


def variances_population_twice(x):
    return np.var(x), np.var(x)


def variances_catastrophic_cancellation(x):
    x = np.asarray(x, dtype=float)
    population = np.mean(x**2) - np.mean(x) ** 2
    return population, population * x.size / (x.size - 1)


def inverse_cdf_left_side(probs, u):
    return np.searchsorted(np.cumsum(probs), u, side="left")


def inverse_cdf_counting_from_one(probs, u):
    return np.searchsorted(np.cumsum(probs), u, side="right") + 1


def inverse_cdf_unclipped(probs, u):
    return np.searchsorted(np.cumsum(probs), u, side="right")


def inverse_cdf_float_indices(probs, u):
    return prob.inverse_cdf_categorical(probs, u).astype(float)


def joint_wrong_axis(joint):
    return joint.sum(axis=0), joint.sum(axis=1), prob.conditional(joint)


def joint_conditioning_on_y(joint):
    p_x, p_y = prob.marginals(joint)
    return p_x, p_y, joint / p_y


def joint_table_as_conditional(joint):
    p_x, p_y = prob.marginals(joint)
    return p_x, p_y, joint


def bayes_sensitivity(prevalence, sensitivity, specificity):
    return sensitivity


def bayes_specificity_as_false_positive_rate(prevalence, sensitivity, specificity):
    hit = sensitivity * prevalence
    return hit / (hit + specificity * (1 - prevalence))


def bayes_without_evidence(prevalence, sensitivity, specificity):
    return sensitivity * prevalence


def covariance_divided_by_n(X):
    return prob.covariance_matrix(X, ddof=0)


def covariance_uncentred(X):
    return X.T @ X / (len(X) - 1)


def covariance_rows_as_variables(X):
    return np.cov(X)


def covariance_centred_in_place(X):
    X -= X.mean(axis=0)
    return X.T @ X / (len(X) - 1)


def correlation_divided_by_variances(X):
    C = prob.covariance_matrix(X)
    return C / np.outer(np.diag(C), np.diag(C))


def correlation_mixed_divisors(X):
    s = np.std(X, axis=0)  # divides by n
    return prob.covariance_matrix(X) / np.outer(s, s)  # divides by n - 1


def correlation_is_covariance(X):
    return prob.covariance_matrix(X)


def mixture_uniform_component_choice(weights, means, stds, n, seed):
    rng = np.random.default_rng(seed)
    j = rng.integers(0, len(weights), n)
    return np.asarray(means)[j] + np.asarray(stds)[j] * rng.standard_normal(n)


def mixture_variance_as_scale(weights, means, stds, n, seed):
    rng = np.random.default_rng(seed)
    j = rng.choice(len(weights), size=n, p=weights)
    return rng.normal(np.asarray(means)[j], np.asarray(stds)[j] ** 2)


def mixture_weighted_sum_of_gaussians(weights, means, stds, n, seed):
    rng = np.random.default_rng(seed)
    draws = rng.normal(means, stds, size=(n, len(weights)))  # (n, k)
    return draws @ np.asarray(weights)


def mixture_global_random_state(weights, means, stds, n, seed):
    j = np.random.choice(len(weights), size=n, p=weights)
    return np.random.normal(np.asarray(means)[j], np.asarray(stds)[j])


def mixture_one_shared_draw(weights, means, stds, n, seed):
    rng = np.random.default_rng(seed)
    j = rng.choice(len(weights), size=n, p=weights)
    return np.asarray(means)[j] + np.asarray(stds)[j] * rng.standard_normal()


def _exponential_means(n, trials, seed):
    """Mean of each row of a (trials, n) array of Exponential(1) draws, shape (trials,)."""
    return np.random.default_rng(seed).exponential(1.0, size=(trials, n)).mean(axis=1)


def clt_scaled_by_n(n, trials, seed):
    return n * (_exponential_means(n, trials, seed) - 1.0)


def clt_uncentred(n, trials, seed):
    return np.sqrt(n) * _exponential_means(n, trials, seed)


def clt_uniform_draws(n, trials, seed):
    draws = np.random.default_rng(seed).uniform(0.0, 1.0, size=(trials, n))
    return np.sqrt(n) * (draws.mean(axis=1) - 0.5) / np.sqrt(1 / 12)


def clt_column_shape(n, trials, seed):
    return np.sqrt(n) * (_exponential_means(n, trials, seed)[:, None] - 1.0)  # (trials, 1)


def mle_unbiased_variance(x):
    return np.mean(x), np.var(x, ddof=1)


def mle_standard_deviation(x):
    return np.mean(x), np.std(x)


def jensen_sign_flipped(f, values, probs):
    return -prob.jensen_gap(f, values, probs)


def jensen_unweighted(f, values, probs):
    return float(np.mean(f(values)) - f(np.mean(values)))


MUTANTS = [
    ("discrete_mean_var_basic", mean_var_unweighted_mean, "plain average"),
    ("discrete_mean_var_basic", mean_var_second_moment, "that is E[X**2]"),
    ("discrete_mean_var_hidden", mean_var_standard_deviation, "that is the standard deviation"),
    ("discrete_mean_var_basic", mean_var_mean_only, "expected 2 values (mean, variance)"),
    ("variances_basic", variances_swapped, "that is the sample variance"),
    ("variances_basic", variances_population_twice, "the sample variance divides by n - 1"),
    ("variances_hidden", variances_catastrophic_cancellation, "catastrophic cancellation"),
    ("categorical_inverse_cdf_hidden", inverse_cdf_left_side, "exactly on a boundary"),
    ("categorical_inverse_cdf_basic", inverse_cdf_counting_from_one, "numbered from 0"),
    ("categorical_inverse_cdf_hidden", inverse_cdf_unclipped, "clip the index"),
    ("categorical_inverse_cdf_basic", inverse_cdf_float_indices, "expected integers"),
    ("marginals_and_conditional_basic", joint_wrong_axis, "shape (3,), expected shape (2,)"),
    ("marginals_and_conditional_hidden", joint_wrong_axis, "summed over the wrong axis"),
    ("marginals_and_conditional_basic", joint_conditioning_on_y, "gives P(X=i | Y=j)"),
    ("marginals_and_conditional_basic", joint_table_as_conditional, "the joint table itself"),
    ("diagnostic_posterior_basic", bayes_sensitivity, "that is P(+ | D)"),
    (
        "diagnostic_posterior_basic",
        bayes_specificity_as_false_positive_rate,
        "1 - specificity, not specificity",
    ),
    ("diagnostic_posterior_basic", bayes_without_evidence, "divide by the evidence"),
    ("covariance_matrix_basic", covariance_divided_by_n, "divided by n; the sample covariance"),
    ("covariance_matrix_basic", covariance_uncentred, "centre the columns first"),
    (
        "covariance_matrix_basic",
        covariance_rows_as_variables,
        "shape (4, 4), expected shape (2, 2); hint: the rows are the samples",
    ),
    ("covariance_matrix_basic", covariance_centred_in_place, "modified its argument 1 in place"),
    ("correlation_matrix_hidden", correlation_divided_by_variances, "not by the variances"),
    ("correlation_matrix_basic", correlation_mixed_divisors, "same divisor"),
    ("correlation_matrix_hidden", correlation_is_covariance, "that is the covariance matrix"),
    ("sample_gaussian_mixture_basic", mixture_uniform_component_choice, "probability weights"),
    ("sample_gaussian_mixture_hidden", mixture_variance_as_scale, "not variances"),
    ("sample_gaussian_mixture_basic", mixture_weighted_sum_of_gaussians, "fraction of the"),
    ("sample_gaussian_mixture_basic", mixture_global_random_state, "default_rng"),
    ("sample_gaussian_mixture_basic", mixture_one_shared_draw, "each sample needs its own draw"),
    ("clt_standardized_means_basic", clt_scaled_by_n, "multiply"),
    ("clt_standardized_means_basic", clt_uncentred, "subtract the population mean"),
    ("clt_standardized_means_hidden", clt_uniform_draws, "Exponential(1) draws"),
    ("clt_standardized_means_basic", clt_column_shape, "expected (20000,)"),
    ("gaussian_mle_basic", mle_unbiased_variance, "divided by n - 1"),
    ("gaussian_mle_basic", mle_standard_deviation, "that is the standard deviation"),
    ("jensen_gap_basic", jensen_sign_flipped, "sign is flipped"),
    ("jensen_gap_hidden", jensen_unweighted, "weight by the probabilities"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def variances_methods(x):
    """x.var(), which the prompt forbids (as np.var)."""
    x = np.asarray(x, dtype=float)
    return float(x.var()), float(x.var(ddof=1))


def covariance_numpy(X):
    """np.cov, which the prompt forbids."""
    return np.atleast_2d(np.cov(np.asarray(X, dtype=float), rowvar=False))


def discrete_mean_var_through_expectation(*args, **kwargs):
    """The reference, using dlkit.prob.expectation: the exercise forbids it."""
    import dlkit

    dlkit.prob.expectation  # noqa: B018
    return discrete_mean_var_ref(*args, **kwargs)


def variances_through_var(*args, **kwargs):
    """The reference, using numpy.var: the exercise forbids it."""
    import numpy

    numpy.var  # noqa: B018
    return variances_ref(*args, **kwargs)


def categorical_inverse_cdf_through_inverse_cdf_categorical(*args, **kwargs):
    """The reference, using dlkit.prob.inverse_cdf_categorical: the exercise forbids it."""
    import dlkit

    dlkit.prob.inverse_cdf_categorical  # noqa: B018
    return prob.inverse_cdf_categorical(*args, **kwargs)


def marginals_and_conditional_through_marginals(*args, **kwargs):
    """The reference, using dlkit.prob.marginals: the exercise forbids it."""
    import dlkit

    dlkit.prob.marginals  # noqa: B018
    return marginals_and_conditional_ref(*args, **kwargs)


def diagnostic_posterior_through_diagnostic_posterior(*args, **kwargs):
    """The reference, using dlkit.prob.diagnostic_posterior: the exercise forbids it."""
    import dlkit

    dlkit.prob.diagnostic_posterior  # noqa: B018
    return prob.diagnostic_posterior(*args, **kwargs)


def covariance_matrix_through_cov(*args, **kwargs):
    """The reference, using numpy.cov: the exercise forbids it."""
    import numpy

    numpy.cov  # noqa: B018
    return prob.covariance_matrix(*args, **kwargs)


def correlation_matrix_through_corrcoef(*args, **kwargs):
    """The reference, using numpy.corrcoef: the exercise forbids it."""
    import numpy

    numpy.corrcoef  # noqa: B018
    return prob.correlation_matrix(*args, **kwargs)


def sample_gaussian_mixture_through_GaussianMixture(*args, **kwargs):
    """The reference, using dlkit.prob.GaussianMixture: the exercise forbids it."""
    import dlkit

    dlkit.prob.GaussianMixture  # noqa: B018
    return sample_gaussian_mixture_ref(*args, **kwargs)


def clt_standardized_means_through_standardized_means(*args, **kwargs):
    """The reference, using dlkit.prob.standardized_means: the exercise forbids it."""
    import dlkit

    dlkit.prob.standardized_means  # noqa: B018
    return clt_standardized_means_ref(*args, **kwargs)


def gaussian_mle_through_gaussian_mle(*args, **kwargs):
    """The reference, using dlkit.prob.gaussian_mle: the exercise forbids it."""
    import dlkit

    dlkit.prob.gaussian_mle  # noqa: B018
    return prob.gaussian_mle(*args, **kwargs)


def jensen_gap_through_jensen_gap(*args, **kwargs):
    """The reference, using dlkit.prob.jensen_gap: the exercise forbids it."""
    import dlkit

    dlkit.prob.jensen_gap  # noqa: B018
    return prob.jensen_gap(*args, **kwargs)


MUTANTS += [
    ("variances_basic", variances_methods, "your answer calls x.var"),
    ("covariance_matrix_hidden", covariance_numpy, "your answer calls np.cov"),
    (
        "discrete_mean_var_hidden",
        discrete_mean_var_through_expectation,
        "your answer uses dlkit.prob.expectation",
    ),
    ("variances_hidden", variances_through_var, "your answer uses numpy.var"),
    (
        "categorical_inverse_cdf_hidden",
        categorical_inverse_cdf_through_inverse_cdf_categorical,
        "your answer uses dlkit.prob.inverse_cdf_categorical",
    ),
    (
        "marginals_and_conditional_hidden",
        marginals_and_conditional_through_marginals,
        "your answer uses dlkit.prob.marginals",
    ),
    (
        "diagnostic_posterior_hidden",
        diagnostic_posterior_through_diagnostic_posterior,
        "your answer uses dlkit.prob.diagnostic_posterior",
    ),
    ("covariance_matrix_hidden", covariance_matrix_through_cov, "your answer uses numpy.cov"),
    (
        "correlation_matrix_hidden",
        correlation_matrix_through_corrcoef,
        "your answer uses numpy.corrcoef",
    ),
    (
        "sample_gaussian_mixture_hidden",
        sample_gaussian_mixture_through_GaussianMixture,
        "your answer uses dlkit.prob.GaussianMixture",
    ),
    (
        "clt_standardized_means_hidden",
        clt_standardized_means_through_standardized_means,
        "your answer uses dlkit.prob.standardized_means",
    ),
    (
        "gaussian_mle_hidden",
        gaussian_mle_through_gaussian_mle,
        "your answer uses dlkit.prob.gaussian_mle",
    ),
    ("jensen_gap_hidden", jensen_gap_through_jensen_gap, "your answer uses dlkit.prob.jensen_gap"),
]


def covariance_with_loops(X):
    """Right values, but the prompt says: no loops."""
    X = np.asarray(X, dtype=float)
    Xc = X - X.mean(axis=0)
    d = X.shape[1]
    return np.array([[Xc[:, i] @ Xc[:, j] for j in range(d)] for i in range(d)]) / (len(X) - 1)


MUTANTS += [
    ("covariance_matrix_hidden", covariance_with_loops, "your answer uses a Python loop"),
]
