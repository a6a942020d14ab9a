"""The module-03 checks: references, other correct answers and mutants (see test_contract)."""

import numpy as np
import scipy.special

from dlkit import info
from dlkit.numerics import sigmoid

# ---------------------------------------------------------------------------
# Reference solutions with the exercises' signatures
# ---------------------------------------------------------------------------


def self_information_ref(p):
    return info.self_information(p, base=2)


def entropy_ref(p, base=2):
    return info.entropy(p, base=base)


def entropy_kl_cross_ref(p, q):
    return (
        info.entropy(p, base=2),
        info.kl_divergence(p, q, base=2),
        info.cross_entropy(p, q, base=2),
    )


def kl_gaussian_mc_ref(mu1, sigma1, mu2, sigma2, n, seed):
    return info.kl_gaussian_mc(mu1, sigma1, mu2, sigma2, n, seed)[0]


REFERENCES = {
    "self_information": self_information_ref,
    "entropy": entropy_ref,
    "kl_divergence": info.kl_divergence,
    "entropy_kl_cross": entropy_kl_cross_ref,
    "kl_gaussian": info.kl_gaussian,
    "kl_gaussian_mc": kl_gaussian_mc_ref,
    "mutual_information": info.mutual_information,
    "max_entropy_with_mean": info.max_entropy_with_mean,
    "binary_cross_entropy_with_logits": info.binary_cross_entropy_with_logits,
    "softmax_cross_entropy": info.cross_entropy_with_logits,
}
P_ASYM, Q_ASYM = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
VALUES = {"kl_asymmetry": (P_ASYM, Q_ASYM)}

# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def entropy_masked(p, base=2):
    """np.where instead of xlogy for the 0 log 0 terms."""
    p = np.asarray(p, dtype=float)
    logs = np.log(np.where(p > 0, p, 1.0))
    return -np.sum(p * logs, axis=-1) / np.log(base)


def kl_gaussian_mc_standard_normals(mu1, sigma1, mu2, sigma2, n, seed):
    """x = mu1 + sigma1 z with z standard normal, and the log ratio written out."""
    z = np.random.default_rng(seed).standard_normal(n)
    x = mu1 + sigma1 * z
    log_ratio = np.log(sigma2 / sigma1) - z**2 / 2 + (x - mu2) ** 2 / (2 * sigma2**2)
    return float(np.mean(log_ratio))


ALTERNATIVES = [
    ("kl_asymmetry", ([0.0, 1.0], [0.5, 0.5])),  # plain lists
    ("entropy", entropy_masked),
    ("kl_gaussian_mc", kl_gaussian_mc_standard_normals),
]

# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def self_information_nats(p):
    return -np.log(p)


def self_information_no_minus(p):
    return np.log2(p)


def self_information_reciprocal(p):
    return 1.0 / np.asarray(p, dtype=float)


def entropy_naive(p, base=2):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(p), axis=-1) / np.log(base)


def entropy_flat(p, base=2):
    p = np.asarray(p, dtype=float)
    return float(-np.sum(scipy.special.xlogy(p, p)) / np.log(base))


def entropy_bits_only(p, base=2):
    return info.entropy(p, base=2)


def entropy_nats_only(p, base=2):
    return info.entropy(p)


def kl_swapped(p, q):
    return info.kl_divergence(q, p)


def kl_clipped(p, q):
    q = np.clip(q, 1e-12, None)
    return info.kl_divergence(p, q / q.sum(-1, keepdims=True))


def kl_naive(p, q):
    return np.sum(p * np.log(p / q), axis=-1)


def kl_bits(p, q):
    return info.kl_divergence(p, q, base=2)


def kl_wrong_sign(p, q):
    return -info.kl_divergence(p, q)


def kl_clips_q_in_place(p, q):
    np.clip(q, 1e-12, None, out=q)
    return info.kl_divergence(p, q)


def decomposition_nats(p, q):
    return info.entropy(p), info.kl_divergence(p, q), info.cross_entropy(p, q)


def decomposition_cross_swapped(p, q):
    h, kl, _ = entropy_kl_cross_ref(p, q)
    return h, kl, info.cross_entropy(q, p, base=2)


def decomposition_kl_swapped(p, q):
    h, _, ce = entropy_kl_cross_ref(p, q)
    return h, info.kl_divergence(q, p, base=2), ce


def decomposition_cross_only(p, q):
    return info.cross_entropy(p, q, base=2)


def kl_gaussian_variances(mu1, s1, mu2, s2):
    return np.log(s2 / s1) + (s1 + (mu1 - mu2) ** 2) / (2 * s2) - 0.5


def kl_gaussian_no_half(mu1, s1, mu2, s2):
    return info.kl_gaussian(mu1, s1, mu2, s2) + 0.5


def kl_gaussian_swapped(mu1, s1, mu2, s2):
    return info.kl_gaussian(mu2, s2, mu1, s1)


def kl_gaussian_log_of_variances(mu1, s1, mu2, s2):
    return 2 * np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5


