"""dlkit.data.tokens: the synthetic token tasks against closed forms, seeds, bad input."""

import numpy as np
import pytest

from dlkit import data
from dlkit.data.tokens import TASKS


@pytest.mark.parametrize("name", sorted(TASKS))
def test_shapes_dtypes_range_and_seeds(name):
    X, Y = TASKS[name](50, length=6, vocab=4, seed=3)
    assert X.shape == Y.shape == (50, 6) and X.dtype == Y.dtype == np.int64
    assert X.min() >= 0 and X.max() < 4 and len(np.unique(X)) == 4
    again, _ = TASKS[name](50, length=6, vocab=4, seed=3)
    other, _ = TASKS[name](50, length=6, vocab=4, seed=4)
    assert np.array_equal(X, again) and not np.array_equal(X, other)


def test_targets_follow_their_definitions():
    X, Y = data.sort_task(20, seed=0)
    assert all(list(y) == sorted(x) for x, y in zip(X, Y))
    X, Y = data.reverse_task(20, seed=0)
    assert all(list(y) == list(x)[::-1] for x, y in zip(X, Y))
    X, Y = data.prev_token_task(20, seed=0)
    assert np.array_equal(Y[:, 1:], X[:, :-1]) and np.array_equal(Y[:, 0], X[:, 0])
    X, Y = data.running_max_task(20, seed=0)
    assert all(Y[b, t] == X[b, : t + 1].max() for b in range(20) for t in range(8))


@pytest.mark.parametrize("bad", [{"n": 0}, {"length": 2.5}, {"vocab": -1}])
def test_bad_sizes_say_what_to_fix(bad):
    arguments = {"n": 5, "length": 4, "vocab": 3, **bad}
    with pytest.raises(ValueError, match="must be a positive integer"):
        data.sort_task(**arguments)
