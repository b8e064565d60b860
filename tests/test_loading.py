"""Loading cases, tasks and the bibliography: errors name the file, the field and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bshtrain.content.bibliography import load_bibliography
from bshtrain.content.cases import load_case
from bshtrain.content.loading import DataFileError
from bshtrain.content.tasks import load_tasks

from .conftest import DATA


def _line(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` that contains `text`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _edited_case(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((DATA / "case-x.yaml").read_text())
    edit(data)
    path = tmp_path / "case-x.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_fixture_case_loads(case):
    """Does a well-formed case load with its nested parts?"""
    assert case.id == "case-x"
    assert case.factor("withdrawal").mechanism == "inactivity"
    assert case.homework_log[0].task == "schedule-one-activity"


def test_missing_field_names_file_and_field(tmp_path, tasks):
    """Is a missing required field reported with the file, the field and 'required'?"""
    path = _edited_case(tmp_path, lambda d: d.pop("goals"))
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    # a missing field is placed at the line of the mapping that should hold it
    assert str(err.value) == f"{path}, line 1, field 'goals': is required but missing"


def test_wrong_type_names_line_and_expected(tmp_path, tasks):
    """Is a wrong type reported with its line, what was expected and what was found?"""
    path = _edited_case(tmp_path, lambda d: d.update(age="forty"))
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("age:"))
    assert str(err.value) == (f"{path}, line {line}, field 'age': expected: input should be a "
                              "valid integer, unable to parse string as an integer; got 'forty'")


def test_unknown_vocabulary_word_is_rejected(tmp_path, tasks):
    """Is a misspelt approach rejected, listing the allowed words?"""
    path = _edited_case(tmp_path, lambda d: d.update(approach="behavioral-activation"))
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    problem = err.value.problems[0]
    assert problem.field == "approach"
    assert "'behavioural-activation'" in problem.message
    assert problem.message.endswith("got 'behavioral-activation'")


def test_unknown_task_in_log(tmp_path, tasks):
    """Does a homework log naming a task that does not exist fail, naming the entry?"""
    def edit(d):
        d["homework_log"][0]["task"] = "no-such-task"
    path = _edited_case(tmp_path, edit)
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    line = _line(path, "task: no-such-task")
    assert str(err.value) == (f"{path}, line {line}, field 'homework_log.0.task': "
                              "unknown task id 'no-such-task'")


def test_unknown_field_is_rejected(tmp_path, tasks):
    """Is a field the model does not know (a typo) reported rather than ignored?"""
    path = _edited_case(tmp_path, lambda d: d.update(goalz=[]))
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    assert err.value.problems[0].field == "goalz"
    assert err.value.problems[0].message == "is not a known field (check the spelling)"


def test_takeaway_must_relate_to_known_factor(tmp_path, tasks):
    """Does a takeaway linked to a maintaining factor that does not exist fail?"""
    def edit(d):
        d["session"]["takeaways"][0]["relates_to"] = ["ghost"]
    path = _edited_case(tmp_path, edit)
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    assert err.value.problems[0].field == "session.takeaways.0.relates_to"


def test_broken_yaml_reports_line(tmp_path):
    """Is broken YAML reported with the file and the line of the fault?"""
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nname: [unclosed\nage: 3\n")
    with pytest.raises(DataFileError) as err:
        load_case(path)
    problem = err.value.problems[0]
    assert problem.path == str(path)
    assert problem.line == 3
    assert problem.message.startswith("is not valid YAML")


def test_missing_file(tmp_path):
    """Is a missing file reported as such, by name?"""
    with pytest.raises(DataFileError) as err:
        load_case(tmp_path / "nobody.yaml")
    assert str(err.value) == f"{tmp_path / 'nobody.yaml'}: file not found"


def test_case_id_must_match_file_name(tmp_path, tasks):
    """Must a case's id match its file name, so ids stay unique and findable?"""
    path = _edited_case(tmp_path, lambda d: d.update(id="other"))
    with pytest.raises(DataFileError) as err:
        load_case(path, set(tasks))
    assert err.value.problems[0].message == "expected 'case-x' (the file's name), got 'other'"


def test_task_with_unknown_source_key(tmp_path, works):
    """Does a caution citing a key missing from the bibliography fail on load?"""
    text = (DATA / "tasks.yaml").read_text().replace("sources: [ryum-2023-review]",
                                                      "sources: [work-z]")
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    with pytest.raises(DataFileError) as err:
        load_tasks(path, known_sources=set(works))
    line = _line(path, "sources: [work-z]")
    assert str(err.value) == (f"{path}, line {line}, field 'tasks.1.cautions.0.sources': "
                              "unknown bibliography key 'work-z'")


def test_every_bad_task_is_reported_at_once(tmp_path):
    """Are problems in several tasks all reported, not just the first?"""
    data = yaml.safe_load((DATA / "tasks.yaml").read_text())
    data["tasks"][0]["demands"]["literacy"] = "very"
    del data["tasks"][2]["targets"]
    path = tmp_path / "tasks.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(DataFileError) as err:
        load_tasks(path)
    fields = [p.field for p in err.value.problems]
    assert fields == ["tasks.0.demands.literacy", "tasks.2.targets"]


def test_duplicate_task_id(tmp_path):
    """Is a duplicate task id an error?"""
    data = yaml.safe_load((DATA / "tasks.yaml").read_text())
    data["tasks"][1]["id"] = data["tasks"][0]["id"]
    path = tmp_path / "tasks.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(DataFileError, match="duplicate or reserved id 'schedule-one-activity'"):
        load_tasks(path)


def test_bibliography_rejects_ambiguous_labels(tmp_path):
    """Are two works with the same author-year label rejected until the year gets a letter?"""
    data = yaml.safe_load((DATA / "bibliography.yaml").read_text())
    twin = dict(data["works"][0], key="work-a2", doi=None)
    data["works"].append(twin)
    path = tmp_path / "bib.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(DataFileError, match=re.escape("'Author et al., 2020' is ambiguous")):
        load_bibliography(path)


def test_reference_format(works):
    """Is a work rendered as a full reference with its DOI link?"""
    assert works["work-a"].reference() == (
        "Author, A., Writer, B., & Third, C. (2020). A study. Journal of Tests, 1(1), 1-2. "
        "https://doi.org/10.0000/test.1")
    assert works["work-b"].short() == "Solo, 2021"
