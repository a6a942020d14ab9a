"""Widget drawings for module 06, optimization."""

import functools

import contourpy
import numpy as np
from matplotlib.collections import LineCollection

from dlkit import optim
from dlkit.plot import LiveFigure, new_figure, nice_ceil

# ---------------------------------------------------------------- 2-D test surfaces

_C, _S = np.cos(np.pi / 6), np.sin(np.pi / 6)
_ROTATION = np.array([[_C, -_S], [_S, _C]])  # the bowl's axes, turned by 30 degrees
_BOWL = _ROTATION @ np.diag([1.0, 25.0]) @ _ROTATION.T  # eigenvalues 1 and 25: kappa = 25


def _bowl(p):
    """``1/2 p^T A p`` on p (2, ...), A with eigenvalues 1 and 25 (condition number 25)."""
    return 0.5 * np.einsum("i...,ij,j...->...", p, _BOWL, p)


def _bowl_grad(p):
    return _BOWL @ p


def _saddle(p):
    """``x^2 / 2 + y^4 / 4 - y^2 / 2``: a saddle at the origin, minima at (0, +-1)."""
    return 0.5 * p[0] ** 2 + 0.25 * p[1] ** 4 - 0.5 * p[1] ** 2


def _saddle_grad(p):
    return np.array([p[0], p[1] ** 3 - p[1]])


# name -> (f on (2, ...) arrays, gradient on (2,), (xmin, xmax, ymin, ymax), minimum value)
SURFACES = {
    "rosenbrock": (optim.rosenbrock, optim.rosenbrock_grad, (-2.0, 2.0, -1.0, 3.0), 0.0),
    "saddle": (_saddle, _saddle_grad, (-2.0, 2.0, -1.6, 1.6), -0.25),
    "ill-conditioned bowl": (_bowl, _bowl_grad, (-2.0, 2.0, -2.0, 2.0), 0.0),
}

OPTIMIZERS = ("GD", "momentum", "Nesterov", "RMSProp", "Adam")
_COLOURS = dict(zip(OPTIMIZERS, ["C0", "C1", "C2", "C3", "C4"]))

#: The ladder of step-axis limits (10, 15, 20, 30, 50, 100, ...): a steps slider moves
#: the x limit of a per-step panel a few times over its range.
_STEP_LIMITS = (1.0, 1.5, 2.0, 3.0, 5.0)


def _step_limit(steps):
    """The x limit of a per-step panel: ``steps`` rounded up on the 1-1.5-2-3-5 ladder."""
    return nice_ceil(max(steps, 1), steps=_STEP_LIMITS)


def _decade_limits(curves, shallowest, deepest, highest, tops=None):
    """Steady y limits ``(-depth, height)`` of log10 curves (a list of arrays), in decades:
    ``depth = nice_ceil(0.5 - lowest value)`` and ``height = nice_ceil(highest value + 0.5)``
    on the 1-2-5 ladder (half a decade of margin), depth between ``shallowest`` and
    ``deepest``, height between 1 and ``highest``; the height is that of the curves
    ``tops`` where given (default: all). A non-finite value counts as beyond the limits
    (a diverged run's overflow)."""

    def values(arrays):
        joined = np.concatenate([np.ravel(array) for array in arrays])
        joined = np.nan_to_num(joined, nan=highest, posinf=highest, neginf=-deepest)
        return np.clip(joined, -deepest, highest)

    depth = min(max(nice_ceil(max(0.5 - values(curves).min(), 1.0)), shallowest), deepest)
    top = values(curves if tops is None else tops).max()
    return -depth, min(nice_ceil(max(top + 0.5, 1.0)), highest)


@functools.lru_cache(maxsize=len(SURFACES))
def _contour_lines(surface, n=120):
    """Contour segments of a surface, computed once per surface (redraws only reuse them).

    The surface is evaluated on an n x n grid; 14 levels are spaced geometrically above
    the minimum so that the flat valley floor gets as many lines as the steep walls.
    """
    f, _, (x0, x1, y0, y1), f_min = SURFACES[surface]
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))  # (n, n) each
    F = f(np.stack([X, Y]))  # (2, n, n) -> (n, n)
    gap = F - f_min
    levels = f_min + np.geomspace(max(gap.max() * 1e-4, 1e-3), gap.max(), 14)
    generator = contourpy.contour_generator(X, Y, F)
    return tuple(line for level in levels for line in generator.lines(level))


