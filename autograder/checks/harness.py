"""What every check function shares: call learner code carefully, fail helpfully.

A check fails by raising :class:`CheckFailed` with one message that says what was
called, what came back, what was expected, and a hint. The learner's function is
called on private copies of the inputs, with warnings and stderr silenced (so an
honest RuntimeWarning never costs points), and the inputs are verified to be
unchanged afterwards. Return values are converted with ``np.asarray(..., float)``
before any comparison, so only plain numbers are ever compared.

A check is usually ``call`` then ``expect_close`` (or both at once, ``expect_returns``),
with the classic mistakes of the exercise listed as ``mistakes=[(wrong, message)]`` so
that a failure names the mistake; ``unpack`` takes apart a tuple the learner returns.
The harness imports only numpy: checks of every module build on it.
"""

import contextlib
import copy
import io
import warnings

import numpy as np


class CheckFailed(AssertionError):
    """A failed check; the message is written for the learner."""


def show(value, threshold=12):
    """Short, readable text for a value: small arrays in full, large ones by shape."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.ndarray | list | tuple) and np.ndim(value) > 0:
        try:
            array = np.asarray(value)
        except ValueError:  # ragged nested lists
            return repr(value)[:80]
        if array.size > threshold:
            return f"<array of shape {array.shape}>"
        return np.array2string(array, precision=6, separator=", ").replace("\n", "")
    if isinstance(value, float | np.floating | complex | np.complexfloating):
        return f"{value:.6g}"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__  # a function passed to the learner's code, by name
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_call(name, *args, **kwargs):
    """``name(arg, ...)`` with each argument shown by :func:`show`."""
    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def call(fn, name, *args, hint=None, **kwargs):
    """Call the learner's ``fn(*args, **kwargs)`` safely; return ``(result, call_text)``.

    Raises CheckFailed when ``fn`` is not callable, raises an exception (the
    message then ends with ``hint``, when given), or modifies one of its inputs.
    """
    text = describe_call(name, *args, **kwargs)
    if not callable(fn):
        raise CheckFailed(
            f"{name} should be a function, but it is a {type(fn).__name__}; "
            f"hint: define it with `def {name}(...):` in the answer cell and run that cell"
        )
    args_copy, kwargs_copy = copy.deepcopy(args), copy.deepcopy(kwargs)
    try:
        with quiet():
            result = fn(*args_copy, **kwargs_copy)
    except NotImplementedError:
        raise CheckFailed(
            f"{text} raised NotImplementedError; hint: replace `raise NotImplementedError()` "
            "in the answer cell with your solution and run the cell again"
        ) from None
    except Exception as error:  # the learner's bug, reported rather than crashing the check
        advice = f"; hint: {hint}" if hint else ""
        raise CheckFailed(f"{text} raised {type(error).__name__}: {error}{advice}") from None
    _verify_unchanged(name, args, args_copy, kwargs, kwargs_copy)
    return result, text


@contextlib.contextmanager
def quiet():
    """Silence warnings, numpy floating-point warnings and stderr inside the block."""
    with (
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


def expect_raises(fn, name, args, error_type, hint):
    """Fail unless the learner's ``fn(*args)`` raises ``error_type`` (called on copies)."""
    text = describe_call(name, *args)
    expected = f"{error_type.__module__}.{error_type.__name__}"
    try:
        with quiet():
            result = fn(*copy.deepcopy(args))
    except error_type:
        return
    except NotImplementedError:
        call(fn, name, *args)  # raises again, now with the NotImplementedError hint
        raise
    except Exception as error:
        raise CheckFailed(
            f"{text} raised {type(error).__name__}: {error}, expected {expected}; hint: {hint}"
        ) from None
    raise CheckFailed(
        f"{text} returned {show(result)}, expected it to raise {expected}; hint: {hint}"
    )


def unpack(result, text, names):
    """The learner's ``result`` as a tuple of ``len(names)`` values, or CheckFailed.

    ``names`` names the values the exercise returns, e.g. ``("w", "b")``; the message
    says how many were expected and how to return them.
    """
    names = tuple(names)
    if not isinstance(result, tuple | list) or len(result) != len(names):
        listed = ", ".join(names)
        raise CheckFailed(
            f"{text} returned {show(result)}, expected {len(names)} values ({listed}); "
            f"hint: end the function with `return {listed}`"
        )
    return tuple(result)


