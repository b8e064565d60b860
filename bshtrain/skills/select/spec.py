"""The select exercise, as the engine sees it."""

from __future__ import annotations

import textwrap
from html import escape

from bshtrain.content.loading import DataFileError, Problem
from bshtrain.content.tasks import NO_TASK, catalogue, task_catalogue
from bshtrain.engine.keys import CaseKey, ExerciseKey
from bshtrain.engine.spec import ExerciseSpec
from bshtrain.skills.select.content import EXERCISE, SelectItem, item_bank, items_dir
from bshtrain.skills.select.draw import PER_TRAINEE, SMALLER_OR_NONE, ItemSet, draw
from bshtrain.skills.select.model import MAX_FACTORS, ItemAnswer, SelectAnswers
from bshtrain.skills.select.scorer import PER_ITEM, score_select


def score(answers: SelectAnswers, items: ItemSet, key: ExerciseKey):
    return score_select(answers, items, key)


def _choice_text(item: SelectItem, choice_id: str) -> str:
    choice = item.choice(choice_id) if choice_id else None
    return choice.text if choice else (f"(unknown '{choice_id}')" if choice_id else "(not answered)")


def card(answers: SelectAnswers, items: ItemSet) -> str:
    """Every answer as readable text, case by case."""
    out = ["YOUR CHOICES"]
    for n, item in enumerate(items.items, 1):
        answer = answers.items.get(item.id, ItemAnswer())
        out.append(f"{n}. {item.name}, {item.age}")
        rows = [("Task", _choice_text(item, answer.task))]
        task = next((t for t in item.tasks if t.id == answer.task), None)
        if task is not None and task.task == NO_TASK:
            rows.append(("Next step", _choice_text(item, answer.next_step)))
        rows.append(("Works on", "; ".join(_choice_text(item, f) for f in answer.factors)
                     or "(none named)"))
        rows.append(("Deciding line", _choice_text(item, answer.fact)))
        for label, value in rows:
            out.extend(textwrap.wrap(value, 88, initial_indent=f"   {label}: ",
                                     subsequent_indent="      ") or [f"   {label}:"])
    out.extend(textwrap.wrap(answers.justification.strip() or "(none)", 88,
                             initial_indent="Justification: ", subsequent_indent="    "))
    return "\n".join(out)


def approach_name(approach: str) -> str:
    """content.render's name for an approach, imported only when a card is shown."""
    from bshtrain.content.render import approach_name as name

    return name(approach)


def _item_text(n: int, item: SelectItem) -> str:
    flags = f" Risk: {', '.join(item.risk_flags)}." if item.risk_flags else ""
    head = (f"{n}. {item.name}, {item.age} ({item.pronouns}), session {item.session_number}, "
            f"{approach_name(item.approach)}, {item.setting}.{flags}")
    return head + "\n" + textwrap.fill(item.vignette.strip(), 88)


def case_text(items: ItemSet) -> str:
    return "\n\n".join(_item_text(n, i) for n, i in enumerate(items.items, 1))


def case_html(items: ItemSet) -> str:
    parts = []
    for n, item in enumerate(items.items, 1):
        flags = (f"<p class='bsh-risk'><b>Risk:</b> {escape(', '.join(item.risk_flags))}</p>"
                 if item.risk_flags else "")
        parts.append(
            f"<section class='bsh-card' aria-labelledby='sel-{escape(item.id)}'>"
            f"<h3 id='sel-{escape(item.id)}'>{n}. {escape(item.name)}, {item.age} "
            f"({escape(item.pronouns)})</h3><p><i>Session {item.session_number}, "
            f"{escape(approach_name(item.approach))}; {escape(item.setting)}</i></p>"
            f"<p>{escape(item.vignette.strip())}</p>{flags}</section>")
    return ("<div class='bsh-cards'><p>Your six short cases. Each is answered in the form "
            "below.</p>" + "".join(parts) + "</div>")


def check_ids(answers: SelectAnswers, items: ItemSet) -> list[str]:
    problems = []
    for item_id, answer in answers.items.items():
        item = items.item(item_id)
        if item is None:
            yours = ", ".join(i.id for i in items.items)
            problems.append(f"items: '{item_id}' is not one of your cases ({yours}).")
            continue
        groups = {"task": [t.id for t in item.tasks], "next_step": [s.id for s in item.next_steps],
                  "fact": [f.id for f in item.facts]}
        for field, ids in groups.items():
            value = getattr(answer, field)
            if value and value not in ids:
                problems.append(f"items['{item_id}'].{field}: '{value}' is not an option here.")
        for factor in answer.factors:
            if factor not in {f.id for f in item.factors}:
                problems.append(f"items['{item_id}'].factors: '{factor}' is not a factor here.")
    return problems