def _make_optimizer(name, theta, lr, adaptive_lr, momentum):
    if name == "GD":
        return optim.SGD([theta], lr=lr)
    if name == "momentum":
        return optim.SGD([theta], lr=lr, momentum=momentum)
    if name == "Nesterov":
        return optim.SGD([theta], lr=lr, momentum=max(momentum, 1e-12), nesterov=True)
    if name == "RMSProp":
        return optim.RMSprop([theta], lr=adaptive_lr)
    return optim.Adam([theta], lr=adaptive_lr)


def optimizer_path(surface, name, lr, adaptive_lr, momentum, start, steps):
    """Iterates ``(k + 1, 2)`` of optimizer ``name`` from ``start`` on a surface.

    Stops early (and returns the shorter path) once an iterate leaves a large box
    around the plot or becomes non-finite: that run diverged. Read-only: paths are
    cached by the settings each optimizer uses (GD ignores the momentum and the adaptive
    rate, so a momentum slider reruns two optimizers of five).
    """
    if name in ("RMSProp", "Adam"):
        lr, momentum = None, None
    else:
        adaptive_lr = None
        if name == "GD":
            momentum = None
    return _path(surface, name, lr, adaptive_lr, momentum, tuple(start), steps)


@functools.lru_cache(maxsize=256)
def _path(surface, name, lr, adaptive_lr, momentum, start, steps):
    """``optimizer_path`` of the settings that ``name`` uses (the others are None)."""
    _, grad, (x0, x1, y0, y1), _ = SURFACES[surface]
    reach = 10 * max(x1 - x0, y1 - y0)
    theta = np.array(start, dtype=float)
    opt = _make_optimizer(name, theta, lr, adaptive_lr, momentum)
    path = np.empty((steps + 1, 2))
    path[0] = theta
    for k in range(1, steps + 1):
        opt.step([grad(theta)])
        path[k] = theta
        if not np.all(np.abs(theta) < reach):
            path = path[: k + 1]
            break
    path.flags.writeable = False
    return path


