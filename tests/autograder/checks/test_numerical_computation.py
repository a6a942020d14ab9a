"""The module-05 checks: references, other correct answers and mutants (see test_contract)."""

import numpy as np

from dlkit import numerics

# ---------------------------------------------------------------------------
# Reference solutions with the exercises' signatures
# ---------------------------------------------------------------------------


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
# Other correct answers
# ---------------------------------------------------------------------------


def fft_iterative_twiddles(x):
    """The same recursion with the twiddles as powers of w = exp(-2j pi / n)."""
    x = np.asarray(x, dtype=complex)
    n = len(x)
    if n & (n - 1):
        raise ValueError("the length must be a power of two")
    if n == 1:
        return x
    even, odd = fft_iterative_twiddles(x[0::2]), fft_iterative_twiddles(x[1::2])
    w = np.exp(-2j * np.pi / n) ** np.arange(n // 2)
    return np.concatenate([even + w * odd, even - w * odd])


def dft_matrix_by_powers(n):
    """Powers of the root of unity omega = exp(-2j pi / n), reduced mod n."""
    j = np.arange(n)
    return np.exp(-2j * np.pi / n) ** (np.outer(j, j) % n)


ALTERNATIVES = [
    ("fft", fft_iterative_twiddles),
    ("dft_matrix", dft_matrix_by_powers),
]

# ---------------------------------------------------------------------------
# Mutants: realistic wrong answers, each rejected with a message naming the mistake
# ---------------------------------------------------------------------------


def eps_too_small(dtype):
    eps = 1.0
    while 1.0 + eps != 1.0:
        eps /= 2
    return eps


def eps_float64(dtype):
    eps = 1.0
    while 1.0 + eps / 2 != 1.0:
        eps /= 2
    return eps


def logsumexp_naive(x):
    return np.log(np.sum(np.exp(x)))


def logsumexp_no_add_back(x):
    return np.log(np.sum(np.exp(x - np.max(x))))


def logsumexp_mean_shift(x):
    c = np.mean(x)
    return c + np.log(np.sum(np.exp(x - c)))


def logsumexp_max_only(x):
    return float(np.max(x))


def softmax_columns(Z):
    e = np.exp(Z - Z.max(axis=0))
    return e / e.sum(axis=0)


def softmax_naive(Z):
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_global_max(Z):
    e = np.exp(Z - np.max(Z))
    return e / e.sum(axis=1, keepdims=True)


def softmax_whole_matrix(Z):
    e = np.exp(Z - np.max(Z))
    return e / e.sum()


def sigmoid_ratio(x):
    return np.exp(x) / (1 + np.exp(x))


def sigmoid_in_place(x):
    x = np.asarray(x)
    neg = x < 0
    e = np.exp(-np.abs(x))
    x[...] = np.where(neg, e / (1 + e), 1 / (1 + e))  # overwrites the caller's array
    return x


def sigmoid_flattened(x):
    return np.array([numerics.sigmoid(v) for v in np.ravel(x)])


def sensitivity_absolute_bound(A, b, db):
    change, _ = numerics.solve_sensitivity(A, b, db)
    return change, np.linalg.cond(A) * np.linalg.norm(db)


def sensitivity_one_norm(A, b, db):
    change, _ = numerics.solve_sensitivity(A, b, db)
    return change, np.linalg.cond(A, 1) * np.linalg.norm(db) / np.linalg.norm(b)


def sensitivity_absolute_change(A, b, db):
    _, bound = numerics.solve_sensitivity(A, b, db)
    return float(np.linalg.norm(np.linalg.solve(A, db))), bound


def sensitivity_bound_over_x(A, b, db):
    change, _ = numerics.solve_sensitivity(A, b, db)
    x = np.linalg.solve(A, b)
    return change, np.linalg.cond(A) * np.linalg.norm(db) / np.linalg.norm(x)


def sensitivity_change_only(A, b, db):
    return numerics.solve_sensitivity(A, b, db)[0]


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


def simpson_abs_width(f, a, b, n):
    return abs(numerics.simpson(f, a, b, n))


def simpson_abs_step(f, a, b, n):
    """h = abs(b - a) / n with the nodes from a to b."""
    if n % 2:
        raise ValueError("odd n")
    h = abs(b - a) / n
    y = f(np.linspace(a, b, n + 1))
    return float(h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum()))


def simpson_sorted_limits(f, a, b, n):
    """Integrates from min(a, b) to max(a, b): the sign of a reversed interval is lost."""
    return numerics.simpson(f, min(a, b), max(a, b), n)


def simpson_times_h(f, a, b, n):
    return 3 * numerics.simpson(f, a, b, n)


