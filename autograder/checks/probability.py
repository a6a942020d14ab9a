"""Checks for module 02, probability.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: confusing P(+|D) with
P(D|+), unweighted means, population vs sample variance, catastrophic
cancellation, wrong axes, off-by-one at CDF boundaries, mixtures that ignore their
weights, standardising by n instead of sqrt(n), the sign of Jensen's gap). The
oracles are numpy, scipy.stats and closed forms; nothing here uses dlkit or the
learner's other answers.

The two samplers are tested statistically on fixed seeds: the same seed must give
the same numbers and another seed other numbers (``harness.expect_reproducible``),
and every statistic is compared with its exact expectation within ``Z`` standard
errors (``harness.expect_within``; the standard error is derived in each check), or
by a Kolmogorov-Smirnov test at level ``KS_LEVEL``; a correct sampler fails a whole
check with probability below 1e-6, while the realistic mistakes miss by dozens of
standard errors.
"""

import numpy as np
import scipy.stats

from autograder.checks.harness import (
    Forbidden,
    as_float_array,
    call,
    expect,
    expect_close,
    expect_number,
    expect_reproducible,
    expect_within,
    unpack,
)

_SEED = 202  # hidden inputs are random but the same on every run
Z = 6.0  # standard errors allowed: a Gaussian statistic exceeds it with probability 2e-9
KS_LEVEL = 1e-7  # under the null the KS p-value is uniform: P(p < 1e-7) = 1e-7


# ---------------------------------------------------------------------------
# Exercise 1 · pr-discrete-mean-var · reference: dk.prob.expectation, dk.prob.variance
# ---------------------------------------------------------------------------

_MOMENT_HINT = (
    "E[X] = sum_i p_i x_i and Var[X] = sum_i p_i (x_i - E[X])**2: weight every value by its "
    "probability"
)


def _check_moments(fn, values, probs):
    result, text = call(fn, "discrete_mean_var", values, probs, hint=_MOMENT_HINT)
    mean, var = unpack(result, text, ("mean", "variance"))
    x, p = np.asarray(values, dtype=float), np.asarray(probs, dtype=float)
    expected_mean = float(np.sum(p * x))  # closed forms of the definitions
    expected_var = float(np.sum(p * (x - expected_mean) ** 2))
    unweighted = "you took the plain average of the values; weight each by its probability"
    mistakes = [(x.mean(), unweighted)]
    expect_number(
        mean,
        expected_mean,
        f"the mean from {text}",
        _MOMENT_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=mistakes,
    )
    mistakes = [
        (np.sum(p * x**2), "that is E[X**2]; subtract E[X]**2 (or centre the values first)"),
        (x.var(), "you took the unweighted variance of the values; weight by the probabilities"),
        (np.sqrt(expected_var), "that is the standard deviation; return the variance"),
    ]
    expect_number(
        var,
        expected_var,
        f"the variance from {text}",
        _MOMENT_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=mistakes,
    )


_FORBID_DISCRETE_MEAN_VAR = Forbidden(
    "discrete_mean_var",
    ("dlkit.prob.expectation", "dlkit.prob.variance"),
    "this exercise asks you to sum the values weighted by their probabilities yourself",
)


def discrete_mean_var_basic(fn):
    """X takes 0, 1, 2, 3 with probabilities 0.1, 0.2, 0.3, 0.4: mean 2, variance 1."""
    _check_moments(fn, np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3, 0.4]))
    _FORBID_DISCRETE_MEAN_VAR.check(fn)


def discrete_mean_var_hidden(fn):
    """A fair die, a point mass, negative values, random distributions, integer values."""
    rng = np.random.default_rng(_SEED)
    _check_moments(fn, np.arange(1.0, 7.0), np.full(6, 1 / 6))
    _check_moments(fn, np.array([4.5]), np.array([1.0]))
    _check_moments(fn, np.array([-10.0, 0.0, 3.0]), np.array([0.05, 0.9, 0.05]))
    for k in (5, 12):
        p = rng.dirichlet(np.ones(k))
        _check_moments(fn, rng.normal(2.0, 5.0, k), p)
    _check_moments(fn, np.array([1, 2, 10]), np.array([0.5, 0.25, 0.25]))
    _FORBID_DISCRETE_MEAN_VAR.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · pr-variances · reference: dk.prob.sample_variance
