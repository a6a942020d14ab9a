"""Generative adversarial networks on 2-D data, and the quantities behind them.

    model = dk.models.GAN(dk.models.GANConfig(hidden=64))
    history = dk.models.gan.train_gan(model, X, steps=500)      # X (n, 2), e.g. a ring
    samples = model.sample(1000)                                # (1000, 2) numpy

A generator ``G: z -> x`` (an MLP, ReLU, z ~ N(0, I)) and a discriminator ``D: x -> logit``
(an MLP, ReLU, one output; ``D(x) = sigmoid(logit)`` is the probability that x is real)
play the game of eq 20.4,

    min_G max_D  E_data[log D(x)] + E_z[log(1 - D(G(z)))].

:func:`train_gan` alternates one Adam step of each (its own loop: two optimisers do not
fit ``dk.train.fit``). The discriminator minimises the binary cross-entropy
``mean softplus(-l_real) + mean softplus(l_fake)`` (each mean over its own batch); the
generator either the minimax loss ``mean log(1 - D(G(z))) = -mean softplus(l_fake)``,
whose gradient vanishes while D rejects the fakes confidently, or the non-saturating
``-mean log D(G(z)) = mean softplus(-l_fake)`` (the default).

The numpy functions are the references of the module's exercises: the optimal
discriminator and the value of the game at it (:func:`optimal_discriminator`,
:func:`js_divergence`), the losses from logits (:func:`gan_losses`), the 1-D Wasserstein
distance (:func:`wasserstein_1d`), the power iteration of spectral normalisation
(:func:`spectral_normalize`) and a mode-coverage measure for samples of a mixture
(:func:`mode_coverage`).

``to_numpy_params()`` gives the generator's weights ``W1, b1, ..., W{L+1}, b{L+1}`` in the
row-vector convention ``h = x @ W + b`` (torch's ``nn.Linear.weight`` transposed), which
:func:`numpy_generate` runs.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from dlkit.config import device as default_device
from dlkit.config import is_fast

LOSSES = ("non_saturating", "minimax")


# ---------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------


def _distribution(p, name):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"{name} must be a 1-D array of probabilities, got shape {p.shape}")
    if np.any(~np.isfinite(p)) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-8):
        raise ValueError(f"{name} must hold probabilities >= 0 that sum to 1, got sum {p.sum()}")
    return p


def _xlogy(x, y):
    """``x log y`` with ``0 log 0 = 0`` (element-wise)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def optimal_discriminator(p_data, p_g):
    """The best discriminator for a fixed generator, and the value of the game there.

    For discrete distributions ``p_data`` and ``p_g`` over the same k outcomes, (k,) each,
    ``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (0.5 where both are 0: no weight falls
    there) and ``V(D*, G) = sum p_data log D* + sum p_g log(1 - D*) = -log 4 + 2 JS(p_data, p_g)``,
    in nats (terms of probability 0 count 0). Returns ``(D_star (k,), value)``.
    """
    p, q = _distribution(p_data, "p_data"), _distribution(p_g, "p_g")
    if p.shape != q.shape:
        raise ValueError(f"p_data and p_g need the same length, got {p.shape} and {q.shape}")
    total = p + q
    d_star = np.divide(p, total, out=np.full_like(p, 0.5), where=total > 0)
    value = float(np.sum(_xlogy(p, d_star)) + np.sum(_xlogy(q, 1.0 - d_star)))
    return d_star, value


def js_divergence(p, q):
    """The Jensen-Shannon divergence ``KL(p || m) / 2 + KL(q || m) / 2``, ``m = (p + q) / 2``,
    in nats, of two discrete distributions (k,): between 0 (p = q) and log 2 (disjoint
    supports). Finite for every pair, unlike either KL. (scipy's ``jensenshannon`` returns
    its square root, the JS *distance*.)"""
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q need the same length, got {p.shape} and {q.shape}")
    m = (p + q) / 2
    kl_pm = np.sum(_xlogy(p, p) - _xlogy(p, m))
    kl_qm = np.sum(_xlogy(q, q) - _xlogy(q, m))
    return float(max(0.5 * (kl_pm + kl_qm), 0.0))


