"""Widget drawings for module 15, linear factor models.

The expensive parts (a PCA of every digit or photo patch, a learned dictionary) are
computed once per session and cached; a redraw is then a few matrix products.
"""

from functools import cache

import numpy as np

from dlkit.data import digits, sample_image
from dlkit.factor import dictionary_learning, fastica, ista, mixed_sources, pca_svd
from dlkit.ml import soft_threshold
from dlkit.plot import new_figure

SOURCES = ("digits", "photo")
PATCH = 8  # photo patches of 8 x 8 pixels, like a digit
N_SHOWN_COMPONENTS = 8
ICA_KINDS = ("uniform", "laplace", "sine-square", "gaussian")
DICTIONARY_ATOMS = 48
DICTIONARY_LAM = 0.1
CODE_LAMS = np.geomspace(0.005, 1.0, 12)  # the lam axis of the sparse-code widget
ISTA_STEPS = 1000  # the dictionary is coherent: ISTA needs many steps


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


def draw_pca_reconstruction(k, index=0, source="digits"):
    """PCA with k components on the digits (one digit, ``index``) or on the photo's 8 x 8
    patches (the whole photo): the original, its reconstruction ``scores[:, :k] @
    components[:k] + mean``, the first eight components as 8 x 8 images, and the
    cumulative explained variance with k marked."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose one of {SOURCES}")
    if not (isinstance(k, int | np.integer) and 0 <= k <= 64):
        raise ValueError(f"k must be an integer in 0..64, got {k!r}")
    if source == "digits" and not (isinstance(index, int | np.integer) and 0 <= index < 1797):
        raise ValueError(f"index must be an integer in 0..1796, got {index!r}")
    _, _, components, _, cumulative, _ = _pca(source)
    original, rebuilt, mse = pca_reconstruction(source, int(k), int(index))

    fig, axes = new_figure(ncols=4, width=3.0, height=3.3, top=0.76, bottom=0.16, left=0.06)
    vmax = 1.0
    for ax, image, title in (
        (axes[0], original, "original"),
        (axes[1], rebuilt, f"k = {k} components\nMSE = {mse:.4f}"),
    ):
        ax.imshow(image, cmap="gray" if source == "photo" else "gray_r", vmin=0, vmax=vmax)
        _image_axes(ax, title)
    shown = components[:N_SHOWN_COMPONENTS]
    limit = np.abs(shown).max()
    axes[2].imshow(_tile(shown, 4), cmap="RdBu_r", vmin=-limit, vmax=limit)
    _image_axes(axes[2], "first 8 components", "pixel column (per tile)", "pixel row (per tile)")
    ks = np.arange(1, len(cumulative) + 1)
    axes[3].plot(ks, cumulative, color="C0")
    axes[3].axvline(k, color="C3", lw=1)
    explained = cumulative[k - 1] if k > 0 else 0.0
    axes[3].set_title(f"{100 * explained:.1f} % of the variance")
    axes[3].set_xlabel("number of components k")
    axes[3].set_ylabel("cumulative explained variance ratio")
    axes[3].set_ylim(0, 1.02)
    axes[3].set_xticks([1, 16, 32, 48, 64])
    axes[3].set_yticks([0, 0.5, 1])
    fig.suptitle(f"PCA of the {'digits (8 x 8)' if source == 'digits' else 'photo, 8 x 8 patches'}")
    return fig


def _image_axes(ax, title, xlabel="pixel column", ylabel="pixel row"):
    """Labels for an image panel, without ticks (tick labels are most of a redraw)."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _square_limits(ax, points):
    """Equal, symmetric limits around 0 with three ticks (ticks are most of a redraw)."""
    reach = 1.05 * float(np.abs(points).max())
    tick = float(np.floor(reach * 0.8)) or round(reach * 0.8, 1)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_xticks([-tick, 0, tick])
    ax.set_yticks([-tick, 0, tick])
    ax.set_aspect("equal")


def _pca_axes(X):
    """Eigenvectors (columns) and eigenvalues of the covariance of X (n, 2), largest first."""
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(X))
    return vectors[:, ::-1], values[::-1]


