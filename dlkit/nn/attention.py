"""Attention in numpy: scaled dot-product attention, masks, multi-head attention, a pre-LN
transformer block, sinusoidal positional encoding, and the tiny transformer's forward pass.

Reference code for module 13. Arrays are float64; a sequence is the rows of an array, so
``X`` has shape ``(..., n, d)`` (any leading batch axes, then n positions of d features)
and every weight acts on the right, ``X @ W`` (the course's row-vector convention).

Masks are boolean with **True = may attend** (the convention of
``torch.nn.functional.scaled_dot_product_attention``; ``torch.nn.MultiheadAttention``'s
``attn_mask`` uses the opposite, True = blocked). A mask broadcasts against the scores of
shape ``(..., n_q, n_k)``: row i says which keys query i may look at.

The numpy forward pass of ``dk.models.TinyTransformer`` (:func:`transformer_forward`)
lives here, not in ``dlkit.models``, so that widgets can run a trained model without
importing torch.
"""

import numpy as np

from dlkit.nn.activations import gelu
from dlkit.nn.normalization import layernorm
from dlkit.numerics import softmax

PE_BASE = 10000.0


# ---------------------------------------------------------------- attention and masks


def _as_mask(mask, scores_shape, func):
    """``mask`` as a bool array broadcastable to ``scores_shape``, or ValueError."""
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ValueError(
            f"{func}: mask must be a boolean array (True = attend), got dtype {mask.dtype}; "
            "build it with comparisons or np.tril(np.ones((n, n), dtype=bool))"
        )
    try:
        np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        raise ValueError(
            f"{func}: mask of shape {mask.shape} does not broadcast against the scores "
            f"(..., n_q, n_k) = {scores_shape}"
        ) from None
    return mask


def scaled_dot_product_attention(Q, K, V, mask=None):
    """``softmax(Q K^T / sqrt(d_k)) V`` and its weights; returns ``(out, weights)``.

    Q (..., n_q, d_k), K (..., n_k, d_k), V (..., n_k, d_v) -> out (..., n_q, d_v) and
    weights (..., n_q, n_k), whose rows (one per query) sum to 1 over the keys. ``mask``
    (bool, broadcastable to (..., n_q, n_k), True = attend) sets the blocked scores to
    ``-inf`` *before* the softmax, so blocked keys get weight exactly 0 and the others are
    renormalised. Every query must be allowed at least one key.
    """
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    if Q.ndim < 2 or K.ndim < 2 or V.ndim < 2:
        raise ValueError(
            "scaled_dot_product_attention: Q, K and V need shape (..., n, d); "
            f"got {Q.shape}, {K.shape}, {V.shape}"
        )
    if Q.shape[-1] != K.shape[-1] or K.shape[-2] != V.shape[-2]:
        raise ValueError(
            "scaled_dot_product_attention: Q (..., n_q, d_k), K (..., n_k, d_k) and "
            f"V (..., n_k, d_v) disagree: got {Q.shape}, {K.shape}, {V.shape}"
        )
    scores = Q @ K.swapaxes(-1, -2) / np.sqrt(Q.shape[-1])  # (..., n_q, n_k)
    if mask is not None:
        mask = _as_mask(mask, scores.shape, "scaled_dot_product_attention")
        if not np.all(np.any(mask, axis=-1)):
            raise ValueError(
                "scaled_dot_product_attention: some query may attend to no key (a mask row "
                "that is all False); its weights would be 0/0"
            )
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)  # rows sum to 1 over the keys
    return weights @ V, weights  # (..., n_q, d_v), (..., n_q, n_k)


