"""Helpers the exercises' locked grade cells call.

A grade cell's last expression is a number: nbgrader takes it as the points earned
(partial credit). Messages are written for the trainee, who reads them in feedback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bshtrain.content.bibliography import references
from bshtrain.content.cases import Case, get_case
from bshtrain.content.tasks import Task, catalogue
from bshtrain.engine.answers import AnswersFileError, AnswerStore, answers_relpath
from bshtrain.teaching.exercise import current
from bshtrain.teaching.plan import HomeworkPlan
from bshtrain.teaching.rubric import RubricResult, score_plan


class NoAnswersError(AssertionError):
    """There is nothing to grade."""


@dataclass(frozen=True)
class Graded:
    """The answers being graded and the case they were given for."""

    plan: HomeworkPlan
    case: Case
    tasks: dict[str, Task]

    def rubric(self) -> RubricResult:
        return score_plan(self.plan, self.case, self.tasks)


def plan_answers(exercise_id: str, folder: Path | str = ".") -> Graded:
    """The trainee's plan: from the exercise opened in this kernel, else from the file.

    Raises NoAnswersError (an AssertionError, so the cell scores 0) with a message that
    names the file when nothing usable was saved.
    """
    ex = current(exercise_id)
    path = answers_relpath(exercise_id)
    if ex is not None:
        if ex.load_error is not None:
            raise NoAnswersError(f"Your answers file could not be read, so nothing could be "
                                 f"graded: {ex.load_error}")
        if ex.source == "none" or ex.plan.is_blank():
            raise NoAnswersError(f"No answers were saved ({path} is missing or empty). Fill in "
                                 "the form above; every change is saved automatically.")
        return Graded(ex.plan, ex.case, ex.catalogue)
    store = AnswerStore(exercise_id, HomeworkPlan, folder)
    try:
        saved = store.load()
    except AnswersFileError as exc:
        raise NoAnswersError(f"Your answers file could not be read, so nothing could be "
                             f"graded: {exc}") from None
    if saved is None or saved.answers.is_blank():
        raise NoAnswersError(f"No answers were saved ({path} is missing or empty).")
    return Graded(saved.answers, get_case(saved.case), catalogue())


def rubric_points(exercise_id: str) -> float:
    """Print the rubric's explanation and return the points (the cell's last expression)."""
    graded = plan_answers(exercise_id)
    result = graded.rubric()
    print(result.explain())
    print("\nSources:")
    for work in references(k for c in result.criteria for k in c.sources):
        print(f"- {work.reference()}")
    return result.points


def keyed_points(choice: str, key: Mapping[str, float], feedback: Mapping[str, str],
                 default_feedback: str) -> float:
    """Points for a choice from an answer key, printing the matching feedback."""
    print(feedback.get(choice, default_feedback))
    return float(key.get(choice, 0.0))
