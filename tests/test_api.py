"""The import paths released notebooks use are a public contract."""

from __future__ import annotations

import json
import re

import bshtrain.api

from .conftest import ROOT

IMPORT = re.compile(r"from (bshtrain[\w.]*) import ([\w, ]+)")


def test_api_names_are_pinned():
    """Is bshtrain.api exactly these names? Removing one breaks released notebooks."""
    assert sorted(bshtrain.api.__all__) == ["grade", "open_exercise", "show_answers"]
    for name in bshtrain.api.__all__:
        assert callable(getattr(bshtrain.api, name))


def test_released_locked_cells_import_only_the_api():
    """Do locked cells in exercises/ import from bshtrain.api only, and only its names?"""
    found = []
    for path in sorted((ROOT / "exercises").rglob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] != "code" or not meta.get("locked"):
                continue
            for module, names in IMPORT.findall("".join(cell["source"])):
                found.append((module, *[n.strip() for n in names.split(",")]))
    assert found, "no locked imports found"
    assert {f[0] for f in found} == {"bshtrain.api"}
    assert {n for f in found for n in f[1:]} <= set(bshtrain.api.__all__)


def test_grade_cells_do_not_import_widgets():
    """Can the grade helpers be imported without ipywidgets, pandas or matplotlib?"""
    import subprocess
    import sys

    code = ("import sys; import bshtrain.api; from bshtrain.skills.plan import spec; "
            "print(sorted(m for m in ('ipywidgets', 'pandas', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
