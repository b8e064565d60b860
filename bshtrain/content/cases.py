"""Client cases: the fictional vignettes trainees work on."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bshtrain.content.loading import DataFileError, Located, Problem, read_model, yaml_files
from bshtrain.content.paths import case_dirs
from bshtrain.content.vocab import (
    Approach,
    Completion,
    Context,
    Level,
    Mechanism,
    PresentingProblem,
    RiskFlag,
    Speaker,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_ID = r"^[a-z][a-z0-9-]*$"


class MaintainingFactor(_Strict):
    id: str = Field(pattern=_ID)
    description: str = Field(min_length=1)
    mechanism: Mechanism


class Formulation(_Strict):
    triggers: list[str] = Field(min_length=1)
    thoughts: list[str] = Field(min_length=1)
    behaviours: list[str] = Field(min_length=1)
    maintaining_factors: list[MaintainingFactor] = Field(min_length=1)


class Goal(_Strict):
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1, description="in the client's own words")


class Constraints(_Strict):
    minutes_per_day: int = Field(ge=0, le=600, description="time the client can give on most days")
    literacy: Level
    energy: Level
    caring_duties: str = ""
    money: str = ""
    privacy: str = ""
    other: list[str] = Field(default_factory=list)


class Risk(_Strict):
    level: Level
    flags: list[RiskFlag] = Field(default_factory=list)
    notes: str = Field(min_length=1)


class Takeaway(_Strict):
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    relates_to: list[str] = Field(default_factory=list, description="maintaining factor ids")


class Line(_Strict):
    speaker: Speaker
    text: str = Field(min_length=1)


class Session(_Strict):
    worked_on: str = Field(min_length=1)
    takeaways: list[Takeaway] = Field(min_length=1)
    excerpt: list[Line] = Field(min_length=2)


class LogEntry(_Strict):
    """One session's homework, as reviewed at the next session."""

    session: int = Field(ge=1, description="the session the task was set in")
    task: str = Field(min_length=1, description="a task id from the catalogue")
    planned: str = Field(min_length=1, description="what was agreed")
    done: Completion
    quality: Level | None = Field(default=None, description="how well it was done; none if not done")
    distress: Level = Field(default="low", description="distress the task caused")
    obstacles: str = ""
    client_comment: str = ""

    @model_validator(mode="after")
    def _quality_matches_completion(self) -> LogEntry:
        if self.done == "not-done" and self.quality is not None:
            raise ValueError("a task that was not done has no quality (leave 'quality' out)")
        if self.done != "not-done" and self.quality is None:
            raise ValueError(f"'quality' is required when the task was {self.done}")
        if self.done == "not-done" and not self.obstacles.strip():
            raise ValueError("say in 'obstacles' why the task was not done, as the client put it")
        return self


