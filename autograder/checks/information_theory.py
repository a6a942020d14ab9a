"""Checks for module 03, information theory.

Every exercise has a visible ``<name>_basic(...)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(...)`` check (seeded random inputs
plus the edge cases behind the classic mistakes: ``0 log 0`` giving nan, natural log
where bits were asked for, KL with its arguments swapped, variances where standard
deviations belong, Monte Carlo samples drawn from the wrong distribution, softmax over
the wrong axis, overflow on large logits). The oracles are scipy.stats, scipy.special,
scipy.optimize, torch and closed forms; nothing here uses dlkit or the
learner's other answers.
"""

import numpy as np
import scipy.optimize
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F

from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    diagnose,
    expect,
    expect_close,
    quiet,
    show,
)

LOG2 = np.log(2.0)

# ---------------------------------------------------------------------------
# Shared helpers (local to this module)
# ---------------------------------------------------------------------------


def _simplex(rng, shape, zeros=0.0):
    """Random probability vectors along the last axis, about ``zeros`` of entries exactly 0."""
    w = rng.exponential(size=shape)
    w[rng.random(shape) < zeros] = 0.0
    w[..., 0] += 0.05  # no all-zero rows
    return w / w.sum(axis=-1, keepdims=True)


def _tuple(result, text, n, what):
    """The learner's result as a tuple of ``n`` items, or CheckFailed naming ``what``."""
    if not isinstance(result, tuple | list) or len(result) != n:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a tuple of {n} values {what}; "
            f"hint: end the function with `return {', '.join('abc'[:n])}`"
        )
    return tuple(result)


def _expect_close(got, expected, text, hint, rtol=1e-6, atol=1e-8):
    """``expect_close`` with numpy warnings silenced (inf expected, finite got: inf / inf)."""
    with quiet():
        expect_close(got, expected, text, hint, rtol=rtol, atol=atol)


def _diagnose(got, expected, default, known_mistakes):
    """``diagnose`` over the mistakes whose output differs from ``expected`` on this input.

    A mistake that happens to give the right answer here (KL with swapped arguments on
    p = q) must not be named when the learner fails for another reason.
    """
    expected = np.asarray(expected, dtype=float)
    distinct = []
    for wrong, hint in known_mistakes:
        wrong = np.asarray(wrong, dtype=float)
        if not (
            wrong.shape == expected.shape
            and np.allclose(wrong, expected, rtol=1e-6, atol=1e-8, equal_nan=True)
        ):
            distinct.append((wrong, hint))
    return diagnose(got, default, distinct)


def _entropy_nats(p):
    return scipy.stats.entropy(p, axis=-1)


def _kl_nats(p, q):
    return scipy.special.rel_entr(p, q).sum(axis=-1)


# ---------------------------------------------------------------------------
# Self-information
# ---------------------------------------------------------------------------

_SELF_INFO_HINT = "I(p) = -log2(p) in bits: use np.log2, and mind the minus sign"


def _check_self_information(fn, p):
    got, text = call(fn, "self_information", p, hint=_SELF_INFO_HINT)
    with np.errstate(divide="ignore"):
        expected = 0.0 - np.log2(p)  # 0.0 - : 0 rather than -0 for p = 1
        hint = _diagnose(
            got,
            expected,
            _SELF_INFO_HINT,
            [
                (-np.log(p), "that is the surprise in nats; bits need log base 2 (np.log2)"),
                (np.log2(p), "the surprise is -log2(p), which is >= 0: you lost the minus sign"),
                (1.0 / p, "the surprise is -log2(p), not 1/p"),
            ],
        )
    _expect_close(got, expected, text, hint, rtol=1e-9, atol=1e-12)


def self_information_basic(fn):
    """Probabilities 1, 1/2, 1/4, 1/8: 0, 1, 2 and 3 bits."""
    _check_self_information(fn, np.array([1.0, 0.5, 0.25, 0.125]))


