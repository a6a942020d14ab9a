"""Module-06 widget drawings, headless: right content, titles and labels, no figure leak."""

import numpy as np
import pytest

from dlkit import optim, widgets
from dlkit.testing import assert_close
from dlkit.widgets import optimization as opt_widgets
from tests.dlkit.widgets.figures import assert_labelled, assert_redraws_in_place


def labelled_lines(ax):
    return {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }


@pytest.mark.parametrize("surface", list(opt_widgets.SURFACES))
def test_optimizer_paths_draws_every_optimizer(surface):
    fig = widgets.draw_optimizer_paths(surface, steps=30)
    assert_labelled(fig)
    left, right = fig.axes
    assert surface in left.get_title()
    paths, curves = labelled_lines(left), labelled_lines(right)
    for name in opt_widgets.OPTIMIZERS:
        assert name in paths and name in curves
        x, y = paths[name].get_data()
        assert (x[0], y[0]) == (-1.5, 2.0)  # every path starts at the start point
    assert len(left.collections) == 1 and len(left.collections[0].get_segments()) > 10


def test_gd_path_is_plain_gradient_descent():
    fig = widgets.draw_optimizer_paths("rosenbrock", lr=1e-3, steps=5, optimizers=("GD",))
    x, y = labelled_lines(fig.axes[0])["GD"].get_data()
    expected = optim.gradient_descent(optim.rosenbrock_grad, [-1.5, 2.0], 1e-3, max_steps=5)
    assert_close(np.stack([x, y], axis=1), expected, rtol=1e-12)
    k, log_gap = labelled_lines(fig.axes[1])["GD"].get_data()
    assert_close(log_gap, np.log10(optim.rosenbrock(expected.T)), rtol=1e-12)


def test_adam_escapes_the_saddle_and_momentum_matches_torch_form():
    path = opt_widgets.optimizer_path("saddle", "Adam", 0.1, 0.05, 0.9, (1.0, 1e-3), 300)
    assert_close(np.abs(path[-1]), [0.0, 1.0], atol=0.05)  # a minimum at (0, +-1)
    path = opt_widgets.optimizer_path(
        "ill-conditioned bowl", "momentum", 0.02, 0.05, 0.5, (1, 1), 3
    )
    theta, buffer = np.array([1.0, 1.0]), np.zeros(2)
    for k in range(1, 4):
        buffer = 0.5 * buffer + opt_widgets._bowl_grad(theta)
        theta = theta - 0.02 * buffer
        assert_close(path[k], theta)


def test_paths_are_cached_by_the_settings_each_optimizer_uses():
    """A momentum slider reruns only the momentum methods; a cached path is read-only."""
    start, path = (-1.5, 2.0), opt_widgets.optimizer_path
    gd = path("rosenbrock", "GD", 1e-3, 0.05, 0.9, start, 20)
    assert path("rosenbrock", "GD", 1e-3, 0.5, 0.1, start, 20) is gd
    assert not gd.flags.writeable
    adam = path("rosenbrock", "Adam", 1e-3, 0.05, 0.9, start, 20)
    assert path("rosenbrock", "Adam", 0.3, 0.05, 0.5, start, 20) is adam
    momentum = path("rosenbrock", "momentum", 1e-3, 0.05, 0.9, start, 20)
    other = path("rosenbrock", "momentum", 1e-3, 0.05, 0.5, start, 20)
    assert not np.allclose(momentum, other)  # the momentum coefficient matters to it
    opt_widgets._path.cache_clear()
    assert_close(path("rosenbrock", "momentum", 1e-3, 0.05, 0.9, start, 20), momentum)


def test_divergence_is_marked_and_cut_short():
    fig = widgets.draw_optimizer_paths(
        "ill-conditioned bowl", lr=0.2, steps=200, optimizers=("GD",)
    )
    (label,) = labelled_lines(fig.axes[0]).keys() - {"start"}
    assert label == "GD (diverged)"  # lr > 2 / 25 makes GD blow up along the steep axis
    x, _ = labelled_lines(fig.axes[0])[label].get_data()
    assert len(x) < 201


def test_optimizer_paths_rejects_unknown_names():
    with pytest.raises(ValueError, match="surface must be one of"):
        widgets.draw_optimizer_paths("himmelblau")
    with pytest.raises(ValueError, match="unknown optimizers"):
        widgets.draw_optimizer_paths(optimizers=("LBFGS",))


