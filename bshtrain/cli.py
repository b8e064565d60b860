"""The `bshtrain` command: thin argument parsing over importable functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import CourseError, build_exercises, find_course
from .loading import DataFileError


def _build(args: argparse.Namespace) -> int:
    course = find_course(Path(args.course) if args.course else None)
    ids = build_exercises(course, args.exercise or None)
    print(f"Built {len(ids)} exercise(s) in {course.exercises}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .validate import validate_paths

    problems, summary = validate_paths([Path(p) for p in args.paths])
    for problem in problems:
        print(problem)
    print(summary)
    return 1 if problems else 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bshtrain", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="regenerate exercises/ from solutions/ with nbgrader")
    build.add_argument("exercise", nargs="*", help="exercise ids (default: all)")
    build.add_argument("--course", help="course folder (default: found from here)")
    build.set_defaults(func=_build)

    validate = sub.add_parser("validate", help="check case, task and bibliography files")
    validate.add_argument("paths", nargs="*", help="extra case folders or files (default: shipped)")
    validate.set_defaults(func=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CourseError, DataFileError) as exc:
        print(f"bshtrain: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
