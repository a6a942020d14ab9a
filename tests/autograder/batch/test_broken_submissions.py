"""Submissions that crash their kernel or hang: each gets a status, none stops the batch,
and no process they started outlives the batch."""

import csv
import uuid

import nbformat
import psutil
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from autograder.batch.runner import grade_batch
from autograder.sandbox import SandboxedKernelManager
from tests.autograder.helpers import code_cell, make_course

ADD = "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
TEST = (
    "from autograder.checks import harness\n"
    "result, text = harness.call(add, 'add', 1, 2)\n"
    "harness.expect_close(result, 3, text, 'add the two numbers')"
)
ANSWERS = {
    "honest": ADD,
    "crash": "import os\nos._exit(1)",
    "hang": "import time\ntime.sleep(600)",
}


#: Set in the environment of this batch's kernels only (``SandboxConfig.extra_env``), so
#: that kernels other tests run at the same time are not counted.
MARKER = f"broken-batch-{uuid.uuid4().hex}"


def _marked_processes() -> set[int]:
    """Processes started for this batch: the marker in their command line (bwrap's
    ``--setenv``) or in their environment (the kernel itself)."""
    found = set()
    for process in psutil.process_iter(["cmdline"]):
        try:
            if MARKER in " ".join(process.info["cmdline"] or []) or MARKER in str(
                process.environ()
            ):
                found.add(process.pid)
        except psutil.Error:  # gone, or not ours to read
            continue
    return found


@pytest.fixture(scope="module")
def outcome(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-course")
    tiny = make_course(
        course,
        root,
        "98_tiny",
        [code_cell("answer", ADD, "t-add"), code_cell("tests", TEST, "t-add-basic", 1)],
    )
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(
            f"\nc.SandboxConfig.extra_env = {{'OMP_NUM_THREADS': '1', 'MARK': {MARKER!r}}}\n"
        )
    source = tiny.source_notebooks("98_tiny")[0]
    submissions = root / "submissions"
    for student, answer in ANSWERS.items():
        nb = nbformat.read(source, as_version=4)
        nb.cells[0].source = answer
        (submissions / student / "98_tiny").mkdir(parents=True)
        nbformat.write(nb, submissions / student / "98_tiny" / source.name)
    results = grade_batch(tiny, submissions, root / "out", jobs=2, timeout=20)
    return {r.student: r for r in results}, root / "out", _marked_processes()


def test_each_submission_gets_a_status_and_the_honest_one_its_points(outcome):
    results, out, _ = outcome
    assert (results["honest"].status, results["honest"].score) == ("graded", 1.0)
    assert (results["crash"].status, results["crash"].score) == ("kernel-died", 0.0)
    assert "the kernel died" in results["crash"].message
    assert results["hang"].status == "timeout" and "20 s" in results["hang"].message
    with open(out / "grades.csv", newline="") as handle:
        statuses = {row["student"]: row["status"] for row in csv.DictReader(handle)}
    assert statuses == {name: results[name].status for name in ANSWERS}


def test_logs_are_kept_for_the_submissions_that_did_not_end_graded(outcome):
    results, out, _ = outcome
    logs = {p.parent.name: p.read_text() for p in out.glob("logs/*/98_tiny.log")}
    assert set(logs) == {"crash", "hang"}
    assert logs["crash"].startswith("kernel-died: ") and "--- worker log ---" in logs["crash"]
    assert logs["hang"].startswith(f"timeout: {results['hang'].message}")


def test_no_kernel_outlives_the_batch(outcome):
    _, _, leftover = outcome
    assert leftover == set()


def test_the_marker_finds_a_running_kernel_of_that_configuration():
    """The control for the test above: a kernel with the batch's setting is found while it
    runs, and not after it stops."""
    config = Config({"SandboxConfig": {"extra_env": {"MARK": MARKER}}})
    client = NotebookClient(
        nbformat.v4.new_notebook(), kernel_manager_class=SandboxedKernelManager, config=config
    )
    with client.setup_kernel():
        assert _marked_processes() != set()
    assert _marked_processes() == set()
