"""The ``autograder`` command: release, check, grade, verify."""

import argparse
import json
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
    course = Course(Path(args.course).resolve() if args.course else default_root())
    try:
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
    results = grade_batch(
        course,
        Path(args.submissions),
        out,
        assignment=args.assignment,
        jobs=args.jobs,
        db_url=args.db,
        timeout=args.timeout,
        limits=limits,
    )
    problems = [r for r in results if r.status != GRADED]
    print(f"graded {len(results)} submissions ({len(problems)} with problems) into {out}/")
    for r in problems:
        print(f"  {r.student}/{r.assignment}: {r.status}: {r.message}")
    print(
        f"grades: {out / 'grades.csv'}; per exercise: {out / 'exercises.csv'}; "
        f"plot: {out / 'scores.png'}; feedback: {out / 'feedback'}/"
    )
    return 0


def _verify(course: Course, args) -> int:
    from autograder.tasks.verify import verify

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
    parser.add_argument("--course", help="course folder (default: this checkout)")
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
    grade.add_argument("--jobs", type=_positive_int, default=1, help="parallel workers (default 1)")
    grade.add_argument("--out", default="grading-out", help="output folder (default grading-out)")
    grade.add_argument("--db", help="gradebook database URL (default: SQLite in the output folder)")
    grade.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="hard cap in seconds per submission, above --notebook-timeout (default 900)",
    )
    _limit_options(grade)
    grade.set_defaults(run=_grade)

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


def _report_safety(course: Course, limits: dict) -> None:
    """Say on stderr which safety level the kernels will run under."""
    from traitlets.config import Config

    from autograder.sandbox import SandboxConfig, describe

    course_settings = course.nbgrader_config()
    course_settings.merge(Config(limits))
    print(f"safety level: {describe(SandboxConfig(config=course_settings))}", file=sys.stderr)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
