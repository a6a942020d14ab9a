"""Recurrent networks in numpy: RNN, LSTM and GRU cells, backpropagation through time.

Conventions (the course's, pinned in module 12):

* batches are rows and time is axis 1: a sequence batch ``X`` has shape (N, T, d), the
  hidden states ``H`` (N, T, h) with ``H[:, t]`` the state *after* reading ``X[:, t]``
  (so ``H[:, 0]`` is h_1 and the initial state h_0 is passed separately);
* row vectors: the vanilla RNN is ``h_t = tanh(x_t W_xh + h_{t-1} W_hh + b)`` with
  W_xh (d, h), W_hh (h, h), b (h,);
* LSTM: one matrix ``W`` (h + d, 4h) acting on the concatenation ``[h_{t-1}, x_t]``, its
  column blocks in the order **f, i, g, o** (forget, input, candidate, output), one bias
  b (4h,). torch orders its blocks i, f, g, o, stores (4h, d) and (4h, h) matrices and
  has two biases: :func:`dlkit.models.rnn.lstm_to_course` converts;
* GRU: ``params = {"Wx": (d, 3h), "Wh": (h, 3h), "bx": (3h,), "bh": (3h,)}`` with
  blocks **r, z, n** (reset, update, candidate: torch's order and its two biases), in
  one of two conventions:

  - ``"book"`` (Cho et al. 2014): the reset gate acts *before* the matrix product and
    z weighs the new candidate, ``n = tanh(x Wx_n + bx_n + (r * h) Wh_n + bh_n)``,
    ``h' = (1 - z) * h + z * n``;
  - ``"torch"`` (``nn.GRUCell``, cuDNN): the reset gate acts *after* it and z weighs the
    old state, ``n = tanh(x Wx_n + bx_n + r * (h Wh_n + bh_n))``, ``h' = (1 - z) * n + z * h``.

Backward passes take the gradient of the loss with respect to every hidden state coming
from the outputs, ``dH`` (N, T, h), and run the recursion of backpropagation through time
(BPTT), ``dL/dh_t = dH_t + dL/dh_{t+1} dh_{t+1}/dh_t``, from t = T down to 1.
"""

import itertools

import numpy as np

from dlkit.nn.init import xavier_normal
from dlkit.numerics import sigmoid

CELLS = ("rnn", "gru", "lstm")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # weight blocks per cell
LSTM_GATES = ("f", "i", "g", "o")
GRU_BLOCKS = ("r", "z", "n")
GRU_CONVENTIONS = ("book", "torch")
RNN_KEYS = ("Wxh", "Whh", "b")
GRU_KEYS = ("Wx", "Wh", "bx", "bh")


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _array(value, ndim, name, owner):
    array = np.asarray(value, dtype=float)
    if array.ndim != ndim:
        raise ValueError(f"{owner}: {name} must have {ndim} dimensions, got shape {array.shape}")
    return array


def _shape(array, shape, name, owner, hint=""):
    if array.shape != tuple(shape):
        raise ValueError(
            f"{owner}: {name} must have shape {tuple(shape)}, got {array.shape}"
            + (f"; {hint}" if hint else "")
        )
    return array


def _sequence(X, owner):
    return _array(X, 3, "X (N, T, d)", owner)


def _rnn_params(X, h0, Wxh, Whh, b, owner):
    """The RNN's arrays as floats, shapes checked: X (N, T, d), h0 (N, h), ..."""
    X = _sequence(X, owner)
    n, _, d = X.shape
    Wxh = _array(Wxh, 2, "Wxh (d, h)", owner)
    h = Wxh.shape[1]
    _shape(Wxh, (d, h), "Wxh", owner, "rows are the d input features")
    Whh = _shape(_array(Whh, 2, "Whh (h, h)", owner), (h, h), "Whh", owner)
    b = _shape(_array(b, 1, "b (h,)", owner), (h,), "b", owner)
    h0 = np.zeros((n, h)) if h0 is None else _array(h0, 2, "h0 (N, h)", owner)
    _shape(h0, (n, h), "h0", owner, "one initial state per sequence")
    return X, h0, Wxh, Whh, b


# ---------------------------------------------------------------------------
# The vanilla RNN
# ---------------------------------------------------------------------------


def rnn_cell(x, h, Wxh, Whh, b):
    """One step ``h_t = tanh(x_t W_xh + h_{t-1} W_hh + b)``: x (N, d), h (N, h) -> (N, h)."""
    x = np.asarray(x, dtype=float)
    h = np.asarray(h, dtype=float)
    return np.tanh(x @ Wxh + h @ Whh + b)


