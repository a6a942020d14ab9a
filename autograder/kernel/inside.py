"""The kernel's half of grading: look up or call one of the learner's names, reply with data.

The grader sends the kernel one line that calls :func:`serve`; the reply goes back
as a display message of type :data:`MIMETYPE` holding plain-data JSON
(:mod:`autograder.kernel.plaindata`). Nothing here is trusted: the learner's code runs in
this process and may have replaced anything, so the grader treats the reply as data
to check, never as a verdict.
"""

import traceback

from IPython import get_ipython
from IPython.display import publish_display_data

from autograder.kernel import plaindata

MIMETYPE = "application/x-autograder-reply"


def serve(name: str, request: str | None) -> None:
    """Reply with what ``name`` is (``request`` None) or with the result of calling it.

    ``request`` encodes ``(args, kwargs)``. A call's reply holds the result and the
    arguments as they are afterwards (so the grader sees in-place changes), or the
    exception it raised.
    """
    namespace = get_ipython().user_ns
    if name not in namespace:
        reply = {"missing": True}
    elif request is None:
        reply = _describe(namespace[name])
    else:
        reply = _call(namespace[name], *plaindata.decode(request, functions=True))
    publish_display_data({MIMETYPE: plaindata.encode(reply)})


def _describe(value) -> dict:
    if callable(value):
        return {"callable": True}
    return {"value": value}


def _call(fn, args, kwargs) -> dict:
    try:
        result = fn(*args, **kwargs)
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the grader
        return {
            "raised": [[cls.__module__, cls.__qualname__] for cls in type(error).__mro__],
            "message": _message(error),
        }
    return {"result": result, "args": list(args), "kwargs": kwargs}


def _message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except Exception:  # noqa: BLE001 - an exception whose str() itself fails
        return traceback.format_exception_only(type(error), None)[-1].strip()
