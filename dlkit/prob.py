"""Probability: distributions, moments, Bayes' rule, limit theorems and concentration bounds.

Reference implementations for module 02. The distributions are small classes with
the same methods: ``pmf`` (discrete) or ``pdf`` (continuous), ``log_prob``, ``cdf``,
``sample(rng, n)``, ``mean()`` and ``var()``. ``rng`` is a ``numpy.random.Generator``
or an integer seed. Everything works in float64 and rejects malformed parameters
with a ValueError that says what to fix.
"""

import numpy as np
from scipy.special import erfc, gammaln, xlog1py, xlogy

from dlkit.numerics import logsumexp

LOG_2PI = np.log(2.0 * np.pi)


# ---------------------------------------------------------------- input validation


def _probability(p, name, func):
    """``p`` as a float in [0, 1], or a ValueError naming ``func``."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{func}: {name} must be a probability in [0, 1], got {p}")
    return p


def _positive(x, name, func):
    """``x`` as a float > 0, or a ValueError naming ``func``."""
    x = float(x)
    if not x > 0.0:
        raise ValueError(f"{func}: {name} must be positive, got {x}")
    return x


def _probability_vector(probs, func, name="probs"):
    """``probs`` as a 1-D float array of non-negative numbers summing to 1."""
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 1 or probs.size == 0:
        raise ValueError(f"{func}: {name} must be a non-empty 1-D array, got shape {probs.shape}")
    if np.any(probs < 0) or not np.isclose(probs.sum(), 1.0, rtol=0.0, atol=1e-9):
        raise ValueError(
            f"{func}: {name} must be non-negative and sum to 1, got sum {probs.sum():.12g}; "
            f"divide by the total to normalise"
        )
    return probs


def _joint_table(joint, func):
    """A 2-D table of non-negative numbers summing to 1."""
    joint = np.asarray(joint, dtype=float)
    if joint.ndim != 2:
        raise ValueError(f"{func}: joint must be a 2-D table P(X=i, Y=j), got shape {joint.shape}")
    if np.any(joint < 0) or not np.isclose(joint.sum(), 1.0, rtol=0.0, atol=1e-9):
        raise ValueError(
            f"{func}: joint must be non-negative and sum to 1, got sum {joint.sum():.12g}"
        )
    return joint


def _samples(x, func, min_size=1):
    """``x`` as a 1-D float array with at least ``min_size`` entries."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < min_size:
        raise ValueError(
            f"{func}: x must be a 1-D array of at least {min_size} sample(s), got shape {x.shape}"
        )
    return x


