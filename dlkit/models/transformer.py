"""A tiny transformer in torch: attention, multi-head attention, a pre-LN block, the model.

``TinyTransformer(TransformerConfig(vocab=10, max_len=8))`` maps token ids (B, n) to
logits (B, n, vocab): token embedding plus positional encoding, ``n_layers`` pre-LN blocks
(``x + MHA(LN(x))``, then ``x + FF(LN(x))`` with GELU), a final layer norm and a linear
output layer. Attention is computed explicitly (not by ``F.scaled_dot_product_attention``)
so that the model can return its weights for plots; it has no biases, as the numpy
reference ``dk.nn.multi_head_attention``.

``to_numpy_params()`` gives every weight as a numpy array in the course's row-vector
convention (``x @ W``, so torch's ``(out, in)`` weights are transposed), with the keys of
``dk.nn.transformer_forward``, the numpy forward pass that widgets and checks mirror.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit import train
from dlkit.nn.attention import sinusoidal_pe, transformer_forward

POSITIONS = ("sinusoidal", "learned", None)


@dataclass(frozen=True)
class TransformerConfig:
    """Shape and details of a :class:`TinyTransformer`.

    vocab: number of token ids (inputs and outputs); d_model: width of every token's
    vector; n_heads: heads per attention layer (must divide d_model); n_layers: blocks;
    d_ff: hidden width of the feed-forward part; max_len: longest sequence; pos:
    ``"sinusoidal"`` (fixed), ``"learned"`` (a trained table) or ``None`` (no positional
    information: the model is then permutation-equivariant); causal: each position sees
    only itself and earlier ones; dropout: after attention and in the feed-forward part.
    """

    vocab: int = 10
    d_model: int = 32
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 64
    max_len: int = 8
    pos: str | None = "sinusoidal"
    causal: bool = False
    dropout: float = 0.0

    def __post_init__(self):
        sizes = {
            name: getattr(self, name)
            for name in ("vocab", "d_model", "n_heads", "n_layers", "d_ff", "max_len")
        }
        bad = {
            name: value
            for name, value in sizes.items()
            if not (isinstance(value, int) and value >= 1)
        }
        if bad:
            raise ValueError(f"TransformerConfig: sizes must be ints >= 1, got {bad}")
        if self.d_model % self.n_heads:
            raise ValueError(
                f"TransformerConfig: n_heads = {self.n_heads} must divide d_model = {self.d_model}"
            )
        if self.pos not in POSITIONS:
            raise ValueError(f"TransformerConfig: pos must be one of {POSITIONS}, got {self.pos!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"TransformerConfig: dropout must be in [0, 1), got {self.dropout}")


def attention(q, k, v, mask=None):
    """``softmax(q k^T / sqrt(d_k)) v`` with its weights; mask bool, True = attend.

    q (..., n_q, d_k), k (..., n_k, d_k), v (..., n_k, d_v) -> (..., n_q, d_v) and the
    weights (..., n_q, n_k).
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., n_q, n_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


class MultiHeadAttention(nn.Module):
    """Self-attention with ``n_heads`` heads and no biases: (B, n, d) -> (B, n, d)."""

    def __init__(self, d_model, n_heads, dropout=0.0):
        super().__init__()
        self.n_heads = n_heads
        self.q = nn.Linear(d_model, d_model, bias=False)
        self.k = nn.Linear(d_model, d_model, bias=False)
        self.v = nn.Linear(d_model, d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)
        self.dropout = nn.Dropout(dropout)

    def _split(self, x):
        B, n, d = x.shape
        return x.view(B, n, self.n_heads, d // self.n_heads).transpose(1, 2)  # (B, h, n, dk)

    def forward(self, x, mask=None):
        """Returns ``(output (B, n, d), weights (B, h, n, n))``."""
        q, k, v = self._split(self.q(x)), self._split(self.k(x)), self._split(self.v(x))
        heads, weights = attention(q, k, v, mask)  # (B, h, n, dk)
        B, _, n, _ = heads.shape
        merged = heads.transpose(1, 2).reshape(B, n, -1)  # (B, h, n, dk) -> (B, n, d)
        return self.dropout(self.out(merged)), weights


class TransformerBlock(nn.Module):
    """Pre-LN block: ``h = x + MHA(LN1(x))``, ``y = h + W2 gelu(W1 LN2(h) + b1) + b2``."""

    def __init__(self, d_model, n_heads, d_ff, dropout=0.0):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ln2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model), nn.Dropout(dropout)
        )

    def forward(self, x, mask=None):
        attended, weights = self.attn(self.ln1(x), mask)
        x = x + attended
        return x + self.ff(self.ln2(x)), weights


