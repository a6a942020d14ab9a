"""The kernel's half of grading: look up or call one of the learner's names, reply with data.

The grader asks with an execute request whose code is empty and whose one *user
expression* calls :func:`serve`; the kernel evaluates it and sends the result back in
the execute reply, to the grader's own client only (never broadcast on iopub, so the
notebook's client never reads it). The result is a :class:`Reply` whose one
representation, of type :data:`MIMETYPE`, holds plain-data JSON
(:mod:`autograder.kernel.plaindata`). A reply that would be larger than the grader
accepts (``limit``) is replaced here by a few bytes saying how large it was, so an
honest learner whose function returns too much learns it, and the grader never reads
it. Nothing here is trusted: the learner's code runs in this process and may have
replaced anything, so the grader treats the reply as data to check, never as a
verdict.
"""

import traceback

import numpy as np
from IPython import get_ipython

from autograder.kernel import plaindata

MIMETYPE = "application/x-autograder-reply"


class Reply:
    """What :func:`serve` returns: IPython's display formatter turns it into the
    representation ``{MIMETYPE: text}`` of the user expression (``text/plain`` is its
    short repr)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {MIMETYPE: self.text}

    def __repr__(self) -> str:
        return "<autograder reply>"


def serve(name: str, request: str | None, limit: int = plaindata.MAX_TEXT) -> Reply:
    """Reply with what ``name`` is (``request`` None) or with the result of calling it.

    ``request`` encodes ``(args, kwargs)``. A call's reply holds the result and the
    arguments as they are afterwards (so the grader sees in-place changes), or the
    exception it raised. A reply over ``limit`` bytes (or too many values, or nested
    too deep) becomes ``{"refused": {"what", "size", "limit"[, "shape"]}}``.
    """
    namespace = get_ipython().user_ns
    if name not in namespace:
        reply = {"missing": True}
    elif request is None:
        reply = _describe(namespace[name])
    else:
        reply = _call(namespace[name], *plaindata.decode(request, functions=True))
    try:
        return Reply(plaindata.encode(reply, limit=limit))
    except plaindata.TooLarge as refusal:
        found = reply.get("result", reply.get("value"))
        if isinstance(found, np.ndarray):  # say which array was too large
            refusal.shape, refusal.dtype = found.shape, str(found.dtype)
        return Reply(plaindata.encode({"refused": refusal.details()}))


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
