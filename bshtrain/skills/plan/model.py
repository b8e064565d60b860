"""The plan exercise's answers: plain data, every scored part an authored option's id.

The trainee chooses among options written for their case (design 5.1). Only the rationale is
free text, and a person grades it. `asks` keeps each version of the plan that the trainee put
to the simulated client; the client's ratings are never stored as answers: the scorer
recomputes them from the authored effects (design 5.4).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TARGETS = 2
MAX_OBSTACLES = 3
MAX_ASKS = 50
MAX_RATIONALE = 5_000  # characters: several paragraphs; a bound keeps files sane

# The plan's single-choice parts, in the order the form asks them.
CHOICE_PARTS: tuple[str, ...] = ("task", "step", "when", "where", "dose", "written", "reminder",
                                 "review")
NO_TASK_PARTS: tuple[str, ...] = ("no_task_reason", "next_step")
PART_TITLES: dict[str, str] = {
    "task": "Task and size",
    "targets": "What it targets",
    "step": "The concrete step",
    "when": "When",
    "where": "Where",
    "dose": "How often and how long",
    "obstacles": "Obstacles and what to do",
    "written": "Written down as",
    "reminder": "Reminder",
    "review": "Review",
    "no_task_reason": "Why no new task",
    "next_step": "Next step instead",
}


class ObstacleChoice(BaseModel):
    """An obstacle foreseen with the client, and the way agreed to meet it."""

    model_config = ConfigDict(extra="forbid")

    obstacle: str = ""
    response: str = ""


class Ask(BaseModel):
    """One version of the plan put to the client ("Ask the client")."""

    model_config = ConfigDict(extra="forbid")

    choices: dict[str, str] = Field(default_factory=dict)
    obstacles: list[ObstacleChoice] = Field(default_factory=list, max_length=MAX_OBSTACLES)
    at: str = ""


class PlanAnswers(BaseModel):
    """Everything the plan exercise asks for. Empty values mean 'not answered yet'."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    task: str = ""
    targets: list[str] = Field(default_factory=list, max_length=MAX_TARGETS)
    step: str = ""
    when: str = ""
    where: str = ""
    dose: str = ""
    obstacles: list[ObstacleChoice] = Field(default_factory=list, max_length=MAX_OBSTACLES)
    written: str = ""
    reminder: str = ""
    review: str = ""
    no_task_reason: str = ""
    next_step: str = ""
    rationale: str = Field(default="", max_length=MAX_RATIONALE)
    asks: list[Ask] = Field(default_factory=list, max_length=MAX_ASKS)

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def choices(self) -> dict[str, str]:
        """The single-choice answers given so far, by part."""
        return {part: getattr(self, part) for part in (*CHOICE_PARTS, *NO_TASK_PARTS)
                if getattr(self, part)}

    def chosen_ids(self) -> list[str]:
        """Every option id the plan uses, obstacle responses included."""
        ids = list(self.choices().values())
        for ob in self.obstacles:
            ids.extend(i for i in (ob.obstacle, ob.response) if i)
        return ids

    def snapshot(self, at: str = "") -> Ask:
        """This plan as a version to put to the client."""
        return Ask(choices=self.choices(), obstacles=[o.model_copy() for o in self.obstacles], at=at)

    def is_blank(self) -> bool:
        """True if nothing has been answered."""
        return self == PlanAnswers()
