"""Widget drawings for module 15, linear factor models.

The expensive parts (a PCA of every digit or photo patch, a learned dictionary) are
computed once per session and cached; a redraw is then a few matrix products.
"""

from functools import cache

import numpy as np

from dlkit.data import digits, sample_image
from dlkit.factor import dictionary_learning, fastica, ista, mixed_sources, pca_svd
from dlkit.ml import soft_threshold
from dlkit.plot import LiveFigure, new_figure, nice_ceil

SOURCES = ("digits", "photo")
PATCH = 8  # photo patches of 8 x 8 pixels, like a digit
N_SHOWN_COMPONENTS = 8
ICA_KINDS = ("uniform", "laplace", "sine-square", "gaussian")
DICTIONARY_ATOMS = 48
DICTIONARY_LAM = 0.1
CODE_LAMS = np.geomspace(0.005, 1.0, 12)  # the lam axis of the sparse-code widget
ISTA_STEPS = 1000  # the dictionary is coherent: ISTA needs many steps
REACH_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)  # the ladder of a panel's reach


def _all_digits():
    X_train, _, X_test, _ = digits(1000, seed=0)
    return np.vstack([X_train, X_test])  # (1797, 64)


def _photo_patches():
    """The photo cut into 8 x 8 patches: (n_patches, 64) and the grid (rows, cols)."""
    image = sample_image()  # (214, 320)
    rows, cols = image.shape[0] // PATCH, image.shape[1] // PATCH
    crop = image[: rows * PATCH, : cols * PATCH]
    patches = crop.reshape(rows, PATCH, cols, PATCH).transpose(0, 2, 1, 3)  # (r, c, 8, 8)
    return patches.reshape(rows * cols, PATCH * PATCH), (rows, cols)


@cache
def _pca(source):
    """Every component of the source's 64-pixel rows: data, mean, components, scores, ratios."""
    if source == "digits":
        X, grid = _all_digits(), None
    else:
        X, grid = _photo_patches()
    components, variance, scores = pca_svd(X, min(X.shape))
    total = np.sum((X - X.mean(axis=0)) ** 2) / (len(X) - 1)  # all the variance
    for array in (X, components, scores):
        array.flags.writeable = False
    return X, X.mean(axis=0), components, scores, np.cumsum(variance) / total, grid


