"""Sparse coding by ISTA, and dictionary learning by alternating minimisation.

A dictionary D (m, p) holds p atoms as its **columns**; a signal x (m,) gets the code

    z* = argmin_z  (1/2) ||x - D z||^2 + lam ||z||_1.

(The book's eq. 13.4 has no 1/2; with it, the gradient is plain ``D^T (D z - x)``. The
book's lam is twice this one.) **ISTA** (iterative shrinkage-thresholding) takes a
gradient step on the smooth part and then the proximal map of the l1 term, a soft
threshold: with ``L = ||D||_2^2`` (the largest eigenvalue of ``D^T D``, the Lipschitz
constant of the gradient),

    z <- soft(z - D^T (D z - x) / L, lam / L),     soft(v, t) = sign(v) max(|v| - t, 0).

Any step t < 2/L decreases the objective at every iteration (by at least
(1/t - L/2) ||z_new - z||^2); 1/L is the standard step, with
F(z_k) - F* <= L ||z_0 - z*||^2 / (2k). A step above 2/L can diverge.
For many signals, rows of X (n, m) with codes Z (n, p), the update is
``Z <- soft(Z - (Z D^T - X) D / L, lam / L)``.

**Dictionary learning** alternates codes and atoms on the mean objective
``f(D, Z) = (1/n) sum_i [(1/2) ||x_i - D z_i||^2 + lam ||z_i||_1]`` with every atom in the
unit ball (otherwise D grows and Z shrinks without bound): warm-started ISTA steps for Z,
then one sweep of block coordinate descent over the atoms (Mairal et al., 2009), each the
exact minimiser over the ball with the others fixed. Both steps never increase f.
"""

import numpy as np

from dlkit.factor._checks import count, data_matrix, positive
from dlkit.ml import soft_threshold


def _dictionary(D, m, func):
    D = np.asarray(D, dtype=float)
    if D.ndim != 2 or (m is not None and D.shape[0] != m):
        want = f"({m}, p)" if m is not None else "(m, p)"
        raise ValueError(f"{func}: D must have shape {want}, atoms as columns; got {D.shape}")
    return D


def lipschitz(D):
    """``L = ||D||_2^2``, the largest squared singular value of D (the step of ISTA is 1/L)."""
    D = _dictionary(D, None, "lipschitz")
    L = float(np.linalg.norm(D, 2) ** 2)
    if L == 0:
        raise ValueError("lipschitz: D is all zeros; a dictionary needs non-zero atoms")
    return L


def sparse_objective(D, X, Z, lam):
    """``(1/n) sum_i [(1/2) ||x_i - D z_i||^2 + lam ||z_i||_1]`` for rows X (n, m), Z (n, p);
    a single x (m,) and z (p,) give ``(1/2) ||x - D z||^2 + lam ||z||_1``."""
    X, Z = np.atleast_2d(np.asarray(X, dtype=float)), np.atleast_2d(np.asarray(Z, dtype=float))
    D = _dictionary(D, X.shape[1], "sparse_objective")
    residual = X - Z @ D.T  # (n, m)
    return float(np.mean(0.5 * np.sum(residual**2, axis=1) + lam * np.sum(np.abs(Z), axis=1)))


