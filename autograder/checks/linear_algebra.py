"""Checks for module 01, linear algebra.

Every exercise has a visible ``<name>_basic(fn)`` check (return type and shape plus
one small worked case) and a hidden ``<name>_hidden(fn)`` check (seeded random
inputs plus the edge cases behind the classic mistakes: transposed results, wrong
axes, missing pivoting, the sign of a row swap, eigenvalue order, eigenvector signs,
off-by-one ranks, missing biases, empty sparse rows, ...). The oracles are
numpy.linalg, scipy.sparse, ``oracles.orthogonal`` / ``oracles.symmetric_with_eigenvalues``
(random matrices with a known spectrum) and closed forms; nothing here uses dlkit
or the learner's other answers.
"""

import numpy as np
import scipy.sparse

from autograder.checks import oracles
from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    as_number,
    call,
    describe_call,
    expect,
    expect_close,
    expect_equal,
    expect_number,
    expect_raises,
    expect_returns,
    show,
    unpack,
)

# ---------------------------------------------------------------------------
# Exercise 1 · la-matmul-loops · reference: dk.linalg.matmul_loops
# ---------------------------------------------------------------------------

_MATMUL_HINT = (
    "C[i, j] = sum over k of A[i, k] * B[k, j]; C has as many rows as A and as many columns as B"
)
_A23 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
_B32 = np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])


def _check_product(fn, name, A, B, hint=_MATMUL_HINT):
    expected = np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)
    transposed = np.swapaxes(expected, -1, -2)  # (..., p, m)
    mistakes = [(transposed, "your result is the transpose of the expected one; " + hint)]
    expect_returns(fn, name, (A, B), expected, hint, rtol=1e-9, atol=1e-9, mistakes=mistakes)


_FORBID_MATMUL_LOOPS = Forbidden(
    "matmul_loops",
    (
        "@",
        "numpy.dot",
        "numpy.matmul",
        "numpy.einsum",
        "numpy.tensordot",
        "numpy.inner",
        "numpy.vdot",
        "numpy.linalg.multi_dot",
        ".dot",
        "dlkit.linalg.matmul_loops",
        "dlkit.linalg.matmul",
    ),
    (
        "this exercise asks you to write the product's loops yourself, without `@`, np.dot or "
        "np.matmul"
    ),
)


def matmul_loops_basic(fn):
    """A (2, 3) times (3, 2) product with small integers."""
    _check_product(fn, "matmul_loops", _A23, _B32)
    _FORBID_MATMUL_LOOPS.check(fn)


def matmul_loops_hidden(fn):
    """Non-square shapes (catch transposes and swapped indices), outer products, ints."""
    rng = np.random.default_rng(1101)
    cases = [
        (rng.integers(-5, 6, (2, 3)), rng.integers(-5, 6, (3, 4))),
        (rng.standard_normal((5, 7)), rng.standard_normal((7, 3))),
        (np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[1.0], [0.0], [-1.0], [2.0]])),
        (np.array([[1.0], [2.0], [3.0]]), np.array([[4.0, 5.0, 6.0]])),
        (np.array([[2.5]]), np.array([[-4.0]])),
    ]
    for A, B in cases:
        _check_product(fn, "matmul_loops", A, B)
    _FORBID_MATMUL_LOOPS.check(fn)


# ---------------------------------------------------------------------------
# Exercise 2 · la-matmul · reference: dk.linalg.matmul (batched in the test table)
# ---------------------------------------------------------------------------

_BATCH_HINT = (
    "work on the last two axes only (index with `...` and sum over axis=-2) so that the "
    "leading batch axes broadcast exactly as in A @ B"
)


_FORBID_MATMUL = Forbidden(
    "matmul",
    (
        "loop",
        "@",
        "numpy.dot",
        "numpy.matmul",
        "numpy.einsum",
        "numpy.tensordot",
        "numpy.inner",
        "numpy.vdot",
        "numpy.linalg.multi_dot",
        ".dot",
        "dlkit.linalg.matmul",
        "dlkit.linalg.matmul_loops",
    ),
    (
        "this exercise asks for the product by broadcasting and a sum over axis=-2, without "
        "`@`, np.dot, np.matmul, np.einsum, np.tensordot or Python loops"
    ),
)


def matmul_basic(fn):
    """A (2, 3) times (3, 2) product of plain 2-D matrices."""
    _check_product(fn, "matmul", _A23, _B32)
    _FORBID_MATMUL.check(fn)


def matmul_hidden(fn):
    """Non-square 2-D products, then stacks of matrices whose batch axes broadcast."""
    rng = np.random.default_rng(1102)
    _check_product(fn, "matmul", rng.standard_normal((4, 6)), rng.standard_normal((6, 3)))
    _check_product(fn, "matmul", rng.standard_normal((1, 5)), rng.standard_normal((5, 1)))
    _check_product(fn, "matmul", rng.integers(-3, 4, (3, 2)), rng.integers(-3, 4, (2, 5)))
    batches = [
        (rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 3, 5))),
        (rng.standard_normal((4, 2, 3)), rng.standard_normal((3, 5))),
        (rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((5, 4, 2))),
    ]
    for A, B in batches:
        _check_product(fn, "matmul", A, B, hint=_BATCH_HINT)
    _FORBID_MATMUL.check(fn)


