"""Reading (and, for missing notebooks, writing) nbgrader's gradebook for instructor tools.

Through nbgrader's own Gradebook API, so SQLite and PostgreSQL gradebooks work alike. A grade
cell in a code cell is scored automatically; one in a Markdown cell is graded by hand.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bshtrain.instructor.course import (
    Course,
    NbgraderSettings,
    ensure_alembic_on_path,
    nbgrader_settings,
)


@dataclass(frozen=True)
class CellGrade:
    """One grade cell of one submission."""

    name: str
    notebook: str
    by_hand: bool  # a manually graded answer (Markdown), not an autograder test
    score: float
    max_score: float
    auto_score: float | None
    manual_score: float | None
    needs_manual_grade: bool

    @property
    def ungraded(self) -> bool:
        """Graded by hand, and not yet."""
        return self.by_hand and self.needs_manual_grade and self.manual_score is None


@dataclass(frozen=True)
class Graded:
    """One student's graded submission of one exercise."""

    student: str
    exercise: str
    cells: dict[str, CellGrade]
    score: float  # nbgrader's total (late penalty applied)
    max_score: float
    timestamp: datetime | None = None
    names: tuple[str, str, str] = ("", "", "")  # first name, last name, email

    @property
    def auto(self) -> float:
        return round(sum(c.score for c in self.cells.values() if not c.by_hand), 3)

    @property
    def auto_max(self) -> float:
        return round(sum(c.max_score for c in self.cells.values() if not c.by_hand), 3)

    @property
    def ungraded(self) -> list[str]:
        """Cells still to grade by hand."""
        return [c.name for c in self.cells.values() if c.ungraded]

    @property
    def band(self) -> str:
        """full, partial or zero, on the automatically scored points."""
        if self.auto_max and self.auto >= self.auto_max:
            return "full"
        return "zero" if self.auto <= 0 else "partial"


@dataclass(frozen=True)
class Cohort:
    """Every student in the gradebook, and each exercise's graded submissions."""

    students: dict[str, tuple[str, str, str]]  # id -> first name, last name, email
    exercises: dict[str, dict[str, Graded]] = field(default_factory=dict)
    cells: dict[str, list[tuple[str, bool, float]]] = field(default_factory=dict)
    # exercise -> (cell name, by hand, max points) in notebook order


@contextlib.contextmanager
def open_gradebook(course: Course, settings: NbgraderSettings | None = None) -> Iterator:
    """nbgrader's Gradebook for the course (created if there is none yet)."""
    from nbgrader.api import Gradebook

    settings = settings or nbgrader_settings(course)
    ensure_alembic_on_path()
    gb = Gradebook(settings.db_url, settings.course_id)
    try:
        yield gb
    finally:
        gb.close()


def _name(value) -> str:
    return "" if value is None else str(value)


def read_cohort(course: Course, exercises: list[str] | None = None,
                settings: NbgraderSettings | None = None) -> Cohort:
    """Grades per student, exercise and cell, as the gradebook holds them now."""
    from nbgrader.api import MissingEntry

    with open_gradebook(course, settings) as gb:
        students = {s.id: (_name(s.first_name), _name(s.last_name), _name(s.email))
                    for s in gb.students}
        cohort = Cohort(students)
        wanted = exercises or [a.name for a in sorted(gb.assignments, key=lambda a: a.name)]
        for exercise in wanted:
            try:
                assignment = gb.find_assignment(exercise)
            except MissingEntry:
                continue
            order = source_order(course, exercise)
            cohort.cells[exercise] = [
                (c.name, c.cell_type == "markdown", float(c.max_score or 0))
                for nb in sorted(assignment.notebooks, key=lambda n: n.name)
                for c in sorted(nb.grade_cells,
                                key=lambda c: (order.get((nb.name, c.name), 10_000), c.name))]
            graded: dict[str, Graded] = {}
            for sub in assignment.submissions:
                cells = {}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        cells[g.name] = CellGrade(
                            g.name, nb.name, g.cell.cell_type == "markdown", float(g.score or 0),
                            float(g.max_score or 0), g.auto_score, g.manual_score,
                            bool(g.needs_manual_grade))
                order = [name for name, _, _ in cohort.cells[exercise]]
                cells = {n: cells[n] for n in order if n in cells} | cells
                graded[sub.student.id] = Graded(
                    sub.student.id, exercise, cells, round(float(sub.score or 0), 3),
                    float(sub.max_score or 0), sub.timestamp, students.get(sub.student.id, ("", "", "")))
            cohort.exercises[exercise] = graded
    return cohort


def source_order(course: Course, exercise: str) -> dict[tuple[str, str], int]:
    """(notebook, grade cell id) -> position in solutions/<exercise>/ (the gradebook keeps no
    order)."""
    order: dict[tuple[str, str], int] = {}
    for path in sorted((course.solutions / exercise).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for i, cell in enumerate(cells):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                order.setdefault((path.stem, grade_id), i)
    return order


def record_missing_notebook(gb, exercise: str, student: str, timestamp: str | None) -> None:
    """What nbgrader autograde does for a notebook missing from a submission it grades, for a
    submission that has no notebook at all (which nbgrader skips): the student and submission
    exist, and every grade is an automatic 0 that needs no manual grading."""
    gb.update_or_create_student(student)
    with warnings.catch_warnings():  # nbgrader's add_submission under SQLAlchemy 2 warns, harmlessly
        warnings.simplefilter("ignore")
        _submission(gb, exercise, student, timestamp)
    submission = gb.find_submission(exercise, student)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.auto_score = 0
            grade.manual_score = None
            grade.needs_manual_grade = False
    gb.db.commit()


def _submission(gb, exercise: str, student: str, timestamp) -> None:
    if timestamp:
        gb.update_or_create_submission(exercise, student, timestamp=timestamp)
    else:
        gb.update_or_create_submission(exercise, student)


def assignment_ready(gb, exercise: str) -> bool:
    """Does the gradebook know the exercise and its notebooks (from generate_assignment)?"""
    from nbgrader.api import MissingEntry

    try:
        return bool(gb.find_assignment(exercise).notebooks)
    except MissingEntry:
        return False


def set_journal_mode(settings: NbgraderSettings, mode: str | None = None) -> str:
    """A SQLite gradebook's journal mode, switched to `mode` if given; returns the mode in
    force ('' if the gradebook is not SQLite). Fails softly: while another program holds the
    database the mode stays as it is."""
    path = settings.sqlite_path
    if path is None or not path.exists():
        return ""
    pragma = "PRAGMA journal_mode" + (f"={mode}" if mode else "")
    for statement in (pragma, "PRAGMA journal_mode"):
        try:
            with contextlib.closing(sqlite3.connect(path, timeout=30)) as db:
                row = db.execute(statement).fetchone()
                return str(row[0]).lower() if row else ""
        except sqlite3.Error:
            continue
    return ""
