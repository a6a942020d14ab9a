"""Linear algebra from the definitions: products, norms, elimination, eigenvalues, SVD, sparsity.

Reference implementations for module 01. Each function follows the mathematics it is
named after (loops where the loop *is* the idea, broadcasting where vectorization is),
works in float64 and rejects malformed input with a ValueError that says what to fix.
The SVD itself (``np.linalg.svd``) is used as a primitive for rank, null space,
low-rank approximation and the condition number.
"""

import warnings

import numpy as np

EPS = np.finfo(float).eps


# ---------------------------------------------------------------- input validation


def _vector(x, name, func):
    """``x`` as a float64 1-D array, or a ValueError naming ``func`` and the bad shape."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(
            f"{func}: {name} must be a 1-D vector, got an array of shape {x.shape}; "
            f"flatten it with {name}.ravel() if that is what you mean"
        )
    return x


def _matrix(A, name, func):
    """``A`` as a float64 2-D array, or a ValueError naming ``func`` and the bad shape."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2:
        raise ValueError(
            f"{func}: {name} must be a 2-D matrix, got an array of shape {A.shape}; "
            f"reshape it to (rows, columns)"
        )
    return A


def _square(A, name, func):
    """``A`` as a float64 (n, n) array, or a ValueError saying it is not square."""
    A = _matrix(A, name, func)
    if A.shape[0] != A.shape[1]:
        raise ValueError(
            f"{func}: {name} must be square (n, n), got shape {A.shape}; "
            f"{func} is only defined for square matrices"
        )
    return A


# ---------------------------------------------------------------- products


def dot(x, y):
    """Inner product ``x · y = sum_i x_i y_i`` of two 1-D vectors of equal length n."""
    x, y = _vector(x, "x", "dot"), _vector(y, "y", "dot")
    if x.shape != y.shape:
        raise ValueError(f"dot: x and y must have the same length, got {x.size} and {y.size}")
    return float(np.sum(x * y))


def _check_inner(A, B, func):
    """Both operands as matrices whose inner dimensions agree: A (m, n), B (n, p)."""
    A, B = _matrix(A, "A", func), _matrix(B, "B", func)
    if A.shape[1] != B.shape[0]:
        raise ValueError(
            f"{func}: inner dimensions differ, A is {A.shape} and B is {B.shape}; "
            f"A (m, n) times B (n, p) needs A's column count to equal B's row count"
        )
    return A, B


def matmul_loops(A, B):
    """Matrix product by the definition ``C_ij = sum_k A_ik B_kj`` with three Python loops.

    A (m, n), B (n, p) -> C (m, p). Slow on purpose: it is the formula, written out.
    """
    A, B = _check_inner(A, B, "matmul_loops")
    m, n = A.shape
    p = B.shape[1]
    C = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                C[i, j] += A[i, k] * B[k, j]
    return C


def matmul(A, B):
    """Matrix product ``C_ij = sum_k A_ik B_kj`` vectorized by broadcasting.

    A (m, n), B (n, p) -> C (m, p): form every product A_ik B_kj at once in an
    (m, n, p) array and sum over the shared index k.
    """
    A, B = _check_inner(A, B, "matmul")
    products = A[:, :, None] * B[None, :, :]  # (m, n, 1) * (1, n, p) -> (m, n, p)
    return products.sum(axis=1)  # (m, p)


# ---------------------------------------------------------------- norms


def norm(x, ord=2):
    """Vector norms ``||x||_1 = sum|x_i|``, ``||x||_2 = sqrt(sum x_i^2)``, ``||x||_inf = max|x_i|``,
    and the Frobenius norm of a matrix ``||A||_F = sqrt(sum_ij A_ij^2)`` (``ord='fro'``).

    x: (n,) with ord in {1, 2, np.inf}, or (m, n) with ord='fro'. Returns a float.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        if ord == "fro":
            return float(np.sqrt(np.sum(x**2)))
        raise ValueError(
            f"norm: for a matrix use ord='fro' (Frobenius), got ord={ord!r}; "
            f"the spectral norm ||A||_2 is the largest singular value, np.linalg.svd(A)[1][0]"
        )
    x = _vector(x, "x", "norm")
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is for matrices; a vector takes ord 1, 2 or np.inf")
    if ord == 1:
        return float(np.sum(np.abs(x)))
    if ord == 2:
        return float(np.sqrt(np.sum(x**2)))
    if ord == np.inf:
        return float(np.max(np.abs(x))) if x.size else 0.0
    raise ValueError(f"norm: unsupported ord={ord!r} for a vector; use 1, 2 or np.inf")


# ---------------------------------------------------------------- rank, span, null space


def _rank_tol(s, shape, tol):
    """numpy's default rank tolerance ``max(m, n) * eps * s_max`` unless ``tol`` is given."""
    if tol is not None:
        return tol
    return max(shape) * EPS * (s[0] if s.size else 0.0)


