"""nbgrader pieces the course config uses (see nbgrader_config.py and design section 3)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from bshtrain.engine.answers import AnswersFileError, AnswerStore, answers_relpath
from bshtrain.engine.identity import STUDENT_ENV
from bshtrain.engine.safe_text import markdown_text

CODE_STUB = (
    "# Only if the form above does not appear: give your answers in code here,\n"
    "# as the instructions above show, then run this cell. Otherwise leave it as it is.\n"
)
BLANKED = "# (A trainee's own code is not run at grading: the answers file is what is graded.)\n"


class StripWidgetState(NbGraderPreprocessor):
    """Remove saved widget state and execution timestamps (nbgrader keeps both)."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            cell.metadata.pop("collapsed", None)
        return nb, resources


class DropDuplicateCellIds(NbGraderPreprocessor):
    """nbgrader's DeduplicateIds, without aborting the whole run.

    nbgrader leaves a duplicated cell (an innocent copy and paste) with empty nbgrader
    metadata, which CheckCellMetadata then reads as an old format and stops autograde for
    every later student. Here the copy loses its nbgrader metadata entirely, so it is an
    ordinary trainee cell: blanked before execution, never graded. The first cell with an id
    keeps it.
    """

    def preprocess(self, nb, resources):
        seen: set[str] = set()
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id is None:
                continue
            if grade_id in seen:
                self.log.warning("Cell with id '%s' exists more than once: the copy is not graded",
                                 grade_id)
                del cell.metadata["nbgrader"]
            else:
                seen.add(grade_id)
        return nb, resources


def _graded_cells(notebook) -> list[dict]:
    """The exercise's graded cells as the gradebook holds them (in release order), each as the
    cell's nbgrader metadata plus its type and source: what a deleted cell is rebuilt from."""
    sources = {c.name: c for c in notebook.source_cells}
    solutions = {c.name for c in notebook.solution_cells}
    cells = []
    for grade in sorted(notebook.grade_cells, key=lambda c: c.id):
        source = sources.get(grade.name)
        if source is None:
            continue
        cells.append({"cell_type": grade.cell_type, "source": source.source, "nbgrader": {
            "grade": True, "grade_id": grade.name, "locked": bool(source.locked),
            "points": grade.max_score, "schema_version": 3,
            "solution": grade.name in solutions, "task": False}})
    return cells


def _restore_deleted(nb, graded: list[dict], texts: dict[str, str]) -> list[str]:
    """Put back every graded cell the trainee deleted, from the gradebook, at the end (its
    score comes from the answers file like any other). Returns the restored grade ids."""
    present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    restored = []
    for spec in graded:
        grade_id = spec["nbgrader"]["grade_id"]
        if grade_id in present:
            continue
        if spec["cell_type"] == "code":
            cell = nbformat.v4.new_code_cell(spec["source"])
        else:
            shown = _shown_free_text(texts.get(grade_id, ""), "", spec["source"])
            cell = nbformat.v4.new_markdown_cell(shown)
        cell.metadata["nbgrader"] = spec["nbgrader"]
        cell.id = f"restored-{grade_id}"[:64]
        nb.cells.append(cell)
        restored.append(grade_id)
    return restored


def _source_cells(resources) -> tuple[dict[str, tuple[bool, str, str]], list[dict]]:
    """From the gradebook, in one read: grade_id -> (locked, cell_type, source) for the
    exercise's source cells, and its graded cells (see `_graded_cells`)."""
    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gb:
        try:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return {}, []
        source = {c.name: (bool(c.locked), c.cell_type, c.source) for c in notebook.source_cells}
        return source, _graded_cells(notebook)


class GradeAnswersFileOnly(NbGraderPreprocessor):
    """Before autograde executes a notebook: run no trainee code, and show free text safely.

    - Every code cell that is not a locked cell of the source (the trainee's editable cells,
      any cell they added or duplicated) is blanked, so nothing a trainee wrote can patch the
      scorer, read keys or touch another folder. Locked cells get the gradebook's source.
    - The student id nbgrader is grading goes to BSHTRAIN_STUDENT: the grade helpers derive
      the case from it, never from the answers file.
    - Free text from the answers file goes into its manually graded cell as escaped text.
    - A graded cell the trainee deleted is put back from the gradebook, so every part is
      scored from the answers file (nbgrader would otherwise leave it waiting for a hand grade).
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        os.environ[STUDENT_ENV] = info["student"]
        source, graded = _source_cells(resources)
        free_ids = set(_free_text_cells(info["assignment"]))
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        texts = _free_text(info["assignment"], folder) if free_ids else {}
        seen: set[str] = set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            known = source.get(grade_id) if grade_id and grade_id not in seen else None
            if grade_id:
                seen.add(grade_id)
            locked = known is not None and known[0] and known[1] == cell.cell_type \
                and not meta.get("solution")
            if cell.cell_type == "code":
                cell.source = known[2] if locked else BLANKED
                cell.outputs = []
                cell.execution_count = None
            elif cell.cell_type == "markdown":
                if locked:
                    cell.source = known[2]
                elif known is not None and grade_id in free_ids:
                    cell.source = _shown_free_text(texts.get(grade_id, ""), cell.source, known[2])
                else:  # a cell the trainee added or changed: shown as text, never as HTML
                    cell.source = markdown_text(cell.source)
        restored = _restore_deleted(nb, graded, texts)
        if restored:
            self.log.warning("%s deleted graded cell(s) %s: restored from the gradebook and "
                             "scored from the answers file", info["student"], ", ".join(restored))
        return nb, resources


def _free_text_cells(exercise: str) -> list[str]:
    from bshtrain.engine.spec import spec_for

    try:
        return list(spec_for(exercise).free_text)
    except KeyError:
        return []


def _free_text(exercise: str, folder: Path) -> dict[str, str]:
    """The answers file's free-text fields, read as data (no trainee code)."""
    from bshtrain.engine.spec import spec_for

    spec = spec_for(exercise)
    try:
        saved = AnswerStore(exercise, spec.answers_model, folder).load()
    except AnswersFileError:
        return {}
    if saved is None:
        return {}
    data = saved.answers.model_dump()
    return {cell: str(data.get(field) or "") for cell, field in spec.free_text.items()}