def diagnose(got, default, mistakes, expected=None, rtol=1e-6, atol=1e-8):
    """The message of the first known mistake whose output ``got`` reproduces, else ``default``.

    ``mistakes`` is a list of ``(wrong, message)`` pairs; ``wrong`` is the mistake's
    output, or a function of no arguments computing it (called only now, and skipped if
    it fails). With ``expected`` given, a mistake that gives the right answer on this
    input (KL with swapped arguments on p = q) is never named. Outputs match within
    ``rtol`` (at least 1e-6, relative) and ``atol``: pass the comparison's own ``atol``
    when the values are tiny (machine epsilon).
    """
    rtol = max(rtol, 1e-6)
    complex_values = expected is not None and np.asarray(expected).dtype.kind == "c"
    try:
        got = _as_array(got, "", complex if complex_values else float)
    except CheckFailed:
        return default
    for wrong, message in mistakes:
        wrong = _mistake_output(wrong, got.dtype)
        if wrong is None or wrong.shape != got.shape:
            continue
        if expected is not None and _close(wrong, expected, rtol, atol):
            continue
        if _close(got, wrong, rtol, atol):
            return message
    return default


def _mistake_output(wrong, dtype):
    """A mistake's output as an array, or None when it cannot be computed."""
    try:
        with quiet():
            return np.asarray(wrong() if callable(wrong) else wrong, dtype=dtype)
    except Exception:  # noqa: BLE001 - a mistake that does not apply to this input
        return None


def _close(a, b, rtol, atol):
    with quiet():
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _as_array(value, text, dtype=float):
    """``np.asarray(value, dtype)``, or CheckFailed saying why the value is unusable."""
    if value is None:
        raise CheckFailed(f"{text} returned None; hint: did you forget the `return` statement?")
    kind = "complex numbers" if np.dtype(dtype).kind == "c" else "numbers"
    try:
        with quiet():
            return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise CheckFailed(
            f"{text} returned a {type(value).__name__}, which is not a number or an array "
            f"of {kind} ({error})"
        ) from None


def as_float_array(value, text):
    """``np.asarray(value, dtype=float)``, or CheckFailed saying why the value is unusable."""
    return _as_array(value, text, float)


def as_number(value, text, hint="return a float, for example `float(total)`"):
    """``value`` as a Python float, or CheckFailed when it is not a single number."""
    array = as_float_array(value, text)
    if array.size != 1:
        raise CheckFailed(
            f"{text} returned an array of shape {array.shape}, expected a single number; "
            f"hint: {hint}"
        )
    return float(array.reshape(()))


def expect_close(got, expected, text, hint, rtol=1e-6, atol=1e-8, mistakes=()):
    """Fail unless ``got`` matches ``expected`` in shape and values (numpy ``isclose`` rule).

    NaN matches NaN. A complex ``expected`` compares complex values. When the values
    differ and ``got`` reproduces one of the known ``mistakes`` (see :func:`diagnose`),
    the hint is that mistake's message. Returns ``got`` as an array.
    """
    expected = np.asarray(expected)
    dtype = complex if expected.dtype.kind == "c" else float
    got, expected = _as_array(got, text, dtype), expected.astype(dtype)
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{text} returned shape {got.shape}, expected shape {expected.shape}; "
            f"hint: {diagnose(got, hint, mistakes, expected, rtol, atol)}"
        )
    problem = _mismatch(got, expected, rtol, atol)
    if problem is None:
        return got
    hint = diagnose(got, hint, mistakes, expected, rtol, atol)
    if got.size <= 12:
        raise CheckFailed(f"{text} returned {show(got)}, expected {show(expected)}; hint: {hint}")
    raise CheckFailed(f"{text} returned wrong values: {problem}; hint: {hint}")


def expect_number(got, expected, text, hint, rtol=1e-6, atol=1e-8, mistakes=()):
    """:func:`expect_close` for a single number; returns it as a Python float."""
    value = as_number(got, text)
    expect_close(value, float(expected), text, hint, rtol=rtol, atol=atol, mistakes=mistakes)
    return value


def expect_returns(fn, name, args, expected, hint, *, rtol=1e-6, atol=1e-8, mistakes=()):
    """Call the learner's ``fn(*args)`` (see :func:`call`) and :func:`expect_close` its result.

    The most common check in one line; returns the result as an array.
    """
    result, text = call(fn, name, *args, hint=hint)
    return expect_close(result, expected, text, hint, rtol=rtol, atol=atol, mistakes=mistakes)


