"""The plan scorer as a pure function, on a tiny fixture case (tests/fixtures/plan_x).

The shipped cases and keys are checked in tests/test_plan_content.py; here each rule of the
scorer is pinned with exact points.
"""

from __future__ import annotations

import pytest

from bshtrain.engine.keys import read_key
from bshtrain.engine.options import read_case_options
from bshtrain.engine.scoring import GATE_CAP
from bshtrain.skills.plan.best_plan import best_plan
from bshtrain.skills.plan.model import PlanAnswers
from bshtrain.skills.plan.scorer import MAX_POINTS, score_plan

from .conftest import FIXTURES

PLAN_X = FIXTURES / "plan_x"


@pytest.fixture
def options():
    return read_case_options(PLAN_X / "case-x.yaml")[0]


@pytest.fixture
def key():
    return read_key(PLAN_X / "key.yaml")[0].cases["case-x"]


def _score(answers: PlanAnswers, case, options, key, tasks):
    return score_plan(answers, case, options, key, tasks)


MODEL = dict(task="t-walk", targets=["withdrawal"], step="s-dog", when="w-noon", where="p-park",
             dose="d-twice", obstacles=[{"obstacle": "o-rain", "response": "o-rain-coat"},
                                        {"obstacle": "o-tired", "response": "o-tired-shoes"}],
             written="wr-card", reminder="r-alarm", review="v-start")


def _asked(**fields) -> PlanAnswers:
    plan = PlanAnswers(**fields)
    return plan.model_copy(update={"asks": [plan.snapshot()]})


def test_model_plan_scores_every_point_but_the_missing_obstacle(case, options, key, tasks):
    """Does the keyed plan earn each criterion's points (two good obstacles: 2 of 3)?"""
    scored = _score(_asked(**MODEL), case, options, key, tasks)
    assert {c.id: scored.points(c.id) for c in scored.criteria} == {
        "task": 4, "targets": 2, "specifics": 4, "obstacles": 2, "written": 1, "client": 1,
        "review": 1}
    assert scored.gates == ()


def test_best_plan_from_the_key_is_the_model(case, options, key, tasks):
    """Does best_plan() build the top-keyed choice of every part, asked once?"""
    plan = best_plan(case, options, key)
    assert plan.task == "t-walk" and plan.targets == ["withdrawal"] and len(plan.asks) == 1
    assert [o.obstacle for o in plan.obstacles] == ["o-rain", "o-tired", "o-aliens"]
    scored = _score(plan, case, options, key, tasks)
    # the fixture key has only two likely obstacles, so 2 of 3 is the most its plan can earn
    assert (scored.points("obstacles"), scored.total) == (2, 15)


def test_ticking_everything_is_not_a_strategy(case, options, key, tasks):
    """Do targets score by precision (mean credit), so a wrong second factor halves them?"""
    plan = _asked(**{**MODEL, "targets": ["withdrawal", "worry-loop"]})
    assert _score(plan, case, options, key, tasks).points("targets") == 1
    with pytest.raises(ValueError):
        PlanAnswers(targets=["withdrawal", "worry-loop", "third"])


def test_harmful_option_caps_every_criterion_at_a_quarter(case, options, key, tasks):
    """Is a harmful choice a gate (a quarter of the total at most) that names the harm?"""
    plan = _asked(**{**MODEL, "when": "w-dawn"})
    scored = _score(plan, case, options, key, tasks)
    assert [g.option for g in scored.gates] == ["w-dawn"]
    assert "worst time" in scored.gates[0].harm
    assert scored.total <= GATE_CAP * scored.max_total
    assert scored.points("task") == 1.0  # 4 capped at a quarter


def test_catalogue_caution_without_mitigation_is_a_gate(case, options, key, tasks):
    """Does a task whose caution applies to this client's risk flags gate the score?"""
    scored = _score(_asked(**{**MODEL, "task": "t-diary"}), case, options, key, tasks)
    assert len(scored.gates) == 1 and "overwhelm" in scored.gates[0].harm
    assert scored.gates[0].sources == ("ryum-2023-review",)
    mitigated = key.model_copy(update={"mitigations": {"full-diary": ["o-tired-shoes"]}})
    assert _score(_asked(**{**MODEL, "task": "t-diary"}), case, options, mitigated, tasks).gates == ()


def test_no_task_is_scored_by_its_key_reason_and_next_step(case, options, key, tasks):
    """Is 'no new task' scored as key credit x mean(reason, next step) on every part?"""
    plan = _asked(task="t-none", targets=["withdrawal"], no_task_reason="n-risk",
                  next_step="x-nothing")
    scored = _score(plan, case, options, key, tasks)
    share = 0.5 * (1 + 0) / 2
    assert scored.points("task") == 4 * share
    assert scored.points("specifics") == 4 * share
    assert scored.points("targets") == 2
    assert scored.points("client") == 0.5 * share  # asked, still low (5/10): half, x the share


def test_client_check_needs_an_ask_and_credits_revision(case, options, key, tasks):
    """Is the client criterion 0 without an ask, half while low, full after revising?"""
    never = PlanAnswers(**MODEL)
    assert _score(never, case, options, key, tasks).points("client") == 0
    low = _asked(**{**MODEL, "dose": "d-daily"})  # the client: 4/10 and 4/10
    assert _score(low, case, options, key, tasks).points("client") == 0.5
    revised = PlanAnswers(**MODEL, asks=[low.asks[0], PlanAnswers(**MODEL).snapshot()])
    scored = _score(revised, case, options, key, tasks)
    assert scored.points("client") == 1
    assert "revised the plan after a low rating" in scored.get("client").lines[0].text


def test_typed_ratings_cannot_reach_the_score(case, options, key, tasks):
    """Are the client's ratings recomputed from choices, never read from the answers?"""
    with pytest.raises(ValueError):
        PlanAnswers(**MODEL, willingness=10)


def test_ids_from_another_part_or_case_earn_nothing(case, options, key, tasks):
    """Does an option id used in the wrong part, or unknown, score 0 with a message?"""
    plan = _asked(**{**MODEL, "step": "w-noon", "where": "somewhere"})
    scored = _score(plan, case, options, key, tasks)
    assert scored.points("specifics") == 2
    texts = " ".join(line.text for line in scored.get("specifics").lines)
    assert "'w-noon' is not one of the options" in texts and "'somewhere'" in texts


def test_obstacle_response_must_belong_to_its_obstacle(case, options, key, tasks):
    """Does a response borrowed from another obstacle earn nothing, and duplicates count once?"""
    plan = _asked(**{**MODEL, "obstacles": [{"obstacle": "o-rain", "response": "o-tired-shoes"},
                                            {"obstacle": "o-tired", "response": "o-tired-shoes"},
                                            {"obstacle": "o-tired", "response": "o-tired-shoes"}]})
    assert _score(plan, case, options, key, tasks).points("obstacles") == 1


def test_feedback_names_a_stronger_choice_with_its_reason(case, options, key, tasks):
    """When a part loses credit, does the feedback say which option was stronger and why?"""
    plan = _asked(**{**MODEL, "step": "s-vague"})
    lines = [line.text for line in _score(plan, case, options, key, tasks).get("specifics").lines]
    assert any(t.startswith("A stronger choice: \u201cWalk the dog to the corner\u201d") for t in lines)


def test_max_points_add_up_to_sixteen():
    """Is the automatic part worth 16 points, as the notebook says?"""
    assert sum(MAX_POINTS.values()) == 16
