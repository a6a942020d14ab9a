"""The module-12 checks: the references and realistic mistakes.

The table is run by tests/autograder/checks/test_contract.py. The training reference is
cached per (seed, steps): the mutants that start from a trained network reuse it, so
the contract trains the adding-problem LSTM once per worker, not once per row.
"""

from contextlib import contextmanager
from functools import cache

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import nn
from dlkit.nn import recurrent

pytestmark = pytest.mark.usefixtures("one_thread")


# ---------------------------------------------------------------------------
# Reference solutions (signatures as in the notebook, built on dlkit)
# ---------------------------------------------------------------------------


def rnn_bptt_ref(X, Y, h0, Wxh, Whh, b, Why, by):
    return nn.rnn_bptt(X, Y, h0, Wxh, Whh, b, Why, by)[1]


def truncated_bptt_ref(X, Y, h0, Wxh, Whh, b, Why, by, k):
    grads = nn.truncated_bptt(X, Y, h0, Wxh, Whh, b, Why, by, k)[1]
    return {key: grads[key] for key in ("Wxh", "Whh", "b", "Why", "by")}


@contextmanager
def one_torch_thread():
    """One torch thread, as in the grading kernels (OMP_NUM_THREADS=1): the contract test
    calls these references outside this module's one_thread fixture, and a 2-thread LSTM
    on a busy 2-core machine is many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@cache
def _trained(seed, steps):
    X, y = dk.data.adding_problem(64 * steps, T=50, seed=seed)
    torch.manual_seed(seed)
    model = dk.models.SequenceModel(dk.models.RNNConfig(cell="lstm", input_size=2, hidden=32))
    with one_torch_thread():
        dk.train.fit(
            model,
            (X, y),
            loss_fn=torch.nn.MSELoss(),
            optimizer=lambda params: torch.optim.Adam(params, lr=1e-2),
            epochs=1,
            batch_size=64,
            clip_grad_norm=1.0,
            seed=seed,
            progress=False,
        )
    return model.to_numpy_params()


def train_adding_lstm_ref(seed, steps=1000):
    return {key: value.copy() for key, value in _trained(seed, steps).items()}


REFERENCES = {
    "rnn_forward": (nn.rnn_forward,),
    "rnn_bptt": (rnn_bptt_ref,),
    "jacobian_norms": (nn.hidden_jacobian_norms,),
    "truncated_bptt": (truncated_bptt_ref,),
    "lstm_cell": (nn.lstm_cell,),
    "gru_cell": (nn.gru_cell,),
    "param_count": (nn.rnn_param_count,),
    "birnn_forward": (nn.birnn_forward,),
    "decoder_inputs": (nn.decoder_inputs,),
    "beam_search": (nn.beam_search,),
    "additive_attention": (nn.additive_attention,),
    "train_adding": (train_adding_lstm_ref,),
}


# ---------------------------------------------------------------------------
# Alternatives: other correct answers
# ---------------------------------------------------------------------------


def _forward_numpy(X, h0, Wxh, Whh, b):
    H, h = [], h0
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ Wxh + h @ Whh + b)
        H.append(h)
    return np.stack(H, axis=1)


def truncated_by_chunks_of_own_bptt(X, Y, h0, Wxh, Whh, b, Why, by, k):
    """The notebook's hint: a (numpy) full BPTT on each chunk from the carried state."""
    total, h = None, h0
    for start in range(0, X.shape[1], k):
        chunk = slice(start, start + k)
        part = _bptt_with(X[:, chunk], Y[:, chunk], h, Wxh, Whh, b, Why, by)
        part.pop("h0")
        total = part if total is None else {key: total[key] + part[key] for key in part}
        h = _forward_numpy(X[:, chunk], h, Wxh, Whh, b)[:, -1]
    return total


def beam_search_with_heap(log_probs, bos, max_len, beam_width, eos=None):
    """Candidates pruned per hypothesis first (top beam_width of each), then globally:
    the same kept set, since every global top-k candidate is in its parent's top k."""
    import heapq

    beam, finished = [((), 0.0)], []
    for _ in range(max_len):
        candidates = []
        for tokens, total in beam:
            a, b = ((bos, bos) + tokens)[-2:]
            row = log_probs[a, b]
            for c in np.argsort(-row, kind="stable")[:beam_width]:
                candidates.append((tokens + (int(c),), total + row[c]))
        kept = heapq.nlargest(beam_width, candidates, key=lambda item: item[1])
        beam = [item for item in kept if eos is None or item[0][-1] != eos]
        finished += [item for item in kept if eos is not None and item[0][-1] == eos]
        if not beam:
            break
    tokens, total = max(finished + beam, key=lambda item: item[1] / len(item[0]))
    return np.array(tokens), total


