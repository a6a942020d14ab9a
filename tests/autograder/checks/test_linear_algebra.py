"""The module-01 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import linear_algebra as chk
from autograder.checks.harness import CheckFailed
from dlkit import linalg

# ---------------------------------------------------------------------------
# Reference solutions where the exercise's signature differs from dlkit.linalg
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
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def matmul_loops_square_only(A, B):
    """Assumes every matrix is n x n."""
    n = len(A)
    C = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                C[i, j] += A[i][k] * B[k][j]
    return C


def test_matmul_loops_rejects_transpose():
    with pytest.raises(CheckFailed, match="transpose of the expected"):
        chk.matmul_loops_basic(lambda A, B: (np.asarray(A) @ np.asarray(B)).T)


def test_matmul_loops_rejects_square_only():
    with pytest.raises(CheckFailed, match=r"returned shape \(2, 2\), expected shape \(2, 4\)"):
        chk.matmul_loops_hidden(matmul_loops_square_only)


def test_matmul_rejects_transpose():
    with pytest.raises(CheckFailed, match="transpose of the expected"):
        chk.matmul_basic(lambda A, B: (A[:, :, None] * B[None, :, :]).sum(axis=1).T)


def test_matmul_rejects_2d_only():
    def two_d_only(A, B):
        return (A[:, :, None] * B[None, :, :]).sum(axis=1)

    chk.matmul_basic(two_d_only)  # fine on plain matrices ...
    with pytest.raises(CheckFailed, match="batch axes broadcast"):
        chk.matmul_hidden(two_d_only)  # ... but not on stacks


def test_norm_rejects_max_without_abs():
    def norm_no_abs(x, ord):
        x = np.asarray(x, dtype=float)
        if ord == np.inf:
            return float(np.max(x))
        return linalg.norm(x, ord)

    with pytest.raises(CheckFailed, match="largest absolute value"):
        chk.norm_hidden(norm_no_abs)


def test_norm_rejects_l1_without_abs():
    def norm_l1_no_abs(x, ord):
        return float(np.sum(x)) if ord == 1 else linalg.norm(x, ord)

    with pytest.raises(CheckFailed, match=r"norm\(\[ 3., -4.\], 1\) returned -1, expected 7"):
        chk.norm_basic(norm_l1_no_abs)


def test_norm_rejects_spectral_for_frobenius():
    def norm_spectral(x, ord):
        if ord == "fro":
            return float(np.linalg.svd(x, compute_uv=False)[0])
        return linalg.norm(x, ord)

    with pytest.raises(CheckFailed, match="sum of all squared entries"):
        chk.norm_basic(norm_spectral)


def test_rank_rejects_counting_nonzero_singular_values():
    def rank_nonzero(A, tol=None):
        s = np.linalg.svd(A, compute_uv=False)
        return int(np.sum(s > (0.0 if tol is None else tol)))

    with pytest.raises(CheckFailed, match="round-off leaves tiny"):
        chk.rank_hidden(rank_nonzero)


def test_rank_rejects_float():
    with pytest.raises(CheckFailed, match="a rank is a count"):
        chk.rank_basic(lambda A, tol=None: float(np.linalg.matrix_rank(A)))


def test_rank_rejects_greater_or_equal():
    def rank_ge(A, tol=None):
        s = np.linalg.svd(A, compute_uv=False)
        if tol is None:
            tol = s.max() * max(np.shape(A)) * np.finfo(float).eps
        return int(np.sum(s >= tol))

    with pytest.raises(CheckFailed, match=r"zeros|rank 0"):
        chk.rank_hidden(rank_ge)


def test_is_independent_rejects_rows():
    with pytest.raises(CheckFailed, match="columns of V"):
        chk.is_independent_hidden(lambda V: linalg.rank(V) == V.shape[0])


def test_is_independent_rejects_min_dimension():
    with pytest.raises(CheckFailed, match="can never be independent"):
        chk.is_independent_hidden(lambda V: linalg.rank(V) == min(V.shape))


def test_is_independent_rejects_int():
    with pytest.raises(CheckFailed, match="return True or False"):
        chk.is_independent_basic(lambda V: int(linalg.rank(V) == V.shape[1]))


def det_no_sign(A):
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


def det_no_pivoting(A):
    U = np.array(A, dtype=float)
    for j in range(len(U)):
        U[j + 1 :] -= np.outer(U[j + 1 :, j] / U[j, j], U[j])
    return float(np.prod(np.diag(U)))


def test_det_rejects_missing_sign_flip():
    chk.det_basic(det_no_sign)  # no swaps are needed in the visible examples
    with pytest.raises(
        CheckFailed,
        match=r"det\(\[\[0., 1.\], \[1., 0.\]\]\) returned 1, "
        r"expected -1; hint: each row swap flips the sign",
    ):
        chk.det_hidden(det_no_sign)


def test_det_rejects_no_pivoting():
    with pytest.raises(CheckFailed, match="first pivot is 0"):
        chk.det_hidden(det_no_pivoting)


def test_det_rejects_diagonal_product():
    with pytest.raises(CheckFailed, match="product of the pivots"):
        chk.det_basic(lambda A: float(np.prod(np.diag(A))))


def test_det_rejects_in_place_elimination():
    def det_in_place(A):
        A[1] -= A[1, 0] / A[0, 0] * A[0]
        return float(np.prod(np.diag(A)))

    with pytest.raises(CheckFailed, match="modified its argument 1 in place"):
        chk.det_basic(det_in_place)


def test_det_rejects_integer_truncation():
    def det_int_copy(A):
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

    with pytest.raises(CheckFailed, match="not truncated"):
        chk.det_hidden(det_int_copy)


def solve_no_pivoting(A, b):
    A, b = np.array(A, dtype=float), np.array(b, dtype=float)
    n = len(b)
    for j in range(n):
        factors = A[j + 1 :, j] / A[j, j]
        A[j + 1 :] -= np.outer(factors, A[j])
        b[j + 1 :] -= factors * b[j]
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - A[i, i + 1 :] @ x[i + 1 :]) / A[i, i]
    return x


def test_solve_rejects_no_pivoting():
    chk.solve_basic(solve_no_pivoting)
    with pytest.raises(CheckFailed, match="partial pivoting"):
        chk.solve_hidden(solve_no_pivoting)


def test_solve_rejects_silent_singular():
    def solve_lstsq(A, b):
        return np.linalg.lstsq(A, b, rcond=None)[0]

    with pytest.raises(CheckFailed, match="expected it to raise numpy.linalg.LinAlgError"):
        chk.solve_hidden(solve_lstsq)


def test_solve_rejects_wrong_exception():
    def solve_value_error(A, b):
        if abs(np.linalg.det(A)) < 1e-12:
            raise ZeroDivisionError("division by zero")
        return np.linalg.solve(A, b)

    with pytest.raises(CheckFailed, match="raised ZeroDivisionError.*hint: the matrix is singular"):
        chk.solve_hidden(solve_value_error)


def test_solve_rejects_missing_back_substitution():
    with pytest.raises(CheckFailed, match="back-substitute"):
        chk.solve_basic(lambda A, b: b / np.diag(A))


def test_sym_eig_rejects_ascending():
    with pytest.raises(CheckFailed, match="descending order"):
        chk.sym_eig_basic(np.linalg.eigh)


def test_sym_eig_rejects_rows_reordered():
    def rows_reordered(S):
        values, Q = np.linalg.eigh(S)
        order = np.argsort(values)[::-1]
        return values[order], Q[order]

    with pytest.raises(CheckFailed, match="reorder the columns of Q"):
        chk.sym_eig_basic(rows_reordered)


def test_sym_eig_rejects_sort_by_magnitude():
    def by_magnitude(S):
        values, Q = np.linalg.eigh(S)
        order = np.argsort(np.abs(values))[::-1]
        return values[order], Q[:, order]

    chk.sym_eig_basic(by_magnitude)
    with pytest.raises(CheckFailed, match="not of their absolute value"):
        chk.sym_eig_hidden(by_magnitude)


def test_sym_eig_accepts_flipped_signs():
    def flipped(S):
        values, Q = linalg.sym_eig(S)
        return values, -Q

    chk.sym_eig_basic(flipped)
    chk.sym_eig_hidden(flipped)


def power_with(start, eigenvalue):
    def power(A, num_iters=1000, tol=1e-10, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        v = start(rng, len(A))
        v = v / np.linalg.norm(v)
        for _ in range(num_iters):
            w = A @ v
            w = w / np.linalg.norm(w)
            done = min(np.linalg.norm(w - v), np.linalg.norm(w + v)) < tol
            v = w
            if done:
                break
        return eigenvalue(A, v), v

    return power


def test_power_iteration_rejects_norm_as_eigenvalue():
    mutant = power_with(lambda rng, n: rng.standard_normal(n), lambda A, v: np.linalg.norm(A @ v))
    chk.power_iteration_basic(mutant)
    with pytest.raises(CheckFailed, match="Rayleigh quotient"):
        chk.power_iteration_hidden(mutant)


def test_power_iteration_rejects_fixed_start():
    mutant = power_with(lambda rng, n: np.ones(n), lambda A, v: v @ A @ v)
    chk.power_iteration_basic(mutant)
    with pytest.raises(CheckFailed, match="start from a random vector"):
        chk.power_iteration_hidden(mutant)


def test_power_iteration_rejects_unnormalised_vector():
    def unnormalised(A, num_iters=1000, tol=1e-10, rng=None):
        value, v = linalg.power_iteration(A, num_iters, tol, rng)
        return value, 2.0 * v

    with pytest.raises(CheckFailed, match="expected a unit vector"):
        chk.power_iteration_basic(unnormalised)


def test_power_iteration_accepts_flipped_sign():
    def flipped(A, num_iters=1000, tol=1e-10, rng=None):
        value, v = linalg.power_iteration(A, num_iters, tol, rng)
        return value, -v

    chk.power_iteration_basic(flipped)
    chk.power_iteration_hidden(flipped)


def test_low_rank_rejects_k_plus_one():
    def off_by_one(A, k):
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
        return (U[:, : k + 1] * s[: k + 1]) @ Vt[: k + 1]

    with pytest.raises(CheckFailed, match="your result has rank 2, expected rank 1"):
        chk.low_rank_approx_basic(off_by_one)


def test_low_rank_rejects_smallest_singular_values():
    def smallest(A, k):
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
        return (U[:, -k:] * s[-k:]) @ Vt[-k:] if k else np.zeros_like(A)

    with pytest.raises(CheckFailed, match="k largest singular values"):
        chk.low_rank_approx_hidden(smallest)


def test_layer_param_counts_rejects_missing_bias():
    with pytest.raises(CheckFailed, match="forgot the bias"):
        chk.layer_param_counts_basic(lambda n_in, n_out, k: (n_in * n_out, k * (n_in + n_out)))


def test_layer_param_counts_rejects_bias_of_length_n_in():
    def bias_n_in(n_in, n_out, k):
        return n_in * n_out + n_in, k * (n_in + n_out) + n_in

    with pytest.raises(CheckFailed, match="bias of length n_out"):
        chk.layer_param_counts_hidden(bias_n_in)


def test_break_even_rejects_floor_division_off_by_one():
    def floor_ratio(n_in, n_out):
        return n_in * n_out // (n_in + n_out)

    chk.break_even_rank_basic(floor_ratio)  # agrees when the division is not exact
    with pytest.raises(CheckFailed, match="same number of parameters"):
        chk.break_even_rank_hidden(floor_ratio)


def test_break_even_rejects_float():
    with pytest.raises(CheckFailed, match="expected a int"):
        chk.break_even_rank_basic(lambda n_in, n_out: n_in * n_out / (n_in + n_out))


def test_condition_number_rejects_eigenvalue_ratio():
    def eigen_ratio(A):
        lam = np.abs(np.linalg.eigvals(A))
        return float(lam.max() / lam.min())

    chk.condition_number_basic(eigen_ratio)
    with pytest.raises(CheckFailed, match="eigenvalues give the wrong answer"):
        chk.condition_number_hidden(eigen_ratio)


def test_condition_number_rejects_inverted_ratio():
    def inverted(A):
        s = np.linalg.svd(A, compute_uv=False)
        return float(s[-1] / s[0])

    with pytest.raises(CheckFailed, match="s_max / s_min"):
        chk.condition_number_basic(inverted)


def test_condition_number_rejects_nan_for_singular():
    def nan_when_singular(A):
        s = np.linalg.svd(A, compute_uv=False)
        return float("nan") if s[-1] < 1e-10 else float(s[0] / s[-1])

    with pytest.raises(CheckFailed, match="expected np.inf"):
        chk.condition_number_hidden(nan_when_singular)


def csr_square_only(data, indices, indptr, x):
    y = np.zeros(len(x))
    for i in range(len(indptr) - 1):
        for t in range(indptr[i], indptr[i + 1]):
            y[i] += data[t] * x[indices[t]]
    return y


def test_csr_rejects_square_assumption():
    with pytest.raises(CheckFailed, match=r"len\(indptr\) - 1"):
        chk.csr_matvec_hidden(csr_square_only)


def test_csr_rejects_off_by_one_row_range():
    def off_by_one(data, indices, indptr, x):
        y = np.zeros(len(indptr) - 1)
        for i in range(len(y)):
            for t in range(indptr[i], indptr[i + 1] - 1):
                y[i] += data[t] * x[indices[t]]
        return y

    with pytest.raises(CheckFailed, match=r"data\[indptr\[i\]:indptr\[i \+ 1\]\]"):
        chk.csr_matvec_basic(off_by_one)


def test_csr_rejects_in_place_scaling():
    def scales_x(data, indices, indptr, x):
        x *= 1.0  # harmless ...
        x[0] = x[0] + 1.0  # ... but this changes the caller's vector
        return linalg.csr_matvec(data, indices, indptr, x)

    with pytest.raises(CheckFailed, match="modified its argument 4 in place"):
        chk.csr_matvec_basic(scales_x)


def test_non_function_is_reported():
    with pytest.raises(CheckFailed, match="should be a function"):
        chk.det_basic(3.0)


def test_missing_return_is_reported():
    with pytest.raises(CheckFailed, match="forget the `return`"):
        chk.det_basic(lambda A: None)
