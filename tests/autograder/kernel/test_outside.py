"""The grader's side of the trust boundary, against a fake kernel.

``FakeKernel`` is a KernelCalls without a kernel: the real ``describe`` and ``call``
build the requests, and ``inside.serve`` answers them in this process from a plain
dict of "learner" names, its reply crossing as plaindata text both ways, so the
learner's functions only ever see decoded copies and the grader only decoded data.
``ForgedKernel`` sends replies that tampered kernel-side code could send instead.
``ShellServer`` is a kernel's shell socket and nothing else (a real zmq ROUTER, in a
thread), to drive the real ``KernelCalls`` over zmq: its raw frames, caps and checks.
"""

import contextlib
import json
import threading
import types
import warnings
from unittest import mock

import numpy as np
import pytest
import zmq
from jupyter_client.session import Session

from autograder.checks import harness
from autograder.kernel import inside, outside, plaindata
from autograder.kernel.outside import (
    KernelCalls,
    KernelDied,
    KernelFunction,
    KernelNamespace,
    KernelTimeout,
    ResultTooLarge,
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
    """``inside``'s IPython hook replaced: the shell's names are ``user_ns``."""
    shell = types.SimpleNamespace(user_ns=user_ns)
    with mock.patch.object(inside, "get_ipython", lambda: shell):
        yield


class FakeKernel:
    """KernelCalls answered in this process by ``inside.serve`` on ``user_ns``."""

    describe = KernelCalls.describe
    call = KernelCalls.call

    def __init__(self, limit=plaindata.MAX_TEXT, **user_ns):
        self.user_ns = user_ns
        self.limit = limit
        self.requests = []  # the names asked for, in order

    def _request(self, name: str, request: str | None) -> dict:
        self.requests.append(name)
        with kernel_hooks(self.user_ns):
            reply = inside.serve(name, request, self.limit)
        return outside._decode_reply(reply.text, self.limit)


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


def reply_content(text: str) -> dict:
    """An execute reply's content holding ``text`` as the user expression's value."""
    value = {"status": "ok", "data": {inside.MIMETYPE: text, "text/plain": "<r>"}, "metadata": {}}
    return {"status": "ok", "execution_count": 0, "user_expressions": {"reply": value}}


class ShellServer:
    """A kernel's shell socket (a zmq ROUTER on a Unix socket, answered in a thread).

    Each request is answered by ``answer(server, idents, request)``, which sends what it
    likes through ``server.send`` or ``server.send_raw`` (or nothing: a silent kernel).
    ``connection_info`` is what a KernelCalls connects with.
    """

    def __init__(self, folder, answer):
        self.session = Session(key=b"secret", signature_scheme="hmac-sha256")
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.ROUTER)
        self.socket.linger = 0
        self.socket.bind(f"ipc://{folder}/k-1")
        self.connection_info = {
            "transport": "ipc",
            "ip": f"{folder}/k",
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "key": "secret",
            "signature_scheme": "hmac-sha256",
        }
        self.answer, self.requests, self.running = answer, [], True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            if not self.socket.poll(20):
                continue
            idents, frames = self.session.feed_identities(self.socket.recv_multipart())
            request = self.session.deserialize(frames)
            self.requests.append(request)
            self.answer(self, idents, request)

    def send(self, idents, request, content, msg_type="execute_reply"):
        self.session.send(self.socket, msg_type, content, parent=request, ident=idents)

    def send_raw(self, idents, frames):
        self.socket.send_multipart([*idents, *frames])

    def close(self):
        self.running = False
        self.thread.join()
        self.socket.close()
        self.context.term()


@pytest.fixture
def shell(tmp_path):
    """``shell(answer, alive=True, timeout=5, limit=...)``: a KernelCalls connected to a
    ShellServer answering with ``answer``; both are closed at the end."""
    opened = []

    def connect(answer, alive=True, timeout=5.0, limit=None):
        server = ShellServer(tmp_path, answer)
        calls = KernelCalls(server.connection_info, lambda: alive, timeout, limit=limit)
        opened.append((server, calls))
        return server, calls

    yield connect
    for server, calls in opened:
        calls.close()
        server.close()


