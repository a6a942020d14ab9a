"""Generate the student notebooks (notebooks/) from the sources (solutions/) with nbgrader."""

import filecmp
import shutil
import tempfile
from pathlib import Path

from autograder.course import Course
from autograder.grading.coursedir import prepare_assignment


def release(course: Course, assignments: list[str] | None = None) -> list[Path]:
    """Regenerate ``notebooks/<assignment>/`` for each assignment (all by default).

    nbgrader strips the solutions and hidden tests and clears outputs; the result
    replaces the folder's contents. Returns the folders written.
    """
    written = []
    for assignment in assignments or course.assignments():
        course.require(assignment)
        with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
            generated = student_version(course, assignment, Path(tmp))
            target = course.notebooks / assignment
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(generated, target)
        written.append(target)
    return written


def student_version(course: Course, assignment: str, workdir: Path) -> Path:
    """Generate the student version of one assignment under ``workdir``; return its folder."""
    prepare_assignment(course, assignment, workdir)
    return Path(workdir) / "release" / assignment


def release_differences(course: Course, assignment: str, generated: Path) -> list[str]:
    """Files that differ between ``notebooks/<assignment>`` and a freshly generated release."""
    committed = course.notebooks / assignment
    names = {p.relative_to(generated) for p in generated.rglob("*") if p.is_file()}
    names |= {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
    return sorted(
        str(Path("notebooks") / assignment / name)
        for name in names
        if not (committed / name).is_file()
        or not (generated / name).is_file()
        or not filecmp.cmp(committed / name, generated / name, shallow=False)
    )
