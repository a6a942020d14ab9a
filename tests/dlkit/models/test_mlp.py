"""dlkit.models.MLP: structure from the config, initialisation statistics, validation."""

import math

import pytest
import torch

from dlkit.models import MLP, MLPConfig


def linear_layers(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)]


def test_layers_and_output_shape_follow_the_config():
    model = MLP(MLPConfig(in_features=12, hidden=(7, 5), out_features=3, activation="tanh"))
    shapes = [tuple(layer.weight.shape) for layer in linear_layers(model)]
    assert shapes == [(7, 12), (5, 7), (3, 5)]  # torch stores (out, in)
    assert sum(isinstance(m, torch.nn.Tanh) for m in model.modules()) == 2
    assert model(torch.randn(4, 12)).shape == (4, 3)
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 12 * 7 + 7 + 7 * 5 + 5 + 5 * 3 + 3


def test_images_are_flattened_and_keywords_work():
    model = MLP(in_features=64, hidden=(16,), out_features=10)
    assert model(torch.randn(2, 8, 8)).shape == (2, 10)
    assert model.config == MLPConfig(in_features=64, hidden=(16,), out_features=10)


def test_the_last_layer_has_no_activation():
    model = MLP(MLPConfig(in_features=3, hidden=(4,), out_features=2, activation="relu"))
    assert isinstance(list(model.net)[-1], torch.nn.Linear)
    torch.manual_seed(0)
    assert (model(torch.randn(50, 3)) < 0).any()  # scores, not ReLU outputs


@pytest.mark.parametrize(("init", "variance"), [("he", 2 / 300), ("xavier", 2 / (300 + 200))])
def test_initialisation_variance(init, variance):
    torch.manual_seed(0)
    model = MLP(MLPConfig(in_features=300, hidden=(200,), out_features=10, init=init))
    first = linear_layers(model)[0]
    assert math.isclose(first.weight.var().item(), variance, rel_tol=0.03)
    assert torch.all(first.bias == 0)


def test_dropout_only_between_hidden_layers():
    model = MLP(MLPConfig(in_features=4, hidden=(8, 8), out_features=2, dropout=0.5))
    assert sum(isinstance(m, torch.nn.Dropout) for m in model.modules()) == 2
    model.eval()
    x = torch.randn(3, 4)
    assert torch.equal(model(x), model(x))  # eval mode: dropout is off, outputs repeat


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"activation": "softsign"}, "unknown activation 'softsign'"),
        ({"hidden": (8, 0)}, "int >= 1"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"init": "lecun"}, "unknown init 'lecun'"),
    ],
)
def test_config_rejects_bad_values(options, message):
    with pytest.raises(ValueError, match=message):
        MLPConfig(**options)


def test_config_or_overrides_not_both():
    with pytest.raises(ValueError, match="not both"):
        MLP(MLPConfig(), hidden=(3,))
