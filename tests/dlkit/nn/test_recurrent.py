"""dlkit.nn.recurrent against torch (nn.RNN, nn.LSTM(Cell), nn.GRU(Cell), autograd with
and without detach, autograd.functional.jacobian), exhaustive search and closed forms;
shapes by hypothesis; bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlkit import nn
from dlkit.nn import recurrent
from dlkit.testing import assert_close
from tests.oracles import gradients, loss_and_gradients

pytestmark = pytest.mark.usefixtures("one_thread")
TORCH_BLOCKS = {"lstm": "ifgo"}  # torch's LSTM row blocks; the course's are f, i, g, o


def t(array):
    return torch.tensor(np.asarray(array, dtype=float))


def rnn_weights(rng, d, h, scale=0.7):
    return (
        rng.normal(0, scale, (d, h)),
        rng.normal(0, scale / np.sqrt(h), (h, h)),
        rng.normal(0, 0.2, h),
    )


def torch_rnn(Wxh, Whh, b, bidirectional=False):
    """An nn.RNN (float64) holding the course's weights (weight_ih = Wxh^T, bias_hh = 0)."""
    rnn = torch.nn.RNN(*Wxh.shape, batch_first=True, bidirectional=bidirectional).double()
    with torch.no_grad():
        for param in rnn.parameters():
            param.zero_()
        rnn.weight_ih_l0.copy_(t(Wxh.T))
        rnn.weight_hh_l0.copy_(t(Whh.T))
        rnn.bias_ih_l0.copy_(t(b))
    return rnn


# ---------------------------------------------------------------- the vanilla RNN


@pytest.mark.parametrize(("n", "T", "d", "h"), [(2, 5, 3, 4), (1, 1, 2, 2), (4, 9, 1, 6)])
def test_rnn_forward_matches_torch(n, T, d, h):
    rng = np.random.default_rng(n + T)
    X, h0 = rng.normal(size=(n, T, d)), rng.normal(size=(n, h))
    Wxh, Whh, b = rnn_weights(rng, d, h)
    with torch.no_grad():
        expected, last = torch_rnn(Wxh, Whh, b)(t(X), t(h0)[None])
    H = nn.rnn_forward(X, h0, Wxh, Whh, b)
    assert_close(H, expected.numpy(), atol=1e-12)
    assert_close(H[:, -1], last[0].numpy(), atol=1e-12)
    assert_close(nn.rnn_cell(X[:, 0], h0, Wxh, Whh, b), H[:, 0])
    assert_close(nn.rnn_forward(X, None, Wxh, Whh, b), nn.rnn_forward(X, 0 * h0, Wxh, Whh, b))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 4), T=st.integers(1, 7), d=st.integers(1, 4), h=st.integers(1, 5))
def test_rnn_shapes_and_the_first_state(n, T, d, h):
    rng = np.random.default_rng(n * 100 + T * 10 + d + h)
    X, h0 = rng.normal(size=(n, T, d)), rng.normal(size=(n, h))
    Wxh, Whh, b = rnn_weights(rng, d, h)
    H = nn.rnn_forward(X, h0, Wxh, Whh, b)
    assert H.shape == (n, T, h)
    assert np.all(np.abs(H) < 1)
    assert_close(H[:, 0], np.tanh(X[:, 0] @ Wxh + h0 @ Whh + b))


def torch_sequence_loss(X, Y, detach_every=None):
    Xt, Yt = t(X), t(Y)

    def loss(Wxh, Whh, b, Why, by, h0):
        total, h = 0.0, h0
        for step in range(X.shape[1]):
            if detach_every and step and step % detach_every == 0:
                h = h.detach()
            h = torch.tanh(Xt[:, step] @ Wxh + h @ Whh + b)
            total = total + ((h @ Why + by - Yt[:, step]) ** 2).sum()
        return total / (2 * len(X))

    return loss


