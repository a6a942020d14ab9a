"""A real PostgreSQL server for the tests: Debian's ``postgresql`` package, started with
``initdb`` and ``pg_ctl`` in a temporary folder, listening on 127.0.0.1 only.

This is the one place that installs it (``apt-get install postgresql``, as root, where
apt-get exists, as the Makefile installs bubblewrap); where it cannot be installed or
started, :func:`start` says why and the tests that need it are skipped with that reason.
The server runs as the ``postgres`` user (initdb refuses root), trusts local connections
and keeps nothing: it is stopped and its folder removed when the test session ends.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def install() -> str | None:
    """Install Debian's postgresql where it is missing; None when it is there, else why not."""
    if binaries() is not None:
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "PostgreSQL is not installed and cannot be (needs root and apt-get)"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", "postgresql"]
    done = subprocess.run(command, env=env, check=False, **quiet)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, **quiet)
        done = subprocess.run(command, env=env, check=False, **quiet)
    if done.returncode != 0 or binaries() is None:
        return f"apt-get install postgresql failed: {done.stderr.strip()[-300:]}"
    return None


@contextlib.contextmanager
def start():
    """Yield ``(url, None)`` for a fresh server's ``postgres`` database, or ``(None, why)``."""
    why = install()
    if why is not None:
        yield None, why
        return
    folder = Path(tempfile.mkdtemp(prefix="autograder-postgres-"))
    user = _server_user()
    data, port = folder / "data", _free_port()
    try:
        if user is not None:
            shutil.chown(folder, user.pw_uid, user.pw_gid)
        bin_dir = binaries()
        _run(user, [bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"])
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = folder / "server.log"
        _run(user, [bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"])
    except (OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        said = getattr(error, "stderr", None) or b""
        yield None, f"PostgreSQL did not start: {error} {said.decode(errors='replace')[-300:]}"
        return
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", None
    finally:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            _run(user, [bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """A new, empty database on the server of ``url``; returns its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def _server_user():
    """The user the server runs as: ``postgres`` (or ``nobody``) when we are root, else us."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise OSError("no unprivileged user to run PostgreSQL as")


def _run(user, command) -> None:
    command = [str(part) for part in command]
    if user is not None:
        command = ["runuser", "-u", user.pw_name, "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120, cwd="/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