def rnn_forward(X, h0, Wxh, Whh, b):
    """Unroll the RNN over a batch: ``H[:, t] = tanh(X[:, t] W_xh + H[:, t-1] W_hh + b)``.

    X (N, T, d), h0 (N, h) (None for zeros), W_xh (d, h), W_hh (h, h), b (h,). Returns
    H (N, T, h), the states h_1 ... h_T (h_0 is not included).
    """
    X, h, Wxh, Whh, b = _rnn_params(X, h0, Wxh, Whh, b, "rnn_forward")
    n, steps, _ = X.shape
    H = np.empty((n, steps, Wxh.shape[1]))
    inputs = X @ Wxh + b  # (N, T, h): the input part of every step at once
    for t in range(steps):
        h = np.tanh(inputs[:, t] + h @ Whh)
        H[:, t] = h
    return H


def rnn_backward(X, H, h0, Wxh, Whh, dH):
    """BPTT through the RNN given the output gradients ``dH = dL/dh_t`` (N, T, h).

    dH holds each state's gradient from the outputs only; the recursion adds the part
    flowing back from the next step, ``delta_t = dH_t + (delta_{t+1} * (1 - h_{t+1}^2)) W_hh^T``.
    With ``a_t = delta_t * (1 - h_t^2)`` (tanh' from the *output* h_t):
    ``dW_xh = sum_t x_t^T a_t``, ``dW_hh = sum_t h_{t-1}^T a_t`` (h_0 included),
    ``db = sum_t a_t``, ``dh_0 = a_1 W_hh^T``, ``dX_t = a_t W_xh^T``.

    Returns ``{"Wxh", "Whh", "b", "h0", "X"}``, each of its array's shape.
    """
    owner = "rnn_backward"
    X, h0, Wxh, Whh, _ = _rnn_params(X, h0, Wxh, Whh, np.zeros(np.shape(Whh)[0]), owner)
    H = _shape(_array(H, 3, "H (N, T, h)", owner), X.shape[:2] + (Wxh.shape[1],), "H", owner)
    dH = _shape(_array(dH, 3, "dH (N, T, h)", owner), H.shape, "dH", owner)
    dX = np.empty_like(X)
    dWxh, dWhh = np.zeros_like(Wxh), np.zeros_like(Whh)
    db = np.zeros(Wxh.shape[1])
    delta_next = np.zeros_like(h0)  # dL/dh_{T+1} . dh_{T+1}/dh_T = 0
    for t in reversed(range(X.shape[1])):
        delta = dH[:, t] + delta_next  # (N, h): dL/dh_t, both paths
        a = delta * (1.0 - H[:, t] ** 2)  # (N, h): dL/d(pre-activation)
        h_prev = H[:, t - 1] if t > 0 else h0
        dWxh += X[:, t].T @ a
        dWhh += h_prev.T @ a
        db += a.sum(axis=0)
        dX[:, t] = a @ Wxh.T
        delta_next = a @ Whh.T
    return {"Wxh": dWxh, "Whh": dWhh, "b": db, "h0": delta_next, "X": dX}


def _readout(H, Y, Why, by, owner):
    """Per-step linear outputs and the loss L = sum_{n,t} |y_hat - y|^2 / (2N)."""
    Y = _array(Y, 3, "Y (N, T, k)", owner)
    Why = _array(Why, 2, "Why (h, k)", owner)
    _shape(Why, (H.shape[2], Y.shape[2]), "Why", owner)
    by = _shape(_array(by, 1, "by (k,)", owner), (Y.shape[2],), "by", owner)
    _shape(Y, H.shape[:2] + (Y.shape[2],), "Y", owner, "one target per input step")
    residual = H @ Why + by - Y  # (N, T, k)
    n = len(Y)
    return float(np.sum(residual**2) / (2 * n)), residual / n, Why, by


def rnn_bptt(X, Y, h0, Wxh, Whh, b, Why, by):
    """Loss and gradients of an RNN with a linear output at every step (full BPTT).

    ``y_hat_t = h_t W_hy + b_y`` and ``L = (1 / 2N) sum_t sum_n |y_hat_t - y_t|^2`` for X
    (N, T, d), Y (N, T, k), W_hy (h, k), b_y (k,). Returns ``(L, grads)`` with grads
    ``{"Wxh", "Whh", "b", "Why", "by", "h0"}``.
    """
    H = rnn_forward(X, h0, Wxh, Whh, b)
    loss, dY, Why, by = _readout(H, Y, Why, by, "rnn_bptt")
    dH = dY @ Why.T  # (N, T, h)
    grads = rnn_backward(X, H, h0, Wxh, Whh, dH)
    h = H.shape[2]
    grads["Why"] = H.reshape(-1, h).T @ dY.reshape(-1, dY.shape[2])  # (N T, h)^T (N T, k)
    grads["by"] = dY.sum(axis=(0, 1))
    del grads["X"]
    return loss, grads


