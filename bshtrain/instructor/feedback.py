"""`bshtrain feedback EXERCISE`: generate (and, with an exchange, release) feedback in parallel.

nbgrader's generate_feedback with the course's config (hidden tests cleared, no key copied),
one process per core. The autograded notebook already shows the trainee's own case (the case
comes from the student id at grading) and the reason a part scored 0; where the submission
had a problem, the feedback page also opens with a note saying what went wrong, in the
trainee's words. A submission with no notebook, which nbgrader cannot give feedback on, gets
a short page of its own: the trainee's case and what happened.
"""

from __future__ import annotations

import html
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bshtrain.instructor.checks import (
    HAND_GRADING,
    Problem,
    check_submission,
)
from bshtrain.instructor.course import Course, CourseError, nbgrader_settings, run_nbgrader
from bshtrain.instructor.grade import check_course, log_path, rel
from bshtrain.instructor.pool import Outcome, default_workers, run_pool

NOTE_CLASS = "bshtrain-grading-note"
_BODY = re.compile(r"<body[^>]*>", re.I)


@dataclass
class FeedbackRun:
    exercise: str
    students: list[str]
    workers: int
    log: Path
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    noted: dict[str, list[Problem]] = field(default_factory=dict)  # notes added to pages
    own_pages: list[str] = field(default_factory=list)  # pages written for missing notebooks
    skipped: dict[str, str] = field(default_factory=dict)  # submitted, but no autograded notebook
    released: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> dict[str, str]:
        return {**{s: o.error for s, o in self.outcomes.items() if not o.ok}, **self.skipped}

    def summary(self, root: Path) -> str:
        made = len([o for o in self.outcomes.values() if o.ok]) + len(self.own_pages)
        lines = [f"Feedback for {made} of {len(self.students)} trainee(s) on {self.exercise} in "
                 f"{self.seconds:.1f} s with {self.workers} nbgrader process(es). nbgrader's "
                 f"output: {rel(self.log, root)}"]
        if self.noted:
            lines.append(f"Pages that open with a note on what went wrong: {len(self.noted)} ("
                         + ", ".join(sorted(self.noted)) + ")")
        if self.own_pages:
            lines.append("Pages written for submissions without a notebook: "
                         + ", ".join(self.own_pages))
        lines.extend(self.notes)
        for student, error in sorted(self.failed.items()):
            lines.append(f"  {student}: no feedback: {error}")
        return "\n".join(lines)


def note_html(problems: list[Problem]) -> str:
    """The note a feedback page opens with (all text escaped)."""
    items = "".join(f"<li>{html.escape(p.trainee or p.text)}</li>" for p in problems)
    return (f"<div class='{NOTE_CLASS}' role='note' style='border-left:4px solid #b00;"
            f"margin:1em;padding:0.5em 1em;background:#fff6f6'><strong>What went wrong with "
            f"your submission</strong><ul>{items}</ul></div>")


def add_note(page: Path, problems: list[Problem]) -> None:
    """Put the note at the top of a feedback page (once: an earlier note is replaced)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(rf"<div class='{NOTE_CLASS}'.*?</ul></div>", "", text, flags=re.S)
    note = note_html(problems)
    match = _BODY.search(text)
    text = text[:match.end()] + note + text[match.end():] if match else note + text
    page.write_text(text, encoding="utf-8")


def missing_notebook_page(exercise: str, student: str, problems: list[Problem]) -> str:
    """A feedback page for a submission without a notebook: the trainee's case and why."""
    from bshtrain.content.cases import get_case
    from bshtrain.content.render import case_html
    from bshtrain.engine.identity import case_for
    from bshtrain.engine.spec import spec_for

    try:
        spec = spec_for(exercise)
        case = get_case(case_for(student, spec.pool))
        card = case_html(case)
        title = html.escape(spec.title)
    except (KeyError, ValueError):
        card, title = "", html.escape(exercise)
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Feedback: {title}</title><style>body{{font-family:system-ui,sans-serif;"
            f"max-width:60em;margin:1em auto;padding:0 1em}}</style></head>"
            f"<body>{note_html(problems)}"
            f"<h1>Feedback: {title}</h1><p>Your case:</p>{card}</body></html>\n")


def _trainee_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.trainee and p.kind != HAND_GRADING]


