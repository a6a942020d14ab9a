"""``SandboxedKernelManager``: a jupyter kernel manager whose kernel runs in the sandbox."""

import contextlib
import fcntl
import os
import signal
import time
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager

from autograder.sandbox.command import kernel_env, wrap_command
from autograder.sandbox.config import SandboxConfig
from autograder.sandbox.levels import resolve_mode
from autograder.sandbox.workspace import Workspace


class SandboxedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel runs in the sandbox of ``SandboxConfig``.

    Connection over Unix sockets in a per-kernel directory; interrupts go as
    messages on the control channel (a signal cannot cross into the sandbox's
    session); at cleanup every process of the kernel's own uid is killed and the
    workspace removed.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sandbox = SandboxConfig(parent=self)
        self.mode = resolve_mode(self.sandbox.level)
        self.workspace: Workspace | None = None
        self._slot_lock: int | None = None

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None and self.mode.level != "none":
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kw):
        if self.mode.level == "none":
            return await super()._async_pre_start_kernel(**kw)
        if self.workspace is None:
            if self.sandbox.slot < 0:
                self.sandbox.slot, self._slot_lock = acquire_slot(self.sandbox.socket_root)
            uid = self.sandbox.uid if self.mode.drop_uid else None
            self.workspace = Workspace.create(self.sandbox, uid)
            self.transport = "ipc"
            self.ip = str(self.workspace.run / "k")
            self.connection_file = str(self.workspace.run / "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        self.workspace.give(Path(self.connection_file))
        kw["env"] = kernel_env(self.sandbox, self.workspace, self.mode.level)
        kw["cwd"] = str(self.workspace.scratch)
        return wrap_command(kernel_cmd, self.sandbox, self.workspace, self.mode), kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        pgid = getattr(self.provisioner, "pgid", None)
        await super()._async_cleanup_resources(restart=restart)
        if self.mode.level == "rlimits" and pgid and pgid != os.getpgid(0):
            with contextlib.suppress(OSError):  # children left in the kernel's group
                os.killpg(pgid, signal.SIGKILL)
        if self.mode.drop_uid:
            _kill_uid(self.sandbox.uid)
        if self.workspace is not None and not restart:
            self.workspace.remove()
            self.workspace = None
        if self._slot_lock is not None and not restart:
            os.close(self._slot_lock)
            self._slot_lock = None
            self.sandbox.slot = -1


def acquire_slot(root: str, limit: int = 4096) -> tuple[int, int]:
    """The lowest slot that no other kernel on this machine holds, and the open lock
    file that holds it (an flock, released when the descriptor is closed or the
    process dies)."""
    folder = Path(root) / "autograder-sandbox-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    for slot in range(limit):
        fd = os.open(folder / f"{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return slot, fd
    raise RuntimeError(f"all {limit} kernel sandbox slots are taken")


def _kill_uid(uid: int | None, rounds: int = 20) -> None:
    """SIGKILL every process whose real uid is ``uid`` (a uid of the sandbox's own),
    repeating while new ones appear (a fork bomb racing the sweep)."""
    if uid is None or uid == os.getuid():
        return
    for _ in range(rounds):
        victims = [p for p in psutil.process_iter(["uids"]) if p.info["uids"].real == uid]
        if not victims:
            return
        for process in victims:
            with contextlib.suppress(psutil.Error):
                process.send_signal(signal.SIGKILL)
        time.sleep(0.02)