def truncated_bptt(X, Y, h0, Wxh, Whh, b, Why, by, k):
    """Truncated BPTT: the loss of :func:`rnn_bptt`, gradients within chunks of k steps.

    The sequence is cut into consecutive chunks ``[0, k), [k, 2k), ...`` (the last may be
    shorter). The hidden state is *carried* from one chunk to the next (its value) but
    *detached* (no gradient flows across a boundary): the state is not reset to zero.
    The gradients are the sum of each chunk's full BPTT gradients with its carried
    start state as a constant; for ``k >= T`` they equal :func:`rnn_bptt`'s. Returns
    ``(L, grads)``, grads as in :func:`rnn_bptt` with ``"h0"`` from the first chunk.
    """
    X = _sequence(X, "truncated_bptt")
    Y = _array(Y, 3, "Y (N, T, k)", "truncated_bptt")
    if not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"truncated_bptt: the chunk length k must be an integer >= 1, got {k!r}")
    total, grads, h = 0.0, None, h0
    for start in range(0, X.shape[1], k):
        chunk = slice(start, start + k)
        loss, part = rnn_bptt(X[:, chunk], Y[:, chunk], h, Wxh, Whh, b, Why, by)
        total += loss
        if grads is None:
            grads = part
        else:
            for key in RNN_KEYS + ("Why", "by"):
                grads[key] = grads[key] + part[key]
        h = rnn_forward(X[:, chunk], h, Wxh, Whh, b)[:, -1]  # carried, as a constant
    return total, grads


def hidden_jacobian_norms(Whh, H):
    """``||dh_T / dh_k||_2`` for k = 0, ..., T-1 along one sequence of a tanh RNN.

    Whh (h, h); H (T, h) the states h_1 ... h_T. Each step's Jacobian (column convention,
    entry [i, j] = dh_t[i] / dh_{t-1}[j]) is ``J_t = diag(1 - h_t^2) W_hh^T``, and
    ``dh_T / dh_k = J_T J_{T-1} ... J_{k+1}`` (eq 10.6). Returns the spectral norms (T,):
    the factor by which a gradient arriving at h_T can grow or shrink on its way to h_k.
    """
    Whh = _array(Whh, 2, "Whh (h, h)", "hidden_jacobian_norms")
    H = _array(H, 2, "H (T, h)", "hidden_jacobian_norms")
    _shape(Whh, (H.shape[1],) * 2, "Whh", "hidden_jacobian_norms")
    steps = len(H)
    norms = np.empty(steps)
    product = np.eye(H.shape[1])  # dh_T / dh_T
    for k in reversed(range(steps)):
        product = product @ ((1.0 - H[k] ** 2)[:, None] * Whh.T)  # ... J_{k+1}, J uses h_{k+1}
        norms[k] = np.linalg.norm(product, 2)
    return norms


class RNN:
    """A tanh RNN layer over sequences: ``forward(X, h0) -> H``, ``backward(dH) -> dX``.

    Parameters ``Wxh`` (d, h) and ``Whh`` (h, h) start Xavier-normal (``Whh`` scaled to
    the spectral radius ``radius`` when given), ``b`` zeros. After ``backward`` the
    gradients are in ``grads`` (``"Wxh", "Whh", "b", "h0"``).
    """

    def __init__(self, input_size, hidden_size, rng, radius=None):
        self.Wxh = xavier_normal(input_size, hidden_size, rng)
        self.Whh = xavier_normal(hidden_size, hidden_size, rng)
        if radius is not None:
            self.Whh *= radius / np.max(np.abs(np.linalg.eigvals(self.Whh)))
        self.b = np.zeros(hidden_size)
        self.grads = {}
        self._cache = None

    def forward(self, X, h0=None):
        H = rnn_forward(X, h0, self.Wxh, self.Whh, self.b)
        self._cache = (np.asarray(X, dtype=float), H, h0)
        return H

    def backward(self, dH):
        if self._cache is None:
            raise ValueError("RNN.backward: call forward first; it stores the states")
        X, H, h0 = self._cache
        self.grads = rnn_backward(X, H, h0, self.Wxh, self.Whh, dH)
        return self.grads.pop("X")

    def parameters(self):
        """``[(array, gradient), ...]`` for Wxh, Whh, b (gradients of the last backward)."""
        return [(getattr(self, key), self.grads.get(key)) for key in RNN_KEYS]


def birnn_forward(X, params_fwd, params_bwd):
    """A bidirectional RNN: ``[h_fwd_t ; h_bwd_t]`` for every t, shape (N, T, 2h).

    params_*: dicts ``{"Wxh", "Whh", "b"}``; both directions start from zeros. The
    backward RNN reads ``x_T, ..., x_1`` (eq 10.23) and its states are flipped back into
    time order, so position t holds the summary of ``x_1..x_t`` (forward half) and of
    ``x_t..x_T`` (backward half): it depends on the future, hence no online use.
    """
    X = _sequence(X, "birnn_forward")
    forward = rnn_forward(X, None, *(params_fwd[key] for key in RNN_KEYS))
    backward = rnn_forward(X[:, ::-1], None, *(params_bwd[key] for key in RNN_KEYS))
    return np.concatenate([forward, backward[:, ::-1]], axis=2)  # (N, T, 2h)


