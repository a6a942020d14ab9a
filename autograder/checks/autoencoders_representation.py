"""Checks for module 16, autoencoders and representation learning.

Every exercise has a visible ``<name>_basic(...)`` check (one small worked case) and a
hidden ``<name>_hidden(...)`` check (seeded random inputs plus the edge cases behind the
classic mistakes: the KL with log sigma where log sigma^2 is given or without its 1/2,
reparameterising with the variance instead of the standard deviation, an ELBO whose
reconstruction term is a mean where the bound needs a sum, an IWAE bound without
log-sum-exp, InfoNCE that keeps the self-similarity in its denominator, the contractive
gradient without the product rule, corruption that rescales or keeps instead of drops,
prototypes that are not class means, ...). The oracles are torch (``kl_divergence``,
autograd, ``torch.func.jacrev``, ``logsumexp``, ``F.cross_entropy``, through
``oracles``), scikit-learn (``PCA``, ``NearestCentroid``) and closed forms; the training
checks run their own numpy forward passes of the fixed architectures on held-out
digits. Nothing here uses dlkit or the learner's other answers.

Conventions, pinned in every prompt: ``logvar`` is ``log sigma^2``; weights are in the
row-vector convention ``h = x @ W + b`` (torch's ``nn.Linear.weight`` transposed).
"""

from functools import cache

import numpy as np
import scipy.linalg
import scipy.spatial
import scipy.special

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    call,
    expect,
    expect_close,
    expect_equal,
    expect_number,
    expect_raises,
    expect_reproducible,
    expect_returns,
    expect_seeded_weights,
    expect_within,
    quiet,
    show,
    unpack,
    weight_dict,
)

_N_TRAIN = 1000


@cache
def _digits():
    """The scaled digits split once: 1000 training rows and 797 held-out rows (read-only)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(1601).permutation(len(y))
    X, y = X[order] / 16.0, y[order]
    parts = X[:_N_TRAIN], y[:_N_TRAIN], X[_N_TRAIN:], y[_N_TRAIN:]
    for part in parts:
        part.flags.writeable = False
    return parts


def _binary_digits():
    """Writable copies of the binarised (pixel > 0.5) training and held-out rows."""
    X, _, X_test, _ = _digits()
    return (X > 0.5).astype(float), (X_test > 0.5).astype(float)


def _relu(x):
    return np.maximum(x, 0.0)


def _expect_deterministic(fn, name, args, seeds, shapes, hint, **kwargs):
    """The weights (of the given shapes) of two calls with one seed are the same, those of
    a call with another seed differ."""
    expect_seeded_weights(
        fn,
        name,
        args,
        seeds,
        lambda result, text: weight_dict(result, text, shapes, hint),
        "call torch.manual_seed(seed) before building the model and pass seed=seed to dk.train.fit",
        hint=hint,
        **kwargs,
    )


# ---------------------------------------------------------------------------
# Exercise 1 · ae-linear-pca · reference: dk.models.AE (linear, bias-free) with dk.train.fit
# ---------------------------------------------------------------------------

#: The pass marks, from benchmarks/autoencoders_representation_calibration.py over 20
#: seeds (k = 4 and 6; at k = 8 the 8th and 9th principal variances differ by 2 %, so the
#: 8th direction is not identified after 100 epochs while the error already is PCA's):
#: the reference reaches a held-out MSE of 1.000-1.003 x PCA's with principal angles of
#: 1.3-2.0 degrees; trained on uncentred data the error is 1.048-1.115 x PCA's and the
#: largest angle 70-86 degrees.
PCA_MSE_RATIO, PCA_MAX_ANGLE = 1.02, 10.0

_LINEAR_HINT = (
    "centre X with its column means, train x -> (x - mean) We -> h Wd + mean (two "
    "nn.Linear layers without bias or activation) with dk.train.fit, MSE, Adam lr 1e-2, "
    "batch 64, and return the weights transposed to (in, out)"
)


def _linear_shapes(k):
    return {"mean": (64,), "We": (64, k), "Wd": (k, 64)}


def _linear_scores(params, k):
    """(held-out MSE / PCA's, largest principal angle to PCA's subspace in degrees)."""
    from sklearn.decomposition import PCA

    X, _, X_test, _ = _digits()
    pca = PCA(k).fit(X)
    pca_mse = float(np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2))
    with np.errstate(all="ignore"):
        h = (X_test - params["mean"]) @ params["We"]  # (797, k)
        mse = float(np.mean((h @ params["Wd"] + params["mean"] - X_test) ** 2))
    if not np.isfinite(mse) or np.linalg.matrix_rank(params["Wd"]) < k:
        return np.inf, 90.0
    angles = scipy.linalg.subspace_angles(params["Wd"].T, pca.components_.T)
    return mse / pca_mse, float(np.degrees(angles.max()))


def _expect_pca_like(result, text, k):
    params = weight_dict(result, text, _linear_shapes(k), _LINEAR_HINT)
    ratio, angle = _linear_scores(params, k)
    if ratio <= PCA_MSE_RATIO and angle <= PCA_MAX_ANGLE:
        return
    X = _digits()[0]
    hint = _LINEAR_HINT
    if np.allclose(params["mean"], 0.0):
        hint = (
            "the returned mean is 0: the data were not centred, so the bias-free autoencoder "
            "spends a direction of its subspace on the mean; subtract X.mean(axis=0) before "
            "training and return it as 'mean'"
        )
    elif not np.allclose(params["mean"], X.mean(axis=0), atol=1e-6):
        hint = "'mean' must be the column means of the X you were given, X.mean(axis=0)"
    raise CheckFailed(
        f"{text}: on 797 held-out digits the returned linear autoencoder has "
        f"{ratio:.3f} times PCA's reconstruction error (at most {PCA_MSE_RATIO} expected) "
        f"and its decoder's subspace is up to {angle:.0f} degrees from PCA's top-{k} "
        f"subspace (at most {PCA_MAX_ANGLE:.0f} expected); hint: {hint}"
    )


def _train_digits():
    return np.array(_digits()[0])


def train_linear_ae_basic(fn):
    """k = 4 on 1000 digits, seed 0, 100 epochs: PCA's error and subspace."""
    result, text = call(fn, "train_linear_ae", _train_digits(), 4, 0, hint=_LINEAR_HINT)
    _expect_pca_like(result, text, 4)


