"""Read YAML data files into pydantic models, with errors that name file, field and line."""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import contextmanager
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


MAX_VALUES = 100_000  # values in one file, counting each use of an alias; shipped files hold < 3,000


class _TooLarge(Exception):
    """The node tree, with aliases expanded, holds more than MAX_VALUES values."""


def _index_and_duplicates(node: yaml.Node | None, shown: str, root: tuple = ()
                          ) -> tuple[dict[tuple, int], list[Problem]]:
    """Map each key path in a composed YAML node tree to its 1-based line, and find keys
    given twice in one mapping (PyYAML keeps the last one silently).

    Iterative, so no nesting depth breaks it; a node reached through an alias is walked at
    each use, so the walk is bounded (MAX_VALUES): a few nested aliases (a "billion laughs"
    file) would otherwise take exponential time here and in validation. `root` is the key
    path of `node` in its file, for a part read on its own (YamlDocument)."""
    index: dict[tuple, int] = {}
    problems: dict[int, Problem] = {}
    if node is None:
        return index, []
    stack: list[tuple[yaml.Node, tuple]] = [(node, root)]
    visited = 0
    while stack:
        current, prefix = stack.pop()
        visited += 1
        if visited > MAX_VALUES:
            raise _TooLarge
        index.setdefault(prefix, current.start_mark.line + 1)
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                line = key_node.start_mark.line + 1
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        problems.setdefault(line, Problem(
                            shown, ".".join(str(p) for p in (*prefix, key_node.value)),
                            f"duplicate key (also on line {seen[key_node.value]}): "
                            "only one would be used", line))
                        continue
                    seen[key_node.value] = line
                key = (*prefix, key_node.value)
                index[key] = line
                stack.append((value_node, key))
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                stack.append((item, (*prefix, i)))
    return index, sorted(problems.values(), key=lambda p: p.line or 0)


