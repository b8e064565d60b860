"""The planning rubric: each criterion met, partly met and not met, with exact points."""

from __future__ import annotations

import pytest

from bshtrain.teaching.plan import HomeworkPlan, Obstacle
from bshtrain.teaching.rubric import CRITERIA, score_plan

FULL = dict(
    task="schedule-one-activity", variant="smaller", targets=["withdrawal"],
    builds_on="activity-mood", goal="walk-dog",
    rationale="Doing a little of what matters, like the walk, lifted your mood last week.",
    what="Walk the dog to the corner and back", when="After breakfast",
    where="The street outside", how_often="every day", minutes=10,
    client_input="Sam chose the walk and the time", client_chose=True,
    obstacles=[Obstacle(kind="environment", obstacle="Rain", plan="Walk in the hallway"),
               Obstacle(kind="client", obstacle="Too tired", plan="Just to the gate")],
    backup="If the walk cannot happen, stand at the door for two minutes",
    written_summary=True, reminder="phone alarm", willingness=8, confidence=6,
    review="start-of-next-session",
)


def status(tasks, case, **changes):
    plan = HomeworkPlan(**{**FULL, **changes})
    return score_plan(plan, case, tasks)


def test_model_plan_meets_every_criterion(tasks, case):
    """Does a complete, well-fitted plan meet all ten criteria for 10/10?"""
    result = status(tasks, case)
    assert [c.status for c in result.criteria] == ["met"] * len(CRITERIA)
    assert (result.points, result.max_points) == (10, 10)


def test_blank_plan_scores_zero(tasks, case):
    """Does an empty plan score 0 with a 'no task' message on every criterion?"""
    result = score_plan(HomeworkPlan(), case, tasks)
    assert result.points == 0
    assert {c.message for c in result.criteria} == {"No task is chosen yet."}


def test_no_task_choice_scores_zero_in_plan_rubric(tasks, case):
    """Is 'no task this week' scored as no plan by the planning rubric?"""
    result = score_plan(HomeworkPlan(task="no-task"), case, tasks)
    assert result.points == 0


CASES = [
    # criterion, changes, expected status, words the message must contain
    ("fit", {}, "met", "works on what keeps"),
    ("fit", {"targets": []}, "partly", "does not say which maintaining factor"),
    ("fit", {"task": "worry-time", "targets": ["withdrawal"]}, "partly",
     "the factor(s) you ticked are about inactivity"),
    ("session-link", {"builds_on": "money-worry"}, "partly", "not linked"),
    ("session-link", {"builds_on": ""}, "not met", "does not say which part"),
    ("rationale", {"rationale": "It helps."}, "partly", "at least 8 words"),
    ("rationale", {"goal": ""}, "partly", "not linked to a goal"),
    ("rationale", {"goal": "", "rationale": ""}, "not met", "no rationale"),
    ("collaboration", {"client_chose": False}, "partly", "that the client chose it"),
    ("collaboration", {"client_input": "", "client_chose": False}, "not met", "therapist alone"),
    ("specific", {"when": ""}, "partly", "does not say when"),
    ("specific", {"when": " ", "where": "", "minutes": 0}, "not met",
     "does not say when, where or how long"),
    ("doable", {"minutes": 30}, "partly", "30 minutes is more than"),
    ("doable", {"task": "full-diary", "variant": "full"}, "not met", "A caution applies"),
    ("doable", {"task": "worry-time", "variant": "full", "minutes": 40, "targets": []},
     "not met", "40 minutes"),
    ("doable", {"minutes": 0}, "partly", "does not say how long"),
    ("obstacles", {"backup": ""}, "partly", "a backup plan"),
    ("obstacles", {"obstacles": [Obstacle(kind="client", obstacle="Tired", plan="Shorter"),
                                 Obstacle(kind="client", obstacle="Low", plan="Sit")]},
     "partly", "more than one kind"),
    ("obstacles", {"obstacles": [Obstacle(kind="client", obstacle="Tired", plan="Shorter"),
                                 Obstacle(obstacle="Rain", plan="Hallway")]},
     "partly", "more than one kind"),  # kinds not chosen count as none
    ("obstacles", {"obstacles": [Obstacle(kind="client", obstacle="Tired", plan="")],
                   "backup": ""}, "not met", "no plan for them"),
    ("written", {"reminder": "none"}, "partly", "The plan has no reminder."),
    ("written", {"written_summary": False, "reminder": "none"}, "not met", "Nothing is written"),
    ("commitment", {"confidence": None}, "partly", "Check both"),
    ("commitment", {"willingness": None, "confidence": None}, "not met", "does not check"),
    ("commitment", {"variant": "full", "task": "worry-time", "targets": ["worry-loop"]},
     "partly", "not changed"),
    ("commitment", {"variant": "full", "confidence": 9}, "met", "are good"),
    ("review-planned", {"review": "later-in-next-session"}, "partly", "early"),
    ("review-planned", {"review": "not-planned"}, "not met", "does not set a review"),
]


@pytest.mark.parametrize(("criterion", "changes", "expected", "words"), CASES,
                         ids=[f"{c}-{e}-{i}" for i, (c, _, e, _) in enumerate(CASES)])
def test_criterion_status(tasks, case, criterion, changes, expected, words):
    """Does each criterion give the expected status and an actionable message?"""
    result = status(tasks, case, **changes).get(criterion)
    assert result.status == expected
    assert words in result.message


def test_half_right_plan_earns_partial_credit(tasks, case):
    """Does a half-right plan earn exactly the partial score the rubric defines?"""
    result = status(tasks, case, when="", backup="", reminder="none", confidence=None,
                    review="later-in-next-session", client_chose=False)
    # specific, obstacles, written, commitment, review-planned, collaboration: partly (0.5 each)
    assert result.points == 7.0


def test_every_criterion_cites_sources():
    """Does every criterion rest on at least one bibliography key?"""
    assert all(c.sources for c in CRITERIA)


def test_caution_marked_also_smaller_blocks_the_smaller_variant(case):
    """Is a caution marked also_smaller applied to the smaller variant as well?"""
    from bshtrain.content.tasks import catalogue

    tasks = catalogue()
    risky = case.model_copy(update={"risk": case.risk.model_copy(
        update={"flags": ["trauma-exposure-risk"]})})
    plan = HomeworkPlan(**{**FULL, "task": "pe-imaginal-recording", "variant": "smaller"})
    result = score_plan(plan, risky, tasks).get("doable")
    assert result.status == "not met"
    assert result.message.endswith("Consider another task.")
    plan = HomeworkPlan(**{**FULL, "task": "trauma-narrative-alone", "variant": "smaller"})
    assert score_plan(plan, risky, tasks).get("doable").status != "not met"
