"""The answers file: atomic writes, the grading guard, unreadable files kept, odd text."""

from __future__ import annotations

import json
import os

import pytest

from bshtrain.engine.answers import SCHEMA_VERSION, AnswersFileError, AnswerStore
from bshtrain.teaching.plan import HomeworkPlan


@pytest.fixture
def store(tmp_path):
    return AnswerStore("plan", HomeworkPlan, tmp_path)


def test_no_file_loads_as_none(store):
    """Is a missing answers file 'nothing saved yet', not an error?"""
    assert store.load() is None
    assert not store.path.exists()


def test_round_trip(store):
    """Does a saved plan load back equal, with the case and schema recorded?"""
    plan = HomeworkPlan(task="worry-time", minutes=10, willingness=8)
    assert store.save("case-x", plan, "alice").written
    saved = store.load()
    assert (saved.case, saved.answers, saved.trainee) == ("case-x", plan, "alice")
    raw = json.loads(store.path.read_text())
    assert raw["exercise"] == "plan" and raw["schema_version"] == SCHEMA_VERSION


def test_write_is_atomic(store, monkeypatch):
    """If writing fails half-way, is the old file intact, no temp file left behind, and the
    failure reported rather than raised?"""
    store.save("case-x", HomeworkPlan(task="first"))
    before = store.path.read_bytes()

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    result = store.save("case-x", HomeworkPlan(task="second"))
    assert not result.written and "answers/plan.json: disk full" in result.error
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()
                  if not p.name.endswith(".lock")) == ["plan.json"]


def test_grading_mode_never_writes(store, monkeypatch):
    """While nbgrader executes (NBGRADER_EXECUTION set), does save write nothing?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    result = store.save("case-x", HomeworkPlan(task="worry-time"))
    assert not result.written
    assert not store.path.exists()


def test_grading_mode_keeps_existing_file(store, monkeypatch):
    """While grading, is an existing (even corrupt) file left byte-for-byte as it was?"""
    store.path.parent.mkdir()
    store.path.write_text("{not json")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(AnswersFileError):
        store.load()
    store.save("case-x", HomeworkPlan(task="x"))
    assert store.path.read_text() == "{not json"
    assert list(store.path.parent.iterdir()) == [store.path]


def test_corrupt_file_is_reported_and_kept(store):
    """Is invalid JSON reported with file and line, and set aside (not overwritten) on save?"""
    store.path.parent.mkdir()
    store.path.write_text('{"exercise": "plan",\n "answers": }')
    with pytest.raises(AnswersFileError) as err:
        store.load()
    assert str(err.value) == f"{store.path}: is not valid JSON (line 2: Expecting value)"
    result = store.save("case-x", HomeworkPlan(task="worry-time"))
    assert result.written and result.kept is not None
    assert result.kept.read_text() == '{"exercise": "plan",\n "answers": }'
    assert result.kept.name.startswith("plan.json.unreadable-")
    assert store.load().answers.task == "worry-time"


def test_hand_edited_bad_field(store):
    """Does a hand-edited answer of the wrong type name the field in the message?"""
    store.save("case-x", HomeworkPlan())
    data = json.loads(store.path.read_text())
    data["answers"]["minutes"] = "ten"
    store.path.write_text(json.dumps(data))
    with pytest.raises(AnswersFileError) as err:
        store.load()
    assert err.value.problems[0].field == "minutes"
    assert err.value.problems[0].message.endswith("got 'ten'")


def test_wrong_exercise_is_rejected(store):
    """Is an answers file from another exercise refused rather than graded?"""
    store.path.parent.mkdir()
    store.path.write_text(json.dumps({"exercise": "review", "schema_version": 1,
                                      "case": "c", "answers": {}}))
    with pytest.raises(AnswersFileError, match="field 'exercise': expected 'plan', got 'review'"):
        store.load()


def test_set_aside_never_overwrites(store):
    """Do two unreadable files set aside in the same second get different names?"""
    store.path.parent.mkdir()
    kept = []
    for text in ("one", "two"):
        store.path.write_text(text)
        kept.append(store.set_aside())
    assert kept[0] != kept[1]
    assert [p.read_text() for p in kept] == ["one", "two"]


def test_long_and_non_latin_text_round_trips(store):
    """Do very long and non-Latin answers survive saving exactly?"""
    text = "Ich gehe spazieren. 我每天早上散步。 أمشي كل صباح. " * 300
    plan = HomeworkPlan(what=text, when="朝食の後 🙂", where="<b>kitchen</b> & \"garden\"")
    store.save("case-x", plan)
    assert store.load().answers == plan
    assert "我每天" in store.path.read_text(encoding="utf-8")  # stored readable, not escaped


def test_over_long_answer_is_refused_before_writing(store):
    """Is an absurdly long answer refused with a message naming the field?"""
    with pytest.raises(ValueError, match="what"):
        HomeworkPlan(what="x" * 20_001)
