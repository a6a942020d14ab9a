"""dlkit.models.vae: shapes, numpy weights and forward pass, the likelihoods and KL against
torch.distributions, the training loss against dk.nn.negative_elbo, ELBO <= IWAE, training."""

import numpy as np
import pytest
import torch

from dlkit import data, nn
from dlkit.models import VAE, VAEConfig
from dlkit.models import vae as vae_module
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")
D = torch.distributions


@pytest.fixture(scope="module")
def digits():
    X, _, X_test, _ = data.digits(400, seed=0)
    return data.binarize(X), data.binarize(X_test[:200])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"latent": 0}, "ints >= 1"),
        ({"likelihood": "poisson"}, "likelihood must be"),
        ({"sigma_x": 0.0}, "sigma_x must be"),
        ({"beta": -1.0}, "beta must be"),
    ],
)
def test_config_rejects_bad_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        VAEConfig(**overrides)


def test_numpy_encoder_and_decoder_match_the_torch_model():
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent=3, hidden=16)).double()
    X = np.random.default_rng(0).random((5, 64))
    params = model.to_numpy_params()
    assert params["enc_W2"].shape == (16, 6) and params["dec_W1"].shape == (3, 16)
    with torch.no_grad():
        mu, logvar = model.encode(torch.tensor(X))
        logits = model.decode(mu)
    got_mu, got_logvar = vae_module.numpy_encode(params, X)
    assert_close(got_mu, mu.numpy(), atol=1e-12)
    assert_close(got_logvar, logvar.numpy(), atol=1e-12)
    assert_close(vae_module.numpy_decode(params, got_mu, False), logits.numpy(), atol=1e-12)
    assert_close(vae_module.numpy_decode(params, got_mu), torch.sigmoid(logits).numpy(), atol=1e-12)


def test_likelihoods_and_kl_are_torch_distributions():
    rng = np.random.default_rng(1)
    x, out = torch.tensor((rng.random((4, 6)) < 0.5) * 1.0), torch.tensor(rng.normal(size=(4, 6)))
    mu, logvar = torch.tensor(rng.normal(size=(4, 2))), torch.tensor(rng.normal(size=(4, 2)))
    assert_close(
        vae_module.bernoulli_log_likelihood(x, out).numpy(),
        D.Bernoulli(logits=out).log_prob(x).sum(-1).numpy(),
    )
    assert_close(
        vae_module.gaussian_log_likelihood(x, out, 0.3).numpy(),
        D.Normal(out, 0.3).log_prob(x).sum(-1).numpy(),
    )
    kl = D.kl_divergence(D.Normal(mu, torch.exp(0.5 * logvar)), D.Normal(0.0, 1.0)).sum(-1)
    assert_close(vae_module.gaussian_kl(mu, logvar).numpy(), kl.numpy())


@pytest.mark.parametrize("beta", [1.0, 3.0])
def test_loss_is_the_numpy_negative_elbo_for_the_same_noise(beta):
    torch.manual_seed(2)
    model = VAE(VAEConfig(latent=2, hidden=8, beta=beta)).double()
    x = torch.tensor((np.random.default_rng(2).random((6, 64)) < 0.4) * 1.0)
    torch.manual_seed(3)
    loss = float(model.loss(x).detach())
    torch.manual_seed(3)
    mu, logvar = model.encode(x)
    eps = torch.randn_like(mu)
    logits = model.decode(model.reparameterize(mu, logvar, eps))
    expected = nn.negative_elbo(
        x.numpy(), logits.detach().numpy(), mu.detach().numpy(), logvar.detach().numpy(), beta
    )
    assert loss == pytest.approx(expected, rel=1e-10)


def test_log_weights_are_log_joint_minus_log_q():
    torch.manual_seed(4)
    model = VAE(VAEConfig(latent=2, hidden=8)).double()
    x = torch.tensor((np.random.default_rng(4).random((3, 64)) < 0.4) * 1.0)
    torch.manual_seed(5)
    log_w = model.log_weights(x, 4)
    torch.manual_seed(5)
    mu, logvar = model.encode(x)
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    rows = []
    for _ in range(4):
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        log_joint = D.Bernoulli(logits=model.decode(z)).log_prob(x).sum(-1)
        rows.append(log_joint + D.Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1))
    assert_close(log_w.detach().numpy(), torch.stack(rows).detach().numpy(), atol=1e-10)


def test_training_lowers_the_bound_and_iwae_is_tighter(digits):
    X, X_test = digits
    torch.manual_seed(6)
    model = VAE(VAEConfig(latent=4, hidden=32))
    x = torch.tensor(X_test, dtype=torch.float32)
    before = -float(model.elbo(x, 4).mean())
    history = vae_module.train_vae(model, X, epochs=8, seed=6, progress=False)
    assert history["loss"][-1] < history["loss"][0]
    torch.manual_seed(7)
    elbo, iwae = float(model.elbo(x, 8).mean()), float(model.iwae(x, 64).mean())
    assert -elbo < before and elbo < iwae
    summary = vae_module.evaluate_vae(model, X_test)
    assert summary["neg_elbo"] == pytest.approx(summary["reconstruction"] + summary["kl"])
    assert summary["kl"] == pytest.approx(sum(summary["kl_per_dim"]), rel=1e-5)
    assert 0 <= summary["active_units"] <= 4
    samples = model.sample(5)
    assert samples.shape == (5, 64) and 0 <= float(samples.min()) <= float(samples.max()) <= 1


def test_beta_sweep_summarises_one_model_per_beta(digits):
    X, X_test = digits
    results = vae_module.beta_sweep(X, X_test, [0.5, 8.0], latent=4, epochs=3, n_show=4)
    assert sorted(results) == [0.5, 8.0]
    assert results[0.5]["samples"].shape == (4, 64)
    assert results[8.0]["kl"] < results[0.5]["kl"]  # a heavy KL weight squeezes the code