class TinyTransformer(nn.Module):
    """Token ids (B, n) -> logits (B, n, vocab); see the module docstring.

    ``TinyTransformer(TransformerConfig(...))`` or ``TinyTransformer(vocab=10, ...)``.
    ``forward(tokens, return_attention=True)`` also returns the attention weights as a
    list of (B, n_heads, n, n) tensors, one per layer.
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = TransformerConfig(**overrides)
        elif overrides:
            raise ValueError("TinyTransformer: pass either a config or keyword overrides, not both")
        self.config = c = config
        self.embed = nn.Embedding(c.vocab, c.d_model)
        if c.pos == "learned":
            self.pos = nn.Parameter(0.1 * torch.randn(c.max_len, c.d_model))
        elif c.pos == "sinusoidal":  # fixed: a buffer, not a parameter
            pe = torch.as_tensor(sinusoidal_pe(c.max_len, c.d_model), dtype=torch.float32)
            self.register_buffer("pos", pe, persistent=False)
        else:
            self.pos = None
        self.blocks = nn.ModuleList(
            TransformerBlock(c.d_model, c.n_heads, c.d_ff, c.dropout) for _ in range(c.n_layers)
        )
        self.ln_f = nn.LayerNorm(c.d_model)
        self.head = nn.Linear(c.d_model, c.vocab)
        if c.causal:
            self.register_buffer(
                "mask",
                torch.tril(torch.ones(c.max_len, c.max_len, dtype=torch.bool)),
                persistent=False,
            )
        else:
            self.mask = None

    def forward(self, tokens, return_attention=False):
        n = tokens.shape[1]
        if n > self.config.max_len:
            raise ValueError(
                f"TinyTransformer: sequences of {n} tokens exceed max_len = {self.config.max_len}"
            )
        x = self.embed(tokens)  # (B, n, d)
        if self.pos is not None:
            x = x + self.pos[:n]
        mask = self.mask[:n, :n] if self.mask is not None else None
        weights = []
        for block in self.blocks:
            x, w = block(x, mask)
            weights.append(w)
        logits = self.head(self.ln_f(x))  # (B, n, vocab)
        return (logits, weights) if return_attention else logits

    def to_numpy_params(self):
        """Every weight as a float64 numpy array, keyed as ``dk.nn.transformer_forward`` wants.

        ``embed`` (vocab, d), ``pos`` (max_len, d) when learned; for each block ``l{i}.``:
        ``ln1_g, ln1_b, ln2_g, ln2_b`` (d,), ``Wq, Wk, Wv, Wo`` (d, d), ``W1`` (d, d_ff),
        ``b1`` (d_ff,), ``W2`` (d_ff, d), ``b2`` (d,); then ``lnf_g, lnf_b`` (d,),
        ``W_out`` (d, vocab), ``b_out`` (vocab,). Linear weights are transposed from
        torch's (out, in) so that a layer computes ``x @ W + b``.
        """

        def array(t):
            return t.detach().cpu().double().numpy().copy()

        params = {"embed": array(self.embed.weight)}
        if self.config.pos == "learned":
            params["pos"] = array(self.pos)
        for i, block in enumerate(self.blocks):
            first, _, second, _ = block.ff
            params.update(
                {
                    f"l{i}.ln1_g": array(block.ln1.weight),
                    f"l{i}.ln1_b": array(block.ln1.bias),
                    f"l{i}.Wq": array(block.attn.q.weight.T),
                    f"l{i}.Wk": array(block.attn.k.weight.T),
                    f"l{i}.Wv": array(block.attn.v.weight.T),
                    f"l{i}.Wo": array(block.attn.out.weight.T),
                    f"l{i}.ln2_g": array(block.ln2.weight),
                    f"l{i}.ln2_b": array(block.ln2.bias),
                    f"l{i}.W1": array(first.weight.T),
                    f"l{i}.b1": array(first.bias),
                    f"l{i}.W2": array(second.weight.T),
                    f"l{i}.b2": array(second.bias),
                }
            )
        params.update(
            {
                "lnf_g": array(self.ln_f.weight),
                "lnf_b": array(self.ln_f.bias),
                "W_out": array(self.head.weight.T),
                "b_out": array(self.head.bias),
            }
        )
        return params

    def numpy_forward(self, tokens, return_attention=False):
        """This model's forward pass in numpy (float64) from :meth:`to_numpy_params`."""
        c = self.config
        return transformer_forward(
            self.to_numpy_params(), np.asarray(tokens), c.n_heads, c.pos, c.causal, return_attention
        )


def token_accuracy_on(model, X, Y):
    """Token accuracy of ``model`` on token arrays X, Y (n, length), in eval mode."""
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        logits = model(torch.as_tensor(np.asarray(X), device=device))
    return float((logits.argmax(dim=-1).cpu().numpy() == np.asarray(Y)).mean())


def train_tokens(model, X, Y, *, steps=600, batch_size=64, lr=3e-3, seed=0, progress=None):
    """Train ``model`` on token pairs X -> Y (n, length) with ``dk.train.fit``.

    One pass over ``steps * batch_size`` examples (X, Y are cycled if shorter), Adam with
    a one-cycle learning-rate schedule peaking at ``lr``, the mean per-token cross-entropy
    (``dk.train.sequence_cross_entropy``). Returns ``fit``'s history.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    n = steps * batch_size
    rows = np.arange(n) % len(X)
    return train.fit(
        model,
        (X[rows], Y[rows]),
        loss_fn=train.sequence_cross_entropy,
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        scheduler=lambda opt: torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=lr, total_steps=steps
        ),
        scheduler_interval="step",
        metric=train.token_accuracy,
        epochs=1,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )


__all__ = [
    "MultiHeadAttention",
    "TinyTransformer",
    "TransformerBlock",
    "TransformerConfig",
    "attention",
    "token_accuracy_on",
    "train_tokens",
]
