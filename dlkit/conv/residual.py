"""A residual connection ``y = x + F(x)`` and why it keeps gradients alive.

For the block ``F(x) = W2 relu(W1 x)`` (column vectors: x (d,), W1 (h, d), W2 (d, h))

    dy/dx = I + W2 diag(1[W1 x > 0]) W1                                  (d, d)

The identity term passes the gradient through unchanged however small dF/dx is, so a
stack of L blocks has Jacobian ``prod_l (I + dF_l/dx)`` instead of ``prod_l dF_l/dx``.
"""

import numpy as np


def _block(x, W1, W2, function):
    x = np.asarray(x, dtype=float)
    W1, W2 = np.asarray(W1, dtype=float), np.asarray(W2, dtype=float)
    if x.ndim != 1 or W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(
            f"{function}: need x (d,), W1 (h, d), W2 (d, h); got {x.shape}, {W1.shape}, {W2.shape}"
        )
    d, h = len(x), W1.shape[0]
    if W1.shape != (h, d) or W2.shape != (d, h):
        raise ValueError(
            f"{function}: for x of length {d}, W1 must be (h, {d}) and W2 ({d}, h) with the same "
            f"h; got {W1.shape} and {W2.shape}"
        )
    return x, W1, W2


def residual_forward(x, W1, W2):
    """``y = x + W2 relu(W1 x)`` for one vector x (d,)."""
    x, W1, W2 = _block(x, W1, W2, "residual_forward")
    return x + W2 @ np.maximum(W1 @ x, 0.0)


def residual_jacobian(x, W1, W2):
    """``dy/dx = I + W2 diag(1[W1 x > 0]) W1`` of :func:`residual_forward`, shape (d, d)
    (at a kink ``W1 x = 0`` the ReLU's derivative is taken as 0, as in torch)."""
    x, W1, W2 = _block(x, W1, W2, "residual_jacobian")
    mask = (W1 @ x > 0).astype(float)  # (h,)
    return np.eye(len(x)) + (W2 * mask) @ W1  # W2 diag(mask) W1
