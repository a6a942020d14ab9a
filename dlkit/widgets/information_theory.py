"""Widget drawings for module 03, information theory."""

import numpy as np

from dlkit.info import bernoulli_entropy, gaussian_log_pdf, kl_gaussian
from dlkit.plot import LiveFigure, new_figure

_UNITS = {2.0: "bits", float(np.e): "nats"}


class BernoulliEntropy(LiveFigure):
    """Module 03's coin-entropy widget, redrawn in place (see :func:`draw_bernoulli_entropy`):
    the curve ``H(p)``, its two terms and the axes are fixed per ``base`` (the unit); the
    marked point, its drop line, its legend entry and the title move with ``p``."""

    def __init__(self, base=2.0):
        base = float(base)
        if base not in _UNITS:
            raise ValueError(
                f"draw_bernoulli_entropy: base must be 2 (bits) or e (nats), got {base}"
            )
        self.base, self.unit = base, _UNITS[base]
        grid = np.linspace(0.0, 1.0, 201)  # (201,)
        h = bernoulli_entropy(grid, base)
        heads = -grid * np.log(np.where(grid > 0, grid, 1.0)) / np.log(base)  # p * I(p), 0 at 0
        tails = heads[::-1]  # (1-p) * I(1-p): the mirror image

        fig, ax = new_figure(width=5.5, height=4.0)
        ax.plot(grid, h, color="C0", lw=2, label="H(p)")
        ax.plot(grid, heads, color="C1", ls="--", label="heads term  -p log p")
        ax.plot(grid, tails, color="C2", ls="--", label="tails term  -(1-p) log(1-p)")
        (self.point,) = ax.plot([], [], "o", color="C3", label="p")
        self.drop = ax.vlines([], [], [], color="C3", lw=0.8)  # from (p, 0) up to (p, H(p))
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.1 * np.log(2) / np.log(base))
        ax.set_xlabel("probability of heads p")
        ax.set_ylabel(f"entropy ({self.unit})")
        self.legend = ax.legend(loc="lower center", fontsize=8)
        *_, self.point_entry = self.legend.get_texts()  # the text of the point's legend entry
        self.ax = ax
        super().__init__(fig, [self.point, self.drop, self.legend, ax.title])

    def update(self, p):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"draw_bernoulli_entropy: p must lie in [0, 1], got {p}")
        h_p = float(bernoulli_entropy(p, self.base))
        self.point.set_data([p], [h_p])
        self.point.set_label(f"p = {p:.2f}")
        self.point_entry.set_text(self.point.get_label())
        self.drop.set_segments([[(p, 0.0), (p, h_p)]])
        self.ax.set_title(f"Bernoulli entropy: H({p:.2f}) = {h_p:.3f} {self.unit}")
        return self


def draw_bernoulli_entropy(p, base=2.0):
    """The entropy ``H(p) = -p log p - (1-p) log(1-p)`` of a coin as a curve over p in [0, 1].

    Marks the chosen p and splits H(p) into its two terms: the surprise of heads
    ``-log p`` weighted by p, and that of tails weighted by 1 - p. ``base`` is 2 (bits)
    or e (nats).
    """
    return BernoulliEntropy(base).update(p).figure


class GaussianKL(LiveFigure):
    """Module 03's two-Gaussian KL widget, redrawn in place (see :func:`draw_gaussian_kl`):
    only the axes labels and titles are fixed; the densities, the integrands, the zero
    line, the legend, the KL values in the suptitle and the axes limits (the x range spans
    both Gaussians, the y range follows the curves) move with the four sliders."""

    def __init__(self):
        # One legend only (legends are the slowest part of a redraw): blue is p, orange is q.
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.6, top=0.8, bottom=0.15)
        (self.p,) = left.plot([], [], color="C0", lw=2, label="p")
        (self.q,) = left.plot([], [], color="C1", lw=2, label="q")
        left.set_title("densities")
        left.set_ylabel("density (1 / unit of x)")
        self.legend = left.legend(loc="upper right", fontsize=8)

        (self.p_log_ratio,) = right.plot([], [], color="C0", lw=2, label="p log(p/q)")
        (self.q_log_ratio,) = right.plot([], [], color="C1", lw=2, label="q log(q/p)")
        # the zero line spans the x range as data (relim is exact for it, not for axhline)
        (self.zero,) = right.plot([], [], color="0.5", lw=0.8)
        right.set_title("blue: p log(p/q), orange: q log(q/p)", fontsize=10)
        right.set_ylabel("integrand (nats / unit of x)")
        for ax in (left, right):
            ax.set_xlabel("x")
        self.kl_title = fig.suptitle("KL")
        self.left, self.right = left, right
        curves = [self.p, self.q, self.p_log_ratio, self.q_log_ratio, self.zero]
        super().__init__(fig, [*curves, self.legend, self.kl_title])

    def update(self, mu1, sigma1, mu2, sigma2):
        if not (sigma1 > 0 and sigma2 > 0):
            raise ValueError(
                f"draw_gaussian_kl: sigma1 and sigma2 are standard deviations and must be "
                f"positive, got {sigma1} and {sigma2}"
            )
        lo = min(mu1 - 4 * sigma1, mu2 - 4 * sigma2)
        hi = max(mu1 + 4 * sigma1, mu2 + 4 * sigma2)
        x = np.linspace(lo, hi, 300)  # (300,)
        log_p, log_q = gaussian_log_pdf(x, mu1, sigma1), gaussian_log_pdf(x, mu2, sigma2)
        p, q = np.exp(log_p), np.exp(log_q)
        self.p.set_data(x, p)
        self.q.set_data(x, q)
        self.p_log_ratio.set_data(x, p * (log_p - log_q))
        self.q_log_ratio.set_data(x, q * (log_q - log_p))
        self.zero.set_data([lo, hi], [0.0, 0.0])
        labels = (f"p = N({mu1:.2g}, {sigma1:.2g}²)", f"q = N({mu2:.2g}, {sigma2:.2g}²)")
        for line, text, label in zip((self.p, self.q), self.legend.get_texts(), labels):
            line.set_label(label)
            text.set_text(label)
        for ax in (self.left, self.right):
            ax.set_xlim(lo, hi)
            ax.relim()  # y limits follow the curves, with matplotlib's margins
            ax.autoscale_view(scalex=False)
        kl_pq = float(kl_gaussian(mu1, sigma1, mu2, sigma2))
        kl_qp = float(kl_gaussian(mu2, sigma2, mu1, sigma1))
        self.kl_title.set_text(f"KL(p || q) = {kl_pq:.3f} nats,   KL(q || p) = {kl_qp:.3f} nats")
        return self


def draw_gaussian_kl(mu1, sigma1, mu2, sigma2):
    """Two Gaussians p = N(mu1, sigma1^2), q = N(mu2, sigma2^2) and both KL divergences.

    Left: the two densities (p blue, q orange). Right: the integrands ``p log(p/q)``
    (blue) and ``q log(q/p)`` (orange), whose areas are KL(p || q) and KL(q || p) (closed
    form, in nats, in the title).
    """
    return GaussianKL().update(mu1, sigma1, mu2, sigma2).figure