def draw_ica_mixing(angle, source_kind="uniform", n=800):
    """Two independent sources mixed by ``A = [[1, cos angle], [0, sin angle]]``, unmixed by
    FastICA. Left: the sources. Middle: the mixture with the true mixing directions (the
    columns of A), the PCA directions (orthogonal, along the largest variance) and the ICA
    directions (the columns of the estimated mixing matrix, W^{-1}). Right: the recovered
    sources, with their best |correlation| to the true ones. Gaussian sources make a
    rotation-invariant cloud: ICA finds an arbitrary rotation."""
    if source_kind not in ICA_KINDS:
        raise ValueError(f"unknown source_kind {source_kind!r}; choose one of {ICA_KINDS}")
    if not 0 < float(angle) < 180:
        raise ValueError(f"angle must lie strictly between 0 and 180 degrees, got {angle!r}")
    S, A, X = mixed_sources(source_kind, n, float(angle), seed=0)
    S_hat, W = fastica(X, 2, n_iter=200, seed=0)
    A_hat = np.linalg.inv(W)  # (2, 2): columns are the estimated mixing directions
    C = np.abs(np.corrcoef(S.T, S_hat.T)[:2, 2:])
    match = max(min(C[0, 0], C[1, 1]), min(C[0, 1], C[1, 0]))
    vectors, values = _pca_axes(X)

    fig, axes = new_figure(ncols=3, width=3.6, height=3.6, top=0.8, bottom=0.14)
    style = {"ls": "none", "marker": ".", "ms": 2, "alpha": 0.4}
    axes[0].plot(S[:, 0], S[:, 1], color="0.4", **style)
    axes[0].set_title("independent sources s")
    axes[0].set_xlabel("s1 (standardised)")
    axes[0].set_ylabel("s2 (standardised)")
    X = X - X.mean(axis=0)
    axes[1].plot(X[:, 0], X[:, 1], color="0.4", **style)
    reach = 2.5
    lines = (  # (direction, colour, line style, label): each drawn through the origin
        [(A[:, j], "k", "-", "true A columns") for j in range(2)]
        + [
            (vectors[:, j] * np.sqrt(values[j] / values[0]), "C1", "--", "PCA directions")
            for j in range(2)
        ]
        + [(A_hat[:, j], "C2", "-", "ICA directions") for j in range(2)]
    )
    for i, (direction, colour, style_, label) in enumerate(lines):
        if colour != "C1":
            direction = direction / np.linalg.norm(direction)  # PCA keeps its relative length
        end = reach * direction
        width = 2.5 if colour == "k" else 1.5
        axes[1].plot(
            [-end[0], end[0]],
            [-end[1], end[1]],
            color=colour,
            ls=style_,
            lw=width,
            label=label if i % 2 == 0 else None,
        )
    axes[1].set_title(f"mixture x = A s (angle {float(angle):.0f} deg)")
    axes[1].set_xlabel("x1")
    axes[1].set_ylabel("x2")
    axes[1].legend(loc="upper left", fontsize=7)
    axes[2].plot(S_hat[:, 0], S_hat[:, 1], color="C2", **style)
    axes[2].set_title(f"FastICA estimate, |corr| = {match:.3f}")
    axes[2].set_xlabel("estimated source 1")
    axes[2].set_ylabel("estimated source 2")
    for ax, points in zip(axes, (S, X, S_hat)):
        _square_limits(ax, points - points.mean(axis=0))
    fig.suptitle(f"ICA on two {source_kind} sources")
    return fig


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


def draw_sparse_code(lam, index=0):
    """A test digit coded over a dictionary learned on the training digits, by ISTA on
    ``1/2 ||x - D z||^2 + lam ||z||_1``: the digit and its reconstruction, the code z (one bar
    per atom), and the fraction of atoms used and the relative error ||x - D z||^2 / ||x||^2
    as lam varies."""
    lam = float(lam)
    if not CODE_LAMS[0] <= lam <= CODE_LAMS[-1]:
        raise ValueError(f"lam must lie in [{CODE_LAMS[0]}, {CODE_LAMS[-1]}], got {lam}")
    if not (isinstance(index, int | np.integer) and 0 <= index < 1297):
        raise ValueError(f"index must be an integer in 0..1296, got {index!r}")
    D = _dictionary()
    x, codes = sparse_codes(int(index))
    z = ista(D, x, lam, n_iter=ISTA_STEPS)
    rebuilt = D @ z

    fig, axes = new_figure(ncols=3, width=3.4, height=3.2, top=0.8, bottom=0.16)
    pair = np.full((PATCH, 2 * PATCH + 1), np.nan)
    pair[:, :PATCH], pair[:, PATCH + 1 :] = x.reshape(PATCH, PATCH), rebuilt.reshape(PATCH, PATCH)
    axes[0].imshow(pair, cmap="gray_r", vmin=0, vmax=1)
    _image_axes(axes[0], f"digit and D z\nMSE = {np.mean((rebuilt - x) ** 2):.4f}")
    atoms = np.arange(len(z))
    axes[1].vlines(atoms, 0, z, color="C0", lw=2)
    axes[1].axhline(0, color="0.5", lw=0.8)
    axes[1].set_title(f"code z: {int(np.sum(z != 0))} of {len(z)} atoms used")
    axes[1].set_xlabel("atom j")
    axes[1].set_ylabel("z_j")
    used = np.mean(codes != 0, axis=1)  # fraction of the atoms in each code
    relative = np.sum((codes @ D.T - x) ** 2, axis=1) / np.sum(x**2)
    log_lams = np.log10(CODE_LAMS)
    axes[2].plot(log_lams, used, color="C0", marker="o", ms=3, label="atoms used (fraction)")
    axes[2].plot(log_lams, relative, color="C1", marker="s", ms=3, label="relative error")
    axes[2].axvline(np.log10(lam), color="C3", lw=1)
    axes[2].set_xticks([-2, -1, 0])
    axes[2].set_yticks([0, 0.5, 1])
    axes[2].set_ylim(0, 1.02)
    axes[2].set_xlabel("log10 lam")
    axes[2].set_ylabel("fraction")
    axes[2].legend(fontsize=7)
    axes[2].set_title("sparsity and error vs lam")
    fig.suptitle(f"sparse code of a digit, lam = {lam:.3g}")
    return fig