def choices_text(items: ItemSet) -> str:
    out = ["Answer with ex.answer(items={'<case id>': {'task': id, 'next_step': id, "
           "'factors': [id, ...], 'fact': id}}); cases you leave out keep their answers."]
    for item in items.items:
        out.append(f"\n'{item.id}' ({item.name}):")
        for label, group in (("task", item.tasks), ("next_step (for no new task)", item.next_steps),
                             (f"factors (at most {MAX_FACTORS})", item.factors), ("fact", item.facts)):
            out.append(f"  {label}:")
            out.extend(f"    {c.id!r}: {c.text}" for c in group)
    out.append("\njustification: two sentences, as a string")
    return "\n".join(out)


def hints(answers: SelectAnswers, items: ItemSet) -> list[str]:
    """What is still open, and catalogue cautions for the chosen tasks (no key)."""
    found, tasks = [], task_catalogue()
    for item in items.items:
        answer = answers.items.get(item.id, ItemAnswer())
        missing = [label for label, done in (("the task", answer.task), ("what it works on",
                   answer.factors), ("the deciding line", answer.fact)) if not done]
        choice = next((t for t in item.tasks if t.id == answer.task), None)
        if choice is not None and choice.task == NO_TASK and not answer.next_step:
            missing.append("the next step")
        if missing:
            found.append(f"{item.name}: still to answer: {', '.join(missing)}.")
        task = tasks.get(choice.task) if choice is not None else None
        if task is not None:
            for caution in task.cautions_for(set(item.risk_flags), choice.size == "smaller"):
                found.append(f"{item.name}: a caution for {task.name} applies: "
                             f"{caution.text.strip()}")
    if not answers.justification.strip():
        found.append("Write the two-sentence justification for your first case.")
    return found or ["Every case is answered. Grading will say what each choice earns and why."]


def key_ids() -> dict[str, tuple[set[str], set[str]]]:
    return {item.id: ({c.id for g in (item.tasks, item.facts, item.next_steps) for c in g},
                      {f.id for f in item.factors}) for item in item_bank().values()}


def content_problems() -> list[Problem]:
    try:
        bank = item_bank()
    except DataFileError as exc:
        return exc.problems
    problems = []
    folder = str(items_dir())
    smaller = sum(i.smaller_or_none for i in bank.values())
    if smaller < SMALLER_OR_NONE or len(bank) - smaller < PER_TRAINEE - SMALLER_OR_NONE:
        problems.append(Problem(folder, "", f"the bank needs at least {SMALLER_OR_NONE} items with "
                                f"smaller_or_none and {PER_TRAINEE - SMALLER_OR_NONE} without; "
                                f"it has {smaller} and {len(bank) - smaller}"))
    known = set(catalogue())
    for item in bank.values():
        for t in item.tasks:
            if t.task != NO_TASK and t.task not in known:
                problems.append(Problem(str(items_dir() / f"{item.id}.yaml"), "tasks",
                                        f"'{t.task}' is not in the task catalogue"))
    return problems


def _best_item_answer(item: SelectItem, key: CaseKey) -> ItemAnswer:
    def top(ids):
        return max(ids, key=lambda i: key.options[i].credit)
    task = top([t.id for t in item.tasks])
    no_task = next(t for t in item.tasks if t.id == task).task == NO_TASK
    best_factor = max(k.credit for k in key.targets.values())
    return ItemAnswer(task=task, next_step=top([s.id for s in item.next_steps]) if no_task else "",
                      factors=[f for f, k in key.targets.items() if k.credit == best_factor][:MAX_FACTORS],
                      fact=top([f.id for f in item.facts]))


def best_answers(item_id: str, key: CaseKey):
    item = item_bank()[item_id]
    return SelectAnswers(items={item_id: _best_item_answer(item, key)}), ItemSet(item_id, (item,))


def rater_choices(answers: SelectAnswers, _case_id: str) -> dict[tuple[str, str], list[str]]:
    """What one rater chose, by (short case, group of competing options)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for item_id, answer in answers.items.items():
        if not (answer.task or answer.fact or answer.factors):
            continue
        for group in ("task", "next_step", "fact"):
            value = getattr(answer, group)
            groups[(item_id, group)] = [value] if value else []
        groups[(item_id, "factors")] = list(answer.factors)
    return groups


SPEC = ExerciseSpec(
    id=EXERCISE,
    title="Select a task, or none, for short cases",
    answers_model=SelectAnswers,
    pool=(),
    criteria={cid: points * PER_TRAINEE for cid, points in PER_ITEM.items()},
    score=score,
    card=card,
    form="bshtrain.skills.select.form:build_form",
    check_ids=check_ids,
    choices_text=choices_text,
    hints=hints,
    free_text={"justification": "justification"},
    rater_choices=rater_choices,
    assign=draw,
    case_html=case_html,
    case_text=case_text,
    key_ids=key_ids,
    content_problems=content_problems,
    best_answers=best_answers,
    key_entries=lambda items: [item.id for item in items.items],
)
