"""Widget drawings for module 16, autoencoders and representation learning.

All three are numpy-only: they take a trained model's numpy weights (``to_numpy_params()``)
or precomputed results. The two forward passes here are the numpy ones of
``dk.models.vae.numpy_decode`` and ``dk.models.AE.numpy_forward``, restated in a few lines
because ``dlkit.models`` imports torch and ``import dlkit`` (which loads the widgets) must
not; ``tests/dlkit/widgets`` checks them against the torch models.
"""

import numpy as np

from dlkit.nn.activations import identity, relu, sigmoid, tanh
from dlkit.nn.representation import CORRUPTIONS, corrupt
from dlkit.plot import LiveFigure, new_figure, nice_ceil

SIDE = 8
BAR_TOPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)  # steps of the KL bars' top
_ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "linear": identity}


def mosaic(images, cols, side=SIDE, gap=1):
    """Rows of ``side * side`` pixels tiled into one image, ``cols`` per row, with NaN gaps.

    images (m, side * side) -> (rows * (side + gap) - gap, cols * (side + gap) - gap), the
    gaps NaN so that ``imshow`` leaves them blank. Images fill the grid row by row.
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 2 or images.shape[1] != side * side:
        raise ValueError(f"mosaic: expected rows of {side * side} pixels, got {images.shape}")
    rows = -(-len(images) // cols)
    step = side + gap
    out = np.full((rows * step - gap, cols * step - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        out[r * step : r * step + side, c * step : c * step + side] = image.reshape(side, side)
    return out


def _vae_decode(params, Z):
    """Pixel probabilities of the VAE decoder (n, latent) -> (n, d)."""
    h = relu(np.asarray(Z, dtype=float) @ params["dec_W1"] + params["dec_b1"])
    return sigmoid(h @ params["dec_W2"] + params["dec_b2"])


def _image_axes(ax, title):
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


class LatentSpace(LiveFigure):
    """Module 16's 2-D latent space, redrawn in place (see :func:`draw_latent_space`): the
    encoded digits, their class labels, the decoded ``grid x grid`` lattice and every
    label are fixed by the trained weights and codes; the point ``(z1, z2)`` (marked in
    the left and middle panels), the image decoded there and its title move.

    Limits are fixed: the codes' panel is ``[-extent - 1, extent + 1]^2``, the lattice's
    ``[-h, h]^2`` with ``h = extent + extent / (grid - 1) / 2`` (its tiles centred on the
    lattice points), the decoded image 8 x 8 pixels with grey levels 0..1.
    """

    def __init__(self, params, codes, labels, grid=9, extent=3.0):
        codes, labels = np.asarray(codes, dtype=float), np.asarray(labels)
        if params["dec_W1"].shape[0] != 2:
            raise ValueError(
                f"draw_latent_space needs a VAE with a 2-D latent space, got "
                f"{params['dec_W1'].shape[0]} latent dimensions"
            )
        if codes.ndim != 2 or codes.shape[1] != 2 or labels.shape != (len(codes),):
            raise ValueError(
                f"codes must be (n, 2) and labels (n,), got {codes.shape} and {labels.shape}"
            )
        if not (isinstance(grid, int | np.integer) and 2 <= grid <= 20):
            raise ValueError(f"grid must be an int in 2..20, got {grid!r}")
        self.params = params
        values = np.linspace(-extent, extent, grid)
        lattice = np.array([(a, b) for b in values[::-1] for a in values])  # top row: largest z2
        tiles = mosaic(_vae_decode(params, lattice), grid)

        fig, (left, middle, right) = new_figure(ncols=3, width=3.6, height=3.5, top=0.86)
        left.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=5, vmin=-0.5, vmax=9.5)
        for digit in np.unique(labels):  # each class's label at its median code
            where = np.median(codes[labels == digit], axis=0)
            left.text(*where, str(digit), fontsize=11, weight="bold", ha="center", va="center")
        marker = {"marker": "X", "markersize": 11, "markeredgecolor": "w", "zorder": 4}
        (self.code_point,) = left.plot([], [], color="k", **marker)
        left.set_xlim(-extent - 1, extent + 1)
        left.set_ylim(-extent - 1, extent + 1)
        left.set_xlabel("z1 (latent mean)")
        left.set_ylabel("z2 (latent mean)")
        left.set_title("held-out digits, encoded", fontsize=10)

        half = extent + extent / (grid - 1) / 2  # the lattice points sit at the tile centres
        middle.imshow(tiles, cmap="gray_r", vmin=0, vmax=1, extent=(-half, half, -half, half))
        (self.lattice_point,) = middle.plot([], [], color="C3", **marker)
        middle.set_xlabel("z1")
        middle.set_ylabel("z2")
        middle.set_title(f"decoded on a {grid} x {grid} grid", fontsize=10)
        middle.grid(False)

        self.decoded = right.imshow(np.zeros((SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
        _image_axes(right, "")
        right.set_xlabel("pixel column")
        right.set_ylabel("pixel row")
        fig.suptitle("A VAE's 2-D latent space: nearby codes decode to similar digits", fontsize=11)
        self.right = right
        # the spines move too, so that they stay over the decoded image, as savefig draws them
        moving = [self.code_point, self.lattice_point, self.decoded, *right.spines.values()]
        super().__init__(fig, [*moving, right.title])

    def update(self, z1=0.0, z2=0.0):
        for point in (self.code_point, self.lattice_point):
            point.set_data([z1], [z2])
        self.decoded.set_data(_vae_decode(self.params, np.array([[z1, z2]]))[0].reshape(SIDE, SIDE))
        self.right.set_title(f"decoded at z = ({z1:.1f}, {z2:.1f})", fontsize=10)
        return self


def draw_latent_space(params, codes, labels, z1=0.0, z2=0.0, grid=9, extent=3.0):
    """The 2-D latent space of a trained VAE: encoded digits, decoded grid, one decoded point.

    params: the numpy weights of a VAE with ``latent=2`` (``model.to_numpy_params()``);
    codes (n, 2): the encoder's means of held-out digits; labels (n,) their classes.
    Left: the codes coloured by digit, with the point (z1, z2). Middle: the decoder's
    images on a ``grid x grid`` lattice over ``[-extent, extent]^2`` (the prior's bulk),
    drawn at their latent coordinates. Right: the image decoded at (z1, z2).
    """
    return LatentSpace(params, codes, labels, grid, extent).update(z1, z2).figure


class BetaTradeoff(LiveFigure):
    """Module 16's beta-VAE trade-off, redrawn in place (see :func:`draw_beta_tradeoff`):
    every beta's (KL, reconstruction) curve, the lines of equal -ELBO, the labels and the
    latent dimensions are fixed by the results; the circle on the chosen beta, its KL bars
    per dimension and their title, its prior samples and the suptitle move with ``beta``.

    Limits are fixed by all the betas at once, so that moving beta moves the bars and the
    circle against a still frame (collapsing units sink toward 0): the left panel's x runs
    over ``-0.05 S .. S`` with ``S = 1.1 max(max KL, 1)``, its y over ``min rec - 2 ..
    max rec + 2``; the bars' top is ``max(2.5, 1.1 x`` the largest KL of any dimension
    at any beta), rounded up to a step of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (round ticks;
    the tallest bar fills at least 60 % of it); the samples' grey levels are 0..1.
    """

    def __init__(self, results):
        self.results = results
        betas = sorted(results)
        kl = np.array([results[b]["kl"] for b in betas])
        rec = np.array([results[b]["reconstruction"] for b in betas])
        fig, (left, middle, right) = new_figure(ncols=3, width=3.6, height=3.5, top=0.84)
        span = np.linspace(0, max(kl.max(), 1.0) * 1.1, 2)
        for total in np.unique(np.round(rec + kl)):
            left.plot(span, total - span, color="0.85", lw=0.8, zorder=0)
        left.plot(kl, rec, "o-", color="C0")
        for b, x, y in zip(betas, kl, rec):
            left.annotate(f"{b:g}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        (self.circle,) = left.plot([], [], "o", ms=14, mfc="none", color="C3")
        left.set_xlim(-0.05 * span[-1], span[-1])
        left.set_ylim(rec.min() - 2, rec.max() + 2)
        left.set_xlabel("KL(q(z|x) || p(z)) (nats)")
        left.set_ylabel("reconstruction -E log p(x|z) (nats)")
        left.set_title("rate vs distortion over beta", fontsize=10)

        dims = len(results[betas[0]]["kl_per_dim"])
        peak = max(float(np.max(results[b]["kl_per_dim"])) for b in betas)
        self.bars = middle.bar(np.arange(dims), np.zeros(dims), color="C2").patches
        middle.set_ylim(0, nice_ceil(max(2.5, 1.1 * peak), steps=BAR_TOPS))
        middle.set_xticks(np.arange(dims))
        middle.set_xlabel("latent dimension j")
        middle.set_ylabel("mean KL of dimension j (nats)")

        shown = max(len(results[b]["samples"]) for b in betas)
        self.cols = int(np.ceil(np.sqrt(shown)))
        rows = -(-shown // self.cols) * (SIDE + 1) - 1  # every beta's mosaic padded to these
        self.blank = np.full((rows, self.cols * (SIDE + 1) - 1), np.nan)
        self.samples = right.imshow(self.blank, cmap="gray_r", vmin=0, vmax=1)
        _image_axes(right, "samples from the prior")
        right.set_xlabel("decoded z ~ N(0, I)")
        right.set_ylabel("pixel probabilities")
        self.title = fig.suptitle("", fontsize=11)
        self.middle = middle
        # the spines move too, so that they stay over the samples, as savefig draws them
        moving = [self.circle, *self.bars, middle.title, self.samples, *right.spines.values()]
        super().__init__(fig, [*moving, self.title])

    def update(self, beta=1.0):
        betas = sorted(self.results)
        if beta not in self.results:
            raise ValueError(f"beta must be one of the trained values {betas}, got {beta!r}")
        chosen = self.results[beta]
        self.circle.set_data([chosen["kl"]], [chosen["reconstruction"]])
        per_dim = np.asarray(chosen["kl_per_dim"])
        if len(per_dim) != len(self.bars):
            raise ValueError(
                f"every beta needs the same latent dimensions: beta {beta:g} has "
                f"{len(per_dim)}, beta {betas[0]:g} has {len(self.bars)}"
            )
        for bar, height in zip(self.bars, per_dim):
            bar.set_height(height)
        self.middle.set_title(
            f"{chosen['active_units']} of {len(per_dim)} units active", fontsize=10
        )
        tiles = mosaic(np.asarray(chosen["samples"]), self.cols)
        padded = self.blank.copy()
        padded[: tiles.shape[0], : tiles.shape[1]] = tiles
        self.samples.set_data(padded)
        self.title.set_text(
            f"beta = {beta:g}: -ELBO {chosen['neg_elbo']:.1f} nats = reconstruction "
            f"{chosen['reconstruction']:.1f} + KL {chosen['kl']:.1f}"
        )
        return self


def draw_beta_tradeoff(results, beta):
    """beta-VAE: reconstruction against KL over a grid of betas, and one beta in detail.

    results: ``{beta: summary}`` as ``dk.models.vae.beta_sweep`` returns it (each with
    ``reconstruction``, ``kl``, ``kl_per_dim``, ``active_units`` and ``samples``). Left:
    every beta's held-out reconstruction term against its KL (nats per digit), with lines
    of equal -ELBO; the chosen beta is circled. Middle: its KL per latent dimension (the
    collapsed ones are near 0). Right: images sampled from its prior.
    """
    betas = sorted(results)
    if beta not in results:
        raise ValueError(f"beta must be one of the trained values {betas}, got {beta!r}")
    return BetaTradeoff(results).update(beta).figure


def _ae_forward(params, X, activation, code):
    """The autoencoder of ``dk.models.AE.to_numpy_params()`` in numpy (linear output)."""
    x = np.asarray(X, dtype=float)
    for prefix, last in (("enc", code), ("dec", "linear")):
        n_layers = sum(1 for key in params if key.startswith(f"{prefix}_W"))
        for i in range(1, n_layers + 1):
            x = x @ params[f"{prefix}_W{i}"] + params.get(f"{prefix}_b{i}", 0.0)
            x = _ACTIVATIONS[last if i == n_layers else activation](x)
    return x


class Denoising(LiveFigure):
    """Module 16's denoising autoencoder, redrawn in place (see :func:`draw_denoising`):
    the clean digits, their row and every label are fixed by the weights and digits; the
    corrupted digits, their reconstruction and those two rows' titles (kind, level, MSE)
    move with ``kind`` and ``level``.

    Limits are fixed: each row is the mosaic of the n digits (8 x 8 pixels, 1-pixel gaps),
    grey levels 0..1 (the images clipped to it).
    """

    def __init__(self, params, X, seed=0, activation="relu", code="linear"):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or not 1 <= len(X) <= 12:
            raise ValueError(f"X must hold 1 to 12 digits (n, 64), got shape {X.shape}")
        self.params, self.X, self.seed = params, X, seed
        self.activation, self.code = activation, code
        fig, axes = new_figure(
            nrows=3, width=0.75 * len(X) + 1.2, height=1.45, top=0.9, bottom=0.05
        )
        clean, noisy, restored = axes
        tiles = mosaic(np.clip(X, 0, 1), len(X))
        clean.imshow(tiles, cmap="gray_r", vmin=0, vmax=1)
        _image_axes(clean, "clean digits: MSE 0.0000")
        self.images = [ax.imshow(tiles, cmap="gray_r", vmin=0, vmax=1) for ax in (noisy, restored)]
        for ax in axes:
            ax.set_xlabel("digit")
            ax.set_ylabel("image")
        for ax in (noisy, restored):
            _image_axes(ax, "")
        self.rows = (noisy, restored)
        # the spines move too, so that they stay over the images, as savefig draws them
        spines = [spine for ax in self.rows for spine in ax.spines.values()]
        super().__init__(fig, [*self.images, *spines, noisy.title, restored.title])

    def update(self, kind="mask", level=0.3):
        if kind not in CORRUPTIONS:
            raise ValueError(f"kind must be one of {CORRUPTIONS}, got {kind!r}")
        noisy = corrupt(self.X, kind, level, self.seed)
        restored = np.clip(_ae_forward(self.params, noisy, self.activation, self.code), 0.0, 1.0)
        names = (f"corrupted ({kind}, level {level:g})", "denoised by the autoencoder")
        for ax, image, name, images in zip(self.rows, self.images, names, (noisy, restored)):
            image.set_data(mosaic(np.clip(images, 0, 1), len(self.X)))
            error = float(np.mean((images - self.X) ** 2))
            ax.set_title(f"{name}: MSE {error:.4f}", fontsize=10)
        return self


def draw_denoising(params, X, kind="mask", level=0.3, seed=0, activation="relu", code="linear"):
    """A denoising autoencoder at work: clean digits, corrupted ones, reconstructions.

    params: the numpy weights of a trained ``dk.models.AE`` (its ``activation`` and
    ``code`` given here); X (n, 64) clean digits, n <= 12. The corruption is
    ``dk.nn.corrupt(X, kind, level, seed)``; the titles give each row's mean squared error
    against the clean digits.
    """
    X = np.asarray(X, dtype=float)
    if kind not in CORRUPTIONS:
        raise ValueError(f"kind must be one of {CORRUPTIONS}, got {kind!r}")
    return Denoising(params, X, seed, activation, code).update(kind, level).figure


__all__ = [
    "BetaTradeoff",
    "Denoising",
    "LatentSpace",
    "draw_beta_tradeoff",
    "draw_denoising",
    "draw_latent_space",
    "mosaic",
]
