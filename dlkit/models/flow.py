"""Normalizing flows: the change of variables, affine coupling layers and RealNVP on 2-D data.

    model = dk.models.RealNVP(dk.models.FlowConfig(n_layers=4))
    dk.models.flow.train_flow(model, X, epochs=30)       # X (n, 2); maximum likelihood
    model.log_prob(torch.as_tensor(X_test))              # exact log-densities, (n,)

A flow writes the data as ``x = f(z)`` with ``z ~ N(0, I)`` and f invertible; by the change
of variables (eq 20.7)

    log p(x) = log p_z(f^{-1}(x)) - log |det df/dz|     (a minus: f stretches space, the
                                                         density thins out)

(the book's hint to exercise 20.5 has a plus there, which is wrong). RealNVP composes
affine **coupling layers** ``f_K o ... o f_1``. A coupling with a binary mask m keeps the
masked part ``u = z * m`` and scales and shifts the rest with functions of it,

    y = u + (1 - m) * (z * exp(s(u)) + t(u)),    log |det dy/dz| = sum (1 - m) * s(u),

because its Jacobian is triangular with diagonal 1 (kept part) and ``exp(s)`` (the
rest). Its inverse needs no inverse of s or t: ``z = u + (1 - m) * (y - t(u)) * exp(-s(u))``
with u = y * m. Here s and t come from one MLP of u (ReLU, ``2 d`` outputs) with
``s = tanh(.)``, so each layer scales by at most e. Masks alternate by position
(layer k keeps the coordinates j with j + k even), so every coordinate is transformed.

The log-determinant is computed in float32 (never float16): ``fit`` runs with ``amp=False``.

:func:`coupling_forward`, :func:`coupling_inverse` (a one-layer coupling on numpy arrays)
and :func:`flow_logpdf` (a chain of 1-D bijections) are the references of the module's
exercises. ``to_numpy_params()`` gives, for every layer, ``{"W1", "b1", "W2", "b2", "W3",
"b3"}`` in the row-vector convention ``h = x @ W + b``; :func:`numpy_log_prob` evaluates
the density of the first k layers' flow on numpy arrays (for plots and widgets).
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit import train

LOG_2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------------------
# numpy references
# ---------------------------------------------------------------------------


def _coupling_inputs(x, mask, params, name):
    x, m = np.asarray(x, dtype=float), np.asarray(mask, dtype=float)
    if x.ndim != 2 or m.shape != (x.shape[1],) or not np.all((m == 0) | (m == 1)):
        raise ValueError(
            f"{name}: x must be (n, d) and mask a (d,) array of 0s and 1s, got {x.shape} "
            f"and {m.shape}"
        )
    d = x.shape[1]
    shapes = {"A": (d, d), "a": (d,), "B": (d, d), "b": (d,)}
    got = {k: np.asarray(params[k], dtype=float) for k in shapes if k in params}
    if set(got) != set(shapes) or any(got[k].shape != shapes[k] for k in shapes):
        raise ValueError(f"{name}: params must hold A, B of shape ({d}, {d}) and a, b of ({d},)")
    return x, m, got


def _scale_shift(u, p):
    """``s(u) = tanh(u A + a)`` and ``t(u) = u B + b``, each (n, d)."""
    return np.tanh(u @ p["A"] + p["a"]), u @ p["B"] + p["b"]


def coupling_forward(x, mask, params):
    """One affine coupling layer ``y = u + (1 - m) * (x * exp(s(u)) + t(u))``, ``u = x * m``,
    with ``s(u) = tanh(u A + a)`` and ``t(u) = u B + b``.

    x (n, d); mask (d,) of 0/1 (1 = kept, conditions the rest); params ``{"A": (d, d),
    "a": (d,), "B": (d, d), "b": (d,)}``. Returns ``(y (n, d), logdet (n,))`` with
    ``logdet = log |det dy/dx| = sum_j (1 - m_j) s_j(u)``.
    """
    x, m, p = _coupling_inputs(x, mask, params, "coupling_forward")
    u = x * m
    s, t = _scale_shift(u, p)
    y = u + (1 - m) * (x * np.exp(s) + t)
    return y, np.sum((1 - m) * s, axis=1)


def coupling_inverse(y, mask, params):
    """The exact inverse of :func:`coupling_forward`: ``x = u + (1 - m) * (y - t(u)) * exp(-s(u))``
    with ``u = y * m`` (the kept part passes unchanged, so s and t are known). Returns
    ``(x (n, d), logdet (n,))``, ``logdet = log |det dx/dy| = -sum_j (1 - m_j) s_j(u)``."""
    y, m, p = _coupling_inputs(y, mask, params, "coupling_inverse")
    u = y * m
    s, t = _scale_shift(u, p)
    x = u + (1 - m) * (y - t) * np.exp(-s)
    return x, -np.sum((1 - m) * s, axis=1)


BIJECTIONS = ("affine", "exp", "sinh")


def _check_chain(chain):
    if not isinstance(chain, list | tuple) or len(chain) == 0:
        raise ValueError("flow_logpdf: chain must be a non-empty list of steps such as ('exp',)")
    for step in chain:
        kind = step[0] if isinstance(step, list | tuple) and step else None
        if kind not in BIJECTIONS:
            raise ValueError(f"flow_logpdf: unknown step {step!r}; steps are {BIJECTIONS}")
        if kind == "affine" and (len(step) != 3 or step[1] == 0):
            raise ValueError(f"flow_logpdf: an affine step is ('affine', a, b) with a != 0: {step}")


def flow_logpdf(x, chain):
    """``log p(x)`` of ``x = f_K(... f_1(z))``, z ~ N(0, 1), for a chain of 1-D bijections.

    ``chain`` lists the steps applied to z in order: ``("affine", a, b)`` maps v to
    ``a v + b`` (a != 0), ``("exp",)`` to ``e^v``, ``("sinh",)`` to ``sinh v``. By the change
    of variables, with ``v_0 = z`` and ``v_k = f_k(v_{k-1})``,

        log p(x) = log N(z; 0, 1) - sum_k log |f_k'(v_{k-1})|,

    each ``v_{k-1}`` found by inverting the steps from the last one back. x (n,) ->
    (n,); ``-inf`` where x lies outside the chain's range (``exp`` gives only v > 0).
    """
    _check_chain(chain)
    v = np.array(x, dtype=float)
    log_jac = np.zeros_like(v)
    outside = np.zeros(v.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for step in reversed(chain):
            kind = step[0]
            if kind == "affine":
                a, b = float(step[1]), float(step[2])
                v = (v - b) / a
                log_jac += math.log(abs(a))
            elif kind == "exp":
                outside |= ~(v > 0)
                v = np.log(np.where(v > 0, v, 1.0))
                log_jac += v  # log |d e^w / dw| = w at w = log v
            else:
                v = np.arcsinh(v)
                log_jac += np.logaddexp(v, -v) - math.log(2.0)  # log cosh w
        log_p = -0.5 * v**2 - 0.5 * LOG_2PI - log_jac
    return np.where(outside, -np.inf, log_p)


# ---------------------------------------------------------------------------
# torch model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowConfig:
    """Shape of a :class:`RealNVP`: data dimension ``dim`` (>= 2), ``n_layers`` coupling
    layers, each with an MLP of ``depth`` hidden layers of width ``hidden`` (ReLU)
    computing ``(s, t)`` from the kept part."""

    dim: int = 2
    n_layers: int = 4
    hidden: int = 64
    depth: int = 2

    def __post_init__(self):
        sizes = (self.dim, self.n_layers, self.hidden, self.depth)
        if not all(isinstance(s, int) and s >= 1 for s in sizes) or self.dim < 2:
            raise ValueError(
                f"FlowConfig: dim >= 2 and n_layers, hidden, depth >= 1 (ints), got {sizes}"
            )


def alternating_mask(dim, k):
    """The mask of layer k: 1 (kept) at the coordinates j with j + k even; (dim,) float."""
    return ((np.arange(dim) + k) % 2 == 0).astype(float)


class AffineCoupling(nn.Module):
    """``y = u + (1 - m) * (x * exp(s) + t)``, ``u = x * m``, ``(s, t)`` from an MLP of u with
    ``s = tanh(.)``; ``forward`` returns ``(y, log|det dy/dx|)``, ``inverse``
    ``(x, log|det dx/dy|)``."""

    def __init__(self, mask, hidden=64, depth=2):
        super().__init__()
        mask = torch.as_tensor(np.asarray(mask, dtype=np.float32))
        self.register_buffer("mask", mask)
        dim = len(mask)
        widths = [dim] + [hidden] * depth + [2 * dim]
        layers = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(a, b))
            if i < depth:
                layers.append(nn.ReLU())
        self.net = nn.Sequential(*layers)

    def scale_shift(self, u):
        """``(s, t)`` of the kept part u, each (n, dim), zero on the kept coordinates."""
        s_raw, t = self.net(u).chunk(2, dim=-1)
        free = 1 - self.mask
        return torch.tanh(s_raw) * free, t * free

    def forward(self, x):
        u = x * self.mask
        s, t = self.scale_shift(u)
        return u + (1 - self.mask) * (x * torch.exp(s) + t), s.sum(-1)

    def inverse(self, y):
        u = y * self.mask
        s, t = self.scale_shift(u)
        return u + (1 - self.mask) * (y - t) * torch.exp(-s), -s.sum(-1)


class RealNVP(nn.Module):
    """``x = f_K(... f_1(z))`` with affine couplings of alternating masks; z ~ N(0, I).

    ``RealNVP(FlowConfig(...))`` or ``RealNVP(n_layers=4, ...)``. ``forward(z)`` (sampling
    direction) returns ``(x, log|det dx/dz|)``; ``inverse(x)`` returns ``(z, log|det dz/dx|)``;
    ``log_prob(x)`` the exact log-density (n,).
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = FlowConfig(**overrides)
        elif overrides:
            raise ValueError("RealNVP: pass either a config or keyword overrides, not both")
        self.config = c = config
        self.layers = nn.ModuleList(
            AffineCoupling(alternating_mask(c.dim, k), c.hidden, c.depth) for k in range(c.n_layers)
        )

    def forward(self, z):
        logdet = torch.zeros(len(z), device=z.device, dtype=z.dtype)
        for layer in self.layers:
            z, ld = layer(z)
            logdet = logdet + ld
        return z, logdet

    def inverse(self, x, n_layers=None):
        """z and ``log|det dz/dx|`` through the first ``n_layers`` layers (default all),
        inverted."""
        logdet = torch.zeros(len(x), device=x.device, dtype=x.dtype)
        used = self.layers[: self.config.n_layers if n_layers is None else n_layers]
        for layer in reversed(used):
            x, ld = layer.inverse(x)
            logdet = logdet + ld
        return x, logdet

    def log_prob(self, x, n_layers=None):
        """``log p(x) = log N(z; 0, I) + log|det dz/dx|`` per row, (n, dim) -> (n,)."""
        z, logdet = self.inverse(x, n_layers)
        return -0.5 * (z**2).sum(-1) - 0.5 * self.config.dim * LOG_2PI + logdet

    @torch.no_grad()
    def sample(self, n, generator=None):
        """n samples ``f(z)``, z ~ N(0, I) drawn on the CPU from ``generator``, as numpy
        (n, dim)."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.config.dim, generator=generator).to(device)
        return self(z)[0].cpu().numpy().astype(float)

    def to_numpy_params(self):
        """One dict per layer, ``{"W1", "b1", ..., "W{depth+1}", "b{depth+1}"}``, float64,
        ``h = x @ W + b``; the last layer's outputs are ``(s before tanh, t)``, dim each."""
        params = []
        for layer in self.layers:
            linears = [m for m in layer.net if isinstance(m, nn.Linear)]
            params.append(
                {
                    key: value
                    for i, lin in enumerate(linears, start=1)
                    for key, value in (
                        (f"W{i}", lin.weight.detach().cpu().double().numpy().T.copy()),
                        (f"b{i}", lin.bias.detach().cpu().double().numpy().copy()),
                    )
                }
            )
        return params


