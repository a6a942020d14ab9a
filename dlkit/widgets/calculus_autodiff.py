"""Widget drawings for module 04, calculus and automatic differentiation."""

import math

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from dlkit.autodiff import difference_quotient, taylor_polynomial
from dlkit.plot import LiveFigure, new_figure


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


def _decade_above(value):
    """The smallest power of 10 at or above ``value > 0``: a log axis's limit that moves
    only when a curve crosses a decade."""
    return 10.0 ** math.ceil(math.log10(value))


class Taylor(LiveFigure):
    """Module 04's Taylor-polynomial widget, redrawn in place (see :func:`draw_taylor`):
    ``f``, the x range and the left y range are fixed per ``function``; the polynomial, its
    error, the centre lines, their legend entries, the titles and the top of the error axis
    (a power of 10, at least ten times the largest error) move with ``order`` and ``center``.
    """

    def __init__(self, function="sin"):
        if function not in TAYLOR_FUNCTIONS:
            raise ValueError(
                f"draw_taylor: function must be one of {sorted(TAYLOR_FUNCTIONS)}, got {function!r}"
            )
        f, self.derivatives, self.window, self.label = TAYLOR_FUNCTIONS[function]
        self.x = np.linspace(*self.window, 300)  # (300,)
        self.y = f(self.x)  # (300,)

        # The moving curves keep the grid x, which sets the x limits; update sets their y.
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.4, top=0.82, bottom=0.15)
        left.plot(self.x, self.y, color="0.3", lw=2, label=self.label)
        (self.taylor,) = left.plot(self.x, self.y, color="C1", label="T_n(x)")
        self.left_centre = left.axvline(self.window[0], color="C2", ls=":", lw=1, label="a")
        spread = np.ptp(self.y)
        left.set_ylim(self.y.min() - 0.5 * spread - 0.1, self.y.max() + 0.5 * spread + 0.1)
        left.set_xlabel("x")
        left.set_ylabel("value")
        self.legend = left.legend(loc="upper left", fontsize=8)
        _, self.taylor_entry, self.centre_entry = self.legend.get_texts()

        (self.error,) = right.semilogy(self.x, np.ones_like(self.x), color="C3")
        self.right_centre = right.axvline(self.window[0], color="C2", ls=":", lw=1)
        _plain_log_ticks(right.yaxis)
        right.set_xlabel("x")
        right.set_ylabel("|f(x) - T_n(x)| (log scale)")  # an axis label cannot move
        self.left, self.right = left, right
        curves = [self.taylor, self.left_centre, self.error, self.right_centre]
        super().__init__(fig, [*curves, self.legend, left.title, right.title])

    def update(self, order, center=0.0):
        if not (isinstance(order, int | np.integer) and 0 <= order <= 40):
            raise ValueError(f"draw_taylor: order must be an integer in 0..40, got {order!r}")
        low, high = self.window
        if not low <= center <= high:
            raise ValueError(
                f"draw_taylor: center must lie in the plotted window [{low:.3g}, {high:.3g}] for "
                f"{self.label}, got {center}"
            )
        taylor = taylor_polynomial(self.derivatives(center, order), center, self.x)  # (300,)
        error = np.maximum(np.abs(self.y - taylor), 1e-17)  # floor: log axes cannot show 0
        self.taylor.set_ydata(taylor)
        self.error.set_ydata(error)
        for line in (self.left_centre, self.right_centre):
            line.set_xdata([center, center])
        self.taylor.set_label(f"T_{order}(x)")
        self.left_centre.set_label(f"centre a = {center:.3g}")
        self.taylor_entry.set_text(self.taylor.get_label())
        self.centre_entry.set_text(self.left_centre.get_label())
        self.right.set_ylim(1e-17, _decade_above(max(10.0, 10 * error.max())))
        near = np.abs(self.x - center) <= 1.0
        self.left.set_title(f"{self.label} and its Taylor polynomial T_{order}", y=1.02)
        self.right.set_title(f"error: max {error[near].max():.1e} for |x - a| <= 1", y=1.02)
        return self


