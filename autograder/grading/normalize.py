"""Put a submission's graded cells back the way the assignment made them.

Before grading, every test cell of the submission is replaced by the assignment's
own (hidden tests included) at its place after the answer cell it tests, and every
answer cell gets its original metadata back. The learner's code in answer cells and
in cells of their own is kept. What differed is reported, so tampering is flagged:

- a test cell edited, deleted, duplicated, re-typed, or with changed points or id;
- an answer cell duplicated or re-typed;
- a cell that claims to be graded with an id the assignment does not have.

Scores then depend only on the learner's code, never on edited tests or metadata.
"""

import copy

import nbformat

_FIELDS = ("grade", "solution", "locked", "points", "grade_id")


def graded_cells(nb) -> dict:
    """grade_id -> cell for every cell with nbgrader metadata and a grade id."""
    return {
        meta["grade_id"]: cell
        for cell in nb.cells
        if isinstance(meta := cell.metadata.get("nbgrader"), dict) and meta.get("grade_id")
    }


def is_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def normalize(submitted, source, release) -> tuple[nbformat.NotebookNode, list[str]]:
    """The submitted notebook with the graded cells of ``source`` restored, and findings.

    ``source`` is the instructor's notebook (hidden tests included) and ``release``
    the student version it was released as (what an untouched submission holds).
    """
    source_cells, released = graded_cells(source), graded_cells(release)
    tests_after = _tests_by_answer(source)
    findings, seen, cells = [], set(), []
    for cell in submitted.cells:
        meta = cell.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        original = source_cells.get(grade_id)
        if original is not None and is_test(original):
            findings += _test_cell_findings(cell, (released.get(grade_id), original), seen)
            seen.add(grade_id)
            continue  # the assignment's own copy goes in below
        if original is not None and grade_id not in seen:
            seen.add(grade_id)
            findings += _answer_cell_findings(cell, original, grade_id)
            cells.append(_with_metadata_of(cell, original))
            cells += [copy.deepcopy(test) for test in tests_after.pop(grade_id, [])]
            continue
        if meta is not None:
            if original is not None:
                findings.append(f"answer cell {grade_id} duplicated")
            elif grade_id or _claims_grade(meta):
                findings.append(f"cell claims to be graded as {grade_id or 'an unnamed cell'}")
            cell = copy.deepcopy(cell)
            del cell.metadata["nbgrader"]
        cells.append(cell)
    findings += [f"test cell {gid} deleted" for gid in _tests_never_seen(source, seen)]
    for grade_id, tests in tests_after.items():  # answers deleted: restore them and their tests
        if grade_id is not None:
            cells.append(copy.deepcopy(released.get(grade_id, source_cells[grade_id])))
            findings.append(f"answer cell {grade_id} deleted")
        cells += [copy.deepcopy(test) for test in tests]
    result = copy.deepcopy(submitted)
    result.cells = cells
    result.metadata.pop("autograder", None)
    return result, findings


def _tests_by_answer(source) -> dict:
    """answer grade_id (None before the first answer) -> the test cells that follow it."""
    groups, current = {None: []}, None
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if is_test(cell):
            groups[current].append(cell)
        elif meta.get("solution") and meta.get("grade_id"):
            current = meta["grade_id"]
            groups[current] = []
    if not groups[None]:
        del groups[None]
    return groups


def _tests_never_seen(source, seen) -> list[str]:
    return [gid for gid, cell in graded_cells(source).items() if is_test(cell) and gid not in seen]


def _test_cell_findings(cell, originals, seen) -> list[str]:
    """How a submitted test cell differs from both its released version and its
    source version (the instructor's own notebook, hidden tests included)."""
    released, source = originals
    grade_id = source.metadata["nbgrader"]["grade_id"]
    if grade_id in seen:
        return [f"test cell {grade_id} duplicated"]
    if released is None:
        return []
    found = []
    if cell.cell_type != released.cell_type:
        found.append(f"test cell {grade_id} re-typed as {cell.cell_type}")
    elif cell.source.rstrip() not in (released.source.rstrip(), source.source.rstrip()):
        found.append(f"test cell {grade_id} edited")
    if _fields(cell) != _fields(released):
        found.append(f"test cell {grade_id} metadata changed")
    return found


def _answer_cell_findings(cell, original, grade_id) -> list[str]:
    if cell.cell_type != original.cell_type:
        return [f"answer cell {grade_id} re-typed as {cell.cell_type}"]
    return []


def _with_metadata_of(cell, original):
    """The learner's ``cell`` content with the cell type and nbgrader metadata of ``original``."""
    restored = copy.deepcopy(original)
    restored.source = cell.source
    if original.cell_type == "code":
        restored.outputs, restored.execution_count = [], None
    return restored


def _claims_grade(meta) -> bool:
    return isinstance(meta, dict) and bool(meta.get("grade") or meta.get("solution"))


def _fields(cell) -> tuple:
    meta = cell.metadata.get("nbgrader", {})
    return tuple(meta.get(key) for key in _FIELDS)
