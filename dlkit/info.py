"""Information theory: surprise, entropy, cross-entropy, KL divergence, mutual information.

Reference implementations for module 03. Discrete distributions are float64 arrays of
probabilities along the last axis (other axes are a batch). Logarithms are natural
(nats) unless ``base=2`` (bits) or another base is asked for; one bit is ``log 2`` nats.
The convention ``0 log 0 = 0`` (the limit of ``t log t`` as ``t -> 0``) is built in, so
zero probabilities are handled exactly rather than producing nan. Malformed input (a
negative probability, a vector that does not sum to 1, mismatched shapes) raises a
ValueError saying what to fix.
"""

import numpy as np

from dlkit.numerics import logsumexp, softplus

SUM_TOL = 1e-6  # how far from 1 a probability vector's sum may drift by round-off


# ---------------------------------------------------------------- validation


def _log_base(base, func):
    """``log(base)``, the factor that turns nats into units of ``base`` (2: bits)."""
    base = float(base)
    if not (base > 0 and base != 1 and np.isfinite(base)):
        raise ValueError(
            f"{func}: base must be a positive number other than 1, got {base!r}; "
            "use base=2 for bits or base=np.e for nats"
        )
    return np.log(base)


def _probabilities(p, name, func, axis=-1):
    """``p`` as float64 probabilities summing to 1 along ``axis``, or a ValueError."""
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.shape[axis] == 0:
        raise ValueError(
            f"{func}: {name} must be an array of probabilities with at least one entry along "
            f"axis {axis}, got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            f"{func}: {name} has a negative, infinite or nan entry; probabilities lie in [0, 1]"
        )
    sums = p.sum(axis=axis)
    if np.any(np.abs(sums - 1.0) > SUM_TOL):
        worst = float(sums.flat[np.argmax(np.abs(sums - 1.0))])
        raise ValueError(
            f"{func}: {name} must sum to 1 along axis {axis}, but a sum is {worst:.6g}; "
            f"normalise with {name} / {name}.sum(axis={axis}, keepdims=True)"
        )
    return p


def _pair(p, q, func, axis=-1):
    """Two probability arrays (``p`` the truth, ``q`` the model) broadcast to one shape.

    Broadcasting lets one ``p`` (k,) be compared with a batch of models ``q`` (..., k).
    """
    p = _probabilities(p, "p", func, axis)
    q = _probabilities(q, "q", func, axis)
    try:
        return np.broadcast_arrays(p, q)
    except ValueError:
        raise ValueError(
            f"{func}: p and q need the same number of outcomes and shapes that broadcast, "
            f"got {p.shape} and {q.shape}"
        ) from None


def _positive(x, name, func):
    """``x`` as a float64 array of strictly positive numbers (a standard deviation)."""
    x = np.asarray(x, dtype=float)
    if np.any(~(x > 0)) or not np.all(np.isfinite(x)):
        raise ValueError(
            f"{func}: {name} must be positive and finite (a standard deviation, not a "
            f"variance or a log), got {x}"
        )
    return x


# ---------------------------------------------------------------- surprise and entropy


def self_information(p, base=np.e):
    """Surprise of an event of probability p: ``I(p) = -log_base p``, elementwise.

    p (...) in [0, 1] -> I (...) in [0, inf]; ``I(1) = 0`` (no surprise) and
    ``I(0) = inf`` (an impossible event). With base=2 one fair coin flip is 1 bit.
    """
    scale = _log_base(base, "self_information")
    p = np.asarray(p, dtype=float)
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError(f"self_information: probabilities must lie in [0, 1], got {p}")
    with np.errstate(divide="ignore"):
        return -np.log(p) / scale


def _plogq(p, q):
    """Elementwise ``p log q`` with ``0 log q = 0`` for every q (also q = 0)."""
    positive = p > 0
    with np.errstate(divide="ignore"):
        return np.where(positive, p * np.log(np.where(positive, q, 1.0)), 0.0)


def entropy(p, base=np.e, axis=-1):
    """Shannon entropy ``H(p) = -sum_i p_i log p_i`` along ``axis``, with ``0 log 0 = 0``.

    p (..., k) probabilities summing to 1 -> H (...) in [0, log k]: 0 for a certain
    outcome, ``log k`` for the uniform distribution on k outcomes (the maximum).
    """
    scale = _log_base(base, "entropy")
    p = _probabilities(p, "p", "entropy", axis)
    return 0.0 - np.sum(_plogq(p, p), axis=axis) / scale  # 0.0 - : no "-0.0"


