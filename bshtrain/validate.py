"""Check every data file and cross-reference, reporting all problems at once."""

from __future__ import annotations

from pathlib import Path

from .bibliography import load_bibliography
from .cases import case_dirs, load_case
from .loading import DataFileError, Problem
from .tasks import load_tasks


def validate_paths(extra: list[Path]) -> tuple[list[Problem], str]:
    """Validate the bibliography, the catalogue and every case (shipped plus `extra`)."""
    problems: list[Problem] = []
    try:
        works = load_bibliography()
    except DataFileError as exc:
        return exc.problems, "bibliography is broken; nothing else checked"
    try:
        tasks = load_tasks(known_sources=set(works))
    except DataFileError as exc:
        problems.extend(exc.problems)
        tasks = {}
    files: list[Path] = []
    for place in [*case_dirs(), *extra]:
        if place.is_dir():
            files.extend(sorted(place.glob("*.yaml")))
        elif place.is_file():
            files.append(place)
        else:
            problems.append(Problem(str(place), "", "no such file or folder"))
    seen: dict[str, Path] = {}
    for path in files:
        try:
            case = load_case(path, set(tasks) if tasks else None)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        if case.id in seen:
            problems.append(Problem(str(path), "id",
                                    f"duplicate case id '{case.id}' (also in {seen[case.id]})"))
        seen[case.id] = path
    summary = (f"checked {len(works)} works, {len(tasks)} tasks, {len(files)} case files: "
               f"{len(problems)} problem(s)")
    return problems, summary