def ista(D, x, lam, n_iter=100, z0=None):
    """``n_iter`` ISTA steps from ``z0`` (default 0) on ``(1/2)||x - D z||^2 + lam ||z||_1``.

    D (m, p) with atoms as columns; x (m,) gives a code z (p,), X (n, m) gives codes
    Z (n, p), one per row. The step is 1/L with ``L = ||D||_2^2``, the threshold lam / L.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2):
        raise ValueError(f"ista: x must be a signal (m,) or signals as rows (n, m), got {x.shape}")
    D = _dictionary(D, x.shape[-1], "ista")
    lam = positive(lam, "ista", "lam", allow_zero=True)
    n_iter = count(n_iter, "ista", "n_iter", minimum=0)
    X = np.atleast_2d(x)  # (n, m)
    L = lipschitz(D)
    Z = np.zeros((len(X), D.shape[1])) if z0 is None else np.atleast_2d(np.array(z0, float))
    if Z.shape != (len(X), D.shape[1]):
        raise ValueError(f"ista: z0 must have shape {(len(X), D.shape[1])}, got {Z.shape}")
    for _ in range(n_iter):
        Z = soft_threshold(Z - (Z @ D.T - X) @ D / L, lam / L)  # (n, p)
    return Z[0] if x.ndim == 1 else Z


def update_atoms(D, X, Z):
    """One sweep of block coordinate descent over the atoms (columns of D), codes fixed.

    With ``A = Z^T Z`` (p, p) and ``B = X^T Z`` (m, p), atom j becomes
    ``u = d_j + (b_j - D a_j) / A_jj`` projected on the unit ball, ``u / max(1, ||u||)``:
    the exact minimiser of the reconstruction term over that atom. Unused atoms
    (``A_jj = 0``) stay as they are. Returns a new D (m, p).
    """
    D = _dictionary(D, np.shape(X)[1], "update_atoms").copy()
    A, B = Z.T @ Z, X.T @ Z  # (p, p), (m, p)
    for j in range(D.shape[1]):
        if A[j, j] <= 0:
            continue
        u = D[:, j] + (B[:, j] - D @ A[:, j]) / A[j, j]
        D[:, j] = u / max(1.0, float(np.linalg.norm(u)))
    return D


def dictionary_init(X, n_atoms, seed=0):
    """Starting atoms for :func:`learn_dictionary`: D0 (m, n_atoms) with unit-norm columns.

    The atoms are ``n_atoms`` distinct rows of X (n, m), drawn with
    ``np.random.default_rng(seed).choice(n, n_atoms, replace=False)``, each divided by its
    norm (an all-zero row is replaced by a standard normal draw).
    """
    X = data_matrix(X, "dictionary_init")
    n, m = X.shape
    n_atoms = count(n_atoms, "dictionary_init", "n_atoms")
    if n_atoms > n:
        raise ValueError(f"dictionary_init: n_atoms ({n_atoms}) must be <= n ({n})")
    rng = np.random.default_rng(seed)
    D = X[rng.choice(n, n_atoms, replace=False)].T.copy()  # (m, n_atoms)
    zero = np.linalg.norm(D, axis=0) == 0
    D[:, zero] = rng.standard_normal((m, int(zero.sum())))
    return D / np.linalg.norm(D, axis=0)


def learn_dictionary(X, D0, lam, n_iter=30, n_inner=20):
    """Dictionary learning on the rows of X (n, m) from the atoms D0 (m, p).

    Returns ``(D (m, p), Z (n, p), history (n_iter,))``. Z starts at 0; each of the
    ``n_iter`` outer steps runs ``n_inner`` ISTA steps on Z warm-started from the current Z
    (step 1/L with L = ||D||_2^2 of the current D), then one sweep of :func:`update_atoms`
    with the new codes; ``history[t]`` is :func:`sparse_objective` after step t + 1 (it
    never increases). Atoms stay in the unit ball.
    """
    X = data_matrix(X, "learn_dictionary")
    D = _dictionary(D0, X.shape[1], "learn_dictionary").copy()
    lam = positive(lam, "learn_dictionary", "lam", allow_zero=True)
    n_iter = count(n_iter, "learn_dictionary", "n_iter")
    n_inner = count(n_inner, "learn_dictionary", "n_inner")
    Z = np.zeros((len(X), D.shape[1]))
    history = np.empty(n_iter)
    for t in range(n_iter):
        Z = ista(D, X, lam, n_inner, z0=Z)
        D = update_atoms(D, X, Z)
        history[t] = sparse_objective(D, X, Z, lam)
    return D, Z, history


def dictionary_learning(X, n_atoms, lam, n_iter=30, seed=0, n_inner=20):
    """:func:`learn_dictionary` from :func:`dictionary_init` ``(X, n_atoms, seed)``."""
    return learn_dictionary(X, dictionary_init(X, n_atoms, seed), lam, n_iter, n_inner)
