"""Answer keys: what each authored option is worth for each case, and why (design 5.2).

A key is one validated YAML file per exercise, `solutions/<exercise>/key.yaml`: the build
leaves it out of the release, and nbgrader's autograde copies it beside each submission
from the source folder, so grade cells find it and trainees never have it.

Each option gets, per case, a credit (0..1), a reason the trainee reads in feedback, and the
works the reason rests on; a reason that no cited work says in so many words is labelled
clinical reasoning. An option keyed `harm` is a gate (design 5.3), not a deduction.

Credit follows aggregate scoring (script concordance tests): with several raters, an option
earns the share of raters who chose it divided by the modal share. `panel_credits` does this;
`bshtrain panel build` turns supervisors' answers files into a key with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bshtrain.content.loading import (
    DataFileError,
    Located,
    Problem,
    YamlDocument,
    problems_from_validation,
    read_model,
)

KEY_FILE = "key.yaml"
Basis = Literal["evidence", "clinical-reasoning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Keyed(_Strict):
    """What one option is worth for one case, and why."""

    credit: float = Field(ge=0, le=1)
    reason: str = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
    basis: Basis = "evidence"
    harm: str = Field(default="", description="non-empty: harmful for this client; says how")

    @model_validator(mode="after")
    def _basis_fits_sources(self) -> Keyed:
        if self.basis == "evidence" and not self.sources:
            raise ValueError("a reason with no sources must say basis: clinical-reasoning")
        if self.harm and self.credit > 0:
            raise ValueError("an option keyed as harmful earns no credit")
        return self


class CaseKey(_Strict):
    """The key for one case: every option, every maintaining factor, and cautions met."""

    options: dict[str, Keyed]
    targets: dict[str, Keyed] = Field(default_factory=dict)
    mitigations: dict[str, list[str]] = Field(
        default_factory=dict,
        description="task id -> option ids that meet its catalogue caution for this client")


class Panel(_Strict):
    """Who keyed it."""

    kind: Literal["provisional-authors", "raters"]
    raters: int = Field(ge=1)
    note: str = Field(min_length=1)


class ExerciseKey(_Strict):
    exercise: str
    panel: Panel
    cases: dict[str, CaseKey]


def read_key(path: Path) -> tuple[ExerciseKey, Located]:
    """Read and validate a key file (DataFileError names file, field and line)."""
    return read_model(ExerciseKey, path)


def read_key_entries(path: Path, entries: Iterable[str]) -> ExerciseKey:
    """The key with only `entries` of its cases (those a grade needs), checked as read_key
    checks them; the other cases are parsed, not built or validated."""
    doc = YamlDocument(Path(path))
    wanted = set(entries)
    if not isinstance(doc.root, yaml.MappingNode):
        return read_key(path)[0]  # not a mapping: read_key says so, with the file and line
    data, index = {}, {}
    for name, node in doc.items(doc.root).items():
        parts = doc.items(node, (name,)) if name == "cases" else {}
        if parts:
            data[name] = {}
            for case_id in wanted.intersection(parts):
                data[name][case_id], found = doc.build(parts[case_id], (name, case_id))
                index.update(found)
        else:
            data[name], found = doc.build(node, (name,))
            index.update(found)
    try:
        return ExerciseKey.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(problems_from_validation(exc, str(path), index)) from None


def load_key(folder: Path | str = ".", entries: Iterable[str] | None = None
             ) -> ExerciseKey | None:
    """The key beside a notebook, or None where there is none (a trainee's folder). With
    `entries`, only those cases of it (read_key_entries), read once while the file stays
    the same: a notebook's grade cells share it."""
    path = Path(folder) / KEY_FILE
    try:
        stat = path.stat()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    if entries is None:
        return read_key(path)[0]
    return _key_entries(path.resolve(), stat.st_mtime_ns, stat.st_size, frozenset(entries))


@lru_cache(maxsize=4)
def _key_entries(path: Path, _mtime: int, _size: int, entries: frozenset[str]) -> ExerciseKey:
    return read_key_entries(path, entries)


def check_key(key: ExerciseKey, where: Located, expected: dict[str, tuple[set[str], set[str]]],
              works: set[str]) -> list[Problem]:
    """Cross-check a key against what it must cover: `expected` maps each entry (a case, an
    item) to its (option ids, target ids). Every one keyed, nothing unknown, sources known."""
    problems: list[Problem] = []
    for entry in sorted(set(expected) - set(key.cases)):
        problems.append(where.problem(("cases",), f"'{entry}' is not keyed"))
    for case_id, case_key in key.cases.items():
        base = ("cases", case_id)
        if case_id not in expected:
            problems.append(where.problem(base, f"unknown case or item '{case_id}'"))
            continue
        shown, factors = expected[case_id]
        for part, keyed, wanted in (("options", case_key.options, shown),
                                    ("targets", case_key.targets, factors)):
            for missing in sorted(wanted - set(keyed)):
                problems.append(where.problem((*base, part), f"'{missing}' is not keyed"))
            for extra in sorted(set(keyed) - wanted):
                problems.append(where.problem((*base, part, extra), f"no such id '{extra}'"))
            for name, item in keyed.items():
                for source in item.sources:
                    if source not in works:
                        problems.append(where.problem((*base, part, name, "sources"),
                                                      f"unknown bibliography key '{source}'"))
        for task_id, option_ids in case_key.mitigations.items():
            for option_id in option_ids:
                if option_id not in shown:
                    problems.append(where.problem((*base, "mitigations", task_id),
                                                  f"no such option '{option_id}'"))
    return problems


def panel_credits(choices: Iterable[str]) -> dict[str, float]:
    """Aggregate scoring: each option's share of raters divided by the modal share."""
    counts = Counter(choices)
    if not counts:
        return {}
    modal = max(counts.values())
    return {option: round(n / modal, 3) for option, n in counts.items()}
