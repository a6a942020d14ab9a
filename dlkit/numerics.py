"""Numerical computation: floating point, stable exponentials, conditioning, quadrature, roots, DFT.

Reference implementations for module 05. Everything works in float64 (unless a dtype is
asked for on purpose, as in :func:`machine_epsilon`) and rejects malformed input with a
ValueError that says what to fix. The stable functions at the top (``logsumexp``,
``softmax``, ``log_softmax``, ``sigmoid``, ``softplus``) are the ones the rest of the
course imports.
"""

import numpy as np

from dlkit.linalg import condition_number

# ---------------------------------------------------------------- stable exponentials


def _check_axis(x, axis, func):
    """Raise if x is a scalar or has no entries along ``axis``."""
    if x.ndim == 0:
        raise ValueError(f"{func}: x must have at least one dimension; wrap a scalar as [x]")
    if x.shape[axis] == 0:
        raise ValueError(f"{func}: axis {axis} of x has length 0; it needs at least one entry")


def logsumexp(x, axis=-1, keepdims=False):
    """Stable ``log sum_i exp(x_i)`` along ``axis``.

    Uses ``lse(x) = m + log sum_i exp(x_i - m)`` with ``m = max_i x_i``, so the largest
    term is ``exp(0) = 1`` and nothing overflows. x (..., n, ...) -> the same shape with
    ``axis`` removed (kept with length 1 if ``keepdims``). A slice that is all ``-inf``
    gives ``-inf`` (the log of an empty sum), not nan.
    """
    x = np.asarray(x, dtype=float)
    _check_axis(x, axis, "logsumexp")
    m = np.max(x, axis=axis, keepdims=True)  # (..., 1, ...)
    m = np.where(np.isfinite(m), m, 0.0)  # an all -inf slice: shift by 0, the log gives -inf
    with np.errstate(divide="ignore"):
        out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x, axis=-1):
    """Stable ``log softmax(x)_i = x_i - logsumexp(x)`` along ``axis``; same shape as x."""
    x = np.asarray(x, dtype=float)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=-1):
    """Stable ``softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m)`` with ``m = max_j x_j``.

    Taken along ``axis``; same shape as x; every slice along ``axis`` is non-negative and
    sums to 1.
    """
    x = np.asarray(x, dtype=float)
    _check_axis(x, axis, "softmax")
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))  # largest entry becomes exp(0) = 1
    return z / np.sum(z, axis=axis, keepdims=True)


def sigmoid(x):
    """Stable logistic ``sigma(x) = 1 / (1 + exp(-x))``, elementwise; same shape as x.

    For x >= 0 it evaluates ``1 / (1 + exp(-x))``; for x < 0 the equal form
    ``exp(x) / (1 + exp(x))``, so ``exp`` only ever sees a non-positive argument.
    """
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x):
    """Stable ``softplus(x) = log(1 + exp(x))``, elementwise; same shape as x.

    Written as ``max(x, 0) + log1p(exp(-|x|))``: exact algebraically, no overflow for
    large x, and ``log1p`` keeps the tiny values for very negative x.
    """
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


# ---------------------------------------------------------------- floating point


def machine_epsilon(dtype="float64"):
    """Machine epsilon of a floating-point type, found by halving.

    The smallest power of two ``eps`` with ``1 + eps != 1`` when the sum is rounded to
    ``dtype`` (``"float16"``, ``"float32"``, ``"float64"`` or a numpy float type). All the
    arithmetic happens in ``dtype``. Equals ``np.finfo(dtype).eps``.
    """
    try:
        kind = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"machine_epsilon: {dtype!r} is not a numpy dtype") from None
    if kind.kind != "f":
        raise ValueError(f"machine_epsilon: {dtype!r} is not a floating-point type; try 'float32'")
    one, two = kind.type(1), kind.type(2)
    eps = one
    while one + eps / two != one:
        eps = eps / two
    return float(eps)


