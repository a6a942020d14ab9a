"""Checks for module 03, information theory.

Every exercise has a visible ``<name>_basic(...)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(...)`` check (seeded random inputs
plus the edge cases behind the classic mistakes: ``0 log 0`` giving nan, natural log
where bits were asked for, KL with its arguments swapped, variances where standard
deviations belong, Monte Carlo samples drawn from the wrong distribution or with an
ignored seed, softmax over the wrong axis, overflow on large logits, a sum where the
mean was asked for). The oracles are scipy.stats, scipy.special, scipy.optimize,
torch (through ``oracles.torch()``, loaded only by the two cross-entropy checks) and
closed forms; nothing here uses dlkit or the learner's other answers.
"""

import numpy as np
import scipy.optimize
import scipy.special
import scipy.stats

from autograder.checks import oracles
from autograder.checks.harness import (
    Forbidden,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_number,
    expect_reproducible,
    expect_returns,
    expect_within,
    show,
    unpack,
)

LOG2 = np.log(2.0)


def _simplex(rng, shape, zeros=0.0):
    """Random probability vectors along the last axis, about ``zeros`` of entries exactly 0."""
    w = rng.exponential(size=shape)
    w[rng.random(shape) < zeros] = 0.0
    w[..., 0] += 0.05  # no all-zero rows
    return w / w.sum(axis=-1, keepdims=True)


def _kl_nats(p, q):
    """KL(p || q) in nats along the last axis (inf where q_i = 0 < p_i)."""
    return scipy.special.rel_entr(p, q).sum(axis=-1)


# ---------------------------------------------------------------------------
# Exercise 1 · it-self-information · reference: dk.info.self_information
# ---------------------------------------------------------------------------

_SELF_INFO_HINT = "I(p) = -log2(p) in bits: use np.log2, and mind the minus sign"


def _check_self_information(fn, p):
    with np.errstate(divide="ignore"):
        expected = 0.0 - np.log2(p)  # 0.0 - : 0 rather than -0 for p = 1; inf for p = 0
    mistakes = [
        (lambda: -np.log(p), "that is the surprise in nats; bits need log base 2 (np.log2)"),
        (lambda: np.log2(p), "the surprise is -log2(p), which is >= 0: you lost the minus sign"),
        (lambda: 1.0 / p, "the surprise is -log2(p), not 1/p"),
    ]
    expect_returns(
        fn,
        "self_information",
        (p,),
        expected,
        _SELF_INFO_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_SELF_INFORMATION = Forbidden(
    "self_information",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.self_information",
    ),
    "this exercise asks you to compute -log2 p yourself",
)


def self_information_basic(fn):
    """Probabilities 1, 1/2, 1/4, 1/8: 0, 1, 2 and 3 bits."""
    _check_self_information(fn, np.array([1.0, 0.5, 0.25, 0.125]))
    _FORBID_SELF_INFORMATION.check(fn)


def self_information_hidden(fn):
    """Random probabilities, a 2-D array, and an impossible event (p = 0 gives inf)."""
    rng = np.random.default_rng(301)
    _check_self_information(fn, rng.uniform(0.01, 1.0, 7))
    _check_self_information(fn, rng.uniform(0.001, 1.0, (3, 4)))
    _check_self_information(fn, np.array([1 / 1024, 0.9, 1.0]))
    _check_self_information(fn, np.array([0.0, 0.5]))
    _FORBID_SELF_INFORMATION.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · it-entropy · reference: dk.info.entropy
# ---------------------------------------------------------------------------

_ENTROPY_HINT = (
    "H(p) = -sum_i p_i log(p_i) along the last axis (axis=-1), in the requested base; "
    "terms with p_i = 0 count as 0"
)
_ZERO_LOG_ZERO_HINT = (
    "a zero probability made 0 * log(0) = 0 * (-inf) = nan; the term p log p tends "
    "to 0 as p -> 0, so skip or mask the zeros (for example with np.where, or "
    "scipy.special.xlogy(p, p))"
)


