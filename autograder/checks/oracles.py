"""Independent references that the checks of several modules share.

Random test matrices with a known spectrum, and derivatives by torch autograd in
float64. torch is imported on first use only, so grading a numpy-only module never
loads it; this is the one file of ``autograder`` that imports torch.

Nothing here uses dlkit: an oracle must not share code with the reference library
whose answers the checks compare against it.
"""

import numpy as np


def orthogonal(rng, n):
    """A random n x n orthogonal matrix: Q of the QR of a Gaussian matrix, signs fixed
    so that it is uniformly (Haar) distributed."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def symmetric_with_eigenvalues(rng, eigenvalues):
    """A random symmetric matrix ``Q diag(eigenvalues) Q^T`` (positive definite when every
    eigenvalue is positive), shape (n, n) for n eigenvalues."""
    q = orthogonal(rng, len(eigenvalues))
    return (q * np.asarray(eigenvalues, dtype=float)) @ q.T


def torch():
    """The torch module, imported on first use."""
    import torch as module

    return module


def tensor(array, requires_grad=False):
    """A float64 tensor holding a copy of ``array``."""
    return torch().tensor(np.array(array, dtype=float), requires_grad=requires_grad)


def gradients(loss, *arrays):
    """Gradients of the scalar ``loss(*tensors)`` at float64 copies of ``arrays``.

    ``loss`` builds its value from torch operations on the tensors it is given; returns
    one numpy array per input, each of its input's shape.
    """
    tensors = [tensor(a, requires_grad=True) for a in arrays]
    loss(*tensors).backward()
    return [t.grad.numpy().copy() for t in tensors]


def vector_jacobian_products(fn, arrays, upstream):
    """``G^T J`` for each input: the gradients of ``sum(fn(*tensors) * upstream)``.

    What a backward pass of ``fn`` returns for the upstream gradient ``upstream``
    (same shape as the output); one array per input.
    """
    weights = tensor(upstream)
    return gradients(lambda *tensors: (fn(*tensors) * weights).sum(), *arrays)


def elementwise_derivative(fn, x):
    """``f'(x)`` entry by entry for an element-wise ``fn``: the gradient of ``sum(fn(x))``."""
    return gradients(lambda t: fn(t).sum(), x)[0]


def jacobian(fn, x):
    """The Jacobian ``d fn(x) / dx`` at ``x``, shape ``fn(x).shape + x.shape``."""
    t = torch()
    return t.autograd.functional.jacobian(fn, tensor(x)).numpy()


def hessian(fn, x):
    """The Hessian of the scalar ``fn`` at ``x``, shape ``x.shape + x.shape``."""
    t = torch()
    return t.autograd.functional.hessian(fn, tensor(x)).numpy()