def self_information_hidden(fn):
    """Random probabilities, a 2-D array, and an impossible event (p = 0 gives inf)."""
    rng = np.random.default_rng(301)
    _check_self_information(fn, rng.uniform(0.01, 1.0, 7))
    _check_self_information(fn, rng.uniform(0.001, 1.0, (3, 4)))
    _check_self_information(fn, np.array([1 / 1024, 0.9, 1.0]))
    _check_self_information(fn, np.array([0.0, 0.5]))


# ---------------------------------------------------------------------------
# Entropy with zero probabilities
# ---------------------------------------------------------------------------

_ENTROPY_HINT = (
    "H(p) = -sum_i p_i log(p_i) along the last axis (axis=-1), in the requested base; "
    "terms with p_i = 0 count as 0"
)


def _check_entropy(fn, p, base=None):
    if base is None:
        got, text = call(fn, "entropy", p, hint=_ENTROPY_HINT)
        base = 2.0
    else:
        got, text = call(fn, "entropy", p, base=base, hint=_ENTROPY_HINT)
    expected = scipy.stats.entropy(p, base=base, axis=-1)
    with np.errstate(all="ignore"):
        terms = -p * np.log(p) / np.log(base)  # nan where p = 0
    hint = _diagnose(
        got,
        expected,
        _ENTROPY_HINT,
        [
            (np.nansum(terms), "one entropy per row: sum along the last axis only (axis=-1)"),
            (np.nansum(terms, axis=0), "one entropy per row: sum along the last axis (axis=-1)"),
            (
                _entropy_nats(p),
                "that is the entropy in nats; divide by np.log(base) to convert the unit",
            ),
            (
                _entropy_nats(p) / np.log(2.0) if base != 2 else np.full_like(expected, np.nan),
                "use the base argument, not always base 2",
            ),
        ],
    )
    if np.isnan(as_float_array(got, text)).any() and (p == 0).any():
        hint = (
            "a zero probability made 0 * log(0) = 0 * (-inf) = nan; the term p log p tends "
            "to 0 as p -> 0, so skip or mask the zeros (for example with np.where, or "
            "scipy.special.xlogy(p, p))"
        )
    _expect_close(got, expected, text, hint, rtol=1e-9, atol=1e-12)


def entropy_basic(fn):
    """A fair coin (1 bit), a fair four-sided die (2 bits), a certain outcome (0 bits)."""
    _check_entropy(fn, np.array([0.5, 0.5]))
    _check_entropy(fn, np.full(4, 0.25))
    _check_entropy(fn, np.array([0.0, 1.0, 0.0]))


def entropy_hidden(fn):
    """Zeros among the probabilities, other bases, and one entropy per row of a 2-D array."""
    rng = np.random.default_rng(302)
    _check_entropy(fn, np.array([0.5, 0.25, 0.25, 0.0]))
    _check_entropy(fn, _simplex(rng, 6))
    _check_entropy(fn, _simplex(rng, 8, zeros=0.4))
    _check_entropy(fn, _simplex(rng, 5), base=np.e)
    _check_entropy(fn, _simplex(rng, 5), base=10.0)
    _check_entropy(fn, _simplex(rng, (4, 3), zeros=0.3))
    _check_entropy(fn, np.array([[1.0, 0.0], [0.5, 0.5], [0.9, 0.1]]), base=np.e)


# ---------------------------------------------------------------------------
# KL divergence
# ---------------------------------------------------------------------------

_KL_HINT = "KL(p || q) = sum_i p_i log(p_i / q_i) in nats, summed over the last axis"