# ---------------------------------------------------------------------------

_VARIANCES_HINT = (
    "the population variance divides the sum of squared deviations by n, the sample "
    "variance by n - 1"
)


def _check_variances(fn, x):
    result, text = call(fn, "variances", x, hint=_VARIANCES_HINT)
    population, sample = unpack(result, text, ("population", "sample"))
    x = np.asarray(x, dtype=float)
    expected = (np.var(x), np.var(x, ddof=1))
    n = x.size
    naive = np.mean(x**2) - np.mean(x) ** 2  # E[x^2] - E[x]^2 in floating point
    cancel = (
        "E[x**2] - E[x]**2 loses every digit when the mean is large compared with the "
        "spread (catastrophic cancellation); subtract the mean first, then square"
    )
    for label, got, want, other, divisor in [
        ("population", population, expected[0], expected[1], "n"),
        ("sample", sample, expected[1], expected[0], "n - 1"),
    ]:
        other_label = "sample" if label == "population" else "population"
        mistakes = [
            (
                other,
                f"that is the {other_label} variance; the {label} variance divides by {divisor}",
            ),
            (naive * (1 if label == "population" else n / (n - 1)), cancel),
        ]
        what = f"the {label} variance from {text}"
        expect_number(got, want, what, _VARIANCES_HINT, rtol=1e-6, atol=1e-10, mistakes=mistakes)


_FORBID_VARIANCES = Forbidden(
    "variances",
    (
        "numpy.var",
        "numpy.std",
        "numpy.nanvar",
        "numpy.nanstd",
        ".var",
        ".std",
        "statistics",
        "dlkit.prob.sample_variance",
    ),
    (
        "this exercise asks you to compute both variances from their formulas (sum of squared "
        "deviations over n, and over n - 1), without np.var or np.std"
    ),
)


def variances_basic(fn):
    """``[2, 4, 4, 4, 5, 5, 7, 9]``: population variance 4, sample variance 32/7."""
    _check_variances(fn, np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]))
    _FORBID_VARIANCES.check(fn)


def variances_hidden(fn):
    """Two samples, a constant sample, integers, random data and a large mean (cancellation)."""
    rng = np.random.default_rng(_SEED + 1)
    _check_variances(fn, np.array([1.0, 3.0]))
    _check_variances(fn, np.full(5, 7.0))
    _check_variances(fn, np.array([1, 2, 3, 4, 10]))
    _check_variances(fn, rng.normal(-3.0, 2.0, 50))
    _check_variances(fn, 1e9 + rng.standard_normal(20))
    _FORBID_VARIANCES.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · pr-inverse-cdf · reference: dk.prob.inverse_cdf_categorical
# ---------------------------------------------------------------------------

_INVERSE_HINT = (
    "with the running totals F = np.cumsum(probs), category k owns the interval "
    "F[k-1] <= u < F[k]: count how many F values are <= u "
    "(`np.searchsorted(F, u, side='right')`)"
)


def _check_inverse(fn, probs, u, hint=_INVERSE_HINT):
    result, text = call(fn, "categorical_inverse_cdf", probs, u, hint=hint)
    cdf = np.cumsum(np.asarray(probs, dtype=float))
    expected = np.minimum(np.digitize(u, cdf), len(probs) - 1)  # bins [F_{k-1}, F_k)
    left = np.minimum(np.digitize(u, cdf, right=True), len(probs) - 1)
    mistakes = [
        (
            left,
            "a u exactly on a boundary F[k] belongs to category k + 1 (intervals are "
            "closed on the left, open on the right): use side='right', or count F <= u",
        ),
        (expected + 1, "categories are numbered from 0, not 1"),
    ]
    expect_close(result, expected, text, hint, rtol=0, atol=0, mistakes=mistakes)
    kind = np.asarray(result).dtype.kind
    expect(
        kind in "iu",
        f"{text} returned values of dtype {np.asarray(result).dtype}, expected integers "
        "(category indices); hint: convert with `.astype(int)`",
    )


_FORBID_CATEGORICAL_INVERSE_CDF = Forbidden(
    "categorical_inverse_cdf",
    ("dlkit.prob.inverse_cdf_categorical",),
    "this exercise asks you to invert the cumulative sums yourself (np.cumsum, np.searchsorted)",
)