def bptt_case(rng, n=3, T=6, d=3, h=4, k=2, scale=0.7):
    Wxh, Whh, b = rnn_weights(rng, d, h, scale)
    return (
        rng.normal(size=(n, T, d)),
        rng.normal(size=(n, T, k)),
        rng.normal(size=(n, h)),
        Wxh,
        Whh,
        b,
        rng.normal(size=(h, k)),
        rng.normal(size=k),
    )


KEYS = ("Wxh", "Whh", "b", "Why", "by", "h0")


@pytest.mark.parametrize("scale", [0.5, 1.5])
def test_rnn_bptt_matches_autograd(scale):
    X, Y, h0, *params = bptt_case(np.random.default_rng(1), scale=scale)
    expected_loss, expected = loss_and_gradients(torch_sequence_loss(X, Y), *params, h0)
    loss, grads = nn.rnn_bptt(X, Y, h0, *params)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert set(grads) == set(KEYS)
    for key, value in zip(KEYS, expected):
        assert_close(grads[key], value, atol=1e-12)


def test_rnn_backward_input_gradient_and_layer():
    rng = np.random.default_rng(2)
    X, h0 = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4))
    Wxh, Whh, b = rnn_weights(rng, 3, 4)
    G = rng.normal(size=(2, 5, 4))
    expected = gradients(lambda x, h: (torch_rnn(Wxh, Whh, b)(x, h[None])[0] * t(G)).sum(), X, h0)
    layer = nn.RNN(3, 4, rng)
    layer.Wxh, layer.Whh, layer.b = Wxh, Whh, b
    layer.forward(X, h0)
    assert_close(layer.backward(G), expected[0], atol=1e-12)
    assert_close(layer.grads["h0"], expected[1], atol=1e-12)
    assert [p.shape for p, _ in layer.parameters()] == [(3, 4), (4, 4), (4,)]


def test_rnn_layer_radius_and_backward_before_forward():
    layer = nn.RNN(2, 5, np.random.default_rng(3), radius=0.9)
    assert np.max(np.abs(np.linalg.eigvals(layer.Whh))) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="call forward first"):
        nn.RNN(2, 3, np.random.default_rng(0)).backward(np.zeros((1, 1, 3)))


@pytest.mark.parametrize("k", [1, 2, 4, 6, 10])
def test_truncated_bptt_detaches_between_chunks(k):
    X, Y, h0, *params = bptt_case(np.random.default_rng(4), T=6)
    expected_loss, expected = loss_and_gradients(torch_sequence_loss(X, Y, k), *params, h0)
    loss, grads = nn.truncated_bptt(X, Y, h0, *params, k)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for key, value in zip(KEYS, expected):
        assert_close(grads[key], value, atol=1e-12)
    if k >= 6:  # one chunk: full BPTT
        full = nn.rnn_bptt(X, Y, h0, *params)[1]
        assert all(np.allclose(grads[key], full[key]) for key in KEYS)


def test_hidden_jacobian_norms_match_torch_jacobians():
    rng = np.random.default_rng(5)
    X, h0 = rng.normal(size=(7, 2)), rng.normal(size=3)
    Wxh, Whh, b = rnn_weights(rng, 2, 3, 1.2)
    H = nn.rnn_forward(X[None], h0[None], Wxh, Whh, b)[0]
    norms = nn.hidden_jacobian_norms(Whh, H)
    for k in range(7):

        def unroll(h, k=k):
            for step in range(k, 7):
                h = torch.tanh(t(X[step]) @ t(Wxh) + h @ t(Whh) + t(b))
            return h

        J = torch.autograd.functional.jacobian(unroll, t(H[k - 1] if k else h0)).numpy()
        assert norms[k] == pytest.approx(np.linalg.norm(J, 2), rel=1e-10)


