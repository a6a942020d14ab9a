"""Bulk grading speed: the sandbox's overhead, and what a second job buys.

    python -m benchmarks.grading [--submissions 20] [--assignment 01_linear_algebra]

(run from the repository root: it builds submissions with the grading tests' helpers)

Grades the same submissions of one assignment (the solution, a third of them with
some answers wrong) three times, side by side in one run:

    sandbox on,  --jobs 1      (the reference)
    sandbox off, --jobs 1      -> sandbox overhead = on / off - 1   (target < 15 %)
    sandbox on,  --jobs 2      -> speed-up = jobs 1 / jobs 2       (target >= 1.7x on 2 cores)

and prints the wall-clock times and the two ratios. Takes several minutes.
"""

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from autograder.batch.runner import grade_batch
from autograder.course import Course, default_root
from tests.autograder.helpers import answer_ids, place, solution, with_wrong_answers

RUNS = [("sandbox", 1), ("none", 1), ("sandbox", 2)]


def make_submissions(course: Course, assignment: str, count: int, root: Path) -> Path:
    """``count`` student folders: the solution, every third one with two answers wrong."""
    source = solution(course, assignment)
    answers = answer_ids(source)
    for i in range(count):
        student = f"student-{i:02d}"
        if i % 3 == 2:
            wrong = answers[i % len(answers) :][:2]
            with_wrong_answers(source, root / student / assignment / source.name, wrong)
        else:
            place(source, root, student, assignment)
    return root


def timed_batch(course, submissions, out, level, jobs) -> tuple[float, list]:
    start = time.perf_counter()
    results = grade_batch(
        course, submissions, out, jobs=jobs, limits={"SandboxConfig": {"level": level}}
    )
    return time.perf_counter() - start, results


def main() -> None:
    # nbgrader 0.9 trips over a SQLAlchemy 2 autoflush notice; it changes nothing.
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--assignment", default="01_linear_algebra")
    args = parser.parse_args()
    course = Course(default_root())
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        submissions = make_submissions(course, args.assignment, args.submissions, tmp / "in")
        seconds, scores = {}, {}
        for level, jobs in RUNS:
            out = tmp / f"out-{level}-{jobs}"
            seconds[level, jobs], results = timed_batch(course, submissions, out, level, jobs)
            scores[level, jobs] = sorted((r.student, r.score, r.status) for r in results)
            shutil.rmtree(out)
            print(f"sandbox {level:8s} jobs {jobs}: {seconds[level, jobs]:7.1f} s", flush=True)
    if len({tuple(s) for s in scores.values()}) != 1:
        print("warning: the runs gave different grades")
    overhead = seconds["sandbox", 1] / seconds["none", 1] - 1
    speedup = seconds["sandbox", 1] / seconds["sandbox", 2]
    print(f"{args.submissions} submissions of {args.assignment}")
    print(f"sandbox overhead (on / off - 1, jobs 1): {100 * overhead:5.1f} %   (target < 15 %)")
    print(f"speed-up of --jobs 2 over --jobs 1:      {speedup:5.2f} x   (target >= 1.7 x)")


if __name__ == "__main__":  # the batch's worker processes start from a fork server
    main()
