"""Authored options: what a trainee chooses among, per exercise and case (design 5.1, 5.4).

One YAML file per exercise and case, `bshtrain/data/exercises/<exercise>/<case>.yaml`. It
ships to trainees, so it holds no credit: only the option texts, the client's scripted reply
to each, and the reply's effect on the client's willingness and confidence. What each option
is worth lives in the exercise's key (engine/keys.py), in solutions/ only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bshtrain.content.loading import DataFileError, Located, Problem, read_model
from bshtrain.content.paths import package_dir

OPTION_ID = r"^[a-z][a-z0-9-]*$"
MAX_EFFECT = 5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Strict):
    """How an option moves the simulated client's ratings (authored, -5..+5)."""

    willingness: int = Field(default=0, ge=-MAX_EFFECT, le=MAX_EFFECT)
    confidence: int = Field(default=0, ge=-MAX_EFFECT, le=MAX_EFFECT)


class Option(_Strict):
    """One choice shown to the trainee."""

    id: str = Field(pattern=OPTION_ID)
    text: str = Field(min_length=1, max_length=400)
    reply: str = Field(default="", max_length=400, description="the client's scripted reply")
    effect: Effect = Effect()
    task: str = Field(default="", description="part 'task' only: catalogue task id or no-task")
    size: str = Field(default="", pattern=r"^(|full|smaller)$")
    responses: list[Option] = Field(default_factory=list,
                                    description="part 'obstacles' only: ways to meet it")


class Part(_Strict):
    """One question of the exercise, with its options in authored order."""

    prompt: str = Field(min_length=1)
    options: list[Option] = Field(min_length=2)


class ClientStart(_Strict):
    """The simulated client's ratings before any plan is proposed (0-10)."""

    willingness: int = Field(ge=0, le=10)
    confidence: int = Field(ge=0, le=10)


class CaseOptions(_Strict):
    """Every option of one exercise for one case."""

    exercise: str = Field(pattern=OPTION_ID)
    case: str = Field(pattern=OPTION_ID)
    simulation_note: str = Field(
        default="The client's replies and ratings are authored rules for practice, not a "
                "prediction of how a real client would respond.")
    client: ClientStart
    parts: dict[str, Part]

    @model_validator(mode="after")
    def _unique_ids(self) -> CaseOptions:
        seen: set[str] = set()
        for option in self.all_options():
            if option.id in seen:
                raise ValueError(f"option id '{option.id}' is used twice; ids must be unique "
                                 "across all parts of a case")
            seen.add(option.id)
        return self

    def all_options(self) -> list[Option]:
        """Every option of every part, obstacle responses included."""
        found: list[Option] = []
        for part in self.parts.values():
            for option in part.options:
                found.append(option)
                found.extend(option.responses)
        return found

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.all_options() if o.id == option_id), None)

    def part_of(self, option_id: str) -> str | None:
        """The part an option (or obstacle response) belongs to."""
        for name, part in self.parts.items():
            for option in part.options:
                if option.id == option_id or any(r.id == option_id for r in option.responses):
                    return name
        return None


def options_dir(exercise: str) -> Path:
    return package_dir() / "data" / "exercises" / exercise


def read_case_options(path: Path) -> tuple[CaseOptions, Located]:
    """Read one options file; DataFileError names the file, field and line."""
    options, where = read_model(CaseOptions, path)
    if options.case != path.stem:
        raise DataFileError([where.problem(("case",), f"expected '{path.stem}' (the file name), "
                                                      f"got '{options.case}'")])
    return options, where


@cache
def case_options(exercise: str, case_id: str) -> CaseOptions:
    """The shipped options of `exercise` for `case_id`."""
    path = options_dir(exercise) / f"{case_id}.yaml"
    if not path.is_file():
        raise DataFileError([Problem(str(path), "", f"no options for case '{case_id}' in "
                                                    f"exercise '{exercise}'")])
    return read_case_options(path)[0]


def pool_problems(exercise: str, pool: tuple[str, ...]) -> list[Problem]:
    """Every pool case has a valid options file, and every options file is in the pool."""
    problems: list[Problem] = []
    folder = options_dir(exercise)
    for case_id in pool:
        path = folder / f"{case_id}.yaml"
        if not path.is_file():
            problems.append(Problem(str(path), "", f"case '{case_id}' is in the pool of "
                                                   f"'{exercise}' but has no options file"))
            continue
        try:
            read_case_options(path)
        except DataFileError as exc:
            problems.extend(exc.problems)
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in pool:
            problems.append(Problem(str(path), "", f"not in the pool of '{exercise}' (POOL in "
                                                   f"bshtrain/skills/{exercise}/spec.py)"))
    return problems
