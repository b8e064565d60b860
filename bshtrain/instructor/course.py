"""Instructor actions on the course folder, on top of nbgrader (design section 7)."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bshtrain.engine.answers import ANSWERS_DIR
from bshtrain.engine.nbgrader_plugins import exercise_ids

CONFIG_ERROR = "Exception while loading config file"


class CourseError(RuntimeError):
    """An instructor action could not be done safely."""


@dataclass(frozen=True)
class Course:
    """The course folder: solutions/ is nbgrader's source, exercises/ its release."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    def exercise_ids(self) -> list[str]:
        return exercise_ids(self.solutions)

    def stray_answers(self) -> list[Path]:
        """Answers folders inside solutions/: at autograde they would overwrite trainees'."""
        return sorted(p for p in self.solutions.glob(f"*/{ANSWERS_DIR}") if p.exists())

    def release_answers(self, ids: list[str]) -> list[Path]:
        """Trainees' files in exercises/<ex>/answers/ (answers, files set aside, anything not
        hidden): generate_assignment --force deletes the whole release folder."""
        found = []
        for ex in ids:
            folder = self.exercises / ex / ANSWERS_DIR
            if folder.is_dir() and not folder.is_symlink():
                found.extend(p for p in folder.rglob("*")
                             if not p.name.startswith(".") and not p.is_dir())
            elif os.path.lexists(folder):
                found.append(folder)
        return sorted(found)


def find_course(start: Path | None = None) -> Course:
    """The course whose nbgrader_config.py is in `start` or a parent folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "solutions").is_dir():
            return Course(folder)
    raise CourseError(f"no course found: {here} and its parents hold no nbgrader_config.py "
                      "beside a solutions/ folder")


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader: this Python's bin first on PATH (alembic, trap 7)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    return env


@dataclass(frozen=True)
class NbgraderSettings:
    """What the course's nbgrader configuration says about where things are."""

    db_url: str
    course_id: str
    submitted: Path
    autograded: Path
    feedback: Path
    exchange_root: Path

    @property
    def sqlite_path(self) -> Path | None:
        """The gradebook's file, when the gradebook is SQLite (not, e.g., PostgreSQL)."""
        prefix = "sqlite:///"
        return Path(self.db_url[len(prefix):]) if self.db_url.startswith(prefix) else None


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def nbgrader_settings(course: Course) -> NbgraderSettings:
    """Load the configuration as nbgrader does (Jupyter's config folders, then the course's
    nbgrader_config.py); a config that fails to load is an error here (trap 3)."""
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.exchange.default.exchange import Exchange

    app = NbGrader()
    errors = _Errors()
    app.log.addHandler(errors)
    search_path = list(sys.path)
    try:
        with contextlib.chdir(course.root):
            app.initialize([])
    finally:
        app.log.removeHandler(errors)
        sys.path[:] = search_path  # NbGrader.initialize puts the course folder first on it
    failed = [m for m in errors.messages if CONFIG_ERROR in m]
    if failed:
        raise CourseError("nbgrader_config.py failed to load, so nbgrader would run with "
                          f"defaults:\n{failed[0]}")
    coursedir = app.coursedir
    root = Path(coursedir.root or course.root)
    return NbgraderSettings(
        db_url=coursedir.db_url, course_id=coursedir.course_id,
        submitted=root / coursedir.submitted_directory,
        autograded=root / coursedir.autograded_directory,
        feedback=root / coursedir.feedback_directory,
        exchange_root=Path(Exchange(config=app.config).root))


def ensure_alembic_on_path() -> None:
    """nbgrader runs `alembic` when it first creates a gradebook (trap 7)."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def run_nbgrader(course: Course, *args: str) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course root; fail loudly on a config error (trap 3)."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course.root, env=nbgrader_env(), capture_output=True,
                          text=True, check=False)
    output = proc.stdout + proc.stderr
    if CONFIG_ERROR in output:
        raise CourseError(f"nbgrader_config.py failed to load, so nbgrader would run with "
                          f"defaults:\n{output}")
    if proc.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{output}")
    return proc


def build_exercises(course: Course, only: list[str] | None = None, log=print,
                    discard_answers: bool = False) -> list[str]:
    """Regenerate exercises/ from solutions/ (always --force, trap 4).

    --force deletes exercises/<ex>/, answers included: refuse while answers are there,
    unless `discard_answers`."""
    stray = course.stray_answers()
    if stray:
        shown = ", ".join(str(p.relative_to(course.root)) for p in stray)
        raise CourseError(
            f"{shown}: answers saved inside solutions/ (by running a solution notebook). At "
            "autograde such a file could replace trainees' answers. Move it out of solutions/ "
            "(nothing was changed), then build again.")
    ids = only or course.exercise_ids()
    unknown = sorted(set(ids) - set(course.exercise_ids()))
    if unknown:
        raise CourseError(f"no such exercise in solutions/: {', '.join(unknown)}")
    answers = course.release_answers(ids)
    if answers and not discard_answers:
        shown = "\n  ".join(str(p.relative_to(course.root)) for p in answers)
        raise CourseError(
            f"building would delete {len(answers)} answers file(s) in exercises/:\n  {shown}\n"
            "Nothing was changed. Move them out of exercises/ first (or, to delete them, "
            "build again with --discard-answers).")
    for path in answers:
        log(f"discarding {path.relative_to(course.root)}")
    for i, ex in enumerate(ids, 1):
        log(f"[{i}/{len(ids)}] generating exercises/{ex} from solutions/{ex}")
        run_nbgrader(course, "generate_assignment", ex, "--force")
    return ids