def _check_entropy(fn, p, base=None):
    if base is None:  # the default base, 2
        got, text = call(fn, "entropy", p, hint=_ENTROPY_HINT)
        base = 2.0
    else:
        got, text = call(fn, "entropy", p, base=base, hint=_ENTROPY_HINT)
    values = as_float_array(got, text)
    expected = scipy.stats.entropy(p, base=base, axis=-1)
    terms = -scipy.special.xlogy(p, p) / np.log(base)
    nats = scipy.stats.entropy(p, axis=-1)
    mistakes = [
        (terms.sum(), "one entropy per row: sum along the last axis only (axis=-1)"),
        (terms.sum(axis=0), "one entropy per row: sum along the last axis (axis=-1)"),
        (nats, "that is the entropy in nats; divide by np.log(base) to convert the unit"),
        (nats / LOG2, "use the base argument, not always base 2"),
    ]
    zero_log_zero = np.isnan(values).any() and (p == 0).any()
    hint = _ZERO_LOG_ZERO_HINT if zero_log_zero else _ENTROPY_HINT
    expect_close(values, expected, text, hint, rtol=1e-9, atol=1e-12, mistakes=mistakes)


_FORBID_ENTROPY = Forbidden(
    "entropy",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.entropy",
    ),
    "this exercise asks you to compute -sum p log p yourself, not with scipy.stats.entropy",
)


def entropy_basic(fn):
    """A fair coin (1 bit), a fair four-sided die (2 bits), a certain outcome (0 bits)."""
    _check_entropy(fn, np.array([0.5, 0.5]))
    _check_entropy(fn, np.full(4, 0.25))
    _check_entropy(fn, np.array([0.0, 1.0, 0.0]))
    _FORBID_ENTROPY.check(fn)


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
    _FORBID_ENTROPY.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · it-kl · reference: dk.info.kl_divergence
# ---------------------------------------------------------------------------

_KL_HINT = "KL(p || q) = sum_i p_i log(p_i / q_i) in nats, summed over the last axis"


def _kl_default_hint(values, p, expected):
    """The hint when no known mistake matches: nan from p_i = 0, or a lost infinity."""
    if np.isnan(values).any() and (p == 0).any():
        return (
            "an outcome with p_i = 0 contributes 0 to KL(p || q) (even where q_i = 0); mask "
            "those terms instead of computing 0 * log(0)"
        )
    if np.isinf(expected).any() and np.isfinite(values).all():
        return (
            "where p_i > 0 but q_i = 0 the divergence is infinite (q says impossible what p "
            "says can happen); do not drop or clip those terms"
        )
    return _KL_HINT


def _check_kl(fn, p, q):
    got, text = call(fn, "kl_divergence", p, q, hint=_KL_HINT)
    values = as_float_array(got, text)
    expected = _kl_nats(p, q)
    mistakes = [
        (_kl_nats(q, p), "you computed KL(q || p): the expectation is under p (weights p_i)"),
        (expected / LOG2, "the exercise asks for nats: use np.log, not np.log2"),
        (-expected, "mind the sign: it is p log(p / q), not p log(q / p)"),
    ]
    hint = _kl_default_hint(values, p, expected)
    expect_close(values, expected, text, hint, rtol=1e-9, atol=1e-10, mistakes=mistakes)


_FORBID_KL_DIVERGENCE = Forbidden(
    "kl_divergence",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.kl_divergence",
    ),
    (
        "this exercise asks you to compute sum p log(p / q) yourself, not with "
        "scipy.special.rel_entr or scipy.stats.entropy"
    ),
)


def kl_divergence_basic(fn):
    """KL between a fair and a biased coin, both ways round, and KL(p || p) = 0."""
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    _check_kl(fn, p, q)
    _check_kl(fn, q, p)
    _check_kl(fn, p, p)
    _FORBID_KL_DIVERGENCE.check(fn)


def kl_divergence_hidden(fn):
    """Random pairs, zeros in p, zeros in q where p > 0 (inf), and a batch of rows."""
    rng = np.random.default_rng(303)
    _check_kl(fn, _simplex(rng, 5), _simplex(rng, 5))
    _check_kl(fn, np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5]))
    _check_kl(fn, np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0]))
    _check_kl(fn, np.array([0.25, 0.25, 0.5]), np.array([0.5, 0.5, 0.0]))
    _check_kl(fn, _simplex(rng, 7, zeros=0.4), _simplex(rng, 7))
    _check_kl(fn, _simplex(rng, (3, 4), zeros=0.25), _simplex(rng, (3, 4)))
    _FORBID_KL_DIVERGENCE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · it-kl-asymmetry · reference: dk.info.kl_divergence
