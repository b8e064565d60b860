"""What in a submission needs the instructor's look, said in words (design 7).

Read from the submission folder before grading, the way the grade cells read it (the engine's
answers store, the case from the student id), so each reason matches what the autograded
notebook says. Nothing here changes a file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bshtrain.engine.answers import ANSWERS_DIR, AnswersFileError, AnswerStore, answers_relpath
from bshtrain.engine.identity import case_for
from bshtrain.engine.spec import ExerciseSpec, spec_for

# Kinds of problem, in the order a table lists them.
NOTEBOOK_MISSING = "notebook missing"
NO_ANSWERS = "no answers file"
WRONG_PLACE = "answers file in the wrong place"
UNREADABLE = "unreadable answers file"
EMPTY = "empty answers file"
OTHER_CASE = "answers for another case"
DUPLICATED = "duplicated cell"
FAILED = "grading failed"
NOT_SUBMITTED = "not submitted"
HAND_GRADING = "free text not yet graded by hand"
KINDS = (NOTEBOOK_MISSING, NO_ANSWERS, WRONG_PLACE, UNREADABLE, EMPTY, OTHER_CASE, DUPLICATED,
         FAILED, NOT_SUBMITTED, HAND_GRADING)

MAX_SCANNED = 500  # files looked at in one submission when searching for a misplaced answers file
MAX_PEEK = 1_000_000  # bytes read from a JSON file to see whether it is an answers file


@dataclass(frozen=True)
class Problem:
    """One thing to look at in one student's submission."""

    student: str
    kind: str
    text: str  # the reason in words, for the instructor (files named from the course folder)
    trainee: str = ""  # the same, for the trainee's feedback (files named from their folder)

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def assigned_case(spec: ExerciseSpec, student: str):
    """What the student works on (it has .id and .name), derived from the name as at grading."""
    if hasattr(spec, "case_for_student"):
        return spec.case_for_student(student)
    from bshtrain.content.cases import get_case

    return get_case(case_for(student, spec.pool))


def chosen_by_entry(spec: ExerciseSpec, answers, case_id: str) -> dict[str, set[str]]:
    """Key entry (a case, or an item of a case) -> the option ids these answers chose."""
    if spec.rater_choices is None:
        return {}
    try:
        groups = spec.rater_choices(answers, case_id)
    except TypeError:  # the older one-argument form: groups of one case
        groups = {(case_id, g): ids for g, ids in spec.rater_choices(answers).items()}
    out: dict[str, set[str]] = {}
    for name, ids in groups.items():
        entry = name[0] if isinstance(name, tuple) else case_id
        out.setdefault(entry, set()).update(i for i in ids if i)
    return out


def _spec(exercise: str) -> ExerciseSpec | None:
    try:
        return spec_for(exercise)
    except KeyError:
        return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _looks_like_answers(path: Path, exercise: str) -> bool:
    if path.name == f"{exercise}.json":
        return True
    if path.suffix != ".json":
        return False
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PEEK)
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("exercise") == exercise and "answers" in data


def misplaced_answers(folder: Path, exercise: str) -> list[Path]:
    """Answers files for `exercise` anywhere in a submission except answers/<exercise>.json."""
    expected = folder / answers_relpath(exercise)
    found: list[Path] = []
    scanned = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
        for name in sorted(filenames):
            scanned += 1
            if scanned > MAX_SCANNED:
                return found
            path = Path(dirpath) / name
            if path == expected or path.is_symlink() or not path.is_file():
                continue
            if _looks_like_answers(path, exercise):
                found.append(path)
    return found


