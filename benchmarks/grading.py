"""Bulk grading speed: the sandbox's overhead, what a second job buys, and what Dask costs.

    python -m benchmarks.grading [--submissions 20] [--assignment 01_linear_algebra]
                                 [--dask-only] [--repeat 1]

(run from the repository root: it builds submissions with the grading tests' helpers)

Grades the same submissions of one assignment (the solution, a third of them with
some answers wrong) four times, side by side in one run:

    sandbox on,  --jobs 1      (the reference)
    sandbox off, --jobs 1      -> sandbox overhead = on / off - 1   (target < 15 %)
    sandbox on,  --jobs 2      -> speed-up = jobs 1 / jobs 2       (target >= 1.7x on 2 cores)
    sandbox on,  Dask          -> a LocalCluster of 2 worker processes of one thread each:
                                  Dask overhead = Dask / jobs 2 - 1 (target within 10 %)

and prints the wall-clock times and the ratios (``--dask-only``: the last two runs only).
``--repeat N`` runs the whole sequence N times, every other round in reverse order (so
that a steady drift of the machine's speed cancels out), and prints the median of the
rounds' ratios with each round's (this VM's speed drifts by 10 % and more within
minutes, so a single pair says little). Takes several minutes per round.
"""

import argparse
import shutil
import statistics
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
    two worker processes with the README's settings (``cluster.WORKER_CONFIG``), its start
    included."""
    start = time.perf_counter()
    limits = {"SandboxConfig": {"level": level}}
    if jobs != "dask":
        results = grade_batch(course, submissions, out, jobs=jobs, limits=limits)
        return time.perf_counter() - start, results
    import dask
    from distributed import LocalCluster

    from autograder.batch.cluster import worker_config

    with (
        dask.config.set(worker_config()),
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
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the runs, interleaved")
    args = parser.parse_args()
    runs = RUNS[2:] if args.dask_only else RUNS
    course = Course(default_root())
    seconds = {run: [] for run in runs}
    scores = set()
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        submissions = make_submissions(course, args.assignment, args.submissions, tmp / "in")
        for round_ in range(args.repeat):
            for level, jobs in runs if round_ % 2 == 0 else runs[::-1]:  # drift cancels out
                out = tmp / f"out-{level}-{jobs}"
                took, results = timed_batch(course, submissions, out, level, jobs)
                seconds[level, jobs].append(took)
                scores.add(tuple(sorted((r.student, r.score, r.status) for r in results)))
                shutil.rmtree(out)
                print(f"sandbox {level:8s} jobs {jobs}: {took:7.1f} s", flush=True)
    if len(scores) != 1:
        print("warning: the runs gave different grades")
    print(f"{args.submissions} submissions of {args.assignment}, {args.repeat} round(s)")

    def ratios(top, bottom):  # one per round: the runs of a round are side by side
        return [a / b for a, b in zip(seconds[top], seconds[bottom], strict=True)]

    if not args.dask_only:
        overhead = ratios(("sandbox", 1), ("none", 1))
        speedup = ratios(("sandbox", 1), ("sandbox", 2))
        print(f"sandbox overhead (on / off - 1, jobs 1): {_percent(overhead)}   (target < 15 %)")
        print(f"speed-up of --jobs 2 over --jobs 1:      {_times(speedup)}   (target >= 1.7 x)")
    cost = ratios(("sandbox", "dask"), ("sandbox", 2))
    print(f"Dask (2 workers) over --jobs 2:          {_percent(cost)}   (target < 10 %)")


def _percent(ratios: list[float]) -> str:
    """The median ratio minus one as a percentage, with each round's when several."""
    text = f"{100 * (statistics.median(ratios) - 1):5.1f} %"
    if len(ratios) > 1:
        text += " (rounds: " + ", ".join(f"{100 * (r - 1):.1f}" for r in ratios) + ")"
    return text


def _times(ratios: list[float]) -> str:
    text = f"{statistics.median(ratios):5.2f} x"
    if len(ratios) > 1:
        text += " (rounds: " + ", ".join(f"{r:.2f}" for r in ratios) + ")"
    return text


if __name__ == "__main__":  # the batch's worker processes start from a fork server
    main()
