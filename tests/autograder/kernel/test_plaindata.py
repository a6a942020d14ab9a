"""Plain data across the kernel boundary: values round-trip; objects never come back alive."""

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from autograder.checks import getting_started
from autograder.kernel import plaindata


class LyingFloat(float):
    def __eq__(self, other):
        return True


class LyingArray(np.ndarray):
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


def _round_trip(value, functions=False):
    return plaindata.decode(plaindata.encode(value), functions=functions)


@pytest.mark.parametrize(
    "value",
    [None, True, 3, -(2**70), 2.5, float("inf"), "é", 1 - 2j, (1, [2, {"a": 3}]), {1: "x"}],
)
def test_plain_values_round_trip_with_their_types(value):
    back = _round_trip(value)
    assert back == value and type(back) is type(value)


def test_arrays_and_numpy_scalars_keep_dtype_shape_and_nan():
    arrays = [np.arange(6.0).reshape(2, 3), np.array([np.nan, 1.0]), np.eye(2, dtype=np.int8)]
    for array in arrays:
        back = _round_trip(array)
        assert back.dtype == array.dtype and np.array_equal(back, array, equal_nan=True)
    scalar = _round_trip(np.float32(1.5))
    assert type(scalar) is np.float32 and scalar == 1.5


def test_a_generator_continues_where_it_was():
    rng = np.random.default_rng(7)
    rng.standard_normal(3)
    copy = _round_trip(rng)
    assert np.array_equal(copy.standard_normal(4), rng.standard_normal(4))


def test_objects_with_their_own_methods_come_back_opaque():
    for value in [object(), LyingFloat(1.0), lambda x: x, np.array([object()])]:
        back = _round_trip(value)
        assert isinstance(back, plaindata.Opaque), value
    lying = np.zeros(3).view(LyingArray)
    lying[:] = [1.0, 2.0, 3.0]
    back = _round_trip(lying)
    assert type(back) is np.ndarray and back.tolist() == [1.0, 2.0, 3.0]


def test_functions_are_resolved_by_name_only_on_request():
    assert isinstance(_round_trip(np.sin), plaindata.Opaque)
    assert _round_trip(np.sin, functions=True) is np.sin
    fn = getting_started.centre_columns_basic
    assert isinstance(_round_trip(fn), plaindata.Opaque)  # the grader never rebuilds one


def test_the_checks_own_functions_travel_as_source_and_need_no_checks_in_the_kernel():
    """The sandboxed kernel cannot import the checks, so a function they pass to learner
    code (its helpers, modules and constants with it) is rebuilt from its source."""
    from autograder.checks import calculus_autodiff, optimization

    texts = [plaindata.encode(f) for f in (calculus_autodiff.rosenbrock_grad, optimization.bowl)]
    kernel = (
        "import sys, json, numpy as np\n"
        "sys.modules['autograder.checks'] = None  # as in the sandbox: not importable\n"
        "from autograder.kernel import plaindata\n"
        "grad, bowl = (plaindata.decode(t, functions=True) for t in json.loads(sys.argv[1]))\n"
        "print(grad(np.array([0.5, -1.0, 1.5])).tolist(), bowl(np.array([1.0, 2.0])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", kernel, json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
    )
    x = np.array([0.5, -1.0, 1.5])
    expected = (
        f"{calculus_autodiff.rosenbrock_grad(x).tolist()} {optimization.bowl(np.array([1.0, 2.0]))}"
    )
    assert done.stdout.strip() == expected


def test_unknown_tags_bad_generators_and_huge_text_are_refused():
    with pytest.raises(ValueError, match="unknown plain-data tag"):
        plaindata.decode(json.dumps({"pickle": "gASV"}))
    with pytest.raises(ValueError, match="unknown bit generator"):
        plaindata.decode(json.dumps({"generator": {"bit_generator": "os.system"}}))
    with pytest.raises(ValueError, match="67108865 characters, over the limit of 67108864"):
        plaindata.decode(" " * (plaindata.MAX_TEXT + 1))


def _npy(header: str, data: bytes = b"", version: bytes = b"\x01\x00") -> str:
    """A base64 .npy text with a header of our own making (what a forged reply can hold)."""
    header = header + " " * (117 - len(header)) + "\n"
    size = len(header).to_bytes(2 if version == b"\x01\x00" else 4, "little")
    return base64.b64encode(b"\x93NUMPY" + version + size + header.encode() + data).decode()


@pytest.mark.parametrize(
    ("header", "data", "version", "message"),
    [
        ("{'descr': '|S0', 'fortran_order': False, 'shape': (400000000,), }", b"", None, "|S0"),
        ("{'descr': '<U0', 'fortran_order': False, 'shape': (1000000000,), }", b"", None, "<U0"),
        ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8, None, "object"),
        (
            "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
            b"\0" * 8,
            None,
            "not a plain dtype",
        ),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", b"", None, "shape (-1,)"),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
            b"\0" * 40,
            None,
            "claims 6 elements of 8 bytes but carries 40 bytes",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
            b"\0" * 8,
            b"\x03\x00",
            "version (3, 0)",
        ),
    ],
    ids=[
        "zero-size-bytes",
        "zero-size-unicode",
        "objects",
        "structured",
        "negative",
        "short",
        "version-3",
    ],
)
def test_an_array_is_validated_from_its_header_before_memory_is_set_aside(
    header, data, version, message
):
    text = _npy(header, data, version or b"\x01\x00")
    with pytest.raises(ValueError, match=re.escape(message)):
        plaindata.decode(json.dumps({"ndarray": text}))


def test_decoded_arrays_are_writable_copies_in_their_order():
    for array in [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.eye(3)), np.array("ab")]:
        back = plaindata.decode(plaindata.encode(array))
        assert back.flags.writeable and np.array_equal(back, array)
        assert back.flags.f_contiguous == array.flags.f_contiguous


def test_too_many_values_and_too_deep_a_nesting_are_refused_both_ways():
    many, deep = list(range(plaindata.MAX_ITEMS + 1)), []
    for _ in range(plaindata.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(plaindata.TooLarge) as refused:
        plaindata.encode(many, limit=plaindata.MAX_TEXT)
    assert refused.value.what == "items"
    with pytest.raises(plaindata.TooLarge) as refused:
        plaindata.encode(deep, limit=plaindata.MAX_TEXT)
    assert (refused.value.what, refused.value.limit) == ("depth", plaindata.MAX_DEPTH)
    with pytest.raises(ValueError, match="separators"):
        plaindata.decode(plaindata.encode(many))
    with pytest.raises(ValueError, match="nested more than 100 containers deep"):
        plaindata.decode(plaindata.encode(deep))


def test_the_size_a_text_takes_as_it_crosses_is_what_the_kernel_measures():
    text = plaindata.encode({"s": 'a "quoted" \\ word', "x": np.ones(3)})
    assert plaindata.crossing_size(text) == len(json.dumps(text))
    with pytest.raises(plaindata.TooLarge) as refused:
        plaindata.encode("x" * 1000, limit=999)
    assert refused.value.details() == {"what": "bytes", "size": 1002, "limit": 999}