def _check_kl(fn, p, q):
    got, text = call(fn, "kl_divergence", p, q, hint=_KL_HINT)
    expected = _kl_nats(p, q)
    hint = _diagnose(
        got,
        expected,
        _KL_HINT,
        [
            (_kl_nats(q, p), "you computed KL(q || p): the expectation is under p (weights p_i)"),
            (expected / LOG2, "the exercise asks for nats: use np.log, not np.log2"),
            (-expected, "mind the sign: it is p log(p / q), not p log(q / p)"),
        ],
    )
    values = as_float_array(got, text)
    if np.isnan(values).any() and (p == 0).any():
        hint = (
            "an outcome with p_i = 0 contributes 0 to KL(p || q) (even where q_i = 0); mask "
            "those terms instead of computing 0 * log(0)"
        )
    elif np.isinf(expected).any() and np.isfinite(values).all():
        hint = (
            "where p_i > 0 but q_i = 0 the divergence is infinite (q says impossible what p "
            "says can happen); do not drop or clip those terms"
        )
    _expect_close(got, expected, text, hint, rtol=1e-9, atol=1e-10)


def kl_divergence_basic(fn):
    """KL between a fair and a biased coin, both ways round, and KL(p || p) = 0."""
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    _check_kl(fn, p, q)
    _check_kl(fn, q, p)
    _check_kl(fn, p, p)


def kl_divergence_hidden(fn):
    """Random pairs, zeros in p, zeros in q where p > 0 (inf), and a batch of rows."""
    rng = np.random.default_rng(303)
    _check_kl(fn, _simplex(rng, 5), _simplex(rng, 5))
    _check_kl(fn, np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5]))
    _check_kl(fn, np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0]))
    _check_kl(fn, np.array([0.25, 0.25, 0.5]), np.array([0.5, 0.5, 0.0]))
    _check_kl(fn, _simplex(rng, 7, zeros=0.4), _simplex(rng, 7))
    _check_kl(fn, _simplex(rng, (3, 4), zeros=0.25), _simplex(rng, (3, 4)))


# ---------------------------------------------------------------------------
# KL asymmetry: a pair of distributions chosen by the learner
# ---------------------------------------------------------------------------


def _distribution(value, name):
    """The learner's ``value`` as a valid 1-D probability vector, or CheckFailed."""
    text = f"your {name}"
    p = as_float_array(value, text)
    expect(
        p.ndim == 1 and p.size >= 2,
        f"{name} is {show(value)}, expected a 1-D array of at least two probabilities; "
        f"hint: for example {name} = np.array([0.5, 0.5, 0.0])",
    )
    expect(
        np.all(np.isfinite(p)) and np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-9,
        f"{name} is {show(p)} (sum {p.sum():.6g}), expected non-negative probabilities "
        f"that sum to 1; hint: divide by the sum, or pick simple fractions",
    )
    return p


def _asymmetric_pair(p_asym, q_asym):
    p, q = _distribution(p_asym, "p_asym"), _distribution(q_asym, "q_asym")
    expect(
        p.shape == q.shape,
        f"p_asym has {p.size} outcomes and q_asym has {q.size}; expected distributions on "
        "the same outcomes; hint: give both arrays the same length",
    )
    return p, q


def kl_asymmetry_basic(p_asym, q_asym):
    """Two valid distributions on the same outcomes with KL(p_asym || q_asym) finite."""
    p, q = _asymmetric_pair(p_asym, q_asym)
    forward = float(_kl_nats(p, q))
    expect(
        np.isfinite(forward),
        f"with p_asym = {show(p)} and q_asym = {show(q)}, KL(p_asym || q_asym) = inf, expected "
        "a finite value; hint: KL(p || q) is infinite when q_i = 0 for an outcome with "
        "p_i > 0, so q_asym must allow everything p_asym allows",
    )


def kl_asymmetry_hidden(p_asym, q_asym):
    """... and KL(q_asym || p_asym) infinite: the same pair, the other way round."""
    kl_asymmetry_basic(p_asym, q_asym)
    p, q = _asymmetric_pair(p_asym, q_asym)
    backward = float(_kl_nats(q, p))
    expect(
        np.isinf(backward),
        f"with p_asym = {show(p)} and q_asym = {show(q)}, KL(q_asym || p_asym) = "
        f"{backward:.6g}, expected inf; hint: make p_asym give probability 0 to an outcome "
        "that q_asym gives positive probability",
    )