def bernoulli_entropy(p, base=np.e):
    """Entropy of a coin with ``P(heads) = p``: ``-p log p - (1-p) log(1-p)``, elementwise.

    p (...) in [0, 1] -> H (...); 0 at p = 0 and p = 1, maximal (1 bit) at p = 1/2.
    """
    scale = _log_base(base, "bernoulli_entropy")
    p = np.asarray(p, dtype=float)
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError(f"bernoulli_entropy: p must lie in [0, 1], got {p}")
    return 0.0 - (_plogq(p, p) + _plogq(1 - p, 1 - p)) / scale


def cross_entropy(p, q, base=np.e, axis=-1):
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i`` along ``axis``.

    The average surprise when outcomes come from p but are coded (or predicted) with q.
    p, q (..., k), which broadcast -> (...); ``inf`` when q gives probability 0 to an
    outcome p allows. ``H(p, q) = H(p) + KL(p || q) >= H(p)``.
    """
    scale = _log_base(base, "cross_entropy")
    p, q = _pair(p, q, "cross_entropy", axis)
    return 0.0 - np.sum(_plogq(p, q), axis=axis) / scale


def kl_divergence(p, q, base=np.e, axis=-1):
    """Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` along ``axis``.

    p, q (..., k), which broadcast -> (...) in [0, inf]. Terms with ``p_i = 0`` contribute
    0; a term with ``p_i > 0`` and ``q_i = 0`` makes it ``inf``. Not symmetric:
    KL(p || q) != KL(q || p).
    """
    scale = _log_base(base, "kl_divergence")
    p, q = _pair(p, q, "kl_divergence", axis)
    terms = _plogq(p, p) - _plogq(p, q)  # p log p - p log q, 0 where p = 0
    return np.sum(terms, axis=axis) / scale


# ---------------------------------------------------------------- Gaussians


def kl_gaussian(mu1, sigma1, mu2, sigma2):
    """Closed-form ``KL(N(mu1, sigma1^2) || N(mu2, sigma2^2))`` in nats, broadcasting.

    ``log(sigma2 / sigma1) + (sigma1^2 + (mu1 - mu2)^2) / (2 sigma2^2) - 1/2``.
    The sigmas are standard deviations (not variances). Inputs broadcast to a common
    shape (...), the result has that shape.
    """
    s1 = _positive(sigma1, "sigma1", "kl_gaussian")
    s2 = _positive(sigma2, "sigma2", "kl_gaussian")
    mu1, mu2 = np.asarray(mu1, dtype=float), np.asarray(mu2, dtype=float)
    return np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def gaussian_log_pdf(x, mu, sigma):
    """``log N(x; mu, sigma^2) = -(x - mu)^2 / (2 sigma^2) - log(sigma) - log(2 pi) / 2``."""
    sigma = _positive(sigma, "sigma", "gaussian_log_pdf")
    x, mu = np.asarray(x, dtype=float), np.asarray(mu, dtype=float)
    return -((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def kl_gaussian_mc(mu1, sigma1, mu2, sigma2, n, seed=0):
    """Monte Carlo estimate of ``KL(p || q) = E_{x ~ p}[log p(x) - log q(x)]`` from n samples.

    Draws x_1..x_n from p = N(mu1, sigma1^2) with ``np.random.default_rng(seed)`` and
    returns ``(estimate, standard_error)`` where the estimate is the mean of the log
    ratios and the standard error their sample standard deviation over sqrt(n). The
    estimate is unbiased; its error shrinks like 1 / sqrt(n).
    """
    if not (isinstance(n, int | np.integer) and n >= 2):
        raise ValueError(f"kl_gaussian_mc: n must be an integer >= 2 samples, got {n!r}")
    s1 = float(_positive(sigma1, "sigma1", "kl_gaussian_mc"))
    s2 = float(_positive(sigma2, "sigma2", "kl_gaussian_mc"))
    x = np.random.default_rng(seed).normal(mu1, s1, size=n)  # (n,) samples from p
    log_ratio = gaussian_log_pdf(x, mu1, s1) - gaussian_log_pdf(x, mu2, s2)  # (n,)
    return float(log_ratio.mean()), float(log_ratio.std(ddof=1) / np.sqrt(n))


def kl_mvn(mu0, cov0, mu1, cov1):
    """Closed-form KL between multivariate normals ``N(mu0, cov0)`` and ``N(mu1, cov1)``, nats.

    ``(tr(S1^-1 S0) + (mu1 - mu0)^T S1^-1 (mu1 - mu0) - d + log det S1 - log det S0) / 2``
    for mu (d,), cov (d, d) symmetric positive definite. Uses Cholesky factors, so a
    covariance that is not positive definite raises a ValueError.
    """
    mu0, mu1 = np.atleast_1d(np.asarray(mu0, float)), np.atleast_1d(np.asarray(mu1, float))
    cov0, cov1 = np.atleast_2d(np.asarray(cov0, float)), np.atleast_2d(np.asarray(cov1, float))
    d = mu0.shape[0]
    if mu0.shape != (d,) or mu1.shape != (d,) or cov0.shape != (d, d) or cov1.shape != (d, d):
        raise ValueError(
            f"kl_mvn: expected means of shape (d,) and covariances (d, d), got {mu0.shape}, "
            f"{cov0.shape}, {mu1.shape}, {cov1.shape}"
        )
    try:
        L0, L1 = np.linalg.cholesky(cov0), np.linalg.cholesky(cov1)  # (d, d) lower
    except np.linalg.LinAlgError:
        raise ValueError(
            "kl_mvn: both covariances must be symmetric positive definite (Cholesky failed)"
        ) from None
    A = np.linalg.solve(L1, L0)  # (d, d): L1^-1 L0, so tr(S1^-1 S0) = ||A||_F^2
    b = np.linalg.solve(L1, mu1 - mu0)  # (d,): Mahalanobis term is ||b||^2
    logdet = 2 * (np.sum(np.log(np.diag(L1))) - np.sum(np.log(np.diag(L0))))
    return float(0.5 * (np.sum(A**2) + np.sum(b**2) - d + logdet))


# ---------------------------------------------------------------- joint distributions


def _joint(joint, func):
    """A (nx, ny) table of probabilities P(X = i, Y = j) summing to 1."""
    joint = np.asarray(joint, dtype=float)
    if joint.ndim != 2:
        raise ValueError(
            f"{func}: joint must be a 2-D table P(X = i, Y = j) of shape (nx, ny), got "
            f"shape {joint.shape}"
        )
    return _probabilities(joint.reshape(-1), "joint", func).reshape(joint.shape)


def mutual_information(joint, base=np.e):
    """``I(X; Y) = sum_ij p(i, j) log(p(i, j) / (p(i) p(j)))`` from a joint table.

    joint (nx, ny) -> float >= 0; zero exactly when X and Y are independent (the table is
    the outer product of its marginals). Equals ``H(X) + H(Y) - H(X, Y)``.
    """
    scale = _log_base(base, "mutual_information")
    joint = _joint(joint, "mutual_information")
    px = joint.sum(axis=1, keepdims=True)  # (nx, 1)
    py = joint.sum(axis=0, keepdims=True)  # (1, ny)
    product = px * py  # (nx, ny), positive wherever joint is
    terms = _plogq(joint, joint) - _plogq(joint, product)
    return float(max(np.sum(terms), 0.0) / scale)  # clip round-off below 0


def conditional_entropy(joint, base=np.e):
    """``H(Y | X) = H(X, Y) - H(X)``: the uncertainty left in Y (columns) once X (rows) is known.

    joint (nx, ny) -> float in [0, H(Y)].
    """
    scale = _log_base(base, "conditional_entropy")
    joint = _joint(joint, "conditional_entropy")
    h_xy = -np.sum(_plogq(joint, joint))
    px = joint.sum(axis=1)  # (nx,)
    h_x = -np.sum(_plogq(px, px))
    return float(max(h_xy - h_x, 0.0) / scale)


# ---------------------------------------------------------------- maximum entropy


def max_entropy_with_mean(values, mean, tol=1e-12, max_iter=100):
    """The distribution on ``values`` with the largest entropy among those with mean ``mean``.

    The maximiser is the Gibbs distribution ``p_i = exp(lam x_i) / Z(lam)``; lam solves
    ``m(lam) = sum_i p_i x_i = mean``. Since ``m'(lam) = Var_p(x) > 0``, m is increasing
    and Newton's method on lam (safeguarded by bisection) converges. values (k,) distinct
    -> p (k,). ``mean`` must lie strictly between min and max of the values (at the ends
    the only feasible distribution is a point mass); ``mean = average(values)`` gives the
    uniform distribution (lam = 0).
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size < 2 or len(np.unique(x)) != x.size:
        raise ValueError(
            f"max_entropy_with_mean: values must be a 1-D array of at least two distinct "
            f"numbers, got {values!r}"
        )
    lo_x, hi_x = x.min(), x.max()
    if not lo_x < mean < hi_x:
        raise ValueError(
            f"max_entropy_with_mean: mean must lie strictly between min(values) = {lo_x:g} and "
            f"max(values) = {hi_x:g}, got {mean!r}"
        )
    z = (x - x.mean()) / (hi_x - lo_x)  # (k,) rescaled: lam works on an O(1) scale
    target = (mean - x.mean()) / (hi_x - lo_x)
    lo, hi, lam = -1.0, 1.0, 0.0
    while _gibbs(z, lo) @ z > target:  # widen the bracket [lo, hi] around the root
        lo *= 2
    while _gibbs(z, hi) @ z < target:
        hi *= 2
    for _ in range(max_iter):
        p = _gibbs(z, lam)
        m = p @ z
        gap = m - target
        if abs(gap) <= tol:
            break
        lo, hi = (lo, lam) if gap > 0 else (lam, hi)
        var = p @ (z - m) ** 2  # m'(lam)
        step = lam - gap / var if var > 0 else np.inf
        lam = step if lo < step < hi else 0.5 * (lo + hi)  # bisect when Newton leaves
    return _gibbs(z, lam)


def _gibbs(z, lam):
    """``exp(lam z) / sum exp(lam z)``, computed stably."""
    s = lam * z
    return np.exp(s - logsumexp(s))


# ---------------------------------------------------------------- losses on logits


def _reduce(losses, reduction, func):
    if reduction == "mean":
        return float(losses.mean())
    if reduction == "sum":
        return float(losses.sum())
    if reduction == "none":
        return losses
    raise ValueError(f"{func}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def binary_cross_entropy_with_logits(logits, targets, reduction="mean"):
    """Binary cross-entropy of labels y in [0, 1] against ``sigmoid(z)``, from logits z.

    ``-y log sigma(z) - (1 - y) log(1 - sigma(z)) = softplus(z) - y z``, using
    ``log sigma(z) = -softplus(-z)`` and ``log(1 - sigma(z)) = -softplus(z)``; stable for
    any z (never forms sigma(z), which rounds to 0 or 1). logits, targets (...) -> mean
    (default), sum, or the per-example losses (reduction="none").
    """
    z = np.asarray(logits, dtype=float)
    y = np.asarray(targets, dtype=float)
    if z.shape != y.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: logits {z.shape} and targets {y.shape} must "
            "have the same shape (one label per logit)"
        )
    if np.any(~((y >= 0) & (y <= 1))):
        raise ValueError("binary_cross_entropy_with_logits: targets must lie in [0, 1]")
    return _reduce(softplus(z) - y * z, reduction, "binary_cross_entropy_with_logits")


def cross_entropy_with_logits(logits, labels, reduction="mean"):
    """Softmax cross-entropy of integer class labels, from unnormalised scores (logits).

    ``loss_n = -log softmax(z_n)[y_n] = logsumexp(z_n) - z_n[y_n]``; stable for any
    logits. logits (n, k), labels (n,) integers in 0..k-1 -> mean (default), sum, or the
    (n,) per-example losses (reduction="none"). Minimising it is maximum likelihood
    for a categorical model of the labels.
    """
    z = np.asarray(logits, dtype=float)
    y = np.asarray(labels)
    if z.ndim != 2 or y.shape != (z.shape[0],):
        raise ValueError(
            f"cross_entropy_with_logits: expected logits (n, k) and labels (n,), got "
            f"{z.shape} and {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer) or np.any((y < 0) | (y >= z.shape[1])):
        raise ValueError(
            f"cross_entropy_with_logits: labels must be integers in 0..{z.shape[1] - 1} "
            f"(class indices, not one-hot rows), got {y}"
        )
    picked = np.take_along_axis(z, y[:, None], axis=1)[:, 0]  # (n,): z_n[y_n]
    return _reduce(logsumexp(z, axis=1) - picked, reduction, "cross_entropy_with_logits")


__all__ = [
    "bernoulli_entropy",
    "binary_cross_entropy_with_logits",
    "conditional_entropy",
    "cross_entropy",
    "cross_entropy_with_logits",
    "entropy",
    "gaussian_log_pdf",
    "kl_divergence",
    "kl_gaussian",
    "kl_gaussian_mc",
    "kl_mvn",
    "max_entropy_with_mean",
    "mutual_information",
    "self_information",
]