def draw_taylor(order, center=0.0, function="sin"):
    """Plot ``f`` and its Taylor polynomial ``T_n`` of degree ``order`` about ``center``.

    Left: both curves. Right: the error ``|f(x) - T_n(x)|`` on a log scale, which
    vanishes at the centre and grows like ``|x - a|^(n+1)`` near it. For ``log1p``
    the series only converges for ``|x - a| < 1 + a``, and the error shows it.
    """
    return Taylor(function).update(order, center).figure


# name -> (f, f', f'', f''') for the finite-difference study
FD_FUNCTIONS = {
    "sin": (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    "exp": (np.exp, np.exp, np.exp, np.exp),
    "cube": (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6.0 + 0 * x),
}


FD_SCHEMES = {"forward": "C0", "central": "C1"}  # difference scheme -> colour


class FiniteDifferenceSteps(LiveFigure):
    """Module 04's finite-difference error widget, redrawn in place (see
    :func:`draw_fd_error`): the step sizes, the axes and the legend are fixed per
    ``function``; the measured errors, their models, the best steps (stars) and the title
    move with ``x0``."""

    def __init__(self, function="sin"):
        if function not in FD_FUNCTIONS:
            raise ValueError(
                f"draw_fd_error: function must be one of {sorted(FD_FUNCTIONS)}, got {function!r}"
            )
        self.function = function
        self.h = np.logspace(-16, 0, 97)  # (97,) step sizes

        # The error curves keep the grid h, which sets the x limits; update sets their y.
        fig, ax = new_figure(width=6.0, height=4.2, top=0.86, left=0.14)
        self.lines = {}  # scheme -> (measured errors, model, star at the best step)
        for scheme, colour in FD_SCHEMES.items():
            (measured,) = ax.loglog(
                self.h, self.h, "o", ms=3, color=colour, label=f"{scheme} (measured)"
            )
            (model,) = ax.loglog(
                self.h, self.h, "--", lw=1, color=colour, label=f"{scheme} (model)"
            )
            (star,) = ax.plot([], [], "*", ms=12, color=colour)
            self.lines[scheme] = measured, model, star
        ax.set_ylim(1e-17, 1e2)
        _plain_log_ticks(ax.xaxis)
        _plain_log_ticks(ax.yaxis)
        ax.set_xlabel("step size h")
        ax.set_ylabel("|estimate - f'(x0)|")  # an axis label cannot move
        ax.legend(loc="lower left", fontsize=8)  # fixed: the curves stay clear of its corner
        self.ax = ax
        curves = [line for lines in self.lines.values() for line in lines]
        super().__init__(fig, [*curves, ax.title])

    def update(self, x0=1.0):
        f, df, d2f, d3f = FD_FUNCTIONS[self.function]
        h = self.h
        roundoff = np.finfo(float).eps * max(abs(f(x0)), 1e-3) / h  # (97,)
        models = {
            "forward": np.abs(d2f(x0)) * h / 2 + roundoff,
            "central": np.abs(d3f(x0)) * h**2 / 6 + roundoff,
        }
        best = []
        for scheme, (measured, model, star) in self.lines.items():
            estimate = difference_quotient(f, x0, h, scheme)  # (97,)
            errors = np.maximum(np.abs(estimate - df(x0)), 1e-17)  # floor: log axes
            measured.set_ydata(errors)
            model.set_ydata(models[scheme])
            i = int(np.argmin(errors))
            star.set_data([h[i]], [errors[i]])
            best.append(f"{scheme} {h[i]:.0e}")
        title = f"finite differences of {self.function} at x = {x0:.3g}\nbest h: " + ", ".join(best)
        self.ax.set_title(title, y=1.02)
        return self


def draw_fd_error(x0=1.0, function="sin"):
    """Log-log plot of the error of forward and central differences of ``f'(x0)`` against h.

    The measured errors follow ``truncation + round-off``: forward differences
    ``|f''| h / 2 + eps |f| / h`` (best h near ``sqrt(eps)``), central differences
    ``|f'''| h^2 / 6 + eps |f| / h`` (best h near ``eps^(1/3)``); both models are drawn dashed.
    """
    return FiniteDifferenceSteps(function).update(x0).figure