def serving(**user_ns):
    """An answer that evaluates the request's user expression with the real ``inside``, on
    ``user_ns``, as an IPython kernel would, and replies with its representation."""

    def answer(server, idents, request):
        (expression,) = request["content"]["user_expressions"].values()
        with kernel_hooks(user_ns):
            reply = eval(expression, {})
        server.send(idents, request, reply_content(reply._repr_mimebundle_()[inside.MIMETYPE]))

    return answer


def replying(text: str):
    """An answer with the same plain-data ``text`` to every request."""
    return lambda server, idents, request: server.send(idents, request, reply_content(text))


def raised_by(function: KernelFunction) -> BaseException:
    """What calling ``function()`` raises (any exception: the test checks its class)."""
    with pytest.raises(BaseException) as raised:
        function()
    return raised.value


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
    assert (printed, error) == (
        "['__builtins__', '__name__', '__notebook_cells__'] __test_cell__\nnumpy\n",
        None,
    )
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


# --------------------------------------------------------------------------- KernelCalls over zmq


def test_a_request_is_a_user_expression_that_runs_serve_and_its_reply_is_read(shell):
    server, calls = shell(serving(double=double))
    assert calls.call("double", (2,), {}) == {"result": 4, "args": [2], "kwargs": {}}
    assert calls.describe("double") == {"callable": True}
    assert calls.describe("absent") == {"missing": True}
    request = server.requests[0]["content"]
    assert request["code"] == "" and request["silent"] and not request["store_history"]
    assert list(request["user_expressions"]) == ["reply"]


def test_replies_to_other_requests_are_skipped_unread(shell):
    def answer(server, idents, request):
        stale = {"header": {"msg_id": "an-earlier-request"}}
        server.send(idents, stale, reply_content(plaindata.encode({"missing": True})))
        server.send(idents, request, reply_content(plaindata.encode({"callable": True})))

    _, calls = shell(answer)
    assert calls.describe("f") == {"callable": True}


def _npy(header: str, data: bytes = b"") -> str:
    """A base64 .npy text with a header of our own making."""
    import base64

    header = header + " " * (117 - len(header)) + "\n"
    raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + data
    return base64.b64encode(raw).decode()


def _result(tree) -> str:
    """A call's reply with ``tree`` (raw plain-data JSON) as its result."""
    args = [["args", {"list": []}], ["kwargs", {"dict": []}]]
    return json.dumps({"dict": [["result", tree], *args]})


DEEP = '{"dict": [["value", ' + '{"list": [' * 150 + "]}" * 150 + "]]}"
ZERO_SIZE = {"ndarray": _npy("{'descr': '|S0', 'fortran_order': False, 'shape': (400000000,), }")}
SHORT = {"ndarray": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000,), }")}
OBJECTS = {"ndarray": _npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"x" * 8)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (plaindata.encode([1, 2]), "the kernel's reply was not a dictionary"),
        ("not json", f"{UNREADABLE} (Expecting value: line 1 column 1 (char 0))"),
        (json.dumps({"pickle": "gASV"}), f"{UNREADABLE} (unknown plain-data tag 'pickle')"),
        (
            json.dumps({"ndarray": ""}),
            f"{UNREADABLE} (EOF: reading magic string, expected 8 bytes got 0)",
        ),
        (json.dumps({"generator": 5}), f"{UNREADABLE} ('int' object has no attribute 'get')"),
        (DEEP, f"{UNREADABLE} (nested more than 100 containers deep)"),
        (
            "[" * 100_000 + "]" * 100_000,
            f"{UNREADABLE} (maximum recursion depth exceeded while decoding a JSON array "
            "from a unicode string)",
        ),
        (
            json.dumps({"list": [0] * 1_000_001}),
            f"{UNREADABLE} (more than 1000000 separators: too many values outside arrays)",
        ),
        (_result(ZERO_SIZE), f"{UNREADABLE} (an array of dtype |S0 (not a plain dtype))"),
        (_result(OBJECTS), f"{UNREADABLE} (an array of dtype object (not a plain dtype))"),
        (
            _result(SHORT),
            f"{UNREADABLE} (an array whose header claims 1000000 elements of 8 bytes but "
            "carries 0 bytes)",
        ),
    ],
    ids=[
        "not-a-dict",
        "not-json",
        "unknown-tag",
        "empty-array",
        "bad-generator",
        "nested-150-deep",
        "nested-100000-deep",
        "a-million-values",
        "npy-zero-size-dtype",
        "npy-objects",
        "npy-header-lies",
    ],
)
def test_a_reply_that_is_no_plain_data_dict_is_refused_with_the_hint(shell, text, message):
    _, calls = shell(replying(text))
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert str(raised.value) == message + HINT


