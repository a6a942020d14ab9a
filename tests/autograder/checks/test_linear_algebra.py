"""The module-01 checks: references, other correct answers and realistic mistakes.

The runner is tests/autograder/checks/test_contract.py.
"""

import numpy as np

from dlkit import linalg

# ---------------------------------------------------------------------------
# References where the exercise's signature differs from dlkit.linalg
# ---------------------------------------------------------------------------


def matmul_ref(A, B):
    """Broadcast matrix product over leading batch axes, without @."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    return (A[..., :, :, None] * B[..., None, :, :]).sum(axis=-2)


def layer_param_counts_ref(n_in, n_out, k):
    bias = n_out
    return (
        linalg.dense_param_count(n_out, n_in) + bias,
        linalg.low_rank_param_count(n_out, n_in, k) + bias,
    )


def break_even_rank_ref(n_in, n_out):
    k = 0
    while (k + 1) * (n_in + n_out) < n_in * n_out:
        k += 1
    return k


REFERENCES = {
    "matmul_loops": linalg.matmul_loops,
    "matmul": matmul_ref,
    "norm": linalg.norm,
    "rank": linalg.rank,
    "is_independent": linalg.is_independent,
    "det": linalg.det,
    "solve": linalg.solve,
    "sym_eig": linalg.sym_eig,
    "power_iteration": linalg.power_iteration,
    "low_rank_approx": linalg.low_rank_approx,
    "layer_param_counts": layer_param_counts_ref,
    "break_even_rank": break_even_rank_ref,
    "condition_number": linalg.condition_number,
    "csr_matvec": linalg.csr_matvec,
}


# ---------------------------------------------------------------------------
# Other correct answers: eigenvectors are defined up to sign
# ---------------------------------------------------------------------------


def sym_eig_flipped_signs(S):
    """np.linalg.eigh sorted in descending order, each eigenvector negated."""
    values, vectors = np.linalg.eigh(np.asarray(S, dtype=float))
    order = np.argsort(values)[::-1]
    return values[order], -vectors[:, order]


def power_iteration_flipped_sign(A, num_iters=1000, tol=1e-10, rng=None):
    """The power iteration (the reference's stopping rule) returning -x: a sign is free."""
    A = np.asarray(A, dtype=float)
    rng = np.random.default_rng(0) if rng is None else rng
    x = rng.standard_normal(A.shape[0])
    x /= np.linalg.norm(x)
    for _ in range(num_iters):
        y = A @ x
        if np.linalg.norm(y) == 0.0:
            return 0.0, -x
        y /= np.linalg.norm(y)
        change = min(np.linalg.norm(y - x), np.linalg.norm(y + x))
        x = y
        if change < tol:
            break
    return float(x @ A @ x), -x


ALTERNATIVES = [
    ("sym_eig", sym_eig_flipped_signs),
    ("power_iteration", power_iteration_flipped_sign),
]


# ---------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------


def returns_nothing(*args):
    return None


def matmul_loops_transposed(A, B):
    return (np.asarray(A) @ np.asarray(B)).T


def matmul_loops_square_only(A, B):
    """Assumes every matrix is n x n."""
    n = len(A)
    C = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                C[i, j] += A[i][k] * B[k][j]
    return C


def matmul_transposed(A, B):
    return (A[:, :, None] * B[None, :, :]).sum(axis=1).T


def matmul_2d_only(A, B):
    return (A[:, :, None] * B[None, :, :]).sum(axis=1)


def norm_max_without_abs(x, ord):
    return float(np.max(x)) if ord == np.inf else linalg.norm(x, ord)


def norm_l1_without_abs(x, ord):
    return float(np.sum(x)) if ord == 1 else linalg.norm(x, ord)


def norm_spectral_for_frobenius(x, ord):
    if ord == "fro":
        return float(np.linalg.svd(x, compute_uv=False)[0])
    return linalg.norm(x, ord)


def rank_nonzero_singular_values(A, tol=None):
    s = np.linalg.svd(A, compute_uv=False)
    return int(np.sum(s > (0.0 if tol is None else tol)))


def rank_as_float(A, tol=None):
    return float(np.linalg.matrix_rank(A))


def rank_greater_or_equal(A, tol=None):
    s = np.linalg.svd(A, compute_uv=False)
    if tol is None:
        tol = s.max() * max(np.shape(A)) * np.finfo(float).eps
    return int(np.sum(s >= tol))


def independent_rows(V):
    return linalg.rank(V) == V.shape[0]


def independent_min_dimension(V):
    return linalg.rank(V) == min(V.shape)


def independent_as_int(V):
    return int(linalg.rank(V) == V.shape[1])


def det_without_sign_flip(A):
    """Partial pivoting, but the swaps do not flip the sign."""
    U = np.array(A, dtype=float)
    n = len(U)
    for j in range(n):
        p = j + int(np.argmax(np.abs(U[j:, j])))
        U[[j, p]] = U[[p, j]]
        if U[j, j] == 0:
            return 0.0
        U[j + 1 :] -= np.outer(U[j + 1 :, j] / U[j, j], U[j])
    return float(np.prod(np.diag(U)))


def det_without_pivoting(A):
    U = np.array(A, dtype=float)
    for j in range(len(U)):
        U[j + 1 :] -= np.outer(U[j + 1 :, j] / U[j, j], U[j])
    return float(np.prod(np.diag(U)))


def det_diagonal_product(A):
    return float(np.prod(np.diag(A)))


def det_in_place(A):
    A[1] -= A[1, 0] / A[0, 0] * A[0]
    return float(np.prod(np.diag(A)))


def det_integer_copy(A):
    U = np.array(A)  # keeps an integer dtype: elimination truncates
    sign = 1.0
    for j in range(len(U)):
        p = j + int(np.argmax(np.abs(U[j:, j])))
        if p != j:
            U[[j, p]] = U[[p, j]]
            sign = -sign
        if U[j, j] == 0:
            return 0.0
        for i in range(j + 1, len(U)):
            U[i] = U[i] - U[i, j] / U[j, j] * U[j]
    return float(sign * np.prod(np.diag(U)))


def _eliminate_and_substitute(A, b):
    """Gaussian elimination without pivoting, then back substitution; overwrites A and b."""
    n = len(b)
    for j in range(n):
        factors = A[j + 1 :, j] / A[j, j]
        A[j + 1 :] -= np.outer(factors, A[j])
        b[j + 1 :] -= factors * b[j]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - A[i, i + 1 :] @ x[i + 1 :]) / A[i, i]
    return x