def causal_mask(n):
    """(n, n) bool, True on and below the diagonal: position i attends to keys j <= i."""
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"causal_mask: n must be a positive integer, got {n!r}")
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths, n):
    """(B, 1, n) bool key mask, True where key j is a real token (``j < lengths[b]``).

    The axis of length 1 broadcasts over the queries, so the mask applies to scores of
    shape (B, n_q, n). Every length must be in 1..n.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.dtype.kind not in "iu":
        raise ValueError(f"padding_mask: lengths must be a 1-D integer array, got {lengths!r}")
    if np.any(lengths < 1) or np.any(lengths > n):
        raise ValueError(f"padding_mask: every length must be in 1..{n}, got {lengths}")
    return (np.arange(n) < lengths[:, None])[:, None, :]  # (B, n) -> (B, 1, n)


def local_mask(n, w, causal=False):
    """(n, n) bool band mask: True where ``|i - j| <= w`` (and ``j <= i`` if causal).

    ``w`` is the half-width: each query sees at most ``2 w + 1`` keys (``w + 1`` if causal),
    so the scores cost O(n w) instead of O(n^2).
    """
    if not isinstance(w, int | np.integer) or w < 0:
        raise ValueError(f"local_mask: the half-width w must be an integer >= 0, got {w!r}")
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]  # (n, 1), (1, n)
    band = np.abs(i - j) <= w
    return band & (j <= i) if causal else band


def n_band_scores(n, w, causal=False):
    """Number of True entries of ``local_mask(n, w, causal)``, in closed form.

    ``sum_i (min(i + w, n - 1) - max(i - w, 0) + 1)``; causal: ``sum_i (i - max(i - w, 0) + 1)``.
    """
    i = np.arange(n)
    upper = i if causal else np.minimum(i + w, n - 1)
    return int(np.sum(upper - np.maximum(i - w, 0) + 1))


# ---------------------------------------------------------------- multi-head attention


def split_heads(X, n_heads):
    """(..., n, d) -> (..., n_heads, n, d / n_heads): head h gets features h*dk..(h+1)*dk."""
    X = np.asarray(X, dtype=float)
    *batch, n, d = X.shape
    if d % n_heads:
        raise ValueError(f"split_heads: d = {d} is not divisible by n_heads = {n_heads}")
    X = X.reshape(*batch, n, n_heads, d // n_heads)  # (..., n, h, dk)
    return X.swapaxes(-2, -3)  # (..., h, n, dk): heads in front of positions


def merge_heads(X):
    """(..., n_heads, n, dk) -> (..., n, n_heads * dk), the inverse of :func:`split_heads`."""
    X = np.asarray(X, dtype=float).swapaxes(-2, -3)  # (..., n, h, dk)
    return X.reshape(*X.shape[:-2], -1)  # (..., n, h dk)


def multi_head_attention(X, Wq, Wk, Wv, Wo, n_heads, mask=None, return_weights=False):
    """Self-attention with ``n_heads`` heads and no biases; X (..., n, d) -> (..., n, d).

    ``Q = X Wq, K = X Wk, V = X Wv`` (each W (d, d)) are split into heads of
    ``dk = d / n_heads`` features; each head computes
    ``softmax(Q_h K_h^T / sqrt(dk)) V_h``; the heads are concatenated in order and
    projected by ``Wo`` (d, d). ``mask`` (bool, True = attend) broadcasts against the
    scores (..., n_heads, n, n), e.g. an (n, n) causal mask. With ``return_weights`` also
    returns the weights (..., n_heads, n, n).
    """
    X = np.asarray(X, dtype=float)
    d = X.shape[-1]
    for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv), ("Wo", Wo)):
        if np.shape(W) != (d, d):
            raise ValueError(
                f"multi_head_attention: {name} must have shape ({d}, {d}), got {np.shape(W)}"
            )
    Q, K, V = (split_heads(X @ W, n_heads) for W in (Wq, Wk, Wv))  # (..., h, n, dk)
    heads, weights = scaled_dot_product_attention(Q, K, V, mask)
    out = merge_heads(heads) @ Wo  # (..., n, d)
    return (out, weights) if return_weights else out


# ---------------------------------------------------------------- positional encoding


def sinusoidal_pe(n, d, base=PE_BASE):
    """(n, d) sinusoidal positional encoding, sin and cos interleaved.

    ``PE[p, 2i] = sin(p / base^(2i/d))`` and ``PE[p, 2i+1] = cos(p / base^(2i/d))`` for
    positions p = 0..n-1; for odd d the last column is a sine. Each pair of columns is a
    rotation: ``PE[p + k]`` is ``PE[p]`` with pair i turned by the angle ``k base^(-2i/d)``,
    so a fixed offset is a linear map, whatever p.
    """
    if not isinstance(n, int | np.integer) or not isinstance(d, int | np.integer):
        raise ValueError(f"sinusoidal_pe: n and d must be integers, got {n!r}, {d!r}")
    if n < 1 or d < 1:
        raise ValueError(f"sinusoidal_pe: n and d must be >= 1, got n={n}, d={d}")
    pair = np.arange(d) // 2  # i for columns 2i and 2i + 1
    angles = np.arange(n)[:, None] / base ** (2 * pair / d)  # (n, d)
    return np.where(np.arange(d) % 2 == 0, np.sin(angles), np.cos(angles))


# ---------------------------------------------------------------- layer norm and the block


BLOCK_KEYS = ("ln1_g", "ln1_b", "Wq", "Wk", "Wv", "Wo", "ln2_g", "ln2_b", "W1", "b1", "W2", "b2")


def transformer_block(X, params, n_heads, causal=False, return_weights=False):
    """A pre-LN transformer block; X (..., n, d) -> (..., n, d).

    ``H = X + MHA(LN1(X))`` then ``Y = H + gelu(LN2(H) W1 + b1) W2 + b2``, with
    :func:`multi_head_attention` (no biases, causal mask if ``causal``), exact GELU and
    :func:`~dlkit.nn.normalization.layernorm`.
    ``params`` holds ``BLOCK_KEYS``: ln1_g, ln1_b, ln2_g, ln2_b (d,);
    Wq, Wk, Wv, Wo (d, d); W1 (d, d_ff), b1 (d_ff,), W2 (d_ff, d), b2 (d,). This is
    ``torch.nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`` with zero
    attention biases.
    """
    missing = [key for key in BLOCK_KEYS if key not in params]
    if missing:
        raise ValueError(f"transformer_block: params lacks {missing}")
    p = params
    X = np.asarray(X, dtype=float)
    mask = causal_mask(X.shape[-2]) if causal else None
    attended, weights = multi_head_attention(
        layernorm(X, p["ln1_g"], p["ln1_b"]),
        p["Wq"],
        p["Wk"],
        p["Wv"],
        p["Wo"],
        n_heads,
        mask,
        return_weights=True,
    )
    H = X + attended  # residual around attention
    Y = H + gelu(layernorm(H, p["ln2_g"], p["ln2_b"]) @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    return (Y, weights) if return_weights else Y


# ---------------------------------------------------------------- cost, decoding, rollout


def attention_cost(n, d, n_heads):
    """Multiply-adds and memory of one self-attention layer on one sequence of n tokens.

    ``proj``: the four projections Q, K, V and W_o, ``4 n d^2``; ``scores``: ``Q K^T`` over
    all heads, ``n^2 d`` (each head n^2 d/h); ``values``: weights times V, ``n^2 d``;
    ``attn_memory``: the weights kept for the backward pass, ``n_heads n^2`` numbers;
    ``kv_cache``: keys and values kept for decoding, ``2 n d`` numbers. The n^2 terms
    overtake the projections at n = 2d.
    """
    return {
        "proj": 4 * n * d * d,
        "scores": n * n * d,
        "values": n * n * d,
        "attn_memory": n_heads * n * n,
        "kv_cache": 2 * n * d,
    }


def incremental_attention(Q, K, V):
    """Causal attention computed one position at a time, as a decoder with a KV cache does.

    Step t appends k_t and v_t to the cache and attends q_t to the cached keys 0..t:
    ``out[t] = softmax(q_t K[:t+1]^T / sqrt(d_k)) V[:t+1]``. Q, K (n, d_k), V (n, d_v) ->
    (n, d_v), equal to causal attention over the whole sequence; step t costs O(t d)
    instead of recomputing every earlier position.
    """
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    n = Q.shape[0]
    keys, values = np.empty((0, K.shape[1])), np.empty((0, V.shape[1]))
    out = np.empty((n, V.shape[1]))
    for t in range(n):
        keys, values = np.vstack([keys, K[t]]), np.vstack([values, V[t]])  # the cache grows
        weights = softmax(keys @ Q[t] / np.sqrt(Q.shape[1]))  # (t + 1,)
        out[t] = weights @ values
    return out


def attention_rollout(A):
    """Attention rollout over layers: A (L, H, n, n) weights -> (n, n).

    Average the heads, add the residual path ``A~_l = (A_l + I) / 2``, renormalise the
    rows, and multiply from the first layer up: ``R = A~_L ... A~_2 A~_1``. Row i says how
    much each input position flows into output position i.
    """
    A = np.asarray(A, dtype=float)
    if A.ndim != 4 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"attention_rollout: A must have shape (L, H, n, n), got {A.shape}")
    n = A.shape[-1]
    R = np.eye(n)
    for layer in A:
        mixed = 0.5 * layer.mean(axis=0) + 0.5 * np.eye(n)  # (n, n)
        mixed /= mixed.sum(axis=-1, keepdims=True)
        R = mixed @ R  # later layers on the left
    return R


# ---------------------------------------------------------------- the tiny transformer in numpy


def n_layers_of(params):
    """Number of blocks in a tiny-transformer parameter dict (keys ``l0.*``, ``l1.*``, ...)."""
    return len({key.split(".")[0] for key in params if key.startswith("l") and "." in key})


def transformer_forward(
    params, tokens, n_heads, pos="sinusoidal", causal=False, return_attention=False
):
    """The forward pass of ``dk.models.TinyTransformer`` from its numpy parameters.

    tokens (B, n) integers -> logits (B, n, vocab): ``x = embed[tokens] + P`` (P the
    sinusoidal encoding, the learned ``params["pos"][:n]``, or nothing for ``pos=None``),
    then each block ``l0, l1, ...`` (:func:`transformer_block`), a final layer norm
    (``lnf_g, lnf_b``) and the output layer ``x W_out + b_out``. With
    ``return_attention`` also returns the weights, (L, B, n_heads, n, n).
    """
    tokens = np.asarray(tokens)
    if tokens.ndim == 1:
        tokens = tokens[None]  # (n,) -> (1, n)
    if tokens.ndim != 2 or tokens.dtype.kind not in "iu":
        raise ValueError(f"transformer_forward: tokens must be (B, n) integers, got {tokens.shape}")
    embed = np.asarray(params["embed"], dtype=float)  # (vocab, d)
    if tokens.min() < 0 or tokens.max() >= len(embed):
        raise ValueError(f"transformer_forward: tokens must lie in 0..{len(embed) - 1}")
    n, d = tokens.shape[1], embed.shape[1]
    x = embed[tokens]  # (B, n, d)
    if pos == "sinusoidal":
        x = x + sinusoidal_pe(n, d)
    elif pos == "learned":
        x = x + np.asarray(params["pos"], dtype=float)[:n]
    elif pos is not None:
        raise ValueError(
            f"transformer_forward: pos must be 'sinusoidal', 'learned' or None, got {pos!r}"
        )
    attention = []
    for layer in range(n_layers_of(params)):
        prefix = f"l{layer}."
        block = {
            key[len(prefix) :]: value for key, value in params.items() if key.startswith(prefix)
        }
        x, weights = transformer_block(x, block, n_heads, causal=causal, return_weights=True)
        attention.append(weights)
    logits = layernorm(x, params["lnf_g"], params["lnf_b"]) @ params["W_out"] + params["b_out"]
    return (logits, np.stack(attention)) if return_attention else logits


__all__ = [
    "BLOCK_KEYS",
    "attention_cost",
    "attention_rollout",
    "causal_mask",
    "incremental_attention",
    "local_mask",
    "merge_heads",
    "multi_head_attention",
    "n_band_scores",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_pe",
    "split_heads",
    "transformer_block",
    "transformer_forward",
]
