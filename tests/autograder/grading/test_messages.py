"""What a learner or an instructor reads when something goes wrong."""

import nbformat

from autograder.grading.messages import failure_message, nbgrader_reason


def _test_cell(*outputs):
    cell = nbformat.v4.new_code_cell("chk.f_basic(f)")
    cell.outputs = [nbformat.v4.new_output(kind, **fields) for kind, fields in outputs]
    return cell


def test_check_failures_show_only_the_check_message():
    cell = _test_cell(
        (
            "error",
            {"ename": "CheckFailed", "evalue": "f(1) returned 2, expected 3", "traceback": []},
        )
    )
    assert failure_message(cell) == "f(1) returned 2, expected 3"


def test_common_errors_come_with_a_hint():
    name_error = _test_cell(
        ("error", {"ename": "NameError", "evalue": "name 'f' is not defined", "traceback": []})
    )
    assert "run the answer cell above first" in failure_message(name_error)
    timeout = _test_cell(("error", {"ename": "CellTimeoutError", "evalue": "", "traceback": []}))
    assert "time limit" in failure_message(timeout)
    stderr = _test_cell(("stream", {"name": "stderr", "text": "something odd\n"}))
    assert failure_message(stderr) == "the test cell wrote to stderr: something odd"


def test_nbgrader_failures_are_reported_by_their_specific_reason():
    log = (
        "[ERROR] Traceback (most recent call last):\n"
        "    jsonschema.exceptions.ValidationError: nbgrader cell does not have a grade_id: x\n"
        "[ERROR] There was an error processing assignment\n"
        "nbgrader.converters.base.NbGraderException: Please see the the above traceback for "
        "details on the specific errors on the above failures.\n"
    )
    reason = nbgrader_reason(log)
    assert reason.startswith("ValidationError: nbgrader cell does not have a grade_id: x")
    assert "older release" in reason
    assert nbgrader_reason("[ERROR] disk full\n") == "[ERROR] disk full"
