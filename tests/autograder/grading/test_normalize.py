"""Restoring a submission's graded cells: tampering is undone and reported, answers kept."""

import copy

import nbformat
import pytest

from autograder.grading.normalize import graded_cells, is_test, normalize
from tests.autograder.helpers import solution, student

ASSIGNMENT = "00_getting_started"


@pytest.fixture(scope="module")
def notebooks(course):
    source = nbformat.read(solution(course, ASSIGNMENT), as_version=4)
    release = nbformat.read(student(course, ASSIGNMENT), as_version=4)
    return source, release


def _test_ids(nb):
    return [gid for gid, cell in graded_cells(nb).items() if is_test(cell)]


def _first_test(nb):
    return next(cell for cell in nb.cells if is_test(cell))


def test_an_untouched_submission_has_no_findings_and_the_hidden_tests_back(notebooks):
    source, release = notebooks
    restored, findings = normalize(release, source, release)
    assert findings == []
    assert _test_ids(restored) == _test_ids(source)
    hidden = [c.source for c in restored.cells if is_test(c) and "HIDDEN" in c.source]
    assert hidden == [c.source for c in source.cells if is_test(c) and "HIDDEN" in c.source]


def test_an_edited_test_cell_is_replaced_and_reported(notebooks):
    source, release = notebooks
    tampered = copy.deepcopy(release)
    cell = _first_test(tampered)
    cell.source = "pass  # nothing to see"
    cell.metadata["nbgrader"]["points"] = 100
    restored, findings = normalize(tampered, source, release)
    gid = cell.metadata["nbgrader"]["grade_id"]
    assert findings == [f"test cell {gid} edited", f"test cell {gid} metadata changed"]
    assert graded_cells(restored)[gid].source == graded_cells(source)[gid].source
    assert graded_cells(restored)[gid].metadata["nbgrader"]["points"] != 100


def test_deleted_and_duplicated_test_cells_are_restored_once(notebooks):
    source, release = notebooks
    tampered = copy.deepcopy(release)
    first = _first_test(tampered)
    tampered.cells.remove(first)
    second = _first_test(tampered)
    tampered.cells.insert(0, copy.deepcopy(second))
    restored, findings = normalize(tampered, source, release)
    gid1, gid2 = (c.metadata["nbgrader"]["grade_id"] for c in (first, second))
    assert sorted(findings) == sorted([f"test cell {gid2} duplicated", f"test cell {gid1} deleted"])
    assert _test_ids(restored) == _test_ids(source)
    assert sum(is_test(c) for c in restored.cells) == len(_test_ids(source))


def test_a_cell_posing_as_graded_loses_its_metadata_but_keeps_its_code(notebooks):
    source, release = notebooks
    tampered = copy.deepcopy(release)
    fake = nbformat.v4.new_code_cell("x = 1")
    fake.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "grade_id": "bonus",
        "points": 50,
    }
    tampered.cells.append(fake)
    answer = next(c for c in tampered.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = "def mine():\n    return 1\n"
    restored, findings = normalize(tampered, source, release)
    assert findings == ["cell claims to be graded as bonus"]
    assert "bonus" not in graded_cells(restored)
    assert restored.cells[-1].source == "x = 1"
    gid = answer.metadata["nbgrader"]["grade_id"]
    assert graded_cells(restored)[gid].source == answer.source


def test_a_retyped_answer_cell_runs_as_code_again(notebooks):
    source, release = notebooks
    tampered = copy.deepcopy(release)
    index, answer = next(
        (i, c)
        for i, c in enumerate(tampered.cells)
        if c.metadata.get("nbgrader", {}).get("solution")
    )
    tampered.cells[index] = nbformat.v4.new_markdown_cell(answer.source, metadata=answer.metadata)
    restored, findings = normalize(tampered, source, release)
    gid = answer.metadata["nbgrader"]["grade_id"]
    assert findings == [f"answer cell {gid} re-typed as markdown"]
    assert graded_cells(restored)[gid].cell_type == "code"


def test_the_instructors_own_notebook_is_not_tampering(notebooks):
    source, release = notebooks
    restored, findings = normalize(source, source, release)
    assert findings == []
    assert _test_ids(restored) == _test_ids(source)
