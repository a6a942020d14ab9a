"""Optimization: first-order update rules, schedules, Newton, L-BFGS, constraints.

Reference implementations for module 06.

Update rules. :class:`SGD` (with momentum and Nesterov), :class:`Adagrad`,
:class:`RMSprop` and :class:`Adam` follow ``torch.optim`` exactly (same defaults, same
formulas, same first-step conventions); where torch's form differs from the textbook
form the class docstring says how. A parameter is either

* a float numpy array: call ``opt.step(grads)`` with the gradients in the same order;
  the arrays are updated in place, or
* any object with ``.data`` (a float ndarray) and ``.grad`` (ndarray or None), such as
  :class:`dlkit.autodiff.Tensor`: call ``opt.step()``; it reads ``.grad`` and updates
  ``.data`` in place (a parameter whose ``.grad`` is None is skipped, as in torch).

:func:`_slots` is the only place that tells the two apart.

Regularised steps (module 09): :class:`AdamW` (decoupled weight decay, as
``torch.optim.AdamW``), :func:`l1_prox_step` (the proximal step of an L1 penalty) and
:func:`clip_by_global_norm` (as ``torch.nn.utils.clip_grad_norm_``).

Schedules are plain functions ``lr(t)`` of the step index t (scalars or arrays of
steps); :class:`LRScheduler` applies one to an optimizer, with torch's timing.

Second-order and constrained methods work on flat float vectors, like
``scipy.optimize``: :func:`newton_minimize`, :func:`lbfgs` (two-loop recursion,
:func:`lbfgs_direction`), :func:`projected_gradient_descent` with :func:`project_box`
and :func:`project_ball` (or :class:`Projected` around any optimizer), and
:func:`solve_equality_qp` (Lagrange multipliers from the KKT system).
"""

import numpy as np

# ---------------------------------------------------------------- parameters: arrays or tensors


def _check_params(params, owner):
    """``params`` as a non-empty list of all float arrays or all ``.data``/``.grad`` objects."""
    params = list(params)
    if not params:
        raise ValueError(f"{owner}: got an empty parameter list; pass the arrays/tensors to train")
    arrays = [isinstance(p, np.ndarray) for p in params]
    if all(arrays):
        for i, p in enumerate(params):
            if not np.issubdtype(p.dtype, np.floating):
                raise ValueError(
                    f"{owner}: parameter {i} has dtype {p.dtype}, but updates happen in place "
                    f"and need floats; create it with np.asarray(p, dtype=float)"
                )
        return params
    if any(arrays):
        raise ValueError(
            f"{owner}: mix of numpy arrays and tensors; use either arrays (step(grads)) or "
            f"objects with .data/.grad (step()), not both"
        )
    for i, p in enumerate(params):
        if not (hasattr(p, "data") and hasattr(p, "grad")):
            raise ValueError(
                f"{owner}: parameter {i} is a {type(p).__name__}, expected a float numpy array "
                f"or an object with .data and .grad (a dlkit.autodiff.Tensor)"
            )
    return params


def _slots(params, grads, owner):
    """The one dispatch point: ``(array to update in place, gradient or None)`` per parameter.

    Arrays: the gradients come from ``grads`` (same order and shapes). Tensors: ``grads``
    must be None, the gradient is ``p.grad`` and the array updated is ``p.data``.
    """
    if isinstance(params[0], np.ndarray):
        if grads is None:
            raise ValueError(
                f"{owner}.step: the parameters are numpy arrays, so pass their gradients, "
                f"step([g1, g2, ...]), in the order of the parameters"
            )
        grads = [np.asarray(g, dtype=float) for g in grads]
        if len(grads) != len(params):
            raise ValueError(
                f"{owner}.step: got {len(grads)} gradients for {len(params)} parameters; "
                f"pass one gradient per parameter, in the same order"
            )
        for i, (p, g) in enumerate(zip(params, grads)):
            if g.shape != p.shape:
                raise ValueError(
                    f"{owner}.step: gradient {i} has shape {g.shape} but parameter {i} has "
                    f"shape {p.shape}; a gradient has the shape of its parameter"
                )
        return list(zip(params, grads))
    if grads is not None:
        raise ValueError(
            f"{owner}.step: the parameters are tensors, so call step() without arguments; "
            f"it reads each parameter's .grad"
        )
    return [(p.data, None if p.grad is None else np.asarray(p.grad, dtype=float)) for p in params]


