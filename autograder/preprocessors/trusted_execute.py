"""Execute a submission with the verdicts kept out of the learner's reach.

Answer cells and the learner's own cells run in the kernel, as in nbgrader. Test
cells do not: they run in the grader's process (:mod:`autograder.kernel.outside`),
calling the learner's functions in the kernel with plain data, so nothing the
learner's code changes in the kernel can change a verdict. Each test cell also gets
the sources of the code cells that ran before it, from the submitted notebook, for the
checks that read an answer's source (forbidden shortcuts,
:class:`autograder.checks.harness.Forbidden`). On top of that:

- each cell has a time limit and the notebook a wall-clock cap; a kernel that
  does not come back from an interrupt is stopped;
- a kernel that dies (``os._exit``, a crash, out of memory) ends the run: the
  cells it reached keep their scores, the rest score 0;
- output is capped per cell and per notebook (a 20 MB line included);
- what the kernel sends the grader is capped too: a reply to a test cell's request at
  ``reply_bytes`` (the kernel refuses a larger result itself, and the grader checks the
  raw frames before parsing them), and every zmq frame from the kernel, on the
  notebook's client as on the test cells' one, at ``reply_bytes`` plus a small margin
  (zmq drops the connection before such a frame is in memory).

What happened is recorded in the notebook's metadata as ``autograder.events``, a
list of ``{"kind", "cell", "message"}`` that the grader turns into a status.
"""

import json
from time import monotonic

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from traitlets import Float, Integer

from autograder.kernel.outside import (
    KernelCalls,
    KernelDied,
    KernelTimeout,
    capped_client,
    run_test_cell,
)
from autograder.preprocessors.execute import SlicedExecute
from autograder.results import CELL_TIMEOUT, KERNEL_DIED, OUTPUT_CAPPED, TIME_CAP


class TrustedExecute(SlicedExecute):
    """nbgrader's Execute with test cells judged in the grader and limits enforced."""

    notebook_timeout = Float(
        600.0, help="Wall-clock cap for executing one notebook, in seconds."
    ).tag(config=True)
    cell_output_bytes = Integer(
        1_000_000, help="Largest output kept per cell, in bytes; the rest is dropped."
    ).tag(config=True)
    notebook_output_bytes = Integer(
        5_000_000, help="Largest output kept per notebook, in bytes; the rest is dropped."
    ).tag(config=True)
    interrupt_grace = Float(
        15.0, help="Seconds a kernel has to answer after a timed-out cell is interrupted."
    ).tag(config=True)
    reply_bytes = Integer(
        64 * 2**20,
        help="Largest reply a test cell's request takes from the kernel, in bytes (a result "
        "over it fails that check, naming the limit); every message frame from the kernel "
        "is capped a little above it.",
    ).tag(config=True)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.client_factory = capped_client(km.client_factory, self.reply_bytes)
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._cell_timeout = self.timeout
        self._started = monotonic()
        self._events, self._stopped, self._calls = [], None, None
        self._sources = []  # the code cells run in the kernel so far, for the test cells
        self._cell_bytes, self._notebook_bytes, self._capped = {}, 0, set()
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if self._calls is not None:
                self._calls.close()
            self.timeout = self._cell_timeout
        nb.metadata["autograder"] = {"events": self._events}
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, self.resources
        remaining = self.notebook_timeout - (monotonic() - self._started)
        if self._stopped is None and remaining <= 0:
            cap = f"the notebook ran past its {self.notebook_timeout:g} s cap"
            self._stop(TIME_CAP, index, cap)
        if self._stopped is not None:
            _mark_not_run(cell, self._stopped)
            return cell, self.resources
        self.timeout = max(1, int(min(self._cell_timeout, remaining)))
        if _is_test_cell(cell):
            self._judge(cell, index)
        else:
            self._sources.append(cell.source)
            self._run_in_kernel(cell, resources, index)
        return cell, self.resources

    # -- cells that run in the kernel

    def _run_in_kernel(self, cell, resources, index):
        try:
            super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(_error("DeadKernelError", "the kernel died in this cell"))
            self._stop(KERNEL_DIED, index, "the kernel died (os._exit, a crash, or out of memory?)")
            return
        except CellTimeoutError:
            cell.outputs.append(_error("CellTimeoutError", "no reply from the kernel in time"))
        if any(out.get("ename") == "CellTimeoutError" for out in cell.outputs):
            self._after_timeout(index)

    def _after_timeout(self, index):
        """A cell ran out of time and was interrupted: go on if the kernel answers, else stop."""
        self._event(CELL_TIMEOUT, index, f"ran past the {self.timeout} s cell time limit")
        if not self._kernel_calls().responds(self.interrupt_grace):
            run_sync(self.km.shutdown_kernel)(now=True)
            self._stop(KERNEL_DIED, index, "the kernel did not stop after an interrupt")

    # -- test cells, judged here

    def _judge(self, cell, index):
        calls = self._kernel_calls()
        calls.timeout = self.timeout
        grade_id = cell.metadata["nbgrader"].get("grade_id", f"cell {index + 1}")
        try:
            label = f"<test cell {grade_id}>"
            printed, error = run_test_cell(cell.source, calls, label, tuple(self._sources))
        except KernelTimeout:
            printed, error = "", TimeoutError("a function called by this test ran out of time")
            cell.outputs = [_error("CellTimeoutError", str(error))]
            self._after_timeout(index)
            return
        except KernelDied:
            cell.outputs = [_error("DeadKernelError", "the kernel died during this test")]
            self._stop(KERNEL_DIED, index, "the kernel died during a test")
            return
        cell.outputs = []
        if printed:
            cell.outputs.append(new_output("stream", name="stdout", text=printed[:10_000]))
        if error is not None:
            cell.outputs.append(_error(type(error).__name__, str(error)))
        cell.execution_count = None

    def _kernel_calls(self) -> KernelCalls:
        if self._calls is None:
            self._calls = KernelCalls(
                self.km.get_connection_info(),
                run_sync(self.km.is_alive),
                self.timeout,
                limit=self.reply_bytes,
            )
        return self._calls

    # -- limits and events

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output only while the cell and the notebook are under their caps."""
        size = len(json.dumps(msg["content"]))
        self._cell_bytes[cell_index] = self._cell_bytes.get(cell_index, 0) + size
        self._notebook_bytes += size
        if (
            self._cell_bytes[cell_index] <= self.cell_output_bytes
            and self._notebook_bytes <= self.notebook_output_bytes
        ):
            return super().output(outs, msg, display_id, cell_index)
        if cell_index not in self._capped:
            self._capped.add(cell_index)
            note = f"[output cut: over {self.cell_output_bytes} bytes in a cell or "
            note += f"{self.notebook_output_bytes} in the notebook]\n"
            outs.append(new_output("stream", name="stdout", text=note))
            self._event(OUTPUT_CAPPED, cell_index, "output over the size limit was dropped")
        return None

    def _event(self, kind, index, message):
        self._events.append({"kind": kind, "cell": index + 1, "message": message})

    def _stop(self, kind, index, message):
        self._event(kind, index, message)
        self._stopped = f"not run: {message} in cell {index + 1}"


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _mark_not_run(cell, reason: str) -> None:
    cell.outputs = [_error("NotRun", reason)] if _is_test_cell(cell) else []


def _error(ename: str, evalue: str):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
