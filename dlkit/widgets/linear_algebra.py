"""Widget drawings for module 01, linear algebra."""

import numpy as np

from dlkit.linalg import det
from dlkit.plot import LiveFigure, new_figure, nice_ceil


def _format_spectrum(eigenvalues, real):
    """Two real eigenvalues as ``3, 1``; a complex-conjugate pair as ``0.5 ± 0.87i``."""
    if real:
        return ", ".join(f"{lam.real:.3g}" for lam in eigenvalues)
    lam = eigenvalues[0]
    return f"{lam.real:.3g} ± {abs(lam.imag):.3g}i\n(complex: no real eigenvectors)"


THETA = np.linspace(0.0, 2 * np.pi, 200)  # (200,)
CIRCLE = np.stack([np.cos(THETA), np.sin(THETA)])  # (2, 200)
ANGLES = np.arange(8) * np.pi / 4  # (8,): 45 degrees apart
SAMPLES = np.stack([np.cos(ANGLES), np.sin(ANGLES)])  # (2, 8)
ARROWS = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.006}
EIGENVECTOR_COLOURS = ("C1", "C3")


class MatrixOnCircle(LiveFigure):
    """Module 01's matrix-on-the-circle widget, redrawn in place (see
    :func:`draw_matrix_on_circle`): the unit circle and the sample vectors x are fixed; the
    ellipse, the images M x, the eigenvectors, the legend (their eigenvalues) and the title
    move with ``a, b, c, d``. The square limits are ``+-1.15 R`` with ``R`` the step of
    1, 2, 3, 5, 10, ... at or above ``max(1, max |M x|)``: they change only when the
    ellipse crosses a step, so a slider moves the ellipse against steady axes."""

    def __init__(self):
        fig, self.ax = new_figure(width=5.0, height=5.0, top=0.86)
        self.ax.plot(*CIRCLE, color="0.6", label="unit circle")
        (self.ellipse,) = self.ax.plot([], [], color="C0", label="image M x")
        zeros = np.zeros(SAMPLES.shape[1])  # (8,)
        self.ax.quiver(zeros, zeros, *SAMPLES, color="0.6", **ARROWS)
        self.images = self.ax.quiver(zeros, zeros, *SAMPLES, color="C0", **ARROWS)
        self.directions, self.segments = [], []
        for colour in EIGENVECTOR_COLOURS:
            direction = self.ax.axline((0.0, 0.0), (1.0, 0.0), color=colour, lw=0.8, ls=":")
            (segment,) = self.ax.plot([], [], color=colour, lw=2.5)
            self.directions.append(direction)
            self.segments.append(segment)
        self.ax.set_aspect("equal")
        self.ax.set_xlabel("$x_1$")
        self.ax.set_ylabel("$x_2$")
        self.legend = self.ax.legend(loc="upper left", fontsize=8)
        moving = [self.ellipse, self.images, *self.directions, *self.segments, self.ax.title]
        super().__init__(fig, [*moving, self.legend])

    def update(self, a, b, c, d):
        M = np.array([[a, b], [c, d]], dtype=float)  # (2, 2)
        ellipse = M @ CIRCLE  # (2, 200)
        self.ellipse.set_data(*ellipse)
        self.images.set_UVC(*(M @ SAMPLES))  # (2, 8)
        eigenvalues, eigenvectors = np.linalg.eig(M)  # (2,), (2, 2) columns
        real = np.all(np.abs(eigenvalues.imag) <= 1e-12 * max(1.0, np.abs(eigenvalues).max()))
        if real:
            self._show_eigenvectors(eigenvalues.real, eigenvectors.real)
        else:
            self._hide_eigenvectors()
        reach = 1.15 * nice_ceil(max(1.0, np.abs(ellipse).max()), steps=(1.0, 2.0, 3.0, 5.0))
        self.ax.set_xlim(-reach, reach)
        self.ax.set_ylim(-reach, reach)
        spectrum = _format_spectrum(eigenvalues, real)
        self.ax.set_title(f"det M = {det(M):.3g}\neigenvalues: {spectrum}")
        # the eigenvectors' entries change with the eigenvalues, and come and go with them
        self.legend = self.refresh_legend(self.legend, loc="upper left", fontsize=8)
        return self

    def _show_eigenvectors(self, eigenvalues, eigenvectors):
        """Each eigenvector v as its direction and the segment from -lam v to lam v."""
        for i, (direction, segment) in enumerate(zip(self.directions, self.segments)):
            end = eigenvalues[i] * eigenvectors[:, i]  # (2,): M v = lam v
            direction.set_xy2(eigenvectors[:, i])
            direction.set_visible(True)
            segment.set_data([-end[0], end[0]], [-end[1], end[1]])
            segment.set_label(f"eigenvector, λ = {eigenvalues[i]:.3g}")

    def _hide_eigenvectors(self):
        """No real eigenvectors: empty segments, left out of the legend."""
        for direction, segment in zip(self.directions, self.segments):
            direction.set_visible(False)
            segment.set_data([], [])
            segment.set_label("_no real eigenvector")