def solve_raises_on_a_zero_pivot(A, b):
    """Step 2 of the prompt without the swap: any zero pivot is taken for singularity."""
    U, c = np.array(A, dtype=float), np.array(b, dtype=float)
    n = len(c)
    for k in range(n):
        if U[k, k] == 0.0:
            raise np.linalg.LinAlgError("singular matrix")
        factors = U[k + 1 :, k] / U[k, k]
        U[k + 1 :, k:] -= np.outer(factors, U[k, k:])
        c[k + 1 :] -= factors * c[k]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (c[i] - U[i, i + 1 :] @ x[i + 1 :]) / U[i, i]
    return x


def det_pivots_only_the_first_column(A):
    """Swaps in column 0 only: a zero pivot later on gives nan."""
    U = np.array(A, dtype=float)
    sign = 1.0
    p = int(np.argmax(np.abs(U[:, 0])))
    if p:
        U[[0, p]] = U[[p, 0]]
        sign = -1.0
    for j in range(len(U)):
        U[j + 1 :] -= np.outer(U[j + 1 :, j] / U[j, j], U[j])
    return float(sign * np.prod(np.diag(U)))


def low_rank_rows_of_u(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:k] * s[:k]) @ Vt[:k]


def low_rank_columns_of_vt(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:, :k].T


def solve_without_pivoting(A, b):
    return _eliminate_and_substitute(np.array(A, dtype=float), np.array(b, dtype=float))


def solve_in_place(A, b):
    return _eliminate_and_substitute(A, b)


def solve_lstsq_when_singular(A, b):
    return np.linalg.lstsq(A, b, rcond=None)[0]


def solve_raises_zero_division(A, b):
    if abs(np.linalg.det(A)) < 1e-12:
        raise ZeroDivisionError("division by zero")
    return np.linalg.solve(A, b)


def solve_without_back_substitution(A, b):
    return b / np.diag(A)


