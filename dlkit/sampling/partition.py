"""Confronting the partition function: RBMs with contrastive divergence, NCE, score matching.

Reference implementations for module 17. A model ``p(x) = p~(x) / Z`` whose normaliser
``Z = sum_x p~(x)`` is intractable can still be trained:

- **restricted Boltzmann machine** (binary v (n_v,), h (n_h,)): energy
  ``E(v, h) = -b.v - c.h - v.W h``, free energy ``F(v) = -b.v - sum_j softplus(c_j + (v W)_j)``
  so ``p(v) = exp(-F(v)) / Z``. The log-likelihood gradient is a data term minus a model
  term, ``E_data[v sigma(c + v W)^T] - E_model[...]``; **CD-k** estimates the model term
  by k steps of block Gibbs sampling started at the data. ``Z`` itself is computable by
  enumerating the smaller layer when it has at most about 20 units.
- **noise-contrastive estimation** fits ``log p_m(x) = log p~(x) + c`` with ``c`` a free
  parameter by telling data from k times as many noise draws: logistic regression with
  logit ``log p_m(x) - log(k p_n(x))``; at the optimum ``c`` approaches ``-log Z``.
- **score matching** fits the score ``psi = d/dx log p~``, which does not involve Z, by
  minimising ``E_data[psi(x)^2 / 2 + psi'(x)]`` (Hyvarinen's integration by parts of
  ``E ||psi - psi_data||^2 / 2``). For ``log p~ = sum_{j=1}^K theta_j x^j`` it is
  quadratic in theta and solved by one linear system.

Shapes: V (n, n_v) of 0/1, W (n_v, n_h), b (n_v,), c (n_h,).
"""

import numpy as np
import scipy.optimize
from tqdm.auto import tqdm

from dlkit.numerics import logsumexp, sigmoid, softplus

MAX_ENUMERATED_UNITS = 24  # log Z enumerates 2^units states of the smaller layer


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _rbm(V, W, b, c, func):
    W = np.asarray(W, dtype=float)
    b, c = np.asarray(b, dtype=float), np.asarray(c, dtype=float)
    if W.ndim != 2 or b.shape != (W.shape[0],) or c.shape != (W.shape[1],):
        raise ValueError(
            f"{func}: need W (n_v, n_h), b (n_v,) and c (n_h,), got {W.shape}, {b.shape}, {c.shape}"
        )
    if V is None:
        return None, W, b, c
    V = np.asarray(V, dtype=float)
    if V.ndim == 1:
        V = V[None, :]
    if V.ndim != 2 or V.shape[1] != W.shape[0]:
        raise ValueError(
            f"{func}: V must be (n, {W.shape[0]}) rows of visible units, got {V.shape}"
        )
    return V, W, b, c


def binary_states(n_units):
    """All ``2^n_units`` binary vectors as rows, (2^n, n), first unit the most significant."""
    codes = np.arange(2**n_units)[:, None]
    return ((codes >> np.arange(n_units - 1, -1, -1)) & 1).astype(float)


# ---------------------------------------------------------------- RBM: energies and Z


def rbm_energy(V, H, W, b, c):
    """``E(v, h) = -b.v - c.h - v.W h`` row by row: V (n, n_v), H (n, n_h) -> (n,)."""
    V, W, b, c = _rbm(V, W, b, c, "rbm_energy")
    H = np.atleast_2d(np.asarray(H, dtype=float))
    return -(V @ b) - H @ c - np.einsum("ni,ij,nj->n", V, W, H)


def rbm_free_energy(V, W, b, c):
    """``F(v) = -b.v - sum_j softplus(c_j + (v W)_j)`` (n,); ``exp(-F) = sum_h exp(-E)``."""
    V, W, b, c = _rbm(V, W, b, c, "rbm_free_energy")
    return -(V @ b) - softplus(V @ W + c).sum(axis=1)


def rbm_log_partition(W, b, c, chunk=2**14):
    """``log Z = log sum_{v,h} exp(-E(v, h))``, exact, by enumerating the smaller layer.

    Over h: ``log Z = logsumexp_h [c.h + sum_i softplus(b_i + (W h)_i)]``; over v:
    ``logsumexp_v [-F(v)]``. Feasible up to about 20-24 units in that layer.
    """
    _, W, b, c = _rbm(None, W, b, c, "rbm_log_partition")
    n_v, n_h = W.shape
    if min(n_v, n_h) > MAX_ENUMERATED_UNITS:
        raise ValueError(
            f"rbm_log_partition: both layers have more than {MAX_ENUMERATED_UNITS} units; "
            "exact log Z needs a small layer (use annealed importance sampling instead)"
        )
    over_hidden = n_h <= n_v
    units = n_h if over_hidden else n_v
    parts = []
    for start in range(0, 2**units, chunk):
        codes = np.arange(start, min(start + chunk, 2**units))[:, None]
        states = ((codes >> np.arange(units - 1, -1, -1)) & 1).astype(float)
        if over_hidden:
            parts.append(states @ c + softplus(states @ W.T + b).sum(axis=1))
        else:
            parts.append(-rbm_free_energy(states, W, b, c))
    return float(logsumexp(np.concatenate(parts)))