def _numpy_scale_shift(layer, u, free):
    h = u
    n = len(layer) // 2
    for i in range(1, n + 1):
        h = h @ layer[f"W{i}"] + layer[f"b{i}"]
        if i < n:
            h = np.maximum(h, 0.0)
    dim = u.shape[1]
    return np.tanh(h[:, :dim]) * free, h[:, dim:] * free


def numpy_log_prob(params, X, n_layers=None):
    """``log p(x)`` in numpy of the flow made of the first ``n_layers`` layers of
    ``to_numpy_params()`` weights (default all; 0 gives the standard normal): X (n, dim) -> (n,)."""
    x = np.asarray(X, dtype=float)
    n_layers = len(params) if n_layers is None else int(n_layers)
    if not 0 <= n_layers <= len(params):
        raise ValueError(f"numpy_log_prob: n_layers must lie in 0..{len(params)}, got {n_layers}")
    logdet = np.zeros(len(x))
    for k in reversed(range(n_layers)):
        m = alternating_mask(x.shape[1], k)
        u = x * m
        s, t = _numpy_scale_shift(params[k], u, 1 - m)
        x = u + (1 - m) * (x - t) * np.exp(-s)
        logdet -= s.sum(axis=1)
    return -0.5 * np.sum(x**2, axis=1) - 0.5 * x.shape[1] * LOG_2PI + logdet