def train_linear_ae_hidden(fn):
    """Short runs (5 epochs) are reproducible with the seed; k = 6 with another seed."""
    X = _train_digits()
    shapes = _linear_shapes(4)
    _expect_deterministic(fn, "train_linear_ae", (X, 4), (3, 4), shapes, _LINEAR_HINT, epochs=5)
    result, text = call(fn, "train_linear_ae", X, 6, 5, hint=_LINEAR_HINT)
    _expect_pca_like(result, text, 6)


# ---------------------------------------------------------------------------
# Exercise 2 · ae-corrupt · reference: dk.nn.corrupt
# ---------------------------------------------------------------------------

_CORRUPT_HINT = (
    "work on a copy; 'gaussian': X + level * rng.standard_normal(X.shape); 'mask': set each "
    "entry to 0 with probability level; 'salt_pepper': with probability level replace an "
    "entry by 0 or 1 (each half the time); rng = np.random.default_rng(seed)"
)


def _corrupt_input(seed, n=400):
    """Pixels in (0.05, 1): none is exactly 0 or 1, so every corrupted entry shows."""
    return np.random.default_rng(seed).uniform(0.05, 1.0, (n, 64))


def _corrupted(fn, X, kind, level, seed):
    got, text = call(fn, "corrupt", X, kind, level, seed, hint=_CORRUPT_HINT)
    out = as_float_array(got, text)
    expect(
        out.shape == X.shape,
        f"{text} returned shape {out.shape}, expected {X.shape}; hint: the corrupted copy "
        "has the input's shape",
    )
    return out, text


def _check_mask(fn, X, level, seed):
    out, text = _corrupted(fn, X, "mask", level, seed)
    changed = out != X
    expect(
        np.all(out[changed] == 0.0),
        f"{text} changed entries to values other than 0; hint: masking sets the chosen "
        "entries to 0 and leaves the others exactly as they were (do not rescale the kept "
        "pixels by 1 / (1 - level): this is corruption, not inverted dropout)",
    )
    fraction, se = float(changed.mean()), np.sqrt(level * (1 - level) / X.size)
    if abs(fraction - (1 - level)) < 6 * se and abs(level - 0.5) > 0.05:
        raise CheckFailed(
            f"{text} set {fraction:.1%} of the entries to 0, expected {level:.0%}; hint: "
            "level is the probability to mask (drop) an entry, not to keep it"
        )
    expect_within(
        fraction,
        level,
        se,
        text,
        "fraction of entries set to 0",
        "mask each entry with probability level: `rng.random(X.shape) < level`",
    )


def _check_gaussian(fn, X, level, seed):
    out, text = _corrupted(fn, X, "gaussian", level, seed)
    noise = out - X
    std, n = float(noise.std()), X.size
    if abs(std - np.sqrt(level)) < 6 * np.sqrt(level / (2 * n)) and abs(level - 1) > 0.1:
        raise CheckFailed(
            f"{text} added noise of standard deviation {std:.4g}, expected {level}; hint: "
            "level is the standard deviation of the noise, not its variance: multiply "
            "standard normal draws by level"
        )
    if out.min() >= 0.0 and out.max() <= 1.0 and level >= 0.2:
        raise CheckFailed(
            f"{text} returned values inside [0, 1] only; hint: do not clip: add the noise "
            "X + level * N(0, 1) as it is"
        )
    expect_within(
        float(noise.mean()),
        0.0,
        level / np.sqrt(n),
        text,
        "mean of the added noise",
        "the noise has mean 0: level * rng.standard_normal(X.shape)",
    )
    expect_within(
        std,
        level,
        level / np.sqrt(2 * n),
        text,
        "standard deviation of the added noise",
        "the noise is level * rng.standard_normal(X.shape)",
    )


def _check_salt_pepper(fn, X, level, seed):
    out, text = _corrupted(fn, X, "salt_pepper", level, seed)
    changed = out != X
    expect(
        np.all(np.isin(out[changed], (0.0, 1.0))),
        f"{text} changed entries to values other than 0 and 1; hint: a corrupted entry "
        "becomes 0 (pepper) or 1 (salt), the others stay as they were",
    )
    m = int(changed.sum())
    salt = float(np.mean(out[changed] == 1.0)) if m else 0.0
    expect_within(
        float(changed.mean()),
        level,
        np.sqrt(level * (1 - level) / X.size),
        text,
        "fraction of corrupted entries",
        "corrupt each entry with probability level",
    )
    expect(
        m > 0 and abs(salt - 0.5) <= 6 * np.sqrt(0.25 / m),
        f"{text}: {salt:.1%} of the corrupted entries are 1, expected half of them; hint: "
        "draw salt (1) or pepper (0) with probability 1/2 each for every corrupted entry",
    )


def corrupt_basic(fn):
    """Masking 30 %, Gaussian noise of std 0.2, salt-and-pepper 10 % on 400 x 64 pixels."""
    X = _corrupt_input(1602)
    _check_mask(fn, X, 0.3, 0)
    _check_gaussian(fn, X, 0.2, 0)
    _check_salt_pepper(fn, X, 0.1, 0)


def corrupt_hidden(fn):
    """Other levels (including 0.8 masking: keep versus drop), reproducible seeds, an
    unknown kind raises ValueError."""
    X = _corrupt_input(1603, n=300)
    _check_mask(fn, X, 0.8, 5)
    _check_mask(fn, X, 0.05, 6)
    _check_gaussian(fn, X, 0.5, 7)
    _check_salt_pepper(fn, X, 0.4, 8)
    for kind, level in (("mask", 0.3), ("gaussian", 0.1), ("salt_pepper", 0.2)):
        expect_reproducible(fn, "corrupt", (X[:20], kind, level), 11, hint=_CORRUPT_HINT)
    expect_raises(
        fn,
        "corrupt",
        (X[:5], "blur", 0.1, 0),
        ValueError,
        "raise ValueError for a kind other than 'gaussian', 'mask' or 'salt_pepper'",
    )


# ---------------------------------------------------------------------------
# Exercise 3 · ae-contractive · reference: dk.nn.contractive_penalty
# ---------------------------------------------------------------------------

_CONTRACTIVE_HINT = (
    "with h = sigmoid(X W + b), a = h (1 - h) and s_j = sum_i W_ij^2 (column norms): "
    "penalty = mean over rows of sum_j a_j^2 s_j; dW = (2/n) X^T [a^2 (1 - 2h) s] + "
    "2 W mean_n(a^2), db = (2/n) sum_n a^2 (1 - 2h) s"
)


