"""The ``autograder`` command: release, check, progress, grade, export, verify."""

import argparse
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

from autograder.course import Course, GradingError, default_root
from autograder.results import GRADED
from autograder.sandbox import LEVELS


def main(argv: list[str] | None = None) -> int:
    # nbgrader 0.9 trips over a SQLAlchemy 2 autoflush notice; it changes nothing.
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
    args = _parser().parse_args(argv)
    try:
        course = Course(Path(args.course).resolve() if args.course else default_root())
        return args.run(course, args)
    except GradingError as error:
        print(f"autograder {args.command}: {error}", file=sys.stderr)
        return 2


def _release(course: Course, args) -> int:
    from autograder.tasks.release import release

    for folder in release(course, args.assignments or None):
        print(f"released {folder.relative_to(course.root)}")
    return 0


def _check(course: Course, args) -> int:
    from autograder.tasks.check import check_notebook, score_table

    limits = _limits(args)
    _report_safety(course, limits)
    result = check_notebook(course, Path(args.notebook), limits=limits)
    print(json.dumps(result.to_dict(), indent=2) if args.json else score_table(result))
    return 0


def _grade(course: Course, args) -> int:
    from autograder.batch.runner import grade_batch

    out = Path(args.out)
    limits = _limits(args)
    _report_safety(course, limits)
    if args.scheduler:
        jobs = 1
        print(f"grading on the Dask cluster at {args.scheduler}", file=sys.stderr)
    else:
        jobs = args.jobs or default_jobs(_sandbox_config(course, limits).memory_bytes)
        print(f"grading with {jobs} worker{'s' * (jobs > 1)}", file=sys.stderr)
    results = grade_batch(
        course,
        Path(args.submissions),
        out,
        assignment=args.assignment,
        jobs=jobs,
        db_url=args.db,
        timeout=args.timeout,
        limits=limits,
        scheduler=args.scheduler,
        regrade=args.regrade,
    )
    problems = [r for r in results if r.status != GRADED]
    print(f"graded {len(results)} submissions ({len(problems)} with problems) into {out}/")
    for r in problems:
        print(f"  {r.student}/{r.assignment}: {r.status}: {r.message}")
    _say_outputs(results, out)
    return 0


def _export(course: Course, args) -> int:
    from autograder.batch.runner import export

    out = Path(args.out)
    results = export(course, out, db_url=args.db)
    print(f"exported {len(results)} submissions with the gradebook's scores into {out}/")
    _say_outputs(results, out)
    return 0


def _say_outputs(results, out: Path) -> None:
    waiting = [r for r in results if r.open_points]
    if waiting:
        points = sum(r.open_points for r in waiting)
        print(
            f"{len(waiting)} submissions have written answers to grade by hand ({points:g} "
            "points open): make lab GRADING=" + str(out) + ", then Formgrader; then "
            f"autograder export --out {out}"
        )
    print(
        f"grades: {out / 'grades.csv'}; per exercise: {out / 'exercises.csv'}; "
        f"all results: {out / 'results.json'}; report: {out / 'report.html'}; "
        f"feedback: {out / 'feedback'}/"
    )


def _progress(course: Course, args) -> int:
    from autograder.tasks.progress import progress

    limits = _limits(args)
    _report_safety(course, limits)
    report = progress(course, Path(args.folder), limits=limits, figure=args.figure)
    print(report.text)
    if report.figure is not None:
        print(f"drawn: {report.figure}")
    return 0