# ---------------------------------------------------------------------------
# Exercise 3 · la-norm · reference: dk.linalg.norm
# ---------------------------------------------------------------------------

_NORM_HINTS = {
    1: "the L1 norm is the sum of the absolute values |x_i|",
    2: "the L2 norm is the square root of the sum of squares x_i**2",
    np.inf: "the L-infinity norm is the largest absolute value max |x_i| (mind negative entries)",
    "fro": "the Frobenius norm is the square root of the sum of all squared entries A_ij**2",
}


def _check_norm(fn, x, ord):
    expected = np.linalg.norm(np.asarray(x, dtype=float), ord)
    expect_returns(fn, "norm", (x, ord), expected, _NORM_HINTS[ord], rtol=1e-9, atol=1e-12)


_FORBID_NORM = Forbidden(
    "norm",
    ("numpy.linalg.norm", "scipy.linalg.norm", "dlkit.linalg.norm"),
    "this exercise asks you to compute the norm from its formula (np.abs, np.sum, np.sqrt, np.max)",
)


def norm_basic(fn):
    """``x = [3, -4]`` under L1, L2 and L-infinity; Frobenius of ``[[1, 2], [3, 4]]``."""
    x = np.array([3.0, -4.0])
    for ord in (1, 2, np.inf):
        _check_norm(fn, x, ord)
    _check_norm(fn, np.array([[1.0, 2.0], [3.0, 4.0]]), "fro")
    _FORBID_NORM.check(fn)


def norm_hidden(fn):
    """Negative entries (abs forgotten), random vectors, non-square matrices, ints."""
    rng = np.random.default_rng(1103)
    _check_norm(fn, np.array([-5.0, 3.0]), np.inf)
    _check_norm(fn, np.array([-1.0, -2.0, 3.0]), 1)
    _check_norm(fn, np.array([-7.0]), 2)
    for ord in (1, 2, np.inf):
        _check_norm(fn, rng.standard_normal(10), ord)
        _check_norm(fn, rng.integers(-9, 10, 6), ord)
    _check_norm(fn, rng.standard_normal((3, 5)), "fro")
    _check_norm(fn, rng.integers(-4, 5, (4, 2)), "fro")
    _FORBID_NORM.check(fn)


# ---------------------------------------------------------------------------
# Exercise 4 · la-rank · reference: dk.linalg.rank
# ---------------------------------------------------------------------------

_RANK_HINT = (
    "the rank is the number of singular values larger than tol; by default "
    "tol = s.max() * max(m, n) * np.finfo(float).eps, because round-off leaves tiny "
    "non-zero singular values where exact arithmetic would give 0"
)


def _check_rank(fn, A, tol=None, hint=_RANK_HINT):
    if tol is None:
        got, text = call(fn, "rank", A)
    else:
        got, text = call(fn, "rank", A, tol=tol)
    expected = int(np.linalg.matrix_rank(np.asarray(A, dtype=float), tol=tol))
    if isinstance(got, float) and got == expected:
        hint = "a rank is a count: return int(...)"
    expect_equal(got, expected, text, hint)


_FORBID_RANK = Forbidden(
    "rank",
    ("numpy.linalg.matrix_rank", "dlkit.linalg.rank"),
    "this exercise asks you to count the singular values above the tolerance yourself",
)


def rank_basic(fn):
    """A rank-1 2 x 2 matrix and the 3 x 3 identity."""
    _check_rank(fn, np.array([[1.0, 2.0], [2.0, 4.0]]))
    _check_rank(fn, np.eye(3))
    _FORBID_RANK.check(fn)


def rank_hidden(fn):
    """Zero matrix, tall/wide low-rank products (round-off!), and an explicit ``tol``."""
    rng = np.random.default_rng(1104)
    _check_rank(
        fn,
        np.zeros((3, 4)),
        hint="a zero matrix has rank 0: count singular values strictly greater than tol",
    )
    _check_rank(fn, rng.standard_normal((8, 3)) @ rng.standard_normal((3, 5)))
    _check_rank(fn, rng.standard_normal((5, 2)) @ rng.standard_normal((2, 9)))
    _check_rank(fn, rng.standard_normal((4, 9)))
    _check_rank(fn, rng.standard_normal((6, 2)) @ rng.standard_normal((2, 6)))
    d = np.diag([1.0, 1e-3, 1e-6])
    tol_hint = "when tol is given, count the singular values larger than that tol"
    _check_rank(fn, d, tol=1e-4, hint=tol_hint)
    _check_rank(fn, d, tol=1e-7, hint=tol_hint)
    _check_rank(fn, d)
    _FORBID_RANK.check(fn)


# ---------------------------------------------------------------------------
# Exercise 5 · la-independent · reference: dk.linalg.is_independent
# ---------------------------------------------------------------------------

_COLUMNS_HINT = "the vectors are the columns of V: compare rank(V) with V.shape[1]"


