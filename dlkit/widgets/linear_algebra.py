"""Widget drawings for module 01, linear algebra."""

import numpy as np

from dlkit.linalg import det
from dlkit.plot import new_figure


def _format_spectrum(eigenvalues, real):
    """Two real eigenvalues as ``3, 1``; a complex-conjugate pair as ``0.5 ± 0.87i``."""
    if real:
        return ", ".join(f"{lam.real:.3g}" for lam in eigenvalues)
    lam = eigenvalues[0]
    return f"{lam.real:.3g} ± {abs(lam.imag):.3g}i\n(complex: no real eigenvectors)"


def draw_matrix_on_circle(a, b, c, d):
    """Show ``M = [[a, b], [c, d]]`` mapping the unit circle to an ellipse ``{M x : ||x|| = 1}``.

    Draws the circle, its image, eight sample vectors x and their images M x, and,
    when the eigenvalues are real, each eigenvector v as the segment from -lam v to
    lam v (where M sends +-v). The title gives det M and the eigenvalues.
    """
    M = np.array([[a, b], [c, d]], dtype=float)  # (2, 2)
    theta = np.linspace(0.0, 2 * np.pi, 200)  # (200,)
    circle = np.stack([np.cos(theta), np.sin(theta)])  # (2, 200)
    ellipse = M @ circle  # (2, 200)
    angles = np.arange(8) * np.pi / 4  # (8,): 45 degrees apart
    samples = np.stack([np.cos(angles), np.sin(angles)])  # (2, 8)
    images = M @ samples  # (2, 8)

    fig, ax = new_figure(width=5.0, height=5.0, top=0.86)
    ax.plot(*circle, color="0.6", label="unit circle")
    ax.plot(*ellipse, color="C0", label="image M x")
    zeros = np.zeros(samples.shape[1])
    arrows = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.006}
    ax.quiver(zeros, zeros, *samples, color="0.6", **arrows)
    ax.quiver(zeros, zeros, *images, color="C0", **arrows)

    eigenvalues, eigenvectors = np.linalg.eig(M)  # (2,), (2, 2) columns
    real = np.all(np.abs(eigenvalues.imag) <= 1e-12 * max(1.0, np.abs(eigenvalues).max()))
    spectrum = _format_spectrum(eigenvalues, real)
    if real:
        eigenvalues, eigenvectors = eigenvalues.real, eigenvectors.real
        for i, colour in enumerate(["C1", "C3"]):
            end = eigenvalues[i] * eigenvectors[:, i]  # (2,): M v = lam v
            ax.axline((0.0, 0.0), eigenvectors[:, i], color=colour, lw=0.8, ls=":")
            ax.plot(
                [-end[0], end[0]],
                [-end[1], end[1]],
                color=colour,
                lw=2.5,
                label=f"eigenvector, λ = {eigenvalues[i]:.3g}",
            )

    reach = 1.15 * max(1.0, np.abs(ellipse).max())
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"det M = {det(M):.3g}\neigenvalues: {spectrum}")
    ax.legend(loc="upper left", fontsize=8)
    return fig


_last_svd = {}


def _svd(A):
    """Thin SVD of A, remembered for the last image: a rank slider redraws the same one."""
    key = (A.shape, hash(A.tobytes()))
    if key not in _last_svd:
        _last_svd.clear()
        _last_svd[key] = np.linalg.svd(A, full_matrices=False)
    return _last_svd[key]


def draw_svd_rank(image, rank):
    """Show an (m, n) image next to its best rank-k approximation ``sum_{i<k} s_i u_i v_i^T``.

    The title reports the relative error ``||A - A_k||_F / ||A||_F =
    sqrt(sum_{i>=k} s_i^2 / sum_i s_i^2)`` and the storage ratio ``k (m + n + 1) / (m n)``
    (k columns of U and V plus k singular values).
    """
    A = np.asarray(image, dtype=float)
    if A.ndim != 2:
        raise ValueError(
            f"draw_svd_rank: image must be a 2-D grayscale array, got shape {A.shape}; "
            f"use dlkit.data.sample_image() or average the colour channels"
        )
    m, n = A.shape
    if not (isinstance(rank, (int, np.integer)) and 1 <= rank <= min(m, n)):
        raise ValueError(
            f"draw_svd_rank: rank must be an integer in 1..{min(m, n)} for a {m} x {n} "
            f"image, got {rank!r}"
        )
    U, s, Vt = _svd(A)  # (m, r), (r,), (r, n) with r = min(m, n)
    A_k = (U[:, :rank] * s[:rank]) @ Vt[:rank]  # (m, k) scaled columns times (k, n)
    error = np.sqrt(np.sum(s[rank:] ** 2) / np.sum(s**2))  # ||A - A_k||_F / ||A||_F
    storage = rank * (m + n + 1) / (m * n)

    fig, (left, right) = new_figure(ncols=2, width=4.5, height=3.5, top=0.8, bottom=0.15)
    shown = {"cmap": "gray", "vmin": A.min(), "vmax": A.max(), "interpolation": "nearest"}
    left.imshow(A, **shown)
    left.set_title(f"original ({m} x {n})")
    right.imshow(A_k, **shown)
    right.set_title(f"rank {rank}")
    for ax in (left, right):
        ax.set_xlabel("column (pixels)")
        ax.set_ylabel("row (pixels)")
        ax.grid(False)
    fig.suptitle(
        f"relative error ||A - A_k||_F / ||A||_F = {error:.3f}, "
        f"storage k(m+n+1)/(mn) = {storage:.1%}"
    )
    return fig
