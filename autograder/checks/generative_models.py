"""Checks for module 19, generative models.

Every exercise has a visible ``<name>_basic(...)`` check (return type and shape plus one
small worked case) and a hidden ``<name>_hidden(...)`` check (seeded random inputs plus
the edge cases behind the classic mistakes: the optimal discriminator upside down, the
JS *distance* for the divergence, the non-saturating loss with the wrong sign, the
discriminator loss averaged over the pooled batch, log(sigmoid) that overflows, unsorted
differences in W1, a mode counted from one sample, the seed hint's "+ log|det|" in the
change of variables, a coupling whose inverse is not exact or whose log-determinant has
the wrong sign, a RealNVP undone in the wrong order, alpha-bar as a sum, the network fed
x_0 or no t, a reverse step with 1/sqrt(abar) or noise at t = 0, the score without its
minus sign, weights in torch's (out, in) layout, samples returned instead of weights,
a model trained too briefly, a run that ignores its seed).

The oracles are closed forms, scipy (``jensenshannon`` squared, ``wasserstein_distance``,
``lognorm``, the derivative of the inverse map ``f^{-1}`` by finite differences), torch
(``binary_cross_entropy_with_logits`` and ``autograd.functional.jacobian`` with
``slogdet``, through ``oracles.torch()``), the Gaussian posterior of the forward process,
the exact score of Gaussian data, and for the three trained models the check's own numpy
forward passes on the returned weights: the DDPM's ancestral sampler, scored by the
distance of its samples to the check's own moons; the GAN generator on the check's own z,
scored by mode coverage and the share of good samples on the check's own ring; the
RealNVP's inverse pass, scored by the log-likelihood of the check's own held-out moons.
The pass marks are calibrated in ``benchmarks/generative_models_calibration.py``.
Nothing here uses dlkit.
"""

from functools import cache

import numpy as np
import scipy.spatial.distance
import scipy.special
import scipy.stats

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    as_float_array,
    as_number,
    call,
    expect,
    expect_close,
    expect_equal,
    expect_number,
    expect_seeded_weights,
    expect_within,
    show,
    unpack,
    weight_dict,
)

LOG4 = np.log(4.0)


def _distribution(rng, k, zeros=0):
    p = rng.random(k) + 0.05
    p[rng.choice(k, size=zeros, replace=False)] = 0.0
    return p / p.sum()


# ---------------------------------------------------------------------------
# Exercise 1 · gm-optimal-discriminator · reference: dk.models.gan.optimal_discriminator
# ---------------------------------------------------------------------------

_DISC_HINT = (
    "D*(x) = p_data(x) / (p_data(x) + p_g(x)), and V(D*, G) = sum p_data log D* + sum p_g "
    "log(1 - D*) = -log 4 + 2 JS(p_data || p_g), in nats, with 0 log 0 = 0"
)


def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def _check_optimal_discriminator(fn, p, q):
    result, text = call(fn, "optimal_discriminator", p, q, hint=_DISC_HINT)
    d_star, value = unpack(result, text, ("d_star", "value"))
    expected = p / (p + q)
    expect_close(
        d_star,
        expected,
        f"{text}[0]",
        _DISC_HINT,
        rtol=1e-9,
        mistakes=[
            (
                q / (p + q),
                "D* = p_g / (p_data + p_g) is upside down: D(x) is the probability "
                "that x is REAL, so D* = p_data / (p_data + p_g)",
            ),
            (
                lambda: p / q,
                "the density ratio p_data / p_g is not a probability: D* = p / (p + q)",
            ),
        ],
    )
    js = scipy.spatial.distance.jensenshannon(p, q) ** 2  # scipy returns the JS distance
    expect_number(
        value,
        -LOG4 + 2 * js,
        f"{text}[1]",
        _DISC_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (2 * js, "the -log 4 is missing: V(D*, G) = -log 4 + 2 JS"),
            (
                -LOG4 + 2 * np.sqrt(js),
                "this is the JS DISTANCE (scipy's jensenshannon returns "
                "the square root of the divergence): V(D*, G) = -log 4 + 2 JS divergence",
            ),
            (-LOG4 + js, "V(D*, G) = -log 4 + 2 JS: the factor 2 is missing"),
            ((-LOG4 + 2 * js) / np.log(2), "the value is in bits: use natural logarithms"),
            (-2 + 2 * js / np.log(2), "the value is in bits: use natural logarithms"),
        ],
    )


def optimal_discriminator_basic(fn):
    """A three-outcome example, worked out by hand in the prompt."""
    _check_optimal_discriminator(fn, np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5]))


def optimal_discriminator_hidden(fn):
    """Random pairs, p = q (the value is -log 4) and supports that overlap in part (zeros)."""
    rng = np.random.default_rng(1901)
    for k in (2, 5, 9):
        _check_optimal_discriminator(fn, _distribution(rng, k), _distribution(rng, k))
    p = _distribution(rng, 6)
    _check_optimal_discriminator(fn, p, p.copy())
    p, q = np.array([0.6, 0.4, 0.0, 0.0]), np.array([0.0, 0.5, 0.3, 0.2])
    _check_optimal_discriminator(fn, p, q)


# ---------------------------------------------------------------------------
# Exercise 2 · gm-gan-losses · reference: dk.models.gan.gan_losses
# ---------------------------------------------------------------------------

_LOSS_HINT = (
    "with log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l), "
    "softplus(v) = np.logaddexp(0, v): d_loss = mean softplus(-l_real) + mean softplus(l_fake) "
    "(each batch averaged on its own), g_minimax = -mean softplus(l_fake), g_nonsat = "
    "mean softplus(-l_fake)"
)


def _bce(logits, label):
    torch = oracles.torch()
    x = oracles.tensor(logits)
    return torch.nn.functional.binary_cross_entropy_with_logits(x, torch.full_like(x, label)).item()


def _softplus(v):
    return np.logaddexp(0.0, v)


def _check_gan_losses(fn, real, fake):
    result, text = call(fn, "gan_losses", real, fake, hint=_LOSS_HINT)
    d_loss, g_minimax, g_nonsat = unpack(result, text, ("d_loss", "g_minimax", "g_nonsat"))
    pooled = (np.sum(_softplus(-real)) + np.sum(_softplus(fake))) / (len(real) + len(fake))
    d_expected = _bce(real, 1.0) + _bce(fake, 0.0)
    with np.errstate(all="ignore"):
        naive_real = -np.mean(np.log(1 / (1 + np.exp(-real))))
        naive_fake = -np.mean(np.log(1 - 1 / (1 + np.exp(-fake))))
    unstable = "log(sigmoid(l)) computed directly over- or underflows: write it with softplus"
    expect_number(
        d_loss,
        d_expected,
        f"{text}[0]",
        _LOSS_HINT,
        rtol=1e-9,
        mistakes=[
            (
                pooled,
                "the discriminator loss is averaged over the pooled batch: average the "
                "real and the fake terms each over its own batch, then add them",
            ),
            (d_expected / 2, "the discriminator loss is halved: ADD the two batch means"),
            (
                np.mean(_softplus(real)) + np.mean(_softplus(-fake)),
                "the labels are swapped: "
                "real samples have label 1 (loss softplus(-l)), fakes label 0 (softplus(l))",
            ),
            (naive_real + naive_fake, unstable),
        ],
    )
    expect_number(
        g_minimax,
        -_bce(fake, 0.0),
        f"{text}[1]",
        _LOSS_HINT,
        rtol=1e-9,
        mistakes=[
            (
                _bce(fake, 0.0),
                "the minimax generator loss has the wrong sign: G MINIMISES "
                "mean log(1 - D(G(z))) = -mean softplus(l_fake)",
            ),
            (
                -_bce(fake, 1.0),
                "this is not the minimax loss: mean log(1 - D) = -mean softplus(l_fake)",
            ),
        ],
    )
    expect_number(
        g_nonsat,
        _bce(fake, 1.0),
        f"{text}[2]",
        _LOSS_HINT,
        rtol=1e-9,
        mistakes=[
            (
                -_bce(fake, 1.0),
                "the non-saturating generator loss has the wrong sign: it is "
                "-mean log D(G(z)) = +mean softplus(-l_fake), minimised",
            ),
            (
                _bce(fake, 0.0),
                "the non-saturating loss is -mean log D(G(z)) = mean "
                "softplus(-l_fake), not mean softplus(l_fake)",
            ),
        ],
    )


