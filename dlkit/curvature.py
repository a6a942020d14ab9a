"""Curvature of a loss: critical points, Hessian-vector products, the top eigenvalue,
the largest stable step and the natural gradient.

The running example is L2-penalised logistic regression without an intercept (append
a column of ones to X for one), with mean loss

    L(w) = (1/N) sum_i [softplus(x_i . w) - y_i x_i . w] + lam/2 ||w||^2,
    grad L = X^T (p - y) / N + lam w,                  p = sigmoid(X w),
    H = X^T diag(p (1 - p)) X / N + lam I,
    H v = X^T (p (1 - p) * (X v)) / N + lam v          (two mat-vecs, H never formed).

Gradient descent on a quadratic with Hessian H is stable exactly for step sizes
``lr < 2 / lambda_max(H)``; power iteration on Hessian-vector products finds
lambda_max without forming H. The natural gradient preconditions with the Fisher
information ``F = X^T diag(p (1 - p)) X / N`` (for the logistic model, the Hessian of
the unpenalised loss), which makes the step independent of how the features are scaled.
Arrays are numpy float64: X (N, d), y (N,) in {0, 1}, w and v (d,).
"""

import numpy as np

from dlkit import ml
from dlkit.numerics import sigmoid

CRITICAL_POINT_KINDS = ("minimum", "maximum", "saddle", "degenerate")


def _problem(X, y, w, owner):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    if X.ndim != 2 or y.shape != (len(X),) or w.shape != (X.shape[1],):
        raise ValueError(
            f"{owner}: expected X (N, d), y (N,) and w (d,), got {X.shape}, {y.shape} and {w.shape}"
        )
    return X, y, w


def _curvature_weights(X, w):
    p = sigmoid(X @ w)  # (N,)
    return p * (1.0 - p)  # (N,), the variance of each Bernoulli prediction


# ---------------------------------------------------------------- critical points


def classify_critical_point(H, tol=1e-9):
    """``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"`` from a Hessian H (n, n).

    From the eigenvalues of the symmetric part ``(H + H^T) / 2``: both signs (beyond
    ``tol``) make a saddle; otherwise any eigenvalue within ``tol`` of 0 makes the test
    inconclusive ("degenerate"); all positive, a minimum; all negative, a maximum. The
    determinant alone cannot tell: ``det(-I_2) = det(I_2) = 1``.
    """
    H = np.asarray(H, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"classify_critical_point: H must be square, got shape {H.shape}")
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2.0)  # ascending
    if eigenvalues[0] < -tol and eigenvalues[-1] > tol:
        return "saddle"
    if np.any(np.abs(eigenvalues) <= tol):
        return "degenerate"
    return "minimum" if eigenvalues[0] > 0 else "maximum"


