"""Plain data across the kernel boundary: values round-trip; objects never come back alive."""

import json

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
    fn = getting_started.centre_columns_basic
    assert isinstance(_round_trip(fn), plaindata.Opaque)
    assert _round_trip(fn, functions=True) is fn
    assert _round_trip(np.sin, functions=True) is np.sin


def test_unknown_tags_bad_generators_and_huge_text_are_refused():
    with pytest.raises(ValueError, match="unknown plain-data tag"):
        plaindata.decode(json.dumps({"pickle": "gASV"}))
    with pytest.raises(ValueError, match="unknown bit generator"):
        plaindata.decode(json.dumps({"generator": {"bit_generator": "os.system"}}))
    with pytest.raises(ValueError, match="larger than the limit"):
        plaindata.decode(" " * (plaindata.MAX_TEXT + 1))