def _check_independent(fn, V, hint):
    got, text = call(fn, "is_independent", V)
    expected = bool(np.linalg.matrix_rank(np.asarray(V, dtype=float)) == np.shape(V)[1])
    expect(
        isinstance(got, bool | np.bool_),
        f"{text} returned {show(got)} (a {type(got).__name__}), expected the bool "
        f"{expected}; hint: return True or False",
    )
    expect_equal(bool(got), expected, text, hint)


_FORBID_IS_INDEPENDENT = Forbidden(
    "is_independent",
    ("dlkit.linalg.is_independent",),
    "this exercise asks you to compare the rank with the number of vectors yourself",
)


def is_independent_basic(fn):
    """The standard basis of R^2 (independent) and two parallel columns (dependent)."""
    hint = "the columns are independent exactly when rank(V) equals the number of columns"
    _check_independent(fn, np.eye(2), hint)
    _check_independent(fn, np.array([[1.0, 2.0], [2.0, 4.0]]), hint)
    _FORBID_IS_INDEPENDENT.check(fn)


def is_independent_hidden(fn):
    """Tall and wide matrices (columns, not rows!), hidden dependencies, round-off."""
    rng = np.random.default_rng(1105)
    _check_independent(fn, rng.standard_normal((5, 3)), _COLUMNS_HINT)
    _check_independent(
        fn,
        rng.standard_normal((2, 3)),
        "three vectors in R^2 can never be independent; " + _COLUMNS_HINT,
    )
    a = rng.standard_normal((4, 2))
    combo = np.column_stack([a, a[:, 0] + 2.0 * a[:, 1]])
    _check_independent(fn, combo, "the third column is a combination of the first two")
    b = rng.standard_normal((6, 2))
    _check_independent(
        fn,
        np.column_stack([b, 0.1 * b[:, 0] + 0.7 * b[:, 1]]),
        "round-off makes exact zeros tiny: use the rank with its default tolerance",
    )
    _check_independent(fn, np.array([[0.0], [3.0], [0.0]]), _COLUMNS_HINT)
    _check_independent(fn, np.zeros((3, 1)), "a single zero vector is dependent (rank 0)")
    _check_independent(fn, rng.standard_normal((6, 4)), _COLUMNS_HINT)
    _FORBID_IS_INDEPENDENT.check(fn)


# ---------------------------------------------------------------------------
# Exercise 6 · la-det · reference: dk.linalg.det
# ---------------------------------------------------------------------------


def _zero_pivot(A):
    """The first column whose pivot is exactly 0 when ``A`` is eliminated without row
    swaps (the place where an answer that forgets pivoting fails), or None."""
    U = np.array(A, dtype=float)
    with np.errstate(all="ignore"):
        for k in range(min(U.shape)):
            if U[k, k] == 0:
                return k
            U[k + 1 :] -= np.outer(U[k + 1 :, k] / U[k, k], U[k])
    return None


def _det_hint(A, expected):
    """What to look at for this matrix: its first pivot, its singularity, or the method."""
    swap = (
        "swap in the row with the largest |entry| on or below the diagonal (partial "
        "pivoting) at every column, not only the first, and flip the sign for each swap"
    )
    if A[0, 0] == 0:
        return f"the first pivot is 0: {swap}"
    if abs(expected) < 1e-9:
        return "the matrix is singular: when the best pivot is 0, the determinant is 0.0"
    if (k := _zero_pivot(A)) is not None:
        return (
            f"without row swaps the pivot of column {k} becomes 0 during elimination, though "
            f"the matrix is not singular: {swap}"
        )
    return (
        "det(A) = (-1)^(number of swaps) * product of the pivots; work on a float copy "
        "(np.array(A, dtype=float)) so that integer inputs are not truncated"
    )


def _check_det(fn, A):
    expected = float(np.linalg.det(np.asarray(A, dtype=float)))
    hint = _det_hint(np.asarray(A), expected)
    mistakes = [(-expected, "each row swap flips the sign of the determinant: count the swaps")]
    result, text = call(fn, "det", A)
    expect_number(result, expected, text, hint, rtol=1e-8, atol=1e-10, mistakes=mistakes)


_FORBID_DET = Forbidden(
    "det",
    (
        "numpy.linalg.det",
        "numpy.linalg.slogdet",
        "scipy.linalg.lu",
        "scipy.linalg.lu_factor",
        "scipy.linalg.det",
        "dlkit.linalg.det",
    ),
    "this exercise asks you to compute the determinant by Gaussian elimination yourself",
)


def det_basic(fn):
    """A 2 x 2 example and an upper-triangular 3 x 3 (product of the diagonal)."""
    _check_det(fn, np.array([[2.0, 1.0], [1.0, 3.0]]))
    _check_det(fn, np.array([[2.0, 1.0, 5.0], [0.0, -3.0, 4.0], [0.0, 0.0, 0.5]]))
    _FORBID_DET.check(fn)


def det_hidden(fn):
    """Row swaps (sign!), zero first pivots, singular, integer and random matrices."""
    rng = np.random.default_rng(1106)
    cases = [
        np.array([[0.0, 1.0], [1.0, 0.0]]),
        np.array([[0.0, 2.0], [3.0, 4.0]]),
        np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
        np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
        np.array([[1.0, 2.0], [2.0, 4.0]]),
        np.array([[0.0, 1.0], [0.0, 2.0]]),
        np.array([[3, 1], [2, 1]]),
        np.array([[-3.0]]),
        np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]),  # 2nd pivot 0: det -1
        rng.standard_normal((6, 6)),
        rng.integers(-5, 6, (4, 4)),
    ]
    for A in cases:
        _check_det(fn, A)
    _FORBID_DET.check(fn)