def rounding_error(x, dtype="float32"):
    """Relative error ``|fl(x) - x| / |x|`` of storing float64 values x (any shape) in ``dtype``.

    Zero entries give 0. Values beyond the type's range give ``inf`` (overflow); values
    that underflow to 0 give 1.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):
        stored = x.astype(dtype).astype(float)
    with np.errstate(invalid="ignore"):
        err = np.abs(stored - x) / np.abs(np.where(x == 0, 1.0, x))
    return np.where(x == 0, 0.0, err)


def quadratic_roots(a, b, c):
    """Both real roots of ``a x^2 + b x + c = 0``, ascending, without cancellation.

    The textbook ``(-b ± sqrt(b^2 - 4ac)) / 2a`` subtracts two nearly equal numbers for
    the root of small magnitude when ``b^2 >> 4ac``. Instead compute
    ``q = -(b + sign(b) sqrt(b^2 - 4ac)) / 2`` (an addition of like signs), then the
    roots ``q / a`` and ``c / q`` (Vieta: their product is ``c / a``). Returns (2,).
    """
    a, b, c = float(a), float(b), float(c)
    if a == 0:
        raise ValueError("quadratic_roots: a is 0, so this is a linear equation; solve b x + c = 0")
    disc = b * b - 4 * a * c
    if disc < 0:
        raise ValueError(f"quadratic_roots: the discriminant b^2 - 4ac = {disc:.3g} is negative")
    q = -0.5 * (b + np.copysign(np.sqrt(disc), b))
    if q == 0:  # b = 0 and c = 0: a double root at 0
        return np.zeros(2)
    return np.sort([q / a, c / q])


# ---------------------------------------------------------------- conditioning


def solve_sensitivity(A, b, db):
    """How much ``x = A^{-1} b`` moves when b moves by db, and the condition-number bound.

    Returns ``(relative_change, bound)`` with
    ``relative_change = ||x(b + db) - x(b)|| / ||x(b)||`` and
    ``bound = kappa_2(A) ||db|| / ||b||`` (2-norms), so ``relative_change <= bound``.
    A (n, n), b (n,), db (n,).
    """
    A = np.asarray(A, dtype=float)
    b, db = np.asarray(b, dtype=float), np.asarray(db, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"solve_sensitivity: A must be square (n, n), got shape {A.shape}")
    if b.shape != (A.shape[0],) or db.shape != b.shape:
        raise ValueError(
            f"solve_sensitivity: b and db must both have shape ({A.shape[0]},), "
            f"got {b.shape} and {db.shape}"
        )
    x = np.linalg.solve(A, b)
    dx = np.linalg.solve(A, db)  # linearity: x(b + db) - x(b) = A^{-1} db, no cancellation
    relative_change = np.linalg.norm(dx) / np.linalg.norm(x)
    bound = condition_number(A) * np.linalg.norm(db) / np.linalg.norm(b)
    return float(relative_change), float(bound)


# ---------------------------------------------------------------- integration


def _grid(a, b, n, func, even=False):
    """The n + 1 equally spaced nodes of [a, b] and their spacing h = (b - a) / n."""
    if int(n) != n or n < 1:
        raise ValueError(f"{func}: n must be a positive integer number of subintervals, got {n}")
    if even and n % 2:
        raise ValueError(f"{func}: n must be even (Simpson pairs the subintervals), got {n}")
    x = np.linspace(a, b, int(n) + 1)  # (n + 1,)
    return x, (b - a) / n


def trapezoid(f, a, b, n):
    """Composite trapezoid rule ``h (f_0/2 + f_1 + ... + f_{n-1} + f_n/2)``, h = (b - a)/n.

    ``f`` maps an array of nodes to an array of values. Error O(h^2) for smooth f.
    """
    x, h = _grid(a, b, n, "trapezoid")
    y = np.asarray(f(x), dtype=float)  # (n + 1,)
    return float(h * (y.sum() - 0.5 * (y[0] + y[-1])))


def simpson(f, a, b, n):
    """Composite Simpson rule ``h/3 (f_0 + 4 f_1 + 2 f_2 + 4 f_3 + ... + 4 f_{n-1} + f_n)``.

    n (even) subintervals of width h = (b - a)/n. Exact for cubics; error O(h^4).
    """
    x, h = _grid(a, b, n, "simpson", even=True)
    y = np.asarray(f(x), dtype=float)  # (n + 1,)
    return float(h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum()))


def monte_carlo_integral(f, a, b, n, seed=0):
    """Monte Carlo estimate of ``int_a^b f`` from n uniform samples, and its standard error.

    ``(b - a) mean f(U_i)`` with ``U_i ~ Uniform(a, b)``; the standard error is
    ``(b - a) std(f(U)) / sqrt(n)`` (sample std, ddof=1), shrinking like n^(-1/2).
    """
    if int(n) != n or n < 2:
        raise ValueError(f"monte_carlo_integral: n must be an integer >= 2, got {n}")
    u = np.random.default_rng(seed).uniform(a, b, int(n))  # (n,)
    y = np.asarray(f(u), dtype=float)
    return float((b - a) * y.mean()), float((b - a) * y.std(ddof=1) / np.sqrt(n))


def convergence_order(ns, errors):
    """Order p in ``error ~ C n^(-p)``: minus the least-squares slope of log(error) on log(n).

    ns (k,), errors (k,), k >= 2, all positive.
    """
    ns, errors = np.asarray(ns, dtype=float), np.asarray(errors, dtype=float)
    if ns.ndim != 1 or ns.shape != errors.shape or ns.size < 2:
        raise ValueError(
            f"convergence_order: ns and errors must be 1-D of the same length >= 2, "
            f"got shapes {ns.shape} and {errors.shape}"
        )
    if np.any(ns <= 0) or np.any(errors <= 0):
        raise ValueError("convergence_order: ns and errors must be positive (we take logs)")
    slope, _ = np.polyfit(np.log(ns), np.log(errors), 1)
    return float(-slope)


# ---------------------------------------------------------------- root finding


def newton_root(f, fprime, x0, tol=1e-12, max_iter=50):
    """Newton's method ``x_{k+1} = x_k - f(x_k) / f'(x_k)``; returns every iterate, shape (k+1,).

    Stops when the step is at most ``tol * max(1, |x|)``. Raises ValueError when f'
    vanishes at an iterate or when ``max_iter`` steps do not converge.
    """
    xs = [float(x0)]
    for _ in range(max_iter):
        x = xs[-1]
        slope = float(fprime(x))
        if slope == 0:
            raise ValueError(f"newton_root: f'(x) = 0 at x = {x:.6g}; start from another x0")
        xs.append(x - float(f(x)) / slope)
        if abs(xs[-1] - x) <= tol * max(1.0, abs(xs[-1])):
            return np.array(xs)
    raise ValueError(f"newton_root: no convergence in {max_iter} steps from x0 = {x0}")


def newton_sqrt(a, tol=1e-15, max_iter=1100):
    """``sqrt(a)`` by Newton on ``x^2 - a``: ``x <- (x + a / x) / 2`` from ``x0 = max(a, 1)``.

    Starting at or above the root keeps every iterate above it, so the iteration decreases
    monotonically; stops when the relative step is at most ``tol``. Far from the root each
    step only halves x, so a = 1e300 takes about 500 steps (hence the large ``max_iter``).
    """
    a = float(a)
    if a < 0:
        raise ValueError(f"newton_sqrt: a = {a} is negative and has no real square root")
    if a == 0:
        return 0.0
    x = max(a, 1.0)
    for _ in range(max_iter):
        x_new = 0.5 * (x + a / x)
        if abs(x_new - x) <= tol * x_new:
            return x_new
        x = x_new
    raise ValueError(f"newton_sqrt: no convergence in {max_iter} steps for a = {a}")


# ---------------------------------------------------------------- Fourier transform


def dft_matrix(n):
    """The n x n DFT matrix ``F_jk = exp(-2 pi i j k / n)`` (complex128), so ``X = F x``."""
    if int(n) != n or n < 1:
        raise ValueError(f"dft_matrix: n must be a positive integer, got {n}")
    k = np.arange(int(n))
    return np.exp(-2j * np.pi * np.outer(k, k) / n)  # (n, n)


def dft(x):
    """DFT ``X_k = sum_j x_j exp(-2 pi i j k / n)`` by the O(n^2) matrix product; x (n,)."""
    x = np.asarray(x, dtype=complex)
    if x.ndim != 1:
        raise ValueError(f"dft: x must be a 1-D signal, got shape {x.shape}")
    return dft_matrix(x.size) @ x


def fft(x):
    """Recursive radix-2 FFT of x (n,) with n a power of two, O(n log n).

    Splits into even- and odd-indexed samples: with ``E = fft(x[0::2])``,
    ``O = fft(x[1::2])`` and twiddles ``w_k = exp(-2 pi i k / n)``,
    ``X_k = E_k + w_k O_k`` and ``X_{k + n/2} = E_k - w_k O_k`` for k < n/2.
    """
    x = np.asarray(x, dtype=complex)
    n = x.size
    if x.ndim != 1 or n == 0 or n & (n - 1):
        raise ValueError(
            f"fft: x must be 1-D with a power-of-two length, got shape {x.shape}; "
            "pad with zeros to the next power of two"
        )
    if n == 1:
        return x.copy()
    even, odd = fft(x[0::2]), fft(x[1::2])  # (n/2,), (n/2,)
    w = np.exp(-2j * np.pi * np.arange(n // 2) / n)  # (n/2,)
    return np.concatenate([even + w * odd, even - w * odd])
