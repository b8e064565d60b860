"""The `bshtrain` command: thin argument parsing over importable functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bshtrain.content.loading import DataFileError
from bshtrain.content.tables import FilterError
from bshtrain.instructor.course import CourseError, build_exercises, find_course


def _build(args: argparse.Namespace) -> int:
    course = find_course(Path(args.course) if args.course else None)
    ids = build_exercises(course, args.exercise or None)
    print(f"Built {len(ids)} exercise(s) in {course.exercises}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from bshtrain.content.validate import validate_paths

    problems, summary = validate_paths([Path(p) for p in args.paths])
    for problem in problems:
        print(problem)
    print(summary)
    return 1 if problems else 0


def _show(frame, fmt: str) -> int:
    import pandas as pd

    if fmt == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        with pd.option_context("display.max_colwidth", 40, "display.width", 200):
            print(frame.to_string(index=False) if len(frame) else "(no matches)")
        print(f"{len(frame)} row(s)")
    return 0


def _cases(args: argparse.Namespace) -> int:
    from bshtrain.content.cases import load_cases
    from bshtrain.content.tables import cases_table

    cases = load_cases()
    if args.coverage:
        from bshtrain.content.tables import coverage_text

        print(coverage_text(cases))
        return 0
    table = cases_table(cases, args.problem, args.approach, args.risk, args.context)
    return _show(table, args.format)


def _case(args: argparse.Namespace) -> int:
    from bshtrain.content.cases import get_case
    from bshtrain.content.render import case_html, case_text

    try:
        case = get_case(args.id)
    except KeyError as exc:
        print(f"bshtrain: {exc.args[0]}", file=sys.stderr)
        return 2
    print(case_html(case) if args.html else case_text(case))
    return 0


def _tasks(args: argparse.Namespace) -> int:
    from bshtrain.content.tables import tasks_table
    from bshtrain.content.tasks import load_catalogue

    return _show(tasks_table(load_catalogue(), args.approach, args.target, args.risk), args.format)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bshtrain", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="regenerate exercises/ from solutions/ with nbgrader")
    build.add_argument("exercise", nargs="*", help="exercise ids (default: all)")
    build.add_argument("--course", help="course folder (default: found from here)")
    build.set_defaults(func=_build)

    validate = sub.add_parser("validate", help="check case, task and bibliography files")
    validate.add_argument("paths", nargs="*",
                          help="author folders (with cases/ and tasks/), case folders or files")
    validate.set_defaults(func=_validate)

    cases = sub.add_parser("cases", help="list the case library, optionally filtered")
    cases.add_argument("--problem")
    cases.add_argument("--approach")
    cases.add_argument("--risk", help="a risk flag, or 'any'")
    cases.add_argument("--context")
    cases.add_argument("--format", choices=["table", "csv"], default="table")
    cases.add_argument("--coverage", action="store_true",
                       help="how the library spreads across problems, approaches, ages, contexts, risks")
    cases.set_defaults(func=_cases)

    case = sub.add_parser("case", help="show one case card as plain text (or --html)")
    case.add_argument("id")
    case.add_argument("--html", action="store_true", help="the escaped HTML card instead")
    case.set_defaults(func=_case)

    tasks = sub.add_parser("tasks", help="list the task catalogue, optionally filtered")
    tasks.add_argument("--approach")
    tasks.add_argument("--target", help="a mechanism the task targets")
    tasks.add_argument("--risk", help="tasks with a caution for this risk flag")
    tasks.add_argument("--format", choices=["table", "csv"], default="table")
    tasks.set_defaults(func=_tasks)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CourseError, DataFileError, FilterError) as exc:
        print(f"bshtrain: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
