"""The getting_started checks: references, other correct answers and realistic mistakes.

The runner is tests/autograder/checks/test_contract.py. The exercises have no dlkit
counterpart, so the references are numpy one-liners written here.
"""

import numpy as np
import pytest

from autograder.checks import getting_started as chk
from autograder.checks.harness import CheckFailed

# ---------------------------------------------------------------------------
# References and other correct answers
# ---------------------------------------------------------------------------


def centre_columns(X):
    X = np.asarray(X, dtype=float)
    return X - X.mean(axis=0)


def count_in_interval(x, low, high):
    x = np.asarray(x)
    return int(np.count_nonzero((x >= low) & (x < high)))


def standardise_columns(X):
    X = np.asarray(X, dtype=float)
    sigma = X.std(axis=0)
    return np.divide(X - X.mean(axis=0), sigma, out=np.zeros_like(X), where=sigma > 0)


def moving_average(x, k):
    c = np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=float))])
    return (c[k:] - c[:-k]) / k


def standardise_with_loop(X):
    X = np.array(X, dtype=float)
    out = np.zeros_like(X)
    for j in range(X.shape[1]):
        column = X[:, j]
        if column.std() > 0:
            out[:, j] = (column - column.mean()) / column.std()
    return out


def moving_average_with_loop(x, k):
    """Right values, but the prompt asks for the average without a Python loop."""
    x = np.asarray(x, dtype=float)
    return np.array([x[i : i + k].mean() for i in range(len(x) - k + 1)])


REFERENCES = {
    "centre_columns": centre_columns,
    "count_in_interval": count_in_interval,
    "standardise_columns": standardise_columns,
    "moving_average": moving_average,
}

ALTERNATIVES = [
    ("standardise_columns", standardise_with_loop),
]


# ---------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------


def returns_nothing(*args):
    return None


def centre_row_means(X):
    return X - X.mean(axis=1, keepdims=True)


def centre_row_means_unbroadcast(X):
    return X - X.mean(axis=1)


def centre_overall_mean(X):
    return X - X.mean()


def centre_sign_flipped(X):
    return X.mean(axis=0) - X


def centre_in_place(X):
    X -= X.mean(axis=0)
    return X


def centre_keeps_integer_dtype(X):
    out = np.zeros_like(X)
    out[:] = X - X.mean(axis=0)
    return out


def centre_hard_coded(X):
    return np.array([[-2.0, -4.0], [0.0, 0.0], [2.0, 4.0]])


def count_closed_interval(x, low, high):
    return int(np.count_nonzero((x >= low) & (x <= high)))


def count_open_low_end(x, low, high):
    return int(np.count_nonzero((x > low) & (x < high)))


def count_as_float(x, low, high):
    return float(np.sum((x >= low) & (x < high)))


def count_per_column(x, low, high):
    return np.count_nonzero((x >= low) & (x < high), axis=0)


def standardise_sample_std(X):
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


def standardise_without_guard(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def standardise_keeps_constant_columns(X):
    X = np.asarray(X, dtype=float)
    sigma = X.std(axis=0)
    return np.where(sigma > 0, (X - X.mean(axis=0)) / np.where(sigma > 0, sigma, 1), X)


def standardise_without_centring(X):
    return X / X.std(axis=0)


def standardise_by_variance(X):
    return (X - X.mean(axis=0)) / X.var(axis=0)


def standardise_rows(X):
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def standardise_keeps_integer_dtype(X):
    out = np.zeros_like(X)
    sigma = X.std(axis=0)
    out[:] = np.divide(X - X.mean(axis=0), sigma, out=np.zeros(X.shape), where=sigma > 0)
    return out


def standardise_in_place(X):
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


def moving_average_same_mode(x, k):
    return np.convolve(x, np.ones(k) / k, mode="same")


def moving_average_full_mode(x, k):
    return np.convolve(x, np.ones(k) / k, mode="full")


def moving_average_cumsum_off_by_one(x, k):
    c = np.cumsum(x)
    return (c[k:] - c[:-k]) / k


def moving_window_sum(x, k):
    return np.convolve(x, np.ones(k), mode="valid")


def moving_average_divided_by_n(x, k):
    return np.convolve(x, np.ones(k), mode="valid") / len(x)


def moving_average_keeps_integer_dtype(x, k):
    out = np.zeros_like(x[: len(x) - k + 1])
    for i in range(len(out)):
        out[i] = x[i : i + k].mean()
    return out


def moving_average_always_three(x, k):
    return np.convolve(x, np.ones(3) / 3, mode="valid")


MUTANTS = [
    ("moving_average_basic", moving_average_with_loop, "your answer uses a Python loop"),
    ("centre_columns_basic", 42, "should be a function"),
    ("centre_columns_hidden", centre_row_means, "row means; take the mean over axis=0"),
    ("centre_columns_basic", centre_row_means_unbroadcast, "axis=0 (down each column)"),
    ("centre_columns_basic", centre_overall_mean, "overall mean"),
    ("centre_columns_basic", centre_sign_flipped, "the sign is flipped"),
    ("centre_columns_basic", centre_in_place, "modified its argument 1 in place"),
    ("centre_columns_hidden", centre_keeps_integer_dtype, "dtype int64, expected floating"),
    ("centre_columns_hidden", centre_hard_coded, "returned shape (3, 2), expected shape (6, 3)"),
    ("count_in_interval_hidden", count_closed_interval, "include low but leave out high"),
    ("count_in_interval_basic", count_open_low_end, "include low itself"),
    ("count_in_interval_basic", count_as_float, "return a whole number"),
    ("count_in_interval_hidden", count_per_column, "return one number, not an array"),
    ("standardise_columns_basic", standardise_sample_std, "population standard deviation"),
    ("standardise_columns_hidden", standardise_without_guard, "set that whole column to 0"),
    ("standardise_columns_hidden", standardise_keeps_constant_columns, "not keep its values"),
    ("standardise_columns_basic", standardise_without_centring, "subtract the column means"),
    ("standardise_columns_basic", standardise_by_variance, "not by the variance"),
    ("standardise_columns_basic", standardise_rows, "you standardised the rows"),
    ("standardise_columns_hidden", standardise_keeps_integer_dtype, "dtype int64"),
    ("standardise_columns_basic", standardise_in_place, "modified its argument 1 in place"),
    ("moving_average_basic", moving_average_same_mode, "n - k + 1 entries"),
    ("moving_average_basic", moving_average_full_mode, "n - k + 1 entries"),
    ("moving_average_basic", moving_average_cumsum_off_by_one, "put a 0 in front"),
    ("moving_average_basic", moving_window_sum, "divide each window's sum by k"),
    ("moving_average_basic", moving_average_divided_by_n, "not by len(x)"),
    ("moving_average_hidden", moving_average_keeps_integer_dtype, "dtype int64"),
    ("moving_average_hidden", moving_average_always_three, ", 4) returned"),
] + [
    (f"{name}_{part}", returns_nothing, "forget the `return`")
    for name in REFERENCES
    for part in ("basic", "hidden")
]


# ---------------------------------------------------------------------------
# What a row cannot say
# ---------------------------------------------------------------------------


def test_double_demo_accepts_doubling_and_names_the_call():
    """Not a row: double_demo is the notebook's ungraded demonstration, a single check
    without a basic/hidden pair, and its message is shown in the prompt's walk-through."""
    chk.double_demo(lambda x: 2 * x)
    with pytest.raises(CheckFailed, match=r"double\(\[1\., 2\., 3\.\]\) returned .*multiply"):
        chk.double_demo(lambda x: x**2)
