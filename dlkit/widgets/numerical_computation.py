"""Widget drawings for module 05, numerical computation."""

import functools

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
from scipy.special import erf

from dlkit.numerics import monte_carlo_integral, simpson, trapezoid
from dlkit.plot import LiveFigure, new_figure

FLOAT_TYPES = ("float16", "float32", "float64")
FRACTIONS = np.logspace(-20, 0, 161)  # (161,) d / big, the precision widget's x axis


def _few_ticks(ax, log_x=False, log_y=False):
    """At most four major ticks per axis, log ones labelled ``1e-8`` (plain text), no minors.

    Tick labels are most of what a redraw costs, and mathtext labels such as 10^{-8} cost
    the most, so these figures keep few of them.
    """
    label = FuncFormatter(lambda v, _: f"1e{round(np.log10(v))}" if v > 0 else "0")
    for axis, log in ((ax.xaxis, log_x), (ax.yaxis, log_y)):
        if log:
            axis.set_major_locator(LogLocator(numticks=4))
            axis.set_minor_locator(NullLocator())
            axis.set_major_formatter(label)
        else:
            axis.set_major_locator(MaxNLocator(4))


def _float_type(dtype_name):
    if dtype_name not in FLOAT_TYPES:
        raise ValueError(f"dtype_name must be one of {FLOAT_TYPES}, got {dtype_name!r}")
    return np.dtype(dtype_name)


def cancellation_error(dtype_name, big, fractions):
    """Relative error of ``(big + d) - big`` against ``d = fraction * big``, computed in a dtype.

    fractions (k,) -> errors (k,). Rounding ``big + d`` loses about ``eps * big`` in absolute
    terms, so the relative error in the recovered ``d`` grows like ``eps / fraction``; once
    ``d`` is below half a unit in the last place the difference is 0 and the error is 1.
    """
    kind = _float_type(dtype_name)
    big_t = kind.type(big)
    small = (np.asarray(fractions, dtype=float) * float(big_t)).astype(kind)  # (k,) in dtype
    with np.errstate(over="ignore", invalid="ignore"):
        recovered = (big_t + small) - big_t  # (k,) in dtype: the cancellation happens here
        return np.abs(recovered.astype(float) - small.astype(float)) / small.astype(float)


class PrecisionLoss(LiveFigure):
    """Module 05's precision widget, redrawn in place (see :func:`draw_precision_loss`):
    per float type, the epsilon marks, the ``eps / (d/big)`` guide and the whole spacing
    panel are fixed; the measured cancellation error and its title move with ``log10_big``.
    Both panels' limits depend on the type only, so a move is a pure blit."""

    def __init__(self, dtype_name="float32"):
        self.kind = _float_type(dtype_name)
        self.dtype_name = dtype_name
        self.info = np.finfo(self.kind)
        fig, (cancel, spacing) = new_figure(
            ncols=2, width=4.6, height=3.8, top=0.84, bottom=0.15, left=0.1
        )
        self.cancel = cancel
        self._draw_cancellation_frame(cancel)
        self._draw_spacing(spacing)
        super().__init__(fig, [self.measured, cancel.title])

    def _draw_cancellation_frame(self, ax):
        """The left panel without its data: the measured line is filled in by update."""
        eps = float(self.info.eps)
        (self.measured,) = ax.loglog([], [], color="C0", label="measured")
        ax.axvline(eps, color="C3", ls="--", lw=1, label=f"eps = {eps:.2g}")
        ax.loglog(FRACTIONS, np.minimum(eps / FRACTIONS, 1.0), "k:", lw=1, label="eps / (d/big)")
        ax.set_ylim(1e-18, 10.0)
        _few_ticks(ax, log_x=True, log_y=True)
        ax.set_xlabel("d / big (relative size of the small term)")
        ax.set_ylabel("relative error of (big + d) - big")
        ax.legend(loc="lower left", fontsize=8)

    def _draw_spacing(self, ax):
        """The right panel: spacing(x) / x over the type's range, x on a log10 scale."""
        info = self.info
        # the x axis shows log10(x): matplotlib's log transform overflows near float64's max
        lo, hi = np.log10(float(info.smallest_subnormal)), np.log10(float(info.max)) - 1e-6
        x = np.logspace(lo, hi, 400).astype(self.kind)  # (400,) in dtype
        x = x[np.isfinite(x) & (x > 0)]
        with np.errstate(over="ignore"):  # the gap above the largest float is inf
            gap = np.spacing(x).astype(float) / x.astype(float)  # (k,)
        x, gap = x[np.isfinite(gap)], gap[np.isfinite(gap)]
        ax.semilogy(np.log10(x.astype(float)), gap, color="C0")
        sub = np.log10([float(info.smallest_subnormal), float(info.smallest_normal)])
        ax.axvspan(*sub, color="C1", alpha=0.2, label="subnormal")
        ax.axvline(
            np.log10(float(info.max)),
            color="C3",
            ls="--",
            lw=1,
            label=f"max = {float(info.max):.3g}",
        )
        ax.axhline(float(info.eps), color="0.5", ls=":", lw=1, label="eps")
        _few_ticks(ax, log_y=True)
        ax.set_xlabel("log10 of the value x")
        ax.set_ylabel("gap to the next float / x")
        ax.set_title(f"Relative spacing of {self.dtype_name} numbers", y=1.02)
        ax.legend(loc="upper center", fontsize=8)

    def update(self, log10_big=0.0):
        big = 10.0**log10_big
        with np.errstate(over="ignore"):
            fits = np.isfinite(self.kind.type(big))
        if not fits:
            raise ValueError(
                f"10**{log10_big} overflows {self.dtype_name} (max {float(self.info.max):.3g})"
            )
        errors = cancellation_error(self.dtype_name, big, FRACTIONS)  # (161,)
        keep = np.isfinite(errors) & (FRACTIONS * big >= float(self.info.smallest_subnormal))
        shown = np.clip(errors[keep], 1e-18, None)  # exact results (error 0) sit on the floor
        self.measured.set_data(FRACTIONS[keep], shown)
        self.cancel.set_title(f"Cancellation in {self.dtype_name}, big = {big:.3g}", y=1.02)
        return self