def kl_gaussian_scalar_only(mu1, s1, mu2, s2):
    return float(np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5)


def kl_gaussian_mc_from_q(mu1, s1, mu2, s2, n, seed):
    x = np.random.default_rng(seed).normal(mu2, s2, n)
    return float(np.mean(info.gaussian_log_pdf(x, mu1, s1) - info.gaussian_log_pdf(x, mu2, s2)))


def kl_gaussian_mc_closed_form(mu1, s1, mu2, s2, n, seed):
    return float(info.kl_gaussian(mu1, s1, mu2, s2))


def kl_gaussian_mc_unseeded(mu1, s1, mu2, s2, n, seed):
    return kl_gaussian_mc_ref(mu1, s1, mu2, s2, n, np.random.default_rng().integers(2**32))


def kl_gaussian_mc_fixed_seed(mu1, s1, mu2, s2, n, seed):
    return kl_gaussian_mc_ref(mu1, s1, mu2, s2, n, 0)


def kl_gaussian_mc_hundred_samples(mu1, s1, mu2, s2, n, seed):
    return kl_gaussian_mc_ref(mu1, s1, mu2, s2, 100, seed)


def mutual_information_swapped_marginals(joint):
    joint = np.asarray(joint, dtype=float)
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    outer = px[None, :] * py[:, None]  # (ny, nx): only fits square tables
    return float(np.sum(scipy.special.xlogy(joint, joint / outer)))


def mutual_information_bits(joint):
    return info.mutual_information(joint, base=2)


def mutual_information_naive(joint):
    px, py = joint.sum(axis=1, keepdims=True), joint.sum(axis=0, keepdims=True)
    return np.sum(joint * np.log(joint / (px * py)))


def max_entropy_uniform(values, mean):
    return np.full(len(values), 1 / len(values))


def max_entropy_two_points(values, mean):
    """Right mean, but all mass on the two extreme values."""
    x = np.asarray(values, dtype=float)
    t = (mean - x.min()) / (x.max() - x.min())
    p = np.zeros(len(x))
    p[np.argmin(x)], p[np.argmax(x)] = 1 - t, t
    return p


def max_entropy_unnormalised(values, mean):
    return 2 * info.max_entropy_with_mean(values, mean)


def bce_naive(z, y):
    s = sigmoid(z)
    return float(np.mean(-y * np.log(s) - (1 - y) * np.log(1 - s)))


def bce_sum(z, y):
    return info.binary_cross_entropy_with_logits(z, y, reduction="sum")


def bce_bits(z, y):
    return info.binary_cross_entropy_with_logits(z, y) / np.log(2)


def softmax_ce_unstable(z, y):
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def softmax_ce_wrong_axis(z, y):
    return float(-np.mean(scipy.special.log_softmax(z, axis=0)[np.arange(len(y)), y]))


def softmax_ce_sum(z, y):
    return info.cross_entropy_with_logits(z, y, reduction="sum")


