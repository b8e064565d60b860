"""The plan form, driven headless: set values, click, and see the plan and the feedback."""

from __future__ import annotations

from bshtrain.teaching.plan import HomeworkPlan, Obstacle
from bshtrain.teaching.widgets import PlanForm

from .test_rubric import FULL


def test_form_starts_blank_and_reports_a_blank_plan(case, tasks):
    """Does a new form hold a blank plan and not call on_change while being built?"""
    calls = []
    form = PlanForm(case, tasks, on_change=calls.append)
    assert form.plan == HomeworkPlan()
    assert calls == []


def test_every_change_reaches_on_change(case, tasks):
    """Does each value the trainee sets reach the store as part of the plan?"""
    calls = []
    form = PlanForm(case, tasks, on_change=calls.append)
    form.task.value = "schedule-one-activity"
    form.targets[0].value = True
    form.when.value = "After breakfast"
    form.minutes.value = 10
    form.willingness.value = 8
    form.obstacle_rows[0][0].value = "environment"
    form.obstacle_rows[0][1].value = "Rain"
    form.obstacle_rows[0][2].value = "Walk in the hallway"
    assert len(calls) == 8
    last = calls[-1]
    assert (last.task, last.targets, last.when, last.minutes, last.willingness) == (
        "schedule-one-activity", ["withdrawal"], "After breakfast", 10, 8)
    assert last.confidence is None
    assert last.obstacles == [Obstacle(kind="environment", obstacle="Rain",
                                       plan="Walk in the hallway")]


def test_empty_rows_and_minutes_start_unanswered(case, tasks):
    """Do empty obstacle rows start with no kind chosen and Minutes with nothing chosen, so
    nothing looks like a given answer; and does a kind-less obstacle count as no kind?"""
    form = PlanForm(case, tasks)
    assert [row[0].value for row in form.obstacle_rows] == [""] * len(form.obstacle_rows)
    assert form.minutes.value == 0 and form.minutes.label == "- choose -"
    form.obstacle_rows[0][1].value = "Rain"
    form.obstacle_rows[1][1].value = "Too tired"
    assert [o.kind for o in form.plan.obstacles] == ["", ""]
    restored = PlanForm(case, tasks, HomeworkPlan(minutes=25))
    assert restored.minutes.value == 25 and restored.plan.minutes == 25


def test_form_restores_a_saved_plan(case, tasks):
    """Does a form built from a saved plan show it again, exactly, without saving?"""
    plan = HomeworkPlan(**FULL)
    calls = []
    form = PlanForm(case, tasks, plan, on_change=calls.append)
    assert form.plan == plan
    assert calls == []
    assert form.when.value == "After breakfast"
    assert "Schedule one valued activity" in form.task_info.value


def test_check_button_shows_rubric_hints(case, tasks):
    """Does clicking 'Check my plan' show the rubric's hints for what is missing?"""
    form = PlanForm(case, tasks, HomeworkPlan(**{**FULL, "when": ""}))
    form.check_button.click()
    assert form.last_result.points == 9.5
    assert "The plan does not say when." in form.feedback.value


def test_save_button_saves(case, tasks):
    """Does 'Save now' hand the current plan over even without a change?"""
    calls = []
    form = PlanForm(case, tasks, HomeworkPlan(**FULL), on_change=calls.append)
    form.save_button.click()
    assert calls == [HomeworkPlan(**FULL)]


def test_task_caution_shown_for_this_client(case, tasks):
    """Is a task's caution shown, with its source, when it applies to this client?"""
    form = PlanForm(case, tasks)
    form.task.value = "full-diary"
    assert "overwhelm a severely depressed client" in form.task_info.value
    assert "(Ryum et al., 2023a)" in form.task_info.value


def test_every_control_has_a_visible_label(case, tasks):
    """Does every control carry a description or a group label (a visible, tied label)?"""
    form = PlanForm(case, tasks)
    unlabeled = [c for c in form._controls()
                 if not (getattr(c, "description", "") or getattr(c, "label", "")).strip()]
    assert unlabeled == []
    assert form.check_button.description == "Check my plan"


def test_html_in_text_is_escaped_in_feedback(case, tasks):
    """Is trainee text never injected as HTML into the feedback?"""
    form = PlanForm(case, tasks, HomeworkPlan(**{**FULL, "when": "<script>alert(1)</script>"}))
    form.check()
    assert "<script>" not in form.feedback.value
