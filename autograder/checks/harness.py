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
An exercise whose prompt forbids a shortcut ("do not use ``np.linalg.det``") declares a
:class:`Forbidden` next to its check and calls its ``check`` last: the answer's source is
read (parsed, never run) and a call of a forbidden name fails with the call named.
The harness imports only numpy and the standard library: checks of every module build on it.
"""

import ast
import contextlib
import copy
import io
import sys
import warnings

import numpy as np


class CheckFailed(AssertionError):
    """A failed check; the message is written for the learner."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for it in a learner's notebook: the message alone, without
        the frames of the check (they say nothing the message does not)."""
        return [f"\x1b[0;31mCheckFailed\x1b[0m: {self}"]


def show(value, threshold=12):
    """Short, readable text for a value: small arrays in full, large ones by shape."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if _arrays_of_several_shapes(value):  # a network's layers
        shapes = ", ".join(str(np.shape(v)) for v in value[:4])
        return f"<{len(value)} arrays of shapes {shapes}{', ...' if len(value) > 4 else ''}>"
    if isinstance(value, np.ndarray | list | tuple) and len(value) > 0:
        try:
            array = np.asarray(value)
        except ValueError:  # ragged nested lists
            return repr(value)[:77] + "..." if len(repr(value)) > 80 else repr(value)
        if array.ndim == 0:
            return repr(value)
        if array.size > threshold:
            return f"<array of shape {array.shape}>"
        return np.array2string(array, precision=6, separator=", ").replace("\n", "")
    if isinstance(value, float | np.floating | complex | np.complexfloating):
        return f"{value:.6g}"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__  # a function passed to the learner's code, by name
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _arrays_of_several_shapes(value):
    return (
        isinstance(value, list | tuple)
        and len(value) > 1
        and all(isinstance(v, np.ndarray) for v in value)
        and len({v.shape for v in value}) > 1
    )


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


def weight_dict(result, text, shapes, hint):
    """``result`` as a dict of float arrays with the keys and shapes of ``shapes`` (name ->
    shape), for an exercise that returns a trained model's weights; extra keys are
    ignored. Fails naming what is wrong: not a dict or keys missing, a weight in torch's
    (out, in) layout (the transposed shape), another shape, inf or nan."""
    if not isinstance(result, dict) or not set(shapes) <= set(result):
        missing = sorted(set(shapes) - set(result)) if isinstance(result, dict) else list(shapes)
        keys = list(shapes) if len(shapes) <= 6 else [*list(shapes)[:3], "...", *list(shapes)[-2:]]
        raise CheckFailed(
            f"{text} returned {show(result)}, expected a dict of weights with the keys "
            f"{', '.join(keys)} (missing: {', '.join(missing[:4])}"
            f"{', ...' if len(missing) > 4 else ''}); hint: {hint}"
        )
    weights = {}
    for key, shape in shapes.items():
        array = as_float_array(result[key], f"{text}['{key}']")
        if array.shape != shape and array.shape == shape[::-1]:
            raise CheckFailed(
                f"{text}['{key}'] has shape {array.shape}, expected {shape}; hint: torch "
                "stores nn.Linear weights as (out, in): transpose them (`layer.weight.T`) so "
                "that a layer computes x @ W + b"
            )
        expect(
            array.shape == shape,
            f"{text}['{key}'] has shape {array.shape}, expected {shape}; hint: {hint}",
        )
        expect(
            bool(np.all(np.isfinite(array))),
            f"{text}['{key}'] holds inf or nan; hint: training diverged, try the prompt's "
            "learning rate",
        )
        weights[key] = array
    return weights