def _contractive_oracle(X, W, b):
    """The penalty by per-example Jacobians (torch.func.jacrev), its gradient by autograd."""
    torch = oracles.torch()
    x_t = oracles.tensor(X)

    def penalty(W_t, b_t):
        def encoder(x):
            return torch.sigmoid(x @ W_t + b_t)

        jacobians = torch.func.vmap(torch.func.jacrev(encoder))(x_t)  # (n, m, d)
        return (jacobians**2).sum(dim=(1, 2)).mean()

    value = float(penalty(oracles.tensor(W), oracles.tensor(b)))
    dW, db = oracles.gradients(penalty, W, b)
    return value, dW, db


def _contractive_mistakes(X, W, b):
    n = len(X)
    with np.errstate(all="ignore"):
        h = scipy.special.expit(X @ W + b)
        a = h * (1 - h)
        s = np.sum(W**2, axis=0)
        rows = np.sum(W**2, axis=1)  # the wrong index: sum over the outputs j
    value = {
        "h": float(np.mean(h**2 @ s)),
        "unsquared": float(np.mean(a @ s)),
        "sum": float(np.sum(a**2 @ s)),
        "rows": float(np.mean(a**2 @ rows)) if W.shape[0] == W.shape[1] else None,
    }
    through_h = 2 * a**2 * (1 - 2 * h) * s / n
    direct = 2 * W * (a**2).mean(axis=0)
    no_product = 2 * a**2 * s / n
    grads = {
        "no (1-2h)": (X.T @ no_product + direct, no_product.sum(axis=0)),
        "no direct": (X.T @ through_h, through_h.sum(axis=0)),
        "no through h": (direct, np.zeros_like(b)),
    }
    return value, grads


def _contractive_case(fn, X, W, b):
    result, text = call(fn, "contractive_penalty", X, W, b, hint=_CONTRACTIVE_HINT)
    penalty, dW, db = unpack(result, text, ("penalty", "dW", "db"))
    value, dW_expected, db_expected = _contractive_oracle(X, W, b)
    wrong, grads = _contractive_mistakes(X, W, b)
    expect_number(
        penalty,
        value,
        f"{text}[0] (the penalty)",
        _CONTRACTIVE_HINT,
        rtol=1e-7,
        mistakes=[
            (wrong["h"], "the Jacobian of sigmoid(z) is h (1 - h) W, not h W"),
            (
                wrong["unsquared"],
                "the Frobenius norm squares every entry: (h_j (1 - h_j))^2, the factor squared",
            ),
            (wrong["sum"], "average the penalty over the n rows, do not sum it"),
            (
                wrong["rows"],
                "the column norms sum over the inputs i, s_j = sum_i W_ij^2 "
                "(np.sum(W**2, axis=0)): the wrong index was summed",
            ),
        ],
    )
    expect_close(
        dW,
        dW_expected,
        f"{text}[1] (dW)",
        _CONTRACTIVE_HINT,
        rtol=1e-6,
        atol=1e-10,
        mistakes=[
            (
                grads["no (1-2h)"][0],
                "the product rule through h: d[(h(1-h))^2]/dz = 2 h(1-h) * h(1-h)(1-2h); the "
                "(1 - 2h) factor is missing",
            ),
            (
                grads["no direct"][0],
                "W appears twice: add the term from the column norms, 2 W mean_n(a^2)",
            ),
            (
                grads["no through h"][0],
                "h depends on W too: add (2/n) X^T [a^2 (1 - 2h) s] (the product rule)",
            ),
        ],
    )
    expect_close(
        db,
        db_expected,
        f"{text}[2] (db)",
        _CONTRACTIVE_HINT,
        rtol=1e-6,
        atol=1e-10,
        mistakes=[
            (
                grads["no (1-2h)"][1],
                "the product rule through h: the (1 - 2h) factor is missing",
            ),
            (grads["no through h"][1], "b enters through h: db = (2/n) sum_n a^2 (1 - 2h) s"),
        ],
    )


def contractive_penalty_basic(fn):
    """n = 5 rows, d = m = 3 (a square W, so the two norm indices differ only by value)."""
    rng = np.random.default_rng(1604)
    _contractive_case(fn, rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))


def contractive_penalty_hidden(fn):
    """Rectangular W (d = 6, m = 4), one row, saturated units, a larger batch."""
    rng = np.random.default_rng(1605)
    _contractive_case(fn, rng.normal(size=(8, 6)), rng.normal(size=(6, 4)), rng.normal(size=4))
    _contractive_case(fn, rng.normal(size=(1, 5)), rng.normal(size=(5, 2)), rng.normal(size=2))
    W = rng.normal(0, 3, (4, 4))
    _contractive_case(fn, rng.normal(size=(6, 4)), W, np.array([8.0, -8.0, 0.0, 1.0]))
    _contractive_case(fn, rng.uniform(0, 1, (40, 16)), rng.normal(0, 0.3, (16, 5)), np.zeros(5))


# ---------------------------------------------------------------------------
# Exercise 4 · ae-gaussian-kl · reference: dk.nn.kl_to_standard_normal
# ---------------------------------------------------------------------------

_KL_HINT = (
    "KL = 1/2 sum_j (mu_j^2 + exp(logvar_j) - 1 - logvar_j), summed over the latent axis "
    "(axis=-1) of each row; logvar is log sigma^2"
)


def _kl_oracle(mu, logvar):
    torch = oracles.torch()
    D = torch.distributions
    q = D.Normal(oracles.tensor(mu), torch.exp(0.5 * oracles.tensor(logvar)))
    prior = D.Normal(torch.zeros(mu.shape, dtype=torch.float64), 1.0)
    return D.kl_divergence(q, prior).sum(-1).numpy()


