"""What an exercise is (design 5.5): an answers model, a case pool, a pure scorer, a form.

Each exercise lives in `bshtrain/skills/<id>/` and exposes `SPEC` from its `spec` module; the
engine finds it by id. Adding an exercise adds that module set and one notebook, nothing else.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from bshtrain.content.cases import Case, get_case
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import ExerciseKey
from bshtrain.engine.scoring import Scored

EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ExerciseSpec:
    """One graded exercise, as the engine sees it."""

    id: str
    title: str
    answers_model: type[BaseModel]
    pool: tuple[str, ...]
    criteria: Mapping[str, float]  # grade cell id -> points
    score: Callable[[Any, Case, ExerciseKey], Scored]  # pure
    card: Callable[[Any, Case], str]  # the answers as a readable plain-text card
    form: str  # "module:function" building the widgets, imported only when a form is shown
    check_ids: Callable[[Any, Case], list[str]]  # problems with ids a code answer used
    choices_text: Callable[[Case], str]  # the ids a trainee answering in code can use
    hints: Callable[[Any, Case], list[str]]  # formative hints, from what ships (no key)
    free_text: Mapping[str, str] = field(default_factory=dict)  # manual cell id -> answers field
    # For panel keys (design 5.2): the ids one rater chose, by (key entry, group of options).
    rater_choices: Callable[[Any, str], dict[tuple[str, str], list[str]]] | None = None
    # What a trainee works on: by default one library case from the pool; an exercise whose
    # "case" is something else (a set of short cases) gives its own, with .id and .name.
    assign: Callable[[str], Any] | None = None
    case_html: Callable[[Any], str] | None = None
    case_text: Callable[[Any], str] | None = None
    # For `bshtrain validate`: the key's entries (id -> (option ids, target ids)) that a key
    # must cover, problems in the shipped content, and the key's own best answers.
    key_ids: Callable[[], dict[str, tuple[set[str], set[str]]]] | None = None
    content_problems: Callable[[], list] | None = None
    best_answers: Callable[[str, Any], Any] | None = None  # (key entry id, its CaseKey)
    # The key's entries that grading what a student works on needs (default: the case's id).
    key_entries: Callable[[Any], list[str]] | None = None

    def case_for_student(self, student: str) -> Any:
        """What this student works on: derived from the name, never from their files."""
        if self.assign is not None:
            return self.assign(student)
        return get_case(case_for(student, self.pool))

    def entries_for(self, case: Any) -> list[str]:
        """The key's entries that scoring `case` reads (grading loads only those)."""
        return self.key_entries(case) if self.key_entries is not None else [case.id]


def spec_for(exercise_id: str) -> ExerciseSpec:
    """The exercise's SPEC, from bshtrain.skills.<id>.spec."""
    if not EXERCISE_ID.match(exercise_id or ""):
        raise KeyError(f"not an exercise id: {exercise_id!r}")
    try:
        module = importlib.import_module(f"bshtrain.skills.{exercise_id}.spec")
    except ModuleNotFoundError:
        raise KeyError(f"no exercise '{exercise_id}' in bshtrain.skills") from None
    return module.SPEC