def test_jacobian_norms_vanish_below_radius_one():
    rng = np.random.default_rng(6)
    Whh = 0.8 * np.linalg.qr(rng.normal(size=(4, 4)))[0]  # every singular value 0.8
    X, Wxh = rng.normal(size=(1, 30, 2)), rng.normal(size=(2, 4))
    H = nn.rnn_forward(X, None, Wxh, Whh, np.zeros(4))[0]
    norms = nn.hidden_jacobian_norms(Whh, H)
    assert np.all(norms <= 0.8 ** np.arange(30, 0, -1) + 1e-12)
    assert np.all(np.diff(norms) > 0)  # the further back, the smaller


# ---------------------------------------------------------------- LSTM


def course_lstm_weights(rng, d, h):
    return rng.normal(0, 0.6, (h + d, 4 * h)), rng.normal(0, 0.4, 4 * h)


def to_torch_rows(W, b, h):
    """The course's (W, b) with blocks f, i, g, o -> torch's rows i, f, g, o."""
    rows = np.r_[h : 2 * h, 0:h, 2 * h : 4 * h]
    return W[h:, rows].T, W[:h, rows].T, b[rows]


def test_lstm_cell_and_forward_match_torch():
    rng = np.random.default_rng(7)
    n, T, d, h = 3, 6, 2, 5
    W, b = course_lstm_weights(rng, d, h)
    X, h0, c0 = rng.normal(size=(n, T, d)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    w_ih, w_hh, bias = to_torch_rows(W, b, h)
    lstm = torch.nn.LSTM(d, h, batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(t(w_ih))
        lstm.weight_hh_l0.copy_(t(w_hh))
        lstm.bias_ih_l0.copy_(t(bias))
        lstm.bias_hh_l0.zero_()
        out, (h_T, c_T) = lstm(t(X), (t(h0)[None], t(c0)[None]))
    H, C, gates = nn.lstm_forward(X, h0, c0, W, b)
    assert_close(H, out.numpy(), atol=1e-12)
    assert_close(C[:, -1], c_T[0].numpy(), atol=1e-12)
    h1, c1 = nn.lstm_cell(X[:, 0], h0, c0, W, b)
    assert_close(h1, H[:, 0])
    assert_close(c1, C[:, 0])
    assert set(gates) == {"f", "i", "g", "o"} and gates["f"].shape == (n, T, h)
    assert_close(C[:, 0], gates["f"][:, 0] * c0 + gates["i"][:, 0] * gates["g"][:, 0])


def test_lstm_backward_matches_autograd():
    rng = np.random.default_rng(8)
    n, T, d, h = 2, 5, 3, 4
    W, b = course_lstm_weights(rng, d, h)
    X, h0, c0, G = (
        rng.normal(size=(n, T, d)),
        rng.normal(size=(n, h)),
        rng.normal(size=(n, h)),
        rng.normal(size=(n, T, h)),
    )

    def loss(W_t, b_t, h0_t, c0_t, X_t):
        hs, h_, c_ = [], h0_t, c0_t
        for step in range(T):
            z = torch.cat([h_, X_t[:, step]], 1) @ W_t + b_t
            f, i, g, o = (
                z[:, :h].sigmoid(),
                z[:, h : 2 * h].sigmoid(),
                z[:, 2 * h : 3 * h].tanh(),
                z[:, 3 * h :].sigmoid(),
            )
            c_ = f * c_ + i * g
            h_ = o * c_.tanh()
            hs.append(h_)
        return (torch.stack(hs, 1) * t(G)).sum()

    expected = gradients(loss, W, b, h0, c0, X)
    layer = nn.LSTM(d, h, rng)
    layer.W, layer.b = W, b
    layer.forward(X, h0, c0)
    dX = layer.backward(G)
    for key, value in zip(("W", "b", "h0", "c0"), expected):
        assert_close(layer.grads[key], value, atol=1e-12)
    assert_close(dX, expected[4], atol=1e-12)
    assert np.all(nn.LSTM(2, 3, rng).b[:3] == 1.0)  # forget bias starts at 1


# ---------------------------------------------------------------- GRU


def gru_params(rng, d, h):
    return {
        "Wx": rng.normal(0, 0.6, (d, 3 * h)),
        "Wh": rng.normal(0, 0.6, (h, 3 * h)),
        "bx": rng.normal(0, 0.4, 3 * h),
        "bh": rng.normal(0, 0.4, 3 * h),
    }


def torch_gru_step(x, h, P, convention):
    k = h.shape[1]
    ax = x @ P["Wx"] + P["bx"]
    r = (ax[:, :k] + h @ P["Wh"][:, :k] + P["bh"][:k]).sigmoid()
    z = (ax[:, k : 2 * k] + h @ P["Wh"][:, k : 2 * k] + P["bh"][k : 2 * k]).sigmoid()
    if convention == "book":
        n = (ax[:, 2 * k :] + (r * h) @ P["Wh"][:, 2 * k :] + P["bh"][2 * k :]).tanh()
        return (1 - z) * h + z * n
    n = (ax[:, 2 * k :] + r * (h @ P["Wh"][:, 2 * k :] + P["bh"][2 * k :])).tanh()
    return (1 - z) * n + z * h


def test_gru_torch_convention_is_nn_gru_cell():
    rng = np.random.default_rng(9)
    x, h, params = rng.normal(size=(4, 3)), rng.normal(size=(4, 5)), gru_params(rng, 3, 5)
    cell = torch.nn.GRUCell(3, 5).double()
    with torch.no_grad():
        cell.weight_ih.copy_(t(params["Wx"].T))
        cell.weight_hh.copy_(t(params["Wh"].T))
        cell.bias_ih.copy_(t(params["bx"]))
        cell.bias_hh.copy_(t(params["bh"]))
        expected = cell(t(x), t(h)).numpy()
    assert_close(nn.gru_cell(x, h, params, "torch"), expected, atol=1e-12)
    assert not np.allclose(nn.gru_cell(x, h, params, "book"), expected)


@pytest.mark.parametrize("convention", ["book", "torch"])
def test_gru_forward_and_backward_match_autograd(convention):
    rng = np.random.default_rng(10)
    n, T, d, h = 3, 5, 2, 4
    params = gru_params(rng, d, h)
    X, h0, G = rng.normal(size=(n, T, d)), rng.normal(size=(n, h)), rng.normal(size=(n, T, h))

    def states(Wx, Wh, bx, bh, h0_t, X_t):
        P, hs, h_ = {"Wx": Wx, "Wh": Wh, "bx": bx, "bh": bh}, [], h0_t
        for step in range(T):
            h_ = torch_gru_step(X_t[:, step], h_, P, convention)
            hs.append(h_)
        return torch.stack(hs, 1)

    with torch.no_grad():
        expected_H = states(*(t(params[k]) for k in recurrent.GRU_KEYS), t(h0), t(X)).numpy()
    expected = gradients(
        lambda *a: (states(*a) * t(G)).sum(), *(params[k] for k in recurrent.GRU_KEYS), h0, X
    )
    layer = nn.GRU(d, h, rng, convention=convention)
    layer.params = params
    assert_close(layer.forward(X, h0), expected_H, atol=1e-12)
    assert_close(nn.gru_cell(X[:, 0], h0, params, convention), expected_H[:, 0], atol=1e-12)
    dX = layer.backward(G)
    for key, value in zip(recurrent.GRU_KEYS + ("h0",), expected):
        assert_close(layer.grads[key], value, atol=1e-12)
    assert_close(dX, expected[-1], atol=1e-12)


# ---------------------------------------------------------------- bidirectional, deep, counts


def test_birnn_forward_matches_torch_and_sees_the_future():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(2, 6, 3))
    fwd, bwd = (dict(zip(recurrent.RNN_KEYS, rnn_weights(rng, 3, 4))) for _ in range(2))
    rnn = torch_rnn(fwd["Wxh"], fwd["Whh"], fwd["b"], bidirectional=True)
    with torch.no_grad():
        rnn.weight_ih_l0_reverse.copy_(t(bwd["Wxh"].T))
        rnn.weight_hh_l0_reverse.copy_(t(bwd["Whh"].T))
        rnn.bias_ih_l0_reverse.copy_(t(bwd["b"]))
        expected = rnn(t(X))[0].numpy()
    out = nn.birnn_forward(X, fwd, bwd)
    assert_close(out, expected, atol=1e-12)
    changed = X.copy()
    changed[:, -1] += 1.0
    out2 = nn.birnn_forward(changed, fwd, bwd)
    assert_close(out2[:, :-1, :4], out[:, :-1, :4])  # the past half ignores the future
    assert not np.allclose(out2[:, 0, 4:], out[:, 0, 4:])


def test_stacked_rnn_matches_a_two_layer_torch_rnn():
    rng = np.random.default_rng(12)
    layers = [dict(zip(recurrent.RNN_KEYS, rnn_weights(rng, m, 4))) for m in (3, 4)]
    X = rng.normal(size=(2, 5, 3))
    rnn = torch.nn.RNN(3, 4, num_layers=2, batch_first=True).double()
    with torch.no_grad():
        for layer, p in enumerate(layers):
            getattr(rnn, f"weight_ih_l{layer}").copy_(t(p["Wxh"].T))
            getattr(rnn, f"weight_hh_l{layer}").copy_(t(p["Whh"].T))
            getattr(rnn, f"bias_ih_l{layer}").copy_(t(p["b"]))
            getattr(rnn, f"bias_hh_l{layer}").zero_()
        expected = rnn(t(X))[0].numpy()
    states = nn.stacked_rnn_forward(X, layers)
    assert len(states) == 2
    assert_close(states[-1], expected, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, False), (3, True)])
