"""The homework plan a trainee builds with a client: plain data, no widgets."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bshtrain.content.vocab import BarrierClass

HowOften = Literal["once", "twice", "3 times", "4-5 times", "every day"]
Reminder = Literal[
    "none",
    "phone alarm",
    "note where they will see it",
    "text message from the service",
    "calendar entry",
    "a person they trust reminds them",
]
ReviewWhen = Literal["start-of-next-session", "later-in-next-session", "not-planned"]
HOW_OFTEN: tuple[str, ...] = get_args(HowOften)
REMINDERS: tuple[str, ...] = get_args(Reminder)
REVIEW_WHEN: tuple[str, ...] = get_args(ReviewWhen)
REVIEW_LABELS: dict[str, str] = {
    "start-of-next-session": "At the start of the next session",
    "later-in-next-session": "Later in the next session",
    "not-planned": "Not planned",
}
MAX_TEXT = 20_000  # characters; generous, but a bound keeps answers files sane


class Obstacle(BaseModel):
    """A barrier foreseen with the client, and what they will do about it."""

    model_config = ConfigDict(extra="forbid")

    kind: BarrierClass | Literal[""] = ""  # "": not classified yet
    obstacle: str = Field(default="", max_length=MAX_TEXT)
    plan: str = Field(default="", max_length=MAX_TEXT)


class HomeworkPlan(BaseModel):
    """Everything the plan exercise asks for. Empty values mean 'not answered yet'."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    task: str = ""
    variant: Literal["full", "smaller"] = "full"
    targets: list[str] = Field(default_factory=list)
    builds_on: str = ""
    goal: str = ""
    rationale: str = Field(default="", max_length=MAX_TEXT)
    what: str = Field(default="", max_length=MAX_TEXT)
    when: str = Field(default="", max_length=MAX_TEXT)
    where: str = Field(default="", max_length=MAX_TEXT)
    how_often: HowOften | Literal[""] = ""
    minutes: int = Field(default=0, ge=0, le=600)
    client_input: str = Field(default="", max_length=MAX_TEXT)
    client_chose: bool = False
    obstacles: list[Obstacle] = Field(default_factory=list, max_length=10)
    backup: str = Field(default="", max_length=MAX_TEXT)
    written_summary: bool = False
    reminder: Reminder = "none"
    willingness: int | None = Field(default=None, ge=0, le=10)
    confidence: int | None = Field(default=None, ge=0, le=10)
    review: ReviewWhen | Literal[""] = ""

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def is_blank(self) -> bool:
        """True if nothing has been answered."""
        return self == HomeworkPlan()


def words(text: str) -> int:
    """Number of words in a free-text answer."""
    return len(text.split())
