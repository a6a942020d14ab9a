"""Bulk grading speed: the sandbox's overhead, what a second job buys, and what Dask costs.

    python -m benchmarks.grading [--submissions 20] [--assignment 01_linear_algebra] [--dask-only]

(run from the repository root: it builds submissions with the grading tests' helpers)

Grades the same submissions of one assignment (the solution, a third of them with
some answers wrong) four times, side by side in one run:

    sandbox on,  --jobs 1      (the reference)
    sandbox off, --jobs 1      -> sandbox overhead = on / off - 1   (target < 15 %)
    sandbox on,  --jobs 2      -> speed-up = jobs 1 / jobs 2       (target >= 1.7x on 2 cores)
    sandbox on,  Dask          -> a LocalCluster of 2 worker processes of one thread each:
                                  Dask overhead = Dask / jobs 2 - 1 (target within 10 %)

and prints the wall-clock times and the ratios (``--dask-only``: the last two runs only).
Takes several minutes.
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

RUNS = [("sandbox", 1), ("none", 1), ("sandbox", 2), ("sandbox", "dask")]


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
    """Wall-clock seconds and results of one batch; ``jobs="dask"``: on a LocalCluster of
    two non-daemonic worker processes (as the README starts workers), its start included."""
    start = time.perf_counter()
    limits = {"SandboxConfig": {"level": level}}
    if jobs != "dask":
        results = grade_batch(course, submissions, out, jobs=jobs, limits=limits)
        return time.perf_counter() - start, results
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
    ):
        address = cluster.scheduler_address
        results = grade_batch(course, submissions, out, limits=limits, scheduler=address)
    return time.perf_counter() - start, results


def main() -> None:
    # nbgrader 0.9 trips over a SQLAlchemy 2 autoflush notice; it changes nothing.
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--assignment", default="01_linear_algebra")
    parser.add_argument("--dask-only", action="store_true", help="only --jobs 2 and Dask")
    args = parser.parse_args()
    runs = RUNS[2:] if args.dask_only else RUNS
    course = Course(default_root())
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        submissions = make_submissions(course, args.assignment, args.submissions, tmp / "in")
        seconds, scores = {}, {}
        for level, jobs in runs:
            out = tmp / f"out-{level}-{jobs}"
            seconds[level, jobs], results = timed_batch(course, submissions, out, level, jobs)
            scores[level, jobs] = sorted((r.student, r.score, r.status) for r in results)
            shutil.rmtree(out)
            print(f"sandbox {level:8s} jobs {jobs}: {seconds[level, jobs]:7.1f} s", flush=True)
    if len({tuple(s) for s in scores.values()}) != 1:
        print("warning: the runs gave different grades")
    print(f"{args.submissions} submissions of {args.assignment}")
    if not args.dask_only:
        overhead = seconds["sandbox", 1] / seconds["none", 1] - 1
        speedup = seconds["sandbox", 1] / seconds["sandbox", 2]
        print(f"sandbox overhead (on / off - 1, jobs 1): {100 * overhead:5.1f} %   (target < 15 %)")
        print(f"speed-up of --jobs 2 over --jobs 1:      {speedup:5.2f} x   (target >= 1.7 x)")
    cost = seconds["sandbox", "dask"] / seconds["sandbox", 2] - 1
    print(f"Dask (2 workers) over --jobs 2:          {100 * cost:5.1f} %   (target < 10 %)")


if __name__ == "__main__":  # the batch's worker processes start from a fork server
    main()
