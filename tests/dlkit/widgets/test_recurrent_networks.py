"""Module-12 widget drawings, headless: right content (against torch), labels, validation."""

import numpy as np
import pytest
import torch

from dlkit import data, widgets
from dlkit.testing import assert_close
from dlkit.widgets import recurrent_networks as rn
from tests.dlkit.widgets.figures import assert_labelled


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


@pytest.mark.parametrize("radius", [0.5, 1.0, 1.6])
def test_trajectory_is_the_rnn_state_and_the_norms_are_jacobians(radius):
    fig = widgets.draw_hidden_trajectory(radius, input_scale=0.7, T=25)
    assert_labelled(fig)
    left, right = fig.axes
    Whh, X, H, h0 = rn.trajectory_rnn(radius, 0.7, 25)
    # independent oracle: torch's nn.RNN with the same weights
    rnn = torch.nn.RNN(1, 2, batch_first=True).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor([[0.7], [0.35]], dtype=torch.float64))
        rnn.weight_hh_l0.copy_(torch.tensor(Whh.T))
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
        states = rnn(torch.tensor(X), torch.tensor(h0)[None, None])[0][0].numpy()
    path = np.column_stack(left.get_lines()[0].get_data())
    assert_close(path, np.vstack([h0, states]), atol=1e-12)
    assert np.max(np.abs(np.linalg.eigvals(Whh))) == pytest.approx(radius)
    k, log_norms = lines_by_label(right)["||dh_T/dh_k|| (tanh RNN)"].get_data()

    def unroll(h, k):
        for step in range(k, 25):
            h = torch.tanh(torch.tensor(X[0, step]) @ rnn.weight_ih_l0.T + h @ torch.tensor(Whh))
        return h

    for j in (0, 12, 24):
        start = torch.tensor(states[j - 1] if j else h0)
        J = torch.autograd.functional.jacobian(lambda h, j=j: unroll(h, j), start).numpy()
        assert log_norms[j] == pytest.approx(np.log10(np.linalg.norm(J, 2)), abs=1e-9)
    if radius < 1:
        assert log_norms[0] < log_norms[-1] - 2  # gradients vanish over 25 steps


def test_trajectory_rejects_bad_input():
    with pytest.raises(ValueError, match="spectral_radius must be >= 0"):
        widgets.draw_hidden_trajectory(-1.0)
    with pytest.raises(ValueError, match="T must be an integer"):
        widgets.draw_hidden_trajectory(0.9, T=1)


def random_lstm_params(rng, h=6):
    return {
        "W": rng.normal(0, 0.5, (h + 2, 4 * h)),
        "b": rng.normal(0, 0.5, 4 * h),
        "W_out": rng.normal(size=(h, 1)),
        "b_out": np.array([0.3]),
    }


def test_lstm_gates_show_torch_lstm_gates():
    rng = np.random.default_rng(0)
    params = random_lstm_params(rng)
    X, y = data.adding_problem(4, T=12, seed=0)
    fig = widgets.draw_lstm_gates(params, X, y, example=2, units=6)
    assert_labelled(fig)
    left, right = fig.axes
    # independent oracle: torch's nn.LSTM (rows i, f, g, o) run step by step for the gates
    h = 6
    rows = np.r_[h : 2 * h, 0:h, 2 * h : 4 * h]
    lstm = torch.nn.LSTM(2, h, batch_first=True).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(params["W"][h:, rows].T))
        lstm.weight_hh_l0.copy_(torch.tensor(params["W"][:h, rows].T))
        lstm.bias_ih_l0.copy_(torch.tensor(params["b"][rows]))
        lstm.bias_hh_l0.zero_()
        x = torch.tensor(X[2:3].astype(float))
        out, _ = lstm(x)
        hs = torch.cat([torch.zeros(1, 1, h, dtype=torch.float64), out[:, :-1]], dim=1)
        z = x @ lstm.weight_ih_l0.T + hs @ lstm.weight_hh_l0.T + lstm.bias_ih_l0
        forget = torch.sigmoid(z[0, :, h : 2 * h]).numpy()  # (T, h)
    stacked = left.get_images()[0].get_array()
    order = np.sort(np.argsort(-np.ptp(rn.lstm_gate_traces(params, X, 2)[0]["c"], 0))[:6])
    assert_close(np.asarray(stacked[:6]), forget[:, order].T, atol=1e-12)
    prediction = float(out[0, -1].numpy() @ params["W_out"][:, 0] + 0.3)
    assert f"prediction {prediction:.3f}, target {float(y[2, 0]):.3f}" in fig.get_suptitle()
    assert len(left.get_lines()) == 2  # the two marked steps


def test_lstm_gates_reject_bad_input():
    params = random_lstm_params(np.random.default_rng(1))
    X, _ = data.adding_problem(3, T=8, seed=0)
    with pytest.raises(ValueError, match="example must be an integer in 0..2"):
        widgets.draw_lstm_gates(params, X, example=3)
    with pytest.raises(ValueError, match=r"X must have shape \(n, T, d\)"):
        widgets.draw_lstm_gates(params, X[0])
