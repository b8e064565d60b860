"""The engine as a trainee meets it, headless, on the plan exercise: the case from identity,
saving, reopening, the code twin, a file for another case, and nothing written while grading
or in solutions/."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bshtrain.engine import grading
from bshtrain.engine.exercise import open_exercise
from bshtrain.engine.identity import case_for, graded_student
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.spec import POOL

from .conftest import ROOT


def name_for(case_id: str) -> str:
    n = 0
    while case_for(f"trainee-{n}", POOL) != case_id:
        n += 1
    return f"trainee-{n}"


@pytest.fixture(autouse=True)
def _trainee(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", name_for("amara"))
    monkeypatch.delenv("BSHTRAIN_STUDENT", raising=False)


def test_case_assignment_is_pinned_across_processes():
    """Does a name get the same case in another process (sha256, not the salted hash())?
    Pinned values: changing the assignment rule would move trainees mid-course."""
    code = ("from bshtrain.engine.identity import case_for; from bshtrain.skills.plan.spec import POOL;"
            "print([case_for(n, POOL) for n in ('trainee1', 'ana', 'Zoë', 'li.wei')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout.strip()
    here = str([case_for(n, POOL) for n in ("trainee1", "ana", "Zoë", "li.wei")])
    assert out == here
    assert case_for("trainee1", ("a", "b", "c", "d", "e", "f")) == "e"
    assert {case_for(f"t{i}", POOL) for i in range(60)} == set(POOL)


def test_opening_and_the_form_write_nothing(tmp_path):
    """Does opening the exercise and building the form leave the folder empty?"""
    ex = open_exercise("plan", tmp_path)
    ex.form()
    assert ex.case.id == "amara"
    assert list(tmp_path.iterdir()) == []


def test_form_change_saves_and_reopening_restores(tmp_path):
    """Is a choice in the form saved at once, and shown again after reopening?"""
    ex = open_exercise("plan", tmp_path)
    form = ex.form()
    task = form.choices["task"].options[1][1]
    form.choices["task"].value = task
    first_factor = next(iter(form.targets))
    form.targets[first_factor].value = True
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())
    assert saved["case"] == "amara" and saved["answers"]["task"] == task
    assert saved["answers"]["targets"] == [first_factor]
    assert "Saved at" in form.status.widgets[0].value and "Saved at" in form.status.widgets[1].value

    again = open_exercise("plan", tmp_path).form()
    assert again.choices["task"].value == task and again.targets[first_factor].value
    assert "Your saved answers were loaded" in again.status.widgets[0].value


def test_a_save_is_confirmed_beside_the_part_changed(tmp_path):
    """Is a save confirmed beside the part the trainee changed (and only there), as well as at
    the top and the bottom of the form?"""
    form = open_exercise("plan", tmp_path).form()
    beside_task, beside_rationale = form._near["task"], form._near["rationale"]
    form.choices["task"].value = form.choices["task"].options[1][1]
    assert "Saved at" in beside_task.value and beside_rationale.value == ""
    form.rationale.value = "We try it on Thursday."
    assert "Saved at" in beside_rationale.value and beside_task.value == ""
    assert "Saved at" in form.status.widgets[0].value


def test_hints_are_escaped_and_citations_quieter():
    """Does a hint keep its citation, set in the quieter style, with its text escaped?"""
    from bshtrain.engine.form_host import hint_html

    html = hint_html("Keep it <b>short</b> (Kazantzis et al., 2016; Tompkins, 2004). See lesson 3 (below).")
    assert "&lt;b&gt;short&lt;/b&gt;" in html and "<b>" not in html
    assert "<span class='bsh-cite'>(Kazantzis et al., 2016; Tompkins, 2004)</span>" in html
    assert html.endswith("See lesson 3 (below).")


def test_a_third_target_is_refused(tmp_path):
    """Does the form keep at most two factors ticked, and say why?"""
    form = open_exercise("plan", tmp_path).form()
    boxes = list(form.targets.values())
    for box in boxes[:3]:
        box.value = True
    assert [b.value for b in boxes[:3]] == [True, True, False]
    assert "At most 2" in form.target_note.value


def test_ask_the_client_keeps_each_version(tmp_path):
    """Does Ask the client show replies and ratings, and save that version of the plan?"""
    ex = open_exercise("plan", tmp_path)
    form = ex.form()
    form.choices["task"].value = form.choices["task"].options[0][1]
    form.ask_client()
    form.choices["when"].value = form.choices["when"].options[0][1]
    form.ask_client()
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())["answers"]
    assert len(saved["asks"]) == 2 and "when" in saved["asks"][1]["choices"]
    assert "Willingness" in form.client_says.value and "confidence" in form.client_says.value
    assert "willingness" not in saved and "confidence" not in saved


def test_code_twin_writes_the_same_file_and_checks_ids(tmp_path):
    """Does ex.answer() save like the form, and refuse an id that is not this case's?"""
    ex = open_exercise("plan", tmp_path)
    task = case_options("plan", "amara").parts["task"].options[0].id
    ex.answer(task=task)
    assert json.loads((tmp_path / "answers" / "plan.json").read_text())["answers"]["task"] == task
    with pytest.raises(ValueError, match=r"when: 'no-such-time' is not one of the options"):
        ex.answer(when="no-such-time")
    with pytest.raises(ValueError, match="'willingness' is not an answer"):
        ex.answer(willingness=10)


