"""Widget drawings for module 12, recurrent networks."""

import functools

import numpy as np
from matplotlib.ticker import MaxNLocator

from dlkit.nn.recurrent import hidden_jacobian_norms, lstm_forward, rnn_forward
from dlkit.plot import LiveFigure, new_figure, nice_ceil, tick_texts

TRAJECTORY_ANGLE = 0.6  # radians that W_hh turns the state per step
INPUT_PERIOD = 20  # steps per period of the driving sine wave
H0 = (0.6, -0.4)  # the trajectory's start h_0
DEPTH_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0)  # log-norm depths 2, 3, 4, 5, 7, 10, 15, ...


def trajectory_rnn(spectral_radius, input_scale=0.5, T=60, h0=H0):
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


@functools.lru_cache(maxsize=256)
def _log_norms(spectral_radius, input_scale, T):
    """``log10 ||dh_T / dh_k||`` (T,) of the run :func:`trajectory_rnn` makes."""
    Whh, _, H, _ = trajectory_rnn(spectral_radius, input_scale, int(T))
    with np.errstate(divide="ignore"):
        return np.log10(hidden_jacobian_norms(Whh, H))


def _log_norm_range(log_norms):
    """The steady y range of the Jacobian panel, ``-D .. U`` (see :class:`HiddenTrajectory`)."""
    finite = log_norms[np.isfinite(log_norms)]
    lowest = finite.min() if finite.size else -1.0
    highest = finite.max() if finite.size else 1.0
    depth = max(nice_ceil(0.5 - min(lowest, 0.0), DEPTH_STEPS), 2.0)
    height = 0.5 if highest <= 0 else max(nice_ceil(0.5 + highest), 2.0)
    return -min(depth, 40.0), min(height, 40.0)


class HiddenTrajectory(LiveFigure):
    """Module 12's 2-D tanh RNN, redrawn in place (see :func:`draw_hidden_trajectory`).
    Fixed: both panels, labels, legends, the start h_0 and the left panel's square
    ``-1.05 .. 1.05`` (tanh keeps every state inside it). Moving: the path, its
    time-coloured points (colour range ``0 .. T``) and h_T; the Jacobian norms and the
    linear bound; the right title (T) and the figure title (rho).

    Limits of the right panel, in steps: x is ``0 .. X`` with ``X`` the 1-2-5 step at or
    above T; y is ``-D .. U`` over the norms of this run and of the run of length X
    (so that T moves y only where it moves x): ``D`` the step of 1, 1.5, 2, 3, 4, 5, 7
    at or above ``0.5 - min log10 norm``, at least 2 and at most 40 decades; ``U = 0.5``
    while every norm is below 1, otherwise the 1-2-5 step at or above
    ``0.5 + max log10 norm``, at least 2 (a saturated state's norms wander by about a
    decade with T and rho: the floors keep them in a still frame). The bound
    ``(T - k) log10 rho`` may leave the frame.
    """

    def __init__(self):
        fig, (left, right) = new_figure(ncols=2, width=4.3, height=3.8, top=0.84, bottom=0.15)
        (self.path,) = left.plot([], [], color="C0", lw=1.0, alpha=0.7)
        self.points = left.scatter(
            np.zeros(0), np.zeros(0), c=np.zeros(0), cmap="viridis", s=10, zorder=3
        )
        left.plot(*np.asarray(H0), "s", color="C3", label="h_0")
        (self.end,) = left.plot([], [], "o", color="k", label="h_T")
        left.set_xlim(-1.05, 1.05)
        left.set_ylim(-1.05, 1.05)
        left.set_xlabel("hidden unit 1, h_t[0]")
        left.set_ylabel("hidden unit 2, h_t[1]")
        left.set_title("state trajectory (colour: time)")
        left.legend(loc="lower right", fontsize=8)

        (self.norms,) = right.plot([], [], color="C0", lw=2, label="||dh_T/dh_k|| (tanh RNN)")
        (self.bound,) = right.plot(
            [], [], color="0.5", ls="--", lw=1, label="rho^(T-k) (linear RNN)"
        )
        right.set_xlabel("earlier step k")
        right.set_ylabel("log10 of the Jacobian norm")
        right.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 5, 10]))  # whole decades
        self.right_title = right.set_title("")
        right.legend(loc="lower right", fontsize=8)
        self.title = fig.suptitle("")
        self.right = right
        moving = [self.path, self.points, self.end, self.norms, self.bound]
        super().__init__(fig, [*moving, self.right_title, self.title])

    def update(self, spectral_radius, input_scale=0.5, T=60):
        Whh, X, H, h0 = trajectory_rnn(spectral_radius, input_scale, T)
        norms = hidden_jacobian_norms(Whh, H)  # (T,), entry k = ||dh_T / dh_k||
        path = np.vstack([h0, H])  # (T + 1, 2): h_0 .. h_T
        self.path.set_data(path[:, 0], path[:, 1])
        self.points.set_offsets(path)
        self.points.set_array(np.arange(T + 1))
        self.points.set_clim(0, T)
        self.end.set_data([H[-1, 0]], [H[-1, 1]])

        k = np.arange(T)
        with np.errstate(divide="ignore"):
            log_norms = np.log10(norms)
        self.norms.set_data(k, log_norms)
        if spectral_radius > 0:
            self.bound.set_data(k, (T - k) * np.log10(spectral_radius))
        else:
            self.bound.set_data([], [])
        window = nice_ceil(T)
        reference = log_norms if window == T else _log_norms(spectral_radius, input_scale, window)
        self.right.set_xlim(0, window)
        self.right.set_ylim(*_log_norm_range(np.concatenate([log_norms, reference])))
        self.right_title.set_text(f"gradient reaching step k from T = {T}")
        self.title.set_text(f"2-D tanh RNN, spectral radius of W_hh = {spectral_radius:.2f}")
        return self