MUTANTS = [
    ("self_information_basic", self_information_nats, "in nats"),
    ("self_information_hidden", self_information_no_minus, "lost the minus sign"),
    ("self_information_basic", self_information_reciprocal, "not 1/p"),
    ("entropy_basic", entropy_naive, "0 * log(0) = 0 * (-inf) = nan"),
    ("entropy_hidden", entropy_flat, "one entropy per row"),
    ("entropy_hidden", entropy_bits_only, "use the base argument"),
    ("entropy_basic", entropy_nats_only, "that is the entropy in nats"),
    ("kl_divergence_basic", kl_swapped, "you computed KL(q || p)"),
    ("kl_divergence_hidden", kl_clipped, "the divergence is infinite"),
    ("kl_divergence_hidden", kl_naive, "p_i = 0 contributes 0"),
    ("kl_divergence_basic", kl_bits, "use np.log, not np.log2"),
    ("kl_divergence_basic", kl_wrong_sign, "mind the sign"),
    ("kl_divergence_hidden", kl_clips_q_in_place, "modified its argument 2 in place"),
    ("kl_asymmetry_basic", ([0.5, 0.6], [0.5, 0.5]), "sum to 1"),
    ("kl_asymmetry_basic", ([0.5, 0.5], [0.2, 0.3, 0.5]), "same outcomes"),
    ("kl_asymmetry_basic", (Q_ASYM, P_ASYM), "KL(p_asym || q_asym) = inf, expected a finite"),
    ("kl_asymmetry_hidden", ([0.5, 0.5], [0.25, 0.75]), "KL(q_asym || p_asym) = 0.13"),
    ("kl_asymmetry_basic", (0.5, 0.5), "1-D array"),
    ("entropy_kl_cross_basic", decomposition_nats, "the entropy H(p) should be in bits"),
    ("entropy_kl_cross_basic", decomposition_cross_swapped, "H(p, q) has p and q swapped"),
    ("entropy_kl_cross_basic", decomposition_kl_swapped, "KL(p || q) has p and q swapped"),
    ("entropy_kl_cross_basic", decomposition_cross_only, "expected 3 values"),
    ("kl_gaussian_basic", kl_gaussian_variances, "square them where the formula has variances"),
    ("kl_gaussian_basic", kl_gaussian_no_half, "ends with - 1/2"),
    ("kl_gaussian_basic", kl_gaussian_swapped, "you computed KL(q || p)"),
    ("kl_gaussian_basic", kl_gaussian_log_of_variances, "not log(s2^2 / s1^2)"),
    ("kl_gaussian_hidden", kl_gaussian_scalar_only, "raised TypeError"),
    ("kl_gaussian_mc_basic", kl_gaussian_mc_from_q, "samples seem to come from q"),
    ("kl_gaussian_mc_hidden", kl_gaussian_mc_closed_form, "for both n = 1000 and n = 2000"),
    ("kl_gaussian_mc_hidden", kl_gaussian_mc_unseeded, "different numbers when called twice"),
    ("kl_gaussian_mc_hidden", kl_gaussian_mc_fixed_seed, "the same numbers as with seed=3"),
    ("kl_gaussian_mc_hidden", kl_gaussian_mc_hundred_samples, "draw exactly n samples"),
    ("mutual_information_basic", mutual_information_swapped_marginals, "p(i) are the row sums"),
    ("mutual_information_basic", mutual_information_bits, "use np.log, not np.log2"),
    ("mutual_information_basic", mutual_information_naive, "0 * log(0) = nan"),
    ("max_entropy_with_mean_basic", max_entropy_uniform, "expected mean 4.5"),
    ("max_entropy_with_mean_basic", max_entropy_two_points, "is below the maximum"),
    ("max_entropy_with_mean_basic", max_entropy_unnormalised, "expected probabilities that sum"),
    ("binary_cross_entropy_with_logits_hidden", bce_naive, "overflowed exp or made sigmoid"),
    ("binary_cross_entropy_with_logits_basic", bce_sum, "not the sum"),
    ("binary_cross_entropy_with_logits_basic", bce_bits, "use the natural log"),
    ("softmax_cross_entropy_hidden", softmax_ce_unstable, "subtract the row maximum"),
    ("softmax_cross_entropy_basic", softmax_ce_wrong_axis, "classes of each row (axis=1)"),
    ("softmax_cross_entropy_basic", softmax_ce_sum, "not the sum"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def self_information_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return self_information_ref(*args, **kwargs)


def entropy_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return entropy_ref(*args, **kwargs)


def kl_divergence_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.kl_divergence(*args, **kwargs)


def entropy_kl_cross_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return entropy_kl_cross_ref(*args, **kwargs)


def kl_gaussian_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.kl_gaussian(*args, **kwargs)


def kl_gaussian_mc_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return kl_gaussian_mc_ref(*args, **kwargs)


def mutual_information_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.mutual_information(*args, **kwargs)


def max_entropy_with_mean_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.max_entropy_with_mean(*args, **kwargs)


def binary_cross_entropy_with_logits_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.binary_cross_entropy_with_logits(*args, **kwargs)


def softmax_cross_entropy_through_entropy(*args, **kwargs):
    """The reference, using scipy.stats.entropy: the exercise forbids it."""
    import scipy.stats

    scipy.stats.entropy  # noqa: B018
    return info.cross_entropy_with_logits(*args, **kwargs)


MUTANTS += [
    (
        "self_information_hidden",
        self_information_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    ("entropy_hidden", entropy_through_entropy, "your answer uses scipy.stats.entropy"),
    ("kl_divergence_hidden", kl_divergence_through_entropy, "your answer uses scipy.stats.entropy"),
    (
        "entropy_kl_cross_hidden",
        entropy_kl_cross_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    ("kl_gaussian_hidden", kl_gaussian_through_entropy, "your answer uses scipy.stats.entropy"),
    (
        "kl_gaussian_mc_hidden",
        kl_gaussian_mc_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    (
        "mutual_information_hidden",
        mutual_information_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    (
        "max_entropy_with_mean_hidden",
        max_entropy_with_mean_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    (
        "binary_cross_entropy_with_logits_hidden",
        binary_cross_entropy_with_logits_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
    (
        "softmax_cross_entropy_hidden",
        softmax_cross_entropy_through_entropy,
        "your answer uses scipy.stats.entropy",
    ),
]


def max_entropy_without_shift(values, mean):
    """The prompt's bisection, but exp(lam x) without subtracting the largest exponent."""
    x = np.asarray(values, dtype=float)

    def gibbs(lam):
        w = np.exp(lam * x)
        return w / w.sum()

    lo, hi = -1.0, 1.0
    while gibbs(lo) @ x > mean:
        lo *= 2.0
    while gibbs(hi) @ x < mean:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if gibbs(mid) @ x < mean:
            lo = mid
        else:
            hi = mid
    return gibbs(0.5 * (lo + hi))


MUTANTS += [
    ("max_entropy_with_mean_hidden", max_entropy_without_shift, "subtract the largest exponent"),
]