def _shown_free_text(saved: str, typed: str, released: str) -> str:
    """The answers file's text, else text typed in the cell itself, else the released cell
    unchanged (nbgrader then scores it 0 without asking for manual grading)."""
    if saved.strip():
        return markdown_text(saved.strip())
    if typed.strip() and typed.strip() != released.strip():
        return markdown_text(typed.strip())
    return released


def remove_after(root: Path, folder: str, names: list[str]):
    """A converter hook that deletes `names` from <root>/<folder>/[<student>/]<exercise>/.

    The command-line apps leave the key out through their own ignore lists, but the
    formgrader's Generate and Feedback buttons run the same converters without that scoping:
    they copied solutions/<ex>/key.yaml into exercises/<ex>/, from where Release gave it to
    every trainee. The global ignore cannot take the key (autograde copies it in from the
    source with the same list, trap 2), so these hooks remove it after every conversion.
    """
    import shutil

    def hook(assignment, student, notebooks):
        parts = [Path(root), folder, *([] if student in (".", "", None) else [student]), assignment]
        target = Path(*parts)
        for name in names:
            path = target / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()

    return hook


def exercise_ids(source_dir: Path) -> list[str]:
    """Every exercise in the source folder: one folder per exercise, holding <id>.ipynb."""
    return sorted(p.parent.name for p in Path(source_dir).glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def exclude_overwriting(source_dir: Path) -> dict[str, list[str]]:
    """For Autograde.exclude_overwriting: every exercise's answers file (trap 1)."""
    return {ex: [answers_relpath(ex)] for ex in exercise_ids(source_dir)}


# What nbgrader prints on every run that says nothing about the course or the submissions
# (docs/instructors.md, "What nbgrader prints"). Each is matched exactly; anything else shows.
# nbgrader 0.9's Gradebook.add_submission builds a submission's rows before adding them to the
# session; with SQLAlchemy 2 (which no longer cascades along backrefs) reading them triggers an
# autoflush that warns, once per process, about these three relationships. nbgrader adds the
# whole submission right after, so nothing is lost (the pipeline tests read every grade back).
SUBMISSION_AUTOFLUSH = (r"Object of type <(SubmittedAssignment|SubmittedNotebook)> not in session, "
                        r"add operation along '(Student|Assignment|Notebook)\.submissions' will "
                        r"not proceed")
# ClearHiddenTests (in the feedback preprocessors) inherits an nbconvert setting it does not
# use: nbgrader's own class declares display_data_priority without making it configurable.
UNUSED_FEEDBACK_OPTION = "Config option `display_data_priority` not recognized by `ClearHiddenTests`."
NBGRADER_LOGGERS = ("AutogradeApp", "GenerateFeedbackApp", "NbGraderApp")


class KnownNbgraderNoise(logging.Filter):
    """Drops the exact messages in `messages` (a logging filter), and nothing else."""

    def __init__(self, messages: tuple[str, ...] = (UNUSED_FEEDBACK_OPTION,)):
        super().__init__()
        self.messages = messages

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a badly formatted record is not ours to judge: let it through
            return True
        return text not in self.messages


def quiet_known_noise(loggers: tuple[str, ...] = NBGRADER_LOGGERS) -> None:
    """Install the targeted filters (called from nbgrader_config.py, so every nbgrader process
    that loads the course config gets them: the nbgrader command, bshtrain grade's workers,
    the formgrader). Calling it again adds nothing."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=SUBMISSION_AUTOFLUSH, category=SAWarning,
                            module=r"nbgrader\.api")
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, KnownNbgraderNoise) for f in logger.filters):
            logger.addFilter(KnownNbgraderNoise())


__all__ = ["CODE_STUB", "DropDuplicateCellIds", "GradeAnswersFileOnly", "KnownNbgraderNoise",
           "StripWidgetState", "exclude_overwriting", "quiet_known_noise", "remove_after"]