def test_quadratic_descent_error_follows_the_contraction():
    fig = widgets.draw_quadratic_descent(condition_number=10.0, lr_times_lambda_max=1.0, steps=20)
    assert_labelled(fig)
    assert "converges" in fig.get_suptitle()
    right = fig.axes[1]
    lines = labelled_lines(right)
    k, log_error = lines["GD error"].get_data()
    # lr = 1 / 10: the steep coordinate is solved in one step, the other shrinks by 0.9
    expected = np.log10(np.hypot(-2.0 * 0.9**k, np.where(k == 0, 1.0, 0.0)))
    assert_close(log_error, expected, rtol=1e-10, atol=1e-12)
    assert any("ρ = 0.900" in label for label in lines)
    assert any("best ρ = 0.818" in label for label in lines)  # (10 - 1) / (10 + 1)


def test_quadratic_descent_reports_divergence():
    fig = widgets.draw_quadratic_descent(condition_number=5.0, lr_times_lambda_max=2.2, steps=10)
    assert "diverges" in fig.get_suptitle()
    with pytest.raises(ValueError, match="condition_number must be >= 1"):
        widgets.draw_quadratic_descent(condition_number=0.5)


def test_lr_schedules_match_dlkit_optim():
    fig = widgets.draw_lr_schedules(lr_max=0.2, warmup_steps=8, total_steps=40, lr_min=0.01)
    assert_labelled(fig)
    lines = labelled_lines(fig.axes[0])
    assert len(lines) == 4
    t, lr = lines["warm-up (8 steps) + cosine"].get_data()
    assert_close(lr, optim.warmup_cosine(t, 0.2, 8, 40, 0.01))
    t, lr = lines["exponential decay"].get_data()
    assert_close(lr[-1], 0.2 * 0.5**4)


@pytest.mark.parametrize(
    "setting",
    [{"surface": surface} for surface in opt_widgets.SURFACES]
    + [{"surface": "saddle", "optimizers": ("GD", "Adam")}],
)
def test_optimizer_paths_redraws_in_place(setting):
    updates = [
        {"steps": 30},
        {"lr": 0.3, "steps": 40},  # some runs diverge: shorter paths, new labels
        {"x0": 1.5, "y0": 0.001, "momentum": 0.0, "steps": 10},
        {"adaptive_lr": 1.0, "momentum": 0.99, "steps": 50},
        {"steps": 400},  # x limit 500: the runs and the y limits go to step 500
        {"x0": 0.2, "steps": 200},  # a run dips deeper: the bottom steps down
        {"x0": 0.2, "steps": 190},  # the same limits (runs to step 200): background kept
    ]
    assert_redraws_in_place(opt_widgets.OptimizerPaths, setting, updates)


def test_quadratic_descent_redraws_in_place():
    updates = [
        {"steps": 20},
        {"condition_number": 1.0, "steps": 5},  # exact in one step: no best rate, error 1e-300
        {"condition_number": 50.0, "lr_times_lambda_max": 2.05, "steps": 30},  # diverges
        {"condition_number": 100.0, "lr_times_lambda_max": 0.05, "steps": 150},
        {"lr_times_lambda_max": 1.05, "steps": 20},
        {"lr_times_lambda_max": 1.1, "steps": 15},  # the same legend entries, new texts
        {"lr_times_lambda_max": 2.15, "steps": 40},  # diverges: the top steps up
        {"condition_number": 1.5, "steps": 35},  # fast: the bottom steps down
    ]
    assert_redraws_in_place(opt_widgets.QuadraticDescent, {}, updates)


def test_quadratic_descent_legend_drops_the_best_rate_at_kappa_one():
    drawing = opt_widgets.QuadraticDescent()
    for kappa, entries in [(10.0, 3), (1.0, 2), (4.0, 3)]:
        legend = drawing.update(condition_number=kappa).right.get_legend()
        assert len(legend.get_texts()) == entries
        assert legend in drawing.moving


def test_lr_schedules_redraws_in_place():
    updates = [
        {},
        {"lr_max": 1.0, "total_steps": 300},
        {"warmup_steps": 50, "total_steps": 60, "gamma": 0.9},
        {"lr_max": 0.01, "lr_min": 0.05},  # lr_min above lr_max: the cosine rises
        {"warmup_steps": 1, "gamma": 0.1},
        {"lr_max": 0.46, "total_steps": 110},  # y limit 0.7, x limit 150
        {"lr_max": 0.13, "total_steps": 150},  # y limit 0.15, the same x limit
    ]
    assert_redraws_in_place(opt_widgets.LRSchedules, {}, updates)


# ------------------------------------------------ steady limits (issue 19 item 6)

#: The notebook's slider ends, per widget (the other parameters at their defaults).
QUADRATIC_ENDS = {
    "condition_number": (1.0, 100.0),
    "lr_times_lambda_max": (0.05, 2.2),
    "steps": (5, 150),
}
PATHS_ENDS = {
    "lr": (1e-4, 10**-0.5),
    "adaptive_lr": (1e-3, 1.0),
    "momentum": (0.0, 0.99),
    "x0": (-2.0, 2.0),
    "y0": (-1.0, 3.0),
    "steps": (10, 400),
}
SCHEDULE_ENDS = {
    "lr_max": (0.01, 1.0),
    "warmup_steps": (1, 50),
    "total_steps": (60, 300),
    "lr_min": (0.0, 0.05),
    "gamma": (0.1, 0.9),
}


