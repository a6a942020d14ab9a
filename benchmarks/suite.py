"""What each module costs the test suite, against the per-module budget of the README.

    python -m benchmarks.suite                  # runs the suite as make test does (minutes)
    python -m benchmarks.suite --junit FILE     # reads a finished run's JUnit XML instead

A module's cost is the serial time of its tests, as pytest records it per test (set-up
included): ``autograder verify`` of its assignment (the solution and the blank notebook
graded in the sandbox), the rows of the checks' contract for its topic, and the test
files its row of the README's module table links to, plus its widgets' tests. Whatever
belongs to no module is the fixed cost (grading round trips, the attack corpus, the
sandbox). The wall time of ``make test`` is about (fixed + modules) / 1.75 on two
workers, plus about a minute of set-up.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

from tests import ROOT
from tests.course_map import links, module_rows

#: Seconds of serial suite time a module may add (README, contributor guide).
MODULE_BUDGET_S = 60.0


def run_suite(junit: Path) -> None:
    """The suite as ``make test`` runs it, recording every test's time in ``junit``."""
    env = {**os.environ, "DLKIT_FAST": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "pytest", "-n", "2", "-q", f"--junitxml={junit}", "tests"]
    subprocess.run(command, cwd=ROOT, env=env, check=False)


def test_times(junit: Path) -> list[tuple[str, str, float]]:
    """(test file, test name, seconds) for every test case of a JUnit XML report."""
    cases = ElementTree.parse(junit).iter("testcase")
    return [
        (case.get("classname").replace(".", "/") + ".py", case.get("name"), float(case.get("time")))
        for case in cases
    ]


def owner(path: str, name: str, files: dict[str, str], assignments: dict[str, str]) -> str | None:
    """The assignment a test belongs to, or None for the fixed cost."""
    for assignment, topic in assignments.items():
        if f"[{assignment}]" in name or (
            path.endswith("test_contract.py") and f"[{topic}." in name
        ):
            return assignment
    return files.get(path)


def module_files(rows: dict) -> tuple[dict[str, str], dict[str, str]]:
    """Test file -> assignment, from the README's rows; and assignment -> topic."""
    files, assignments = {}, {}
    for number, row in rows.items():
        if row["status"] != "ready":
            continue
        topic = row["module"].split(":", 1)[0]
        assignment = f"{number}_{topic}"
        assignments[assignment] = topic
        for path in links(row["tests"]) + [f"tests/dlkit/widgets/test_{topic}.py"]:
            if not path.endswith("test_contract.py"):
                files.setdefault(path, assignment)  # a dlkit module shared: its first user
    return files, assignments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", type=Path, help="a finished run's JUnit XML report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        junit = args.junit or Path(tmp) / "suite.xml"
        if args.junit is None:
            run_suite(junit)
        times = test_times(junit)
    files, assignments = module_files(module_rows())
    cost = defaultdict(float)
    for path, name, seconds in times:
        cost[owner(path, name, files, assignments) or "fixed"] += seconds
    print(f"{'module':32s} {'suite s':>8s} {'budget':>7s}")
    for assignment in assignments:
        flag = "  OVER" if cost[assignment] > MODULE_BUDGET_S else ""
        print(f"{assignment:32s} {cost[assignment]:8.1f} {MODULE_BUDGET_S:7.0f}{flag}")
    modules = sum(cost[a] for a in assignments)
    print(f"{'fixed (no module)':32s} {cost['fixed']:8.1f}")
    print(f"{'all':32s} {modules + cost['fixed']:8.1f}  ({len(times)} tests, serial seconds)")


if __name__ == "__main__":
    main()
