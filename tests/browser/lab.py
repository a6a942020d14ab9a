"""A JupyterLab on a copy of the course, driven by headless Chromium through Selenium.

Used by the browser tests (tests/browser/test_learner_day.py, test_instructor_day.py) and
benchmarks/browser.py. The server is started as ``make lab`` starts it (the Makefile's
``LAB_OPTIONS``, its ``JUPYTER_CONFIG_PATH``; with ``grading``, as ``make lab GRADING=``),
on a free loopback port with a token, over a copy of the course (or a course built for
the test) so that nothing a test runs or saves touches the checkout. Debian's ``chromium``
and ``chromium-driver`` drive it (``make test`` installs them where it can).
"""

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests import ROOT

CHROMIUM, CHROMEDRIVER = "chromium", "chromedriver"


def missing_browser() -> str | None:
    """Why no browser test can run here (None when it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -c constraints.txt -e '.[dev]')"
    for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install {package}; make test does as root)"
    return None


def lab_options() -> list[str]:
    """The JupyterLab options of ``make lab`` (the Makefile's ``LAB_OPTIONS``)."""
    makefile = (ROOT / "Makefile").read_text()
    found = re.search(r"^LAB_OPTIONS\s*:=\s*((?:.*\\\n)*.*)$", makefile, re.M)
    assert found, "the Makefile defines no LAB_OPTIONS"
    return found.group(1).replace("\\\n", " ").split()  # continued lines joined


def copy_course(target: Path) -> Path:
    """A copy of the course (settings, sources, student notebooks) in ``target``."""
    skip = shutil.ignore_patterns(".ipynb_checkpoints")
    target.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", target)
    for folder in ("solutions", "notebooks"):
        shutil.copytree(ROOT / folder, target / folder, ignore=skip)
    for folder in (".exchange", "fetched"):  # as `make lab` does
        (target / folder).mkdir()
    return target


def screenshot_folder(root: Path, request) -> Path:
    """``root/screenshots``, made, and its path printed on pytest's terminal."""
    shots = root / "screenshots"
    shots.mkdir()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"browser test screenshots: {shots}")
    return shots


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(
    course: Path, state: Path, extra: tuple[str, ...] = (), grading: Path | None = None
):
    """Start JupyterLab on ``course`` (runtime files and settings under ``state``);
    yield ``(base_url, token)``; shut it down, kernels included. With ``grading`` (an
    output folder of ``autograder grade``), as ``make lab GRADING=...``: the server runs
    in that folder, ``course`` only on JUPYTER_CONFIG_PATH, and opens on ``/lab``."""
    folder, opens = (course, ()) if grading is None else (grading, ("--LabApp.default_url=/lab",))
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline plots
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "JUPYTER_CONFIG_PATH": str(course),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        "DLKIT_FAST": "1",
    }
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={folder}", "--LabApp.expose_app_in_browser=True",
               *lab_options(), *opens, *extra]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(state / "lab.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(  # there, as `make lab` (nbgrader's course root)
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/status?token={token}", server, state / "lab.log")
        yield base, token
    finally:
        with contextlib.suppress(OSError):
            request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()  # stops the kernels too
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait(timeout=10)
        log.close()


def _wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({server.returncode}):\n{log.read_text()}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2).close()
            return
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer at {url} in {timeout:g} s")


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 1000):
    """A headless Chromium under Selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", f"--window-size={width},{height}"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


#: JavaScript run in the page: the current notebook panel's state.
_PANEL = """
const panel = window.jupyterapp.shell.currentWidget;
if (!panel || !panel.sessionContext || !panel.context.isReady) return null;
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
return {kernel: kernel ? kernel.status : null, counts: code.map(c => c.model.executionCount)};
"""


class Lab:
    """The learner's JupyterLab page: open notebooks, run cells, read what they show."""

    def __init__(self, driver, base: str, token: str, shots: Path):
        self.driver, self.base, self.token, self.shots = driver, base, token, shots
        self.step = 0

    def get(self, path: str) -> None:
        """Load ``base/path`` with the token; wait until JupyterLab has restored."""
        self.driver.get(f"{self.base}{path}?token={self.token}")
        if path.startswith("/lab"):
            self.script("return window.jupyterapp.restored", wait=True)

    def home(self) -> None:
        """Be on JupyterLab's page, restored (loading it only when the browser is elsewhere)."""
        if "/lab" not in self.driver.current_url:
            self.get("/lab")
        self.script("return window.jupyterapp.restored", wait=True)

    def script(self, body: str, *args, wait: bool = False):
        """Run JavaScript in the page; with ``wait``, ``body`` returns a promise awaited."""
        if not wait:
            return self.driver.execute_script(body, *args)
        wrapped = (
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve((() => {{ {body} }})()).then(v => done({{ok: v === undefined ? "
            "null : JSON.parse(JSON.stringify(v))}), e => done({error: String(e)}));"
        )
        for _ in range(200):  # the page may not have exposed the app yet
            if self.driver.execute_script("return !!window.jupyterapp"):
                break
            time.sleep(0.1)
        reply = self.driver.execute_async_script(wrapped, *args)
        if "error" in reply:
            raise RuntimeError(f"in the page: {reply['error']}")
        return reply["ok"]

    def command(self, name: str, **arguments):
        """Run one of JupyterLab's commands (as a menu or shortcut would)."""
        return self.script(
            "return window.jupyterapp.commands.execute(arguments[0], arguments[1])"
            ".then(() => null)",
            name,
            arguments,
            wait=True,
        )

    def open_notebook(self, path: str, timeout: float = 120) -> None:
        """Open a notebook and wait for its kernel to be idle."""
        self.command("docmanager:open", path=path)
        self.until(lambda: (state := self.script(_PANEL)) and state["kernel"] == "idle", timeout)

    def state(self) -> dict:
        return self.script(_PANEL)

    def wait_idle(self, timeout: float = 120) -> dict:
        """Wait until the kernel is idle with no cell queued; the panel's state."""
        self.until(lambda: self._settled(), timeout)
        return self.state()

    def _settled(self) -> bool:
        busy = self.script(
            "return window.jupyterapp.shell.currentWidget.content.widgets.some("
            "c => c.model.type === 'code' && c.promptNode && c.promptNode.textContent"
            ".includes('*'))"
        )
        return not busy and self.state()["kernel"] == "idle"

    def code_cells(self) -> list[dict]:
        """Every code cell of the open notebook: source, tags and outputs (nbformat JSON)."""
        return self.script(
            "return window.jupyterapp.shell.currentWidget.content.widgets"
            ".filter(c => c.model.type === 'code').map(c => ({source: c.model.sharedModel"
            ".getSource(), tags: c.model.getMetadata('tags') || [], outputs: c.model.outputs"
            ".toJSON(), count: c.model.executionCount}))"
        )

    def index_of(self, predicate) -> int:
        """The index (among all cells) of the first code cell whose source satisfies it."""
        sources = self.script(
            "return window.jupyterapp.shell.currentWidget.content.widgets.map("
            "c => c.model.type === 'code' ? c.model.sharedModel.getSource() : null)"
        )
        return next(i for i, source in enumerate(sources) if source and predicate(source))

    def run_cell(self, index: int, source: str | None = None) -> None:
        """Make cell ``index`` active (optionally with a new source), run it, and wait."""
        self.script(
            "const notebook = window.jupyterapp.shell.currentWidget.content;"
            "if (arguments[1] !== null) notebook.widgets[arguments[0]].model.sharedModel"
            ".setSource(arguments[1]);"
            "notebook.activeCellIndex = arguments[0]; notebook.mode = 'command';"
            "return notebook.scrollToItem(arguments[0], 'start');",
            index,
            source,
            wait=True,
        )
        self.command("notebook:run-cell")
        self.wait_idle()

    def show_cell(self, index: int):
        """Scroll cell ``index`` into view; its DOM node."""
        self.script(
            "const notebook = window.jupyterapp.shell.currentWidget.content;"
            "notebook.activeCellIndex = arguments[0];"
            "return notebook.scrollToItem(arguments[0], 'center');",
            index,
            wait=True,
        )
        return self.script(
            "return window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]].node",
            index,
        )

    def until(self, condition, timeout: float = 60, what: str = "the page") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.screenshot("timeout")
                raise TimeoutError(f"{what} did not get there in {timeout:g} s")
            time.sleep(0.2)

    def screenshot(self, name: str) -> Path:
        """Save the page as ``NN-name.png`` in the screenshot folder."""
        self.step += 1
        path = self.shots / f"{self.step:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def output_text(cell: dict) -> str:
    """What a code cell's outputs say, as text (streams, errors' tracebacks, text/plain)."""
    parts = []
    for output in cell["outputs"]:
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        elif output["output_type"] == "error":
            parts.append("\n".join(output["traceback"]))
        elif "text/plain" in output.get("data", {}):
            parts.append("".join(output["data"]["text/plain"]))
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts))  # ANSI colours out
