"""The plan exercise, as the engine sees it: model, pool, scorer, card, ids, hints."""

from __future__ import annotations

import textwrap

from bshtrain.content.cases import Case, get_case
from bshtrain.content.tasks import NO_TASK, task_catalogue
from bshtrain.engine.client import GOOD_RATING, client_answer
from bshtrain.engine.keys import ExerciseKey
from bshtrain.engine.options import case_options, pool_problems
from bshtrain.engine.scoring import Scored
from bshtrain.engine.spec import ExerciseSpec
from bshtrain.skills.plan.best_plan import best_plan
from bshtrain.skills.plan.model import (
    CHOICE_PARTS,
    MAX_OBSTACLES,
    MAX_TARGETS,
    NO_TASK_PARTS,
    PART_TITLES,
    PlanAnswers,
)
from bshtrain.skills.plan.scorer import MAX_POINTS, score_plan

EXERCISE = "plan"
# None of these is a worked example in a lesson (tests/test_plan_pool.py checks it).
POOL = ("amara", "li", "priya", "dani", "elena", "ruth")


def score(answers: PlanAnswers, case: Case, key: ExerciseKey) -> Scored:
    if case.id not in key.cases:
        raise KeyError(f"the key has no entry for case '{case.id}'")
    return score_plan(answers, case, case_options(EXERCISE, case.id), key.cases[case.id],
                      task_catalogue())


def _is_no_task(answers: PlanAnswers, case: Case) -> bool:
    option = case_options(EXERCISE, case.id).option(answers.task)
    return option is not None and option.task == NO_TASK


def card(answers: PlanAnswers, case: Case) -> str:
    """The whole plan as a readable plain-text card."""
    options = case_options(EXERCISE, case.id)

    def text(option_id: str) -> str:
        if not option_id:
            return "(not answered)"
        option = options.option(option_id)
        return option.text if option else f"(unknown option '{option_id}')"

    def wrap(label: str, value: str) -> list[str]:
        wrapped = textwrap.wrap(value, 88, initial_indent=f"{label}: ", subsequent_indent="    ")
        return wrapped or [f"{label}:"]

    lines = ["THE PLAN"]
    parts = ("task", *NO_TASK_PARTS) if _is_no_task(answers, case) else CHOICE_PARTS
    for part in parts:
        lines.extend(wrap(PART_TITLES[part], text(getattr(answers, part))))
        if part == "task":
            factors = [case.factor(f) for f in answers.targets]
            named = "; ".join(f.description.strip() if f else "(unknown factor)" for f in factors)
            lines.extend(wrap(PART_TITLES["targets"], named or "(none named)"))
    if not _is_no_task(answers, case):
        if not answers.obstacles:
            lines.append(f"{PART_TITLES['obstacles']}: (none)")
        for i, row in enumerate(answers.obstacles, 1):
            lines.extend(wrap(f"Obstacle {i}", text(row.obstacle)))
            lines.extend(wrap("    what to do", text(row.response)))
    said = client_answer(options, answers.chosen_ids())
    asked = len(answers.asks)
    lines.append(f"Asked the client: {asked} time(s). With this plan the client's willingness is "
                 f"{said.willingness}/10 and confidence {said.confidence}/10 (simulated).")
    lines.extend(wrap("Rationale as said to the client", answers.rationale.strip() or "(none)"))
    return "\n".join(lines)


def check_ids(answers: PlanAnswers, case: Case) -> list[str]:
    """Problems with the ids a code answer used, each naming the field."""
    options = case_options(EXERCISE, case.id)
    problems = []
    for part in (*CHOICE_PARTS, *NO_TASK_PARTS):
        value = getattr(answers, part)
        if value and options.part_of(value) != part:
            problems.append(f"{part}: '{value}' is not one of the options for {part}.")
    for factor in answers.targets:
        if case.factor(factor) is None:
            problems.append(f"targets: '{factor}' is not a maintaining factor in this case.")
    for i, row in enumerate(answers.obstacles):
        option = options.option(row.obstacle) if row.obstacle else None
        if row.obstacle and (option is None or options.part_of(row.obstacle) != "obstacles"):
            problems.append(f"obstacles[{i}].obstacle: '{row.obstacle}' is not an obstacle option.")
        elif row.response and (option is None or row.response not in {r.id for r in option.responses}):
            problems.append(f"obstacles[{i}].response: '{row.response}' is not a way to meet "
                            "that obstacle.")
    return problems


