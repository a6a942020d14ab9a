"""Denoising diffusion (DDPM) on 2-D data: the forward noising, the noise-prediction loss,
ancestral and strided sampling.

    model = dk.models.DDPM(dk.models.DiffusionConfig(T=100))
    dk.models.diffusion.train_ddpm(model, X, steps=1500)      # X (n, 2), e.g. moons
    samples = model.sample(2000)                              # (2000, 2) numpy

The forward process adds Gaussian noise in T steps, ``q(x_t | x_{t-1}) = N(sqrt(alpha_t)
x_{t-1}, beta_t I)`` with ``alpha_t = 1 - beta_t`` (eq 20.8). Composing the steps gives the
closed form

    q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),    abar_t = prod_{s <= t} alpha_s,

a *product* of the alphas. Indices are 0-based here: step t = 0, ..., T - 1 uses
``betas[t]``, and ``alpha_bars[t]`` includes ``alphas[0..t]``.

A network ``eps_theta(x_t, t)`` learns to predict the noise: the loss (eq 20.10) is
``mean_i ||eps_i - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps_i, t)||^2`` with t
uniform. Since ``grad log q(x_t | x_0) = -eps / sqrt(1 - abar_t)``, the predictor is a
scaled score, ``score(x_t) = -eps_theta / sqrt(1 - abar_t)``. Sampling runs the learned
reverse chain (eq 20.11, Algorithm 8), from ``x_T ~ N(0, I)``:

    x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps_theta(x_t, t)) / sqrt(alpha_t) + sigma_t z,

``sigma_t^2 = beta_t``, and no noise at the last step (t = 0): T network evaluations per
sample. :meth:`DDPM.sample` with ``n_steps=k`` instead takes k strided deterministic
(DDIM, eta = 0) steps: fewer evaluations, some loss of quality.

The network here is an MLP on ``[x_t, t / T]`` (SiLU); ``to_numpy_params()`` gives its
weights ``W1, b1, ...`` in the row-vector convention ``h = x @ W + b``, which
:func:`numpy_eps` runs. The numpy functions are the references of the module's exercises.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit import train

SCHEDULES = ("linear", "cosine")


# ---------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------


def linear_betas(T, beta_min=1e-4, beta_max=0.1):
    """``T`` noise levels evenly spaced from ``beta_min`` to ``beta_max``, (T,)."""
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise ValueError(f"linear_betas: T must be a positive integer, got {T!r}")
    if not 0 < beta_min <= beta_max < 1:
        raise ValueError(
            f"linear_betas: need 0 < beta_min <= beta_max < 1, got {beta_min}, {beta_max}"
        )
    return np.linspace(beta_min, beta_max, int(T))


def cosine_betas(T, s=0.008, beta_max=0.999):
    """The cosine schedule: ``abar_t = f(t + 1) / f(0)``, ``f(u) = cos^2((u / T + s) / (1 + s)
    pi / 2)``, and ``beta_t = 1 - abar_t / abar_{t-1}`` clipped at ``beta_max``, (T,)."""
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise ValueError(f"cosine_betas: T must be a positive integer, got {T!r}")
    u = np.arange(int(T) + 1) / T
    f = np.cos((u + s) / (1 + s) * np.pi / 2) ** 2  # (T + 1,)
    return np.minimum(1 - f[1:] / f[:-1], beta_max)


def _betas(betas):
    b = np.asarray(betas, dtype=float)
    if b.ndim != 1 or b.size == 0 or np.any(~((b > 0) & (b < 1))):
        raise ValueError(f"betas must be a non-empty 1-D array of values in (0, 1), got {b!r}")
    return b


def ddpm_schedule(betas):
    """``(alphas, alpha_bars)``, each (T,): ``alphas = 1 - betas`` and ``alpha_bars[t] =
    prod_{s=0..t} alphas[s]`` (a cumulative *product*)."""
    alphas = 1.0 - _betas(betas)
    return alphas, np.cumprod(alphas)


def _steps(t, n, T):
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or t.shape not in ((), (n,)):
        raise ValueError(f"t must be an integer or n = {n} integers (0-based steps), got {t!r}")
    if np.any((t < 0) | (t >= T)):
        raise ValueError(f"t must lie in 0..{T - 1} (0-based steps), got {t}")
    return np.broadcast_to(t, (n,))


def q_sample(x0, t, eps, alpha_bars):
    """``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps``: a draw of q(x_t | x_0).

    x0, eps (n, d); t an int or (n,) ints in 0..T-1 (one step per row); alpha_bars (T,).
    Returns x_t (n, d).
    """
    x0, eps, ab = np.asarray(x0, dtype=float), np.asarray(eps, dtype=float), np.asarray(alpha_bars)
    if x0.ndim != 2 or eps.shape != x0.shape:
        raise ValueError(f"q_sample: x0 and eps must be (n, d) arrays, got {x0.shape}, {eps.shape}")
    a = ab[_steps(t, len(x0), len(ab))][:, None]  # (n, 1)
    return np.sqrt(a) * x0 + np.sqrt(1.0 - a) * eps


def posterior_mean(x_t, x0, t, betas):
    """The mean of q(x_{t-1} | x_t, x_0) for t >= 1: ``sqrt(abar_{t-1}) beta_t / (1 - abar_t)
    x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t``."""
    alphas, ab = ddpm_schedule(betas)
    if not 1 <= int(t) < len(ab):
        raise ValueError(f"posterior_mean: t must lie in 1..{len(ab) - 1}, got {t}")
    t = int(t)
    x_t, x0 = np.asarray(x_t, dtype=float), np.asarray(x0, dtype=float)
    coef0 = np.sqrt(ab[t - 1]) * (1 - alphas[t]) / (1 - ab[t])
    coef_t = np.sqrt(alphas[t]) * (1 - ab[t - 1]) / (1 - ab[t])
    return coef0 * x0 + coef_t * x_t


def ddpm_step(x_t, t, eps_hat, betas, z):
    """One reverse step of eq 20.11, from step t (an int in 0..T-1) to t - 1:

    ``x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps_hat) / sqrt(alpha_t) + sigma_t z`` with
    ``sigma_t = sqrt(beta_t)``, and ``sigma_0 = 0`` (the last step adds no noise).
    x_t, eps_hat, z (n, d); betas (T,). Returns x_{t-1} (n, d).
    """
    alphas, ab = ddpm_schedule(betas)
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or not 0 <= t < len(ab):
        raise ValueError(f"ddpm_step: t must be an integer in 0..{len(ab) - 1}, got {t!r}")
    x_t, eps_hat, z = (np.asarray(a, dtype=float) for a in (x_t, eps_hat, z))
    if x_t.ndim != 2 or eps_hat.shape != x_t.shape or z.shape != x_t.shape:
        raise ValueError(
            f"ddpm_step: x_t, eps_hat, z must be (n, d) arrays of one shape, got {x_t.shape}, "
            f"{eps_hat.shape}, {z.shape}"
        )
    mean = (x_t - (1 - alphas[t]) / np.sqrt(1 - ab[t]) * eps_hat) / np.sqrt(alphas[t])
    sigma = np.sqrt(1 - alphas[t]) if t > 0 else 0.0
    return mean + sigma * z


def eps_to_score(eps_hat, t, alpha_bars):
    """The score ``grad_x log q(x_t)`` a noise predictor implies: ``-eps_hat / sqrt(1 - abar_t)``.
    eps_hat (n, d); t an int or (n,) ints; returns (n, d)."""
    eps_hat, ab = np.asarray(eps_hat, dtype=float), np.asarray(alpha_bars, dtype=float)
    if eps_hat.ndim != 2:
        raise ValueError(f"eps_to_score: eps_hat must be (n, d), got {eps_hat.shape}")
    a = ab[_steps(t, len(eps_hat), len(ab))][:, None]  # (n, 1)
    return -eps_hat / np.sqrt(1 - a)


def cfg(eps_cond, eps_uncond, w):
    """Classifier-free guidance: ``(1 + w) eps_cond - w eps_uncond`` (w = 0: no guidance)."""
    eps_cond, eps_uncond = np.asarray(eps_cond, dtype=float), np.asarray(eps_uncond, dtype=float)
    if eps_cond.shape != eps_uncond.shape:
        raise ValueError(f"cfg: shapes differ, {eps_cond.shape} and {eps_uncond.shape}")
    return (1 + w) * eps_cond - w * eps_uncond


def numpy_eps(params, x, t_scaled):
    """The noise network in numpy from ``to_numpy_params()`` weights: the MLP (SiLU) on
    ``[x, t / T]``; x (n, d), t_scaled (n,) -> (n, d)."""
    h = np.concatenate([np.asarray(x, dtype=float), np.asarray(t_scaled, dtype=float)[:, None]], 1)
    n_layers = len(params) // 2
    for i in range(1, n_layers + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_layers:
            h = h / (1 + np.exp(-h))  # SiLU, x sigmoid(x)
    return h


def ddpm_loss(params, x0, t, eps, alpha_bars):
    """The noise-prediction loss (eq 20.10) of the network ``numpy_eps(params, ., .)``:
    ``mean_i ||eps_i - eps_theta(x_t, t_i / T)||^2`` (squares summed over the d coordinates,
    averaged over the n rows) with ``x_t = q_sample(x0, t, eps, alpha_bars)``. t (n,) ints."""
    ab = np.asarray(alpha_bars, dtype=float)
    x_t = q_sample(x0, t, eps, ab)
    t_scaled = _steps(t, len(x_t), len(ab)) / len(ab)
    return float(np.mean(np.sum((np.asarray(eps) - numpy_eps(params, x_t, t_scaled)) ** 2, 1)))


# ---------------------------------------------------------------------------
# torch model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffusionConfig:
    """Shape of a :class:`DDPM`: data dimension ``dim``, ``T`` steps, the ``schedule``
    (``"linear"`` from ``beta_min`` to ``beta_max``, or ``"cosine"``), and the noise MLP on
    ``[x, t / T]``: ``hidden_layers`` layers of width ``hidden`` with SiLU."""

    dim: int = 2
    T: int = 100
    schedule: str = "linear"
    beta_min: float = 1e-4
    beta_max: float = 0.1
    hidden: int = 128
    hidden_layers: int = 3

    def __post_init__(self):
        sizes = (self.dim, self.T, self.hidden, self.hidden_layers)
        if not all(isinstance(s, int) and s >= 1 for s in sizes):
            raise ValueError(
                f"DiffusionConfig: dim, T, hidden, hidden_layers must be ints >= 1, got {sizes}"
            )
        if self.schedule not in SCHEDULES:
            raise ValueError(f"DiffusionConfig: schedule must be one of {SCHEDULES}")

    def betas(self):
        """The schedule, (T,) float64."""
        if self.schedule == "cosine":
            return cosine_betas(self.T)
        return linear_betas(self.T, self.beta_min, self.beta_max)


class DDPM(nn.Module):
    """The noise network and its schedule (see the module docstring).

    ``DDPM(DiffusionConfig(...))`` or ``DDPM(T=100, ...)``; ``forward(x_t, t)`` with integer
    steps t (n,) is ``eps_theta(x_t, t)``, (n, dim).
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = DiffusionConfig(**overrides)
        elif overrides:
            raise ValueError("DDPM: pass either a config or keyword overrides, not both")
        self.config = c = config
        betas = c.betas()
        alphas, alpha_bars = ddpm_schedule(betas)
        for name, value in (("betas", betas), ("alphas", alphas), ("alpha_bars", alpha_bars)):
            self.register_buffer(name, torch.as_tensor(value, dtype=torch.float32))
        widths = [c.dim + 1] + [c.hidden] * c.hidden_layers + [c.dim]
        layers = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(a, b))
            if i < c.hidden_layers:
                layers.append(nn.SiLU())
        self.net = nn.Sequential(*layers)

    def forward(self, x_t, t):
        t_scaled = t.to(x_t.dtype)[:, None] / self.config.T  # (n, 1)
        return self.net(torch.cat([x_t, t_scaled], dim=1))

    def q_sample(self, x0, t, eps):
        """``sqrt(abar_t) x0 + sqrt(1 - abar_t) eps`` for integer steps t (n,)."""
        a = self.alpha_bars[t][:, None]  # (n, 1)
        return a.sqrt() * x0 + (1 - a).sqrt() * eps

    def loss(self, x0):
        """The noise-prediction loss of a batch x0 (n, dim), with t and eps drawn from
        torch's global generator: ``mean_i ||eps_i - eps_theta(x_t, t_i)||^2``."""
        t = torch.randint(self.config.T, (len(x0),), device=x0.device)
        eps = torch.randn_like(x0)
        return ((eps - self(self.q_sample(x0, t, eps), t)) ** 2).sum(1).mean()

    @torch.no_grad()
    def sample(self, n, n_steps=None, generator=None, return_path=False):
        """n samples as numpy (n, dim), noise drawn on the CPU from ``generator``.

        ``n_steps=None``: ancestral sampling, T steps of eq 20.11. ``n_steps=k``: k strided
        deterministic DDIM steps over evenly spaced steps T-1 = tau_k > ... > tau_1 = 0,
        ``x0_hat = (x - sqrt(1 - abar) eps) / sqrt(abar)``, then ``x = sqrt(abar') x0_hat +
        sqrt(1 - abar') eps`` at the next step (abar' = 1 after the last).
        ``return_path``: also the list of the states, x_T first, (n, dim) each.
        """
        device = self.betas.device
        T = self.config.T
        x = torch.randn(n, self.config.dim, generator=generator).to(device)
        path = [x.cpu().numpy().astype(float)]
        if n_steps is None:
            for t in reversed(range(T)):
                eps = self(x, torch.full((n,), t, device=device))
                z = torch.randn(n, self.config.dim, generator=generator).to(device)
                beta, alpha, alpha_bar = self.betas[t], self.alphas[t], self.alpha_bars[t]
                x = (x - beta / (1 - alpha_bar).sqrt() * eps) / alpha.sqrt()
                x = x + (beta.sqrt() * z if t > 0 else 0.0)
                path.append(x.cpu().numpy().astype(float))
        else:
            if isinstance(n_steps, bool) or not isinstance(n_steps, int) or not 1 <= n_steps <= T:
                raise ValueError(f"DDPM.sample: n_steps must be an int in 1..{T}, got {n_steps!r}")
            taus = np.round(np.linspace(T - 1, 0, n_steps)).astype(int)
            for i, t in enumerate(taus):
                a = self.alpha_bars[t]
                eps = self(x, torch.full((n,), int(t), device=device))
                x0_hat = (x - (1 - a).sqrt() * eps) / a.sqrt()
                last = i + 1 == len(taus)
                a_next = torch.ones((), device=device) if last else self.alpha_bars[taus[i + 1]]
                x = a_next.sqrt() * x0_hat + (1 - a_next).sqrt() * eps
                path.append(x.cpu().numpy().astype(float))
        return (path[-1], path) if return_path else path[-1]

    def to_numpy_params(self):
        """The noise network's weights ``{"W1", "b1", ...}`` as float64 numpy, ``h = x @ W + b``."""
        linears = [m for m in self.net if isinstance(m, nn.Linear)]
        params = {}
        for i, layer in enumerate(linears, start=1):
            params[f"W{i}"] = layer.weight.detach().cpu().double().numpy().T.copy()
            params[f"b{i}"] = layer.bias.detach().cpu().double().numpy().copy()
        return params