def default_jobs(memory_per_kernel: int) -> int:
    """Workers for ``grade``: one per core this process may use, but no more than the
    machine's memory holds at ``memory_per_kernel`` bytes per kernel (at least one)."""
    import psutil

    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if memory_per_kernel > 0:
        cores = min(cores, psutil.virtual_memory().total // memory_per_kernel)
    return max(1, int(cores))


def _verify(course: Course, args) -> int:
    from autograder.tasks.verify import verify

    if not args.assignments and not course.assignments():
        print(f"autograder verify: no assignments found under {course.solutions}", file=sys.stderr)
        return 1
    verdicts = verify(course, args.assignments or None)
    for verdict in verdicts:
        times = ", ".join(f"{kind} {seconds:.1f} s" for kind, seconds in verdict.seconds.items())
        print(f"{'ok  ' if verdict.ok else 'FAIL'} {verdict.assignment} (graded in: {times})")
        for problem in verdict.problems:
            print(f"     - {problem}")
    return 0 if all(v.ok for v in verdicts) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder", description="Grading tools for the course, on top of nbgrader."
    )
    parser.add_argument(
        "--course",
        help="course folder (default: $AUTOGRADER_COURSE_ROOT, else the first folder from the "
        "current one upward that holds nbgrader_config.py and solutions/, else the checkout "
        "autograder is installed from)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="regenerate notebooks/ from solutions/")
    release.add_argument("assignments", nargs="*", help="assignments (default: all)")
    release.set_defaults(run=_release)

    check = commands.add_parser("check", help="grade your own notebook against the hidden tests")
    check.add_argument("notebook", help="path to your .ipynb")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    _limit_options(check)
    check.set_defaults(run=_check)

    grade = commands.add_parser("grade", help="grade SUBMISSIONS/<student>/<assignment>/*.ipynb")
    grade.add_argument("submissions", help="folder of student folders")
    grade.add_argument("--assignment", help="grade only this assignment")
    grade.add_argument(
        "--jobs",
        type=_positive_int,
        help="parallel workers (default: the number of cores, at most one per 4 GiB of memory, "
        "or per --memory-gib)",
    )
    grade.add_argument("--out", default="grading-out", help="output folder (default grading-out)")
    grade.add_argument(
        "--db",
        help="gradebook database URL, e.g. postgresql://USER@HOST/DB to share one between graders "
        "(default: SQLite in the output folder)",
    )
    grade.add_argument(
        "--scheduler",
        help="grade on a Dask cluster: the scheduler's address, e.g. tcp://HOST:8786 (each "
        "worker machine needs the course checkout and bubblewrap; see the README)",
    )
    grade.add_argument(
        "--regrade",
        action="store_true",
        help="grade again the submissions an earlier run over --out already recorded",
    )
    grade.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="hard cap in seconds per submission, above --notebook-timeout (default 900)",
    )
    _limit_options(grade)
    grade.set_defaults(run=_grade)

    export = commands.add_parser(
        "export", help="rewrite grades.csv and the report with the gradebook's scores now"
    )
    export.add_argument("--out", default="grading-out", help="output folder of grade (grading-out)")
    export.add_argument("--db", help="gradebook database URL (default: the one grade used)")
    export.set_defaults(run=_export)

    progress = commands.add_parser(
        "progress", help="your progress through the course, from the notebooks in FOLDER"
    )
    progress.add_argument(
        "folder", nargs="?", default=".", help="folder searched for your notebooks (default: .)"
    )
    progress.add_argument(
        "--figure",
        help="where to draw it (default: progress.png in FOLDER); 'none' to skip the drawing",
    )
    _limit_options(progress)
    progress.set_defaults(run=_progress)

    verify = commands.add_parser("verify", help="release is current, solution full marks, blank 0")
    verify.add_argument("assignments", nargs="*", help="assignments (default: all)")
    verify.set_defaults(run=_verify)
    return parser


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """Options overriding the limits in nbgrader_config.py (each defaults to that file)."""
    group = parser.add_argument_group("limits (default: nbgrader_config.py)")
    group.add_argument("--sandbox", choices=["auto", *LEVELS], help="safety level (default auto)")
    group.add_argument("--memory-gib", type=float, help="memory cap per kernel in GiB (4)")
    group.add_argument("--cell-timeout", type=_positive_int, help="seconds per cell (30)")
    group.add_argument("--notebook-timeout", type=float, help="seconds per notebook (600)")


def _limits(args) -> dict:
    """The limit options given, as settings by class for nbgrader's configuration."""
    chosen = {
        ("SandboxConfig", "level"): args.sandbox,
        ("SandboxConfig", "memory_bytes"): args.memory_gib and int(args.memory_gib * 2**30),
        ("Execute", "timeout"): args.cell_timeout,
        ("TrustedExecute", "notebook_timeout"): args.notebook_timeout,
    }
    limits = {}
    for (section, name), value in chosen.items():
        if value is not None:
            limits.setdefault(section, {})[name] = value
    return limits


def _sandbox_config(course: Course, limits: dict):
    """The sandbox settings in force: nbgrader_config.py, then the options given."""
    from traitlets.config import Config

    from autograder.sandbox import SandboxConfig

    course_settings = course.nbgrader_config()
    course_settings.merge(Config(limits))
    return SandboxConfig(config=course_settings)


def _report_safety(course: Course, limits: dict) -> None:
    """Say on stderr which safety level the kernels will run under, and, when ``auto`` had
    to settle for less than the sandbox, one line saying so and how to fix it."""
    from autograder.sandbox import describe, resolve_mode

    config = _sandbox_config(course, limits)
    mode = resolve_mode(config.level)
    print(f"safety level: {describe(config, mode)}", file=sys.stderr)
    if config.level == "auto" and mode.level != "sandbox":
        why = "is not installed" if shutil.which("bwrap") is None else "does not work here"
        print(
            f"warning: bubblewrap (bwrap) {why}, so kernels run without file or network "
            "isolation; install it (make install, or apt-get install bubblewrap)",
            file=sys.stderr,
        )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