def categorical_inverse_cdf_basic(fn):
    """probs ``[0.2, 0.5, 0.3]`` and u ``[0.1, 0.3, 0.75, 0.95]`` give ``[0, 1, 2, 2]``."""
    _check_inverse(fn, np.array([0.2, 0.5, 0.3]), np.array([0.1, 0.3, 0.75, 0.95]))
    _FORBID_CATEGORICAL_INVERSE_CDF.check(fn)


def categorical_inverse_cdf_hidden(fn):
    """u on the boundaries, zero-probability categories, u = 0, round-off at the top, many u."""
    rng = np.random.default_rng(_SEED + 2)
    quarters = np.array([0.25, 0.25, 0.5])
    _check_inverse(fn, quarters, np.array([0.0, 0.25, 0.5, 0.2499, 0.75]))
    _check_inverse(
        fn,
        np.array([0.5, 0.0, 0.5]),
        np.array([0.49, 0.5, 0.51]),
        hint="a category with probability 0 owns an empty interval and is never chosen; "
        + _INVERSE_HINT,
    )
    _check_inverse(fn, np.array([1.0]), rng.random(5))
    _check_inverse(
        fn,
        np.full(10, 0.1),
        np.array([0.05, 1 - 2**-53]),
        hint="np.cumsum(np.full(10, 0.1)) ends at 0.9999999999999999, not 1, and u can be as "
        "large as 1 - 2**-53: clip the index to at most len(probs) - 1",
    )
    probs = rng.dirichlet(np.ones(6))
    _check_inverse(fn, probs, rng.random(200))
    _FORBID_CATEGORICAL_INVERSE_CDF.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · pr-joint · reference: dk.prob.marginals, dk.prob.conditional
# ---------------------------------------------------------------------------

_JOINT_HINT = (
    "joint[i, j] = P(X=i, Y=j): P(X=i) sums row i (axis=1), P(Y=j) sums column j (axis=0), "
    "and P(Y=j | X=i) = joint[i, j] / P(X=i), so every row of the conditional sums to 1"
)


def _check_joint(fn, joint):
    result, text = call(fn, "marginals_and_conditional", joint, hint=_JOINT_HINT)
    p_x, p_y, cond = unpack(result, text, ("p_x", "p_y", "p_y_given_x"))
    joint = np.asarray(joint, dtype=float)
    want_x, want_y = joint.sum(axis=1), joint.sum(axis=0)  # (rows,), (columns,)
    swap = "you summed over the wrong axis: P(X=i) sums row i of the table (axis=1)"
    expect_close(p_x, want_x, f"p_x from {text}", _JOINT_HINT, mistakes=[(want_y, swap)])
    expect_close(p_y, want_y, f"p_y from {text}", _JOINT_HINT, mistakes=[(want_x, swap)])
    mistakes = [
        (
            joint / want_y,
            "you divided by P(Y=j), which gives P(X=i | Y=j); divide row i by "
            "P(X=i) instead (`joint / p_x[:, None]`)",
        ),
        (joint, "that is the joint table itself; divide each row by its total P(X=i)"),
    ]
    expected = joint / want_x[:, None]  # row i divided by P(X=i)
    expect_close(cond, expected, f"p_y_given_x from {text}", _JOINT_HINT, mistakes=mistakes)


_FORBID_MARGINALS_AND_CONDITIONAL = Forbidden(
    "marginals_and_conditional",
    ("dlkit.prob.marginals", "dlkit.prob.conditional"),
    "this exercise asks you to sum and divide the joint table yourself",
)


def marginals_and_conditional_basic(fn):
    """A 2 x 3 table with row sums 0.4, 0.6."""
    _check_joint(fn, np.array([[0.1, 0.2, 0.1], [0.3, 0.05, 0.25]]))
    _FORBID_MARGINALS_AND_CONDITIONAL.check(fn)


def marginals_and_conditional_hidden(fn):
    """Square and tall tables (axes!), an independent table, random tables."""
    rng = np.random.default_rng(_SEED + 3)
    _check_joint(fn, np.array([[0.1, 0.3], [0.4, 0.2]]))
    _check_joint(fn, np.outer([0.2, 0.3, 0.5], [0.6, 0.4]))
    _check_joint(fn, rng.dirichlet(np.ones(12)).reshape(4, 3))
    _check_joint(fn, rng.dirichlet(np.ones(10)).reshape(2, 5))
    _check_joint(fn, np.array([[1.0]]))
    _FORBID_MARGINALS_AND_CONDITIONAL.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · pr-bayes · reference: dk.prob.diagnostic_posterior
