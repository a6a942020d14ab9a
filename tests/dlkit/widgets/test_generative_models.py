"""Module-19 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import scipy.stats
import torch

from dlkit import data, widgets
from dlkit.models import DDPM, DiffusionConfig, FlowConfig, RealNVP
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    sweep,
)

pytestmark = pytest.mark.usefixtures("one_thread")
BETAS = np.linspace(1e-4, 0.1, 20)
X = np.random.default_rng(0).standard_normal((200, 2))


@pytest.fixture(scope="module")
def path():
    torch.manual_seed(0)
    model = DDPM(DiffusionConfig(T=20, hidden=8, hidden_layers=1))
    _, path = model.sample(50, generator=torch.Generator().manual_seed(0), return_path=True)
    return path


@pytest.fixture(scope="module")
def flow_params():
    torch.manual_seed(0)
    return RealNVP(FlowConfig(n_layers=3, hidden=8)).to_numpy_params()


def test_diffusion_shows_the_closed_form_noising_and_the_reverse_state(path):
    fig = widgets.draw_diffusion(X, path, 5, BETAS, seed=1)
    assert_labelled(fig)
    left, right = fig.axes
    abar = np.prod(1 - BETAS[:5])  # five forward steps: betas[0..4]
    eps = np.random.default_rng(1).standard_normal(X.shape)
    expected = np.sqrt(abar) * X + np.sqrt(1 - abar) * eps
    np.testing.assert_allclose(left.collections[0].get_offsets(), expected)
    assert f"{abar:.3f}" in left.get_title()
    np.testing.assert_allclose(right.collections[0].get_offsets(), path[20 - 5])
    data = widgets.draw_diffusion(X, path, 0, BETAS).axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(data, X)  # t = 0 is the data itself


def test_flow_density_is_the_base_normal_at_zero_layers_and_integrates_to_one(flow_params):
    fig = widgets.draw_flow_density(flow_params, 0)
    assert_labelled(fig)
    density = np.asarray(fig.axes[0].get_images()[0].get_array())
    grid = np.linspace(-3, 3, 100)
    xx, yy = np.meshgrid(grid, grid)
    expected = scipy.stats.multivariate_normal(np.zeros(2)).pdf(np.dstack([xx, yy]))
    np.testing.assert_allclose(density, expected, rtol=1e-10)
    full = widgets.draw_flow_density(flow_params, 3, X, limit=6.0)
    mass = np.asarray(full.axes[0].get_images()[0].get_array()).sum() * (12 / 99) ** 2
    assert mass == pytest.approx(1.0, abs=0.05)
    assert "mean log p(data)" in full.axes[0].get_title()


def test_sampling_steps_plots_the_nearest_neighbour_distance_for_each_count():
    rng = np.random.default_rng(2)
    samples = {k: X[:50] + 0.01 * k * rng.standard_normal((50, 2)) for k in (5, 10, 50)}
    fig = widgets.draw_sampling_steps(samples, 10, X)
    assert_labelled(fig)
    steps, distances = fig.axes[1].lines[0].get_data()
    assert list(steps) == [5, 10, 50]
    for k, d in zip(steps, distances):
        pairwise = np.linalg.norm(samples[k][:, None] - X[None], axis=2)
        assert d == pytest.approx(pairwise.min(axis=1).mean(), rel=1e-9)
    np.testing.assert_allclose(fig.axes[0].collections[1].get_offsets(), samples[10])


def test_bad_arguments_are_rejected_with_a_message(path, flow_params):
    with pytest.raises(ValueError, match="t must be an integer in 0..20"):
        widgets.draw_diffusion(X, path, 21, BETAS)
    with pytest.raises(ValueError, match="T \\+ 1 = 11"):
        widgets.draw_diffusion(X, path, 1, BETAS[:10])
    with pytest.raises(ValueError, match="n_layers must be an integer in 0..3"):
        widgets.draw_flow_density(flow_params, 4)
    with pytest.raises(ValueError, match="n_steps must be one of"):
        widgets.draw_sampling_steps({5: X}, 7, X)


# --- redrawn in place against steady axes (small synthetic models, the notebook's ranges) ---

T_NOTEBOOK = 100  # the notebook's DDPM: T = 100, slider t in 0..100
STEP_COUNTS = (5, 10, 25, 50, 100)  # the notebook's SelectionSlider options


@pytest.fixture(scope="module")
def moons():
    return data.moons(1500, seed=0)


@pytest.fixture(scope="module")
def long_path(moons):
    """A T = 100 reverse trajectory: noise x_T blended step by step into the moons."""
    noise = np.random.default_rng(3).standard_normal(moons.shape)
    weights = np.linspace(0.0, 1.0, T_NOTEBOOK + 1)  # path[0] is the noise
    return [(1 - w) * noise + w * moons for w in weights]


@pytest.fixture(scope="module")
def six_layer_params():
    torch.manual_seed(1)
    return RealNVP(FlowConfig(n_layers=6, hidden=8)).to_numpy_params()


@pytest.fixture(scope="module")
def by_steps(moons):
    rng = np.random.default_rng(4)
    return {k: moons[:300] + 0.5 / k * rng.standard_normal((300, 2)) for k in STEP_COUNTS}


def long_betas():
    return DiffusionConfig(T=T_NOTEBOOK).betas()


def inside(points, ax, share=0.99):
    """At least ``share`` of the (n, 2) points lie inside the limits of ``ax``."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    x, y = np.asarray(points).T
    return np.mean((x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)) >= share