# ---------------------------------------------------------------------------
# Exercise 7 · la-solve · reference: dk.linalg.solve
# ---------------------------------------------------------------------------

_SOLVE_HINT = (
    "eliminate below each pivot, then back-substitute from the last row up: "
    "x_i = (b_i - sum_{j>i} U_ij x_j) / U_ii"
)
_PIVOT_HINT = (
    "use partial pivoting: before eliminating column k, swap in the row with the largest "
    "|A[i, k]| (i >= k), and swap the entries of b too"
)
_SINGULAR_HINT = (
    "the matrix is singular: when the largest available pivot is 0, "
    "raise np.linalg.LinAlgError('singular matrix')"
)


def _check_solve(fn, A, b, hint=_SOLVE_HINT):
    expected = np.linalg.solve(np.asarray(A, dtype=float), np.asarray(b, dtype=float))
    try:
        result, text = call(fn, "solve", A, b, hint=hint)
    except CheckFailed as failure:
        pivot = _zero_pivot(A)
        if pivot is None or "raised LinAlgError" not in str(failure):
            raise
        raise CheckFailed(
            f"{describe_call('solve', A, b)} raised LinAlgError, but this matrix is not "
            f"singular (det = {np.linalg.det(np.asarray(A, dtype=float)):.3g}): its pivot in "
            f"column {pivot} is 0 only because no rows were swapped; hint: zero pivot: swap "
            "rows (partial pivoting): before eliminating column k, swap in the row with the "
            "largest |A[i, k]| (i >= k), in b too, and raise only when that largest one is 0"
        ) from None
    expect_close(result, expected, text, hint, rtol=1e-7, atol=1e-9)


_FORBID_SOLVE = Forbidden(
    "solve",
    (
        "numpy.linalg.solve",
        "numpy.linalg.inv",
        "numpy.linalg.lstsq",
        "numpy.linalg.pinv",
        "scipy.linalg",
        "dlkit.linalg.solve",
    ),
    (
        "this exercise asks you to solve by elimination with partial pivoting and back "
        "substitution yourself"
    ),
)


def solve_basic(fn):
    """``2x + y = 3, x + 3y = 5`` has the solution ``x = 0.8, y = 1.4``."""
    _check_solve(fn, np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 5.0]))
    _FORBID_SOLVE.check(fn)


def solve_hidden(fn):
    """Zero and tiny pivots, permutations, integers, random systems, singular matrices."""
    rng = np.random.default_rng(1107)
    _check_solve(fn, np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([2.0, 3.0]), _PIVOT_HINT)
    _check_solve(
        fn,
        np.array([[1e-20, 1.0], [1.0, 1.0]]),
        np.array([1.0, 2.0]),
        "dividing by the tiny pivot 1e-20 destroys the answer in round-off; " + _PIVOT_HINT,
    )
    permutation = np.array([[0.0, 0.0, 2.0], [0.0, 3.0, 0.0], [4.0, 0.0, 0.0]])
    _check_solve(fn, permutation, np.array([2.0, 6.0, 12.0]), _PIVOT_HINT)
    second = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])  # 2nd pivot 0
    _check_solve(fn, second, np.array([1.0, 2.0, 3.0]), _PIVOT_HINT)
    _check_solve(
        fn,
        np.array([[3, 1], [2, 1]]),
        np.array([1, 1]),
        "work on float copies (np.array(A, dtype=float)) so that integer inputs are not "
        "truncated during elimination",
    )
    upper = np.triu(rng.standard_normal((5, 5))) + 3.0 * np.eye(5)
    _check_solve(fn, upper, rng.standard_normal(5))
    for n in (3, 8):
        _check_solve(fn, rng.standard_normal((n, n)), rng.standard_normal(n))
    for singular in (np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[0.0, 1.0], [0.0, 2.0]])):
        args = (singular, np.array([1.0, 2.0]))
        expect_raises(fn, "solve", args, np.linalg.LinAlgError, _SINGULAR_HINT)
    _FORBID_SOLVE.check(fn)


# ---------------------------------------------------------------------------
# Exercise 8 · la-sym-eig · reference: dk.linalg.sym_eig
# ---------------------------------------------------------------------------

_ORDER_HINT = (
    "sort the eigenvalues in descending order of their value (not of their absolute "
    "value); np.linalg.eigh returns them ascending"
)


def _check_eigenvalues(values, S, text):
    """The eigenvalues, descending, with an ascending or by-magnitude order named."""
    expected = np.linalg.eigvalsh(S)[::-1]  # (n,), descending
    mistakes = [
        (expected[::-1], _ORDER_HINT),
        (expected[np.argsort(-np.abs(expected), kind="stable")], _ORDER_HINT),
    ]
    scale = max(1.0, float(np.abs(expected).max()))
    hint = "the eigenvalues of a symmetric matrix are what np.linalg.eigh returns"
    return expect_close(
        values, expected, text, hint, rtol=1e-7, atol=1e-9 * scale, mistakes=mistakes
    )