# ---------------------------------------------------------------------------


def _distribution(value, name):
    """The learner's ``value`` as a valid 1-D probability vector, or CheckFailed."""
    p = as_float_array(value, f"your {name}")
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
    expect(
        np.isfinite(_kl_nats(p, q)),
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
# Exercise 5 · it-entropy-kl-cross · reference: dk.info.cross_entropy
# ---------------------------------------------------------------------------

_DECOMPOSE_HINT = (
    "return (H(p), KL(p || q), H(p, q)) in bits, with H(p, q) = -sum_i p_i log2(q_i); "
    "terms with p_i = 0 count as 0"
)


def _decomposition_bits(p, q):
    """(H(p), KL(p || q), H(p, q)) in bits."""
    return (
        scipy.stats.entropy(p, base=2),
        _kl_nats(p, q) / LOG2,
        -scipy.special.xlogy(p, q).sum() / LOG2,
    )


def _check_decomposition(fn, p, q):
    result, text = call(fn, "entropy_kl_cross", p, q, hint=_DECOMPOSE_HINT)
    values = unpack(result, text, ("entropy", "kl", "cross_entropy"))
    labels = ("the entropy H(p)", "KL(p || q)", "the cross-entropy H(p, q)")
    exact, swapped = _decomposition_bits(p, q), _decomposition_bits(q, p)
    for got, expected, wrong, label in zip(values, exact, swapped, labels):
        mistakes = [
            (expected * LOG2, f"{label} should be in bits: use np.log2"),
            (wrong, f"{label} has p and q swapped: the weights are p_i, the logs of q_i"),
        ]
        expect_number(
            got,
            expected,
            f"{text}, {label},",
            _DECOMPOSE_HINT,
            rtol=1e-9,
            atol=1e-12,
            mistakes=mistakes,
        )


_FORBID_ENTROPY_KL_CROSS = Forbidden(
    "entropy_kl_cross",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.entropy",
        "dlkit.info.kl_divergence",
        "dlkit.info.cross_entropy",
    ),
    "this exercise asks you to compute the three quantities from their formulas yourself",
)


def entropy_kl_cross_basic(fn):
    """p = (1/2, 1/2) against q = (1/4, 3/4)."""
    _check_decomposition(fn, np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    _FORBID_ENTROPY_KL_CROSS.check(fn)


def entropy_kl_cross_hidden(fn):
    """Random pairs, zeros in p, and q = p (KL = 0, H(p, q) = H(p))."""
    rng = np.random.default_rng(304)
    for k in (3, 6):
        _check_decomposition(fn, _simplex(rng, k), _simplex(rng, k))
    _check_decomposition(fn, _simplex(rng, 5, zeros=0.4), _simplex(rng, 5))
    p = _simplex(rng, 4)
    _check_decomposition(fn, p, p.copy())
    _FORBID_ENTROPY_KL_CROSS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · it-kl-gaussian · reference: dk.info.kl_gaussian
# ---------------------------------------------------------------------------

_GAUSS_HINT = (
    "KL(N(mu1, s1^2) || N(mu2, s2^2)) = log(s2 / s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) "
    "- 1/2, with s1, s2 standard deviations; use numpy operations so arrays broadcast"
)


def _kl_gauss(mu1, s1, mu2, s2):
    return np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def _check_kl_gaussian(fn, mu1, s1, mu2, s2):
    expected = _kl_gauss(mu1, s1, mu2, s2)
    mistakes = [
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
    ]
    expect_returns(
        fn,
        "kl_gaussian",
        (mu1, s1, mu2, s2),
        expected,
        _GAUSS_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=mistakes,
    )


_FORBID_KL_GAUSSIAN = Forbidden(
    "kl_gaussian",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.kl_gaussian",
        "scipy.stats",
    ),
    "this exercise asks you to write the closed form of the Gaussian KL divergence yourself",
)