def rank(A, tol=None):
    """Rank of A (m, n): the number of singular values ``s_i > tol``.

    Default ``tol = max(m, n) * eps * s_max`` (numpy's rule). Returns an int.
    """
    A = _matrix(A, "A", "rank")
    s = np.linalg.svd(A, compute_uv=False)  # (min(m, n),), descending
    return int(np.sum(s > _rank_tol(s, A.shape, tol)))


def is_independent(V):
    """True when the k columns of V (n, k) are linearly independent, i.e. ``rank(V) == k``."""
    V = _matrix(V, "V", "is_independent")
    return rank(V) == V.shape[1]


def null_space(A, tol=None):
    """Orthonormal basis of ``{x : A x = 0}`` from the SVD ``A = U S V^T``.

    A (m, n) of rank r -> N (n, n - r): the right singular vectors whose singular
    values are (numerically) zero, i.e. the last n - r rows of V^T, as columns.
    """
    A = _matrix(A, "A", "null_space")
    _, s, Vt = np.linalg.svd(A, full_matrices=True)  # s (min(m, n),), Vt (n, n)
    r = int(np.sum(s > _rank_tol(s, A.shape, tol)))
    return Vt[r:].T.copy()  # (n, n - r)


# ---------------------------------------------------------------- elimination


def _forward_eliminate(A, B):
    """Row-reduce ``[A | B]`` to ``[U | C]`` by Gaussian elimination with partial pivoting.

    A (n, n), B (n, k) -> U (n, n) upper triangular, C (n, k), and the sign (+1 or -1)
    of the row permutation. At step j the row with the largest |U_ij|, i >= j, is
    swapped up, then multiples of it are subtracted from the rows below.
    """
    U, C = A.copy(), B.copy()
    n = U.shape[0]
    sign = 1.0
    for j in range(n):
        p = j + int(np.argmax(np.abs(U[j:, j])))
        if p != j:
            U[[j, p]], C[[j, p]] = U[[p, j]], C[[p, j]]
            sign = -sign
        if U[j, j] == 0.0:
            continue  # the column is zero from row j down: nothing to eliminate
        factors = U[j + 1 :, j] / U[j, j]  # (n - j - 1,)
        U[j + 1 :, j:] -= np.outer(factors, U[j, j:])  # (n - j - 1, n - j)
        C[j + 1 :] -= np.outer(factors, C[j])  # (n - j - 1, k)
    return U, C, sign


def det(A):
    """Determinant by LU with partial pivoting: ``det A = sign(P) * prod_i U_ii`` for PA = LU.

    A (n, n) -> float.
    """
    A = _square(A, "A", "det")
    U, _, sign = _forward_eliminate(A, np.zeros((A.shape[0], 0)))
    return float(sign * np.prod(np.diag(U)))


def _back_substitute(U, C):
    """Solve the upper-triangular system ``U X = C``: U (n, n), C (n, k) -> X (n, k).

    ``x_i = (c_i - sum_{j>i} U_ij x_j) / U_ii`` from the last row up.
    """
    n = U.shape[0]
    X = np.zeros_like(C)
    for i in range(n - 1, -1, -1):
        X[i] = (C[i] - U[i, i + 1 :] @ X[i + 1 :]) / U[i, i]
    return X


def solve(A, b):
    """Solve ``A x = b`` by Gaussian elimination with partial pivoting and back substitution.

    A (n, n); b (n,) or (n, k) -> x with the shape of b. Raises
    ``numpy.linalg.LinAlgError`` when a pivot is numerically zero (A is singular).
    """
    A = _square(A, "A", "solve")
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if b.ndim not in (1, 2) or b.shape[0] != n:
        raise ValueError(
            f"solve: b must have shape ({n},) or ({n}, k) to match A {A.shape}, got {b.shape}"
        )
    B = b.reshape(n, -1)  # (n,) -> (n, 1); (n, k) unchanged
    U, C, _ = _forward_eliminate(A, B)
    pivots = np.abs(np.diag(U))  # (n,)
    tol = n * EPS * (np.abs(A).max() if A.size else 0.0)
    if n and pivots.min() <= tol:
        i = int(np.argmin(pivots))
        raise np.linalg.LinAlgError(
            f"matrix is singular to working precision: pivot {i} is {pivots[i]:.3g} "
            f"(tolerance {tol:.3g}); A x = b has no unique solution. "
            f"Check rank(A), or use least squares (np.linalg.lstsq) instead"
        )
    return _back_substitute(U, C).reshape(b.shape)


