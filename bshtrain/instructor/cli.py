"""The `bshtrain` command: thin argument parsing over importable functions."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from bshtrain.content.loading import DataFileError
from bshtrain.content.tables import FilterError
from bshtrain.instructor.course import CourseError, build_exercises, find_course


def _build(args: argparse.Namespace) -> int:
    course = find_course(Path(args.course) if args.course else None)
    ids = build_exercises(course, args.exercise or None, discard_answers=args.discard_answers)
    print(f"Built {len(ids)} exercise(s) in {course.exercises}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from bshtrain.content.validate import validate_paths

    problems, summary = validate_paths([Path(p) for p in args.paths])
    if not problems:  # exercises build on the library: check them once it loads
        from bshtrain.engine.check_exercises import check_exercises, exercise_specs

        try:
            course = find_course().root
        except CourseError:
            course = None  # outside a course folder: options only, no keys
        found = check_exercises(course)
        problems.extend(found)
        where = "options and keys" if course else "options (no course folder here: keys not checked)"
        summary += f"; {len(exercise_specs())} exercise(s), {where}: {len(found)} problem(s)"
    for problem in problems:
        print(problem)
    print(summary)
    return 1 if problems else 0


def _panel(args: argparse.Namespace) -> int:
    from bshtrain.engine.keys import KEY_FILE, read_key
    from bshtrain.engine.spec import spec_for
    from bshtrain.instructor.panel import build_panel_key, key_yaml

    course = find_course(Path(args.course) if args.course else None)
    try:
        spec = spec_for(args.exercise)
    except KeyError as exc:
        raise CourseError(exc.args[0]) from None
    base_path = course.solutions / args.exercise / KEY_FILE
    base, _ = read_key(base_path)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise CourseError(f"{folder}: no such folder of raters' answers files")
    result = build_panel_key(spec, base, folder, min_raters=args.min_raters)
    text = key_yaml(result.key)
    if args.out:
        out = Path(args.out)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    else:
        print(text, end="")
    report = sys.stderr if not args.out else sys.stdout
    for case_id, n in result.raters.items():
        print(f"{case_id}: {n} rater(s)", file=report)
    for line in [*result.notes, *(f"not used: {s}" for s in result.skipped)]:
        print(line, file=report)
    if args.out:
        print(f"Wrote {args.out}; run `bshtrain validate` to check it.")
    return 0


def _course(args: argparse.Namespace):
    return find_course(Path(args.course) if getattr(args, "course", None) else None)


def _students(values: list[str] | None) -> list[str] | None:
    """--students a b, or --students a,b (or both)."""
    if not values:
        return None
    return [s for v in values for s in v.split(",") if s.strip()]


def _workers(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise CourseError("--workers must be at least 1")
    return value


def _grade(args: argparse.Namespace) -> int:
    from bshtrain.instructor.grade import grade

    course = _course(args)
    run = grade(course, args.exercise, _students(args.students), _workers(args.workers),
                collect=args.collect, progress=not args.no_progress)
    print(run.summary(course.root))
    return 1 if run.needs_look else 0


def _score(args: argparse.Namespace) -> int:
    from bshtrain.instructor.self_score import score_own_work

    course = _course(args)
    result = score_own_work(course, args.exercise, progress=not args.no_progress)
    print(result.summary(course.root))
    return 1 if result.problems else 0


def _feedback(args: argparse.Namespace) -> int:
    from bshtrain.instructor.feedback import feedback

    course = _course(args)
    run = feedback(course, args.exercise, _students(args.students), _workers(args.workers),
                   release=args.release, progress=not args.no_progress)
    print(run.summary(course.root))
    return 1 if run.failed else 0


def _export(args: argparse.Namespace) -> int:
    from bshtrain.instructor.export import export_csv

    course = _course(args)
    out = Path(args.out)
    rows, columns = export_csv(course, out, args.exercise or None)
    print(f"Wrote {out}: {rows} trainee(s), {columns} column(s).")
    return 0


def _report(args: argparse.Namespace) -> int:
    from bshtrain.instructor.report import write_report

    course = _course(args)
    result = write_report(course, args.exercise, Path(args.out))
    print(result.summary())
    return 1 if result.mismatches else 0


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
    build.add_argument("--discard-answers", action="store_true",
                       help="build even though exercises/<ex>/answers/ holds answers, deleting them")
    build.set_defaults(func=_build)

    grade = sub.add_parser("grade", help="autograde a cohort in parallel (nbgrader, always "
                                         "--force) and say what needs a look")
    grade.add_argument("exercise", help="exercise id, e.g. plan")
    grade.add_argument("--students", nargs="+", metavar="ID",
                       help="only these students (default: every folder in submitted/)")
    grade.add_argument("--workers", type=int, metavar="N",
                       help="nbgrader processes at once (default: one per core)")
    grade.add_argument("--collect", action="store_true",
                       help="first collect submissions from the exchange (nbgrader collect)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--course", help="course folder (default: found from here)")
    grade.set_defaults(func=_grade)

    score = sub.add_parser("score", help="working on your own: grade your own copy of an "
                           "exercise and write its feedback page")
    score.add_argument("exercise", help="exercise id, e.g. plan")
    score.add_argument("--no-progress", action="store_true", help="no progress bar")
    score.add_argument("--course", help="course folder (default: found from here)")
    score.set_defaults(func=_score)

    fb = sub.add_parser("feedback", help="generate feedback in parallel, and release it where "
                                         "an exchange exists")
    fb.add_argument("exercise", help="exercise id, e.g. plan")
    fb.add_argument("--students", nargs="+", metavar="ID", help="only these students")
    fb.add_argument("--workers", type=int, metavar="N",
                    help="nbgrader processes at once (default: one per core)")
    release = fb.add_mutually_exclusive_group()
    release.add_argument("--release", dest="release", action="store_true", default=None,
                         help="release through the exchange (an error if there is none)")
    release.add_argument("--no-release", dest="release", action="store_false",
                         help="generate only")
    fb.add_argument("--no-progress", action="store_true", help="no progress bar")
    fb.add_argument("--course", help="course folder (default: found from here)")
    fb.set_defaults(func=_feedback)

    export = sub.add_parser("export", help="grades per trainee and criterion as CSV (for an LMS)")
    export.add_argument("--out", default="grades.csv", help="CSV file (default grades.csv)")
    export.add_argument("--exercise", action="append",
                        help="only this exercise (repeat for more; default: all)")
    export.add_argument("--course", help="course folder (default: found from here)")
    export.set_defaults(func=_export)

    report = sub.add_parser("report", help="a cohort report as one self-contained HTML file")
    report.add_argument("exercise", help="exercise id, e.g. plan")
    report.add_argument("--out", default="report.html", help="HTML file (default report.html)")
    report.add_argument("--course", help="course folder (default: found from here)")
    report.set_defaults(func=_report)

    validate = sub.add_parser("validate", help="check case, task and bibliography files")
    validate.add_argument("paths", nargs="*",
                          help="author folders (with cases/ and tasks/), case folders or files")
    validate.set_defaults(func=_validate)

    panel = sub.add_parser("panel", help="calibrate an exercise's key with your own raters")
    panel_sub = panel.add_subparsers(dest="panel_command", required=True)
    panel_build = panel_sub.add_parser(
        "build", help="aggregate credits from a folder of raters' answers files")
    panel_build.add_argument("exercise", help="exercise id, e.g. plan")
    panel_build.add_argument("folder", help="folder holding the raters' answers files (*.json)")
    panel_build.add_argument("--out", help="write the key here (default: print it)")
    panel_build.add_argument("--min-raters", type=int, default=3,
                             help="raters a case needs before its credits change (default 3)")
    panel_build.add_argument("--course", help="course folder (default: found from here)")
    panel_build.set_defaults(func=_panel)

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


class _OutputFailed(Exception):
    """Writing to standard output failed (a full disk, a closed pipe)."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


class _GuardedOutput:
    """Standard output whose write errors are told apart from every other OSError."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _OutputFailed(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _OutputFailed(exc) from exc

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so Python's flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    real_stdout = sys.stdout
    sys.stdout = _GuardedOutput(real_stdout)
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except (CourseError, DataFileError, FilterError) as exc:
        print(f"bshtrain: {exc}", file=sys.stderr)
        return 2
    except _OutputFailed as failed:
        sys.stdout = real_stdout
        _silence_stdout()
        if isinstance(failed.error, BrokenPipeError):  # the reader stopped (| head -1):
            return 128 + getattr(signal, "SIGPIPE", 13)  # quiet, as Unix tools are
        print(f"bshtrain: cannot write the output: {failed.error.strerror or failed.error}",
              file=sys.stderr)
        return 1
    finally:
        if isinstance(sys.stdout, _GuardedOutput):
            sys.stdout = real_stdout


if __name__ == "__main__":
    sys.exit(main())