class Case(_Strict):
    """One fictional client."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    age: int = Field(ge=10, le=100)
    pronouns: str
    context: str = Field(min_length=1, description="cultural and social context")
    contexts: list[Context] = Field(default_factory=list, description="tags for the context")
    caregiver: str = Field(default="", description="who is involved, for a client under 18")
    setting: str = Field(min_length=1)
    presenting_problem: PresentingProblem
    problem_summary: str = Field(min_length=1)
    approach: Approach
    homework_term: str = Field(min_length=1, description="the therapy's word for homework")
    session_number: int = Field(ge=1)
    formulation: Formulation
    goals: list[Goal] = Field(min_length=1)
    strengths: list[str] = Field(min_length=1)
    constraints: Constraints
    risk: Risk
    homework_history: str = Field(min_length=1)
    session: Session
    homework_log: list[LogEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.age < 18 and not self.caregiver.strip():
            raise ValueError("a client under 18 needs 'caregiver': who is involved and how")
        sessions = [e.session for e in self.homework_log]
        if sessions != sorted(set(sessions)):
            raise ValueError("homework_log sessions must be in order, each once")
        if sessions and sessions[-1] >= self.session_number:
            raise ValueError(f"homework_log holds session {sessions[-1]}, but this is session "
                             f"{self.session_number}: the log covers earlier sessions only")
        return self

    def factor(self, factor_id: str) -> MaintainingFactor | None:
        return next((f for f in self.formulation.maintaining_factors if f.id == factor_id), None)

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def takeaway(self, takeaway_id: str) -> Takeaway | None:
        return next((t for t in self.session.takeaways if t.id == takeaway_id), None)


def _check_ids(case: Case, where: Located) -> list[Problem]:
    """Cross-references inside one case: its id, and the ids its parts use."""
    problems = []
    if case.id != where.path.stem:
        problems.append(where.problem(
            ("id",), f"expected '{where.path.stem}' (the file's name), got '{case.id}'"))
    groups = {
        ("formulation", "maintaining_factors"): [f.id for f in case.formulation.maintaining_factors],
        ("goals",): [g.id for g in case.goals],
        ("session", "takeaways"): [t.id for t in case.session.takeaways],
    }
    factor_ids = set(groups[("formulation", "maintaining_factors")])
    for i, takeaway in enumerate(case.session.takeaways):
        for ref in takeaway.relates_to:
            if ref not in factor_ids:
                problems.append(where.problem(("session", "takeaways", i, "relates_to"),
                                              f"unknown maintaining factor id '{ref}'"))
    for loc, ids in groups.items():
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(where.problem(loc, f"duplicate id(s): {', '.join(dupes)}"))
    return problems


def load_case(path: Path, task_ids: set[str] | None = None) -> Case:
    """Load and check one case file; with `task_ids`, check the log's task ids too."""
    case, where = read_model(Case, Path(path))
    problems = _check_ids(case, where)
    if task_ids is not None:
        for i, entry in enumerate(case.homework_log):
            if entry.task not in task_ids:
                problems.append(where.problem(("homework_log", i, "task"),
                                              f"unknown task id '{entry.task}'"))
    if problems:
        raise DataFileError(problems)
    return case


def load_cases(dirs: list[Path] | None = None, task_ids: set[str] | None = None) -> dict[str, Case]:
    """Load every case; report all problems at once; never return a half-loaded library."""
    if task_ids is None:
        from bshtrain.content.tasks import catalogue

        task_ids = set(catalogue())
    cases: dict[str, Case] = {}
    problems: list[Problem] = []
    for folder in dirs or case_dirs():
        if not os.path.lexists(folder):
            if folder.parent.is_dir():  # an author folder with tasks but no cases/
                continue
            problems.append(Problem(str(folder), "", "case folder not found"))
            continue
        try:
            paths = yaml_files(folder)  # a file named cases, or a folder that cannot be listed
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        for path in paths:
            try:
                case = load_case(path, task_ids)
            except DataFileError as exc:
                problems.extend(exc.problems)
                continue
            if case.id in cases:
                problems.append(Problem(str(path), "id", f"duplicate case id '{case.id}'"))
            cases[case.id] = case
    if problems:
        raise DataFileError(problems)
    return cases


def _case_files(case_id: str, dirs: tuple[Path, ...]) -> tuple[list[Path], set[str]]:
    """The files named for `case_id` in the case folders, and every case id there."""
    found: list[Path] = []
    known: set[str] = set()
    for folder in dirs:
        if not os.path.lexists(folder):
            if folder.parent.is_dir():  # an author folder with tasks but no cases/
                continue
            raise DataFileError([Problem(str(folder), "", "case folder not found")])
        paths = yaml_files(folder)
        known.update(path.stem for path in paths)
        found.extend(path for path in paths if path.stem == case_id)
    return found, known


@lru_cache(maxsize=32)
def _case(case_id: str, dirs: tuple[Path, ...]) -> Case:
    """Read and check one case's file alone (its log's task ids against the catalogue's)."""
    from bshtrain.content.tasks import task_catalogue

    paths, known = _case_files(case_id, dirs)
    if not paths:
        raise KeyError(f"no case with id '{case_id}'; known: {', '.join(sorted(known))}")
    if len(paths) > 1:
        raise DataFileError([Problem(str(paths[1]), "id", f"duplicate case id '{case_id}'")])
    return load_case(paths[0], set(task_catalogue()))


def get_case(case_id: str) -> Case:
    """One case from the library, by id: only its own file is read (a grade cell needs one
    case); `load_cases` and `bshtrain validate` read and check every case."""
    return _case(case_id, tuple(case_dirs()))