def quartic(p):
    """``f(x, y) = x^4 - 2 x^2 + y^2`` for p of shape (..., 2); a saddle at (0, 0) and
    minima at (+-1, 0) with f = -1."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return x**4 - 2.0 * x**2 + y**2


def quartic_grad(p):
    """Gradient ``(4 x^3 - 4 x, 2 y)`` of :func:`quartic`, same shape as p (..., 2)."""
    p = np.asarray(p, dtype=float)
    x, y = p[..., 0], p[..., 1]
    return np.stack([4.0 * x**3 - 4.0 * x, 2.0 * y], axis=-1)


def quartic_hessian(p):
    """Hessian ``diag(12 x^2 - 4, 2)`` of :func:`quartic` at one point p (2,): (2, 2)."""
    x, _ = np.asarray(p, dtype=float)
    return np.diag([12.0 * x**2 - 4.0, 2.0])


#: The critical points of :func:`quartic` and what they are: H(0, 0) = diag(-4, 2) has
#: both signs, H(+-1, 0) = diag(8, 2) is positive definite.
QUARTIC_CRITICAL_POINTS = {(0.0, 0.0): "saddle", (1.0, 0.0): "minimum", (-1.0, 0.0): "minimum"}


# ---------------------------------------------------------------- logistic regression


def logistic_hessian(X, y, w, lam=0.0):
    """The explicit Hessian ``X^T diag(p (1 - p)) X / N + lam I``, shape (d, d).

    O(N d^2) time and O(d^2) memory: fine for checking, what :func:`logistic_hvp` avoids.
    """
    X, y, w = _problem(X, y, w, "logistic_hessian")
    s = _curvature_weights(X, w)  # (N,)
    return (X * s[:, None]).T @ X / len(X) + lam * np.eye(X.shape[1])


def logistic_hvp(X, y, w, lam, v):
    """Hessian-vector product ``H v = X^T (p (1 - p) * (X v)) / N + lam v`` without H.

    Two matrix-vector products, O(N d): about the cost of one more gradient. y does not
    enter (the logistic Hessian does not depend on the labels); it is taken so that every
    function here has the same signature. Returns (d,).
    """
    X, y, w = _problem(X, y, w, "logistic_hvp")
    v = np.asarray(v, dtype=float)
    if v.shape != w.shape:
        raise ValueError(f"logistic_hvp: v must have the shape of w {w.shape}, got {v.shape}")
    s = _curvature_weights(X, w)  # (N,)
    return X.T @ (s * (X @ v)) / len(X) + lam * v


def power_iteration(matvec, dim, iters=100, seed=0):
    """Largest-magnitude eigenpair of a symmetric operator given only ``v -> A v``.

    Start from a random unit vector (``np.random.default_rng(seed)``), repeat
    ``v <- A v / ||A v||`` (normalising every step, or the iterate over- or underflows),
    and return ``(v^T A v, v)``: the Rayleigh quotient and the unit vector (dim,). The
    error shrinks like ``(|lambda_2| / |lambda_1|)^iters``.
    """
    if int(iters) != iters or iters < 1:
        raise ValueError(f"power_iteration: iters must be a whole number >= 1, got {iters}")
    v = np.random.default_rng(seed).normal(size=dim)
    v /= np.linalg.norm(v)
    for _ in range(int(iters)):
        Av = np.asarray(matvec(v), dtype=float)
        norm = np.linalg.norm(Av)
        if norm == 0.0:
            return 0.0, v  # v lies in the null space: the operator is 0 there
        v = Av / norm
    return float(v @ np.asarray(matvec(v), dtype=float)), v


def top_hessian_eigenvalue(X, y, w, lam=0.0, iters=100, seed=0):
    """``(lambda_max, v)`` of the logistic Hessian by power iteration on :func:`logistic_hvp`.

    The Hessian is positive semi-definite, so its largest-magnitude eigenvalue is the
    largest one; ``2 / lambda_max`` is the largest stable gradient-descent step
    (:func:`max_stable_lr`).
    """
    X, y, w = _problem(X, y, w, "top_hessian_eigenvalue")
    return power_iteration(lambda v: logistic_hvp(X, y, w, lam, v), X.shape[1], iters, seed)


def max_stable_lr(lam_max):
    """``2 / lambda_max``: GD on a quadratic with this top curvature diverges above it."""
    if not lam_max > 0:
        raise ValueError(f"max_stable_lr: lambda_max must be positive, got {lam_max}")
    return 2.0 / float(lam_max)


def logistic_fisher(X, w):
    """Fisher information of the logistic model ``F = X^T diag(p (1 - p)) X / N`` (d, d).

    The expected outer product of the per-example score ``(y - p) x`` under the model's
    own labels; for logistic regression it equals the Hessian of the mean loss.
    """
    X = np.asarray(X, dtype=float)
    w = np.asarray(w, dtype=float)
    if X.ndim != 2 or w.shape != (X.shape[1],):
        raise ValueError(f"logistic_fisher: expected X (N, d) and w (d,), got {X.shape}, {w.shape}")
    s = _curvature_weights(X, w)  # (N,)
    return (X * s[:, None]).T @ X / len(X)


def natural_gradient_step(X, y, w, lr, damping=1e-4):
    """One natural-gradient step ``w - lr (F + damping I)^{-1} grad L`` (eq. 8.22).

    ``grad L = X^T (p - y) / N`` is the gradient of the mean (unpenalised) loss and F
    the mean Fisher information (:func:`logistic_fisher`); both are means, so their
    ratio does not depend on N. ``damping > 0`` keeps F + damping I invertible when
    F is singular (fewer examples than features). Solved, never inverted. Returns (d,).
    """
    X, y, w = _problem(X, y, w, "natural_gradient_step")
    if damping < 0:
        raise ValueError(f"natural_gradient_step: damping must be >= 0, got {damping}")
    grad, _ = ml.logistic_gradient(w, 0.0, X, y)
    F = logistic_fisher(X, w) + damping * np.eye(X.shape[1])
    return w - lr * np.linalg.solve(F, grad)


def logistic_loss(X, y, w, lam=0.0):
    """The mean penalised logistic loss L(w) of the module docstring (a float)."""
    X, y, w = _problem(X, y, w, "logistic_loss")
    return ml.logistic_loss(w, 0.0, X, y, lam)


def logistic_gradient(X, y, w, lam=0.0):
    """Its gradient ``X^T (p - y) / N + lam w``, shape (d,)."""
    X, y, w = _problem(X, y, w, "logistic_gradient")
    return ml.logistic_gradient(w, 0.0, X, y, lam)[0]


__all__ = [
    "CRITICAL_POINT_KINDS",
    "QUARTIC_CRITICAL_POINTS",
    "classify_critical_point",
    "logistic_fisher",
    "logistic_gradient",
    "logistic_hessian",
    "logistic_hvp",
    "logistic_loss",
    "max_stable_lr",
    "natural_gradient_step",
    "power_iteration",
    "quartic",
    "quartic_grad",
    "quartic_hessian",
    "top_hessian_eigenvalue",
]