def fills(points, ax, share=0.4):
    """The points' spread covers ``share`` of the frame's width and of its height."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    points = np.asarray(points)
    spread = np.percentile(points, 99, axis=0) - np.percentile(points, 1, axis=0)
    return spread[0] >= share * (x1 - x0) and spread[1] >= share * (y1 - y0)


def test_diffusion_redraws_in_place(moons, long_path):
    setting = {"X": moons, "path": long_path, "betas": long_betas(), "seed": 0, "limit": 3.5}
    updates = [{"t": 30}, {"t": 0}, {"t": 100}, {"t": 31}, {"t": 1}]
    assert_redraws_in_place(widgets.DiffusionProcess, setting, updates)


@pytest.mark.parametrize("with_data", [True, False])
def test_flow_density_redraws_in_place(six_layer_params, moons, with_data):
    setting = {"params": six_layer_params, "X": moons[:500] if with_data else None}
    updates = [{"n_layers": 6}, {"n_layers": 0}, {"n_layers": 3}, {"n_layers": 4}]
    assert_redraws_in_place(widgets.FlowDensity, setting, updates)


def test_sampling_steps_redraws_in_place(by_steps, moons):
    setting = {"samples_by_steps": by_steps, "X": moons, "limit": 3.5}
    updates = [{"n_steps": 10}, {"n_steps": 5}, {"n_steps": 100}, {"n_steps": 25}]
    assert_redraws_in_place(widgets.SamplingSteps, setting, updates)


def test_every_slider_keeps_the_axes(moons, long_path, six_layer_params, by_steps):
    # all limits are fixed in __init__: measured 0 full renders in every sweep (100 moves
    # of t, 6 of n_layers, 4 of n_steps)
    diffusion = widgets.DiffusionProcess(moons, long_path, long_betas(), 0, 3.5)
    assert background_renders(diffusion, sweep({}, "t", (0, T_NOTEBOOK, 1))) == 0
    flow = widgets.FlowDensity(six_layer_params, moons[:500], 3.0)
    assert background_renders(flow, sweep({}, "n_layers", (0, 6, 1))) == 0
    steps = widgets.SamplingSteps(by_steps, moons, 3.5)
    assert background_renders(steps, [{"n_steps": k} for k in STEP_COUNTS]) == 0


@pytest.mark.parametrize("t", [0, T_NOTEBOOK])
def test_diffusion_limits_hold_the_points(moons, long_path, t):
    fig = widgets.draw_diffusion(moons, long_path, t, long_betas())
    for ax in fig.axes:
        points = ax.collections[0].get_offsets()
        assert inside(points, ax), f"t = {t}: points leave the frame"
        assert fills(points, ax), f"t = {t}: the points are lost in the frame"


@pytest.mark.parametrize("n_layers", [0, 6])
def test_flow_density_frame_is_the_grid_and_holds_the_data(six_layer_params, moons, n_layers):
    (ax,) = widgets.draw_flow_density(six_layer_params, n_layers, moons[:500]).axes
    assert ax.get_xlim() == ax.get_ylim() == (-3.0, 3.0)
    assert ax.get_images()[0].get_extent() == [-3.0, 3.0, -3.0, 3.0]
    data = ax.collections[0].get_offsets()
    assert inside(data, ax) and fills(data, ax)
    density = np.asarray(ax.get_images()[0].get_array())
    assert ax.get_images()[0].get_clim() == (density.min(), density.max())


@pytest.mark.parametrize("n_steps", [STEP_COUNTS[0], STEP_COUNTS[-1]])
def test_sampling_steps_limits_hold_the_samples_and_the_curve(by_steps, moons, n_steps):
    left, right = widgets.draw_sampling_steps(by_steps, n_steps, moons).axes
    samples = left.collections[1].get_offsets()
    assert inside(samples, left) and fills(samples, left)
    curve, marker = right.lines[:2]
    steps, distances = curve.get_data()
    (x0, x1), (y0, y1) = right.get_xlim(), right.get_ylim()
    assert x0 < 1 and x1 > max(steps), "the GAN / flow line or a step count is cut"
    assert y0 < min(distances) and max(distances) < y1
    assert np.ptp(distances) >= 0.5 * (y1 - y0), "the curve is lost in the frame"
    mx, my = marker.get_data()
    assert mx[0] == n_steps and y0 < my[0] < y1
