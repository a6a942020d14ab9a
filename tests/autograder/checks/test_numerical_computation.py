"""The module-05 checks accept the reference solutions and reject realistic mistakes."""

import numpy as np
import pytest

from autograder.checks import numerical_computation as chk
from autograder.checks.harness import CheckFailed
from dlkit import numerics


def softmax_rows_ref(Z):
    return numerics.softmax(Z, axis=1)


def logsumexp_ref(x):
    return float(numerics.logsumexp(x))


REFERENCES = {
    "machine_epsilon": numerics.machine_epsilon,
    "logsumexp": logsumexp_ref,
    "softmax_rows": softmax_rows_ref,
    "sigmoid": numerics.sigmoid,
    "solve_sensitivity": numerics.solve_sensitivity,
    "simpson": numerics.simpson,
    "convergence_order": numerics.convergence_order,
    "newton_sqrt": numerics.newton_sqrt,
    "dft_matrix": numerics.dft_matrix,
    "fft": numerics.fft,
}


# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a helpful message
# ---------------------------------------------------------------------------


def test_machine_epsilon_rejects_one_halving_too_many():
    def eps_too_small(dtype):
        eps = 1.0
        while 1.0 + eps != 1.0:
            eps /= 2
        return eps

    with pytest.raises(CheckFailed, match="halved once too often"):
        chk.machine_epsilon_basic(eps_too_small)


def test_machine_epsilon_rejects_float64_arithmetic():
    def eps_float64(dtype):
        eps = 1.0
        while 1.0 + eps / 2 != 1.0:
            eps /= 2
        return eps

    chk.machine_epsilon_basic(eps_float64)  # right for float64 ...
    with pytest.raises(CheckFailed, match=r"machine_epsilon\('float32'\).*requested type"):
        chk.machine_epsilon_hidden(eps_float64)  # ... wrong for float32


def test_logsumexp_rejects_naive_formula():
    with pytest.raises(CheckFailed, match=r"logsumexp\(\[1000., 1000.\]\) returned inf.*overflow"):
        chk.logsumexp_basic(lambda x: np.log(np.sum(np.exp(x))))


def test_logsumexp_rejects_missing_max():
    def lse_no_add_back(x):
        return np.log(np.sum(np.exp(x - np.max(x))))

    with pytest.raises(CheckFailed, match="forgot to add it back"):
        chk.logsumexp_basic(lse_no_add_back)


def test_logsumexp_rejects_mean_shift():
    def lse_mean_shift(x):
        c = np.mean(x)
        return c + np.log(np.sum(np.exp(x - c)))

    chk.logsumexp_basic(lse_mean_shift)  # equal entries: the mean is the maximum ...
    with pytest.raises(CheckFailed, match=r"\[ 1000., -1000., +0.\]\) returned inf"):
        chk.logsumexp_hidden(lse_mean_shift)  # ... not for mixed extremes


def test_softmax_rejects_columns():
    def softmax_columns(Z):
        e = np.exp(Z - Z.max(axis=0))
        return e / e.sum(axis=0)

    with pytest.raises(CheckFailed, match=r"normalised the columns \(axis=0\)"):
        chk.softmax_rows_basic(softmax_columns)


def test_softmax_rejects_naive_exp():
    def softmax_naive(Z):
        e = np.exp(Z)
        return e / e.sum(axis=1, keepdims=True)

    chk.softmax_rows_basic(softmax_naive)
    with pytest.raises(CheckFailed, match="exp overflowed"):
        chk.softmax_rows_hidden(softmax_naive)


def test_softmax_rejects_global_max():
    def softmax_global_max(Z):
        e = np.exp(Z - np.max(Z))
        return e / e.sum(axis=1, keepdims=True)

    with pytest.raises(CheckFailed, match="subtract each row's own maximum"):
        chk.softmax_rows_hidden(softmax_global_max)