def duplicated_cells(notebook: Path) -> dict[str, int]:
    """grade_id -> how many cells carry it, for ids used more than once."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cells = nb.get("cells", []) if isinstance(nb, dict) else []
        ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells
               if isinstance(c, dict)]
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return {}
    return {i: n for i, n in Counter(i for i in ids if isinstance(i, str)).items() if n > 1}


def check_submission(root: Path, exercise: str, student: str,
                     folder: Path | None = None) -> list[Problem]:
    """Everything that needs a look in submitted/<student>/<exercise>/ (or `folder`)."""
    folder = folder or root / "submitted" / student / exercise
    found: list[Problem] = []

    def add(kind: str, text: str, trainee: str = "") -> None:
        found.append(Problem(student, kind, text, trainee))

    if not folder.is_dir():
        add(NOT_SUBMITTED, f"there is no {_rel(folder, root)}/ folder")
        return found
    notebook = folder / f"{exercise}.ipynb"
    answers = folder / answers_relpath(exercise)
    spec = _spec(exercise)
    has_answers = os.path.lexists(answers)
    if not notebook.is_file():
        held = f"; {answers_relpath(exercise)} is there" if has_answers else ""
        add(NOTEBOOK_MISSING, f"{_rel(notebook, root)} is not in the submission{held}. "
                              "Recorded in the gradebook as 0: nbgrader grades the notebook, "
                              "so nothing was scored. Ask the trainee to submit the notebook too.",
            f"Your submission did not include the notebook {exercise}.ipynb, so nothing could "
            f"be graded (0 points). Submit the notebook together with its "
            f"{ANSWERS_DIR} folder, and tell your instructor.")
    else:
        for grade_id, n in sorted(duplicated_cells(notebook).items()):
            add(DUPLICATED, f"the cell '{grade_id}' appears {n} times in {_rel(notebook, root)}; "
                            "only the first is graded, the copies are not (the answers file is "
                            "graded as usual)",
                f"The cell '{grade_id}' appeared {n} times in your notebook. Only the first "
                "was graded; your answers file was graded as usual.")
    if spec is None:
        return found
    if not has_answers:
        stray = misplaced_answers(folder, exercise)
        if stray:
            where = ", ".join(_rel(p, root) for p in stray)
            mine = ", ".join(_rel(p, folder) for p in stray)
            add(WRONG_PLACE, f"found {where}, but answers are read only from "
                             f"{answers_relpath(exercise)} beside the notebook, so it was not "
                             f"graded (scored 0). Move it to {_rel(answers, root)} and grade again.",
                f"Your answers file was in your submission as {mine}, not as "
                f"{answers_relpath(exercise)} beside the notebook, so it was not graded "
                "(0 points). Tell your instructor: the file is kept.")
        else:
            kept = sorted(p.name for p in (folder / ANSWERS_DIR).glob(f"{exercise}.json.unreadable-*")) \
                if (folder / ANSWERS_DIR).is_dir() else []
            extra = (f"; the trainee's notebook had set aside an unreadable earlier file as "
                     f"{', '.join(kept)}") if kept else ""
            add(NO_ANSWERS, f"{_rel(answers, root)} is not in the submission, so nothing could "
                            f"be scored (0){extra}",
                f"Your submission had no answers file ({answers_relpath(exercise)}), so "
                f"nothing could be scored (0 points). The form saves your answers there: keep "
                f"the {ANSWERS_DIR} folder next to the notebook when you submit.")
        return found
    store = AnswerStore(exercise, spec.answers_model, folder)
    try:
        saved = store.load()
    except AnswersFileError as exc:
        reason = "; ".join(f"(field '{p.field}') {p.message}" if p.field else p.message
                           for p in exc.problems) or str(exc)
        add(UNREADABLE, f"{_rel(answers, root)} {reason}. Scored 0; the file is kept exactly as "
                        f"submitted there (and copied unchanged to "
                        f"autograded/{student}/{exercise}/{answers_relpath(exercise)}).",
            f"Your answers file ({answers_relpath(exercise)}) could not be read: {reason}. "
            "Nothing could be scored (0 points). The file is kept exactly as you submitted it; "
            "tell your instructor.")
        return found
    if saved is None:  # a broken link or a file removed meanwhile
        add(NO_ANSWERS, f"{_rel(answers, root)} could not be found when read (scored 0)",
            f"Your answers file ({answers_relpath(exercise)}) could not be found when it was "
            "read, so nothing could be scored (0 points). Tell your instructor.")
        return found
    assigned = assigned_case(spec, student).id
    if saved.case != assigned:
        add(OTHER_CASE, f"{_rel(answers, root)} holds answers for the case '{saved.case}', but "
                        f"{student} is assigned '{assigned}'. Answers for another case are not "
                        "graded (scored 0).",
            f"Your answers file holds answers for another client's case ('{saved.case}'); "
            f"your case is '{assigned}', shown above. Answers for another case are not graded "
            "(0 points). Tell your instructor.")
    elif saved.answers == spec.answers_model():
        add(EMPTY, f"{_rel(answers, root)} holds no answers (scored 0)",
            f"Your answers file ({answers_relpath(exercise)}) holds no answers, so nothing "
            "could be scored (0 points).")
    return found
