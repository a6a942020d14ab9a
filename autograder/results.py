"""What grading produces: one result per exercise (grade cell) and per submission."""

from dataclasses import asdict, dataclass, field

# Submission statuses (grades.csv's status column).
GRADED = "graded"
INVALID = "invalid-notebook"
MISSING = "missing-notebook"
TIMEOUT = "timeout"
UNKNOWN = "unknown-assignment"
ERROR = "error"

# Flags on a graded submission, most serious first; its status joins them with "+"
# (e.g. "tampered+kernel-died"). The score counts only what honest code earned.
TAMPERED = "tampered"  # test cells or grading metadata were changed (then restored)
KERNEL_DIED = "kernel-died"  # cells after the crash scored 0
TIME_CAP = "time-cap"  # the notebook ran past its wall-clock cap; later cells scored 0
CELL_TIMEOUT = "cell-timeout"  # a cell ran past its time limit
OUTPUT_CAPPED = "output-capped"  # output beyond the size limit was dropped
FLAGS = (TAMPERED, KERNEL_DIED, TIME_CAP, CELL_TIMEOUT, OUTPUT_CAPPED)

# Exercise statuses.
PASSED = "passed"
FAILED = "failed"
MANUAL = "needs-manual-grade"  # a written answer waiting for a person: its points are open
BY_HAND = "graded-by-hand"  # a person gave the score (nbgrader's formgrader)
MANUAL_MESSAGE = "graded by your instructor"


@dataclass
class ExerciseResult:
    grade_id: str
    score: float
    max_score: float
    status: str
    message: str = ""


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    notebook: str
    status: str = GRADED
    message: str = ""
    max_score: float = 0.0
    exercises: list[ExerciseResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def was_graded(self) -> bool:
        """Whether it ran and was scored (``graded`` or flags), so the gradebook holds it."""
        return bool(self.exercises) and all(
            part in (GRADED, *FLAGS) for part in self.status.split("+")
        )

    @property
    def manual_score(self) -> float:
        """The points a person gave (written answers, overridden scores)."""
        return float(sum(e.score for e in self.exercises if e.status == BY_HAND))

    @property
    def open_points(self) -> float:
        """The points of written answers still waiting for a person."""
        return float(sum(e.max_score for e in self.exercises if e.status == MANUAL))

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        """The result of :meth:`to_dict` with its ``student`` (or of ``asdict``); the score
        is not read back, it is the exercises' sum."""
        exercises = [ExerciseResult(**e) for e in data.get("exercises", [])]
        fields = {k: v for k, v in data.items() if k != "score"}
        return cls(**{**fields, "exercises": exercises})

    def to_dict(self) -> dict:
        """The JSON form printed by ``autograder check --json`` (and, with the student, one
        entry of the batch's ``results.json``)."""
        return {
            "notebook": self.notebook,
            "assignment": self.assignment,
            "status": self.status,
            "message": self.message,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [asdict(e) for e in self.exercises],
        }


def format_points(value: float) -> str:
    """Points without a needless decimal: 3.0 -> '3', 1.5 -> '1.5'."""
    return f"{value:g}"
