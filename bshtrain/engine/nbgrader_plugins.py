"""nbgrader pieces the course config uses (see nbgrader_config.py and design section 3)."""

from __future__ import annotations

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from bshtrain.engine.answers import answers_relpath

CODE_STUB = (
    "# Only if the form above does not appear: give your answers in code here,\n"
    "# as the instructions above show, then run this cell. Otherwise leave it as it is.\n"
)


class StripWidgetState(NbGraderPreprocessor):
    """Remove saved widget state and execution timestamps (nbgrader keeps both)."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            cell.metadata.pop("collapsed", None)
        return nb, resources


def exercise_ids(source_dir: Path) -> list[str]:
    """Every exercise in the source folder: one folder per exercise, holding <id>.ipynb."""
    return sorted(p.parent.name for p in Path(source_dir).glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def exclude_overwriting(source_dir: Path) -> dict[str, list[str]]:
    """For Autograde.exclude_overwriting: every exercise's answers file (trap 1)."""
    return {ex: [answers_relpath(ex)] for ex in exercise_ids(source_dir)}