def sym_eig_rows_reordered(S):
    values, Q = np.linalg.eigh(S)
    order = np.argsort(values)[::-1]
    return values[order], Q[order]


def sym_eig_sorted_by_magnitude(S):
    values, Q = np.linalg.eigh(S)
    order = np.argsort(np.abs(values))[::-1]
    return values[order], Q[:, order]


def _iterate(A, v, num_iters=1000, tol=1e-10):
    """Power iteration from the start vector ``v``: the unit vector it converges to."""
    v = v / np.linalg.norm(v)
    for _ in range(num_iters):
        w = A @ v
        w = w / np.linalg.norm(w)
        done = min(np.linalg.norm(w - v), np.linalg.norm(w + v)) < tol
        v = w
        if done:
            break
    return v


def power_norm_as_eigenvalue(A, num_iters=1000, tol=1e-10, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    v = _iterate(A, rng.standard_normal(len(A)), num_iters, tol)
    return np.linalg.norm(A @ v), v


def power_fixed_start(A, num_iters=1000, tol=1e-10, rng=None):
    v = _iterate(A, np.ones(len(A)), num_iters, tol)
    return v @ A @ v, v


def power_unnormalised_vector(A, num_iters=1000, tol=1e-10, rng=None):
    value, v = linalg.power_iteration(A, num_iters, tol, rng)
    return value, 2.0 * v


def low_rank_k_plus_one(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, : k + 1] * s[: k + 1]) @ Vt[: k + 1]


def low_rank_smallest_singular_values(A, k):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, -k:] * s[-k:]) @ Vt[-k:] if k else np.zeros_like(A)


def param_counts_without_bias(n_in, n_out, k):
    return n_in * n_out, k * (n_in + n_out)


def param_counts_bias_of_length_n_in(n_in, n_out, k):
    return n_in * n_out + n_in, k * (n_in + n_out) + n_in


def break_even_floor_ratio(n_in, n_out):
    return n_in * n_out // (n_in + n_out)


def break_even_as_float(n_in, n_out):
    return n_in * n_out / (n_in + n_out)


def cond_eigenvalue_ratio(A):
    magnitudes = np.abs(np.linalg.eigvals(A))
    return float(magnitudes.max() / magnitudes.min())


def cond_inverted_ratio(A):
    s = np.linalg.svd(A, compute_uv=False)
    return float(s[-1] / s[0])


def cond_nan_when_singular(A):
    s = np.linalg.svd(A, compute_uv=False)
    return float("nan") if s[-1] < 1e-10 else float(s[0] / s[-1])


def csr_square_only(data, indices, indptr, x):
    y = np.zeros(len(x))
    for i in range(len(indptr) - 1):
        for t in range(indptr[i], indptr[i + 1]):
            y[i] += data[t] * x[indices[t]]
    return y


def csr_row_range_off_by_one(data, indices, indptr, x):
    y = np.zeros(len(indptr) - 1)
    for i in range(len(y)):
        for t in range(indptr[i], indptr[i + 1] - 1):
            y[i] += data[t] * x[indices[t]]
    return y


def csr_scales_x_in_place(data, indices, indptr, x):
    x[0] = x[0] + 1.0  # changes the caller's vector
    return linalg.csr_matvec(data, indices, indptr, x)