def _sends(content):
    return lambda server, idents, request: server.send(idents, request, content)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_sends({"status": "ok", "user_expressions": {}}), "the kernel sent no reply"),
        (
            _sends(
                {
                    "status": "ok",
                    "user_expressions": {
                        "reply": {
                            "status": "error",
                            "ename": "NameError",
                            "evalue": "name '__import__' is not defined",
                        }
                    },
                }
            ),
            "the kernel could not answer (NameError: name '__import__' is not defined)",
        ),
        (
            lambda server, idents, request: server.send_raw(idents, [b"<IDS|MSG>", b"x"]),
            "the kernel sent a message of an unexpected shape",
        ),
        (
            lambda server, idents, request: server.send_raw(idents, [b"no delimiter"]),
            "the kernel sent a message that is not a jupyter message",
        ),
        (
            lambda server, idents, request: server.session.send(
                server.socket,
                "execute_reply",
                reply_content("{}"),
                parent=request,
                ident=idents,
                buffers=[b"x" * 1000],
            ),
            "the kernel sent a message of an unexpected shape",
        ),
        (
            lambda server, idents, request: server.send_raw(
                idents, [b"<IDS|MSG>", b"forged", b"{}", b"{}", b"{}", b"{}"]
            ),
            "the kernel's message could not be read (Invalid Signature: b'forged')",
        ),
    ],
    ids=[
        "no-expression",
        "expression-failed",
        "too-few-parts",
        "no-delimiter",
        "buffers",
        "unsigned",
    ],
)
def test_a_message_that_is_no_execute_reply_is_refused_with_the_hint(shell, answer, message):
    _, calls = shell(answer)
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert str(raised.value) == message + HINT


def test_a_frame_over_the_cap_never_reaches_the_grader_which_connects_afresh(shell):
    """zmq drops the connection on a frame over the cap (before it is in memory), so the
    grader fails the request at once, reconnects, and the next request is answered."""
    big = "x" * (2 * 2**20)

    def answer(server, idents, request):
        if len(server.requests) == 1:
            server.send(idents, request, reply_content(big))
        else:
            serving(double=double)(server, idents, request)

    _, calls = shell(answer, limit=2**20)
    with pytest.raises(RuntimeError) as raised:
        calls.call("double", (1,), {})
    assert str(raised.value) == "the kernel sent a message over the 1 MB limit of a reply" + HINT
    assert calls.call("double", (3,), {})["result"] == 6


def test_a_reply_over_the_limit_within_the_frame_cap_is_refused(shell):
    _, calls = shell(replying("x" * (2**20 + 1000)), limit=2**20)
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert (
        str(raised.value) == f"{UNREADABLE} (1049576 characters, over the limit of 1048576)" + HINT
    )


def test_a_message_over_the_limit_in_several_frames_is_refused_before_it_is_copied(shell):
    def answer(server, idents, request):
        content = reply_content("x" * 600_000)
        buffers = [b"y" * 600_000]
        server.session.send(
            server.socket, "execute_reply", content, parent=request, ident=idents, buffers=buffers
        )

    _, calls = shell(answer, limit=2**20)
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert str(raised.value) == "the kernel's reply was 1.1 MB, over the 1 MB limit" + HINT


