"""The folders of one sandboxed kernel: sockets, scratch space and its own /etc files."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.config import SandboxConfig


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