def test_answers_for_another_case_are_kept_not_loaded(tmp_path, capsys):
    """Is a file for another case reported, not loaded, and kept aside before any new save?"""
    folder = tmp_path / "answers"
    folder.mkdir()
    other = {"exercise": "plan", "schema_version": 1, "case": "li", "trainee": "x",
             "answers": {"rationale": "Li's plan"}}
    (folder / "plan.json").write_text(json.dumps(other))
    ex = open_exercise("plan", tmp_path)
    assert ex.answers.rationale == "" and "another case ('li')" in ex.load_error
    ex.answer(rationale="mine")
    kept = [p for p in folder.iterdir() if p.name.startswith("plan.json.unreadable-")]
    assert len(kept) == 1 and json.loads(kept[0].read_text()) == other


def test_nothing_is_saved_while_grading_or_in_solutions(tmp_path, monkeypatch):
    """Is the exercise inert under NBGRADER_EXECUTION and in the instructor's solutions/?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    open_exercise("plan", tmp_path).update(rationale="x")
    assert not (tmp_path / "answers").exists()
    monkeypatch.delenv("NBGRADER_EXECUTION")
    source = tmp_path / "course" / "solutions" / "plan"
    source.mkdir(parents=True)
    (tmp_path / "course" / "nbgrader_config.py").write_text("")
    open_exercise("plan", source).update(rationale="x")
    assert not (source / "answers").exists()


def test_grade_cells_show_no_score_in_a_trainee_folder(tmp_path, capsys):
    """With no key beside the notebook, does a grade cell return no number (never stale)?"""
    ex = open_exercise("plan", tmp_path)
    ex.answer(rationale="x")
    assert grading.grade("plan", "task", tmp_path) is None
    assert "scored when your instructor grades" in capsys.readouterr().out


def test_grading_without_a_key_is_an_instructor_error(tmp_path, monkeypatch):
    """Under autograde, is a missing key.yaml an error (never a silent full mark)?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(grading.GradingSetupError, match=r"key\.yaml is missing"):
        grading.grade("plan", "task", tmp_path)