def inverse(A):
    """Inverse by Gauss-Jordan on ``[A | I]``: solve ``A X = I``. A (n, n) -> A^{-1} (n, n)."""
    A = _square(A, "A", "inverse")
    return solve(A, np.eye(A.shape[0]))


# ---------------------------------------------------------------- eigenvalues


def _jacobi_rotation(A, p, q):
    """Cosine and sine of the rotation J in the (p, q) plane that zeroes ``(J^T A J)_pq``.

    With ``tau = (A_qq - A_pp) / (2 A_pq)``, ``t = sign(tau) / (|tau| + sqrt(1 + tau^2))``
    is the smaller root of ``t^2 + 2 tau t - 1 = 0``; then ``c = 1 / sqrt(1 + t^2)``, ``s = t c``.
    """
    tau = (A[q, q] - A[p, p]) / (2.0 * A[p, q])
    t = (1.0 if tau >= 0 else -1.0) / (abs(tau) + np.sqrt(1.0 + tau * tau))
    c = 1.0 / np.sqrt(1.0 + t * t)
    return c, t * c


def _rotate_columns(M, p, q, c, s):
    """In place ``M <- M J``: columns p, q become ``c m_p - s m_q`` and ``s m_p + c m_q``."""
    mp, mq = M[:, p].copy(), M[:, q].copy()
    M[:, p] = c * mp - s * mq
    M[:, q] = s * mp + c * mq


def sym_eig(S, max_sweeps=50):
    """Eigendecomposition ``S = Q diag(lam) Q^T`` of a symmetric S (n, n) by cyclic Jacobi.

    Each rotation ``A <- J^T A J`` zeroes one off-diagonal pair; sweeping over all
    pairs (p < q) until ``off(A) = sqrt(sum_{i != j} A_ij^2) <= n eps ||S||_F`` (rounding
    level) leaves the eigenvalues on the diagonal, and the product of the rotations is Q.
    Returns lam (n,) in descending order and Q (n, n) with orthonormal eigenvector columns.
    """
    S = _square(S, "S", "sym_eig")
    asymmetry = np.abs(S - S.T).max() if S.size else 0.0
    if asymmetry > 1e-10 * max(1.0, np.abs(S).max()):
        raise ValueError(
            f"sym_eig: S must be symmetric, but S and S.T differ by up to {asymmetry:.3g}; "
            f"use (S + S.T) / 2, or np.linalg.eig for a general matrix"
        )
    A = (S + S.T) / 2  # exact symmetry, removes rounding noise
    n = A.shape[0]
    Q = np.eye(n)
    scale = EPS * norm(A, "fro")
    for _ in range(max_sweeps):
        off = np.sqrt(2.0 * np.sum(np.triu(A, k=1) ** 2))  # off-diagonal Frobenius norm
        if off <= n * scale:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if abs(A[p, q]) <= scale / n:
                    continue  # already at rounding level: rotating would only add noise
                c, s = _jacobi_rotation(A, p, q)
                _rotate_columns(A, p, q, c, s)  # A <- A J
                _rotate_columns(A.T, p, q, c, s)  # A <- J^T A (rows via the transposed view)
                _rotate_columns(Q, p, q, c, s)  # Q <- Q J
    else:
        raise np.linalg.LinAlgError(f"sym_eig: Jacobi did not converge in {max_sweeps} sweeps")
    lam = np.diag(A).copy()  # (n,)
    order = np.argsort(lam)[::-1]  # descending
    return lam[order], Q[:, order]


def power_iteration(A, num_iters=1000, tol=1e-10, rng=None):
    """Dominant eigenpair of A (n, n) by power iteration ``x <- A x / ||A x||``.

    The eigenvalue is the Rayleigh quotient ``x^T A x`` of the unit vector x. Stops when
    x changes by less than ``tol`` up to sign, ``min(||x' - x||, ||x' + x||) < tol``.
    rng: numpy Generator for the random start; None means ``default_rng(0)`` (reproducible).
    Returns (eigenvalue: float, x: (n,) unit vector). Warns if it did not converge.
    """
    A = _square(A, "A", "power_iteration")
    if A.shape[0] == 0:
        raise ValueError("power_iteration: A is empty (0, 0); it has no eigenvalues")
    _positive_ints("power_iteration", num_iters=num_iters)
    rng = np.random.default_rng(0) if rng is None else rng
    x = rng.standard_normal(A.shape[0])
    x /= norm(x)
    for _ in range(num_iters):
        y = A @ x
        length = norm(y)
        if length == 0.0:
            return 0.0, x  # A x = 0: x is an eigenvector with eigenvalue 0
        y /= length
        change = min(norm(y - x), norm(y + x))
        x = y
        if change < tol:
            return float(x @ A @ x), x
    warnings.warn(
        f"power_iteration did not converge in {num_iters} iterations (last change {change:.2g}"
        f" > tol {tol:g}); the two largest |eigenvalues| may be (nearly) equal",
        RuntimeWarning,
        stacklevel=2,
    )
    return float(x @ A @ x), x


