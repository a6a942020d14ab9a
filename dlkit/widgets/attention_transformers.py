"""Widget drawings for module 13, attention and transformers.

All three are numpy-only: the attention heatmap runs a trained tiny transformer through
``dk.nn.transformer_forward`` from its numpy weights (``model.to_numpy_params()``), so
a redraw never touches torch. Each is a :class:`dlkit.plot.LiveFigure`, redrawn in place
against steady axes; its ``draw_*`` function returns the figure of one setting.
"""

from functools import cache

import numpy as np
from matplotlib.ticker import MultipleLocator

from dlkit.nn.attention import attention_rollout, sinusoidal_pe, transformer_forward
from dlkit.numerics import softmax
from dlkit.plot import LiveFigure, new_figure, tick_texts

D_K_GRID = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
N_KEYS = 16


class AttentionHeatmap(LiveFigure):
    """Module 13's look inside a tiny transformer, redrawn in place (see
    :func:`draw_attention_heatmap`). Fixed per model and ``examples`` (count, n): the
    forward passes of all examples with and without the causal mask (computed once), the
    panels, the axes labels, the vocabulary ticks. Moving: the attention image and the
    probability image (``set_data``, colour range fixed at 0 .. 1), the token tick
    labels (texts over the ticks: the input tokens on the left, the predicted ones on the
    right; the axes' own tick labels carry the same texts, transparent), the titles.

    Limits: fixed, ``-0.5 .. n - 0.5`` per position and ``-0.5 .. vocab - 0.5``, so no
    move renders the static part again.
    """

    def __init__(self, params, examples, n_heads=4, pos="sinusoidal"):
        examples = np.asarray(examples)
        if examples.ndim != 2:
            raise ValueError(
                f"examples must be sequences of shape (count, n), got {examples.shape}"
            )
        self.examples, self.n_heads = examples, n_heads
        self.passes = {}  # causal -> (probabilities (count, n, vocab), weights (L, count, h, n, n))
        for causal in (False, True):
            logits, weights = transformer_forward(
                params, examples, n_heads, pos=pos, causal=causal, return_attention=True
            )
            self.passes[causal] = (softmax(logits), weights)
        self.n_layers = weights.shape[0]
        n, vocab = examples.shape[1], logits.shape[2]

        fig, (left, right) = new_figure(ncols=2, width=3.9, height=3.6, top=0.8, bottom=0.16)
        self.attention = left.imshow(np.zeros((n, n)), cmap="viridis", vmin=0.0, vmax=1.0)
        self.probabilities = right.imshow(
            np.zeros((n, vocab)), cmap="magma", vmin=0.0, vmax=1.0, aspect="auto"
        )
        left.set_xlabel("key position (its input token)")
        left.set_ylabel("query position (its input token)")
        right.set_xticks(range(vocab))
        right.set_xlabel("output token")
        right.set_ylabel("predicted token at each position")
        right.set_title("predicted probabilities", fontsize=10)
        for ax in (left, right):
            ax.set_yticks(range(n))
            ax.tick_params(axis="y", labelcolor="none")
            ax.set_ylim(n - 0.5, -0.5)
            ax.grid(False)
        left.set_xticks(range(n))
        left.tick_params(axis="x", labelcolor="none")
        left.set_xlim(-0.5, n - 0.5)
        right.set_xlim(-0.5, vocab - 0.5)
        self.keys = tick_texts(left, "x", n)
        self.queries = tick_texts(left, "y", n)
        self.predicted = tick_texts(right, "y", n)
        self.title = left.set_title("", fontsize=10)
        self.suptitle = fig.suptitle("", fontsize=10)
        self.left, self.right = left, right
        moving = [self.attention, self.probabilities, self.title, self.suptitle]
        super().__init__(fig, moving + self.keys + self.queries + self.predicted)

    def update(self, example=0, layer=0, head=0, causal=False, rollout=False):
        if not 0 <= layer < self.n_layers or not 0 <= head < self.n_heads:
            raise ValueError(
                f"layer must be in 0..{self.n_layers - 1} and head in 0..{self.n_heads - 1}, "
                f"got layer={layer}, head={head}"
            )
        if not 0 <= example < len(self.examples):
            raise ValueError(f"example must be in 0..{len(self.examples) - 1}, got {example}")
        tokens = self.examples[example]
        probabilities, weights = self.passes[bool(causal)]
        probabilities = probabilities[example]  # (n, vocab)
        shown = attention_rollout(weights[:, example]) if rollout else weights[layer, example, head]
        predicted = probabilities.argmax(axis=1)
        self.attention.set_data(shown)
        self.probabilities.set_data(probabilities)

        labels, guesses = [str(t) for t in tokens], [str(p) for p in predicted]
        for texts, words in (
            (self.keys, labels),
            (self.queries, labels),
            (self.predicted, guesses),
        ):
            for text, word in zip(texts, words):
                text.set_text(word)
        self.left.set_xticklabels(labels)  # transparent: for whoever reads the figure's ticks
        self.left.set_yticklabels(labels)
        self.right.set_yticklabels(guesses)
        what = "rollout over all layers" if rollout else f"layer {layer}, head {head}"
        self.title.set_text(f"attention: {what}" + (" (causal)" if causal else ""))
        correct = int(np.sum(predicted == np.sort(tokens)))
        self.suptitle.set_text(
            f"input {' '.join(labels)}  ->  {' '.join(guesses)} "
            f"({correct}/{len(tokens)} match the sorted sequence)"
        )
        return self


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
    heatmap = AttentionHeatmap(params, tokens[None], n_heads=n_heads, pos=pos)
    return heatmap.update(0, layer, head, causal, rollout).figure


