"""Widget redraw as the learner sees it: slider key press to the new image in the page.

    python -m benchmarks.browser [NN_topic ...]      (default: modules 00 to 08)

Starts JupyterLab as the browser test does (tests/browser/lab.py: a copy of the course,
headless Chromium), runs each student notebook with Run All, then for every slider widget
presses the arrow key on its handle REPEATS times (right, then left) and times, in the
page, from the key event to the redrawn figure decoded in the page. Each notebook is
closed before the next opens (otherwise every earlier one stays rendered in the page).
Prints the median and the spread (min to max) per widget against the 100 ms goal, and
the load average.
"""

import os
import statistics
import sys
import tempfile
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

from tests.browser.lab import Lab, chromium, copy_course, jupyter_lab, missing_browser

TARGET_MS = 100.0
REPEATS = 11
MODULES = [
    "00_getting_started",
    "01_linear_algebra",
    "02_probability",
    "03_information_theory",
    "04_calculus_autodiff",
    "05_numerical_computation",
    "06_optimization",
    "07_classical_ml",
    "08_feedforward_backprop",
]

#: In the page: press the arrow key on the first slider handle of cell ``arguments[0]``
#: and resolve with the milliseconds until a new figure image has been decoded.
_PRESS = """
const [index, key] = [arguments[0], arguments[1]];
const node = window.jupyterapp.shell.currentWidget.content.widgets[index].node;
const handle = node.querySelector('.noUi-handle');
const before = (node.querySelector('.jp-OutputArea-output img') || {}).src;
return new Promise((resolve, reject) => {
  const start = performance.now();
  const observer = new MutationObserver(() => {
    const image = node.querySelector('.jp-OutputArea-output img');
    if (image && image.src !== before) {
      observer.disconnect();
      image.decode().then(() => resolve(performance.now() - start), reject);
    }
  });
  observer.observe(node, {subtree: true, childList: true, attributes: true});
  setTimeout(() => { observer.disconnect(); reject('no redraw in 10 s'); }, 10000);
  handle.focus();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
});
"""

#: In the page: whether the first slider handle of cell ``arguments[0]`` is at its maximum
#: (a right arrow would not move it).
_AT_MAX = """
const handle = window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]].node
  .querySelector('.noUi-handle');
return handle.getAttribute('aria-valuenow') === handle.getAttribute('aria-valuemax');
"""

#: Indexes of the cells whose output holds a slider and a figure.
_WIDGETS = """
return window.jupyterapp.shell.currentWidget.content.widgets.map((cell, i) =>
  cell.model.type === 'code' && cell.model.outputs.toJSON().some(o => o.data &&
  o.data['application/vnd.jupyter.widget-view+json']) ? i : null).filter(i => i !== null);
"""


def measure(lab: Lab, module: str) -> list[tuple[str, list[float]]]:
    """Redraw times (ms) of each slider widget of one module's student notebook."""
    lab.get("/lab")
    lab.open_notebook(f"notebooks/{module}/{module}.ipynb")
    lab.command("notebook:run-all-cells")
    lab.until(lambda: lab.state()["counts"][-1] is not None, 600, "Run All")
    lab.wait_idle(600)
    found = []
    for index in lab.script(_WIDGETS):
        try:
            node = _shown(lab, index)
        except WebDriverException as error:  # the cell re-rendered while it was looked at
            print(f"{module} cell {index}: not measured ({type(error).__name__})")
            continue
        if not node.find_elements("css selector", ".noUi-handle"):
            continue  # a widget without a slider (a button, a progress bar)
        source = lab.script(
            "return window.jupyterapp.shell.currentWidget.content.widgets[arguments[0]]"
            ".model.sharedModel.getSource()",
            index,
        )
        keys = ["ArrowRight", "ArrowLeft"]  # one step and back, from the notebook's value
        if lab.script(_AT_MAX, index):
            keys.reverse()
        times = [
            lab.script(_PRESS, index, key, wait=True) for key in keys * (REPEATS // 2) + keys[:1]
        ]
        found.append((f"{module} cell {index}: {_name(source)}", times[1:]))  # first warms up
    # every kernel shut down and every notebook closed unsaved: one open at a time, as a
    # learner works through the course (the kernel menu's command waits for a dialog)
    lab.script(
        "const app = window.jupyterapp;"
        "return app.serviceManager.sessions.shutdownAll().then(() => {"
        "  for (const widget of Array.from(app.shell.widgets('main'))) widget.dispose(); });",
        wait=True,
    )
    return found


def _shown(lab: Lab, index: int, tries: int = 3):
    """Cell ``index`` scrolled into view with its widget drawn; its DOM node."""
    for attempt in range(tries):
        try:
            node = lab.show_cell(index)
            lab.until(lambda n=node: _ready(n), 60, f"the widget of cell {index}")
            return node
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise


def _ready(node) -> bool:
    images = node.find_elements("css selector", ".jp-OutputArea-output img")
    return bool(images) or not node.find_elements("css selector", ".noUi-handle")


def _name(source: str) -> str:
    for line in source.splitlines():
        if "dk.widgets." in line:
            return line.split("dk.widgets.", 1)[1].split("(")[0].split(",")[0].rstrip(")")
    return source.strip().splitlines()[0][:40]


def main(modules: list[str]) -> int:
    why = missing_browser()
    if why is not None:
        print(f"no browser: {why}")
        return 1
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        course = copy_course(Path(tmp) / "course")
        shots = Path(tmp) / "shots"
        shots.mkdir()
        with jupyter_lab(course, Path(tmp)) as (base, token), chromium() as driver:
            lab = Lab(driver, base, token, shots)
            print(f"{'widget':60s} {'median':>8s} {'spread':>16s}  vs {TARGET_MS:.0f} ms")
            for module in modules:
                for name, times in measure(lab, module):
                    median = statistics.median(times)
                    spread = f"{min(times):.0f}-{max(times):.0f} ms"
                    verdict = "ok" if median < TARGET_MS else "OVER"
                    print(f"{name:60s} {median:6.0f} ms {spread:>16s}  {verdict}")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or MODULES))
