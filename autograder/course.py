"""The course on disk: its assignments, their source notebooks, and nbgrader's settings.

An assignment is a folder ``solutions/NN_topic/`` holding one or more source
notebooks (solutions + hidden tests); ``notebooks/NN_topic/`` holds the student
versions generated from it.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4.rwbase import rejoin_lines
from traitlets.config import Config, PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"

#: The folder where Jupyter keeps a checkpoint copy of each notebook it saves, beside the
#: notebook (ignored by git). Nothing in it is ever released, compared or graded.
CHECKPOINTS = ".ipynb_checkpoints"


class GradingError(Exception):
    """A notebook or submission that cannot be graded; the message says why and what to do."""


def is_checkpoint(path: Path) -> bool:
    """Whether ``path`` lies in a :data:`CHECKPOINTS` folder (a copy Jupyter keeps, not work)."""
    return CHECKPOINTS in Path(path).parts


def is_course(folder: Path) -> bool:
    """Whether ``folder`` is a course: it holds ``nbgrader_config.py`` and ``solutions/``."""
    return (folder / CONFIG_FILE).is_file() and (folder / "solutions").is_dir()


def find_root(start: Path | None = None) -> Path | None:
    """The course around ``start`` (the current folder): the first folder from it upward
    that :func:`is_course`, else the checkout this package lives in (an editable install),
    else None (a non-editable install run from outside any course)."""
    start = Path.cwd() if start is None else Path(start)
    for folder in [start.resolve(), *start.resolve().parents]:
        if is_course(folder):
            return folder
    checkout = Path(__file__).resolve().parents[1]
    return checkout if is_course(checkout) else None


def default_root() -> Path:
    """The course folder: ``$AUTOGRADER_COURSE_ROOT`` when set, else :func:`find_root`;
    GradingError when there is none."""
    if os.environ.get("AUTOGRADER_COURSE_ROOT"):
        return Path(os.environ["AUTOGRADER_COURSE_ROOT"]).resolve()
    found = find_root()
    if found is None:
        raise GradingError(
            f"no course found: neither {Path.cwd()} nor a folder above it holds "
            f"{CONFIG_FILE} and solutions/; run autograder from the course folder, or pass "
            "--course FOLDER"
        )
    return found


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    def assignments(self) -> list[str]:
        """Names of all assignments (folders of ``solutions/`` holding a notebook), sorted."""
        return sorted(
            {p.parent.name for p in self.solutions.glob("*/*.ipynb") if not is_checkpoint(p)}
        )

    def require(self, assignment: str) -> str:
        """``assignment`` itself, or GradingError listing the ones that exist."""
        if assignment not in self.assignments():
            raise GradingError(
                f"unknown assignment {assignment!r}; the course has: "
                + ", ".join(self.assignments())
            )
        return assignment

    def source_notebooks(self, assignment: str) -> list[Path]:
        """The source notebooks of one assignment, sorted by name."""
        return sorted((self.solutions / self.require(assignment)).glob("*.ipynb"))

    def points(self, assignment: str) -> dict[str, float]:
        """grade_id -> points for every graded cell of the assignment, in notebook order."""
        return {
            cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
            for nb in self.source_notebooks(assignment)
            for cell in read_notebook(nb).cells
            if cell.metadata.get("nbgrader", {}).get("grade")
        }

    def assignment_of(self, path: Path, nb) -> tuple[str, str]:
        """Which ``(assignment, source notebook name)`` a learner's notebook belongs to.

        By file name first; a renamed copy is recognised by its exercises' grade ids.
        """
        by_name = {
            p.stem: p.parent.name for a in self.assignments() for p in self.source_notebooks(a)
        }
        if path.stem in by_name:
            return by_name[path.stem], path.stem
        ids = grade_ids(nb)
        overlap = {
            (a, p.stem): len(ids & grade_ids(read_notebook(p)))
            for a in self.assignments()
            for p in self.source_notebooks(a)
        }
        best = max(overlap, key=overlap.get, default=None)
        if best is None or overlap[best] == 0:
            raise GradingError(
                f"{path.name} does not belong to any assignment of this course (its name and "
                "its exercise cells match none); check the notebook came from notebooks/"
            )
        return best

    def nbgrader_config(self) -> Config:
        """The course's ``nbgrader_config.py`` as a traitlets Config (empty if absent)."""
        if not (self.root / CONFIG_FILE).exists():
            return Config()
        return PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()


#: Largest notebook file accepted for grading (outputs included), in bytes.
MAX_NOTEBOOK_BYTES = 20 * 2**20


def read_notebook(path: Path):
    """Read and validate a notebook (nbformat 4), or raise GradingError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"{path} does not exist or is not a file")
    if path.suffix != ".ipynb":
        raise GradingError(f"{path} is not a notebook (expected a .ipynb file)")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise GradingError(
            f"{path} is {size / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit "
            "for a notebook; hint: clear the outputs (Edit > Clear Outputs of All Cells) and save"
        )
    try:
        raw = json.loads(path.read_bytes())
    except UnicodeDecodeError:
        raise GradingError(f"{path} is not a text file, so not a notebook") from None
    except json.JSONDecodeError as error:
        raise GradingError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "the file is damaged: restore it from .ipynb_checkpoints or download it again"
        ) from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        found = raw.get("nbformat") if isinstance(raw, dict) else type(raw).__name__
        raise GradingError(f"{path} is not an nbformat 4 notebook (nbformat: {found})")
    try:
        nb = rejoin_lines(nbformat.from_dict(raw))  # each cell's source as one string
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        raise GradingError(f"{path} is not a valid notebook: {error.message}") from None
    return nb


def grade_ids(nb) -> set[str]:
    """The grade_ids of a notebook's nbgrader cells (answers, tests, read-only)."""
    return {
        cell.metadata["nbgrader"]["grade_id"]
        for cell in nb.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    }