# ---------------------------------------------------------------------------
# Cross-entropy = entropy + KL
# ---------------------------------------------------------------------------

_DECOMPOSE_HINT = (
    "return (H(p), KL(p || q), H(p, q)) in bits, with H(p, q) = -sum_i p_i log2(q_i); "
    "terms with p_i = 0 count as 0"
)


def _check_decomposition(fn, p, q):
    result, text = call(fn, "entropy_kl_cross", p, q, hint=_DECOMPOSE_HINT)
    h, kl, ce = _tuple(result, text, 3, "(entropy, kl, cross_entropy)")
    exact = (
        scipy.stats.entropy(p, base=2),
        _kl_nats(p, q) / LOG2,
        -scipy.special.xlogy(p, q).sum() / LOG2,
    )
    labels = ("the entropy H(p)", "KL(p || q)", "the cross-entropy H(p, q)")
    swapped = (
        scipy.stats.entropy(q, base=2),
        _kl_nats(q, p) / LOG2,
        -scipy.special.xlogy(q, p).sum() / LOG2,
    )
    for got, expected, wrong, label in zip((h, kl, ce), exact, swapped, labels):
        hint = _diagnose(
            got,
            expected,
            _DECOMPOSE_HINT,
            [
                (expected * LOG2, f"{label} should be in bits: use np.log2"),
                (wrong, f"{label} has p and q swapped: the weights are p_i, the logs of q_i"),
            ],
        )
        _expect_close(got, expected, f"{text}, {label},", hint, rtol=1e-9, atol=1e-12)


def entropy_kl_cross_basic(fn):
    """p = (1/2, 1/2) against q = (1/4, 3/4)."""
    _check_decomposition(fn, np.array([0.5, 0.5]), np.array([0.25, 0.75]))


def entropy_kl_cross_hidden(fn):
    """Random pairs, zeros in p, and q = p (KL = 0, H(p, q) = H(p))."""
    rng = np.random.default_rng(304)
    for k in (3, 6):
        _check_decomposition(fn, _simplex(rng, k), _simplex(rng, k))
    _check_decomposition(fn, _simplex(rng, 5, zeros=0.4), _simplex(rng, 5))
    p = _simplex(rng, 4)
    _check_decomposition(fn, p, p.copy())


# ---------------------------------------------------------------------------
# KL between two Gaussians (closed form)
# ---------------------------------------------------------------------------

_GAUSS_HINT = (
    "KL(N(mu1, s1^2) || N(mu2, s2^2)) = log(s2 / s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) "
    "- 1/2, with s1, s2 standard deviations; use numpy operations so arrays broadcast"
)


def _kl_gauss(mu1, s1, mu2, s2):
    return np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def _check_kl_gaussian(fn, mu1, s1, mu2, s2):
    got, text = call(fn, "kl_gaussian", mu1, s1, mu2, s2, hint=_GAUSS_HINT)
    expected = _kl_gauss(mu1, s1, mu2, s2)
    hint = _diagnose(
        got,
        expected,
        _GAUSS_HINT,
        [
            (_kl_gauss(mu2, s2, mu1, s1), "you computed KL(q || p): swap the roles of 1 and 2"),
            (
                np.log(s2 / s1) + (s1 + (mu1 - mu2) ** 2) / (2 * s2) - 0.5,
                "s1, s2 are standard deviations: square them where the formula has variances",
            ),
            (
                2 * np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5,
                "the log term is log(s2 / s1) = (1/2) log(s2^2 / s1^2), not log(s2^2 / s1^2)",
            ),
            (expected + 0.5, "the formula ends with - 1/2, so that KL(p || p) = 0"),
        ],
    )
    _expect_close(got, expected, text, hint, rtol=1e-9, atol=1e-12)


