"""The getting_started checks accept reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import getting_started as chk
from autograder.checks.harness import CheckFailed

# --------------------------------------------------------------------------- references


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
    """A correct but loop-based answer: must pass too."""
    X = np.array(X, dtype=float)
    out = np.zeros_like(X)
    for j in range(X.shape[1]):
        column = X[:, j]
        if column.std() > 0:
            out[:, j] = (column - column.mean()) / column.std()
    return out


def moving_average_with_loop(x, k):
    x = np.asarray(x, dtype=float)
    return np.array([x[i : i + k].mean() for i in range(len(x) - k + 1)])


def not_implemented(*args):
    raise NotImplementedError()


CHECK_PAIRS = [
    (chk.centre_columns_basic, chk.centre_columns_hidden, centre_columns),
    (chk.count_in_interval_basic, chk.count_in_interval_hidden, count_in_interval),
    (chk.standardise_columns_basic, chk.standardise_columns_hidden, standardise_columns),
    (chk.standardise_columns_basic, chk.standardise_columns_hidden, standardise_with_loop),
    (chk.moving_average_basic, chk.moving_average_hidden, moving_average),
    (chk.moving_average_basic, chk.moving_average_hidden, moving_average_with_loop),
]
ALL_CHECKS = [check for pair in CHECK_PAIRS for check in pair[:2]]


@pytest.mark.parametrize("basic, hidden, reference", CHECK_PAIRS)
def test_reference_passes(basic, hidden, reference):
    basic(reference)
    hidden(reference)


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_not_implemented_gets_the_replace_hint(check):
    with pytest.raises(CheckFailed, match=r"replace `raise NotImplementedError\(\)`"):
        check(not_implemented)


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_missing_return_is_named(check):
    with pytest.raises(CheckFailed, match="forget the `return`"):
        check(lambda *args: None)


def test_not_a_function_is_named():
    with pytest.raises(CheckFailed, match="should be a function"):
        chk.centre_columns_basic(42)


# --------------------------------------------------------------------------- demo check


def test_double_demo():
    chk.double_demo(lambda x: 2 * x)
    with pytest.raises(CheckFailed, match=r"double\(\[1\., 2\., 3\.\]\) returned .*multiply"):
        chk.double_demo(lambda x: x**2)


# --------------------------------------------------------------------------- centre_columns


def test_centre_wrong_axis_on_a_square_array_is_diagnosed():
    def row_means(X):
        return X - X.mean(axis=1, keepdims=True)

    with pytest.raises(CheckFailed, match="row means; take the mean over axis=0"):
        chk.centre_columns_hidden(row_means)


def test_centre_wrong_axis_that_cannot_broadcast_gets_a_hint():
    def row_means(X):
        return X - X.mean(axis=1)

    with pytest.raises(CheckFailed, match=r"raised ValueError.*hint: .*axis=0"):
        chk.centre_columns_basic(row_means)


def test_centre_overall_mean_is_diagnosed():
    with pytest.raises(CheckFailed, match="overall mean"):
        chk.centre_columns_basic(lambda X: X - X.mean())


def test_centre_in_place_is_caught():
    def in_place(X):
        X -= X.mean(axis=0)
        return X

    with pytest.raises(CheckFailed, match="modified its argument 1 in place"):
        chk.centre_columns_basic(in_place)


def test_centre_integer_result_is_caught():
    def keeps_dtype(X):
        out = np.zeros_like(X)
        out[:] = X - X.mean(axis=0)
        return out

    chk.centre_columns_basic(keeps_dtype)  # float input: correct
    with pytest.raises(CheckFailed, match="dtype int64, expected floating-point"):
        chk.centre_columns_hidden(keeps_dtype)


def test_centre_hard_coded_example_fails_hidden():
    def hard_coded(X):
        return np.array([[-2.0, -4.0], [0.0, 0.0], [2.0, 4.0]])

    chk.centre_columns_basic(hard_coded)
    with pytest.raises(CheckFailed, match="returned shape"):
        chk.centre_columns_hidden(hard_coded)


# --------------------------------------------------------------------------- count_in_interval


def test_count_closed_interval_is_diagnosed():
    def closed(x, low, high):
        return int(np.count_nonzero((x >= low) & (x <= high)))

    with pytest.raises(CheckFailed, match="half-open: include low but leave out high"):
        chk.count_in_interval_hidden(closed)


def test_count_open_low_end_is_diagnosed():
    def open_low(x, low, high):
        return int(np.count_nonzero((x > low) & (x < high)))

    with pytest.raises(CheckFailed, match=r"include low itself"):
        chk.count_in_interval_basic(open_low)


def test_count_float_result_gets_a_hint():
    def as_float(x, low, high):
        return float(np.sum((x >= low) & (x < high)))

    with pytest.raises(CheckFailed, match="return a whole number"):
        chk.count_in_interval_basic(as_float)


def test_count_per_column_is_caught():
    def per_column(x, low, high):
        return np.count_nonzero((x >= low) & (x < high), axis=0)

    chk.count_in_interval_basic(per_column)  # 1-D input: the same number
    with pytest.raises(CheckFailed, match="return one number, not an array"):
        chk.count_in_interval_hidden(per_column)


# --------------------------------------------------------------------------- standardise_columns


def test_standardise_sample_std_is_diagnosed():
    def sample_std(X):
        return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)

    with pytest.raises(CheckFailed, match=r"population standard deviation \(ddof=0"):
        chk.standardise_columns_basic(sample_std)


def test_standardise_constant_column_nan_is_caught():
    def no_guard(X):
        return (X - X.mean(axis=0)) / X.std(axis=0)

    chk.standardise_columns_basic(no_guard)  # no constant column there
    with pytest.raises(CheckFailed, match=r"returned NaN values.*set that whole column to 0"):
        chk.standardise_columns_hidden(no_guard)


def test_standardise_constant_column_left_unchanged_is_caught():
    def keeps_constant(X):
        X = np.asarray(X, dtype=float)
        sigma = X.std(axis=0)
        return np.where(sigma > 0, (X - X.mean(axis=0)) / np.where(sigma > 0, sigma, 1), X)

    with pytest.raises(CheckFailed, match="standardise_columns"):
        chk.standardise_columns_hidden(keeps_constant)


def test_standardise_without_centring_is_diagnosed():
    with pytest.raises(CheckFailed, match="subtract the column means before dividing"):
        chk.standardise_columns_basic(lambda X: X / X.std(axis=0))


def test_standardise_rows_are_diagnosed():
    def rows(X):
        return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)

    with pytest.raises(CheckFailed, match="you standardised the rows"):
        chk.standardise_columns_basic(rows)


def test_standardise_integer_result_is_caught():
    def keeps_dtype(X):
        out = np.zeros_like(X)
        sigma = X.std(axis=0)
        out[:] = np.divide(X - X.mean(axis=0), sigma, out=np.zeros(X.shape), where=sigma > 0)
        return out

    with pytest.raises(CheckFailed, match="dtype int64"):
        chk.standardise_columns_hidden(keeps_dtype)


def test_standardise_in_place_is_caught():
    def in_place(X):
        X -= X.mean(axis=0)
        X /= X.std(axis=0)
        return X

    with pytest.raises(CheckFailed, match="in place"):
        chk.standardise_columns_basic(in_place)


# --------------------------------------------------------------------------- moving_average


@pytest.mark.parametrize("mode", ["same", "full"])
def test_moving_partial_windows_are_diagnosed(mode):
    def partial(x, k):
        return np.convolve(x, np.ones(k) / k, mode=mode)

    with pytest.raises(CheckFailed, match=r"returned shape .*n - k \+ 1 entries"):
        chk.moving_average_basic(partial)


def test_moving_cumsum_off_by_one_is_diagnosed():
    def off_by_one(x, k):
        c = np.cumsum(x)
        return (c[k:] - c[:-k]) / k

    with pytest.raises(CheckFailed, match="put a 0 in front of the cumulative sum"):
        chk.moving_average_basic(off_by_one)


def test_moving_window_sum_is_diagnosed():
    with pytest.raises(CheckFailed, match="divide each window's sum by k"):
        chk.moving_average_basic(lambda x, k: np.convolve(x, np.ones(k), mode="valid"))


def test_moving_divide_by_n_is_diagnosed():
    with pytest.raises(CheckFailed, match="not by len"):
        chk.moving_average_basic(lambda x, k: np.convolve(x, np.ones(k), mode="valid") / len(x))


def test_moving_integer_result_is_caught():
    def keeps_dtype(x, k):
        out = np.zeros_like(x[: len(x) - k + 1])
        for i in range(len(out)):
            out[i] = x[i : i + k].mean()
        return out

    chk.moving_average_basic(keeps_dtype)  # float input: correct
    with pytest.raises(CheckFailed, match="dtype int64"):
        chk.moving_average_hidden(keeps_dtype)


def test_moving_hard_coded_k_fails_hidden():
    def always_three(x, k):
        return np.convolve(x, np.ones(3) / 3, mode="valid")

    chk.moving_average_basic(always_three)
    with pytest.raises(CheckFailed, match=r"moving_average\(.*, 4\) returned"):
        chk.moving_average_hidden(always_three)