def _kl_mistakes(mu, logvar):
    def kl(m, lv, axis=-1, half=0.5):
        return half * np.sum(m**2 + np.exp(lv) - 1 - lv, axis=axis)

    return [
        (
            lambda: kl(mu, 2 * logvar),
            "that treats logvar as log sigma: it is log sigma^2, so sigma^2 = exp(logvar) "
            "(not exp(2 logvar))",
        ),
        (lambda: kl(mu, logvar, half=1.0), "the 1/2 in front of the sum is missing"),
        (lambda: kl(mu, logvar).sum(), "one KL per row: sum over the latent axis only"),
        (
            lambda: kl(mu, logvar, axis=0),
            "sum over the latent axis (axis=-1), not over the batch (axis=0)",
        ),
        (lambda: kl(mu, logvar) / mu.shape[-1], "sum over the latent dimensions, do not average"),
        (lambda: -kl(mu, logvar), "the sign: a KL divergence is >= 0"),
    ]


def _kl_case(fn, mu, logvar):
    expect_returns(
        fn,
        "kl_to_standard_normal",
        (mu, logvar),
        _kl_oracle(mu, logvar),
        _KL_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=_kl_mistakes(mu, logvar),
    )


_FORBID_KL = Forbidden(
    "kl_to_standard_normal",
    ("torch", "dlkit.nn.kl_to_standard_normal", "dlkit.nn.representation", "dlkit.models.vae"),
    "this exercise asks you to write the closed form 1/2 sum(mu^2 + exp(logvar) - 1 - logvar) "
    "in numpy yourself",
)


def kl_to_standard_normal_basic(fn):
    """n = 3 rows of k = 2 dimensions; row 0 is the prior itself (KL 0)."""
    mu = np.array([[0.0, 0.0], [1.0, -2.0], [0.5, 0.3]])
    logvar = np.array([[0.0, 0.0], [0.0, 1.0], [-1.0, -3.0]])
    _kl_case(fn, mu, logvar)
    _FORBID_KL.check(fn)


def kl_to_standard_normal_hidden(fn):
    """One row, more rows than dimensions and more dimensions than rows, tight posteriors."""
    rng = np.random.default_rng(1606)
    _kl_case(fn, rng.normal(size=(1, 4)), rng.normal(size=(1, 4)))
    _kl_case(fn, rng.normal(size=(7, 3)), rng.normal(0, 2, (7, 3)))
    _kl_case(fn, rng.normal(size=(2, 9)), rng.normal(-4, 1, (2, 9)))
    _kl_case(fn, rng.normal(0, 3, (20, 8)), rng.normal(-6, 2, (20, 8)))
    _FORBID_KL.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · ae-reparameterize · reference: dk.nn.reparameterize
# ---------------------------------------------------------------------------

_REPARAM_HINT = (
    "sigma = exp(logvar / 2); z = mu + sigma * eps with the eps you are given; dz/dmu = 1 "
    "and dz/dlogvar = sigma * eps / 2, element by element"
)


def _reparam_oracle(mu, logvar, eps):
    torch = oracles.torch()
    eps_t = oracles.tensor(eps)

    def z(m, lv):
        return m + torch.exp(0.5 * lv) * eps_t

    value = z(oracles.tensor(mu), oracles.tensor(logvar)).numpy()
    dmu, dlogvar = oracles.gradients(lambda m, lv: z(m, lv).sum(), mu, logvar)
    return value, dmu, dlogvar


def _reparam_case(fn, mu, logvar, eps):
    result, text = call(fn, "reparameterize", mu, logvar, eps, hint=_REPARAM_HINT)
    z, dz_dmu, dz_dlogvar = unpack(result, text, ("z", "dz_dmu", "dz_dlogvar"))
    expected, dmu, dlogvar = _reparam_oracle(mu, logvar, eps)
    again, _ = call(fn, "reparameterize", mu, logvar, eps, hint=_REPARAM_HINT)
    z_again = unpack(again, text, ("z", "dz_dmu", "dz_dlogvar"))[0]
    if not np.array_equal(as_float_array(z, text), as_float_array(z_again, text)):
        raise CheckFailed(
            f"two calls {text} returned different z; hint: the noise is an argument: use "
            "the eps you are given instead of drawing your own (the randomness stays "
            "outside the parameters)"
        )
    sigma = np.exp(0.5 * logvar)
    expect_close(
        z,
        expected,
        f"{text}[0] (z)",
        _REPARAM_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[
            (
                mu + np.exp(logvar) * eps,
                "that scales eps by the variance exp(logvar); scale it by the standard "
                "deviation sigma = exp(logvar / 2)",
            ),
            (mu + logvar * eps, "logvar is log sigma^2: sigma = exp(logvar / 2)"),
            (mu + np.exp(2 * logvar) * eps, "sigma = exp(logvar / 2), not exp(2 logvar)"),
        ],
    )
    expect_close(
        dz_dmu,
        dmu,
        f"{text}[1] (dz_dmu)",
        "z = mu + sigma * eps, so dz/dmu = 1 for every entry",
        mistakes=[(eps, "dz/dmu is 1: eps multiplies sigma, not mu")],
    )
    expect_close(
        dz_dlogvar,
        dlogvar,
        f"{text}[2] (dz_dlogvar)",
        _REPARAM_HINT,
        rtol=1e-8,
        atol=1e-10,
        mistakes=[
            (sigma * eps, "d exp(logvar/2) / dlogvar = exp(logvar/2) / 2: the 1/2 is missing"),
            (0.5 * np.exp(logvar) * eps, "sigma = exp(logvar / 2): dz/dlogvar = sigma eps / 2"),
            (0.5 * sigma, "the chain rule keeps eps: dz/dlogvar = sigma * eps / 2"),
        ],
    )


def reparameterize_basic(fn):
    """Two rows of three latent dimensions."""
    rng = np.random.default_rng(1607)
    mu, logvar = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    _reparam_case(fn, mu, logvar, rng.standard_normal((2, 3)))


def reparameterize_hidden(fn):
    """One row, eps = 0 (z = mu), very small and large variances, a larger batch."""
    rng = np.random.default_rng(1608)
    _reparam_case(fn, rng.normal(size=(1, 5)), rng.normal(size=(1, 5)), rng.normal(size=(1, 5)))
    _reparam_case(fn, rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), np.zeros((3, 2)))
    logvar = np.array([[-10.0, -4.0, 0.0, 3.0]] * 4)
    _reparam_case(fn, rng.normal(size=(4, 4)), logvar, rng.standard_normal((4, 4)))
    _reparam_case(fn, rng.normal(size=(25, 8)), rng.normal(0, 2, (25, 8)), rng.normal(size=(25, 8)))


# ---------------------------------------------------------------------------
# Exercise 6 · ae-vae-loss · reference: dk.nn.negative_elbo
# ---------------------------------------------------------------------------

