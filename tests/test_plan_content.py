"""The shipped plan-exercise content: options per case, the key in solutions/, and what the
scorer makes of the authors' model, defensible, harmful and junk plans."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bshtrain.content.bibliography import bibliography
from bshtrain.content.cases import get_case
from bshtrain.engine.form_host import display_order
from bshtrain.engine.keys import check_key, read_key
from bshtrain.engine.options import case_options, options_dir
from bshtrain.engine.scoring import GATE_CAP
from bshtrain.skills.plan.best_plan import best_plan
from bshtrain.skills.plan.scorer import MAX_POINTS
from bshtrain.skills.plan.spec import POOL, SPEC

from .conftest import ROOT
from .plan_plans import defensible_plans, harmful_plans, junk_plan, model_plan

KEY_PATH = ROOT / "solutions" / "plan" / "key.yaml"
KEY, WHERE = read_key(KEY_PATH)
LESSON_EXAMPLE = re.compile(r"(?:show_case|compare_plans|task_fit_explorer|show_log|rubric_sandbox)"
                            r"\(\\\"([a-z-]+)\\\"")


def _points(case_id, plan):
    scored = SPEC.score(plan, get_case(case_id), KEY)
    return scored, {cid: scored.points(cid) for cid in MAX_POINTS}


def test_pool_has_six_cases_across_approaches_and_none_is_a_lesson_example():
    """At least six cases, several approaches, none a worked example in any lesson?"""
    assert len(POOL) >= 6
    assert len({get_case(c).approach for c in POOL}) >= 5
    lessons = (ROOT / "lessons").glob("*.ipynb")
    examples = {m for nb in lessons for m in LESSON_EXAMPLE.findall(nb.read_text())}
    assert examples, "the lesson-example pattern found nothing: it must be updated"
    assert sorted(examples & set(POOL)) == []


def test_options_exist_for_every_pool_case_and_nothing_else():
    """Is there an options file for exactly the pool's cases?"""
    assert sorted(p.stem for p in options_dir("plan").glob("*.yaml")) == sorted(POOL)


def test_key_covers_every_option_and_factor_with_known_sources():
    """Does the key give every option and factor of every case a credit, a reason, and
    sources that are in the bibliography (or the label clinical reasoning)?"""
    problems = check_key(KEY, WHERE, SPEC.key_ids(), set(bibliography()))
    assert [str(p) for p in problems] == []
    assert sorted(KEY.cases) == sorted(POOL)
    assert KEY.panel.kind == "provisional-authors"


@pytest.mark.parametrize("case_id", POOL)
def test_each_part_has_a_best_option_a_poor_one_and_a_harm_somewhere(case_id):
    """Are the options real choices: every part has a credit-1 option and a weaker one, and
    the task part offers something harmful or contraindicated for this client?"""
    options, key = case_options("plan", case_id), KEY.cases[case_id]
    for name, part in options.parts.items():
        credits = [key.options[o.id].credit for o in part.options]
        assert min(credits) < max(credits), name
        if name not in ("no_task_reason", "next_step"):  # weighed by the no-task option's credit
            assert max(credits) == 1, name
    assert any(k.harm for k in key.options.values()), "some option must be keyed as a harm"


def test_option_ids_do_not_reveal_quality():
    """Do no option ids say good, best, bad, vague, harm or wrong (trainees see ids in code)?"""
    tell = re.compile(r"(^|-)(good|best|better|bad|poor|vague|harm|harmful|ideal|correct|model)(-|$)")
    found = [o.id for c in POOL for o in case_options("plan", c).all_options() if tell.search(o.id)]
    assert found == []


def test_best_option_is_not_systematically_longest_or_in_one_place():
    """Across all parts of all cases: is the best option the longest in at most a third of
    parts, and is its authored position spread (no position holds half)?"""
    longest, positions, parts = 0, Counter(), 0
    for case_id in POOL:
        options, key = case_options("plan", case_id), KEY.cases[case_id]
        for part in options.parts.values():
            best = max(part.options, key=lambda o: key.options[o.id].credit)
            parts += 1
            if len(best.text) == max(len(o.text) for o in part.options):
                longest += 1
            positions[[o.id for o in part.options].index(best.id)] += 1
    assert longest <= parts / 3, f"best option longest in {longest} of {parts} parts"
    assert max(positions.values()) < parts / 2, positions


def test_display_order_spreads_the_best_option_across_trainees():
    """Does the per-trainee order put the best task option in every position for someone?"""
    options, key = case_options("plan", "amara"), KEY.cases["amara"]
    task = options.parts["task"].options
    best = max(task, key=lambda o: key.options[o.id].credit).id
    seen = {[o.id for o in display_order(task, f"t{i}:amara:task")].index(best) for i in range(200)}
    assert seen == set(range(len(task)))


@pytest.mark.parametrize("case_id", POOL)
def test_model_plan_scores_full_marks(case_id):
    """Does the authors' model plan, and the key's best plan, earn all 16 points?"""
    _, points = _points(case_id, model_plan(case_id))
    assert points == {cid: float(p) for cid, p in MAX_POINTS.items()}
    best = best_plan(get_case(case_id), case_options("plan", case_id), KEY.cases[case_id])
    assert _points(case_id, best)[0].total == 16


@pytest.mark.parametrize("case_id", POOL)
def test_junk_plan_scores_at_most_a_quarter(case_id):
    """Does the worst option of each part, with the two worst factors, earn at most 4?"""
    scored, _ = _points(case_id, junk_plan(case_id))
    assert scored.total <= GATE_CAP * 16


@pytest.mark.parametrize("case_id,name,plan", harmful_plans(), ids=lambda v: v if isinstance(v, str) else "")
def test_harmful_plans_are_capped_and_the_harm_named(case_id, name, plan):
    """Is each harmful plan capped at a quarter, with the harm and its source named?"""
    scored, _ = _points(case_id, plan)
    assert scored.gates, name
    assert scored.total <= 4
    assert all(g.harm for g in scored.gates)


@pytest.mark.parametrize("case_id,name,plan,expected", defensible_plans(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_defensible_plans_earn_their_keyed_credit(case_id, name, plan, expected):
    """Does each defensible alternative earn exactly the partial credit its authors computed?"""
    _, points = _points(case_id, plan)
    assert points == {cid: float(expected[cid]) for cid in MAX_POINTS}
    assert 4 < sum(points.values()) < 16


def test_no_key_content_in_the_library_or_the_release():
    """Are the key's reasons and harms found nowhere in bshtrain/ or exercises/ (by content,
    not by a variable name)?"""
    phrases = {k.reason[:60] for c in KEY.cases.values() for k in c.options.values() if len(k.reason) > 40}
    phrases |= {k.harm[:60] for c in KEY.cases.values() for k in c.options.values() if len(k.harm) > 40}
    kinds = {".py", ".yaml", ".ipynb", ".json", ".md"}
    shipped = "".join(p.read_text(errors="replace") for folder in ("bshtrain", "exercises")
                      for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in kinds)
    assert len(phrases) > 50
    assert sorted(p for p in phrases if p in shipped) == []
    data = "".join(p.read_text() for folder in ("bshtrain", "exercises")
                   for p in (ROOT / folder).rglob("*") if p.suffix in {".yaml", ".ipynb", ".json"})
    assert "credit:" not in data and '"credit"' not in data
