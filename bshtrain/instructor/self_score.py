"""`bshtrain score EXERCISE`: a self-learner grades their own copy, as an instructor would.

With no instructor and no exchange (`make lab` on one's own machine), the trainee's work in
exercises/<exercise>/ (the notebook and answers/) is copied into submitted/<trainee>/, graded
with `bshtrain grade` for that trainee alone (the case comes from the same name the form used),
and given a feedback page. The free-text part stays for a person to score.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bshtrain.engine.answers import ANSWERS_DIR
from bshtrain.engine.identity import trainee_name
from bshtrain.instructor.checks import HAND_GRADING
from bshtrain.instructor.course import Course, CourseError


@dataclass(frozen=True)
class SelfScore:
    """What `bshtrain score` did, for its last lines."""

    exercise: str
    trainee: str
    auto: float
    auto_max: float
    by_hand: list[str]
    feedback: Path | None
    problems: list[str]

    def summary(self, root: Path) -> str:
        lines = [f"{self.exercise}, graded for {self.trainee}: {self.auto:g} of {self.auto_max:g} "
                 "automatic points."]
        lines += [f"  Needs a look: {p}" for p in self.problems]
        if self.by_hand:
            lines.append(f"  Scored by a person, not here: {', '.join(self.by_hand)} (compare "
                         "yours with the rubric in the exercise, or ask a supervisor).")
        if self.feedback is not None:
            lines.append(f"  Every point and why: {self.feedback.relative_to(root)} "
                         "(open it in JupyterLab's file browser, or in a web browser).")
        return "\n".join(lines)


def copy_own_work(course: Course, exercise: str, trainee: str) -> Path:
    """exercises/<exercise>/ (notebook and answers) -> submitted/<trainee>/<exercise>/."""
    source = course.exercises / exercise
    notebook = source / f"{exercise}.ipynb"
    if not notebook.is_file():
        raise CourseError(f"{notebook} is missing: there is nothing of yours to score")
    if not (source / ANSWERS_DIR).is_dir():
        raise CourseError(f"{source / ANSWERS_DIR} is missing: open {notebook.name}, Run All and "
                          "answer in the form first (every change is saved there)")
    target = course.root / "submitted" / trainee / exercise
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(notebook, target / notebook.name)
    shutil.copytree(source / ANSWERS_DIR, target / ANSWERS_DIR)
    return target


def score_own_work(course: Course, exercise: str, trainee: str | None = None,
                   progress: bool = False) -> SelfScore:
    """Copy, grade and give feedback for one trainee's own work (default: this login)."""
    from bshtrain.instructor.feedback import feedback
    from bshtrain.instructor.grade import grade

    trainee = trainee or trainee_name()
    copy_own_work(course, exercise, trainee)
    run = grade(course, exercise, [trainee], workers=1, progress=progress)
    if trainee not in run.grades:
        problems = [str(p) for p in run.problems.get(trainee, [])] or ["it could not be graded"]
        return SelfScore(exercise, trainee, 0, 0, [], None, problems)
    graded = run.grades[trainee]
    feedback(course, exercise, [trainee], workers=1, release=False, progress=progress)
    page = course.root / "feedback" / trainee / exercise / f"{exercise}.html"
    return SelfScore(exercise, trainee, graded.auto, graded.auto_max,
                     sorted(n for n, c in graded.cells.items() if c.by_hand),
                     page if page.is_file() else None,
                     [str(p) for p in run.problems.get(trainee, []) if p.kind != HAND_GRADING])
