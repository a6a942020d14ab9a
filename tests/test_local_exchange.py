"""The course's local exchange (nbgrader_config.py, created by ``make lab``): an instructor
testing the course alone releases an assignment, fetches and submits it from the
Assignment List (its server side, as the panel calls it) and collects it."""

import nbformat
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

from autograder.grading import speedup
from tests import ROOT
from tests.autograder.helpers import code_cell, make_course

COURSE_ID = "dl-math-course"


def test_release_fetch_submit_and_collect_through_the_local_exchange(course, tmp_path, monkeypatch):
    cells = [
        code_cell(
            "answer",
            "def one():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
            "ex-one",
        ),
        code_cell("tests", "assert one() == 1", "ex-one-test", 1),
    ]
    small = make_course(course, tmp_path, "99_exchange", cells)
    for folder in (".exchange", "fetched"):  # as `make lab` does
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)  # `make lab` runs in the course
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path))  # as `make lab` sets it
    speedup.install()  # nbgrader's gradebook without its `alembic heads` subprocess
    config = small.nbgrader_config()
    assert config.Exchange.root == str(tmp_path / ".exchange")
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.generate_assignment("99_exchange")["success"]
    assert api.release_assignment("99_exchange")["success"]

    panel = AssignmentList()
    panel.root_dir = str(tmp_path)
    assert panel.list_courses() == {"success": True, "value": [COURSE_ID]}
    panel.fetch_assignment(COURSE_ID, "99_exchange")
    fetched = tmp_path / "fetched" / "99_exchange" / "99_exchange.ipynb"
    assert [c.source for c in nbformat.read(fetched, 4).cells][1] == "assert one() == 1"
    assert panel.submit_assignment(COURSE_ID, "99_exchange")["success"]
    listed = panel.list_assignments(course_id=COURSE_ID)
    assert listed["success"] and {a["status"] for a in listed["value"]} >= {"fetched", "submitted"}

    assert api.collect("99_exchange")["success"]
    assert list((tmp_path / "submitted").glob("*/99_exchange/99_exchange.ipynb"))


def test_make_lab_creates_the_exchange_and_lets_nbgrader_find_the_course():
    recipe = (ROOT / "Makefile").read_text().split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "mkdir -p .exchange fetched" in recipe
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)"' in recipe
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".exchange/" in ignored and "fetched/" in ignored