# ---------------------------------------------------------------------------

_BAYES_HINT = (
    "Bayes' rule: P(D | +) = P(+ | D) P(D) / P(+), where the evidence "
    "P(+) = sensitivity * prevalence + (1 - specificity) * (1 - prevalence)"
)


def _check_bayes(fn, prevalence, sensitivity, specificity):
    got, text = call(
        fn, "diagnostic_posterior", prevalence, sensitivity, specificity, hint=_BAYES_HINT
    )
    prior = np.array([prevalence, 1.0 - prevalence])  # (disease, healthy)
    likelihood_positive = np.array([sensitivity, 1.0 - specificity])
    joint = prior * likelihood_positive
    expected = float(joint[0] / joint.sum())
    mistakes = [
        (
            sensitivity,
            "that is P(+ | D), the sensitivity; the question asks for P(D | +), which "
            "also depends on how rare the disease is",
        ),
        (joint[0], "you forgot to divide by the evidence P(+)"),
        (
            sensitivity * prevalence / (sensitivity * prevalence + specificity * (1 - prevalence)),
            "a healthy person tests positive with probability 1 - specificity, not specificity",
        ),
    ]
    expect_number(got, expected, text, _BAYES_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_DIAGNOSTIC_POSTERIOR = Forbidden(
    "diagnostic_posterior",
    ("dlkit.prob.diagnostic_posterior",),
    "this exercise asks you to apply Bayes' rule yourself",
)


def diagnostic_posterior_basic(fn):
    """1 % prevalence, 99 % sensitivity, 95 % specificity: P(D | +) = 1/6."""
    _check_bayes(fn, 0.01, 0.99, 0.95)
    _FORBID_DIAGNOSTIC_POSTERIOR.check(fn)


def diagnostic_posterior_hidden(fn):
    """A grid of realistic tests, a perfect test, prevalence 0 and 1."""
    for prevalence in (0.001, 0.05, 0.3, 0.5):
        for sensitivity, specificity in [(0.9, 0.99), (0.7, 0.8), (0.999, 0.6)]:
            _check_bayes(fn, prevalence, sensitivity, specificity)
    _check_bayes(fn, 0.02, 0.95, 1.0)
    _check_bayes(fn, 0.0, 0.95, 0.9)
    _check_bayes(fn, 1.0, 0.95, 0.9)
    _FORBID_DIAGNOSTIC_POSTERIOR.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · pr-cov · reference: dk.prob.covariance_matrix
# ---------------------------------------------------------------------------

_COV_HINT = (
    "with one sample per row, centre the columns (Xc = X - X.mean(axis=0)) and return "
    "Xc.T @ Xc / (n - 1): a (d, d) matrix"
)


def _check_cov(fn, X):
    result, text = call(fn, "covariance_matrix", X, hint=_COV_HINT)
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    expected = np.cov(X, rowvar=False).reshape(X.shape[1], X.shape[1])  # (d, d)
    centred = X - X.mean(axis=0)  # (n, d)
    rows_as_variables = (
        "the rows are the samples: compute a (d, d) matrix from Xc.T @ Xc, not (n, n) "
        "from Xc @ Xc.T"
    )
    mistakes = [
        (expected * (n - 1) / n, "you divided by n; the sample covariance divides by n - 1"),
        (X.T @ X / (n - 1), "centre the columns first: subtract X.mean(axis=0)"),
        (centred @ centred.T / (n - 1), rows_as_variables),
        (lambda: np.cov(X), rows_as_variables),
    ]
    expect_close(result, expected, text, _COV_HINT, rtol=1e-7, atol=1e-9, mistakes=mistakes)


_FORBID_COVARIANCE_MATRIX = Forbidden(
    "covariance_matrix",
    ("loop", "numpy.cov", "numpy.corrcoef", "dlkit.prob.covariance_matrix"),
    (
        "this exercise asks you to centre X and compute Xc^T Xc / (n - 1) yourself, without "
        "np.cov (no loops)"
    ),
)


def covariance_matrix_basic(fn):
    """Four samples of two variables."""
    _check_cov(fn, np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [6.0, 4.0]]))
    _FORBID_COVARIANCE_MATRIX.check(fn)