def expect_seeded_weights(fn, name, args, seeds, read, recipe, hint=None, **kwargs):
    """Two calls ``fn(*args, seeds[0], **kwargs)`` return the same weights, one with
    ``seeds[1]`` other weights. ``read(result, text)`` takes the weights out of a result
    (checking them, as :func:`weight_dict` does); ``recipe`` says how to seed a training
    run, the hint of both failures."""
    first, text = call(fn, name, *args, seeds[0], hint=hint, **kwargs)
    first = read(first, text)
    again, again_text = call(fn, name, *args, seeds[0], hint=hint, **kwargs)
    expect(
        _same_numbers(first, read(again, again_text), text),
        f"two calls {text} returned different weights; hint: {recipe}",
    )
    other, other_text = call(fn, name, *args, seeds[1], hint=hint, **kwargs)
    expect(
        not _same_numbers(first, read(other, other_text), other_text),
        f"{other_text} returned the same weights as seed {seeds[0]}; hint: use the seed "
        f"argument instead of a fixed seed: {recipe}",
    )


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


# ---------------------------------------------------------------------------
# Forbidden shortcuts, read from the answer's source
# ---------------------------------------------------------------------------

#: The name under which the grader hands a test cell the sources of the notebook's code
#: cells that ran in the kernel before it, in order (``autograder.kernel.outside`` sets it
#: in the test cell's namespace; the same string is defined there).
NOTEBOOK_CELLS = "__notebook_cells__"

#: Aliases shown as the learner writes them (``np.linalg.det``, not ``numpy.linalg.det``).
_CONVENTIONAL = ("np", "dk", "sp")


class Forbidden:
    """Names the answer to ``exercise`` may not use, and why (the prompt forbids them).

    ``names`` are dotted names as they are imported (``"numpy.linalg.det"``,
    ``"sklearn"`` for all of scikit-learn): a use of the name or of anything under it
    counts; ``".var"``, a method of that name on anything (``x.var()``); ``"@"`` and
    ``"** 0.5"``, those operators; ``"loop"``, any Python loop or comprehension. Declare
    one next to the exercise's check and call :meth:`check` at the end of both parts.
    It stops honest shortcuts, not a determined cheat: code can always hide a call from
    a reading of its source (``getattr``, ``exec``, another cell's alias), so the value
    checks stay the real test.
    """

    def __init__(self, exercise: str, names, why: str):
        self.exercise, self.names, self.why = exercise, tuple(names), why

    def check(self, fn) -> None:
        """Fail when the answer's source uses one of the names (see :func:`forbidden_use`)."""
        cells = notebook_cells()
        if cells is None:
            return  # no source to read: plain Python, not a notebook
        name = getattr(fn, "__name__", None) or self.exercise
        found = forbidden_use(cells, name, self.names)
        if found is not None:
            written, called = found
            verb = "calls" if called else "uses"
            written = f"`{written}`" if written in ("@", "** 0.5") else written
            raise CheckFailed(f"your answer {verb} {written}; hint: {self.why}")

    def __repr__(self) -> str:
        return f"Forbidden({self.exercise!r}, {self.names!r})"


def notebook_cells() -> list[str] | None:
    """The sources of the notebook's code cells that ran before the running test cell, in
    order, or None when there are none to read.

    When grading, the grader passes them in the test cell's namespace (:data:`NOTEBOOK_CELLS`),
    from the submitted notebook: nothing the kernel says is used. When a learner runs the
    test cell in their own kernel, they are IPython's input history (``_ih``), what that
    kernel ran. Found in the globals of the nearest calling frame that has either.
    """
    frame = sys._getframe(1)
    while frame is not None:
        found = frame.f_globals
        if NOTEBOOK_CELLS in found:  # a plain ``in``: the grader's namespace asks no kernel
            return [str(cell) for cell in found[NOTEBOOK_CELLS]]
        if "_ih" in found and "get_ipython" in found:  # a learner's IPython kernel
            return [str(cell) for cell in found["_ih"][1:-1]]  # without the test cell itself
        frame = frame.f_back
    return None


