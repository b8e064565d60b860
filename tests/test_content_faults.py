"""Content tools under bad input (issue 9): each problem names its file, field and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from bshtrain.content.cases import load_case, load_cases
from bshtrain.content.homework_log import plot_log
from bshtrain.content.loading import DataFileError, read_model, read_yaml
from bshtrain.content.tasks import load_tasks, read_catalogue

from .conftest import DATA, FIXTURES, ROOT

FAULTS = FIXTURES / "faults"
SOURCES = {"ryum-2023-review"}  # the one work the fixture tasks cite


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- C1: a YAML alias bomb ------------------------------------------------------------------

def test_alias_bomb_is_refused_quickly():
    """Is a 1 KB "billion laughs" file refused within seconds, naming the file and the line
    of its first alias? (In a subprocess, so the test fails rather than hangs without the fix.)"""
    bomb = FAULTS / "billion-laughs.yaml"
    assert bomb.stat().st_size < 1024
    code = ("import sys\nfrom pathlib import Path\n"
            "from bshtrain.content.loading import DataFileError, read_yaml\n"
            "try:\n    read_yaml(Path(sys.argv[1]))\n"
            "except DataFileError as exc:\n    print(exc)\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(bomb)], cwd=ROOT, text=True,
                              capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a 1 KB alias bomb ran for more than 30 s")
    assert proc.stdout.strip() == (
        f"{bomb}, line {_line(bomb, '*a0')}: its aliases (*name) expand to more than 100,000 "
        "values: write the values out instead of repeating them through aliases")


def test_a_few_aliases_are_still_read(tmp_path):
    """Is YAML with a harmless alias (as yaml.safe_dump writes for a shared list) still read?"""
    path = tmp_path / "shared.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    data, index = read_yaml(path)
    assert data == {"a": [1, 2], "b": [1, 2]} and index[("b",)] == 2


# --- C2: duplicate keys ---------------------------------------------------------------------

def test_duplicate_keys_are_problems_with_field_and_line(tmp_path, tasks):
    """Are keys given twice in one mapping (PyYAML keeps the last silently) each reported with
    the file, the field and the line?"""
    text = (DATA / "case-x.yaml").read_text()
    text = text.replace("  energy: low\n", "  energy: low\n  literacy: high\n")
    text += "name: Someone Else\n"
    path = tmp_path / "case-x.yaml"
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    assert [str(p) for p in err.value.problems] == [
        f"{path}, line {_line(path, 'literacy: high')}, field 'constraints.literacy': duplicate "
        f"key (also on line {_line(path, 'literacy: medium')}): only one would be used",
        f"{path}, line {_line(path, 'name: Someone Else')}, field 'name': duplicate key (also "
        "on line 2): only one would be used",
    ]


# --- C3: an author cases/ folder that cannot be read ----------------------------------------

def test_cases_being_a_file_is_a_problem(tmp_path):
    """Is an author folder whose `cases` is a file (not a folder) reported, not skipped?
    (A real file named `cases`: the tests run as root, which ignores permissions.)"""
    (tmp_path / "cases").write_text("not a folder")
    with pytest.raises(DataFileError) as err:
        load_cases([tmp_path / "cases"], task_ids=set())
    assert str(err.value) == f"{tmp_path / 'cases'}: expected a folder, found a file"


def test_cases_folder_that_cannot_be_listed_is_a_problem(tmp_path, monkeypatch):
    """Is a cases/ folder whose listing fails (permission denied, simulated by making
    os.scandir fail for it, since root may read anything) reported, not silently empty?"""
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "case-x.yaml").write_text((DATA / "case-x.yaml").read_text())
    real_scandir = os.scandir

    def refuse(path="."):
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(DataFileError) as err:
        load_cases([folder], task_ids=set())
    assert str(err.value) == f"{folder}: folder cannot be read (Permission denied)"


# --- C5: task problems name the item by its place in the file -------------------------------

def test_task_problem_after_an_invalid_item_names_the_right_task(tmp_path):
    """With the first task invalid, is an unknown source in the second reported at 'tasks.1'
    and its line (not 'tasks.0', counted over the valid items only)?"""
    data = yaml.safe_load((DATA / "tasks.yaml").read_text())
    del data["tasks"][0]["targets"]
    data["tasks"][1]["cautions"][0]["sources"] = ["work-z"]
    path = tmp_path / "tasks.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(DataFileError) as err:
        load_tasks(path, known_sources=SOURCES)
    assert [str(p) for p in err.value.problems] == [
        f"{path}, line {_line(path, '- id: schedule-one-activity')}, field 'tasks.0.targets': "
        "is required but missing",
        f"{path}, line {_line(path, 'sources:')}, field 'tasks.1.cautions.0.sources': "
        "unknown bibliography key 'work-z'",
    ]


def test_duplicate_across_files_after_a_duplicate_names_the_right_task(tmp_path):
    """In an author file whose first two tasks share an id, is a third that repeats a task of
    an earlier file reported at 'tasks.2' and its line?"""
    data = yaml.safe_load((DATA / "tasks.yaml").read_text())
    own = dict(data["tasks"][0], id="own-task")
    author = {"tasks": [own, dict(own), dict(data["tasks"][2])]}
    path = tmp_path / "author.yaml"
    path.write_text(yaml.safe_dump(author, sort_keys=False))
    merged, problems = read_catalogue([DATA / "tasks.yaml", path], known_sources=SOURCES)
    assert "own-task" in merged
    lines = [i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("- id:")]
    assert [str(p) for p in problems] == [
        f"{path}, line {lines[1]}, field 'tasks.1.id': duplicate or reserved id 'own-task'",
        f"{path}, line {lines[2]}, field 'tasks.2.id': duplicate task id 'worry-time' "
        f"(also in {DATA / 'tasks.yaml'})",
    ]


# --- A4 (loading): the field as an author knows it ------------------------------------------

class _Often(BaseModel):
    model_config = ConfigDict(extra="forbid")

    how_often: Literal["daily", "weekly"] | int


def test_union_field_is_named_without_pydantics_type_tags(tmp_path):
    """Is a bad value in a field that takes one of several types reported once, as
    'how_often' at its line, not as "how_often.literal['daily','weekly']" and 'how_often.int'?"""
    path = tmp_path / "often.yaml"
    path.write_text("# a comment\nhow_often: hourly\n")
    with pytest.raises(DataFileError) as err:
        read_model(_Often, path)
    assert [str(p) for p in err.value.problems] == [
        f"{path}, line 2, field 'how_often': expected: input should be 'daily' or 'weekly'; "
        "got 'hourly'"]


# --- C6: a '$' in a case name ---------------------------------------------------------------

def test_dollar_signs_in_a_case_name_do_not_break_the_chart(case):
    """Does a case name with '$' signs (matplotlib would read them as mathtext and fail)
    draw, showing the name as written?"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    odd = case.model_copy(update={"name": r"Sam $\frac$ $5 a $day"})
    fig = plot_log(odd)
    try:
        fig.canvas.draw()
        title = fig.axes[0].get_title()
        assert title == r"Sam \$\frac\$ \$5 a \$day: homework across sessions"
    finally:
        plt.close(fig)
