"""Plain data across the kernel boundary: JSON text that can only ever decode to data.

When a notebook is graded, the checks run in the grader's process and the learner's
functions run in the (untrusted) kernel. Arguments go in and results come back as
JSON built from a small set of tags; decoding never imports, calls or unpickles
anything the kernel chose, so a lying ``__eq__``, ``__array__`` or ``__float__`` has
nothing to act on.

    value                         encoded as
    None, bool, int, float, str   itself (floats may be NaN or +-inf)
    complex                       {"complex": [re, im]}
    numpy array / numpy scalar    {"ndarray" | "npscalar": base64 of the .npy bytes}
    tuple, list                   {"tuple" | "list": [items]}
    dict with str/int keys        {"dict": [[key, value], ...]}
    numpy random Generator        {"generator": its bit generator's state}
    module-level function         {"function": "module:qualname"}  (sent to the kernel only)
    numpy ufunc                   {"ufunc": "name"}                (sent to the kernel only)
    anything else                 {"opaque": "type name"}

Only exact types are encoded (``type(x) is float``, not a subclass with its own
methods); a subclass of ndarray is encoded as its plain ndarray view.
"""

import base64
import importlib
import io
import json

import numpy as np

#: Largest encoded message accepted from a kernel, in characters.
MAX_TEXT = 64 * 2**20

_SCALARS = (type(None), bool, int, float, str)
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class Opaque:
    """Stands for a value the kernel could not send as plain data (an object of its own)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def encode(value) -> str:
    """``value`` as plain-data JSON text."""
    return json.dumps(_tree(value))


def decode(text: str, functions: bool = False):
    """The value ``text`` encodes. Function references are resolved (by import) only
    with ``functions=True``, which only the kernel side uses; elsewhere they stay opaque."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError("not plain-data text, or larger than the limit")
    return _value(json.loads(text), functions)


def _tree(value):
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is complex:
        return {"complex": [value.real, value.imag]}
    if isinstance(value, np.ndarray):
        return {"ndarray": _npy(value.view(np.ndarray))} if _plain_dtype(value) else _opaque(value)
    if isinstance(value, np.generic):
        return {"npscalar": _npy(np.asarray(value))} if _plain_dtype(value) else _opaque(value)
    if kind in (tuple, list):
        return {kind.__name__: [_tree(item) for item in value]}
    if kind is dict and all(type(k) in (str, int) for k in value):
        return {"dict": [[key, _tree(item)] for key, item in value.items()]}
    if kind is np.random.Generator:
        return {"generator": value.bit_generator.state}
    if isinstance(value, np.ufunc):
        return {"ufunc": value.__name__}
    if _module_function(value):
        return {"function": f"{value.__module__}:{value.__qualname__}"}
    return _opaque(value)


def _value(tree, functions):
    if not isinstance(tree, dict):
        return tree
    ((tag, content),) = tree.items()
    if tag == "complex":
        return complex(*content)
    if tag == "ndarray":
        return _from_npy(content)
    if tag == "npscalar":
        return _from_npy(content)[()]
    if tag == "tuple":
        return tuple(_value(item, functions) for item in content)
    if tag == "list":
        return [_value(item, functions) for item in content]
    if tag == "dict":
        return {key: _value(item, functions) for key, item in content}
    if tag == "generator":
        return _generator(content)
    if tag == "ufunc" and functions:
        return getattr(np, content)
    if tag == "function" and functions:
        module, qualname = content.split(":")
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
        return found
    if tag in ("ufunc", "function", "opaque"):
        return Opaque(str(content))
    raise ValueError(f"unknown plain-data tag {tag!r}")


def _generator(state: dict) -> np.random.Generator:
    """A Generator in ``state``, for one of numpy's own bit generators only."""
    if state.get("bit_generator") not in _BIT_GENERATORS:
        raise ValueError(f"unknown bit generator {state.get('bit_generator')!r}")
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _plain_dtype(array) -> bool:
    """Numbers, booleans and strings only: object arrays could hold anything."""
    return array.dtype.kind in "biufcUS" and array.dtype.fields is None


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _from_npy(text: str) -> np.ndarray:
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


def _module_function(value) -> bool:
    """A function defined at module level (so the kernel can import it by name)."""
    qualname = getattr(value, "__qualname__", "")
    return (
        callable(value)
        and isinstance(getattr(value, "__module__", None), str)
        and "<" not in qualname
        and qualname != ""
    )


def _opaque(value) -> dict:
    return {"opaque": type(value).__name__}
