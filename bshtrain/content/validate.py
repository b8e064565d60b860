"""Check every data file and cross-reference, reporting all problems at once."""

from __future__ import annotations

import os
from pathlib import Path

from bshtrain.content.bibliography import load_bibliography
from bshtrain.content.cases import load_case, load_cases
from bshtrain.content.loading import DataFileError, Located, Problem, read_yaml, yaml_files
from bshtrain.content.paths import CONTENT_ENV, author_dirs, package_dir
from bshtrain.content.tasks import load_catalogue, read_catalogue

SHIPPED_TASKS = package_dir() / "data" / "tasks.yaml"
SHIPPED_CASES = package_dir() / "data" / "cases"


def _is_task_file(path: Path) -> bool:
    try:
        data, _ = read_yaml(path)
    except DataFileError:
        return False
    return isinstance(data, dict) and "tasks" in data and "id" not in data


def _listed(folder: Path, problems: list[Problem]) -> list[Path]:
    """The YAML files in a folder; a folder that cannot be listed is a problem, not empty."""
    try:
        return yaml_files(folder)
    except DataFileError as exc:
        problems.extend(exc.problems)
        return []


def classify(paths: list[Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """Sort what the author named into case files and task files.

    A folder holding cases/ or tasks/ is an author folder; any other folder is a folder of
    case files; a file is a task file if it has a top-level 'tasks:' list, else a case file.
    """
    cases: list[Path] = []
    tasks: list[Path] = []
    problems: list[Problem] = []
    for place in paths:
        if place.is_dir() and any(os.path.lexists(place / sub) for sub in ("cases", "tasks")):
            cases.extend(_listed(place / "cases", problems))
            tasks.extend(_listed(place / "tasks", problems))
        elif place.is_dir():
            cases.extend(_listed(place, problems))
        elif place.is_file():
            (tasks if _is_task_file(place) else cases).append(place)
        else:
            problems.append(Problem(str(place), "", "no such file or folder"))
    return cases, tasks, problems


def _author_folders(problems: list[Problem]) -> tuple[list[Path], list[Path]]:
    """Check the folders named in $BSHTRAIN_CONTENT; return their case and task files."""
    cases: list[Path] = []
    tasks: list[Path] = []
    for folder in author_dirs():
        if not folder.exists():
            problems.append(Problem(str(folder), "", f"named in {CONTENT_ENV}, but there is no "
                                    "such folder"))
        elif not folder.is_dir():
            problems.append(Problem(str(folder), "", f"named in {CONTENT_ENV}, but it is a file, "
                                    "not a folder"))
        else:
            cases.extend(_listed(folder / "cases", problems))
            tasks.extend(_listed(folder / "tasks", problems))
    return cases, tasks


def _library_problems() -> list[Problem]:
    """Load the library exactly as a notebook does; what breaks it is a problem too."""
    try:
        load_cases(task_ids=set(load_catalogue()))
    except DataFileError as exc:
        return exc.problems
    except (OSError, RecursionError, ValueError) as exc:
        return [Problem(f"${CONTENT_ENV}", "", f"the case library cannot be loaded: {exc}")]
    return []


def _self_check_problems(known_labels: set[str]) -> list[Problem]:
    """The lessons' self-checks file: its schema, ids, and the works its explanations cite."""
    from bshtrain.teaching.lesson import read_self_checks  # widgets: imported only when used

    try:
        return read_self_checks(known_labels=known_labels)[1]
    except DataFileError as exc:
        return exc.problems


def validate_paths(extra: list[Path]) -> tuple[list[Problem], str]:
    """Validate the bibliography, every task file and every case (shipped, $BSHTRAIN_CONTENT,
    and `extra`), with cross-references: task ids in logs, sources in cautions, duplicate ids;
    and the lessons' self-checks, with the works they cite. Last, load the library as
    notebooks do, so nothing that breaks them goes unreported."""
    try:
        works = load_bibliography()
    except DataFileError as exc:
        return exc.problems, "the bibliography is broken; nothing else was checked"
    problems: list[Problem] = []
    author_cases, author_tasks = _author_folders(problems)
    extra_cases, extra_tasks, extra_problems = classify(extra)
    problems.extend(extra_problems)
    task_paths = [SHIPPED_TASKS, *author_tasks, *extra_tasks]
    tasks, task_problems = read_catalogue(task_paths, known_sources=set(works))
    problems.extend(task_problems)
    case_paths = [*_listed(SHIPPED_CASES, problems), *author_cases]
    case_paths += [p for p in extra_cases if p not in case_paths]
    seen: dict[str, Path] = {}
    for path in case_paths:
        try:
            case = load_case(path, set(tasks))
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        if case.id in seen:
            where = Located(path, read_yaml(path)[1])
            problems.append(where.problem(
                ("id",), f"duplicate case id '{case.id}' (also in {seen[case.id]})"))
        seen[case.id] = path
    problems.extend(_self_check_problems({w.short() for w in works.values()}))
    reported = {(p.path, p.field) for p in problems}
    places = {Path(p.path) for p in problems if not p.field}
    problems.extend(p for p in _library_problems() if (p.path, p.field) not in reported
                    and not places.intersection(Path(p.path).parents))
    summary = (f"checked {len(works)} works, {len(task_paths)} task file(s), "
               f"{len(case_paths)} case file(s), the lessons' self-checks: "
               f"{len(problems)} problem(s)")
    return problems, summary