def kl_gaussian_basic(fn):
    """Equal Gaussians (0), a shifted mean, and N(0, 1) against N(1, 2^2)."""
    _check_kl_gaussian(fn, 0.0, 1.0, 0.0, 1.0)
    _check_kl_gaussian(fn, 1.0, 1.0, 0.0, 1.0)
    _check_kl_gaussian(fn, 0.0, 1.0, 1.0, 2.0)
    _FORBID_KL_GAUSSIAN.check(fn)


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
    _FORBID_KL_GAUSSIAN.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · it-kl-gaussian-mc · reference: dk.info.kl_gaussian_mc
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


def _standard_error(mu1, s1, mu2, s2, n):
    """Standard error of the n-sample mean of the log ratio; 1e-13 more for rounding
    (p = q makes every log ratio exactly 0)."""
    return _log_ratio_sd(mu1, s1, mu2, s2) / np.sqrt(n) + 1e-13


def _check_mc_accuracy(fn, mu1, s1, mu2, s2, n, seed):
    got, text = call(fn, "kl_gaussian_mc", mu1, s1, mu2, s2, n, seed, hint=_MC_HINT)
    value = as_number(got, text, "return one float, the average of the n log ratios")
    from_q = -_kl_gauss(mu2, s2, mu1, s1)  # E_q[log p - log q] = -KL(q || p)
    sampled_q = abs(value - from_q) <= 6 * _standard_error(mu2, s2, mu1, s1, n)
    hint = "your samples seem to come from q; draw them from p = N(mu1, sigma1^2)"
    expect_within(
        value,
        float(_kl_gauss(mu1, s1, mu2, s2)),
        _standard_error(mu1, s1, mu2, s2, n),
        text,
        "Monte Carlo estimate of KL(p || q)",
        hint if sampled_q else _MC_HINT,
    )


_FORBID_KL_GAUSSIAN_MC = Forbidden(
    "kl_gaussian_mc",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.kl_gaussian_mc",
        "dlkit.info.kl_gaussian",
        "scipy.stats",
    ),
    "this exercise asks you to average log p(x) - log q(x) over samples yourself",
)


def kl_gaussian_mc_basic(fn):
    """N(0, 1) against N(1, 2^2) with 100 000 samples: close to the exact 0.443 nats."""
    _check_mc_accuracy(fn, 0.0, 1.0, 1.0, 2.0, 100_000, 0)
    _FORBID_KL_GAUSSIAN_MC.check(fn)


def _expect_n_samples(fn, pair, seed):
    """Another n must give another estimate: an answer that ignores n fails here."""
    estimates = []
    for n in (1000, 2000):
        got, text = call(fn, "kl_gaussian_mc", *pair, n, seed, hint=_MC_HINT)
        estimates.append(as_number(got, text))
    expect(
        estimates[0] != estimates[1],
        f"kl_gaussian_mc({', '.join(show(a) for a in pair)}, n, {seed}) returned "
        f"{estimates[0]:.10g} for both n = 1000 and n = 2000; expected another estimate "
        "for another n; hint: draw exactly n samples, rng.normal(mu1, sigma1, size=n)",
    )


def kl_gaussian_mc_hidden(fn):
    """Uses n; accuracy on other pairs; reproducible for a seed, not across seeds; the spread."""
    pair, n = (0.5, 0.5, -1.0, 1.5), 1000  # mu1, sigma1, mu2, sigma2
    _expect_n_samples(fn, pair, 3)
    for mu1, s1, mu2, s2 in [pair, (1.0, 2.0, 0.0, 1.0), (0.0, 1.0, 0.0, 1.0)]:
        _check_mc_accuracy(fn, mu1, s1, mu2, s2, 100_000, 7)
    expect_reproducible(fn, "kl_gaussian_mc", (*pair, n), 3, hint=_MC_HINT)
    estimates = []
    for seed in range(20):
        got, text = call(fn, "kl_gaussian_mc", *pair, n, seed, hint=_MC_HINT)
        estimates.append(as_number(got, text))
    spread = float(np.std(estimates, ddof=1))
    sd = _log_ratio_sd(*pair) / np.sqrt(n)
    expect(
        0.5 * sd < spread < 2 * sd,
        f"kl_gaussian_mc(0.5, 0.5, -1, 1.5, 1000, seed) for seeds 0..19 had a standard "
        f"deviation of {spread:.3g}, expected about {sd:.3g} (the Monte Carlo error of "
        f"1000 samples); hint: use exactly n samples and average the log ratios",
    )
    _FORBID_KL_GAUSSIAN_MC.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · it-mutual-information · reference: dk.info.mutual_information
