"""The lessons' interactive pieces, driven headless."""

from __future__ import annotations

import pytest

from bshtrain.teaching import lesson


def test_self_check_explains_every_option():
    """Does a self-check show the chosen option's explanation, right or wrong?"""
    check = lesson.SelfCheck("Q?", [("A", False, "Because A misses X."), ("B", True, "B fits.")])
    assert check.check() is None and "Choose an answer first" in check.result.value
    check.choice.value = "0"
    check.button.click()
    assert "Not quite." in check.result.value and "Because A misses X." in check.result.value
    check.choice.value = "1"
    assert check.check() is True and "B fits." in check.result.value


def test_self_check_needs_a_right_answer():
    """Is a self-check with no correct option refused when written?"""
    with pytest.raises(ValueError, match="no correct option"):
        lesson.SelfCheck("Q?", [("A", False, "x")])


def test_rubric_sandbox_updates_as_the_plan_changes():
    """Does the sandbox re-score on every change and save nothing?"""
    form = lesson.rubric_sandbox("tomas", {"task": "activity-scheduling-valued"})
    before = form.last_result.get("specific").status
    form.when.value = "Tuesday"
    form.where.value = "kitchen"
    form.what.value = "fix the hinge"
    form.how_often.value = "twice"
    form.minutes.value = 10
    assert before == "not met" and form.last_result.get("specific").status == "met"


def test_case_explorer_switches_cards():
    """Does picking another case show that case's card?"""
    box = lesson.case_explorer(["tomas", "samir"])
    picker, card = box.children
    assert "Tomás" in card.value
    picker.value = "samir"
    assert "Samir" in card.value and "Tomás" not in card.value


def test_task_fit_explorer_shows_fit_size_and_cautions():
    """Does the explorer say whether a task fits, is too big, or carries a caution here?"""
    box = lesson.task_fit_explorer("tomas")
    picker, version, out = box.children
    picker.value = "activity-monitoring-diary"
    assert "Fits the formulation" in out.value and "Caution for this client" in out.value
    version.value = "smaller"
    assert "Caution for this client" not in out.value
    picker.value = "sleep-diary"
    assert "Does not fit the formulation" in out.value
    picker.value = "erp-practice"
    assert "Another approach" in out.value


def test_show_log_and_effects_render():
    """Do the log and the effect-size chart render headless with their tables?"""
    fig = lesson.show_log("maya")
    assert fig.axes[0].get_title().startswith("Maya")
    fig = lesson.show_effects()
    assert [ax.get_title() for ax in fig.axes] == ["Correlation (r)",
                                                    "Standardised difference (d or g)"]


def test_pick_next_line_is_a_self_check():
    """Does the dialogue exercise explain the chosen next line?"""
    check = lesson.pick_next_line("Session 3.", [("Client", "I didn't do it.")],
                                  [("That's fine.", False, "Colludes."), ("What got in the way?",
                                                                          True, "Curious.")])
    check.choice.value = "0"
    check.check()
    assert "Colludes." in check.result.value


def test_self_check_verdict_is_not_repeated():
    """An explanation that starts "No." is not shown as "Not quite. No. ..." (issue 14)."""
    check = lesson.SelfCheck("Q?", [("A", False, "No. A misses X."), ("B", True, "Yes, B fits.")])
    check.choice.value = "0"
    check.check()
    assert "Not quite.</strong> A misses X." in check.result.value
    check.choice.value = "1"
    check.check()
    assert "Yes.</strong> B fits." in check.result.value


def test_lesson_choices_are_keyboard_radio_groups():
    """Are the self-checks and the version choice the keyboard-native radio group (one Tab
    stop, arrow keys), not ipywidgets' RadioButtons?"""
    from bshtrain.engine.choice_group import ChoiceGroup

    check = lesson.SelfCheck("Q?", [("A", False, "x"), ("B", True, "y")])
    assert isinstance(check.choice, ChoiceGroup)
    box = lesson.task_fit_explorer("samir")
    assert isinstance(box.children[1], ChoiceGroup)
