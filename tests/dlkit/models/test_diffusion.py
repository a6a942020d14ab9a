"""dlkit.models.diffusion against closed forms: the schedule's product, the forward process
iterated one step at a time against its closed form, the reverse step against the Gaussian
posterior mean, the score of Gaussian data, the loss in torch and numpy, and a trained
DDPM whose samples land on the moons."""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit.models import diffusion as dd

pytestmark = pytest.mark.usefixtures("one_thread")

BETAS = np.linspace(1e-4, 0.1, 100)


def test_schedule_is_a_cumulative_product():
    alphas, alpha_bars = dd.ddpm_schedule(BETAS)
    np.testing.assert_allclose(alphas, 1 - BETAS)
    np.testing.assert_allclose(alpha_bars[9], np.prod(1 - BETAS[:10]))
    assert alpha_bars[-1] < 0.01  # nearly pure noise at T = 100


def test_closed_form_matches_the_forward_chain_statistically():
    rng = np.random.default_rng(0)
    _, alpha_bars = dd.ddpm_schedule(BETAS)
    x0 = np.full((100_000, 1), 1.5)
    x = x0.copy()
    for t in range(30):  # eq 20.8, one step at a time
        x = np.sqrt(1 - BETAS[t]) * x + np.sqrt(BETAS[t]) * rng.standard_normal(x.shape)
    closed = dd.q_sample(x0, 29, rng.standard_normal(x0.shape), alpha_bars)
    se = x.std() / np.sqrt(len(x))
    assert abs(x.mean() - closed.mean()) < 6 * se * np.sqrt(2)
    assert x.var() == pytest.approx(closed.var(), rel=0.03)
    assert closed.mean() == pytest.approx(1.5 * np.sqrt(alpha_bars[29]), abs=6 * se)


def test_reverse_step_with_the_true_noise_is_the_posterior_mean():
    rng = np.random.default_rng(1)
    _, alpha_bars = dd.ddpm_schedule(BETAS)
    x0, eps = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    for t in (1, 40, 99):
        x_t = dd.q_sample(x0, t, eps, alpha_bars)
        step = dd.ddpm_step(x_t, t, eps, BETAS, np.zeros_like(x0))
        np.testing.assert_allclose(step, dd.posterior_mean(x_t, x0, t, BETAS))
    x_1 = dd.q_sample(x0, 0, eps, alpha_bars)
    z = rng.standard_normal((6, 2))  # no noise at t = 0: x_0 comes back exactly
    np.testing.assert_allclose(dd.ddpm_step(x_1, 0, eps, BETAS, z), x0)


def test_the_optimal_predictor_of_gaussian_data_gives_the_exact_score():
    # x0 ~ N(0, s^2): x_t ~ N(0, abar s^2 + 1 - abar), E[eps | x_t] = sqrt(1 - abar) x_t / var_t
    _, alpha_bars = dd.ddpm_schedule(BETAS)
    s2, t = 0.3, 20
    var_t = alpha_bars[t] * s2 + 1 - alpha_bars[t]
    x_t = np.linspace(-2, 2, 9)[:, None]
    eps_star = np.sqrt(1 - alpha_bars[t]) * x_t / var_t
    np.testing.assert_allclose(dd.eps_to_score(eps_star, t, alpha_bars), -x_t / var_t)
    e_c, e_u = np.ones((2, 2)), np.zeros((2, 2))
    np.testing.assert_allclose(dd.cfg(e_c, e_u, 0.0), e_c)
    np.testing.assert_allclose(dd.cfg(e_c, e_u, 2.0), 3 * e_c)


def test_numpy_eps_and_loss_match_the_torch_model():
    torch.manual_seed(0)
    model = dd.DDPM(dd.DiffusionConfig(T=100, hidden=16))
    rng = np.random.default_rng(2)
    x0, eps = rng.standard_normal((8, 2)), rng.standard_normal((8, 2))
    t = rng.integers(0, 100, size=8)
    params = model.to_numpy_params()
    _, alpha_bars = dd.ddpm_schedule(model.config.betas())
    x_t = dd.q_sample(x0, t, eps, alpha_bars)
    with torch.no_grad():
        eps_hat = model(torch.tensor(x_t, dtype=torch.float32), torch.tensor(t)).numpy()
    np.testing.assert_allclose(dd.numpy_eps(params, x_t, t / 100), eps_hat, atol=1e-5)
    expected = np.mean(np.sum((eps - eps_hat) ** 2, axis=1))
    assert dd.ddpm_loss(params, x0, t, eps, alpha_bars) == pytest.approx(expected, rel=1e-4)


def test_cosine_schedule_follows_its_alpha_bar():
    T = 50
    u = np.arange(T + 1) / T
    f = np.cos((u + 0.008) / 1.008 * np.pi / 2) ** 2
    _, alpha_bars = dd.ddpm_schedule(dd.cosine_betas(T))
    np.testing.assert_allclose(alpha_bars[:-1], f[1:-1] / f[0], rtol=1e-10)


def test_a_trained_ddpm_samples_the_moons():
    X = dk.data.moons(2000, seed=0)
    torch.manual_seed(0)
    model = dd.DDPM(dd.DiffusionConfig(T=100, hidden=64))
    dd.train_ddpm(model, X, steps=800, seed=0, progress=False)

    def nn_distance(S):
        return np.sqrt(((S[:, None, :] - X[None]) ** 2).sum(-1)).min(1).mean()

    noise = np.random.default_rng(3).standard_normal((1000, 2))
    samples = model.sample(1000, generator=torch.Generator().manual_seed(1))
    assert nn_distance(samples) < 0.6 * nn_distance(noise)
    fast, path = model.sample(1000, n_steps=10, return_path=True)
    assert len(path) == 11 and nn_distance(fast) < 0.7 * nn_distance(noise)


def test_bad_input_is_rejected_with_a_message():
    with pytest.raises(ValueError, match="0-based"):
        dd.q_sample(np.zeros((2, 2)), 100, np.zeros((2, 2)), np.ones(100) * 0.5)
    with pytest.raises(ValueError, match="schedule must be"):
        dd.DiffusionConfig(schedule="quadratic")
    with pytest.raises(ValueError, match="betas"):
        dd.ddpm_schedule([0.5, 1.5])
