"""The course's nbgrader preprocessors, on small hand-made notebooks."""

import asyncio
import time
from queue import Empty

import nbformat
import pytest

from autograder.preprocessors import ShortenTracebacks
from autograder.preprocessors.execute import poll_in_slices


def _fake_channel(ready_at: float):
    """A get_msg that raises Empty (after waiting its timeout) until ``ready_at``."""
    calls = []

    async def get_msg(timeout=None):
        calls.append(timeout)
        now = time.monotonic()
        if now >= ready_at:
            return {"msg": "reply"}
        await asyncio.sleep(min(timeout, ready_at - now))
        raise Empty

    return get_msg, calls


def test_sliced_poll_returns_the_reply_within_one_slice():
    get_msg, calls = _fake_channel(ready_at=time.monotonic() + 0.25)
    poll = poll_in_slices(get_msg, interval=0.1)
    assert asyncio.run(poll(timeout=5.0)) == {"msg": "reply"}
    assert all(t <= 0.1 for t in calls) and 3 <= len(calls) <= 6


def test_sliced_poll_still_times_out_overall():
    get_msg, _ = _fake_channel(ready_at=time.monotonic() + 60)
    poll = poll_in_slices(get_msg, interval=0.1)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(poll(timeout=0.35))
    assert time.monotonic() - start < 1.0


def test_tracebacks_of_test_cells_are_cut_to_the_message():
    test_cell = nbformat.v4.new_code_cell("chk.x_hidden(f)")
    test_cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "t",
        "points": 1,
        "solution": False,
        "locked": True,
        "schema_version": 3,
    }
    learner_cell = nbformat.v4.new_code_cell("1/0")
    for cell, name in ((test_cell, "CheckFailed"), (learner_cell, "ZeroDivisionError")):
        cell.outputs = [
            nbformat.v4.new_output(
                "error", ename=name, evalue="details", traceback=["line 1", "hidden line", "x"]
            )
        ]
    nb = nbformat.v4.new_notebook(cells=[test_cell, learner_cell])
    ShortenTracebacks().preprocess(nb, {})
    assert test_cell.outputs[0].traceback == ["CheckFailed: details"]
    assert learner_cell.outputs[0].traceback == ["line 1", "hidden line", "x"]


def test_answer_and_test_cells_are_tagged_so_that_run_all_goes_on():
    from autograder.preprocessors import TagCellsThatMayRaise
    from tests.autograder.helpers import code_cell

    answer = code_cell("answer", "def f():\n    raise NotImplementedError()", "tg-f")
    answer.metadata["tags"] = ["keep-me"]
    test = code_cell("tests", "assert f() == 1", "tg-f-test", 1)
    written = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    written.metadata["nbgrader"] = {"grade_id": "tg-why", "grade": True, "solution": True}
    worked = nbformat.v4.new_code_cell("print(1 / 0)")  # a broken example must still stop
    nb = nbformat.v4.new_notebook(cells=[answer, test, written, worked])
    for _ in range(2):  # tagging twice changes nothing
        nb, _ = TagCellsThatMayRaise().preprocess(nb, {})
    assert [cell.metadata.get("tags") for cell in nb.cells] == [
        ["keep-me", "raises-exception"],
        ["raises-exception"],
        None,
        None,
    ]