def _check_eigenvectors(Q, values, S, text):
    """Q (n, n) orthonormal with S Q = Q diag(values), and S = Q diag(values) Q^T."""
    n = S.shape[0]
    scale = max(1.0, float(np.abs(values).max()))
    expect(
        Q.shape == (n, n),
        f"{text} returned Q of shape {Q.shape}, expected shape {(n, n)}; hint: Q holds one "
        "eigenvector per column",
    )
    gram = Q.T @ Q
    expect(
        np.allclose(gram, np.eye(n), rtol=1e-6, atol=1e-7),
        f"{text} returned a Q whose columns are not orthonormal (Q.T @ Q = {show(gram)}, "
        "expected the identity); hint: use the eigenvectors of np.linalg.eigh, which are "
        "orthonormal, and keep them as columns",
    )
    residual = S @ Q - Q * values  # column i: S q_i - lambda_i q_i
    expect(
        np.abs(residual).max() <= 1e-7 * scale,
        f"{text}: S @ Q[:, i] is not eigenvalues[i] * Q[:, i] (largest error "
        f"{np.abs(residual).max():.3g}); hint: reorder the columns of Q (Q[:, order]) "
        "together with the eigenvalues, not its rows",
    )
    expect_close(
        (Q * values) @ Q.T,
        S,
        f"Q @ diag(eigenvalues) @ Q.T for {text}",
        "the decomposition must rebuild S = Q diag(eigenvalues) Q^T",
        rtol=1e-7,
        atol=1e-8 * scale,
    )


def _check_sym_eig(fn, S):
    S = np.asarray(S, dtype=float)
    result, text = call(fn, "sym_eig", S)
    values, Q = unpack(result, text, ("eigenvalues", "Q"))
    values = _check_eigenvalues(values, S, f"{text} eigenvalues")
    _check_eigenvectors(as_float_array(Q, f"{text} Q"), values, S, text)


_FORBID_SYM_EIG = Forbidden(
    "sym_eig",
    ("dlkit.linalg.sym_eig",),
    "this exercise asks you to sort np.linalg.eigh's eigenvalues and eigenvectors yourself",
)


def sym_eig_basic(fn):
    """``[[2, 1], [1, 2]]`` has eigenvalues 3 and 1 with eigenvectors (1, ±1)/√2."""
    _check_sym_eig(fn, np.array([[2.0, 1.0], [1.0, 2.0]]))
    _FORBID_SYM_EIG.check(fn)


def sym_eig_hidden(fn):
    """Negative and repeated eigenvalues, diagonal input, 1 x 1, random sizes.

    Eigenvectors are only defined up to sign (and up to rotation within a repeated
    eigenvalue), so Q is checked through orthonormality and S Q = Q Λ only.
    """
    rng = np.random.default_rng(1108)
    _check_sym_eig(fn, np.diag([1.0, 5.0, 3.0]))
    _check_sym_eig(fn, oracles.symmetric_with_eigenvalues(rng, [-6.0, 2.0, 0.5, -1.0]))
    _check_sym_eig(fn, oracles.symmetric_with_eigenvalues(rng, [3.0, 3.0, 1.0]))
    _check_sym_eig(fn, np.array([[-2.5]]))
    m = rng.standard_normal((7, 7))
    _check_sym_eig(fn, (m + m.T) / 2)
    _FORBID_SYM_EIG.check(fn)


# ---------------------------------------------------------------------------
# Exercise 9 · la-power · reference: dk.linalg.power_iteration
# ---------------------------------------------------------------------------

_RAYLEIGH_HINT = (
    "the dominant eigenvalue can be negative: estimate it with the Rayleigh quotient "
    "v @ A @ v, not with the always-positive ||A v||"
)


def _dominant(A):
    """The eigenvalue of largest |value| and its unit eigenvector (numpy.linalg.eig)."""
    values, vectors = np.linalg.eig(A)
    i = int(np.argmax(np.abs(values)))
    v = np.real(vectors[:, i])
    return float(np.real(values[i])), v / np.linalg.norm(v)


def _check_power(fn, A, hint, **kwargs):
    A = np.asarray(A, dtype=float)
    result, text = call(fn, "power_iteration", A, **kwargs)
    value, v = unpack(result, text, ("eigenvalue", "v"))
    expected_value, expected_v = _dominant(A)
    mistakes = [(abs(expected_value), _RAYLEIGH_HINT)]
    expect_number(
        value, expected_value, f"{text} eigenvalue", hint, rtol=1e-6, atol=1e-9, mistakes=mistakes
    )
    v = as_float_array(v, f"{text} eigenvector")
    expect(
        v.shape == expected_v.shape,
        f"{text} returned an eigenvector of shape {v.shape}, expected {expected_v.shape}; "
        "hint: return the vector v itself, shape (n,)",
    )
    length = float(np.linalg.norm(v))
    expect(
        abs(length - 1.0) < 1e-6,
        f"{text} returned an eigenvector of length {length:.6g}, expected a unit vector; "
        "hint: divide by np.linalg.norm(v) in every iteration",
    )
    off = min(np.linalg.norm(v - expected_v), np.linalg.norm(v + expected_v))
    expect(
        off < 1e-4,
        f"{text} returned the eigenvector {show(v)}, expected ±{show(expected_v)} (either "
        f"sign is accepted); hint: {hint}",
    )


