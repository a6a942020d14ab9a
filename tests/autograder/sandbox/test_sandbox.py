"""The kernel sandbox: real kernels, run through nbclient on tiny notebooks.

Most checks share one sandboxed kernel (a cell each); the daemon and level tests
start their own. Kernels get slots (hence uids) of their own, far from the ones
the grader uses, so that the uid sweep at the end touches nothing else.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from autograder.sandbox import (
    SandboxConfig,
    SandboxedKernelManager,
    acquire_slot,
    command,
    describe,
    detect_level,
    working_mode,
)
from autograder.sandbox.workspace import Workspace
from tests import ROOT

IS_ROOT = os.geteuid() == 0
SLOT = 1000 + os.getpid() % 50_000  # per test run: concurrent runs do not collide


def needs(level: str) -> None:
    if working_mode(level) is None:
        why = {"sandbox": "bwrap missing or unusable", "rlimits": "prlimit missing"}
        pytest.skip(f"kernel sandbox level {level!r} unavailable here ({why.get(level)})")


def client_for(level: str, slot: int, scratch: Path | None = None) -> NotebookClient:
    config = Config()
    config.SandboxConfig.level = level
    config.SandboxConfig.slot = slot
    if scratch is not None:
        config.SandboxConfig.scratch_dir = str(scratch)
    return NotebookClient(
        nbformat.v4.new_notebook(),
        kernel_manager_class=SandboxedKernelManager,
        config=config,
        timeout=60,
        allow_errors=True,
        interrupt_on_timeout=True,
    )


def run(client: NotebookClient, source: str) -> str:
    """Execute one cell; its stdout, or ``!ErrorName`` when it raised."""
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.execute_cell(cell, len(client.nb.cells) - 1)
    errors = [o.ename for o in cell.outputs if o.output_type == "error"]
    if errors:
        return "!" + errors[0]
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").strip()


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """A scratch folder and, next to it, a "solutions" folder with a secret."""
    base = tmp_path_factory.mktemp("sandbox")
    (base / "scratch").mkdir()
    (base / "solutions").mkdir()
    (base / "solutions" / "secret.txt").write_text("42")
    return base


@pytest.fixture(scope="module")
def kernel(places):
    """One kernel at the sandbox level, started with grader-only variables set."""
    needs("sandbox")
    saved = {k: os.environ.get(k) for k in ("NBGRADER_EXECUTION", "SANDBOX_MARKER", "DLKIT_FAST")}
    os.environ.update(NBGRADER_EXECUTION="autograde", SANDBOX_MARKER="leak", DLKIT_FAST="1")
    client = client_for("sandbox", SLOT, places / "scratch")
    try:
        with client.setup_kernel():
            yield client
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_detect_level_finds_the_sandbox():
    if shutil.which("bwrap") is None:
        pytest.skip("bwrap is not installed")
    assert detect_level() == "sandbox"
    assert describe().startswith("sandbox: ")


def test_no_loopback_connection_to_the_host(kernel):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)"
        assert run(kernel, code) in {"!ConnectionRefusedError", "!TimeoutError", "!OSError"}
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()


def test_no_internet(kernel):
    code = "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=3)"
    assert run(kernel, code) in {"!OSError", "!TimeoutError", "!ConnectionRefusedError"}


def test_solutions_are_invisible(kernel, places):
    neighbour = places / "solutions" / "secret.txt"
    repo = next((ROOT / "solutions").rglob("*.ipynb"))
    assert run(kernel, f"open({str(neighbour)!r}).read()") == "!FileNotFoundError"
    assert run(kernel, f"open({str(repo)!r}).read()") == "!FileNotFoundError"
    assert run(kernel, f"import os; print(os.path.exists({str(ROOT / 'gradebook.db')!r}))") == (
        "False"
    )


def test_the_kernel_sees_dlkit_and_its_half_of_the_boundary_never_the_grading_code(kernel):
    """The checks (hidden inputs, oracles) and the grader's half cannot be imported or read."""
    imports = "import dlkit, autograder.kernel.inside, autograder.kernel.plaindata; print('ok')"
    assert run(kernel, imports) == "ok"
    assert run(kernel, "import autograder.checks") == "!ModuleNotFoundError"
    assert run(kernel, "import autograder.kernel.outside") == "!ModuleNotFoundError"
    for path in ("checks/harness.py", "checks/getting_started.py", "kernel/outside.py", "cli.py"):
        assert run(kernel, f"open({str(ROOT / 'autograder' / path)!r})") == "!FileNotFoundError"
    listing = "import os, autograder as a; print(sorted(os.listdir(os.path.dirname(a.__file__))))"
    assert run(kernel, listing) == "['__init__.py', 'kernel']"


