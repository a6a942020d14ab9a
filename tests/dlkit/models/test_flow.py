"""dlkit.models.flow against independent oracles: the coupling layer's log-determinant
against torch's Jacobian, its exact inverse, the 1-D change of variables against
scipy.stats and numerical integration, and RealNVP's torch and numpy densities."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats
import torch

import dlkit as dk
from dlkit.models import flow

pytestmark = pytest.mark.usefixtures("one_thread")


def _params(rng, d):
    return {
        "A": rng.standard_normal((d, d)),
        "a": rng.standard_normal(d),
        "B": rng.standard_normal((d, d)),
        "b": rng.standard_normal(d),
    }


def _torch_coupling(x, m, p):
    u = x * m
    s = torch.tanh(u @ p["A"] + p["a"])
    return u + (1 - m) * (x * torch.exp(s) + u @ p["B"] + p["b"])


def test_coupling_logdet_matches_the_jacobian_and_the_inverse_is_exact():
    rng = np.random.default_rng(0)
    d = 4
    mask = np.array([1.0, 0.0, 1.0, 0.0])
    params = _params(rng, d)
    X = rng.standard_normal((5, d))
    Y, logdet = flow.coupling_forward(X, mask, params)
    tp = {k: torch.tensor(v) for k, v in params.items()}
    for x, ld in zip(X, logdet):
        J = torch.autograd.functional.jacobian(
            lambda v: _torch_coupling(v, torch.tensor(mask), tp), torch.tensor(x)
        )
        assert ld == pytest.approx(torch.linalg.slogdet(J)[1].item(), rel=1e-10)
    X_back, logdet_inv = flow.coupling_inverse(Y, mask, params)
    np.testing.assert_allclose(X_back, X, atol=1e-12)
    np.testing.assert_allclose(logdet_inv, -logdet)


def test_flow_logpdf_of_exp_is_the_lognormal():
    x = np.linspace(0.1, 5, 30)
    np.testing.assert_allclose(flow.flow_logpdf(x, [("exp",)]), scipy.stats.lognorm(1).logpdf(x))
    chain = [("affine", 0.5, 0.2), ("exp",)]  # x = exp(0.5 z + 0.2): lognormal(0.2, 0.5)
    expected = scipy.stats.lognorm(0.5, scale=math.exp(0.2)).logpdf(x)
    np.testing.assert_allclose(flow.flow_logpdf(x, chain), expected)
    assert flow.flow_logpdf(np.array([-1.0]), [("exp",)])[0] == -np.inf


def test_flow_logpdf_integrates_to_one():
    chain = [("affine", -1.5, 0.3), ("sinh",), ("affine", 0.7, -1.0)]
    total, _ = scipy.integrate.quad(
        lambda v: np.exp(flow.flow_logpdf(np.array([v]), chain)[0]), -np.inf, np.inf
    )
    assert total == pytest.approx(1.0, abs=1e-7)


def test_realnvp_log_prob_integrates_to_one_and_matches_numpy():
    torch.manual_seed(0)
    model = flow.RealNVP(flow.FlowConfig(n_layers=3, hidden=16))
    grid = np.linspace(-6, 6, 241)
    xx, yy = np.meshgrid(grid, grid)
    X = np.stack([xx.ravel(), yy.ravel()], axis=1)  # (241^2, 2)
    with torch.no_grad():
        log_p = model.log_prob(torch.tensor(X, dtype=torch.float32)).double().numpy()
    assert np.exp(log_p).sum() * (grid[1] - grid[0]) ** 2 == pytest.approx(1.0, abs=0.01)
    params = model.to_numpy_params()
    np.testing.assert_allclose(flow.numpy_log_prob(params, X[:500]), log_p[:500], atol=1e-4)
    z = np.random.default_rng(1).standard_normal((50, 2))
    np.testing.assert_allclose(
        flow.numpy_log_prob(params, X[:5], n_layers=0),
        scipy.stats.multivariate_normal(np.zeros(2)).logpdf(X[:5]),
    )
    x, _ = model(torch.tensor(z, dtype=torch.float32))
    np.testing.assert_allclose(flow.numpy_sample(params, z), x.detach().numpy(), atol=1e-5)


def test_training_raises_the_likelihood_of_moons():
    X = dk.data.moons(1000, seed=0)
    torch.manual_seed(0)
    model = flow.RealNVP(flow.FlowConfig(n_layers=4, hidden=32))
    history = flow.train_flow(model, X, epochs=15, seed=0, progress=False)
    assert history["loss"][-1] < history["loss"][0] - 0.5
    assert history["loss"][-1] < 2.84  # better than a standard normal (2.84 nats)


def test_bad_input_is_rejected_with_a_message():
    with pytest.raises(ValueError, match="mask a"):
        flow.coupling_forward(
            np.zeros((2, 2)), np.array([1, 0, 1]), _params(np.random.default_rng(), 2)
        )
    with pytest.raises(ValueError, match="unknown step"):
        flow.flow_logpdf(np.ones(2), [("log",)])