def expect_reproducible(fn, name, args, seed, hint=None):
    """Call ``fn(*args, seed)`` twice and once with ``seed + 1``: the same seed must give
    the same numbers, another seed other numbers. Returns ``(first result, call text)``,
    the result as the learner returned it; tuples and dicts are compared entry by entry."""
    first, text = call(fn, name, *args, seed, hint=hint)
    again, _ = call(fn, name, *args, seed, hint=hint)
    expect(
        _same_numbers(first, again, text),
        f"{text} returned different numbers when called twice with the same seed; hint: "
        "build the generator inside the function, `rng = np.random.default_rng(seed)`, and "
        "draw only from `rng` (not from np.random.* directly)",
    )
    other, other_text = call(fn, name, *args, seed + 1, hint=hint)
    expect(
        not _same_numbers(first, other, other_text),
        f"{other_text} returned the same numbers as with seed={seed}; hint: pass the seed to "
        "`np.random.default_rng(seed)` instead of using a fixed seed",
    )
    return first, text


def _same_numbers(a, b, text):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_numbers(a[k], b[k], text) for k in a)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same_numbers(x, y, text) for x, y in zip(a, b))
    a, b = as_float_array(a, text), as_float_array(b, text)
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def expect_within(statistic, expected, standard_error, text, what, hint, z=6.0):
    """Fail unless ``|statistic - expected| <= z * standard_error`` (NaN fails).

    For statistical checks: with a Gaussian statistic and z = 6 a correct answer fails
    with probability about 2e-9.
    """
    if not abs(statistic - expected) <= z * standard_error:
        raise CheckFailed(
            f"{text}: the {what} is {statistic:.4g}, expected {expected:.4g} "
            f"± {z * standard_error:.2g} ({z:g} standard errors); hint: {hint}"
        )


def _mismatch(got, expected, rtol, atol):
    """How ``got`` differs from ``expected`` (same shape), or None when they are close."""
    with quiet():
        ok = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        if ok.all():
            return None
        error = np.where(ok, -1.0, np.nan_to_num(np.abs(got - expected), nan=np.inf))
    where = np.unravel_index(int(np.argmax(error)), got.shape)
    index = ", ".join(str(int(i)) for i in where)
    return (
        f"{int((~ok).sum())} of {got.size} values differ; the largest difference is at "
        f"index [{index}]: got {show(got[where])}, expected {show(expected[where])}"
    )


def expect_equal(got, expected, text, hint, mistakes=()):
    """Fail unless ``got == expected`` for plain Python values (ints, strings, tuples);
    a known mistake that ``got`` reproduces is named (see :func:`diagnose`)."""
    if mistakes and got != expected:
        hint = diagnose(got, hint, mistakes, expected if _is_number(expected) else None)
    if type(got) is not type(expected) and not _both_integers(got, expected):
        raise CheckFailed(
            f"{text} returned a {type(got).__name__} ({show(got)}), expected a "
            f"{type(expected).__name__} ({show(expected)}); hint: {hint}"
        )
    if got != expected:
        raise CheckFailed(f"{text} returned {show(got)}, expected {show(expected)}; hint: {hint}")


def expect(condition, message):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def _is_number(value):
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _both_integers(a, b):
    integer = (int, np.integer)
    return isinstance(a, integer) and isinstance(b, integer) and not isinstance(a, bool)


def _verify_unchanged(name, args, args_after, kwargs, kwargs_after):
    """CheckFailed if the learner's function modified an input in place."""
    pairs = [(f"argument {i + 1}", a, b) for i, (a, b) in enumerate(zip(args, args_after))]
    pairs += [(f"argument {k}", kwargs[k], kwargs_after[k]) for k in kwargs]
    for label, before, after in pairs:
        if not _unchanged(before, after):
            raise CheckFailed(
                f"{name} modified its {label} in place; hint: work on a copy "
                "(for example `x = x.copy()`) instead of changing the input"
            )


def _unchanged(before, after) -> bool:
    """Whether the learner's copy ``after`` still equals the input ``before``: arrays by
    value, lists, tuples and dicts entry by entry, numbers and strings by value (NaN
    equal to NaN); other objects (a function passed in) are not compared."""
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=True)
    if isinstance(before, list | tuple):
        return len(before) == len(after) and all(map(_unchanged, before, after))
    if isinstance(before, dict):
        same_keys = before.keys() == after.keys()
        return same_keys and all(_unchanged(before[key], after[key]) for key in before)
    if before is None or isinstance(before, int | float | complex | str | np.number):
        return before == after or (before != before and after != after)  # NaN stays NaN
    return True
