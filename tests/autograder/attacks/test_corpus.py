"""Grade the whole attack corpus in one batch: no attack scores above its honest content,
each gets the expected status, and the honest submissions keep every point."""

import csv
import socket
import time

import psutil
import pytest

from autograder import sandbox
from autograder.batch.runner import grade_batch
from autograder.tasks.release import release
from tests.autograder.attacks import corpus
from tests.autograder.helpers import make_course

#: The assignment's limits, lowered so the slow attacks stay cheap.
LIMITS = """
c.Execute.timeout = 10
c.TrustedExecute.interrupt_grace = 5
c.TrustedExecute.notebook_timeout = 60
c.TrustedExecute.cell_output_bytes = 100_000
"""


@pytest.fixture(scope="module")
def listener():
    """A loopback port that the network attack tries to reach."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.1)
        yield server


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory, listener):
    root = tmp_path_factory.mktemp("attack-course")
    attack_course = make_course(course, root, corpus.ASSIGNMENT, corpus.source_cells())
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(LIMITS)
    (released,) = release(attack_course, [corpus.ASSIGNMENT])
    release_path = next(released.glob("*.ipynb"))
    submissions = root / "submissions"
    expected = {}
    for name, (build, points, status) in corpus.attacks(listener.getsockname()[1]).items():
        corpus.write_submission(build, release_path, submissions / name / corpus.ASSIGNMENT)
        expected[name] = (points, status)
    expected |= corpus.malformed(submissions, release_path)
    results = grade_batch(attack_course, submissions, root / "out", jobs=2, timeout=120)
    return {r.student: r for r in results}, expected, root / "out"


def test_every_submission_scores_its_honest_content_with_the_expected_status(graded):
    results, expected, _ = graded
    got = {name: (results[name].score, results[name].status) for name in expected}
    wrong = {
        name: f"got {got[name]}, expected {want} ({results[name].message})"
        for name, want in expected.items()
        if got[name] != want
    }
    assert wrong == {}


def test_grades_csv_lists_every_submission_once(graded):
    results, expected, out = graded
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["student"] for row in rows) == sorted(expected)


def test_tampering_is_named_in_the_message(graded):
    results, _, _ = graded
    assert "test cell at-centre-basic edited" in results["edited-tests"].message
    assert "test cell at-count-basic deleted" in results["deleted-tests"].message
    assert "cell claims to be graded as bonus" in results["fake-graded-cell"].message


def test_no_process_of_a_submission_outlives_the_batch_or_writes_afterwards(graded):
    _, _, out = graded
    time.sleep(4)  # the late writer waits 3 s before writing
    survivors = [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if corpus.MARKER in " ".join(p.info["cmdline"] or [])
    ]
    assert survivors == []
    assert corpus.MARKER not in (out / "grades.csv").read_text(encoding="utf-8")


def test_the_network_attack_reached_nobody(graded, listener):
    with pytest.raises(TimeoutError):
        listener.accept()


def test_the_corpus_ran_at_the_strongest_level():
    assert sandbox.detect_level() == "sandbox", sandbox.describe()
