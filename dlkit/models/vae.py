"""A variational autoencoder in torch, with its bounds: the ELBO, beta-VAE and IWAE.

    model = dk.models.VAE(dk.models.VAEConfig(latent=8))
    dk.models.vae.train_vae(model, X_binary, epochs=50)
    model.elbo(x, n_samples=16)                         # (n,) lower bounds on log p(x)

The encoder ``in -> hidden (ReLU) -> 2 latent`` outputs the mean ``mu`` and the log
variance ``logvar = log sigma^2`` of ``q(z|x) = N(mu, diag(sigma^2))``; the decoder
``latent -> hidden (ReLU) -> in`` outputs the logits of a Bernoulli ``p(x|z)`` (binarised
pixels) or, with ``likelihood="gaussian"``, the mean of ``N(x; m(z), sigma_x^2 I)``. The prior is
``N(0, I)``. Training minimises the beta-weighted negative ELBO

    mean_n [ -log p(x_n | z_n) + beta KL(q(z|x_n) || p(z)) ],   z_n = mu + sigma * eps,

one reparameterised sample per example, drawn inside ``dk.train.fit``'s ``step`` hook;
the reconstruction term is a **sum** over the pixels (the log-likelihood of the image).

``to_numpy_params()`` gives ``enc_W1`` (in, hidden), ``enc_b1``, ``enc_W2`` (hidden, 2
latent: the first ``latent`` columns are mu, the others logvar), ``enc_b2``, ``dec_W1``
(latent, hidden), ``dec_b1``, ``dec_W2`` (hidden, in), ``dec_b2``, in the row-vector
convention ``h = x @ W + b``; :func:`numpy_encode` / :func:`numpy_decode` run them in numpy.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit import train
from dlkit.numerics import sigmoid

LIKELIHOODS = ("bernoulli", "gaussian")


@dataclass(frozen=True)
class VAEConfig:
    """Shape and details of a :class:`VAE`.

    in_features: input width; hidden: width of the one hidden layer of the encoder and
    of the decoder; latent: dimension of z; likelihood: ``"bernoulli"`` (decoder logits,
    for 0/1 pixels) or ``"gaussian"`` (decoder means with the fixed std ``sigma_x``);
    beta: the weight of the KL term in the training loss (1 for the ELBO; beta-VAE).
    """

    in_features: int = 64
    hidden: int = 128
    latent: int = 8
    likelihood: str = "bernoulli"
    sigma_x: float = 0.1
    beta: float = 1.0

    def __post_init__(self):
        widths = (self.in_features, self.hidden, self.latent)
        if not all(isinstance(w, int) and w >= 1 for w in widths):
            raise ValueError(
                f"VAEConfig: in_features, hidden, latent must be ints >= 1, got {widths}"
            )
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(
                f"VAEConfig: likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}"
            )
        if not (self.sigma_x > 0 and math.isfinite(self.sigma_x)):
            raise ValueError(f"VAEConfig: sigma_x must be > 0, got {self.sigma_x}")
        if not (self.beta >= 0 and math.isfinite(self.beta)):
            raise ValueError(f"VAEConfig: beta must be finite and >= 0, got {self.beta}")


def gaussian_kl(mu, logvar):
    """``KL(N(mu, exp(logvar)) || N(0, I))`` per row, torch: (n, k) -> (n,)."""
    return 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=-1)


def bernoulli_log_likelihood(x, logits):
    """``sum_pixels log Bernoulli(x | sigmoid(logits))`` per row, torch: (n, d) -> (n,)."""
    return -nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def gaussian_log_likelihood(x, mean, sigma):
    """``sum_pixels log N(x | mean, sigma^2)`` per row, torch: (n, d) -> (n,)."""
    d = x.shape[-1]
    return -0.5 * (((x - mean) / sigma) ** 2).sum(-1) - d * math.log(sigma * math.sqrt(2 * math.pi))


class VAE(nn.Module):
    """Variational autoencoder; see the module docstring.

    ``VAE(VAEConfig(...))`` or ``VAE(latent=2, ...)``. ``forward(x)`` returns
    ``(decoder output, mu, logvar)`` for one reparameterised sample per row.
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = VAEConfig(**overrides)
        elif overrides:
            raise ValueError("VAE: pass either a config or keyword overrides, not both")
        self.config = c = config
        self.encoder = nn.Sequential(
            nn.Linear(c.in_features, c.hidden), nn.ReLU(), nn.Linear(c.hidden, 2 * c.latent)
        )
        self.decoder = nn.Sequential(
            nn.Linear(c.latent, c.hidden), nn.ReLU(), nn.Linear(c.hidden, c.in_features)
        )

    def encode(self, x):
        """``(mu, logvar)`` of q(z|x), each (n, latent)."""
        mu, logvar = self.encoder(x.flatten(start_dim=1)).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        """The decoder's output for codes z (n, latent): logits (Bernoulli) or means (Gaussian)."""
        return self.decoder(z)

    def reparameterize(self, mu, logvar, eps=None):
        """``z = mu + exp(logvar / 2) * eps``, eps ~ N(0, I) drawn here unless given."""
        eps = torch.randn_like(mu) if eps is None else eps
        return mu + torch.exp(0.5 * logvar) * eps

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar

    def log_likelihood(self, x, out):
        """``log p(x | z)`` per row (n,) from the decoder output ``out``."""
        if self.config.likelihood == "bernoulli":
            return bernoulli_log_likelihood(x, out)
        return gaussian_log_likelihood(x, out, self.config.sigma_x)

    def loss(self, x, beta=None):
        """The training loss: ``mean_n [-log p(x_n|z_n) + beta KL_n]``, one sample each;
        beta defaults to ``config.beta``."""
        x = x.flatten(start_dim=1)
        out, mu, logvar = self(x)
        beta = self.config.beta if beta is None else beta
        return (-self.log_likelihood(x, out) + beta * gaussian_kl(mu, logvar)).mean()

    @torch.no_grad()
    def elbo(self, x, n_samples=1):
        """The ELBO per row (n,) (beta = 1): the KL in closed form, the expected
        log-likelihood averaged over ``n_samples`` reparameterised samples."""
        x = x.flatten(start_dim=1)
        mu, logvar = self.encode(x)
        expected = torch.stack(
            [
                self.log_likelihood(x, self.decode(self.reparameterize(mu, logvar)))
                for _ in range(n_samples)
            ]
        ).mean(0)
        return expected - gaussian_kl(mu, logvar)

    @torch.no_grad()
    def log_weights(self, x, k):
        """``log p(x, z_k) - log q(z_k | x)`` for k samples per row: (k, n)."""
        x = x.flatten(start_dim=1)
        mu, logvar = self.encode(x)
        rows = []
        for _ in range(k):
            eps = torch.randn_like(mu)
            z = self.reparameterize(mu, logvar, eps)
            log_prior = -0.5 * (z**2).sum(-1)  # the (2 pi) terms cancel with log q's
            log_q = -0.5 * (eps**2 + logvar).sum(-1)
            rows.append(self.log_likelihood(x, self.decode(z)) + log_prior - log_q)
        return torch.stack(rows)

    @torch.no_grad()
    def iwae(self, x, k):
        """The importance-weighted bound ``log (1/k) sum_k w_k`` per row (n,); k = 1 is an
        ELBO estimate, larger k a tighter bound on log p(x)."""
        return torch.logsumexp(self.log_weights(x, k), dim=0) - math.log(k)

    @torch.no_grad()
    def sample(self, n, generator=None):
        """n new images: z ~ N(0, I) decoded to pixel probabilities (Bernoulli) or means."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.latent, generator=generator).to(device)
        out = self.decode(z)
        return torch.sigmoid(out) if self.config.likelihood == "bernoulli" else out

    def to_numpy_params(self):
        """The weights as float64 numpy in the row-vector convention (module docstring)."""
        params = {}
        for part in ("encoder", "decoder"):
            first, _, second = getattr(self, part)
            for i, layer in enumerate((first, second), start=1):
                params[f"{part[:3]}_W{i}"] = layer.weight.detach().cpu().double().numpy().T.copy()
                params[f"{part[:3]}_b{i}"] = layer.bias.detach().cpu().double().numpy().copy()
        return params


def numpy_encode(params, X):
    """``(mu, logvar)`` of q(z|x) in numpy from ``to_numpy_params()`` weights: X (n, d)."""
    h = np.maximum(np.asarray(X, dtype=float) @ params["enc_W1"] + params["enc_b1"], 0.0)
    out = h @ params["enc_W2"] + params["enc_b2"]  # (n, 2 latent)
    latent = out.shape[1] // 2
    return out[:, :latent], out[:, latent:]


def numpy_decode(params, Z, probabilities=True):
    """The decoder in numpy: codes Z (n, latent) -> pixel probabilities (n, d) (the
    sigmoid of the logits; ``probabilities=False`` gives the logits or Gaussian means)."""
    h = np.maximum(np.asarray(Z, dtype=float) @ params["dec_W1"] + params["dec_b1"], 0.0)
    out = h @ params["dec_W2"] + params["dec_b2"]
    return sigmoid(out) if probabilities else out


def vae_step(beta=None):
    """``step(model, batch) -> model.loss(x, beta)`` for ``dk.train.fit``."""

    def step(model, batch):
        return model.loss(batch[0], beta)

    return step


def train_vae(model, X, *, epochs=50, lr=3e-3, batch_size=64, seed=0, beta=None, progress=None):
    """Train ``model`` (a :class:`VAE`) on the rows of X with Adam through ``dk.train.fit``
    (:func:`vae_step`, beta defaults to ``config.beta``); returns the history."""
    return train.fit(
        model,
        np.asarray(X, dtype=np.float32),
        step=vae_step(beta),
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )


@torch.no_grad()
def evaluate_vae(model, X, n_samples=16, seed=0):
    """Held-out summary of a trained VAE on rows X: a dict of floats (nats per example).

    ``neg_elbo`` (``-ELBO``, beta = 1), ``reconstruction`` (``-E_q log p(x|z)``), ``kl``
    (mean KL), ``kl_per_dim`` (list, mean KL of each latent dimension), ``active_units``
    (dimensions with ``Var_x(mu_j) > 0.01``), with ``n_samples`` samples per row drawn
    after ``torch.manual_seed(seed)``.
    """
    torch.manual_seed(seed)
    device = next(model.parameters()).device
    model.eval()
    x = torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)
    mu, logvar = model.encode(x)
    kl_dims = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar)  # (n, latent)
    expected = torch.stack(
        [
            model.log_likelihood(x, model.decode(model.reparameterize(mu, logvar)))
            for _ in range(n_samples)
        ]
    ).mean(0)
    kl = kl_dims.sum(1)
    return {
        "neg_elbo": float((kl - expected).mean()),
        "reconstruction": float(-expected.mean()),
        "kl": float(kl.mean()),
        "kl_per_dim": kl_dims.mean(0).cpu().double().numpy().tolist(),
        "active_units": int((mu.var(dim=0, unbiased=False) > 0.01).sum()),
    }


def beta_sweep(X_train, X_test, betas, *, latent=8, epochs=50, seed=0, n_show=16, progress=None):
    """Train one VAE per beta and summarise each on held-out rows: ``{beta: dict}``.

    Each dict is :func:`evaluate_vae`'s (the ELBO with beta = 1, whatever the training
    weight) plus ``samples``, ``n_show`` images decoded from the prior (pixel
    probabilities, (n_show, in_features)). Every model starts from ``torch.manual_seed(seed)``
    and trains with :func:`train_vae`; ``progress`` shows a bar over the betas.
    """
    from tqdm.auto import tqdm

    from dlkit.config import is_fast

    progress = not is_fast() if progress is None else progress
    results = {}
    for beta in tqdm(list(betas), desc="beta", disable=not progress):
        torch.manual_seed(seed)
        model = VAE(VAEConfig(in_features=np.shape(X_train)[1], latent=latent, beta=float(beta)))
        train_vae(model, X_train, epochs=epochs, seed=seed, progress=False)
        summary = evaluate_vae(model, X_test, seed=seed)
        generator = torch.Generator().manual_seed(seed)
        summary["samples"] = model.sample(n_show, generator).cpu().double().numpy()
        results[float(beta)] = summary
    return results


__all__ = [
    "LIKELIHOODS",
    "VAE",
    "VAEConfig",
    "bernoulli_log_likelihood",
    "beta_sweep",
    "evaluate_vae",
    "gaussian_kl",
    "gaussian_log_likelihood",
    "numpy_decode",
    "numpy_encode",
    "train_vae",
    "vae_step",
]
