"""MLPConfig(norm=...): a normalisation layer between each hidden Linear and its activation."""

import pytest
import torch
from torch import nn

from dlkit.models import MLP, MLPConfig


@pytest.mark.parametrize(("norm", "layer"), [("batch", nn.BatchNorm1d), ("layer", nn.LayerNorm)])
def test_norm_sits_between_linear_and_activation(norm, layer):
    model = MLP(MLPConfig(in_features=8, hidden=(16, 12), out_features=3, norm=norm, dropout=0.1))
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, layer, nn.ReLU, nn.Dropout] * 2 + [nn.Linear]
    assert [
        m.normalized_shape[0] if norm == "layer" else m.num_features
        for m in model.net
        if isinstance(m, layer)
    ] == [16, 12]
    model.eval()
    assert model(torch.randn(5, 8)).shape == (5, 3)


def test_default_has_no_normalisation():
    model = MLP(MLPConfig(in_features=8, hidden=(16,), out_features=3))
    assert [type(m) for m in model.net] == [nn.Linear, nn.ReLU, nn.Linear]


def test_batch_norm_makes_a_deep_network_trainable_on_random_inputs():
    """Batch norm keeps the pre-activations of every hidden layer at mean 0, variance 1."""
    torch.manual_seed(0)
    model = MLP(MLPConfig(in_features=8, hidden=(32,) * 6, out_features=2, norm="batch"))
    x, hidden = torch.randn(64, 8) * 10, []
    hooks = [
        m.register_forward_hook(lambda m, i, o: hidden.append(o))
        for m in model.net
        if isinstance(m, nn.BatchNorm1d)
    ]
    model(x)
    for h in hooks:
        h.remove()
    for out in hidden:
        assert abs(out.mean().item()) < 1e-5 and abs(out.var(unbiased=False).item() - 1) < 1e-3


def test_unknown_norm_is_explained():
    with pytest.raises(ValueError, match="unknown norm"):
        MLPConfig(norm="group")
