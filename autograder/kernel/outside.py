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
import sys
import time
import warnings
from queue import Empty

import numpy as np
from jupyter_client import BlockingKernelClient

from autograder.kernel import plaindata
from autograder.kernel.inside import MIMETYPE

#: The module the kernel runs to answer a request (it sees the package in the sandbox).
INSIDE = "autograder.kernel.inside"


class KernelTimeout(TimeoutError):
    """The kernel did not answer a request in time."""


class KernelDied(RuntimeError):
    """The kernel stopped while the grader was waiting for it."""


class KernelCalls:
    """Requests to one kernel over a client of its own (the notebook's client is separate).

    ``is_alive`` is a callable that says whether the kernel process still runs;
    ``timeout`` bounds each request, in seconds.
    """

    def __init__(self, connection_info: dict, is_alive, timeout: float):
        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection_info)
        self.client.start_channels(hb=False, stdin=False, control=False)
        self.is_alive = is_alive
        self.timeout = timeout

    def close(self) -> None:
        self.client.stop_channels()

    def responds(self, within: float) -> bool:
        """Whether the kernel answers a ``kernel_info`` request within ``within`` seconds
        (a kernel still busy in a cell that ignored an interrupt does not)."""
        msg_id = self.client.kernel_info()
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = self.client.get_shell_msg(timeout=left)
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    def describe(self, name: str) -> dict:
        """``{"missing": True}``, ``{"callable": True}`` or ``{"value": ...}``."""
        return self._request(name, None)

    def call(self, name: str, args: tuple, kwargs: dict) -> dict:
        """Call the kernel's ``name(*args, **kwargs)``: the reply ``{"result", "args",
        "kwargs"}`` or ``{"raised", "message"}``."""
        return self._request(name, plaindata.encode((list(args), kwargs)))

    def _request(self, name: str, request: str | None) -> dict:
        code = f"__import__({INSIDE!r}, fromlist=['serve']).serve({name!r}, {request!r})"
        msg_id = self.client.execute(code, silent=False, store_history=False, allow_stdin=False)
        reply = self._wait_for_reply(msg_id)
        if not isinstance(reply, dict):
            raise plaindata_error("the kernel's reply was not a dictionary")
        return reply

    def _wait_for_reply(self, msg_id: str):
        """Collect iopub messages of ``msg_id`` until the kernel is idle; decode our reply."""
        deadline = time.monotonic() + self.timeout
        reply, idle = None, False
        while not idle:
            if time.monotonic() > deadline:
                raise KernelTimeout(f"no answer from the kernel within {self.timeout:g} s")
            try:
                msg = self.client.get_iopub_msg(timeout=0.5)
            except Empty:
                if not self.is_alive():
                    raise KernelDied("the kernel stopped") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "display_data" and MIMETYPE in content.get("data", {}):
                reply = content["data"][MIMETYPE]
            idle = msg["msg_type"] == "status" and content.get("execution_state") == "idle"
        if reply is None:
            raise plaindata_error("the kernel sent no reply")
        try:
            return plaindata.decode(reply)
        except Exception as error:  # noqa: BLE001 - forged text fails in any way (EOFError, ...)
            raise plaindata_error(f"the kernel's reply could not be read ({error})") from None


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


def run_test_cell(source: str, calls: KernelCalls, label: str) -> tuple[str, BaseException | None]:
    """Execute a test cell's ``source`` here, against the kernel's names.

    Returns what it printed and the exception it raised (None when it passed).
    """
    namespace = KernelNamespace(calls)
    namespace.update({"__builtins__": builtins, "__name__": "__test_cell__"})
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
