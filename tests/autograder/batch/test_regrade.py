"""Re-running `autograder grade` over the same folder, with another job count or after
the first run was killed midway, changes nothing: same CSV files, one gradebook row per
submission (in a gradebook given by URL)."""

import subprocess
import sys
import time

from nbgrader.api import Gradebook

from autograder.cli import main
from tests.autograder.helpers import place, solution, student

ASSIGNMENT = "00_getting_started"


def test_regrading_is_idempotent_and_independent_of_jobs(course, tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    db_url = f"sqlite:///{tmp_path / 'shared' / 'gradebook.db'}"
    (tmp_path / "shared").mkdir()
    place(solution(course, ASSIGNMENT), submissions, "ada", ASSIGNMENT)
    place(student(course, ASSIGNMENT), submissions, "bo", ASSIGNMENT)

    grade = ["grade", str(submissions), "--out", str(out), "--db", db_url]
    assert main([*grade, "--jobs", "2"]) == 0
    first = [(out / name).read_text() for name in ("grades.csv", "exercises.csv")]
    assert main([*grade, "--jobs", "1"]) == 0
    second = [(out / name).read_text() for name in ("grades.csv", "exercises.csv")]

    assert first == second
    total = sum(course.points(ASSIGNMENT).values())
    assert f"ada,{ASSIGNMENT},{total:g},{total:g},graded" in first[0]
    assert f"bo,{ASSIGNMENT},0,{total:g},graded" in first[0]
    assert not (out / "gradebook.db").exists()
    with Gradebook(db_url, "dl-math-course") as gradebook:
        rows = gradebook.assignment_submissions(ASSIGNMENT)
        assert sorted((s.student.id, s.score) for s in rows) == [("ada", total), ("bo", 0.0)]


def test_a_batch_killed_midway_and_run_again_records_every_grade_once(course, tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    students = ["ann", "ben", "cy", "dee"]
    for name in students:
        place(solution(course, ASSIGNMENT), submissions, name, ASSIGNMENT)
    command = [sys.executable, "-m", "autograder.cli", "grade", str(submissions), "--out", str(out)]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not (out / "feedback" / students[0]).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    first.kill()  # midway: one submission recorded, the others not yet
    first.wait()
    assert not (out / "grades.csv").exists()

    assert main(["grade", str(submissions), "--out", str(out), "--jobs", "2"]) == 0
    rows = (out / "grades.csv").read_text().splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == students
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", "dl-math-course") as gradebook:
        graded = [s.student_id for s in gradebook.find_assignment(ASSIGNMENT).submissions]
    assert sorted(graded) == students
