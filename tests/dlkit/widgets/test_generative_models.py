"""Module-19 widget drawings, headless: right content, labels, validation, no figure leaks."""

import numpy as np
import pytest
import scipy.stats
import torch

from dlkit import widgets
from dlkit.models import DDPM, DiffusionConfig, FlowConfig, RealNVP
from tests.dlkit.widgets.figures import assert_labelled

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