def rbm_log_likelihood(V, W, b, c):
    """``log p(v) = -F(v) - log Z`` for each row of V, (n,)."""
    return -rbm_free_energy(V, W, b, c) - rbm_log_partition(W, b, c)


def rbm_exact_gradient(V, W, b, c):
    """The exact gradient of the mean log-likelihood of V, ``(dW, db, dc)``, by enumerating
    the visible states (small n_v only): data statistics minus model statistics."""
    V, W, b, c = _rbm(V, W, b, c, "rbm_exact_gradient")
    if W.shape[0] > 16:
        raise ValueError("rbm_exact_gradient: enumerates 2^n_v visible states; n_v <= 16")
    states = binary_states(W.shape[0])  # (2^n_v, n_v)
    log_p = -rbm_free_energy(states, W, b, c)
    p = np.exp(log_p - logsumexp(log_p))  # (2^n_v,)
    ph_data, ph_model = sigmoid(V @ W + c), sigmoid(states @ W + c)
    dW = V.T @ ph_data / len(V) - states.T @ (p[:, None] * ph_model)
    return dW, V.mean(axis=0) - p @ states, ph_data.mean(axis=0) - p @ ph_model


# ---------------------------------------------------------------- Gibbs sampling, CD-k


def sample_hidden(V, W, c, rng):
    """``h ~ Bernoulli(sigma(c + V W))``; returns (probabilities, sample), each (n, n_h)."""
    probs = sigmoid(V @ W + c)
    return probs, (rng.uniform(size=probs.shape) < probs).astype(float)


def sample_visible(H, W, b, rng):
    """``v ~ Bernoulli(sigma(b + H W^T))``; returns (probabilities, sample), each (n, n_v)."""
    probs = sigmoid(H @ W.T + b)
    return probs, (rng.uniform(size=probs.shape) < probs).astype(float)


def rbm_gibbs(V, W, b, c, k, seed=0):
    """k steps of block Gibbs sampling ``v -> h -> v`` from each row of V; returns v_k."""
    V, W, b, c = _rbm(V, W, b, c, "rbm_gibbs")
    rng = _rng(seed)
    v = V
    for _ in range(int(k)):
        _, h = sample_hidden(v, W, c, rng)
        _, v = sample_visible(h, W, b, rng)
    return v


def cd_k_gradient(V, W, b, c, k, seed=0, start=None):
    """CD-k estimate of the gradient of the mean log-likelihood, ``(dW, db, dc)``.

    Positive phase at the data, ``P_0 = sigma(c + V W)``; the negative chain starts at the
    data (or at ``start``: persistent CD) and takes k Gibbs steps to ``V_k``, with
    ``P_k = sigma(c + V_k W)``; then ``dW = (V^T P_0 - V_k^T P_k) / n``,
    ``db = mean(V - V_k)``, ``dc = mean(P_0 - P_k)``. An ascent direction: add ``lr * grad``.
    """
    grads, _ = _cd(V, W, b, c, k, _rng(seed), start)
    return grads


def _cd(V, W, b, c, k, rng, start):
    V, W, b, c = _rbm(V, W, b, c, "cd_k_gradient")
    if not (isinstance(k, int | np.integer) and k >= 1):
        raise ValueError(f"cd_k_gradient: k must be a positive integer, got {k!r}")
    negative = V if start is None else np.asarray(start, dtype=float)
    negative = rbm_gibbs(negative, W, b, c, k, rng)
    p0, pk = sigmoid(V @ W + c), sigmoid(negative @ W + c)
    grads = (
        V.T @ p0 / len(V) - negative.T @ pk / len(negative),  # (n_v, n_h)
        V.mean(axis=0) - negative.mean(axis=0),
        p0.mean(axis=0) - pk.mean(axis=0),
    )
    return grads, negative