def test_a_silent_kernel_times_out_and_a_stopped_one_has_died(shell):
    def silent(server, idents, request):
        pass

    _, calls = shell(silent, timeout=0.05)
    with pytest.raises(KernelTimeout, match=r"^no answer from the kernel within 0\.05 s$"):
        calls.describe("x")
    _, calls = shell(silent, alive=False)
    with pytest.raises(KernelDied, match="^the kernel stopped$"):
        calls.describe("x")


def test_responds_says_whether_a_kernel_info_request_is_answered(shell):
    def info(server, idents, request):
        server.send(idents, request, {"status": "ok"}, msg_type="kernel_info_reply")

    _, calls = shell(info)
    assert calls.responds(within=2)
    _, calls = shell(lambda server, idents, request: None)
    assert not calls.responds(within=0.1)


# --------------------------------------------------------------------------- results too large


def big_result(n):
    return np.zeros(n)


def nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def many_values(n):
    return list(range(n))


@pytest.mark.parametrize(
    ("function", "args", "message"),
    [
        (
            big_result,
            (1_000_000,),
            "the result was 10 MB (a float64 array of shape (1000000,)); results are limited "
            "to 1 MB: return the array the exercise asks for",
        ),
        (
            nested,
            (150,),
            "the result nests lists, tuples or dicts 101 deep; results are limited to 100 "
            "levels: return the array the exercise asks for",
        ),
        (
            many_values,
            (2_000_000,),
            "the result holds about 2,000,011 values outside numpy arrays (in lists, tuples "
            "or dicts); results are limited to 1,000,000: return a numpy array instead",
        ),
    ],
    ids=["bytes", "depth", "values"],
)
def test_a_result_too_large_to_send_is_refused_in_the_kernel_naming_the_limit(
    function, args, message
):
    kernel = FakeKernel(limit=2**20, f=function)
    error = raised_by(lambda: KernelFunction(kernel, "f")(*args))
    assert type(error) is ResultTooLarge and str(error) == message


def test_the_kernel_never_encodes_a_result_it_can_size_as_too_large():
    """A 1 TB broadcast array costs nothing to hold and would take hours to encode."""
    huge = np.broadcast_to(np.zeros(1), (2**37,))
    with pytest.raises(plaindata.TooLarge) as refused:
        plaindata.encode({"result": huge}, limit=2**20)
    assert refused.value.what == "bytes" and refused.value.size > 2**40


@pytest.mark.parametrize(
    "details",
    [
        {"what": "bytes", "size": "lots", "limit": 1},
        "oversize",
        {"what": "x", "size": 1, "limit": 1},
    ],
)
def test_a_forged_refusal_is_checked_before_it_is_worded(shell, details):
    _, calls = shell(replying(plaindata.encode({"refused": details})))
    with pytest.raises(RuntimeError) as raised:
        calls.describe("x")
    assert str(raised.value) == f"{UNREADABLE} (a malformed refusal)" + HINT


def test_the_notebook_cells_reach_the_test_cell_under_the_harness_name():
    assert outside.NOTEBOOK_CELLS == harness.NOTEBOOK_CELLS
    source = f"print(len({outside.NOTEBOOK_CELLS}), {outside.NOTEBOOK_CELLS}[-1])"
    assert run_test_cell(source, FakeKernel(), "cell", ("a = 1", "b = 2")) == ("2 b = 2\n", None)


def test_arrays_inside_a_tuple_are_copied_back_and_read_only_arrays_left_alone():
    kernel = FakeKernel(zero_first=zero_first)
    pair = (np.ones(2), np.ones(3))
    KernelFunction(kernel, "zero_first")(pair)
    assert pair[0].tolist() == [0.0, 1.0] and pair[1].tolist() == [0.0, 1.0, 1.0]
    frozen = np.ones(2)
    frozen.flags.writeable = False
    KernelFunction(kernel, "zero_first")((frozen,))
    assert frozen.tolist() == [1.0, 1.0]
