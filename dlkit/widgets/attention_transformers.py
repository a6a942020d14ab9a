"""Widget drawings for module 13, attention and transformers.

All three are numpy-only: the attention heatmap runs a trained tiny transformer through
``dk.nn.transformer_forward`` from its numpy weights (``model.to_numpy_params()``), so
a redraw never touches torch.
"""

from functools import cache

import numpy as np

from dlkit.nn.attention import attention_rollout, sinusoidal_pe, transformer_forward
from dlkit.numerics import softmax
from dlkit.plot import new_figure

D_K_GRID = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
N_KEYS = 16


def draw_attention_heatmap(
    params, tokens, layer=0, head=0, causal=False, rollout=False, n_heads=4, pos="sinusoidal"
):
    """Where each position of a tiny transformer looks, and what it predicts.

    params: the model's numpy weights (``model.to_numpy_params()``); tokens (n,) one input
    sequence. Left: the attention weights of ``head`` in ``layer`` (rows: queries, columns:
    keys, each row sums to 1) or, with ``rollout``, the attention rollout over all layers
    and heads (``dk.nn.attention_rollout``). ``causal`` runs the model with a causal mask
    (for a model trained without one this shows what the mask takes away). Right: the
    predicted distribution over the vocabulary at every position, with the predicted tokens.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 1:
        raise ValueError(f"tokens must be one sequence of shape (n,), got {tokens.shape}")
    logits, weights = transformer_forward(
        params, tokens[None], n_heads, pos=pos, causal=causal, return_attention=True
    )  # (1, n, vocab), (L, 1, h, n, n)
    n_layers = weights.shape[0]
    if not 0 <= layer < n_layers or not 0 <= head < n_heads:
        raise ValueError(
            f"layer must be in 0..{n_layers - 1} and head in 0..{n_heads - 1}, "
            f"got layer={layer}, head={head}"
        )
    shown = attention_rollout(weights[:, 0]) if rollout else weights[layer, 0, head]  # (n, n)
    probabilities = softmax(logits[0])  # (n, vocab)
    predicted = probabilities.argmax(axis=1)

    fig, (left, right) = new_figure(ncols=2, width=3.9, height=3.6, top=0.8, bottom=0.16)
    n, labels = len(tokens), [str(t) for t in tokens]
    left.imshow(shown, cmap="viridis", vmin=0.0, vmax=1.0)
    left.set_xticks(range(n), labels)
    left.set_yticks(range(n), labels)
    left.set_xlabel("key position (its input token)")
    left.set_ylabel("query position (its input token)")
    what = "rollout over all layers" if rollout else f"layer {layer}, head {head}"
    left.set_title(f"attention: {what}" + (" (causal)" if causal else ""), fontsize=10)
    left.grid(False)

    right.imshow(probabilities, cmap="magma", vmin=0.0, vmax=1.0, aspect="auto")
    right.set_yticks(range(n), [str(p) for p in predicted])
    right.set_xticks(range(probabilities.shape[1]))
    right.set_xlabel("output token")
    right.set_ylabel("predicted token at each position")
    right.set_title("predicted probabilities", fontsize=10)
    right.grid(False)
    target = np.sort(tokens)
    correct = int(np.sum(predicted == target))
    fig.suptitle(
        f"input {' '.join(labels)}  ->  {' '.join(str(p) for p in predicted)} "
        f"({correct}/{n} match the sorted sequence)",
        fontsize=10,
    )
    return fig


def draw_positional_encoding(d_model=32, max_pos=64, pos=10):
    """The sinusoidal encoding: its table, a few columns over positions, and similarities.

    Left: ``PE[p, j]`` for positions p < max_pos and columns j < d_model (sin in even
    columns, cos in odd ones; the frequency falls along the columns). Middle: columns 0, 1,
    d/2 and d - 2 against the position (fast and slow waves). Right: the dot product
    ``PE[pos] . PE[q]`` against q: largest at q = pos and falling off with the distance,
    the same shape wherever pos is (it depends only on q - pos).
    """
    if not (2 <= d_model <= 256 and 2 <= max_pos <= 512):
        raise ValueError(
            f"d_model must be in 2..256 and max_pos in 2..512, got {d_model}, {max_pos}"
        )
    if not 0 <= pos < max_pos:
        raise ValueError(f"pos must be in 0..{max_pos - 1}, got {pos}")
    pe = sinusoidal_pe(max_pos, d_model)  # (max_pos, d_model)
    fig, (table, columns, similarity) = new_figure(
        ncols=3, width=3.4, height=3.3, top=0.82, bottom=0.16
    )
    table.imshow(pe, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    table.axhline(pos, color="k", lw=1)
    table.set_xlabel("encoding column j")
    table.set_ylabel("position p")
    table.set_title("PE[p, j]", fontsize=10)
    table.grid(False)

    positions = np.arange(max_pos)
    shown = sorted({0, 1, d_model // 2, d_model - 2})
    for j in shown:
        columns.plot(positions, pe[:, j], lw=1.2, label=f"column {j}")
    columns.axvline(pos, color="k", lw=0.8, ls=":")
    columns.set_xlabel("position p")
    columns.set_ylabel("PE[p, j]")
    columns.set_title(f"columns {', '.join(map(str, shown))}", fontsize=10)  # no legend: fast

    dots = pe @ pe[pos]  # (max_pos,)
    similarity.plot(positions, dots, color="C3", lw=1.5)
    similarity.plot([pos], [dots[pos]], "o", color="k")
    similarity.set_xlabel("position q")
    similarity.set_ylabel(f"PE[{pos}] . PE[q]")
    similarity.set_title(f"similarity to position {pos}", fontsize=10)
    fig.suptitle(f"Sinusoidal positional encoding, d_model = {d_model}", fontsize=11)
    return fig


@cache
def _entropies():
    """Mean entropy (nats) of softmax(q . k / s) over N_KEYS random keys, per d_k in the
    grid, unscaled (s = 1) and scaled (s = sqrt(d_k)); q, k ~ N(0, I), 200 queries."""
    rng = np.random.default_rng(0)
    result = {}
    for scaled in (False, True):
        values = []
        for d_k in D_K_GRID:
            q = rng.normal(size=(200, d_k))
            k = rng.normal(size=(N_KEYS, d_k))
            w = softmax(q @ k.T / (np.sqrt(d_k) if scaled else 1.0))
            values.append(float(-np.sum(w * np.log(np.maximum(w, 1e-300)), axis=1).mean()))
        result[scaled] = np.array(values)
        result[scaled].flags.writeable = False
    return result


def draw_softmax_temperature(d_k=64, scaled=True):
    """Why the scores are divided by sqrt(d_k): the softmax saturates otherwise.

    For random q, k ~ N(0, I) the score q . k has variance d_k. Left: the weights of one
    query over 16 keys at this d_k, scaled by 1/sqrt(d_k) or not. Right: the mean entropy
    of such rows against d_k (ln 16 = 2.77 nats is uniform, 0 is one-hot); unscaled,
    it collapses towards one-hot as d_k grows, and the gradient through a one-hot softmax
    vanishes.
    """
    if d_k not in D_K_GRID:
        raise ValueError(f"d_k must be one of {D_K_GRID}, got {d_k}")
    rng = np.random.default_rng(d_k)
    q, k = rng.normal(size=d_k), rng.normal(size=(N_KEYS, d_k))
    weights = softmax(k @ q / (np.sqrt(d_k) if scaled else 1.0))
    entropies = _entropies()

    fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.4, top=0.82, bottom=0.16)
    left.bar(np.arange(N_KEYS), weights, color="C0")
    left.set_ylim(0, 1)
    left.set_xlabel("key index")
    left.set_ylabel("attention weight")
    left.set_title(f"one query, d_k = {d_k}, {'scaled' if scaled else 'unscaled'}", fontsize=10)

    x = np.log2(D_K_GRID)
    right.plot(x, entropies[True], "o-", color="C2", label="scaled by 1/sqrt(d_k)")
    right.plot(x, entropies[False], "s-", color="C3", label="unscaled")
    right.axhline(np.log(N_KEYS), color="0.5", ls=":", lw=1, label="uniform")
    index = D_K_GRID.index(d_k)
    right.plot([x[index]], [entropies[scaled][index]], "o", color="k", ms=8, mfc="none")
    right.set_xlabel("log2 of the key size d_k")
    right.set_ylabel("mean row entropy (nats)")
    right.set_title("entropy of the attention rows", fontsize=10)
    right.legend(fontsize=7, loc="lower left")
    fig.suptitle("Softmax saturation without the 1/sqrt(d_k) scale", fontsize=11)
    return fig


__all__ = ["draw_attention_heatmap", "draw_positional_encoding", "draw_softmax_temperature"]
