"""The README's module table is a map that stays true: every assignment has a ready row,
every file it links to exists, and each notebook's introduction names the dlkit modules
its row lists."""

import json
import re

import pytest

from autograder.course import Course
from tests import ROOT
from tests.course_map import links, module_rows

ROWS = module_rows()
ASSIGNMENTS = Course(ROOT).assignments()


def test_every_module_of_the_syllabus_has_a_row():
    assert list(ROWS) == [f"{n:02d}" for n in range(21)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_assignment_has_a_ready_row_whose_links_exist(assignment):
    row = ROWS[assignment[:2]]
    assert row["module"].startswith(assignment[3:]) and row["status"] == "ready"
    targets = [
        link for column in ("notebook", "checks", "dlkit", "tests") for link in links(row[column])
    ]
    assert len(targets) >= 5, row
    assert [target for target in targets if not (ROOT / target).exists()] == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_notebook_introduction_names_the_dlkit_modules_of_its_row(assignment):
    modules = re.findall(r"\[`([\w.]+)`\]\(dlkit/", ROWS[assignment[:2]]["dlkit"])
    nb = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    introduction = "".join(next(c for c in nb["cells"] if c["cell_type"] == "markdown")["source"])
    assert modules and all(f"`dlkit.{m}`" in introduction for m in modules), modules