def gan_losses_basic(fn):
    """Small logits, batches of 3 and 2."""
    _check_gan_losses(fn, np.array([2.0, 0.5, -1.0]), np.array([-1.5, 0.3]))


def gan_losses_hidden(fn):
    """Random logits of unequal batch sizes, and confident logits of +-800 (no inf, no nan)."""
    rng = np.random.default_rng(1902)
    for n, m in ((16, 16), (10, 25)):
        _check_gan_losses(fn, 3 * rng.standard_normal(n), 3 * rng.standard_normal(m))
    _check_gan_losses(fn, np.array([800.0, -800.0, 5.0]), np.array([-800.0, 800.0, 0.0, 1.0]))


# ---------------------------------------------------------------------------
# Exercise 3 · gm-w1-vs-js · reference: dk.models.gan.wasserstein_1d, js_divergence
# ---------------------------------------------------------------------------

_W1_HINT = "for samples of equal size, W1 = mean |sort(x) - sort(y)|"
_JS_HINT = (
    "JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2, natural logarithms, "
    "and 0 log 0 = 0 (terms where p or q is 0 contribute nothing)"
)


def _check_w1(fn, x, y):
    result, text = call(fn, "wasserstein_1d", x, y, hint=_W1_HINT)
    expect_number(
        result,
        scipy.stats.wasserstein_distance(x, y),
        text,
        _W1_HINT,
        rtol=1e-9,
        mistakes=[
            (
                np.mean(np.abs(x - y)),
                "the differences are taken unsorted: optimal transport "
                "pairs the samples in sorted order, mean |sort(x) - sort(y)|",
            ),
            (abs(np.mean(x) - np.mean(y)), "this is the difference of the means, not W1"),
            (
                np.sqrt(np.mean((np.sort(x) - np.sort(y)) ** 2)),
                "this is W2: W1 uses the mean of the absolute differences",
            ),
        ],
    )


def _check_js(fn, p, q):
    result, text = call(fn, "js_divergence", p, q, hint=_JS_HINT)
    expected = scipy.spatial.distance.jensenshannon(p, q) ** 2
    expect_number(
        result,
        expected,
        text,
        _JS_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (expected / np.log(2), "the divergence is in bits (log2): use natural logarithms"),
            (np.sqrt(expected), "this is the JS DISTANCE, the square root of the divergence"),
            (2 * expected, "JS averages the two KLs: each has a factor 1/2"),
        ],
    )
    if not np.isfinite(as_number(result, text)):
        raise CheckFailed(f"{text} returned {result}; hint: {_JS_HINT}")


def w1_vs_js_basic(wasserstein_1d, js_divergence):
    """Small samples and the point masses at 0 and 2 (W1 = 2, JS = log 2)."""
    _check_w1(wasserstein_1d, np.array([3.0, 0.0, 1.0]), np.array([1.0, 5.0, 0.0]))
    _check_w1(wasserstein_1d, np.array([0.0]), np.array([2.0]))
    _check_js(js_divergence, np.array([0.5, 0.5, 0.0]), np.array([0.1, 0.4, 0.5]))


