"""Widget drawings for module 12, recurrent networks."""

import numpy as np

from dlkit.nn.recurrent import hidden_jacobian_norms, lstm_forward, rnn_forward
from dlkit.plot import new_figure

TRAJECTORY_ANGLE = 0.6  # radians that W_hh turns the state per step
INPUT_PERIOD = 20  # steps per period of the driving sine wave


def trajectory_rnn(spectral_radius, input_scale=0.5, T=60, h0=(0.6, -0.4)):
    """The 2-D tanh RNN behind :func:`draw_hidden_trajectory`.

    ``W_hh = rho R(theta)`` (a rotation by theta = 0.6 rad scaled to spectral radius rho),
    input ``x_t = sin(2 pi t / 20)`` through ``W_xh = input_scale [1, 0.5]``, b = 0.
    Returns ``(Whh (2, 2), X (1, T, 1), H (T, 2) the states h_1..h_T, h0 (2,))``.
    """
    if not spectral_radius >= 0:
        raise ValueError(f"spectral_radius must be >= 0, got {spectral_radius!r}")
    if not (isinstance(T, int | np.integer) and 2 <= T <= 500):
        raise ValueError(f"T must be an integer in 2..500, got {T!r}")
    c, s = np.cos(TRAJECTORY_ANGLE), np.sin(TRAJECTORY_ANGLE)
    Whh = spectral_radius * np.array([[c, s], [-s, c]])  # eigenvalues rho e^{+-i theta}
    Wxh = input_scale * np.array([[1.0, 0.5]])  # (1, 2)
    X = np.sin(2 * np.pi * np.arange(T) / INPUT_PERIOD)[None, :, None]  # (1, T, 1)
    h0 = np.asarray(h0, dtype=float)
    H = rnn_forward(X, h0[None], Wxh, Whh, np.zeros(2))[0]  # (T, 2)
    return Whh, X, H, h0


def draw_hidden_trajectory(spectral_radius, input_scale=0.5, T=60):
    """The state of a 2-D tanh RNN over time, and how far a gradient survives.

    Left: the path of ``h_t`` in the plane (from h_0, marked), driven by a sine wave.
    Right: ``log10 ||dh_T / dh_k||_2`` against k, with the linear bound
    ``log10 rho^(T - k)`` (what the norms would be without tanh): rho < 1 vanishes
    geometrically, rho > 1 grows until tanh saturates, and saturation shrinks it again.
    """
    Whh, X, H, h0 = trajectory_rnn(spectral_radius, input_scale, T)
    norms = hidden_jacobian_norms(Whh, H)  # (T,), entry k = ||dh_T / dh_k||
    path = np.vstack([h0, H])  # (T + 1, 2): h_0 .. h_T

    fig, (left, right) = new_figure(ncols=2, width=4.3, height=3.8, top=0.84, bottom=0.15)
    left.plot(path[:, 0], path[:, 1], color="C0", lw=1.0, alpha=0.7)
    left.scatter(path[:, 0], path[:, 1], c=np.arange(T + 1), cmap="viridis", s=10, zorder=3)
    left.plot(*h0, "s", color="C3", label="h_0")
    left.plot(*H[-1], "o", color="k", label="h_T")
    left.set_xlim(-1.05, 1.05)
    left.set_ylim(-1.05, 1.05)
    left.set_xlabel("hidden unit 1, h_t[0]")
    left.set_ylabel("hidden unit 2, h_t[1]")
    left.set_title("state trajectory (colour: time)")
    left.legend(loc="lower right", fontsize=8)

    k = np.arange(T)
    with np.errstate(divide="ignore"):
        log_norms = np.log10(norms)
    right.plot(k, log_norms, color="C0", lw=2, label="||dh_T/dh_k|| (tanh RNN)")
    if spectral_radius > 0:
        bound = (T - k) * np.log10(spectral_radius)
        right.plot(k, bound, color="0.5", ls="--", lw=1, label="rho^(T-k) (linear RNN)")
    finite = log_norms[np.isfinite(log_norms)]
    low = max(min(finite.min() if finite.size else -1.0, 0.0) - 0.5, -40.0)
    high = max(finite.max() if finite.size else 1.0, 0.0) + 0.5
    right.set_ylim(low, min(high, 40.0))
    right.set_xlabel("earlier step k")
    right.set_ylabel("log10 of the Jacobian norm")
    right.set_title(f"gradient reaching step k from T = {T}")
    right.legend(loc="lower right", fontsize=8)
    fig.suptitle(f"2-D tanh RNN, spectral radius of W_hh = {spectral_radius:.2f}")
    return fig


