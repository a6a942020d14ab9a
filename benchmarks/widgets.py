"""Redraw time of every widget drawing (target: under 100 ms on a 2-core CPU).

    python benchmarks/widgets.py

Prints, per widget, the median time to build the figure and to render it to
pixels (what a notebook does on every slider move), and its ratio to the target.
For the drawings redrawn in place (dlkit.plot.LiveFigure), a second table times a
slider move both ways side by side: a new figure rendered and encoded as the notebook
shows it, against the live drawing updated and encoded. A third table takes every
slider of every live widget as its solution notebook sets it up and times a one-step
move (the arrow key) of each, with how many of the moves rendered the figure's static
part again (axes whose limits changed).
"""

import statistics
import time
from unittest import mock

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from dlkit import data, widgets
from dlkit.config import figure_png
from dlkit.plot import LiveFigure
from tests.dlkit.widgets.notebook_controls import (
    SLIDERS,
    initial_value,
    notebook_widgets,
    one_step,
)

TARGET_S = 0.100
REPEATS = 15


def median_seconds(redraw) -> float:
    """Median seconds of ``redraw()`` over REPEATS calls, after one warm-up call."""
    redraw()  # warm-up: fonts and caches
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        redraw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_redraw_seconds(draw) -> float:
    """Median seconds to build a figure with ``draw()`` and render it to pixels."""
    return median_seconds(lambda: FigureCanvasAgg(draw()).draw())


def compare_in_place(drawing, setting, draw, moves):
    """Median seconds of a slider move shown as a new figure and as a live redraw.

    ``moves`` are two update parameter dicts that the slider alternates between;
    ``draw`` is the plain ``draw_x`` function taking the setting and one move.
    """
    live, turn = drawing(**setting), [0]

    def next_move():
        turn[0] += 1
        return moves[turn[0] % 2]

    fresh = median_seconds(lambda: figure_png(draw(**setting, **next_move())))
    in_place = median_seconds(lambda: live.update(**next_move())._repr_png_())
    return fresh, in_place


def slider_moves(redraw, values, name, other):
    """Median seconds of a move of parameter ``name`` back and forth between its value and
    ``other``, shown as the page shows it, and how many of the moves rendered the static
    part of the figure again."""
    moves = [{**values, name: other}, values]
    redraw(**values)._repr_png_()
    turn = [0]

    def move():
        turn[0] += 1
        redraw(**moves[turn[0] % 2])._repr_png_()

    with mock.patch.object(
        LiveFigure, "_render_background", autospec=True, side_effect=LiveFigure._render_background
    ) as render:
        seconds = median_seconds(move)
    return seconds, render.call_count, turn[0]