def w1_vs_js_hidden(wasserstein_1d, js_divergence):
    """Random samples and distributions, and disjoint supports (JS = log 2, finite)."""
    rng = np.random.default_rng(1903)
    for n in (5, 200):
        _check_w1(wasserstein_1d, rng.standard_normal(n), 2 + 3 * rng.standard_normal(n))
    for k in (3, 8):
        _check_js(js_divergence, _distribution(rng, k), _distribution(rng, k))
    _check_js(js_divergence, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    _check_js(js_divergence, _distribution(rng, 6, zeros=2), _distribution(rng, 6, zeros=2))


# ---------------------------------------------------------------------------
# Exercise 4 · gm-mode-coverage · reference: dk.models.gan.mode_coverage
# ---------------------------------------------------------------------------

_COVERAGE_HINT = (
    "assign every sample to its nearest center; it is good when its distance is <= radius; "
    "a mode is covered when it has at least min_frac * n GOOD samples (n all samples); "
    "return (number of covered modes as an int, fraction of good samples as a float)"
)


def _coverage(X, C, radius, min_frac, radius_test=True, threshold=None):
    distances = scipy.spatial.distance.cdist(X, C)  # (n, k)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= radius if radius_test else np.ones(len(X), dtype=bool)
    counts = np.bincount(nearest[good], minlength=len(C))
    needed = min_frac * len(X) if threshold is None else threshold
    return int(np.sum(counts >= needed)), float(np.mean(distances.min(axis=1) <= radius))


def _check_coverage(fn, X, C, radius, min_frac):
    result, text = call(fn, "mode_coverage", X, C, radius, min_frac, hint=_COVERAGE_HINT)
    n_modes, frac_good = unpack(result, text, ("n_modes", "frac_good"))
    expected_modes, expected_frac = _coverage(X, C, radius, min_frac)
    if isinstance(n_modes, np.integer):
        n_modes = int(n_modes)
    expect_equal(
        n_modes,
        expected_modes,
        f"{text}[0]",
        _COVERAGE_HINT,
        mistakes=[
            (
                _coverage(X, C, radius, min_frac, radius_test=False)[0],
                "every sample counts "
                "for its nearest mode without the radius test: only samples within radius "
                "are good",
            ),
            (
                _coverage(X, C, radius, min_frac, threshold=1)[0],
                "a mode counted from a single sample: it needs at least min_frac * n good samples",
            ),
        ],
    )
    expect_number(frac_good, expected_frac, f"{text}[1]", _COVERAGE_HINT, rtol=1e-12)


def _ring(k, radius=2.0):
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (k, 2)


def _collapsed(rng, C, counts, sd=0.05, junk=0):
    X = np.concatenate([c + sd * rng.standard_normal((n, 2)) for c, n in zip(C, counts)])
    return np.concatenate([X, rng.uniform(-0.5, 0.5, (junk, 2))])


def mode_coverage_basic(fn):
    """Three of eight modes, ten samples far from every mode."""
    C = _ring(8)
    rng = np.random.default_rng(0)
    _check_coverage(fn, _collapsed(rng, C, [30, 30, 30], junk=10), C, 0.3, 0.01)


def mode_coverage_hidden(fn):
    """Collapse onto two modes, a mode with one stray sample, samples between modes."""
    rng = np.random.default_rng(1904)
    C = _ring(8)
    _check_coverage(fn, _collapsed(rng, C, [200, 150, 0, 0, 0, 0, 0, 1], junk=40), C, 0.3, 0.01)
    between = _ring(8, 2.0) @ np.array(
        [[np.cos(0.39), np.sin(0.39)], [-np.sin(0.39), np.cos(0.39)]]
    )
    X = np.concatenate([_collapsed(rng, C, [50] * 8), between.repeat(20, axis=0)])
    _check_coverage(fn, X, C, 0.3, 0.05)
    C5 = rng.standard_normal((5, 3)) * 4
    X5 = np.concatenate([c + 0.2 * rng.standard_normal((40, 3)) for c in C5[:4]])
    _check_coverage(fn, X5, C5, 0.5, 0.02)


# ---------------------------------------------------------------------------
# Exercise 5 · gm-change-of-variables · reference: dk.models.flow.flow_logpdf
# ---------------------------------------------------------------------------

_COV_HINT = (
    "invert the chain from its last step back to z, adding log|f_k'(v_{k-1})| at each step, "
    "then log p(x) = log N(z; 0, 1) - sum_k log|f_k'(v_{k-1})| (a MINUS: eq 20.7; the hint "
    "to the book's exercise 20.5 has a plus, which is wrong); -inf outside exp's range"
)


def _invert(x, chain):
    """z = f^{-1}(x), the points v_{k-1} at which each step is evaluated, and the sign of
    the chain's derivative."""
    v, points, sign = np.array(x, dtype=float), [], 1.0
    with np.errstate(all="ignore"):
        for step in reversed(chain):
            if step[0] == "affine":
                v = (v - step[2]) / step[1]
                sign *= np.sign(step[1])
            elif step[0] == "exp":
                v = np.log(v)
            else:
                v = np.arcsinh(v)
            points.append(v)
    return v, points[::-1], sign


def _derivatives(chain, points):
    """f_k'(v_{k-1}) for each step, (K, n)."""
    out = []
    for step, v in zip(chain, points):
        if step[0] == "affine":
            out.append(np.full_like(v, step[1]))
        elif step[0] == "exp":
            out.append(np.exp(v))
        else:
            out.append(np.cosh(v))
    return np.array(out)


def _cov_oracle(x, chain):
    """``log N(z; 0, 1) + log |dz/dx|`` with the derivative of the inverse map z = f^{-1}(x)
    taken by central differences: independent of the log-determinant formula."""
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    z, _, _ = _invert(x, chain)
    up, _, _ = _invert(x + h, chain)
    down, _, _ = _invert(x - h, chain)
    with np.errstate(all="ignore"):
        return scipy.stats.norm.logpdf(z) + np.log(np.abs(up - down) / (2 * h))


def _cov_mistakes(x, chain):
    z, points, _ = _invert(x, chain)
    with np.errstate(all="ignore"):
        derivs = _derivatives(chain, points)
        log_abs = np.log(np.abs(derivs)).sum(axis=0)
        log_signed = np.log(derivs).sum(axis=0)
        at_x = np.log(np.abs(_derivatives(chain, [np.asarray(x, float)] * len(chain)))).sum(0)
    base = scipy.stats.norm.logpdf(z)
    return [
        (
            base + log_abs,
            "the log-determinant is ADDED: the change of variables (eq 20.7) "
            "SUBTRACTS it, log p(x) = log p_z(z) - log|det df/dz|; the hint to the book's "
            "exercise 20.5 has the wrong sign",
        ),
        (
            base - log_signed,
            "the absolute value is missing: log|f'|, not log f' (a decreasing step has f' < 0)",
        ),
        (
            scipy.stats.norm.logpdf(x) - log_abs,
            "p_z is evaluated at x: evaluate it at z = f^{-1}(x)",
        ),
        (
            base - at_x,
            "each derivative f_k' must be evaluated at that step's INPUT v_{k-1}, not at x",
        ),
    ]


def _check_cov(fn, x, chain):
    result, text = call(fn, "flow_logpdf", x, chain, hint=_COV_HINT)
    expected = _cov_oracle(x, chain)
    got = as_float_array(result, text)
    expect(
        got.shape == expected.shape,
        f"{text} returned shape {got.shape}, expected {expected.shape}; hint: one log-density "
        "per entry of x",
    )
    finite = np.isfinite(expected)
    expect(
        np.array_equal(np.isfinite(got), finite) and np.all(got[~finite] == -np.inf),
        f"{text} returned {show(got)}; expected -inf exactly where x lies outside the chain's "
        f"range and finite values elsewhere: {show(expected)}; hint: {_COV_HINT}",
    )
    expect_close(
        np.where(finite, got, 0.0),
        np.where(finite, expected, 0.0),
        text,
        _COV_HINT,
        rtol=1e-6,
        atol=1e-6,
        mistakes=[(np.where(finite, wrong, 0.0), m) for wrong, m in _cov_mistakes(x, chain)],
    )


def change_of_variables_basic(fn):
    """The exp of a scaled normal (a lognormal) and a sinh chain."""
    _check_cov(fn, np.array([0.5, 1.0, 2.0, 4.0]), [("affine", 0.5, 0.0), ("exp",)])
    _check_cov(fn, np.array([-2.0, 0.0, 1.5]), [("sinh",), ("affine", 2.0, 1.0)])


def change_of_variables_hidden(fn):
    """A decreasing affine step, long chains, points outside exp's range (-inf)."""
    rng = np.random.default_rng(1905)
    x = rng.uniform(-3, 3, 12)
    _check_cov(fn, x, [("affine", -1.5, 0.3), ("sinh",), ("affine", 0.7, -1.0)])
    _check_cov(fn, np.array([-1.0, 0.0, 0.3, 2.5]), [("sinh",), ("exp",), ("affine", 1.0, -0.5)])
    _check_cov(fn, np.exp(rng.standard_normal(6)), [("exp",)])
    _check_cov(fn, x, [("affine", -0.5, 2.0), ("sinh",), ("sinh",), ("affine", 3.0, 0.0)])


# ---------------------------------------------------------------------------
# Exercise 6 · gm-coupling-layer · reference: dk.models.flow.coupling_forward, coupling_inverse
# ---------------------------------------------------------------------------

_COUPLING_HINT = (
    "u = x * m; s = tanh(u @ A + a); t = u @ B + b; y = u + (1 - m) * (x * exp(s) + t) and "
    "logdet = sum over j of (1 - m_j) s_j; the inverse recomputes s, t from u = y * m (the "
    "kept part is unchanged), x = u + (1 - m) * (y - t) * exp(-s), logdet = -sum (1 - m) s"
)


def _coupling_parts(x, m, p, mode="right"):
    u = x * m
    s = np.tanh(u @ p["A"] + p["a"])
    t = u @ p["B"] + p["b"]
    if mode == "scale_by_s":
        return u + (1 - m) * (x * s + t), np.sum((1 - m) * np.log(np.abs(s)), axis=1)
    if mode == "all_s":
        return u + (1 - m) * (x * np.exp(s) + t), s.sum(axis=1)
    if mode == "swapped":
        u = x * (1 - m)
        s = np.tanh(u @ p["A"] + p["a"])
        t = u @ p["B"] + p["b"]
        return u + m * (x * np.exp(s) + t), np.sum(m * s, axis=1)
    return u + (1 - m) * (x * np.exp(s) + t), np.sum((1 - m) * s, axis=1)


def _coupling_oracle(x, m, p):
    """y by the formula in torch, and log|det dy/dx| by torch's Jacobian and slogdet."""
    torch = oracles.torch()
    tp = {k: oracles.tensor(v) for k, v in p.items()}
    mask = oracles.tensor(m)

    def layer(v):
        u = v * mask
        s = torch.tanh(u @ tp["A"] + tp["a"])
        return u + (1 - mask) * (v * torch.exp(s) + u @ tp["B"] + tp["b"])

    with torch.no_grad():
        y = layer(oracles.tensor(x)).numpy()
    logdets = [
        torch.linalg.slogdet(torch.autograd.functional.jacobian(layer, oracles.tensor(row)))[1]
        for row in x
    ]
    return y, np.array([float(v) for v in logdets])


def _check_coupling(forward, inverse, x, m, p):
    result, text = call(forward, "coupling_forward", x, m, p, hint=_COUPLING_HINT)
    y, logdet = unpack(result, text, ("y", "logdet"))
    y_expected, ld_expected = _coupling_oracle(x, m, p)
    mistakes = {mode: _coupling_parts(x, m, p, mode) for mode in ("scale_by_s", "all_s", "swapped")}
    expect_close(
        y,
        y_expected,
        f"{text}[0]",
        _COUPLING_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (
                mistakes["scale_by_s"][0],
                "the free part is scaled by s instead of exp(s): "
                "exp(s) > 0 keeps the layer invertible for every s",
            ),
            (
                mistakes["swapped"][0],
                "the transform is applied to the conditioning (kept) "
                "part: the coordinates with m = 1 pass unchanged, those with m = 0 are scaled "
                "and shifted",
            ),
            (
                x * np.exp(np.tanh(x @ p["A"] + p["a"])) + x @ p["B"] + p["b"],
                "s and t must "
                "see only the kept part u = x * m, and the kept part must pass unchanged",
            ),
        ],
    )
    expect_close(
        logdet,
        ld_expected,
        f"{text}[1]",
        _COUPLING_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (
                mistakes["all_s"][1],
                "the log-determinant sums s over the kept coordinates too: "
                "only the free ones (m = 0) are scaled, logdet = sum (1 - m) s",
            ),
            (
                -ld_expected,
                "the forward log-determinant has the wrong sign: the layer scales "
                "by exp(s), so log|det dy/dx| = +sum (1 - m) s",
            ),
            (np.exp(ld_expected), "return the LOG of |det|: sum (1 - m) s"),
        ],
    )
    y_ok = np.asarray(y_expected)
    result, text = call(inverse, "coupling_inverse", y_ok, m, p, hint=_COUPLING_HINT)
    x_back, ld_back = unpack(result, text, ("x", "logdet"))
    u = y_ok * m
    s, t = np.tanh(u @ p["A"] + p["a"]), u @ p["B"] + p["b"]
    u_wrong = y_ok * (1 - m)
    s_wrong, t_wrong = np.tanh(u_wrong @ p["A"] + p["a"]), u_wrong @ p["B"] + p["b"]
    expect_close(
        x_back,
        x,
        f"{text}[0] (the inverse of coupling_forward's y)",
        _COUPLING_HINT,
        rtol=1e-9,
        atol=1e-10,
        mistakes=[
            (
                u + (1 - m) * (y_ok * np.exp(-s) - t),
                "the inverse is not exact: subtract t "
                "BEFORE undoing the scale, x = (y - t) * exp(-s) on the free part",
            ),
            (
                u + (1 - m) * (y_ok - t) * np.exp(s),
                "the inverse multiplies by exp(s): undo the scale with exp(-s)",
            ),
            (
                u + (1 - m) * (y_ok - t_wrong) * np.exp(-s_wrong),
                "the inverse is not exact: "
                "recompute s and t from the KEPT part u = y * m, the part the forward pass left "
                "unchanged",
            ),
        ],
    )
    expect_close(
        ld_back,
        -ld_expected,
        f"{text}[1]",
        _COUPLING_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (
                ld_expected,
                "the inverse's log-determinant has the wrong sign: log|det dx/dy| "
                "= -sum (1 - m) s, minus the forward one",
            ),
        ],
    )