def order_raw_slope(ns, errors):
    return np.polyfit(np.log(ns), np.log(errors), 1)[0]


def order_end_points(ns, errors):
    return -np.log(errors[-1] / errors[0]) / np.log(ns[-1] / ns[0])


def order_mixed_logs(ns, errors):
    return -np.polyfit(np.log(ns), np.log10(errors), 1)[0]


def newton_ten_steps(a):
    if a < 0:
        raise ValueError("negative")
    x = max(a, 1.0)
    for _ in range(10):
        x = 0.5 * (x + a / x)
    return x


def newton_start_at_a(a):
    x = a
    for _ in range(200):
        x = 0.5 * (x + a / x)
    return x


def newton_nan_for_negative(a):
    return numerics.newton_sqrt(a) if a >= 0 else float("nan")


def newton_absolute_tolerance(a):
    if a < 0:
        raise ValueError("negative")
    if a == 0:
        return 0.0
    x = max(a, 1.0)
    while True:
        x_new = 0.5 * (x + a / x)
        if abs(x_new - x) <= 1e-12:
            return x_new
        x = x_new


def dft_plus(n):
    k = np.arange(n)
    return np.exp(2j * np.pi * np.outer(k, k) / n)


def dft_unitary(n):
    return numerics.dft_matrix(n) / np.sqrt(n)


def dft_real_part(n):
    return np.cos(2 * np.pi * np.outer(np.arange(n), np.arange(n)) / n)


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