def _power_of_two_at_or_above(value):
    """The smallest ``2**k >= value`` (value >= 1): a ladder for sizes that double."""
    return 1 << (int(value) - 1).bit_length()


@cache
def _lowest_similarity(d_top, positions_top):
    """The lowest ``PE[p] . PE[q]`` over every d_model in ``d_top/2 < d <= d_top`` and
    every ``|p - q| < positions_top``: the bottom that a slider in that ladder cell can reach
    (the product depends only on ``q - p``, and is even in it)."""
    lowest = 0.0
    for d in range(max(2, d_top // 2 + 1), d_top + 1):
        pe = sinusoidal_pe(positions_top, d)  # (positions_top, d)
        lowest = min(lowest, float((pe @ pe[0]).min()))
    return lowest


class PositionalEncoding(LiveFigure):
    """Module 13's sinusoidal positional encoding, redrawn in place (see
    :func:`draw_positional_encoding`). Fixed: the three panels, their labels, the columns
    panel's y range. Moving: the table image (``set_data`` and ``set_extent``, colours
    fixed at -1 .. 1) and its line at ``pos``, the four column curves (a fourth is empty
    where d/2 = d - 2), the similarity curve and its point, the titles.

    Limits, steady on a ladder of powers of two: with ``D = 2**k >= d_model`` and
    ``P = 2**k >= max_pos``, the table shows columns ``-0.5 .. D - 0.5`` and positions
    ``-0.5 .. P - 0.5``; both curve panels' x is ``-0.03 P .. P`` (ticks every quarter of
    D or P, set with the limits); the columns' y is
    ``+-1.1``; the similarity's top is ``1.1 D / 2`` (the peak ``PE[pos] . PE[pos] = d/2``
    fills over 45 % of it), its bottom the lowest product any d_model and distance of the
    ladder cell reach (:func:`_lowest_similarity`), rounded down to a tenth of the top
    with room to spare. ``pos`` never moves a limit.
    """

    def __init__(self):
        fig, (table, columns, similarity) = new_figure(
            ncols=3, width=3.4, height=3.3, top=0.82, bottom=0.16
        )
        self.image = table.imshow(
            np.zeros((1, 1)), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
        )
        self.row = table.axhline(0, color="k", lw=1)
        table.set_xlabel("encoding column j")
        table.set_ylabel("position p")
        table.set_title("PE[p, j]", fontsize=10)
        table.grid(False)

        self.curves = [columns.plot([], [], lw=1.2, label=f"column {i}")[0] for i in range(4)]
        self.column_pos = columns.axvline(0, color="k", lw=0.8, ls=":")
        columns.set_xlabel("position p")
        columns.set_ylabel("PE[p, j]")
        columns.set_ylim(-1.1, 1.1)
        self.columns_title = columns.set_title("", fontsize=10)  # no legend: fast

        (self.dots,) = similarity.plot([], [], color="C3", lw=1.5)
        (self.point,) = similarity.plot([], [], "o", color="k")
        similarity.set_xlabel("position q")
        similarity.set_ylabel("PE[pos] . PE[q]")
        self.similarity_title = similarity.set_title("", fontsize=10)
        self.suptitle = fig.suptitle("", fontsize=11)
        self.table, self.columns, self.similarity = table, columns, similarity
        moving = [self.image, self.row, *self.curves, self.column_pos, self.dots, self.point]
        moving += [self.columns_title, self.similarity_title, self.suptitle]
        super().__init__(fig, moving)

    def update(self, d_model=32, max_pos=64, pos=10):
        if not (2 <= d_model <= 256 and 2 <= max_pos <= 512):
            raise ValueError(
                f"d_model must be in 2..256 and max_pos in 2..512, got {d_model}, {max_pos}"
            )
        if not 0 <= pos < max_pos:
            raise ValueError(f"pos must be in 0..{max_pos - 1}, got {pos}")
        pe = sinusoidal_pe(max_pos, d_model)  # (max_pos, d_model)
        self.image.set_data(pe)
        self.image.set_extent((-0.5, d_model - 0.5, max_pos - 0.5, -0.5))
        self.row.set_ydata([pos, pos])

        positions = np.arange(max_pos)
        shown = sorted({0, 1, d_model // 2, d_model - 2})
        for i, curve in enumerate(self.curves):
            if i < len(shown):
                curve.set_data(positions, pe[:, shown[i]])
                curve.set_label(f"column {shown[i]}")
            else:
                curve.set_data([], [])
        self.column_pos.set_xdata([pos, pos])
        self.columns_title.set_text(f"columns {', '.join(map(str, shown))}")

        dots = pe @ pe[pos]  # (max_pos,)
        self.dots.set_data(positions, dots)
        self.point.set_data([pos], [dots[pos]])
        self.similarity_title.set_text(f"similarity to position {pos}")
        self.suptitle.set_text(f"Sinusoidal positional encoding, d_model = {d_model}")
        self._set_limits(d_model, max_pos)
        return self

    def _set_limits(self, d_model, max_pos):
        """The steady limits of the class docstring."""
        d_top = _power_of_two_at_or_above(d_model)
        positions_top = _power_of_two_at_or_above(max_pos)
        self.table.set_xlim(-0.5, d_top - 0.5)
        self.table.set_ylim(positions_top - 0.5, -0.5)
        self.table.xaxis.set_major_locator(MultipleLocator(max(1, d_top // 4)))
        self.table.yaxis.set_major_locator(MultipleLocator(max(1, positions_top // 4)))
        for ax in (self.columns, self.similarity):
            ax.set_xlim(-0.03 * positions_top, positions_top)
            ax.xaxis.set_major_locator(MultipleLocator(max(1, positions_top // 4)))
        top = 1.1 * d_top / 2
        lowest = _lowest_similarity(d_top, positions_top)
        self.similarity.set_ylim(-0.1 * top * np.ceil(0.5 - 10 * lowest / top), top)


def draw_positional_encoding(d_model=32, max_pos=64, pos=10):
    """The sinusoidal encoding: its table, a few columns over positions, and similarities.

    Left: ``PE[p, j]`` for positions p < max_pos and columns j < d_model (sin in even
    columns, cos in odd ones; the frequency falls along the columns). Middle: columns 0, 1,
    d/2 and d - 2 against the position (fast and slow waves). Right: the dot product
    ``PE[pos] . PE[q]`` against q: largest at q = pos and falling off with the distance,
    the same shape wherever pos is (it depends only on q - pos).
    """
    return PositionalEncoding().update(d_model, max_pos, pos).figure


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


class SoftmaxSaturation(LiveFigure):
    """Module 13's scaled-softmax demonstration, redrawn in place (see
    :func:`draw_softmax_temperature`). Fixed: both panels, the two entropy curves
    (computed once), the uniform line and the legend. Moving: the 16 bars of one
    query's weights, the ring on the entropy curve at this d_k, the left title.

    Limits: fixed, a weight in 0 .. 1; the entropy panel's x spans the grid's
    log2 d_k = 0 .. 9 with a margin and its y 0 .. 3 (uniform is ln 16 = 2.77), so no move
    renders the static part again.
    """

    def __init__(self):
        entropies = _entropies()
        fig, (left, right) = new_figure(ncols=2, width=4.0, height=3.4, top=0.82, bottom=0.16)
        self.bars = list(left.bar(np.arange(N_KEYS), np.zeros(N_KEYS), color="C0"))
        left.set_xlim(-1, N_KEYS)
        left.set_ylim(0, 1)
        left.set_xlabel("key index")
        left.set_ylabel("attention weight")
        self.title = left.set_title("", fontsize=10)

        self.x = np.log2(D_K_GRID)
        right.plot(self.x, entropies[True], "o-", color="C2", label="scaled by 1/sqrt(d_k)")
        right.plot(self.x, entropies[False], "s-", color="C3", label="unscaled")
        right.axhline(np.log(N_KEYS), color="0.5", ls=":", lw=1, label="uniform")
        (self.ring,) = right.plot([], [], "o", color="k", ms=8, mfc="none")
        right.set_xlim(-0.5, self.x[-1] + 0.5)
        right.set_ylim(0, 3.0)
        right.set_xlabel("log2 of the key size d_k")
        right.set_ylabel("mean row entropy (nats)")
        right.set_title("entropy of the attention rows", fontsize=10)
        right.legend(fontsize=7, loc="lower left")
        fig.suptitle("Softmax saturation without the 1/sqrt(d_k) scale", fontsize=11)
        self.entropies = entropies
        super().__init__(fig, [*self.bars, self.ring, self.title])

    def update(self, d_k=64, scaled=True):
        if d_k not in D_K_GRID:
            raise ValueError(f"d_k must be one of {D_K_GRID}, got {d_k}")
        rng = np.random.default_rng(d_k)
        q, k = rng.normal(size=d_k), rng.normal(size=(N_KEYS, d_k))
        weights = softmax(k @ q / (np.sqrt(d_k) if scaled else 1.0))
        for bar, weight in zip(self.bars, weights):
            bar.set_height(weight)
        index = D_K_GRID.index(d_k)
        self.ring.set_data([self.x[index]], [self.entropies[bool(scaled)][index]])
        self.title.set_text(f"one query, d_k = {d_k}, {'scaled' if scaled else 'unscaled'}")
        return self


def draw_softmax_temperature(d_k=64, scaled=True):
    """Why the scores are divided by sqrt(d_k): the softmax saturates otherwise.

    For random q, k ~ N(0, I) the score q . k has variance d_k. Left: the weights of one
    query over 16 keys at this d_k, scaled by 1/sqrt(d_k) or not. Right: the mean entropy
    of such rows against d_k (ln 16 = 2.77 nats is uniform, 0 is one-hot); unscaled,
    it collapses towards one-hot as d_k grows, and the gradient through a one-hot softmax
    vanishes.
    """
    return SoftmaxSaturation().update(d_k, scaled).figure


__all__ = [
    "AttentionHeatmap",
    "PositionalEncoding",
    "SoftmaxSaturation",
    "draw_attention_heatmap",
    "draw_positional_encoding",
    "draw_softmax_temperature",
]
