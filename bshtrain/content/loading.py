"""Read YAML data files into pydantic models, with errors that name file, field and line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML has it


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    path: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        field = f", field '{self.field}'" if self.field else ""
        return f"{where}{field}: {self.message}"


class DataFileError(ValueError):
    """A data file (case, task catalogue, bibliography, answers) could not be used."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _line_index(node: yaml.Node | None, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path in a composed YAML node tree to its 1-based line."""
    index: dict[tuple, int] = {}
    if node is None:
        return index
    index[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, key_node.value)
            index.update(_line_index(value_node, key))
            index[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, (*prefix, i)))
    return index


def _line_for(index: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:end])
        if key in index:
            return index[key]
    return None


def read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file; return its data and a line index. Raise DataFileError if unreadable."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError([Problem(shown, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError([Problem(shown, "", f"cannot be read ({exc})")]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = _Loader(text).construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = getattr(exc, "problem", None) or str(exc)
        raise DataFileError([Problem(shown, "", f"is not valid YAML: {detail}", line)]) from None
    return data, _line_index(node)


def describe_error(err: dict) -> str:
    """Turn one pydantic error into a sentence saying what was expected and what was found."""
    kind = err.get("type", "")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    message = err.get("msg", "is not valid")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    got = err.get("input")
    if not err.get("loc") or isinstance(got, dict | list):
        return f"expected: {message[0].lower() + message[1:]}"
    shown = repr(got)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"expected: {message[0].lower() + message[1:]}; got {shown}"


def problems_from_validation(
    exc: ValidationError, path: str, index: dict[tuple, int], prefix: tuple = ()
) -> list[Problem]:
    """Convert a pydantic ValidationError into Problems with dotted fields and lines."""
    problems = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        field = ".".join(str(p) for p in loc)
        problems.append(Problem(path, field, describe_error(err), _line_for(index, loc)))
    return problems


@dataclass(frozen=True)
class Located:
    """A file's path and line index, for problems found after validation (cross-references)."""

    path: Path
    index: dict[tuple, int]

    def problem(self, loc: tuple, message: str) -> Problem:
        field = ".".join(str(p) for p in loc)
        return Problem(str(self.path), field, message, _line_for(self.index, loc))


def read_model(model: type[ModelT], path: Path) -> tuple[ModelT, Located]:
    """Load one YAML mapping file as `model`; raise DataFileError naming every problem."""
    data, index = read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(
            [Problem(str(path), "", f"expected a mapping of fields, got {type(data).__name__}")]
        )
    try:
        return model.model_validate(data), Located(Path(path), index)
    except ValidationError as exc:
        raise DataFileError(problems_from_validation(exc, str(path), index)) from None


def read_model_list(model: type[ModelT], path: Path,
                    key: str) -> tuple[list[ModelT], list[Problem], Located]:
    """Read `key: [ ... ]` as a list of `model`: the good items and a problem for each bad one."""
    data, index = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise DataFileError(
            [Problem(str(path), key, f"expected a top-level '{key}:' list")]
        )
    items, problems = [], []
    for i, raw in enumerate(data[key]):
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, str(path), index, (key, i)))
    return items, problems, Located(Path(path), index)


def load_model_list(model: type[ModelT], path: Path, key: str) -> list[ModelT]:
    """Load a YAML file holding `key: [ ... ]`, raising DataFileError if any item is bad."""
    items, problems, _ = read_model_list(model, path, key)
    if problems:
        raise DataFileError(problems)
    return items
