"""Check every exercise's shipped options and, in a course folder, its key (bshtrain validate).

For each exercise in bshtrain/skills (its spec says what to check): the shipped content is
valid; where the course has `solutions/<exercise>/key.yaml`, the key validates, keys every
option and factor, cites only works in the bibliography, and its own best answers earn full
marks.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

from bshtrain.content.bibliography import bibliography
from bshtrain.content.loading import DataFileError, Problem
from bshtrain.engine.keys import KEY_FILE, check_key, read_key
from bshtrain.engine.spec import ExerciseSpec, spec_for


def exercise_specs() -> list[ExerciseSpec]:
    """Every exercise the library defines (a bshtrain.skills.<id>.spec module)."""
    import bshtrain.skills as skills

    found = []
    for module in pkgutil.iter_modules(skills.__path__):
        if module.ispkg and (Path(skills.__path__[0]) / module.name / "spec.py").is_file():
            found.append(spec_for(module.name))
    return found


def check_key_file(spec: ExerciseSpec, path: Path) -> list[Problem]:
    """The key validates, covers what the exercise shows, cites known works, and its own best
    answers earn full marks."""
    try:
        key, where = read_key(path)
    except DataFileError as exc:
        return exc.problems
    if spec.key_ids is None:
        return []
    try:
        expected = spec.key_ids()
    except DataFileError as exc:
        return exc.problems
    problems = check_key(key, where, expected, set(bibliography()))
    if problems or spec.best_answers is None:
        return problems
    for entry, case_key in key.cases.items():
        answers, case = spec.best_answers(entry, case_key)
        scored = spec.score(answers, case, key)
        if scored.total != scored.max_total:
            problems.append(where.problem(("cases", entry), f"the key's own best answers earn "
                                          f"{scored.total:g} of {scored.max_total:g}: some part "
                                          "has no option a plan can combine for full marks"))
    return problems


def check_exercises(course_root: Path | None = None) -> list[Problem]:
    """Every problem in every exercise's shipped content and (with a course folder) keys."""
    problems: list[Problem] = []
    for spec in exercise_specs():
        if spec.content_problems is not None:
            problems.extend(spec.content_problems())
        if course_root is not None:
            key_path = course_root / "solutions" / spec.id / KEY_FILE
            if key_path.is_file():
                problems.extend(check_key_file(spec, key_path))
            elif (course_root / "solutions" / spec.id).is_dir():
                problems.append(Problem(str(key_path), "", f"exercise '{spec.id}' has no key"))
    return problems