def stacked_rnn_forward(X, layers):
    """A deep RNN (eq 10.25): layer l reads the states of layer l - 1 at the same step.

    layers: a list of ``{"Wxh", "Whh", "b"}`` dicts, the first with ``Wxh`` (d, h_1),
    layer l with ``Wxh`` (h_{l-1}, h_l); zero initial states. Returns the list of each
    layer's states, [(N, T, h_1), ..., (N, T, h_L)].
    """
    states, H = [], _sequence(X, "stacked_rnn_forward")
    for params in layers:
        H = rnn_forward(H, None, *(params[key] for key in RNN_KEYS))
        states.append(H)
    return states


def rnn_param_count(d, h, cell, num_layers=1, bidirectional=False, torch_biases=True):
    """Parameters of torch's ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM(d, h, num_layers, ...)``.

    A layer with input width m has ``G h (m + h) + G h B`` parameters per direction, with
    G = 1, 3, 4 weight blocks (rnn, gru, lstm) and B = 2 biases per block in torch
    (``bias_ih`` and ``bias_hh``) or 1 in the textbook form. Layer 1 reads m = d; deeper
    layers read the previous layer's states, m = h, or m = 2h when bidirectional.
    The output layer is not counted.
    """
    if cell not in GATES:
        raise ValueError(f"rnn_param_count: unknown cell {cell!r}; choose one of {CELLS}")
    for name, value in (("d", d), ("h", h), ("num_layers", num_layers)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"rnn_param_count: {name} must be an integer >= 1, got {value!r}")
    gates, biases, directions = GATES[cell], 2 if torch_biases else 1, 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        m = d if layer == 0 else directions * h
        total += directions * gates * h * (m + h + biases)
    return int(total)


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


def _lstm_params(h, W, b, owner):
    W = _array(W, 2, "W (h + d, 4h)", owner)
    b = _array(b, 1, "b (4h,)", owner)
    if W.shape[1] % 4 or W.shape[1] // 4 != h.shape[-1]:
        raise ValueError(
            f"{owner}: W must have 4h = {4 * h.shape[-1]} columns (blocks f, i, g, o), "
            f"got shape {W.shape}"
        )
    _shape(b, (W.shape[1],), "b", owner)
    return W, b


def _lstm_gates(z, hidden):
    """Split pre-activations (N, 4h) into the gates f, i, o (sigmoid) and g (tanh)."""
    zf, zi, zg, zo = (z[:, k * hidden : (k + 1) * hidden] for k in range(4))
    return sigmoid(zf), sigmoid(zi), np.tanh(zg), sigmoid(zo)


def lstm_cell(x, h, c, W, b):
    """One LSTM step (eq 10.7-10.12) on ``[h, x]`` with gate blocks f, i, g, o.

    x (N, d), h and c (N, h), W (h + d, 4h), b (4h,):
    ``z = [h, x] W + b``; ``f, i, o = sigmoid(z_f, z_i, z_o)``, ``g = tanh(z_g)``;
    ``c' = f * c + i * g``; ``h' = o * tanh(c')``. Returns ``(h', c')``.
    """
    x = _array(x, 2, "x (N, d)", "lstm_cell")
    h = _array(h, 2, "h (N, h)", "lstm_cell")
    c = _shape(_array(c, 2, "c (N, h)", "lstm_cell"), h.shape, "c", "lstm_cell")
    W, b = _lstm_params(h, W, b, "lstm_cell")
    _shape(W, (h.shape[1] + x.shape[1], W.shape[1]), "W", "lstm_cell", "rows are [h, x]")
    f, i, g, o = _lstm_gates(np.concatenate([h, x], axis=1) @ W + b, h.shape[1])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def lstm_forward(X, h0, c0, W, b):
    """Unroll an LSTM: returns ``(H, C, gates)`` with H and C (N, T, h) the states after
    each step and ``gates = {"f", "i", "g", "o"}``, each (N, T, h), for plots and backward.

    X (N, T, d); h0, c0 (N, h) or None for zeros; W (h + d, 4h) on ``[h, x]`` with blocks
    f, i, g, o; b (4h,).
    """
    X = _sequence(X, "lstm_forward")
    n, steps, d = X.shape
    W = _array(W, 2, "W (h + d, 4h)", "lstm_forward")
    hidden = W.shape[1] // 4
    h = np.zeros((n, hidden)) if h0 is None else _array(h0, 2, "h0 (N, h)", "lstm_forward")
    c = np.zeros((n, hidden)) if c0 is None else _array(c0, 2, "c0 (N, h)", "lstm_forward")
    W, b = _lstm_params(h, W, b, "lstm_forward")
    _shape(W, (hidden + d, 4 * hidden), "W", "lstm_forward", "rows are [h, x]")
    H, C = np.empty((n, steps, hidden)), np.empty((n, steps, hidden))
    gates = {name: np.empty((n, steps, hidden)) for name in LSTM_GATES}
    inputs = X @ W[hidden:] + b  # (N, T, 4h): the x-part of every step
    for t in range(steps):
        f, i, g, o = _lstm_gates(inputs[:, t] + h @ W[:hidden], hidden)
        c = f * c + i * g
        h = o * np.tanh(c)
        H[:, t], C[:, t] = h, c
        for name, value in zip(LSTM_GATES, (f, i, g, o)):
            gates[name][:, t] = value
    return H, C, gates


