"""The task catalogue: homework tasks a therapist can choose from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bshtrain.content.bibliography import bibliography, known_keys
from bshtrain.content.loading import (
    DataFileError,
    Located,
    Problem,
    YamlDocument,
    read_model_items,
)
from bshtrain.content.paths import task_files
from bshtrain.content.vocab import Approach, Level, Mechanism, RiskFlag

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
    also_smaller: bool = Field(default=False,
                               description="the caution holds for the smaller variant too")


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

    def cautions_for(self, flags: set[str], smaller: bool = False) -> list[Caution]:
        """Cautions that apply to a client with these risk flags (for the smaller variant,
        only those marked `also_smaller`)."""
        return [c for c in self.cautions if flags.intersection(c.applies_to)
                and (c.also_smaller or not smaller)]


@dataclass(frozen=True)
class TaskFile(Located):
    """Where a task file's problems are, with each good task's position in its list."""

    positions: dict[str, int] = field(default_factory=dict)


def _source_problems(task: Task, where: Located, position: int, known: set[str]) -> list[Problem]:
    """A task's cautions that cite a work not in the bibliography."""
    return [where.problem(("tasks", position, "cautions", j, "sources"),
                          f"unknown bibliography key '{key}'")
            for j, caution in enumerate(task.cautions) for key in caution.sources
            if key not in known]


def read_task_file(path: Path, known_sources: set[str]
                   ) -> tuple[dict[str, Task], list[Problem], TaskFile]:
    """The good tasks in one file, and every problem (bad entries, duplicates, unknown sources).

    Problems name each item by its position in the file, counting bad items too; of two
    tasks with one id, the first is kept. `where.positions` maps each kept id to its item."""
    items, problems, where = read_model_items(Task, path, "tasks")
    found: dict[str, Task] = {}
    positions: dict[str, int] = {}
    for i, task in items:
        if task.id in found or task.id == NO_TASK:
            problems.append(where.problem(("tasks", i, "id"), f"duplicate or reserved id '{task.id}'"))
        else:
            found[task.id] = task
            positions[task.id] = i
        problems.extend(_source_problems(task, where, i, known_sources))
    return found, problems, TaskFile(where.path, where.index, positions)


def load_tasks(path: Path | None = None, known_sources: set[str] | None = None) -> dict[str, Task]:
    """Load one task file; raise DataFileError on any problem."""
    path = path or task_files([])[0]
    known_sources = set(bibliography()) if known_sources is None else known_sources
    found, problems, _ = read_task_file(path, known_sources)
    if problems:
        raise DataFileError(problems)
    return found


def read_catalogue(files: list[Path] | None = None, known_sources: set[str] | None = None
                   ) -> tuple[dict[str, Task], list[Problem]]:
    """Every good task from every file (shipped, then authors'), and every problem."""
    known_sources = set(bibliography()) if known_sources is None else known_sources
    merged: dict[str, Task] = {}
    origin: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in files or task_files():
        try:
            tasks, found_problems, where = read_task_file(path, known_sources)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(found_problems)
        for task_id in tasks:
            if task_id in merged:
                problems.append(where.problem(
                    ("tasks", where.positions[task_id], "id"),
                    f"duplicate task id '{task_id}' (also in {origin[task_id]})"))
                continue
            merged[task_id] = tasks[task_id]
            origin[task_id] = path
    return merged, problems


def load_catalogue(files: list[Path] | None = None,
                   known_sources: set[str] | None = None) -> dict[str, Task]:
    """The whole catalogue, or DataFileError listing every problem: never half-loaded."""
    merged, problems = read_catalogue(files, known_sources)
    if problems:
        raise DataFileError(problems)
    return merged


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Task]:
    """The catalogue in use (shipped plus authors' tasks), loaded once."""
    return load_catalogue()


class TaskCatalogue(Mapping[str, Task]):
    """The catalogue in use, each task read and checked when it is first looked up: a grade
    cell needs one task, not the whole catalogue. The same checks per task as `catalogue()`
    (valid, one id once across the files, known sources), which checks every task."""

    def __init__(self, files: list[Path]):
        self._files = [(doc, doc.entries("tasks", "id")) for doc in map(YamlDocument, files)]
        self._read: dict[str, Task] = {}

    def __getitem__(self, task_id: str) -> Task:
        if task_id not in self._read:
            self._read[task_id] = self._load(task_id)
        return self._read[task_id]

    def _load(self, task_id: str) -> Task:
        found = [(doc, i, node) for doc, entries in self._files
                 for i, node in entries.get(task_id, ())]
        if not found or task_id == NO_TASK:
            raise KeyError(task_id)
        doc, position, node = found[0]
        if len(found) > 1:
            other, i, again = found[1]
            raise DataFileError([Problem(str(other.path), f"tasks.{i}.id",
                                         f"duplicate task id '{task_id}' (also in {doc.path})",
                                         again.start_mark.line + 1)])
        task, where = doc.model(Task, node, ("tasks", position))
        problems = _source_problems(task, where, position, known_keys())
        if problems:
            raise DataFileError(problems)
        return task

    def __iter__(self) -> Iterator[str]:
        ids = dict.fromkeys(i for _doc, entries in self._files for i in entries)
        return iter(i for i in ids if i != NO_TASK)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=4)
def _task_catalogue(files: tuple[Path, ...]) -> TaskCatalogue:
    return TaskCatalogue(list(files))


def task_catalogue() -> Mapping[str, Task]:
    """The catalogue in use, read task by task (see TaskCatalogue); the whole catalogue if
    it is loaded already."""
    if catalogue.cache_info().currsize:
        return catalogue()
    return _task_catalogue(tuple(task_files()))
