"""dlkit.models.autoencoder: the AE's shapes, numpy weights and forward pass, its losses
against the numpy references, corruption in torch, PCA recovery, SimCLR's views and loss."""

import numpy as np
import pytest
import scipy.linalg
import torch

from dlkit import data, nn
from dlkit.models import AE, AEConfig
from dlkit.models import autoencoder as ae
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"latent": 0}, "every width"),
        ({"hidden": (32, -1)}, "every width"),
        ({"activation": "gelu"}, "unknown activation"),
        ({"code": "softmax"}, "unknown code"),
    ],
)
def test_config_rejects_bad_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        AEConfig(**overrides)


@pytest.mark.parametrize(
    "config",
    [
        AEConfig(),
        AEConfig(hidden=(32, 16), latent=3, activation="tanh", output="sigmoid"),
        AEConfig(hidden=(), latent=5, code="sigmoid"),
        AEConfig(hidden=(), latent=4, linear=True, bias=False),
    ],
)
def test_numpy_forward_and_weights_match_the_torch_model(config):
    torch.manual_seed(0)
    model = AE(config).double()
    X = np.random.default_rng(0).random((7, 64))
    with torch.no_grad():
        expected = model(torch.tensor(X)).numpy()
        code = model.encode(torch.tensor(X)).numpy()
    assert expected.shape == (7, 64) and code.shape == (7, config.latent)
    assert_close(model.numpy_forward(X), expected, atol=1e-12)
    assert_close(model.numpy_encode(X), code, atol=1e-12)
    params = model.to_numpy_params()
    assert params["enc_W1"].shape[0] == 64 and params["dec_W1"].shape[0] == config.latent
    assert ("enc_b1" in params) == config.bias


def test_linear_means_no_nonlinearity_anywhere():
    model = AE(AEConfig(hidden=(8,), latent=2, activation="relu", output="sigmoid", linear=True))
    kinds = {type(m) for m in model.modules() if not isinstance(m, torch.nn.Sequential | AE)}
    assert kinds == {torch.nn.Linear, torch.nn.Identity}
    with pytest.raises(ValueError, match="either a config or keyword overrides"):
        AE(AEConfig(), latent=3)


def test_contractive_penalty_in_torch_is_the_numpy_reference():
    torch.manual_seed(1)
    model = AE(AEConfig(hidden=(), latent=6, code="sigmoid")).double()
    X = np.random.default_rng(1).random((9, 64))
    params = model.to_numpy_params()
    expected, _, _ = nn.contractive_penalty(X, params["enc_W1"], params["enc_b1"])
    assert float(model.contractive_penalty(torch.tensor(X)).detach()) == pytest.approx(expected)
    with pytest.raises(ValueError, match="one-layer sigmoid encoder"):
        AE(AEConfig()).contractive_penalty(torch.zeros(2, 64))


def test_torch_corruptions():
    torch.manual_seed(2)
    x = torch.rand(200, 64) * 0.9 + 0.05
    masked = ae.corrupt(x, "mask", 0.3)
    assert (
        torch.all(masked[masked != x] == 0)
        and abs(float((masked != x).float().mean()) - 0.3) < 0.02
    )
    salted = ae.corrupt(x, "salt_pepper", 0.2)
    assert set(torch.unique(salted[salted != x]).tolist()) <= {0.0, 1.0}
    assert abs(float((ae.corrupt(x, "gaussian", 0.5) - x).std()) - 0.5) < 0.01
    assert ae.corrupt(x, None, 0.5) is x
    with pytest.raises(ValueError, match="unknown kind"):
        ae.corrupt(x, "blur", 0.1)


def test_autoencoder_step_adds_its_penalties():
    torch.manual_seed(3)
    model = AE(AEConfig(hidden=(), latent=4, code="sigmoid"))
    x = torch.rand(10, 64)
    batch = (x,)
    with torch.no_grad():  # values only
        plain = ae.autoencoder_step()(model, batch)
        assert float(plain) == pytest.approx(float(((model(x) - x) ** 2).mean()))
        sparse = ae.autoencoder_step(sparsity=0.5)(model, batch)
        l1 = float(model.encode(x).abs().sum(1).mean())
        assert float(sparse - plain) == pytest.approx(0.5 * l1)
        contractive = ae.autoencoder_step(contractive=2.0)(model, batch)
        assert float(contractive - plain) == pytest.approx(2 * float(model.contractive_penalty(x)))
    with pytest.raises(ValueError, match="unknown noise"):
        ae.autoencoder_step(noise="blur")


def test_a_bias_free_linear_autoencoder_on_centred_data_finds_the_principal_subspace():
    """Rank-3 data plus a little noise: the decoder's rows span the top-3 PCA directions."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3)) * [3.0, 2.0, 1.5] @ rng.normal(size=(3, 64)) / 8
    X = X + 0.01 * rng.normal(size=X.shape) + 0.5
    Xc = X - X.mean(axis=0)
    torch.manual_seed(4)
    model = AE(AEConfig(hidden=(), latent=3, linear=True, bias=False))
    history = ae.train_autoencoder(model, Xc, epochs=60, lr=2e-2, batch_size=100, progress=False)
    assert history["loss"][-1] < 0.05 * history["loss"][0]
    top = np.linalg.svd(Xc, full_matrices=False)[2][:3].T  # (64, 3)
    angles = scipy.linalg.subspace_angles(model.to_numpy_params()["dec_W1"].T, top)
    assert np.degrees(angles.max()) < 5


def test_denoising_training_runs_through_fit():
    torch.manual_seed(5)
    X = data.digits(200, seed=0)[0]
    model = AE(AEConfig(hidden=(32,), latent=8))
    history = ae.train_autoencoder(model, X, epochs=3, noise="mask", level=0.3, progress=False)
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]


def test_nt_xent_loss_is_the_numpy_reference():
    rng = np.random.default_rng(6)
    z1, z2 = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    got = float(ae.nt_xent_loss(torch.tensor(z1), torch.tensor(z2), 0.3))
    assert got == pytest.approx(nn.nt_xent(z1, z2, 0.3), rel=1e-10)


def test_shift_views_are_whole_pixel_translations_plus_noise():
    torch.manual_seed(7)
    X = data.digits(100, seed=0)[0][:20]
    views = ae.shift_views(torch.tensor(X), max_shift=1, noise=0.0).numpy()
    images = X.reshape(-1, 8, 8)
    for image, view in zip(images, views.reshape(-1, 8, 8)):
        moves = [data.translate(image[None], dy, dx)[0] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        assert any(np.array_equal(view, moved) for moved in moves)
    noisy = ae.shift_views(torch.tensor(X), max_shift=0, noise=0.2).numpy()
    assert abs((noisy - X).std() - 0.2) < 0.02


def test_contrastive_training_lowers_nt_xent():
    torch.manual_seed(8)
    from dlkit.models import MLP

    encoder = MLP(in_features=64, hidden=(32,), out_features=8)
    X = data.digits(300, seed=0)[0]
    history = ae.train_contrastive(encoder, X, epochs=4, batch_size=100, progress=False)
    assert history["loss"][-1] < history["loss"][0]
