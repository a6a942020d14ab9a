"""Widget drawings for module 03, information theory."""

import numpy as np

from dlkit.info import bernoulli_entropy, gaussian_log_pdf, kl_gaussian
from dlkit.plot import LiveFigure, new_figure, nice_ceil

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
    the axes, their labels and titles and the zero line are fixed; the densities, the
    integrands, the legend and the KL values in the suptitle move with the four sliders.

    The limits change in steps so that a slider moves the curves against steady axes
    (a mean slider slides a Gaussian along a still x axis; a sigma slider makes its peak
    rise and fall): both panels share the x range ``+-X`` with ``X`` the 1-2-5 step at or
    above the reach of the curves (each Gaussian out to ``mu +- 4 sigma``); the densities
    run up to ``1.1`` times their peak, rounded up to a step of 1, 2, 3, 5; the integrands'
    heights range over three decades across the sliders, so their top is ``1.3`` times
    the highest, rounded up to a half decade (1, 3, 10, 30, ..., at least 0.1), and their
    bottom is ``-min(top, max(D / e, top / 20))`` with ``D / e`` rounded up to a 1-2-5 step,
    ``D`` the densities' top: an integrand ``p log(p/q) >= -q / e`` dips below zero by
    less than a density's peak over e and less than the other integrand's top."""

    def __init__(self):
        # One legend only (legends are the slowest part of a redraw): blue is p, orange is q.
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.6, top=0.8, bottom=0.15)
        (self.p,) = left.plot([], [], color="C0", lw=2, label="p")
        (self.q,) = left.plot([], [], color="C1", lw=2, label="q")
        left.set_title("densities")
        left.set_ylabel("density (1 / unit of x)")
        self.legend = left.legend(loc="upper right", fontsize=8)

        right.axhline(0.0, color="0.5", lw=0.8)  # the zero line, under the integrands
        (self.p_log_ratio,) = right.plot([], [], color="C0", lw=2, label="p log(p/q)")
        (self.q_log_ratio,) = right.plot([], [], color="C1", lw=2, label="q log(q/p)")
        right.set_title("blue: p log(p/q), orange: q log(q/p)", fontsize=10)
        right.set_ylabel("integrand (nats / unit of x)")
        for ax in (left, right):
            ax.set_xlabel("x")
        self.kl_title = fig.suptitle("KL")
        self.left, self.right = left, right
        curves = [self.p, self.q, self.p_log_ratio, self.q_log_ratio]
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
        p_log_ratio, q_log_ratio = p * (log_p - log_q), q * (log_q - log_p)
        self.p.set_data(x, p)
        self.q.set_data(x, q)
        self.p_log_ratio.set_data(x, p_log_ratio)
        self.q_log_ratio.set_data(x, q_log_ratio)
        labels = (f"p = N({mu1:.2g}, {sigma1:.2g}²)", f"q = N({mu2:.2g}, {sigma2:.2g}²)")
        for line, text, label in zip((self.p, self.q), self.legend.get_texts(), labels):
            line.set_label(label)
            text.set_text(label)
        peak = max(p.max(), q.max())
        self._set_limits(max(-lo, hi), peak, max(p_log_ratio.max(), q_log_ratio.max()))
        kl_pq = float(kl_gaussian(mu1, sigma1, mu2, sigma2))
        kl_qp = float(kl_gaussian(mu2, sigma2, mu1, sigma1))
        self.kl_title.set_text(f"KL(p || q) = {kl_pq:.3f} nats,   KL(q || p) = {kl_qp:.3f} nats")
        return self

    def _set_limits(self, reach, peak, highest):
        """Steady limits (see the class docstring) for curves reaching ``+-reach`` in x, the
        densities' ``peak`` and the integrands' ``highest`` value."""
        x_limit = nice_ceil(reach)
        density_top = nice_ceil(1.1 * peak, steps=(1.0, 2.0, 3.0, 5.0))
        integrand_top = nice_ceil(max(1.3 * highest, 0.1), steps=(1.0, 3.0))
        below = min(integrand_top, max(nice_ceil(density_top / np.e), integrand_top / 20))
        for ax in (self.left, self.right):
            ax.set_xlim(-x_limit, x_limit)
        self.left.set_ylim(-0.05 * density_top, density_top)
        self.right.set_ylim(-below, integrand_top)


def draw_gaussian_kl(mu1, sigma1, mu2, sigma2):
    """Two Gaussians p = N(mu1, sigma1^2), q = N(mu2, sigma2^2) and both KL divergences.

    Left: the two densities (p blue, q orange). Right: the integrands ``p log(p/q)``
    (blue) and ``q log(q/p)`` (orange), whose areas are KL(p || q) and KL(q || p) (closed
    form, in nats, in the title).
    """
    return GaussianKL().update(mu1, sigma1, mu2, sigma2).figure
