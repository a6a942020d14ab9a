"""dlkit.factor.sparse: ISTA against scikit-learn's Lasso (alpha = lam / m, no intercept)
and scikit-learn's SparseCoder, the KKT conditions of the l1 problem, the atom update
against scipy's constrained minimiser, and dictionary learning's monotone objective."""

import numpy as np
import pytest
import scipy.optimize
from sklearn.decomposition import SparseCoder
from sklearn.linear_model import Lasso

import dlkit as dk
from dlkit import factor
from dlkit.testing import assert_close


def _problem(seed, m=40, p=20):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((m, p)) / 2
    z = np.where(rng.uniform(size=p) < 0.3, rng.normal(size=p) * 3, 0.0)
    return D, D @ z + 0.1 * rng.standard_normal(m)


@pytest.mark.parametrize("seed", range(3))
def test_ista_converges_to_the_lasso_and_satisfies_kkt(seed):
    D, x = _problem(seed)
    lam = 0.5
    z = factor.ista(D, x, lam, n_iter=3000)
    lasso = Lasso(alpha=lam / len(x), fit_intercept=False, tol=1e-14, max_iter=100_000).fit(D, x)
    assert_close(z, lasso.coef_, atol=1e-7)
    gradient = D.T @ (x - D @ z)  # KKT: = lam sign(z_j) on the support, |.| <= lam off it
    support = z != 0
    assert_close(gradient[support], lam * np.sign(z[support]), atol=1e-7)
    assert np.all(np.abs(gradient[~support]) <= lam + 1e-7)


def test_ista_on_rows_matches_sparse_coder():
    D, _ = _problem(4)
    X = np.random.default_rng(0).standard_normal((5, 40))
    Z = factor.ista(D, X, 0.3, n_iter=4000)
    coder = SparseCoder(
        D.T, transform_algorithm="lasso_cd", transform_alpha=0.3, transform_max_iter=100_000
    )
    assert_close(Z, coder.transform(X), atol=1e-6)
    assert_close(Z[2], factor.ista(D, X[2], 0.3, n_iter=4000))


def test_one_ista_step_is_a_soft_thresholded_gradient_step():
    D, x = _problem(1)
    L = np.linalg.svd(D, compute_uv=False)[0] ** 2
    step = D.T @ x / L
    assert_close(
        factor.ista(D, x, 0.4, n_iter=1), np.sign(step) * np.maximum(np.abs(step) - 0.4 / L, 0)
    )
    assert_close(factor.lipschitz(D), L)


def test_ista_objective_never_increases():
    D, x = _problem(2)
    values = [factor.sparse_objective(D, x, factor.ista(D, x, 0.2, t), 0.2) for t in range(60)]
    assert np.all(np.diff(values) <= 1e-12)


def test_dictionary_learning_decreases_its_objective_and_keeps_atoms_in_the_ball():
    X, *_ = dk.data.digits(200, seed=0)
    D, Z, history = factor.dictionary_learning(X, 24, 0.15, n_iter=12, seed=0)
    assert D.shape == (64, 24) and Z.shape == (200, 24)
    assert np.all(np.diff(history) <= 1e-12)
    assert np.all(np.linalg.norm(D, axis=0) <= 1 + 1e-12)
    assert_close(history[-1], factor.sparse_objective(D, X, Z, 0.15))
    assert (Z == 0).mean() > 0.5
    # an atom update is the exact minimiser over the ball: moving one atom cannot help
    j = int(np.argmax(np.abs(Z).sum(0)))
    for direction in np.random.default_rng(0).standard_normal((5, 64)):
        moved = D.copy()
        moved[:, j] += 1e-3 * direction
        moved[:, j] /= max(1.0, np.linalg.norm(moved[:, j]))
        D2 = factor.update_atoms(D, X, Z)
        assert (
            factor.sparse_objective(moved, X, Z, 0.15)
            >= factor.sparse_objective(D2, X, Z, 0.15) - 1e-12
        )


@pytest.mark.parametrize("scale", [0.3, 3.0])  # the minimiser inside and on the unit ball
def test_first_atom_update_is_scipys_constrained_minimiser(scale):
    rng = np.random.default_rng(4)
    X = scale * rng.standard_normal((30, 5))  # (n, m)
    Z = rng.standard_normal((30, 3))  # (n, p)
    D = rng.standard_normal((5, 3))
    D /= np.linalg.norm(D, axis=0)
    rest = Z[:, 1:] @ D[:, 1:].T  # (n, m): the other atoms, fixed

    def reconstruction(d):
        return 0.5 * np.sum((X - rest - np.outer(Z[:, 0], d)) ** 2)

    best = scipy.optimize.minimize(
        reconstruction,
        np.zeros(5),
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda d: 1.0 - d @ d}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert_close(factor.update_atoms(D, X, Z)[:, 0], best.x, atol=1e-6)


def test_dictionary_init_picks_unit_norm_rows():
    X = np.vstack([np.zeros(3), np.eye(3)])
    D = factor.dictionary_init(X, 4, seed=0)
    assert_close(np.linalg.norm(D, axis=0), np.ones(4))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: factor.ista(np.ones((3, 2)), np.ones(4), 0.1), r"\(4, p\)"),
        (lambda: factor.ista(np.zeros((3, 2)), np.ones(3), 0.1), "all zeros"),
        (lambda: factor.ista(np.ones((3, 2)), np.ones(3), -1.0), "lam"),
        (lambda: factor.ista(np.ones((3, 2)), np.ones(3), 0.1, z0=np.ones(3)), "z0"),
        (lambda: factor.dictionary_init(np.ones((3, 2)), 4), "n_atoms"),
        (lambda: factor.learn_dictionary(np.ones((3, 2)), np.ones((3, 2)), 0.1), r"\(2, p\)"),
    ],
)
def test_bad_input_is_rejected_with_advice(call, message):
    with pytest.raises(ValueError, match=message):
        call()