_FORBID_POWER_ITERATION = Forbidden(
    "power_iteration",
    (
        "numpy.linalg.eig",
        "numpy.linalg.eigh",
        "numpy.linalg.eigvals",
        "numpy.linalg.eigvalsh",
        "scipy.linalg.eig",
        "scipy.linalg.eigh",
        "scipy.linalg.eigvals",
        "scipy.linalg.eigvalsh",
        "scipy.sparse.linalg",
        "dlkit.linalg.power_iteration",
    ),
    "this exercise asks you to iterate v <- A v / ||A v|| yourself, without an eigenvalue routine",
)


def power_iteration_basic(fn):
    """``[[2, 1], [1, 2]]``: dominant eigenvalue 3, eigenvector ±(1, 1)/√2."""
    _check_power(
        fn,
        np.array([[2.0, 1.0], [1.0, 2.0]]),
        "repeat v <- A v / ||A v||; the eigenvalue is the Rayleigh quotient v @ A @ v",
    )
    _FORBID_POWER_ITERATION.check(fn)


def power_iteration_hidden(fn):
    """Negative dominant eigenvalue, a fixed start orthogonal to the answer, non-symmetric."""
    rng = np.random.default_rng(1109)
    _check_power(
        fn,
        oracles.symmetric_with_eigenvalues(rng, [5.0, -2.0, 1.5, 1.0, 0.5]),
        "repeat v <- A v / ||A v|| until v stops changing",
    )
    _check_power(fn, oracles.symmetric_with_eigenvalues(rng, [-6.0, 3.0, 1.0, 0.5]), _RAYLEIGH_HINT)
    _check_power(
        fn,
        np.array([[3.0, -1.0], [-1.0, 3.0]]),
        "start from a random vector drawn with rng: a fixed start such as all ones can be "
        "orthogonal to the dominant eigenvector and never find it",
    )
    positive = rng.uniform(0.5, 1.5, (4, 4))
    _check_power(fn, positive, "repeat v <- A v / ||A v||; the eigenvalue is v @ A @ v")
    _check_power(
        fn,
        oracles.symmetric_with_eigenvalues(rng, [4.0, 1.0, -1.0]),
        "use the rng argument when it is given (rng.standard_normal(n))",
        rng=np.random.default_rng(7),
    )
    _FORBID_POWER_ITERATION.check(fn)


# ---------------------------------------------------------------------------
# Exercise 10 · la-low-rank · reference: dk.linalg.low_rank_approx
# ---------------------------------------------------------------------------


def _truncated_svd(U, s, Vt, keep):
    """``U[:, keep] diag(s[keep]) Vt[keep]`` for a slice ``keep`` of the singular values."""
    return (U[:, keep] * s[keep]) @ Vt[keep]  # (m, r) * (r,) -> (m, r); (m, r) @ (r, n)


_LOW_RANK_SHAPES = (
    "mind the shapes: np.linalg.svd(A, full_matrices=False) gives U (m, r), s (r,) and Vt "
    "(r, n); keep the first k *columns* of U (U[:, :k], shape (m, k)) and the first k *rows* "
    "of Vt (Vt[:k], shape (k, n)), scale with `U[:, :k] * s[:k]` (broadcast over the rows), "
    "then `@ Vt[:k]` gives (m, n)"
)


