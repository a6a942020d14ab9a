"""The module-03 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest
import scipy.special

from autograder.checks import information_theory as chk
from autograder.checks.harness import CheckFailed
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
VALUE_CHECKS = {"kl_asymmetry"}  # takes two distributions the learner assigns
P_ASYM, Q_ASYM = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])


@pytest.mark.parametrize("part", ["basic", "hidden"])
def test_kl_asymmetry_accepts_a_valid_pair(part):
    getattr(chk, f"kl_asymmetry_{part}")(P_ASYM, Q_ASYM)
    getattr(chk, f"kl_asymmetry_{part}")([0.0, 1.0], [0.5, 0.5])  # plain lists too


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_self_information_rejects_natural_log():
    message = r"returned \[-?0\. *, +0\.693147.*expected \[0\., 1\., 2\., 3\.\]; hint: .* in nats"
    with pytest.raises(CheckFailed, match=message):
        chk.self_information_basic(lambda p: -np.log(p))


def test_self_information_rejects_missing_minus():
    with pytest.raises(CheckFailed, match="lost the minus sign"):
        chk.self_information_hidden(lambda p: np.log2(p))


def naive_entropy(p, base=2):
    p = np.asarray(p, dtype=float)
    return -np.sum(p * np.log(p), axis=-1) / np.log(base)


def test_entropy_rejects_nan_from_zero_probabilities():
    with pytest.raises(CheckFailed, match=r"0 \* log\(0\) = 0 \* \(-inf\) = nan"):
        chk.entropy_basic(naive_entropy)


def test_entropy_rejects_sum_over_all_axes():
    def entropy_flat(p, base=2):
        p = np.asarray(p, dtype=float)
        return float(-np.sum(scipy.special.xlogy(p, p)) / np.log(base))

    chk.entropy_basic(entropy_flat)  # fine on single distributions ...
    with pytest.raises(CheckFailed, match="one entropy per row"):
        chk.entropy_hidden(entropy_flat)  # ... but not on a batch of rows


def test_entropy_rejects_ignoring_the_base():
    def entropy_bits_only(p, base=2):
        return info.entropy(p, base=2)

    with pytest.raises(CheckFailed, match="use the base argument"):
        chk.entropy_hidden(entropy_bits_only)


def test_kl_rejects_swapped_arguments():
    with pytest.raises(CheckFailed, match=r"you computed KL\(q \|\| p\)"):
        chk.kl_divergence_basic(lambda p, q: info.kl_divergence(q, p))


def test_kl_rejects_clipping_q():
    def kl_clipped(p, q):
        return info.kl_divergence(p, np.clip(q, 1e-12, None) / np.clip(q, 1e-12, None).sum(-1))

    with pytest.raises(CheckFailed, match="the divergence is infinite"):
        chk.kl_divergence_hidden(kl_clipped)


def test_kl_rejects_nan_for_zero_p():
    def kl_naive(p, q):
        return np.sum(p * np.log(p / q), axis=-1)

    with pytest.raises(CheckFailed, match="p_i = 0 contributes 0"):
        chk.kl_divergence_hidden(kl_naive)


def test_kl_asymmetry_rejects_invalid_and_wrong_way_round():
    with pytest.raises(CheckFailed, match="sum to 1"):
        chk.kl_asymmetry_basic([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(CheckFailed, match="same outcomes"):
        chk.kl_asymmetry_basic([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(CheckFailed, match=r"KL\(p_asym \|\| q_asym\) = inf, expected a finite"):
        chk.kl_asymmetry_basic(Q_ASYM, P_ASYM)
    with pytest.raises(CheckFailed, match=r"KL\(q_asym \|\| p_asym\) = 0.13.*expected inf"):
        chk.kl_asymmetry_hidden([0.5, 0.5], [0.25, 0.75])
    with pytest.raises(CheckFailed, match="1-D array"):
        chk.kl_asymmetry_basic(0.5, 0.5)


def test_entropy_kl_cross_rejects_nats_and_swaps():
    def in_nats(p, q):
        return info.entropy(p), info.kl_divergence(p, q), info.cross_entropy(p, q)

    with pytest.raises(CheckFailed, match=r"the entropy H\(p\), returned 0.693147.*use np.log2"):
        chk.entropy_kl_cross_basic(in_nats)

    def cross_swapped(p, q):
        h, kl, _ = entropy_kl_cross_ref(p, q)
        return h, kl, info.cross_entropy(q, p, base=2)

    with pytest.raises(CheckFailed, match="cross-entropy H.p, q. has p and q swapped"):
        chk.entropy_kl_cross_basic(cross_swapped)
    with pytest.raises(CheckFailed, match="expected a tuple of 3 values"):
        chk.entropy_kl_cross_basic(lambda p, q: info.cross_entropy(p, q, base=2))


def test_kl_gaussian_rejects_variance_confusion_and_missing_half():
    def variances(mu1, s1, mu2, s2):
        return np.log(s2 / s1) + (s1 + (mu1 - mu2) ** 2) / (2 * s2) - 0.5

    with pytest.raises(CheckFailed, match="square them where the formula has variances"):
        chk.kl_gaussian_basic(variances)
    with pytest.raises(CheckFailed, match="ends with - 1/2"):
        chk.kl_gaussian_basic(lambda *a: info.kl_gaussian(*a) + 0.5)


def test_kl_gaussian_rejects_swapped_direction():
    with pytest.raises(CheckFailed, match=r"you computed KL\(q \|\| p\)"):
        chk.kl_gaussian_basic(lambda m1, s1, m2, s2: info.kl_gaussian(m2, s2, m1, s1))


def test_kl_gaussian_rejects_scalar_only_code():
    def scalar_only(mu1, s1, mu2, s2):
        return float(np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5)

    chk.kl_gaussian_basic(scalar_only)
    with pytest.raises(CheckFailed, match="raised TypeError.*arrays broadcast"):
        chk.kl_gaussian_hidden(scalar_only)


def test_kl_gaussian_mc_rejects_sampling_from_q():
    def from_q(mu1, s1, mu2, s2, n, seed):
        x = np.random.default_rng(seed).normal(mu2, s2, n)
        return float(np.mean(info.gaussian_log_pdf(x, mu1, s1) - info.gaussian_log_pdf(x, mu2, s2)))

    with pytest.raises(CheckFailed, match="samples seem to come from q"):
        chk.kl_gaussian_mc_basic(from_q)


def test_kl_gaussian_mc_rejects_closed_form_and_unseeded():
    def closed_form(mu1, s1, mu2, s2, n, seed):
        return float(info.kl_gaussian(mu1, s1, mu2, s2))

    chk.kl_gaussian_mc_basic(closed_form)
    with pytest.raises(CheckFailed, match="estimates that vary with the seed"):
        chk.kl_gaussian_mc_hidden(closed_form)

    def unseeded(mu1, s1, mu2, s2, n, seed):
        return kl_gaussian_mc_ref(mu1, s1, mu2, s2, n, np.random.default_rng().integers(2**32))

    with pytest.raises(CheckFailed, match="the same number for the same seed"):
        chk.kl_gaussian_mc_hidden(unseeded)


def test_kl_gaussian_mc_rejects_too_few_samples():
    def hundred_samples(mu1, s1, mu2, s2, n, seed):
        return kl_gaussian_mc_ref(mu1, s1, mu2, s2, 100, seed)

    with pytest.raises(CheckFailed, match="within 5 standard errors|exactly n samples"):
        chk.kl_gaussian_mc_hidden(hundred_samples)


def test_mutual_information_rejects_swapped_marginals():
    def swapped(joint):
        joint = np.asarray(joint, dtype=float)
        px, py = joint.sum(axis=1), joint.sum(axis=0)
        outer = px[None, :] * py[:, None]  # (ny, nx): only fits square tables
        return float(np.sum(scipy.special.xlogy(joint, joint / outer)))

    with pytest.raises(
        CheckFailed, match=r"returned 0.375829, expected 0; hint: p\(i\) are the row"
    ):
        chk.mutual_information_basic(swapped)


def test_mutual_information_rejects_bits_and_nan():
    with pytest.raises(CheckFailed, match="use np.log, not np.log2"):
        chk.mutual_information_basic(lambda j: info.mutual_information(j, base=2))

    def naive(joint):
        px, py = joint.sum(axis=1, keepdims=True), joint.sum(axis=0, keepdims=True)
        return np.sum(joint * np.log(joint / (px * py)))

    with pytest.raises(CheckFailed, match=r"0 \* log\(0\) = nan"):
        chk.mutual_information_basic(naive)


def test_max_entropy_rejects_uniform_and_low_entropy():
    def uniform(values, mean):
        return np.full(len(values), 1 / len(values))

    with pytest.raises(CheckFailed, match=r"mean sum_i p_i x_i = 3\.5, expected mean 4\.5"):
        chk.max_entropy_with_mean_basic(uniform)

    def two_points(values, mean):
        """Right mean, but all mass on the two extreme values."""
        x = np.asarray(values, dtype=float)
        t = (mean - x.min()) / (x.max() - x.min())
        p = np.zeros(len(x))
        p[np.argmin(x)], p[np.argmax(x)] = 1 - t, t
        return p

    with pytest.raises(CheckFailed, match="entropy .* is below the maximum"):
        chk.max_entropy_with_mean_basic(two_points)


def test_bce_rejects_unstable_and_sum():
    def naive(z, y):
        s = sigmoid(z)
        return float(np.mean(-y * np.log(s) - (1 - y) * np.log(1 - s)))

    chk.binary_cross_entropy_with_logits_basic(naive)
    with pytest.raises(CheckFailed, match="overflowed exp or made sigmoid"):
        chk.binary_cross_entropy_with_logits_hidden(naive)
    with pytest.raises(CheckFailed, match="not the sum"):
        chk.binary_cross_entropy_with_logits_basic(
            lambda z, y: info.binary_cross_entropy_with_logits(z, y, reduction="sum")
        )


def test_softmax_ce_rejects_overflow_and_wrong_axis():
    def unstable(z, y):
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        return float(-np.mean(np.log(p[np.arange(len(y)), y])))

    chk.softmax_cross_entropy_basic(unstable)
    with pytest.raises(CheckFailed, match="overflowed exp; subtract the row maximum"):
        chk.softmax_cross_entropy_hidden(unstable)

    def wrong_axis(z, y):
        return float(-np.mean(scipy.special.log_softmax(z, axis=0)[np.arange(len(y)), y]))

    with pytest.raises(CheckFailed, match=r"classes of each row \(axis=1\)"):
        chk.softmax_cross_entropy_basic(wrong_axis)
