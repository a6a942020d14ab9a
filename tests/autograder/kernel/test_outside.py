"""The grader's side of the trust boundary, against a fake kernel.

``FakeKernel`` is a KernelCalls without a kernel: the real ``describe`` and ``call``
build the requests, and ``inside.serve`` answers them in this process from a plain
dict of "learner" names, its reply crossing as plaindata text both ways, so the
learner's functions only ever see decoded copies and the grader only decoded data.
``ForgedKernel`` sends replies that tampered kernel-side code could send instead.
``ScriptedClient`` stands in for jupyter_client's client, to drive the real
``KernelCalls`` message loop.
"""

import contextlib
import json
import time
import types
import warnings
from queue import Empty
from unittest import mock

import numpy as np
import pytest

from autograder.checks import harness
from autograder.kernel import inside, outside, plaindata
from autograder.kernel.outside import (
    KernelCalls,
    KernelDied,
    KernelFunction,
    KernelNamespace,
    KernelTimeout,
    run_test_cell,
)

HINT = (
    "; hint: has code in the notebook replaced parts of the autograder or of IPython? "
    "Restart the kernel and run the notebook from the top"
)
UNREADABLE = "the kernel's reply could not be read"
CENTRE_CELL = (
    "from autograder.checks import getting_started as chk\n"
    "print('checking centre_columns')\n"
    "chk.centre_columns_basic(centre_columns)\n"
)


# --------------------------------------------------------------------------- fakes


@contextlib.contextmanager
def kernel_hooks(user_ns: dict):
    """``inside``'s IPython hooks replaced: the shell's names are ``user_ns``; the reply
    texts that ``serve`` displays are collected in the list this yields."""
    published = []
    shell = types.SimpleNamespace(user_ns=user_ns)

    def display(data):
        published.append(data[inside.MIMETYPE])

    with (
        mock.patch.object(inside, "get_ipython", lambda: shell),
        mock.patch.object(inside, "publish_display_data", display),
    ):
        yield published


class FakeKernel:
    """KernelCalls answered in this process by ``inside.serve`` on ``user_ns``."""

    describe = KernelCalls.describe
    call = KernelCalls.call

    def __init__(self, **user_ns):
        self.user_ns = user_ns
        self.requests = []  # the names asked for, in order

    def _request(self, name: str, request: str | None) -> dict:
        self.requests.append(name)
        with kernel_hooks(self.user_ns) as published:
            inside.serve(name, request)
        (text,) = published
        return plaindata.decode(text)


class ForgedKernel:
    """A kernel whose every name is a function and every call's reply is ``reply``."""

    def __init__(self, reply: dict):
        self.reply = reply

    def describe(self, name):
        return {"callable": True}

    def call(self, name, args, kwargs):
        return self.reply


class BrokenKernel(ForgedKernel):
    """A kernel that stops (or hangs) when a function is called: ``error`` is raised."""

    def __init__(self, error: Exception):
        self.error = error

    def call(self, name, args, kwargs):
        raise self.error


class ScriptedClient:
    """jupyter_client's client, answering each ``execute`` with the iopub messages a
    kernel sends: a stray reply to another request, busy, one display per text of
    ``published``, idle; with ``answers=False`` nothing ever comes."""

    def __init__(self, *published: str, answers: bool = True):
        self.published, self.answers = published, answers
        self.sent, self.queue = [], []

    def load_connection_info(self, info):
        pass

    def start_channels(self, **channels):
        pass

    def execute(self, code, **options):
        self.sent.append(code)
        msg_id = f"request-{len(self.sent)}"
        if self.answers:
            self.queue += [
                _display("request-0", plaindata.encode({"missing": True})),
                _status(msg_id, "busy"),
                *(_display(msg_id, text) for text in self.published),
                _status(msg_id, "idle"),
            ]
        return msg_id

    def get_iopub_msg(self, timeout):
        if not self.queue:
            time.sleep(0.001)
            raise Empty
        return self.queue.pop(0)


def _display(msg_id, text):
    content = {"data": {inside.MIMETYPE: text}}
    return {"parent_header": {"msg_id": msg_id}, "msg_type": "display_data", "content": content}


def _status(msg_id, state):
    content = {"execution_state": state}
    return {"parent_header": {"msg_id": msg_id}, "msg_type": "status", "content": content}


def raised_by(function: KernelFunction) -> BaseException:
    """What calling ``function()`` raises (any exception: the test checks its class)."""
    with pytest.raises(BaseException) as raised:
        function()
    return raised.value


