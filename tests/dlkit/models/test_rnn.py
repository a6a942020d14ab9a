"""dlkit.models.rnn: shapes from the config, the numpy layout against torch's own forward
pass, the LSTM layout conversion, the Seq2Seq's teacher forcing, decoding and attention,
validation."""

import numpy as np
import pytest
import torch

import dlkit as dk
from dlkit import nn
from dlkit.models import (
    RNNConfig,
    Seq2Seq,
    Seq2SeqConfig,
    SequenceModel,
    course_to_lstm,
    lstm_to_course,
    shift_right,
    teacher_forcing_loss,
)

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(
    ("options", "shape"),
    [
        ({"head": "last"}, (3, 2)),
        ({"head": "all"}, (3, 7, 2)),
        ({"layers": 2, "dropout": 0.2}, (3, 2)),
        ({"bidirectional": True}, (3, 2)),
        ({"bidirectional": True, "head": "all"}, (3, 7, 2)),
    ],
)
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_sequence_model_shapes(cell, options, shape):
    model = SequenceModel(RNNConfig(cell=cell, input_size=4, hidden=5, output_size=2, **options))
    assert model(torch.randn(3, 7, 4)).shape == shape


def test_bidirectional_last_reads_both_ends():
    torch.manual_seed(0)
    model = SequenceModel(cell="gru", input_size=2, hidden=3, bidirectional=True, output_size=1)
    x = torch.randn(2, 5, 2)
    out, _ = model.rnn(x)
    expected = model.head(torch.cat([out[:, -1, :3], out[:, 0, 3:]], dim=1))
    assert torch.allclose(model(x), expected)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_numpy_params_reproduce_the_torch_forward_pass(cell):
    torch.manual_seed(1)
    model = SequenceModel(RNNConfig(cell=cell, input_size=3, hidden=6, output_size=2)).double()
    X = np.random.default_rng(0).normal(size=(4, 9, 3))
    with torch.no_grad():
        expected = model(torch.tensor(X)).numpy()
    p = model.to_numpy_params()
    if cell == "lstm":
        H = nn.lstm_forward(X, None, None, p["W"], p["b"])[0]
    elif cell == "gru":
        H = nn.gru_forward(X, None, p, convention="torch")[0]
    else:
        H = nn.rnn_forward(X, None, p["Wxh"], p["Whh"], p["b"])
    np.testing.assert_allclose(H[:, -1] @ p["W_out"] + p["b_out"], expected, atol=1e-12)


