"""The README's module table, read as data: the course map that tests and benchmarks share."""

import re

from tests import ROOT

#: A markdown link's target: ``[text](target)``.
LINK = re.compile(r"\]\(([^)]+)\)")

#: The columns of the module table, in order.
COLUMNS = (
    "number",
    "module",
    "status",
    "exercises",
    "widgets",
    "notebook",
    "checks",
    "dlkit",
    "tests",
)


def module_rows() -> dict[str, dict[str, str]]:
    """Module number ("00" ... "20") -> its row of the README's module table, by column."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows[cells[0]] = dict(zip(COLUMNS, cells))
    return rows


def links(cell: str) -> list[str]:
    """The link targets in one cell of the table (paths relative to the repository)."""
    return LINK.findall(cell)
