"""What a locked grade cell loads (issue 12): no display stack, and only the content the
assigned case needs, read with the same checks and the same scores as reading it all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bshtrain.content.bibliography import load_bibliography, works_for
from bshtrain.content.cases import get_case, load_cases
from bshtrain.content.loading import DataFileError
from bshtrain.content.paths import task_files
from bshtrain.content.tasks import TaskCatalogue, load_catalogue
from bshtrain.engine.answers import AnswerStore
from bshtrain.engine.keys import read_key, read_key_entries
from bshtrain.engine.spec import spec_for

from .conftest import DATA, ROOT

STUDENT = "trainee01"

# Run in a fresh interpreter in a graded folder: grade one criterion and report what was
# imported and which content files were opened (an audit hook sees every open()).
PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from bshtrain.api import grade
imported = sorted(m for m in ("ipywidgets", "pandas", "matplotlib", "IPython",
                              "bshtrain.content.render") if m in sys.modules)
opened.clear()
points = grade(sys.argv[1], sys.argv[2])
from bshtrain.content import bibliography, tasks
from bshtrain.engine import keys
whole = {"bibliography": bibliography.bibliography.cache_info().currsize,
         "catalogue": tasks.catalogue.cache_info().currsize}
key = keys.load_key(".", sys.argv[3:])
print(json.dumps({"imported": imported, "opened": opened, "points": points, "whole": whole,
                  "key_cases": sorted(key.cases), "keys_read": keys._key_entries.cache_info().misses}))
"""


def graded_folder(exercise: str, base: Path) -> tuple[Path, object]:
    """A folder as autograde leaves it: the key beside the notebook and the key's own best
    answers saved for what STUDENT works on."""
    spec = spec_for(exercise)
    folder = base / exercise
    folder.mkdir()
    shutil.copy2(ROOT / "solutions" / exercise / "key.yaml", folder / "key.yaml")
    key = read_key(folder / "key.yaml")[0]
    case = spec.case_for_student(STUDENT)
    if exercise == "select":
        items = {}
        for item in case.items:
            items.update(spec.best_answers(item.id, key.cases[item.id])[0].items)
        answers = spec.answers_model(items=items)
    else:
        answers = spec.best_answers(case.id, key.cases[case.id])[0]
    assert not AnswerStore(exercise, spec.answers_model, folder).save(case.id, answers, STUDENT).error
    return folder, case


def probe(exercise: str, criterion: str, folder: Path, entries: list[str]) -> dict:
    env = {"PATH": "", "NBGRADER_EXECUTION": "autograde", "BSHTRAIN_STUDENT": STUDENT}
    out = subprocess.run([sys.executable, "-c", PROBE, exercise, criterion, *entries], cwd=folder,
                         env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _data(opened: list[str], part: str) -> list[str]:
    """The files opened under bshtrain/data/<part>, by name."""
    folder = str(ROOT / "bshtrain" / "data" / part)
    return sorted(Path(p).name for p in opened if p.startswith(folder + "/") or p == folder)


@pytest.mark.parametrize("exercise,criterion", [("plan", "task"), ("review", "path")])
def test_first_grade_reads_only_the_assigned_case(tmp_path, exercise, criterion):
    """Does the first grade() in a fresh process import no display library, open only the
    assigned case's files (one case file, one options file), build only that case's part of
    the key, and leave the whole catalogue and bibliography unloaded, with full points for
    the key's best answers?"""
    folder, case = graded_folder(exercise, tmp_path)
    found = probe(exercise, criterion, folder, [case.id])
    assert found["imported"] == []
    assert _data(found["opened"], "cases") == [f"{case.id}.yaml"]
    assert _data(found["opened"], f"exercises/{exercise}") == [f"{case.id}.yaml"]
    assert found["whole"] == {"bibliography": 0, "catalogue": 0}
    assert found["key_cases"] == [case.id] and found["keys_read"] == 1
    assert found["points"] == spec_for(exercise).criteria[criterion]


def test_select_grade_reads_the_key_for_its_six_cases_only(tmp_path):
    """Does grading select build only the key entries of the six short cases drawn?"""
    folder, items = graded_folder("select", tmp_path)
    ids = [item.id for item in items.items]
    found = probe("select", "tasks", folder, ids)
    assert found["imported"] == [] and found["key_cases"] == sorted(ids)
    assert found["whole"]["bibliography"] == 0
    assert found["points"] == spec_for("select").criteria["tasks"]


@pytest.mark.parametrize("exercise", ["plan", "select", "review"])
def test_part_of_a_key_is_the_same_as_the_whole(exercise):
    """Is each entry read on its own equal to the same entry of the whole key?"""
    path = ROOT / "solutions" / exercise / "key.yaml"
    whole = read_key(path)[0]
    for entry in whole.cases:
        part = read_key_entries(path, [entry])
        assert part.cases == {entry: whole.cases[entry]}
        assert (part.exercise, part.panel) == (whole.exercise, whole.panel)


def test_a_bad_entry_read_alone_names_the_same_field_and_line(tmp_path):
    """Is a mistake in the one entry a grade reads reported as reading the whole key
    reports it (file, field, line), and does an entry with no mistake still read?"""
    text = (ROOT / "solutions" / "plan" / "key.yaml").read_text()
    whole = read_key(ROOT / "solutions" / "plan" / "key.yaml")[0]
    first, other = list(whole.cases)[:2]
    start = text.index(f"\n  {first}:")
    at = text.index("credit: ", start)
    path = tmp_path / "key.yaml"
    path.write_text(text[:at] + "credit: 7" + text[text.index("\n", at):])
    with pytest.raises(DataFileError) as everything:
        read_key(path)
    with pytest.raises(DataFileError) as alone:
        read_key_entries(path, [first])
    assert [str(p) for p in alone.value.problems] == [str(p) for p in everything.value.problems]
    assert read_key_entries(path, [other]).cases[other] == whole.cases[other]


def test_works_and_tasks_read_one_by_one_equal_the_whole_files():
    """Is every work and every task read on its own equal to the one the whole file gives,
    in the same order, and is a key not in the bibliography still an error?"""
    works = load_bibliography()
    assert works_for(works) == works
    catalogue = TaskCatalogue(task_files([]))
    whole = load_catalogue(task_files([]))
    assert list(catalogue) == list(whole)
    assert all(catalogue[task_id] == task for task_id, task in whole.items())
    assert catalogue.get("no-task") is None
    with pytest.raises(KeyError, match="not-a-work"):
        works_for(["not-a-work"])


def test_one_case_is_read_and_checked_alone(tmp_path, monkeypatch):
    """Is a case read from its own file equal to the library's, with its log still checked
    against the task catalogue, while a broken case elsewhere does not stop it?"""
    library = load_cases()
    assert all(get_case(case_id) == case for case_id, case in library.items())
    (tmp_path / "cases").mkdir()
    text = (DATA / "case-x.yaml").read_text()
    (tmp_path / "cases" / "case-x.yaml").write_text(text)  # its log names a fixture task
    (tmp_path / "cases" / "broken.yaml").write_text("id: [")
    monkeypatch.setenv("BSHTRAIN_CONTENT", str(tmp_path))
    with pytest.raises(DataFileError, match="unknown task id 'schedule-one-activity'"):
        get_case("case-x")
    assert get_case("amara") == library["amara"]
    with pytest.raises(KeyError, match=r"known: .*broken.*case-x"):
        get_case("nobody")