def test_a_module_of_an_installed_package_is_bound_alone_behind_an_empty_folder(
    tmp_path, monkeypatch
):
    """A non-editable install lies in the venv, which the sandbox binds whole: the package's
    folder is hidden behind an empty read-only tmpfs, and only the module and its packages'
    ``__init__.py`` are bound into it."""
    needs("sandbox")
    site = tmp_path / "site"
    for name in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/allowed.py", "pkg/secret.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("VALUE = 1\n")
    folder = site / "pkg"
    code = (
        f"import os, sys; sys.path.insert(0, {str(site)!r})\n"
        "import pkg.sub.allowed\n"
        "try:\n    import pkg.secret\nexcept ImportError:\n    print('hidden')\n"
        f"print(sorted(os.listdir({str(folder)!r})), os.access({str(folder)!r}, os.W_OK))"
    )
    monkeypatch.syspath_prepend(str(site))
    config = SandboxConfig(slot=SLOT + 4, scratch_dir="", packages=["pkg.sub.allowed"])
    binds, hidden = command.code_binds(config.packages, [*command.python_roots(), site])
    for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
        monkeypatch.delitem(sys.modules, name)
    assert hidden == [folder]
    assert sorted(binds) == [
        folder / "__init__.py",
        folder / "sub/__init__.py",
        folder / "sub/allowed.py",
    ]
    original = command.python_roots
    monkeypatch.setattr(command, "python_roots", lambda exe=None: [*original(exe), site])
    mode = working_mode("sandbox")
    ws = Workspace.create(config, config.uid if mode.drop_uid else None)
    try:
        done = subprocess.run(
            command.wrap_command([sys.executable, "-c", code], config, ws, mode),
            env=command.kernel_env(config, ws, "sandbox"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        ws.remove()
    assert done.stdout.split("\n")[:2] == ["hidden", "['__init__.py', 'sub'] False"], done.stderr


def test_writes_only_in_scratch(kernel, places):
    for outside in (ROOT / "dlkit" / "x.py", Path("/usr/x"), places / "x"):
        assert run(kernel, f"open({str(outside)!r}, 'w')").startswith("!"), outside
    assert not (ROOT / "dlkit" / "x.py").exists()
    assert run(kernel, "open('written.txt', 'w').write('hi'); print('ok')") == "ok"
    written = places / "scratch" / "written.txt"
    assert written.read_text() == "hi"
    if IS_ROOT:  # owned by the kernel's unprivileged uid, outside too
        assert written.stat().st_uid == SandboxConfig(slot=SLOT).uid


def test_runs_unprivileged(kernel):
    status = run(kernel, "print(open('/proc/self/status').read())")
    fields = dict(line.split(":", 1) for line in status.splitlines())
    assert fields["CapEff"].strip() == "0000000000000000"
    if IS_ROOT:
        uid = 2_000_000 + SLOT
        assert run(kernel, "import os; print(os.getuid(), os.getgid())") == f"{uid} {uid}"
        assert fields["NoNewPrivs"].strip() == "1"


def test_course_libraries_import(kernel):
    code = "import dlkit, numpy, torch\nprint(float(torch.ones(2).sum()))"
    assert run(kernel, code) == "2.0"


def test_memory_cap_raises_inside_and_the_kernel_lives_on(kernel):
    assert run(kernel, "x = bytearray(6 * 2**30)") == "!MemoryError"
    assert run(kernel, "print(sum(range(4)))") == "6"


FORK_BOMB = """
import os
r, w = os.pipe()
children, capped = [], False
for _ in range(1000):
    try:
        pid = os.fork()
    except OSError:
        capped = True
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    children.append(pid)
os.close(w)
for pid in children:
    os.waitpid(pid, 0)
print(capped, len(children))
"""


def test_fork_bomb_hits_the_process_cap(kernel):
    # In a small fresh interpreter (forking the kernel itself is slow once torch is
    # loaded); it counts against the same per-uid cap.
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {FORK_BOMB!r}])"
    capped, forked = run(kernel, code).split()
    assert capped == "True" and int(forked) < 1000
    assert run(kernel, "print('alive')") == "alive"