def lstm_backward(X, h0, c0, W, H, C, gates, dH):
    """BPTT through an LSTM from :func:`lstm_forward`'s outputs and ``dH = dL/dh_t`` (N, T, h).

    Per step, with delta_h the total gradient into h_t and delta_c the one into c_t:
    ``d_o = delta_h tanh(c_t)``, ``delta_c += delta_h o (1 - tanh^2 c_t)``,
    ``d_f = delta_c c_{t-1}``, ``d_i = delta_c g``, ``d_g = delta_c i``, and the cell path
    passes ``delta_c f`` back to c_{t-1}: the forget gate is the gradient's highway.
    Returns ``{"W", "b", "h0", "c0", "X"}``.
    """
    X = _sequence(X, "lstm_backward")
    n, steps, _ = X.shape
    W = np.asarray(W, dtype=float)
    hidden = W.shape[1] // 4
    h0 = np.zeros((n, hidden)) if h0 is None else np.asarray(h0, dtype=float)
    c0 = np.zeros((n, hidden)) if c0 is None else np.asarray(c0, dtype=float)
    dH = _shape(_array(dH, 3, "dH (N, T, h)", "lstm_backward"), H.shape, "dH", "lstm_backward")
    dW, db, dX = np.zeros_like(W), np.zeros(W.shape[1]), np.empty_like(X)
    delta_h, delta_c = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(steps)):
        f, i, g, o = (gates[name][:, t] for name in LSTM_GATES)
        h_prev = H[:, t - 1] if t > 0 else h0
        c_prev = C[:, t - 1] if t > 0 else c0
        dh = dH[:, t] + delta_h
        tanh_c = np.tanh(C[:, t])
        dc = delta_c + dh * o * (1.0 - tanh_c**2)
        dz = np.concatenate(
            [
                dc * c_prev * f * (1.0 - f),  # forget
                dc * g * i * (1.0 - i),  # input
                dc * i * (1.0 - g**2),  # candidate
                dh * tanh_c * o * (1.0 - o),  # output
            ],
            axis=1,
        )  # (N, 4h)
        joint = np.concatenate([h_prev, X[:, t]], axis=1)  # (N, h + d)
        dW += joint.T @ dz
        db += dz.sum(axis=0)
        djoint = dz @ W.T  # (N, h + d)
        delta_h, dX[:, t] = djoint[:, :hidden], djoint[:, hidden:]
        delta_c = dc * f
    return {"W": dW, "b": db, "h0": delta_h, "c0": delta_c, "X": dX}


class LSTM:
    """An LSTM layer over sequences: ``forward(X) -> H``, ``backward(dH) -> dX``.

    ``W`` (h + d, 4h) Xavier-normal on ``[h, x]`` with blocks f, i, g, o; ``b`` zeros except
    the forget block, which starts at ``forget_bias`` (1 by default: remember at first).
    """

    def __init__(self, input_size, hidden_size, rng, forget_bias=1.0):
        self.W = xavier_normal(hidden_size + input_size, 4 * hidden_size, rng)
        self.b = np.zeros(4 * hidden_size)
        self.b[:hidden_size] = forget_bias
        self.grads = {}
        self._cache = None

    def forward(self, X, h0=None, c0=None):
        H, C, gates = lstm_forward(X, h0, c0, self.W, self.b)
        self._cache = (np.asarray(X, dtype=float), h0, c0, H, C, gates)
        return H

    def backward(self, dH):
        if self._cache is None:
            raise ValueError("LSTM.backward: call forward first; it stores the gates")
        X, h0, c0, H, C, gates = self._cache
        self.grads = lstm_backward(X, h0, c0, self.W, H, C, gates, dH)
        return self.grads.pop("X")

    def parameters(self):
        return [(self.W, self.grads.get("W")), (self.b, self.grads.get("b"))]


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------


