"""The module-13 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py.
"""

import contextlib

import numpy as np
import pytest
import scipy.special
import torch

import dlkit as dk
from dlkit import nn
from dlkit.nn.normalization import layernorm

pytestmark = pytest.mark.usefixtures("one_thread")

SORTER = dict(vocab=10, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_len=8)


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def attention_ref(Q, K, V, mask=None):
    return nn.scaled_dot_product_attention(Q, K, V, mask)


def multi_head_attention_ref(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return nn.multi_head_attention(X, Wq, Wk, Wv, Wo, n_heads, mask)


def _self_attention(Z, Wq, Wk, Wv):
    return nn.scaled_dot_product_attention(Z @ Wq, Z @ Wk, Z @ Wv)[0]


def equivariance_errors_ref(X, perm, Wq, Wk, Wv):
    pe = nn.sinusoidal_pe(*X.shape)
    without = np.abs(_self_attention(X[perm], Wq, Wk, Wv) - _self_attention(X, Wq, Wk, Wv)[perm])
    moved = _self_attention(X[perm] + pe, Wq, Wk, Wv)
    fixed = _self_attention(X + pe, Wq, Wk, Wv)[perm]
    return float(without.max()), float(np.abs(moved - fixed).max())


def transformer_block_ref(X, params, n_heads, causal=False):
    return nn.transformer_block(X, params, n_heads, causal)


def next_token_loss_ref(logits, tokens):
    logits = torch.as_tensor(logits[:, :-1])  # positions 0..T-2 predict
    targets = torch.as_tensor(tokens[:, 1:])  # tokens 1..T-1
    return float(dk.train.sequence_cross_entropy(logits, targets))


@contextlib.contextmanager
def one_torch_thread():
    """One torch thread while training, as in a grading kernel: the contract test runs the
    table's functions outside this module's one_thread fixture, and two threads on a busy
    2-core machine made a 2 s training take over a minute."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def train_sorter_ref(seed, steps=300, **options):
    with one_torch_thread():
        torch.manual_seed(seed)
        model = dk.models.TinyTransformer(dk.models.TransformerConfig(**{**SORTER, **options}))
        X, Y = dk.data.sort_task(steps * 64, seed=seed)
        dk.models.transformer.train_tokens(model, X, Y, steps=steps, seed=seed, progress=False)
        return model.to_numpy_params()


REFERENCES = {
    "attention": (attention_ref,),
    "masks": (nn.causal_mask, nn.padding_mask, nn.local_mask),
    "multi_head_attention": (multi_head_attention_ref,),
    "sinusoidal_pe": (nn.sinusoidal_pe,),
    "equivariance_errors": (equivariance_errors_ref,),
    "transformer_block": (transformer_block_ref,),
    "attention_cost": (nn.attention_cost,),
    "incremental_attention": (nn.incremental_attention,),
    "next_token_loss": (next_token_loss_ref,),
    "train_sorter": (train_sorter_ref,),
    "attention_rollout": (nn.attention_rollout,),
}


# ---------------------------------------------------------------------------
# Other correct answers
# ---------------------------------------------------------------------------


def attention_large_negative(Q, K, V, mask=None):
    """Blocked scores at -1e9 instead of -inf (exp underflows to exactly 0)."""
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = scipy.special.softmax(scores, axis=-1)
    return weights @ V, weights


def attention_torch(Q, K, V, mask=None):
    """torch inside, numpy at the boundary."""
    q, k, v = (torch.as_tensor(a) for a in (Q, K, V))
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~torch.as_tensor(mask), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v).numpy(), weights.numpy()


def incremental_attention_loop(Q, K, V):
    """A cache in Python lists."""
    keys, values, out = [], [], []
    for t in range(len(Q)):
        keys.append(K[t])
        values.append(V[t])
        scores = np.array(keys) @ Q[t] / np.sqrt(Q.shape[1])
        w = np.exp(scores - scores.max())
        out.append(w / w.sum() @ np.array(values))
    return np.array(out)


def multi_head_attention_loop(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    """One head at a time on column slices, concatenated."""
    dk_ = X.shape[-1] // n_heads
    heads = []
    for h in range(n_heads):
        cols = slice(h * dk_, (h + 1) * dk_)
        heads.append(attention_ref(X @ Wq[:, cols], X @ Wk[:, cols], X @ Wv[:, cols], mask)[0])
    return np.concatenate(heads, axis=-1) @ Wo


ALTERNATIVES = [
    ("attention", attention_large_negative),
    ("attention", attention_torch),
    ("incremental_attention", incremental_attention_loop),
    ("multi_head_attention", multi_head_attention_loop),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def _scores(Q, K):
    return Q @ np.swapaxes(K, -1, -2)


def _softmax(S, axis=-1):
    with np.errstate(all="ignore"):
        return scipy.special.softmax(S, axis=axis)


def attention_unscaled(Q, K, V, mask=None):
    S = _scores(Q, K)
    w = _softmax(S if mask is None else np.where(mask, S, -np.inf))
    return w @ V, w


def attention_by_dk(Q, K, V, mask=None):
    return attention_ref(Q * np.sqrt(Q.shape[-1]) / Q.shape[-1], K, V, mask)


def attention_query_axis(Q, K, V, mask=None):
    S = _scores(Q, K) / np.sqrt(Q.shape[-1])
    w = _softmax(S if mask is None else np.where(mask, S, -np.inf), axis=-2)
    return w @ V, w


def attention_mask_after_softmax(Q, K, V, mask=None):
    w = _softmax(_scores(Q, K) / np.sqrt(Q.shape[-1]))
    if mask is not None:
        w = w * mask
    return w @ V, w


def attention_mask_blocks(Q, K, V, mask=None):
    """nn.MultiheadAttention's convention: True = blocked."""
    return attention_ref(Q, K, V, None if mask is None else ~mask)


def attention_mask_zero(Q, K, V, mask=None):
    S = _scores(Q, K) / np.sqrt(Q.shape[-1])
    w = _softmax(S if mask is None else S * mask)
    return w @ V, w


def attention_naive_exp(Q, K, V, mask=None):
    S = _scores(Q, K) / np.sqrt(Q.shape[-1])
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    e = np.exp(S)
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w


def attention_K_dot_T(Q, K, V, mask=None):
    w = _softmax(Q @ K.T / np.sqrt(Q.shape[-1]))
    return w @ V, w


def attention_returns_out_only(Q, K, V, mask=None):
    return attention_ref(Q, K, V, mask)[0]


def causal_upper(n):
    return np.triu(np.ones((n, n), dtype=bool))


def causal_strict(n):
    return np.tril(np.ones((n, n), dtype=bool), -1)


def causal_float(n):
    return np.tril(np.ones((n, n)))


def causal_none(n):
    return np.ones((n, n), dtype=bool)


def padding_off_by_one(lengths, n):
    return (np.arange(n) <= np.asarray(lengths)[:, None])[:, None, :]


def padding_inverted(lengths, n):
    return ~nn.padding_mask(lengths, n)


def padding_flat(lengths, n):
    return nn.padding_mask(lengths, n)[:, 0, :]


def local_strict(n, w, causal=False):
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    band = np.abs(i - j) < w
    return band & (j <= i) if causal else band


def local_total_width(n, w, causal=False):
    return nn.local_mask(n, w // 2, causal)


def local_not_causal(n, w, causal=False):
    return nn.local_mask(n, w)


def _mha(X, Wq, Wk, Wv, Wo, h, mask, split="right", merge="right", scale=None):
    *batch, n, d = X.shape
    dk_ = d // h

    def heads(W):
        Y = X @ W
        if split == "no-transpose":
            return Y.reshape(*batch, h, n, dk_)
        return np.swapaxes(Y.reshape(*batch, n, h, dk_), -2, -3)

    S = heads(Wq) @ np.swapaxes(heads(Wk), -1, -2) / np.sqrt(scale or dk_)
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    out = _softmax(S) @ heads(Wv)
    if merge == "no-transpose":
        return out.reshape(*batch, n, d) @ Wo
    return np.swapaxes(out, -2, -3).reshape(*batch, n, d) @ Wo


def mha_reshape_without_transpose(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return _mha(X, Wq, Wk, Wv, Wo, n_heads, mask, split="no-transpose")


def mha_merge_without_transpose(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return _mha(X, Wq, Wk, Wv, Wo, n_heads, mask, merge="no-transpose")


def mha_scaled_by_d_model(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return _mha(X, Wq, Wk, Wv, Wo, n_heads, mask, scale=X.shape[-1])


def mha_one_head(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return nn.multi_head_attention(X, Wq, Wk, Wv, Wo, 1, mask)


def mha_no_output_projection(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    return nn.multi_head_attention(X, Wq, Wk, Wv, np.eye(X.shape[-1]), n_heads, mask)


def mha_mask_blocks(X, Wq, Wk, Wv, Wo, n_heads, mask=None):
    """nn.MultiheadAttention's convention, True = blocked (a fully blocked row gives nan)."""
    return _mha(X, Wq, Wk, Wv, Wo, n_heads, None if mask is None else ~mask)


def _pe_angles(n, d, exponent):
    p, j = np.arange(n)[:, None], np.arange(d)[None, :]
    return p / 10000.0 ** (exponent(j) / d), j


def pe_exponent_j(n, d):
    angles, j = _pe_angles(n, d, lambda j: j)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


def pe_swapped(n, d):
    angles, j = _pe_angles(n, d, lambda j: 2 * (j // 2))
    return np.where(j % 2 == 0, np.cos(angles), np.sin(angles))


def pe_halves(n, d):
    angles = np.arange(n)[:, None] / 10000.0 ** (2 * np.arange(d // 2)[None, :] / d)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def pe_from_one(n, d):
    return nn.sinusoidal_pe(n + 1, d)[1:]


def pe_even_only(n, d):
    """Builds d // 2 pairs, so an odd d loses its last column."""
    return nn.sinusoidal_pe(n, 2 * (d // 2))


def equivariance_pe_with_tokens(X, perm, Wq, Wk, Wv):
    pe = nn.sinusoidal_pe(*X.shape)
    without, _ = equivariance_errors_ref(X, perm, Wq, Wk, Wv)
    moved = _self_attention((X + pe)[perm], Wq, Wk, Wv)
    return without, float(np.abs(moved - _self_attention(X + pe, Wq, Wk, Wv)[perm]).max())


def equivariance_no_output_perm(X, perm, Wq, Wk, Wv):
    pe = nn.sinusoidal_pe(*X.shape)
    sa = _self_attention
    without = np.abs(sa(X[perm], Wq, Wk, Wv) - sa(X, Wq, Wk, Wv)).max()
    return float(without), float(
        np.abs(sa(X[perm] + pe, Wq, Wk, Wv) - sa(X + pe, Wq, Wk, Wv)).max()
    )


def equivariance_summed(X, perm, Wq, Wk, Wv):
    pe = nn.sinusoidal_pe(*X.shape)
    without, _ = equivariance_errors_ref(X, perm, Wq, Wk, Wv)
    moved = _self_attention(X[perm] + pe, Wq, Wk, Wv)
    return without, float(np.abs(moved - _self_attention(X + pe, Wq, Wk, Wv)[perm]).sum())


def _block(X, p, h, causal, post=False, residual=(True, True), axis=-1, act=nn.gelu, mask=True):
    n = X.shape[-2]
    m = nn.causal_mask(n) if causal and mask else None

    def ln(Z, key):
        if axis == -1:
            return layernorm(Z, p[f"{key}_g"], p[f"{key}_b"])
        over_positions = layernorm(np.swapaxes(Z, -1, -2), np.ones(n), np.zeros(n))  # (.., d, n)
        return np.swapaxes(over_positions, -1, -2) * p[f"{key}_g"] + p[f"{key}_b"]

    def mha(Z):
        return nn.multi_head_attention(Z, p["Wq"], p["Wk"], p["Wv"], p["Wo"], h, m)

    def ff(Z):
        return act(Z @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    if post:
        H = ln(X + mha(X), "ln1")
        return ln(H + ff(H), "ln2")
    H = mha(ln(X, "ln1")) + (X if residual[0] else 0)
    return ff(ln(H, "ln2")) + (H if residual[1] else 0)


def block_post_ln(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, post=True)


def block_no_attention_residual(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, residual=(False, True))


def block_no_ff_residual(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, residual=(True, False))


def block_norm_over_positions(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, axis=-2)


def block_relu(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, act=nn.relu)


def block_tanh_gelu(X, params, n_heads, causal=False):
    def gelu_tanh(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))

    return _block(X, params, n_heads, causal, act=gelu_tanh)


def block_mask_dropped(X, params, n_heads, causal=False):
    return _block(X, params, n_heads, causal, mask=False)


def cost_scores_per_head(n, d, n_heads):
    return {**nn.attention_cost(n, d, n_heads), "scores": n * n * d * n_heads}


def cost_three_projections(n, d, n_heads):
    return {**nn.attention_cost(n, d, n_heads), "proj": 3 * n * d * d}


def cost_memory_one_head(n, d, n_heads):
    return {**nn.attention_cost(n, d, n_heads), "attn_memory": n * n}


def cost_flops(n, d, n_heads):
    cost = nn.attention_cost(n, d, n_heads)
    return {**cost, "scores": 2 * cost["scores"], "values": 2 * cost["values"]}


def cost_keys_only(n, d, n_heads):
    return {**nn.attention_cost(n, d, n_heads), "kv_cache": n * d}


def cost_a_list(n, d, n_heads):
    return list(nn.attention_cost(n, d, n_heads).values())


def kv_without_current(Q, K, V):
    """The cache is read before step t appends to it: keys 0..t-1 (step 0 raises)."""
    out = np.zeros((len(Q), V.shape[1]))
    for t in range(len(Q)):
        out[t] = _softmax(K[:t] @ Q[t] / np.sqrt(Q.shape[1])) @ V[:t]
    return out


def kv_without_current_summed(Q, K, V):
    """Keys 0..t-1 with a hand-written softmax: step 0 is an empty sum, 0."""
    out = np.zeros((len(Q), V.shape[1]))
    for t in range(len(Q)):
        e = np.exp(K[:t] @ Q[t] / np.sqrt(Q.shape[1]))
        out[t] = e @ V[:t] / max(e.sum(), 1e-300)
    return out


def kv_full_attention(Q, K, V):
    return attention_ref(Q, K, V)[0]


def kv_unscaled(Q, K, V):
    return nn.incremental_attention(Q * np.sqrt(Q.shape[1]), K, V)


def next_token_unshifted(logits, tokens):
    return float(dk.train.sequence_cross_entropy(torch.as_tensor(logits), torch.as_tensor(tokens)))


def next_token_wrong_way(logits, tokens):
    return next_token_loss_ref(logits[:, ::-1].copy(), tokens[:, ::-1].copy())


def next_token_summed(logits, tokens):
    return next_token_loss_ref(logits, tokens) * tokens.shape[0] * (tokens.shape[1] - 1)


def next_token_naive(logits, tokens):
    z = logits[:, :-1]
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return float(-np.mean(np.log(np.take_along_axis(p, tokens[:, 1:, None], axis=-1))))


def next_token_transposed_targets(logits, tokens):
    V = logits.shape[-1]
    z = torch.as_tensor(logits[:, :-1].reshape(-1, V))
    y = torch.as_tensor(tokens[:, 1:].T.reshape(-1))
    return float(torch.nn.functional.cross_entropy(z, y))


def sorter_without_positions(seed, steps=300):
    return train_sorter_ref(seed, steps, pos=None)


def sorter_causal(seed, steps=300):
    return train_sorter_ref(seed, steps, causal=True)


def sorter_learned_positions(seed, steps=300):
    return train_sorter_ref(seed, 20, pos="learned")


def sorter_untrained_transposed(seed, steps=300):
    return {key: value.T for key, value in train_sorter_ref(seed, 1).items()}


def sorter_predictions(seed, steps=300):
    return np.sort(dk.data.sort_task(10, seed=seed)[0], axis=1)


def sorter_unseeded(seed, steps=300):
    with one_torch_thread():
        model = dk.models.TinyTransformer(dk.models.TransformerConfig(**SORTER))  # no manual_seed
        X, Y = dk.data.sort_task(steps * 64, seed=seed)
        dk.models.transformer.train_tokens(model, X, Y, steps=steps, seed=seed, progress=False)
        return model.to_numpy_params()


def rollout_reversed(A):
    R = np.eye(A.shape[-1])
    for layer in A:
        M = 0.5 * layer.mean(axis=0) + 0.5 * np.eye(A.shape[-1])
        R = R @ (M / M.sum(axis=-1, keepdims=True))
    return R


def rollout_no_residual(A):
    R = np.eye(A.shape[-1])
    for layer in A:
        R = layer.mean(axis=0) @ R
    return R


def rollout_max_heads(A):
    return nn.attention_rollout(A.max(axis=1, keepdims=True))


def rollout_not_renormalised(A):
    R = np.eye(A.shape[-1])
    for layer in A:
        R = (0.5 * layer.mean(axis=0) + 0.5 * np.eye(A.shape[-1])) @ R
    return R


MUTANTS = [
    ("attention_hidden", attention_unscaled, "the missing 1/sqrt(d_k)"),
    ("attention_basic", attention_by_dk, "not 1/d_k"),
    ("attention_basic", attention_query_axis, "softmax over the wrong axis"),
    ("attention_basic", attention_mask_after_softmax, "the mask is applied after the softmax"),
    ("attention_basic", attention_mask_blocks, "the mask has the wrong polarity"),
    ("attention_basic", attention_mask_zero, "still gets weight exp(0)"),
    ("attention_hidden", attention_naive_exp, "subtract each row's maximum"),
    ("attention_hidden", attention_K_dot_T, "K.swapaxes(-1, -2)"),
    ("attention_basic", attention_returns_out_only, "expected 2 values (out, weights)"),
    ("masks_basic", (causal_upper, nn.padding_mask, nn.local_mask), "the future leaks"),
    ("masks_basic", (causal_strict, nn.padding_mask, nn.local_mask), "a strict triangle"),
    ("masks_basic", (causal_none, nn.padding_mask, nn.local_mask), "it leaks the future"),
    ("masks_basic", (causal_float, nn.padding_mask, nn.local_mask), "expected dtype bool"),
    ("masks_basic", (nn.causal_mask, padding_off_by_one, nn.local_mask), "off by one"),
    ("masks_basic", (nn.causal_mask, padding_inverted, nn.local_mask), "the wrong polarity"),
    ("masks_basic", (nn.causal_mask, padding_flat, nn.local_mask), "return shape (B, 1, n)"),
    ("masks_hidden", (nn.causal_mask, nn.padding_mask, local_strict), "not < w"),
    ("masks_hidden", (nn.causal_mask, nn.padding_mask, local_total_width), "not a total width"),
    ("masks_basic", (nn.causal_mask, nn.padding_mask, local_not_causal), "also require j <= i"),
    (
        "multi_head_attention_basic",
        mha_reshape_without_transpose,
        "heads split by reshaping without the transpose",
    ),
    ("multi_head_attention_basic", mha_merge_without_transpose, "merge the heads back"),
    ("multi_head_attention_basic", mha_scaled_by_d_model, "not 1/sqrt(d)"),
    ("multi_head_attention_basic", mha_one_head, "this is one head over all d"),
    ("multi_head_attention_basic", mha_no_output_projection, "output projection Wo"),
    ("multi_head_attention_hidden", mha_mask_blocks, "the mask has the wrong polarity"),
    ("sinusoidal_pe_basic", pe_exponent_j, "not 10000**(j/d)"),
    ("sinusoidal_pe_basic", pe_swapped, "sin and cos are swapped"),
    ("sinusoidal_pe_basic", pe_halves, "sin and cos interleave"),
    ("sinusoidal_pe_basic", pe_from_one, "positions start at 0"),
    ("sinusoidal_pe_hidden", pe_even_only, "returned shape (5, 6), expected shape (5, 7)"),
    ("equivariance_errors_basic", equivariance_pe_with_tokens, "belongs to the positions"),
    ("equivariance_errors_basic", equivariance_no_output_perm, "permute the rows of SA(X)"),
    ("equivariance_errors_basic", equivariance_summed, "(max), not their sum"),
    ("transformer_block_basic", block_post_ln, "post-LN order"),
    ("transformer_block_basic", block_no_attention_residual, "H = X + MHA(LN1(X))"),
    ("transformer_block_basic", block_no_ff_residual, "Y = H + FF(LN2(H))"),
    ("transformer_block_basic", block_norm_over_positions, "not each feature over the positions"),
    ("transformer_block_basic", block_relu, "not ReLU"),
    ("transformer_block_basic", block_tanh_gelu, "not the tanh approximation"),
    ("transformer_block_hidden", block_mask_dropped, "the mask is not passed on"),
    ("attention_cost_basic", cost_scores_per_head, "not n^2 d n_heads"),
    ("attention_cost_basic", cost_three_projections, "four projections"),
    ("attention_cost_basic", cost_memory_one_head, "its own n x n weights"),
    ("attention_cost_basic", cost_flops, "not FLOPs"),
    ("attention_cost_basic", cost_keys_only, "keys and values"),
    ("attention_cost_basic", cost_a_list, "expected a dict with keys"),
    ("incremental_attention_basic", kv_without_current, "not K[:t]"),
    ("incremental_attention_hidden", kv_without_current_summed, "must include the current"),
    ("incremental_attention_basic", kv_full_attention, "future keys are included"),
    ("incremental_attention_basic", kv_unscaled, "divide the scores by sqrt(d_k)"),
    ("next_token_loss_basic", next_token_unshifted, "not shifted by one"),
    ("next_token_loss_basic", next_token_wrong_way, "the wrong way"),
    ("next_token_loss_basic", next_token_summed, "not sum"),
    ("next_token_loss_hidden", next_token_naive, "use log-softmax"),
    ("next_token_loss_basic", next_token_transposed_targets, "the same (batch, time) order"),
    ("train_sorter_basic", sorter_without_positions, "no positional encoding"),
    ("train_sorter_basic", sorter_causal, "a causal mask on a task that needs the whole"),
    ("train_sorter_basic", sorter_learned_positions, "a learned position table"),
    ("train_sorter_basic", sorter_untrained_transposed, "(out, in): transpose them"),
    ("train_sorter_basic", sorter_predictions, "the weights, not the predictions"),
    ("train_sorter_hidden", sorter_unseeded, "torch.manual_seed(seed)"),
    ("attention_rollout_basic", rollout_reversed, "the product order is reversed"),
    ("attention_rollout_basic", rollout_no_residual, "the identity (residual) term is dropped"),
    ("attention_rollout_basic", rollout_max_heads, "average the heads"),
    ("attention_rollout_hidden", rollout_not_renormalised, "the rows are not renormalised"),
]
