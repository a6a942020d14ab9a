"""The sandbox's settings: ``c.SandboxConfig.*`` in nbgrader_config.py, or the environment."""

import os
import tempfile

from traitlets import Dict, Enum, Integer, List, Unicode, default
from traitlets.config import Configurable

LEVELS = ("sandbox", "rlimits", "none")
GiB = 2**30
MiB = 2**20


class SandboxConfig(Configurable):
    """Settings of the kernel sandbox (``c.SandboxConfig.*`` in nbgrader_config.py)."""

    level = Enum(
        ["auto", *LEVELS],
        help="Safety level: auto (the strongest that works here), sandbox, rlimits, none.",
    ).tag(config=True)
    memory_bytes = Integer(
        4 * GiB, help="Address-space cap of the kernel (RLIMIT_AS); 0 for none."
    ).tag(config=True)
    nproc = Integer(
        256, help="Processes and threads of the kernel's uid (RLIMIT_NPROC); 0 for none."
    ).tag(config=True)
    file_size_bytes = Integer(
        1 * GiB, help="Largest file the kernel may write (RLIMIT_FSIZE); 0 for none."
    ).tag(config=True)
    tmpfs_bytes = Integer(
        512 * MiB, help="Size of the sandbox's private /tmp and /dev/shm (RAM-backed)."
    ).tag(config=True)
    uid_base = Integer(
        2_000_000, help="When the grader is root, the kernel runs as uid_base + slot."
    ).tag(config=True)
    slot = Integer(
        help="Number of this concurrently graded submission (env AUTOGRADER_SANDBOX_SLOT); "
        "-1: the lowest slot no other kernel on this machine holds."
    ).tag(config=True)
    scratch_dir = Unicode(
        help="The kernel's writable cwd and HOME (env AUTOGRADER_SANDBOX_SCRATCH); "
        "empty: a temporary one, removed afterwards."
    ).tag(config=True)
    socket_root = Unicode(
        help="Where per-kernel socket directories are made (short: Unix socket paths "
        "are limited to 107 bytes)."
    ).tag(config=True)
    packages = List(
        Unicode(),
        ["dlkit", "autograder.kernel.inside", "autograder.kernel.plaindata"],
        help="The course's code the kernel may import: a package name gives all of it, a "
        "module name only that file (and its packages' __init__.py), so the kernel sees the "
        "reference library and its half of the trust boundary, never the checks.",
    ).tag(config=True)
    pass_env = List(
        Unicode(),
        ["DLKIT_FAST"],
        help="Variables copied from the grader's environment when set there.",
    ).tag(config=True)
    extra_env = Dict(help="Further variables for the kernel (e.g. OMP_NUM_THREADS).").tag(
        config=True
    )

    @default("level")
    def _level_default(self):
        return os.environ.get("AUTOGRADER_SANDBOX_LEVEL", "auto")

    @default("slot")
    def _slot_default(self):
        return int(os.environ.get("AUTOGRADER_SANDBOX_SLOT", "-1"))

    @default("scratch_dir")
    def _scratch_dir_default(self):
        return os.environ.get("AUTOGRADER_SANDBOX_SCRATCH", "")

    @default("socket_root")
    def _socket_root_default(self):
        return "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()

    @property
    def uid(self) -> int | None:
        """The uid the kernel runs as, or None to keep the grader's (not root)."""
        return self.uid_base + self.slot if os.geteuid() == 0 else None