_ELBO_HINT = (
    "for each row: the binary cross-entropy with logits summed over the d pixels plus "
    "beta times the KL of exercise 4; then the mean over the n rows. Use the stable "
    "form max(l, 0) - x l + log(1 + exp(-|l|)) for the cross-entropy"
)


def _elbo_oracle(x, logits, mu, logvar, beta):
    torch = oracles.torch()
    F, D = torch.nn.functional, torch.distributions
    n = len(x)
    reconstruction = F.binary_cross_entropy_with_logits(
        oracles.tensor(logits), oracles.tensor(x), reduction="sum"
    )
    q = D.Normal(oracles.tensor(mu), torch.exp(0.5 * oracles.tensor(logvar)))
    kl = D.kl_divergence(q, D.Normal(0.0, 1.0)).sum()
    return float((reconstruction + beta * kl) / n)


def _elbo_mistakes(x, logits, mu, logvar, beta):
    with np.errstate(all="ignore"):
        bce = np.maximum(logits, 0) - x * logits + np.log1p(np.exp(-np.abs(logits)))  # (n, d)
        kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1 - logvar, axis=1)  # (n,)
        kl_log_sigma = 0.5 * np.sum(mu**2 + np.exp(2 * logvar) - 1 - 2 * logvar, axis=1)
        p = 1 / (1 + np.exp(-logits))
        naive = -(x * np.log(p) + (1 - x) * np.log(1 - p))
        as_probability = -(x * np.log(logits) + (1 - x) * np.log(1 - logits))
    rec = bce.sum(axis=1)
    return [
        (
            np.mean(bce.mean(axis=1) + beta * kl),
            "the reconstruction term is a mean over the pixels where the bound needs a sum: "
            "it is then d times too small, so the KL dominates and the encoder learns to "
            "ignore x (this is how posterior collapse is manufactured); sum over the pixels",
        ),
        (
            np.mean(naive.sum(axis=1) + beta * kl),
            "log(sigmoid(l)) overflows for large |logits| (log 0 = -inf): use the stable "
            "form max(l, 0) - x l + log(1 + exp(-|l|))",
        ),
        (
            np.mean(as_probability.sum(axis=1) + beta * kl),
            "x_logits are logits, not probabilities: the cross-entropy with logits is "
            "max(l, 0) - x l + log(1 + exp(-|l|)) (or apply the sigmoid first)",
        ),
        (np.mean(beta * rec + kl), "beta weighs the KL term, not the reconstruction"),
        (
            -np.mean(rec + beta * kl),
            "return minus the ELBO: the loss is reconstruction + beta KL, positive",
        ),
        (
            np.mean(rec + beta * kl_log_sigma),
            "the KL treats logvar as log sigma: sigma^2 = exp(logvar) (check your "
            "kl_to_standard_normal if you call it)",
        ),
        (np.sum(rec + beta * kl), "average over the n rows of the batch, do not sum"),
        (
            np.mean(rec) + beta * np.sum(kl),
            "average both terms over the batch: the KL is summed over the rows",
        ),
        (np.mean(rec), "add beta times the KL term"),
    ]


def _elbo_case(fn, x, logits, mu, logvar, beta=None):
    args = (x, logits, mu, logvar) if beta is None else (x, logits, mu, logvar, beta)
    beta = 1.0 if beta is None else beta
    result, text = call(fn, "negative_elbo", *args, hint=_ELBO_HINT)
    expect_number(
        result,
        _elbo_oracle(x, logits, mu, logvar, beta),
        text,
        _ELBO_HINT,
        rtol=1e-8,
        mistakes=_elbo_mistakes(x, logits, mu, logvar, beta),
    )


def _elbo_inputs(rng, n, d, k, scale=2.0):
    x = (rng.random((n, d)) < 0.4).astype(float)
    return x, rng.normal(0, scale, (n, d)), rng.normal(size=(n, k)), rng.normal(-1, 1, (n, k))


def negative_elbo_basic(fn):
    """n = 4 images of d = 16 binary pixels, k = 2; the default beta = 1."""
    rng = np.random.default_rng(1609)
    _elbo_case(fn, *_elbo_inputs(rng, 4, 16, 2))


def negative_elbo_hidden(fn):
    """beta = 4 and 0.5, one row, logits of +-800 (overflow), a digit-sized batch."""
    rng = np.random.default_rng(1610)
    _elbo_case(fn, *_elbo_inputs(rng, 6, 10, 3), 4.0)
    _elbo_case(fn, *_elbo_inputs(rng, 1, 64, 8), 0.5)
    x, logits, mu, logvar = _elbo_inputs(rng, 3, 8, 2)
    logits[:, :4] = 800.0 * np.sign(rng.normal(size=(3, 4)))
    _elbo_case(fn, x, logits, mu, logvar)
    _elbo_case(fn, *_elbo_inputs(rng, 32, 64, 8, scale=4.0), 1.0)


# ---------------------------------------------------------------------------
# Exercise 7 · ae-active-units · reference: dk.nn.active_units
# ---------------------------------------------------------------------------

_ACTIVE_HINT = (
    "compute the variance of each latent dimension (column) over the n rows, "
    "np.var(mu, axis=0), and count the columns whose variance exceeds threshold; return an int"
)


def _active_input(rng, n, stds, means):
    return rng.normal(size=(n, len(stds))) * np.asarray(stds) + np.asarray(means)


def _active_case(fn, mu, threshold=None):
    args = (mu,) if threshold is None else (mu, threshold)
    t = 0.01 if threshold is None else threshold
    result, text = call(fn, "active_units", *args, hint=_ACTIVE_HINT)
    expected = int(np.sum(np.var(mu, axis=0) > t))
    mistakes = [
        (
            int(np.sum(np.var(mu, axis=1) > t)),
            "take the variance of each column over the rows "
            "(axis=0): a latent dimension is a column",
        ),
        (
            int(np.sum(np.std(mu, axis=0) > t)),
            "compare the variance, not the standard deviation, with the threshold",
        ),
        (
            int(np.sum(np.abs(np.mean(mu, axis=0)) > t)),
            "a dimension is active when its mean "
            "varies with x: use the variance over the rows, not the mean",
        ),
        (int(np.sum(np.var(mu, axis=0) > 0.01)), "use the threshold argument, not a fixed 0.01"),
    ]
    if isinstance(result, np.ndarray | list | tuple):
        raise CheckFailed(
            f"{text} returned {show(result)}, expected the number {expected}; hint: count "
            "the active columns and return an int, e.g. int(np.sum(...))"
        )
    expect_equal(result, expected, text, _ACTIVE_HINT, mistakes=mistakes)


