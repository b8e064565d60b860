"""The plan exercise as a trainee meets it, headless: choose the case, save, reopen,
answer in code, survive a bad file, and stay inert while nbgrader grades."""

from __future__ import annotations

import json

import pytest

from bshtrain.engine.identity import case_for
from bshtrain.teaching import exercise as exercise_module
from bshtrain.teaching.exercise import open_plan_exercise
from bshtrain.teaching.grading import NoAnswersError, plan_answers, rubric_points

CASES = ["tomas", "amara", "li"]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "trainee-07")
    monkeypatch.setattr(exercise_module, "_OPEN", {})


def test_case_is_chosen_from_identity_and_stable():
    """Does the same trainee always get the same case, and do names spread across cases?"""
    assert case_for("trainee-07", CASES) == case_for("trainee-07", CASES)
    assert {case_for(f"t{i}", CASES) for i in range(30)} == set(CASES)


def test_opening_writes_nothing(tmp_path):
    """Does opening the exercise and building the form leave the folder empty?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    ex.form()
    assert ex.case.id == case_for("trainee-07", CASES)
    assert list(tmp_path.iterdir()) == []


def test_form_change_saves_and_reopening_restores(tmp_path):
    """Is a change in the form saved at once, and shown again after reopening?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    form = ex.form()
    form.when.value = "Monday after lunch"
    form.minutes.value = 10
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())
    assert saved["case"] == ex.case.id and saved["trainee"] == "trainee-07"
    assert (saved["answers"]["when"], saved["answers"]["minutes"]) == ("Monday after lunch", 10)
    assert "Saved to" in form.status.value

    again = open_plan_exercise("plan", CASES, tmp_path)
    form2 = again.form()
    assert (form2.when.value, form2.minutes.value) == ("Monday after lunch", 10)
    assert "Your saved answers were loaded" in form2.status.value


def test_recorded_case_wins_over_identity(tmp_path, monkeypatch):
    """Once saved, is the recorded case used even if the login name would pick another?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    ex.answer(when="Tuesday")
    other = next(n for n in (f"x{i}" for i in range(50))
                 if case_for(n, CASES) != ex.case.id)
    monkeypatch.setenv("JUPYTERHUB_USER", other)
    assert open_plan_exercise("plan", CASES, tmp_path).case.id == ex.case.id


def test_answer_in_code_merges_and_saves(tmp_path):
    """Does the text fallback keep earlier answers, save, and update an open form?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    form = ex.form()
    ex.answer(task="behavioural-experiment", minutes=15)
    ex.answer(when="Thursday")
    assert (ex.plan.task, ex.plan.minutes, ex.plan.when) == ("behavioural-experiment", 15, "Thursday")
    assert form.when.value == "Thursday"
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())
    assert saved["answers"]["task"] == "behavioural-experiment"


def test_answer_in_code_rejects_unknown_or_bad_fields(tmp_path):
    """Does a typo or a wrong value in the code fallback get a clear message and save nothing?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    with pytest.raises(ValueError, match="'wen' is not an answer in this exercise"):
        ex.answer(wen="Monday")
    with pytest.raises(ValueError, match="minutes"):
        ex.answer(minutes=-5)
    assert not (tmp_path / "answers").exists()


def test_grading_mode_is_inert_but_grades_code_answers(tmp_path, monkeypatch, capsys):
    """While grading: no widgets, no writes, and code answers are still graded."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    ex = open_plan_exercise("plan", CASES, tmp_path)
    assert ex.form() is None
    ex.answer(task="behavioural-experiment", review="start-of-next-session")
    assert not (tmp_path / "answers").exists()
    graded = plan_answers("plan")
    assert graded.plan.task == "behavioural-experiment"
    # review met; doable partly (no length given, so its size cannot be judged)
    assert rubric_points("plan") == 1.5
    assert "Plan rubric: 1.5 of 10 points" in capsys.readouterr().out


def test_corrupt_file_is_reported_kept_and_set_aside_on_change(tmp_path, capsys):
    """Is an unreadable file reported, kept, then renamed (not overwritten) on the next change?"""
    answers = tmp_path / "answers" / "plan.json"
    answers.parent.mkdir()
    answers.write_text("{oops")
    ex = open_plan_exercise("plan", CASES, tmp_path)
    assert ex.source == "error"
    assert answers.read_text() == "{oops"
    with pytest.raises(NoAnswersError, match="could not be read"):
        plan_answers("plan")
    form = ex.form()
    form.when.value = "Friday"
    kept = [p for p in answers.parent.iterdir() if p.name.startswith("plan.json.unreadable-")]
    assert len(kept) == 1 and kept[0].read_text() == "{oops"
    assert json.loads(answers.read_text())["answers"]["when"] == "Friday"
    assert "unreadable earlier file was kept" in form.status.value


def test_unknown_case_in_file_is_reported(tmp_path):
    """Does an answers file naming a case the course lacks count as unreadable, not crash?"""
    answers = tmp_path / "answers" / "plan.json"
    answers.parent.mkdir()
    answers.write_text(json.dumps({"exercise": "plan", "schema_version": 1, "case": "nobody",
                                   "answers": {"when": "x"}}))
    ex = open_plan_exercise("plan", CASES, tmp_path)
    assert ex.source == "error"
    assert "unknown case 'nobody'" in str(ex.load_error)


def test_missing_answers_message(tmp_path, monkeypatch):
    """With nothing saved, does grading fail with a message naming the file?"""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NoAnswersError, match=r"answers/plan.json is missing or empty"):
        plan_answers("plan")


def test_instructor_preview_in_solutions_saves_nothing(tmp_path):
    """In <course>/solutions/<ex>/ (nbgrader's source), are answers never saved?"""
    (tmp_path / "nbgrader_config.py").write_text("")
    folder = tmp_path / "solutions" / "plan"
    folder.mkdir(parents=True)
    ex = open_plan_exercise("plan", CASES, folder)
    ex.answer(when="Monday")
    assert ex.preview
    assert not (folder / "answers").exists()


def test_show_choices_lists_ids(tmp_path, capsys):
    """Does the text fallback list the ids a trainee can use?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    ex.show_choices()
    out = capsys.readouterr().out
    assert "'behavioural-experiment'" in out
    assert ex.case.formulation.maintaining_factors[0].id in out


def test_answer_in_code_rejects_ids_not_in_this_case(tmp_path):
    """Does a leftover '...' or a wrong id get a message naming the field?"""
    ex = open_plan_exercise("plan", CASES, tmp_path)
    with pytest.raises(ValueError, match=r"^task: there is no task '\.\.\.'"):
        ex.answer(task="...")
    with pytest.raises(ValueError, match="targets: 'ghost' is not a maintaining factor"):
        ex.answer(targets=["ghost"])
    with pytest.raises(ValueError, match="goal: 'g-x' is not one of this client's goals"):
        ex.answer(goal="g-x")
    assert not (tmp_path / "answers").exists()
