"""The ``autograder`` command: release, check, grade, verify."""

import argparse
import json
import sys
import warnings
from pathlib import Path

from autograder.course import Course, GradingError, default_root
from autograder.results import GRADED


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
    from autograder.release import release

    for folder in release(course, args.assignments or None):
        print(f"released {folder.relative_to(course.root)}")
    return 0


def _check(course: Course, args) -> int:
    from autograder.grading import check_notebook
    from autograder.report import score_table

    result = check_notebook(course, Path(args.notebook))
    print(json.dumps(result.to_dict(), indent=2) if args.json else score_table(result))
    return 0


def _grade(course: Course, args) -> int:
    from autograder.batch import grade_batch

    out = Path(args.out)
    results = grade_batch(
        course,
        Path(args.submissions),
        out,
        assignment=args.assignment,
        jobs=args.jobs,
        db_url=args.db,
        timeout=args.timeout,
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
    from autograder.verify import verify

    verdicts = verify(course, args.assignments or None)
    for verdict in verdicts:
        print(f"{'ok  ' if verdict.ok else 'FAIL'} {verdict.assignment}")
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
    check.set_defaults(run=_check)

    grade = commands.add_parser("grade", help="grade SUBMISSIONS/<student>/<assignment>/*.ipynb")
    grade.add_argument("submissions", help="folder of student folders")
    grade.add_argument("--assignment", help="grade only this assignment")
    grade.add_argument("--jobs", type=_positive_int, default=1, help="parallel workers (default 1)")
    grade.add_argument("--out", default="grading-out", help="output folder (default grading-out)")
    grade.add_argument("--db", help="gradebook database URL (default: SQLite in the output folder)")
    grade.add_argument(
        "--timeout", type=float, default=600.0, help="seconds allowed per submission (default 600)"
    )
    grade.set_defaults(run=_grade)

    verify = commands.add_parser("verify", help="release is current, solution full marks, blank 0")
    verify.add_argument("assignments", nargs="*", help="assignments (default: all)")
    verify.set_defaults(run=_verify)
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
