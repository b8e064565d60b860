"""`bshtrain grade EXERCISE`: autograde a cohort in parallel and say what needs a look.

On top of nbgrader (design 7): nbgrader's own autograde, with the course's config, in one
process per core (pool.py), always forced (trap 4). Before grading, each submission is read
the way the grade cells read it (checks.py), so the summary can say in words why a submission
scored 0; after grading, the gradebook gives the scores. A submission with no notebook, which
nbgrader skips, is recorded as 0 as nbgrader records a missing notebook, so it appears in the
grades with its reason.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from bshtrain.instructor.checks import (
    FAILED,
    HAND_GRADING,
    KINDS,
    NOT_SUBMITTED,
    Problem,
    check_submission,
)
from bshtrain.instructor.course import (
    Course,
    CourseError,
    NbgraderSettings,
    nbgrader_settings,
    run_nbgrader,
)
from bshtrain.instructor.gradebook import (
    Graded,
    assignment_ready,
    open_gradebook,
    read_cohort,
    record_missing_notebook,
    set_journal_mode,
)
from bshtrain.instructor.pool import (
    Outcome,
    default_workers,
    launch_workers,
    run_pool,
    stop_workers,
)


@dataclass
class GradeRun:
    """What one `bshtrain grade` did."""

    exercise: str
    students: list[str]
    workers: int
    log: Path
    seconds: float = 0.0
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    grades: dict[str, Graded] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def graded(self) -> list[str]:
        failed = {s for s, o in self.outcomes.items() if not o.ok}
        return [s for s in self.students if s in self.grades and s not in failed]

    def counts(self) -> dict[str, int]:
        bands = [self.grades[s].band for s in self.graded]
        return {"graded": len(bands), "full": bands.count("full"),
                "partial": bands.count("partial"), "zero": bands.count("zero")}

    @property
    def needs_look(self) -> dict[str, list[Problem]]:
        return {s: p for s, p in self.problems.items() if p}

    @property
    def lock_retries(self) -> int:
        return sum(o.locked for o in self.outcomes.values())

    def summary(self, root: Path) -> str:
        """The end table: counts, then every submission that needs a look and why."""
        counts = self.counts()
        auto_max = max((g.auto_max for g in self.grades.values()), default=0)
        log = rel(self.log, root)
        lines = [f"Graded {counts['graded']} of {len(self.students)} submission(s) of "
                 f"{self.exercise} in {self.seconds:.1f} s with {self.workers} nbgrader "
                 f"process(es). nbgrader's output: {log}", ""]
        lines.append(f"  {'graded':<8} {counts['graded']:>4}")
        lines.append(f"  {'full':<8} {counts['full']:>4}   all {auto_max:g} automatic points")
        lines.append(f"  {'partial':<8} {counts['partial']:>4}")
        lines.append(f"  {'zero':<8} {counts['zero']:>4}")
        lines.extend(f"  {note}" for note in self.notes)
        look = self.needs_look
        only_hand = sorted(s for s, ps in look.items() if all(p.kind == HAND_GRADING for p in ps))
        other = sorted(s for s in look if s not in only_hand)
        if not look:
            lines += ["", "Nothing needs a look."]
            return "\n".join(lines)
        lines += ["", f"Needs a look: {len(look)} submission(s)."]
        width = max(len(s) for s in look)
        for student in other:
            for i, problem in enumerate(sorted(look[student], key=lambda p: KINDS.index(p.kind))):
                head = f"  {student:<{width}}  " if i == 0 else " " * (width + 4)
                lines.extend(textwrap.wrap(str(problem), 100, initial_indent=head,
                                           subsequent_indent=" " * (width + 6)))
        if only_hand:
            cells = sorted({p.text.split(":")[0] for s in only_hand for p in look[s]})
            lines.append("")
            lines.extend(textwrap.wrap(
                f"{HAND_GRADING.capitalize()} ({', '.join(cells)}) in {len(only_hand)} submission(s): "
                + ", ".join(only_hand), 100, subsequent_indent="    "))
            lines.append(f"  Grade it in the formgrader (Manual Grading > {self.exercise}), "
                         "then `bshtrain export`.")
        return "\n".join(lines)


def rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def submitted_students(settings: NbgraderSettings, exercise: str) -> list[str]:
    """Every student with a folder submitted/<student>/<exercise>/."""
    if not settings.submitted.is_dir():
        return []
    return sorted(p.parent.name for p in settings.submitted.glob(f"*/{exercise}")
                  if p.is_dir() and not p.parent.name.startswith("."))


def log_path(settings: NbgraderSettings, action: str, exercise: str) -> Path:
    """Where nbgrader's output goes: beside the output it made (git-ignored folders)."""
    base = settings.feedback if action == "feedback" else settings.autograded
    return base / f"bshtrain-{action}-{exercise}.log"


def check_course(course: Course, exercise: str) -> None:
    if exercise not in course.exercise_ids():
        raise CourseError(f"no such exercise in solutions/: {exercise} "
                          f"(exercises: {', '.join(course.exercise_ids()) or 'none'})")
    stray = course.stray_answers()
    if stray:
        shown = ", ".join(rel(p, course.root) for p in stray)
        raise CourseError(f"{shown}: answers saved inside solutions/. At autograde such a file "
                          "could replace trainees' answers: move it out of solutions/ first "
                          "(nothing was graded).")


