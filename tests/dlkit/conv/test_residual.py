"""dlkit.conv.residual against torch.autograd.functional.jacobian."""

import numpy as np
import pytest
import torch

from dlkit import conv
from dlkit.testing import assert_close
from tests.dlkit.conv.cases import t


@pytest.mark.parametrize(("d", "h", "seed"), [(3, 5, 0), (6, 2, 1), (1, 1, 2), (8, 8, 3)])
def test_jacobian_matches_autograd(d, h, seed):
    rng = np.random.default_rng(seed)
    x, W1, W2 = rng.normal(size=d), rng.normal(size=(h, d)), rng.normal(size=(d, h))
    block = lambda v: v + t(W2) @ torch.relu(t(W1) @ v)  # noqa: E731
    assert_close(conv.residual_forward(x, W1, W2), block(t(x)).numpy())
    assert_close(
        conv.residual_jacobian(x, W1, W2), torch.autograd.functional.jacobian(block, t(x)).numpy()
    )


def test_the_identity_survives_a_dead_block():
    W1 = -np.ones((4, 3))  # every unit off for a positive input
    J = conv.residual_jacobian(np.ones(3), W1, np.ones((3, 4)))
    assert_close(J, np.eye(3))


def test_mismatched_shapes_are_explained():
    with pytest.raises(ValueError, match="W1 must be .h, 3. and W2"):
        conv.residual_jacobian(np.ones(3), np.ones((4, 3)), np.ones((4, 3)))
