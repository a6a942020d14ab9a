"""What a learner or instructor reads when something failed: a test cell's reason, and
the specific error in nbgrader's log."""

import re


def failure_message(cell) -> str:
    """The learner-facing reason a test cell lost its points."""
    if cell.cell_type != "code":
        return "not answered"
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return _explain_error(output.ename, output.evalue)
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            return "the test cell wrote to stderr: " + _last_line(output.text)
    return "partial credit"


def _explain_error(ename: str, evalue: str) -> str:
    if ename == "CheckFailed":
        return evalue
    if ename == "NameError":
        return (
            f"NameError: {evalue}; hint: run the answer cell above first, and make sure it "
            "defines this name without raising an error"
        )
    if ename == "NotImplementedError":
        return "NotImplementedError; hint: replace `raise NotImplementedError()` with your solution"
    if ename == "CellTimeoutError":
        return "the cell ran past the time limit; hint: look for an endless loop or a slow loop"
    return f"{ename}: {evalue}" if evalue else ename


_NBGRADER_HINTS = {
    "ValidationError": "; the notebook's graded cells do not match the assignment (made from "
    "an older release, or cells edited or copied?)",
    "DeadKernelError": "; the notebook's code stopped the kernel (out of memory, a crash, or "
    "exit() in a cell?)",
}


def nbgrader_reason(log: str) -> str:
    """The first specific error in nbgrader's log (its last line is only a generic summary)."""
    for line in log.splitlines():
        found = re.search(r"(\w+(?:Error|Exception)): (.+)", line)
        if found and "see the the above traceback" not in found.group(2):
            name, text = found.groups()
            reason = f"{name}: {text[:200]}"
            return reason + _NBGRADER_HINTS.get(name, "")
    return _last_line(log)


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"
