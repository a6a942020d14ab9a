"""Module-12 widget drawings, headless: right content (against torch), labels, validation."""

import numpy as np
import pytest
import torch

from dlkit import data, widgets
from dlkit.testing import assert_close
from dlkit.widgets import recurrent_networks as rn
from tests.dlkit.widgets.figures import (
    assert_labelled,
    assert_redraws_in_place,
    background_renders,
    drawn_lines,
    sweep,
)


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


# --- redrawn in place against steady axes (dlkit.plot.LiveFigure) ---

TRAJECTORY_DEFAULTS = {"spectral_radius": 0.9, "input_scale": 0.5, "T": 60}  # the notebook's
TRAJECTORY_SLIDERS = {
    "spectral_radius": (0.1, 2.5, 0.05),
    "input_scale": (0.0, 2.0, 0.1),
    "T": (10, 200, 10),
}


def test_hidden_trajectory_redraws_in_place():
    updates = [
        TRAJECTORY_DEFAULTS,
        {**TRAJECTORY_DEFAULTS, "spectral_radius": 0.1},  # y depth 20 -> 40
        {**TRAJECTORY_DEFAULTS, "spectral_radius": 2.5},  # saturated: -2 .. 2
        {**TRAJECTORY_DEFAULTS, "spectral_radius": 2.45},
        {**TRAJECTORY_DEFAULTS, "input_scale": 0.0},
        {**TRAJECTORY_DEFAULTS, "input_scale": 2.0},
        {**TRAJECTORY_DEFAULTS, "T": 10},  # x 100 -> 10
        {**TRAJECTORY_DEFAULTS, "T": 200},
        {**TRAJECTORY_DEFAULTS, "T": 110},  # x steady at 200
        {"spectral_radius": 0.0, "input_scale": 0.5, "T": 20},  # no linear bound
    ]
    assert_redraws_in_place(widgets.HiddenTrajectory, {}, updates)


def test_hidden_trajectory_limits_at_the_notebook_defaults():
    left, right = widgets.draw_hidden_trajectory(**TRAJECTORY_DEFAULTS).axes
    assert left.get_xlim() == left.get_ylim() == (-1.05, 1.05)
    assert right.get_xlim() == (0.0, 100.0)
    # norms from 10^-12.5 up to 10^-0.05; 10^-21.2 in the run of length 100, out to x's end
    assert right.get_ylim() == (-30.0, 0.5)


@pytest.mark.parametrize("slider", TRAJECTORY_SLIDERS)
@pytest.mark.parametrize("end", [0, -1])
def test_hidden_trajectory_limits_hold_the_curves(slider, end):
    params = sweep(TRAJECTORY_DEFAULTS, slider, TRAJECTORY_SLIDERS[slider])[end]
    left, right = widgets.draw_hidden_trajectory(**params).axes
    x, y = drawn_lines(left)[0].get_data()
    assert np.abs(x).max() <= 1.05 and np.abs(y).max() <= 1.05  # tanh keeps h in the square
    k, log_norms = lines_by_label(right)["||dh_T/dh_k|| (tanh RNN)"].get_data()
    (x_low, x_high), (y_low, y_high) = right.get_xlim(), right.get_ylim()
    assert x_low <= k.min() and k.max() <= x_high and k.max() >= 0.5 * x_high, params
    shown = np.maximum(log_norms, -40.0)  # the frame stops at 40 decades down
    assert y_low <= shown.min() and shown.max() <= y_high, f"{params}: the norms leave the frame"
    assert np.ptp(shown) >= 0.25 * (y_high - y_low), f"{params}: the norms fill too little"


# measured over the notebook's whole ranges, the others at the notebook's values (and
# at rho 0.5 and 1.6, T 10 and 200, input 2): rho 0-8 of 48 moves, input 0-6 of 20,
# T 4 of 19 (x steps, and y with it: its range covers the run out to x's end)
@pytest.mark.parametrize("slider", TRAJECTORY_SLIDERS)
@pytest.mark.parametrize("spectral_radius", [0.5, 0.9, 1.6])
def test_hidden_trajectory_sliders_keep_the_axes(slider, spectral_radius):
    defaults = {**TRAJECTORY_DEFAULTS, "spectral_radius": spectral_radius}
    updates = sweep(defaults, slider, TRAJECTORY_SLIDERS[slider])
    renders = background_renders(widgets.HiddenTrajectory(), updates)
    assert renders <= (len(updates) - 1) // 3, f"{slider}: {renders} full renders"


@pytest.fixture(scope="module")
def lstm_setting():
    X, y = data.adding_problem(20, T=15, seed=0)
    return {"params": random_lstm_params(np.random.default_rng(2), h=16), "X": X, "y": y}


def test_lstm_gates_redraw_in_place(lstm_setting):
    updates = [
        {"example": 0, "units": 8},
        {"example": 19, "units": 8},
        {"example": 19, "units": 2},
        {"example": 5, "units": 16},
        {"example": 5, "units": 15},
        {"example": 0, "units": 2},
    ]
    assert_redraws_in_place(widgets.LstmGates, lstm_setting, updates)
    assert_redraws_in_place(widgets.LstmGates, {**lstm_setting, "y": None}, updates[:2])


def test_lstm_gates_limits_are_the_sequence(lstm_setting):
    for example, units in ((0, 2), (19, 16)):
        fig = widgets.draw_lstm_gates(**lstm_setting, example=example, units=units)
        for ax in fig.axes:
            assert ax.get_xlim() == (-0.5, 14.5) and ax.get_ylim() == (1.0, 0.0)
            (image,) = ax.get_images()
            assert image.get_extent() == [-0.5, 14.5, 1.0, 0.0]  # the rows fill the frame
        left, right = fig.axes
        assert left.get_images()[0].get_array().shape == (3 * units + 2, 15)
        labels = [text.get_text() for text in right.texts if text.get_visible()]
        ptp = np.ptp(
            rn.lstm_gate_traces(lstm_setting["params"], lstm_setting["X"], example)[0]["c"], 0
        )
        assert labels == [str(j) for j in np.sort(np.argsort(-ptp, kind="stable")[:units])]
        assert len(drawn_lines(left)) == 2  # the two marks of the adding problem


# measured: no full render over either slider's notebook range (limits fixed per data)
@pytest.mark.parametrize(
    "slider, bounds, others",
    [("example", (0, 19, 1), {"units": 8}), ("units", (2, 16, 1), {"example": 0})],
)
def test_lstm_gates_sliders_keep_the_axes(lstm_setting, slider, bounds, others):
    updates = sweep(others, slider, bounds)
    assert background_renders(widgets.LstmGates(**lstm_setting), updates) == 0