def covariance_matrix_hidden(fn):
    """Wide and tall data (axes!), two samples, integers, correlated random data, big means."""
    rng = np.random.default_rng(_SEED + 4)
    _check_cov(fn, rng.standard_normal((3, 5)))
    _check_cov(fn, np.array([[1.0, 4.0, 0.0], [3.0, 0.0, 2.0]]))
    _check_cov(fn, rng.integers(-5, 6, (6, 3)))
    mixing = np.array([[1.0, 0.8, 0.0], [0.0, 0.6, 0.5], [0.0, 0.0, 1.0]])
    _check_cov(fn, rng.standard_normal((200, 3)) @ mixing + np.array([10.0, -4.0, 100.0]))
    _check_cov(fn, rng.standard_normal((7, 1)))
    _FORBID_COVARIANCE_MATRIX.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · pr-corr · reference: dk.prob.correlation_matrix
# ---------------------------------------------------------------------------

_CORR_HINT = (
    "R[i, j] = C[i, j] / (s_i s_j) with C the covariance matrix and s = sqrt(diag(C)) the "
    "standard deviations of the same C; the diagonal of R is all ones"
)


def _check_corr(fn, X):
    result, text = call(fn, "correlation_matrix", X, hint=_CORR_HINT)
    X = np.asarray(X, dtype=float)
    d, n = X.shape[1], X.shape[0]
    expected = np.corrcoef(X, rowvar=False).reshape(d, d)
    C = np.cov(X, rowvar=False).reshape(d, d)
    mistakes = [
        (
            C / np.outer(np.diag(C), np.diag(C)),
            "divide by the standard deviations sqrt(C[i, i]) * sqrt(C[j, j]), not by the variances",
        ),
        (
            expected * n / (n - 1),
            "the covariance (divided by n - 1) and the standard deviations "
            "(np.std divides by n) must use the same divisor; take both from the same C",
        ),
        (
            expected * (n - 1) / n,
            "the covariance (divided by n) and the standard deviations "
            "(divided by n - 1) must use the same divisor; take both from the same C",
        ),
        (C, "that is the covariance matrix; divide by the standard deviations"),
    ]
    expect_close(result, expected, text, _CORR_HINT, rtol=1e-7, atol=1e-9, mistakes=mistakes)


_FORBID_CORRELATION_MATRIX = Forbidden(
    "correlation_matrix",
    ("loop", "numpy.corrcoef", "numpy.cov", "dlkit.prob.correlation_matrix"),
    (
        "this exercise asks you to divide the covariance by the outer product of the standard "
        "deviations yourself, without np.corrcoef (or np.cov) (no loops)"
    ),
)


def correlation_matrix_basic(fn):
    """Two exactly linearly related columns (correlation 1) and one opposite column (-1)."""
    _check_corr(
        fn, np.array([[1.0, 2.0, 0.0], [2.0, 4.0, -1.0], [3.0, 6.0, -2.0], [5.0, 10.0, -4.0]])
    )
    _FORBID_CORRELATION_MATRIX.check(fn)


def correlation_matrix_hidden(fn):
    """Different scales per column, random correlated data, wide data, integers."""
    rng = np.random.default_rng(_SEED + 5)
    mixing = np.array([[1.0, 0.5, -0.3], [0.0, 2.0, 0.4], [0.0, 0.0, 0.1]])
    _check_corr(fn, rng.standard_normal((100, 3)) @ mixing * np.array([1.0, 50.0, 0.01]))
    _check_corr(fn, rng.standard_normal((4, 6)))
    _check_corr(fn, rng.integers(-5, 6, (8, 2)))
    _check_corr(fn, rng.standard_normal((3, 2)))
    _FORBID_CORRELATION_MATRIX.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · pr-mixture · reference: dk.prob.GaussianMixture.sample
# ---------------------------------------------------------------------------

_MIX_WEIGHT_HINT = (
    "pick the component of each sample with probability weights[j] (for example "
    "`rng.choice(len(weights), size=n, p=weights)`), then draw from that component"
)
_MIX_SHAPE_HINT = (
    "given its component j, a sample is means[j] + stds[j] * (a standard normal draw); "
    "stds are standard deviations, not variances, and each sample needs its own draw"
)