def kl_gaussian_basic(fn):
    """Equal Gaussians (0), a shifted mean, and N(0, 1) against N(1, 2^2)."""
    _check_kl_gaussian(fn, 0.0, 1.0, 0.0, 1.0)
    _check_kl_gaussian(fn, 1.0, 1.0, 0.0, 1.0)
    _check_kl_gaussian(fn, 0.0, 1.0, 1.0, 2.0)


def kl_gaussian_hidden(fn):
    """Random parameters, both directions, narrow and wide sigmas, broadcasting arrays."""
    rng = np.random.default_rng(305)
    for _ in range(4):
        mu1, mu2 = rng.normal(0, 2, 2)
        s1, s2 = rng.uniform(0.2, 3.0, 2)
        _check_kl_gaussian(fn, float(mu1), float(s1), float(mu2), float(s2))
        _check_kl_gaussian(fn, float(mu2), float(s2), float(mu1), float(s1))
    _check_kl_gaussian(fn, 0.0, 0.05, 0.0, 1.0)
    _check_kl_gaussian(fn, rng.normal(0, 1, 5), rng.uniform(0.5, 2, 5), 0.0, 1.0)
    _check_kl_gaussian(fn, np.zeros((3, 1)), np.ones((3, 1)), rng.normal(0, 1, 4), 1.5)


# ---------------------------------------------------------------------------
# KL between two Gaussians by Monte Carlo
# ---------------------------------------------------------------------------

_MC_HINT = (
    "draw x = rng.normal(mu1, sigma1, size=n) from p with rng = np.random.default_rng(seed) "
    "and return the mean of log p(x) - log q(x) as a float"
)


def _log_ratio_sd(mu1, s1, mu2, s2):
    """Standard deviation of log p(x) - log q(x) for x ~ p (closed form).

    With x = mu1 + s1 z, the log ratio is a + b z + c z^2 with b = (mu1 - mu2) s1 / s2^2
    and c = s1^2 / (2 s2^2) - 1/2, whose variance is b^2 + 2 c^2.
    """
    b = (mu1 - mu2) * s1 / s2**2
    c = s1**2 / (2 * s2**2) - 0.5
    return np.sqrt(b**2 + 2 * c**2)


def _mc(fn, mu1, s1, mu2, s2, n, seed):
    got, text = call(fn, "kl_gaussian_mc", mu1, s1, mu2, s2, n, seed, hint=_MC_HINT)
    return as_number(got, text, "return one float, the average of the n log ratios"), text


def _check_mc_accuracy(fn, mu1, s1, mu2, s2, n, seed):
    value, text = _mc(fn, mu1, s1, mu2, s2, n, seed)
    exact = float(_kl_gauss(mu1, s1, mu2, s2))
    se = _log_ratio_sd(mu1, s1, mu2, s2) / np.sqrt(n)
    if abs(value - exact) <= 5 * se + 1e-12:
        return
    hint = _MC_HINT
    from_q = -float(_kl_gauss(mu2, s2, mu1, s1))  # E_q[log p - log q] = -KL(q || p)
    if abs(value - from_q) <= 5 * _log_ratio_sd(mu2, s2, mu1, s1) / np.sqrt(n):
        hint = "your samples seem to come from q; draw them from p = N(mu1, sigma1^2)"
    raise CheckFailed(
        f"{text} returned {value:.6g}, expected a value within 5 standard errors "
        f"({5 * se:.3g}) of the exact KL {exact:.6g}; hint: {hint}"
    )


def kl_gaussian_mc_basic(fn):
    """N(0, 1) against N(1, 2^2) with 100 000 samples: close to the exact 0.443 nats."""
    _check_mc_accuracy(fn, 0.0, 1.0, 1.0, 2.0, 100_000, 0)