def test_graded_student_comes_from_the_grader(tmp_path, monkeypatch):
    """At grading, is the student the grader's (env, then autograded/<student>), not the login?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    folder = tmp_path / "autograded" / "ana" / "plan"
    folder.mkdir(parents=True)
    assert graded_student(folder) == "ana"
    monkeypatch.setenv("BSHTRAIN_STUDENT", "bo")
    assert graded_student(folder) == "bo"


def test_grading_scores_the_file_for_the_assigned_case(tmp_path, monkeypatch, capsys):
    """With the key present, does grade() score the saved answers and print the reasons?"""
    import shutil

    shutil.copy(ROOT / "solutions" / "plan" / "key.yaml", tmp_path / "key.yaml")
    ex = open_exercise("plan", tmp_path)
    task = case_options("plan", "amara").parts["task"].options[0].id
    ex.answer(task=task)
    points = grading.grade("plan", "task", tmp_path)
    out = capsys.readouterr().out
    assert isinstance(points, float) and 0 <= points <= 4
    assert "Task and size for this client" in out


def test_choosing_an_obstacle_offers_its_own_plans(tmp_path):
    """Does picking an obstacle fill and enable its responses, and switching it reset them?"""
    options = case_options("plan", "amara").parts["obstacles"].options
    form = open_exercise("plan", tmp_path).form()
    row = form.obstacle_rows[0]
    assert row["response"].disabled
    row["obstacle"].value = options[0].id
    assert not row["response"].disabled
    assert {v for _, v in row["response"].options} == {"", *(r.id for r in options[0].responses)}
    row["response"].value = options[0].responses[1].id
    row["obstacle"].value = options[1].id
    assert row["response"].value == ""
    assert {v for _, v in row["response"].options} == {"", *(r.id for r in options[1].responses)}
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())["answers"]
    assert saved["obstacles"] == [{"obstacle": options[1].id, "response": ""}]


def test_form_keeps_what_the_code_twin_gave(tmp_path):
    """Do three obstacles given in code show in the form and survive a change elsewhere, and
    does an id the form cannot show (a hand-edited file) stay in the file untouched?"""
    options = case_options("plan", "amara")
    rows = [{"obstacle": o.id, "response": o.responses[0].id}
            for o in options.parts["obstacles"].options[:3]]
    ex = open_exercise("plan", tmp_path)
    ex.answer(obstacles=rows)
    form = ex.form()
    assert [(r["obstacle"].value, r["response"].value) for r in form.obstacle_rows] == \
        [(r["obstacle"], r["response"]) for r in rows]
    path = tmp_path / "answers" / "plan.json"
    data = json.loads(path.read_text())
    data["answers"]["where"] = "written-by-hand"
    path.write_text(json.dumps(data))
    again = open_exercise("plan", tmp_path)
    form = again.form()
    assert form.choices["where"].value == ""
    form.choices["when"].value = options.parts["when"].options[0].id
    saved = json.loads(path.read_text())["answers"]
    assert saved["obstacles"] == rows and saved["where"] == "written-by-hand"


def test_two_kernels_on_one_notebook_keep_both_answers(tmp_path):
    """With the notebook open in two kernels, does each change keep the other's answers?"""
    options = case_options("plan", "amara")
    first, second = open_exercise("plan", tmp_path), open_exercise("plan", tmp_path)
    first.answer(when=options.parts["when"].options[0].id)
    second.answer(where=options.parts["where"].options[0].id)
    first.answer(rationale="mine")
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())["answers"]
    assert (saved["when"], saved["where"], saved["rationale"]) == (
        options.parts["when"].options[0].id, options.parts["where"].options[0].id, "mine")
    assert first.answers.where == options.parts["where"].options[0].id


def test_a_failed_save_says_so_and_the_next_save_writes_everything(tmp_path):
    """If the answers folder cannot be written, does the form say so (not "Saved"), and does
    the next save that works write every answer? ('answers' is made a file: root ignores
    permissions.)"""
    options = case_options("plan", "amara")
    (tmp_path / "answers").write_text("in the way")
    ex = open_exercise("plan", tmp_path)
    form = ex.form()
    form.choices["when"].value = options.parts["when"].options[0].id
    status = form.status.widgets[0].value
    assert "could not be saved" in status and "Saved at" not in status and "role='alert'" in status
    (tmp_path / "answers").unlink()
    form.choices["where"].value = options.parts["where"].options[0].id
    saved = json.loads((tmp_path / "answers" / "plan.json").read_text())["answers"]
    assert saved["when"] == options.parts["when"].options[0].id
    assert saved["where"] == options.parts["where"].options[0].id


def test_validate_in_a_trainee_folder_says_scored_later(tmp_path, monkeypatch, capsys):
    """The toolbar's Validate (NBGRADER_EXECUTION=validate) in a trainee's folder has no key:
    does a grade cell say when it is scored, and never report an instructor error?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert grading.grade("plan", "task", tmp_path) is None
    assert "scored when your instructor grades" in capsys.readouterr().out


def test_a_damaged_answers_file_is_explained_in_a_trainees_words(tmp_path, capsys):
    """Does a damaged file get a plain message (what happened, nothing lost, what to do) with
    the technical detail folded away, and is the file kept?"""
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "plan.json").write_text('{"exercise": "plan", "answers": {')
    ex = open_exercise("plan", tmp_path)
    assert "could not be read" in ex.load_error and "Nothing is lost" in ex.load_error
    assert "JSON" not in ex.load_error  # the parser's words go in the folded detail
    assert (folder / "plan.json").read_text() == '{"exercise": "plan", "answers": {'


def test_case_card_is_wrapped_when_printed(tmp_path, capsys, monkeypatch):
    """While grading, is the printed case card wrapped, so feedback shows it whole?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    open_exercise("plan", tmp_path).show_case()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 20 and max(len(line) for line in lines) <= 100
