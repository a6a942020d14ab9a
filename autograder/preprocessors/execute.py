"""nbgrader's Execute, made robust to a lost wake-up while waiting for a cell's reply.

While a cell that opens widgets (``ipywidgets.interact``) runs, nbclient can miss
the moment the kernel's reply arrives on the shell channel and sit idle until the
per-cell timeout, then interrupt a kernel that had already finished (upstream:
jupyter/nbclient#312). The reply is there all along: a fresh poll finds it at
once. So this preprocessor waits for replies in slices of ``poll_interval``
seconds, up to the same overall timeout; a missed wake-up then costs at most one
slice instead of the whole cell timeout.
"""

from queue import Empty
from time import monotonic

from jupyter_core.utils import ensure_async
from nbgrader.preprocessors import Execute
from traitlets import Float

from autograder.sandbox import SandboxedKernelManager


class SlicedExecute(Execute):
    """Execute whose wait for each cell's reply polls in short slices, with its kernel
    in the sandbox (:mod:`autograder.sandbox`; ``c.SandboxConfig`` sets its level)."""

    poll_interval = Float(1.0, help="Seconds per poll while waiting for a reply.").tag(config=True)

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute passes its own kernel manager class as a keyword, which
        # would beat any configuration: default it here instead.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def start_new_kernel_client(self):
        client = super().start_new_kernel_client()
        channel = client.shell_channel
        channel.get_msg = poll_in_slices(channel.get_msg, self.poll_interval)
        return client


def poll_in_slices(get_msg, interval: float):
    """Wrap ``get_msg(timeout)`` so that it polls at most ``interval`` seconds at a time."""

    async def get_msg_in_slices(timeout=None, **kwargs):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - monotonic())
            wait = interval if remaining is None else min(interval, remaining)
            try:
                return await ensure_async(get_msg(timeout=wait, **kwargs))
            except Empty:
                if remaining is not None and remaining <= interval:
                    raise

    return get_msg_in_slices