def _mixture_cdf(x, weights, means, stds):
    """``sum_j w_j Phi((x - mu_j) / sigma_j)``, the oracle distribution (scipy.stats)."""
    x = np.asarray(x, dtype=float)[..., None]
    return scipy.stats.norm.cdf(x, means, stds) @ np.asarray(weights, dtype=float)


def _region_masses(edges, weights, means, stds):
    return np.diff(_mixture_cdf(edges, weights, means, stds))


def _mixture_hint(fractions, edges, n, weights, means, stds):
    """Name the mistake whose law explains the observed region fractions, if one does."""
    k = len(weights)
    suspects = [
        (np.full(k, 1.0 / k), np.asarray(stds, dtype=float), _MIX_WEIGHT_HINT),
        (weights, np.asarray(stds, dtype=float) ** 2, _MIX_SHAPE_HINT),
    ]
    for w, s, hint in suspects:
        q = _region_masses(edges, w, means, s)
        if np.all(np.abs(fractions - q) <= Z * np.sqrt(q * (1 - q) / n) + 1e-12):
            return hint
    return f"{_MIX_WEIGHT_HINT}; {_MIX_SHAPE_HINT}"


def _check_mixture(fn, weights, means, stds, n, seed, cuts):
    args = (weights, means, stds, n)
    first, text = expect_reproducible(fn, "sample_gaussian_mixture", args, seed)
    got = as_float_array(first, text)
    expect(
        got.shape == (n,),
        f"{text} returned shape {got.shape}, expected ({n},); hint: return one number per "
        "sample, a 1-D array of length n",
    )
    expect(
        bool(np.all(np.isfinite(got))),
        f"{text} returned NaN or infinite values; hint: {_MIX_SHAPE_HINT}",
    )
    # Mass between consecutive cuts: the count is Binomial(n, q) with q from the exact CDF,
    # so the fraction has standard error sqrt(q (1 - q) / n). Z = 6 per region.
    edges = np.concatenate([[-np.inf], cuts, [np.inf]])
    counts = np.bincount(np.searchsorted(cuts, got), minlength=cuts.size + 1)  # (low, high]
    hint = _mixture_hint(counts / n, edges, n, weights, means, stds)
    q = _region_masses(edges, weights, means, stds)
    for low, high, qi, count in zip(edges[:-1], edges[1:], q, counts):
        what = f"fraction of the samples in ({low:g}, {high:g}]"
        expect_within(count / n, qi, np.sqrt(qi * (1 - qi) / n), text, what, hint, z=Z)
    # The whole distribution: Kolmogorov-Smirnov against the exact mixture CDF.
    p_value = scipy.stats.kstest(got, lambda x: _mixture_cdf(x, weights, means, stds)).pvalue
    expect(
        p_value > KS_LEVEL,
        f"{text}: the samples do not follow the mixture (Kolmogorov-Smirnov p-value "
        f"{p_value:.2g} < {KS_LEVEL:g}); hint: {_MIX_SHAPE_HINT}",
    )


_FORBID_SAMPLE_GAUSSIAN_MIXTURE = Forbidden(
    "sample_gaussian_mixture",
    ("dlkit.prob.GaussianMixture",),
    "this exercise asks you to draw the component, then the Gaussian sample, yourself",
)


def sample_gaussian_mixture_basic(fn):
    """Shape, reproducibility from the seed, and the law of a two-component mixture."""
    _check_mixture(fn, [0.3, 0.7], [-2.0, 3.0], [1.0, 0.5], 10_000, 0, cuts=np.array([0.5]))
    _FORBID_SAMPLE_GAUSSIAN_MIXTURE.check(fn)


def sample_gaussian_mixture_hidden(fn):
    """Unequal weights, a dominant component, overlapping components, one component."""
    _check_mixture(
        fn,
        np.array([0.15, 0.6, 0.25]),
        np.array([-5.0, 0.0, 4.0]),
        np.array([0.5, 2.0, 0.8]),
        20_000,
        _SEED,
        cuts=np.array([-3.0, -1.0, 1.0, 3.0]),
    )
    _check_mixture(
        fn, [0.05, 0.95], [10.0, 0.0], [1.0, 3.0], 20_000, _SEED + 1, cuts=np.array([7.0])
    )
    _check_mixture(fn, [1.0], [2.0], [0.25], 5_000, _SEED + 2, cuts=np.array([2.0]))
    _FORBID_SAMPLE_GAUSSIAN_MIXTURE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · pr-clt · reference: dk.prob.standardized_means
