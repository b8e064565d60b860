"""Every lesson and every solution notebook runs top to bottom in a real kernel, and every
committed notebook is clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
ALL = sorted([*LESSONS, *SOLUTIONS, *(ROOT / "exercises").glob("*/*.ipynb")])


def _execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / path.name
    shutil.copy2(path, target)
    nb = nbformat.read(target, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


@pytest.mark.notebooks
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_executes(path, tmp_path):
    """Does the lesson run without error, and does it save nothing?"""
    nb = _execute(path, tmp_path / "lessons")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert sorted(p.name for p in (tmp_path / "lessons").iterdir()) == [path.name]


@pytest.mark.notebooks
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_solution_executes_and_scores_full_marks(path, tmp_path):
    """Run beside its key in a folder of its own (as a trainee's, so answers are saved): does
    the solution run without error, save its answers through the code twin, and does every
    grade cell score its full points?"""
    workdir = tmp_path / path.parent.name
    shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns("*.ipynb", "answers"))
    nb = _execute(path, workdir)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    saved = json.loads((workdir / "answers" / f"{path.stem}.json").read_text())
    assert saved["exercise"] == path.stem
    graded = [c for c in nb.cells if c.cell_type == "code"
              and c.metadata.get("nbgrader", {}).get("grade")]
    assert graded
    for cell in graded:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        points = cell.metadata["nbgrader"]["points"]
        assert float(results[0].data["text/plain"]) == points, cell.metadata["nbgrader"]["grade_id"]


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebook_is_clean(path):
    """Is the notebook committed with no outputs, execution counts or widget state?"""
    nb = json.loads(path.read_text())
    assert "widgets" not in nb["metadata"]
    dirty = [c.get("id") for c in nb["cells"] if c.get("outputs") or c.get("execution_count")]
    assert dirty == []