def _positive(value, name, owner, allow_zero=False):
    value = float(value)
    if value < 0 or (value == 0 and not allow_zero) or not np.isfinite(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: {name} must be finite and {bound}, got {value}")
    return value


def _fraction(value, name, owner):
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: {name} must lie in [0, 1), got {value}")
    return value


# ---------------------------------------------------------------- first-order optimizers


class Optimizer:
    """Shared machinery: parameters, per-parameter state, weight decay, ``step``.

    ``weight_decay`` adds ``weight_decay * theta`` to every gradient before the update
    (L2 regularisation, torch's ``weight_decay``; for Adam that is *not* AdamW).
    Subclasses implement ``_update(theta, g, state)``, which changes ``theta`` in place;
    ``state["step"]`` counts the updates this parameter has received (1 on the first).
    """

    def __init__(self, params, lr, weight_decay=0.0):
        name = type(self).__name__
        self.params = _check_params(params, name)
        self.lr = _positive(lr, "lr", name)
        self.weight_decay = _positive(weight_decay, "weight_decay", name, allow_zero=True)
        self.state = [{} for _ in self.params]

    def step(self, grads=None):
        """One update of every parameter (see the module docstring for ``grads``)."""
        slots = _slots(self.params, grads, type(self).__name__)
        for (theta, g), state in zip(slots, self.state):
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * theta
            state["step"] = state.get("step", 0) + 1
            self._update(theta, g, state)

    def zero_grad(self):
        """Forget the gradients of tensor parameters (``.grad = None``); arrays have none."""
        for p in self.params:
            if not isinstance(p, np.ndarray):
                p.grad = None

    def _update(self, theta, g, state):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as ``torch.optim.SGD``.

    Plain: ``theta <- theta - lr g``. With momentum ``mu`` and dampening ``d``, a buffer
    ``b`` is kept: ``b_1 = g_1`` on the first step, then ``b_t = mu b_{t-1} + (1 - d) g_t``;
    the update is ``theta <- theta - lr b_t``, or with ``nesterov=True``
    ``theta <- theta - lr (g_t + mu b_t)``.

    Textbook vs torch: the textbook "velocity" form ``v <- mu v - lr g, theta <- theta + v``
    puts lr inside the buffer (v = -lr b); the two agree while lr is constant but differ
    when a schedule changes lr. Nesterov's textbook form evaluates the gradient at the
    look-ahead point ``theta + mu v``; torch's form is the same method after the change of
    variables ``theta' = theta + mu v``, so it needs only the gradient at the iterate.
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _fraction(momentum, "momentum", "SGD")
        self.dampening = _fraction(dampening, "dampening", "SGD")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)

    def _update(self, theta, g, state):
        if self.momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = g.copy()  # torch starts the buffer at g, without dampening
            else:
                buffer = self.momentum * buffer + (1 - self.dampening) * g
            state["momentum_buffer"] = buffer
            g = g + self.momentum * buffer if self.nesterov else buffer
        theta -= self.lr * g