# ---------------------------------------------------------------------------


def _check_clt(fn, n, trials, seed, exact_law):
    first, text = expect_reproducible(fn, "clt_standardized_means", (n, trials), seed)
    got = as_float_array(first, text)
    expect(
        got.shape == (trials,),
        f"{text} returned shape {got.shape}, expected ({trials},); hint: one standardised "
        "mean per trial: draw a (trials, n) array and average over axis=1",
    )
    # Z = sqrt(n) (mean of n Exp(1) draws - 1) has mean 0 and variance 1 exactly, for every
    # n, and E[Z^4] = 3 + 6 / n (cumulants of Exp(1) are (r - 1)!; averaging n copies scales
    # the fourth by 1 / n). So mean(Z) has standard error sqrt(1 / trials) and mean(Z^2)
    # has sqrt((E[Z^4] - 1) / trials); both statistics are nearly Gaussian (their skewness
    # is below 0.1 at these sizes), so Z = 6 standard errors fails with probability < 1e-8.
    expect_within(
        float(np.mean(got)),
        0.0,
        np.sqrt(1.0 / trials),
        text,
        "mean of the values",
        "subtract the population mean of Exponential(1), which is 1, from each sample mean",
        z=Z,
    )
    expect_within(
        float(np.mean(got**2)),
        1.0,
        np.sqrt((2.0 + 6.0 / n) / trials),
        text,
        "mean square of the values",
        "the mean of n draws has standard deviation sigma / sqrt(n) with sigma = 1, so multiply "
        "(mean - 1) by sqrt(n), not by n and not by 1",
        z=Z,
    )
    if exact_law:
        # The sum of n Exp(1) draws is Gamma(n, 1), so P(Z <= z) = Gamma(n).cdf(n + sqrt(n) z)
        # exactly; a Kolmogorov-Smirnov test at level 1e-7 against that law also sees the
        # skewness 2 / sqrt(n) that a normal (or uniform) source would not have.
        law = scipy.stats.gamma(n)
        p_value = scipy.stats.kstest(got, lambda z: law.cdf(n + np.sqrt(n) * z)).pvalue
        expect(
            p_value > KS_LEVEL,
            f"{text}: the values do not follow the law of a standardised mean of {n} "
            f"Exponential(1) draws (Kolmogorov-Smirnov p-value {p_value:.2g} < {KS_LEVEL:g}); "
            "hint: draw the samples from Exponential(1), `rng.exponential(1.0, size=(trials, "
            f"n))`: its skewness survives in the standardised means as 2 / sqrt(n) = "
            f"{2 / np.sqrt(n):.3g}",
        )


_FORBID_CLT_STANDARDIZED_MEANS = Forbidden(
    "clt_standardized_means",
    ("dlkit.prob.standardized_means",),
    "this exercise asks you to simulate and standardise the means yourself",
)


def clt_standardized_means_basic(fn):
    """Shape and reproducibility, mean 0 and variance 1 for n = 10."""
    _check_clt(fn, 10, 20_000, 0, exact_law=False)
    _FORBID_CLT_STANDARDIZED_MEANS.check(fn)


def clt_standardized_means_hidden(fn):
    """n = 1, 4 and 30: mean 0, variance 1, and the exact (skewed) law of the mean."""
    _check_clt(fn, 1, 20_000, _SEED, exact_law=True)
    _check_clt(fn, 4, 40_000, _SEED + 1, exact_law=True)
    _check_clt(fn, 30, 40_000, _SEED + 2, exact_law=True)
    _FORBID_CLT_STANDARDIZED_MEANS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · pr-mle · reference: dk.prob.gaussian_mle
# ---------------------------------------------------------------------------

_MLE_HINT = (
    "setting the derivatives of the log-likelihood to zero gives mu = mean(x) and "
    "sigma**2 = mean((x - mu)**2), which divides by n"
)