def kl_gaussian_mc_hidden(fn):
    """Accuracy on other pairs; reproducible for a seed, different across seeds; the spread."""
    for mu1, s1, mu2, s2 in [(0.5, 0.5, -1.0, 1.5), (1.0, 2.0, 0.0, 1.0), (0.0, 1.0, 0.0, 1.0)]:
        _check_mc_accuracy(fn, mu1, s1, mu2, s2, 100_000, 7)
    first, text = _mc(fn, 0.5, 0.5, -1.0, 1.5, 1000, 3)
    again, _ = _mc(fn, 0.5, 0.5, -1.0, 1.5, 1000, 3)
    expect(
        first == again,
        f"{text} returned {first:.10g} and then {again:.10g}; expected the same number for the "
        "same seed; hint: make every random draw from np.random.default_rng(seed)",
    )
    estimates = np.array([_mc(fn, 0.5, 0.5, -1.0, 1.5, 1000, seed)[0] for seed in range(20)])
    spread = float(estimates.std(ddof=1))
    sd = _log_ratio_sd(0.5, 0.5, -1.0, 1.5) / np.sqrt(1000)
    expect(
        np.unique(estimates).size > 1,
        f"kl_gaussian_mc(0.5, 0.5, -1, 1.5, 1000, seed) returned {show(estimates[0])} for every "
        "seed 0..19; expected estimates that vary with the seed; hint: " + _MC_HINT,
    )
    expect(
        0.5 * sd < spread < 2 * sd,
        f"kl_gaussian_mc(0.5, 0.5, -1, 1.5, 1000, seed) for seeds 0..19 had a standard "
        f"deviation of {spread:.3g}, expected about {sd:.3g} (the Monte Carlo error of "
        f"1000 samples); hint: use exactly n samples and average the log ratios",
    )


# ---------------------------------------------------------------------------
# Mutual information from a joint table
# ---------------------------------------------------------------------------

_MI_HINT = (
    "I(X; Y) = sum_ij p(i, j) log(p(i, j) / (p(i) p(j))) in nats, with p(i) the row sums "
    "(axis=1) and p(j) the column sums (axis=0); cells with p(i, j) = 0 count as 0"
)


def _check_mi(fn, joint):
    got, text = call(fn, "mutual_information", joint, hint=_MI_HINT)
    value = as_number(got, text, "return one number, the sum over the whole table")
    # I(X; Y) = H(X) + H(Y) - H(X, Y); scikit-learn's mutual_info_score agrees but wants counts
    expected = (
        scipy.stats.entropy(joint.sum(axis=1))
        + scipy.stats.entropy(joint.sum(axis=0))
        - scipy.stats.entropy(joint.ravel())
    )
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    wrong_axes = np.nan  # marginals swapped: only computable (and plausible) for square tables
    if joint.shape[0] == joint.shape[1]:
        with np.errstate(all="ignore"):
            wrong_axes = np.nansum(joint * np.log(joint / (px[None, :] * py[:, None])))
    hint = _diagnose(
        value,
        expected,
        _MI_HINT,
        [
            (expected / LOG2, "the exercise asks for nats: use np.log, not np.log2"),
            (wrong_axes, "p(i) are the row sums (axis=1), p(j) the column sums (axis=0)"),
        ],
    )
    if np.isnan(value):
        hint = "a zero cell gave 0 * log(0) = nan; cells with p(i, j) = 0 contribute 0"
    _expect_close(value, expected, text, hint, rtol=1e-8, atol=1e-12)


def mutual_information_basic(fn):
    """Independent variables (0), a copy Y = X of a fair coin (log 2), a noisy channel."""
    _check_mi(fn, np.outer([0.3, 0.7], [0.6, 0.4]))
    _check_mi(fn, np.array([[0.5, 0.0], [0.0, 0.5]]))
    _check_mi(fn, np.array([[0.4, 0.1], [0.1, 0.4]]))


