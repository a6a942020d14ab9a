"""The layering of the code, read from its imports (every import, also inside functions).

``autograder``'s packages may import only those below them (each package's docstring
says which); the checks and dlkit never reach into the grader's machinery; torch is
imported only by dlkit and, lazily, by ``autograder/checks/oracles.py``; and no two
packages import each other.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ROOT

#: What each part of the code may import from the project (besides itself).
ALLOWED = {
    "autograder": set(),
    "dlkit": {"dlkit"},
    "autograder.checks": set(),
    "autograder.course": set(),
    "autograder.results": set(),
    "autograder.kernel": set(),
    "autograder.sandbox": set(),
    "autograder.preprocessors": {"autograder.kernel", "autograder.sandbox", "autograder.results"},
    "autograder.grading": {"autograder.course", "autograder.results"},
    "autograder.tasks": {"autograder.course", "autograder.results", "autograder.grading"},
    "autograder.batch": {"autograder.course", "autograder.results", "autograder.grading"},
    "autograder.cli": {
        "autograder.course",
        "autograder.results",
        "autograder.sandbox",
        "autograder.tasks",
        "autograder.batch",
    },
}
GRADER_MACHINERY = ("autograder.batch", "autograder.sandbox", "autograder.kernel")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every module ``path`` imports, with whether the import is inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        lazy = node not in tree.body
        if isinstance(node, ast.Import):
            found += [(alias.name, lazy) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.module, lazy)]
            found += [(f"{node.module}.{alias.name}", lazy) for alias in node.names]
    return found


def _part(module: str) -> str | None:
    """The entry of ALLOWED that ``module`` belongs to (longest prefix)."""
    matches = [p for p in ALLOWED if module == p or module.startswith(p + ".")]
    return max(matches, key=len, default=None)


SOURCES = sorted(p for folder in ("dlkit", "autograder") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path):
    own = _part(_module_name(path))
    assert own is not None, f"{path} belongs to no layer of ALLOWED; add it there"
    for module, _ in _imports(path):
        other = _part(module)
        if other is None or other == own:
            continue
        assert other in ALLOWED[own], f"{_module_name(path)} imports {module} ({other})"


LIBRARY = [p for p in SOURCES if _module_name(p).startswith(("dlkit", "autograder.checks"))]


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(ROOT)))
def test_checks_and_dlkit_never_reach_into_the_grader(path):
    name = _module_name(path)
    for module, _ in _imports(path):
        assert not module.startswith(GRADER_MACHINERY), f"{name} imports {module}"


def test_torch_is_imported_only_by_dlkit_and_lazily_by_the_oracles():
    for path in (ROOT / "autograder").rglob("*.py"):
        name = _module_name(path)
        for module, lazy in _imports(path):
            if module.split(".")[0] != "torch":
                continue
            assert name == "autograder.checks.oracles", f"{name} imports {module}"
            assert lazy, f"{name} imports {module} at module level; import it in a function"


def test_no_two_parts_import_each_other():
    edges = {part: set() for part in ALLOWED}
    for path in SOURCES:
        own = _part(_module_name(path))
        for module, _ in _imports(path):
            other = _part(module)
            if other is not None and other != own:
                edges[own].add(other)
    done, stack = set(), []

    def visit(part):
        assert part not in stack, "import cycle: " + " -> ".join([*stack, part])
        if part in done:
            return
        stack.append(part)
        for other in edges[part]:
            visit(other)
        stack.pop()
        done.add(part)

    for part in edges:
        visit(part)


def test_import_dlkit_does_not_load_torch():
    """``import dlkit`` stays light (numpy, scipy, matplotlib): torch loads on the first use
    of ``dk.models``, ``dk.train`` or a module that needs it, never at import (a widget
    drawing that needs a model's numpy helper imports it inside the function)."""
    code = "import sys, dlkit; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "import dlkit imported torch"