class Adagrad(Optimizer):
    """AdaGrad, as ``torch.optim.Adagrad``: per-coordinate steps shrink with past gradients.

    ``G_t = G_{t-1} + g_t**2`` (element-wise, ``G_0 = 0``) and
    ``theta <- theta - lr g_t / (sqrt(G_t) + eps)``. eps sits outside the square root, as
    in torch; some texts write ``sqrt(G_t + eps)``.
    """

    def __init__(self, params, lr=0.01, eps=1e-10, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.eps = _positive(eps, "eps", "Adagrad", allow_zero=True)

    def _update(self, theta, g, state):
        state["sum"] = state.get("sum", 0.0) + g * g
        theta -= self.lr * g / (np.sqrt(state["sum"]) + self.eps)


class RMSprop(Optimizer):
    """RMSProp, as ``torch.optim.RMSprop``: AdaGrad with a decaying average of squares.

    ``v_t = alpha v_{t-1} + (1 - alpha) g_t**2`` (``v_0 = 0``, torch calls the decay
    ``alpha``, many texts ``rho`` or ``beta``), then ``theta <- theta - lr g_t / (sqrt(v_t)
    + eps)``. With ``momentum`` m > 0: ``b_t = m b_{t-1} + g_t / (sqrt(v_t) + eps)`` and
    ``theta <- theta - lr b_t``. eps is outside the square root (the book's RMSProp adds
    it inside); there is no bias correction, so early steps are larger than Adam's.
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.alpha = _fraction(alpha, "alpha", "RMSprop")
        self.eps = _positive(eps, "eps", "RMSprop", allow_zero=True)
        self.momentum = _fraction(momentum, "momentum", "RMSprop")

    def _update(self, theta, g, state):
        state["square_avg"] = self.alpha * state.get("square_avg", 0.0) + (1 - self.alpha) * g * g
        scaled = g / (np.sqrt(state["square_avg"]) + self.eps)
        if self.momentum:
            scaled = self.momentum * state.get("momentum_buffer", 0.0) + scaled
            state["momentum_buffer"] = scaled
        theta -= self.lr * scaled


class Adam(Optimizer):
    """Adam with bias correction, as ``torch.optim.Adam``.

    ``m_t = beta1 m_{t-1} + (1 - beta1) g_t``, ``v_t = beta2 v_{t-1} + (1 - beta2) g_t**2``
    (``m_0 = v_0 = 0``), ``m_hat = m_t / (1 - beta1**t)``, ``v_hat = v_t / (1 - beta2**t)``
    and ``theta <- theta - lr m_hat / (sqrt(v_hat) + eps)`` with t = 1 on the first step.
    eps is added after the square root of the *corrected* v, as in torch and the Adam
    paper. (The paper's "efficient" variant folds the corrections into the step size,
    which moves eps slightly; torch does not.)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.beta1 = _fraction(betas[0], "betas[0]", "Adam")
        self.beta2 = _fraction(betas[1], "betas[1]", "Adam")
        self.eps = _positive(eps, "eps", "Adam", allow_zero=True)

    def _update(self, theta, g, state):
        t = state["step"]
        state["m"] = self.beta1 * state.get("m", 0.0) + (1 - self.beta1) * g
        state["v"] = self.beta2 * state.get("v", 0.0) + (1 - self.beta2) * g * g
        m_hat = state["m"] / (1 - self.beta1**t)
        v_hat = state["v"] / (1 - self.beta2**t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (default decay 0.01).

    Each step first shrinks the parameter, ``theta <- (1 - lr lambda) theta`` (the weight
    decay of eq 7.2), then takes the Adam step of the loss gradient alone. Adding
    ``lambda theta`` to the gradient instead (``Adam(weight_decay=...)``, L2
    regularisation) lets Adam's per-coordinate scaling divide the decay by
    ``sqrt(v_hat)``: coordinates with large gradients are hardly decayed at all.
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, betas, eps, weight_decay=0.0)
        self.decoupled_weight_decay = _positive(weight_decay, "weight_decay", "AdamW", True)

    def _update(self, theta, g, state):
        theta *= 1.0 - self.lr * self.decoupled_weight_decay
        super()._update(theta, g, state)


# ---------------------------------------------------------------- regularised steps


def l1_prox_step(w, grad, lr, lam):
    """One proximal-gradient (ISTA) step on ``L(w) + lam ||w||_1``; returns a new array.

    ``w <- soft_threshold(w - lr grad, lr lam)`` with ``soft_threshold(u, t) =
    sign(u) max(|u| - t, 0)``: a gradient step on L, then the proximal map of
    ``lr lam |.|``, which sets every coordinate with ``|u| <= lr lam`` to exactly 0. A
    subgradient step ``w - lr (grad + lam sign(w))`` instead oscillates around 0 and
    (almost) never lands on it. w, grad: arrays of the same shape.
    """
    from dlkit.ml import soft_threshold

    w, grad = np.asarray(w, dtype=float), np.asarray(grad, dtype=float)
    if w.shape != grad.shape:
        raise ValueError(f"l1_prox_step: w {w.shape} and grad {grad.shape} must have one shape")
    lr = _positive(lr, "lr", "l1_prox_step")
    lam = _positive(lam, "lam", "l1_prox_step", allow_zero=True)
    return soft_threshold(w - lr * grad, lr * lam)


def clip_by_global_norm(grads, max_norm, eps=1e-6):
    """Rescale gradients so that their global L2 norm is at most ``max_norm``.

    ``total = sqrt(sum_i ||g_i||^2)`` over every array together; each array is
    multiplied by ``min(1, max_norm / (total + eps))`` (eq 7.14; ``eps`` as in
    ``torch.nn.utils.clip_grad_norm_``), so the direction of the whole update is kept.
    grads: a list of arrays, or a dict name -> array (a model's named gradients).
    Returns ``(clipped, total)``: new arrays in a list in the order given (or a dict with
    the same keys) and the norm *before* clipping (the number to log).
    """
    names = list(grads) if isinstance(grads, dict) else None
    arrays = [np.asarray(g, dtype=float) for g in (grads.values() if names else grads)]
    if not arrays:
        raise ValueError("clip_by_global_norm: got no gradients; pass a list of arrays")
    max_norm = _positive(max_norm, "max_norm", "clip_by_global_norm")
    total = float(np.sqrt(sum(np.sum(g * g) for g in arrays)))
    scale = min(1.0, max_norm / (total + eps))
    clipped = [g * scale for g in arrays]
    return (dict(zip(names, clipped)) if names else clipped), total


# ---------------------------------------------------------------- learning-rate schedules


def _steps(t, owner):
    t = np.asarray(t, dtype=float)
    if np.any(t < 0) or np.any(t != np.floor(t)):
        raise ValueError(f"{owner}: the step index t must be a whole number >= 0, got {t}")
    return t


def _scalar_or_array(values):
    return float(values) if np.ndim(values) == 0 else values


def step_decay(t, lr0, step_size, gamma=0.1):
    """``lr0 * gamma ** floor(t / step_size)``: multiply by gamma every step_size steps (StepLR)."""
    t = _steps(t, "step_decay")
    if int(step_size) != step_size or step_size < 1:
        raise ValueError(f"step_decay: step_size must be a whole number >= 1, got {step_size}")
    return _scalar_or_array(lr0 * gamma ** np.floor(t / step_size))


def exponential_decay(t, lr0, gamma):
    """``lr0 * gamma ** t``: multiply by gamma every step (torch's ExponentialLR)."""
    return _scalar_or_array(lr0 * gamma ** _steps(t, "exponential_decay"))


def cosine_decay(t, lr0, total_steps, lr_min=0.0):
    """``lr_min + (lr0 - lr_min) (1 + cos(pi t / T)) / 2`` for t <= T, then ``lr_min``.

    Equals torch's CosineAnnealingLR(T_max=T, eta_min=lr_min) for t <= T; torch keeps
    following the cosine (back up) after T, this schedule stays at lr_min.
    """
    t = _steps(t, "cosine_decay")
    if total_steps < 1:
        raise ValueError(f"cosine_decay: total_steps must be >= 1, got {total_steps}")
    progress = np.minimum(t / total_steps, 1.0)
    return _scalar_or_array(lr_min + (lr0 - lr_min) * 0.5 * (1 + np.cos(np.pi * progress)))


def linear_warmup(t, lr0, warmup_steps):
    """``lr0 * min(1, (t + 1) / W)``: ramp up over the first W steps, then stay at lr0.

    The first step already uses ``lr0 / W`` (a zero learning rate would waste a step);
    torch's LinearLR(start_factor=1/W, total_iters=W-1) gives the same numbers.
    """
    t = _steps(t, "linear_warmup")
    if warmup_steps < 1:
        raise ValueError(f"linear_warmup: warmup_steps must be >= 1, got {warmup_steps}")
    return _scalar_or_array(lr0 * np.minimum(1.0, (t + 1) / warmup_steps))


def warmup_cosine(t, lr_max, warmup_steps, total_steps, lr_min=0.0):
    """Linear warm-up for W steps, then cosine decay from lr_max to lr_min at step T.

    ``lr_t = lr_max (t + 1) / W`` for t < W; for W <= t <= T, with ``p = (t - W) / (T - W)``,
    ``lr_t = lr_min + (lr_max - lr_min) (1 + cos(pi p)) / 2``; ``lr_min`` after T.
    """
    t = _steps(t, "warmup_cosine")
    if not 1 <= warmup_steps < total_steps:
        raise ValueError(
            f"warmup_cosine: need 1 <= warmup_steps < total_steps, got warmup_steps="
            f"{warmup_steps}, total_steps={total_steps}"
        )
    warm = linear_warmup(np.minimum(t, warmup_steps), lr_max, warmup_steps)
    cool = cosine_decay(np.maximum(t - warmup_steps, 0), lr_max, total_steps - warmup_steps, lr_min)
    return _scalar_or_array(np.where(t < warmup_steps, warm, cool))


class LRScheduler:
    """Set ``optimizer.lr = schedule(t)``, with torch's timing.

    On construction the optimizer gets ``schedule(0)``; each ``step()`` (called after the
    optimizer's step) advances t by one and sets ``schedule(t)``. ``schedule`` is a
    function of t, e.g. ``lambda t: warmup_cosine(t, 0.1, 10, 100)``.
    """

    def __init__(self, optimizer, schedule):
        self.optimizer = optimizer
        self.schedule = schedule
        self.t = 0
        optimizer.lr = float(schedule(0))

    def step(self):
        self.t += 1
        self.optimizer.lr = float(self.schedule(self.t))


# ---------------------------------------------------------------- gradient descent, quadratics


def _flat(x, name, owner):
    x = np.array(x, dtype=float)  # a private copy
    if x.ndim != 1:
        raise ValueError(f"{owner}: {name} must be a 1-D vector, got shape {x.shape}")
    return x


def gradient_descent(grad, x0, lr, max_steps=1000, tol=0.0):
    """``x_{k+1} = x_k - lr grad(x_k)`` until ``||grad(x_k)||_2 <= tol`` or max_steps steps.

    grad: function (n,) -> (n,). Returns the trajectory, an array (k + 1, n) whose first
    row is x0 and whose last row is the final iterate.
    """
    x = _flat(x0, "x0", "gradient_descent")
    lr = _positive(lr, "lr", "gradient_descent")
    path = [x]
    for _ in range(int(max_steps)):
        g = np.asarray(grad(x), dtype=float)
        if np.linalg.norm(g) <= tol:
            break
        x = x - lr * g
        path.append(x)
    return np.array(path)


def _symmetric_positive_definite(A, owner):
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise ValueError(f"{owner}: A must be a symmetric (n, n) matrix, got shape {A.shape}")
    eigenvalues = np.linalg.eigvalsh(A)
    if eigenvalues[0] <= 0:
        raise ValueError(
            f"{owner}: A must be positive definite (smallest eigenvalue {eigenvalues[0]:.3g}); "
            f"then 1/2 x^T A x - b^T x has a unique minimiser"
        )
    return eigenvalues


def gd_contraction(A, lr):
    """Per-step error factor of GD on ``1/2 x^T A x - b^T x``: ``max_i |1 - lr lambda_i|``.

    The error obeys ``e_{k+1} = (I - lr A) e_k``, so ``||e_k|| <= rho^k ||e_0||`` with rho the
    spectral radius of ``I - lr A``. GD converges iff rho < 1, i.e. ``0 < lr < 2 / lambda_max``.
    """
    eigenvalues = _symmetric_positive_definite(A, "gd_contraction")
    return float(np.max(np.abs(1 - lr * eigenvalues)))


def optimal_step_size(A):
    """``(lr*, rho*)``: ``lr* = 2 / (lambda_min + lambda_max)`` minimises the contraction,
    which is then ``rho* = (kappa - 1) / (kappa + 1)`` with ``kappa = lambda_max / lambda_min``.
    """
    eigenvalues = _symmetric_positive_definite(A, "optimal_step_size")
    low, high = eigenvalues[0], eigenvalues[-1]
    kappa = high / low
    return float(2 / (low + high)), float((kappa - 1) / (kappa + 1))


# ---------------------------------------------------------------- Newton's method


def newton_step(x, g, H):
    """``x - H^{-1} g``, by solving ``H d = g`` (never forming the inverse). x, g (n,), H (n, n).

    The minimiser of the quadratic model ``f(x) + g^T d + 1/2 d^T H d``.
    """
    x = _flat(x, "x", "newton_step")
    H = np.asarray(H, dtype=float)
    if H.shape != (x.size, x.size):
        raise ValueError(f"newton_step: H must have shape {(x.size, x.size)}, got {H.shape}")
    return x - np.linalg.solve(H, np.asarray(g, dtype=float))


def newton_minimize(grad, hess, x0, tol=1e-10, max_iter=50):
    """Newton's method ``x_{k+1} = x_k - H(x_k)^{-1} grad(x_k)`` until ``||grad|| <= tol``.

    Converges quadratically near a minimiser with positive definite Hessian; far away it
    may step to a saddle or a maximum (it seeks zeros of the gradient). Returns the
    trajectory (k + 1, n).
    """
    x = _flat(x0, "x0", "newton_minimize")
    path = [x]
    for _ in range(int(max_iter)):
        g = np.asarray(grad(x), dtype=float)
        if np.linalg.norm(g) <= tol:
            break
        x = newton_step(x, g, hess(x))
        path.append(x)
    return np.array(path)


# ---------------------------------------------------------------- L-BFGS


def lbfgs_direction(g, s_history, y_history):
    """The L-BFGS search direction ``-H_k g`` by the two-loop recursion.

    ``s_i = x_{i+1} - x_i`` and ``y_i = grad_{i+1} - grad_i`` are the last m steps and
    gradient changes, oldest first, each (n,), with ``rho_i = 1 / (y_i^T s_i) > 0``.
    ``H_k`` is the BFGS inverse-Hessian estimate obtained from ``H^0 = gamma I``,
    ``gamma = s^T y / y^T y`` (newest pair), by the updates
    ``H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T``; the recursion applies it to g in
    O(m n) without forming any matrix. With no pairs, the direction is ``-g``.
    """
    q = np.array(g, dtype=float)
    if len(s_history) != len(y_history):
        raise ValueError(
            f"lbfgs_direction: {len(s_history)} steps s but {len(y_history)} gradient changes y; "
            f"keep them in pairs"
        )
    if not s_history:
        return -q
    s_all = np.array(s_history, dtype=float)  # (m, n)
    y_all = np.array(y_history, dtype=float)  # (m, n)
    rho = 1.0 / np.sum(s_all * y_all, axis=1)  # (m,)
    alpha = np.zeros(len(rho))
    for i in reversed(range(len(rho))):  # newest to oldest
        alpha[i] = rho[i] * (s_all[i] @ q)
        q -= alpha[i] * y_all[i]
    r = (s_all[-1] @ y_all[-1]) / (y_all[-1] @ y_all[-1]) * q  # H^0 q
    for i in range(len(rho)):  # oldest to newest
        beta = rho[i] * (y_all[i] @ r)
        r += (alpha[i] - beta) * s_all[i]
    return -r


def _wolfe_step(f, grad, x, fx, g, d, c1=1e-4, c2=0.9, max_tries=60):
    """A step t along d with the weak Wolfe conditions, by bracketing and bisection.

    Sufficient decrease ``f(x + t d) <= f(x) + c1 t g^T d`` and curvature
    ``grad(x + t d)^T d >= c2 g^T d``; the second guarantees ``s^T y > 0``, which keeps the
    L-BFGS estimate positive definite. Starts at t = 1 (the quasi-Newton step).
    """
    slope = float(g @ d)
    low, high, t = 0.0, np.inf, 1.0
    for _ in range(max_tries):
        if f(x + t * d) > fx + c1 * t * slope:
            high = t  # too long: f did not decrease enough
        elif float(np.asarray(grad(x + t * d)) @ d) < c2 * slope:
            low = t  # too short: still descending steeply
        else:
            return t
        t = 2 * low if np.isinf(high) else (low + high) / 2
    return t


def lbfgs(f, grad, x0, memory=10, tol=1e-8, max_iter=500):
    """Minimise f with L-BFGS: two-loop directions and a weak-Wolfe line search.

    f: (n,) -> float, grad: (n,) -> (n,). Keeps the last ``memory`` pairs (s, y) and
    skips a pair whose curvature ``s^T y`` is not positive (it would break positive
    definiteness). Stops when ``||grad|| <= tol``. Returns the trajectory (k + 1, n).
    """
    x = _flat(x0, "x0", "lbfgs")
    if int(memory) < 1:
        raise ValueError(f"lbfgs: memory must be >= 1, got {memory}")
    g = np.asarray(grad(x), dtype=float)
    fx = float(f(x))
    s_history, y_history, path = [], [], [x]
    for _ in range(int(max_iter)):
        if np.linalg.norm(g) <= tol:
            break
        d = lbfgs_direction(g, s_history, y_history)
        if g @ d >= 0:  # not a descent direction (should not happen): restart from -g
            s_history.clear()
            y_history.clear()
            d = -g
        x_new = x + _wolfe_step(f, grad, x, fx, g, d) * d
        g_new = np.asarray(grad(x_new), dtype=float)
        s, y = x_new - x, g_new - g
        if s @ y > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):  # Wolfe makes this hold
            s_history.append(s)
            y_history.append(y)
            if len(s_history) > memory:
                s_history.pop(0)
                y_history.pop(0)
        x, g, fx = x_new, g_new, float(f(x_new))
        path.append(x)
    return np.array(path)