def _live_cases():
    """Drawing class, setting, plain function and two slider positions per live widget."""
    return {
        "SineWave": (
            widgets.SineWave,
            {},
            widgets.draw_sine_wave,
            [
                {"amplitude": 1.0, "frequency": 2.0, "phase": 0.5},
                {"amplitude": 1.0, "frequency": 2.0, "phase": 0.75},
            ],
        ),
        "MatrixOnCircle": (
            widgets.MatrixOnCircle,
            {},
            widgets.draw_matrix_on_circle,
            [{"a": 2.0, "b": 1.0, "c": 1.0, "d": 2.0}, {"a": 2.0, "b": 1.1, "c": 1.0, "d": 2.0}],
        ),
        "SVDRank": (
            widgets.SVDRank,
            {"image": data.sample_image()},
            widgets.draw_svd_rank,
            [{"rank": 20}, {"rank": 21}],
        ),
        "DistributionExplorer": (
            widgets.DistributionExplorer,
            {"name": "gaussian"},
            widgets.draw_distribution,
            [{"location": 0.5, "scale": 1.5}, {"location": 0.6, "scale": 1.5}],
        ),
        "CentralLimit": (
            widgets.CentralLimit,
            {"source": "exponential"},
            widgets.draw_clt,
            [{"n": 8}, {"n": 9}],
        ),
        "BayesUpdate": (
            widgets.BayesUpdate,
            {},
            widgets.draw_bayes_update,
            [{"heads": 7, "flips": 10}, {"heads": 8, "flips": 10}],
        ),
        "BernoulliEntropy": (
            widgets.BernoulliEntropy,
            {"base": 2.0},
            widgets.draw_bernoulli_entropy,
            [{"p": 0.3}, {"p": 0.31}],
        ),
        "GaussianKL": (
            widgets.GaussianKL,
            {},
            widgets.draw_gaussian_kl,
            [
                {"mu1": 0.0, "sigma1": 1.0, "mu2": 1.0, "sigma2": 2.0},
                {"mu1": 0.1, "sigma1": 1.0, "mu2": 1.0, "sigma2": 2.0},
            ],
        ),
        "Taylor": (
            widgets.Taylor,
            {"function": "sin"},
            widgets.draw_taylor,
            [{"order": 5, "center": 0.5}, {"order": 5, "center": 0.6}],
        ),
        "FiniteDifferenceSteps": (
            widgets.FiniteDifferenceSteps,
            {"function": "sin"},
            widgets.draw_fd_error,
            [{"x0": 1.0}, {"x0": 1.1}],
        ),
        "PrecisionLoss": (
            widgets.PrecisionLoss,
            {"dtype_name": "float32"},
            widgets.draw_precision_loss,
            [{"log10_big": 3.5}, {"log10_big": 4.0}],
        ),
        "IntegrationRules": (
            widgets.IntegrationRules,
            {"integrand": "gaussian"},
            widgets.draw_integration_error,
            [{"n": 16}, {"n": 18}],
        ),
        "QuadraticDescent": (
            widgets.QuadraticDescent,
            {},
            widgets.draw_quadratic_descent,
            [{"lr_times_lambda_max": 1.0}, {"lr_times_lambda_max": 1.05}],
        ),
        "OptimizerPaths": (
            widgets.OptimizerPaths,
            {"surface": "rosenbrock"},
            widgets.draw_optimizer_paths,
            [{"lr": 1e-3}, {"lr": 10**-3.1}],
        ),
        "OptimizerPaths (Nesterov diverges)": (
            widgets.OptimizerPaths,
            {"surface": "rosenbrock"},
            widgets.draw_optimizer_paths,
            [{"lr": 1e-3}, {"lr": 10**-2.9}],
        ),
        "LRSchedules": (
            widgets.LRSchedules,
            {},
            widgets.draw_lr_schedules,
            [{"warmup_steps": 10}, {"warmup_steps": 11}],
        ),
        "DecisionBoundary": (
            widgets.DecisionBoundary,
            {},
            widgets.draw_decision_boundary,
            [{"log10_C": 0.0, "gamma": 1.0}, {"log10_C": 0.5, "gamma": 1.0}],
        ),
        "BiasVariance": (
            widgets.BiasVariance,
            {},
            widgets.draw_bias_variance,
            [{"degree": 5}, {"degree": 6}],
        ),
        "Activation": (
            widgets.Activation,
            {"name": "gelu"},
            widgets.draw_activation,
            [{"x0": 1.0}, {"x0": 1.1}],
        ),
        "Activation (swish beta)": (
            widgets.Activation,
            {"name": "swish"},
            widgets.draw_activation,
            [{"x0": 1.0, "param": 1.0}, {"x0": 1.0, "param": 1.05}],
        ),
        "UniversalApproximation": (
            widgets.UniversalApproximation,
            {"target": "sine"},
            widgets.draw_universal_approximation,
            [{"n_hidden": 6}, {"n_hidden": 7}],
        ),
    }


def _tiny_transformer_weights():
    """Untrained weights of the module-13 sorter (a redraw costs the same as trained ones)."""
    import torch

    from dlkit.models import TinyTransformer

    torch.manual_seed(0)
    return TinyTransformer().to_numpy_params()


def _autoencoder_weights():
    """Untrained weights of module 16's 2-D VAE and denoising AE (a redraw costs the same)."""
    import torch

    from dlkit.models import AE, VAE

    torch.manual_seed(0)
    return VAE(latent=2).to_numpy_params(), AE(hidden=(128,), latent=16).to_numpy_params()


def _generative_inputs():
    """Untrained module-19 models (a redraw costs the same as trained ones): the RealNVP's
    weights, a DDPM's reverse path of 1500 samples, its betas, and samples per step count."""
    import torch

    from dlkit.models import DDPM, RealNVP

    torch.manual_seed(0)
    ddpm = DDPM()
    with torch.no_grad():
        _, path = ddpm.sample(1500, generator=torch.Generator().manual_seed(0), return_path=True)
        by_steps = {k: ddpm.sample(1000, n_steps=k) for k in (1, 10, 100)}
    return RealNVP().to_numpy_params(), path, ddpm.config.betas(), by_steps


