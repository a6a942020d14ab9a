"""Autoencoders in torch: undercomplete, denoising, sparse and contractive; and SimCLR.

    model = dk.models.AE(dk.models.AEConfig(in_features=64, hidden=(128,), latent=8))
    dk.models.autoencoder.train_autoencoder(model, X, epochs=50, noise="mask", level=0.3)

An :class:`AE` is an encoder ``f`` (Linear layers with ``activation`` between them, the
code layer followed by ``code``) and a mirrored decoder ``g`` back to the input width
(its last layer followed by ``output``). ``linear=True`` removes every nonlinearity: the
linear autoencoder whose optimal code spans the top principal subspace (Baldi and
Hornik, 1989). Training minimises the reconstruction error ``mean ||x - g(f(x~))||^2``
(x~ a corrupted copy of x for a denoising autoencoder) plus, optionally, an L1 penalty
on the code (sparse) or the squared Frobenius norm of the encoder's Jacobian
(contractive), through ``dk.train.fit``'s ``step`` hook, which draws the corruption.

The contrastive part (SimCLR, eq 15.1): :func:`shift_views` makes two random views of
every digit (shifts and pixel noise), :func:`nt_xent_loss` is the NT-Xent loss and
:func:`train_contrastive` trains any encoder (``dk.models.MLP``) with it.

``to_numpy_params()`` gives the weights in the course's row-vector convention
(``h = x @ W + b``, torch's ``(out, in)`` weights transposed), keyed ``enc_W1, enc_b1,
..., dec_W1, ...``; :func:`numpy_encode` and :func:`numpy_decode` run them in numpy,
for widgets.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit import train
from dlkit.nn.activations import identity, relu, sigmoid, tanh

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "linear": nn.Identity}
NUMPY_ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "linear": identity}
NOISES = (None, "gaussian", "mask", "salt_pepper")


@dataclass(frozen=True)
class AEConfig:
    """Shape and details of an :class:`AE`.

    in_features: input width (64 pixels); hidden: widths of the encoder's hidden layers
    (the decoder mirrors them; ``()`` for one layer each way); latent: code width;
    activation: after every hidden layer (``relu, sigmoid, tanh, linear``); code: after
    the code layer (``linear`` by default; ``sigmoid`` for the contractive penalty's
    closed form); output: after the decoder's last layer (``linear`` or ``sigmoid``);
    linear: no nonlinearity anywhere (overrides the three); bias: whether the Linear
    layers have biases (a bias-free linear autoencoder on centred data is exactly the
    PCA problem).
    """

    in_features: int = 64
    hidden: tuple[int, ...] = (128,)
    latent: int = 8
    activation: str = "relu"
    code: str = "linear"
    output: str = "linear"
    linear: bool = False
    bias: bool = True

    def __post_init__(self):
        widths = (self.in_features, *self.hidden, self.latent)
        if not all(isinstance(w, int) and w >= 1 for w in widths):
            raise ValueError(f"AEConfig: every width must be an int >= 1, got {widths}")
        for name in ("activation", "code", "output"):
            if getattr(self, name) not in ACTIVATIONS:
                raise ValueError(
                    f"AEConfig: unknown {name} {getattr(self, name)!r}; choose one of "
                    f"{sorted(ACTIVATIONS)}"
                )

    def activations(self):
        """``(hidden, code, output)`` activation names, all ``linear`` when ``linear``."""
        if self.linear:
            return "linear", "linear", "linear"
        return self.activation, self.code, self.output


def _stack(widths, inner, last, bias=True):
    """Linear layers through ``widths`` with ``inner`` between them and ``last`` at the end."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        layers.append(ACTIVATIONS[last if i == len(widths) - 2 else inner]())
    return nn.Sequential(*layers)