def _coupling_params(rng, d):
    return {
        "A": rng.standard_normal((d, d)),
        "a": rng.standard_normal(d),
        "B": rng.standard_normal((d, d)),
        "b": rng.standard_normal(d),
    }


def coupling_layer_basic(coupling_forward, coupling_inverse):
    """Two dimensions, the first kept, three points."""
    rng = np.random.default_rng(19)
    x = rng.standard_normal((3, 2))
    _check_coupling(
        coupling_forward, coupling_inverse, x, np.array([1.0, 0.0]), _coupling_params(rng, 2)
    )


def coupling_layer_hidden(coupling_forward, coupling_inverse):
    """Both masks in two dimensions, and an interleaved mask in five."""
    rng = np.random.default_rng(1906)
    for m in (np.array([0.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0, 1.0])):
        x = 1.5 * rng.standard_normal((6, len(m)))
        _check_coupling(coupling_forward, coupling_inverse, x, m, _coupling_params(rng, len(m)))


# ---------------------------------------------------------------------------
# Exercise 7 · gm-realnvp-log-prob · reference: dk.models.flow.numpy_log_prob
# ---------------------------------------------------------------------------

_REALNVP_HINT = (
    "undo the layers from the LAST to the first: layer k has the mask m_k = 1 where "
    "(j + k) is even; u = y * m_k, the MLP (ReLU between layers) on u gives [s_raw, t], "
    "s = tanh(s_raw) * (1 - m_k), t = t * (1 - m_k), x = u + (1 - m_k) * (y - t) * exp(-s), "
    "and add -sum(s); finally log p(x) = log N(z; 0, I) + the sum of those log-determinants"
)


def _realnvp_torch(params, z):
    """x = f(z) through the layers in order, in torch float64 (the check's own forward)."""
    torch = oracles.torch()
    d = z.shape[-1]
    x = z
    for k, layer in enumerate(params):
        m = oracles.tensor(((np.arange(d) + k) % 2 == 0).astype(float))
        h = x * m
        n = len(layer) // 2
        for i in range(1, n + 1):
            h = h @ oracles.tensor(layer[f"W{i}"]) + oracles.tensor(layer[f"b{i}"])
            if i < n:
                h = torch.relu(h)
        s, t = torch.tanh(h[..., :d]) * (1 - m), h[..., d:] * (1 - m)
        x = x * m + (1 - m) * (x * torch.exp(s) + t)
    return x


def _realnvp_oracle(params, Z):
    """(x = f(z), log p(x) = log N(z) - log|det df/dz|) with the Jacobian by autograd."""
    torch = oracles.torch()
    with torch.no_grad():
        X = _realnvp_torch(params, oracles.tensor(Z)).numpy()
    logdets = [
        float(
            torch.linalg.slogdet(
                torch.autograd.functional.jacobian(
                    lambda v: _realnvp_torch(params, v), oracles.tensor(z)
                )
            )[1]
        )
        for z in Z
    ]
    log_base = scipy.stats.multivariate_normal(np.zeros(Z.shape[1])).logpdf(Z)
    return X, log_base - np.array(logdets), log_base, np.array(logdets)


def _realnvp_log_prob_by(params, X, order="reverse", sign=-1.0, squash=True, alternate=True):
    """log p(x) by the inverse pass: right with the defaults (the trained flow's check),
    wrong with the options of the named mistakes."""
    d = X.shape[1]
    x, total = np.array(X, dtype=float), np.zeros(len(X))
    ks = range(len(params) - 1, -1, -1) if order == "reverse" else range(len(params))
    for k in ks:
        m = ((np.arange(d) + (k if alternate else 0)) % 2 == 0).astype(float)
        h = x * m
        n = len(params[k]) // 2
        for i in range(1, n + 1):
            h = h @ params[k][f"W{i}"] + params[k][f"b{i}"]
            if i < n:
                h = np.maximum(h, 0.0)
        s = (np.tanh(h[:, :d]) if squash else h[:, :d]) * (1 - m)
        t = h[:, d:] * (1 - m)
        x = x * m + (1 - m) * (x - t) * np.exp(-s)
        total += sign * s.sum(axis=1)
    return scipy.stats.multivariate_normal(np.zeros(d)).logpdf(x) + total


def _check_realnvp(fn, params, Z):
    X, expected, log_base, logdets = _realnvp_oracle(params, Z)
    result, text = call(fn, "realnvp_log_prob", params, X, hint=_REALNVP_HINT)
    expect_close(
        result,
        expected,
        text,
        _REALNVP_HINT,
        rtol=1e-8,
        atol=1e-8,
        mistakes=[
            (
                lambda: _realnvp_log_prob_by(params, X, sign=1.0),
                "the log-determinants are added "
                "with the wrong sign: the inverse of each layer contributes -sum (1 - m) s",
            ),
            (
                lambda: _realnvp_log_prob_by(params, X, order="forward"),
                "the layers are undone in the order they were applied: invert the LAST layer first",
            ),
            (
                lambda: _realnvp_log_prob_by(params, X, squash=False),
                "s is used without its tanh: s = tanh(s_raw)",
            ),
            (
                lambda: _realnvp_log_prob_by(params, X, alternate=False),
                "every layer uses the same mask: layer k keeps the coordinates j with (j + k) even",
            ),
            (
                expected + 0.5 * X.shape[1] * np.log(2 * np.pi),
                "the base density's constant -d/2 log(2 pi) is missing",
            ),
        ],
    )


def _realnvp_params(rng, d, n_layers, hidden, scale=0.7):
    widths = [d, hidden, hidden, 2 * d]
    return [
        {
            key: value
            for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]), start=1)
            for key, value in (
                (f"W{i}", scale * rng.standard_normal((a, b)) / np.sqrt(a)),
                (f"b{i}", 0.3 * rng.standard_normal(b)),
            )
        }
        for _ in range(n_layers)
    ]


def realnvp_log_prob_basic(fn):
    """Two couplings with hidden layers of 4, five points."""
    rng = np.random.default_rng(19)
    _check_realnvp(fn, _realnvp_params(rng, 2, 2, 4), rng.standard_normal((5, 2)))


def realnvp_log_prob_hidden(fn):
    """Four and five couplings in two and three dimensions, larger weights."""
    rng = np.random.default_rng(1907)
    _check_realnvp(fn, _realnvp_params(rng, 2, 4, 8, scale=1.5), rng.standard_normal((12, 2)))
    _check_realnvp(fn, _realnvp_params(rng, 3, 5, 6), rng.standard_normal((6, 3)))


# ---------------------------------------------------------------------------
# Exercise 8 · gm-forward-diffusion · reference: dk.models.diffusion.ddpm_schedule, q_sample
# ---------------------------------------------------------------------------