class OptimizerPaths(LiveFigure):
    """Module 06's optimizers-side-by-side widget, redrawn in place (see
    :func:`draw_optimizer_paths`): the surface's contours and the axes of the paths are
    fixed per surface and choice of optimizers; the paths, their end points, the start,
    the legend's labels (a run that diverged says so), the progress curves and the title
    move with the learning rates, momentum, start and number of steps.

    The progress panel's limits change in steps, so that its curves move against steady
    axes: x runs to ``K``, the number of steps rounded up on the 1-1.5-2-3-5 ladder (10,
    15, 20, 30, 50, 100, ...), with a 3 % margin each side; y spans the decades that the
    curves of the first ``K`` steps reach (the runs are computed to step K, so the y
    limits change only with x as the steps slider moves) with half a decade of margin:
    the bottom ``-d`` with ``d`` rounded up on the 1-2-5 ladder to 5, 10 or 20 (a coarse
    ladder: a run that happens to pass near the minimum dips a few decades, and the start
    slides it in and out of such dips; the gap's floor, 1e-16, stays inside) and the top
    ``h`` rounded up to 1, 2, 5 or 10, set by the runs that do not diverge within ``K``
    steps (and the start): a diverged run leaves through the top."""

    def __init__(self, surface="rosenbrock", optimizers=OPTIMIZERS):
        if surface not in SURFACES:
            raise ValueError(f"draw_optimizer_paths: surface must be one of {list(SURFACES)}")
        unknown = [name for name in optimizers if name not in OPTIMIZERS]
        if unknown:
            raise ValueError(
                f"draw_optimizer_paths: unknown optimizers {unknown}; use {OPTIMIZERS}"
            )
        self.surface, self.optimizers = surface, tuple(optimizers)
        _, _, (xa, xb, ya, yb), _ = SURFACES[surface]
        fig, (left, right) = new_figure(ncols=2, width=4.6, height=4.0, top=0.84, bottom=0.13)
        left.add_collection(LineCollection(_contour_lines(surface), colors="0.6", linewidths=0.6))
        self.paths, self.ends, self.progress = [], [], []
        for name in self.optimizers:
            colour = _COLOURS[name]
            self.paths.append(left.plot([], [], "-", color=colour, lw=1.2, label=name)[0])
            self.ends.append(left.plot([], [], "o", color=colour, ms=4)[0])
            self.progress.append(right.plot([], [], color=colour, label=name)[0])
        (self.start,) = left.plot([], [], "k*", ms=10, label="start")
        left.set_xlim(xa, xb)
        left.set_ylim(ya, yb)
        left.set_xlabel("θ₁")
        left.set_ylabel("θ₂")
        left.set_title(f"paths on the {surface} surface")
        self.legend = left.legend(loc="lower left", fontsize=7)
        right.set_xlabel("step k")
        right.set_ylabel("log10 of f(θ_k) − f*")
        right.set_title("progress per step")
        self.title = fig.suptitle("")
        self.right = right
        moving = [*self.paths, *self.ends, self.start, *self.progress, self.legend, self.title]
        super().__init__(fig, moving)

    def update(self, lr=1e-3, adaptive_lr=0.05, momentum=0.9, x0=-1.5, y0=2.0, steps=200):
        f, _, _, f_min = SURFACES[self.surface]
        labels = self.legend.get_texts()  # one per optimizer, then the start's
        limit = _step_limit(steps)
        reached = []  # log10 of each run's gap over its first `limit` steps
        tops = []  # those of the runs that do not diverge, and every run's start
        for j, name in enumerate(self.optimizers):
            run = optimizer_path(
                self.surface, name, lr, adaptive_lr, momentum, (x0, y0), round(limit)
            )
            log_gap = np.log10(np.maximum(f(run.T) - f_min, 1e-16))  # (k + 1,)
            reached.append(log_gap)
            tops.append(log_gap if len(run) == round(limit) + 1 else log_gap[:1])
            path = run[: steps + 1]  # the same iterates as a run of `steps` steps
            diverged = len(path) < steps + 1
            label = f"{name} (diverged)" if diverged else name
            self.paths[j].set_data(path[:, 0], path[:, 1])
            self.ends[j].set_data(path[-1:, 0], path[-1:, 1])
            self.progress[j].set_data(np.arange(len(path)), log_gap[: len(path)])
            self.paths[j].set_label(label)
            self.progress[j].set_label(label)
            labels[j].set_text(label)
        self.start.set_data([x0], [y0])
        self.right.set_xlim(-0.03 * limit, 1.03 * limit)
        self.right.set_ylim(
            *_decade_limits(reached, shallowest=5, deepest=20, highest=10, tops=tops)
        )
        self.title.set_text(
            f"lr = {lr:.3g} (GD family), {adaptive_lr:.3g} (adaptive), momentum = {momentum}"
        )
        return self


def draw_optimizer_paths(
    surface="rosenbrock",
    lr=1e-3,
    adaptive_lr=0.05,
    momentum=0.9,
    x0=-1.5,
    y0=2.0,
    steps=200,
    optimizers=OPTIMIZERS,
):
    """Trajectories of several optimizers on a 2-D surface, and f(theta_k) - f* per step.

    ``lr`` drives GD, momentum and Nesterov (torch's SGD form); ``adaptive_lr`` drives
    RMSProp and Adam, whose steps are scaled per coordinate and need a different size.
    ``momentum`` is the coefficient mu of the two momentum methods. A run that leaves the
    plot far behind is marked "diverged".
    """
    drawing = OptimizerPaths(surface, optimizers)
    return drawing.update(lr, adaptive_lr, momentum, x0, y0, steps).figure


# ---------------------------------------------------------------- GD on a quadratic


@functools.lru_cache(maxsize=16)
def _bowl_lines(kappa, n=80):
    """Contour segments of ``(x^2 + kappa y^2) / 2`` on [-2.5, 2.5]^2, cached per kappa."""
    grid = np.linspace(-2.5, 2.5, n)
    X, Y = np.meshgrid(grid, grid)  # (n, n) each
    F = 0.5 * (X**2 + kappa * Y**2)
    generator = contourpy.contour_generator(X, Y, F)
    return tuple(
        line for level in np.geomspace(0.02, F.max(), 12) for line in generator.lines(level)
    )