class AE(nn.Module):
    """Autoencoder ``x -> h = f(x) -> x_hat = g(h)``; see the module docstring.

    ``AE(AEConfig(...))`` or ``AE(latent=8, ...)``. Inputs (n, ...) are flattened to
    (n, in_features); ``forward`` returns the reconstruction (n, in_features).
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = AEConfig(**overrides)
        elif overrides:
            raise ValueError("AE: pass either a config or keyword overrides, not both")
        self.config = c = config
        inner, code, output = c.activations()
        widths = (c.in_features, *c.hidden, c.latent)
        self.encoder = _stack(widths, inner, code, c.bias)
        self.decoder = _stack(widths[::-1], inner, output, c.bias)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code h = f(x), shape (n, latent)."""
        return self.encoder(x.flatten(start_dim=1))  # (n, ...) -> (n, in_features)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """The reconstruction g(h), shape (n, in_features)."""
        return self.decoder(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def contractive_penalty(self, x: torch.Tensor) -> torch.Tensor:
        """``mean_n ||d h / d x||_F^2`` for the one-layer sigmoid encoder, in closed form.

        For ``h = sigmoid(x W + b)``: ``sum_j (h_j (1 - h_j))^2 sum_i W_ij^2`` per row
        (see ``dk.nn.contractive_penalty``). Needs ``hidden=()`` and ``code="sigmoid"``.
        """
        if self.config.hidden or self.config.activations()[1] != "sigmoid":
            raise ValueError(
                "contractive_penalty has a closed form for a one-layer sigmoid encoder: "
                "use AEConfig(hidden=(), code='sigmoid')"
            )
        layer = self.encoder[0]
        h = torch.sigmoid(layer(x.flatten(start_dim=1)))  # (n, latent)
        column_norms = (layer.weight**2).sum(dim=1)  # (latent,): torch stores (out, in)
        return ((h * (1 - h)) ** 2 @ column_norms).mean()

    def to_numpy_params(self):
        """Every weight as float64 numpy, ``enc_W1`` (in, h1), ``enc_b1`` (h1,), ...,
        ``dec_W1`` (latent, ...), ...; Linear weights transposed to (in, out); no ``_b``
        keys when the config has ``bias=False``."""
        params = {}
        for part in ("encoder", "decoder"):
            linears = [m for m in getattr(self, part) if isinstance(m, nn.Linear)]
            for i, layer in enumerate(linears, start=1):
                params[f"{part[:3]}_W{i}"] = _array(layer.weight.T)
                if layer.bias is not None:
                    params[f"{part[:3]}_b{i}"] = _array(layer.bias)
        return params

    def numpy_encode(self, X):
        """:func:`numpy_encode` with this model's weights and activations."""
        return numpy_encode(self.to_numpy_params(), X, *self.config.activations()[:2])

    def numpy_forward(self, X):
        """The reconstruction in numpy (float64) from :meth:`to_numpy_params`."""
        inner, code, output = self.config.activations()
        params = self.to_numpy_params()
        return numpy_decode(params, numpy_encode(params, X, inner, code), inner, output)


def _array(t):
    return t.detach().cpu().double().numpy().copy()


def _numpy_stack(params, prefix, x, inner, last):
    n_layers = sum(1 for key in params if key.startswith(f"{prefix}_W"))
    if n_layers == 0:
        raise ValueError(f"no weights {prefix}_W1, ... in params (keys: {sorted(params)})")
    for i in range(1, n_layers + 1):
        x = x @ params[f"{prefix}_W{i}"] + params.get(f"{prefix}_b{i}", 0.0)
        x = NUMPY_ACTIVATIONS[last if i == n_layers else inner](x)
    return x


def numpy_encode(params, X, activation="relu", code="linear"):
    """The encoder ``f`` in numpy from ``to_numpy_params()`` weights: X (n, d) -> (n, latent)."""
    return _numpy_stack(params, "enc", np.asarray(X, dtype=float), activation, code)


def numpy_decode(params, H, activation="relu", output="linear"):
    """The decoder ``g`` in numpy from ``to_numpy_params()`` weights: H (n, latent) -> (n, d)."""
    return _numpy_stack(params, "dec", np.asarray(H, dtype=float), activation, output)


# ---------------------------------------------------------------- training


def corrupt(x, kind, level):
    """A corrupted copy of the batch x (torch, drawn from torch's global generator).

    ``"gaussian"``: ``x + level * N(0, 1)``; ``"mask"``: entries set to 0 with probability
    ``level``; ``"salt_pepper"``: entries replaced by 0 or 1 (equally likely) with
    probability ``level``; None: x itself. The numpy version is ``dk.nn.corrupt``.
    """
    if kind not in NOISES:
        raise ValueError(f"corrupt: unknown kind {kind!r}; choose one of {NOISES}")
    if kind is None:
        return x
    if kind == "gaussian":
        return x + level * torch.randn_like(x)
    hit = torch.rand_like(x) < level
    if kind == "mask":
        return x.masked_fill(hit, 0.0)
    return torch.where(hit, (torch.rand_like(x) < 0.5).to(x.dtype), x)


def autoencoder_step(noise=None, level=0.0, sparsity=0.0, contractive=0.0):
    """The ``step(model, batch) -> loss`` of :func:`train_autoencoder` for ``dk.train.fit``.

    ``mean((g(f(x~)) - x)^2)`` over every entry (x~ = ``corrupt(x, noise, level)``, the
    target is always the clean x) ``+ sparsity * mean_n sum_j |h_j|`` ``+ contractive *
    mean_n ||dh/dx||_F^2`` (:meth:`AE.contractive_penalty`, on the clean x).
    """
    if noise not in NOISES:
        raise ValueError(f"autoencoder_step: unknown noise {noise!r}; choose one of {NOISES}")
    if min(level, sparsity, contractive) < 0:
        raise ValueError("autoencoder_step: level, sparsity and contractive must be >= 0")

    def step(model, batch):
        x = batch[0].flatten(start_dim=1)
        h = model.encode(corrupt(x, noise, level))
        loss = ((model.decode(h) - x) ** 2).mean()
        if sparsity:
            loss = loss + sparsity * h.abs().sum(dim=1).mean()
        if contractive:
            loss = loss + contractive * model.contractive_penalty(x)
        return loss

    return step


def train_autoencoder(
    model,
    X,
    *,
    epochs=50,
    lr=1e-2,
    batch_size=64,
    seed=0,
    noise=None,
    level=0.0,
    sparsity=0.0,
    contractive=0.0,
    progress=None,
):
    """Train ``model`` (an :class:`AE`) on the rows of X with Adam and ``dk.train.fit``.

    The loss is :func:`autoencoder_step`'s; returns ``fit``'s history (``loss`` per epoch).
    """
    return train.fit(
        model,
        np.asarray(X, dtype=np.float32),
        step=autoencoder_step(noise, level, sparsity, contractive),
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )


# ---------------------------------------------------------------- contrastive learning


def nt_xent_loss(z1, z2, tau=0.5):
    """NT-Xent (eq 15.1) of two batches of embeddings (N, d) in torch: a scalar.

    The 2N rows are normalised, ``s = u u^T / tau`` with the diagonal (each anchor with
    itself) removed, and the loss is the cross-entropy of every anchor's row against its
    partner ``(i + N) mod 2N``, averaged over the 2N anchors (``dk.nn.nt_xent`` in numpy).
    """
    n = len(z1)
    u = nn.functional.normalize(torch.cat([z1, z2]), dim=1)  # (2N, d)
    scores = u @ u.T / tau
    self_pairs = torch.eye(2 * n, dtype=torch.bool, device=u.device)
    scores = scores.masked_fill(self_pairs, float("-inf"))
    partner = (torch.arange(2 * n, device=u.device) + n) % (2 * n)
    return nn.functional.cross_entropy(scores, partner)


def shift_views(x, max_shift=1, noise=0.1, side=8):
    """A random view of every image in the batch x (n, side * side), in torch.

    Each image is moved by its own integer shift in ``{-max_shift, ..., max_shift}`` along
    both axes (zeros fill in, as ``dk.data.translate``) and gets ``noise * N(0, 1)``
    added to every pixel. Draws from torch's global generator.
    """
    n = len(x)
    images = x.reshape(n, side, side)
    padded = nn.functional.pad(images, (max_shift,) * 4)  # (n, side + 2s, side + 2s)
    offsets = torch.randint(0, 2 * max_shift + 1, (n, 2), device=x.device)
    grid = torch.arange(side, device=x.device)
    rows = (offsets[:, :1] + grid)[:, :, None]  # (n, side, 1)
    cols = (offsets[:, 1:] + grid)[:, None, :]  # (n, 1, side)
    moved = padded[torch.arange(n, device=x.device)[:, None, None], rows, cols]
    return moved.reshape(n, side * side) + noise * torch.randn_like(x)


def contrastive_step(tau=0.5, max_shift=1, noise=0.1):
    """``step(encoder, batch)``: NT-Xent between the embeddings of two random views."""

    def step(encoder, batch):
        x = batch[0]
        return nt_xent_loss(
            encoder(shift_views(x, max_shift, noise)),
            encoder(shift_views(x, max_shift, noise)),
            tau,
        )

    return step


def train_contrastive(
    encoder,
    X,
    *,
    epochs=30,
    lr=3e-3,
    batch_size=256,
    seed=0,
    tau=0.5,
    max_shift=1,
    noise=0.1,
    progress=None,
):
    """SimCLR: train ``encoder`` (any module mapping (n, 64) to embeddings) on unlabelled
    rows X with :func:`contrastive_step` and Adam through ``dk.train.fit``; the history."""
    return train.fit(
        encoder,
        np.asarray(X, dtype=np.float32),
        step=contrastive_step(tau, max_shift, noise),
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )


__all__ = [
    "AE",
    "AEConfig",
    "autoencoder_step",
    "contrastive_step",
    "corrupt",
    "nt_xent_loss",
    "numpy_decode",
    "numpy_encode",
    "shift_views",
    "train_autoencoder",
    "train_contrastive",
]