_SCHEDULE_HINT = (
    "alphas = 1 - betas and alpha_bars[t] = alphas[0] * ... * alphas[t], a cumulative "
    "PRODUCT (np.cumprod); 0-based: alpha_bars[0] = alphas[0]"
)
_QSAMPLE_HINT = (
    "x_t = sqrt(alpha_bars[t]) * x0 + sqrt(1 - alpha_bars[t]) * eps, with t 0-based and one "
    "step per row (alpha_bars[t][:, None] broadcasts over the columns)"
)


def _check_schedule(fn, betas):
    result, text = call(fn, "ddpm_schedule", betas, hint=_SCHEDULE_HINT)
    alphas, alpha_bars = unpack(result, text, ("alphas", "alpha_bars"))
    expect_close(alphas, 1 - betas, f"{text}[0]", _SCHEDULE_HINT, rtol=1e-12)
    expected = np.exp(np.cumsum(np.log1p(-betas)))
    expect_close(
        alpha_bars,
        expected,
        f"{text}[1]",
        _SCHEDULE_HINT,
        rtol=1e-9,
        mistakes=[
            (
                np.cumsum(1 - betas),
                "alpha-bar is a cumulative SUM: it is the product "
                "prod_{s <= t} alpha_s (np.cumprod)",
            ),
            (np.cumprod(betas), "alpha-bar multiplies the ALPHAS = 1 - betas, not the betas"),
            (
                1 - np.cumsum(betas),
                "1 - sum beta is only a first-order approximation: alpha-bar = prod (1 - beta_s)",
            ),
            (
                np.concatenate([[1.0], expected[:-1]]),
                "alpha_bars[0] must already include alphas[0] (0-based steps)",
            ),
        ],
    )


def _check_q_sample(fn, x0, t, eps, alpha_bars, alphas):
    result, text = call(fn, "q_sample", x0, t, eps, alpha_bars, hint=_QSAMPLE_HINT)
    a = alpha_bars[t][:, None]
    expected = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    a_shift = alpha_bars[np.maximum(t - 1, 0)][:, None]
    expect_close(
        result,
        expected,
        text,
        _QSAMPLE_HINT,
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (
                np.sqrt(a) * x0 + (1 - a) * eps,
                "the noise is scaled by 1 - alpha-bar, the "
                "VARIANCE: scale it by the standard deviation sqrt(1 - alpha-bar)",
            ),
            (
                a * x0 + (1 - a) * eps,
                "x0 and eps are scaled by alpha-bar and 1 - alpha-bar: use their square roots",
            ),
            (
                np.sqrt(a) * x0 + np.sqrt(1 - alphas[t][:, None]) * eps,
                "sqrt(1 - alpha_t) used for the noise: it is sqrt(1 - alpha-bar_t)",
            ),
            (
                np.sqrt(a_shift) * x0 + np.sqrt(1 - a_shift) * eps,
                "t indexed from 1: steps are 0-based, use alpha_bars[t]",
            ),
        ],
    )


def _chain_statistics(fn, alpha_bars, betas, t, rng, n=40_000):
    """Iterate eq 20.8 one step at a time and compare the mean and variance with the closed
    form the learner computes."""
    x0 = np.full((n, 1), 1.2)
    x = x0.copy()
    for s in range(t + 1):
        x = np.sqrt(1 - betas[s]) * x + np.sqrt(betas[s]) * rng.standard_normal(x.shape)
    steps = np.full(n, t)
    result, text = call(fn, "q_sample", x0, steps, rng.standard_normal((n, 1)), alpha_bars)
    closed = as_float_array(result, text).ravel()
    se = np.sqrt(x.var() / n + closed.var() / n)
    expect_within(
        closed.mean() - x.mean(), 0.0, se, text, "mean minus the chain's mean", _QSAMPLE_HINT
    )
    se_var = np.sqrt(2 / (n - 1)) * np.sqrt(x.var() ** 2 + closed.var() ** 2)
    expect_within(
        closed.var() - x.var(), 0.0, se_var, text, "variance minus the chain's", _QSAMPLE_HINT
    )


def forward_diffusion_basic(ddpm_schedule, q_sample):
    """Five steps, and three rows noised at different steps."""
    betas = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    _check_schedule(ddpm_schedule, betas)
    alpha_bars = np.cumprod(1 - betas)
    x0, eps = np.array([[1.0, -1.0], [2.0, 0.0], [0.5, 0.5]]), np.array([[0.3, 0.1]] * 3)
    _check_q_sample(q_sample, x0, np.array([0, 2, 4]), eps, alpha_bars, 1 - betas)


def forward_diffusion_hidden(ddpm_schedule, q_sample):
    """The linear schedule of T = 100, random rows and steps, and the closed form against
    eq 20.8 iterated step by step (40 000 draws, within 6 standard errors)."""
    rng = np.random.default_rng(1907)
    betas = np.linspace(1e-4, 0.1, 100)
    _check_schedule(ddpm_schedule, betas)
    alpha_bars = np.cumprod(1 - betas)
    x0, eps = rng.standard_normal((20, 3)), rng.standard_normal((20, 3))
    _check_q_sample(q_sample, x0, rng.integers(0, 100, 20), eps, alpha_bars, 1 - betas)
    _chain_statistics(q_sample, alpha_bars, betas, 15, rng)


# ---------------------------------------------------------------------------
# Exercise 9 · gm-ddpm-loss · reference: dk.models.diffusion.ddpm_loss
# ---------------------------------------------------------------------------

_DDPM_LOSS_HINT = (
    "x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps; eps_hat = the MLP on [x_t, t / T] "
    "(T = len(alpha_bars), SiLU v * sigmoid(v) between layers, none after the last); loss = "
    "mean over the rows of sum over the coordinates of (eps - eps_hat)^2"
)


