"""Widget drawings for module 08, feedforward networks and backpropagation."""

from functools import cache

import numpy as np

from dlkit.nn import get_activation, relu
from dlkit.plot import LiveFigure, new_figure

MAX_HIDDEN = 50
MAX_UNITS_SHOWN = 10
UNIT_LABEL = "one unit c_j relu(...)"
DOMAIN = (-np.pi, np.pi)
N_GRID = 400
TARGETS = {
    "sine": lambda x: np.sin(2.0 * x),
    "step": lambda x: np.where(x < 0.5, -0.5, 1.0),
    "bump": lambda x: np.exp(-4.0 * x**2),
    "sawtooth": lambda x: 2.0 * (x / np.pi - np.floor(x / np.pi + 0.5)),
}
ACTIVATION_PARAMETER = {"leaky_relu": "slope", "swish": "beta"}


def relu_features(x, n_hidden, seed=0):
    """The first ``n_hidden`` hidden units ``relu(s_j (x - t_j))``, shape (len(x), n_hidden).

    Kinks ``t_j`` are uniform on the domain and directions ``s_j = +-1`` random: a hidden
    layer with fixed random weights, so only the output layer is fitted.
    """
    rng = np.random.default_rng(seed)
    kinks = rng.uniform(*DOMAIN, size=MAX_HIDDEN)[:n_hidden]  # (n_hidden,)
    signs = rng.choice([-1.0, 1.0], size=MAX_HIDDEN)[:n_hidden]  # (n_hidden,)
    return relu(signs * (np.asarray(x, dtype=float)[:, None] - kinks))  # (n, n_hidden)


@cache
def _fits(target):
    """Least-squares output layers for 1..MAX_HIDDEN units, computed once per target.

    Returns the grid x (N_GRID,), the target y (N_GRID,), the fits (MAX_HIDDEN, N_GRID),
    the output weights of each fit (list of (n + 1,) arrays) and the mean squared errors.
    """
    x = np.linspace(*DOMAIN, N_GRID)
    y = TARGETS[target](x)
    features = relu_features(x, MAX_HIDDEN)  # (N_GRID, MAX_HIDDEN), nested in n
    fits, weights = np.empty((MAX_HIDDEN, N_GRID)), []
    for n in range(1, MAX_HIDDEN + 1):
        design = np.column_stack([features[:, :n], np.ones(N_GRID)])  # (N_GRID, n + 1)
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        fits[n - 1] = design @ coef
        weights.append(coef)
    errors = np.mean((fits - y) ** 2, axis=1)  # (MAX_HIDDEN,)
    for array in (x, y, fits, errors):
        array.flags.writeable = False
    return x, y, fits, weights, errors


class UniversalApproximation(LiveFigure):
    """Module 08's universal-approximation widget, redrawn in place (see
    :func:`draw_universal_approximation`): the target and the error curve are fixed per
    target; the network, its units and the marked error move with ``n_hidden``."""

    def __init__(self, target="sine"):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; choose one of {sorted(TARGETS)}")
        self.x, y, self.fits, self.weights, self.errors = _fits(target)
        self.log_errors = np.log10(self.errors)  # a linear axis: log-axis ticks draw slowly
        fig, (left, right) = new_figure(ncols=2, width=4.5, height=3.6, top=0.84, bottom=0.15)
        left.plot(self.x, y, color="0.3", lw=2.5, label="target")
        (self.network,) = left.plot([], [], color="C0", lw=1.8, label="network")
        self.units = [
            left.plot([], [], color="C1", lw=0.8, alpha=0.6, label=None if j else UNIT_LABEL)[0]
            for j in range(MAX_UNITS_SHOWN)
        ]
        left.set_ylim(y.min() - 1.0, y.max() + 1.0)
        left.set_xlabel("input x (dimensionless)")
        left.set_ylabel("output f(x)")
        left.legend(loc="lower left", fontsize=8)

        counts = np.arange(1, MAX_HIDDEN + 1)
        right.plot(counts, self.log_errors, color="C0")
        (self.marker,) = right.plot([], [], "o", color="C3")
        right.set_xlabel("number of hidden units")
        right.set_ylabel("log10 of the mean squared error")
        fig.suptitle(f"Universal approximation of the {target} function")
        self.left, self.right = left, right
        super().__init__(fig, [self.network, *self.units, self.marker, left.title, right.title])

    def update(self, n_hidden):
        if not (isinstance(n_hidden, int | np.integer) and 1 <= n_hidden <= MAX_HIDDEN):
            raise ValueError(f"n_hidden must be an integer in 1..{MAX_HIDDEN}, got {n_hidden!r}")
        self.network.set_data(self.x, self.fits[n_hidden - 1])
        contributions = relu_features(self.x, n_hidden) * self.weights[n_hidden - 1][:n_hidden]
        for j, unit in enumerate(self.units):  # each unit's c_j relu(...), up to 10 units
            shown = n_hidden <= MAX_UNITS_SHOWN and j < n_hidden
            unit.set_data((self.x, contributions[:, j]) if shown else ([], []))
        self.marker.set_data([n_hidden], [self.log_errors[n_hidden - 1]])
        self.left.set_title(f"{n_hidden} hidden ReLU unit{'s' if n_hidden > 1 else ''}")
        self.right.set_title(f"MSE = {self.errors[n_hidden - 1]:.2e}")
        return self