def _prepare_gradebook(course: Course, settings: NbgraderSettings, exercise: str,
                       log: Path) -> None:
    """Create the gradebook in this one process (never by parallel workers), and add the
    exercise from solutions/ if the gradebook does not know it yet. The release is written
    to a scratch folder: exercises/ is not touched."""
    with open_gradebook(course, settings) as gb:
        ready = assignment_ready(gb, exercise)
    if ready:
        return
    with tempfile.TemporaryDirectory(prefix="bshtrain-release-") as scratch:
        proc = run_nbgrader(course, "generate_assignment", exercise, "--force",
                            f"--CourseDirectory.release_directory={scratch}")
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"===== nbgrader generate_assignment {exercise} (into a scratch folder, to add "
                  f"it to the gradebook) =====\n{proc.stdout}{proc.stderr}\n")


def _timestamp(folder: Path):
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    try:
        return parse_utc(path.read_text(encoding="utf-8").strip()) if path.is_file() else None
    except (OSError, ValueError):
        return None


def _progress(total: int, exercise: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"grading {exercise}", unit="submission", file=sys.stderr,
                disable=not enabled or total == 0, dynamic_ncols=True, smoothing=0.2,
                bar_format="{desc}: {n_fmt} of {total_fmt} |{bar}| {elapsed} elapsed, "
                           "{remaining} left")


def grade(course: Course, exercise: str, students: list[str] | None = None,
          workers: int | None = None, collect: bool = False, progress: bool = True) -> GradeRun:
    """Autograde `exercise` for every submitted student (or `students`), in parallel."""
    started = time.perf_counter()
    check_course(course, exercise)
    count = max(1, workers or default_workers())
    # nbgrader takes seconds to load: the processes do it while this one looks at submissions
    slots = launch_workers(course, "autograde", exercise,
                           min(count, len(set(students))) if students else count)
    try:
        return _grade(course, exercise, students, count, collect, progress, slots, started)
    except BaseException:
        stop_workers(slots, kill=True)
        raise
    finally:
        stop_workers(slots)


def _grade(course: Course, exercise: str, students: list[str] | None, count: int, collect: bool,
           progress: bool, slots, started: float) -> GradeRun:
    settings = nbgrader_settings(course)
    log = log_path(settings, "grade", exercise)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"bshtrain grade {exercise}: nbgrader's output, "
                   f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")
    if collect:
        proc = run_nbgrader(course, "collect", exercise, "--update")
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"===== nbgrader collect {exercise} =====\n{proc.stdout}{proc.stderr}\n")
    found = submitted_students(settings, exercise)
    chosen = sorted(dict.fromkeys(students)) if students else found
    if not chosen:
        raise CourseError(f"nothing to grade: no submissions in "
                          f"{rel(settings.submitted, course.root)}/*/{exercise}/"
                          + ("" if collect else " (collect them first, or pass --collect)"))
    run = GradeRun(exercise, chosen, min(count, len(chosen)), log)
    for student in chosen:
        run.problems[student] = check_submission(
            course.root, exercise, student, settings.submitted / student / exercise)
    present = [s for s in chosen if not any(p.kind == NOT_SUBMITTED for p in run.problems[s])]
    with_notebook = [s for s in present
                     if (settings.submitted / s / exercise / f"{exercise}.ipynb").is_file()]
    no_notebook = [s for s in present if s not in with_notebook]

    _prepare_gradebook(course, settings, exercise, log)
    before = set_journal_mode(settings)
    if before and before != "wal":  # see worker.py: commits that do not wait for the disk
        set_journal_mode(settings, "wal")
    try:
        with _progress(len(with_notebook), exercise, progress) as bar:
            run.outcomes = run_pool(course, "autograde", exercise, with_notebook, count, log,
                                    done=lambda _o: bar.update(1), slots=slots)
        if no_notebook:
            with open_gradebook(course, settings) as gb:
                for student in no_notebook:
                    stale = settings.autograded / student / exercise
                    if stale.is_dir():  # --force: nothing of an earlier grading stays
                        shutil.rmtree(stale)
                    record_missing_notebook(gb, exercise, student,
                                            _timestamp(settings.submitted / student / exercise))
                    run.outcomes[student] = Outcome(student, True)
    finally:
        if before and before != "wal":
            set_journal_mode(settings, before)
    cohort = read_cohort(course, [exercise], settings)
    graded = cohort.exercises.get(exercise, {})
    run.grades = {s: graded[s] for s in chosen if s in graded}
    for student, outcome in run.outcomes.items():
        if not outcome.ok:
            run.problems[student].append(Problem(
                student, FAILED, f"nbgrader could not grade it: {outcome.error} (see "
                                 f"{rel(log, course.root)})"))
    for student in run.graded:
        for cell in run.grades[student].ungraded:
            run.problems[student].append(Problem(student, HAND_GRADING,
                                                 f"{cell}: grade it in the formgrader"))
    retries = run.lock_retries
    run.notes.append(f"gradebook busy (\"database is locked\"): {retries} submission(s) tried "
                     "again" if retries else "gradebook: no locking errors")
    run.seconds = time.perf_counter() - started
    return run