def _check_low_rank(fn, A, k):
    A = np.asarray(A, dtype=float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    expected = _truncated_svd(U, s, Vt, slice(0, k))
    hint = "A_k = U[:, :k] @ diag(s[:k]) @ Vt[:k, :] keeps the k largest singular values"
    mistakes = [
        (
            (U[:, :k] * s[:k]) @ Vt[:, :k].T,
            "you took the first k columns of Vt; its *rows* are the v_i: use Vt[:k]; "
            + _LOW_RANK_SHAPES,
        ),
        (
            _truncated_svd(U, s, Vt, slice(0, k + 1)),
            f"your result has rank {k + 1}, expected rank {k}: keep exactly k singular "
            "values (`U[:, :k]`, `s[:k]`, `Vt[:k]`)",
        ),
        (
            _truncated_svd(U, s, Vt, slice(len(s) - k, None)),
            "you kept the k smallest singular values; " + hint,
        ),
    ]
    atol = 1e-9 * max(1.0, s[0])
    result, text = call(fn, "low_rank_approx", A, k, hint=_LOW_RANK_SHAPES)
    shape_hint = f"the result has A's shape {A.shape}; " + _LOW_RANK_SHAPES
    if np.shape(result) not in ((), A.shape) and np.ndim(result) == 2:
        hint = shape_hint
    expect_close(result, expected, text, hint, rtol=1e-7, atol=atol, mistakes=mistakes)


_FORBID_LOW_RANK_APPROX = Forbidden(
    "low_rank_approx",
    ("dlkit.linalg.low_rank_approx",),
    "this exercise asks you to keep the first k singular triplets of np.linalg.svd yourself",
)


def low_rank_approx_basic(fn):
    """``diag(3, 2, 1)``: its rank-1 and rank-2 approximations drop the small entries."""
    d = np.diag([3.0, 2.0, 1.0])
    _check_low_rank(fn, d, 1)
    _check_low_rank(fn, d, 2)
    _FORBID_LOW_RANK_APPROX.check(fn)


def low_rank_approx_hidden(fn):
    """Tall and wide random matrices, k = 0 and k = min(m, n) (off-by-one in k)."""
    rng = np.random.default_rng(1110)
    tall = rng.standard_normal((8, 5))
    wide = rng.standard_normal((4, 9))
    for A, k in [(tall, 2), (wide, 3), (tall, 1), (wide, 0), (tall, 5), (wide, 4)]:
        _check_low_rank(fn, A, k)
    _FORBID_LOW_RANK_APPROX.check(fn)


# ---------------------------------------------------------------------------
# Exercise 11 · la-params · reference: dk.linalg.dense_param_count, dk.linalg.low_rank_param_count
# ---------------------------------------------------------------------------


def _check_param_counts(fn, n_in, n_out, k):
    result, text = call(fn, "layer_param_counts", n_in, n_out, k)
    dense, low_rank = unpack(result, text, ("dense", "low_rank"))
    for got, label, weights, formula in [
        (dense, "dense", n_in * n_out, "n_out * n_in + n_out"),
        (low_rank, "low_rank", k * (n_in + n_out), "k * (n_in + n_out) + n_out"),
    ]:
        hint = f"the {label} count is {formula} (weights plus a bias of length n_out)"
        mistakes = [
            (weights, "you forgot the bias vector (n_out numbers); " + hint),
            (weights + n_in, "the bias has one entry per output: a bias of length n_out"),
        ]
        expect_equal(got, weights + n_out, f"{text} {label} count", hint, mistakes)


def layer_param_counts_basic(fn):
    """``n_in=4, n_out=3, k=1``: 15 parameters dense, 10 factored."""
    _check_param_counts(fn, 4, 3, 1)


def layer_param_counts_hidden(fn):
    """Non-square layers (n_in and n_out swapped), k = 1, k = full rank."""
    for n_in, n_out, k in [(784, 256, 32), (256, 784, 32), (10, 10, 10), (1, 1, 1), (3, 5, 2)]:
        _check_param_counts(fn, n_in, n_out, k)


# ---------------------------------------------------------------------------
# Exercise 12 · la-break-even · reference: dk.linalg.low_rank_param_count (closest)
# ---------------------------------------------------------------------------


def _check_break_even(fn, n_in, n_out):
    got, text = call(fn, "break_even_rank", n_in, n_out)
    expected = (n_in * n_out - 1) // (n_in + n_out)
    hint = (
        "the largest k with k * (n_in + n_out) < n_in * n_out (strictly fewer parameters; "
        "the biases are equal and cancel)"
    )
    tie = (expected + 1) * (n_in + n_out) == n_in * n_out
    too_big = (
        f"at k = {expected + 1} both layers have the same number of parameters; "
        if tie
        else f"at k = {expected + 1} the low-rank layer has more parameters; "
    )
    expect_equal(got, expected, text, hint, [(expected + 1, too_big + hint)])


def break_even_rank_basic(fn):
    """``(784, 256)``: k * 1040 < 200704 holds up to k = 192; ``(3, 5)``: k = 1."""
    _check_break_even(fn, 784, 256)
    _check_break_even(fn, 3, 5)


def break_even_rank_hidden(fn):
    """Exact divisions (where k equal counts is not a saving), tiny layers, random sizes."""
    rng = np.random.default_rng(1112)
    for n_in, n_out in [(4, 4), (3, 6), (12, 12), (2, 2), (1, 1), (1, 100)]:
        _check_break_even(fn, n_in, n_out)
    for n_in, n_out in rng.integers(1, 2000, (5, 2)).tolist():
        _check_break_even(fn, n_in, n_out)


# ---------------------------------------------------------------------------
# Exercise 13 · la-cond · reference: dk.linalg.condition_number
# ---------------------------------------------------------------------------

_COND_HINT = (
    "kappa(A) = s_max / s_min with the singular values s of A (np.linalg.svd); "
    "eigenvalues give the wrong answer for non-symmetric or non-square matrices"
)


def _eigenvalue_ratio(A):
    magnitudes = np.abs(np.linalg.eigvals(A))
    return magnitudes.max() / magnitudes.min()


def _check_cond(fn, A, hint=_COND_HINT):
    expected = np.linalg.cond(np.asarray(A, dtype=float))
    mistakes = [
        (lambda: _eigenvalue_ratio(A), "|lambda_max| / |lambda_min| is not kappa: " + _COND_HINT),
        (1.0 / expected, "you computed s_min / s_max; kappa(A) = s_max / s_min, at least 1"),
    ]
    expect_returns(
        fn, "condition_number", (A,), expected, hint, rtol=1e-6, atol=1e-9, mistakes=mistakes
    )


def _check_cond_singular(fn, A):
    got, text = call(fn, "condition_number", A)
    value = as_number(got, text)
    expect(
        value >= 1e12,
        f"{text} returned {show(got)}, expected np.inf (or a number above 1e12) for a "
        "singular matrix; hint: s_min is 0 (or round-off tiny), so s_max / s_min is huge",
    )


_FORBID_CONDITION_NUMBER = Forbidden(
    "condition_number",
    ("numpy.linalg.cond", "dlkit.linalg.condition_number"),
    "this exercise asks you to divide the largest singular value by the smallest yourself",
)


def condition_number_basic(fn):
    """``diag(2, 0.5)`` has condition number 4; the identity has 1."""
    _check_cond(fn, np.diag([2.0, 0.5]))
    _check_cond(fn, np.eye(3))
    _FORBID_CONDITION_NUMBER.check(fn)


def condition_number_hidden(fn):
    """Negative entries, non-symmetric and rectangular matrices, orthogonal and singular."""
    rng = np.random.default_rng(1113)
    _check_cond(fn, np.diag([-4.0, 1.0]), "singular values are never negative; " + _COND_HINT)
    _check_cond(fn, np.array([[1.0, 100.0], [0.0, 1.0]]))
    _check_cond(fn, rng.standard_normal((6, 6)))
    _check_cond(fn, rng.standard_normal((6, 3)))
    _check_cond(fn, oracles.orthogonal(rng, 5))
    _check_cond_singular(fn, np.array([[1.0, 2.0], [2.0, 4.0]]))
    _FORBID_CONDITION_NUMBER.check(fn)


# ---------------------------------------------------------------------------
# Exercise 14 · la-csr · reference: dk.linalg.csr_matvec
# ---------------------------------------------------------------------------

_CSR_HINT = (
    "row i holds the entries data[indptr[i]:indptr[i + 1]] in the columns "
    "indices[indptr[i]:indptr[i + 1]]; y[i] is their dot product with x at those columns"
)
_ROWS_HINT = (
    "the number of rows is len(indptr) - 1, which need not equal len(x); "
    "a row with indptr[i] == indptr[i + 1] is empty and gives y[i] = 0"
)


def _check_csr_arrays(fn, data, indices, indptr, x, hint=_CSR_HINT):
    data, indices = np.asarray(data, dtype=float), np.asarray(indices, dtype=np.int64)
    indptr, x = np.asarray(indptr, dtype=np.int64), np.asarray(x, dtype=float)
    shape = (len(indptr) - 1, len(x))
    expected = scipy.sparse.csr_matrix((data, indices, indptr), shape=shape) @ x
    args = (data, indices, indptr, x)
    expect_returns(fn, "csr_matvec", args, expected, hint, rtol=1e-9, atol=1e-12)


def _check_csr(fn, dense, x, hint=_CSR_HINT):
    """The product with the CSR arrays of the matrix ``dense`` (scipy.sparse builds them)."""
    csr = scipy.sparse.csr_matrix(np.asarray(dense, dtype=float))
    _check_csr_arrays(fn, csr.data, csr.indices, csr.indptr, x, hint)


_FORBID_CSR_MATVEC = Forbidden(
    "csr_matvec",
    ("scipy.sparse", "dlkit.linalg.csr_matvec"),
    (
        "this exercise asks you to walk the CSR arrays yourself, without building the dense "
        "matrix or using scipy.sparse"
    ),
)


def csr_matvec_basic(fn):
    """``[[1, 0, 2], [0, 0, 3]] @ [1, 2, 3] = [7, 9]`` from its CSR arrays."""
    _check_csr_arrays(fn, [1.0, 2.0, 3.0], [0, 2, 2], [0, 2, 3], [1.0, 2.0, 3.0])
    _FORBID_CSR_MATVEC.check(fn)


def csr_matvec_hidden(fn):
    """Empty rows (first, middle, last), an all-zero matrix, non-square, random, unsorted."""
    rng = np.random.default_rng(1114)
    empty_rows = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [1.0, 0.0, -2.0, 0.0],
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 4.0, 0.0, 5.0],
            [0.0, 0.0, 0.0, 0.0],
        ]
    )
    _check_csr(fn, empty_rows, np.array([1.0, 2.0, 3.0, 4.0]), _ROWS_HINT)
    _check_csr_arrays(fn, [], [], [0, 0, 0, 0], [1.0, 2.0, 3.0], _ROWS_HINT)
    wide = np.where(rng.random((3, 7)) < 0.4, rng.standard_normal((3, 7)), 0.0)
    _check_csr(fn, wide, rng.standard_normal(7), _ROWS_HINT)
    tall = np.where(rng.random((9, 2)) < 0.5, rng.standard_normal((9, 2)), 0.0)
    _check_csr(fn, tall, rng.standard_normal(2), _ROWS_HINT)
    big = scipy.sparse.random(60, 40, density=0.1, format="csr", random_state=1114)
    _check_csr(fn, big.toarray(), rng.standard_normal(40))
    _check_csr_arrays(fn, [5.0, 1.0, 2.0, -1.0], [2, 0, 1, 0], [0, 2, 4], [1.0, 10.0, 100.0])
    _FORBID_CSR_MATVEC.check(fn)
