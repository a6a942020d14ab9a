"""Autoencoders and representation learning in numpy: the pieces module 16 derives.

The VAE's terms, for a Gaussian encoder ``q(z|x) = N(mu, diag(exp(logvar)))`` and the
prior ``p(z) = N(0, I)``; ``logvar`` is always ``log sigma^2`` (not ``log sigma``):

- ``kl_to_standard_normal``: ``KL(q || p) = 1/2 sum_j (mu_j^2 + exp(logvar_j) - 1 - logvar_j)``;
- ``reparameterize``: ``z = mu + exp(logvar / 2) * eps``, with its derivatives;
- ``negative_elbo``: a Bernoulli decoder's ``-log p(x|z)`` summed over the pixels plus
  ``beta`` KL, averaged over the batch;
- ``iwae_bound``: ``log (1/K) sum_k w_k`` from log-weights, by log-sum-exp;
- ``active_units``: latent dimensions whose posterior mean varies over the data.

And the rest of the module: the contractive penalty of a sigmoid encoder with its
gradient, input corruption for denoising, the NT-Xent (InfoNCE) loss of SimCLR, and
nearest-prototype few-shot prediction. Arrays are float64, examples are rows.
"""

import numpy as np

from dlkit.numerics import log_softmax, logsumexp, sigmoid, softplus

CORRUPTIONS = ("gaussian", "mask", "salt_pepper")


def _rows(x, name, owner):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{owner}: {name} must be a non-empty 2-D array (n, d), got {x.shape}")
    return x


def _same_shape(a, b, names, owner):
    if a.shape != b.shape:
        raise ValueError(
            f"{owner}: {names[0]} and {names[1]} must have the same shape, got {a.shape} "
            f"and {b.shape}"
        )


# ---------------------------------------------------------------- the VAE's terms


def kl_to_standard_normal(mu, logvar):
    """``KL(N(mu, diag(exp(logvar))) || N(0, I))`` per row: shape (n,) for inputs (n, k).

    ``1/2 sum_j (mu_j^2 + exp(logvar_j) - 1 - logvar_j)``: the sum runs over the k latent
    dimensions of each row, never over the batch. ``logvar`` is ``log sigma^2``. A 1-D
    input (k,) is one row and gives a single float.
    """
    mu, logvar = np.asarray(mu, dtype=float), np.asarray(logvar, dtype=float)
    _same_shape(mu, logvar, ("mu", "logvar"), "kl_to_standard_normal")
    if mu.ndim not in (1, 2):
        raise ValueError(f"kl_to_standard_normal: expected (k,) or (n, k), got {mu.shape}")
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)
    return float(kl) if mu.ndim == 1 else kl


def reparameterize(mu, logvar, eps):
    """``(z, dz_dmu, dz_dlogvar)`` for ``z = mu + sigma * eps``, ``sigma = exp(logvar / 2)``.

    All of mu's shape; z_i depends on mu_i and logvar_i only, so the derivatives are
    element-wise: ``dz/dmu = 1`` and ``dz/dlogvar = sigma * eps / 2``. The noise ``eps``
    (drawn from N(0, I) by the caller) is an argument: the randomness sits outside the
    parameters, which is what lets gradients flow through mu and logvar.
    """
    mu, logvar, eps = (np.asarray(a, dtype=float) for a in (mu, logvar, eps))
    _same_shape(mu, logvar, ("mu", "logvar"), "reparameterize")
    _same_shape(mu, eps, ("mu", "eps"), "reparameterize")
    sigma = np.exp(0.5 * logvar)
    return mu + sigma * eps, np.ones_like(mu), 0.5 * sigma * eps


def bernoulli_log_likelihood(x, logits):
    """``log p(x | logits) = sum_pixels [x l - softplus(l)]`` per row: (n, d) -> (n,).

    The Bernoulli decoder with probabilities ``sigmoid(l)``; written with softplus so
    that logits of any size give finite values (the negative is the summed
    binary cross-entropy with logits).
    """
    x, logits = _rows(x, "x", "bernoulli_log_likelihood"), np.asarray(logits, dtype=float)
    _same_shape(x, logits, ("x", "logits"), "bernoulli_log_likelihood")
    return np.sum(x * logits - softplus(logits), axis=1)


