"""Oracles the tests of dlkit share: torch autograd in float64.

They are the checks' own oracles (:mod:`autograder.checks.oracles`), which are
independent of dlkit by contract, plus the loss value where a test compares it too.
"""

from autograder.checks.oracles import elementwise_derivative, gradients, tensor

__all__ = ["elementwise_derivative", "gradients", "loss_and_gradients", "tensor"]


def loss_and_gradients(loss, *arrays):
    """``(loss(*tensors) as a float, [gradient of each input])`` by torch autograd."""
    values = []

    def recorded(*tensors):
        value = loss(*tensors)
        values.append(value.item())
        return value

    grads = gradients(recorded, *arrays)
    return values[0], grads