def mutual_information_hidden(fn):
    """Non-square tables, zero cells, random tables and a deterministic function Y = f(X)."""
    rng = np.random.default_rng(306)
    _check_mi(fn, np.array([[0.48, 0.12], [0.12, 0.28]]))
    _check_mi(fn, _simplex(rng, 6).reshape(2, 3))
    _check_mi(fn, _simplex(rng, 12, zeros=0.3).reshape(4, 3))
    _check_mi(fn, _simplex(rng, 10, zeros=0.3).reshape(2, 5))
    _check_mi(fn, np.array([[0.2, 0.0], [0.0, 0.3], [0.5, 0.0]]))
    _check_mi(fn, np.outer(_simplex(rng, 3), _simplex(rng, 4)))


# ---------------------------------------------------------------------------
# Maximum entropy with a mean constraint
# ---------------------------------------------------------------------------

_MAXENT_HINT = (
    "the answer has the form p_i = exp(lam x_i) / Z; find lam with a root finder (bisection "
    "or scipy.optimize.brentq) so that sum_i p_i x_i = mean"
)


def _gibbs_oracle(x, mean):
    """Solve sum_i softmax(lam x)_i x_i = mean for lam by Brent's method."""

    def gap(lam):
        return scipy.special.softmax(lam * x) @ x - mean

    span = x.max() - x.min()
    bound = 1.0
    while gap(-bound / span) > 0 or gap(bound / span) < 0:
        bound *= 2.0
    lam = scipy.optimize.brentq(gap, -bound / span, bound / span, xtol=1e-15, rtol=1e-15)
    return scipy.special.softmax(lam * x)


def _check_maxent(fn, values, mean):
    got, text = call(fn, "max_entropy_with_mean", values, mean, hint=_MAXENT_HINT)
    p = as_float_array(got, text)
    x = np.asarray(values, dtype=float)
    expected = _gibbs_oracle(x, mean)
    if p.shape == x.shape and np.all(np.isfinite(p)):
        expect(
            abs(p.sum() - 1) <= 1e-6 and np.all(p >= 0),
            f"{text} returned {show(p)} (sum {p.sum():.6g}), expected probabilities that sum "
            f"to 1; hint: normalise exp(lam x) by its sum",
        )
        expect(
            abs(p @ x - mean) <= 1e-6 * (1 + abs(mean)),
            f"{text} returned {show(p)} with mean sum_i p_i x_i = {p @ x:.6g}, expected "
            f"mean {mean:.6g}; hint: {_MAXENT_HINT}",
        )
        h_got, h_max = scipy.stats.entropy(p), scipy.stats.entropy(expected)
        expect(
            h_got >= h_max - 1e-9,
            f"{text} returned {show(p)}: it has the right mean, but its entropy "
            f"{h_got:.6g} nats is below the maximum {h_max:.6g}; hint: {_MAXENT_HINT}",
        )
    _expect_close(p, expected, text, _MAXENT_HINT, rtol=1e-5, atol=1e-7)


def max_entropy_with_mean_basic(fn):
    """A die with mean 3.5 (uniform) and mean 4.5 (tilted towards six)."""
    die = np.arange(1.0, 7.0)
    _check_maxent(fn, die, 3.5)
    _check_maxent(fn, die, 4.5)


def max_entropy_with_mean_hidden(fn):
    """Means below the average, near the ends, uneven values, negative values."""
    die = np.arange(1.0, 7.0)
    _check_maxent(fn, die, 2.0)
    _check_maxent(fn, die, 5.9)
    _check_maxent(fn, np.array([0.0, 1.0]), 0.25)
    _check_maxent(fn, np.array([-3.0, -1.0, 0.5, 4.0]), 1.0)
    _check_maxent(fn, np.array([0.0, 1.0, 10.0]), 0.05)
    _check_maxent(fn, np.array([10.0, 20.0, 30.0, 40.0, 50.0]), 25.0)


# ---------------------------------------------------------------------------
# Stable binary cross-entropy from logits
# ---------------------------------------------------------------------------

_BCE_HINT = (
    "the mean over examples of -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), which "
    "equals the mean of max(z, 0) - y z + log(1 + exp(-|z|)): use that form (np.log1p)"
)