def decoder_inputs_with_roll(targets, bos):
    shifted = np.roll(targets, 1, axis=1)
    shifted[:, 0] = bos
    return shifted


ALTERNATIVES = [
    ("truncated_bptt", (truncated_by_chunks_of_own_bptt,)),
    ("beam_search", (beam_search_with_heap,)),
    ("decoder_inputs", (decoder_inputs_with_roll,)),
]


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def forward_returns_h0_first(X, h0, Wxh, Whh, b):
    H = nn.rnn_forward(X, h0, Wxh, Whh, b)
    return np.concatenate([h0[:, None], H[:, :-1]], axis=1)


def forward_from_zeros(X, h0, Wxh, Whh, b):
    return nn.rnn_forward(X, None, Wxh, Whh, b)


def forward_time_axis_zero(X, h0, Wxh, Whh, b):
    H, h = [], h0
    for t in range(X.shape[0]):
        h = np.tanh(X[t] @ Wxh + h @ Whh + b)
        H.append(h)
    return np.stack(H, axis=1)


def forward_swapped_weights(X, h0, Wxh, Whh, b):
    return nn.rnn_forward(X, h0, Whh, Wxh, b)


def _bptt_with(X, Y, h0, Wxh, Whh, b, Why, by, recurrent_term=True, h0_term=True, tanh_of="h"):
    """A hand-written BPTT with one of the classic mistakes switched on."""
    n, steps, _ = X.shape
    pre, H, h = [], [], h0
    for t in range(steps):
        pre.append(X[:, t] @ Wxh + h @ Whh + b)
        h = np.tanh(pre[-1])
        H.append(h)
    dY = (np.stack([h @ Why + by for h in H], axis=1) - Y) / n
    grads = {"Wxh": 0.0, "Whh": 0.0, "b": 0.0}
    grads["Why"] = sum(H[t].T @ dY[:, t] for t in range(steps))
    grads["by"] = dY.sum(axis=(0, 1))
    delta_next = np.zeros_like(h0)
    for t in reversed(range(steps)):
        delta = dY[:, t] @ Why.T + (delta_next if recurrent_term else 0.0)
        a = delta * (1 - (H[t] if tanh_of == "h" else pre[t]) ** 2)
        h_prev = H[t - 1] if t > 0 else (h0 if h0_term else np.zeros_like(h0))
        grads["Wxh"] = grads["Wxh"] + X[:, t].T @ a
        grads["Whh"] = grads["Whh"] + h_prev.T @ a
        grads["b"] = grads["b"] + a.sum(axis=0)
        delta_next = a @ Whh.T
    grads["h0"] = delta_next if h0_term else np.zeros_like(h0)
    return grads


def bptt_without_recurrent_term(*args):
    return _bptt_with(*args, recurrent_term=False)


def bptt_forgets_h0(*args):
    return _bptt_with(*args, h0_term=False)


def bptt_tanh_grad_of_preactivation(*args):
    return _bptt_with(*args, tanh_of="pre")


def bptt_returns_a_tuple(*args):
    return tuple(rnn_bptt_ref(*args).values())


def jacobian_left_products(Whh, H):
    norms, product = np.empty(len(H)), np.eye(H.shape[1])
    for k in reversed(range(len(H))):
        product = ((1 - H[k] ** 2)[:, None] * Whh.T) @ product
        norms[k] = np.linalg.norm(product, 2)
    return norms


def jacobian_without_diag(Whh, H):
    return np.array(
        [np.linalg.norm(np.linalg.matrix_power(Whh.T, len(H) - k), 2) for k in range(len(H))]
    )


def jacobian_frobenius(Whh, H):
    norms, product = np.empty(len(H)), np.eye(H.shape[1])
    for k in reversed(range(len(H))):
        product = product @ ((1 - H[k] ** 2)[:, None] * Whh.T)
        norms[k] = np.linalg.norm(product)
    return norms


