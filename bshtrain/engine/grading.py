"""What the locked grade cells call: read the answers file, score it, print why.

No widget is imported here. The case is the one the grader derives from the student id, never
the one the file claims. A grade cell's last expression is its points (nbgrader partial
credit); a problem prints its reason and scores 0. Outside grading, in a trainee's folder,
there is no key, so a cell says when it will be scored and shows no number: a score the
trainee sees is never one computed before they answered.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bshtrain.content.bibliography import cite, references
from bshtrain.engine.answers import GRADING_ENV, AnswersFileError, AnswerStore, answers_relpath
from bshtrain.engine.identity import current_student
from bshtrain.engine.keys import KEY_FILE, ExerciseKey, load_key
from bshtrain.engine.scoring import Line, Scored
from bshtrain.engine.spec import ExerciseSpec, spec_for


def in_instructor_source(folder: Path) -> bool:
    """<course>/solutions/<exercise>: where nbgrader validate runs the solution."""
    here = folder.resolve()
    return here.parent.name == "solutions" and (here.parent.parent / "nbgrader_config.py").is_file()


def preview_answers(exercise_id: str, folder: Path | str):
    """The exercise the solution notebook opened in this kernel (engine.exercise), if loaded."""
    import sys

    module = sys.modules.get("bshtrain.engine.exercise")
    return module.preview_answers(exercise_id, folder) if module else None


class GradingSetupError(RuntimeError):
    """The course is not set up to grade (the instructor's problem, not the trainee's)."""


@dataclass(frozen=True)
class Submission:
    """What is graded: the answers (or why there are none) and the assigned case."""

    student: str
    case: Any  # a library Case, or what the exercise assigns (spec.case_for_student)
    answers: Any | None
    problem: str = ""


def read_submission(spec: ExerciseSpec, folder: Path | str = ".") -> Submission:
    """The answers file read as data, for the case assigned to this student."""
    student = current_student(folder)
    case = spec.case_for_student(student)
    if in_instructor_source(Path(folder)):
        preview = preview_answers(spec.id, folder)
        if preview is not None and preview.answers != spec.answers_model():
            return Submission(student, preview.case, preview.answers)
    store = AnswerStore(spec.id, spec.answers_model, folder)
    where = answers_relpath(spec.id)
    try:
        saved = store.load()
    except AnswersFileError as exc:
        return Submission(student, case, None, f"Your answers file could not be read, so nothing "
                                               f"could be graded: {exc}")
    if saved is None:
        return Submission(student, case, None, f"No answers were saved ({where} is missing).")
    if saved.case != case.id:
        return Submission(student, case, None,
                          f"{where} holds answers for the case '{saved.case}', but the case "
                          f"assigned to {student} is '{case.id}' ({case.name}). Answers for "
                          "another case are not graded.")
    if saved.answers == spec.answers_model():
        return Submission(student, case, None, f"No answers were saved ({where} is empty).")
    return Submission(student, case, saved.answers)


def _keyed(spec: ExerciseSpec, folder: Path | str) -> tuple[Submission, ExerciseKey] | None:
    """The submission and the part of the key beside the notebook that grading it needs
    (the assigned case's entries). No key at autograde is the instructor's error; elsewhere
    (a trainee's folder, the toolbar's Validate) it means: scored later (None)."""
    if (Path(folder) / KEY_FILE).is_file():
        sub = read_submission(spec, folder)
        key = load_key(folder, spec.entries_for(sub.case))
        if key is not None:
            return sub, key
    if os.environ.get(GRADING_ENV) == "autograde":
        raise GradingSetupError(f"{KEY_FILE} is missing beside the notebook. Instructor: keep "
                                f"solutions/<exercise>/{KEY_FILE} in the course; nbgrader "
                                "autograde copies it here.")
    return None


_CACHE: dict[tuple, Scored] = {}


def score_submission(spec: ExerciseSpec, sub: Submission, key: ExerciseKey) -> Scored:
    """Score once per answers (a notebook's grade cells share it)."""
    ident = (spec.id, sub.case.id, sub.answers.model_dump_json(), id(key))
    if ident not in _CACHE:
        _CACHE.clear()
        _CACHE[ident] = spec.score(sub.answers, sub.case, key)
    return _CACHE[ident]


def _shown(line: Line) -> str:
    text = line.text
    if line.sources:
        text = f"{text} {cite(*line.sources)}"
    if line.basis == "clinical-reasoning" and "clinical reasoning" not in text.lower():
        text = f"{text} (clinical reasoning)"
    return text


def _of(points: float, most: float) -> str:
    """'2 of 4 points' (the line the feedback page takes each part's name from)."""
    return f"{points:g} of {most:g} point{'' if most == 1 else 's'}"


def _part_title(spec: ExerciseSpec, criterion_id: str) -> str | None:
    """A part's name as its scorer titles it (TITLES in bshtrain.skills.<id>.scorer), for a
    submission with nothing to score."""
    import importlib

    try:
        titles = importlib.import_module(f"bshtrain.skills.{spec.id}.scorer").TITLES
    except (ImportError, AttributeError):
        return None
    return titles.get(criterion_id)


def explain(scored: Scored, criterion_id: str) -> str:
    """Plain text for one criterion: the points, each reason, any gate, and full references."""
    crit = scored.get(criterion_id)
    points = scored.points(criterion_id)
    out = [f"{crit.title}: {_of(points, crit.max_points)}"]
    out.extend(textwrap.fill(_shown(line), 96, initial_indent="- ", subsequent_indent="  ")
               for line in crit.lines)
    sources = [s for line in crit.lines for s in line.sources]
    first = scored.criteria[0].id == criterion_id
    for gate in scored.gates if first else ():
        shown = f"{gate.harm} {cite(*gate.sources)}" if gate.sources else gate.harm
        out.append(textwrap.fill(f"! A harm caps every part of the score at a quarter: {shown}", 96,
                                 subsequent_indent="  "))
        sources.extend(gate.sources)
    if scored.gates and not first:
        out.append(f"! Capped at a quarter: your answers hold a harm for this client (see "
                   f"\u201c{scored.criteria[0].title}\u201d).")
    if sources:
        out.append("Sources:")
        out.extend(f"  {work.reference()}" for work in references(dict.fromkeys(sources)))
    return "\n".join(out)


def grade(exercise_id: str, criterion_id: str, folder: Path | str = ".") -> float | None:
    """Print why, and return the points for one criterion (a grade cell's last expression)."""
    spec = spec_for(exercise_id)
    if criterion_id not in spec.criteria:
        raise GradingSetupError(f"exercise '{exercise_id}' has no criterion '{criterion_id}'")
    keyed = _keyed(spec, folder)
    if keyed is None:
        print("This part is scored when your instructor grades the exercise. Use Check in the "
              "form above for hints while you work.")
        return None
    sub, key = keyed
    if sub.answers is None:  # named like a scored part, so the feedback names every part
        title = _part_title(spec, criterion_id)
        score = _of(0, spec.criteria[criterion_id])
        print(f"{title}: {score}\n{sub.problem}" if title else f"{sub.problem}\n{score}.")
        return 0.0
    scored = score_submission(spec, sub, key)
    print(explain(scored, criterion_id))
    return scored.points(criterion_id)


def show_answers(exercise_id: str, folder: Path | str = ".") -> None:
    """Print the trainee's answers as a readable card (for the grader and the feedback)."""
    spec = spec_for(exercise_id)
    sub = read_submission(spec, folder)
    print(f"Case: {sub.case.name}, assigned to {sub.student}")
    if sub.answers is None:
        print(sub.problem)
        return
    print(spec.card(sub.answers, sub.case))
