"""dlkit.nn.attention against torch (F.scaled_dot_product_attention, nn.MultiheadAttention,
nn.TransformerEncoderLayer, nn.LayerNorm) and closed forms; shapes by hypothesis; bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import nn
from dlkit.numerics import softmax
from dlkit.testing import assert_close

pytestmark = pytest.mark.usefixtures("one_thread")
F = torch.nn.functional


def t(array):
    return torch.tensor(np.asarray(array, dtype=float))


def random_qkv(rng, batch, n_q, n_k, d_k, d_v):
    return (
        rng.normal(size=(*batch, n_q, d_k)),
        rng.normal(size=(*batch, n_k, d_k)),
        rng.normal(size=(*batch, n_k, d_v)),
    )


# ---------------------------------------------------------------- attention and masks


@settings(max_examples=25, deadline=None)
@given(
    batch=st.lists(st.integers(1, 3), max_size=2),
    n_q=st.integers(1, 6),
    n_k=st.integers(1, 6),
    d_k=st.integers(1, 9),
    d_v=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_attention_matches_torch_sdpa_for_any_shape(batch, n_q, n_k, d_k, d_v, seed):
    rng = np.random.default_rng(seed)
    Q, K, V = random_qkv(rng, batch, n_q, n_k, d_k, d_v)
    mask = rng.random((n_q, n_k)) < 0.7
    mask[:, 0] = True  # every query keeps one key
    out, weights = nn.scaled_dot_product_attention(Q, K, V, mask)
    expected = F.scaled_dot_product_attention(t(Q), t(K), t(V), attn_mask=torch.as_tensor(mask))
    assert_close(out, expected.numpy(), atol=1e-10)
    assert out.shape == (*batch, n_q, d_v) and weights.shape == (*batch, n_q, n_k)
    assert_close(weights.sum(axis=-1), np.ones((*batch, n_q)))
    assert np.all(weights[..., ~mask] == 0.0)


def test_attention_is_stable_for_huge_scores_and_scaled_by_sqrt_dk():
    rng = np.random.default_rng(0)
    Q = 1e3 * rng.normal(size=(4, 64))
    out, weights = nn.scaled_dot_product_attention(Q, Q, np.eye(4))
    assert np.all(np.isfinite(weights))
    assert_close(out, weights)
    q, k = np.array([[1.0, 1.0, 1.0, 1.0]]), np.array([[1.0, 1.0, 1.0, 1.0], [0, 0, 0, 0]])
    _, weights = nn.scaled_dot_product_attention(q, k, np.eye(2))
    assert_close(weights, [[np.exp(2) / (np.exp(2) + 1), 1 / (np.exp(2) + 1)]])  # 4 / sqrt(4)


def test_masks_closed_forms():
    assert_close(nn.causal_mask(4), np.tril(np.ones((4, 4))))
    assert nn.causal_mask(3).dtype == bool
    padding = nn.padding_mask(np.array([2, 4, 1]), 4)
    assert padding.shape == (3, 1, 4)
    assert_close(padding[:, 0], [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]])
    band = nn.local_mask(5, 1)
    assert_close(band, np.eye(5) + np.eye(5, k=1) + np.eye(5, k=-1))
    assert_close(nn.local_mask(5, 1, causal=True), np.eye(5) + np.eye(5, k=-1))
    assert_close(nn.local_mask(4, 10), np.ones((4, 4)))


@pytest.mark.parametrize(("n", "w"), [(1, 0), (7, 0), (7, 2), (10, 3), (6, 9)])
@pytest.mark.parametrize("causal", [False, True])
def test_band_count_closed_form(n, w, causal):
    assert nn.n_band_scores(n, w, causal) == int(nn.local_mask(n, w, causal).sum())


def test_causal_output_ignores_the_future():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 4))
    later = X.copy()
    later[4:] = rng.normal(size=(2, 4))
    first, _ = nn.scaled_dot_product_attention(X, X, X, nn.causal_mask(6))
    second, _ = nn.scaled_dot_product_attention(later, later, later, nn.causal_mask(6))
    assert_close(first[:4], second[:4])
    assert not np.allclose(first[4:], second[4:])


def test_padding_mask_batches_match_the_unpadded_sequences():
    rng = np.random.default_rng(2)
    Q, K, V = random_qkv(rng, (2,), 5, 5, 3, 2)
    out, _ = nn.scaled_dot_product_attention(Q, K, V, nn.padding_mask(np.array([3, 5]), 5))
    alone, _ = nn.scaled_dot_product_attention(Q[0], K[0, :3], V[0, :3])
    assert_close(out[0], alone)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nn.scaled_dot_product_attention(
                np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 1))
            ),
            "disagree",
        ),
        (
            lambda: nn.scaled_dot_product_attention(np.ones(3), np.ones(3), np.ones(3)),
            r"\(\.\.\., n, d\)",
        ),
        (
            lambda: nn.scaled_dot_product_attention(
                np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), np.ones((2, 2))
            ),
            "boolean",
        ),
        (
            lambda: nn.scaled_dot_product_attention(
                np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), np.ones((3, 3), bool)
            ),
            "does not broadcast",
        ),
        (
            lambda: nn.scaled_dot_product_attention(
                np.ones((2, 3)),
                np.ones((2, 3)),
                np.ones((2, 1)),
                np.array([[True, False], [False, False]]),
            ),
            "all False",
        ),
        (lambda: nn.causal_mask(0), "positive integer"),
        (lambda: nn.padding_mask(np.array([0, 2]), 3), r"in 1\.\.3"),
        (lambda: nn.padding_mask([1.5], 3), "integer"),
        (lambda: nn.local_mask(4, -1), "half-width"),
    ],
)
def test_bad_input_says_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- multi-head attention


def torch_mha(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    d = X.shape[-1]
    mha = torch.nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(t(np.concatenate([Wq.T, Wk.T, Wv.T])))
        mha.out_proj.weight.copy_(t(Wo.T))
    x = t(X.reshape(-1, *X.shape[-2:]))
    blocked = None if mask is None else torch.as_tensor(~mask)  # torch: True = blocked
    out, weights = mha(x, x, x, attn_mask=blocked, average_attn_weights=False)
    return out.detach().numpy().reshape(X.shape), weights.detach().numpy()


@pytest.mark.parametrize(
    ("batch", "n", "d", "h"), [((), 5, 8, 2), ((3,), 4, 12, 3), ((2,), 6, 16, 4), ((), 3, 6, 1)]
)
@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_matches_torch(batch, n, d, h, causal):
    rng = np.random.default_rng(d + n)
    X = rng.normal(size=(*batch, n, d))
    W = [rng.normal(0, d**-0.5, (d, d)) for _ in range(4)]
    mask = nn.causal_mask(n) if causal else None
    out, weights = nn.multi_head_attention(X, *W, h, mask, return_weights=True)
    expected, expected_weights = torch_mha(X, *W, h, mask)
    assert_close(out, expected, atol=1e-10)
    assert_close(weights.reshape(expected_weights.shape), expected_weights, atol=1e-10)


def test_split_and_merge_heads_are_inverse_and_slice_features():
    X = np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8)
    heads = nn.split_heads(X, 4)
    assert heads.shape == (2, 4, 3, 2)
    assert_close(heads[:, 1], X[..., 2:4])  # head 1 holds features 2 and 3 of every position
    assert_close(nn.merge_heads(heads), X)
    with pytest.raises(ValueError, match="not divisible"):
        nn.split_heads(X, 3)
    with pytest.raises(ValueError, match=r"Wo must have shape \(8, 8\)"):
        nn.multi_head_attention(X, np.eye(8), np.eye(8), np.eye(8), np.eye(4), 2)


# ---------------------------------------------------------------- positional encoding


@pytest.mark.parametrize(("n", "d"), [(1, 1), (4, 6), (9, 7), (50, 32)])
def test_sinusoidal_pe_closed_form(n, d):
    pe = nn.sinusoidal_pe(n, d)
    assert pe.shape == (n, d)
    for p in range(n):
        for j in range(d):
            angle = p / 10000 ** (2 * (j // 2) / d)
            assert pe[p, j] == pytest.approx(np.sin(angle) if j % 2 == 0 else np.cos(angle))


def test_a_shift_is_a_rotation_of_each_pair():
    """PE[p + k] = PE[p] R_k for every p, R_k block-diagonal with 2 x 2 rotations."""
    n, d, k = 40, 16, 5
    pe = nn.sinusoidal_pe(n + k, d)
    R = np.zeros((d, d))
    for i, w in enumerate(10000.0 ** (-2 * np.arange(d // 2) / d)):  # pair i turns by k w
        c, s = np.cos(k * w), np.sin(k * w)
        R[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, -s], [s, c]]
    assert_close(pe[:n] @ R, pe[k:], atol=1e-12)
    # and the least-squares map from PE[p] to PE[p + k] fits with a residual of ~1e-12
    M, *_ = np.linalg.lstsq(pe[:n], pe[k:], rcond=None)
    assert np.abs(pe[:n] @ M - pe[k:]).max() < 1e-9


def test_self_attention_is_permutation_equivariant_without_positions_only():
    rng = np.random.default_rng(3)
    n, d = 7, 8
    X, perm = rng.normal(size=(n, d)), rng.permutation(n)
    W = [rng.normal(0, d**-0.5, (d, d)) for _ in range(4)]

    def sa(Z):
        return nn.multi_head_attention(Z, *W, 2)

    assert_close(sa(X[perm]), sa(X)[perm], atol=1e-12)
    pe = nn.sinusoidal_pe(n, d)
    assert np.abs(sa(X[perm] + pe) - sa(X + pe)[perm]).max() > 1e-2


def test_sinusoidal_pe_rejects_bad_sizes():
    with pytest.raises(ValueError, match=">= 1"):
        nn.sinusoidal_pe(0, 4)
    with pytest.raises(ValueError, match="integers"):
        nn.sinusoidal_pe(3, 4.0)


# ---------------------------------------------------------------- layer norm and the block


def block_params(rng, d, d_ff):
    params = {key: rng.normal(0, d**-0.5, (d, d)) for key in ("Wq", "Wk", "Wv", "Wo")}
    params.update(
        ln1_g=1 + 0.2 * rng.normal(size=d),
        ln1_b=0.2 * rng.normal(size=d),
        ln2_g=1 + 0.2 * rng.normal(size=d),
        ln2_b=0.2 * rng.normal(size=d),
        W1=rng.normal(0, d**-0.5, (d, d_ff)),
        b1=0.2 * rng.normal(size=d_ff),
        W2=rng.normal(0, d_ff**-0.5, (d_ff, d)),
        b2=0.2 * rng.normal(size=d),
    )
    return params


def torch_block(X, p, n_heads, causal):
    d, d_ff = p["W1"].shape
    layer = torch.nn.TransformerEncoderLayer(
        d, n_heads, d_ff, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    ).double()
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(t(np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T])))
        layer.self_attn.in_proj_bias.zero_()
        layer.self_attn.out_proj.weight.copy_(t(p["Wo"].T))
        layer.self_attn.out_proj.bias.zero_()
        layer.linear1.weight.copy_(t(p["W1"].T))
        layer.linear1.bias.copy_(t(p["b1"]))
        layer.linear2.weight.copy_(t(p["W2"].T))
        layer.linear2.bias.copy_(t(p["b2"]))
        for norm, key in ((layer.norm1, "ln1"), (layer.norm2, "ln2")):
            norm.weight.copy_(t(p[f"{key}_g"]))
            norm.bias.copy_(t(p[f"{key}_b"]))
    n = X.shape[-2]
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1) if causal else None
    return layer(t(X.reshape(-1, *X.shape[-2:])), src_mask=mask).detach().numpy().reshape(X.shape)


@pytest.mark.parametrize(
    ("shape", "h", "d_ff"), [((5, 8), 2, 16), ((3, 4, 12), 4, 24), ((2, 6, 16), 1, 32)]
)
@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block_matches_torch_encoder_layer(shape, h, d_ff, causal):
    rng = np.random.default_rng(sum(shape))
    X, params = rng.normal(size=shape), block_params(rng, shape[-1], d_ff)
    assert_close(
        nn.transformer_block(X, params, h, causal), torch_block(X, params, h, causal), atol=1e-9
    )


def test_transformer_block_names_missing_parameters():
    with pytest.raises(ValueError, match="lacks"):
        nn.transformer_block(np.ones((2, 4)), {"Wq": np.eye(4)}, 2)


# ---------------------------------------------------------------- cost, decoding, rollout


def test_attention_cost_formulas_and_crossover():
    cost = nn.attention_cost(128, 64, 4)
    assert cost == {
        "proj": 4 * 128 * 64**2,
        "scores": 128**2 * 64,
        "values": 128**2 * 64,
        "attn_memory": 4 * 128**2,
        "kv_cache": 2 * 128 * 64,
    }
    d = 64
    at_crossover = nn.attention_cost(2 * d, d, 1)
    assert at_crossover["scores"] + at_crossover["values"] == at_crossover["proj"]


@pytest.mark.parametrize(("n", "d_k", "d_v"), [(1, 3, 2), (6, 4, 4), (17, 8, 3)])
def test_incremental_attention_equals_causal_sdpa(n, d_k, d_v):
    rng = np.random.default_rng(n)
    Q, K, V = random_qkv(rng, (), n, n, d_k, d_v)
    expected = F.scaled_dot_product_attention(t(Q), t(K), t(V), is_causal=True).numpy()
    assert_close(nn.incremental_attention(Q, K, V), expected, atol=1e-10)


def test_attention_rollout_closed_form_and_rows():
    rng = np.random.default_rng(4)
    A = softmax(rng.normal(size=(3, 2, 4, 4)))
    eye = np.eye(4)
    steps = [(a.mean(axis=0) + eye) / 2 for a in A]
    assert_close(nn.attention_rollout(A), steps[2] @ steps[1] @ steps[0])
    assert_close(nn.attention_rollout(A).sum(axis=1), np.ones(4))
    assert_close(nn.attention_rollout(np.broadcast_to(eye, (2, 3, 4, 4))), eye)
    with pytest.raises(ValueError, match=r"\(L, H, n, n\)"):
        nn.attention_rollout(A[0])


# ---------------------------------------------------------------- the tiny transformer in numpy


def test_transformer_forward_rejects_bad_tokens():
    params = {"embed": np.ones((3, 4)), "lnf_g": np.ones(4), "lnf_b": np.zeros(4)}
    params.update(W_out=np.ones((4, 3)), b_out=np.zeros(3))
    assert nn.transformer_forward(params, np.array([[0, 1, 2]]), 2).shape == (1, 3, 3)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        nn.transformer_forward(params, np.array([[0, 3]]), 2)
    with pytest.raises(ValueError, match="integers"):
        nn.transformer_forward(params, np.array([[0.5]]), 2)
    with pytest.raises(ValueError, match="pos must be"):
        nn.transformer_forward(params, np.array([[0]]), 2, pos="rotary")