def test_sigmoid_rejects_exp_ratio():
    def sigmoid_ratio(x):
        return np.exp(x) / (1 + np.exp(x))

    chk.sigmoid_basic(sigmoid_ratio)
    with pytest.raises(CheckFailed, match=r"sigmoid\(\[ 1000., -1000.\]\) returned \[nan,.*nan"):
        chk.sigmoid_hidden(sigmoid_ratio)


def test_sigmoid_rejects_in_place_clipping():
    def sigmoid_in_place(x):
        x = np.asarray(x)
        neg = x < 0
        e = np.exp(-np.abs(x))
        x[...] = np.where(neg, e / (1 + e), 1 / (1 + e))  # overwrites the caller's array
        return x

    with pytest.raises(CheckFailed, match="modified its argument 1 in place"):
        chk.sigmoid_basic(sigmoid_in_place)


def test_sigmoid_rejects_scalar_loop_on_matrices():
    def sigmoid_1d(x):
        return np.array([numerics.sigmoid(v) for v in np.ravel(x)])

    with pytest.raises(CheckFailed, match="same shape as x"):
        chk.sigmoid_hidden(sigmoid_1d)


def test_solve_sensitivity_rejects_absolute_perturbation():
    def absolute_bound(A, b, db):
        change, _ = numerics.solve_sensitivity(A, b, db)
        return change, np.linalg.cond(A) * np.linalg.norm(db)

    with pytest.raises(CheckFailed, match=r"\[1\] \(bound\).*divide \|\|db\|\| by \|\|b\|\|"):
        chk.solve_sensitivity_hidden(absolute_bound)


def test_solve_sensitivity_rejects_one_norm():
    def one_norm(A, b, db):
        change, _ = numerics.solve_sensitivity(A, b, db)
        return change, np.linalg.cond(A, 1) * np.linalg.norm(db) / np.linalg.norm(b)

    with pytest.raises(CheckFailed, match="1-norm condition number"):
        chk.solve_sensitivity_hidden(one_norm)


def test_solve_sensitivity_rejects_unnormalised_change():
    def absolute_change(A, b, db):
        _, bound = numerics.solve_sensitivity(A, b, db)
        return float(np.linalg.norm(np.linalg.solve(A, db))), bound

    with pytest.raises(CheckFailed, match="the change is relative"):
        chk.solve_sensitivity_hidden(absolute_change)


def test_solve_sensitivity_rejects_single_value():
    with pytest.raises(CheckFailed, match=r"expected a pair \(relative_change, bound\)"):
        chk.solve_sensitivity_basic(lambda A, b, db: numerics.solve_sensitivity(A, b, db)[0])


def test_simpson_rejects_trapezoid():
    with pytest.raises(CheckFailed, match="this is the trapezoid rule"):
        chk.simpson_basic(numerics.trapezoid)


def simpson_swapped(f, a, b, n):
    x = np.linspace(a, b, n + 1)
    y = f(x)
    h = (b - a) / n
    return h / 3 * (y[0] + y[-1] + 2 * y[1:-1:2].sum() + 4 * y[2:-1:2].sum())


def simpson_no_check(f, a, b, n):
    x = np.linspace(a, b, n + 1)
    y = f(x)
    h = (b - a) / n
    return h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum())


def test_simpson_rejects_swapped_weights():
    with pytest.raises(
        CheckFailed, match=r"simpson\(cubic, 0, 3, 2\) returned 32.75, expected 39.*odd nodes"
    ):
        chk.simpson_basic(simpson_swapped)


def test_simpson_rejects_abs_width():
    def simpson_abs_width(f, a, b, n):
        return abs(numerics.simpson(f, a, b, n))

    with pytest.raises(CheckFailed, match=r"simpson\(exp, 1, -1, 8\) returned 2.35"):
        chk.simpson_hidden(simpson_abs_width)


def test_simpson_rejects_missing_odd_n_error():
    chk.simpson_basic(simpson_no_check)
    with pytest.raises(CheckFailed, match="odd n must raise ValueError"):
        chk.simpson_hidden(simpson_no_check)