def forbidden_use(cells: list[str], name: str, forbidden) -> tuple[str, bool] | None:
    """The first use of a ``forbidden`` dotted name by the function ``name`` as ``cells``
    define it (its last top-level ``def``, or ``name = ...``), following the functions of
    the notebook it calls: ``(the name as written, whether it is called)``, or None.

    Names are resolved through every import and plain alias (``det = np.linalg.det``) of
    the cells; cells that do not parse (magics aside) are skipped.
    """
    trees = [tree for tree in map(_parse_cell, cells) if tree is not None]
    aliases = _aliases(trees)
    definitions = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                definitions[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        definitions[target.id] = node.value
    todo, seen = [name], set()
    while todo:
        current = todo.pop(0)
        if current in seen or current not in definitions or len(seen) > 50:
            continue
        seen.add(current)
        node = definitions[current]
        called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
        local = _local_names(node)
        for expression in ast.walk(node):
            operator = _operator(expression)
            if operator == "loop" and "loop" in forbidden:
                return f"a Python loop ({_LOOPS[type(expression)]})", False
            if operator is not None and operator in forbidden:
                return operator, False
            if isinstance(expression, ast.Attribute) and f".{expression.attr}" in forbidden:
                if isinstance(expression.ctx, ast.Load):
                    shown = _dotted(expression) or f"(...).{expression.attr}"
                    return shown, id(expression) in called
            written = _dotted(expression)
            if written is None or not isinstance(getattr(expression, "ctx", None), ast.Load):
                continue
            if written.split(".")[0] in local:
                continue  # a variable of the function's own, whatever the notebook calls so
            resolved = _resolve(written, aliases)
            if any(resolved == f or resolved.startswith(f + ".") for f in forbidden):
                return _shown(written, resolved), id(expression) in called
            helper = definitions.get(written)
            if isinstance(helper, ast.FunctionDef | ast.AsyncFunctionDef) and written != current:
                todo.append(written)  # a function of the notebook's own that this one uses
    return None


_LOOPS = {
    ast.For: "for",
    ast.AsyncFor: "for",
    ast.While: "while",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}


def _operator(node) -> str | None:
    """``"@"`` for a matrix product, ``"** 0.5"`` for a square root by power, ``"loop"`` for a
    Python loop (``for``, ``while``, a comprehension), else None."""
    if type(node) in _LOOPS:
        return "loop"
    op = getattr(node, "op", None)
    if isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(op, ast.MatMult):
        return "@"
    if isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(op, ast.Pow):
        exponent = node.right if isinstance(node, ast.BinOp) else node.value
        if isinstance(exponent, ast.Constant) and exponent.value in (0.5, 1 / 2):
            return "** 0.5"
    return None


def _local_names(node) -> set[str]:
    """Names a function binds itself (parameters, assignments, loop variables; not its
    imports, which are aliases): they shadow the notebook's names of the same spelling."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return set()
    found = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            found.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store | ast.Del):
            found.add(inner.id)
        elif isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef) and inner is not node:
            found.add(inner.name)
    return found


def _parse_cell(source: str):
    """A cell's syntax tree, IPython magics and shell lines left out; None if it does not parse."""
    if source.lstrip().startswith("%%"):
        return None
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def _aliases(trees) -> dict[str, str]:
    """local name -> the dotted name it stands for, from every import and plain alias."""
    aliases = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for tree in trees:  # det = np.linalg.det, after the imports are known
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, written = node.targets[0], _dotted(node.value)
                if isinstance(target, ast.Name) and written and written.split(".")[0] in aliases:
                    aliases.setdefault(target.id, _resolve(written, aliases))
    return aliases


def _dotted(node) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _resolve(written: str, aliases: dict[str, str]) -> str:
    head, _, rest = written.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base


def _shown(written: str, resolved: str) -> str:
    """The name as the learner wrote it when that reads clearly (``np.linalg.det``), else
    the full name (``sklearn.linear_model.LinearRegression`` for ``LinearRegression``)."""
    head = written.split(".")[0]
    if "." in written and (head == resolved.split(".")[0] or head in _CONVENTIONAL):
        return written
    return resolved


def answer_calls(fn, callee: str) -> bool | None:
    """Whether the learner's ``fn``, as the notebook's cells define it (helpers included),
    uses the notebook's function ``callee`` (a later exercise reusing an earlier answer, as
    the notebook advises); None when there is no source to read. For checks that name a
    mistake inherited from the earlier answer."""
    cells = notebook_cells()
    if cells is None:
        return None
    name = getattr(fn, "__name__", None) or ""
    return forbidden_use(cells, name, (callee,)) is not None
