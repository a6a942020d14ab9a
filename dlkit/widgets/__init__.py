"""Drawings behind the notebooks' interactive widgets.

Each ``draw_*`` function takes plain numbers (and arrays) and returns a new
``matplotlib.figure.Figure`` built with the object API (no pyplot state), so a
notebook can wrap it in ``ipywidgets.interact`` and redraw without leaking figures.
Building a figure takes well under 100 ms on a 2-core CPU (matplotlib's rendering comes
on top; keep figures small and free of heavy artists).

One file per module; this package re-exports every drawing, so notebooks call
``dk.widgets.draw_x(...)``.
"""

from dlkit.widgets.calculus_autodiff import draw_fd_error, draw_taylor
from dlkit.widgets.classical_ml import draw_bias_variance, draw_decision_boundary
from dlkit.widgets.feedforward_backprop import draw_activation, draw_universal_approximation
from dlkit.widgets.getting_started import draw_sine_wave
from dlkit.widgets.information_theory import draw_bernoulli_entropy, draw_gaussian_kl
from dlkit.widgets.linear_algebra import draw_matrix_on_circle, draw_svd_rank
from dlkit.widgets.numerical_computation import draw_integration_error, draw_precision_loss
from dlkit.widgets.optimization import (
    draw_lr_schedules,
    draw_optimizer_paths,
    draw_quadratic_descent,
)
from dlkit.widgets.probability import draw_bayes_update, draw_clt, draw_distribution

__all__ = [
    "draw_activation",
    "draw_bayes_update",
    "draw_bernoulli_entropy",
    "draw_bias_variance",
    "draw_clt",
    "draw_decision_boundary",
    "draw_distribution",
    "draw_fd_error",
    "draw_gaussian_kl",
    "draw_integration_error",
    "draw_lr_schedules",
    "draw_matrix_on_circle",
    "draw_optimizer_paths",
    "draw_precision_loss",
    "draw_quadratic_descent",
    "draw_sine_wave",
    "draw_svd_rank",
    "draw_taylor",
    "draw_universal_approximation",
]