def feedback(course: Course, exercise: str, students: list[str] | None = None,
             workers: int | None = None, release: bool | None = None,
             progress: bool = True) -> FeedbackRun:
    """Generate feedback for every autograded trainee (or `students`); release it where an
    exchange exists (release=None), always (True, an error without one) or never (False)."""
    from tqdm import tqdm

    started = time.perf_counter()
    check_course(course, exercise)
    settings = nbgrader_settings(course)
    log = log_path(settings, "feedback", exercise)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"bshtrain feedback {exercise}: nbgrader's output, "
                   f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")
    graded = sorted(p.parent.parent.name for p in
                    settings.autograded.glob(f"*/{exercise}/{exercise}.ipynb"))
    submitted = sorted(p.parent.name for p in settings.submitted.glob(f"*/{exercise}") if p.is_dir()) \
        if settings.submitted.is_dir() else []
    no_notebook = [s for s in submitted if s not in graded
                   and not (settings.submitted / s / exercise / f"{exercise}.ipynb").exists()]
    ungraded = [s for s in submitted if s not in graded and s not in no_notebook]
    wanted = set(students) if students else None
    if wanted is not None:
        unknown = sorted(wanted - set(graded) - set(no_notebook) - set(ungraded))
        if unknown:
            raise CourseError(f"not graded yet, so no feedback: {', '.join(unknown)} (run "
                              f"`bshtrain grade {exercise}` first)")
        graded = [s for s in graded if s in wanted]
        no_notebook = [s for s in no_notebook if s in wanted]
        ungraded = [s for s in ungraded if s in wanted]
    if not graded and not no_notebook:
        raise CourseError(f"no autograded submissions of {exercise}: run `bshtrain grade "
                          f"{exercise}` first")
    count = max(1, workers or default_workers())
    run = FeedbackRun(exercise, sorted(graded + no_notebook + ungraded),
                      min(count, max(1, len(graded))), log)
    for student in ungraded:
        run.skipped[student] = (f"no autograded notebook (nbgrader could not grade it: see "
                                f"`bshtrain grade {exercise}`)")
    with tqdm(total=len(graded), desc=f"feedback {exercise}", unit="trainee", file=sys.stderr,
              disable=not progress or not graded, dynamic_ncols=True,
              bar_format="{desc}: {n_fmt} of {total_fmt} |{bar}| {elapsed} elapsed, "
                         "{remaining} left") as bar:
        run.outcomes = run_pool(course, "generate_feedback", exercise, graded, count, log,
                                done=lambda _o: bar.update(1))
    for student in graded:
        if not run.outcomes[student].ok:
            continue
        folder = settings.submitted / student / exercise
        problems = _trainee_problems(check_submission(course.root, exercise, student, folder)) \
            if folder.is_dir() else []
        page = settings.feedback / student / exercise / f"{exercise}.html"
        if problems and page.is_file():
            add_note(page, problems)
            run.noted[student] = problems
    exchange = settings.exchange_root.is_dir()
    for student in no_notebook:
        folder = settings.submitted / student / exercise
        problems = _trainee_problems(check_submission(course.root, exercise, student, folder))
        out = settings.feedback / student / exercise
        if exchange and release is not False and not (folder / "submission_secret.txt").is_file():
            run.notes.append(f"{student}: no notebook and no submission_secret.txt, so no page "
                             "can be released through the exchange; tell them yourself")
            continue
        out.mkdir(parents=True, exist_ok=True)
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (folder / name).is_file():
                shutil.copy2(folder / name, out / name)
        (out / f"{exercise}.html").write_text(
            missing_notebook_page(exercise, student, problems), encoding="utf-8")
        run.own_pages.append(student)
    if release or (release is None and exchange):
        if not exchange:
            raise CourseError(f"no nbgrader exchange at {settings.exchange_root}: feedback is in "
                              f"{rel(settings.feedback, course.root)}/ but was not released")
        proc = run_nbgrader(course, "release_feedback", exercise)
        with open(log, "a", encoding="utf-8") as out_log:
            out_log.write(f"===== nbgrader release_feedback {exercise} =====\n"
                          f"{proc.stdout}{proc.stderr}\n")
        run.released = True
        run.notes.append(f"Released through the exchange ({settings.exchange_root}).")
    elif not exchange:
        run.notes.append(f"No nbgrader exchange here: hand out "
                         f"{rel(settings.feedback, course.root)}/<student>/{exercise}/ yourself.")
    run.seconds = time.perf_counter() - started
    return run