def _check_mle(fn, x):
    result, text = call(fn, "gaussian_mle", x, hint=_MLE_HINT)
    mu, var = unpack(result, text, ("mu", "variance"))
    x = np.asarray(x, dtype=float)
    loc, scale = scipy.stats.norm.fit(x)  # scipy's maximum-likelihood fit
    expect_number(mu, loc, f"mu from {text}", _MLE_HINT, rtol=1e-9, atol=1e-12)
    mistakes = [
        (scale, "that is the standard deviation; return the variance sigma**2"),
        (
            lambda: np.var(x, ddof=1),  # nan for a single sample, as the mistake gives
            "you divided by n - 1 (the unbiased estimate); the maximum "
            "likelihood estimate divides by n",
        ),
    ]
    what = f"the variance from {text}"
    expect_number(var, scale**2, what, _MLE_HINT, rtol=1e-7, atol=1e-12, mistakes=mistakes)


_FORBID_GAUSSIAN_MLE = Forbidden(
    "gaussian_mle",
    ("dlkit.prob.gaussian_mle", "scipy.stats.norm.fit"),
    (
        "this exercise asks you to compute the maximum-likelihood mean and variance from their "
        "formulas yourself"
    ),
)


def gaussian_mle_basic(fn):
    """``x = [1, 2, 3, 4]``: mu = 2.5, sigma^2 = 1.25."""
    _check_mle(fn, np.array([1.0, 2.0, 3.0, 4.0]))
    _FORBID_GAUSSIAN_MLE.check(fn)


def gaussian_mle_hidden(fn):
    """Random samples, a single sample (variance 0), integers."""
    rng = np.random.default_rng(_SEED + 6)
    _check_mle(fn, rng.normal(3.0, 2.0, 25))
    _check_mle(fn, rng.normal(-100.0, 0.1, 400))
    _check_mle(fn, np.array([7.5]))
    _check_mle(fn, np.array([2, 2, 3, 9]))
    _FORBID_GAUSSIAN_MLE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · pr-jensen · reference: dk.prob.jensen_gap
# ---------------------------------------------------------------------------

_JENSEN_HINT = (
    "the gap is E[f(X)] - f(E[X]) with E[g(X)] = sum_i p_i g(x_i): apply f to every value, "
    "average with the probabilities, and subtract f of the weighted mean"
)


def _check_jensen(fn, f, values, probs):
    got, text = call(fn, "jensen_gap", f, values, probs, hint=_JENSEN_HINT)
    x, p = np.asarray(values, dtype=float), np.asarray(probs, dtype=float)
    expected = float(np.sum(p * f(x)) - f(np.sum(p * x)))
    mistakes = [
        (-expected, "the sign is flipped: compute E[f(X)] minus f(E[X])"),
        (
            float(np.mean(f(x)) - f(np.mean(x))),
            "weight by the probabilities instead of taking plain averages",
        ),
    ]
    expect_number(got, expected, text, _JENSEN_HINT, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_JENSEN_GAP = Forbidden(
    "jensen_gap",
    ("dlkit.prob.jensen_gap",),
    "this exercise asks you to compute E[f(X)] - f(E[X]) yourself",
)


def jensen_gap_basic(fn):
    """f = square, X uniform on {0, 2}: E[X^2] - (E X)^2 = 2 - 1 = 1."""
    _check_jensen(fn, np.square, np.array([0.0, 2.0]), np.array([0.5, 0.5]))
    _FORBID_JENSEN_GAP.check(fn)


def jensen_gap_hidden(fn):
    """Convex (exp, abs), concave (log, sqrt: negative gap), point masses, random laws."""
    rng = np.random.default_rng(_SEED + 7)
    values, probs = rng.uniform(0.1, 3.0, 6), rng.dirichlet(np.ones(6))
    for f in (np.exp, np.log, np.sqrt, np.square):
        _check_jensen(fn, f, values, probs)
    _check_jensen(fn, np.abs, np.array([-2.0, 1.0, 3.0]), np.array([0.5, 0.3, 0.2]))
    _check_jensen(fn, np.exp, np.array([1.5]), np.array([1.0]))
    _check_jensen(fn, np.log, np.array([1.0, 100.0]), np.array([0.99, 0.01]))
    _FORBID_JENSEN_GAP.check(fn)