def ddpm_step_loss(model, batch):
    """``step(model, batch)`` for ``dk.train.fit``: the noise-prediction loss of the batch."""
    return model.loss(batch[0])


def train_ddpm(model, X, *, steps=1500, batch_size=256, lr=2e-3, seed=0, progress=None):
    """Train ``model`` (a :class:`DDPM`) on the rows of X (n, dim) with Adam through
    ``dk.train.fit`` (:func:`ddpm_step_loss`) for about ``steps`` batches (whole epochs:
    ``ceil(steps / batches per epoch)``); returns fit's history (``loss`` per epoch)."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != model.config.dim or len(X) == 0:
        raise ValueError(f"train_ddpm: X must be (n, {model.config.dim}) rows, got {X.shape}")
    per_epoch = -(-len(X) // batch_size)
    return train.fit(
        model,
        X,
        step=ddpm_step_loss,
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        epochs=max(1, -(-int(steps) // per_epoch)),
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )


__all__ = [
    "DDPM",
    "DiffusionConfig",
    "cfg",
    "cosine_betas",
    "ddpm_loss",
    "ddpm_schedule",
    "ddpm_step",
    "ddpm_step_loss",
    "eps_to_score",
    "linear_betas",
    "numpy_eps",
    "posterior_mean",
    "q_sample",
    "train_ddpm",
]
