"""Where content comes from: the shipped files, plus authors' folders named in $BSHTRAIN_CONTENT.

An author's folder may hold `cases/*.yaml` (one case per file) and `tasks/*.yaml` (each with a
top-level `tasks:` list). Several folders are separated by the path separator (':' on Linux).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

CONTENT_ENV = "BSHTRAIN_CONTENT"


def package_dir() -> Path:
    return Path(str(resources.files("bshtrain")))


def author_dirs() -> list[Path]:
    """The folders named in $BSHTRAIN_CONTENT, in order."""
    value = os.environ.get(CONTENT_ENV, "")
    return [Path(p) for p in value.split(os.pathsep) if p]


def case_dirs(extra: list[Path] | None = None) -> list[Path]:
    """The shipped case folder, then each author folder's cases/."""
    return [package_dir() / "data" / "cases", *[d / "cases" for d in (extra or author_dirs())]]


def task_files(extra: list[Path] | None = None) -> list[Path]:
    """The shipped catalogue, then each author folder's tasks/*.yaml."""
    files = [package_dir() / "data" / "tasks.yaml"]
    for folder in extra or author_dirs():
        files.extend(sorted((folder / "tasks").glob("*.yaml")))
    return files