# ---------------------------------------------------------------------------

_MI_HINT = (
    "I(X; Y) = sum_ij p(i, j) log(p(i, j) / (p(i) p(j))) in nats, with p(i) the row sums "
    "(axis=1) and p(j) the column sums (axis=0); cells with p(i, j) = 0 count as 0"
)


def _check_mi(fn, joint):
    got, text = call(fn, "mutual_information", joint, hint=_MI_HINT)
    value = as_number(got, text, "return one number, the sum over the whole table")
    # I(X; Y) = H(X) + H(Y) - H(X, Y); scikit-learn's mutual_info_score agrees but wants counts
    px, py = joint.sum(axis=1), joint.sum(axis=0)  # shapes (nx,), (ny,)
    expected = (
        scipy.stats.entropy(px) + scipy.stats.entropy(py) - scipy.stats.entropy(joint.ravel())
    )
    swapped_outer = px[None, :] * py[:, None]  # (ny, nx): only fits (and is plausible) if square
    mistakes = [
        (expected / LOG2, "the exercise asks for nats: use np.log, not np.log2"),
        (
            lambda: scipy.special.xlogy(joint, joint / swapped_outer).sum(),
            "p(i) are the row sums (axis=1), p(j) the column sums (axis=0)",
        ),
    ]
    hint = _MI_HINT
    if np.isnan(value):
        hint = "a zero cell gave 0 * log(0) = nan; cells with p(i, j) = 0 contribute 0"
    expect_number(value, expected, text, hint, rtol=1e-8, atol=1e-12, mistakes=mistakes)


_FORBID_MUTUAL_INFORMATION = Forbidden(
    "mutual_information",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.mutual_information",
        "sklearn",
    ),
    "this exercise asks you to compute the mutual information from the joint table yourself",
)


def mutual_information_basic(fn):
    """Independent variables (0), a copy Y = X of a fair coin (log 2), a noisy channel."""
    _check_mi(fn, np.outer([0.3, 0.7], [0.6, 0.4]))
    _check_mi(fn, np.array([[0.5, 0.0], [0.0, 0.5]]))
    _check_mi(fn, np.array([[0.4, 0.1], [0.1, 0.4]]))
    _FORBID_MUTUAL_INFORMATION.check(fn)


def mutual_information_hidden(fn):
    """Non-square tables, zero cells, random tables and a deterministic function Y = f(X)."""
    rng = np.random.default_rng(306)
    _check_mi(fn, np.array([[0.48, 0.12], [0.12, 0.28]]))
    _check_mi(fn, _simplex(rng, 6).reshape(2, 3))
    _check_mi(fn, _simplex(rng, 12, zeros=0.3).reshape(4, 3))
    _check_mi(fn, _simplex(rng, 10, zeros=0.3).reshape(2, 5))
    _check_mi(fn, np.array([[0.2, 0.0], [0.0, 0.3], [0.5, 0.0]]))
    _check_mi(fn, np.outer(_simplex(rng, 3), _simplex(rng, 4)))
    _FORBID_MUTUAL_INFORMATION.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · it-max-entropy · reference: dk.info.max_entropy_with_mean
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


def _expect_max_entropy_properties(p, x, mean, expected, text):
    """A normalised distribution with the right mean and the maximum entropy."""
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


