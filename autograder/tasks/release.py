"""Generate the student notebooks (notebooks/) from the sources (solutions/) with nbgrader.

nbgrader's pipeline is the course's (nbgrader_config.py), so the Formgrader's Generate
makes the same files; on top of nbgrader's own steps it tags the answer and test cells
so that Run All goes past an unanswered exercise
(:class:`autograder.preprocessors.TagCellsThatMayRaise`).
"""

import filecmp
import shutil
import tempfile
from pathlib import Path

from autograder.course import Course, is_checkpoint
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
    """Files that differ between ``notebooks/<assignment>`` and a freshly generated release
    (Jupyter's checkpoint copies aside: a learner who saved a notebook leaves some)."""
    committed = course.notebooks / assignment
    names = set(_files(generated)) | set(_files(committed))
    return sorted(
        str(Path("notebooks") / assignment / name)
        for name in names
        if not (committed / name).is_file()
        or not (generated / name).is_file()
        or not filecmp.cmp(committed / name, generated / name, shallow=False)
    )


def _files(folder: Path) -> list[Path]:
    """The files under ``folder``, relative to it, checkpoints left out."""
    return [
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not is_checkpoint(path.relative_to(folder))
    ]