def scripted_calls(monkeypatch, client, alive=True, timeout=5.0) -> KernelCalls:
    monkeypatch.setattr(outside, "BlockingKernelClient", lambda: client)
    return KernelCalls({}, is_alive=lambda: alive, timeout=timeout)


# --------------------------------------------------------------------------- the learner's code
# These run "in the kernel": on the decoded copies of the grader's arguments.


def double(x):
    return 2 * x


def scale(x, factor=1.0):
    scale.seen = (x, factor)  # what the kernel received
    return x * factor


def scribble(a, items, table):
    a[0] = -1.0
    items.append("new")
    table["added"] = True


def zero_first(arrays):
    for array in arrays:
        array[0] = 0.0


def reshape_in_place(x):
    x.shape = (1, x.size)
    x[0, 0] = 100.0


def centre_columns(X):
    return X - X.mean(axis=0)


def centre_rows(X):
    return X - X.mean(axis=1, keepdims=True)


def centre_in_place(X):
    X -= X.mean(axis=0)
    return X


class LyingValue:
    """A learner's object that claims to equal everything."""

    def __eq__(self, other):
        return True

    __hash__ = None


def return_liar():
    return LyingValue()


class LearnerError(ValueError):
    pass


def raise_value_error():
    raise ValueError("x must be 2-D")


def raise_learner_error():
    raise LearnerError("my own error")


def invert_singular():
    return np.linalg.inv(np.zeros((2, 2)))


def decode_bad_bytes():
    return b"\xff".decode()


def exit_grader():
    raise SystemExit("stop grading")


def raise_timeout():
    raise TimeoutError("too slow")


# --------------------------------------------------------------------------- KernelNamespace


def test_a_test_cells_own_names_and_builtins_are_never_asked_of_the_kernel():
    kernel = FakeKernel(answer=1, len=lambda x: 99, print=double)
    result = run_test_cell("answer = 2\nprint(len([1, 2]), answer)", kernel, "cell")
    assert result == ("2 2\n", None)
    assert kernel.requests == []


def test_a_missing_name_is_a_key_error_and_a_name_error_in_the_cell():
    kernel = FakeKernel()
    with pytest.raises(KeyError, match="absent"):
        KernelNamespace(kernel)["absent"]
    printed, error = run_test_cell("print('start')\nabsent + 1", kernel, "cell")
    assert printed == "start\n"
    assert type(error) is NameError and str(error) == "name 'absent' is not defined"
    assert kernel.requests == ["absent", "absent"]


def test_a_kernel_function_comes_back_as_a_proxy_of_that_name():
    found = KernelNamespace(FakeKernel(double=double))["double"]
    assert type(found) is KernelFunction
    assert found.__name__ == "double" and repr(found) == "<learner function double>"
    assert found(21) == 42


def test_kernel_values_come_back_as_plain_data_and_objects_as_opaque():
    weights, config = np.arange(6.0).reshape(2, 3), {"lr": 0.1, "sizes": [2, (3, 4)]}
    namespace = KernelNamespace(FakeKernel(weights=weights, config=config, model=LyingValue()))
    got = namespace["weights"]
    assert type(got) is np.ndarray and got is not weights
    assert got.dtype == np.float64 and got.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert namespace["config"] == {"lr": 0.1, "sizes": [2, (3, 4)]}
    model = namespace["model"]
    assert type(model) is plaindata.Opaque and model.type_name == "LyingValue"
    assert model != 1


# --------------------------------------------------------------------------- KernelFunction


def test_a_call_sends_its_arguments_as_copies_and_brings_the_result_back():
    x = np.array([1.0, 2.0])
    result = KernelFunction(FakeKernel(scale=scale), "scale")(x, factor=3.0)
    assert type(result) is np.ndarray and result.tolist() == [3.0, 6.0]
    kernel_x, kernel_factor = scale.seen
    assert kernel_x is not x and kernel_x.tolist() == [1.0, 2.0] and kernel_factor == 3.0


def test_a_result_that_is_an_object_of_the_learner_comes_back_opaque():
    result = KernelFunction(FakeKernel(return_liar=return_liar), "return_liar")()
    assert type(result) is plaindata.Opaque and result != 0


def test_in_place_changes_to_arrays_lists_and_dicts_are_copied_back():
    a, items, table = np.zeros(3), ["old"], {"kept": 1}
    KernelFunction(FakeKernel(scribble=scribble), "scribble")(a, items, table=table)
    assert a.tolist() == [-1.0, 0.0, 0.0]
    assert items == ["old", "new"]
    assert table == {"kept": 1, "added": True}


