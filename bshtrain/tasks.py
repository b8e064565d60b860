"""The task catalogue: homework tasks a therapist can choose from."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .bibliography import bibliography
from .loading import DataFileError, Problem, load_model_list
from .vocab import Approach, Level, Mechanism, RiskFlag

TASKS_FILE = "tasks.yaml"
NO_TASK = "no-task"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Demands(_Strict):
    """What a task asks of the client."""

    minutes: int = Field(ge=0, le=240, description="minutes each time")
    literacy: Level = Field(description="how much reading and writing it needs")
    materials: str
    privacy: Level = Field(description="how much privacy it needs")


class Variant(_Strict):
    """A smaller version for a client with less time, energy or literacy."""

    description: str = Field(min_length=1)
    minutes: int = Field(ge=0, le=240)
    literacy: Level


class Caution(_Strict):
    """When the task may harm or not suit, with its sources."""

    text: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    applies_to: list[RiskFlag] = Field(default_factory=list)


class Task(_Strict):
    """One catalogue entry."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    approaches: list[Approach] = Field(min_length=1)
    targets: list[Mechanism] = Field(min_length=1)
    description: str = Field(min_length=1)
    demands: Demands
    smaller_variant: Variant
    cautions: list[Caution] = Field(default_factory=list)

    def cautions_for(self, flags: set[str]) -> list[Caution]:
        """Cautions that apply to a client with these risk flags."""
        return [c for c in self.cautions if flags.intersection(c.applies_to)]


def _default_path() -> Path:
    return Path(str(resources.files("bshtrain") / "data" / TASKS_FILE))


def load_tasks(path: Path | None = None, known_sources: set[str] | None = None) -> dict[str, Task]:
    """Load a task catalogue; duplicate ids and unknown source keys are errors."""
    path = path or _default_path()
    known_sources = set(bibliography()) if known_sources is None else known_sources
    tasks = load_model_list(Task, path, "tasks")
    found: dict[str, Task] = {}
    problems = []
    for i, task in enumerate(tasks):
        if task.id in found or task.id == NO_TASK:
            problems.append(Problem(str(path), f"tasks.{i}.id", f"duplicate or reserved id '{task.id}'"))
        found[task.id] = task
        for j, caution in enumerate(task.cautions):
            for key in caution.sources:
                if key not in known_sources:
                    problems.append(Problem(
                        str(path), f"tasks.{i}.cautions.{j}.sources",
                        f"unknown bibliography key '{key}'"))
    if problems:
        raise DataFileError(problems)
    return found


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Task]:
    """The shipped task catalogue, loaded once."""
    return load_tasks()