def lstm_gate_traces(params, X, example=0):
    """Gates, cell states and prediction of a course-layout LSTM on one sequence.

    params: ``{"W": (h + d, 4h), "b": (4h,), "W_out": (h, 1), "b_out": (1,)}`` (as
    ``dk.models.SequenceModel.to_numpy_params()`` returns); X (n, T, d). Returns
    ``({"f", "i", "o", "c"}: each (T, h), the prediction at the last step)``.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n, T, d), got {X.shape}")
    if not (isinstance(example, int | np.integer) and 0 <= example < len(X)):
        raise ValueError(f"example must be an integer in 0..{len(X) - 1}, got {example!r}")
    H, C, gates = lstm_forward(X[example : example + 1], None, None, params["W"], params["b"])
    traces = {name: gates[name][0] for name in ("f", "i", "o")}
    traces["c"] = C[0]
    prediction = float(H[0, -1] @ np.asarray(params["W_out"])[:, 0] + params["b_out"][0])
    return traces, prediction


def draw_lstm_gates(params, X, y=None, example=0, units=8):
    """The forget, input and output gates and the cell state of an LSTM over time.

    For sequence ``example`` of X (n, T, 2) (the adding problem: channel 1 marks the two
    numbers to add, drawn as dashed lines) and the first ``units`` hidden units of a
    trained LSTM in the course layout: the ``units`` units whose cell state varies most
    over the sequence. Left: the three gates stacked (0 dark, 1 yellow); right: the
    cell state. A unit that stores a marked number opens its input gate at the mark and
    keeps its forget gate near 1 afterwards, so its cell state steps there.
    """
    traces, prediction = lstm_gate_traces(params, X, example)
    T, hidden = traces["c"].shape
    units = int(min(max(units, 1), hidden))
    marks = np.flatnonzero(np.asarray(X)[example, :, 1] > 0.5)
    gap = np.full((1, T), np.nan)  # a blank row between the gates
    chosen = np.sort(np.argsort(-np.ptp(traces["c"], axis=0), kind="stable")[:units])
    stacked = np.vstack(
        [traces["f"][:, chosen].T, gap, traces["i"][:, chosen].T, gap, traces["o"][:, chosen].T]
    )  # (3 units + 2, T)
    cell = traces["c"][:, chosen].T  # (units, T)
    reach = max(float(np.abs(cell).max()), 1e-6)

    fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.84, bottom=0.14)
    left.imshow(
        stacked,
        aspect="auto",
        interpolation="nearest",
        cmap="viridis",
        vmin=0.0,
        vmax=1.0,
        extent=(-0.5, T - 0.5, len(stacked) - 0.5, -0.5),
    )
    left.set_yticks([(units - 1) / 2 + k * (units + 1) for k in range(3)], ["f", "i", "o"])
    left.set_title(f"gates of {units} units: 0 (dark) to 1 (yellow)", fontsize=10)
    left.set_ylabel("gate (one row per unit)")
    right.imshow(
        cell,
        aspect="auto",
        interpolation="nearest",
        cmap="coolwarm",
        vmin=-reach,
        vmax=reach,
        extent=(-0.5, T - 0.5, units - 0.5, -0.5),
    )
    right.set_title(f"cell state c: red +, blue - (up to {reach:.2f})", fontsize=10)
    right.set_yticks(np.arange(units), [str(j) for j in chosen])
    right.set_ylabel("hidden unit (most active)")
    for ax, colour in ((left, "w"), (right, "k")):
        for t in marks:
            ax.axvline(t, color=colour, ls="--", lw=1)
        ax.grid(False)
        ax.set_xlabel("time step t")
    target = "" if y is None else f", target {float(np.ravel(y)[example]):.3f}"
    fig.suptitle(f"LSTM on adding-problem sequence {example}: prediction {prediction:.3f}{target}")
    return fig