def _line_index(node: yaml.Node | None, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path in a composed YAML node tree to its 1-based line."""
    return _index_and_duplicates(node, "")[0]


def _first_alias_line(text: str) -> int | None:
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1
    return None


def _line_for(index: dict[tuple, int], loc: tuple) -> int | None:
    if tuple(loc) in index:
        return index[tuple(loc)]
    loc = clean_loc(loc)
    for end in range(len(loc), -1, -1):
        key = tuple(str(p) if not isinstance(p, int) else p for p in loc[:end])
        if key in index:
            return index[key]
    return None


def _read_text(path: Path) -> str:
    """A data file's text; DataFileError if it is missing or cannot be read as UTF-8."""
    shown = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError([Problem(shown, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError([Problem(shown, "", f"cannot be read ({exc})")]) from None


@contextmanager
def _yaml_problems(shown: str):
    """Turn a YAML error (or a structure nested too deeply) into a DataFileError."""
    try:
        yield
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = getattr(exc, "problem", None) or str(exc)
        raise DataFileError([Problem(shown, "", f"is not valid YAML: {detail}", line)]) from None
    except RecursionError:
        raise DataFileError([Problem(shown, "", "is nested too deeply")]) from None


def _build(node: yaml.Node | None, text: str, shown: str, root: tuple = ()
           ) -> tuple[Any, dict[tuple, int]]:
    """A composed node as Python data, with its line index; DataFileError if it gives a key
    twice in one mapping or is too large once its aliases are expanded."""
    with _yaml_problems(shown):
        try:
            index, duplicates = _index_and_duplicates(node, shown, root)
        except _TooLarge:
            raise DataFileError([Problem(
                shown, "", f"its aliases (*name) expand to more than {MAX_VALUES:,} values: "
                "write the values out instead of repeating them through aliases",
                _first_alias_line(text))]) from None
        if duplicates:
            raise DataFileError(duplicates)
        data = _Loader("").construct_document(node) if node is not None else None
    return data, index


def read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file; return its data and a line index. Raise DataFileError if unreadable,
    not valid YAML, too large once its aliases are expanded, or if it gives a key twice in
    one mapping."""
    text = _read_text(path)
    with _yaml_problems(str(path)):
        node = yaml.compose(text, Loader=_Loader)
    return _build(node, text, str(path))


class YamlDocument:
    """A YAML file parsed into nodes but not yet built into data: a reader that needs a few
    entries of a large file builds, checks (duplicate keys, aliases) and validates only
    those, with the problems, fields and lines that reading the whole file would give."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.text = _read_text(self.path)
        with _yaml_problems(str(self.path)):
            self.root = yaml.compose(self.text, Loader=_Loader)

    def items(self, node: yaml.Node | None, where: tuple = ()) -> dict[str, yaml.Node]:
        """A mapping node's values by key (none if it is not a mapping); a key given twice
        is a problem, as in read_yaml."""
        if not isinstance(node, yaml.MappingNode):
            return {}
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in found:
                raise DataFileError(_index_and_duplicates(node, str(self.path), where)[1])
            found[key_node.value] = value_node
        return found

    def build(self, node: yaml.Node | None, where: tuple = ()) -> tuple[Any, dict[tuple, int]]:
        """One node (at key path `where` in the file) as data, with its line index."""
        return _build(node, self.text, str(self.path), where)

    def entries(self, key: str, id_field: str) -> dict[str, list[tuple[int, yaml.Node]]]:
        """For a file holding `key: [ ... ]` of mappings: each item by its `id_field`, with
        its position in the list (an id that several items give lists each of them)."""
        items = self.items(self.root).get(key)
        if not isinstance(items, yaml.SequenceNode):
            raise DataFileError([Problem(str(self.path), key,
                                         f"expected a top-level '{key}:' list")])
        found: dict[str, list[tuple[int, yaml.Node]]] = {}
        for i, item in enumerate(items.value):
            ident = self.items(item, (key, i)).get(id_field)
            if isinstance(ident, yaml.ScalarNode):
                found.setdefault(ident.value, []).append((i, item))
        return found

    def model(self, model: type[ModelT], node: yaml.Node | None, where: tuple = ()
              ) -> tuple[ModelT, Located]:
        """One node built and validated as `model`; problems name the field and line."""
        data, index = self.build(node, where)
        try:
            return model.model_validate(data), Located(self.path, index)
        except ValidationError as exc:
            raise DataFileError(problems_from_validation(exc, str(self.path), index, where)) from None


def yaml_files(folder: Path) -> list[Path]:
    """The *.yaml files in a folder, sorted; DataFileError if the folder cannot be listed
    (Path.glob would silently find nothing). A folder that does not exist holds none."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.endswith(".yaml")]
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        raise DataFileError([Problem(str(folder), "", "expected a folder, found a file")]) from None
    except OSError as exc:
        raise DataFileError(
            [Problem(str(folder), "", f"folder cannot be read ({exc.strerror})")]) from None
    return sorted(Path(folder) / name for name in names)


# Parts of a pydantic error location that name a type tried in a union, not a field:
# "literal['a','b']", "function-after[...]", "list[str]", "int", a model's class name.
_TYPE_TAGS = {"str", "int", "float", "bool", "bytes", "none", "list", "dict", "set", "tuple",
              "frozenset", "date", "time", "datetime", "timedelta", "decimal", "uuid", "url",
              "any", "constrained-str", "constrained-int", "constrained-float",
              "constrained-bytes", "constrained-decimal", "lax-or-strict", "json-or-python"}


def clean_loc(loc: tuple | list) -> tuple:
    """A pydantic error location without the type tags pydantic adds inside unions."""
    parts = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or "(" in part or part in _TYPE_TAGS
                                      or part[:1].isupper()):
            continue
        parts.append(part)
    return tuple(parts)


def field_name(loc: tuple | list, err: dict | None = None) -> str:
    """The dotted field as an author or trainee knows it: `how_often`, not
    `how_often.literal['daily','weekly']`."""
    cleaned = clean_loc(loc)
    if err is not None and err.get("type") == "extra_forbidden" and loc and cleaned[-1:] != tuple(loc)[-1:]:
        cleaned = (*cleaned, loc[-1])  # an unknown key is a name, whatever it looks like
    return ".".join(str(p) for p in cleaned)


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
    problems: list[Problem] = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        field = field_name(loc, err)
        if any(p.field == field for p in problems) and clean_loc(loc) != tuple(loc):
            continue  # a union: one problem per field, from the first type tried
        problems.append(Problem(path, field, describe_error(err), _line_for(index, loc)))
    return problems


@dataclass(frozen=True)
class Located:
    """A file's path and line index, for problems found after validation (cross-references)."""

    path: Path
    index: dict[tuple, int]

    def problem(self, loc: tuple, message: str) -> Problem:
        field = field_name(loc)
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
    items, problems, where = read_model_items(model, path, key)
    return [item for _, item in items], problems, where


def read_model_items(model: type[ModelT], path: Path, key: str
                     ) -> tuple[list[tuple[int, ModelT]], list[Problem], Located]:
    """As read_model_list, but each good item comes with its position in the file's list,
    so later problems can name the right item and line when an earlier one was bad."""
    data, index = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise DataFileError(
            [Problem(str(path), key, f"expected a top-level '{key}:' list")]
        )
    items: list[tuple[int, ModelT]] = []
    problems: list[Problem] = []
    for i, raw in enumerate(data[key]):
        try:
            items.append((i, model.model_validate(raw)))
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, str(path), index, (key, i)))
    return items, problems, Located(Path(path), index)


def load_model_list(model: type[ModelT], path: Path, key: str) -> list[ModelT]:
    """Load a YAML file holding `key: [ ... ]`, raising DataFileError if any item is bad."""
    items, problems, _ = read_model_list(model, path, key)
    if problems:
        raise DataFileError(problems)
    return items