def _mlp_eps(params, inputs):
    h = inputs
    n = len(params) // 2
    for i in range(1, n + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n:
            h = h * scipy.special.expit(h)
    return h


def _ddpm_loss_parts(params, x0, t, eps, alpha_bars, net_input="x_t", time="t/T", target="eps"):
    T = len(alpha_bars)
    a = alpha_bars[t][:, None]
    x_t = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    x_in = x0 if net_input == "x0" else x_t
    t_in = {"t/T": t / T, "t": t.astype(float), "none": np.zeros(len(t))}[time]
    eps_hat = _mlp_eps(params, np.concatenate([x_in, t_in[:, None]], axis=1))
    goal = x0 if target == "x0" else eps
    return np.mean(np.sum((goal - eps_hat) ** 2, axis=1)), eps_hat


def _check_ddpm_loss(fn, params, x0, t, eps, alpha_bars):
    result, text = call(fn, "ddpm_loss", params, x0, t, eps, alpha_bars, hint=_DDPM_LOSS_HINT)
    expected, eps_hat = _ddpm_loss_parts(params, x0, t, eps, alpha_bars)
    expect_number(
        result,
        expected,
        text,
        _DDPM_LOSS_HINT,
        rtol=1e-8,
        mistakes=[
            (
                _ddpm_loss_parts(params, x0, t, eps, alpha_bars, net_input="x0")[0],
                "the network is given x_0: it sees the NOISED x_t = sqrt(abar_t) x0 + "
                "sqrt(1 - abar_t) eps",
            ),
            (
                _ddpm_loss_parts(params, x0, t, eps, alpha_bars, time="t")[0],
                "t is given unscaled: the network's input is t / T",
            ),
            (
                _ddpm_loss_parts(params, x0, t, eps, alpha_bars, time="none")[0],
                "t is not given to the network (its third input is t / T): one network serves "
                "every noise level",
            ),
            (
                _ddpm_loss_parts(params, x0, t, eps, alpha_bars, target="x0")[0],
                "the target is x_0: the network predicts the NOISE eps",
            ),
            (
                np.mean((eps - eps_hat) ** 2),
                "averaged over the coordinates too: sum the "
                "squares over the coordinates, then average over the rows",
            ),
            (np.sum((eps - eps_hat) ** 2), "summed over the rows: average over them"),
        ],
    )


def _eps_net(rng, d, hidden):
    return {
        "W1": rng.standard_normal((d + 1, hidden)),
        "b1": 0.1 * rng.standard_normal(hidden),
        "W2": rng.standard_normal((hidden, d)) / np.sqrt(hidden),
        "b2": 0.1 * rng.standard_normal(d),
    }


def ddpm_loss_basic(fn):
    """Four rows in two dimensions, T = 10, a network with one hidden layer of 8."""
    rng = np.random.default_rng(19)
    alpha_bars = np.cumprod(1 - np.linspace(0.05, 0.3, 10))
    x0, eps = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    _check_ddpm_loss(fn, _eps_net(rng, 2, 8), x0, np.array([0, 3, 6, 9]), eps, alpha_bars)


def ddpm_loss_hidden(fn):
    """A batch of 64 at T = 100, and a deeper network in three dimensions."""
    rng = np.random.default_rng(1908)
    alpha_bars = np.cumprod(1 - np.linspace(1e-4, 0.1, 100))
    x0, eps = rng.standard_normal((64, 2)), rng.standard_normal((64, 2))
    _check_ddpm_loss(fn, _eps_net(rng, 2, 16), x0, rng.integers(0, 100, 64), eps, alpha_bars)
    params = _eps_net(rng, 3, 12)
    params = {
        "W1": params["W1"],
        "b1": params["b1"],
        "W2": rng.standard_normal((12, 12)) / 3,
        "b2": np.zeros(12),
        "W3": params["W2"],
        "b3": params["b2"],
    }
    x0, eps = rng.standard_normal((10, 3)), rng.standard_normal((10, 3))
    _check_ddpm_loss(fn, params, x0, rng.integers(0, 100, 10), eps, alpha_bars)


# ---------------------------------------------------------------------------
# Exercise 10 · gm-reverse-step · reference: dk.models.diffusion.ddpm_step
# ---------------------------------------------------------------------------

_STEP_HINT = (
    "x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) * eps_hat) / sqrt(alpha_t) + sigma_t z with "
    "sigma_t = sqrt(beta_t), and sigma_0 = 0: the last step (t = 0) adds no noise"
)


def _posterior_mean(x_t, x0, t, betas):
    """The mean of q(x_{t-1} | x_t, x_0), the Gaussian posterior of the forward process."""
    alphas = 1 - betas
    ab = np.cumprod(alphas)
    prev = ab[t - 1] if t > 0 else 1.0
    return (np.sqrt(prev) * betas[t] * x0 + np.sqrt(alphas[t]) * (1 - prev) * x_t) / (1 - ab[t])


def _step_variants(x_t, t, eps_hat, betas, z):
    alphas = 1 - betas
    ab = np.cumprod(alphas)
    mean = (x_t - betas[t] / np.sqrt(1 - ab[t]) * eps_hat) / np.sqrt(alphas[t])
    prev = ab[t - 1] if t > 0 else 1.0
    tilde = betas[t] * (1 - prev) / (1 - ab[t])
    return mean, [
        (
            (x_t - betas[t] / np.sqrt(1 - ab[t]) * eps_hat) / np.sqrt(ab[t])
            + (np.sqrt(betas[t]) * z if t > 0 else 0),
            "the step divides by sqrt(abar_t): the "
            "reverse step undoes ONE forward step, divide by sqrt(alpha_t)",
        ),
        (
            mean + np.sqrt(betas[t]) * z,
            "noise is added at the last step (t = 0): sigma_0 = 0, the final sample is the mean",
        ),
        (
            mean + betas[t] * z if t > 0 else None,
            "the noise is scaled by beta_t, the VARIANCE: its standard deviation is sqrt(beta_t)",
        ),
        (
            mean + np.sqrt(tilde) * z if t > 0 else None,
            "this is the posterior variance beta-tilde_t: the prompt fixes sigma_t^2 = beta_t",
        ),
        (
            (x_t - (1 - ab[t]) / np.sqrt(1 - alphas[t]) * eps_hat) / np.sqrt(alphas[t])
            + (np.sqrt(betas[t]) * z if t > 0 else 0),
            "(1 - alpha_t) and (1 - abar_t) are "
            "swapped: the coefficient of eps_hat is beta_t / sqrt(1 - abar_t)",
        ),
        (
            (x_t - np.sqrt(1 - ab[t]) * eps_hat) / np.sqrt(alphas[t])
            + (np.sqrt(betas[t]) * z if t > 0 else 0),
            "the coefficient of eps_hat is beta_t / sqrt(1 - abar_t), not sqrt(1 - abar_t)",
        ),
    ]


def _check_step(fn, x_t, t, eps_hat, betas, z, x0=None):
    result, text = call(fn, "ddpm_step", x_t, t, eps_hat, betas, z, hint=_STEP_HINT)
    mean, mistakes = _step_variants(x_t, t, eps_hat, betas, z)
    sigma = np.sqrt(betas[t]) if t > 0 else 0.0
    expected = mean + sigma * z
    if x0 is not None:  # with the true noise the mean is the posterior mean, independently
        expected = _posterior_mean(x_t, x0, t, betas) + sigma * z
    expect_close(
        result,
        expected,
        text,
        _STEP_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[(wrong, m) for wrong, m in mistakes if wrong is not None],
    )


def reverse_step_basic(fn):
    """T = 4: a middle step and the last step (t = 0)."""
    betas = np.array([0.1, 0.2, 0.3, 0.4])
    x_t, eps_hat = np.array([[1.0, -0.5], [0.2, 0.3]]), np.array([[0.5, 0.1], [-0.2, 0.4]])
    z = np.array([[0.3, -1.0], [1.2, 0.7]])
    _check_step(fn, x_t, 2, eps_hat, betas, z)
    _check_step(fn, x_t, 0, eps_hat, betas, z)


def reverse_step_hidden(fn):
    """With the true noise of x_t (x_0 known) the step is the posterior mean plus noise, at
    several t including 1 and 0 (no noise), on the T = 100 linear schedule."""
    rng = np.random.default_rng(1909)
    betas = np.linspace(1e-4, 0.1, 100)
    ab = np.cumprod(1 - betas)
    x0, eps = rng.standard_normal((8, 2)), rng.standard_normal((8, 2))
    for t in (99, 50, 1, 0):
        x_t = np.sqrt(ab[t]) * x0 + np.sqrt(1 - ab[t]) * eps
        _check_step(fn, x_t, t, eps, betas, rng.standard_normal((8, 2)), x0=x0)
    _check_step(
        fn,
        rng.standard_normal((5, 3)),
        7,
        rng.standard_normal((5, 3)),
        betas,
        rng.standard_normal((5, 3)),
    )


# ---------------------------------------------------------------------------
# Exercise 11 · gm-score-and-guidance · reference: dk.models.diffusion.eps_to_score, cfg
# ---------------------------------------------------------------------------

_SCORE_HINT = (
    "score = grad log q(x_t) = -eps_hat / sqrt(1 - abar_t): a minus sign, and the standard "
    "deviation sqrt(1 - abar_t), with t 0-based and one step per row"
)
_CFG_HINT = "guided eps = (1 + w) * eps_cond - w * eps_uncond (w = 0: no guidance)"


def _check_score(fn, eps_hat, t, alpha_bars, exact=None):
    result, text = call(fn, "eps_to_score", eps_hat, t, alpha_bars, hint=_SCORE_HINT)
    a = alpha_bars[t][:, None]
    expected = -eps_hat / np.sqrt(1 - a) if exact is None else exact
    expect_close(
        result,
        expected,
        text,
        _SCORE_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[
            (
                eps_hat / np.sqrt(1 - a),
                "the minus sign is missing: the noise points AWAY "
                "from the data, the score towards it, score = -eps / sqrt(1 - abar_t)",
            ),
            (
                -eps_hat / (1 - a),
                "divided by 1 - abar_t, the variance: divide by the "
                "standard deviation sqrt(1 - abar_t)",
            ),
            (-eps_hat * np.sqrt(1 - a), "multiplied by sqrt(1 - abar_t): divide by it"),
            (
                -eps_hat / np.sqrt(a),
                "divided by sqrt(abar_t): the noise's standard deviation is sqrt(1 - abar_t)",
            ),
        ],
    )


def _check_cfg(fn, e_c, e_u, w):
    result, text = call(fn, "cfg", e_c, e_u, w, hint=_CFG_HINT)
    expect_close(
        result,
        (1 + w) * e_c - w * e_u,
        text,
        _CFG_HINT,
        rtol=1e-10,
        mistakes=[
            (w * e_c - (w - 1) * e_u, "w and 1 + w are swapped: (1 + w) eps_cond - w eps_uncond"),
            (
                w * e_c + (1 - w) * e_u,
                "this interpolates: guidance EXTRAPOLATES past eps_cond, "
                "(1 + w) eps_cond - w eps_uncond",
            ),
            ((1 + w) * e_u - w * e_c, "eps_cond and eps_uncond are swapped"),
        ],
    )


def score_and_guidance_basic(eps_to_score, cfg):
    """Three rows at t = 0, 5, 9 of a short schedule; guidance with w = 2."""
    ab = np.cumprod(1 - np.linspace(0.05, 0.5, 10))
    eps = np.array([[1.0, -1.0], [0.5, 2.0], [-0.3, 0.1]])
    _check_score(eps_to_score, eps, np.array([0, 5, 9]), ab)
    _check_cfg(cfg, np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]]), 2.0)