def test_convergence_order_rejects_raw_slope():
    def raw_slope(ns, errors):
        return np.polyfit(np.log(ns), np.log(errors), 1)[0]

    with pytest.raises(CheckFailed, match=r"returned -2, expected 2.*order is -slope"):
        chk.convergence_order_basic(raw_slope)


def test_convergence_order_rejects_end_points():
    def end_points(ns, errors):
        return -np.log(errors[-1] / errors[0]) / np.log(ns[-1] / ns[0])

    chk.convergence_order_basic(end_points)  # exact power law: any two points agree ...
    with pytest.raises(CheckFailed, match="two end points only"):
        chk.convergence_order_hidden(end_points)  # ... noisy data needs the fit


def test_newton_sqrt_rejects_fixed_iterations():
    def ten_steps(a):
        if a < 0:
            raise ValueError("negative")
        x = max(a, 1.0)
        for _ in range(10):
            x = 0.5 * (x + a / x)
        return x

    chk.newton_sqrt_basic(ten_steps)
    with pytest.raises(
        CheckFailed, match=r"newton_sqrt\(0\) returned 0.000976562, expected 0.*no fixed iteration"
    ):
        chk.newton_sqrt_hidden(ten_steps)


def test_newton_sqrt_rejects_zero_start():
    def start_at_a(a):
        x = a
        for _ in range(200):
            x = 0.5 * (x + a / x)
        return x

    with pytest.raises(CheckFailed, match=r"newton_sqrt\(0\) raised ZeroDivisionError"):
        chk.newton_sqrt_hidden(start_at_a)


def test_newton_sqrt_rejects_missing_error():
    def nan_for_negative(a):
        return numerics.newton_sqrt(a) if a >= 0 else float("nan")

    with pytest.raises(CheckFailed, match="raise ValueError before iterating"):
        chk.newton_sqrt_hidden(nan_for_negative)


def test_dft_matrix_rejects_plus_sign():
    def dft_plus(n):
        k = np.arange(n)
        return np.exp(2j * np.pi * np.outer(k, k) / n)

    with pytest.raises(CheckFailed, match="needs a minus sign"):
        chk.dft_matrix_basic(dft_plus)


def test_dft_matrix_rejects_unitary_scaling():
    with pytest.raises(CheckFailed, match=r"do not divide by sqrt\(n\)"):
        chk.dft_matrix_basic(lambda n: numerics.dft_matrix(n) / np.sqrt(n))


def test_dft_matrix_rejects_real_part_only():
    with pytest.raises(CheckFailed, match=r"dft_matrix\(4\) returned"):
        chk.dft_matrix_basic(lambda n: np.cos(2 * np.pi * np.outer(np.arange(n), np.arange(n)) / n))


def fft_plus_twiddle(x):
    x = np.asarray(x, dtype=complex)
    n = len(x)
    if n == 1:
        return x
    even, odd = fft_plus_twiddle(x[0::2]), fft_plus_twiddle(x[1::2])
    w = np.exp(2j * np.pi * np.arange(n // 2) / n)
    return np.concatenate([even + w * odd, even - w * odd])


def fft_no_check(x):
    x = np.asarray(x, dtype=complex)
    n = len(x)
    if n == 1:
        return x
    even, odd = fft_no_check(x[0::2]), fft_no_check(x[1::2])
    w = np.exp(-2j * np.pi * np.arange(n // 2) / n)
    return np.concatenate([even + w * odd, even - w * odd])


def test_fft_rejects_plus_twiddle():
    with pytest.raises(CheckFailed, match="minus sign"):
        chk.fft_basic(fft_plus_twiddle)


def test_fft_rejects_missing_power_of_two_check():
    chk.fft_basic(fft_no_check)
    with pytest.raises(CheckFailed, match=r"fft\(\[1., 1., 1.\]\) returned .*power-of-two length"):
        chk.fft_hidden(fft_no_check)


def test_fft_rejects_swapped_halves():
    def fft_swapped(x):
        return np.roll(numerics.fft(x), len(x) // 2)

    with pytest.raises(CheckFailed, match="E \\+ w O half comes first"):
        chk.fft_basic(fft_swapped)
