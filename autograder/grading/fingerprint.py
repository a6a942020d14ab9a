"""What must be the same for two gradings of a submission to agree: the assignment's
source notebooks, the course's settings and the grading code.

A Dask worker compares the grader's fingerprint with its own checkout's before grading;
a re-run of ``grade`` and ``progress``'s cache keep a result only while it is unchanged.
"""

import hashlib
import importlib.util
import re
from pathlib import Path

from autograder.course import CONFIG_FILE, Course


def fingerprint(course: Course, assignment: str) -> dict[str, str]:
    """The SHA-256 of the assignment's source notebooks, of the course's settings
    (nbgrader_config.py) and of the code that grades it (:func:`code_files`)."""
    notebooks = sorted((course.solutions / assignment).glob("*.ipynb"))
    return {
        "notebooks": digest(notebooks),
        "settings": digest([course.root / CONFIG_FILE]),
        "code": digest(code_files(notebooks)),
    }


def code_files(notebooks: list[Path]) -> list[Path]:
    """The grading code: autograder, with only the checks modules these notebooks' cells
    import (besides the harness and oracles), and dlkit when the notebooks use it."""
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in notebooks)
    imported = set(_CHECKS_IMPORT.findall(text)) | {"__init__", "harness", "oracles"}
    files = []
    for package in ("autograder", "dlkit") if "dlkit" in text else ("autograder",):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(folder).rglob("*.py")):
                checks = package == "autograder" and path.parent.name == "checks"
                if not checks or path.stem in imported:
                    files.append(path)
    return files


#: ``from autograder.checks import topic as chk`` (or several names) in a test cell.
_CHECKS_IMPORT = re.compile(r"from autograder\.checks import (\w+)")


def digest(paths: list[Path]) -> str:
    """The SHA-256 of the files' names and contents (a missing file counts as empty)."""
    found = hashlib.sha256()
    for path in paths:
        found.update(path.name.encode() + b"\0")
        found.update(path.read_bytes() if path.is_file() else b"")
        found.update(b"\0")
    return found.hexdigest()
