"""dlkit.data.sequences: the adding problem's structure and statistics (closed forms),
the copy and reverse pairs, reproducible seeds, bad input."""

import numpy as np
import pytest

from dlkit import data


def test_adding_problem_structure():
    X, y = data.adding_problem(500, T=20, seed=3)
    assert X.shape == (500, 20, 2) and y.shape == (500, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    marks = X[:, :, 1]
    assert set(np.unique(marks)) == {0.0, 1.0}
    assert np.all(marks[:, :10].sum(axis=1) == 1) and np.all(marks[:, 10:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * marks).sum(axis=1), rtol=1e-6)
    assert X[:, :, 0].min() >= 0 and X[:, :, 0].max() < 1


def test_adding_problem_statistics_and_the_baseline():
    """y = u1 + u2 with u ~ U(0, 1): mean 1, variance 1/6 = the MSE of predicting 1."""
    _, y = data.adding_problem(40_000, T=10, seed=0)
    y = y[:, 0].astype(float)
    n = len(y)
    assert abs(y.mean() - 1.0) < 6 * np.sqrt(data.ADDING_BASELINE_MSE / n)
    # y - 1 has the triangular density 1 - |s| on [-1, 1]: E[(y - 1)^4] = 2 (1/5 - 1/6) = 1/15,
    # so the mean of (y - 1)^2 has standard error sqrt((1/15 - 1/36) / n)
    mu4 = 1 / 15
    se = np.sqrt((mu4 - data.ADDING_BASELINE_MSE**2) / n)
    assert abs(np.mean((y - 1.0) ** 2) - data.ADDING_BASELINE_MSE) < 6 * se


def test_seeds_reproduce():
    a, b = data.adding_problem(5, 8, seed=1), data.adding_problem(5, 8, seed=1)
    assert all(np.array_equal(x, z) for x, z in zip(a, b))
    assert not np.array_equal(a[0], data.adding_problem(5, 8, seed=2)[0])


def test_copy_and_reverse_pairs():
    src, tgt = data.reverse_pairs(50, length=6, vocab=7, seed=0)
    assert src.shape == tgt.shape == (50, 6) and src.dtype == np.int64
    assert np.array_equal(tgt, src[:, ::-1])
    assert src.min() >= 1 and src.max() <= 6 and data.BOS == 0
    src, tgt = data.copy_pairs(10, length=3, vocab=4, seed=0)
    assert np.array_equal(src, tgt) and src.min() >= 1
    tgt[0, 0] = 0
    assert src[0, 0] != 0  # fresh arrays


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.adding_problem(0), "n must be an integer >= 1"),
        (lambda: data.adding_problem(5, T=1), "T must be an integer >= 2"),
        (lambda: data.reverse_pairs(5, vocab=1), "vocab must be an integer >= 2"),
        (lambda: data.copy_pairs(5, length=0), "length must be an integer >= 1"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
