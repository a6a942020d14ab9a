"""The success line a learner reads under a visible test cell that passed: ``passed: 2 points``.

A failing check shows its message (:meth:`CheckFailed._render_traceback_
<autograder.checks.harness.CheckFailed>`); a passing one would show nothing, so when a
learner's IPython kernel first imports the checks, :func:`install` registers a
``post_run_cell`` hook. After a cell that ran without error, the hook looks for a test
cell with exactly that source in the notebook the kernel belongs to (``$JPY_SESSION_NAME``,
set by Jupyter) or in the notebooks of the kernel's folder, and prints its points.
Hidden-test cells (no call left in the student version) and other cells print nothing.
Grading never sees the line: test cells are judged in the grader, outside any kernel.
"""

import ast
import json
import os
import sys
from pathlib import Path

#: (path, modification time) -> {test cell source: points} of that notebook.
_cache: dict[tuple[str, int], dict[str, float]] = {}


def install() -> None:
    """Register :func:`after_cell` with the running IPython shell, once; nothing outside
    IPython (the grader, pytest) or where IPython is not even imported."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or after_cell in shell.events.callbacks["post_run_cell"]:
        return
    shell.events.register("post_run_cell", after_cell)


def after_cell(result) -> None:
    """IPython's ``post_run_cell`` hook: print the success line under a visible test cell."""
    if not result.success or result.info is None:
        return
    line = success_line(result.info.raw_cell, _notebooks())
    if line is not None:
        print(line)


def success_line(source: str, notebooks: list[Path]) -> str | None:
    """``passed: N points`` when ``source`` is a visible test cell of one of ``notebooks``
    (its first match), else None."""
    if not _calls_something(source):
        return None  # a hidden-test cell, in the student version a comment only
    for path in notebooks:
        points = _test_cells(path).get(source.strip())
        if points is not None:
            return f"passed: {_points(points)}"
    return None


def _notebooks() -> list[Path]:
    """The notebook this kernel was started for, then those of its working folder."""
    found = []
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and Path(session).is_file():
        found.append(Path(session))
    return found + sorted(p for p in Path.cwd().glob("*.ipynb") if p not in found)


def _test_cells(path: Path) -> dict[str, float]:
    """{source: points} of the test cells of a notebook file ({} if it cannot be read)."""
    try:
        key = (str(path), path.stat().st_mtime_ns)
        if key not in _cache:
            found = map(_test_cell, json.loads(path.read_bytes()).get("cells", []))
            _cache[key] = dict(pair for pair in found if pair is not None)
        return _cache[key]
    except (OSError, ValueError, AttributeError):
        return {}


def _test_cell(cell) -> tuple[str, float] | None:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return source.strip(), float(meta.get("points", 0))


def _calls_something(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) for node in ast.walk(tree))


def _points(points: float) -> str:
    shown = f"{points:g}"
    return f"{shown} point" if points == 1 else f"{shown} points"
