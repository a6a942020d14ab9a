"""The module-02 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import probability as chk
from autograder.checks.harness import CheckFailed
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
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_discrete_mean_var_rejects_unweighted_mean():
    def unweighted(values, probs):
        return float(np.mean(values)), prob.variance(values, probs)

    with pytest.raises(CheckFailed, match="plain average"):
        chk.discrete_mean_var_basic(unweighted)


def test_discrete_mean_var_rejects_second_moment():
    def second_moment(values, probs):
        return prob.expectation(values, probs), float(np.sum(probs * np.asarray(values) ** 2))

    with pytest.raises(CheckFailed, match=r"that is E\[X\*\*2\]"):
        chk.discrete_mean_var_basic(second_moment)


def test_discrete_mean_var_rejects_single_value():
    with pytest.raises(CheckFailed, match="expected a tuple"):
        chk.discrete_mean_var_basic(lambda values, probs: prob.expectation(values, probs))


def test_variances_rejects_swapped():
    with pytest.raises(CheckFailed, match="that is the sample variance"):
        chk.variances_basic(lambda x: (np.var(x, ddof=1), np.var(x)))


def test_variances_rejects_population_twice():
    with pytest.raises(CheckFailed, match="the sample variance divides by n - 1"):
        chk.variances_basic(lambda x: (np.var(x), np.var(x)))


def test_variances_rejects_catastrophic_cancellation():
    def naive(x):
        x = np.asarray(x, dtype=float)
        population = np.mean(x**2) - np.mean(x) ** 2
        return population, population * x.size / (x.size - 1)

    chk.variances_basic(naive)  # exact on small numbers ...
    with pytest.raises(CheckFailed, match="catastrophic cancellation"):
        chk.variances_hidden(naive)  # ... hopeless with a mean of 1e9


def test_inverse_cdf_rejects_left_side():
    def left(probs, u):
        return np.searchsorted(np.cumsum(probs), u, side="left")

    chk.categorical_inverse_cdf_basic(left)  # no u on a boundary here ...
    with pytest.raises(CheckFailed, match="exactly on a boundary"):
        chk.categorical_inverse_cdf_hidden(left)


def test_inverse_cdf_rejects_counting_from_one():
    with pytest.raises(CheckFailed, match="numbered from 0"):
        chk.categorical_inverse_cdf_basic(
            lambda probs, u: np.searchsorted(np.cumsum(probs), u, side="right") + 1
        )


def test_inverse_cdf_rejects_missing_clip():
    def unclipped(probs, u):
        return np.searchsorted(np.cumsum(probs), u, side="right")

    with pytest.raises(CheckFailed, match="clip the index"):
        chk.categorical_inverse_cdf_hidden(unclipped)


def test_inverse_cdf_rejects_float_indices():
    with pytest.raises(CheckFailed, match="expected integers"):
        chk.categorical_inverse_cdf_basic(
            lambda probs, u: prob.inverse_cdf_categorical(probs, u).astype(float)
        )


def test_joint_rejects_wrong_axis():
    def wrong_axis(joint):
        return joint.sum(axis=0), joint.sum(axis=1), prob.conditional(joint)

    with pytest.raises(CheckFailed, match=r"shape \(3,\), expected shape \(2,\)"):
        chk.marginals_and_conditional_basic(wrong_axis)
    with pytest.raises(CheckFailed, match="summed over the wrong axis"):
        chk.marginals_and_conditional_hidden(wrong_axis)


def test_joint_rejects_conditioning_on_y():
    def on_y(joint):
        p_x, p_y = prob.marginals(joint)
        return p_x, p_y, joint / p_y

    with pytest.raises(CheckFailed, match=r"gives P\(X=i \| Y=j\)"):
        chk.marginals_and_conditional_basic(on_y)


def test_bayes_rejects_sensitivity():
    with pytest.raises(CheckFailed, match="that is P"):
        chk.diagnostic_posterior_basic(lambda prevalence, sensitivity, specificity: sensitivity)


def test_bayes_rejects_specificity_as_false_positive_rate():
    def wrong_fp(prevalence, sensitivity, specificity):
        hit = sensitivity * prevalence
        return hit / (hit + specificity * (1 - prevalence))

    with pytest.raises(CheckFailed, match="1 - specificity, not specificity"):
        chk.diagnostic_posterior_basic(wrong_fp)


def test_bayes_rejects_missing_evidence():
    with pytest.raises(CheckFailed, match="divide by the evidence"):
        chk.diagnostic_posterior_basic(lambda pi, s, c: s * pi)


def test_covariance_rejects_divide_by_n():
    with pytest.raises(CheckFailed, match="divided by n; the sample covariance"):
        chk.covariance_matrix_basic(lambda X: prob.covariance_matrix(X, ddof=0))


def test_covariance_rejects_uncentred():
    with pytest.raises(CheckFailed, match="centre the columns first"):
        chk.covariance_matrix_basic(lambda X: X.T @ X / (len(X) - 1))


def test_covariance_rejects_rows_as_variables():
    with pytest.raises(
        CheckFailed, match=r"shape \(4, 4\), expected shape \(2, 2\); hint: the rows"
    ):
        chk.covariance_matrix_basic(lambda X: np.cov(X))


def test_correlation_rejects_dividing_by_variances():
    def by_variance(X):
        C = prob.covariance_matrix(X)
        return C / np.outer(np.diag(C), np.diag(C))

    with pytest.raises(CheckFailed, match="not by the variances"):
        chk.correlation_matrix_hidden(by_variance)


def test_correlation_rejects_mixed_divisors():
    def mixed(X):
        s = np.std(X, axis=0)  # divides by n
        return prob.covariance_matrix(X) / np.outer(s, s)  # divides by n - 1

    with pytest.raises(CheckFailed, match="same divisor"):
        chk.correlation_matrix_basic(mixed)


def test_mixture_rejects_uniform_component_choice():
    def uniform_choice(weights, means, stds, n, seed):
        rng = np.random.default_rng(seed)
        j = rng.integers(0, len(weights), n)
        return np.asarray(means)[j] + np.asarray(stds)[j] * rng.standard_normal(n)

    with pytest.raises(CheckFailed, match="with probability weights"):
        chk.sample_gaussian_mixture_basic(uniform_choice)


def test_mixture_rejects_variance_as_scale():
    def variance_scale(weights, means, stds, n, seed):
        rng = np.random.default_rng(seed)
        j = rng.choice(len(weights), size=n, p=weights)
        return rng.normal(np.asarray(means)[j], np.asarray(stds)[j] ** 2)

    with pytest.raises(CheckFailed, match="not variances"):
        chk.sample_gaussian_mixture_hidden(variance_scale)


def test_mixture_rejects_weighted_sum_of_gaussians():
    def weighted_sum(weights, means, stds, n, seed):
        rng = np.random.default_rng(seed)
        draws = rng.normal(means, stds, size=(n, len(weights)))  # (n, k)
        return draws @ np.asarray(weights)

    with pytest.raises(CheckFailed, match="fraction in"):
        chk.sample_gaussian_mixture_basic(weighted_sum)


def test_mixture_rejects_global_random_state():
    def global_state(weights, means, stds, n, seed):
        j = np.random.choice(len(weights), size=n, p=weights)
        return np.random.normal(np.asarray(means)[j], np.asarray(stds)[j])

    with pytest.raises(CheckFailed, match="default_rng"):
        chk.sample_gaussian_mixture_basic(global_state)


def test_mixture_rejects_one_shared_draw():
    def shared(weights, means, stds, n, seed):
        rng = np.random.default_rng(seed)
        j = rng.choice(len(weights), size=n, p=weights)
        return np.asarray(means)[j] + np.asarray(stds)[j] * rng.standard_normal()

    with pytest.raises(CheckFailed, match="each sample needs its own draw"):
        chk.sample_gaussian_mixture_basic(shared)


def test_clt_rejects_dividing_by_n():
    def by_n(n, trials, seed):
        draws = np.random.default_rng(seed).exponential(1.0, size=(trials, n))
        return n * (draws.mean(axis=1) - 1.0)

    with pytest.raises(CheckFailed, match="multiply"):
        chk.clt_standardized_means_basic(by_n)


def test_clt_rejects_uncentred():
    def uncentred(n, trials, seed):
        draws = np.random.default_rng(seed).exponential(1.0, size=(trials, n))
        return np.sqrt(n) * draws.mean(axis=1)

    with pytest.raises(CheckFailed, match="subtract the population mean"):
        chk.clt_standardized_means_basic(uncentred)


def test_clt_rejects_uniform_draws():
    def uniform(n, trials, seed):
        draws = np.random.default_rng(seed).uniform(0.0, 1.0, size=(trials, n))
        return np.sqrt(n) * (draws.mean(axis=1) - 0.5) / np.sqrt(1 / 12)

    chk.clt_standardized_means_basic(uniform)  # mean 0 and variance 1 too ...
    with pytest.raises(CheckFailed, match="Exponential\\(1\\) draws"):
        chk.clt_standardized_means_hidden(uniform)  # ... but no skewness


def test_clt_rejects_wrong_shape():
    def transposed(n, trials, seed):
        draws = np.random.default_rng(seed).exponential(1.0, size=(trials, n))
        return np.sqrt(n) * (draws.mean(axis=1, keepdims=True) - 1.0)

    with pytest.raises(CheckFailed, match=r"expected \(20000,\)"):
        chk.clt_standardized_means_basic(transposed)


def test_mle_rejects_unbiased_variance():
    with pytest.raises(CheckFailed, match="divided by n - 1"):
        chk.gaussian_mle_basic(lambda x: (np.mean(x), np.var(x, ddof=1)))


def test_mle_rejects_standard_deviation():
    with pytest.raises(CheckFailed, match="that is the standard deviation"):
        chk.gaussian_mle_basic(lambda x: (np.mean(x), np.std(x)))


def test_jensen_rejects_flipped_sign():
    def flipped(f, values, probs):
        return -prob.jensen_gap(f, values, probs)

    with pytest.raises(CheckFailed, match="sign is flipped"):
        chk.jensen_gap_basic(flipped)


def test_jensen_rejects_unweighted():
    def unweighted(f, values, probs):
        return float(np.mean(f(values)) - f(np.mean(values)))

    chk.jensen_gap_basic(unweighted)  # equal weights here ...
    with pytest.raises(CheckFailed, match="weight by the probabilities"):
        chk.jensen_gap_hidden(unweighted)