def _gru_params(params, d, hidden, owner):
    missing = [key for key in GRU_KEYS if key not in params]
    if missing:
        raise ValueError(f"{owner}: params needs the keys {GRU_KEYS}, missing {missing}")
    Wx = _shape(_array(params["Wx"], 2, "Wx", owner), (d, 3 * hidden), "Wx (d, 3h)", owner)
    Wh = _shape(_array(params["Wh"], 2, "Wh", owner), (hidden, 3 * hidden), "Wh (h, 3h)", owner)
    bx = _shape(_array(params["bx"], 1, "bx", owner), (3 * hidden,), "bx (3h,)", owner)
    bh = _shape(_array(params["bh"], 1, "bh", owner), (3 * hidden,), "bh (3h,)", owner)
    return Wx, Wh, bx, bh


def _convention(convention, owner):
    if convention not in GRU_CONVENTIONS:
        raise ValueError(
            f"{owner}: unknown convention {convention!r}; choose 'book' (reset before the "
            "matrix product, h' = (1 - z) h + z n) or 'torch' (reset after it, "
            "h' = (1 - z) n + z h)"
        )


def _gru_step(x, h, Wx, Wh, bx, bh, convention):
    """One GRU step; returns h' and the cache (r, z, n, h W_hn + b_hn) for backward."""
    k = h.shape[1]
    ax = x @ Wx + bx  # (N, 3h)
    ah = h @ Wh[:, : 2 * k] + bh[: 2 * k]  # (N, 2h): the r and z blocks
    r = sigmoid(ax[:, :k] + ah[:, :k])
    z = sigmoid(ax[:, k : 2 * k] + ah[:, k:])
    if convention == "book":
        hn = (r * h) @ Wh[:, 2 * k :] + bh[2 * k :]  # reset before the product
        n = np.tanh(ax[:, 2 * k :] + hn)
        h_new = (1.0 - z) * h + z * n
    else:
        hn = h @ Wh[:, 2 * k :] + bh[2 * k :]  # reset after the product, b_hn inside
        n = np.tanh(ax[:, 2 * k :] + r * hn)
        h_new = (1.0 - z) * n + z * h
    return h_new, (r, z, n, hn)


def gru_cell(x, h, params, convention="book"):
    """One GRU step in the ``"book"`` or ``"torch"`` convention (see the module docstring).

    x (N, d), h (N, h), params ``{"Wx": (d, 3h), "Wh": (h, 3h), "bx": (3h,), "bh": (3h,)}``
    with blocks r, z, n. Returns h' (N, h). The two conventions differ in where the
    reset gate acts and in which state z weighs; ``"torch"`` equals ``nn.GRUCell``.
    """
    _convention(convention, "gru_cell")
    x = _array(x, 2, "x (N, d)", "gru_cell")
    h = _array(h, 2, "h (N, h)", "gru_cell")
    Wx, Wh, bx, bh = _gru_params(params, x.shape[1], h.shape[1], "gru_cell")
    return _gru_step(x, h, Wx, Wh, bx, bh, convention)[0]


def gru_forward(X, h0, params, convention="book"):
    """Unroll a GRU: ``(H, cache)`` with H (N, T, h) the states after each step.

    X (N, T, d), h0 (N, h) or None for zeros, params and convention as in :func:`gru_cell`.
    ``cache`` holds each step's (r, z, n, h W_hn + b_hn) for :func:`gru_backward`.
    """
    _convention(convention, "gru_forward")
    X = _sequence(X, "gru_forward")
    n, steps, d = X.shape
    hidden = np.shape(params["Wh"])[0]
    h = np.zeros((n, hidden)) if h0 is None else _array(h0, 2, "h0 (N, h)", "gru_forward")
    Wx, Wh, bx, bh = _gru_params(params, d, hidden, "gru_forward")
    H, cache = np.empty((n, steps, hidden)), []
    for t in range(steps):
        h, step = _gru_step(X[:, t], h, Wx, Wh, bx, bh, convention)
        H[:, t] = h
        cache.append(step)
    return H, cache