def negative_elbo(x, x_logits, mu, logvar, beta=1.0):
    """The beta-VAE loss of a batch: ``mean_n [ -log p(x_n|z_n) + beta KL_n ]``, a float.

    x (n, d) in [0, 1] (binarised pixels), x_logits (n, d) the decoder's logits for one
    sample z_n ~ q(z|x_n); mu, logvar (n, k) the encoder's outputs. The reconstruction
    term is the binary cross-entropy with logits **summed** over the d pixels (the log
    likelihood of the whole image), the KL is :func:`kl_to_standard_normal`; both are
    then averaged over the n rows. With ``beta = 1`` it is minus the ELBO, an upper bound
    on ``-log p(x)`` in nats.
    """
    beta = float(beta)
    if not (beta >= 0 and np.isfinite(beta)):
        raise ValueError(f"negative_elbo: beta must be finite and >= 0, got {beta}")
    reconstruction = -bernoulli_log_likelihood(x, x_logits)  # (n,)
    mu = np.asarray(mu, dtype=float)
    if mu.ndim != 2 or len(mu) != len(reconstruction):
        raise ValueError(
            f"negative_elbo: mu must be (n, k) with the n = {len(reconstruction)} rows of x, "
            f"got {mu.shape}"
        )
    return float(np.mean(reconstruction + beta * kl_to_standard_normal(mu, logvar)))


def log_mean_exp(a, axis=0):
    """Stable ``log (1/K) sum_k exp(a_k)`` along ``axis`` (K its length)."""
    a = np.asarray(a, dtype=float)
    return logsumexp(a, axis=axis) - np.log(a.shape[axis])


def iwae_bound(log_weights):
    """The importance-weighted bound ``L_K = log (1/K) sum_k w_k`` per example: (K, n) -> (n,).

    ``log_weights[k, i] = log p(x_i, z_ik) - log q(z_ik | x_i)`` for K samples
    ``z_ik ~ q(z | x_i)``. Computed by log-sum-exp, since log-weights of a few hundred
    nats (the log-likelihood of an image) underflow ``exp``. ``L_1`` is the ELBO; ``L_K``
    grows with K towards ``log p(x)`` (Burda et al., 2016).
    """
    log_weights = np.asarray(log_weights, dtype=float)
    if log_weights.ndim != 2 or 0 in log_weights.shape:
        raise ValueError(
            f"iwae_bound: log_weights must be (K, n), one row per sample, got {log_weights.shape}"
        )
    return log_mean_exp(log_weights, axis=0)


def active_units(mu, threshold=0.01):
    """How many latent dimensions are active: ``Var_x(E[z_j | x]) > threshold``, an int.

    mu (n, k): the encoder's means for n inputs. The variance of each column over the
    rows (``np.var``, dividing by n) measures how much dimension j tells the inputs
    apart; a dimension whose mean is the same for every input carries no information
    (posterior collapse: its q(z_j|x) is the prior). Burda et al. use threshold 0.01.
    """
    mu = _rows(mu, "mu", "active_units")
    return int(np.sum(np.var(mu, axis=0) > float(threshold)))


# ---------------------------------------------------------------- regularised autoencoders


def contractive_penalty(X, W, b):
    """``(penalty, dW, db)``: the contractive penalty of ``h = sigmoid(X W + b)`` and its gradient.

    X (n, d), W (d, m), b (m,). The encoder's Jacobian for row x is
    ``dh_j/dx_i = h_j (1 - h_j) W_ij``, so its squared Frobenius norm is
    ``sum_j (h_j (1 - h_j))^2 sum_i W_ij^2``; the penalty is its mean over the n rows.
    With ``a = h (1 - h)`` (n, m), ``s_j = sum_i W_ij^2`` (m,) and ``da/dz = a (1 - 2h)``:

        dW = (2/n) X^T [a^2 (1 - 2h) s] + 2 W mean_n(a^2)        (d, m)
        db = (2/n) sum_n a^2 (1 - 2h) s                          (m,)

    The first term comes through h (the product rule on a^2), the second through W's
    own column norms.
    """
    X = _rows(X, "X", "contractive_penalty")
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or W.shape[0] != X.shape[1] or b.shape != (W.shape[1],):
        raise ValueError(
            f"contractive_penalty: expected W ({X.shape[1]}, m) and b (m,) for X {X.shape}, "
            f"got W {W.shape} and b {b.shape}"
        )
    n = len(X)
    h = sigmoid(X @ W + b)  # (n, m)
    a2 = (h * (1.0 - h)) ** 2  # (n, m)
    s = np.sum(W**2, axis=0)  # (m,): squared norm of each column
    penalty = float(np.mean(a2 @ s))
    through_h = 2.0 * a2 * (1.0 - 2.0 * h) * s / n  # (n, m): d penalty / d z
    dW = X.T @ through_h + 2.0 * W * a2.mean(axis=0)
    return penalty, dW, through_h.sum(axis=0)


