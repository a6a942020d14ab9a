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
    ... of the course's own code  {"source": {name, module, sources, imports, values}}
                                  (sent to the kernel only: see :func:`_sent_by_source`)
    numpy ufunc                   {"ufunc": "name"}                (sent to the kernel only)
    anything else                 {"opaque": "type name"}

Only exact types are encoded (``type(x) is float``, not a subclass with its own
methods); a subclass of ndarray is encoded as its plain ndarray view.

Sizes are bounded both ways, so that whatever a kernel sends costs its reader little:
a text of at most ``limit`` characters (``MAX_TEXT``, 64 MiB, by default), holding at
most ``MAX_ITEMS`` separators (``{``, ``[`` and ``,``: about 250,000 values outside
arrays) and nested at most ``MAX_DEPTH`` containers deep. Arrays are read from their
``.npy`` header before any memory is set aside: a plain dtype of at least one byte
per element, a shape whose element count matches the bytes that follow. The kernel
checks its own reply first (:func:`encode` with ``limit``, :class:`TooLarge`), so an
honest learner whose function returns too much is told so in a few bytes.
"""

import base64
import builtins
import importlib
import inspect
import io
import json
import textwrap
import types

import numpy as np

#: Largest encoded text accepted by default, in characters (``TrustedExecute.reply_bytes``).
MAX_TEXT = 64 * 2**20
#: Most separators (``{``, ``[``, ``,``) a text may hold: each value outside an array takes
#: one to four, so this is room for about 250,000 values (and bounds what decoding builds).
MAX_ITEMS = 1_000_000
#: Deepest nesting of containers (tuples, lists, dicts) in a value.
MAX_DEPTH = 100
#: Largest ``.npy`` header of an array, in characters (a shape of a few dozen axes).
MAX_HEADER = 1000
#: Packages whose functions travel to the kernel as their source: the course's checks pass
#: functions of their own to learner code (``truth_sine``, ``rosenbrock``), and the kernel
#: cannot import the checks (the sandbox shows it none of them).
SENT_BY_SOURCE = ("autograder",)

_SCALARS = (type(None), bool, int, float, str)
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class TooLarge(ValueError):
    """A value too large to cross: ``what`` ("bytes", "items" or "depth") and how much."""

    def __init__(self, what: str, size: int, limit: int):
        super().__init__(f"{size} {what}, over the limit of {limit}")
        self.what, self.size, self.limit = what, size, limit
        self.shape, self.dtype = None, None  # of the array that was too large, when known

    def details(self) -> dict:
        """Plain data for the grader, which words the learner's message from it."""
        found = {"what": self.what, "size": self.size, "limit": self.limit}
        if self.shape is not None:
            found |= {"shape": [int(n) for n in self.shape], "dtype": str(self.dtype)}
        return found


class Opaque:
    """Stands for a value the kernel could not send as plain data (an object of its own)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def encode(value, limit: int | None = None) -> str:
    """``value`` as plain-data JSON text.

    With ``limit``, raise :class:`TooLarge` rather than produce a text that its reader
    would refuse: sizes are estimated first (a huge array is never encoded), then the
    text is measured as it will cross (:func:`crossing_size`) and its separators counted.
    """
    if limit is not None:
        _estimate(value, limit)
    text = json.dumps(_tree(value))
    if limit is not None:
        if (size := crossing_size(text)) > limit:
            raise TooLarge("bytes", size, limit)
        if (items := separators(text)) > MAX_ITEMS:
            raise TooLarge("items", items, MAX_ITEMS)
    return text


def crossing_size(text: str) -> int:
    """Bytes of ``text`` once embedded as a JSON string in a kernel message (an ASCII text:
    each quote and backslash gains a backslash)."""
    return len(text) + text.count('"') + text.count("\\") + 2


def separators(text) -> int:
    """The ``{``, ``[`` and ``,`` in ``text`` (str or bytes): an upper bound on the number of
    containers and values that parsing it as JSON creates."""
    if isinstance(text, str):
        return text.count("{") + text.count("[") + text.count(",")
    return text.count(b"{") + text.count(b"[") + text.count(b",")


def decode(text: str, functions: bool = False, limit: int = MAX_TEXT):
    """The value ``text`` encodes. Function references are resolved (by import) only
    with ``functions=True``, which only the kernel side uses; elsewhere they stay opaque.

    Refused with ValueError before parsing: a text over ``limit`` characters or with
    more than ``MAX_ITEMS`` separators; while decoding: nesting deeper than ``MAX_DEPTH``
    and arrays that are not what their header says (see :func:`_from_npy`)."""
    if not isinstance(text, str):
        raise ValueError("not plain-data text")
    if len(text) > limit:
        raise ValueError(f"{len(text)} characters, over the limit of {limit}")
    if separators(text) > MAX_ITEMS:
        raise ValueError(f"more than {MAX_ITEMS} separators: too many values outside arrays")
    return _value(json.loads(text), functions, 0)


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
        if value.__module__.split(".")[0] in SENT_BY_SOURCE:
            return _sent_by_source(value)
        return {"function": f"{value.__module__}:{value.__qualname__}"}
    return _opaque(value)


def _value(tree, functions, depth):
    if not isinstance(tree, dict):
        if isinstance(tree, list):
            raise ValueError("a bare JSON list is not plain data")
        return tree
    if depth > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} containers deep")
    if len(tree) != 1:
        raise ValueError("a plain-data tag holds exactly one entry")
    ((tag, content),) = tree.items()
    depth += 1
    if tag == "complex":
        return complex(*content)
    if tag == "ndarray":
        return _from_npy(content)
    if tag == "npscalar":
        return _from_npy(content, scalar=True)[()]
    if tag == "tuple":
        return tuple(_value(item, functions, depth) for item in _items(content))
    if tag == "list":
        return [_value(item, functions, depth) for item in _items(content)]
    if tag == "dict":
        return {_key(key): _value(item, functions, depth) for key, item in _items(content)}
    if tag == "generator":
        return _generator(content)
    if tag == "ufunc" and functions:
        return getattr(np, content)
    if tag == "source" and functions:
        return _from_source(content)
    if tag == "function" and functions:
        module, qualname = content.split(":")
        found = importlib.import_module(module)
        for part in qualname.split("."):
            found = getattr(found, part)
        return found
    if tag == "source":
        return Opaque(str(content.get("name") if isinstance(content, dict) else content))
    if tag in ("ufunc", "function", "opaque"):
        return Opaque(str(content))
    raise ValueError(f"unknown plain-data tag {tag!r}")


def _items(content) -> list:
    if not isinstance(content, list):
        raise ValueError("a container's items are not a list")
    return content


def _key(key):
    if type(key) not in (str, int):
        raise ValueError("a dict key that is not a string or an integer")
    return key


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


def _from_npy(text: str, scalar: bool = False) -> np.ndarray:
    """The array of a base64 ``.npy`` text, validated from its header before any memory
    is set aside for it: version 1 or 2, a plain dtype (:func:`_plain_dtype`) of at least
    one byte per element, a shape of non-negative integers (``()`` for a scalar) and
    exactly the data bytes that shape needs."""
    if not isinstance(text, str):
        raise ValueError("an array that is not base64 text")
    raw = base64.b64decode(text, validate=True)
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        header = np.lib.format.read_array_header_1_0(stream, max_header_size=MAX_HEADER)
    elif version == (2, 0):
        header = np.lib.format.read_array_header_2_0(stream, max_header_size=MAX_HEADER)
    else:
        raise ValueError(f"an array of .npy version {version}")
    shape, fortran_order, dtype = header
    if not _plain_dtype(np.empty(0, dtype)) or dtype.itemsize < 1 or dtype.subdtype is not None:
        raise ValueError(f"an array of dtype {dtype} (not a plain dtype)")
    if len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise ValueError(f"an array of shape {shape}")
    if scalar and shape != ():
        raise ValueError("a numpy scalar with a shape")
    count = 1
    for n in shape:
        count *= n
    data = memoryview(raw)[stream.tell() :]
    if count * dtype.itemsize != len(data):
        raise ValueError(
            f"an array whose header claims {count} elements of {dtype.itemsize} bytes "
            f"but carries {len(data)} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, count=count).reshape(
        shape, order="F" if fortran_order else "C"
    )
    return array.copy(order="K")


def _estimate(value, limit: int) -> None:
    """Raise :class:`TooLarge` when ``value`` will clearly encode to more than ``limit``
    bytes, more than ``MAX_ITEMS`` separators or more than ``MAX_DEPTH`` levels; cheap
    (arrays are sized from ``nbytes``, never encoded) and stopping at the first excess."""
    size, items = 0, 1
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if isinstance(item, np.ndarray | np.generic):
            size += 4 * (item.nbytes + 130) // 3
        elif kind is str:
            size += len(item) + 2
        elif kind in (tuple, list, dict):
            if depth >= MAX_DEPTH:
                raise TooLarge("depth", depth + 1, MAX_DEPTH)
            size += 12
            items += len(item) * (3 if kind is dict else 1)
            if items > MAX_ITEMS:
                raise TooLarge("items", items, MAX_ITEMS)
            stack += [(inner, depth + 1) for inner in (item.values() if kind is dict else item)]
        else:
            size += 8
        if size > limit:
            raise TooLarge("bytes", size, limit)


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


def _sent_by_source(fn) -> dict:
    """A module-level function of the course's checks as what the kernel needs to rebuild
    it without importing the checks: its source and that of the functions of its module
    it uses, the modules it uses under their names (``np``, ``math``) and the plain-data
    values it reads (``_BOWL``, an array). A name that cannot travel is left out (the
    function fails with NameError if it really needs it)."""
    sources, imports, values = {}, {}, {}
    todo = [fn]
    while todo:
        current = todo.pop()
        if current.__name__ in sources:
            continue
        try:
            sources[current.__name__] = textwrap.dedent(inspect.getsource(current))
        except (OSError, TypeError):
            return _opaque(fn)
        for name in _global_names(current.__code__):
            if name not in current.__globals__ or name in sources:
                continue
            found = current.__globals__[name]
            if isinstance(found, types.ModuleType):
                imports[name] = found.__name__
            elif isinstance(found, types.FunctionType) and found.__module__ == fn.__module__:
                todo.append(found)
            elif not isinstance(found, type) and "opaque" not in (tree := _tree(found)):
                values[name] = tree
    return {
        "source": {
            "name": fn.__name__,
            "module": fn.__module__,
            "sources": sources,
            "imports": imports,
            "values": values,
        }
    }


def _global_names(code) -> set[str]:
    """The global names a code object (and the code nested in it) may read."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _from_source(content: dict):
    """The function :func:`_sent_by_source` describes, rebuilt in a namespace of its own."""
    namespace = {"__builtins__": builtins, "__name__": str(content["module"])}
    for name, module in content["imports"].items():
        namespace[name] = importlib.import_module(module)
    for name, tree in content["values"].items():
        namespace[name] = _value(tree, False, 0)
    for source in content["sources"].values():
        exec(compile(source, f"<{content['module']}>", "exec"), namespace)
    return namespace[content["name"]]