def score_and_guidance_hidden(eps_to_score, cfg):
    """Gaussian data x_0 ~ N(0, s^2 I): the optimal noise predictor E[eps | x_t] =
    sqrt(1 - abar) x_t / v_t gives the exact score -x_t / v_t, v_t = abar s^2 + 1 - abar;
    guidance at w = 0 (no change) and for a random w."""
    rng = np.random.default_rng(1910)
    ab = np.cumprod(1 - np.linspace(1e-4, 0.1, 100))
    t = rng.integers(0, 100, 12)
    x_t = rng.standard_normal((12, 2))
    v = (ab[t] * 0.3 + 1 - ab[t])[:, None]
    _check_score(eps_to_score, np.sqrt(1 - ab[t])[:, None] * x_t / v, t, ab, exact=-x_t / v)
    e_c, e_u = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    _check_cfg(cfg, e_c, e_u, 0.0)
    _check_cfg(cfg, e_c, e_u, float(rng.uniform(0.5, 4)))


# ---------------------------------------------------------------------------
# Exercise 12 · gm-train-ddpm · reference: dk.models.DDPM with dk.models.diffusion.train_ddpm
# ---------------------------------------------------------------------------

T_STEPS, HIDDEN, HIDDEN_LAYERS = 100, 128, 3
N_SAMPLES = 1000
#: The pass marks, from benchmarks/generative_models_calibration.py over 20 seeds (see the
#: numbers there): the mean distance from a sample to the nearest data point (N(0, I)
#: noise scores about 0.25, the data itself 0.02), the energy distance between samples and
#: data (it also catches samples shrunk onto the dense middle, which the first misses:
#: N(0, I) / 2 scores 0.26), and the share of samples on the upper moon.
NN_MARK = 0.13
ENERGY_MARK = 0.05
MOON_SHARE = (0.3, 0.7)
#: A network whose loss with t / T is above this fraction of its loss with t held at 0
#: ignores t (the reference: about 0.5; trained without t: about 1.0).
T_USE_RATIO = 0.9


def _ddpm_shapes():
    widths = [3] + [HIDDEN] * HIDDEN_LAYERS + [2]
    shapes = {}
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (a, b), (b,)
    return shapes


def _ddpm_params(result, text):
    return _weight_dict(result, text, _ddpm_shapes(), "the fixed noise network")


def _moons(n, seed):
    """The check's own moons: two half circles, noise 0.05, standardised; and each point's moon."""
    rng = np.random.default_rng(seed)
    which = rng.permutation(np.arange(n) >= n // 2)
    angle = np.pi * rng.random(n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    X = np.where(which[:, None], lower, upper) + 0.05 * rng.standard_normal((n, 2))
    return (X - X.mean(0)) / X.std(0), which.astype(int)


@cache
def _reference_moons():
    """The check's 3000 moon points, their moons, and their mean pairwise distance."""
    X, which = _moons(3000, seed=19019)
    return X, which, float(scipy.spatial.distance.pdist(X).mean())


def _ancestral(params, seed, time_input=True):
    """The check's own sampler: T steps of eq 20.11 from N(0, I), sigma_t^2 = beta_t (in
    float32, as the network was trained)."""
    betas = np.linspace(1e-4, 0.1, T_STEPS)
    alphas = 1 - betas
    ab = np.cumprod(alphas)
    weights = {key: value.astype(np.float32) for key, value in params.items()}
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_SAMPLES, 2)).astype(np.float32)
    with np.errstate(all="ignore"):
        for t in reversed(range(T_STEPS)):
            t_in = np.full((N_SAMPLES, 1), t / T_STEPS if time_input else 0.0, np.float32)
            eps = _mlp_eps(weights, np.concatenate([x, t_in], axis=1))
            x = (x - betas[t] / np.sqrt(1 - ab[t]) * eps) / np.sqrt(alphas[t])
            if t > 0:
                x = x + np.sqrt(betas[t]) * rng.standard_normal(x.shape)
            x = x.astype(np.float32)
    return x.astype(float)


def _noise_loss(params, time_input):
    """Exercise 9's noise-prediction loss of the weights on the check's moons, noised at
    random steps, with the network's third input t / T (or held at 0)."""
    X, _, _ = _reference_moons()
    rng = np.random.default_rng(19020)
    t = rng.integers(0, T_STEPS, len(X))
    eps = rng.standard_normal(X.shape)
    a = np.cumprod(1 - np.linspace(1e-4, 0.1, T_STEPS))[t][:, None]  # (n, 1)
    t_in = t / T_STEPS if time_input else np.zeros(len(X))
    with np.errstate(all="ignore"):
        inputs = np.concatenate([np.sqrt(a) * X + np.sqrt(1 - a) * eps, t_in[:, None]], axis=1)
        return float(np.mean(np.sum((eps - _mlp_eps(params, inputs)) ** 2, axis=1)))


def _sample_scores(samples):
    """(mean distance from a sample to its nearest data point, energy distance
    2 E|S - X| - E|S - S'| - E|X - X'| between samples and data, share on the upper moon)."""
    X, which, self_term = _reference_moons()
    if not np.all(np.isfinite(samples)) or np.max(np.abs(samples)) > 1e6:
        return np.inf, np.inf, 0.0
    distances = scipy.spatial.distance.cdist(samples, X)  # (N_SAMPLES, 3000)
    energy = 2 * distances.mean() - scipy.spatial.distance.pdist(samples).mean() - self_term
    nearest = distances.argmin(axis=1)
    return float(distances.min(axis=1).mean()), float(energy), float(np.mean(which[nearest] == 0))


_DDPM_HINT = (
    "train dk.models.DDPM(dk.models.DiffusionConfig(T=100, hidden=128, hidden_layers=3)) "
    "(linear betas 1e-4 to 0.1) on dk.data.moons(4000, seed=seed) with "
    "dk.models.diffusion.train_ddpm (1500 steps of 256, Adam lr 2e-3)"
)


def _expect_samples_moons(result, text):
    params = _ddpm_params(result, text)
    distance, energy, upper = _sample_scores(_ancestral(params, seed=1911))
    sampler = f"the check's own ancestral sampler (T = {T_STEPS}, {N_SAMPLES} samples)"
    if distance > NN_MARK or energy > ENERGY_MARK:
        hint = _DDPM_HINT
        with_t, without_t = _noise_loss(params, True), _noise_loss(params, False)
        if with_t > T_USE_RATIO * without_t:
            hint = (
                "the network barely uses its t input: on the check's noised moons its "
                f"noise-prediction loss is {with_t:.3f} with t / T and {without_t:.3f} with "
                "the third input held at 0 (a trained network: about 0.7 against 1.4); "
                "t is not given to the network (feed [x_t, t / T]), or it is trained far "
                "too briefly"
            )
        raise CheckFailed(
            f"{text}: {sampler} with the returned weights puts its samples at a mean "
            f"distance of {distance:.3f} from the nearest moon point (expected at most "
            f"{NN_MARK}; pure noise: about 0.25) and at an energy distance of {energy:.3f} "
            f"from the data (expected at most {ENERGY_MARK}: samples shrunk together or "
            f"spread too wide score high); hint: {hint}"
        )
    low, high = MOON_SHARE
    expect(
        low <= upper <= high,
        f"{text}: {upper:.0%} of the samples of {sampler} land on the upper moon, expected "
        f"{low:.0%} to {high:.0%} (each moon holds half the data): the model covers one moon "
        f"only; hint: {_DDPM_HINT}",
    )