def numpy_sample(params, z, n_layers=None):
    """``f(z)`` in numpy through the first ``n_layers`` layers (default all):
    z (n, dim) -> (n, dim)."""
    x = np.asarray(z, dtype=float)
    n_layers = len(params) if n_layers is None else int(n_layers)
    for k in range(n_layers):
        m = alternating_mask(x.shape[1], k)
        u = x * m
        s, t = _numpy_scale_shift(params[k], u, 1 - m)
        x = u + (1 - m) * (x * np.exp(s) + t)
    return x


def flow_step(model, batch):
    """``step(model, batch)`` for ``dk.train.fit``: the mean negative log-likelihood of x."""
    return -model.log_prob(batch[0]).mean()


def train_flow(model, X, *, epochs=30, lr=3e-3, batch_size=256, seed=0, progress=None):
    """Train ``model`` (a :class:`RealNVP`) by maximum likelihood on the rows of X with Adam
    through ``dk.train.fit`` (:func:`flow_step`, ``amp=False``: the log-determinant stays in
    float32); returns the history (``loss`` is the mean negative log-likelihood in nats)."""
    return train.fit(
        model,
        np.asarray(X, dtype=np.float32),
        step=flow_step,
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        amp=False,
        progress=progress,
    )


__all__ = [
    "AffineCoupling",
    "FlowConfig",
    "RealNVP",
    "alternating_mask",
    "coupling_forward",
    "coupling_inverse",
    "flow_logpdf",
    "flow_step",
    "numpy_log_prob",
    "numpy_sample",
    "train_flow",
]
