"""Widget drawings for module 05, numerical computation."""

import functools

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
from scipy.special import erf

from dlkit.numerics import monte_carlo_integral, simpson, trapezoid
from dlkit.plot import new_figure

FLOAT_TYPES = ("float16", "float32", "float64")


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


def draw_precision_loss(dtype_name="float32", log10_big=0.0):
    """Two views of precision in float16/32/64.

    Left: the relative error of recovering a small d from ``(big + d) - big`` (catastrophic
    cancellation), against ``d / big``, with the machine epsilon marked. Right: the relative
    gap between neighbouring floats, ``spacing(x) / x``, over the type's whole range, with
    the subnormal range (gradual underflow) and the overflow threshold marked.
    """
    kind = _float_type(dtype_name)
    info = np.finfo(kind)
    big = 10.0**log10_big
    with np.errstate(over="ignore"):
        fits = np.isfinite(kind.type(big))
    if not fits:
        raise ValueError(f"10**{log10_big} overflows {dtype_name} (max {float(info.max):.3g})")
    fractions = np.logspace(-20, 0, 161)  # (161,) d / big
    errors = cancellation_error(dtype_name, big, fractions)
    keep = np.isfinite(errors) & (fractions * big >= float(info.smallest_subnormal))
    shown = np.clip(errors[keep], 1e-18, None)  # exact results (error 0) sit on the floor

    fig, (ax1, ax2) = new_figure(ncols=2, width=4.6, height=3.8, top=0.84, bottom=0.15, left=0.1)
    ax1.loglog(fractions[keep], shown, color="C0", label="measured")
    ax1.axvline(float(info.eps), color="C3", ls="--", lw=1, label=f"eps = {float(info.eps):.2g}")
    ax1.loglog(
        fractions, np.minimum(float(info.eps) / fractions, 1.0), "k:", lw=1, label="eps / (d/big)"
    )
    ax1.set_ylim(1e-18, 10.0)
    _few_ticks(ax1, log_x=True, log_y=True)
    ax1.set_xlabel("d / big (relative size of the small term)")
    ax1.set_ylabel("relative error of (big + d) - big")
    ax1.set_title(f"Cancellation in {dtype_name}, big = {big:.3g}", y=1.02)
    ax1.legend(loc="lower left", fontsize=8)

    # the x axis shows log10(x): matplotlib's log transform overflows near float64's max
    lo, hi = np.log10(float(info.smallest_subnormal)), np.log10(float(info.max)) - 1e-6
    x = np.logspace(lo, hi, 400).astype(kind)  # (400,) in dtype
    x = x[np.isfinite(x) & (x > 0)]
    with np.errstate(over="ignore"):  # the gap above the largest float is inf
        gap = np.spacing(x).astype(float) / x.astype(float)  # (k,)
    x, gap = x[np.isfinite(gap)], gap[np.isfinite(gap)]
    ax2.semilogy(np.log10(x.astype(float)), gap, color="C0")
    sub = np.log10([float(info.smallest_subnormal), float(info.smallest_normal)])
    ax2.axvspan(*sub, color="C1", alpha=0.2, label="subnormal")
    ax2.axvline(
        np.log10(float(info.max)), color="C3", ls="--", lw=1, label=f"max = {float(info.max):.3g}"
    )
    ax2.axhline(float(info.eps), color="0.5", ls=":", lw=1, label="eps")
    _few_ticks(ax2, log_y=True)
    ax2.set_xlabel("log10 of the value x")
    ax2.set_ylabel("gap to the next float / x")
    ax2.set_title(f"Relative spacing of {dtype_name} numbers", y=1.02)
    ax2.legend(loc="upper center", fontsize=8)
    return fig


_INTEGRANDS = {
    # name: (f, a, b, exact integral, label)
    "gaussian": (lambda x: np.exp(-(x**2)), 0.0, 2.0, np.sqrt(np.pi) / 2 * erf(2.0), "exp(-x²)"),
    "sine": (np.sin, 0.0, np.pi, 2.0, "sin x"),
    "sqrt": (np.sqrt, 0.0, 1.0, 2.0 / 3.0, "√x (kink at 0)"),
}
_NS = 2 ** np.arange(1, 13)  # (12,): 2, 4, ..., 4096 subintervals or samples


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


def draw_integration_error(n=8, integrand="gaussian"):
    """Left: the integrand and the trapezoid rule's panels at n. Right: error vs n, log-log.

    The error curves of trapezoid (slope -2), Simpson (slope -4, until round-off) and Monte
    Carlo (slope -1/2 on average) are drawn with the chosen n marked.
    """
    if int(n) != n or n < 2 or n % 2:
        raise ValueError(f"n must be an even integer >= 2 (Simpson pairs panels), got {n}")
    f, a, b, exact, label = _integrand(integrand)
    ns, errors = _cached_errors(integrand)

    fig, (ax1, ax2) = new_figure(ncols=2, width=4.4, height=3.8, top=0.84, bottom=0.15, left=0.1)
    fine = np.linspace(a, b, 300)  # (300,)
    nodes = np.linspace(a, b, int(n) + 1)  # (n + 1,)
    ax1.plot(fine, f(fine), color="C0", label=label)
    ax1.fill_between(nodes, f(nodes), color="C1", alpha=0.3, label=f"trapezoids, n = {n}")
    ax1.plot(nodes, f(nodes), "o-", color="C1", ms=3, lw=1)
    _few_ticks(ax1)
    ax1.set_xlabel("x (unitless)")
    ax1.set_ylabel("f(x) (unitless)")
    error = abs(trapezoid(f, a, b, n) - exact)
    # a fixed title position (y=...) spares matplotlib a layout pass on every redraw
    ax1.set_title(f"∫ = {exact:.6f}; trapezoid error {error:.1e}", y=1.02)
    ax1.legend(loc="upper right", fontsize=8)

    floor = 1e-17  # errors that are exactly 0 sit on the floor of the log axis
    for (rule, err), colour in zip(errors.items(), ["C1", "C2", "C4"]):
        ax2.loglog(ns, np.maximum(err, floor), "o-", color=colour, ms=3, label=rule)
    for p, colour in [(2, "C1"), (4, "C2"), (0.5, "C4")]:
        ax2.loglog(ns, _reference_line(ns, p, errors), ":", color=colour, lw=1)
    ax2.axvline(n, color="k", lw=1, ls="--")
    ax2.set_ylim(floor, 10.0)
    _few_ticks(ax2, log_x=True, log_y=True)
    ax2.set_xlabel("n (subintervals or samples)")
    ax2.set_ylabel("absolute error")
    ax2.set_title("Error vs n (dotted: slopes -2, -4, -1/2)", y=1.02)
    ax2.legend(loc="lower left", fontsize=8)
    return fig


def _reference_line(ns, p, errors):
    """A reference line C n^(-p) through the first point of the matching rule's errors."""
    rule = {2: "trapezoid", 4: "Simpson", 0.5: "Monte Carlo (RMS)"}[p]
    start = max(errors[rule][0], 1e-17)
    return start * (ns / ns[0]) ** (-p)
