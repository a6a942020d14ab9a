"""Widget drawings for module 03, information theory."""

import numpy as np

from dlkit.info import bernoulli_entropy, gaussian_log_pdf, kl_gaussian
from dlkit.plot import new_figure

_UNITS = {2.0: "bits", float(np.e): "nats"}


def draw_bernoulli_entropy(p, base=2.0):
    """The entropy ``H(p) = -p log p - (1-p) log(1-p)`` of a coin as a curve over p in [0, 1].

    Marks the chosen p and splits H(p) into its two terms: the surprise of heads
    ``-log p`` weighted by p, and that of tails weighted by 1 - p. ``base`` is 2 (bits)
    or e (nats).
    """
    base = float(base)
    if base not in _UNITS:
        raise ValueError(f"draw_bernoulli_entropy: base must be 2 (bits) or e (nats), got {base}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"draw_bernoulli_entropy: p must lie in [0, 1], got {p}")
    unit = _UNITS[base]
    grid = np.linspace(0.0, 1.0, 201)  # (201,)
    h = bernoulli_entropy(grid, base)
    heads = -grid * np.log(np.where(grid > 0, grid, 1.0)) / np.log(base)  # p * I(p), 0 at 0
    tails = heads[::-1]  # (1-p) * I(1-p): the mirror image
    h_p = float(bernoulli_entropy(p, base))

    fig, ax = new_figure(width=5.5, height=4.0)
    ax.plot(grid, h, color="C0", lw=2, label="H(p)")
    ax.plot(grid, heads, color="C1", ls="--", label="heads term  -p log p")
    ax.plot(grid, tails, color="C2", ls="--", label="tails term  -(1-p) log(1-p)")
    ax.plot([p], [h_p], "o", color="C3", label=f"p = {p:.2f}")
    ax.vlines(p, 0.0, h_p, color="C3", lw=0.8)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.1 * np.log(2) / np.log(base))
    ax.set_xlabel("probability of heads p")
    ax.set_ylabel(f"entropy ({unit})")
    ax.set_title(f"Bernoulli entropy: H({p:.2f}) = {h_p:.3f} {unit}")
    ax.legend(loc="lower center", fontsize=8)
    return fig


def draw_gaussian_kl(mu1, sigma1, mu2, sigma2):
    """Two Gaussians p = N(mu1, sigma1^2), q = N(mu2, sigma2^2) and both KL divergences.

    Left: the two densities (p blue, q orange). Right: the integrands ``p log(p/q)``
    (blue) and ``q log(q/p)`` (orange), whose areas are KL(p || q) and KL(q || p) (closed
    form, in nats, in the title).
    """
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
    kl_pq = float(kl_gaussian(mu1, sigma1, mu2, sigma2))
    kl_qp = float(kl_gaussian(mu2, sigma2, mu1, sigma1))

    # One legend only (legends are the slowest part of a redraw): blue is p, orange is q.
    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.6, top=0.8, bottom=0.15)
    left.plot(x, p, color="C0", lw=2, label=f"p = N({mu1:.2g}, {sigma1:.2g}²)")
    left.plot(x, q, color="C1", lw=2, label=f"q = N({mu2:.2g}, {sigma2:.2g}²)")
    left.set_title("densities")
    left.set_ylabel("density (1 / unit of x)")
    left.legend(loc="upper right", fontsize=8)

    right.plot(x, p * (log_p - log_q), color="C0", lw=2, label="p log(p/q)")
    right.plot(x, q * (log_q - log_p), color="C1", lw=2, label="q log(q/p)")
    right.axhline(0.0, color="0.5", lw=0.8)
    right.set_title("blue: p log(p/q), orange: q log(q/p)", fontsize=10)
    right.set_ylabel("integrand (nats / unit of x)")
    for ax in (left, right):
        ax.set_xlabel("x")
        ax.set_xlim(lo, hi)
    fig.suptitle(f"KL(p || q) = {kl_pq:.3f} nats,   KL(q || p) = {kl_qp:.3f} nats")
    return fig
