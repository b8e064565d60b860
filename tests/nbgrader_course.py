"""A throw-away copy of the course for driving the real nbgrader in tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from bshtrain.instructor.course import Course, run_nbgrader

from .conftest import ROOT


def copy_course(dest: Path) -> Course:
    """Copy what nbgrader needs (config, solutions, exercises) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, dest / folder,
                        ignore=shutil.ignore_patterns("answers", ".ipynb_checkpoints"))
    return Course(dest)


def place_submission(course: Course, student: str, exercise: str, notebook: nbformat.NotebookNode,
                     answers_text: str | None) -> Path:
    """Put a submission where `nbgrader collect` would: submitted/<student>/<exercise>/."""
    folder = course.root / "submitted" / student / exercise
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{exercise}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
    if answers_text is not None:
        (folder / "answers").mkdir()
        (folder / "answers" / f"{exercise}.json").write_text(answers_text, encoding="utf-8")
    return folder


def cell_scores(course: Course, exercise: str) -> dict[str, dict[str, float | None]]:
    """Scores per student per grade cell, read through nbgrader's gradebook API."""
    scores: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(exercise):
            notebook = gb.find_submission_notebook(exercise, exercise, submission.student_id)
            scores[submission.student_id] = {g.name: g.score for g in notebook.grades}
    return scores


def outputs_text(notebook_path: Path, cell_id: str) -> str:
    """All text a cell printed, in an autograded notebook."""
    nb = json.loads(notebook_path.read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == cell_id)
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        if out.get("output_type") == "error":
            parts.append(out["ename"] + ": " + out["evalue"])
        if "data" in out and "text/plain" in out["data"]:
            parts.append("".join(out["data"]["text/plain"]))
    return "\n".join(parts)


__all__ = ["cell_scores", "copy_course", "outputs_text", "place_submission", "run_nbgrader"]