def draw_universal_approximation(n_hidden, target="sine"):
    """A one-hidden-layer ReLU network with ``n_hidden`` units fitted to a 1-D function.

    Left: the target, the network ``f(x) = b + sum_j c_j relu(s_j (x - t_j))`` (output
    layer by least squares) and, for up to 10 units, each unit's contribution
    ``c_j relu(...)``. Right: the mean squared error against the number of units.
    """
    return UniversalApproximation(target).update(n_hidden).figure


class Activation(LiveFigure):
    """Module 08's activation widget, redrawn in place (see :func:`draw_activation`): the
    activation and the range of z are fixed; the tangent at ``x0``, its point of contact
    and the titles move. For ``leaky_relu`` and ``swish`` the curves, the shaded band, the
    suptitle and the y-limits also move with ``param`` (a change of limits renders the
    whole figure again); for the others ``param`` changes nothing."""

    def __init__(self, name, x_max=5.0):
        self.f, self.f_grad = get_activation(name)
        self.name = name
        self.z = np.linspace(-x_max, x_max, 401)
        fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.4, top=0.82, bottom=0.16)
        (self.f_curve,) = left.plot([], [], color="C0", lw=2, label="f(z)")
        (self.tangent,) = left.plot([], [], color="C3", lw=1, ls="--", label="tangent at z0")
        (self.point,) = left.plot([], [], "o", color="C3")
        left.set_xlabel("pre-activation z (dimensionless)")
        left.set_ylabel("activation f(z)")
        left.legend(loc="upper left", fontsize=8)

        (self.grad_curve,) = right.plot([], [], color="C2", lw=2, label="f'(z)")
        nowhere = np.zeros_like(self.z, dtype=bool)  # the band is set in update
        self.flat = right.fill_between(
            self.z, -0.1, 1.1, where=nowhere, color="0.85", label="|f'| < 0.05"
        )
        (self.grad_point,) = right.plot([], [], "o", color="C3")
        right.set_xlabel("pre-activation z (dimensionless)")
        right.set_ylabel("derivative f'(z)")
        for ax in (left, right):
            ax.set_xlim(-1.1 * x_max, 1.1 * x_max)  # the curves' range with 5% margins
        self.suptitle = fig.suptitle(name)
        self.left, self.right = left, right
        left_moving = [self.f_curve, self.tangent, self.point, left.title]
        right_moving = [self.grad_curve, self.flat, self.grad_point, right.title]
        super().__init__(fig, [*left_moving, *right_moving, self.suptitle])

    def update(self, x0=1.0, param=None):
        options = {}
        if self.name in ACTIVATION_PARAMETER and param is not None:
            options[ACTIVATION_PARAMETER[self.name]] = float(param)
        z = self.z
        value, slope = self.f(z, **options), self.f_grad(z, **options)
        y0 = float(self.f(np.array([x0]), **options)[0])
        s0 = float(self.f_grad(np.array([x0]), **options)[0])

        self.f_curve.set_data(z, value)
        self.tangent.set_data(z, y0 + s0 * (z - x0))
        self.point.set_data([x0], [y0])
        self.left.set_ylim(value.min() - 0.5, value.max() + 0.5)
        self.left.set_title(f"f({x0:.2f}) = {y0:.3f}")

        top = 1.1 * max(1.0, slope.max())
        self.grad_curve.set_data(z, slope)
        self.flat.set_data(z, -0.1, top, where=np.abs(slope) < 0.05)
        self.grad_point.set_data([x0], [s0])
        self.right.set_ylim(min(-0.1, slope.min() - 0.1), top)
        self.right.set_title(f"f'({x0:.2f}) = {s0:.3f}")
        setting = f", {ACTIVATION_PARAMETER[self.name]} = {param:g}" if options else ""
        self.suptitle.set_text(f"{self.name}{setting}")
        return self


def draw_activation(name, x0=1.0, param=None, x_max=5.0):
    """An activation ``f`` with its tangent at ``x0``, and its derivative ``f'``.

    ``param`` is the slope of ``leaky_relu`` or the ``beta`` of ``swish`` (ignored for the
    others). Where ``|f'(z)| < 0.05`` the right panel is shaded: a unit whose input lands
    there passes almost no gradient back (saturation, or a dead ReLU).
    """
    return Activation(name, x_max).update(x0, param).figure