def _check_bce(fn, z, y):
    got, text = call(fn, "binary_cross_entropy_with_logits", z, y, hint=_BCE_HINT)
    value = as_number(got, text, "return the mean loss over all examples (one number)")
    losses = F.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.tensor(y), reduction="none"
    ).numpy()
    hint = _BCE_HINT
    if not np.isfinite(value) and np.isfinite(losses).all():
        hint = (
            "a large |z| overflowed exp or made sigmoid(z) round to exactly 0 or 1 (log 0 = "
            "-inf); " + _BCE_HINT
        )
    hint = _diagnose(
        value,
        losses.mean(),
        hint,
        [
            (losses.sum(), "return the mean over examples, not the sum"),
            (losses.mean() / LOG2, "use the natural log (nats), as torch does"),
        ],
    )
    _expect_close(value, losses.mean(), text, hint, rtol=1e-8, atol=1e-10)


def binary_cross_entropy_with_logits_basic(fn):
    """Logits 0 (loss log 2 for either label) and two confident, correct predictions."""
    _check_bce(fn, np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    _check_bce(fn, np.array([2.0, -1.0, 0.5]), np.array([1.0, 0.0, 1.0]))


def binary_cross_entropy_with_logits_hidden(fn):
    """Random logits, soft labels, and huge logits (confidently right and wrong)."""
    rng = np.random.default_rng(307)
    _check_bce(fn, rng.normal(0, 3, 20), rng.integers(0, 2, 20).astype(float))
    _check_bce(fn, rng.normal(0, 3, 10), rng.random(10))
    _check_bce(fn, np.array([800.0, -800.0]), np.array([1.0, 0.0]))
    _check_bce(fn, np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    _check_bce(fn, np.array([40.0, -40.0, 0.0]), np.array([0.0, 1.0, 0.5]))


# ---------------------------------------------------------------------------
# Stable softmax cross-entropy from logits
# ---------------------------------------------------------------------------

_CE_HINT = (
    "for each row n: logsumexp(z_n) - z_n[y_n], with logsumexp(z) = m + log(sum(exp(z - m))) "
    "and m = max(z) over that row (axis=1); then average over the rows"
)


def _check_ce(fn, z, y):
    got, text = call(fn, "softmax_cross_entropy", z, y, hint=_CE_HINT)
    value = as_number(got, text, "return the mean loss over the rows (one number)")
    losses = F.cross_entropy(torch.tensor(z), torch.tensor(y), reduction="none").numpy()
    with np.errstate(all="ignore"):
        wrong_axis = scipy.special.log_softmax(z, axis=0)[np.arange(len(y)), y]
    hint = _CE_HINT
    if not np.isfinite(value):
        hint = "large logits overflowed exp; subtract the row maximum first: " + _CE_HINT
    hint = _diagnose(
        value,
        losses.mean(),
        hint,
        [
            (-wrong_axis.mean(), "the softmax runs over the classes of each row (axis=1)"),
            (losses.sum(), "return the mean over the rows, not the sum"),
        ],
    )
    _expect_close(value, losses.mean(), text, hint, rtol=1e-8, atol=1e-10)


def softmax_cross_entropy_basic(fn):
    """Equal logits over 3 classes (loss log 3) and a small 2 x 3 batch."""
    _check_ce(fn, np.zeros((1, 3)), np.array([2]))
    _check_ce(fn, np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2]))


def softmax_cross_entropy_hidden(fn):
    """Random batches, many classes, one class, and logits of size 1000 (overflow)."""
    rng = np.random.default_rng(308)
    _check_ce(fn, rng.normal(0, 2, (8, 5)), rng.integers(0, 5, 8))
    _check_ce(fn, rng.normal(0, 2, (3, 10)), rng.integers(0, 10, 3))
    _check_ce(fn, rng.normal(0, 1, (4, 1)), np.zeros(4, dtype=int))
    _check_ce(fn, np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]]), np.array([1, 2]))
    _check_ce(fn, np.array([[-1000.0, -1001.0]]), np.array([1]))
