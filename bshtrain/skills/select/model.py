"""The select exercise's answers: for each short case, the task (or none), the factors, the
deciding fact; and one justification in the trainee's words, graded by hand."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_FACTORS = 2
MAX_JUSTIFICATION = 3_000


class ItemAnswer(BaseModel):
    """The answer for one short case."""

    model_config = ConfigDict(extra="forbid")

    task: str = ""
    next_step: str = ""
    factors: list[str] = Field(default_factory=list, max_length=MAX_FACTORS)
    fact: str = ""

    @field_validator("factors")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class SelectAnswers(BaseModel):
    """Answers by item id. Giving some items in code merges them into the rest."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    items: dict[str, ItemAnswer] = Field(default_factory=dict, max_length=20)
    justification: str = Field(default="", max_length=MAX_JUSTIFICATION)