def draw_precision_loss(dtype_name="float32", log10_big=0.0):
    """Two views of precision in float16/32/64.

    Left: the relative error of recovering a small d from ``(big + d) - big`` (catastrophic
    cancellation), against ``d / big``, with the machine epsilon marked. Right: the relative
    gap between neighbouring floats, ``spacing(x) / x``, over the type's whole range, with
    the subnormal range (gradual underflow) and the overflow threshold marked.
    """
    return PrecisionLoss(dtype_name).update(log10_big).figure


_INTEGRANDS = {
    # name: (f, a, b, exact integral, label)
    "gaussian": (lambda x: np.exp(-(x**2)), 0.0, 2.0, np.sqrt(np.pi) / 2 * erf(2.0), "exp(-x²)"),
    "sine": (np.sin, 0.0, np.pi, 2.0, "sin x"),
    "sqrt": (np.sqrt, 0.0, 1.0, 2.0 / 3.0, "√x (kink at 0)"),
}
_NS = 2 ** np.arange(1, 13)  # (12,): 2, 4, ..., 4096 subintervals or samples
ERROR_FLOOR = 1e-17  # errors that are exactly 0 sit on the floor of the log axis


def _mc_rms_error(f, a, b, n, exact, runs=16):
    """Root-mean-square error of ``runs`` Monte Carlo estimates with n samples (seeds 0..runs-1)."""
    estimates = np.array([monte_carlo_integral(f, a, b, n, seed=s)[0] for s in range(runs)])
    return float(np.sqrt(np.mean((estimates - exact) ** 2)))


def integration_errors(integrand="gaussian"):
    """Errors of trapezoid, Simpson and Monte Carlo for n = 2, 4, ..., 4096.

    Trapezoid and Simpson: the absolute error. Monte Carlo: the root-mean-square error of
    16 runs, a smooth stand-in for its random error.

    Returns ``(ns, errors)`` with ns (12,) and errors a dict of (12,) arrays keyed by rule.
    """
    ns, errors = _cached_errors(integrand)
    return ns.copy(), {rule: err.copy() for rule, err in errors.items()}


@functools.lru_cache(maxsize=len(_INTEGRANDS))
def _cached_errors(integrand):
    """The error curves, computed once per integrand: a slider on n only moves the marker."""
    f, a, b, exact, _ = _integrand(integrand)
    errors = {
        "trapezoid": np.array([abs(trapezoid(f, a, b, n) - exact) for n in _NS]),
        "Simpson": np.array([abs(simpson(f, a, b, n) - exact) for n in _NS]),
        "Monte Carlo (RMS)": np.array([_mc_rms_error(f, a, b, n, exact) for n in _NS]),
    }
    return _NS, errors


def _integrand(name):
    if name not in _INTEGRANDS:
        raise ValueError(f"integrand must be one of {sorted(_INTEGRANDS)}, got {name!r}")
    return _INTEGRANDS[name]


