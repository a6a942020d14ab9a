"""Checks for module 00, getting_started: the numpy warm-up exercises.

Every ``*_basic`` check is the visible test of an exercise (the worked example in
its prompt); every ``*_hidden`` check re-tests the learner's function on seeded
random inputs and on the edge cases behind the classic mistakes (wrong axis,
sample instead of population standard deviation, constant columns, closed instead
of half-open intervals, partial windows, integer inputs, changing the input in
place). The oracles are numpy one-liners written independently of the exercises.

When a wrong answer matches a known mistake, the hint names that mistake.
"""

import numpy as np

from autograder.checks.harness import (
    CheckFailed,
    Forbidden,
    as_float_array,
    call,
    diagnose,
    expect,
    expect_close,
    expect_equal,
)

__all__ = [
    "CheckFailed",
    "centre_columns_basic",
    "centre_columns_hidden",
    "count_in_interval_basic",
    "count_in_interval_hidden",
    "double_demo",
    "moving_average_basic",
    "moving_average_hidden",
    "standardise_columns_basic",
    "standardise_columns_hidden",
]

_SEED = 2024  # hidden inputs are random but the same on every run


# ---------------------------------------------------------------------------
# Demonstration (not graded) · reference: 2 * x
# ---------------------------------------------------------------------------


def double_demo(double):
    """The notebook's demonstration check: ``double(x)`` must return ``2 * x``."""
    x = np.array([1.0, 2.0, 3.0])
    result, text = call(double, "double", x)
    expect_close(result, 2 * x, text, "multiply every entry by 2 (`return 2 * x`)")


# ---------------------------------------------------------------------------
# Exercise 1 · gs-centre-columns · reference: X - X.mean(axis=0) (numpy, no dlkit)
# ---------------------------------------------------------------------------

_CENTRE_HINT = (
    "subtract each column's own mean: take the mean over axis=0 (down each column), "
    "`X - X.mean(axis=0)`"
)


def _expect_floats_close(result, text, data, expected, hint, mistakes):
    """Compare the learner's array ``result`` with ``expected``, naming known mistakes.

    When the input ``data`` holds integers, the result must still hold floats: an
    integer result means the function rounded its answer.
    """
    as_float_array(result, text)  # a missing `return` is named before the dtype
    if np.asarray(data).dtype.kind in "iu":
        dtype = np.asarray(result).dtype
        expect(
            dtype.kind == "f",
            f"{text} returned an array of dtype {dtype}, expected floating-point numbers "
            "(float64); hint: convert the input first, for example "
            "`X = np.asarray(X, dtype=float)`, so no result is rounded to an integer",
        )
    expect_close(result, expected, text, hint, mistakes=mistakes)


def _check_centre(fn, X):
    X_float = np.asarray(X, dtype=float)
    expected = X_float - X_float.sum(axis=0) / X_float.shape[0]
    mistakes = [
        (
            X_float - X_float.mean(axis=1, keepdims=True),
            "you subtracted the row means; take the mean over axis=0 (down each column), "
            "not axis=1",
        ),
        (
            X_float - X_float.mean(),
            "you subtracted the overall mean of the array; take one mean per column with axis=0",
        ),
        (-expected, "the sign is flipped; compute X minus the column means"),
    ]
    result, text = call(fn, "centre_columns", X, hint=_CENTRE_HINT)
    _expect_floats_close(result, text, X, expected, _CENTRE_HINT, mistakes)


def centre_columns_basic(centre_columns):
    """Visible test: the worked example of the prompt (a 3 x 2 array)."""
    X = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]])
    _check_centre(centre_columns, X)


def centre_columns_hidden(centre_columns):
    """Hidden tests: random shapes, a square array (wrong axis), one row, integers."""
    rng = np.random.default_rng(_SEED)
    for shape in [(6, 3), (4, 4), (1, 5), (30, 1)]:
        X = rng.normal(loc=rng.uniform(-5, 5), scale=3.0, size=shape)
        _check_centre(centre_columns, X)
    _check_centre(centre_columns, rng.integers(-9, 10, size=(5, 3)))


# ---------------------------------------------------------------------------
# Exercise 2 · gs-count-in-interval · reference: np.count_nonzero (numpy, no dlkit)
# ---------------------------------------------------------------------------

_COUNT_HINT = (
    "count the entries with low <= x < high: build the boolean mask "
    "`(x >= low) & (x < high)` and count its True values with `np.count_nonzero`"
)


