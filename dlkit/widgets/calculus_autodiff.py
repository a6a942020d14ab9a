"""Widget drawings for module 04, calculus and automatic differentiation."""

import math

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from dlkit.autodiff import difference_quotient, taylor_polynomial
from dlkit.plot import new_figure


def _plain_log_ticks(axis):
    """At most six decades labelled as plain text ``1e-08`` on a log axis (mathtext is slow)."""
    axis.set_major_locator(LogLocator(numticks=6))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))


def _sin_derivatives(a, n):
    return [math.sin(a + k * math.pi / 2) for k in range(n + 1)]  # sin^(k) = sin(. + k pi/2)


def _exp_derivatives(a, n):
    return [math.exp(a)] * (n + 1)


def _log1p_derivatives(a, n):
    # d^k/dx^k log(1 + x) = (-1)^(k-1) (k-1)! / (1 + x)^k for k >= 1
    return [math.log1p(a)] + [
        (-1) ** (k - 1) * math.factorial(k - 1) / (1 + a) ** k for k in range(1, n + 1)
    ]


# name -> (f, derivatives(a, n) = [f(a), ..., f^(n)(a)], plotting window, label)
TAYLOR_FUNCTIONS = {
    "sin": (np.sin, _sin_derivatives, (-2 * np.pi, 2 * np.pi), "sin(x)"),
    "exp": (np.exp, _exp_derivatives, (-4.0, 4.0), "exp(x)"),
    "log1p": (np.log1p, _log1p_derivatives, (-0.95, 3.0), "log(1 + x)"),
}


def draw_taylor(order, center=0.0, function="sin"):
    """Plot ``f`` and its Taylor polynomial ``T_n`` of degree ``order`` about ``center``.

    Left: both curves. Right: the error ``|f(x) - T_n(x)|`` on a log scale, which
    vanishes at the centre and grows like ``|x - a|^(n+1)`` near it. For ``log1p``
    the series only converges for ``|x - a| < 1 + a``, and the error shows it.
    """
    if function not in TAYLOR_FUNCTIONS:
        raise ValueError(
            f"draw_taylor: function must be one of {sorted(TAYLOR_FUNCTIONS)}, got {function!r}"
        )
    if not (isinstance(order, int | np.integer) and 0 <= order <= 40):
        raise ValueError(f"draw_taylor: order must be an integer in 0..40, got {order!r}")
    f, derivatives, (low, high), label = TAYLOR_FUNCTIONS[function]
    if not low <= center <= high:
        raise ValueError(
            f"draw_taylor: center must lie in the plotted window [{low:.3g}, {high:.3g}] for "
            f"{label}, got {center}"
        )
    x = np.linspace(low, high, 300)  # (300,)
    y = f(x)
    taylor = taylor_polynomial(derivatives(center, order), center, x)  # (300,)
    error = np.maximum(np.abs(y - taylor), 1e-17)  # floor: log axes cannot show 0

    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.4, top=0.82, bottom=0.15)
    left.plot(x, y, color="0.3", lw=2, label=label)
    left.plot(x, taylor, color="C1", label=f"T_{order}(x)")
    left.axvline(center, color="C2", ls=":", lw=1, label=f"centre a = {center:.3g}")
    spread = np.ptp(y)
    left.set_ylim(y.min() - 0.5 * spread - 0.1, y.max() + 0.5 * spread + 0.1)
    left.set_title(f"{label} and its Taylor polynomial T_{order}", y=1.02)
    left.set_xlabel("x")
    left.set_ylabel("value")
    left.legend(loc="upper left", fontsize=8)

    right.semilogy(x, error, color="C3")
    right.axvline(center, color="C2", ls=":", lw=1)
    right.set_ylim(1e-17, max(10.0, 10 * error.max()))
    _plain_log_ticks(right.yaxis)
    near = np.abs(x - center) <= 1.0
    right.set_title(f"error: max {error[near].max():.1e} for |x - a| <= 1", y=1.02)
    right.set_xlabel("x")
    right.set_ylabel(f"|f(x) - T_{order}(x)| (log scale)")
    return fig


# name -> (f, f', f'', f''') for the finite-difference study
FD_FUNCTIONS = {
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "cube": (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6.0 + 0 * x),
}


def draw_fd_error(x0=1.0, function="sin"):
    """Log-log plot of the error of forward and central differences of ``f'(x0)`` against h.

    The measured errors follow ``truncation + round-off``: forward differences
    ``|f''| h / 2 + eps |f| / h`` (best h near ``sqrt(eps)``), central differences
    ``|f'''| h^2 / 6 + eps |f| / h`` (best h near ``eps^(1/3)``); both models are drawn dashed.
    """
    if function not in FD_FUNCTIONS:
        raise ValueError(
            f"draw_fd_error: function must be one of {sorted(FD_FUNCTIONS)}, got {function!r}"
        )
    f, df, d2f, d3f = FD_FUNCTIONS[function]
    eps = np.finfo(float).eps
    h = np.logspace(-16, 0, 97)  # (97,) step sizes
    exact = df(x0)
    errors = {
        scheme: np.maximum(np.abs(difference_quotient(f, x0, h, scheme) - exact), 1e-17)
        for scheme in ("forward", "central")
    }
    roundoff = eps * max(abs(f(x0)), 1e-3) / h
    models = {
        "forward": np.abs(d2f(x0)) * h / 2 + roundoff,
        "central": np.abs(d3f(x0)) * h**2 / 6 + roundoff,
    }

    fig, ax = new_figure(width=6.0, height=4.2, top=0.86, left=0.14)
    best = []
    for scheme, colour in (("forward", "C0"), ("central", "C1")):
        ax.loglog(h, errors[scheme], "o", ms=3, color=colour, label=f"{scheme} (measured)")
        ax.loglog(h, models[scheme], "--", lw=1, color=colour, label=f"{scheme} (model)")
        i = int(np.argmin(errors[scheme]))
        ax.plot(h[i], errors[scheme][i], "*", ms=12, color=colour)
        best.append(f"{scheme} {h[i]:.0e}")
    ax.set_ylim(1e-17, 1e2)
    _plain_log_ticks(ax.xaxis)
    _plain_log_ticks(ax.yaxis)
    ax.set_xlabel("step size h")
    ax.set_ylabel(f"|estimate - f'({x0:.3g})|")
    title = f"finite differences of {function} at x = {x0:.3g}\nbest h: " + ", ".join(best)
    ax.set_title(title, y=1.02)
    ax.legend(loc="lower left", fontsize=8)
    return fig
