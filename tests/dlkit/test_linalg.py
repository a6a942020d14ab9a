"""dlkit.linalg against independent oracles (numpy.linalg, scipy) on random inputs."""

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlkit import linalg
from dlkit.testing import assert_close

fast = settings(
    max_examples=50, deadline=None
)  # keeps the file at a few seconds, no flaky deadlines

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False)
sparse_entries = st.one_of(st.just(0.0), st.just(0.0), finite)  # about two thirds zeros
sizes = st.integers(1, 6)


def arrays(shape, elements=finite):
    """Hypothesis float64 arrays of a given shape (or shape strategy)."""
    return hnp.arrays(np.float64, shape, elements=elements)


def matrices(rows=sizes, cols=sizes, elements=finite):
    """Hypothesis float64 matrices with random shapes."""
    return st.tuples(rows, cols).flatmap(lambda shape: arrays(shape, elements))


@st.composite
def well_conditioned(draw, max_n=6):
    """A random (n, n) matrix U diag(s) V^T with orthogonal U, V and s in [1, 10] (cond <= 10)."""
    n = draw(st.integers(1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (U * rng.uniform(1, 10, n)) @ V.T


@st.composite
def low_rank(draw):
    """A random (m, n) matrix of known rank r = product of (m, r) and (r, n) Gaussian factors."""
    m, n = draw(sizes), draw(sizes)
    r = draw(st.integers(0, min(m, n)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((m, r)) @ rng.standard_normal((r, n)), r


def symmetric(A):
    return (A + A.T) / 2


# ---------------------------------------------------------------- products


@fast
@given(st.integers(0, 8).flatmap(lambda n: st.tuples(arrays(n), arrays(n))))
def test_dot_matches_numpy(xy):
    x, y = xy
    assert isinstance(linalg.dot(x, y), float)
    assert_close(linalg.dot(x, y), np.dot(x, y), rtol=1e-12, atol=1e-10)


def test_dot_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same length"):
        linalg.dot([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="1-D vector"):
        linalg.dot(np.ones((2, 2)), np.ones((2, 2)))


@fast
@given(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)).flatmap(
        lambda s: st.tuples(arrays((s[0], s[1])), arrays((s[1], s[2])))
    )
)
def test_matmul_both_ways_match_numpy(AB):
    A, B = AB
    expected = A @ B
    atol = 1e-12 * 100 * max(1, A.shape[1])  # entries are at most 10 x 10 per term
    for product in (linalg.matmul, linalg.matmul_loops):
        C = product(A, B)
        assert C.shape == expected.shape and C.dtype == np.float64
        assert_close(C, expected, rtol=1e-12, atol=atol, name=product.__name__)


@pytest.mark.parametrize("product", [linalg.matmul, linalg.matmul_loops])
def test_matmul_rejects_mismatched_inner_dimensions(product):
    with pytest.raises(ValueError, match=r"inner dimensions differ.*\(2, 3\).*\(2, 3\)"):
        product(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="2-D matrix"):
        product(np.ones(3), np.ones((3, 2)))


# ---------------------------------------------------------------- norms


@fast
@given(arrays(st.integers(0, 8)), st.sampled_from([1, 2, np.inf]))
def test_vector_norms_match_numpy(x, ord):
    assert_close(linalg.norm(x, ord), np.linalg.norm(x, ord), rtol=1e-12)


@fast
@given(matrices())
def test_frobenius_norm_matches_numpy(A):
    assert_close(linalg.norm(A, "fro"), np.linalg.norm(A, "fro"), rtol=1e-12)


def test_norm_rejects_unsupported_orders():
    with pytest.raises(ValueError, match="ord='fro'"):
        linalg.norm(np.eye(2))  # ord=2 on a matrix is the spectral norm, not offered here
    with pytest.raises(ValueError, match="for matrices"):
        linalg.norm(np.ones(3), "fro")
    with pytest.raises(ValueError, match="unsupported ord=3"):
        linalg.norm(np.ones(3), 3)


# ---------------------------------------------------------------- rank, independence, null space


@fast
@given(low_rank())
def test_rank_matches_construction_and_numpy(A_r):
    A, r = A_r
    assert linalg.rank(A) == r == np.linalg.matrix_rank(A)


@fast
@given(matrices())
def test_rank_matches_numpy_on_arbitrary_matrices(A):
    assert linalg.rank(A) == np.linalg.matrix_rank(A)


def test_rank_with_explicit_tolerance():
    A = np.diag([1.0, 1e-3, 1e-9])
    assert linalg.rank(A) == 3
    assert linalg.rank(A, tol=1e-6) == 2


def test_is_independent():
    assert linalg.is_independent(np.eye(3)[:, :2])
    assert not linalg.is_independent(np.array([[1.0, 2.0], [2.0, 4.0]]))  # v2 = 2 v1
    assert not linalg.is_independent(np.ones((2, 3)))  # 3 vectors in R^2


@fast
@given(low_rank())
def test_null_space_matches_scipy(A_r):
    A, r = A_r
    N = linalg.null_space(A)
    expected = scipy.linalg.null_space(A)
    assert N.shape == expected.shape == (A.shape[1], A.shape[1] - r)
    assert_close(N.T @ N, np.eye(N.shape[1]), atol=1e-10, name="N^T N")
    assert_close(A @ N, np.zeros((A.shape[0], N.shape[1])), atol=1e-9, name="A N")
    # Bases differ by a rotation; the orthogonal projectors onto the null space agree.
    assert_close(N @ N.T, expected @ expected.T, atol=1e-9, name="projector")


# ---------------------------------------------------------------- elimination


@fast
@given(well_conditioned())
def test_det_matches_numpy(A):
    assert_close(linalg.det(A), np.linalg.det(A), rtol=1e-9)


@fast
@given(st.integers(1, 5).flatmap(lambda n: arrays((n, n))))
def test_det_matches_numpy_on_arbitrary_matrices(A):
    hadamard = np.prod(np.linalg.norm(A, axis=0))  # |det A| <= product of column norms
    assert_close(linalg.det(A), np.linalg.det(A), rtol=1e-9, atol=1e-10 * hadamard)


def test_det_sign_of_row_swaps_and_singular_matrices():
    assert linalg.det(np.array([[0.0, 1.0], [1.0, 0.0]])) == -1.0
    assert linalg.det(np.array([[1.0, 2.0], [2.0, 4.0]])) == 0.0
    assert linalg.det(np.zeros((3, 3))) == 0.0


def test_det_rejects_non_square():
    with pytest.raises(ValueError, match=r"det: A must be square.*\(2, 3\)"):
        linalg.det(np.ones((2, 3)))


@fast
@given(well_conditioned(), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_solve_matches_numpy(A, k, seed):
    rng = np.random.default_rng(seed)
    n = A.shape[0]
    b = rng.standard_normal(n) if k == 0 else rng.standard_normal((n, k))  # (n,) or (n, k)
    A_before, b_before = A.copy(), b.copy()
    x = linalg.solve(A, b)
    assert x.shape == b.shape
    assert_close(x, np.linalg.solve(A, b), rtol=1e-9, atol=1e-10)
    assert_close(A, A_before, name="A (unchanged)")
    assert_close(b, b_before, name="b (unchanged)")


@fast
@given(st.integers(1, 6).flatmap(lambda n: arrays((n, n))))
def test_solve_diagonally_dominant_matches_numpy(A):
    n = A.shape[0]
    A = A + (10 * n + 1) * np.eye(n)  # strictly diagonally dominant: nonsingular
    b = np.arange(n, dtype=float)
    assert_close(linalg.solve(A, b), np.linalg.solve(A, b), rtol=1e-9, atol=1e-12)


def test_solve_needs_pivoting():
    A = np.array([[0.0, 1.0], [1.0, 1.0]])  # zero in the top-left corner
    assert_close(linalg.solve(A, [1.0, 3.0]), [2.0, 1.0])


@pytest.mark.parametrize(
    "A", [np.array([[1.0, 2.0], [2.0, 4.0]]), np.arange(1.0, 10.0).reshape(3, 3), np.zeros((2, 2))]
)
def test_solve_raises_on_singular_matrix(A):
    with pytest.raises(np.linalg.LinAlgError, match="matrix is singular"):
        linalg.solve(A, np.ones(A.shape[0]))


def test_solve_rejects_bad_shapes():
    with pytest.raises(ValueError, match="must be square"):
        linalg.solve(np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) or \(2, k\)"):
        linalg.solve(np.eye(2), np.ones(3))


@fast
@given(well_conditioned())
def test_inverse_matches_numpy(A):
    A_inv = linalg.inverse(A)
    assert_close(A_inv, np.linalg.inv(A), rtol=1e-9, atol=1e-10)
    assert_close(A @ A_inv, np.eye(A.shape[0]), atol=1e-10, name="A A^-1")


def test_inverse_raises_on_singular_matrix():
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        linalg.inverse(np.ones((3, 3)))


# ---------------------------------------------------------------- eigenvalues


@fast
@given(st.integers(1, 7).flatmap(lambda n: arrays((n, n))))
def test_sym_eig_matches_eigh(A):
    S = symmetric(A)
    lam, Q = linalg.sym_eig(S)
    scale = max(1.0, np.linalg.norm(S, 2))
    assert lam.shape == (S.shape[0],) and Q.shape == S.shape
    assert np.all(np.diff(lam) <= 0), "eigenvalues must be in descending order"
    assert_close(lam, np.linalg.eigh(S)[0][::-1], atol=1e-12 * scale * S.shape[0])
    assert_close(Q.T @ Q, np.eye(S.shape[0]), atol=1e-12 * S.shape[0], name="Q^T Q")
    assert_close(S @ Q, Q * lam, atol=1e-12 * scale * S.shape[0], name="S Q - Q Lambda")


def test_sym_eig_on_repeated_and_zero_eigenvalues():
    lam, Q = linalg.sym_eig(np.diag([2.0, 2.0, 0.0]))
    assert_close(lam, [2.0, 2.0, 0.0])
    assert_close(Q.T @ Q, np.eye(3))


def test_sym_eig_rejects_non_symmetric_input():
    with pytest.raises(ValueError, match="must be symmetric"):
        linalg.sym_eig(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="must be square"):
        linalg.sym_eig(np.ones((2, 3)))


def _clear_gap_matrix(eigenvalues, seed=0):
    """Q diag(eigenvalues) Q^T with a random orthogonal Q; returns the matrix and Q."""
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return (Q * np.asarray(eigenvalues)) @ Q.T, Q


@pytest.mark.parametrize("dominant", [5.0, -5.0])
def test_power_iteration_finds_dominant_eigenpair(dominant):
    A, Q = _clear_gap_matrix([dominant, 2.0, 1.0, -0.5, 0.1])
    lam, v = linalg.power_iteration(A)
    assert_close(lam, dominant, rtol=1e-9)
    assert_close(linalg.norm(v), 1.0, rtol=1e-12, name="||v||")
    assert_close(abs(v @ Q[:, 0]), 1.0, rtol=1e-9, name="|v . q1|")


def test_power_iteration_on_non_symmetric_matrix():
    P = np.array([[1.0, 1.0], [0.0, 1.0]])  # A = P diag(3, 1) P^-1
    A = P @ np.diag([3.0, 1.0]) @ np.linalg.inv(P)
    lam, v = linalg.power_iteration(A, rng=np.random.default_rng(7))
    assert_close(lam, 3.0, rtol=1e-9)
    assert_close(A @ v, lam * v, atol=1e-8, name="A v - lam v")


def test_power_iteration_is_reproducible_and_warns_without_a_gap():
    A, _ = _clear_gap_matrix([4.0, 1.0, 0.5])
    assert_close(linalg.power_iteration(A)[1], linalg.power_iteration(A)[1])
    with pytest.warns(RuntimeWarning, match="did not converge"):
        linalg.power_iteration(np.array([[0.0, 1.0], [1.0, 0.0]]), num_iters=50)  # eig +-1


# ---------------------------------------------------------------- SVD and low rank


@fast
@given(matrices(), st.data())
def test_low_rank_approx_eckart_young(A, data):
    r_max = min(A.shape)
    k = data.draw(st.integers(0, r_max))
    A_k = linalg.low_rank_approx(A, k)
    s = np.linalg.svd(A, compute_uv=False)
    s_next = s[k] if k < r_max else 0.0
    assert A_k.shape == A.shape
    assert_close(np.linalg.norm(A - A_k, 2), s_next, atol=1e-9 * max(1.0, s[0]))
    assert np.linalg.matrix_rank(A_k) <= k


def test_low_rank_approx_at_full_rank_reproduces_the_matrix():
    A = np.random.default_rng(0).standard_normal((4, 6))
    assert_close(linalg.low_rank_approx(A, 4), A, atol=1e-12)
    with pytest.raises(ValueError, match=r"k must be an integer in 0\.\.4"):
        linalg.low_rank_approx(A, 5)


def test_parameter_counts():
    assert linalg.dense_param_count(784, 256) == 784 * 256
    assert linalg.low_rank_param_count(784, 256, 16) == 16 * (784 + 256)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        linalg.low_rank_param_count(3, 4, 0)


@fast
@given(well_conditioned())
def test_condition_number_matches_numpy(A):
    assert_close(linalg.condition_number(A), np.linalg.cond(A), rtol=1e-9)


def test_condition_number_of_rectangular_and_singular_matrices():
    A = np.random.default_rng(1).standard_normal((5, 3))
    assert_close(linalg.condition_number(A), np.linalg.cond(A), rtol=1e-9)
    assert linalg.condition_number(np.array([[1.0, 2.0], [2.0, 4.0]])) == np.inf


# ---------------------------------------------------------------- sparse matrices


def _check_csr(A):
    """to_csr and csr_matvec agree with scipy.sparse.csr_matrix on A."""
    data, indices, indptr = linalg.to_csr(A)
    expected = scipy.sparse.csr_matrix(A)
    assert_close(data, expected.data, name="data")
    np.testing.assert_array_equal(indices, expected.indices)
    np.testing.assert_array_equal(indptr, expected.indptr)
    x = np.linspace(-1.0, 2.0, A.shape[1])  # (n,)
    y = linalg.csr_matvec(data, indices, indptr, x)
    assert y.shape == (A.shape[0],) and y.dtype == np.float64
    assert_close(y, expected @ x, rtol=1e-12, atol=1e-12, name="csr_matvec")


@fast
@given(matrices(rows=st.integers(1, 7), cols=st.integers(1, 7), elements=sparse_entries))
def test_csr_matches_scipy(A):
    _check_csr(A)


@pytest.mark.parametrize(
    "A",
    [
        np.zeros((3, 4)),  # all zero: nnz = 0
        np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 2.0], [0.0, 0.0]]),  # empty rows
        np.array([[0.0, 0.0, 3.0]]),  # one row
    ],
)
def test_csr_edge_cases(A):
    _check_csr(A)


def test_csr_matvec_rejects_inconsistent_input():
    data, indices, indptr = linalg.to_csr(np.eye(3))
    with pytest.raises(ValueError, match="column indices must lie in 0..1"):
        linalg.csr_matvec(data, indices, indptr, np.ones(2))
    with pytest.raises(ValueError, match="indptr must be 1-D, start at 0 and end at nnz=3"):
        linalg.csr_matvec(data, indices, indptr[:-1], np.ones(3))
    with pytest.raises(ValueError, match="equal length"):
        linalg.csr_matvec(data, indices[:2], indptr, np.ones(3))
