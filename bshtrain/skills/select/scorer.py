"""Score the select exercise: a pure function of (answers, item set, key) -> Scored.

Per short case: the task 2 x its keyed credit (for "no new task this week", that credit x the
next step's); the maintaining factors 1 x the mean credit of those named (at most two); the
deciding fact 1 x its credit. A task keyed as harmful for that client is a gate for that case:
it scores 0 on all three, and the feedback names the harm and its sources.
"""

from __future__ import annotations

from bshtrain.content.tasks import NO_TASK
from bshtrain.engine.keys import ExerciseKey, Keyed
from bshtrain.engine.scoring import Criterion, Line, Scored
from bshtrain.skills.select.content import SelectItem
from bshtrain.skills.select.draw import ItemSet
from bshtrain.skills.select.model import ItemAnswer, SelectAnswers

PER_ITEM = {"tasks": 2.0, "factors": 1.0, "facts": 1.0}
TITLES = {
    "tasks": "The task and its size (or no new task and the next step), for each client",
    "factors": "The maintaining factor(s) the choice works on",
    "facts": "The line of each case that decides it",
}


def _line(keyed: Keyed, prefix: str) -> Line:
    return Line(prefix + keyed.reason, tuple(keyed.sources), keyed.basis)


def _text(item: SelectItem, choice_id: str) -> str:
    choice = item.choice(choice_id)
    return choice.text.rstrip(".") if choice else choice_id


def _best(item: SelectItem, keyed: dict[str, Keyed], ids: list[str]) -> str | None:
    ranked = [(keyed[i].credit, i) for i in ids if i in keyed]
    return max(ranked)[1] if ranked else None


def _score_item(item: SelectItem, answer: ItemAnswer, key) -> dict[str, tuple[float, list[Line]]]:
    head = f"{item.name}: "
    task_ids = [t.id for t in item.tasks]
    out: dict[str, tuple[float, list[Line]]] = {}

    task = next((t for t in item.tasks if t.id == answer.task), None)
    if task is None:
        said = "no task was chosen." if not answer.task else f"'{answer.task}' is not an option here."
        lines = [Line(head + said, (), "clinical-reasoning")]
        points = 0.0
    else:
        keyed = key.options[task.id]
        lines = [_line(keyed, f"{head}you chose \u201c{_text(item, task.id)}\u201d. ")]
        credit = keyed.credit
        if task.task == NO_TASK:
            step = key.options.get(answer.next_step)
            if step is None or item.choice(answer.next_step) is None:
                lines.append(Line("No next step was chosen: deciding against a task still "
                                  "needs one.", (), "clinical-reasoning"))
                credit = 0.0
            else:
                lines.append(_line(step, f"Next step \u201c{_text(item, answer.next_step)}\u201d: "))
                credit *= step.credit
        best = _best(item, key.options, task_ids)
        if keyed.credit < 1 and best and best != task.id:
            lines.append(_line(key.options[best], f"A stronger choice: \u201c{_text(item, best)}\u201d. "))
        points = PER_ITEM["tasks"] * credit
    out["tasks"] = (points, lines)

    if not answer.factors:
        out["factors"] = (0.0, [Line(head + "no maintaining factor was named.", (), "clinical-reasoning")])
    else:
        credits, lines = [], []
        for factor_id in answer.factors:
            keyed = key.targets.get(factor_id)
            if keyed is None:
                credits.append(0.0)
                lines.append(Line(f"{head}'{factor_id}' is not a factor in this case.", (),
                                  "clinical-reasoning"))
                continue
            credits.append(keyed.credit)
            lines.append(_line(keyed, f"{head}you named \u201c{_text(item, factor_id)}\u201d. "))
        out["factors"] = (PER_ITEM["factors"] * sum(credits) / len(credits), lines)

    fact_ids = [f.id for f in item.facts]
    deciding = _best(item, key.options, fact_ids)
    if answer.fact in fact_ids:
        keyed = key.options[answer.fact]
        lines = [_line(keyed, f"{head}you pointed to \u201c{_text(item, answer.fact)}\u201d. ")]
        if keyed.credit < 1 and deciding:
            fits = task is not None and key.options[task.id].credit >= 0.5
            lead = ("Your choice fits, but not for the reason that decides it: " if fits
                    else "The line that decides it: ")
            lines.append(_line(key.options[deciding], f"{lead}\u201c{_text(item, deciding)}\u201d. "))
        out["facts"] = (PER_ITEM["facts"] * keyed.credit, lines)
    else:
        out["facts"] = (0.0, [Line(head + "no deciding line was chosen.", (), "clinical-reasoning")])

    if task is not None and key.options[task.id].harm:
        harm = key.options[task.id]
        gate = Line(f"{head}this choice could harm this client, so this case scores 0: "
                    f"{harm.harm}", tuple(harm.sources), harm.basis)
        out = {cid: (0.0, [gate, *lines]) for cid, (_, lines) in out.items()}
    return out


def score_select(answers: SelectAnswers, items: ItemSet, key: ExerciseKey) -> Scored:
    """Score every drawn case. Pure: no I/O, no widgets."""
    totals = {cid: 0.0 for cid in PER_ITEM}
    lines: dict[str, list[Line]] = {cid: [] for cid in PER_ITEM}
    for item in items.items:
        if item.id not in key.cases:
            raise KeyError(f"the key has no entry for '{item.id}'")
        result = _score_item(item, answers.items.get(item.id, ItemAnswer()), key.cases[item.id])
        for cid, (points, found) in result.items():
            totals[cid] += points
            lines[cid].extend(found)
    n = len(items.items)
    return Scored(tuple(Criterion(cid, TITLES[cid], PER_ITEM[cid] * n, totals[cid], tuple(lines[cid]))
                        for cid in PER_ITEM))