class QuadraticDescent(LiveFigure):
    """Module 06's gradient-descent-on-a-quadratic widget, redrawn in place (see
    :func:`draw_quadratic_descent`): only the axes, their labels and the minimiser are
    fixed. The contours (new segments per kappa, cheap), the path, the error curves,
    the legend and the title move with kappa, the learning rate and the number of steps.

    The error panel's limits change in steps, so that its curves move against steady
    axes: x runs to ``K``, the number of steps rounded up on the 1-1.5-2-3-5 ladder (5,
    10, 15, 20, 30, 50, 100, 150), with a 3 % margin each side; y spans the decades that
    the three curves reach over the first ``K`` steps (so the y limits change only with
    x as the steps slider moves), half a decade of margin, the bottom ``-d`` and the top
    ``h`` rounded up on the 1-2-5 ladder (1, 2, 5, 10, 20, 50), at most 50 decades each
    way: an error that lands on the minimiser (1e-300, kappa near 1) leaves through the
    bottom."""

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.8, bottom=0.14)
        self.contours = left.add_collection(LineCollection([], colors="0.6", linewidths=0.6))
        (self.path,) = left.plot([], [], "o-", color="C0", ms=3, lw=1)
        (minimiser,) = left.plot(0.0, 0.0, "k*", ms=10)
        left.set_xlim(-2.5, 2.5)
        left.set_ylim(-2.5, 2.5)
        left.set_xlabel("x₁ (eigenvalue 1)")
        left.set_ylabel("x₂ (eigenvalue κ)")  # an axis label cannot move: kappa is in the title
        left.set_title("gradient descent path")
        (self.error,) = right.plot([], [], "o-", color="C0", ms=3, label="GD error")
        (self.bound,) = right.plot([], [], "--", color="C3")
        (self.best,) = right.plot([], [], ":", color="C2")
        right.set_xlabel("step k")
        right.set_ylabel("log10 of ||x_k − x*||")
        right.set_title("error per step")
        self.legend = right.legend(loc="lower left", fontsize=8)  # entries set in update
        self.title = fig.suptitle("")
        self.right = right
        # the minimiser does not move, but it is drawn over the contours and the path
        moving = [self.contours, self.path, minimiser, self.error, self.bound, self.best]
        super().__init__(fig, [*moving, self.legend, self.title])

    def update(self, condition_number=10.0, lr_times_lambda_max=1.0, steps=40):
        kappa = float(condition_number)
        if kappa < 1:
            raise ValueError(f"draw_quadratic_descent: condition_number must be >= 1, got {kappa}")
        A = np.diag([1.0, kappa])
        lr = lr_times_lambda_max / kappa
        rho = optim.gd_contraction(A, lr)
        best_lr, best_rho = optim.optimal_step_size(A)
        limit = _step_limit(steps)
        # run to the x limit, for the y limits; the first `steps` steps are shown
        run = optim.gradient_descent(lambda x: A @ x, [-2.0, 1.0], lr, max_steps=round(limit))
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run may overflow
            log_errors = np.log10(np.maximum(np.linalg.norm(run, axis=1), 1e-300))
        path = run[: steps + 1]  # the minimiser is the origin: the error is ||x_k||
        k = np.arange(len(path))
        reach = np.arange(round(limit) + 1)  # (K + 1,)
        log_e0 = log_errors[0]
        bound = log_e0 + reach * np.log10(max(rho, 1e-300))

        self.contours.set_segments(_bowl_lines(kappa))
        shown = path[np.all(np.abs(path) < 10, axis=1)]
        self.path.set_data(shown[:, 0], shown[:, 1])
        self.error.set_data(k, log_errors[: len(path)])
        # rho = 0 (kappa = 1, lr = 1): the bound drops to the errors' floor, 1e-300
        self.bound.set_data(k, bound[: len(path)])
        self.bound.set_label(f"bound ρ^k, ρ = {rho:.3f}")
        curves = [log_errors, bound]
        if best_rho > 0:  # kappa = 1: one step lands on the minimiser
            best = log_e0 + reach * np.log10(best_rho)
            self.best.set_data(k, best[: len(path)])
            self.best.set_label(f"best ρ = {best_rho:.3f}")
            curves.append(best)
        else:
            self.best.set_data([], [])
            self.best.set_label("_no best rate")  # a leading underscore: not in the legend
        self.right.set_xlim(-0.03 * limit, 1.03 * limit)
        self.right.set_ylim(*_decade_limits(curves, shallowest=1, deepest=50, highest=50))
        # the rates' entries change with kappa and lr; the best rate's goes at kappa = 1
        self.legend = self.refresh_legend(self.legend, loc="lower left", fontsize=8)
        verdict = "converges" if rho < 1 else "diverges"
        self.title.set_text(
            f"κ = {kappa:.3g}, lr = {lr:.3g} (stable below 2/λmax = {2 / kappa:.3g}, best "
            f"{best_lr:.3g}): GD {verdict}"
        )
        return self