def wasserstein_1d(x, y):
    """The 1-Wasserstein (earth mover's) distance between the empirical distributions of
    the samples x (n,) and y (m,): ``integral |F_x(s) - F_y(s)| ds`` over the two empirical
    CDFs. For n = m it is ``mean |sort(x) - sort(y)|``: the optimal transport pairs the
    samples in sorted order."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.size == 0 or y.size == 0:
        raise ValueError(
            f"wasserstein_1d: x and y must be non-empty 1-D samples, got shapes {x.shape}, "
            f"{y.shape}"
        )
    if x.size == y.size:
        return float(np.mean(np.abs(np.sort(x) - np.sort(y))))
    points = np.sort(np.concatenate([x, y]))
    widths = np.diff(points)
    cdf_x = np.searchsorted(np.sort(x), points[:-1], side="right") / x.size
    cdf_y = np.searchsorted(np.sort(y), points[:-1], side="right") / y.size
    return float(np.sum(np.abs(cdf_x - cdf_y) * widths))


def _softplus(x):
    return np.logaddexp(0.0, x)  # log(1 + e^x) without overflow


def gan_losses(d_real_logits, d_fake_logits):
    """The three GAN losses from the discriminator's logits on a real (n,) and a fake (m,)
    batch, computed stably with ``log sigmoid(l) = -softplus(-l)``:

    - ``d_loss = mean softplus(-l_real) + mean softplus(l_fake)``: the discriminator's binary
      cross-entropy, real labelled 1 and fake 0, each batch averaged on its own;
    - ``g_minimax = mean log(1 - D(G(z))) = -mean softplus(l_fake)`` (eq 20.4's term, minimised);
    - ``g_nonsat = -mean log D(G(z)) = mean softplus(-l_fake)``, the non-saturating loss.

    Returns the three as floats.
    """
    real = np.asarray(d_real_logits, dtype=float).ravel()
    fake = np.asarray(d_fake_logits, dtype=float).ravel()
    if real.size == 0 or fake.size == 0:
        raise ValueError("gan_losses: both batches of logits must be non-empty")
    d_loss = np.mean(_softplus(-real)) + np.mean(_softplus(fake))
    return float(d_loss), float(-np.mean(_softplus(fake))), float(np.mean(_softplus(-fake)))


def _unit(v, eps):
    return v / max(float(np.linalg.norm(v)), eps)


def spectral_normalize(W, u, n_iter=1, eps=1e-12):
    """Spectral normalisation of W (m, n) by power iteration, as torch's ``spectral_norm``.

    Starting from u (m,), each of ``n_iter`` >= 1 rounds sets ``v = W^T u / ||W^T u||``, then
    ``u = W v / ||W v||``; the estimate of the largest singular value is ``sigma = u^T W v``.
    Returns ``(sigma, W / sigma, u)``, the last u to start the next training step from (one
    round per step is enough there, because W changes slowly). ``W / sigma`` has spectral
    norm about 1, so a layer ``x -> x W`` is 1-Lipschitz.
    """
    W, u = np.asarray(W, dtype=float), np.asarray(u, dtype=float)
    if W.ndim != 2 or u.shape != (W.shape[0],):
        raise ValueError(
            f"spectral_normalize: W must be (m, n) and u (m,), got {W.shape} and {u.shape}"
        )
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 1:
        raise ValueError(f"spectral_normalize: n_iter must be an integer >= 1, got {n_iter!r}")
    for _ in range(int(n_iter)):
        v = _unit(W.T @ u, eps)  # (n,)
        u = _unit(W @ v, eps)  # (m,)
    sigma = float(u @ W @ v)
    return sigma, W / sigma, u


def mode_coverage(samples, centers, radius=0.3, min_frac=0.01):
    """How many modes of a mixture the samples (n, d) cover, and how many samples are good.

    Every sample belongs to its nearest center (k, d); it is *good* when it lies within
    ``radius`` of that center (distance <= radius). A mode is covered when at least
    ``min_frac * n`` of all samples are good samples of it. Returns ``(n_covered, frac_good)``:
    an int in 0..k and the fraction of good samples. Mode collapse shows as few modes
    covered with most samples good; a poor generator as few good samples.
    """
    X, C = np.asarray(samples, dtype=float), np.asarray(centers, dtype=float)
    if X.ndim != 2 or C.ndim != 2 or X.shape[1] != C.shape[1] or len(X) == 0 or len(C) == 0:
        raise ValueError(
            f"mode_coverage: samples (n, d) and centers (k, d) needed, got {X.shape}, {C.shape}"
        )
    distances = np.linalg.norm(X[:, None, :] - C[None, :, :], axis=2)  # (n, k)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= radius
    counts = np.bincount(nearest[good], minlength=len(C))  # good samples per mode
    return int(np.sum(counts >= min_frac * len(X))), float(good.mean())


# ---------------------------------------------------------------------------
# torch model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GANConfig:
    """Shape of a :class:`GAN`.

    data_dim: dimension of x; latent: dimension of z ~ N(0, I); hidden: width of every
    hidden layer; layers: number of hidden layers of each network (ReLU after each);
    loss: the generator's loss, ``"non_saturating"`` or ``"minimax"``; spectral_norm:
    spectral normalisation (torch's parametrisation, one power-iteration round per
    step) on every Linear layer of the discriminator.
    """

    data_dim: int = 2
    latent: int = 2
    hidden: int = 64
    layers: int = 2
    loss: str = "non_saturating"
    spectral_norm: bool = False

    def __post_init__(self):
        sizes = (self.data_dim, self.latent, self.hidden, self.layers)
        if not all(isinstance(s, int) and s >= 1 for s in sizes):
            raise ValueError(
                f"GANConfig: data_dim, latent, hidden, layers must be ints >= 1, got {sizes}"
            )
        if self.loss not in LOSSES:
            raise ValueError(f"GANConfig: loss must be one of {LOSSES}, got {self.loss!r}")


def _mlp(n_in, hidden, layers, n_out, wrap=None):
    widths = [n_in] + [hidden] * layers + [n_out]
    modules = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        linear = nn.Linear(a, b)
        modules.append(wrap(linear) if wrap is not None else linear)
        if i < layers:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


class GAN(nn.Module):
    """A generator and a discriminator (see the module docstring).

    ``GAN(GANConfig(...))`` or ``GAN(hidden=64, ...)``; the generator is built first, so
    ``torch.manual_seed(s)`` followed by the same ``nn.Linear`` layers in that order gives
    the same initial weights. ``forward(z)`` is the generator.
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = GANConfig(**overrides)
        elif overrides:
            raise ValueError("GAN: pass either a config or keyword overrides, not both")
        self.config = c = config
        wrap = nn.utils.parametrizations.spectral_norm if c.spectral_norm else None
        self.generator = _mlp(c.latent, c.hidden, c.layers, c.data_dim)
        self.discriminator = _mlp(c.data_dim, c.hidden, c.layers, 1, wrap)

    def forward(self, z):
        return self.generator(z)

    def discriminate(self, x):
        """The discriminator's logits, (n, d) -> (n,)."""
        return self.discriminator(x).squeeze(-1)

    @torch.no_grad()
    def sample(self, n, generator=None):
        """n samples G(z), z ~ N(0, I) (drawn on the CPU from ``generator``), as numpy (n, d)."""
        z = torch.randn(n, self.config.latent, generator=generator)
        device = next(self.parameters()).device
        return self.generator(z.to(device)).float().cpu().numpy().astype(float)

    def to_numpy_params(self):
        """The generator's weights ``{"W1", "b1", ...}`` as float64 numpy, ``h = x @ W + b``."""
        linears = [m for m in self.generator if isinstance(m, nn.Linear)]
        params = {}
        for i, layer in enumerate(linears, start=1):
            params[f"W{i}"] = layer.weight.detach().cpu().double().numpy().T.copy()
            params[f"b{i}"] = layer.bias.detach().cpu().double().numpy().copy()
        return params


def numpy_generate(params, z):
    """The generator in numpy from ``to_numpy_params()`` weights: z (n, latent) -> x (n, d)."""
    h = np.asarray(z, dtype=float)
    n_layers = len(params) // 2
    for i in range(1, n_layers + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_layers:
            h = np.maximum(h, 0.0)
    return h


def _generator_loss(kind, fake_logits):
    if kind == "minimax":
        return -nn.functional.softplus(fake_logits).mean()  # mean log(1 - D(G(z)))
    return nn.functional.softplus(-fake_logits).mean()  # -mean log D(G(z))


def train_gan(
    model,
    X,
    *,
    steps=500,
    batch_size=128,
    lr=2e-3,
    lr_d=None,
    betas=(0.5, 0.999),
    d_steps=1,
    seed=0,
    snapshot_every=None,
    n_snapshot=500,
    device=None,
    amp=None,
    progress=None,
):
    """Train ``model`` (a :class:`GAN`) on the rows of X (n, d) for ``steps`` generator steps.

    Each step draws a real batch (rows of X at random, with replacement) and z ~ N(0, I),
    takes ``d_steps`` Adam steps of the discriminator on ``mean softplus(-D(real)) + mean
    softplus(D(G(z)))`` (G's output detached; a new batch for each extra step), then one Adam
    step of the generator on ``config.loss`` with the same fakes. Both optimisers are Adam
    with ``betas`` (beta_1 = 0.5 is the usual choice for GANs), learning rate ``lr`` for G
    and ``lr_d`` (default ``lr``) for D. Draws come from a torch generator seeded with
    ``seed`` (which also seeds torch's global state), so a run is reproducible.

    ``snapshot_every``: every so many steps (and after the last), record ``n_snapshot``
    samples of fixed z as numpy (for plots of training progress). amp: mixed precision,
    default on exactly when the device is CUDA. progress: a tqdm bar over the steps
    (default on except in fast mode).

    Returns ``{"step": [...], "d_loss": [...], "g_loss": [...], "snapshots": {step: (n, d)},
    "seconds": float}``, one loss per step.
    """
    import time

    from dlkit.train import resolve_amp

    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"train_gan: steps must be a positive integer, got {steps!r}")
    if isinstance(d_steps, bool) or not isinstance(d_steps, int | np.integer) or d_steps < 1:
        raise ValueError(f"train_gan: d_steps must be a positive integer, got {d_steps!r}")
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != model.config.data_dim or len(X) == 0:
        raise ValueError(
            f"train_gan: X must be (n, {model.config.data_dim}) rows of data, got {X.shape}"
        )
    device = torch.device(device) if device is not None else default_device()
    use_amp = resolve_amp(amp, device)
    progress = not is_fast() if progress is None else progress
    torch.manual_seed(seed)
    draws = torch.Generator().manual_seed(seed)
    model.to(device).train()
    data = torch.as_tensor(X, device=device)
    G, D = model.generator, model.discriminator
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr if lr_d is None else lr_d, betas=betas)
    scale_g = torch.amp.GradScaler(device.type, enabled=use_amp)
    scale_d = torch.amp.GradScaler(device.type, enabled=use_amp)
    fixed_z = torch.randn(n_snapshot, model.config.latent, generator=draws).to(device)
    softplus = nn.functional.softplus
    d_losses, g_losses, snapshots = [], [], {}
    start = time.perf_counter()

    def autocast():
        return torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp)

    for step in tqdm(range(1, steps + 1), desc="GAN", unit="step", disable=not progress):
        for _ in range(int(d_steps)):
            real = data[torch.randint(len(data), (batch_size,), generator=draws).to(device)]
            z = torch.randn(batch_size, model.config.latent, generator=draws).to(device)
            with autocast():
                fake = G(z)
                d_loss = softplus(-D(real)).mean() + softplus(D(fake.detach())).mean()
            opt_d.zero_grad(set_to_none=True)
            scale_d.scale(d_loss).backward()
            scale_d.step(opt_d)
            scale_d.update()
        with autocast():
            g_loss = _generator_loss(model.config.loss, D(fake).squeeze(-1).float())
        opt_g.zero_grad(set_to_none=True)
        scale_g.scale(g_loss).backward()
        scale_g.step(opt_g)
        scale_g.update()
        d_losses.append(d_loss.detach().float())
        g_losses.append(g_loss.detach().float())
        if snapshot_every and (step % snapshot_every == 0 or step == steps):
            with torch.no_grad():
                snapshots[step] = G(fixed_z).float().cpu().numpy().astype(float)
    return {
        "step": list(range(1, steps + 1)),
        "d_loss": torch.stack(d_losses).cpu().tolist(),
        "g_loss": torch.stack(g_losses).cpu().tolist(),
        "snapshots": snapshots,
        "seconds": time.perf_counter() - start,
    }


__all__ = [
    "GAN",
    "GANConfig",
    "gan_losses",
    "js_divergence",
    "mode_coverage",
    "numpy_generate",
    "optimal_discriminator",
    "spectral_normalize",
    "train_gan",
    "wasserstein_1d",
]
