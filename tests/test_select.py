"""The select exercise: the bank, the draw, the key, the scorer, and the trainee's side."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from bshtrain.content.bibliography import bibliography
from bshtrain.content.tasks import catalogue
from bshtrain.engine.exercise import open_exercise
from bshtrain.engine.keys import check_key, read_key
from bshtrain.engine.scoring import GATE_CAP
from bshtrain.skills.select.content import item_bank
from bshtrain.skills.select.draw import PER_TRAINEE, SMALLER_OR_NONE, ItemSet, draw
from bshtrain.skills.select.model import ItemAnswer, SelectAnswers
from bshtrain.skills.select.spec import SPEC, best_answers

from .conftest import ROOT

KEY, WHERE = read_key(ROOT / "solutions" / "select" / "key.yaml")
BANK = item_bank()
QUALITY = re.compile(r"(^|-)(good|best|better|bad|poor|vague|harm|harmful|ideal|correct|model)(-|$)")


def _best(items: ItemSet) -> SelectAnswers:
    return SelectAnswers(items={i.id: best_answers(i.id, KEY.cases[i.id])[0].items[i.id]
                                for i in items.items})


def _worst(items: ItemSet) -> SelectAnswers:
    answers = {}
    for item in items.items:
        key = KEY.cases[item.id]

        def low(ids, key=key):
            return min(ids, key=lambda i: key.options[i].credit)
        factors = sorted(key.targets, key=lambda f: key.targets[f].credit)[:2]
        answers[item.id] = ItemAnswer(task=low([t.id for t in item.tasks]), factors=factors,
                                      next_step=low([s.id for s in item.next_steps]),
                                      fact=low([f.id for f in item.facts]))
    return SelectAnswers(items=answers)


def test_bank_has_ten_varied_items_half_smaller_or_none():
    """Ten short cases, five where the right answer is smaller or none, across problems,
    approaches, ages and settings?"""
    assert len(BANK) >= 10
    assert sum(i.smaller_or_none for i in BANK.values()) >= 5
    assert len({i.approach for i in BANK.values()}) >= 6
    assert len({i.presenting_problem for i in BANK.values()}) >= 6
    ages = [i.age for i in BANK.values()]
    assert min(ages) < 18 and max(ages) >= 65


def test_key_covers_the_bank_with_known_sources():
    """Is every task, fact, next step and factor of every item keyed, citing known works?"""
    assert [str(p) for p in check_key(KEY, WHERE, SPEC.key_ids(), set(bibliography()))] == []


def test_each_item_has_one_deciding_fact_and_a_keyed_best_task():
    """Exactly one fact decides each case, and the task options include a credit-1 answer;
    where the item says smaller-or-none, the best is a smaller task or no new task?"""
    for item in BANK.values():
        key = KEY.cases[item.id]
        assert [f.id for f in item.facts if key.options[f.id].credit == 1] != [], item.id
        assert sum(key.options[f.id].credit == 1 for f in item.facts) == 1, item.id
        best = [t for t in item.tasks if key.options[t.id].credit == 1]
        assert best, item.id
        if item.smaller_or_none:  # none, a smaller version, or a task that asks less
            def minutes(t):
                if t.task == "no-task":
                    return 0
                task = catalogue()[t.task]
                return task.smaller_variant.minutes if t.size == "smaller" else task.demands.minutes
            biggest = max(minutes(t) for t in item.tasks)
            assert all(t.task == "no-task" or t.size == "smaller" or minutes(t) < biggest
                       for t in best), item.id


def test_ids_do_not_reveal_quality_and_best_is_not_longest():
    """No id says which option is good; the best task is the longest in at most a third."""
    ids = [c.id for i in BANK.values() for g in (i.tasks, i.facts, i.factors, i.next_steps) for c in g]
    assert [i for i in ids if QUALITY.search(i)] == []
    longest, positions = 0, Counter()
    for item in BANK.values():
        key = KEY.cases[item.id]
        best = max(item.tasks, key=lambda t: key.options[t.id].credit)
        longest += len(best.text) == max(len(t.text) for t in item.tasks)
        positions[item.tasks.index(best)] += 1
    assert longest <= len(BANK) / 3 and max(positions.values()) < len(BANK) / 2


def test_draw_is_stable_and_mixes_smaller_or_none():
    """Does a name always get the same six, with three smaller-or-none, in every process?"""
    for name in ("ana", "trainee-7", "李"):
        items = draw(name)
        assert items == draw(name) and len(items.items) == PER_TRAINEE
        assert sum(i.smaller_or_none for i in items.items) == SMALLER_OR_NONE
    seen = {i.id for n in range(40) for i in draw(f"t{n}").items}
    assert seen == set(BANK)


@pytest.mark.parametrize("name", ["ana", "bo", "chen", "dee"])
def test_best_answers_score_full_and_worst_at_most_a_quarter(name):
    """Do the keyed best answers earn all 24 points, and the worst at most a quarter?"""
    items = draw(name)
    best = SPEC.score(_best(items), items, KEY)
    assert best.total == best.max_total == 24
    assert SPEC.score(_worst(items), items, KEY).total <= GATE_CAP * 24


def test_a_harmful_task_zeroes_its_case_and_names_the_harm():
    """Does a task keyed harmful for that client score 0 for the case, with the harm named?"""
    item = next(i for i in BANK.values() if any(KEY.cases[i.id].options[t.id].harm for t in i.tasks))
    key = KEY.cases[item.id]
    harmful = next(t for t in item.tasks if key.options[t.id].harm)
    items = ItemSet(item.id, (item,))
    answers = _best(items)
    answers.items[item.id] = answers.items[item.id].model_copy(update={"task": harmful.id})
    scored = SPEC.score(answers, items, KEY)
    assert scored.total == 0
    assert key.options[harmful.id].harm in " ".join(ln.text for ln in scored.get("tasks").lines)


def test_fitting_task_for_the_wrong_reason_is_told_so():
    """A best task with a non-deciding fact: full task points, fact 0, and the feedback says
    the choice fits but not for the reason that decides it?"""
    item = next(iter(BANK.values()))
    key = KEY.cases[item.id]
    items = ItemSet(item.id, (item,))
    answers = _best(items)
    wrong = next(f.id for f in item.facts if key.options[f.id].credit == 0)
    answers.items[item.id] = answers.items[item.id].model_copy(update={"fact": wrong})
    scored = SPEC.score(answers, items, KEY)
    assert scored.points("tasks") == 2 and scored.points("facts") == 0
    assert any("not for the reason that decides it" in ln.text for ln in scored.get("facts").lines)


def test_no_task_needs_a_next_step():
    """Is 'no new task' without a next step worth nothing, and with the keyed step its credit?"""
    item = next(i for i in BANK.values()
                if any(t.task == "no-task" and KEY.cases[i.id].options[t.id].credit == 1 for t in i.tasks))
    key = KEY.cases[item.id]
    items = ItemSet(item.id, (item,))
    answers = _best(items)
    answers.items[item.id] = answers.items[item.id].model_copy(update={"next_step": ""})
    assert SPEC.score(answers, items, KEY).points("tasks") == 0
    step = max(item.next_steps, key=lambda s: key.options[s.id].credit)
    answers.items[item.id] = answers.items[item.id].model_copy(update={"next_step": step.id})
    assert SPEC.score(answers, items, KEY).points("tasks") == 2


def test_form_saves_per_case_and_restores(tmp_path, monkeypatch):
    """Do choices in the form reach answers/select.json per case and come back on reopening,
    and does a code answer for one case keep the others?"""
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    ex = open_exercise("select", tmp_path)
    form = ex.form()
    first, second = ex.case.items[0], ex.case.items[1]
    form.rows[first.id]["task"].value = first.tasks[0].id
    form.rows[first.id]["fact"].value = first.facts[0].id
    ex.answer(items={second.id: {"fact": second.facts[1].id}})
    saved = json.loads((tmp_path / "answers" / "select.json").read_text())
    assert saved["case"] == ex.case.id
    assert saved["answers"]["items"][first.id]["task"] == first.tasks[0].id
    assert saved["answers"]["items"][second.id]["fact"] == second.facts[1].id
    again = open_exercise("select", tmp_path).form()
    assert again.rows[first.id]["fact"].value == first.facts[0].id
    with pytest.raises(ValueError, match="is not an option here"):
        ex.answer(items={first.id: {"task": "nonsense"}})
