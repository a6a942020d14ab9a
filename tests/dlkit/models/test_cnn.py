"""dlkit.models.CNN and ResidualBlock: structure from the config, shapes, the residual
identity, numpy weights, validation."""

import numpy as np
import pytest
import torch

from dlkit.models import CNN, CNNConfig, ResidualBlock

pytestmark = pytest.mark.usefixtures("one_thread")


def test_default_cnn_has_the_expected_layers_and_parameter_count():
    model = CNN(CNNConfig())
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convs] == [(16, 1, 3, 3), (32, 16, 3, 3)]
    n = sum(p.numel() for p in model.parameters())
    assert n == (9 * 16 + 16) + (9 * 16 * 32 + 32) + (32 * 2 * 2 * 10 + 10)
    assert model(torch.randn(5, 64)).shape == (5, 10)  # rows of pixels are reshaped
    assert model(torch.randn(5, 1, 8, 8)).shape == (5, 10)


def test_options_change_the_architecture():
    config = CNNConfig(
        channels=(8, 8, 8),
        image_size=16,
        residual=True,
        norm="batch",
        dropout=0.2,
        global_pool=True,
    )
    model = CNN(config)
    assert sum(isinstance(m, ResidualBlock) for m in model.modules()) == 3
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == 9
    assert all(c.bias is None for c in model.modules() if isinstance(c, torch.nn.Conv2d))
    assert model.head[-1].in_features == 8
    model.eval()
    x = torch.randn(3, 1, 16, 16)
    assert model(x).shape == (3, 10) and torch.equal(model(x), model(x))
    assert CNN(channels=(4,), pool=1).head[-1].in_features == 4 * 8 * 8
    assert CNN(channels=(4,)).config == CNNConfig(channels=(4,))


def test_a_residual_block_with_a_zero_body_is_relu_of_its_input():
    block = ResidualBlock(4)
    with torch.no_grad():
        for p in block.parameters():
            p.zero_()
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), torch.relu(x))
    x.requires_grad_(True)
    block(x).sum().backward()
    assert torch.equal(x.grad, (x > 0).float())  # the skip path carries the gradient


def test_numpy_parameters_are_float64_copies_keyed_by_name():
    torch.manual_seed(0)
    model = CNN(CNNConfig(channels=(4,), norm="batch"))
    params = model.to_numpy_params()
    assert params["features.0.0.weight"].shape == (4, 1, 3, 3)
    assert params["features.0.0.weight"].dtype == np.float64
    assert "features.0.1.running_var" in params and "features.0.1.num_batches_tracked" not in params
    params["head.1.bias"][:] = 99.0
    assert not torch.any(model.head[1].bias == 99.0)


def test_the_features_are_translation_equivariant_before_pooling():
    torch.manual_seed(1)
    stage = CNN(CNNConfig(channels=(3,), pool=1, image_size=12)).features
    x = torch.zeros(1, 1, 12, 12)
    x[0, 0, 4:7, 3:6] = torch.randn(3, 3)
    shifted = torch.roll(x, shifts=(2, 1), dims=(2, 3))
    assert torch.allclose(
        stage(shifted), torch.roll(stage(x), shifts=(2, 1), dims=(2, 3)), atol=1e-6
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kernel": 4}, "odd int"),
        ({"channels": ()}, "not empty"),
        ({"norm": "layer"}, "unknown norm"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"channels": (4, 4, 4, 4)}, "shrink"),
        ({"pool": 0}, "pool must be"),
    ],
)
def test_config_rejects_bad_values(options, message):
    with pytest.raises(ValueError, match=message):
        CNNConfig(**options)


def test_config_or_overrides_not_both():
    with pytest.raises(ValueError, match="not both"):
        CNN(CNNConfig(), channels=(3,))