class IntegrationRules(LiveFigure):
    """Module 05's integration widget, redrawn in place (see :func:`draw_integration_error`):
    per integrand, its curve, the three error curves and the reference slopes are fixed;
    the trapezoids, their legend entry, the left title and the marker at n move with n.

    The left panel's limits are those of the trapezoids at n = 2, which span [a, b] by
    [0, max f] as at every even n (its nodes a, (a + b) / 2 and b are among theirs, and
    each integrand peaks at one of them); the right one's hold n = 2..4096. A move inside
    that range is a pure blit; a larger n widens the right panel's x axis, as a new figure
    would.
    """

    def __init__(self, integrand="gaussian"):
        self.f, self.a, self.b, self.exact, label = _integrand(integrand)
        ns, errors = _cached_errors(integrand)
        fig, (curve, right) = new_figure(
            ncols=2, width=4.4, height=3.8, top=0.84, bottom=0.15, left=0.1
        )
        self.curve, self.right = curve, right
        self._draw_integrand(curve, label)
        self._draw_errors(right, ns, errors)
        moving = [self.trapezoids, self.nodes, self.legend, curve.title, self.marker]
        super().__init__(fig, moving)

    def _draw_integrand(self, ax, label):
        """f on a fine grid, and the trapezoids, first at n = 2 (they set the limits)."""
        fine = np.linspace(self.a, self.b, 300)  # (300,)
        ax.plot(fine, self.f(fine), color="C0", label=label)
        nodes = np.linspace(self.a, self.b, 3)  # (3,): the nodes at n = 2
        self.trapezoids = ax.fill_between(
            nodes, self.f(nodes), color="C1", alpha=0.3, label="trapezoids"
        )
        (self.nodes,) = ax.plot([], [], "o-", color="C1", ms=3, lw=1)
        _few_ticks(ax)
        ax.set_xlabel("x (unitless)")
        ax.set_ylabel("f(x) (unitless)")
        self.legend = ax.legend(loc="upper right", fontsize=8)
        *_, self.trapezoids_entry = self.legend.get_texts()

    def _draw_errors(self, ax, ns, errors):
        """The error curves of the three rules with their reference slopes, log-log."""
        for (rule, err), colour in zip(errors.items(), ["C1", "C2", "C4"]):
            ax.loglog(ns, np.maximum(err, ERROR_FLOOR), "o-", color=colour, ms=3, label=rule)
        for p, colour in [(2, "C1"), (4, "C2"), (0.5, "C4")]:
            ax.loglog(ns, _reference_line(ns, p, errors), ":", color=colour, lw=1)
        self.marker = ax.axvline(ns[0], color="k", lw=1, ls="--")
        ax.set_ylim(ERROR_FLOOR, 10.0)
        _few_ticks(ax, log_x=True, log_y=True)
        ax.set_xlabel("n (subintervals or samples)")
        ax.set_ylabel("absolute error")
        ax.set_title("Error vs n (dotted: slopes -2, -4, -1/2)", y=1.02)
        ax.legend(loc="lower left", fontsize=8)

    def update(self, n=8):
        if int(n) != n or n < 2 or n % 2:
            raise ValueError(f"n must be an even integer >= 2 (Simpson pairs panels), got {n}")
        nodes = np.linspace(self.a, self.b, int(n) + 1)  # (n + 1,)
        heights = self.f(nodes)  # (n + 1,)
        self.trapezoids.set_data(nodes, heights, 0)
        self.trapezoids.set_label(f"trapezoids, n = {n}")
        self.trapezoids_entry.set_text(self.trapezoids.get_label())
        self.nodes.set_data(nodes, heights)
        error = abs(trapezoid(self.f, self.a, self.b, n) - self.exact)
        # a fixed title position (y=...) spares matplotlib a layout pass on every redraw
        self.curve.set_title(f"∫ = {self.exact:.6f}; trapezoid error {error:.1e}", y=1.02)
        self.marker.set_xdata([n, n])
        self.right.relim()  # the marker's n joins the error curves' x range
        self.right.autoscale_view()
        return self


def draw_integration_error(n=8, integrand="gaussian"):
    """Left: the integrand and the trapezoid rule's panels at n. Right: error vs n, log-log.

    The error curves of trapezoid (slope -2), Simpson (slope -4, until round-off) and Monte
    Carlo (slope -1/2 on average) are drawn with the chosen n marked.
    """
    return IntegrationRules(integrand).update(n).figure


def _reference_line(ns, p, errors):
    """A reference line C n^(-p) through the first point of the matching rule's errors."""
    rule = {2: "trapezoid", 4: "Simpson", 0.5: "Monte Carlo (RMS)"}[p]
    start = max(errors[rule][0], ERROR_FLOOR)
    return start * (ns / ns[0]) ** (-p)
