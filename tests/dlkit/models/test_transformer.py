"""dlkit.models.transformer: torch and numpy forward passes agree, the weights it exposes,
the masks and positions it promises, its config validation, and a short training run."""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit.models import TinyTransformer, TransformerConfig
from dlkit.models.transformer import attention, token_accuracy_on, train_tokens
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")


def tokens(n=4, length=8, vocab=10, seed=0):
    return np.random.default_rng(seed).integers(0, vocab, (n, length))


@pytest.mark.parametrize("pos", ["sinusoidal", "learned", None])
@pytest.mark.parametrize("causal", [False, True])
def test_numpy_forward_reproduces_the_torch_model(pos, causal):
    torch.manual_seed(0)
    model = TinyTransformer(TransformerConfig(pos=pos, causal=causal, n_layers=3))
    X = tokens()
    logits, weights = model(torch.as_tensor(X), return_attention=True)
    np_logits, np_weights = model.numpy_forward(X, return_attention=True)
    assert_close(np_logits, logits.detach().numpy(), atol=1e-5)
    assert_close(np_weights, torch.stack(weights).detach().numpy(), atol=1e-6)
    assert np_weights.shape == (3, 4, 4, 8, 8)  # (layers, batch, heads, n, n)


def test_to_numpy_params_keys_shapes_and_row_vector_convention():
    model = TinyTransformer(TransformerConfig(vocab=7, d_model=16, n_heads=2, d_ff=24, n_layers=1))
    params = model.to_numpy_params()
    assert params["embed"].shape == (7, 16) and params["W_out"].shape == (16, 7)
    assert params["l0.W1"].shape == (16, 24) and params["l0.W2"].shape == (24, 16)
    assert "pos" not in params  # sinusoidal: a fixed buffer, not a weight
    assert_close(params["l0.Wq"], model.blocks[0].attn.q.weight.detach().numpy().T)
    assert all(v.dtype == np.float64 for v in params.values())
    n_weights = sum(p.numel() for p in model.parameters())
    assert n_weights == sum(v.size for v in params.values())
    learned = TinyTransformer(TransformerConfig(pos="learned", max_len=5)).to_numpy_params()
    assert learned["pos"].shape == (5, 32)


def test_multi_head_attention_matches_torch_sdpa():
    torch.manual_seed(1)
    q, k, v = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 6, 4), torch.randn(2, 3, 6, 2)
    mask = torch.rand(5, 6) < 0.7
    mask[:, 0] = True
    out, weights = attention(q, k, v, mask)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert torch.allclose(out, expected, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))


def test_causal_model_ignores_the_future_and_no_positions_means_equivariance():
    torch.manual_seed(2)
    causal = TinyTransformer(TransformerConfig(causal=True))
    X = tokens(n=1)
    later = X.copy()
    later[0, 5:] = (later[0, 5:] + 1) % 10
    first, second = causal(torch.as_tensor(X)), causal(torch.as_tensor(later))
    assert torch.allclose(first[0, :5], second[0, :5], atol=1e-6)
    plain = TinyTransformer(TransformerConfig(pos=None))
    perm = np.random.default_rng(0).permutation(8)
    out = plain(torch.as_tensor(X)).detach().numpy()
    permuted = plain(torch.as_tensor(X[:, perm])).detach().numpy()
    assert_close(permuted, out[:, perm], atol=1e-5)


def test_training_on_sorting_beats_chance_quickly():
    torch.manual_seed(0)
    model = TinyTransformer(TransformerConfig())
    X, Y = dk.data.sort_task(60 * 64, seed=0)
    history = train_tokens(model, X, Y, steps=60, seed=0, progress=False)
    assert history["epoch"] == [1] and history["loss"][0] < 2.0  # ln 10 = 2.30 at chance
    X_test, Y_test = dk.data.sort_task(500, seed=1)
    assert token_accuracy_on(model, X_test, Y_test) > 0.4  # chance is about 0.1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"d_model": 30, "n_heads": 4}, "must divide"),
        ({"pos": "rotary"}, "pos must be one of"),
        ({"vocab": 0}, "ints >= 1"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ],
)
def test_config_rejects_bad_values(options, message):
    with pytest.raises(ValueError, match=message):
        TransformerConfig(**options)


def test_too_long_sequences_and_mixed_arguments_are_rejected():
    model = TinyTransformer(max_len=4)
    with pytest.raises(ValueError, match="exceed max_len"):
        model(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(ValueError, match="not both"):
        TinyTransformer(TransformerConfig(), vocab=3)