def test_lstm_layout_round_trip_and_gate_order():
    lstm = torch.nn.LSTM(2, 3)
    W, b = lstm_to_course(lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
    assert W.shape == (5, 12) and b.shape == (12,)
    # the course's forget block (columns 0..2) is torch's second row block (rows 3..5)
    np.testing.assert_allclose(W[3:, :3], lstm.weight_ih_l0.detach().numpy()[3:6].T)
    w_ih, w_hh, b_ih, b_hh = course_to_lstm(W, b)
    np.testing.assert_allclose(w_ih, lstm.weight_ih_l0.detach().numpy(), atol=1e-7)
    np.testing.assert_allclose(w_hh, lstm.weight_hh_l0.detach().numpy(), atol=1e-7)
    total = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
    np.testing.assert_allclose(b_ih + b_hh, total, atol=1e-7)


def test_seq2seq_teacher_forcing_is_causal_and_decoding_agrees():
    torch.manual_seed(2)
    model = Seq2Seq(Seq2SeqConfig(vocab=6, embed=8, hidden=12, attention=True)).eval()
    src = torch.randint(1, 6, (3, 5))
    tgt_in = shift_right(torch.randint(1, 6, (3, 4)))
    assert tgt_in[:, 0].eq(0).all()
    logits = model(src, tgt_in)
    assert logits.shape == (3, 4, 6)
    changed = tgt_in.clone()
    changed[:, 3] = (changed[:, 3] + 1) % 6
    assert torch.allclose(model(src, changed)[:, :3], logits[:, :3])  # step t reads y_<t only
    greedy = model.greedy_decode(src, 4)
    with torch.no_grad():  # greedy tokens fed back through forward are each step's argmax
        again = model(src, shift_right(torch.as_tensor(greedy))).argmax(-1).numpy()
    assert np.array_equal(greedy, again)
    tokens, total = model.beam_search(src[0], 4, beam_width=1)
    assert tokens == greedy[0].tolist()
    with torch.no_grad():
        log_p = torch.log_softmax(model(src[:1], shift_right(torch.tensor([tokens]))), -1)[0]
    assert total == pytest.approx(float(log_p[torch.arange(4), tokens].sum()), abs=1e-5)
    wide, wide_total = model.beam_search(src[0], 2, beam_width=36)  # all 36 sequences
    with torch.no_grad():
        grid = torch.tensor([[a, b] for a in range(6) for b in range(6)])
        scores = torch.log_softmax(model(src[:1].expand(36, -1), shift_right(grid)), -1)
        totals = scores.gather(2, grid[:, :, None])[:, :, 0].sum(1)
    assert wide == grid[totals.argmax()].tolist()
    assert wide_total == pytest.approx(float(totals.max()), abs=1e-5)
    alpha = model.attention_weights(src, tgt_in)
    assert alpha.shape == (3, 4, 5)
    np.testing.assert_allclose(alpha.sum(axis=2), 1.0, atol=1e-6)


def test_seq2seq_without_attention_and_its_loss():
    torch.manual_seed(3)
    model = Seq2Seq(vocab=5, embed=4, hidden=6, attention=False)
    src, tgt = torch.randint(1, 5, (2, 3)), torch.randint(1, 5, (2, 3))
    loss = teacher_forcing_loss(model, (src, tgt))
    expected = torch.nn.functional.cross_entropy(
        model(src, shift_right(tgt)).reshape(-1, 5), tgt.reshape(-1)
    )
    assert torch.allclose(loss, expected)
    with pytest.raises(ValueError, match="attention=False"):
        model.attention_weights(src, tgt)


def test_a_short_training_run_learns_to_copy():
    src, tgt = dk.data.copy_pairs(64 * 40, length=3, vocab=5, seed=0)
    torch.manual_seed(0)
    model = Seq2Seq(vocab=5, embed=8, hidden=16)
    history = dk.train.fit(
        model,
        (src, tgt),
        step=teacher_forcing_loss,
        optimizer=lambda p: torch.optim.Adam(p, lr=2e-2),
        epochs=1,
        batch_size=64,
        progress=False,
        device="cpu",
    )
    test_src, test_tgt = dk.data.copy_pairs(200, length=3, vocab=5, seed=1)
    accuracy = np.mean(model.greedy_decode(test_src, 3) == test_tgt)
    assert history["loss"][0] < np.log(5) and accuracy > 0.8


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RNNConfig(cell="transformer"), "unknown cell"),
        (lambda: RNNConfig(head="first"), "unknown head"),
        (lambda: RNNConfig(hidden=0), "hidden must be an int >= 1"),
        (lambda: RNNConfig(dropout=1.0), r"dropout must be in \[0, 1\)"),
        (lambda: Seq2SeqConfig(vocab=0), "vocab must be an int >= 1"),
        (lambda: SequenceModel(RNNConfig(), hidden=3), "either a config or keyword"),
        (lambda: SequenceModel(layers=2).to_numpy_params(), "one layer in one direction"),
        (lambda: course_to_lstm(np.zeros((5, 10)), np.zeros(10)), r"W \(h \+ d, 4h\)"),
        (lambda: lstm_to_course(np.zeros((8, 2)), np.zeros((8, 3)), 0, 0), "4h, d"),
    ],
)
def test_bad_configs_are_rejected_with_advice(build, message):
    with pytest.raises(ValueError, match=message):
        build()
