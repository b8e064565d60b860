"""The project's one bibliography: every work cited by a lesson, task, case or rubric."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bshtrain.content.loading import DataFileError, Problem, YamlDocument, load_model_list

BIBLIOGRAPHY_FILE = "bibliography.yaml"


class Work(BaseModel):
    """One cited work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    authors: list[str] = Field(min_length=1)
    more_authors: bool = Field(default=False, description="co-authors exist but are not recorded")
    year: int | str = Field(description="e.g. 2023, or 2023a when one first author has two")
    title: str = Field(min_length=1)
    venue: str = Field(min_length=1)
    doi: str | None = None
    url: str | None = None
    note: str | None = None

    def reference(self) -> str:
        """The full reference as plain text (APA-like)."""
        if self.more_authors:
            names = ", ".join(self.authors) + ", et al."
        elif len(self.authors) == 1:
            names = self.authors[0]
        else:
            names = ", ".join(self.authors[:-1]) + ", & " + self.authors[-1]
        title = self.title if self.title.endswith(("?", "!", ".")) else self.title + "."
        text = f"{names} ({self.year}). {title} {self.venue}."
        if self.doi:
            text += f" https://doi.org/{self.doi}"
        elif self.url:
            text += f" {self.url}"
        if self.note:
            text += f" [{self.note}]"
        return text

    def short(self) -> str:
        """Author-year label, e.g. 'Ryum et al., 2023'."""
        surnames = [a.split(",")[0].strip() for a in self.authors]
        if len(surnames) == 1 and not self.more_authors:
            who = surnames[0]
        elif len(surnames) == 2 and not self.more_authors:
            who = f"{surnames[0]} & {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        return f"{who}, {self.year}"


class UnknownSourceError(KeyError):
    """A citation key that is not in the bibliography."""

    def __str__(self) -> str:
        return f"unknown bibliography key(s): {', '.join(self.args[0])}"


def _default_path() -> Path:
    return Path(str(resources.files("bshtrain") / "data" / BIBLIOGRAPHY_FILE))


def load_bibliography(path: Path | None = None) -> dict[str, Work]:
    """Load the bibliography; duplicate keys and duplicate DOIs are errors."""
    path = path or _default_path()
    works = load_model_list(Work, path, "works")
    found: dict[str, Work] = {}
    dois: dict[str, str] = {}
    shorts: set[str] = set()
    problems = []
    for i, work in enumerate(works):
        if work.key in found:
            problems.append(Problem(str(path), f"works.{i}.key", f"duplicate key '{work.key}'"))
        if work.doi and work.doi.lower() in dois:
            problems.append(
                Problem(str(path), f"works.{i}.doi",
                        f"the same work twice: DOI also used by '{dois[work.doi.lower()]}'")
            )
        if work.short() in shorts:
            problems.append(Problem(
                str(path), f"works.{i}.year",
                f"'{work.short()}' is ambiguous: add a letter to the year (2023a, 2023b)"))
        found[work.key] = work
        shorts.add(work.short())
        if work.doi:
            dois[work.doi.lower()] = work.key
    if problems:
        raise DataFileError(problems)
    return found


@lru_cache(maxsize=1)
def bibliography() -> dict[str, Work]:
    """The shipped bibliography, loaded once."""
    return load_bibliography()


@lru_cache(maxsize=1)
def _entries() -> tuple[YamlDocument, dict[str, list]]:
    """The shipped bibliography parsed, its works found by key but not yet built."""
    doc = YamlDocument(_default_path())
    return doc, doc.entries("works", "key")


def known_keys() -> set[str]:
    """Every key in the shipped bibliography (read, not validated)."""
    return set(bibliography()) if bibliography.cache_info().currsize else set(_entries()[1])


@cache
def _work(key: str) -> Work | None:
    """One work of the shipped bibliography, validated on its own; None if not there."""
    doc, entries = _entries()
    found = entries.get(key)
    if not found:
        return None
    if len(found) > 1:
        raise DataFileError([Problem(str(doc.path), f"works.{found[1][0]}.key",
                                     f"duplicate key '{key}'")])
    position, node = found[0]
    return doc.model(Work, node, ("works", position))[0]


def works_for(keys: Iterable[str]) -> dict[str, Work]:
    """The works for `keys`, each read from the bibliography when first asked for (the whole
    file is validated by `bibliography()` and `bshtrain validate`); UnknownSourceError names
    any key that is not there."""
    keys = list(dict.fromkeys(keys))
    if bibliography.cache_info().currsize:
        check_keys(keys)
        works = bibliography()
        return {k: works[k] for k in keys}
    found = {k: _work(k) for k in keys}
    unknown = sorted(k for k, work in found.items() if work is None)
    if unknown:
        raise UnknownSourceError(unknown)
    return found


def check_keys(keys: Iterable[str], works: dict[str, Work] | None = None) -> None:
    """Raise UnknownSourceError if any key is not in the bibliography."""
    works = bibliography() if works is None else works
    unknown = sorted({k for k in keys if k not in works})
    if unknown:
        raise UnknownSourceError(unknown)


def cite(*keys: str) -> str:
    """An in-text citation such as '(Ryum et al., 2023; Tompkins, 2002)'."""
    works = works_for(keys)
    return "(" + "; ".join(works[k].short() for k in keys) + ")"


def references(keys: Iterable[str]) -> list[Work]:
    """The works for `keys`, sorted as a reference list, each once."""
    works = works_for(keys)
    return sorted(works.values(), key=lambda w: (w.authors[0], str(w.year)))


def references_html(keys: Iterable[str]) -> str:
    """A reference list as escaped HTML."""
    items = "".join(f"<li>{html.escape(w.reference())}</li>" for w in references(keys))
    return f"<ol class='bshtrain-references'>{items}</ol>"


CITATION = re.compile(r"\(([^()]*?(?:\d{4}[a-z]?|n\.d\.))\)")  # "(Author, 2020; Other, 2019a)"


def cited_labels(text: str) -> list[str]:
    """The author-year labels cited in a text: "(Ryum et al., 2023a; Tompkins, 2002)" gives
    "Ryum et al., 2023a" and "Tompkins, 2002", as Work.short() spells them."""
    labels = []
    for group in CITATION.findall(text):
        for part in group.split(";"):
            part = part.strip()
            if re.search(r"\d{4}[a-z]?$|n\.d\.$", part) and re.search(r"[A-Z]", part):
                labels.append(part)
    return labels