class RBM:
    """A binary restricted Boltzmann machine trained by CD-k or persistent CD (numpy).

    ``W`` (n_visible, n_hidden) starts at ``N(0, scale^2)``, the biases at 0 (or b at the
    data's log-odds when ``fit`` is given ``init_visible_bias=True``).
    """

    def __init__(self, n_visible, n_hidden, seed=0, scale=0.1):
        rng = _rng(seed)
        self.W = rng.normal(0.0, scale, (n_visible, n_hidden))
        self.b = np.zeros(n_visible)
        self.c = np.zeros(n_hidden)

    def free_energy(self, V):
        return rbm_free_energy(V, self.W, self.b, self.c)

    def log_partition(self):
        return rbm_log_partition(self.W, self.b, self.c)

    def log_likelihood(self, V):
        """Mean exact log-likelihood of the rows of V (nats per example)."""
        return float(rbm_log_likelihood(V, self.W, self.b, self.c).mean())

    def sample(self, n, k, seed=0):
        """n visible samples after k Gibbs steps from uniform noise, (n, n_visible)."""
        rng = _rng(seed)
        start = (rng.uniform(size=(n, self.W.shape[0])) < 0.5).astype(float)
        return rbm_gibbs(start, self.W, self.b, self.c, k, rng)

    def fit(
        self,
        V,
        epochs=10,
        lr=0.05,
        batch_size=32,
        k=1,
        persistent=False,
        seed=0,
        V_eval=None,
        init_visible_bias=True,
        progress=None,
    ):
        """Mini-batch gradient ascent with CD-k (or PCD: the chains carry over batches).

        Returns a history ``{"epoch": [...], "log_likelihood": [...]}`` with the exact mean
        log-likelihood of ``V_eval`` (default V) after each epoch, when Z is enumerable.
        ``progress``: a tqdm bar over epochs (default: on except in fast mode).
        """
        from dlkit.config import is_fast

        V, *_ = _rbm(V, self.W, self.b, self.c, "RBM.fit")
        rng = _rng(seed)
        if init_visible_bias:
            mean = np.clip(V.mean(axis=0), 1e-3, 1 - 1e-3)
            self.b = np.log(mean / (1 - mean))
        evaluate = min(self.W.shape) <= 20
        V_eval = V if V_eval is None else V_eval
        chains = V[rng.integers(0, len(V), batch_size)] if persistent else None
        history = {"epoch": [], "log_likelihood": []}
        show = not is_fast() if progress is None else progress
        bar = tqdm(range(1, epochs + 1), desc="RBM", unit="epoch", disable=not show)
        for epoch in bar:
            order = rng.permutation(len(V))
            for start in range(0, len(V), batch_size):
                batch = V[order[start : start + batch_size]]
                (dW, db, dc), negative = _cd(batch, self.W, self.b, self.c, k, rng, chains)
                if persistent:
                    chains = negative
                self.W += lr * dW
                self.b += lr * db
                self.c += lr * dc
            history["epoch"].append(epoch)
            if evaluate:
                history["log_likelihood"].append(self.log_likelihood(V_eval))
                bar.set_postfix(loglik=f"{history['log_likelihood'][-1]:.2f}")
        return history


# ---------------------------------------------------------------- noise-contrastive estimation


def _log_sigmoid(z):
    """``log sigma(z) = -softplus(-z)``, finite for any z."""
    return -softplus(-z)


def nce_loss(log_pm_data, log_pm_noise, log_pn_data, log_pn_noise, k):
    """The NCE loss (to minimise): minus eq. 18.4 per data point.

    With ``s(u) = log p_m(u) - log(k p_n(u))`` and ``h = sigma(s)``:
    ``-[mean_data log h(x) + k mean_noise log(1 - h(y))]``, for n data and k n noise draws.
    """
    log_pm_data, log_pn_data = np.asarray(log_pm_data, float), np.asarray(log_pn_data, float)
    log_pm_noise, log_pn_noise = np.asarray(log_pm_noise, float), np.asarray(log_pn_noise, float)
    if log_pm_data.shape != log_pn_data.shape or log_pm_noise.shape != log_pn_noise.shape:
        raise ValueError("nce_loss: the model and noise log-densities must pair up, point by point")
    if not k > 0:
        raise ValueError(f"nce_loss: k (noise draws per data draw) must be positive, got {k}")
    s_data = log_pm_data - log_pn_data - np.log(k)
    s_noise = log_pm_noise - log_pn_noise - np.log(k)
    return float(-(_log_sigmoid(s_data).mean() + k * _log_sigmoid(-s_noise).mean()))


def _gaussian_model(u, theta):
    """``log p_m(u) = -(u - mu)^2 / (2 sd^2) + c`` with ``theta = (mu, log_sd, c)``."""
    mu, log_sd, c = theta
    return -0.5 * ((u - mu) / np.exp(log_sd)) ** 2 + c