MUTANTS = [
    ("matmul_loops_basic", matmul_loops_transposed, "transpose of the expected"),
    ("matmul_loops_hidden", matmul_loops_square_only, "shape (2, 2), expected shape (2, 4)"),
    ("matmul_basic", matmul_transposed, "transpose of the expected"),
    ("matmul_hidden", matmul_2d_only, "batch axes broadcast"),
    ("norm_hidden", norm_max_without_abs, "largest absolute value"),
    ("norm_basic", norm_l1_without_abs, "norm([ 3., -4.], 1) returned -1, expected 7"),
    ("norm_basic", norm_spectral_for_frobenius, "sum of all squared entries"),
    ("rank_hidden", rank_nonzero_singular_values, "round-off leaves tiny"),
    ("rank_basic", rank_as_float, "a rank is a count"),
    ("rank_hidden", rank_greater_or_equal, "a zero matrix has rank 0"),
    ("is_independent_hidden", independent_rows, "columns of V"),
    ("is_independent_hidden", independent_min_dimension, "can never be independent"),
    ("is_independent_basic", independent_as_int, "return True or False"),
    ("det_basic", 3.0, "should be a function"),
    ("det_basic", returns_nothing, "forget the `return`"),
    (
        "det_hidden",
        det_without_sign_flip,
        "det([[0., 1.], [1., 0.]]) returned 1, expected -1; hint: each row swap flips the sign",
    ),
    ("det_hidden", det_without_pivoting, "first pivot is 0"),
    ("det_basic", det_diagonal_product, "product of the pivots"),
    ("det_basic", det_in_place, "modified its argument 1 in place"),
    ("det_hidden", det_integer_copy, "not truncated"),
    ("solve_hidden", solve_without_pivoting, "partial pivoting"),
    ("solve_hidden", solve_raises_on_a_zero_pivot, "is not singular (det = -1)"),
    ("solve_hidden", solve_raises_on_a_zero_pivot, "zero pivot: swap rows (partial pivoting)"),
    ("det_hidden", det_pivots_only_the_first_column, "at every column, not only the first"),
    ("low_rank_approx_hidden", low_rank_rows_of_u, "first k *columns* of U"),
    ("low_rank_approx_hidden", low_rank_columns_of_vt, "first k columns of Vt"),
    ("solve_basic", solve_in_place, "modified its argument 1 in place"),
    ("solve_hidden", solve_lstsq_when_singular, "expected it to raise numpy.linalg.LinAlgError"),
    (
        "solve_hidden",
        solve_raises_zero_division,
        "raised ZeroDivisionError: division by zero, expected numpy.linalg.LinAlgError; "
        "hint: the matrix is singular",
    ),
    ("solve_basic", solve_without_back_substitution, "back-substitute"),
    ("sym_eig_basic", np.linalg.eigh, "descending order"),
    ("sym_eig_basic", sym_eig_rows_reordered, "reorder the columns of Q"),
    ("sym_eig_hidden", sym_eig_sorted_by_magnitude, "not of their absolute value"),
    ("power_iteration_hidden", power_norm_as_eigenvalue, "Rayleigh quotient"),
    ("power_iteration_hidden", power_fixed_start, "start from a random vector"),
    ("power_iteration_basic", power_unnormalised_vector, "expected a unit vector"),
    ("low_rank_approx_basic", low_rank_k_plus_one, "your result has rank 2, expected rank 1"),
    ("low_rank_approx_hidden", low_rank_smallest_singular_values, "k largest singular values"),
    ("layer_param_counts_basic", param_counts_without_bias, "forgot the bias"),
    ("layer_param_counts_hidden", param_counts_bias_of_length_n_in, "bias of length n_out"),
    ("break_even_rank_hidden", break_even_floor_ratio, "same number of parameters"),
    ("break_even_rank_basic", break_even_as_float, "expected a int"),
    ("condition_number_hidden", cond_eigenvalue_ratio, "eigenvalues give the wrong answer"),
    ("condition_number_basic", cond_inverted_ratio, "s_max / s_min"),
    ("condition_number_hidden", cond_nan_when_singular, "expected np.inf"),
    ("csr_matvec_hidden", csr_square_only, "len(indptr) - 1"),
    ("csr_matvec_basic", csr_row_range_off_by_one, "data[indptr[i]:indptr[i + 1]]"),
    ("csr_matvec_basic", csr_scales_x_in_place, "modified its argument 4 in place"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def matmul_loops_operator(A, B):
    """The product with `@`, which the prompt forbids."""
    return np.asarray(A, dtype=float) @ np.asarray(B, dtype=float)


def matmul_einsum(A, B):
    """The product with np.einsum, which the prompt forbids."""
    return np.einsum("...mn,...np->...mp", np.asarray(A, dtype=float), np.asarray(B, dtype=float))


def det_numpy(A):
    """np.linalg.det, which the prompt forbids."""
    return float(np.linalg.det(np.asarray(A, dtype=float)))


def matmul_loops_through_dot(*args, **kwargs):
    """The reference, using numpy.dot: the exercise forbids it."""
    import numpy

    numpy.dot  # noqa: B018
    return linalg.matmul_loops(*args, **kwargs)


def matmul_through_dot(*args, **kwargs):
    """The reference, using numpy.dot: the exercise forbids it."""
    import numpy

    numpy.dot  # noqa: B018
    return matmul_ref(*args, **kwargs)


def norm_through_norm(*args, **kwargs):
    """The reference, using numpy.linalg.norm: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.norm  # noqa: B018
    return linalg.norm(*args, **kwargs)


def rank_through_matrix_rank(*args, **kwargs):
    """The reference, using numpy.linalg.matrix_rank: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.matrix_rank  # noqa: B018
    return linalg.rank(*args, **kwargs)


def is_independent_through_is_independent(*args, **kwargs):
    """The reference, using dlkit.linalg.is_independent: the exercise forbids it."""
    import dlkit

    dlkit.linalg.is_independent  # noqa: B018
    return linalg.is_independent(*args, **kwargs)


def det_through_det(*args, **kwargs):
    """The reference, using numpy.linalg.det: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.det  # noqa: B018
    return linalg.det(*args, **kwargs)


def solve_through_solve(*args, **kwargs):
    """The reference, using numpy.linalg.solve: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.solve  # noqa: B018
    return linalg.solve(*args, **kwargs)


def sym_eig_through_sym_eig(*args, **kwargs):
    """The reference, using dlkit.linalg.sym_eig: the exercise forbids it."""
    import dlkit

    dlkit.linalg.sym_eig  # noqa: B018
    return linalg.sym_eig(*args, **kwargs)


def power_iteration_through_eig(*args, **kwargs):
    """The reference, using numpy.linalg.eig: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.eig  # noqa: B018
    return linalg.power_iteration(*args, **kwargs)


def low_rank_approx_through_low_rank_approx(*args, **kwargs):
    """The reference, using dlkit.linalg.low_rank_approx: the exercise forbids it."""
    import dlkit

    dlkit.linalg.low_rank_approx  # noqa: B018
    return linalg.low_rank_approx(*args, **kwargs)


def condition_number_through_cond(*args, **kwargs):
    """The reference, using numpy.linalg.cond: the exercise forbids it."""
    import numpy.linalg

    numpy.linalg.cond  # noqa: B018
    return linalg.condition_number(*args, **kwargs)


def csr_matvec_through_sparse(*args, **kwargs):
    """The reference, using scipy.sparse: the exercise forbids it."""
    import scipy.sparse

    scipy.sparse  # noqa: B018
    return linalg.csr_matvec(*args, **kwargs)


MUTANTS += [
    ("matmul_loops_basic", matmul_loops_operator, "your answer uses `@`"),
    ("matmul_hidden", matmul_einsum, "your answer calls np.einsum"),
    ("det_hidden", det_numpy, "your answer calls np.linalg.det"),
    ("matmul_loops_hidden", matmul_loops_through_dot, "your answer uses numpy.dot"),
    ("matmul_hidden", matmul_through_dot, "your answer uses numpy.dot"),
    ("norm_hidden", norm_through_norm, "your answer uses numpy.linalg.norm"),
    ("rank_hidden", rank_through_matrix_rank, "your answer uses numpy.linalg.matrix_rank"),
    (
        "is_independent_hidden",
        is_independent_through_is_independent,
        "your answer uses dlkit.linalg.is_independent",
    ),
    ("det_hidden", det_through_det, "your answer uses numpy.linalg.det"),
    ("solve_hidden", solve_through_solve, "your answer uses numpy.linalg.solve"),
    ("sym_eig_hidden", sym_eig_through_sym_eig, "your answer uses dlkit.linalg.sym_eig"),
    ("power_iteration_hidden", power_iteration_through_eig, "your answer uses numpy.linalg.eig"),
    (
        "low_rank_approx_hidden",
        low_rank_approx_through_low_rank_approx,
        "your answer uses dlkit.linalg.low_rank_approx",
    ),
    (
        "condition_number_hidden",
        condition_number_through_cond,
        "your answer uses numpy.linalg.cond",
    ),
    ("csr_matvec_hidden", csr_matvec_through_sparse, "your answer uses scipy.sparse"),
]


def matmul_with_loops(A, B):
    """Right values, but the prompt asks for broadcasting without Python loops."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    return sum(A[..., :, j, None] * B[..., None, j, :] for j in range(A.shape[-1]))


MUTANTS += [
    ("matmul_basic", matmul_with_loops, "your answer uses a Python loop (a generator expression)"),
]