def _beta_sweep_summaries():
    """A made-up {beta: summary} of dk.models.vae.beta_sweep's form, 8 latent dimensions."""
    kl = {0.25: 14.0, 0.5: 9.0, 1.0: 5.5, 2.0: 2.5, 4.0: 0.3, 8.0: 0.01}
    return {
        beta: {
            "kl": rate,
            "kl_per_dim": list(np.linspace(2 * rate / 8, 0, 8)),
            "reconstruction": 24.5 - 0.8 * rate,
            "neg_elbo": 24.5 + 0.2 * rate,
            "active_units": int(np.ceil(rate)) % 9,
            "samples": np.random.default_rng(0).random((16, 64)),
        }
        for beta, rate in kl.items()
    }


def main() -> None:
    image = data.sample_image()
    vae2, dae = _autoencoder_weights()
    codes = np.random.default_rng(0).normal(size=(797, 2))
    sweep = _beta_sweep_summaries()
    digits10 = data.digits(100, seed=0)[2][:10]
    sorter = _tiny_transformer_weights()
    adding_X, adding_y = data.adding_problem(20, T=50, seed=0)
    shapes = {"W": (34, 128), "b": (128,), "W_out": (32, 1), "b_out": (1,)}
    lstm = {k: np.random.default_rng(0).normal(0, 0.3, s) for k, s in shapes.items()}
    flow, ddpm_path, betas, by_steps = _generative_inputs()
    moons = data.moons(2000, seed=0)  # (2000, 2)
    pm_logits = 3 * np.random.default_rng(0).normal(size=(800, 10))  # an overconfident model
    pm_labels = np.where(np.arange(800) % 10 < 7, pm_logits.argmax(1), np.arange(800) % 10)
    cases = {
        "draw_sine_wave": lambda: widgets.draw_sine_wave(1.0, 2.0, 0.5),
        "draw_matrix_on_circle": lambda: widgets.draw_matrix_on_circle(2.0, 1.0, 1.0, 2.0),
        "draw_svd_rank": lambda: widgets.draw_svd_rank(image, 20),
        "draw_distribution": lambda: widgets.draw_distribution("gaussian", 0.5, 1.5),
        "draw_clt": lambda: widgets.draw_clt(8),
        "draw_bayes_update": lambda: widgets.draw_bayes_update(7, 10),
        "draw_bernoulli_entropy": lambda: widgets.draw_bernoulli_entropy(0.3),
        "draw_gaussian_kl": lambda: widgets.draw_gaussian_kl(0.0, 1.0, 1.0, 2.0),
        "draw_taylor": lambda: widgets.draw_taylor(5, 0.5, "sin"),
        "draw_fd_error": lambda: widgets.draw_fd_error(1.0, "sin"),
        "draw_precision_loss": lambda: widgets.draw_precision_loss("float32", 4.0),
        "draw_integration_error": lambda: widgets.draw_integration_error(16, "gaussian"),
        "draw_optimizer_paths": lambda: widgets.draw_optimizer_paths(),
        "draw_quadratic_descent": lambda: widgets.draw_quadratic_descent(25.0, 1.0),
        "draw_lr_schedules": lambda: widgets.draw_lr_schedules(),
        "draw_decision_boundary": lambda: widgets.draw_decision_boundary(0.0, 1.0),
        "draw_bias_variance": lambda: widgets.draw_bias_variance(5),
        "draw_universal_approximation": lambda: widgets.draw_universal_approximation(20),
        "draw_activation": lambda: widgets.draw_activation("gelu"),
        "draw_feature_maps (digit)": lambda: widgets.draw_feature_maps("edge-x", 3, "digit"),
        "draw_feature_maps (photo)": lambda: widgets.draw_feature_maps("sharpen", 0, "photo"),
        "draw_receptive_field": lambda: widgets.draw_receptive_field(4, 3, 2, 2),
        "draw_conv_arithmetic": lambda: widgets.draw_conv_arithmetic(7, 3, 2, 1, 1, 1, 2),
        "draw_regularization_curves": lambda: widgets.draw_regularization_curves(
            {
                (wd, p): {
                    "loss": 2.3 * np.exp(-np.arange(100) / (20 + 40 * p + 100 * wd)),
                    "val_loss": 0.6 + 0.01 * (np.arange(100) - 30.0) ** 2 / (30 + 100 * p),
                    "test_accuracy": 0.75 + 0.1 * p + 0.1 * wd,
                }
                for wd in (0.0, 0.1, 0.5)
                for p in (0.0, 0.25, 0.5)
            },
            0.1,
            0.25,
        ),
        "draw_penalty_geometry": lambda: widgets.draw_penalty_geometry(1.0, 0.7),
        "draw_bn_noise": lambda: widgets.draw_bn_noise(16, 1.0),
        "draw_grad_norms": lambda: widgets.draw_grad_norms(30, "sigmoid", "xavier"),
        "draw_batch_noise": lambda: widgets.draw_batch_noise(16),
        "draw_saddle_landscape": lambda: widgets.draw_saddle_landscape(0.0, 1.2, 0.05, 0.01, 200),
        "draw_hidden_trajectory": lambda: widgets.draw_hidden_trajectory(0.9, 0.5, 60),
        "draw_lstm_gates": lambda: widgets.draw_lstm_gates(lstm, adding_X, adding_y, 3, 8),
        "draw_attention_heatmap": lambda: widgets.draw_attention_heatmap(
            sorter, np.array([7, 2, 9, 2, 0, 5, 1, 4]), layer=1, head=2
        ),
        "draw_positional_encoding": lambda: widgets.draw_positional_encoding(32, 64, 10),
        "draw_softmax_temperature": lambda: widgets.draw_softmax_temperature(64, False),
        "draw_vi_fit": lambda: widgets.draw_vi_fit(5, 0.9),
        "draw_bp_messages": lambda: widgets.draw_bp_messages(10, 0.3),
        "draw_mcmc_chain": lambda: widgets.draw_mcmc_chain(2.5, 2000),
        "draw_importance_weights": lambda: widgets.draw_importance_weights(0.0, 1.0, 500),
        "draw_hmc_trajectory": lambda: widgets.draw_hmc_trajectory(0.25, 20),
        "draw_pca_reconstruction (digit)": lambda: widgets.draw_pca_reconstruction(10, 3),
        "draw_pca_reconstruction (photo)": lambda: widgets.draw_pca_reconstruction(10, 0, "photo"),
        "draw_ica_mixing": lambda: widgets.draw_ica_mixing(60.0, "uniform"),
        "draw_sparse_code": lambda: widgets.draw_sparse_code(0.1, 5),
        "draw_threshold": lambda: widgets.draw_threshold(0.3, 0.2),
        "draw_search_budget": lambda: widgets.draw_search_budget(16, "grid", 0),
        "draw_reliability": lambda: widgets.draw_reliability(pm_logits, pm_labels, 1.5, 10),
        "draw_latent_space": lambda: widgets.draw_latent_space(
            vae2, codes, np.arange(797) % 10, 0.5, -1.0
        ),
        "draw_beta_tradeoff": lambda: widgets.draw_beta_tradeoff(sweep, 1.0),
        "draw_denoising": lambda: widgets.draw_denoising(dae, digits10, "mask", 0.3),
        "draw_diffusion": lambda: widgets.draw_diffusion(moons[:1500], ddpm_path, 30, betas),
        "draw_flow_density": lambda: widgets.draw_flow_density(flow, len(flow), moons[:500]),
        "draw_sampling_steps": lambda: widgets.draw_sampling_steps(by_steps, 10, moons),
        "draw_value_iteration": lambda: widgets.draw_value_iteration(5, 0.9, 0.1),
        "draw_bandit_regret": lambda: widgets.draw_bandit_regret(0.1, 2.0, 500),
        "draw_pg_variance": lambda: widgets.draw_pg_variance(5),
    }
    print(f"{'widget':30s} {'median ms':>10s} {'/ target':>9s}")
    for name, redraw in cases.items():
        seconds = median_redraw_seconds(redraw)
        print(f"{name:30s} {1000 * seconds:10.1f} {seconds / TARGET_S:9.2f}")
    print(f"\n{'redrawn in place':30s} {'new fig ms':>10s} {'live ms':>9s} {'ratio':>7s}")
    for name, case in _live_cases().items():
        fresh, in_place = compare_in_place(*case)
        print(f"{name:30s} {1000 * fresh:10.1f} {1000 * in_place:9.1f} {in_place / fresh:7.2f}")
    print(f"\n{'each slider, one step':48s} {'move ms':>8s} {'renders':>9s} {'/ target':>9s}")
    for module, redraw, controls in notebook_widgets():
        values = {name: initial_value(control) for name, control in controls.items()}
        for name, control in controls.items():
            if isinstance(control, SLIDERS):
                seconds, renders, moves = slider_moves(redraw, values, name, one_step(control))
                label = f"{module[:2]} {redraw.__name__}: {name}"
                print(
                    f"{label:48s} {1000 * seconds:8.1f} {renders:4d} / {moves:<3d} "
                    f"{seconds / TARGET_S:8.2f}"
                )


if __name__ == "__main__":
    main()