def active_units_basic(fn):
    """200 rows, 5 dimensions: 3 vary (std 1, 0.5, 0.3), 2 are collapsed (std 0.01)."""
    rng = np.random.default_rng(1611)
    _active_case(fn, _active_input(rng, 200, [1.0, 0.01, 0.5, 0.01, 0.3], [0, 0, 0.2, 0, 0]))


def active_units_hidden(fn):
    """A collapsed dimension with a large mean, one with std 0.05 (var 0.0025), another
    threshold, more dimensions than rows, every dimension collapsed."""
    rng = np.random.default_rng(1612)
    _active_case(fn, _active_input(rng, 300, [0.8, 0.05, 0.01, 1.2], [0, 0, 3.0, -1]))
    _active_case(fn, _active_input(rng, 400, [0.08, 0.15, 0.3, 0.9], [0, 2, 0, 0]), 0.05)
    _active_case(fn, _active_input(rng, 6, [1.0] * 4 + [0.001] * 8, [0.0] * 12))
    _active_case(fn, _active_input(rng, 100, [0.001] * 3, [0.5, -0.5, 0]))


# ---------------------------------------------------------------------------
# Exercise 8 · ae-iwae · reference: dk.nn.iwae_bound
# ---------------------------------------------------------------------------

_IWAE_HINT = (
    "L_K = log((1/K) sum_k exp(log_weights[k])) for each column: subtract the column "
    "maximum m before exponentiating, m + log(mean(exp(log_weights - m), axis=0))"
)


def _iwae_oracle(log_weights):
    torch = oracles.torch()
    K = log_weights.shape[0]
    return (torch.logsumexp(oracles.tensor(log_weights), dim=0) - np.log(K)).numpy()


def _iwae_mistakes(log_weights):
    lse = scipy.special.logsumexp
    with np.errstate(all="ignore"):
        naive = np.log(np.mean(np.exp(log_weights), axis=0))
    return [
        (
            np.mean(log_weights, axis=0),
            "that is the ELBO (the mean of the log-weights); the bound is the log of the "
            "mean of the weights, log((1/K) sum_k w_k)",
        ),
        (lse(log_weights, axis=0), "the -log K is missing: average the weights, do not sum them"),
        (
            naive,
            "exp underflows (or overflows) for log-weights of hundreds of nats: computed "
            "without log-sum-exp the bound becomes -inf or nan; subtract the column maximum",
        ),
        (
            lse(log_weights, axis=1) - np.log(log_weights.shape[1]),
            "the K samples are the rows (axis 0): one bound per column (example)",
        ),
    ]


def _iwae_case(fn, log_weights):
    expect_returns(
        fn,
        "iwae_bound",
        (log_weights,),
        _iwae_oracle(log_weights),
        _IWAE_HINT,
        rtol=1e-9,
        atol=1e-9,
        mistakes=_iwae_mistakes(log_weights),
    )


_FORBID_IWAE = Forbidden(
    "iwae_bound",
    (
        "scipy.special.logsumexp",
        "torch",
        "dlkit.nn.iwae_bound",
        "dlkit.nn.log_mean_exp",
        "dlkit.nn.representation",
        "dlkit.numerics.logsumexp",
    ),
    "this exercise asks you to write the log-sum-exp yourself: subtract each column's "
    "maximum m, then m + log(mean(exp(log_weights - m), axis=0))",
)


def iwae_bound_basic(fn):
    """K = 5 samples for n = 3 examples, log-weights near -2."""
    rng = np.random.default_rng(1613)
    _iwae_case(fn, rng.normal(-2.0, 1.0, (5, 3)))
    _FORBID_IWAE.check(fn)


def iwae_bound_hidden(fn):
    """K = 1 (the ELBO), log-weights near -1000 and +800 (exp under- and overflows),
    K = 50 for 2 examples, one weight far above the others."""
    rng = np.random.default_rng(1614)
    _iwae_case(fn, rng.normal(-3.0, 2.0, (1, 4)))
    _iwae_case(fn, rng.normal(-1000.0, 3.0, (8, 6)))
    _iwae_case(fn, rng.normal(800.0, 3.0, (4, 3)))
    _iwae_case(fn, rng.normal(-90.0, 5.0, (50, 2)))
    spiky = rng.normal(-20.0, 1.0, (10, 4))
    spiky[3] += 15.0
    _iwae_case(fn, spiky)
    _FORBID_IWAE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · ae-train-vae · reference: dk.models.VAE with dk.train.fit
# ---------------------------------------------------------------------------

LATENT, HIDDEN = 8, 128
#: The pass mark (nats per held-out digit, -ELBO), from
#: benchmarks/autoencoders_representation_calibration.py over 20 seeds: the reference (50
#: epochs) scores 18.68-18.96; the independent-Bernoulli baseline is 24.5; a reconstruction
#: averaged over the pixels or a KL weight of 4 collapse to 24.15-24.56.
VAE_MARK = 21.5
#: A mean KL below this (nats per digit) is posterior collapse: the reference has 5.4-6.1,
#: the collapsed mistakes 0.00-0.13.
_COLLAPSED_KL = 1.0
#: Weights trained with log sigma in the encoder's second half score better when the check
#: reads it as log sigma, by 1.26-1.72 nats (and pass the mark: 20.03-20.55 as logvar),
#: while the reference scores 2.23-3.16 nats worse read that way.
_LOG_SIGMA_GAIN = 0.5
_VAE_SAMPLES = 16

_VAE_HINT = (
    "build the fixed VAE (dk.models.VAE(dk.models.VAEConfig(latent=8, hidden=128)) or "
    "your own nn.Linear layers), train it on the negative ELBO (BCE with logits summed over "
    "the pixels + KL, averaged over the batch) with dk.train.fit(step=...), Adam lr 3e-3, "
    "batch 64, and return its weights as the prompt lists them"
)