def gru_backward(X, h0, params, H, cache, dH, convention="book"):
    """BPTT through a GRU from :func:`gru_forward`'s outputs and ``dH = dL/dh_t`` (N, T, h).

    Returns ``{"Wx", "Wh", "bx", "bh", "h0", "X"}``. The state path ``h' = ... + (1 - z) h``
    (book) or ``+ z h`` (torch) passes the gradient back with an element-wise factor,
    not a matrix product: the GRU's version of the LSTM's cell highway.
    """
    _convention(convention, "gru_backward")
    X = _sequence(X, "gru_backward")
    n, steps, d = X.shape
    Wx, Wh, bx, bh = _gru_params(params, d, np.shape(params["Wh"])[0], "gru_backward")
    k = Wh.shape[0]
    h0 = np.zeros((n, k)) if h0 is None else np.asarray(h0, dtype=float)
    grads = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "bx": np.zeros_like(bx)}
    grads["bh"] = np.zeros_like(bh)
    dX, delta = np.empty_like(X), np.zeros_like(h0)
    for t in reversed(range(steps)):
        r, z, cand, hn = cache[t]
        h_prev = H[:, t - 1] if t > 0 else h0
        dh = dH[:, t] + delta  # (N, h): total gradient into h_t
        if convention == "book":
            dcand, dz, dh_prev = dh * z, dh * (cand - h_prev), dh * (1.0 - z)
        else:
            dcand, dz, dh_prev = dh * (1.0 - z), dh * (h_prev - cand), dh * z
        da_n = dcand * (1.0 - cand**2)  # (N, h)
        if convention == "book":
            grads["Wh"][:, 2 * k :] += (r * h_prev).T @ da_n
            grads["bh"][2 * k :] += da_n.sum(axis=0)
            d_rh = da_n @ Wh[:, 2 * k :].T
            dr, dh_prev = d_rh * h_prev, dh_prev + d_rh * r
        else:
            dhn = da_n * r
            grads["Wh"][:, 2 * k :] += h_prev.T @ dhn
            grads["bh"][2 * k :] += dhn.sum(axis=0)
            dr, dh_prev = da_n * hn, dh_prev + dhn @ Wh[:, 2 * k :].T
        da_rz = np.concatenate([dr * r * (1.0 - r), dz * z * (1.0 - z)], axis=1)  # (N, 2h)
        da_x = np.concatenate([da_rz, da_n], axis=1)  # (N, 3h)
        grads["Wx"] += X[:, t].T @ da_x
        grads["bx"] += da_x.sum(axis=0)
        grads["Wh"][:, : 2 * k] += h_prev.T @ da_rz
        grads["bh"][: 2 * k] += da_rz.sum(axis=0)
        dX[:, t] = da_x @ Wx.T
        delta = dh_prev + da_rz @ Wh[:, : 2 * k].T
    grads["h0"], grads["X"] = delta, dX
    return grads


class GRU:
    """A GRU layer over sequences in either convention: ``forward(X) -> H``, ``backward(dH)``."""

    def __init__(self, input_size, hidden_size, rng, convention="book"):
        _convention(convention, "GRU")
        self.convention = convention
        self.params = {
            "Wx": xavier_normal(input_size, 3 * hidden_size, rng),
            "Wh": xavier_normal(hidden_size, 3 * hidden_size, rng),
            "bx": np.zeros(3 * hidden_size),
            "bh": np.zeros(3 * hidden_size),
        }
        self.grads = {}
        self._cache = None

    def forward(self, X, h0=None):
        H, cache = gru_forward(X, h0, self.params, self.convention)
        self._cache = (np.asarray(X, dtype=float), h0, H, cache)
        return H

    def backward(self, dH):
        if self._cache is None:
            raise ValueError("GRU.backward: call forward first; it stores the gates")
        X, h0, H, cache = self._cache
        self.grads = gru_backward(X, h0, self.params, H, cache, dH, self.convention)
        return self.grads.pop("X")

    def parameters(self):
        return [(self.params[key], self.grads.get(key)) for key in GRU_KEYS]


# ---------------------------------------------------------------------------
# Sequence to sequence: teacher forcing, additive attention, greedy and beam search
# ---------------------------------------------------------------------------


def decoder_inputs(targets, bos):
    """Teacher forcing: the decoder reads the targets shifted right by one, BOS first.

    targets (N, T) integer tokens y_1..y_T -> (N, T) ``[bos, y_1, ..., y_{T-1}]``: at step
    t the decoder sees the true previous token y_{t-1} and is trained to predict y_t
    (the loss's targets stay ``targets``, unshifted).
    """
    targets = np.asarray(targets)
    if targets.ndim != 2 or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(
            f"decoder_inputs: targets must be a 2-D integer array (N, T), got "
            f"{targets.dtype} of shape {targets.shape}"
        )
    start = np.full((len(targets), 1), bos, dtype=targets.dtype)
    return np.concatenate([start, targets[:, :-1]], axis=1)  # (N, 1 + T - 1)


def additive_attention(s, H, Ws, Wh, v, mask=None):
    """Additive (Bahdanau) attention of a decoder state over encoder states (eq 10.19-10.21).

    s (N, d_s), H (N, T, d_h), Ws (d_s, a), Wh (d_h, a), v (a,);
    ``e_i = tanh(s W_s + h_i W_h) . v`` (N, T), ``alpha = softmax_i(e)`` over the T source
    positions, ``context = sum_i alpha_i h_i`` (N, d_h). ``mask`` (N, T) bool, True at
    real positions and False at padding, which gets weight exactly 0 (set to -inf before
    the softmax). Returns ``(context, alpha)``.
    """
    s = _array(s, 2, "s (N, d_s)", "additive_attention")
    H = _array(H, 3, "H (N, T, d_h)", "additive_attention")
    hidden = np.tanh((s @ Ws)[:, None, :] + H @ Wh)  # (N, 1, a) + (N, T, a)
    scores = hidden @ np.asarray(v, dtype=float)  # (N, T)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        _shape(mask, scores.shape, "mask", "additive_attention", "True marks real positions")
        if not mask.any(axis=1).all():
            raise ValueError("additive_attention: every row of mask needs a True position")
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(scores)
    alpha = weights / weights.sum(axis=1, keepdims=True)  # (N, T)
    return np.einsum("nt,ntd->nd", alpha, H), alpha


