"""What every check function shares: call learner code carefully, fail helpfully.

A check fails by raising :class:`CheckFailed` with one message that says what was
called, what came back, what was expected, and a hint. The learner's function is
called on private copies of the inputs, with warnings and stderr silenced (so an
honest RuntimeWarning never costs points), and the inputs are verified to be
unchanged afterwards. Return values are converted with ``np.asarray(..., float)``
before any comparison, so only plain numbers are ever compared.
"""

import contextlib
import copy
import io
import warnings

import numpy as np

from dlkit.testing import describe_mismatch


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
    if isinstance(value, float | np.floating):
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


def diagnose(got, default, known_mistakes):
    """The hint of the first known mistake whose output ``got`` reproduces, else ``default``.

    ``known_mistakes`` is a list of ``(output_of_the_mistake, hint)`` pairs; use it
    to name the classic error (wrong axis, ddof=1, ...) instead of a generic hint.
    """
    got = np.asarray(got, dtype=float)
    for wrong, hint in known_mistakes:
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
            return hint
    return default


def as_float_array(value, text):
    """``np.asarray(value, dtype=float)``, or CheckFailed saying why the value is unusable."""
    if value is None:
        raise CheckFailed(f"{text} returned None; hint: did you forget the `return` statement?")
    try:
        with quiet():
            return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise CheckFailed(
            f"{text} returned a {type(value).__name__}, which is not a number or an array "
            f"of numbers ({error})"
        ) from None


def as_number(value, text, hint="return a float, for example `float(total)`"):
    """``value`` as a Python float, or CheckFailed when it is not a single number."""
    array = as_float_array(value, text)
    if array.size != 1:
        raise CheckFailed(
            f"{text} returned an array of shape {array.shape}, expected a single number; "
            f"hint: {hint}"
        )
    return float(array.reshape(()))


def expect_close(got, expected, text, hint, rtol=1e-6, atol=1e-8):
    """Fail unless ``got`` matches ``expected`` in shape and values (numpy ``isclose`` rule)."""
    got = as_float_array(got, text)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{text} returned shape {got.shape}, expected shape {expected.shape}; hint: {hint}"
        )
    problem = describe_mismatch(got, expected, rtol=rtol, atol=atol)
    if problem is None:
        return
    if got.size <= 12:
        raise CheckFailed(f"{text} returned {show(got)}, expected {show(expected)}; hint: {hint}")
    raise CheckFailed(f"{text} returned wrong values: {problem}; hint: {hint}")


def expect_equal(got, expected, text, hint):
    """Fail unless ``got == expected`` for plain Python values (ints, strings, tuples)."""
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


def _both_integers(a, b):
    integer = (int, np.integer)
    return isinstance(a, integer) and isinstance(b, integer) and not isinstance(a, bool)


def _verify_unchanged(name, args, args_after, kwargs, kwargs_after):
    """CheckFailed if the learner's function modified an input in place."""
    pairs = [(f"argument {i + 1}", a, b) for i, (a, b) in enumerate(zip(args, args_after))]
    pairs += [(f"argument {k}", kwargs[k], kwargs_after[k]) for k in kwargs]
    for label, before, after in pairs:
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            raise CheckFailed(
                f"{name} modified its {label} in place; hint: work on a copy "
                "(for example `x = x.copy()`) instead of changing the input"
            )