def test_grader_environment_is_not_visible(kernel):
    code = (
        "import os\n"
        "print(sorted({'NBGRADER_EXECUTION', 'SANDBOX_MARKER'} & set(os.environ)),"
        " os.environ.get('DLKIT_FAST'))"
    )
    assert run(kernel, code) == "[] 1"


def test_interrupt_reaches_the_kernel(kernel):
    kernel.timeout = 2
    try:
        assert run(kernel, "import time; time.sleep(60)") == "!KeyboardInterrupt"
    finally:
        kernel.timeout = 60
    assert run(kernel, "print('next')") == "next"


DAEMON = """
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv('/bin/sh', ['sh', '-c', 'sleep 1000; : {marker}'])
    os._exit(0)
"""


def processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(marker in part for part in process.info["cmdline"] or ()):
            found.append(process)
    return found


def gone(marker: str, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not [p for p in processes_with(marker) if p.status() != psutil.STATUS_ZOMBIE]:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("level", ["sandbox", "rlimits"])
def test_daemons_die_with_the_kernel(level):
    needs(level)
    if level == "rlimits" and not working_mode("rlimits").drop_uid:
        pytest.skip("rlimits without a uid of its own: a setsid daemon escapes the group kill")
    marker = f"sbx-{uuid.uuid4().hex}"
    client = client_for(level, SLOT + 1)
    with client.setup_kernel():
        run(client, DAEMON.format(marker=marker))
        time.sleep(0.3)
        assert processes_with(marker), "the daemon did not start"
    assert gone(marker)


@pytest.mark.parametrize("level", ["rlimits", "none"])
def test_lower_levels_give_a_working_kernel(level):
    needs(level)
    client = client_for(level, SLOT + 2)
    with client.setup_kernel():
        assert run(client, "print(6 * 7)") == "42"
        if level == "rlimits":
            assert run(client, "x = bytearray(6 * 2**30)") == "!MemoryError"
            assert run(client, "print('alive')") == "alive"


def test_nbgrader_preprocessor_runs_its_kernel_in_the_sandbox(tmp_path):
    """The hook for nbgrader: nbgrader's Execute passes ``kernel_manager_class`` as a
    keyword (AsyncKernelManager), which beats config, so the preprocessor itself must
    default it to SandboxedKernelManager."""
    needs("sandbox")
    from autograder.preprocessors import SlicedExecute

    class SandboxedExecute(SlicedExecute):
        def __init__(self, **kwargs):
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
            super().__init__(**kwargs)

    config = Config()
    config.SandboxConfig.slot = SLOT + 3
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; os.uname()[1]")])
    SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "'sandbox'"


def test_concurrent_kernels_get_slots_of_their_own(tmp_path):
    first, lock = acquire_slot(str(tmp_path))
    second, other = acquire_slot(str(tmp_path))
    assert first != second
    os.close(lock)
    assert acquire_slot(str(tmp_path))[0] == first
    os.close(other)