def _vae_shapes():
    d, h, k = 64, HIDDEN, LATENT
    return {
        "enc_W1": (d, h),
        "enc_b1": (h,),
        "enc_W2": (h, 2 * k),
        "enc_b2": (2 * k,),
        "dec_W1": (k, h),
        "dec_b1": (h,),
        "dec_W2": (h, d),
        "dec_b2": (d,),
    }


def _vae_scores(params, X, logvar_scale=1.0, seed=1615):
    """(-ELBO, mean KL, active units) of the fixed VAE on rows X, with the check's own
    forward pass and _VAE_SAMPLES samples per row; ``logvar_scale`` reads the encoder's
    second half as ``logvar_scale * logvar`` (2 for weights trained with log sigma)."""
    with np.errstate(all="ignore"):
        out = _relu(X @ params["enc_W1"] + params["enc_b1"]) @ params["enc_W2"] + params["enc_b2"]
        mu, logvar = out[:, :LATENT], logvar_scale * out[:, LATENT:]  # (n, 8) each
        kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1 - logvar, axis=1)  # (n,)
        eps = np.random.default_rng(seed).standard_normal((_VAE_SAMPLES, *mu.shape))
        z = mu + np.exp(0.5 * logvar) * eps  # (S, n, 8)
        hidden = _relu(z @ params["dec_W1"] + params["dec_b1"])  # (S, n, 128)
        logits = hidden @ params["dec_W2"] + params["dec_b2"]  # (S, n, 64)
        log_lik = np.sum(X * logits - np.logaddexp(0.0, logits), axis=-1).mean(axis=0)  # (n,)
        bound = float(np.mean(kl - log_lik))
    active = int(np.sum(np.var(mu, axis=0) > 0.01)) if np.all(np.isfinite(mu)) else 0
    return (bound if np.isfinite(bound) else np.inf), float(np.mean(kl)), active


def _baseline(X_train, X_test):
    """-log-likelihood (nats per row) of independent Bernoulli pixels fitted on X_train."""
    p = np.clip(X_train.mean(axis=0), 1e-3, 1 - 1e-3)
    return float(-np.mean(X_test @ np.log(p) + (1 - X_test) @ np.log(1 - p)))


def _expect_good_vae(result, text):
    params = weight_dict(result, text, _vae_shapes(), _VAE_HINT)
    X_train, X_test = _binary_digits()
    bound, kl, active = _vae_scores(params, X_test)
    as_log_sigma = _vae_scores(params, X_test, logvar_scale=2.0)[0]
    if as_log_sigma < bound - _LOG_SIGMA_GAIN:
        raise CheckFailed(
            f"{text}: the encoder's second half reads as log sigma, not log sigma^2: the "
            f"check's -ELBO on 797 held-out digits is {bound:.2f} nats with logvar as the "
            f"prompt fixes it and {as_log_sigma:.2f} with log sigma; hint: the model was "
            "trained with log sigma; keep logvar = log sigma^2, so z = mu + exp(logvar / 2) "
            "eps and KL = 1/2 sum(mu^2 + exp(logvar) - 1 - logvar)"
        )
    if bound <= VAE_MARK:
        return
    hint = _VAE_HINT
    if kl < _COLLAPSED_KL:
        hint = (
            f"posterior collapse: the KL term is only {kl:.2f} nats, so q(z|x) is the prior "
            "and the decoder ignores z; the KL weight is too high or the reconstruction is a "
            "pixel mean instead of a sum (beta = 1, BCE summed over the 64 pixels)"
        )
    raise CheckFailed(
        f"{text}: the check's own estimate of -ELBO on 797 held-out binarised digits is "
        f"{bound:.2f} nats per digit (KL {kl:.2f} nats, {active} of {LATENT} latent "
        f"dimensions active), expected at most {VAE_MARK} (independent pixels score "
        f"{_baseline(X_train, X_test):.1f}); hint: {hint}"
    )


def train_vae_basic(fn):
    """Seed 0, 50 epochs: -ELBO at most 21.5 nats on held-out digits (the reference: 18.8),
    with logvar read as log sigma^2."""
    X, _ = _binary_digits()
    result, text = call(fn, "train_vae", X, 0, hint=_VAE_HINT)
    _expect_good_vae(result, text)


def train_vae_hidden(fn):
    """Short runs (2 epochs) are reproducible with the seed and differ with another seed
    (one full run, the visible check's, is enough: the reference passes the mark on every
    seed of the calibration)."""
    X, _ = _binary_digits()
    _expect_deterministic(fn, "train_vae", (X,), (3, 4), _vae_shapes(), _VAE_HINT, epochs=2)


# ---------------------------------------------------------------------------
# Exercise 10 · ae-nt-xent · reference: dk.nn.nt_xent
# ---------------------------------------------------------------------------

_NTXENT_HINT = (
    "stack u = [z1; z2] (2N rows), normalise every row to length 1, s = u u^T / tau, set "
    "the diagonal to -inf (an anchor is not its own negative), then the mean over all 2N "
    "rows of -log_softmax(s)[i, (i + N) mod 2N], with a stable log-softmax"
)


def _nt_xent_oracle(z1, z2, tau, normalise=True, mask_self=True, anchors=None, shift=None):
    torch = oracles.torch()
    F = torch.nn.functional
    u = torch.cat([oracles.tensor(z1), oracles.tensor(z2)])
    if normalise:
        u = F.normalize(u, dim=1)
    n2 = len(u)
    scores = u @ u.T / tau
    if mask_self:
        scores = scores.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    shift = n2 // 2 if shift is None else shift
    targets = (torch.arange(n2) + shift) % n2
    losses = F.cross_entropy(scores, targets, reduction="none")
    return float(losses[: (n2 if anchors is None else anchors)].mean())