def _check_maxent(fn, values, mean):
    got, text = call(fn, "max_entropy_with_mean", values, mean, hint=_MAXENT_HINT)
    p = as_float_array(got, text)
    x = np.asarray(values, dtype=float)
    expected = _gibbs_oracle(x, mean)
    expect(
        np.all(np.isfinite(p)),
        f"{text} returned {show(p)}, which is not finite; hint: exp(lam x) overflows once "
        "lam x passes about 709 (and underflows to 0 below about -745, giving 0 / 0): "
        "subtract the largest exponent before np.exp, as in a softmax (the prompt's step 1)",
    )
    if p.shape == x.shape:
        _expect_max_entropy_properties(p, x, mean, expected, text)
    expect_close(p, expected, text, _MAXENT_HINT, rtol=1e-5, atol=1e-7)


_FORBID_MAX_ENTROPY_WITH_MEAN = Forbidden(
    "max_entropy_with_mean",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.max_entropy_with_mean",
    ),
    "this exercise asks you to solve for the Gibbs distribution yourself",
)


def max_entropy_with_mean_basic(fn):
    """A die with mean 3.5 (uniform) and mean 4.5 (tilted towards six)."""
    die = np.arange(1.0, 7.0)
    _check_maxent(fn, die, 3.5)
    _check_maxent(fn, die, 4.5)
    _FORBID_MAX_ENTROPY_WITH_MEAN.check(fn)


def max_entropy_with_mean_hidden(fn):
    """Means below the average, near the ends, uneven values, negative values, and values so
    large that exp(lam x) overflows without the max-shift the prompt asks for."""
    die = np.arange(1.0, 7.0)
    _check_maxent(fn, die, 2.0)
    _check_maxent(fn, die, 5.9)
    _check_maxent(fn, np.array([0.0, 1.0]), 0.25)
    _check_maxent(fn, np.array([-3.0, -1.0, 0.5, 4.0]), 1.0)
    _check_maxent(fn, np.array([0.0, 1.0, 10.0]), 0.05)
    _check_maxent(fn, np.array([10.0, 20.0, 30.0, 40.0, 50.0]), 25.0)
    # exp(lam x) overflows (and underflows) here unless the largest exponent is subtracted
    _check_maxent(fn, np.array([1000.0, 1001.0, 1002.0]), 1001.8)
    _check_maxent(fn, np.array([-1002.0, -1001.0, -1000.0]), -1001.9)
    _FORBID_MAX_ENTROPY_WITH_MEAN.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · it-bce-logits · reference: dk.info.binary_cross_entropy_with_logits
# ---------------------------------------------------------------------------

_BCE_HINT = (
    "the mean over examples of -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), which "
    "equals the mean of max(z, 0) - y z + log(1 + exp(-|z|)): use that form (np.log1p)"
)


def _bce_losses(z, y):
    """torch's per-example binary cross-entropy from logits, in nats."""
    torch = oracles.torch()
    losses = torch.nn.functional.binary_cross_entropy_with_logits(
        oracles.tensor(z), oracles.tensor(y), reduction="none"
    )
    return losses.numpy()


def _check_bce(fn, z, y):
    got, text = call(fn, "binary_cross_entropy_with_logits", z, y, hint=_BCE_HINT)
    value = as_number(got, text, "return the mean loss over all examples (one number)")
    losses = _bce_losses(z, y)
    mistakes = [
        (losses.sum(), "return the mean over examples, not the sum"),
        (losses.mean() / LOG2, "use the natural log (nats), as torch does"),
    ]
    hint = _BCE_HINT
    if not np.isfinite(value):
        hint = (
            "a large |z| overflowed exp or made sigmoid(z) round to exactly 0 or 1 (log 0 = "
            "-inf); " + _BCE_HINT
        )
    expect_number(value, losses.mean(), text, hint, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_BINARY_CROSS_ENTROPY_WITH_LOGITS = Forbidden(
    "binary_cross_entropy_with_logits",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.binary_cross_entropy_with_logits",
        "scipy.special.expit",
        "scipy.special.log_expit",
        "dlkit.numerics.sigmoid",
    ),
    (
        "this exercise asks for the stable formula max(z, 0) - z y + log1p(exp(-|z|)), without "
        "computing sigmoid(z)"
    ),
)