def draw_matrix_on_circle(a, b, c, d):
    """Show ``M = [[a, b], [c, d]]`` mapping the unit circle to an ellipse ``{M x : ||x|| = 1}``.

    Draws the circle, its image, eight sample vectors x and their images M x, and,
    when the eigenvalues are real, each eigenvector v as the segment from -lam v to
    lam v (where M sends +-v). The title gives det M and the eigenvalues.
    """
    return MatrixOnCircle().update(a, b, c, d).figure


_last_svd = {}


def _svd(A):
    """Thin SVD of A, remembered for the last image: each draw_svd_rank call builds a new
    SVDRank, and calls on one image (a test, a benchmark) then factor it once."""
    key = (A.shape, hash(A.tobytes()))
    if key not in _last_svd:
        _last_svd.clear()
        _last_svd[key] = np.linalg.svd(A, full_matrices=False)
    return _last_svd[key]


class SVDRank(LiveFigure):
    """Module 01's low-rank-approximation widget, redrawn in place (see
    :func:`draw_svd_rank`): the (m, n) image, its SVD (computed once per image), the axes
    and their limits are fixed; the rank-k approximation, its title and the figure's title
    (error and storage) move with ``rank``."""

    def __init__(self, image):
        A = np.asarray(image, dtype=float)
        if A.ndim != 2:
            raise ValueError(
                f"draw_svd_rank: image must be a 2-D grayscale array, got shape {A.shape}; "
                f"use dlkit.data.sample_image() or average the colour channels"
            )
        self.U, self.s, self.Vt = _svd(A)  # (m, r), (r,), (r, n) with r = min(m, n)
        self.m, self.n = A.shape
        fig, (left, self.right) = new_figure(ncols=2, width=4.5, height=3.5, top=0.8, bottom=0.15)
        shown = {"cmap": "gray", "vmin": A.min(), "vmax": A.max(), "interpolation": "nearest"}
        left.imshow(A, **shown)
        left.set_title(f"original ({self.m} x {self.n})")
        self.approximation = self.right.imshow(A, **shown)
        for ax in (left, self.right):
            ax.set_xlabel("column (pixels)")
            ax.set_ylabel("row (pixels)")
            ax.grid(False)
        self.suptitle = fig.suptitle("")
        # moving too, so that the spines stay over the approximation, as savefig draws them
        spines = self.right.spines.values()
        super().__init__(fig, [self.approximation, *spines, self.right.title, self.suptitle])

    def update(self, rank):
        m, n = self.m, self.n
        if not (isinstance(rank, (int, np.integer)) and 1 <= rank <= min(m, n)):
            raise ValueError(
                f"draw_svd_rank: rank must be an integer in 1..{min(m, n)} for a {m} x {n} "
                f"image, got {rank!r}"
            )
        U, s, Vt = self.U, self.s, self.Vt
        A_k = (U[:, :rank] * s[:rank]) @ Vt[:rank]  # (m, k) scaled columns times (k, n)
        error = np.sqrt(np.sum(s[rank:] ** 2) / np.sum(s**2))  # ||A - A_k||_F / ||A||_F
        storage = rank * (m + n + 1) / (m * n)
        self.approximation.set_data(A_k)
        self.right.set_title(f"rank {rank}")
        self.suptitle.set_text(
            f"relative error ||A - A_k||_F / ||A||_F = {error:.3f}, "
            f"storage k(m+n+1)/(mn) = {storage:.1%}"
        )
        return self


def draw_svd_rank(image, rank):
    """Show an (m, n) image next to its best rank-k approximation ``sum_{i<k} s_i u_i v_i^T``.

    The title reports the relative error ``||A - A_k||_F / ||A||_F =
    sqrt(sum_{i>=k} s_i^2 / sum_i s_i^2)`` and the storage ratio ``k (m + n + 1) / (m n)``
    (k columns of U and V plus k singular values).
    """
    return SVDRank(image).update(rank).figure