def test_an_array_whose_shape_changed_is_not_copied_back():
    x = np.array([1.0, 2.0, 3.0])
    KernelFunction(FakeKernel(reshape_in_place=reshape_in_place), "reshape_in_place")(x)
    assert x.shape == (3,) and x.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (np.array([0.5, 1.5]), np.array(["a", "b"])),
        (np.array([0.5, 1.5]), np.array([1.0, 2.0, 3.0])),
        (np.array([0.5, 1.5]), [7.0, 8.0]),
        ([0.5, 1.5], (7.0, 8.0)),
        ({"a": 1}, [["a", 2]]),
    ],
    ids=["strings-for-numbers", "other-shape", "list-for-array", "tuple-for-list", "list-for-dict"],
)
def test_a_forged_argument_of_another_kind_or_shape_is_not_copied_back(before, after):
    snapshot = plaindata.encode(before)
    KernelFunction(ForgedKernel({"result": None, "args": [after]}), "f")(before)
    assert plaindata.encode(before) == snapshot


def test_forged_extra_arguments_are_ignored():
    items, options = [1], {"n": 1}
    reply = {"result": 0, "args": [[9], [8]], "kwargs": {"options": {"n": 2}, "other": [5]}}
    assert KernelFunction(ForgedKernel(reply), "f")(items, options=options) == 0
    assert items == [9] and options == {"n": 2}