@pytest.mark.parametrize("bias", [True, False])
def test_parameter_counts_match_torch(cell, layers, bidirectional, bias):
    module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
    model = module(8, 16, num_layers=layers, bidirectional=bidirectional, bias=bias)
    count = sum(p.numel() for p in model.parameters())
    single_biases = recurrent.GATES[cell] * 16 * layers * (2 if bidirectional else 1)
    expected = count if bias else count + single_biases  # the textbook's one bias per block
    assert nn.rnn_param_count(8, 16, cell, layers, bidirectional, torch_biases=bias) == expected


def test_parameter_counts_of_the_plan():
    assert [nn.rnn_param_count(8, 64, cell) for cell in ("rnn", "gru", "lstm")] == [
        4736,
        14208,
        18944,
    ]


# ---------------------------------------------------------------- seq2seq pieces


def test_decoder_inputs_shift_right():
    targets = np.array([[3, 1, 4], [1, 5, 9]])
    assert nn.decoder_inputs(targets, 0).tolist() == [[0, 3, 1], [0, 1, 5]]
    assert nn.decoder_inputs(np.array([[7]]), 2).tolist() == [[2]]
    assert targets.tolist() == [[3, 1, 4], [1, 5, 9]]


def torch_attention(s, H, Ws, Wh, v, mask=None):
    scores = torch.tanh((t(s) @ t(Ws))[:, None] + t(H) @ t(Wh)) @ t(v)
    if mask is not None:
        scores = scores.masked_fill(~torch.as_tensor(mask), float("-inf"))
    alpha = torch.softmax(scores, dim=1)
    return (alpha[:, :, None] * t(H)).sum(1).numpy(), alpha.numpy()