def _data_matrix(X, func):
    """``X`` as an (n, d) float array with n >= 2 rows (samples) and d >= 1 columns."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(
            f"{func}: X must be an (n, d) array with one sample per row and n >= 2, "
            f"got shape {X.shape}"
        )
    return X


def _count(n, func):
    """A non-negative integer sample count."""
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{func}: n must be a non-negative integer, got {n!r}")
    return int(n)


# ---------------------------------------------------------------- sampling primitive


def inverse_cdf_categorical(probs, u):
    """Map uniform draws ``u`` in [0, 1) to categories by inverting the CDF.

    With ``F_k = p_0 + ... + p_k``, category ``k`` is the one with
    ``F_{k-1} <= u < F_k``, i.e. the number of ``F`` values ``<= u``. probs (k,),
    u (...) -> int array (...). Indices are clipped to ``k - 1`` because round-off
    can leave ``F_{k-1}`` a hair below 1.
    """
    probs = _probability_vector(probs, "inverse_cdf_categorical")
    u = np.asarray(u, dtype=float)
    if np.any((u < 0) | (u >= 1)):
        raise ValueError("inverse_cdf_categorical: every u must lie in [0, 1)")
    cdf = np.cumsum(probs)
    index = np.searchsorted(cdf, u, side="right")
    return np.minimum(index, probs.size - 1)


# ---------------------------------------------------------------- discrete distributions


class Bernoulli:
    """``P(X = 1) = p``, ``P(X = 0) = 1 - p``."""

    def __init__(self, p):
        self.p = _probability(p, "p", "Bernoulli")

    def pmf(self, k):
        """``p^k (1 - p)^(1 - k)`` for k in {0, 1}, 0 elsewhere; any shape."""
        k = np.asarray(k, dtype=float)
        return np.where(k == 1, self.p, np.where(k == 0, 1.0 - self.p, 0.0))

    def log_prob(self, k):
        with np.errstate(divide="ignore"):
            return np.log(self.pmf(k))

    def cdf(self, x):
        """0 below 0, ``1 - p`` on [0, 1), 1 from 1 on."""
        x = np.asarray(x, dtype=float)
        return np.where(x < 0, 0.0, np.where(x < 1, 1.0 - self.p, 1.0))

    def sample(self, rng, n):
        """``n`` draws in {0, 1} (int array (n,)): 1 when a uniform draw falls below p."""
        rng = np.random.default_rng(rng)
        return (rng.random(_count(n, "Bernoulli.sample")) < self.p).astype(int)

    def mean(self):
        return self.p

    def var(self):
        return self.p * (1.0 - self.p)


class Categorical:
    """``P(X = k) = probs[k]`` for k = 0, ..., K - 1."""

    def __init__(self, probs):
        self.probs = _probability_vector(probs, "Categorical")

    def pmf(self, k):
        """``probs[k]`` for integer k in 0..K-1, 0 elsewhere; any shape."""
        k = np.asarray(k, dtype=float)
        valid = (k == np.floor(k)) & (k >= 0) & (k < self.probs.size)
        index = np.where(valid, k, 0).astype(int)
        return np.where(valid, self.probs[index], 0.0)

    def log_prob(self, k):
        with np.errstate(divide="ignore"):
            return np.log(self.pmf(k))

    def cdf(self, x):
        """``P(X <= x) = sum_{k <= x} probs[k]``; any shape."""
        x = np.asarray(x, dtype=float)
        cdf = np.concatenate([[0.0], np.cumsum(self.probs)])  # (K + 1,): P(X <= k - 1)
        index = np.clip(np.floor(x) + 1, 0, self.probs.size).astype(int)
        return cdf[index]

    def sample(self, rng, n):
        """``n`` categories (int array (n,)) by the inverse CDF of uniform draws."""
        rng = np.random.default_rng(rng)
        return inverse_cdf_categorical(self.probs, rng.random(_count(n, "Categorical.sample")))

    def mean(self):
        return float(np.arange(self.probs.size) @ self.probs)

    def var(self):
        k = np.arange(self.probs.size)
        return float(((k - self.mean()) ** 2) @ self.probs)


class Binomial:
    """Number of successes in ``n`` independent Bernoulli(p) trials:
    ``P(X = k) = C(n, k) p^k (1 - p)^(n - k)``."""

    def __init__(self, n, p):
        self.n = _count(n, "Binomial")
        self.p = _probability(p, "p", "Binomial")

    def log_prob(self, k):
        """``log C(n, k) + k log p + (n - k) log(1 - p)``; -inf off the support."""
        k = np.asarray(k, dtype=float)
        valid = (k == np.floor(k)) & (k >= 0) & (k <= self.n)
        kk = np.where(valid, k, 0.0)
        log_choose = gammaln(self.n + 1) - gammaln(kk + 1) - gammaln(self.n - kk + 1)
        value = log_choose + xlogy(kk, self.p) + xlog1py(self.n - kk, -self.p)
        return np.where(valid, value, -np.inf)

    def pmf(self, k):
        return np.exp(self.log_prob(k))

    def cdf(self, x):
        """``P(X <= x)``: running sum of the pmf over 0..n; any shape."""
        x = np.asarray(x, dtype=float)
        cdf = np.concatenate([[0.0], np.cumsum(self.pmf(np.arange(self.n + 1)))])  # (n + 2,)
        index = np.clip(np.floor(x) + 1, 0, self.n + 1).astype(int)
        return np.minimum(cdf[index], 1.0)

    def sample(self, rng, n):
        """``n`` draws (int array (n,)): successes among ``self.n`` Bernoulli trials each."""
        rng = np.random.default_rng(rng)
        trials = rng.random((_count(n, "Binomial.sample"), self.n)) < self.p  # (n, trials)
        return trials.sum(axis=1)

    def mean(self):
        return self.n * self.p

    def var(self):
        return self.n * self.p * (1.0 - self.p)


# ---------------------------------------------------------------- continuous distributions


class Gaussian:
    """``N(mu, sigma^2)``: density ``exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))``."""

    def __init__(self, mu=0.0, sigma=1.0):
        self.mu = float(mu)
        self.sigma = _positive(sigma, "sigma (the standard deviation)", "Gaussian")

    def log_prob(self, x):
        z = (np.asarray(x, dtype=float) - self.mu) / self.sigma
        return -0.5 * z**2 - np.log(self.sigma) - 0.5 * LOG_2PI

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def cdf(self, x):
        """``Phi((x - mu) / sigma) = erfc(-(x - mu) / (sigma sqrt 2)) / 2``."""
        z = (np.asarray(x, dtype=float) - self.mu) / self.sigma
        return 0.5 * erfc(-z / np.sqrt(2.0))

    def sample(self, rng, n):
        rng = np.random.default_rng(rng)
        return self.mu + self.sigma * rng.standard_normal(_count(n, "Gaussian.sample"))

    def mean(self):
        return self.mu

    def var(self):
        return self.sigma**2


class Exponential:
    """Waiting time with rate ``lam``: density ``lam exp(-lam x)`` for x >= 0."""

    def __init__(self, rate=1.0):
        self.rate = _positive(rate, "rate", "Exponential")

    def log_prob(self, x):
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, np.log(self.rate) - self.rate * np.maximum(x, 0.0), -np.inf)

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def cdf(self, x):
        """``1 - exp(-lam x)`` for x >= 0, else 0."""
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, -np.expm1(-self.rate * np.maximum(x, 0.0)), 0.0)

    def sample(self, rng, n):
        """Inverse CDF: ``x = -log(1 - u) / lam`` for uniform u."""
        rng = np.random.default_rng(rng)
        return -np.log1p(-rng.random(_count(n, "Exponential.sample"))) / self.rate

    def mean(self):
        return 1.0 / self.rate

    def var(self):
        return 1.0 / self.rate**2


class Laplace:
    """Double exponential: density ``exp(-|x - mu| / b) / (2 b)``."""

    def __init__(self, loc=0.0, scale=1.0):
        self.loc = float(loc)
        self.scale = _positive(scale, "scale", "Laplace")

    def log_prob(self, x):
        return -np.abs(np.asarray(x, dtype=float) - self.loc) / self.scale - np.log(
            2.0 * self.scale
        )

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def cdf(self, x):
        """``exp(z) / 2`` for z = (x - mu) / b < 0, ``1 - exp(-z) / 2`` otherwise."""
        z = (np.asarray(x, dtype=float) - self.loc) / self.scale
        return np.where(z < 0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.abs(z)))

    def sample(self, rng, n):
        """Inverse CDF: ``x = mu - b sign(v) log(1 - 2|v|)`` with v = u - 1/2."""
        rng = np.random.default_rng(rng)
        v = rng.random(_count(n, "Laplace.sample")) - 0.5
        return self.loc - self.scale * np.sign(v) * np.log1p(-2.0 * np.abs(v))

    def mean(self):
        return self.loc

    def var(self):
        return 2.0 * self.scale**2


class MultivariateGaussian:
    """``N(mean, cov)`` in d dimensions, with ``cov = L L^T`` (Cholesky).

    ``log p(x) = -(d log 2 pi + log det cov + (x - mean)^T cov^{-1} (x - mean)) / 2``.
    There is no closed-form CDF in more than one dimension, so there is no ``cdf``.
    """

    def __init__(self, mean, cov):
        self.mean_vector = np.asarray(mean, dtype=float)
        self.cov_matrix = np.asarray(cov, dtype=float)
        d = self.mean_vector.size
        if self.mean_vector.ndim != 1 or self.cov_matrix.shape != (d, d):
            raise ValueError(
                f"MultivariateGaussian: mean must be (d,) and cov (d, d), got "
                f"{self.mean_vector.shape} and {self.cov_matrix.shape}"
            )
        if not np.allclose(self.cov_matrix, self.cov_matrix.T):
            raise ValueError("MultivariateGaussian: cov must be symmetric")
        try:
            self.chol = np.linalg.cholesky(self.cov_matrix)  # (d, d) lower triangular
        except np.linalg.LinAlgError:
            raise ValueError(
                "MultivariateGaussian: cov must be positive definite (Cholesky failed); "
                "add a small multiple of the identity if it is only semi-definite"
            ) from None

    def log_prob(self, x):
        """x (..., d) -> (...)."""
        x = np.asarray(x, dtype=float)
        d = self.mean_vector.size
        if x.shape[-1:] != (d,):
            raise ValueError(f"log_prob: x must have shape (..., {d}), got {x.shape}")
        diff = (x - self.mean_vector).reshape(-1, d)  # (m, d), m = number of points
        z = np.linalg.solve(self.chol, diff.T)  # (d, m): L z = x - mean
        mahalanobis = np.sum(z**2, axis=0)  # (m,)
        log_det = 2.0 * np.sum(np.log(np.diag(self.chol)))
        value = -0.5 * (d * LOG_2PI + log_det + mahalanobis)
        return value.reshape(x.shape[:-1])

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def sample(self, rng, n):
        """``mean + L z`` with z ~ N(0, I): array (n, d)."""
        rng = np.random.default_rng(rng)
        z = rng.standard_normal((_count(n, "MultivariateGaussian.sample"), self.mean_vector.size))
        return self.mean_vector + z @ self.chol.T  # (n, d)

    def mean(self):
        return self.mean_vector.copy()

    def var(self):
        """The covariance matrix (d, d); its diagonal holds the coordinate variances."""
        return self.cov_matrix.copy()


class GaussianMixture:
    """1-D mixture ``p(x) = sum_j w_j N(x; mu_j, sigma_j^2)``: pick component j with
    probability w_j, then draw from that Gaussian."""

    def __init__(self, weights, means, stds):
        self.weights = _probability_vector(weights, "GaussianMixture", "weights")
        self.means = np.asarray(means, dtype=float)
        self.stds = np.asarray(stds, dtype=float)
        k = self.weights.size
        if self.means.shape != (k,) or self.stds.shape != (k,):
            raise ValueError(
                f"GaussianMixture: weights, means and stds must all have shape ({k},), got "
                f"{self.means.shape} and {self.stds.shape}"
            )
        if np.any(self.stds <= 0):
            raise ValueError("GaussianMixture: every standard deviation must be positive")

    def _component_log_probs(self, x):
        """``log w_j + log N(x; mu_j, sigma_j^2)``: x (...) -> (..., k)."""
        z = (np.asarray(x, dtype=float)[..., None] - self.means) / self.stds  # (..., k)
        with np.errstate(divide="ignore"):
            log_w = np.log(self.weights)
        return log_w - 0.5 * z**2 - np.log(self.stds) - 0.5 * LOG_2PI

    def log_prob(self, x):
        """``logsumexp_j(log w_j + log N(x; mu_j, sigma_j^2))``, stable far in the tails."""
        return logsumexp(self._component_log_probs(x), axis=-1)

    def pdf(self, x):
        return np.exp(self.log_prob(x))

    def cdf(self, x):
        z = (np.asarray(x, dtype=float)[..., None] - self.means) / self.stds  # (..., k)
        return 0.5 * erfc(-z / np.sqrt(2.0)) @ self.weights

    def sample(self, rng, n, return_components=False):
        """``n`` draws (n,): components by inverse CDF, then one Gaussian draw each."""
        rng = np.random.default_rng(rng)
        n = _count(n, "GaussianMixture.sample")
        components = inverse_cdf_categorical(self.weights, rng.random(n))  # (n,)
        x = self.means[components] + self.stds[components] * rng.standard_normal(n)
        return (x, components) if return_components else x

    def mean(self):
        return float(self.weights @ self.means)

    def var(self):
        """Law of total variance: ``sum_j w_j (sigma_j^2 + mu_j^2) - mean^2``."""
        return float(self.weights @ (self.stds**2 + self.means**2) - self.mean() ** 2)


# ---------------------------------------------------------------- moments


def expectation(values, probs):
    """``E[X] = sum_i p_i x_i`` for a discrete X; values (k,), probs (k,)."""
    probs = _probability_vector(probs, "expectation")
    values = np.asarray(values, dtype=float)
    if values.shape != probs.shape:
        raise ValueError(f"expectation: values {values.shape} and probs {probs.shape} must match")
    return float(values @ probs)


def variance(values, probs):
    """``Var[X] = sum_i p_i (x_i - E[X])^2`` for a discrete X; values (k,), probs (k,)."""
    mu = expectation(values, probs)
    return float(((np.asarray(values, dtype=float) - mu) ** 2) @ np.asarray(probs, float))


def sample_variance(x, ddof=1):
    """``sum_i (x_i - mean)^2 / (n - ddof)`` by two passes (mean first: no cancellation).

    ``ddof=0`` is the population variance (and the Gaussian MLE); ``ddof=1`` is the
    unbiased sample variance. x (n,) with n > ddof.
    """
    x = _samples(x, "sample_variance", min_size=ddof + 1)
    return float(np.sum((x - x.mean()) ** 2) / (x.size - ddof))


def covariance_matrix(X, ddof=1):
    """``C = (X - mean)^T (X - mean) / (n - ddof)`` for X (n, d), one sample per row -> (d, d)."""
    X = _data_matrix(X, "covariance_matrix")
    centred = X - X.mean(axis=0)  # (n, d)
    return centred.T @ centred / (X.shape[0] - ddof)


def correlation_matrix(X):
    """``R_ij = C_ij / sqrt(C_ii C_jj)`` for X (n, d) -> (d, d); constant columns are rejected."""
    C = covariance_matrix(X)
    std = np.sqrt(np.diag(C))  # (d,)
    if np.any(std == 0):
        raise ValueError(
            "correlation_matrix: a column of X is constant, so its correlation is undefined; "
            "drop constant columns first"
        )
    return C / np.outer(std, std)


# ---------------------------------------------------------------- joint, marginal, conditional


def marginals(joint):
    """``P(X = i) = sum_j P(i, j)`` and ``P(Y = j) = sum_i P(i, j)``: joint (m, k) -> (m,), (k,)."""
    joint = _joint_table(joint, "marginals")
    return joint.sum(axis=1), joint.sum(axis=0)


def conditional(joint):
    """``P(Y = j | X = i) = P(i, j) / P(X = i)``: joint (m, k) -> (m, k), rows sum to 1.

    Rows with ``P(X = i) = 0`` have no conditional distribution and are NaN.
    """
    joint = _joint_table(joint, "conditional")
    p_x = joint.sum(axis=1, keepdims=True)  # (m, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p_x > 0, joint / p_x, np.nan)


def is_independent(joint, atol=1e-9):
    """True when ``P(i, j) = P(X = i) P(Y = j)`` for every cell (within ``atol``)."""
    p_x, p_y = marginals(joint)
    return bool(np.allclose(joint, np.outer(p_x, p_y), rtol=0.0, atol=atol))


# ---------------------------------------------------------------- Bayes' rule


def bayes_posterior(prior, likelihood):
    """``P(h | data) = P(data | h) P(h) / sum_h' P(data | h') P(h')``.

    prior (k,) over k hypotheses, likelihood (k,) = ``P(data | h)`` -> posterior (k,).
    """
    prior = _probability_vector(prior, "bayes_posterior", "prior")
    likelihood = np.asarray(likelihood, dtype=float)
    if likelihood.shape != prior.shape or np.any(likelihood < 0):
        raise ValueError(
            f"bayes_posterior: likelihood must be non-negative with the prior's shape "
            f"{prior.shape}, got {likelihood.shape}"
        )
    unnormalised = prior * likelihood
    evidence = unnormalised.sum()
    if evidence == 0:
        raise ValueError("bayes_posterior: the data has probability 0 under every hypothesis")
    return unnormalised / evidence


def diagnostic_posterior(prevalence, sensitivity, specificity):
    """``P(disease | positive) = s pi / (s pi + (1 - c)(1 - pi))``.

    prevalence ``pi = P(disease)``, sensitivity ``s = P(positive | disease)``,
    specificity ``c = P(negative | healthy)``.
    """
    pi = _probability(prevalence, "prevalence", "diagnostic_posterior")
    s = _probability(sensitivity, "sensitivity", "diagnostic_posterior")
    c = _probability(specificity, "specificity", "diagnostic_posterior")
    prior = np.array([pi, 1.0 - pi])  # (disease, healthy)
    return float(bayes_posterior(prior, np.array([s, 1.0 - c]))[0])


# ---------------------------------------------------------------- estimation and limit theorems


def gaussian_mle(x):
    """Maximum-likelihood ``(mu, sigma^2)`` of a Gaussian: the mean and the variance with 1/n."""
    x = _samples(x, "gaussian_mle")
    return float(x.mean()), sample_variance(x, ddof=0)


def gaussian_log_likelihood(x, mu, var):
    """``sum_i log N(x_i; mu, var) = -n/2 log(2 pi var) - sum (x_i - mu)^2 / (2 var)``."""
    x = _samples(x, "gaussian_log_likelihood")
    var = _positive(var, "var", "gaussian_log_likelihood")
    return float(-0.5 * x.size * (LOG_2PI + np.log(var)) - np.sum((x - mu) ** 2) / (2 * var))


def running_mean(x):
    """``(x_1 + ... + x_t) / t`` for t = 1..n (the law of large numbers); (n,) -> (n,)."""
    x = _samples(x, "running_mean")
    return np.cumsum(x) / np.arange(1, x.size + 1)


def standardized_means(draws, mean, std):
    """``sqrt(n) (row mean - mean) / std`` for draws (trials, n) -> (trials,).

    By the central limit theorem these approach N(0, 1) as n grows; for every n they
    have mean 0 and variance 1 exactly.
    """
    draws = np.asarray(draws, dtype=float)
    if draws.ndim != 2 or draws.shape[1] < 1:
        raise ValueError(
            f"standardized_means: draws must be (trials, n) with n >= 1, got {draws.shape}"
        )
    std = _positive(std, "std", "standardized_means")
    n = draws.shape[1]
    return np.sqrt(n) * (draws.mean(axis=1) - mean) / std


def skewness(x):
    """Sample skewness ``m3 / m2^(3/2)`` with central moments ``m_r = mean((x - mean)^r)``."""
    x = _samples(x, "skewness", min_size=2)
    centred = x - x.mean()
    return float(np.mean(centred**3) / np.mean(centred**2) ** 1.5)


# ---------------------------------------------------------------- Jensen and concentration


def jensen_gap(f, values, probs):
    """``E[f(X)] - f(E[X])`` for a discrete X; >= 0 for convex f, <= 0 for concave f."""
    probs = _probability_vector(probs, "jensen_gap")
    values = np.asarray(values, dtype=float)
    if values.shape != probs.shape:
        raise ValueError(f"jensen_gap: values {values.shape} and probs {probs.shape} must match")
    return float(np.asarray(f(values), dtype=float) @ probs - f(values @ probs))


def markov_bound(mean, a):
    """``P(X >= a) <= E[X] / a`` for X >= 0 and a > 0 (capped at 1)."""
    a = _positive(a, "a", "markov_bound")
    return min(1.0, float(mean) / a)


def chebyshev_bound(var, a):
    """``P(|X - E X| >= a) <= Var X / a^2`` for a > 0 (capped at 1)."""
    a = _positive(a, "a", "chebyshev_bound")
    return min(1.0, float(var) / a**2)


def hoeffding_bound(n, t, low=0.0, high=1.0):
    """``P(|mean of n - mu| >= t) <= 2 exp(-2 n t^2 / (high - low)^2)`` for draws in [low, high]."""
    t = _positive(t, "t", "hoeffding_bound")
    width = _positive(high - low, "high - low", "hoeffding_bound")
    return min(1.0, 2.0 * np.exp(-2.0 * n * t**2 / width**2))


__all__ = [
    "Bernoulli",
    "Binomial",
    "Categorical",
    "Exponential",
    "Gaussian",
    "GaussianMixture",
    "Laplace",
    "MultivariateGaussian",
    "bayes_posterior",
    "chebyshev_bound",
    "conditional",
    "correlation_matrix",
    "covariance_matrix",
    "diagnostic_posterior",
    "expectation",
    "gaussian_log_likelihood",
    "gaussian_mle",
    "hoeffding_bound",
    "inverse_cdf_categorical",
    "is_independent",
    "jensen_gap",
    "marginals",
    "markov_bound",
    "running_mean",
    "sample_variance",
    "skewness",
    "standardized_means",
    "variance",
]