@pytest.mark.parametrize(
    ("function", "expected", "message"),
    [
        (raise_value_error, ValueError, "x must be 2-D"),
        (raise_learner_error, ValueError, "my own error"),  # its class is unknown: the base's
        (invert_singular, np.linalg.LinAlgError, "Singular matrix"),
        # UnicodeDecodeError(message) fails: the next class of the mro is used
        (
            decode_bad_bytes,
            UnicodeError,
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
        (exit_grader, RuntimeError, "stop grading"),  # no BaseException reaches the grader
        (raise_timeout, TimeoutError, "too slow"),  # not a KernelTimeout
    ],
)
def test_an_exception_in_the_kernel_is_raised_as_a_class_the_grader_knows(
    function, expected, message
):
    error = raised_by(KernelFunction(FakeKernel(f=function), "f"))
    assert type(error) is expected and str(error) == message


@pytest.mark.parametrize(
    ("mro", "expected"),
    [
        ([["numpy", "linalg.LinAlgError"]], np.linalg.LinAlgError),
        ([["learner_module", "MyError"], ["builtins", "KeyError"]], KeyError),
        # os.error is OSError, but only builtins, numpy and scipy are looked in
        ([["os", "error"]], RuntimeError),
        ([["os.path", "something"], ["numpy.not_imported", "Error"]], RuntimeError),
        ([["builtins", "print"], ["builtins", "object"], ["numpy", "nothing"]], RuntimeError),
        ([["builtins", "UnicodeDecodeError"], ["builtins", "IndexError"]], IndexError),
        ([[1, 2], [None, ["builtins"]], ["builtins", "IndexError"]], IndexError),
        ([["builtins"], ["builtins", "ValueError", "x"], ["builtins", "IndexError"]], IndexError),
        ("ValueError", RuntimeError),
        (None, RuntimeError),
    ],
)
def test_a_forged_mro_yields_a_known_class_or_runtime_error(mro, expected):
    error = raised_by(KernelFunction(ForgedKernel({"raised": mro, "message": "the message"}), "f"))
    assert type(error) is expected and error.args == ("the message",)


# --------------------------------------------------------------------------- run_test_cell


def test_a_passing_cell_returns_what_it_printed_and_no_exception():
    kernel = FakeKernel(centre_columns=centre_columns)
    assert run_test_cell(CENTRE_CELL, kernel, "cell") == ("checking centre_columns\n", None)
    assert kernel.requests == ["centre_columns", "centre_columns"]  # described, then called


def test_a_wrong_learner_function_fails_the_real_check():
    printed, error = run_test_cell(CENTRE_CELL, FakeKernel(centre_columns=centre_rows), "cell")
    assert printed == "checking centre_columns\n"
    assert type(error) is harness.CheckFailed
    assert "returned [[-0.5,  0.5], [-1.5,  1.5], [-2.5,  2.5]]" in str(error)
    assert "row means" in str(error)


def test_a_learner_function_changing_its_input_is_caught_through_the_copy_back():
    _, error = run_test_cell(CENTRE_CELL, FakeKernel(centre_columns=centre_in_place), "cell")
    assert type(error) is harness.CheckFailed
    assert "centre_columns modified its argument 1 in place" in str(error)


def test_a_syntax_error_is_a_verdict_naming_the_cell():
    printed, error = run_test_cell("chk.check(\n", FakeKernel(), "notebook.ipynb, cell 7")
    assert printed == "" and type(error) is SyntaxError
    assert error.filename == "notebook.ipynb, cell 7"


def test_warnings_in_a_cell_never_reach_the_output_and_the_filters_are_restored():
    source = "import warnings\nwarnings.warn('noisy')\nprint('done')"
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert run_test_cell(source, FakeKernel(), "cell") == ("done\n", None)
    assert caught == [] and warnings.filters == filters


@pytest.mark.parametrize("error", [KernelTimeout("no answer"), KernelDied("the kernel stopped")])
def test_a_kernel_that_hangs_or_dies_is_no_verdict(error):
    with pytest.raises(type(error)) as raised:
        run_test_cell("print('before')\nf(1)", BrokenKernel(error), "cell")
    assert raised.value is error


def test_a_cell_sees_only_builtins_and_its_own_imports_of_the_graders_globals():
    kernel = FakeKernel(np="the kernel's np")
    source = "print(sorted(globals()), __name__)\nimport numpy as np\nprint(np.__name__)"
    printed, error = run_test_cell(source, kernel, "cell")
    assert (printed, error) == ("['__builtins__', '__name__'] __test_cell__\nnumpy\n", None)
    _, error = run_test_cell("KernelNamespace, plaindata", kernel, "cell")
    assert type(error) is NameError and "KernelNamespace" in str(error)
    assert kernel.requests == ["KernelNamespace"]  # asked of the kernel, not found here


def test_comprehensions_and_functions_in_a_cell_see_its_names_and_the_kernels():
    kernel = FakeKernel(double=double)
    source = (
        "factor = 3\n"
        "def triple(x):\n    return factor * x\n"
        "print([double(k) for k in range(3)], triple(2), sorted({len(s) for s in ['ab', 'c']}))"
    )
    assert run_test_cell(source, kernel, "cell") == ("[0, 2, 4] 6 [1, 2]\n", None)


# --------------------------------------------------------------------------- KernelCalls' messages


def test_kernel_calls_read_their_own_reply_and_send_a_line_that_runs_serve(monkeypatch):
    reply = {"result": 4, "args": [2], "kwargs": {}}
    client = ScriptedClient(plaindata.encode(reply))
    calls = scripted_calls(monkeypatch, client)
    assert calls.call("double", (2,), {}) == reply  # the stray {"missing": True} is skipped
    with kernel_hooks({"double": double}) as published:
        exec(client.sent[0], {})
    assert [plaindata.decode(text) for text in published] == [reply]


@pytest.mark.parametrize(
    ("published", "message"),
    [
        ((plaindata.encode([1, 2]),), "the kernel's reply was not a dictionary"),
        ((), "the kernel sent no reply"),
        (("not json",), f"{UNREADABLE} (Expecting value: line 1 column 1 (char 0))"),
        ((json.dumps({"pickle": "gASV"}),), f"{UNREADABLE} (unknown plain-data tag 'pickle')"),
        ((json.dumps({"ndarray": ""}),), f"{UNREADABLE} (No data left in file)"),
        ((json.dumps({"generator": 5}),), f"{UNREADABLE} ('int' object has no attribute 'get')"),
        (
            ("[" * 100_000 + "]" * 100_000,),
            f"{UNREADABLE} (maximum recursion depth exceeded while decoding a JSON array "
            "from a unicode string)",
        ),
    ],
)
def test_a_reply_that_is_no_plain_data_dict_is_refused_with_the_hint(
    monkeypatch, published, message
):
    calls = scripted_calls(monkeypatch, ScriptedClient(*published))
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert str(raised.value) == message + HINT


def test_a_silent_kernel_times_out_and_a_stopped_one_has_died(monkeypatch):
    calls = scripted_calls(monkeypatch, ScriptedClient(answers=False), timeout=0.05)
    with pytest.raises(KernelTimeout, match=r"^no answer from the kernel within 0\.05 s$"):
        calls.describe("x")
    calls = scripted_calls(monkeypatch, ScriptedClient(answers=False), alive=False)
    with pytest.raises(KernelDied, match="^the kernel stopped$"):
        calls.describe("x")


def test_arrays_inside_a_tuple_are_copied_back_and_read_only_arrays_left_alone():
    kernel = FakeKernel(zero_first=zero_first)
    pair = (np.ones(2), np.ones(3))
    KernelFunction(kernel, "zero_first")(pair)
    assert pair[0].tolist() == [0.0, 1.0] and pair[1].tolist() == [0.0, 1.0, 1.0]
    frozen = np.ones(2)
    frozen.flags.writeable = False
    KernelFunction(kernel, "zero_first")((frozen,))
    assert frozen.tolist() == [1.0, 1.0]