# ---------------------------------------------------------------- constraints


def project_box(x, lower, upper):
    """Euclidean projection onto the box ``{z : lower <= z <= upper}``: clip each coordinate.

    lower and upper broadcast against x (scalars or arrays of x's shape).
    """
    x = np.asarray(x, dtype=float)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if np.any(lower > upper):
        raise ValueError("project_box: every lower bound must be <= its upper bound")
    return np.clip(x, lower, upper)


def project_ball(x, radius=1.0, center=None):
    """Euclidean projection onto ``{z : ||z - c||_2 <= r}``: ``c + (x - c) min(1, r / ||x - c||)``.

    Points inside the ball are returned unchanged; points outside are pulled back along
    the ray from the centre to the sphere. x any shape (treated as one vector).
    """
    x = np.asarray(x, dtype=float)
    radius = _positive(radius, "radius", "project_ball", allow_zero=True)
    c = np.zeros_like(x) if center is None else np.broadcast_to(np.asarray(center, float), x.shape)
    offset = x - c
    distance = np.linalg.norm(offset)
    if distance <= radius:
        return x.copy()
    return c + offset * (radius / distance)


def projected_gradient_descent(grad, project, x0, lr, steps):
    """``x_{k+1} = P(x_k - lr grad(x_k))`` for a projection P onto a convex set.

    x0 is projected first so every iterate is feasible. A fixed point satisfies the
    first-order optimality condition of the constrained problem (for a box: each
    coordinate is at a bound with the gradient pushing outward, or the partial derivative
    is zero). Returns the trajectory (steps + 1, n).
    """
    x = project(_flat(x0, "x0", "projected_gradient_descent"))
    lr = _positive(lr, "lr", "projected_gradient_descent")
    path = [x]
    for _ in range(int(steps)):
        x = project(x - lr * np.asarray(grad(x), dtype=float))
        path.append(x)
    return np.array(path)


