"""Run a submission's kernel in a sandbox: no network, a private file system, a
separate unprivileged user, capped memory and processes, nothing left behind.

Levels (strongest first; ``detect_level()`` probes once which ones work here):

``"sandbox"``
    The kernel runs under bubblewrap (``bwrap``) in fresh pid, network, ipc, uts
    and cgroup namespaces. Its file system holds read-only binds of only what
    Python needs (``/usr``, a few ``/etc`` files, the Python installation, the
    venv and the course's library packages ``dlkit`` and ``autograder``, not the
    repository root, so ``solutions/``, gradebooks and other submissions are
    invisible), a writable scratch directory (its cwd and ``HOME``), a private
    ``/tmp``, ``/proc`` and ``/dev``. With no network, kernel and grader talk over
    Unix sockets (zmq's ``ipc`` transport) in a per-kernel socket directory bound
    at the same path. When the grader is root the kernel drops to its own uid
    (``uid_base + slot``). Killing the kernel (or the grader: ``--die-with-parent``)
    ends the pid namespace, and with it every process the submission started.
``"rlimits"``
    No usable bwrap: the same resource limits and environment, an unprivileged
    uid when the grader is root and Python is readable by it, the kernel in a
    session of its own; at the end its process group (and, with a uid of its own,
    every process of that uid) is killed. Files and network are not fenced off.
``"none"``
    Plain ``AsyncKernelManager`` (asked for explicitly, or nothing else works).

Resource limits (``prlimit``): address space (``memory_bytes``, 4 GiB: an
allocation beyond it raises ``MemoryError`` in the kernel, which keeps running),
processes and threads of the kernel's uid (``nproc``), file size, no core dumps.

Hooking it in. nbgrader's ``Execute.__init__`` passes ``kernel_manager_class=
AsyncKernelManager`` as a keyword, which beats any config, so
``c.SlicedExecute.kernel_manager_class = ...`` is silently ignored. The
preprocessor has to default the keyword itself::

    class SlicedExecute(Execute):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
            super().__init__(*args, **kwargs)

nbgrader/nbclient create the kernel manager with the preprocessor's config, so
the settings reach it from ``nbgrader_config.py`` or the config object built per
submission::

    c.SandboxConfig.level = "auto"             # or "sandbox", "rlimits", "none"
    c.SandboxConfig.memory_bytes = 4 * 2**30
    c.SandboxConfig.slot = 3                   # per concurrently graded submission
    c.SandboxConfig.scratch_dir = "/path/to/workdir/scratch"   # optional

or per worker process through the environment (read when the kernel manager is
made): ``AUTOGRADER_SANDBOX_SLOT``, ``AUTOGRADER_SANDBOX_SCRATCH``,
``AUTOGRADER_SANDBOX_LEVEL``. Directly with nbclient::

    NotebookClient(nb, kernel_manager_class=SandboxedKernelManager, config=config)

The kernel's cwd is the scratch directory (not the notebook's folder). Without a
``scratch_dir`` a fresh one is made next to the sockets and removed afterwards.
Two kernels running at once need different slots (the uid sweep at the end kills
every process of the slot's uid): by default each kernel takes the lowest free one
(a lock file per slot under ``socket_root``); a slot set explicitly is used as is.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Enum, Integer, List, Unicode, default
from traitlets.config import Configurable

LEVELS = ("sandbox", "rlimits", "none")
GiB = 2**30
MiB = 2**20

#: ``/etc`` files Python and its libraries read: the dynamic linker's cache and
#: config (shared libraries load fast), time zone, name-service switch and hosts
#: (``localhost``), ``alternatives`` (targets of some ``/usr/bin`` links), fonts
#: (fontconfig, for matplotlib), MIME types. Nothing else of the host's ``/etc``.
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "nsswitch.conf",
    "hosts",
    "alternatives",
    "fonts",
    "mime.types",
)

#: Top-level folders that are often links into ``/usr`` (merged-/usr systems).
USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


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
        ["dlkit", "autograder"],
        help="Packages the kernel may import from outside the venv (editable installs).",
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


# --------------------------------------------------------------------------- #
# The per-kernel workspace: socket directory, scratch directory, /etc stand-ins #
# --------------------------------------------------------------------------- #


@dataclass
class Workspace:
    """Directories of one sandboxed kernel, owned by the kernel's uid.

    ``run``: Unix sockets and the connection file (bound writable, same path);
    ``etc``: ``passwd``/``group`` naming the kernel's uid (bound read-only);
    ``scratch``: the kernel's cwd and HOME (bound writable, same path).
    """

    root: Path
    scratch: Path
    owns_scratch: bool
    uid: int | None

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @classmethod
    def create(cls, config: SandboxConfig, uid: int | None) -> Workspace:
        """Make the folders; ``uid``: the kernel's uid (None: the grader's own)."""
        root = Path(tempfile.mkdtemp(prefix="sbx-", dir=config.socket_root))
        owns = not config.scratch_dir
        scratch = root / "scratch" if owns else Path(config.scratch_dir).resolve()
        ws = cls(root, scratch, owns, uid)
        for folder in (ws.run, ws.etc, ws.scratch, ws.mplconfig, ws.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        ws._write_identity()
        _seed_matplotlib_cache(ws.mplconfig)
        os.chmod(root, 0o711)  # the kernel's uid must reach run/ and scratch/
        for path in (ws.run, ws.scratch, ws.mplconfig, ws.tmp, ws.mplconfig.parent):
            ws.give(path)
        return ws

    @property
    def mplconfig(self) -> Path:
        """Matplotlib's config and font cache (seeded from the grader's cache)."""
        return self.scratch / ".config" / "matplotlib"

    @property
    def tmp(self) -> Path:
        """TMPDIR at the rlimits level, where /tmp is the host's."""
        return self.scratch / ".tmp"

    def give(self, path: Path) -> None:
        """Hand ``path`` (and, for the matplotlib cache, its files) to the kernel's uid."""
        if self.uid is None:
            return
        os.chown(path, self.uid, self.uid)
        if path.is_dir():
            for child in path.iterdir():
                if child.is_file():
                    os.chown(child, self.uid, self.uid)

    def _write_identity(self) -> None:
        """``/etc/passwd`` and ``/etc/group`` of the sandbox: only its own user."""
        uid = self.uid if self.uid is not None else os.getuid()
        gid = self.uid if self.uid is not None else os.getgid()
        (self.etc / "passwd").write_text(f"sandbox:x:{uid}:{gid}:sandbox:{self.scratch}:/bin/sh\n")
        (self.etc / "group").write_text(f"sandbox:x:{gid}:\n")
        for name in ("passwd", "group"):
            os.chmod(self.etc / name, 0o644)
        os.chmod(self.etc, 0o755)

    def remove(self) -> None:
        if self.owns_scratch:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            shutil.rmtree(self.run, ignore_errors=True)
            shutil.rmtree(self.etc, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.root.rmdir()


def _seed_matplotlib_cache(target: Path) -> None:
    """Copy the grader's matplotlib font list, so that each kernel skips rebuilding it
    (seconds per kernel); its font paths (venv, /usr/share/fonts) are visible inside."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:  # no matplotlib, or no cache dir: the kernel builds its own
        return
    for fontlist in cache.glob("fontlist-*.json"):
        with contextlib.suppress(OSError):
            shutil.copyfile(fontlist, target / fontlist.name)


# --------------------------------------------------------------------------- #
# Command lines                                                                #
# --------------------------------------------------------------------------- #


def kernel_env(config: SandboxConfig, ws: Workspace, level: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's except ``pass_env``.

    PATH finds the venv's tools first; HOME and MPLCONFIGDIR point into scratch;
    bytecode is not written (the code folders are read-only anyway).
    """
    env = {
        "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(ws.scratch),
        "LANG": "C.UTF-8",
        "MPLCONFIGDIR": str(ws.mplconfig),
        "PYTHONDONTWRITEBYTECODE": "1",
        # Fewer malloc arenas: threads then reserve less address space (RLIMIT_AS).
        "MALLOC_ARENA_MAX": "4",
    }
    if level == "rlimits":  # the host's /tmp is shared: keep temporary files private
        env["TMPDIR"] = str(ws.tmp)
    if level == "sandbox":  # ipykernel: no parent polling (bwrap's --die-with-parent
        env["JPY_PARENT_PID"] = "1"  # does that) and no console notice on stdout
    for name in config.pass_env:
        if name in os.environ:
            env[name] = os.environ[name]
    env.update({str(k): str(v) for k, v in config.extra_env.items()})
    return env


def limits_prefix(config: SandboxConfig) -> list[str]:
    """``prlimit`` setting the resource limits, then exec'ing the kernel command."""
    args = ["prlimit", "--core=0"]
    if config.memory_bytes:
        args.append(f"--as={config.memory_bytes}")
    if config.nproc:
        args.append(f"--nproc={config.nproc}")
    if config.file_size_bytes:
        args.append(f"--fsize={config.file_size_bytes}")
    return [*args, "--"]


def drop_uid_prefix(uid: int) -> list[str]:
    """``setpriv``: become ``uid`` (and its group), no supplementary groups, no
    capabilities left (bounding set emptied), no way back (no_new_privs)."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


def python_roots(kernel_exe: str | None = None) -> list[Path]:
    """Folders holding the Python that runs the kernel: the venv and the base install."""
    roots = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)]
    roots += [Path(os.path.realpath(p)) for p in (sys.prefix, sys.base_prefix)]
    if kernel_exe:
        exe = Path(os.path.realpath(kernel_exe))
        if not any(exe.is_relative_to(r) for r in roots):
            roots.append(exe.parent.parent)  # <prefix>/bin/python -> <prefix>
    return _outermost(roots)


def package_roots(names: list[str]) -> list[Path]:
    """Folders of packages imported from outside the Python roots (editable
    installs map ``dlkit`` and ``autograder`` to the repository's folders)."""
    found = []
    for name in names:
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            found.append(Path(os.path.realpath(location)))
    pythons = python_roots()
    return [p for p in _outermost(found) if not any(p.is_relative_to(r) for r in pythons)]


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths that lie in no other path of the list, deduplicated, in order."""
    unique = list(dict.fromkeys(p for p in paths if p.exists()))
    return [p for p in unique if not any(p != q and p.is_relative_to(q) for q in unique)]


@dataclass(frozen=True)
class Mode:
    """How a level is realised here.

    ``style`` (sandbox level only): "privileged" (the grader is root: bwrap runs as
    root without a user namespace and setpriv inside drops to the kernel's uid;
    needs CAP_SYS_ADMIN) or "userns" (setpriv first when root, then bwrap
    unprivileged in a user namespace; needs the Python installation readable by
    the kernel's uid). ``drop_uid``: the kernel runs as ``SandboxConfig.uid``.
    """

    level: str
    style: str | None = None
    drop_uid: bool = False


def wrap_command(cmd: list[str], config: SandboxConfig, ws: Workspace, mode: Mode) -> list[str]:
    """The kernel command ``cmd`` wrapped for ``mode``:
    [setpriv] bwrap ... -- [setpriv] prlimit ... -- cmd."""
    if mode.level == "none":
        return cmd
    limited = limits_prefix(config) + cmd
    dropped = drop_uid_prefix(ws.uid) if mode.drop_uid and ws.uid is not None else []
    if mode.level == "rlimits":
        return dropped + limited
    env = kernel_env(config, ws, mode.level)
    bwrap = bwrap_prefix(config, ws, env, mode, cmd[0] if cmd else None)
    if mode.style == "privileged":
        return bwrap + dropped + limited
    return dropped + bwrap + limited


def bwrap_prefix(
    config: SandboxConfig, ws: Workspace, env: dict[str, str], mode: Mode, exe: str | None
) -> list[str]:
    """The bubblewrap command line up to (not including) the command it runs."""
    privileged = mode.style == "privileged"
    args = ["bwrap", *_namespace_args(privileged), "--die-with-parent", "--new-session"]
    args += ["--hostname", "sandbox", "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    args += _system_mounts(config)
    code = python_roots(exe) + package_roots(config.packages)
    args += _bind_args(
        [(p, "--ro-bind") for p in code] + [(ws.run, "--bind"), (ws.scratch, "--bind")]
    )
    args += ["--ro-bind", str(ws.etc / "passwd"), "/etc/passwd"]
    args += ["--ro-bind", str(ws.etc / "group"), "/etc/group"]
    args += ["--chdir", str(ws.scratch)]
    if privileged:  # bwrap runs as root; setpriv inside needs these to drop to the uid
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"):
            args += ["--cap-add", cap]
    return [*args, "--"]


def _namespace_args(privileged: bool) -> list[str]:
    """Fresh pid, network, ipc, uts and cgroup namespaces. Run by root, bwrap keeps
    the host's user namespace, so that the kernel's uid is a real unprivileged uid
    on the host; otherwise a user namespace lets bwrap work unprivileged, and the
    kernel may not create further ones."""
    if privileged:
        return [
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
    return ["--unshare-all", "--disable-userns"]


def _system_mounts(config: SandboxConfig) -> list[str]:
    """/proc and /dev of the sandbox, a private RAM-backed /tmp and /dev/shm (size
    capped, world-writable with sticky bit), /usr read-only with the merged-/usr
    links (/bin, /lib, ...), and the few /etc files of ``ETC_FILES``."""
    size = str(config.tmpfs_bytes)
    args = ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    args += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in USR_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def _bind_args(binds: list[tuple[Path, str]]) -> list[str]:
    """Bind each path at the same path, creating its parent folders first with mode
    0755 (bwrap run by root would make them 0700, closed to the kernel's uid)."""
    args, made = [], {Path("/"), Path("/tmp"), Path("/usr"), Path("/etc")}
    for path, kind in sorted(binds, key=lambda b: len(b[0].parts)):
        for parent in reversed(path.parents):
            if parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += [kind, str(path), str(path)]
        made.add(path)
    return args


# --------------------------------------------------------------------------- #
# Probing what works here                                                      #
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# The kernel manager                                                           #
# --------------------------------------------------------------------------- #


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