def beam_decode(next_log_probs, max_len, beam_width, eos=None):
    """Beam search over any left-to-right model; returns ``(tokens, log_prob)``.

    ``next_log_probs(prefixes)`` takes a list of token tuples and returns an array
    (len(prefixes), V) of log p(next token | prefix). The search (beam_width = 1 is
    greedy decoding):

    1. the beam starts as the empty prefix with total log-probability 0;
    2. for up to ``max_len`` steps: extend every prefix in the beam by every token,
       adding its log-probability; keep the ``beam_width`` candidates with the largest
       total (sums of log-probabilities: a product of probabilities underflows); kept
       candidates that end in ``eos`` are finished and leave the beam;
    3. what remains in the beam after ``max_len`` steps is finished too;
    4. return the finished hypothesis with the largest *length-normalised* score
       ``total / len(tokens)`` (eos counts as a token), with its *total* log-probability.

    Without step 4's normalisation, short hypotheses win simply for being short. Cost:
    O(max_len * beam_width * V) candidates.
    """
    if not isinstance(beam_width, int | np.integer) or beam_width < 1:
        raise ValueError(f"beam_decode: beam_width must be an integer >= 1, got {beam_width!r}")
    if not isinstance(max_len, int | np.integer) or max_len < 1:
        raise ValueError(f"beam_decode: max_len must be an integer >= 1, got {max_len!r}")
    beam, finished = [((), 0.0)], []
    for _ in range(max_len):
        scores = np.asarray(next_log_probs([prefix for prefix, _ in beam]), dtype=float)
        totals = np.array([total for _, total in beam])[:, None] + scores  # (k, V)
        flat = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
        rows, tokens = np.unravel_index(flat, totals.shape)
        kept = [(beam[r][0] + (int(c),), float(totals[r, c])) for r, c in zip(rows, tokens)]
        beam, done = _split_finished(kept, eos)
        finished += done
        if not beam:
            break
    finished += beam
    best = max(finished, key=lambda item: item[1] / len(item[0]))
    return list(best[0]), best[1]


def _split_finished(beam, eos):
    if eos is None:
        return beam, []
    live = [item for item in beam if item[0][-1] != eos]
    return live, [item for item in beam if item[0][-1] == eos]


def markov_next_log_probs(log_probs, bos):
    """``next_log_probs`` for :func:`beam_decode` of a second-order Markov model.

    log_probs (V, V, V): ``log_probs[a, b, c] = log p(y_t = c | y_{t-2} = a, y_{t-1} = b)``;
    the context before the first token is (bos, bos).
    """
    table = np.asarray(log_probs, dtype=float)
    if table.ndim != 3 or len(set(table.shape)) != 1:
        raise ValueError(f"log_probs must have shape (V, V, V), got {table.shape}")

    def next_log_probs(prefixes):
        contexts = [((bos, bos) + tuple(prefix))[-2:] for prefix in prefixes]
        return np.stack([table[a, b] for a, b in contexts])  # (k, V)

    return next_log_probs


def beam_search(log_probs, bos, max_len, beam_width, eos=None):
    """Beam search (see :func:`beam_decode`) in a second-order Markov table (V, V, V).

    Returns ``(tokens, log_prob)``: the tokens after the (bos, bos) context (a list of
    at most max_len ints, ending in eos when it was emitted) and their total log-probability.
    """
    return beam_decode(markov_next_log_probs(log_probs, bos), max_len, beam_width, eos)


def greedy_decode(log_probs, bos, max_len, eos=None):
    """Greedy decoding: the most probable next token at every step (beam width 1)."""
    return beam_search(log_probs, bos, max_len, 1, eos)


def exhaustive_decode(log_probs, bos, max_len, eos=None):
    """The exact best sequence by length-normalised log-probability, by enumeration.

    Over every sequence that ends at its first eos, or has max_len tokens without one;
    O(V^max_len): for small tables only (the yardstick for greedy and beam search).
    """
    table = np.asarray(log_probs, dtype=float)
    vocab = table.shape[0]
    best, best_total = None, -np.inf
    for length in range(1 if eos is not None else max_len, max_len + 1):
        for tokens in itertools.product(range(vocab), repeat=length):
            if eos is not None and eos in tokens[:-1]:
                continue
            if eos is not None and length < max_len and tokens[-1] != eos:
                continue
            context = (bos, bos) + tokens
            total = sum(table[context[t], context[t + 1], context[t + 2]] for t in range(length))
            if best is None or total / length > best_total / len(best):
                best, best_total = tokens, float(total)
    return list(best), best_total