def jacobian_W_not_transposed(Whh, H):
    return nn.hidden_jacobian_norms(Whh.T, H)


def truncated_never_detached(X, Y, h0, Wxh, Whh, b, Why, by, k):
    grads = rnn_bptt_ref(X, Y, h0, Wxh, Whh, b, Why, by)
    grads.pop("h0")
    return grads


def truncated_resets_state(X, Y, h0, Wxh, Whh, b, Why, by, k):
    total, h = None, h0
    for start in range(0, X.shape[1], k):
        chunk = slice(start, start + k)
        part = rnn_bptt_ref(X[:, chunk], Y[:, chunk], h, Wxh, Whh, b, Why, by)
        part.pop("h0")
        total = part if total is None else {key: total[key] + part[key] for key in part}
        h = np.zeros_like(h0)  # "detach" done as a reset
    return total


def truncated_chunks_off_by_one(X, Y, h0, Wxh, Whh, b, Why, by, k):
    return truncated_bptt_ref(X, Y, h0, Wxh, Whh, b, Why, by, k + 1)


def _lstm_reordered(x, h, c, W, b, order):
    k = h.shape[1]
    blocks = dict(zip(order, np.split(np.concatenate([h, x], axis=1) @ W + b, 4, axis=1)))
    f, i, o = (nn.sigmoid(blocks[g]) for g in "fio")
    c_new = f * c + i * np.tanh(blocks["g"])
    del k
    return o * np.tanh(c_new), c_new


def lstm_torch_gate_order(x, h, c, W, b):
    return _lstm_reordered(x, h, c, W, b, "ifgo")


def lstm_without_cell_tanh(x, h, c, W, b):
    _, c_new = nn.lstm_cell(x, h, c, W, b)
    k = h.shape[1]
    o = nn.sigmoid((np.concatenate([h, x], axis=1) @ W + b)[:, 3 * k :])
    return o * c_new, c_new


def lstm_sigmoid_candidate(x, h, c, W, b):
    k = h.shape[1]
    z = np.concatenate([h, x], axis=1) @ W + b
    f, i, g, o = (nn.sigmoid(z[:, j * k : (j + 1) * k]) for j in range(4))
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def lstm_x_first(x, h, c, W, b):
    k = h.shape[1]
    z = np.concatenate([x, h], axis=1) @ W + b
    f, i, o = (nn.sigmoid(z[:, j * k : (j + 1) * k]) for j in (0, 1, 3))
    c_new = f * c + i * np.tanh(z[:, 2 * k : 3 * k])
    return o * np.tanh(c_new), c_new


def lstm_returns_h_only(x, h, c, W, b):
    return nn.lstm_cell(x, h, c, W, b)[0]


def gru_ignores_convention(x, h, params, convention="book"):
    return nn.gru_cell(x, h, params, "book")


def gru_always_torch(x, h, params, convention="book"):
    return nn.gru_cell(x, h, params, "torch")


def gru_book_with_torch_mixing(x, h, params, convention="book"):
    if convention == "torch":
        return nn.gru_cell(x, h, params, "torch")
    k = h.shape[1]
    p = params
    ax, ah = x @ p["Wx"] + p["bx"], h @ p["Wh"] + p["bh"]
    r = nn.sigmoid(ax[:, :k] + ah[:, :k])
    z = nn.sigmoid(ax[:, k : 2 * k] + ah[:, k : 2 * k])
    n = np.tanh(ax[:, 2 * k :] + (r * h) @ p["Wh"][:, 2 * k :] + p["bh"][2 * k :])
    return (1 - z) * n + z * h  # torch's mixing in the book's equations


def gru_torch_bias_outside_reset(x, h, params, convention="book"):
    if convention == "book":
        return nn.gru_cell(x, h, params, "book")
    k = h.shape[1]
    p = params
    ax, ah = x @ p["Wx"] + p["bx"], h @ p["Wh"] + p["bh"]
    r = nn.sigmoid(ax[:, :k] + ah[:, :k])
    z = nn.sigmoid(ax[:, k : 2 * k] + ah[:, k : 2 * k])
    n = np.tanh(ax[:, 2 * k :] + r * (h @ p["Wh"][:, 2 * k :]) + p["bh"][2 * k :])
    return (1 - z) * n + z * h