def _tile(vectors, ncols):
    """64-pixel vectors as one image of 8 x 8 tiles separated by NaN gaps, row by row."""
    nrows = -(-len(vectors) // ncols)
    canvas = np.full((nrows * (PATCH + 1) - 1, ncols * (PATCH + 1) - 1), np.nan)
    for i, v in enumerate(vectors):
        r, c = divmod(i, ncols)
        canvas[
            r * (PATCH + 1) : r * (PATCH + 1) + PATCH, c * (PATCH + 1) : c * (PATCH + 1) + PATCH
        ] = v.reshape(PATCH, PATCH)
    return canvas


def _from_patches(rows_of_pixels, grid):
    rows, cols = grid
    patches = rows_of_pixels.reshape(rows, cols, PATCH, PATCH).transpose(0, 2, 1, 3)
    return patches.reshape(rows * PATCH, cols * PATCH)


@cache
def _photo_original():
    X, _, _, _, _, grid = _pca("photo")
    image = _from_patches(X, grid)
    image.flags.writeable = False
    return image


def pca_reconstruction(source, k, index=0):
    """``(original, reconstruction, mse)`` of one digit (8 x 8) or of the whole photo,
    from its first k principal components (k = 0 gives the mean)."""
    X, mean, components, scores, _, grid = _pca(source)
    if source == "digits":
        original = X[index]
        rebuilt = scores[index, :k] @ components[:k] + mean
        return (
            original.reshape(PATCH, PATCH),
            rebuilt.reshape(PATCH, PATCH),
            float(np.mean((rebuilt - original) ** 2)),
        )
    rebuilt = scores[:, :k] @ components[:k] + mean  # (n_patches, 64)
    original = _photo_original()
    rebuilt = _from_patches(rebuilt, grid)
    return original, rebuilt, float(np.mean((rebuilt - original) ** 2))


def _check_source(source):
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of {SOURCES}")


def _check_pca_sliders(k, index, source):
    if not (isinstance(k, int | np.integer) and 0 <= k <= 64):
        raise ValueError(f"k must be an integer in 0..64, got {k!r}")
    if source == "digits" and not (isinstance(index, int | np.integer) and 0 <= index < 1797):
        raise ValueError(f"index must be an integer in 0..1796, got {index!r}")


class PCAReconstruction(LiveFigure):
    """Module 15's PCA reconstruction, redrawn in place (see :func:`draw_pca_reconstruction`):
    per source the panels, the first eight components, the cumulative explained variance
    curve and the labels are fixed; the reconstruction, its MSE title, the k marker and
    the explained-variance title move with k (and the digit, its original, with index).

    Every limit is fixed: the images' pixel grids (8 x 8, or the photo's 208 x 320) with
    the grey scale 0 .. 1, and the curve's k = -1 .. 66 by ratio 0 .. 1.02."""

    def __init__(self, source="digits"):
        _check_source(source)
        self.source = source
        _, _, components, _, cumulative, _ = _pca(source)
        self.cumulative = cumulative
        fig, axes = new_figure(ncols=4, width=3.0, height=3.3, top=0.76, bottom=0.16, left=0.06)
        cmap = "gray" if source == "photo" else "gray_r"
        blank = np.zeros_like(_photo_original()) if source == "photo" else np.zeros((PATCH, PATCH))
        self.original = axes[0].imshow(
            _photo_original() if source == "photo" else blank, cmap=cmap, vmin=0, vmax=1.0
        )
        self.rebuilt = axes[1].imshow(blank, cmap=cmap, vmin=0, vmax=1.0)
        _image_axes(axes[0], "original")
        _image_axes(axes[1], "k components")
        shown = components[:N_SHOWN_COMPONENTS]
        limit = np.abs(shown).max()
        axes[2].imshow(_tile(shown, 4), cmap="RdBu_r", vmin=-limit, vmax=limit)
        _image_axes(
            axes[2], "first 8 components", "pixel column (per tile)", "pixel row (per tile)"
        )
        ks = np.arange(1, len(cumulative) + 1)
        axes[3].plot(ks, cumulative, color="C0")
        self.marker = axes[3].axvline(0, color="C3", lw=1)
        axes[3].set_xlabel("number of components k")
        axes[3].set_ylabel("cumulative explained variance ratio")
        axes[3].set_xlim(-1, len(cumulative) + 2)
        axes[3].set_ylim(0, 1.02)
        axes[3].set_xticks([1, 16, 32, 48, 64])
        axes[3].set_yticks([0, 0.5, 1])
        what = "digits (8 x 8)" if source == "digits" else "photo, 8 x 8 patches"
        fig.suptitle(f"PCA of the {what}")
        self.axes = axes
        moving = [self.rebuilt, axes[1].title, self.marker, axes[3].title]
        moving += axes[1].spines.values()  # painted over the image, as in a full draw
        if source == "digits":  # the photo's original never moves
            moving += [self.original, *axes[0].spines.values()]
        super().__init__(fig, moving)

    def update(self, k=8, index=0):
        _check_pca_sliders(k, index, self.source)
        original, rebuilt, mse = pca_reconstruction(self.source, int(k), int(index))
        if self.source == "digits":
            self.original.set_data(original)
        self.rebuilt.set_data(rebuilt)
        self.axes[1].set_title(f"k = {k} components\nMSE = {mse:.4f}")
        self.marker.set_xdata([k, k])
        explained = self.cumulative[k - 1] if k > 0 else 0.0
        self.axes[3].set_title(f"{100 * explained:.1f} % of the variance")
        return self


def draw_pca_reconstruction(k, index=0, source="digits"):
    """PCA with k components on the digits (one digit, ``index``) or on the photo's 8 x 8
    patches (the whole photo): the original, its reconstruction ``scores[:, :k] @
    components[:k] + mean``, the first eight components as 8 x 8 images, and the
    cumulative explained variance with k marked."""
    _check_source(source)
    _check_pca_sliders(k, index, source)
    return PCAReconstruction(source).update(k, index).figure


def _image_axes(ax, title, xlabel="pixel column", ylabel="pixel row"):
    """Labels for an image panel, without ticks (tick labels are most of a redraw)."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _square_limits(ax, reach):
    """Equal limits ``+-reach`` with three ticks (ticks are most of a redraw)."""
    tick = float(np.floor(reach * 0.8)) or round(reach * 0.8, 1)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_xticks([-tick, 0, tick])
    ax.set_yticks([-tick, 0, tick])


def _pca_axes(X):
    """Eigenvectors (columns) and eigenvalues of the covariance of X (n, 2), largest first."""
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    return vectors[:, ::-1], values[::-1]


def _check_source_kind(source_kind):
    if source_kind not in ICA_KINDS:
        raise ValueError(f"unknown source_kind {source_kind!r}; choose one of {ICA_KINDS}")


def _check_angle(angle):
    if not 0 < float(angle) < 180:
        raise ValueError(f"angle must lie strictly between 0 and 180 degrees, got {angle!r}")


def _reach(bound):
    """A square panel's half-width: the step of REACH_STEPS at or above ``1.05 bound``."""
    return nice_ceil(1.05 * bound, steps=REACH_STEPS)


class ICAMixing(LiveFigure):
    """Module 15's ICA mixing, redrawn in place (see :func:`draw_ica_mixing`): per source
    kind the panels, labels, legend entries and the suptitle are fixed; the three point
    clouds, the six directions (true, PCA, ICA) and the titles (angle, |corr|) move with
    the angle and n.

    Each panel is the square ``+-R``, ``R`` the step of 1, 1.5, 2, 3, 4, 5, 6, 8 at or
    above 1.05 times a bound that does not depend on the angle: the sources' and the
    estimate's largest row norm ``max ||s_i||`` (the estimate is the whitened mixture
    turned, so its row norms are those of the whitened mixture, near the sources'); the
    mixture's ``max(|s1 + s2|, |s1 - s2|, |s2|)``, which bounds ``x1 = s1 + cos(angle) s2``
    and ``x2 = sin(angle) s2`` at every angle. So the angle moves the clouds against a
    still frame, and only n (a new sample) can step a limit."""

    def __init__(self, source_kind="uniform"):
        _check_source_kind(source_kind)
        self.source_kind = source_kind
        fig, axes = new_figure(ncols=3, width=3.6, height=3.6, top=0.8, bottom=0.14)
        style = {"ls": "none", "marker": ".", "ms": 2, "alpha": 0.4}
        (self.sources,) = axes[0].plot([], [], color="0.4", **style)
        axes[0].set_title("independent sources s")
        axes[0].set_xlabel("s1 (standardised)")
        axes[0].set_ylabel("s2 (standardised)")
        (self.mixture,) = axes[1].plot([], [], color="0.4", **style)
        kinds = [("k", "-", "true A columns"), ("C1", "--", "PCA directions")]
        kinds.append(("C2", "-", "ICA directions"))
        self.directions = [
            axes[1].plot(
                [],
                [],
                color=colour,
                ls=line_style,
                lw=2.5 if colour == "k" else 1.5,
                label=label if j == 0 else None,
            )[0]
            for colour, line_style, label in kinds
            for j in range(2)
        ]  # true, true, PCA, PCA, ICA, ICA: each drawn through the origin
        axes[1].set_xlabel("x1")
        axes[1].set_ylabel("x2")
        axes[1].legend(loc="upper left", fontsize=7)  # fixed: the lines stay below it
        (self.estimate,) = axes[2].plot([], [], color="C2", **style)
        axes[2].set_xlabel("estimated source 1")
        axes[2].set_ylabel("estimated source 2")
        for ax in axes:
            ax.set_aspect("equal")
        fig.suptitle(f"ICA on two {source_kind} sources")
        self.axes = axes
        moving = [self.sources, self.mixture, *self.directions, self.estimate]
        super().__init__(fig, [*moving, axes[1].title, axes[2].title])

    def update(self, angle=60.0, n=800):
        _check_angle(angle)
        S, A, X = mixed_sources(self.source_kind, n, float(angle), seed=0)
        S_hat, W = fastica(X, 2, n_iter=200, seed=0)
        A_hat = np.linalg.inv(W)  # (2, 2): columns are the estimated mixing directions
        C = np.abs(np.corrcoef(S.T, S_hat.T)[:2, 2:])
        match = max(min(C[0, 0], C[1, 1]), min(C[0, 1], C[1, 0]))
        vectors, values = _pca_axes(X)
        X = X - X.mean(axis=0)
        self.sources.set_data(S[:, 0], S[:, 1])
        self.mixture.set_data(X[:, 0], X[:, 1])
        self.estimate.set_data(S_hat[:, 0], S_hat[:, 1])
        reach = 2.5
        ends = (  # (direction, keeps its relative length)
            [(A[:, j], False) for j in range(2)]
            + [(vectors[:, j] * np.sqrt(values[j] / values[0]), True) for j in range(2)]
            + [(A_hat[:, j], False) for j in range(2)]
        )
        for line, (direction, relative) in zip(self.directions, ends):
            if not relative:
                direction = direction / np.linalg.norm(direction)  # PCA keeps its length
            end = reach * direction
            line.set_data([-end[0], end[0]], [-end[1], end[1]])
        self.axes[1].set_title(f"mixture x = A s (angle {float(angle):.0f} deg)")
        self.axes[2].set_title(f"FastICA estimate, |corr| = {match:.3f}")
        row_norm = float(np.sqrt(np.max(np.sum(S**2, axis=1))))
        estimate_norm = float(np.sqrt(np.max(np.sum(S_hat**2, axis=1))))
        mixture = float(np.max(np.abs([S[:, 0] + S[:, 1], S[:, 0] - S[:, 1], S[:, 1]])))
        for ax, bound in zip(self.axes, (row_norm, mixture, estimate_norm)):
            if ax.get_xlim() != (-_reach(bound), _reach(bound)):  # new ticks as the frame steps
                _square_limits(ax, _reach(bound))
        return self


def draw_ica_mixing(angle, source_kind="uniform", n=800):
    """Two independent sources mixed by ``A = [[1, cos angle], [0, sin angle]]``, unmixed by
    FastICA. Left: the sources. Middle: the mixture with the true mixing directions (the
    columns of A), the PCA directions (orthogonal, along the largest variance) and the ICA
    directions (the columns of the estimated mixing matrix, W^{-1}). Right: the recovered
    sources, with their best |correlation| to the true ones. Gaussian sources make a
    rotation-invariant cloud: ICA finds an arbitrary rotation."""
    _check_source_kind(source_kind)
    _check_angle(angle)
    return ICAMixing(source_kind).update(angle, n).figure


@cache
def _dictionary():
    """A dictionary of 48 atoms learned on 500 training digits (computed once)."""
    X, *_ = digits(500, seed=0)
    D, _, _ = dictionary_learning(X, DICTIONARY_ATOMS, DICTIONARY_LAM, n_iter=15, seed=0)
    D.flags.writeable = False
    return D


@cache
def sparse_codes(index):
    """The ISTA codes (ISTA_STEPS steps) of test digit ``index`` at every lam of ``CODE_LAMS``,
    all at once: ``(x (64,), codes (len(CODE_LAMS), atoms))``, cached per digit."""
    D = _dictionary()
    _, _, X_test, _ = digits(500, seed=0)
    x = X_test[index]
    L = float(np.linalg.norm(D, 2) ** 2)
    thresholds = CODE_LAMS[:, None] / L  # (n_lams, 1): one lam per row
    Z = np.zeros((len(CODE_LAMS), D.shape[1]))
    for _ in range(ISTA_STEPS):
        Z = soft_threshold(Z - (Z @ D.T - x) @ D / L, thresholds)
    Z.flags.writeable = False
    return x, Z


def _check_sparse(lam, index):
    lam = float(lam)
    if not CODE_LAMS[0] <= lam <= CODE_LAMS[-1]:
        raise ValueError(f"lam must lie in [{CODE_LAMS[0]}, {CODE_LAMS[-1]}], got {lam}")
    if not (isinstance(index, int | np.integer) and 0 <= index < 1297):
        raise ValueError(f"index must be an integer in 0..1296, got {index!r}")
    return lam


def _code_limit(extreme, floor):
    """The code panel's limit on one side: ``floor``, or the step of REACH_STEPS at or
    above ``1.05 extreme`` where the code reaches past ``floor / 1.05``."""
    return max(floor, _reach(extreme)) if extreme > 0 else floor


class SparseCode(LiveFigure):
    """Module 15's sparse code, redrawn in place (see :func:`draw_sparse_code`): the
    panels, the labels and the legend are fixed; the digit and D z, the code's bars, the
    sparsity and error curves (per digit), the lam marker and the titles move with lam
    and the digit.

    The image and the curves' panel are fixed (log10 lam -2.4 .. 0.1 by 0 .. 1.02). The
    code's y range is ``-B .. T`` with ``T = 2`` and ``B = 1`` (the codes of 95 % of the
    test digits, at every lam, lie inside), stepping to 1.05 times the code's reach on
    1, 1.5, 2, 3, 4, 5, 6, 8 where a digit's codes (at the lams of ``CODE_LAMS`` and the
    current one) pass them: lam never moves it unless its code leaves the frame, and most
    digits share one frame."""

    def __init__(self):
        self.D = _dictionary()
        self.L = float(np.linalg.norm(self.D, 2) ** 2)
        self._codes = {}  # (index, lam): the ISTA code, computed once
        fig, axes = new_figure(ncols=3, width=3.4, height=3.2, top=0.8, bottom=0.16)
        self.pair = axes[0].imshow(np.zeros((PATCH, 2 * PATCH + 1)), cmap="gray_r", vmin=0, vmax=1)
        _image_axes(axes[0], "digit and D z")
        atoms = np.arange(self.D.shape[1])
        self.bars = axes[1].vlines(atoms, 0, np.zeros(len(atoms)), color="C0", lw=2)
        zero = axes[1].axhline(0, color="0.5", lw=0.8)
        axes[1].set_xlim(-2, len(atoms) + 1)
        axes[1].set_xlabel("atom j")
        axes[1].set_ylabel("z_j")
        log_lams = np.log10(CODE_LAMS)
        (self.used,) = axes[2].plot(
            log_lams,
            np.zeros_like(log_lams),
            color="C0",
            marker="o",
            ms=3,
            label="atoms used (fraction)",
        )
        (self.relative,) = axes[2].plot(
            log_lams,
            np.zeros_like(log_lams),
            color="C1",
            marker="s",
            ms=3,
            label="relative error",
        )
        self.marker = axes[2].axvline(0, color="C3", lw=1)
        axes[2].set_xlim(-2.4, 0.1)
        axes[2].set_xticks([-2, -1, 0])
        axes[2].set_yticks([0, 0.5, 1])
        axes[2].set_ylim(0, 1.02)
        axes[2].set_xlabel("log10 lam")
        axes[2].set_ylabel("fraction")
        axes[2].legend(loc="upper right", fontsize=7)  # fixed: the curves stay below it
        axes[2].set_title("sparsity and error vs lam")
        self.title = fig.suptitle("")
        self.axes = axes
        moving = [self.pair, self.bars, zero, self.used, self.relative, self.marker]
        moving += axes[0].spines.values()  # painted over the image, as in a full draw
        super().__init__(fig, [*moving, axes[0].title, axes[1].title, self.title])

    def code(self, index, lam):
        """The ISTA code of test digit ``index`` at ``lam``, cached per (index, lam)."""
        if (index, lam) not in self._codes:
            x, _ = sparse_codes(index)
            self._codes[index, lam] = ista(self.D, x, lam, n_iter=ISTA_STEPS)
        return self._codes[index, lam]

    def update(self, lam=0.1, index=0):
        lam = _check_sparse(lam, index)
        index = int(index)
        x, codes = sparse_codes(index)
        z = self.code(index, lam)
        rebuilt = self.D @ z
        pair = np.full((PATCH, 2 * PATCH + 1), np.nan)
        pair[:, :PATCH], pair[:, PATCH + 1 :] = (
            x.reshape(PATCH, PATCH),
            rebuilt.reshape(PATCH, PATCH),
        )
        self.pair.set_data(pair)
        self.axes[0].set_title(f"digit and D z\nMSE = {np.mean((rebuilt - x) ** 2):.4f}")
        segments = np.zeros((len(z), 2, 2))  # (atom, bottom and top, x and y)
        segments[:, :, 0] = np.arange(len(z))[:, None]
        segments[:, 1, 1] = z
        self.bars.set_segments(segments)
        self.axes[1].set_title(f"code z: {int(np.sum(z != 0))} of {len(z)} atoms used")
        self.used.set_ydata(np.mean(codes != 0, axis=1))  # fraction of the atoms in each code
        relative = np.sum((codes @ self.D.T - x) ** 2, axis=1) / np.sum(x**2)
        self.relative.set_ydata(relative)
        self.marker.set_xdata([np.log10(lam)] * 2)
        self.title.set_text(f"sparse code of a digit, lam = {lam:.3g}")
        top = _code_limit(max(codes.max(), z.max()), 2.0)
        bottom = _code_limit(-min(codes.min(), z.min()), 1.0)
        self.axes[1].set_ylim(-bottom, top)
        return self


def draw_sparse_code(lam, index=0):
    """A test digit coded over a dictionary learned on the training digits, by ISTA on
    ``1/2 ||x - D z||^2 + lam ||z||_1``: the digit and its reconstruction, the code z (one bar
    per atom), and the fraction of atoms used and the relative error ||x - D z||^2 / ||x||^2
    as lam varies."""
    lam = _check_sparse(lam, index)
    return SparseCode().update(lam, index).figure