def binary_cross_entropy_with_logits_basic(fn):
    """Logits 0 (loss log 2 for either label) and two confident, correct predictions."""
    _check_bce(fn, np.array([0.0, 0.0]), np.array([1.0, 0.0]))
    _check_bce(fn, np.array([2.0, -1.0, 0.5]), np.array([1.0, 0.0, 1.0]))
    _FORBID_BINARY_CROSS_ENTROPY_WITH_LOGITS.check(fn)


def binary_cross_entropy_with_logits_hidden(fn):
    """Random logits, soft labels, and huge logits (confidently right and wrong)."""
    rng = np.random.default_rng(307)
    _check_bce(fn, rng.normal(0, 3, 20), rng.integers(0, 2, 20).astype(float))
    _check_bce(fn, rng.normal(0, 3, 10), rng.random(10))
    _check_bce(fn, np.array([800.0, -800.0]), np.array([1.0, 0.0]))
    _check_bce(fn, np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    _check_bce(fn, np.array([40.0, -40.0, 0.0]), np.array([0.0, 1.0, 0.5]))
    _FORBID_BINARY_CROSS_ENTROPY_WITH_LOGITS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · it-softmax-ce · reference: dk.info.cross_entropy_with_logits
# ---------------------------------------------------------------------------

_CE_HINT = (
    "for each row n: logsumexp(z_n) - z_n[y_n], with logsumexp(z) = m + log(sum(exp(z - m))) "
    "and m = max(z) over that row (axis=1); then average over the rows"
)


def _ce_losses(z, y):
    """torch's per-row softmax cross-entropy from logits z (n, k) and labels y (n,)."""
    torch = oracles.torch()
    labels = torch.from_numpy(np.asarray(y, dtype=np.int64))
    return torch.nn.functional.cross_entropy(oracles.tensor(z), labels, reduction="none").numpy()


def _check_ce(fn, z, y):
    got, text = call(fn, "softmax_cross_entropy", z, y, hint=_CE_HINT)
    value = as_number(got, text, "return the mean loss over the rows (one number)")
    losses = _ce_losses(z, y)
    rows = np.arange(len(y))
    mistakes = [
        (
            lambda: -scipy.special.log_softmax(z, axis=0)[rows, y].mean(),
            "the softmax runs over the classes of each row (axis=1)",
        ),
        (losses.sum(), "return the mean over the rows, not the sum"),
    ]
    hint = _CE_HINT
    if not np.isfinite(value):
        hint = "large logits overflowed exp; subtract the row maximum first: " + _CE_HINT
    expect_number(value, losses.mean(), text, hint, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_SOFTMAX_CROSS_ENTROPY = Forbidden(
    "softmax_cross_entropy",
    (
        "scipy.stats.entropy",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.special.entr",
        "torch",
        "dlkit.info.cross_entropy_with_logits",
        "scipy.special.log_softmax",
        "scipy.special.softmax",
        "scipy.special.logsumexp",
        "dlkit.numerics.log_softmax",
        "dlkit.numerics.softmax",
        "dlkit.numerics.logsumexp",
    ),
    "this exercise asks you to compute the log-softmax stably (subtract the row maximum) yourself",
)


def softmax_cross_entropy_basic(fn):
    """Equal logits over 3 classes (loss log 3) and a small 2 x 3 batch."""
    _check_ce(fn, np.zeros((1, 3)), np.array([2]))
    _check_ce(fn, np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2]))
    _FORBID_SOFTMAX_CROSS_ENTROPY.check(fn)


def softmax_cross_entropy_hidden(fn):
    """Random batches, many classes, one class, and logits of size 1000 (overflow)."""
    rng = np.random.default_rng(308)
    _check_ce(fn, rng.normal(0, 2, (8, 5)), rng.integers(0, 5, 8))
    _check_ce(fn, rng.normal(0, 2, (3, 10)), rng.integers(0, 10, 3))
    _check_ce(fn, rng.normal(0, 1, (4, 1)), np.zeros(4, dtype=int))
    _check_ce(fn, np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 999.0]]), np.array([1, 2]))
    _check_ce(fn, np.array([[-1000.0, -1001.0]]), np.array([1]))
    _FORBID_SOFTMAX_CROSS_ENTROPY.check(fn)