def _count_hint(result, expected, x, low, high):
    """The hint for a wrong count: the mistake it reproduces, else the general hint."""
    if isinstance(result, np.ndarray):
        return (
            "return one number, not an array: count over all entries, "
            "`np.count_nonzero(mask)` with no axis argument"
        )
    if isinstance(result, float) and result == expected:
        return "return a whole number, for example `int(np.count_nonzero(mask))`"
    mistakes = [
        (
            np.count_nonzero((x >= low) & (x <= high)),
            "the interval is half-open: include low but leave out high (use x < high)",
        ),
        (
            np.count_nonzero((x > low) & (x < high)),
            "the interval is half-open: include low itself (use x >= low)",
        ),
    ]
    return diagnose(result, _COUNT_HINT, mistakes, expected)


def _check_count(fn, x, low, high):
    result, text = call(fn, "count_in_interval", x, low, high, hint=_COUNT_HINT)
    if result is None:
        as_float_array(result, text)  # raises: "did you forget the `return` statement?"
    if isinstance(result, np.integer):
        result = int(result)  # shown as 4 rather than np.int64(4)
    x = np.asarray(x, dtype=float)
    expected = int(np.count_nonzero((x >= low) & (x < high)))
    expect_equal(result, expected, text, _count_hint(result, expected, x, low, high))


def count_in_interval_basic(count_in_interval):
    """Visible test: the worked example of the prompt."""
    x = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    _check_count(count_in_interval, x, 1.0, 2.5)


def count_in_interval_hidden(count_in_interval):
    """Hidden tests: random data, both endpoints present, 2-D and empty inputs, integers."""
    rng = np.random.default_rng(_SEED + 1)
    x = rng.normal(size=200)
    _check_count(count_in_interval, x, -0.5, 1.25)
    _check_count(count_in_interval, np.array([-1.0, 0.0, 0.0, 0.5, 1.0, 1.0, 2.0]), 0.0, 1.0)
    _check_count(count_in_interval, rng.integers(0, 10, size=(4, 6)), 3, 7)
    _check_count(count_in_interval, np.array([]), 0.0, 1.0)
    _check_count(count_in_interval, np.array([1.0, 2.0, 3.0]), 2.0, 2.0)


# ---------------------------------------------------------------------------
# Exercise 3 · gs-standardise-columns · reference: (X - mean) / std (numpy, no dlkit)
# ---------------------------------------------------------------------------

_STANDARDISE_HINT = (
    "subtract the column means (axis=0) and divide by the population standard deviation "
    "`X.std(axis=0)` (ddof=0); a constant column becomes all zeros"
)


def _nonzero(sigma):
    """``sigma`` with its zeros replaced by 1, to divide by safely."""
    return np.where(sigma > 0, sigma, 1.0)


def _standardised(X):
    """The oracle: z-scores per column by the definitions, 0 in constant columns."""
    n = X.shape[0]
    deviations = X - X.sum(axis=0) / n
    sigma = np.sqrt((deviations**2).sum(axis=0) / n)
    return np.where(sigma > 0, deviations / _nonzero(sigma), 0.0)


def _standardise_mistakes(X):
    mean, sigma = X.mean(axis=0), X.std(axis=0)
    row_mean, row_sigma = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    return [
        (
            lambda: (X - mean) / _nonzero(X.std(axis=0, ddof=1)),
            "use the population standard deviation (ddof=0, divide by n), "
            "not the sample one (ddof=1, divide by n - 1)",
        ),
        (
            X / _nonzero(sigma),
            "subtract the column means before dividing by the standard deviation",
        ),
        (
            (X - mean) / _nonzero(sigma) ** 2,
            "divide by the standard deviation, not by the variance",
        ),
        (
            (X - row_mean) / _nonzero(row_sigma),
            "you standardised the rows; use axis=0 (down each column) for both "
            "the mean and the standard deviation",
        ),
        (
            np.where(sigma > 0, (X - mean) / _nonzero(sigma), X),
            "a constant column has standard deviation 0 and must become all zeros "
            "(its deviations from the mean are all 0), not keep its values",
        ),
    ]


