"""Check every data file and cross-reference, reporting all problems at once."""

from __future__ import annotations

from pathlib import Path

from bshtrain.content.bibliography import load_bibliography
from bshtrain.content.cases import load_case
from bshtrain.content.loading import DataFileError, Located, Problem, read_yaml
from bshtrain.content.paths import author_dirs, case_dirs, task_files
from bshtrain.content.tasks import read_catalogue


def _is_task_file(path: Path) -> bool:
    try:
        data, _ = read_yaml(path)
    except DataFileError:
        return False
    return isinstance(data, dict) and "tasks" in data and "id" not in data


def classify(paths: list[Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """Sort what the author named into case files and task files.

    A folder holding cases/ or tasks/ is an author folder; any other folder is a folder of
    case files; a file is a task file if it has a top-level 'tasks:' list, else a case file.
    """
    cases: list[Path] = []
    tasks: list[Path] = []
    problems: list[Problem] = []
    for place in paths:
        if place.is_dir() and ((place / "cases").is_dir() or (place / "tasks").is_dir()):
            cases.extend(sorted((place / "cases").glob("*.yaml")))
            tasks.extend(sorted((place / "tasks").glob("*.yaml")))
        elif place.is_dir():
            cases.extend(sorted(place.glob("*.yaml")))
        elif place.is_file():
            (tasks if _is_task_file(place) else cases).append(place)
        else:
            problems.append(Problem(str(place), "", "no such file or folder"))
    return cases, tasks, problems


def validate_paths(extra: list[Path]) -> tuple[list[Problem], str]:
    """Validate the bibliography, every task file and every case (shipped, $BSHTRAIN_CONTENT,
    and `extra`), with cross-references: task ids in logs, sources in cautions, duplicate ids."""
    try:
        works = load_bibliography()
    except DataFileError as exc:
        return exc.problems, "the bibliography is broken; nothing else was checked"
    extra_cases, extra_tasks, problems = classify(extra)
    task_paths = [*task_files(), *extra_tasks]
    tasks, task_problems = read_catalogue(task_paths, known_sources=set(works))
    problems.extend(task_problems)
    case_paths = [p for d in case_dirs(author_dirs()) for p in sorted(d.glob("*.yaml"))]
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
    summary = (f"checked {len(works)} works, {len(task_paths)} task file(s), "
               f"{len(case_paths)} case file(s): {len(problems)} problem(s)")
    return problems, summary