def _normal_logpdf(u, mu, sd):
    return -0.5 * ((u - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)


def nce_gaussian_loss_and_grad(theta, x, y, noise_mu, noise_sd):
    """NCE loss of the unnormalised Gaussian model and its gradient in (mu, log_sd, c).

    x (n,) data, y (k n,) noise draws from ``N(noise_mu, noise_sd^2)``, k = len(y) / len(x).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    k = len(y) / len(x)
    mu, log_sd, _ = theta
    s_x = _gaussian_model(x, theta) - _normal_logpdf(x, noise_mu, noise_sd) - np.log(k)
    s_y = _gaussian_model(y, theta) - _normal_logpdf(y, noise_mu, noise_sd) - np.log(k)
    loss = -(_log_sigmoid(s_x).sum() + _log_sigmoid(-s_y).sum()) / len(x)
    g_x, g_y = -sigmoid(-s_x) / len(x), sigmoid(s_y) / len(x)  # d loss / d s
    var = np.exp(2 * log_sd)

    def ds(u):  # d s / d theta for each point, (len(u), 3)
        return np.column_stack([(u - mu) / var, (u - mu) ** 2 / var, np.ones_like(u)])

    return float(loss), g_x @ ds(x) + g_y @ ds(y)


def fit_nce_gaussian(x, y, noise_mu, noise_sd):
    """NCE fit of ``log p_m(u) = -(u - mu)^2 / (2 sd^2) + c``: returns ``(mu, log_sd, c)``.

    Minimises :func:`nce_gaussian_loss_and_grad` with BFGS from the moment estimates;
    ``c`` approaches the true log-normaliser ``-log(sd sqrt(2 pi))`` as n grows.
    """
    x = np.asarray(x, float)
    start = np.array([x.mean(), np.log(x.std()), -np.log(x.std() * np.sqrt(2 * np.pi))])
    result = scipy.optimize.minimize(
        nce_gaussian_loss_and_grad,
        start,
        args=(x, np.asarray(y, float), float(noise_mu), float(noise_sd)),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-10, "maxiter": 500},
    )
    return tuple(float(v) for v in result.x)


# ---------------------------------------------------------------- score matching


def _powers(x, degree, func):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"{func}: x must be a 1-D array of samples, got shape {x.shape}")
    if not (isinstance(degree, int | np.integer) and degree >= 1):
        raise ValueError(f"{func}: degree must be a positive integer, got {degree!r}")
    j = np.arange(1, degree + 1)
    first = j * x[:, None] ** (j - 1)  # d/dx x^j, (n, K)
    second = j * (j - 1) * x[:, None] ** np.maximum(j - 2, 0)  # d2/dx2 x^j, (n, K)
    return first, second


def poly_score(x, theta):
    """``psi(x) = d/dx sum_j theta_j x^j = sum_j j theta_j x^(j-1)`` (n,)."""
    theta = np.asarray(theta, dtype=float)
    first, _ = _powers(x, theta.size, "poly_score")
    return first @ theta


def score_matching_objective(x, theta):
    """``J(theta) = mean_data [psi(x)^2 / 2 + psi'(x)]`` for ``log p~ = sum_j theta_j x^j``.

    Equals ``E ||psi - psi_data||^2 / 2`` up to a constant that does not depend on theta.
    """
    theta = np.asarray(theta, dtype=float)
    first, second = _powers(x, theta.size, "score_matching_objective")
    return float(np.mean(0.5 * (first @ theta) ** 2 + second @ theta))


def score_matching_fit(x, degree):
    """The minimiser ``theta = -M^{-1} v`` of :func:`score_matching_objective`, with
    ``M = mean a a^T``, ``a_j = j x^(j-1)`` and ``v_j = mean j (j-1) x^(j-2)``; (degree,).

    For degree 2 (a Gaussian) it gives ``theta_1 = mean / var``, ``theta_2 = -1 / (2 var)``
    with the ddof-0 variance: the maximum-likelihood answer, found without Z.
    """
    first, second = _powers(x, degree, "score_matching_fit")
    M = first.T @ first / len(first)  # (K, K)
    return -np.linalg.solve(M, second.mean(axis=0))


__all__ = [
    "RBM",
    "binary_states",
    "cd_k_gradient",
    "fit_nce_gaussian",
    "nce_gaussian_loss_and_grad",
    "nce_loss",
    "poly_score",
    "rbm_energy",
    "rbm_exact_gradient",
    "rbm_free_energy",
    "rbm_gibbs",
    "rbm_log_likelihood",
    "rbm_log_partition",
    "sample_hidden",
    "sample_visible",
    "score_matching_fit",
    "score_matching_objective",
]