def choices_text(case: Case) -> str:
    """Every id a trainee answering in code can use, part by part."""
    options = case_options(EXERCISE, case.id)
    out = [f"Answer with ex.answer(part='id', ...). Parts and their options for {case.name}:"]
    for part, spec in options.parts.items():
        out.append(f"\n{part} ({PART_TITLES.get(part, part)}): {spec.prompt}")
        for option in spec.options:
            out.append(f"  {option.id!r}: {option.text}")
            for response in option.responses:
                out.append(f"      response {response.id!r}: {response.text}")
    out.append(f"\ntargets (at most {MAX_TARGETS}): a list of these maintaining factors:")
    for factor in case.formulation.maintaining_factors:
        out.append(f"  {factor.id!r}: {factor.description.strip()}")
    out.append(f"\nobstacles (at most {MAX_OBSTACLES}): [{{'obstacle': id, 'response': id}}, ...]")
    out.append("rationale: your words to the client, as a string")
    return "\n".join(out)


def hints(answers: PlanAnswers, case: Case) -> list[str]:
    """Formative hints from what ships: missing parts, catalogue cautions, the client's replies.
    No key is used: credit appears only in the feedback after grading."""
    options = case_options(EXERCISE, case.id)
    found: list[str] = []
    no_task = _is_no_task(answers, case)
    parts = ("task", *NO_TASK_PARTS) if no_task else CHOICE_PARTS
    missing = [PART_TITLES[p] for p in parts if not getattr(answers, p)]
    if not answers.targets:
        missing.append(PART_TITLES["targets"])
    if not no_task and len(answers.obstacles) < MAX_OBSTACLES:
        missing.append(f"{PART_TITLES['obstacles']} ({len(answers.obstacles)} of "
                       f"{MAX_OBSTACLES} so far)")
    if missing:
        found.append("Still to answer: " + ", ".join(missing) + ".")
    task_option = options.option(answers.task)
    task = task_catalogue().get(task_option.task) if task_option else None
    if task is not None:
        for caution in task.cautions_for(set(case.risk.flags), task_option.size == "smaller"):
            found.append(f"A caution for {task.name} applies to this client: "
                         f"{caution.text.strip()} Does your plan meet it?")
    if not no_task and any(row.obstacle and not row.response for row in answers.obstacles):
        found.append("An obstacle has no plan yet: agree what the client will do about it.")
    said = client_answer(options, answers.chosen_ids())
    if not answers.asks:
        found.append("You have not asked the client yet: use Ask the client before you finish.")
    elif not said.ready:
        found.append(f"The client's last ratings are below {GOOD_RATING}/10: what would make the "
                     "plan easier or more their own?")
    if not answers.rationale.strip():
        found.append("Write the rationale as you would say it to the client (graded by your "
                     "instructor).")
    return found or ["Every part is answered. Your instructor's grading will say what each "
                     "choice earns and why."]


def rater_choices(answers: PlanAnswers, case_id: str) -> dict[tuple[str, str], list[str]]:
    """What one rater chose, by (key entry, group of competing options), for aggregate scoring."""
    groups: dict[str, list[str]] = {part: [value] for part, value in answers.choices().items()}
    groups["targets"] = list(answers.targets)
    groups["obstacles"] = [row.obstacle for row in answers.obstacles if row.obstacle]
    for row in answers.obstacles:
        if row.obstacle and row.response:
            groups[f"response:{row.obstacle}"] = [row.response]
    return {(case_id, group): ids for group, ids in groups.items()}


def key_ids() -> dict[str, tuple[set[str], set[str]]]:
    """What the key must cover: every option and every maintaining factor, per pool case."""
    return {c: ({o.id for o in case_options(EXERCISE, c).all_options()},
                {f.id for f in get_case(c).formulation.maintaining_factors}) for c in POOL}


def best_answers(case_id: str, case_key):
    """The key's own best plan for a case, and the case."""
    case = get_case(case_id)
    return best_plan(case, case_options(EXERCISE, case_id), case_key), case


SPEC = ExerciseSpec(
    id=EXERCISE,
    title="Plan a homework task with your client",
    answers_model=PlanAnswers,
    pool=POOL,
    criteria=MAX_POINTS,
    score=score,
    card=card,
    form="bshtrain.skills.plan.form:build_form",
    check_ids=check_ids,
    choices_text=choices_text,
    hints=hints,
    free_text={"rationale": "rationale"},
    rater_choices=rater_choices,
    key_ids=key_ids,
    content_problems=lambda: pool_problems(EXERCISE, POOL),
    best_answers=best_answers,
)