def test_additive_attention_matches_torch_and_masks_padding():
    rng = np.random.default_rng(13)
    s, H = rng.normal(size=(3, 4)), rng.normal(size=(3, 5, 2))
    Ws, Wh, v = rng.normal(size=(4, 6)), rng.normal(size=(2, 6)), rng.normal(size=6) * 3
    for mask in (None, np.arange(5)[None] < np.array([[5], [2], [3]])):
        context, alpha = nn.additive_attention(s, H, Ws, Wh, v, mask)
        expected_context, expected_alpha = torch_attention(s, H, Ws, Wh, v, mask)
        assert_close(alpha, expected_alpha, atol=1e-12)
        assert_close(context, expected_context, atol=1e-12)
        assert_close(alpha.sum(axis=1), np.ones(3))
    assert np.all(alpha[1, 2:] == 0.0)


# ---------------------------------------------------------------- decoding


def log_table(rng, vocab, spread=1.5):
    table = rng.normal(0, spread, (vocab,) * 3)
    return table - np.log(np.exp(table).sum(axis=2, keepdims=True))


@pytest.mark.parametrize("eos", [None, 3])
def test_wide_beam_is_exhaustive_and_narrow_beam_is_greedy(eos):
    for seed in range(5):
        table = log_table(np.random.default_rng(seed), 4)
        tokens, total = nn.beam_search(table, 0, 4, 10**4, eos)
        exact_tokens, exact_total = nn.exhaustive_decode(table, 0, 4, eos)
        assert tokens == exact_tokens and total == pytest.approx(exact_total)
        tokens, total = nn.greedy_decode(table, 0, 4, eos)
        context, expected = [0, 0], []
        for _ in range(4):  # follow the argmax by hand
            expected.append(int(np.argmax(table[context[-2], context[-1]])))
            context.append(expected[-1])
            if expected[-1] == eos:
                break
        assert tokens == expected
        chain = [0, 0] + tokens
        assert total == pytest.approx(
            sum(table[chain[j], chain[j + 1], chain[j + 2]] for j in range(len(tokens)))
        )


