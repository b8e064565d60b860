"""Check every exercise's shipped options and, in a course folder, its key (bshtrain validate).

For each exercise in bshtrain/skills: every pool case has a valid options file; where the
course has `solutions/<exercise>/key.yaml`, the key validates, keys every option and factor,
cites only works in the bibliography, and its own best answers earn full marks.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path

from bshtrain.content.bibliography import bibliography
from bshtrain.content.cases import get_case, load_cases
from bshtrain.content.loading import DataFileError, Problem
from bshtrain.engine.keys import KEY_FILE, check_key, read_key
from bshtrain.engine.options import case_options, options_dir, read_case_options
from bshtrain.engine.spec import ExerciseSpec, spec_for


def exercise_specs() -> list[ExerciseSpec]:
    """Every exercise the library defines (a bshtrain.skills.<id>.spec module)."""
    import bshtrain.skills as skills

    return [spec_for(m.name) for m in pkgutil.iter_modules(skills.__path__) if m.ispkg]


def check_options(spec: ExerciseSpec) -> list[Problem]:
    problems: list[Problem] = []
    folder = options_dir(spec.id)
    for case_id in spec.pool:
        path = folder / f"{case_id}.yaml"
        if not path.is_file():
            problems.append(Problem(str(path), "", f"case '{case_id}' is in the pool of "
                                                   f"'{spec.id}' but has no options file"))
            continue
        try:
            read_case_options(path)
        except DataFileError as exc:
            problems.extend(exc.problems)
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in spec.pool:
            problems.append(Problem(str(path), "", f"not in the pool of '{spec.id}' (POOL in "
                                                   f"bshtrain/skills/{spec.id}/spec.py)"))
    return problems


def check_key_file(spec: ExerciseSpec, path: Path) -> list[Problem]:
    try:
        key, where = read_key(path)
    except DataFileError as exc:
        return exc.problems
    problems = check_key(key, where, lambda c: case_options(spec.id, c), load_cases(),
                         set(bibliography()))
    for case_id in spec.pool:
        if case_id not in key.cases:
            problems.append(where.problem(("cases",), f"pool case '{case_id}' is not keyed"))
    if problems:
        return problems
    best = _best_answers(spec)
    for case_id in key.cases:
        if best is None:
            break
        answers = best(get_case(case_id), case_options(spec.id, case_id), key.cases[case_id])
        scored = spec.score(answers, get_case(case_id), key)
        if scored.total != scored.max_total:
            problems.append(where.problem(("cases", case_id), f"the key's own best answers earn "
                                          f"{scored.total:g} of {scored.max_total:g}: some part "
                                          "has no option a plan can combine for full marks"))
    return problems


def _best_answers(spec: ExerciseSpec):
    try:
        module = __import__(f"bshtrain.skills.{spec.id}.best_plan", fromlist=["best_plan"])
    except ModuleNotFoundError:
        return None
    return module.best_plan


def check_exercises(course_root: Path | None = None) -> list[Problem]:
    """Every problem in every exercise's options and (with a course folder) keys."""
    problems: list[Problem] = []
    for spec in exercise_specs():
        problems.extend(check_options(spec))
        if course_root is not None:
            key_path = course_root / "solutions" / spec.id / KEY_FILE
            if key_path.is_file():
                problems.extend(check_key_file(spec, key_path))
    return problems
