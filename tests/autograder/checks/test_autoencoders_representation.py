"""The module-16 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import contextlib

import numpy as np
import pytest
import scipy.spatial
import scipy.special
import torch

import dlkit as dk
from dlkit import nn

pytestmark = pytest.mark.usefixtures("one_thread")
F = torch.nn.functional


@contextlib.contextmanager
def one_torch_thread():
    """One torch thread while training, as in a grading kernel: the contract test runs the
    table's functions outside this module's one_thread fixture."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def train_linear_ae_ref(X, k, seed, epochs=100, center=True):
    with one_torch_thread():
        mean = X.mean(axis=0) if center else np.zeros(X.shape[1])
        torch.manual_seed(seed)
        config = dk.models.AEConfig(in_features=64, hidden=(), latent=k, linear=True, bias=False)
        model = dk.models.AE(config)
        dk.models.autoencoder.train_autoencoder(
            model, X - mean, epochs=epochs, lr=1e-2, batch_size=64, seed=seed, progress=False
        )
        p = model.to_numpy_params()
        return {"mean": mean, "We": p["enc_W1"], "Wd": p["dec_W1"]}


def train_vae_ref(X, seed, epochs=50):
    with one_torch_thread():
        torch.manual_seed(seed)
        model = dk.models.VAE(dk.models.VAEConfig(latent=8, hidden=128))
        dk.models.vae.train_vae(model, X, epochs=epochs, lr=3e-3, seed=seed, progress=False)
        return model.to_numpy_params()


