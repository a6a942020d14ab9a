"""The gradebook on a real PostgreSQL server (``--db postgresql://...``, the server from
tests/postgres.py): a batch graded into it twice with ``--jobs 2`` holds one row per
submission and grade, as on SQLite (tests/autograder/batch/test_regrade.py); two
batches of different assignments written into one database at the same time lose
nothing."""

import subprocess
import sys
import threading

import pytest
from nbgrader.api import Grade, Gradebook, SubmittedAssignment

from autograder.batch import gradebook as instructor
from autograder.cli import main
from tests.autograder.batch.tiny import RIGHT, WRONG, submit, tiny_course
from tests.postgres import create_database

ASSIGNMENTS = ("96_first", "97_second")
ANSWERS = {"ann": RIGHT, "ben": WRONG}
COURSE_ID = "dl-math-course"


@pytest.fixture(scope="module")
def setup(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("postgres")
    tiny = tiny_course(course, root / "course", ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        for student, answer in ANSWERS.items():
            submit(tiny, root / "submissions", student, assignment, answer)
    return tiny, root / "submissions"


def rows(db_url: str) -> dict:
    """assignment -> sorted (student, score) of its submissions, and the number of grade rows."""
    with Gradebook(db_url, COURSE_ID) as gradebook:
        found = {
            a.name: sorted((s.student.id, s.score) for s in a.submissions)
            for a in gradebook.assignments
        }
        counts = (
            gradebook.db.query(SubmittedAssignment).count(),
            gradebook.db.query(Grade).count(),
        )
    return found, counts


def test_a_batch_graded_twice_into_postgresql_holds_one_row_per_submission(
    setup, postgres_url, tmp_path
):
    tiny, submissions = setup
    url = create_database(postgres_url, "twice")
    grade = ["--course", str(tiny.root), "grade", str(submissions), "--assignment", ASSIGNMENTS[0]]
    expected = ({ASSIGNMENTS[0]: [("ann", 1.0), ("ben", 0.0)]}, (2, 2))  # one test cell each
    for run in ("first", "second"):  # two output folders, as two graders would: one database
        assert main([*grade, "--out", str(tmp_path / run), "--db", url, "--jobs", "2"]) == 0
        assert rows(url) == expected
    for name in ("grades.csv", "exercises.csv"):
        assert (tmp_path / "first" / name).read_text() == (tmp_path / "second" / name).read_text()
    assert (
        "ben,96_first,96-add-basic,0,1,failed,"
        in (tmp_path / "first" / "exercises.csv").read_text()
    )
    assert not (tmp_path / "first" / "gradebook.db").exists()


def test_two_batches_written_into_one_database_at_once_lose_nothing(setup, postgres_url, tmp_path):
    tiny, submissions = setup
    url = create_database(postgres_url, "together")  # empty: both create the schema at once
    batches = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autograder.cli",
                "--course",
                str(tiny.root),
                "grade",
                str(submissions),
                "--assignment",
                assignment,
                "--out",
                str(tmp_path / assignment),
                "--db",
                url,
                "--jobs",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for assignment in ASSIGNMENTS
    ]
    outputs = [batch.communicate(timeout=300)[0] for batch in batches]
    assert [batch.returncode for batch in batches] == [0, 0], outputs
    found, counts = rows(url)
    expected = sorted(zip(ANSWERS, (1.0, 0.0)))
    assert found == {assignment: expected for assignment in ASSIGNMENTS}
    assert counts == (2 * len(ANSWERS), 2 * len(ANSWERS))
    for assignment in ASSIGNMENTS:
        assert "error" not in (tmp_path / assignment / "grades.csv").read_text()


def test_graders_opening_one_new_database_at_once_all_get_it(setup, postgres_url, tmp_path):
    """Four gradebooks opened at the same instant on an empty database collide creating
    its schema (PostgreSQL refuses all but one); each is retried and none fails."""
    tiny, _ = setup
    url = create_database(postgres_url, "at-once")
    start, failures = threading.Barrier(4), []

    def open_gradebook(i):
        start.wait()
        try:
            instructor.InstructorGradebook(tiny, tmp_path / f"grader-{i}", url)
        except Exception as error:  # what the test reports
            failures.append(error)

    threads = [threading.Thread(target=open_gradebook, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert rows(url) == ({}, (0, 0))


def test_a_step_that_collides_with_another_writer_is_retried_and_others_are_not(monkeypatch):
    monkeypatch.setattr(instructor.time, "sleep", lambda seconds: None)
    logs = iter(["IntegrityError: duplicate key value (student ann)", ""])
    calls = []

    def step(*args):
        calls.append(args)
        log = next(logs)
        return {"success": not log, "log": log}

    assert instructor._retry_step(step, "a", "ann")["success"]
    assert len(calls) == 2
    refused = instructor._retry_step(lambda: {"success": False, "log": "ValidationError: bad"})
    assert not refused["success"]