def _expect_seeded(fn, name, params_of, hint, **short):
    """The same seed gives the same weights, another seed other weights (short runs)."""
    expect_seeded_weights(
        fn,
        name,
        (),
        (3, 4),
        params_of,
        "call torch.manual_seed(seed) before building the model, draw the data with "
        f"seed=seed and pass seed=seed to the training function {name} calls",
        hint=hint,
        **short,
    )


def train_ddpm_basic(fn):
    """Seed 0: samples near the moons (mean distance and energy distance within the
    marks), both moons covered."""
    result, text = call(fn, "train_ddpm", 0, hint=_DDPM_HINT)
    _expect_samples_moons(result, text)


def _ddpm_arrays(result, text):
    params = _ddpm_params(result, text)
    return [params[key] for key in sorted(params)]


def train_ddpm_hidden(fn):
    """The same seed gives the same weights, another seed other weights (runs of 20 steps)."""
    _expect_seeded(fn, "train_ddpm", _ddpm_arrays, _DDPM_HINT, steps=20)


# ---------------------------------------------------------------------------
# Exercise 13 · gm-train-gan · reference: dk.models.GAN with dk.models.gan.train_gan
# ---------------------------------------------------------------------------

GAN_HIDDEN, GAN_LATENT = 64, 2
N_GAN_SAMPLES, RING_MODES, RING_RADIUS = 2000, 8, 2.0
#: A sample is good within this distance of a mode (6 standard deviations of the ring's
#: components), and a mode is covered by at least this share of the samples, good and
#: nearest to it.
GOOD_RADIUS, MODE_SHARE = 0.3, 0.01
#: The pass marks, from benchmarks/generative_models_calibration.py over 20 seeds (see the
#: numbers there): covered modes (the reference: 7 or 8 of 8) and the share of good
#: samples (the reference: 0.31 to 0.78; after 50 steps: at most 2 modes).
MODES_MARK = 6
GOOD_MARK = 0.2


def _gan_shapes():
    widths = [GAN_LATENT, GAN_HIDDEN, GAN_HIDDEN, 2]
    shapes = {}
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (a, b), (b,)
    return shapes


def _weight_dict(result, text, shapes, what):
    """The arrays of ``result`` (a dict with the keys of ``shapes``); ``what`` names the
    network in the hint."""
    return weight_dict(
        result, text, shapes, f"return model.to_numpy_params() of {what}, the weights, not samples"
    )


def _relu_mlp(params, h):
    """The ReLU MLP of weights W1, b1, ..., WL, bL (no activation after the last layer)."""
    n_layers = len(params) // 2
    for i in range(1, n_layers + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_layers:
            h = np.maximum(h, 0.0)
    return h


def _gan_samples(params, seed=1913):
    """The check's own samples: G(z) for N_GAN_SAMPLES draws z ~ N(0, I), in numpy."""
    z = np.random.default_rng(seed).standard_normal((N_GAN_SAMPLES, GAN_LATENT))
    with np.errstate(all="ignore"):
        return _relu_mlp(params, z)


def _gan_scores(samples):
    """(covered modes of the check's ring, share of good samples); (0, 0.0) if not finite."""
    if not np.all(np.isfinite(samples)):
        return 0, 0.0
    return _coverage(samples, _ring(RING_MODES, RING_RADIUS), GOOD_RADIUS, MODE_SHARE)


_GAN_HINT = (
    "torch.manual_seed(seed), then train dk.models.GAN(dk.models.GANConfig(hidden=64, "
    "layers=2)) on dk.data.ring_of_gaussians(4000, seed=seed) with "
    "dk.models.gan.train_gan(model, X, steps=steps, lr=2e-3, seed=seed) (800 steps)"
)


def _expect_ring_covered(result, text):
    params = _weight_dict(result, text, _gan_shapes(), "the generator 2 -> 64 -> 64 -> 2")
    modes, good = _gan_scores(_gan_samples(params))
    expect(
        modes >= MODES_MARK and good >= GOOD_MARK,
        f"{text}: {N_GAN_SAMPLES} samples of the check's own forward pass of the returned "
        f"generator cover {modes} of the {RING_MODES} modes (expected at least {MODES_MARK}; "
        f"a mode is covered by {MODE_SHARE:.0%} of the samples within {GOOD_RADIUS} of it) "
        f"and {good:.1%} of them lie within {GOOD_RADIUS} of a mode (expected at least "
        f"{GOOD_MARK:.0%}; the reference: 31 % to 78 %): the generator is trained too "
        f"briefly, or collapsed; hint: {_GAN_HINT}",
    )


def train_gan_basic(fn):
    """Seed 0: the check's samples of the generator cover the ring, most of them near a mode."""
    result, text = call(fn, "train_gan", 0, hint=_GAN_HINT)
    _expect_ring_covered(result, text)


def _gan_arrays(result, text):
    params = _weight_dict(result, text, _gan_shapes(), "the generator 2 -> 64 -> 64 -> 2")
    return [params[key] for key in sorted(params)]


def train_gan_hidden(fn):
    """The same seed gives the same weights, another seed other weights (runs of 20 steps)."""
    _expect_seeded(fn, "train_gan", _gan_arrays, _GAN_HINT, steps=20)


# ---------------------------------------------------------------------------
# Exercise 14 · gm-train-flow · reference: dk.models.RealNVP with dk.models.flow.train_flow
# ---------------------------------------------------------------------------

FLOW_LAYERS, FLOW_HIDDEN = 4, 64
#: The pass mark, from benchmarks/generative_models_calibration.py over 20 seeds (see the
#: numbers there): the mean log-likelihood in nats of the check's own 3000 moon points
#: (the reference: -2.16 to -1.67; after one epoch: -2.48 to -2.43; the standard normal: -2.84).
FLOW_LL_MARK = -2.3


def _flow_shapes():
    widths = [2, FLOW_HIDDEN, FLOW_HIDDEN, 4]
    shapes = {}
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (a, b), (b,)
    return shapes


def _flow_params(result, text):
    if not isinstance(result, list | tuple) or len(result) != FLOW_LAYERS:
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a list of {FLOW_LAYERS} dicts, one per "
            "coupling layer, each with the weights W1, b1, W2, b2, W3, b3 of its MLP; hint: "
            "return model.to_numpy_params(), the weights, not samples"
        )
    return [
        _weight_dict(layer, f"{text}[{k}]", _flow_shapes(), f"layer {k}'s MLP 2 -> 64 -> 64 -> 4")
        for k, layer in enumerate(result)
    ]


def _held_out_log_likelihood(params):
    """The mean log p(x) of the check's own moons by its own inverse pass (-inf if not finite)."""
    X, _, _ = _reference_moons()
    with np.errstate(all="ignore"):
        value = float(np.mean(_realnvp_log_prob_by(params, X)))
    return value if np.isfinite(value) else -np.inf


_FLOW_HINT = (
    "torch.manual_seed(seed), then train dk.models.RealNVP(dk.models.FlowConfig(n_layers=4, "
    "hidden=64, depth=2)) on dk.data.moons(4000, seed=seed) with "
    "dk.models.flow.train_flow(model, X, epochs=epochs, lr=3e-3, seed=seed) (10 epochs)"
)


def train_flow_basic(fn):
    """Seed 0: the check's own log-likelihood of its own held-out moons is above the mark."""
    result, text = call(fn, "train_flow", 0, hint=_FLOW_HINT)
    value = _held_out_log_likelihood(_flow_params(result, text))
    expect(
        value >= FLOW_LL_MARK,
        f"{text}: the check's own inverse pass of the returned flow gives its held-out moons "
        f"a mean log-likelihood of {value:.3f} nats, expected at least {FLOW_LL_MARK} (the "
        "standard normal: -2.84; the reference: -2.16 to -1.67): the "
        f"flow is trained too briefly, or not by maximum likelihood; hint: {_FLOW_HINT}",
    )


def _flow_arrays(result, text):
    return [layer[key] for layer in _flow_params(result, text) for key in sorted(layer)]


def train_flow_hidden(fn):
    """The same seed gives the same weights, another seed other weights (runs of 1 epoch)."""
    _expect_seeded(fn, "train_flow", _flow_arrays, _FLOW_HINT, epochs=1)
