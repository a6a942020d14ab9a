"""The grader's half of grading: test cells run here, the learner's functions in the kernel.

A test cell is executed in the grader's own process, with the course's check
functions imported here. Every other name it uses (``softmax``, ``answer``) is
looked up in the kernel by a :class:`KernelNamespace`: a value comes back as plain
data, a function as a :class:`KernelFunction` that sends its arguments to the kernel,
calls the learner's function there and brings the result back as plain data
(:mod:`autograder.kernel.plaindata`). Nothing the learner's code does in the kernel
(patched numpy or builtins, replaced checks, lying ``__eq__``, hooks on how cells
run) can reach the checks' comparisons.
"""

import builtins
import contextlib
import io
import json
import sys
import time
import warnings

import numpy as np
import zmq
from jupyter_client import BlockingKernelClient

from autograder.kernel import plaindata
from autograder.kernel.inside import MIMETYPE

#: The module the kernel runs to answer a request (it sees the package in the sandbox).
INSIDE = "autograder.kernel.inside"

#: Bytes a kernel message may hold beyond its plain-data text (headers, the JSON around it).
MESSAGE_MARGIN = 64 * 2**10

#: Messages the grader's own client lets zmq queue from the kernel (it asks one question
#: at a time; a kernel that floods it is not read beyond these).
QUEUED_MESSAGES = 8

_DELIMITER = b"<IDS|MSG>"


class KernelTimeout(TimeoutError):
    """The kernel did not answer a request in time."""


class KernelDied(RuntimeError):
    """The kernel stopped while the grader was waiting for it."""


class ResultTooLarge(Exception):
    """The learner's function returned (or the name holds) more than a reply may carry;
    the kernel said so instead of sending it. The message is the learner's."""


def capped_client(base: type, limit: int, queued: int | None = None) -> type:
    """A jupyter client class (``base``: BlockingKernelClient, AsyncKernelClient) whose
    sockets refuse any message frame over ``limit + MESSAGE_MARGIN`` bytes: zmq drops the
    connection before the frame is in memory. ``queued`` also caps the messages zmq
    queues per socket (the default is 1000)."""

    class CappedClient(base):
        def _context_default(self):
            context = super()._context_default()
            context.setsockopt(zmq.MAXMSGSIZE, limit + MESSAGE_MARGIN)
            if queued is not None:
                context.setsockopt(zmq.RCVHWM, queued)
            return context

    CappedClient.__name__ = CappedClient.__qualname__ = f"Capped{base.__name__}"
    return CappedClient


