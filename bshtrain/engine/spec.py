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

from bshtrain.content.cases import Case
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
    # For panel keys (design 5.2): the ids one rater chose, by group of competing options.
    rater_choices: Callable[[Any], dict[str, list[str]]] | None = None


def spec_for(exercise_id: str) -> ExerciseSpec:
    """The exercise's SPEC, from bshtrain.skills.<id>.spec."""
    if not EXERCISE_ID.match(exercise_id or ""):
        raise KeyError(f"not an exercise id: {exercise_id!r}")
    try:
        module = importlib.import_module(f"bshtrain.skills.{exercise_id}.spec")
    except ModuleNotFoundError:
        raise KeyError(f"no exercise '{exercise_id}' in bshtrain.skills") from None
    return module.SPEC