def count_without_gates(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    return nn.rnn_param_count(d, h, "rnn", num_layers, bidirectional, torch_biases)


def count_one_bias(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    return nn.rnn_param_count(d, h, cell, num_layers, bidirectional, False)


def count_deep_layers_read_d(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    one = nn.rnn_param_count(d, h, cell, 1, bidirectional, torch_biases)
    return one * num_layers


def count_one_direction(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    return nn.rnn_param_count(d, h, cell, num_layers, False, torch_biases)


def count_as_float(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    return float(nn.rnn_param_count(d, h, cell, num_layers, bidirectional, torch_biases))


def _birnn_parts(X, fwd, bwd):
    forward = nn.rnn_forward(X, None, fwd["Wxh"], fwd["Whh"], fwd["b"])
    backward = nn.rnn_forward(X[:, ::-1], None, bwd["Wxh"], bwd["Whh"], bwd["b"])
    return forward, backward


def birnn_backward_not_flipped_back(X, fwd, bwd):
    forward, backward = _birnn_parts(X, fwd, bwd)
    return np.concatenate([forward, backward], axis=2)


def birnn_backward_first(X, fwd, bwd):
    forward, backward = _birnn_parts(X, fwd, bwd)
    return np.concatenate([backward[:, ::-1], forward], axis=2)


def birnn_backward_run_forwards(X, fwd, bwd):
    forward = nn.rnn_forward(X, None, fwd["Wxh"], fwd["Whh"], fwd["b"])
    return np.concatenate([forward, nn.rnn_forward(X, None, bwd["Wxh"], bwd["Whh"], bwd["b"])], 2)


def teacher_not_shifted(targets, bos):
    return np.array(targets)


def teacher_shift_left(targets, bos):
    return np.concatenate([targets[:, 1:], np.full((len(targets), 1), bos)], axis=1)


def teacher_drops_the_first(targets, bos):
    return np.concatenate([np.full((len(targets), 1), bos), targets[:, 1:]], axis=1)


def teacher_keeps_the_last(targets, bos):
    return np.concatenate([np.full((len(targets), 1), bos), targets], axis=1)


def teacher_in_place(targets, bos):
    targets[:, 1:] = targets[:, :-1].copy()
    targets[:, 0] = bos
    return targets


def beam_of_one(log_probs, bos, max_len, beam_width, eos=None):
    return nn.beam_search(log_probs, bos, max_len, 1, eos)


def beam_without_length_normalisation(log_probs, bos, max_len, beam_width, eos=None):
    step = recurrent.markov_next_log_probs(log_probs, bos)
    beam, finished = [((), 0.0)], []
    for _ in range(max_len):
        totals = np.array([t for _, t in beam])[:, None] + step([p for p, _ in beam])
        order = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
        rows, cols = np.unravel_index(order, totals.shape)
        kept = [(beam[r][0] + (int(c),), float(totals[r, c])) for r, c in zip(rows, cols)]
        beam = [item for item in kept if eos is None or item[0][-1] != eos]
        finished += [item for item in kept if eos is not None and item[0][-1] == eos]
        if not beam:
            break
    tokens, total = max(finished + beam, key=lambda item: item[1])  # raw totals
    return tokens, total


def beam_multiplies_probabilities(log_probs, bos, max_len, beam_width, eos=None):
    probs = np.exp(log_probs)
    beam, finished = [((), 1.0)], []
    for _ in range(max_len):
        candidates = []
        for tokens, p in beam:
            a, b = ((bos, bos) + tokens)[-2:]
            candidates += [(tokens + (c,), p * probs[a, b, c]) for c in range(len(probs))]
        kept = sorted(candidates, key=lambda item: -item[1])[:beam_width]
        beam = [item for item in kept if eos is None or item[0][-1] != eos]
        finished += [item for item in kept if eos is not None and item[0][-1] == eos]
        if not beam:
            break
    tokens, p = max(finished + beam, key=lambda item: item[1] ** (1 / len(item[0])))
    return list(tokens), float(np.log(p))


def beam_returns_mean_score(log_probs, bos, max_len, beam_width, eos=None):
    tokens, total = nn.beam_search(log_probs, bos, max_len, beam_width, eos)
    return tokens, total / len(tokens)


def beam_never_pruned(log_probs, bos, max_len, beam_width, eos=None):
    return nn.beam_search(log_probs, bos, max_len, 10**6, eos)


def attention_softmax_over_batch(s, H, Ws, Wh, v, mask=None):
    scores = np.tanh((s @ Ws)[:, None, :] + H @ Wh) @ v
    alpha = np.exp(scores - scores.max(axis=0)) / np.exp(scores - scores.max(axis=0)).sum(0)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def attention_without_tanh(s, H, Ws, Wh, v, mask=None):
    scores = ((s @ Ws)[:, None, :] + H @ Wh) @ v
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    alpha = np.exp(scores - scores.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def attention_ignores_mask(s, H, Ws, Wh, v, mask=None):
    return nn.additive_attention(s, H, Ws, Wh, v)


def attention_masks_after_softmax(s, H, Ws, Wh, v, mask=None):
    _, alpha = nn.additive_attention(s, H, Ws, Wh, v)
    if mask is not None:
        alpha = np.where(mask, alpha, 0.0)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def attention_inverted_mask(s, H, Ws, Wh, v, mask=None):
    scores = np.tanh((s @ Ws)[:, None, :] + H @ Wh) @ v
    if mask is not None:
        scores = np.where(mask, -np.inf, scores)  # True taken as padding
    alpha = np.exp(scores - scores.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def train_in_torch_gate_order(seed, steps=1000):
    params = train_adding_lstm_ref(seed, steps)
    k = 32
    torch_order = np.r_[k : 2 * k, 0:k, 2 * k : 4 * k]  # as if W kept torch's i, f, g, o
    return {**params, "W": params["W"][:, torch_order], "b": params["b"][torch_order]}


def train_rows_x_first(seed, steps=1000):
    params = train_adding_lstm_ref(seed, steps)
    W = params["W"]
    return {**params, "W": np.concatenate([W[32:], W[:32]])}  # rows for [x, h]


def train_too_briefly(seed, steps=1000):
    return train_adding_lstm_ref(seed, 100)


def train_untransposed(seed, steps=1000):
    params = train_adding_lstm_ref(seed, min(steps, 20))
    return {**params, "W": params["W"].T.copy()}


def train_torch_names(seed, steps=1000):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(2, 32, batch_first=True)
    return {name: p.detach().numpy() for name, p in lstm.named_parameters()}


def train_returns_tensors(seed, steps=1000):
    params = train_adding_lstm_ref(seed, min(steps, 20))
    return {key: torch.tensor(value, requires_grad=True) for key, value in params.items()}


def train_diverged(seed, steps=1000):
    params = train_adding_lstm_ref(seed, min(steps, 20))
    return {key: np.full_like(value, np.nan) for key, value in params.items()}


def train_unseeded(seed, steps=1000):
    return train_adding_lstm_ref(int(np.random.randint(1 << 20)), steps)


def train_fixed_seed(seed, steps=1000):
    return train_adding_lstm_ref(0, steps)


def forward_by_reference(X, h0, Wxh, Whh, b):
    return nn.rnn_forward(X, h0, Wxh, Whh, b)


def bptt_by_reference(X, Y, h0, Wxh, Whh, b, Why, by):
    return nn.rnn_bptt(X, Y, h0, Wxh, Whh, b, Why, by)[1]


def jacobian_by_reference(Whh, H):
    return dk.nn.hidden_jacobian_norms(Whh, H)


def truncated_by_reference(X, Y, h0, Wxh, Whh, b, Why, by, k):
    grads = nn.truncated_bptt(X, Y, h0, Wxh, Whh, b, Why, by, k)[1]
    return {key: grads[key] for key in ("Wxh", "Whh", "b", "Why", "by")}


def lstm_by_reference(x, h, c, W, b):
    return nn.lstm_cell(x, h, c, W, b)


def gru_through_torch_cell(x, h, params, convention="book"):
    """torch's GRUCell for the torch convention (right values, but the exercise is numpy)."""
    if convention == "book":
        k = h.shape[1]
        ax, ah = x @ params["Wx"] + params["bx"], h @ params["Wh"] + params["bh"]
        r = 1 / (1 + np.exp(-(ax[:, :k] + ah[:, :k])))
        z = 1 / (1 + np.exp(-(ax[:, k : 2 * k] + ah[:, k : 2 * k])))
        n = np.tanh(ax[:, 2 * k :] + (r * h) @ params["Wh"][:, 2 * k :] + params["bh"][2 * k :])
        return (1 - z) * h + z * n
    cell = torch.nn.GRUCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(params["Wx"].T))
        cell.weight_hh.copy_(torch.tensor(params["Wh"].T))
        cell.bias_ih.copy_(torch.tensor(params["bx"]))
        cell.bias_hh.copy_(torch.tensor(params["bh"]))
        return cell(torch.tensor(x), torch.tensor(h)).numpy()


def count_by_building_torch_modules(
    d, h, cell, num_layers=1, bidirectional=False, torch_biases=True
):
    module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
    model = module(d, h, num_layers=num_layers, bidirectional=bidirectional, bias=torch_biases)
    extra = 0 if torch_biases else {"rnn": 1, "gru": 3, "lstm": 4}[cell] * h * num_layers
    return sum(p.numel() for p in model.parameters()) + extra * (2 if bidirectional else 1)


def birnn_by_reference(X, fwd, bwd):
    return nn.birnn_forward(X, fwd, bwd)


def teacher_by_reference(targets, bos):
    return nn.decoder_inputs(targets, bos)


def beam_by_reference(log_probs, bos, max_len, beam_width, eos=None):
    return nn.beam_search(log_probs, bos, max_len, beam_width, eos)


def attention_by_reference(s, H, Ws, Wh, v, mask=None):
    return nn.additive_attention(s, H, Ws, Wh, v, mask)


FORBIDDEN_MUTANTS = [
    ("rnn_forward_basic", forward_by_reference, "your answer calls dlkit.nn.rnn_forward"),
    ("rnn_bptt_hidden", bptt_by_reference, "your answer calls dlkit.nn.rnn_bptt"),
    ("jacobian_norms_basic", jacobian_by_reference, "your answer calls dk.nn.hidden_jacobian"),
    ("truncated_bptt_hidden", truncated_by_reference, "your answer calls dlkit.nn.truncated"),
    ("lstm_cell_basic", lstm_by_reference, "your answer calls dlkit.nn.lstm_cell"),
    ("gru_cell_basic", gru_through_torch_cell, "your answer calls torch."),
    ("param_count_hidden", count_by_building_torch_modules, "your answer uses torch.nn.RNN"),
    ("birnn_forward_basic", birnn_by_reference, "your answer calls dlkit.nn.birnn_forward"),
    ("decoder_inputs_hidden", teacher_by_reference, "your answer calls dlkit.nn.decoder"),
    ("beam_search_basic", beam_by_reference, "your answer calls dlkit.nn.beam_search"),
    ("additive_attention_hidden", attention_by_reference, "your answer calls dlkit.nn.additive"),
]

MUTANTS = FORBIDDEN_MUTANTS + [
    ("rnn_forward_basic", forward_returns_h0_first, "off by one step"),
    ("rnn_forward_basic", forward_from_zeros, "from the given h0, not from zeros"),
    ("rnn_forward_hidden", forward_time_axis_zero, "time is axis 1 of X"),
    ("rnn_forward_hidden", forward_swapped_weights, "Wxh and Whh are swapped"),
    ("rnn_forward_basic", forward_swapped_weights, "Wxh (d, h)"),
    ("rnn_bptt_basic", bptt_without_recurrent_term, "flowing in from the next step is missing"),
    ("rnn_bptt_basic", bptt_forgets_h0, "h0 is forgotten"),
    ("rnn_bptt_basic", bptt_tanh_grad_of_preactivation, "not the pre-activation"),
    ("rnn_bptt_basic", bptt_returns_a_tuple, "expected a dict with the keys"),
    ("jacobian_norms_basic", jacobian_left_products, "the wrong order"),
    ("jacobian_norms_basic", jacobian_without_diag, "diag(1 - h_t**2) is missing"),
    ("jacobian_norms_basic", jacobian_W_not_transposed, "transpose Whh"),
    ("jacobian_norms_hidden", jacobian_frobenius, "spectral norm"),
    ("truncated_bptt_basic", truncated_never_detached, "not detached between chunks"),
    ("truncated_bptt_basic", truncated_resets_state, "detach is not reset"),
    ("truncated_bptt_basic", truncated_chunks_off_by_one, "boundaries off by one"),
    ("lstm_cell_basic", lstm_torch_gate_order, "torch's own order is i, f, g, o"),
    ("lstm_cell_basic", lstm_without_cell_tanh, "the tanh of the cell is missing"),
    ("lstm_cell_basic", lstm_sigmoid_candidate, "uses tanh, not the sigmoid"),
    ("lstm_cell_hidden", lstm_x_first, "concatenate h first"),
    ("lstm_cell_basic", lstm_returns_h_only, "expected 2 values (h_new, c_new)"),
    ("gru_cell_basic", gru_ignores_convention, "that is the book convention"),
    ("gru_cell_basic", gru_always_torch, "that is the torch convention"),
    ("gru_cell_basic", gru_book_with_torch_mixing, "z and 1 - z are swapped"),
    ("gru_cell_hidden", gru_torch_bias_outside_reset, "b_hn sits inside the reset"),
    ("param_count_basic", count_without_gates, "multiply by the number of blocks"),
    ("param_count_basic", count_one_bias, "two bias vectors per block"),
    ("param_count_hidden", count_deep_layers_read_d, "not the d inputs"),
    ("param_count_hidden", count_one_direction, "count both"),
    ("param_count_basic", count_as_float, "returned a float"),
    ("birnn_forward_basic", birnn_backward_not_flipped_back, "reversed time order"),
    ("birnn_forward_basic", birnn_backward_first, "forward half first"),
    ("birnn_forward_basic", birnn_backward_run_forwards, "must read the sequence reversed"),
    ("decoder_inputs_basic", teacher_not_shifted, "the very token it must predict"),
    ("decoder_inputs_basic", teacher_shift_left, "not left"),
    ("decoder_inputs_basic", teacher_drops_the_first, "not the first"),
    ("decoder_inputs_basic", teacher_keeps_the_last, "keep the length T"),
    ("decoder_inputs_basic", teacher_in_place, "modified its argument 1 in place"),
    ("beam_search_basic", beam_of_one, "that is the greedy answer"),
    ("beam_search_basic", beam_without_length_normalisation, "length handling"),
    ("beam_search_hidden", beam_multiplies_probabilities, "underflows"),
    ("beam_search_basic", beam_returns_mean_score, "return the total log-probability"),
    ("beam_search_basic", beam_never_pruned, "prune the candidates back to beam_width"),
    ("additive_attention_basic", attention_softmax_over_batch, "over the T source positions"),
    ("additive_attention_basic", attention_without_tanh, "the tanh is missing"),
    ("additive_attention_hidden", attention_ignores_mask, "must get weight 0"),
    ("additive_attention_hidden", attention_masks_after_softmax, "mask before the softmax"),
    ("additive_attention_hidden", attention_inverted_mask, "the polarity is inverted"),
    ("train_adding_basic", train_in_torch_gate_order, "torch's gate order i, f, g, o"),
    ("train_adding_basic", train_rows_x_first, "W acts on [h, x]"),
    ("train_adding_basic", train_too_briefly, "the baseline of always predicting the mean"),
    ("train_adding_basic", train_untransposed, "torch stores weights as (out, in)"),
    ("train_adding_basic", train_torch_names, "torch's parameter names"),
    ("train_adding_basic", train_diverged, "training diverged"),
    ("train_adding_basic", train_returns_tensors, "tensor.detach().cpu().numpy()"),
    ("train_adding_hidden", train_unseeded, "torch.manual_seed"),
    ("train_adding_hidden", train_fixed_seed, "instead of a fixed seed"),
]


def test_beam_case_separates_greedy_beam_and_exact_search():
    """The visible beam-search case is one where greedy, beam 2 and exact search
    disagree (so a beam of one and an unpruned search are both caught there)."""
    from autograder.checks import recurrent_networks as chk

    table = chk._markov_table(np.random.default_rng(145), 5)
    greedy = chk._beam(table, 0, 4, 1, 4)[0]
    beam = chk._beam(table, 0, 4, 2, 4)[0]
    exact = chk._exhaustive(table, 0, 4, 4)[0]
    assert greedy != beam != exact != greedy
    assert chk._beam(table, 0, 4, 10**4, 4, prune=True)[0] == exact
