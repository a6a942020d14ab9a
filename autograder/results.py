"""What grading produces: one result per exercise (grade cell) and per submission."""

from dataclasses import asdict, dataclass, field

# Submission statuses (grades.csv's status column).
GRADED = "graded"
INVALID = "invalid-notebook"
MISSING = "missing-notebook"
TIMEOUT = "timeout"
UNKNOWN = "unknown-assignment"
ERROR = "error"

# Exercise statuses.
PASSED = "passed"
FAILED = "failed"
MANUAL = "needs-manual-grade"


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

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        exercises = [ExerciseResult(**e) for e in data.get("exercises", [])]
        return cls(**{**data, "exercises": exercises})

    def to_dict(self) -> dict:
        """The JSON form printed by ``autograder check --json``."""
        return {
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [asdict(e) for e in self.exercises],
        }