def draw_hidden_trajectory(spectral_radius, input_scale=0.5, T=60):
    """The state of a 2-D tanh RNN over time, and how far a gradient survives.

    Left: the path of ``h_t`` in the plane (from h_0, marked), driven by a sine wave.
    Right: ``log10 ||dh_T / dh_k||_2`` against k, with the linear bound
    ``log10 rho^(T - k)`` (what the norms would be without tanh): rho < 1 vanishes
    geometrically, rho > 1 grows until tanh saturates, and saturation shrinks it again.
    """
    return HiddenTrajectory().update(spectral_radius, input_scale, T).figure


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


class LstmGates(LiveFigure):
    """Module 12's look inside a trained LSTM, redrawn in place (see
    :func:`draw_lstm_gates`). Fixed per weights and data: the panels, labels and colour
    maps; each sequence's traces are computed once, when first shown. Moving: the gate
    image (``set_data``, colours 0 .. 1) and the cell-state image (colours ``-reach ..
    reach``, reach = the largest ``|c|`` shown), the row labels (f, i, o; the chosen
    units), the dashed marks, the titles.

    Limits: fixed. x is ``-0.5 .. T - 0.5``; y is ``0 .. 1`` in both panels, and the
    images' rows share it (``units`` rows of cell state, ``3 units + 2`` rows of gates),
    so no move of ``example`` or ``units`` renders the static part again.
    """

    def __init__(self, params, X, y=None):
        self.params, self.X, self.y = params, np.asarray(X, dtype=float), y
        if self.X.ndim != 3:
            raise ValueError(f"X must have shape (n, T, d), got {self.X.shape}")
        self.traces = {}  # example -> (traces, prediction), filled when first shown
        n, T, _ = self.X.shape
        self.hidden = np.asarray(params["W"]).shape[1] // 4
        marked = self.X[:, :, 1] > 0.5  # (n, T)
        most_marks = int(marked.sum(axis=1).max()) if n else 0

        fig, (left, right) = new_figure(ncols=2, width=4.4, height=3.8, top=0.84, bottom=0.14)
        extent = (-0.5, T - 0.5, 1.0, 0.0)  # the rows fill 0 (top) .. 1 (bottom)
        self.gates = left.imshow(
            np.zeros((1, T)),
            aspect="auto",
            interpolation="nearest",
            cmap="viridis",
            vmin=0.0,
            vmax=1.0,
            extent=extent,
        )
        self.cell = right.imshow(
            np.zeros((1, T)),
            aspect="auto",
            interpolation="nearest",
            cmap="coolwarm",
            vmin=-1.0,
            vmax=1.0,
            extent=extent,
        )
        self.marks = []  # (line, axes) pairs: the most marks any sequence has, per panel
        for ax, colour in ((left, "w"), (right, "k")):
            ax.set_xlim(-0.5, T - 0.5)
            ax.set_ylim(1.0, 0.0)
            ax.set_yticks([])
            ax.grid(False)
            ax.set_xlabel("time step t")
            for _ in range(most_marks):
                self.marks.append(ax.axvline(0.0, color=colour, ls="--", lw=1))
        left.set_ylabel("gate (one row per unit)")
        right.set_ylabel("hidden unit (most active)")
        # placed clear of the row labels (texts that the axis does not measure)
        left.yaxis.set_label_coords(-0.07, 0.5)
        right.yaxis.set_label_coords(-0.12, 0.5)
        self.gate_labels = tick_texts(left, "y", 3)
        for text, name in zip(self.gate_labels, ("f", "i", "o")):
            text.set_text(name)
        self.unit_labels = tick_texts(right, "y", self.hidden)
        self.left_title = left.set_title("", fontsize=10)
        self.right_title = right.set_title("", fontsize=10)
        self.title = fig.suptitle("")
        texts = [*self.gate_labels, *self.unit_labels, self.left_title, self.right_title]
        super().__init__(fig, [self.gates, self.cell, *self.marks, *texts, self.title])

    def update(self, example=0, units=8):
        if example not in self.traces:
            self.traces[example] = lstm_gate_traces(self.params, self.X, example)
        traces, prediction = self.traces[example]
        T, hidden = traces["c"].shape
        units = int(min(max(units, 1), hidden))
        gap = np.full((1, T), np.nan)  # a blank row between the gates
        chosen = np.sort(np.argsort(-np.ptp(traces["c"], axis=0), kind="stable")[:units])
        stacked = np.vstack(
            [traces["f"][:, chosen].T, gap, traces["i"][:, chosen].T, gap, traces["o"][:, chosen].T]
        )  # (3 units + 2, T)
        cell = traces["c"][:, chosen].T  # (units, T)
        reach = max(float(np.abs(cell).max()), 1e-6)
        self.gates.set_data(stacked)
        self.cell.set_data(cell)
        self.cell.set_clim(-reach, reach)
        rows = len(stacked)
        for k, text in enumerate(self.gate_labels):  # the middle of each block of rows
            text.set_y((units / 2 + k * (units + 1)) / rows)
        for j, text in enumerate(self.unit_labels):
            text.set_visible(j < units)
            if j < units:
                text.set_y((j + 0.5) / units)
                text.set_text(str(chosen[j]))
        marks = np.flatnonzero(self.X[example, :, 1] > 0.5)
        per_panel = len(self.marks) // 2
        for i, line in enumerate(self.marks):
            t = marks[i % per_panel] if i % per_panel < len(marks) else None
            line.set_visible(t is not None)
            line.set_xdata([0.0, 0.0] if t is None else [t, t])
        self.left_title.set_text(f"gates of {units} units: 0 (dark) to 1 (yellow)")
        self.right_title.set_text(f"cell state c: red +, blue - (up to {reach:.2f})")
        y = self.y
        target = "" if y is None else f", target {float(np.ravel(y)[example]):.3f}"
        self.title.set_text(
            f"LSTM on adding-problem sequence {example}: prediction {prediction:.3f}{target}"
        )
        return self


def draw_lstm_gates(params, X, y=None, example=0, units=8):
    """The forget, input and output gates and the cell state of an LSTM over time.

    For sequence ``example`` of X (n, T, 2) (the adding problem: channel 1 marks the two
    numbers to add, drawn as dashed lines) and the first ``units`` hidden units of a
    trained LSTM in the course layout: the ``units`` units whose cell state varies most
    over the sequence. Left: the three gates stacked (0 dark, 1 yellow); right: the
    cell state. A unit that stores a marked number opens its input gate at the mark and
    keeps its forget gate near 1 afterwards, so its cell state steps there.
    """
    return LstmGates(params, X, y).update(example, units).figure