# ---------------------------------------------------------------- SVD and low rank


def low_rank_approx(A, k):
    """Best rank-k approximation ``A_k = sum_{i<k} s_i u_i v_i^T`` (truncated SVD).

    A (m, n), 0 <= k <= min(m, n) -> A_k (m, n). Eckart-Young: ``||A - A_k||_2 = s_{k+1}``
    (the (k+1)-th singular value, 0 when k = min(m, n)), the smallest over all rank-k matrices.
    """
    A = _matrix(A, "A", "low_rank_approx")
    r_max = min(A.shape)
    if not (isinstance(k, (int, np.integer)) and 0 <= k <= r_max):
        raise ValueError(f"low_rank_approx: k must be an integer in 0..{r_max}, got {k!r}")
    U, s, Vt = np.linalg.svd(A, full_matrices=False)  # (m, r), (r,), (r, n)
    return (U[:, :k] * s[:k]) @ Vt[:k]  # (m, k) scaled columns times (k, n)


def _positive_ints(func, **sizes):
    """Raise a ValueError unless every named size is a positive integer."""
    for name, value in sizes.items():
        if not (isinstance(value, (int, np.integer)) and value > 0):
            raise ValueError(f"{func}: {name} must be a positive integer, got {value!r}")


def dense_param_count(m, n):
    """Parameters of a dense m x n weight matrix: ``m n``."""
    _positive_ints("dense_param_count", m=m, n=n)
    return int(m * n)


def low_rank_param_count(m, n, k):
    """Parameters of a rank-k factorised weight ``W = U V``, U (m, k), V (k, n): ``k (m + n)``."""
    _positive_ints("low_rank_param_count", m=m, n=n, k=k)
    return int(k * (m + n))


def condition_number(A):
    """2-norm condition number ``kappa(A) = s_max / s_min`` of A (m, n); ``np.inf`` if singular.

    Singular means rank-deficient under :func:`rank`'s default tolerance.
    """
    A = _matrix(A, "A", "condition_number")
    if A.size == 0:
        raise ValueError(f"condition_number: A is empty {A.shape}")
    s = np.linalg.svd(A, compute_uv=False)  # (min(m, n),), descending
    if s[-1] <= _rank_tol(s, A.shape, None):
        return np.inf
    return float(s[0] / s[-1])


# ---------------------------------------------------------------- sparse matrices


def to_csr(A):
    """Compressed sparse row form of A (m, n): ``(data, indices, indptr)``.

    data (nnz,) the nonzero values row by row; indices (nnz,) their column indices;
    indptr (m + 1,) with row i's entries in ``data[indptr[i]:indptr[i + 1]]``.
    """
    A = _matrix(A, "A", "to_csr")
    rows, cols = np.nonzero(A)  # (nnz,), (nnz,) in row-major order
    per_row = np.bincount(rows, minlength=A.shape[0])  # (m,)
    indptr = np.concatenate(([0], np.cumsum(per_row)))  # (m + 1,)
    return A[rows, cols], cols.astype(np.int64), indptr.astype(np.int64)


def csr_matvec(data, indices, indptr, x):
    """Sparse mat-vec ``y_i = sum_{t in row i} data_t x_{indices_t}`` for a CSR matrix.

    data (nnz,), indices (nnz,), indptr (m + 1,), x (n,) -> y (m,). All products at
    once, then summed per row with ``np.bincount`` over row ids (empty rows give 0).
    """
    data = _vector(data, "data", "csr_matvec")
    x = _vector(x, "x", "csr_matvec")
    indices, indptr = np.asarray(indices), np.asarray(indptr)
    if indices.shape != data.shape:
        raise ValueError(
            f"csr_matvec: indices {indices.shape} and data {data.shape} must have equal length"
        )
    if indptr.ndim != 1 or indptr.size == 0 or indptr[0] != 0 or indptr[-1] != data.size:
        raise ValueError(
            f"csr_matvec: indptr must be 1-D, start at 0 and end at nnz={data.size}, got {indptr!r}"
        )
    per_row = np.diff(indptr)  # (m,)
    if (per_row < 0).any():
        raise ValueError("csr_matvec: indptr must be non-decreasing")
    if indices.size and (indices.min() < 0 or indices.max() >= x.size):
        raise ValueError(
            f"csr_matvec: column indices must lie in 0..{x.size - 1} for x of length {x.size}"
        )
    m = per_row.size
    row_ids = np.repeat(np.arange(m), per_row)  # (nnz,) the row of each stored value
    return np.bincount(row_ids, weights=data * x[indices], minlength=m).astype(float)