class Projected:
    """Wrap an optimizer so that each parameter is projected after every step (in place).

    ``Projected(Adam(params, lr=0.1), lambda z: project_ball(z, 1.0))`` keeps every
    parameter in the unit ball; works for arrays and tensors alike.
    """

    def __init__(self, optimizer, project):
        self.optimizer = optimizer
        self.project = project

    def step(self, grads=None):
        self.optimizer.step(grads)
        for p in self.optimizer.params:
            array = p if isinstance(p, np.ndarray) else p.data
            array[...] = self.project(array)


def solve_equality_qp(Q, c, A, b):
    """Minimise ``1/2 x^T Q x + c^T x`` subject to ``A x = b`` via Lagrange multipliers.

    With ``L(x, lam) = 1/2 x^T Q x + c^T x + lam^T (A x - b)``, stationarity and
    feasibility give the linear KKT system ``[[Q, A^T], [A, 0]] [x; lam] = [-c; b]``.
    Q (n, n) symmetric, c (n,), A (p, n), b (p,). Returns ``(x, lam)``, (n,) and (p,).
    The solution is the constrained minimiser when Q is positive definite on the null
    space of A (e.g. maximising xy on x + y = 10 is minimising -xy, Q = [[0, -1], [-1, 0]]).
    """
    Q, A = np.asarray(Q, dtype=float), np.atleast_2d(np.asarray(A, dtype=float))
    c, b = np.asarray(c, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    n, p = Q.shape[0], A.shape[0]
    if Q.shape != (n, n) or c.shape != (n,) or A.shape != (p, n) or b.shape != (p,):
        raise ValueError(
            f"solve_equality_qp: need Q (n, n), c (n,), A (p, n), b (p,), got Q {Q.shape}, "
            f"c {c.shape}, A {A.shape}, b {b.shape}"
        )
    kkt = np.block([[Q, A.T], [A, np.zeros((p, p))]])  # (n + p, n + p)
    solution = np.linalg.solve(kkt, np.concatenate([-c, b]))
    return solution[:n], solution[n:]


# ---------------------------------------------------------------- test problems


def rosenbrock(x, a=1.0, b=100.0):
    """``sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2``; minimum 0 at ``(a, a^2, ...)`` (for a = 1,
    all ones). x (n, ...) with n >= 2: the first axis holds the coordinates, further axes are
    a grid of points, as in ``scipy.optimize.rosen``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[0] < 2:
        raise ValueError(f"rosenbrock: x needs at least 2 coordinates on axis 0, got {x.shape}")
    return np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2, axis=0)


def rosenbrock_grad(x, a=1.0, b=100.0):
    """Gradient of :func:`rosenbrock`, same shape as x (n, ...)."""
    x = np.asarray(x, dtype=float)
    inner = x[1:] - x[:-1] ** 2  # (n - 1, ...)
    g = np.zeros_like(x)
    g[:-1] = -4 * b * x[:-1] * inner - 2 * (a - x[:-1])
    g[1:] += 2 * b * inner
    return g


def rosenbrock_hess(x, a=1.0, b=100.0):
    """Hessian of :func:`rosenbrock` at one point x (n,): a tridiagonal (n, n) matrix."""
    x = _flat(x, "x", "rosenbrock_hess")
    diag = np.zeros_like(x)
    diag[:-1] = 12 * b * x[:-1] ** 2 - 4 * b * x[1:] + 2
    diag[1:] += 2 * b
    off = -4 * b * x[:-1]  # d^2 f / dx_i dx_{i+1}
    return np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)


__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "LRScheduler",
    "Optimizer",
    "Projected",
    "RMSprop",
    "cosine_decay",
    "exponential_decay",
    "gd_contraction",
    "gradient_descent",
    "lbfgs",
    "lbfgs_direction",
    "linear_warmup",
    "newton_minimize",
    "newton_step",
    "optimal_step_size",
    "project_ball",
    "project_box",
    "projected_gradient_descent",
    "rosenbrock",
    "rosenbrock_grad",
    "rosenbrock_hess",
    "solve_equality_qp",
    "step_decay",
    "warmup_cosine",
]