def ends(table):
    return [(name, value) for name, pair in table.items() for value in pair]


def frame(ax):
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    return x_low, x_high, y_low, y_high


def test_limits_at_the_notebook_defaults():
    right = opt_widgets.QuadraticDescent().update().right
    assert_close(np.array(frame(right)), np.array([-1.5, 51.5, -5.0, 1.0]))  # 40 steps -> 50
    right = opt_widgets.OptimizerPaths().update().right
    assert_close(np.array(frame(right)), np.array([-6.0, 206.0, -5.0, 5.0]))  # 200 steps
    ax = opt_widgets.LRSchedules().update().ax
    assert_close(np.array(frame(ax)), np.array([-2.0, 102.0, -0.006, 0.15]))  # 1.1 x 0.1


@pytest.mark.parametrize(("name", "value"), ends(QUADRATIC_ENDS))
def test_quadratic_descent_limits_hold_the_curves(name, value):
    right = opt_widgets.QuadraticDescent().update(**{name: value}).right
    x_low, x_high, y_low, y_high = frame(right)
    lines = [line for line in right.get_lines() if len(line.get_xdata())]
    k = np.concatenate([line.get_xdata() for line in lines])
    y = np.concatenate([line.get_ydata() for line in lines])
    landed = y < -299  # kappa = 1: one step lands on the minimiser (error 1e-300, clipped)
    assert landed.any() == (name == "condition_number" and value == 1.0)
    assert x_low < 0 and k.max() < x_high
    assert landed.any() or k.max() >= 0.6 * x_high  # x no wider than a step of the ladder
    assert y_low < y[~landed].min() and y.max() < y_high, f"{name}={value}: a curve leaves"
    shown = np.clip(y, y_low, y_high)
    # at least two decades: a slow run (kappa = 100) moves a third of a decade in 40 steps
    assert np.ptp(shown) >= 0.15 * (y_high - y_low), f"{name}={value}: curves lost in the frame"


@pytest.mark.parametrize("surface", list(opt_widgets.SURFACES))
@pytest.mark.parametrize(("name", "value"), ends(PATHS_ENDS))
def test_optimizer_paths_limits_hold_the_curves(surface, name, value):
    drawing = opt_widgets.OptimizerPaths(surface).update(**{name: value})
    x_low, x_high, y_low, y_high = frame(drawing.right)
    k = np.concatenate([line.get_xdata() for line in drawing.progress])
    y = np.concatenate([line.get_ydata() for line in drawing.progress])
    assert x_low < 0 and k.max() < x_high and k.max() >= 0.6 * x_high
    assert y_low < y.min(), f"{surface}, {name}={value}: a curve leaves through the bottom"
    for line in drawing.progress:  # a diverged run may leave through the top
        if "diverged" not in line.get_label():
            assert line.get_ydata().max() < y_high, f"{surface}, {name}={value}: {line}"
    shown = np.clip(y, y_low, y_high)
    assert np.ptp(shown) >= 0.15 * (y_high - y_low), f"{surface}, {name}={value}: lost"


@pytest.mark.parametrize(("name", "value"), ends(SCHEDULE_ENDS))
def test_lr_schedules_limits_hold_the_curves(name, value):
    ax = opt_widgets.LRSchedules().update(**{name: value}).ax
    x_low, x_high, y_low, y_high = frame(ax)
    t = np.concatenate([line.get_xdata() for line in ax.get_lines()])
    lr = np.concatenate([line.get_ydata() for line in ax.get_lines()])
    assert x_low < 0 and t.max() < x_high and t.max() >= 0.55 * x_high
    assert y_low < 0 <= lr.min() and lr.max() < y_high
    assert lr.max() >= 0.6 * y_high, f"{name}={value}: the curves are lost in the frame"


def test_a_steps_slider_moves_the_y_limits_only_with_the_x_limit():
    """The runs are computed to the x limit, so y changes where x does (or nowhere)."""
    for drawing, panel in [
        (opt_widgets.QuadraticDescent(), "right"),
        (opt_widgets.OptimizerPaths(), "right"),
    ]:
        ax = getattr(drawing, panel)
        seen = {}
        for steps in range(10, 151, 5):
            drawing.update(steps=steps)
            seen.setdefault(ax.get_xlim(), set()).add(ax.get_ylim())
        assert all(len(ylims) == 1 for ylims in seen.values()), seen