def _nt_xent_mistakes(z1, z2, tau):
    n = len(z1)
    with np.errstate(all="ignore"):
        u = np.concatenate([z1, z2])
        u = u / np.linalg.norm(u, axis=1, keepdims=True)
        e = np.exp(u @ u.T / tau)
        np.fill_diagonal(e, 0.0)
        naive = float(
            np.mean(-np.log(e[np.arange(2 * n), (np.arange(2 * n) + n) % (2 * n)] / e.sum(1)))
        )
    return [
        (
            lambda: _nt_xent_oracle(z1, z2, tau, mask_self=False),
            "the self-similarity is kept in the denominator: exclude k = i (set the diagonal "
            "of the scores to -inf before the softmax)",
        ),
        (
            lambda: _nt_xent_oracle(z1, z2, tau, normalise=False),
            "sim is the cosine similarity: normalise every row to length 1 before the dot products",
        ),
        (lambda: _nt_xent_oracle(z1, z2, tau**2), "divide the similarities by tau once"),
        (lambda: _nt_xent_oracle(z1, z2, 1.0), "divide the similarities by the temperature tau"),
        (
            lambda: _nt_xent_oracle(z1, z2, tau, anchors=n),
            "average over all 2N anchors: the rows of z2 are anchors too (both directions)",
        ),
        (
            lambda: _nt_xent_oracle(z1, z2, tau) * 2 * n,
            "average over the 2N anchors, do not sum",
        ),
        (
            lambda: _nt_xent_oracle(z1, z2, tau, shift=1),
            "the positive of row i of [z1; z2] is row (i + N) mod 2N, the other view of the "
            "same example",
        ),
        (
            naive,
            "exp overflows for a small temperature (cosine 1 / tau = 1000): use log-softmax "
            "(subtract each row's maximum)",
        ),
    ]


def _nt_xent_case(fn, z1, z2, tau=None):
    args = (z1, z2) if tau is None else (z1, z2, tau)
    tau = 0.5 if tau is None else tau
    result, text = call(fn, "nt_xent", *args, hint=_NTXENT_HINT)
    expect_number(
        result,
        _nt_xent_oracle(z1, z2, tau),
        text,
        _NTXENT_HINT,
        rtol=1e-8,
        mistakes=_nt_xent_mistakes(z1, z2, tau),
    )


def nt_xent_basic(fn):
    """N = 4 pairs of 3-d embeddings whose views are close; the default tau = 0.5."""
    rng = np.random.default_rng(1616)
    z1 = rng.normal(size=(4, 3))
    _nt_xent_case(fn, 2.0 * z1, z1 + 0.3 * rng.normal(size=(4, 3)))


def nt_xent_hidden(fn):
    """tau = 0.1 and 0.001 (overflow), N = 1 (no negatives but the other view's), unrelated
    views, a larger batch."""
    rng = np.random.default_rng(1617)
    z = rng.normal(size=(6, 5))
    _nt_xent_case(fn, z, z + 0.1 * rng.normal(size=(6, 5)), 0.1)
    _nt_xent_case(fn, rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 1.0)
    _nt_xent_case(fn, rng.normal(size=(1, 2)), rng.normal(size=(1, 2)), 0.5)
    z = rng.normal(size=(5, 4))
    _nt_xent_case(fn, z, z + 0.05 * rng.normal(size=(5, 4)), 0.001)
    z = rng.normal(size=(32, 16))
    _nt_xent_case(fn, 3.0 * z, z + 0.5 * rng.normal(size=(32, 16)), 0.2)


# ---------------------------------------------------------------------------
# Exercise 11 · ae-prototypes · reference: dk.nn.prototype_predict
# ---------------------------------------------------------------------------

_PROTO_HINT = (
    "for each label c in np.unique(support_y), the prototype is the mean of the rows of "
    "support_z with that label; each query gets the label of the prototype at the smallest "
    "squared Euclidean distance (return the labels themselves, not their indices)"
)


def _proto_mistakes(support_z, support_y, query_z):
    classes = np.unique(support_y)

    def nearest(prototypes, metric="sqeuclidean"):
        distances = scipy.spatial.distance.cdist(query_z, prototypes, metric)
        return np.argmin(distances, axis=1)

    means = np.array([support_z[support_y == c].mean(axis=0) for c in classes])
    medians = np.array([np.median(support_z[support_y == c], axis=0) for c in classes])
    firsts = np.array([support_z[support_y == c][0] for c in classes])
    one_nn = support_y[np.argmin(scipy.spatial.distance.cdist(query_z, support_z), axis=1)]
    return [
        (nearest(means), "return the labels themselves (classes[index]), not 0..c-1 indices"),
        (classes[nearest(medians)], "the prototype is the class mean, not the median"),
        (classes[nearest(firsts)], "the prototype is the mean of all of a class's examples"),
        (classes[nearest(means, "cosine")], "use the squared Euclidean distance, not cosine"),
        (one_nn, "compare with the class means (prototypes), not with single examples"),
    ]


def _proto_case(fn, support_z, support_y, query_z):
    from sklearn.neighbors import NearestCentroid

    with quiet():  # one shot per class: sklearn warns about a variance it does not use
        expected = NearestCentroid().fit(support_z, support_y).predict(query_z)
    result, text = call(fn, "prototype_predict", support_z, support_y, query_z, hint=_PROTO_HINT)
    expect_close(
        result,
        expected,
        text,
        _PROTO_HINT,
        mistakes=_proto_mistakes(support_z, support_y, query_z),
    )


def _episode(rng, labels, shots, n_query, d, spread=1.0, skew=0.0):
    """A few-shot episode: class centres far apart, skewed clusters (mean != median)."""
    centres = rng.normal(0, 3, (len(labels), d))

    def draw(m):
        noise = rng.normal(0, spread, (m, d))
        return noise + skew * rng.exponential(1.0, (m, d))

    support_z = np.concatenate([c + draw(shots) for c in centres])
    support_y = np.repeat(np.asarray(labels), shots)
    query_labels = rng.integers(0, len(labels), n_query)
    query_z = centres[query_labels] + draw(n_query)
    return support_z, support_y, query_z


def prototype_predict_basic(fn):
    """3 classes labelled 3, 7 and 9, 5 shots each, 12 queries in 4-d."""
    rng = np.random.default_rng(1618)
    _proto_case(fn, *_episode(rng, [3, 7, 9], 5, 12, 4, spread=2.0, skew=2.0))


def prototype_predict_hidden(fn):
    """One shot per class, unsorted labels, skewed clusters, a 10-way 5-shot episode."""
    rng = np.random.default_rng(1619)
    _proto_case(fn, *_episode(rng, [4, 1, 8], 1, 10, 3, spread=1.5))
    support_z, support_y, query_z = _episode(rng, [2, 0, 5, 6], 6, 30, 5, spread=2.5, skew=3.0)
    order = rng.permutation(len(support_y))
    _proto_case(fn, support_z[order], support_y[order], query_z)
    _proto_case(fn, *_episode(rng, list(range(10)), 5, 60, 8, spread=2.0, skew=2.0))
