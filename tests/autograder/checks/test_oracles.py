"""The shared oracles of the checks, against closed forms."""

import numpy as np

from autograder.checks import oracles


def test_random_matrices_have_the_asked_spectrum():
    rng = np.random.default_rng(0)
    q = oracles.orthogonal(rng, 5)
    assert np.allclose(q.T @ q, np.eye(5))
    A = oracles.symmetric_with_eigenvalues(rng, [3.0, 1.0, 0.5])
    assert np.allclose(A, A.T)
    assert np.allclose(np.linalg.eigvalsh(A), [0.5, 1.0, 3.0])


def test_gradients_and_vector_jacobian_products_match_closed_forms():
    rng = np.random.default_rng(1)
    A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    (grad,) = oracles.gradients(lambda t: t @ oracles.tensor(A) @ t, x)
    assert np.allclose(grad, (A + A.T) @ x)
    B, G = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    M = rng.standard_normal((4, 3))
    dM, dB = oracles.vector_jacobian_products(lambda m, b: m @ b, (M, B), G)
    assert np.allclose(dM, G @ B.T) and np.allclose(dB, M.T @ G)
    assert np.allclose(oracles.elementwise_derivative(lambda t: t**3, x), 3 * x**2)


def test_jacobian_and_hessian_match_closed_forms():
    rng = np.random.default_rng(2)
    A, x = rng.standard_normal((2, 3)), rng.standard_normal(3)
    torch = oracles.torch()
    assert np.allclose(oracles.jacobian(lambda t: oracles.tensor(A) @ t, x), A)
    hessian = oracles.hessian(lambda t: torch.sum(t**2) * t[0], x)
    expected = 2 * x[0] * np.eye(3)
    expected[0] += 2 * x
    expected[:, 0] += 2 * x
    assert np.allclose(hessian, expected)