def draw_quadratic_descent(condition_number=10.0, lr_times_lambda_max=1.0, steps=40):
    """Gradient descent on ``f = (x^2 + kappa y^2) / 2`` (eigenvalues 1 and kappa).

    The learning rate is given as ``lr * lambda_max`` (stable below 2). Left: the
    contours and the path from (-2, 1) (zig-zag across the narrow valley); right: the
    error ``||x_k - x*||`` per step against the bound ``rho^k ||x_0||`` with
    ``rho = max(|1 - lr|, |1 - lr kappa|)``, and the best rate ``(kappa - 1) / (kappa + 1)``.
    """
    return QuadraticDescent().update(condition_number, lr_times_lambda_max, steps).figure


# ---------------------------------------------------------------- learning-rate schedules


def _schedules(t, lr_max, warmup_steps, total_steps, lr_min, gamma):
    """The four schedules on steps ``t`` (T + 1,), by legend label: each an array (T + 1,)."""
    quarter = max(total_steps // 4, 1)
    return {
        f"step decay (x{gamma:g} every {quarter} steps)": optim.step_decay(
            t, lr_max, quarter, gamma
        ),
        "exponential decay": optim.exponential_decay(t, lr_max, gamma ** (4 / total_steps)),
        "cosine decay": optim.cosine_decay(t, lr_max, total_steps, lr_min),
        f"warm-up ({warmup_steps} steps) + cosine": optim.warmup_cosine(
            t, lr_max, warmup_steps, total_steps, lr_min
        ),
    }


class LRSchedules(LiveFigure):
    """Module 06's learning-rate-schedule widget, redrawn in place (see
    :func:`draw_lr_schedules`): the axes and their labels are fixed; the four curves
    and the legend's labels move with every parameter.

    The limits change in steps, so that the curves move against steady axes: x runs to
    ``T``, the number of steps rounded up on the 1-1.5-2-3-5 ladder (100, 150, 200, 300),
    with a 2 % margin each side; y runs up to ``1.1`` times the highest rate (lr_max, or
    lr_min where it is higher) rounded up on the 1-1.5-2-3-5-7 ladder (0.1, 0.15, 0.2,
    0.3, 0.5, 0.7, 1), and down to 4 % of that below zero."""

    def __init__(self):
        fig, ax = new_figure(width=6.0, height=3.6, top=0.88, bottom=0.15)
        self.curves = [ax.plot([], [])[0] for _ in range(4)]
        ax.set_xlabel("step t")
        ax.set_ylabel("learning rate")
        ax.set_title("learning-rate schedules")
        self.legend = ax.legend(self.curves, [""] * 4, fontsize=8)  # labels set in update
        self.ax = ax
        super().__init__(fig, [*self.curves, self.legend])

    def update(self, lr_max=0.1, warmup_steps=10, total_steps=100, lr_min=0.0, gamma=0.5):
        t = np.arange(total_steps + 1)
        curves = _schedules(t, lr_max, warmup_steps, total_steps, lr_min, gamma)
        for line, text, (label, lr) in zip(
            self.curves, self.legend.get_texts(), curves.items(), strict=True
        ):
            line.set_data(t, lr)
            line.set_label(label)
            text.set_text(label)
        self._set_limits(total_steps, max(float(np.max(lr)) for lr in curves.values()))
        return self

    def _set_limits(self, total_steps, highest):
        """Steady limits (see the class docstring) for curves over ``total_steps`` steps
        whose highest rate is ``highest``."""
        end = nice_ceil(max(total_steps, 1), steps=_STEP_LIMITS)
        top = nice_ceil(1.1 * highest, steps=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)) if highest > 0 else 1.0
        self.ax.set_xlim(-0.02 * end, 1.02 * end)
        self.ax.set_ylim(-0.04 * top, top)


def draw_lr_schedules(lr_max=0.1, warmup_steps=10, total_steps=100, lr_min=0.0, gamma=0.5):
    """Four schedules over ``total_steps`` steps: step decay (x gamma every quarter of the
    run), exponential decay (reaching ``gamma**4`` at the end), cosine decay, and
    linear warm-up followed by cosine decay."""
    drawing = LRSchedules()
    return drawing.update(lr_max, warmup_steps, total_steps, lr_min, gamma).figure
