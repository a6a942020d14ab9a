"""Which safety levels work on this machine (probed once per process), and how to say so."""

import functools
import os
import shutil
import subprocess
import sys

from autograder.sandbox.command import Mode, kernel_env, wrap_command
from autograder.sandbox.config import LEVELS, GiB, SandboxConfig
from autograder.sandbox.workspace import Workspace


def _candidates(level: str) -> list[Mode]:
    """The ways to realise ``level`` on this machine, strongest first."""
    root = os.geteuid() == 0
    tools = {name: shutil.which(name) is not None for name in ("bwrap", "prlimit", "setpriv")}
    if level == "none":
        return [Mode("none")]
    if not tools["prlimit"]:
        return []
    can_drop = root and tools["setpriv"]
    if level == "rlimits":
        return [Mode("rlimits", drop_uid=True)] * can_drop + [Mode("rlimits")]
    if not tools["bwrap"]:
        return []
    if not root:
        return [Mode("sandbox", "userns")]
    modes = [Mode("sandbox", "privileged", drop_uid=bool(tools["setpriv"]))]
    return modes + [Mode("sandbox", "userns", drop_uid=True)] * can_drop


def probe(mode: Mode) -> bool:
    """Does ``mode`` work here? Runs the grader's Python once in it, in a throwaway
    workspace."""
    if mode.level == "none":
        return True
    config = SandboxConfig(scratch_dir="", slot=0)
    ws = Workspace.create(config, config.uid if mode.drop_uid else None)
    # Same Python as the grader's: a uid that cannot read the base installation may
    # silently fall back to another one (e.g. /usr/lib/python3.x).
    check = f"import os, sys; os.getcwd(); assert sys.base_prefix == {sys.base_prefix!r}"
    cmd = [sys.executable, "-c", check]
    try:
        done = subprocess.run(
            wrap_command(cmd, config, ws, mode),
            env=kernel_env(config, ws, mode.level),
            cwd=ws.scratch,
            capture_output=True,
            timeout=60,
            check=False,
        )
        return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        ws.remove()


@functools.cache
def working_mode(level: str) -> Mode | None:
    """The strongest way to realise ``level`` that works here (probed once), or None."""
    return next((mode for mode in _candidates(level) if probe(mode)), None)


def detect_level() -> str:
    """The strongest level that works here: "sandbox", "rlimits" or "none"."""
    return next(level for level in LEVELS if working_mode(level) is not None)


def resolve_mode(level: str) -> Mode:
    """The mode for a configured level ("auto" picks the strongest that works)."""
    if level == "auto":
        level = detect_level()
    mode = working_mode(level)
    if mode is None:
        raise RuntimeError(f"kernel sandbox level {level!r} does not work on this machine")
    return mode


def describe(config: SandboxConfig | None = None, mode: Mode | None = None) -> str:
    """One line on the protection in force, for the CLI to print."""
    config = config or SandboxConfig()
    mode = mode or resolve_mode(config.level)
    who = f"uid {config.uid_base}+slot" if mode.drop_uid else "the grader's uid"
    limits = f"memory {_size(config.memory_bytes)}, {config.nproc or 'unlimited'} processes"
    if mode.level == "sandbox":
        return (
            f"sandbox: bubblewrap ({mode.style}), no network, private file system, "
            f"own pid namespace, as {who}, {limits}"
        )
    if mode.level == "rlimits":
        return f"rlimits: no file or network isolation; as {who}, {limits}"
    return "none: kernels run unconfined, as the grader"


def _size(n: int) -> str:
    return f"{n / GiB:g} GiB" if n else "unlimited"