def corrupt(X, kind, level, seed=0):
    """A corrupted copy of X for a denoising autoencoder; X itself is left unchanged.

    - ``"gaussian"``: ``X + level * N(0, 1)`` noise on every entry (level is the std);
    - ``"mask"``: each entry is set to 0 with probability ``level``, independently (the
      kept entries are **not** rescaled: this is corruption, not dropout);
    - ``"salt_pepper"``: each entry, with probability ``level``, is replaced by 0 or 1
      (each with probability 1/2); the others stay.

    seed: an int or a ``numpy.random.Generator``. Same shape as X, float64.
    """
    if kind not in CORRUPTIONS:
        raise ValueError(f"corrupt: unknown kind {kind!r}; choose one of {CORRUPTIONS}")
    X = np.array(X, dtype=float)  # a copy
    level = float(level)
    if kind == "gaussian" and not (level >= 0 and np.isfinite(level)):
        raise ValueError(f"corrupt: the noise std level must be finite and >= 0, got {level}")
    if kind != "gaussian" and not 0.0 <= level <= 1.0:
        raise ValueError(f"corrupt: level is a probability for {kind!r}, in [0, 1], got {level}")
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        return X + level * rng.standard_normal(X.shape)
    hit = rng.random(X.shape) < level
    if kind == "mask":
        return np.where(hit, 0.0, X)
    salt = rng.random(X.shape) < 0.5
    return np.where(hit, salt.astype(float), X)


# ---------------------------------------------------------------- contrastive and few-shot


def nt_xent(z1, z2, tau=0.5):
    """The NT-Xent (normalised temperature-scaled cross-entropy) loss of SimCLR, a float.

    z1, z2 (N, d): embeddings of two views of the same N examples; row i of z1 and row i
    of z2 are a positive pair. With the 2N rows ``u = [z1; z2]`` normalised to unit
    length and ``s_ik = u_i . u_k / tau`` (cosine similarity over the temperature), the
    loss of anchor i is ``-log exp(s_ip) / sum_{k != i} exp(s_ik)``, p its partner
    ``(i + N) mod 2N``; the anchor's similarity with itself is left out of the sum. The
    result is the mean over all 2N anchors (eq 15.1), computed with log-softmax.
    """
    z1, z2 = _rows(z1, "z1", "nt_xent"), _rows(z2, "z2", "nt_xent")
    _same_shape(z1, z2, ("z1", "z2"), "nt_xent")
    tau = float(tau)
    if not tau > 0:
        raise ValueError(f"nt_xent: the temperature tau must be > 0, got {tau}")
    n = len(z1)
    u = np.concatenate([z1, z2])  # (2N, d)
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    scores = u @ u.T / tau  # (2N, 2N)
    np.fill_diagonal(scores, -np.inf)  # no anchor is its own negative
    partner = (np.arange(2 * n) + n) % (2 * n)
    return float(-np.mean(log_softmax(scores, axis=1)[np.arange(2 * n), partner]))


def prototype_predict(support_z, support_y, query_z):
    """Few-shot classification by the nearest class prototype (prototypical networks).

    support_z (m, d) embeddings of the labelled support examples, support_y (m,) their
    labels (any integers, e.g. {3, 7, 9}), query_z (q, d). Each class's prototype is the
    mean of its support embeddings; a query gets the label of the prototype at the
    smallest squared Euclidean distance. Returns (q,) int64 labels from support_y.
    """
    support_z, query_z = (
        _rows(support_z, "support_z", "prototype_predict"),
        np.asarray(query_z, dtype=float),
    )
    support_y = np.asarray(support_y)
    if support_y.shape != (len(support_z),):
        raise ValueError(
            f"prototype_predict: support_y must hold one label per row of support_z, "
            f"shape ({len(support_z)},), got {support_y.shape}"
        )
    if query_z.ndim != 2 or query_z.shape[1] != support_z.shape[1]:
        raise ValueError(
            f"prototype_predict: query_z must be (q, {support_z.shape[1]}), got {query_z.shape}"
        )
    classes, index = np.unique(support_y, return_inverse=True)  # labels -> 0..c-1
    counts = np.bincount(index, minlength=len(classes))  # (c,)
    prototypes = np.zeros((len(classes), support_z.shape[1]))
    np.add.at(prototypes, index, support_z)
    prototypes /= counts[:, None]  # (c, d) class means
    distances = (
        np.sum(query_z**2, axis=1)[:, None]
        - 2.0 * query_z @ prototypes.T
        + np.sum(prototypes**2, axis=1)[None, :]
    )  # (q, c) squared distances
    return classes[np.argmin(distances, axis=1)].astype(np.int64)


__all__ = [
    "CORRUPTIONS",
    "active_units",
    "bernoulli_log_likelihood",
    "contractive_penalty",
    "corrupt",
    "iwae_bound",
    "kl_to_standard_normal",
    "log_mean_exp",
    "negative_elbo",
    "nt_xent",
    "prototype_predict",
    "reparameterize",
]
