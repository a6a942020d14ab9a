"""Submissions that crash their kernel or hang: each gets a status, none stops the batch,
and no process they started outlives the batch."""

import csv

import nbformat
import psutil
import pytest

from autograder.batch.runner import grade_batch
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


def _kernels() -> set[int]:
    return {
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if "ipykernel_launcher" in " ".join(p.info["cmdline"] or [])
    }


@pytest.fixture(scope="module")
def outcome(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-course")
    tiny = make_course(
        course,
        root,
        "98_tiny",
        [code_cell("answer", ADD, "t-add"), code_cell("tests", TEST, "t-add-basic", 1)],
    )
    source = tiny.source_notebooks("98_tiny")[0]
    submissions = root / "submissions"
    for student, answer in ANSWERS.items():
        nb = nbformat.read(source, as_version=4)
        nb.cells[0].source = answer
        (submissions / student / "98_tiny").mkdir(parents=True)
        nbformat.write(nb, submissions / student / "98_tiny" / source.name)
    before = _kernels()
    results = grade_batch(tiny, submissions, root / "out", jobs=2, timeout=20)
    return {r.student: r for r in results}, root / "out", _kernels() - before


def test_each_submission_gets_a_status_and_the_honest_one_its_points(outcome):
    results, out, _ = outcome
    assert (results["honest"].status, results["honest"].score) == ("graded", 1.0)
    assert (results["crash"].status, results["crash"].score) == ("kernel-died", 0.0)
    assert "the kernel died" in results["crash"].message
    assert results["hang"].status == "timeout" and "20 s" in results["hang"].message
    with open(out / "grades.csv", newline="") as handle:
        statuses = {row["student"]: row["status"] for row in csv.DictReader(handle)}
    assert statuses == {name: results[name].status for name in ANSWERS}


def test_no_kernel_outlives_the_batch(outcome):
    _, _, leftover = outcome
    assert not {pid for pid in leftover if psutil.pid_exists(pid)}