def _check_standardise(fn, X):
    result, text = call(fn, "standardise_columns", X, hint=_STANDARDISE_HINT)
    got = as_float_array(result, text)
    if got.shape == np.shape(X) and np.isnan(got).any():
        columns = np.flatnonzero(np.isnan(got).any(axis=0)).tolist()
        raise CheckFailed(
            f"{text} returned NaN values in column(s) {columns}; hint: a constant column has "
            "standard deviation 0, so dividing by it gives 0/0 = nan; set that whole "
            "column to 0 instead"
        )
    X_float = np.asarray(X, dtype=float)
    expected, mistakes = _standardised(X_float), _standardise_mistakes(X_float)
    _expect_floats_close(result, text, X, expected, _STANDARDISE_HINT, mistakes)


def standardise_columns_basic(standardise_columns):
    """Visible test: the worked example of the prompt (a 4 x 2 array)."""
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 60.0]])
    _check_standardise(standardise_columns, X)


def standardise_columns_hidden(standardise_columns):
    """Hidden tests: random data, a square array, constant columns, one row, integers."""
    rng = np.random.default_rng(_SEED + 2)
    X = rng.normal(loc=[0.0, 5.0, -3.0], scale=[1.0, 0.1, 20.0], size=(8, 3))
    _check_standardise(standardise_columns, X)
    _check_standardise(standardise_columns, rng.normal(size=(5, 5)))
    constant = rng.normal(size=(6, 3))
    constant[:, 1] = 2.5  # exactly representable, so its standard deviation is exactly 0
    _check_standardise(standardise_columns, constant)
    _check_standardise(standardise_columns, np.array([[3.0, -1.0, 7.0]]))
    _check_standardise(standardise_columns, rng.integers(0, 10, size=(6, 3)) * [1, 0, 1])


# ---------------------------------------------------------------------------
# Exercise 4 · gs-moving-average · reference: np.convolve(mode="valid") (numpy, no dlkit)
# ---------------------------------------------------------------------------

_MOVING_HINT = (
    "entry i is the mean of the window x[i : i + k], for i = 0, ..., n - k (full windows "
    "only); one loop-free way: `np.convolve(x, np.ones(k) / k, mode='valid')`"
)
_LENGTH_HINT = (
    "the result has n - k + 1 entries, one per full window (`mode='valid'` in np.convolve)"
)


def _check_moving(fn, x, k):
    x_float = np.asarray(x, dtype=float)
    expected = np.array([x_float[i : i + k].sum() / k for i in range(x_float.size - k + 1)])
    window_sums = np.convolve(x_float, np.ones(k), mode="valid")
    c = np.cumsum(x_float)
    mistakes = [
        (np.convolve(x_float, np.ones(k) / k, mode="same"), _LENGTH_HINT),
        (np.convolve(x_float, np.ones(k) / k, mode="full"), _LENGTH_HINT),
        (
            (c[k:] - c[:-k]) / k,
            "you dropped the first window: put a 0 in front of the cumulative sum, "
            "`c = np.concatenate([[0.0], np.cumsum(x)])`, then `(c[k:] - c[:-k]) / k`",
        ),
        (window_sums, "divide each window's sum by k"),
        (
            window_sums / x_float.size,
            "divide each window's sum by the window length k, not by len(x)",
        ),
    ]
    result, text = call(fn, "moving_average", x, k, hint=_MOVING_HINT)
    _expect_floats_close(result, text, x, expected, _MOVING_HINT, mistakes)


_FORBID_MOVING_AVERAGE = Forbidden(
    "moving_average",
    ("loop",),
    "this exercise asks for the moving average without a Python loop: subtract two slices "
    "of the cumulative sum, (S[k:] - S[:-k]) / k (or use np.convolve)",
)


def moving_average_basic(moving_average):
    """Visible test: the worked example of the prompt."""
    _check_moving(moving_average, np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 3)
    _FORBID_MOVING_AVERAGE.check(moving_average)


def moving_average_hidden(moving_average):
    """Hidden tests: random data and windows, k = 1, k = n, a long signal, integers."""
    rng = np.random.default_rng(_SEED + 3)
    x = rng.normal(size=50)
    for k in (4, 7):
        _check_moving(moving_average, x, k)
    _check_moving(moving_average, x[:10], 1)
    _check_moving(moving_average, x[:10], 10)
    long_signal = 100.0 + np.sin(np.linspace(0.0, 20.0, 5000)) + rng.normal(size=5000)
    _check_moving(moving_average, long_signal, 25)
    _check_moving(moving_average, rng.integers(-5, 6, size=12), 3)
    _FORBID_MOVING_AVERAGE.check(moving_average)
