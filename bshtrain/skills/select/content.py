"""The select exercise's content: a bank of short cases (shipped, no credit).

Each item is a short case: a vignette, the lines of the case a trainee can point to as the
decisive fact, the maintaining factors of its formulation, the task options (with sizes, and
"no new task this week") and, for no new task, the next steps. What each choice is worth is
in the key (solutions/select/key.yaml), never here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bshtrain.content.loading import DataFileError, Problem, read_model
from bshtrain.content.vocab import Approach, Mechanism, PresentingProblem, RiskFlag
from bshtrain.engine.options import OPTION_ID, options_dir

EXERCISE = "select"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    id: str = Field(pattern=OPTION_ID)
    text: str = Field(min_length=1, max_length=300)


class TaskChoice(Choice):
    task: str = Field(min_length=1, description="a catalogue task id, or no-task")
    size: str = Field(default="full", pattern=r"^(full|smaller)$")


class Factor(Choice):
    mechanism: Mechanism


class SelectItem(_Strict):
    """One short case of the select exercise."""

    id: str = Field(pattern=OPTION_ID)
    name: str = Field(min_length=1, description="fictional first name")
    age: int = Field(ge=10, le=100)
    pronouns: str
    setting: str
    approach: Approach
    presenting_problem: PresentingProblem
    session_number: int = Field(ge=1)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    vignette: str = Field(min_length=40, max_length=2000)
    facts: list[Choice] = Field(min_length=4, max_length=8)
    factors: list[Factor] = Field(min_length=3, max_length=6)
    tasks: list[TaskChoice] = Field(min_length=4, max_length=7)
    next_steps: list[Choice] = Field(min_length=3, max_length=5)
    smaller_or_none: bool = Field(description="the keyed best answer is a smaller task or no "
                                              "new task this week (the draw needs two of these)")

    @model_validator(mode="after")
    def _checks(self) -> SelectItem:
        ids = [c.id for group in (self.facts, self.factors, self.tasks, self.next_steps) for c in group]
        if len(ids) != len(set(ids)):
            raise ValueError("choice ids must be unique within an item")
        if not any(t.task == "no-task" for t in self.tasks):
            raise ValueError("every item offers 'no new task this week' (task: no-task)")
        return self

    def choice(self, choice_id: str) -> Choice | None:
        for group in (self.facts, self.factors, self.tasks, self.next_steps):
            for c in group:
                if c.id == choice_id:
                    return c
        return None


def items_dir() -> Path:
    return options_dir(EXERCISE)


@cache
def item_bank() -> dict[str, SelectItem]:
    """Every shipped item, by id (the file name is the id)."""
    found: dict[str, SelectItem] = {}
    problems: list[Problem] = []
    for path in sorted(items_dir().glob("*.yaml")):
        try:
            item, where = read_model(SelectItem, path)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        if item.id != path.stem:
            problems.append(where.problem(("id",), f"expected '{path.stem}' (the file name)"))
        found[item.id] = item
    if problems:
        raise DataFileError(problems)
    return found