def test_beam_scores_and_long_searches_stay_finite():
    table = log_table(np.random.default_rng(14), 6, 0.5)
    tokens, total = nn.beam_search(table, 0, 1000, 3)
    assert len(tokens) == 1000 and np.isfinite(total) and total < -700
    best = [nn.beam_search(table, 0, 6, k)[1] / 6 for k in (1, 2, 4, 64)]
    assert best[-1] >= max(best[:-1]) - 1e-12  # a beam as wide as the space is exact


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nn.rnn_forward(
                np.zeros((2, 3)), None, np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4)
            ),
            "X \\(N, T, d\\)",
        ),
        (
            lambda: nn.rnn_forward(
                np.zeros((2, 3, 2)), None, np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4)
            ),
            "Wxh must have shape \\(2, 4\\)",
        ),
        (
            lambda: nn.rnn_forward(
                np.zeros((2, 3, 2)),
                np.zeros((1, 4)),
                np.zeros((2, 4)),
                np.zeros((4, 4)),
                np.zeros(4),
            ),
            "one initial state per sequence",
        ),
        (
            lambda: nn.truncated_bptt(*bptt_case(np.random.default_rng(0)), 0),
            "k must be an integer >= 1",
        ),
        (
            lambda: nn.lstm_cell(
                np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((5, 8)), np.zeros(8)
            ),
            "4h = 12 columns",
        ),
        (lambda: nn.gru_cell(np.zeros((1, 2)), np.zeros((1, 3)), {"Wx": 0}, "book"), "missing"),
        (
            lambda: nn.gru_cell(
                np.zeros((1, 2)),
                np.zeros((1, 3)),
                gru_params(np.random.default_rng(0), 2, 3),
                "keras",
            ),
            "unknown convention",
        ),
        (lambda: nn.rnn_param_count(8, 64, "transformer"), "unknown cell"),
        (lambda: nn.rnn_param_count(8, 0, "rnn"), "h must be an integer >= 1"),
        (lambda: nn.decoder_inputs(np.array([[0.5, 1.0]]), 0), "integer array"),
        (
            lambda: nn.additive_attention(
                np.zeros((1, 2)),
                np.zeros((1, 3, 2)),
                np.eye(2),
                np.eye(2),
                np.ones(2),
                np.zeros((1, 3), bool),
            ),
            "needs a True position",
        ),
        (
            lambda: nn.beam_search(np.zeros((3, 3, 3)), 0, 4, 0),
            "beam_width must be an integer >= 1",
        ),
        (lambda: nn.beam_search(np.zeros((3, 3)), 0, 4, 2), "\\(V, V, V\\)"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