class KernelCalls:
    """Requests to one kernel over a client of its own (the notebook's client is separate).

    ``is_alive`` is a callable that says whether the kernel process still runs;
    ``timeout`` bounds each request, in seconds; ``limit`` the bytes of a reply. Each
    request is an execute request with empty code and one user expression; its answer
    comes in the execute reply on this client's shell socket, which is read as raw
    frames and checked (sizes, separators) before any of it is parsed.
    """

    def __init__(self, connection_info: dict, is_alive, timeout: float, limit: int | None = None):
        self.connection_info = connection_info
        self.is_alive = is_alive
        self.timeout = timeout
        self.limit = plaindata.MAX_TEXT if limit is None else limit
        self._connect()

    def _connect(self) -> None:
        cls = capped_client(BlockingKernelClient, self.limit, QUEUED_MESSAGES)
        self.client = cls()
        self.client.load_connection_info(self.connection_info)
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self._socket = self.client.shell_channel.socket
        self._monitor = self._socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)

    def close(self) -> None:
        with contextlib.suppress(zmq.ZMQError):
            self._socket.disable_monitor()
        self._monitor.close(linger=0)
        self.client.stop_channels()

    def responds(self, within: float) -> bool:
        """Whether the kernel answers a ``kernel_info`` request within ``within`` seconds
        (a kernel still busy in a cell that ignored an interrupt does not)."""
        msg_id = self.client.kernel_info()
        try:
            self._reply_to(msg_id, within)
        except (KernelTimeout, KernelDied):
            return False
        except RuntimeError:  # an oversized or unreadable answer: it does answer
            return True
        return True

    def describe(self, name: str) -> dict:
        """``{"missing": True}``, ``{"callable": True}`` or ``{"value": ...}``."""
        return self._request(name, None)

    def call(self, name: str, args: tuple, kwargs: dict) -> dict:
        """Call the kernel's ``name(*args, **kwargs)``: the reply ``{"result", "args",
        "kwargs"}`` or ``{"raised", "message"}``."""
        return self._request(name, plaindata.encode((list(args), kwargs)))

    def _request(self, name: str, request: str | None) -> dict:
        expression = (
            f"__import__({INSIDE!r}, fromlist=['serve']).serve({name!r}, {request!r}, "
            f"{self.limit!r})"
        )
        msg_id = self.client.execute(
            "",
            silent=True,
            store_history=False,
            user_expressions={"reply": expression},
            allow_stdin=False,
        )
        content = self._reply_to(msg_id, self.timeout)
        reply = _decode_reply(_answer(content), self.limit)
        if not isinstance(reply, dict):
            raise plaindata_error("the kernel's reply was not a dictionary")
        return reply

    def _reply_to(self, msg_id: str, timeout: float) -> bytes:
        """The raw content of the shell reply to ``msg_id``, checked before it is parsed;
        replies to other (earlier, timed-out) requests are skipped unread."""
        deadline = time.monotonic() + timeout
        while True:
            frames = self._next_frames(deadline)
            parent, content = self._parent_and_content(frames)
            if parent == msg_id:
                return content

    def _next_frames(self, deadline: float) -> list:
        """The next message on the shell socket as zmq frames (not copied yet)."""
        poller = zmq.Poller()
        poller.register(self._socket, zmq.POLLIN)
        poller.register(self._monitor, zmq.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelTimeout(f"no answer from the kernel within {self.timeout:g} s")
            ready = dict(poller.poll(min(left, 0.5) * 1000))
            if self._monitor in ready:
                self._dropped()
            if self._socket in ready:
                return self._socket.recv_multipart(copy=False)
            if not self.is_alive():
                raise KernelDied("the kernel stopped")

    def _dropped(self) -> None:
        """zmq dropped the connection: the kernel died, or sent a frame over the cap (then
        the connection cannot be used again: connect afresh)."""
        for _ in range(10):
            if not self.is_alive():
                raise KernelDied("the kernel stopped")
            time.sleep(0.05)
        self.close()
        self._connect()
        raise plaindata_error(
            f"the kernel sent a message over the {_megabytes(self.limit)} limit of a reply"
        )

    def _parent_and_content(self, frames: list) -> tuple[str | None, bytes]:
        """``(parent msg_id, raw content)`` of a message, after checking its size and shape:
        five parts after the identities (no buffers), small headers, a content of at most
        ``limit + MESSAGE_MARGIN`` bytes and ``MAX_ITEMS`` separators (plus a few)."""
        if len(frames) > 16:
            raise plaindata_error("the kernel sent a message of an unexpected shape")
        sizes = [len(frame) for frame in frames]
        if sum(sizes) > self.limit + 2 * MESSAGE_MARGIN:
            raise plaindata_error(
                f"the kernel's reply was {_megabytes(sum(sizes))}, over the "
                f"{_megabytes(self.limit)} limit"
            )
        parts = [frame.bytes for frame in frames]
        if _DELIMITER not in parts:
            raise plaindata_error("the kernel sent a message that is not a jupyter message")
        body = parts[parts.index(_DELIMITER) + 1 :]
        if len(body) != 5 or any(len(part) > MESSAGE_MARGIN for part in body[:4]):
            raise plaindata_error("the kernel sent a message of an unexpected shape")
        if plaindata.separators(body[4]) > plaindata.MAX_ITEMS + 100:
            raise plaindata_error("the kernel's reply holds too many values to be read")
        try:
            message = self.client.session.deserialize(body, content=False)
        except Exception as error:  # noqa: BLE001 - a forged header fails in any way
            raise plaindata_error(f"the kernel's message could not be read ({error})") from None
        return message["parent_header"].get("msg_id"), body[4]


def _answer(content: bytes) -> str:
    """The plain-data text in an execute reply's raw content (the user expression's
    representation of type MIMETYPE)."""
    try:
        parsed = json.loads(content)
        result = parsed["user_expressions"]["reply"]
    except Exception:  # noqa: BLE001 - a forged or failed reply has any shape
        raise plaindata_error("the kernel sent no reply") from None
    if not isinstance(result, dict) or result.get("status") != "ok":
        error = result if isinstance(result, dict) else {}
        found = f"{error.get('ename', 'an error')}: {str(error.get('evalue', ''))[:200]}"
        raise plaindata_error(f"the kernel could not answer ({found})")
    data = result.get("data")
    if not isinstance(data, dict) or not isinstance(data.get(MIMETYPE), str):
        raise plaindata_error("the kernel sent no reply")
    return data[MIMETYPE]


def _decode_reply(text: str, limit: int):
    try:
        reply = plaindata.decode(text, limit=limit)
    except Exception as error:  # noqa: BLE001 - forged text fails in any way (EOFError, ...)
        raise plaindata_error(f"the kernel's reply could not be read ({error})") from None
    if isinstance(reply, dict) and "refused" in reply:
        raise _refusal(reply["refused"])
    return reply


def _refusal(details) -> Exception:
    """The learner's message for a reply the kernel refused to send (its numbers checked)."""
    if not isinstance(details, dict):
        return plaindata_error("the kernel's reply could not be read (a malformed refusal)")
    what, size, limit = details.get("what"), details.get("size"), details.get("limit")
    if not (type(size) is int and type(limit) is int):
        return plaindata_error("the kernel's reply could not be read (a malformed refusal)")
    shape, dtype = details.get("shape"), details.get("dtype")
    shaped = ""
    if isinstance(shape, list) and all(type(n) is int for n in shape) and len(shape) <= 32:
        kind = dtype if isinstance(dtype, str) and dtype.isidentifier() else ""
        shaped = f" (a {kind} array of shape {tuple(shape)})".replace("a  ", "an ")
    if what == "bytes":
        return ResultTooLarge(
            f"the result was {_megabytes(size)}{shaped}; results are limited to "
            f"{_megabytes(limit)}: return the array the exercise asks for"
        )
    if what == "items":
        return ResultTooLarge(
            f"the result holds about {size:,} values outside numpy arrays (in lists, tuples "
            f"or dicts); results are limited to {limit:,}: return a numpy array instead"
        )
    if what == "depth":
        return ResultTooLarge(
            f"the result nests lists, tuples or dicts {size} deep; results are limited to "
            f"{limit} levels: return the array the exercise asks for"
        )
    return plaindata_error("the kernel's reply could not be read (a malformed refusal)")


def _megabytes(size: int) -> str:
    """``size`` bytes in MB (of 2**20 bytes): "610 MB", "1.1 MB", "0.05 MB"."""
    value = size / 2**20
    if value >= 10:
        return f"{value:.0f} MB"
    return f"{value:.2g} MB" if value < 1 else f"{value:.1f}".removesuffix(".0") + " MB"


def plaindata_error(message: str) -> RuntimeError:
    return RuntimeError(
        f"{message}; hint: has code in the notebook replaced parts of the autograder or of "
        "IPython? Restart the kernel and run the notebook from the top"
    )


class KernelFunction:
    """A learner's function that lives in the kernel; calling it calls it there.

    Arguments must be plain data (or module-level functions, passed by name). Arrays,
    lists and dicts passed in are updated in place from the kernel's copies afterwards,
    so the checks can see whether the learner's function modified its inputs.
    """

    def __init__(self, calls: KernelCalls, name: str):
        self._calls = calls
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        reply = self._calls.call(self.__name__, args, kwargs)
        if "raised" in reply:
            raise learner_exception(reply["raised"], reply.get("message", ""))
        for before, after in zip(args, reply.get("args", ())):
            _copy_back(before, after)
        for key, after in reply.get("kwargs", {}).items():
            if key in kwargs:
                _copy_back(kwargs[key], after)
        return reply.get("result")

    def __repr__(self) -> str:
        return f"<learner function {self.__name__}>"


class KernelNamespace(dict):
    """The names a test cell sees: its own assignments, then builtins, then the kernel's.

    Used as the globals of ``exec`` (a dict subclass: Python then looks names up with
    ``__missing__``, also inside the cell's comprehensions, lambdas and functions).
    """

    def __init__(self, calls: KernelCalls):
        super().__init__()
        self._calls = calls

    def __missing__(self, name: str):
        if hasattr(builtins, name):
            raise KeyError(name)  # let Python find the builtin
        found = self._calls.describe(name)
        if found.get("missing"):
            raise KeyError(name)
        if found.get("callable"):
            return KernelFunction(self._calls, name)
        return found.get("value")


#: The name under which a test cell's namespace holds the sources of the notebook's code
#: cells that ran in the kernel before it (``autograder.checks.harness.NOTEBOOK_CELLS``,
#: read by checks that look at the answer's source: never from the kernel).
NOTEBOOK_CELLS = "__notebook_cells__"


def run_test_cell(
    source: str, calls: KernelCalls, label: str, cells: tuple[str, ...] = ()
) -> tuple[str, BaseException | None]:
    """Execute a test cell's ``source`` here, against the kernel's names.

    ``cells`` are the sources of the code cells that ran in the kernel before it, from
    the submitted notebook (for checks that read the answer's source). Returns what it
    printed and the exception it raised (None when it passed).
    """
    namespace = KernelNamespace(calls)
    namespace.update(
        {"__builtins__": builtins, "__name__": "__test_cell__", NOTEBOOK_CELLS: tuple(cells)}
    )
    printed = io.StringIO()
    try:
        code = compile(source, label, "exec")
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is not a verdict
            exec(code, namespace)
    except (KernelTimeout, KernelDied):
        raise
    except Exception as error:  # the cell's verdict, e.g. CheckFailed or NameError
        return printed.getvalue(), error
    return printed.getvalue(), None


def learner_exception(mro: list, message: str) -> Exception:
    """An exception of the first class in the kernel's ``mro`` that the grader knows
    (builtins, or numpy's and scipy's already imported here), carrying ``message``;
    entries that are not ``[module, qualname]`` strings are skipped."""
    for entry in mro if isinstance(mro, list) else ():
        cls = _known_exception(entry)
        if cls is not None:
            try:
                return cls(message)
            except Exception:  # noqa: BLE001 - a constructor with other arguments
                continue
    return RuntimeError(message)


def _known_exception(entry):
    if not (isinstance(entry, list) and len(entry) == 2):
        return None
    module, qualname = entry
    if not (isinstance(module, str) and isinstance(qualname, str)):
        return None
    if module == "builtins":
        found = getattr(builtins, qualname, None)
    elif module.split(".")[0] in ("numpy", "scipy") and module in sys.modules:
        found = sys.modules[module]
        for part in qualname.split("."):
            found = getattr(found, part, None)
    else:
        return None
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return None


def _copy_back(before, after) -> None:
    """Make the grader's argument ``before`` equal to the kernel's ``after``, in place."""
    if isinstance(before, np.ndarray) and isinstance(after, np.ndarray):
        if before.shape == after.shape and after.dtype.kind in "biufc" and before.flags.writeable:
            with np.errstate(all="ignore"):
                np.copyto(before, after, casting="unsafe")
    elif type(before) is tuple and type(after) is tuple and len(before) == len(after):
        for inner_before, inner_after in zip(before, after):  # arrays inside a tuple
            _copy_back(inner_before, inner_after)
    elif type(before) is list and type(after) is list:
        before[:] = after
    elif type(before) is dict and type(after) is dict:
        before.clear()
        before.update(after)
