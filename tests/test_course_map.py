"""The README's module table is a map that stays true: every assignment has a ready row,
every file it links to exists, and each notebook's introduction names the dlkit modules
its row lists."""

import json
import re

import pytest

from autograder.course import Course
from tests import ROOT

LINK = re.compile(r"\]\(([^)]+)\)")


def _rows():
    """The README's module table: module number -> its cells."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows[cells[0]] = cells
    return rows


ROWS = _rows()
ASSIGNMENTS = Course(ROOT).assignments()


def test_every_module_of_the_syllabus_has_a_row():
    assert list(ROWS) == [f"{n:02d}" for n in range(21)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_assignment_has_a_ready_row_whose_links_exist(assignment):
    row = ROWS[assignment[:2]]
    assert row[1].startswith(assignment[3:]) and row[2] == "ready"
    links = LINK.findall(" ".join(row))
    assert len(links) >= 5, row
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_notebook_introduction_names_the_dlkit_modules_of_its_row(assignment):
    row = ROWS[assignment[:2]]
    modules = re.findall(r"\[`([\w.]+)`\]\(dlkit/", row[7])
    nb = json.loads((ROOT / "solutions" / assignment / f"{assignment}.ipynb").read_text())
    introduction = "".join(next(c for c in nb["cells"] if c["cell_type"] == "markdown")["source"])
    assert modules and all(f"`dlkit.{m}`" in introduction for m in modules), modules