def fft_swapped_halves(x):
    return np.roll(numerics.fft(x), len(x) // 2)


def fft_inverse(x):
    return np.fft.ifft(x)


MUTANTS = [
    ("machine_epsilon_basic", eps_too_small, "halved once too often"),
    ("machine_epsilon_hidden", eps_float64, "requested type"),
    ("logsumexp_basic", logsumexp_naive, "exp overflowed"),
    ("logsumexp_basic", logsumexp_no_add_back, "forgot to add it back"),
    ("logsumexp_hidden", logsumexp_mean_shift, "exp overflowed"),
    ("logsumexp_basic", logsumexp_max_only, "the maximum alone is only an approximation"),
    ("softmax_rows_basic", softmax_columns, "normalised the columns (axis=0)"),
    ("softmax_rows_hidden", softmax_naive, "exp overflowed"),
    ("softmax_rows_hidden", softmax_global_max, "subtract each row's own maximum"),
    ("softmax_rows_basic", softmax_whole_matrix, "normalised the whole matrix"),
    ("sigmoid_hidden", sigmoid_ratio, "nan means inf / inf"),
    ("sigmoid_basic", sigmoid_in_place, "modified its argument 1 in place"),
    ("sigmoid_hidden", sigmoid_flattened, "same shape as x"),
    ("solve_sensitivity_hidden", sensitivity_absolute_bound, "divide ||db|| by ||b||"),
    ("solve_sensitivity_hidden", sensitivity_one_norm, "1-norm condition number"),
    ("solve_sensitivity_hidden", sensitivity_absolute_change, "the change is relative"),
    ("solve_sensitivity_hidden", sensitivity_bound_over_x, "not by ||x||"),
    ("solve_sensitivity_basic", sensitivity_change_only, "expected 2 values (relative_change"),
    ("simpson_basic", numerics.trapezoid, "this is the trapezoid rule"),
    ("simpson_basic", simpson_swapped, "odd nodes"),
    ("simpson_hidden", simpson_abs_width, "keep the sign of h"),
    ("simpson_hidden", simpson_abs_step, "your result has the wrong sign when a > b"),
    ("simpson_hidden", simpson_sorted_limits, "your result has the wrong sign when a > b"),
    ("simpson_basic", simpson_times_h, "multiply by h / 3"),
    ("simpson_hidden", simpson_no_check, "odd n must raise ValueError"),
    ("convergence_order_basic", order_raw_slope, "the order is -slope"),
    ("convergence_order_hidden", order_end_points, "two end points only"),
    ("convergence_order_basic", order_mixed_logs, "natural logs of both"),
    ("newton_sqrt_hidden", newton_ten_steps, "no fixed iteration"),
    ("newton_sqrt_hidden", newton_start_at_a, "newton_sqrt(0) raised ZeroDivisionError"),
    ("newton_sqrt_hidden", newton_nan_for_negative, "raise ValueError before iterating"),
    ("newton_sqrt_hidden", newton_absolute_tolerance, "stopped while x was still far above"),
    ("dft_matrix_basic", dft_plus, "needs a minus sign"),
    ("dft_matrix_basic", dft_unitary, "do not divide by sqrt(n)"),
    ("dft_matrix_basic", dft_real_part, "not only the cosines"),
    ("fft_basic", fft_plus_twiddle, "minus sign"),
    ("fft_hidden", fft_no_check, "power-of-two length"),
    ("fft_basic", fft_swapped_halves, "E + w O half comes first"),
    ("fft_basic", fft_inverse, "that is the inverse transform"),
]


# ---------------------------------------------------------------------------
# Shortcuts the prompts forbid: right answers, rejected by the name they use
# ---------------------------------------------------------------------------


def machine_epsilon_finfo(dtype):
    """np.finfo, which the prompt forbids."""
    return float(np.finfo(dtype).eps)


def newton_sqrt_power(a, tol=1e-15):
    """`** 0.5`, which the prompt forbids."""
    if a < 0:
        raise ValueError("negative")
    return float(a) ** 0.5


def machine_epsilon_through_finfo(*args, **kwargs):
    """The reference, using numpy.finfo: the exercise forbids it."""
    import numpy

    numpy.finfo  # noqa: B018
    return numerics.machine_epsilon(*args, **kwargs)


def logsumexp_through_logsumexp(*args, **kwargs):
    """The reference, using scipy.special.logsumexp: the exercise forbids it."""
    import scipy.special

    scipy.special.logsumexp  # noqa: B018
    return logsumexp_ref(*args, **kwargs)


def softmax_rows_through_softmax(*args, **kwargs):
    """The reference, using scipy.special.softmax: the exercise forbids it."""
    import scipy.special

    scipy.special.softmax  # noqa: B018
    return softmax_rows_ref(*args, **kwargs)


def sigmoid_through_expit(*args, **kwargs):
    """The reference, using scipy.special.expit: the exercise forbids it."""
    import scipy.special

    scipy.special.expit  # noqa: B018
    return numerics.sigmoid(*args, **kwargs)


def solve_sensitivity_through_solve_sensitivity(*args, **kwargs):
    """The reference, using dlkit.numerics.solve_sensitivity: the exercise forbids it."""
    import dlkit

    dlkit.numerics.solve_sensitivity  # noqa: B018
    return numerics.solve_sensitivity(*args, **kwargs)


def simpson_through_integrate(*args, **kwargs):
    """The reference, using scipy.integrate: the exercise forbids it."""
    import scipy.integrate

    scipy.integrate  # noqa: B018
    return numerics.simpson(*args, **kwargs)


def convergence_order_through_convergence_order(*args, **kwargs):
    """The reference, using dlkit.numerics.convergence_order: the exercise forbids it."""
    import dlkit

    dlkit.numerics.convergence_order  # noqa: B018
    return numerics.convergence_order(*args, **kwargs)


def newton_sqrt_through_sqrt(*args, **kwargs):
    """The reference, using numpy.sqrt: the exercise forbids it."""
    import numpy

    numpy.sqrt  # noqa: B018
    return numerics.newton_sqrt(*args, **kwargs)


def dft_matrix_through_fft(*args, **kwargs):
    """The reference, using numpy.fft: the exercise forbids it."""
    import numpy.fft

    numpy.fft  # noqa: B018
    return numerics.dft_matrix(*args, **kwargs)


def fft_through_fft(*args, **kwargs):
    """The reference, using numpy.fft: the exercise forbids it."""
    import numpy.fft

    numpy.fft  # noqa: B018
    return numerics.fft(*args, **kwargs)


MUTANTS += [
    ("machine_epsilon_hidden", machine_epsilon_finfo, "your answer calls np.finfo"),
    ("newton_sqrt_basic", newton_sqrt_power, "your answer uses `** 0.5`"),
    ("machine_epsilon_hidden", machine_epsilon_through_finfo, "your answer uses numpy.finfo"),
    ("logsumexp_hidden", logsumexp_through_logsumexp, "your answer uses scipy.special.logsumexp"),
    ("softmax_rows_hidden", softmax_rows_through_softmax, "your answer uses scipy.special.softmax"),
    ("sigmoid_hidden", sigmoid_through_expit, "your answer uses scipy.special.expit"),
    (
        "solve_sensitivity_hidden",
        solve_sensitivity_through_solve_sensitivity,
        "your answer uses dlkit.numerics.solve_sensitivity",
    ),
    ("simpson_hidden", simpson_through_integrate, "your answer uses scipy.integrate"),
    (
        "convergence_order_hidden",
        convergence_order_through_convergence_order,
        "your answer uses dlkit.numerics.convergence_order",
    ),
    ("newton_sqrt_hidden", newton_sqrt_through_sqrt, "your answer uses numpy.sqrt"),
    ("dft_matrix_hidden", dft_matrix_through_fft, "your answer uses numpy.fft"),
    ("fft_hidden", fft_through_fft, "your answer uses numpy.fft"),
]