REFERENCES = {
    "train_linear_ae": (train_linear_ae_ref,),
    "corrupt": (nn.corrupt,),
    "contractive_penalty": (nn.contractive_penalty,),
    "kl_to_standard_normal": (nn.kl_to_standard_normal,),
    "reparameterize": (nn.reparameterize,),
    "negative_elbo": (nn.negative_elbo,),
    "active_units": (nn.active_units,),
    "iwae_bound": (nn.iwae_bound,),
    "train_vae": (train_vae_ref,),
    "nt_xent": (nn.nt_xent,),
    "prototype_predict": (nn.prototype_predict,),
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def corrupt_binomial(X, kind, level, seed=0):
    """Other draws from the generator (binomial masks), the same distributions."""
    rng = np.random.default_rng(seed)
    X = np.array(X, dtype=float)
    if kind == "gaussian":
        return X + rng.normal(0.0, level, X.shape)
    if kind == "mask":
        return X * rng.binomial(1, 1 - level, X.shape)
    if kind == "salt_pepper":
        hit = rng.binomial(1, level, X.shape).astype(bool)
        out = X.copy()
        out[hit] = rng.integers(0, 2, int(hit.sum()))
        return out
    raise ValueError(kind)


def kl_einsum(mu, logvar):
    """The closed form with the sums written as contractions."""
    k = mu.shape[-1]
    return 0.5 * (np.einsum("nk,nk->n", mu, mu) + np.exp(logvar).sum(-1) - k - logvar.sum(-1))


def negative_elbo_torch(x, x_logits, mu, logvar, beta=1.0):
    rec = F.binary_cross_entropy_with_logits(
        torch.tensor(x_logits), torch.tensor(x), reduction="sum"
    )
    kl = torch.tensor(nn.kl_to_standard_normal(mu, logvar)).sum()
    return float((rec + beta * kl) / len(x))


def iwae_logaddexp(log_weights):
    """numpy's own pairwise log(exp(a) + exp(b)), reduced over the K samples."""
    return np.logaddexp.reduce(log_weights, axis=0) - np.log(len(log_weights))


def nt_xent_loop(z1, z2, tau=0.5):
    u = np.concatenate([z1, z2])
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    n2, total = len(u), 0.0
    for i in range(n2):
        others = [k for k in range(n2) if k != i]
        scores = u[others] @ u[i] / tau
        positive = u[(i + n2 // 2) % n2] @ u[i] / tau
        total += scipy.special.logsumexp(scores) - positive
    return total / n2


def prototypes_loop(support_z, support_y, query_z):
    labels = sorted(set(support_y.tolist()))
    prototypes = {c: support_z[support_y == c].mean(axis=0) for c in labels}
    return np.array([min(labels, key=lambda c: np.sum((q - prototypes[c]) ** 2)) for q in query_z])


ALTERNATIVES = [
    ("corrupt", corrupt_binomial),
    ("kl_to_standard_normal", kl_einsum),
    ("negative_elbo", negative_elbo_torch),
    ("iwae_bound", iwae_logaddexp),
    ("nt_xent", nt_xent_loop),
    ("prototype_predict", prototypes_loop),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def linear_ae_uncentred(X, k, seed, epochs=100):
    return train_linear_ae_ref(X, k, seed, epochs, center=False)


def linear_ae_torch_layout(X, k, seed, epochs=100):
    weights = train_linear_ae_ref(X, k, seed, 5)
    return {key: value.T for key, value in weights.items()}


def linear_ae_reconstructions(X, k, seed, epochs=100):
    weights = train_linear_ae_ref(X, k, seed, 5)
    return (X - weights["mean"]) @ weights["We"] @ weights["Wd"] + weights["mean"]


def linear_ae_unseeded(X, k, seed, epochs=100):
    return train_linear_ae_ref(X, k, int(np.random.default_rng().integers(1000)), epochs)


def corrupt_keep_probability(X, kind, level, seed=0):
    return nn.corrupt(X, kind, 1 - level if kind == "mask" else level, seed)


def corrupt_rescaled(X, kind, level, seed=0):
    out = nn.corrupt(X, kind, level, seed)
    return out / (1 - level) if kind == "mask" else out


def corrupt_variance(X, kind, level, seed=0):
    return nn.corrupt(X, kind, np.sqrt(level) if kind == "gaussian" else level, seed)


def corrupt_clipped(X, kind, level, seed=0):
    out = nn.corrupt(X, kind, level, seed)
    return np.clip(out, 0, 1) if kind == "gaussian" else out


def corrupt_in_place(X, kind, level, seed=0):
    X[...] = nn.corrupt(X, kind, level, seed)
    return X


def corrupt_fixed_seed(X, kind, level, seed=0):
    return nn.corrupt(X, kind, level, 0)


def corrupt_salt_only(X, kind, level, seed=0):
    if kind != "salt_pepper":
        return nn.corrupt(X, kind, level, seed)
    rng = np.random.default_rng(seed)
    return np.where(rng.random(X.shape) < level, 1.0, X)


def corrupt_any_kind(X, kind, level, seed=0):
    return nn.corrupt(X, kind if kind in nn.CORRUPTIONS else "mask", level, seed)


def _contractive(X, W, b, *, a_of=None, square=True, reduce=np.mean, rows=False, grad="ok"):
    n = len(X)
    h = scipy.special.expit(X @ W + b)
    a = h * (1 - h) if a_of is None else a_of(h)
    s = np.sum(W**2, axis=1 if rows else 0)
    penalty = float(reduce((a**2 if square else a) @ s))
    through_h = 2 * a**2 * (1 - 2 * h) * s / n
    if grad == "no (1-2h)":
        through_h = 2 * a**2 * s / n
    direct = 2 * W * (a**2).mean(axis=0)
    if grad == "no direct":
        direct = 0 * W
    return penalty, X.T @ through_h + direct, through_h.sum(axis=0)


def contractive_h_for_a(X, W, b):
    return _contractive(X, W, b, a_of=lambda h: h)


def contractive_unsquared(X, W, b):
    return _contractive(X, W, b, square=False)


def contractive_summed(X, W, b):
    return _contractive(X, W, b, reduce=np.sum)


def contractive_row_norms(X, W, b):
    return _contractive(X, W, b, rows=True)


def contractive_no_product_rule(X, W, b):
    return _contractive(X, W, b, grad="no (1-2h)")


def contractive_no_direct_term(X, W, b):
    return _contractive(X, W, b, grad="no direct")


def kl_log_sigma(mu, logvar):
    return nn.kl_to_standard_normal(mu, 2 * logvar)


def kl_no_half(mu, logvar):
    return 2 * nn.kl_to_standard_normal(mu, logvar)


def kl_batch_total(mu, logvar):
    return float(np.sum(nn.kl_to_standard_normal(mu, logvar)))


def kl_over_batch_axis(mu, logvar):
    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1 - logvar, axis=0)


def kl_averaged(mu, logvar):
    return nn.kl_to_standard_normal(mu, logvar) / mu.shape[-1]


def kl_torch_distributions(mu, logvar):
    D = torch.distributions
    q = D.Normal(torch.tensor(mu), torch.exp(0.5 * torch.tensor(logvar)))
    return D.kl_divergence(q, D.Normal(0.0, 1.0)).sum(-1).numpy()


def kl_calls_dlkit(mu, logvar):
    return nn.kl_to_standard_normal(mu, logvar)


def reparam_variance(mu, logvar, eps):
    z, dmu, _ = nn.reparameterize(mu, 2 * logvar, eps)
    return z, dmu, 0.5 * np.exp(logvar) * eps


def reparam_own_noise(mu, logvar, eps):
    return nn.reparameterize(mu, logvar, np.random.default_rng().standard_normal(mu.shape))


def reparam_no_half(mu, logvar, eps):
    z, dmu, dlogvar = nn.reparameterize(mu, logvar, eps)
    return z, dmu, 2 * dlogvar


def reparam_dmu_eps(mu, logvar, eps):
    z, _, dlogvar = nn.reparameterize(mu, logvar, eps)
    return z, eps, dlogvar


def _bce(x, logits):
    return np.maximum(logits, 0) - x * logits + np.log1p(np.exp(-np.abs(logits)))


def elbo_pixel_mean(x, x_logits, mu, logvar, beta=1.0):
    rec = _bce(x, x_logits).mean(axis=1)
    return float(np.mean(rec + beta * nn.kl_to_standard_normal(mu, logvar)))


def elbo_naive_log(x, x_logits, mu, logvar, beta=1.0):
    p = 1 / (1 + np.exp(-x_logits))
    rec = -(x * np.log(p) + (1 - x) * np.log(1 - p)).sum(axis=1)
    return float(np.mean(rec + beta * nn.kl_to_standard_normal(mu, logvar)))


def elbo_logits_as_probabilities(x, x_logits, mu, logvar, beta=1.0):
    rec = -(x * np.log(x_logits) + (1 - x) * np.log(1 - x_logits)).sum(axis=1)
    return float(np.mean(rec + beta * nn.kl_to_standard_normal(mu, logvar)))


def elbo_beta_on_reconstruction(x, x_logits, mu, logvar, beta=1.0):
    rec = _bce(x, x_logits).sum(axis=1)
    return float(np.mean(beta * rec + nn.kl_to_standard_normal(mu, logvar)))


def elbo_positive(x, x_logits, mu, logvar, beta=1.0):
    return -nn.negative_elbo(x, x_logits, mu, logvar, beta)


def elbo_kl_summed_over_batch(x, x_logits, mu, logvar, beta=1.0):
    rec = _bce(x, x_logits).sum(axis=1).mean()
    return float(rec + beta * nn.kl_to_standard_normal(mu, logvar).sum())


def active_wrong_axis(mu, threshold=0.01):
    return int(np.sum(np.var(mu, axis=1) > threshold))


def active_std(mu, threshold=0.01):
    return int(np.sum(np.std(mu, axis=0) > threshold))


def active_mean(mu, threshold=0.01):
    return int(np.sum(np.abs(mu.mean(axis=0)) > threshold))


def active_fixed_threshold(mu, threshold=0.01):
    return nn.active_units(mu, 0.01)


def active_mask(mu, threshold=0.01):
    return np.var(mu, axis=0) > threshold


def iwae_elbo(log_weights):
    return log_weights.mean(axis=0)


def iwae_no_log_k(log_weights):
    return scipy.special.logsumexp(log_weights, axis=0)


def iwae_naive(log_weights):
    return np.log(np.mean(np.exp(log_weights), axis=0))


def iwae_wrong_axis(log_weights):
    return nn.iwae_bound(log_weights.T)


def iwae_scipy(log_weights):
    return scipy.special.logsumexp(log_weights, axis=0) - np.log(len(log_weights))


def _nt_xent(z1, z2, tau, normalise=True, mask_self=True, anchors=None, shift=None):
    u = np.concatenate([z1, z2])
    if normalise:
        u = u / np.linalg.norm(u, axis=1, keepdims=True)
    n2 = len(u)
    scores = u @ u.T / tau
    if mask_self:
        np.fill_diagonal(scores, -np.inf)
    targets = (np.arange(n2) + (n2 // 2 if shift is None else shift)) % n2
    losses = -scipy.special.log_softmax(scores, axis=1)[np.arange(n2), targets]
    return float(losses[: n2 if anchors is None else anchors].mean())


def nt_xent_self_in_denominator(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, tau, mask_self=False)


def nt_xent_dot_product(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, tau, normalise=False)


def nt_xent_tau_twice(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, tau**2)


def nt_xent_no_tau(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, 1.0)


def nt_xent_one_direction(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, tau, anchors=len(z1))


def nt_xent_wrong_partner(z1, z2, tau=0.5):
    return _nt_xent(z1, z2, tau, shift=1)


def nt_xent_naive_exp(z1, z2, tau=0.5):
    n = len(z1)
    u = np.concatenate([z1, z2])
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    e = np.exp(u @ u.T / tau)
    np.fill_diagonal(e, 0.0)
    rows = np.arange(2 * n)
    return float(np.mean(-np.log(e[rows, (rows + n) % (2 * n)] / e.sum(axis=1))))


def _nearest(support_z, support_y, query_z, prototype=np.mean, metric="sqeuclidean"):
    classes = np.unique(support_y)
    protos = np.array([prototype(support_z[support_y == c], axis=0) for c in classes])
    return np.argmin(scipy.spatial.distance.cdist(query_z, protos, metric), axis=1), classes


def prototypes_indices(support_z, support_y, query_z):
    return _nearest(support_z, support_y, query_z)[0]


def prototypes_median(support_z, support_y, query_z):
    index, classes = _nearest(support_z, support_y, query_z, np.median)
    return classes[index]


def prototypes_first_example(support_z, support_y, query_z):
    index, classes = _nearest(support_z, support_y, query_z, lambda z, axis: z[0])
    return classes[index]


def prototypes_cosine(support_z, support_y, query_z):
    index, classes = _nearest(support_z, support_y, query_z, metric="cosine")
    return classes[index]


def prototypes_one_nn(support_z, support_y, query_z):
    return support_y[np.argmin(scipy.spatial.distance.cdist(query_z, support_z), axis=1)]


def _vae_with(X, seed, epochs, loss):
    """The fixed VAE trained with another per-batch loss ``loss(model, x)``."""
    with one_torch_thread():
        torch.manual_seed(seed)
        model = dk.models.VAE(dk.models.VAEConfig(latent=8, hidden=128))
        dk.train.fit(
            model,
            X.astype(np.float32),
            step=lambda m, batch: loss(m, batch[0]),
            optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
            epochs=epochs,
            batch_size=64,
            seed=seed,
            progress=False,
        )
        return model.to_numpy_params()


def _pixel_mean_loss(model, x):
    logits, mu, logvar = model(x)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").mean(dim=1)
    return (rec + dk.models.vae.gaussian_kl(mu, logvar)).mean()


def _log_sigma_loss(model, x):
    mu, log_sigma = model.encode(x)
    z = mu + log_sigma.exp() * torch.randn_like(mu)
    rec = F.binary_cross_entropy_with_logits(model.decode(z), x, reduction="none").sum(dim=1)
    kl = 0.5 * (mu**2 + (2 * log_sigma).exp() - 1 - 2 * log_sigma).sum(dim=1)
    return (rec + kl).mean()


def vae_pixel_mean(X, seed, epochs=50):
    return _vae_with(X, seed, epochs, _pixel_mean_loss)


def vae_beta_4(X, seed, epochs=50):
    return _vae_with(X, seed, epochs, lambda model, x: model.loss(x, beta=4.0))


def vae_log_sigma(X, seed, epochs=50):
    return _vae_with(X, seed, epochs, _log_sigma_loss)


def vae_torch_layout(X, seed, epochs=50):
    return {key: value.T for key, value in train_vae_ref(X, seed, 1).items()}


def vae_reconstructions(X, seed, epochs=50):
    return dk.models.vae.numpy_decode(
        train_vae_ref(X, seed, 1), np.zeros((len(X), 8)), probabilities=True
    )


def vae_unseeded(X, seed, epochs=50):
    return train_vae_ref(X, int(np.random.default_rng().integers(1000)), epochs)


MUTANTS = [
    ("train_linear_ae_basic", linear_ae_uncentred, "the data were not centred"),
    ("train_linear_ae_basic", linear_ae_torch_layout, "transpose them"),
    ("train_linear_ae_basic", linear_ae_reconstructions, "expected a dict of weights"),
    ("train_linear_ae_hidden", linear_ae_unseeded, "torch.manual_seed(seed)"),
    ("corrupt_basic", corrupt_keep_probability, "not to keep it"),
    ("corrupt_basic", corrupt_rescaled, "do not rescale the kept pixels"),
    ("corrupt_basic", corrupt_variance, "not its variance"),
    ("corrupt_basic", corrupt_clipped, "do not clip"),
    ("corrupt_basic", corrupt_in_place, "modified its argument 1 in place"),
    ("corrupt_basic", corrupt_salt_only, "half of them"),
    ("corrupt_hidden", corrupt_fixed_seed, "instead of using a fixed seed"),
    ("corrupt_hidden", corrupt_any_kind, "raise ValueError"),
    ("contractive_penalty_basic", contractive_h_for_a, "h (1 - h) W, not h W"),
    ("contractive_penalty_basic", contractive_unsquared, "the factor squared"),
    ("contractive_penalty_basic", contractive_summed, "do not sum it"),
    ("contractive_penalty_basic", contractive_row_norms, "the wrong index was summed"),
    ("contractive_penalty_basic", contractive_no_product_rule, "(1 - 2h) factor is missing"),
    ("contractive_penalty_basic", contractive_no_direct_term, "W appears twice"),
    ("kl_to_standard_normal_basic", kl_log_sigma, "treats logvar as log sigma"),
    ("kl_to_standard_normal_basic", kl_no_half, "the 1/2 in front of the sum is missing"),
    ("kl_to_standard_normal_basic", kl_batch_total, "one KL per row"),
    ("kl_to_standard_normal_hidden", kl_over_batch_axis, "not over the batch (axis=0)"),
    ("kl_to_standard_normal_basic", kl_averaged, "do not average"),
    ("kl_to_standard_normal_basic", kl_torch_distributions, "your answer uses torch"),
    (
        "kl_to_standard_normal_hidden",
        kl_calls_dlkit,
        "your answer calls dlkit.nn.kl_to_standard_normal",
    ),
    ("reparameterize_basic", reparam_variance, "scale it by the standard deviation"),
    ("reparameterize_basic", reparam_own_noise, "use the eps you are given"),
    ("reparameterize_basic", reparam_no_half, "the 1/2 is missing"),
    ("reparameterize_basic", reparam_dmu_eps, "dz/dmu is 1"),
    ("negative_elbo_basic", elbo_pixel_mean, "a mean over the pixels where the bound needs a sum"),
    ("negative_elbo_hidden", elbo_naive_log, "overflows for large |logits|"),
    ("negative_elbo_basic", elbo_logits_as_probabilities, "logits, not probabilities"),
    ("negative_elbo_hidden", elbo_beta_on_reconstruction, "beta weighs the KL term"),
    ("negative_elbo_basic", elbo_positive, "return minus the ELBO"),
    ("negative_elbo_basic", elbo_kl_summed_over_batch, "the KL is summed over the rows"),
    ("active_units_basic", active_wrong_axis, "a latent dimension is a column"),
    ("active_units_basic", active_std, "not the standard deviation"),
    ("active_units_hidden", active_mean, "not the mean"),
    ("active_units_hidden", active_fixed_threshold, "use the threshold argument"),
    ("active_units_basic", active_mask, "return an int"),
    ("iwae_bound_basic", iwae_elbo, "that is the ELBO"),
    ("iwae_bound_basic", iwae_no_log_k, "the -log K is missing"),
    ("iwae_bound_hidden", iwae_naive, "without log-sum-exp"),
    ("iwae_bound_basic", iwae_wrong_axis, "the K samples are the rows"),
    ("iwae_bound_hidden", iwae_scipy, "your answer calls scipy.special.logsumexp"),
    ("train_vae_basic", vae_pixel_mean, "posterior collapse"),
    ("train_vae_basic", vae_beta_4, "posterior collapse"),
    ("train_vae_basic", vae_log_sigma, "reads as log sigma, not log sigma^2"),
    ("train_vae_basic", vae_torch_layout, "transpose them"),
    ("train_vae_basic", vae_reconstructions, "expected a dict of weights"),
    ("train_vae_hidden", vae_unseeded, "torch.manual_seed(seed)"),
    ("nt_xent_basic", nt_xent_self_in_denominator, "self-similarity is kept in the denominator"),
    ("nt_xent_basic", nt_xent_dot_product, "normalise every row"),
    ("nt_xent_basic", nt_xent_tau_twice, "by tau once"),
    ("nt_xent_basic", nt_xent_no_tau, "by the temperature tau"),
    ("nt_xent_basic", nt_xent_one_direction, "both directions"),
    ("nt_xent_basic", nt_xent_wrong_partner, "(i + N) mod 2N"),
    ("nt_xent_hidden", nt_xent_naive_exp, "exp overflows"),
    ("prototype_predict_basic", prototypes_indices, "not 0..c-1 indices"),
    ("prototype_predict_basic", prototypes_median, "not the median"),
    ("prototype_predict_basic", prototypes_first_example, "the mean of all"),
    ("prototype_predict_basic", prototypes_cosine, "not cosine"),
    ("prototype_predict_basic", prototypes_one_nn, "not with single examples"),
]
