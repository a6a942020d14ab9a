"""The kernel's command line and environment at each level:
``[setpriv] bwrap ... -- [setpriv] prlimit ... -- kernel``."""

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.config import SandboxConfig
from autograder.sandbox.workspace import Workspace

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


def code_binds(names: list[str], pythons: list[Path]) -> tuple[list[Path], list[Path]]:
    """What the kernel may read of the course's code, from ``SandboxConfig.packages``:
    ``(paths to bind read-only, package folders to hide first)``.

    A package name (``dlkit``) gives its whole folder. A module name
    (``autograder.kernel.inside``) gives only that file and the ``__init__.py`` of each
    package above it, nothing else of those packages: their top folder is hidden behind
    an empty read-only tmpfs where it lies in a Python root (a non-editable install in
    the venv, which is bound whole), and simply not bound where it lies outside (an
    editable install maps the package to the repository). What lies in a Python root
    and is not hidden needs no bind of its own.
    """
    packages, modules, tops = [], [], []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        if spec.submodule_search_locations:
            packages += [Path(os.path.realpath(p)) for p in spec.submodule_search_locations]
            continue
        modules.append(Path(os.path.realpath(spec.origin)))
        parts = name.split(".")
        for depth in range(1, len(parts)):
            parent = importlib.util.find_spec(".".join(parts[:depth]))
            modules.append(Path(os.path.realpath(parent.origin)))  # its __init__.py
            if depth == 1:
                tops += [Path(os.path.realpath(p)) for p in parent.submodule_search_locations]

    def in_python(path: Path) -> bool:
        return any(path.is_relative_to(root) for root in pythons)

    hidden = [
        top
        for top in _outermost(tops)
        if in_python(top) and not any(top.is_relative_to(p) for p in packages)
    ]
    binds = [p for p in packages if not in_python(p)]
    binds += [m for m in modules if not in_python(m) or any(m.is_relative_to(h) for h in hidden)]
    return _outermost(binds), hidden


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
    pythons = python_roots(exe)
    code, hidden = code_binds(config.packages, pythons)
    args += _bind_args(
        [(p, "--ro-bind") for p in pythons + code]
        + [(p, "--tmpfs") for p in hidden]
        + [(ws.run, "--bind"), (ws.scratch, "--bind")]
    )
    for folder in hidden:  # the kernel's code files are bound into it; nothing may be added
        args += ["--remount-ro", str(folder)]
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
    """Bind each path at the same path (``--tmpfs``: an empty folder there instead),
    shallowest first, creating its parent folders first with mode 0755 (bwrap run by
    root would make them 0700, closed to the kernel's uid)."""
    args, made = [], {Path("/"), Path("/tmp"), Path("/usr"), Path("/etc")}
    for path, kind in sorted(binds, key=lambda b: (len(b[0].parts), b[1] != "--tmpfs")):
        for parent in reversed(path.parents):
            if parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        if kind == "--tmpfs":
            args += ["--perms", "0755", "--tmpfs", str(path)]
        else:
            args += [kind, str(path), str(path)]
        made.add(path)
    return args
