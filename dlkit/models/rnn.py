"""Recurrent models in torch: a sequence model and a GRU encoder-decoder (seq2seq).

- :class:`SequenceModel` (:class:`RNNConfig`): ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` over
  inputs (B, T, d) followed by a linear head, on the last step (``head="last"``: one
  output per sequence, as for the adding problem) or on every step (``head="all"``).
  ``to_numpy_params()`` gives the weights in the course's numpy layout of
  :mod:`dlkit.nn.recurrent`, so numpy code (a check, a widget) can run the same model.
- :class:`Seq2Seq` (:class:`Seq2SeqConfig`): a GRU encoder and a GRU decoder, with or
  without additive (Bahdanau) attention; trained with teacher forcing
  (:func:`teacher_forcing_loss` as ``dk.train.fit``'s ``step``), decoded greedily or by
  beam search.

torch's LSTM keeps its gate blocks in the order **i, f, g, o**, stores ``weight_ih``
(4h, d) and ``weight_hh`` (4h, h) as (out, in), and adds two biases; the course uses one
matrix W (h + d, 4h) on ``[h, x]`` with blocks **f, i, g, o** and one bias:
:func:`lstm_to_course` and :func:`course_to_lstm` convert.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlkit.nn.recurrent import beam_decode
from dlkit.train import sequence_cross_entropy

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
HEADS = ("last", "all")


def _positive(value, name, owner):
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}")


@dataclass(frozen=True)
class RNNConfig:
    """Shape of a :class:`SequenceModel`.

    cell: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``; input_size: features per step d;
    hidden: state width h; layers: stacked recurrent layers; bidirectional: run a second
    RNN backwards and concatenate (2h features); dropout: between stacked layers (torch
    applies it only when layers > 1); output_size: width of the linear head; head:
    ``"last"`` reads the final state (B, output_size), ``"all"`` every step (B, T, output_size).
    """

    cell: str = "lstm"
    input_size: int = 2
    hidden: int = 32
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    output_size: int = 1
    head: str = "last"

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(
                f"RNNConfig: unknown cell {self.cell!r}; choose one of {sorted(CELLS)}"
            )
        if self.head not in HEADS:
            raise ValueError(f"RNNConfig: unknown head {self.head!r}; choose one of {HEADS}")
        for name in ("input_size", "hidden", "layers", "output_size"):
            _positive(getattr(self, name), name, "RNNConfig")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"RNNConfig: dropout must be in [0, 1), got {self.dropout}")


def lstm_to_course(weight_ih, weight_hh, bias_ih, bias_hh):
    """torch's LSTM weights -> the course's ``(W, b)``, as float64 numpy arrays.

    weight_ih (4h, d) and weight_hh (4h, h) with row blocks i, f, g, o; two biases (4h,).
    Returns W (h + d, 4h) acting on ``[h, x]`` with column blocks f, i, g, o, and
    b = bias_ih + bias_hh (4h,).
    """
    weight_ih, weight_hh, bias_ih, bias_hh = (
        np.asarray(t.detach().cpu().double() if torch.is_tensor(t) else t, dtype=float)
        for t in (weight_ih, weight_hh, bias_ih, bias_hh)
    )
    hidden = weight_hh.shape[1]
    if weight_ih.shape[0] != 4 * hidden or weight_hh.shape != (4 * hidden, hidden):
        raise ValueError(
            f"lstm_to_course: expected weight_ih (4h, d) and weight_hh (4h, h), got "
            f"{weight_ih.shape} and {weight_hh.shape}"
        )
    order = _torch_to_course_order(hidden)
    W = np.concatenate([weight_hh, weight_ih], axis=1)[order].T  # (4h, h + d) -> (h + d, 4h)
    return W, (bias_ih + bias_hh)[order]


def _torch_to_course_order(hidden):
    """Row indices that turn torch's blocks (i, f, g, o) into the course's (f, i, g, o)."""
    blocks = [np.arange(k * hidden, (k + 1) * hidden) for k in range(4)]  # i, f, g, o
    return np.concatenate([blocks[1], blocks[0], blocks[2], blocks[3]])


def course_to_lstm(W, b):
    """The course's ``(W (h + d, 4h), b (4h,))`` -> torch's ``(weight_ih, weight_hh,
    bias_ih, bias_hh)`` as numpy arrays (bias_hh zero): the inverse of :func:`lstm_to_course`.
    """
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or W.shape[1] % 4 or b.shape != (W.shape[1],):
        raise ValueError(
            f"course_to_lstm: expected W (h + d, 4h) and b (4h,), got {W.shape}, {b.shape}"
        )
    hidden = W.shape[1] // 4
    order = np.argsort(_torch_to_course_order(hidden))  # course blocks -> torch blocks
    rows = W.T[order]  # (4h, h + d), torch's row order
    return rows[:, hidden:], rows[:, :hidden], b[order], np.zeros_like(b)


class SequenceModel(nn.Module):
    """A recurrent layer (stack) and a linear head: (B, T, d) -> (B, out) or (B, T, out).

    ``SequenceModel(RNNConfig(cell="lstm", input_size=2, hidden=32))`` or the same as
    keyword overrides. With ``head="last"`` a bidirectional model reads the forward
    direction's last state and the backward direction's state at t = 1 (its last).
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = RNNConfig(**overrides)
        elif overrides:
            raise ValueError("SequenceModel: pass either a config or keyword overrides, not both")
        self.config = config
        options = {"nonlinearity": "tanh"} if config.cell == "rnn" else {}
        self.rnn = CELLS[config.cell](
            config.input_size,
            config.hidden,
            num_layers=config.layers,
            bidirectional=config.bidirectional,
            dropout=config.dropout if config.layers > 1 else 0.0,
            batch_first=True,
            **options,
        )
        directions = 2 if config.bidirectional else 1
        self.head = nn.Linear(directions * config.hidden, config.output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (B, T, directions * h)
        if self.config.head == "all":
            return self.head(out)  # (B, T, output_size)
        if self.config.bidirectional:
            h = self.config.hidden
            last = torch.cat([out[:, -1, :h], out[:, 0, h:]], dim=1)  # (B, 2h)
        else:
            last = out[:, -1]  # (B, h)
        return self.head(last)  # (B, output_size)

    def to_numpy_params(self):
        """The weights in the course's numpy layout (one layer, one direction), float64.

        lstm: ``{"W": (h + d, 4h), "b": (4h,), ...}`` (:func:`lstm_to_course`);
        gru: ``{"Wx": (d, 3h), "Wh": (h, 3h), "bx", "bh"}`` (blocks r, z, n, torch convention);
        rnn: ``{"Wxh": (d, h), "Whh": (h, h), "b": (h,)}`` (b = bias_ih + bias_hh);
        plus the head ``"W_out"`` (h, output_size) and ``"b_out"`` (output_size,).
        """
        if self.config.layers != 1 or self.config.bidirectional:
            raise ValueError(
                "to_numpy_params: the numpy layout covers one layer in one direction; "
                f"this model has layers={self.config.layers}, "
                f"bidirectional={self.config.bidirectional}"
            )
        weights = {
            name: getattr(self.rnn, f"{name}_l0").detach().cpu().double().numpy()
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        }
        if self.config.cell == "lstm":
            W, b = lstm_to_course(*weights.values())
            params = {"W": W, "b": b}
        elif self.config.cell == "gru":
            params = {
                "Wx": weights["weight_ih"].T.copy(),  # (3h, d) -> (d, 3h)
                "Wh": weights["weight_hh"].T.copy(),  # (3h, h) -> (h, 3h)
                "bx": weights["bias_ih"],
                "bh": weights["bias_hh"],
            }
        else:
            params = {
                "Wxh": weights["weight_ih"].T.copy(),
                "Whh": weights["weight_hh"].T.copy(),
                "b": weights["bias_ih"] + weights["bias_hh"],
            }
        params["W_out"] = self.head.weight.detach().cpu().double().numpy().T.copy()
        params["b_out"] = self.head.bias.detach().cpu().double().numpy().copy()
        return params


# ---------------------------------------------------------------------------
# Sequence to sequence
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seq2SeqConfig:
    """Shape of a :class:`Seq2Seq`: vocab (tokens 0..vocab-1, 0 usually BOS), embed
    (embedding width), hidden (GRU state width), attention (additive attention of the
    decoder over the encoder's states), attention_size (width a of its hidden layer)."""

    vocab: int = 10
    embed: int = 32
    hidden: int = 64
    attention: bool = True
    attention_size: int = 32

    def __post_init__(self):
        for name in ("vocab", "embed", "hidden", "attention_size"):
            _positive(getattr(self, name), name, "Seq2SeqConfig")


def shift_right(targets, bos=0):
    """Teacher forcing's decoder input: ``[bos, y_1, ..., y_{T-1}]`` from targets (B, T)."""
    start = torch.full_like(targets[:, :1], bos)
    return torch.cat([start, targets[:, :-1]], dim=1)  # (B, T)


class Seq2Seq(nn.Module):
    """A GRU encoder-decoder; with ``attention`` the decoder attends additively.

    Encoder: embedding, then a GRU over the source (B, S) -> states h_1..h_S (B, S, H);
    the decoder starts from h_S. Decoder step t reads the previous token y_{t-1}; with
    attention it also reads the context ``c_t = sum_i alpha_ti h_i`` with
    ``alpha_t = softmax_i(v . tanh(W_s s_{t-1} + W_h h_i))`` (eq 10.19-10.21), and its
    output layer sees ``[s_t, c_t]``. ``forward(src, tgt_in)`` returns the logits
    (B, T, vocab) under teacher forcing.
    """

    def __init__(self, config=None, **overrides):
        super().__init__()
        if config is None:
            config = Seq2SeqConfig(**overrides)
        elif overrides:
            raise ValueError("Seq2Seq: pass either a config or keyword overrides, not both")
        self.config = config
        V, E, H, A = config.vocab, config.embed, config.hidden, config.attention_size
        self.embed_src = nn.Embedding(V, E)
        self.encoder = nn.GRU(E, H, batch_first=True)
        self.embed_tgt = nn.Embedding(V, E)
        context = H if config.attention else 0
        self.decoder = nn.GRUCell(E + context, H)
        if config.attention:
            self.W_s = nn.Linear(H, A, bias=False)
            self.W_h = nn.Linear(H, A, bias=False)
            self.v = nn.Linear(A, 1, bias=False)
        self.out = nn.Linear(H + context, V)

    def _device(self):
        return next(self.parameters()).device

    def encode(self, src):
        """Encoder states (B, S, H), their attention projections (B, S, A) and h_S (B, H)."""
        states, last = self.encoder(self.embed_src(src))
        keys = self.W_h(states) if self.config.attention else None
        return states, keys, last[0]

    def step(self, token, s, states, keys):
        """One decoder step: ``(logits (B, V), new state (B, H), alpha (B, S) or None)``."""
        x = self.embed_tgt(token)  # (B, E)
        alpha = None
        if self.config.attention:
            scores = self.v(torch.tanh(self.W_s(s)[:, None, :] + keys)).squeeze(-1)  # (B, S)
            alpha = torch.softmax(scores, dim=1)
            context = torch.bmm(alpha[:, None, :], states)[:, 0]  # (B, 1, S) @ (B, S, H)
            x = torch.cat([x, context], dim=1)
        s = self.decoder(x, s)
        features = torch.cat([s, context], dim=1) if self.config.attention else s
        return self.out(features), s, alpha

    def forward(self, src, tgt_in):
        states, keys, s = self.encode(src)
        logits = []
        for t in range(tgt_in.shape[1]):
            step_logits, s, _ = self.step(tgt_in[:, t], s, states, keys)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)  # (B, T, V)

    @torch.no_grad()
    def attention_weights(self, src, tgt_in):
        """alpha (B, T, S) under teacher forcing, as numpy (needs ``attention=True``)."""
        if not self.config.attention:
            raise ValueError("attention_weights: this Seq2Seq was built with attention=False")
        self.eval()
        src, tgt_in = (torch.as_tensor(a, device=self._device()) for a in (src, tgt_in))
        states, keys, s = self.encode(src)
        weights = []
        for t in range(tgt_in.shape[1]):
            _, s, alpha = self.step(tgt_in[:, t], s, states, keys)
            weights.append(alpha)
        return torch.stack(weights, dim=1).float().cpu().numpy()

    @torch.no_grad()
    def greedy_decode(self, src, length, bos=0):
        """Feed back the most probable token at every step: tokens (B, length), int64 numpy."""
        self.eval()
        src = torch.as_tensor(src, device=self._device())
        states, keys, s = self.encode(src)
        token = torch.full((len(src),), bos, dtype=torch.long, device=src.device)
        out = []
        for _ in range(length):
            logits, s, _ = self.step(token, s, states, keys)
            token = logits.argmax(dim=1)
            out.append(token)
        return torch.stack(out, dim=1).cpu().numpy()

    @torch.no_grad()
    def beam_search(self, src, length, beam_width, bos=0, eos=None):
        """Beam search for one source sequence (S,): ``(tokens, total log-probability)``.

        The rules of :func:`dlkit.nn.recurrent.beam_decode`; each prefix is re-decoded
        from the start, which is cheap for short outputs.
        """
        self.eval()
        src = torch.as_tensor(src, device=self._device())[None]  # (1, S)
        states, keys, s0 = self.encode(src)

        def next_log_probs(prefixes):
            k = len(prefixes)
            ends = torch.tensor([len(p) for p in prefixes], device=src.device)
            width = int(ends.max()) + 1
            tokens = torch.full((k, width), bos, dtype=torch.long, device=src.device)
            for row, prefix in enumerate(prefixes):
                tokens[row, 1 : len(prefix) + 1] = torch.tensor(prefix, dtype=torch.long)
            s = s0.expand(k, -1)
            S = states.expand(k, -1, -1)
            K = keys.expand(k, -1, -1) if keys is not None else None
            last = torch.empty(k, self.config.vocab, device=src.device)
            for t in range(width):
                logits, s, _ = self.step(tokens[:, t], s, S, K)
                done = ends == t
                last[done] = logits[done]
            return torch.log_softmax(last.float(), dim=1).cpu().numpy()

        return beam_decode(next_log_probs, length, beam_width, eos)


def teacher_forcing_loss(model, batch, bos=0):
    """``dk.train.fit``'s ``step`` for a :class:`Seq2Seq`: batch ``(src, tgt)`` -> the mean
    token cross-entropy of ``model(src, shift_right(tgt, bos))`` against tgt (unshifted)."""
    src, tgt = batch
    return sequence_cross_entropy(model(src, shift_right(tgt, bos)), tgt)
