"""Score a plan: a pure function of (answers, case, options, key, catalogue) -> Scored.

Every scored part is an authored option, and what it earns for this case is the key's credit
and reason (design 5.2). A harmful option, or a catalogue caution that applies to this client
without one of the key's mitigations, is a gate (design 5.3). The client's ratings are
recomputed from the authored effects (design 5.4), never read from the file.
"""

from __future__ import annotations

from bshtrain.content.cases import Case
from bshtrain.content.tasks import NO_TASK, Task
from bshtrain.engine.client import GOOD_RATING, client_answer
from bshtrain.engine.keys import CaseKey, Keyed
from bshtrain.engine.options import CaseOptions
from bshtrain.engine.scoring import Criterion, Gate, Line, Scored
from bshtrain.skills.plan.model import MAX_OBSTACLES, PART_TITLES, Ask, PlanAnswers

MAX_POINTS: dict[str, float] = {
    "task": 4, "targets": 2, "specifics": 4, "obstacles": 3, "written": 1, "client": 1, "review": 1,
}
TITLES: dict[str, str] = {
    "task": "Task and size for this client",
    "targets": "What the task targets in the formulation",
    "specifics": "The concrete step, when, where, how often and how long",
    "obstacles": "Obstacles this client will meet, and a plan for each",
    "written": "Written down and a reminder, in a form that suits this client",
    "client": "Checked with the client: willing and confident",
    "review": "Review set for the next session",
}
SPECIFIC_PARTS = ("step", "when", "where", "dose")


def _line(keyed: Keyed, prefix: str = "") -> Line:
    return Line(prefix + keyed.reason, tuple(keyed.sources), keyed.basis)


class _Context:
    """The case's options and key, with helpers the criteria share."""

    def __init__(self, answers: PlanAnswers, case: Case, options: CaseOptions, key: CaseKey):
        self.answers, self.case, self.options, self.key = answers, case, options, key

    def text(self, option_id: str) -> str:
        option = self.options.option(option_id)
        return option.text.rstrip(".") if option else option_id

    def best_in(self, part: str) -> str | None:
        """The option of a part with the highest credit (for 'a stronger choice')."""
        ids = [o.id for o in self.options.parts[part].options] if part in self.options.parts else []
        keyed = [(self.key.options[i].credit, i) for i in ids if i in self.key.options]
        return max(keyed)[1] if keyed else None

    def choice(self, part: str, option_id: str) -> tuple[float, list[Line]]:
        """Credit and feedback for one single-choice part."""
        title = PART_TITLES.get(part, part)
        if not option_id:
            return 0.0, [Line(f"{title}: not answered.", (), "clinical-reasoning")]
        if self.options.part_of(option_id) != part or option_id not in self.key.options:
            return 0.0, [Line(f"{title}: '{option_id}' is not one of the options for this case.",
                              (), "clinical-reasoning")]
        keyed = self.key.options[option_id]
        lines = [_line(keyed, f"{title}: you chose \u201c{self.text(option_id)}\u201d. ")]
        best = self.best_in(part)
        if keyed.credit < 1 and best and best != option_id:
            better = self.key.options[best]
            lines.append(_line(better, f"A stronger choice: \u201c{self.text(best)}\u201d. "))
        return keyed.credit, lines


def _task_option(ctx: _Context):
    option = ctx.options.option(ctx.answers.task)
    return option if option is not None and ctx.options.part_of(option.id) == "task" else None


def _no_task_factor(ctx: _Context) -> tuple[float, list[Line]]:
    """For 'no new task this week': the share of points that decision earns."""
    task_credit, lines = ctx.choice("task", ctx.answers.task)
    reason, reason_lines = ctx.choice("no_task_reason", ctx.answers.no_task_reason)
    step, step_lines = ctx.choice("next_step", ctx.answers.next_step)
    return task_credit * (reason + step) / 2, lines + reason_lines + step_lines


def _targets(ctx: _Context) -> Criterion:
    ticked = ctx.answers.targets
    if not ticked:
        lines = [Line("No maintaining factor was named: say what the task works on.", (),
                      "clinical-reasoning")]
        return Criterion("targets", TITLES["targets"], MAX_POINTS["targets"], 0.0, tuple(lines))
    lines, credits = [], []
    for factor_id in ticked:
        keyed = ctx.key.targets.get(factor_id)
        factor = ctx.case.factor(factor_id)
        if keyed is None or factor is None:
            credits.append(0.0)
            lines.append(Line(f"'{factor_id}' is not a maintaining factor in this case.", (),
                              "clinical-reasoning"))
            continue
        credits.append(keyed.credit)
        lines.append(_line(keyed, f"You named \u201c{factor.description.strip()}\u201d. "))
    points = MAX_POINTS["targets"] * sum(credits) / len(credits)
    return Criterion("targets", TITLES["targets"], MAX_POINTS["targets"], points, tuple(lines))


def _obstacles(ctx: _Context) -> tuple[float, list[Line]]:
    lines: list[Line] = []
    total = 0.0
    seen: set[str] = set()
    for row in ctx.answers.obstacles:
        if not row.obstacle or row.obstacle in seen:
            continue
        seen.add(row.obstacle)
        option = ctx.options.option(row.obstacle)
        if option is None or ctx.options.part_of(row.obstacle) != "obstacles" \
                or row.obstacle not in ctx.key.options:
            lines.append(Line(f"'{row.obstacle}' is not one of this case's obstacles.", (),
                              "clinical-reasoning"))
            continue
        found = ctx.key.options[row.obstacle]
        lines.append(_line(found, f"Obstacle \u201c{ctx.text(option.id)}\u201d: "))
        responses = {r.id for r in option.responses}
        if not row.response:
            lines.append(Line("No plan was agreed for it.", (), "clinical-reasoning"))
            continue
        if row.response not in responses or row.response not in ctx.key.options:
            lines.append(Line("The plan chosen does not belong to this obstacle.", (),
                              "clinical-reasoning"))
            continue
        response = ctx.key.options[row.response]
        lines.append(_line(response, f"Plan \u201c{ctx.text(row.response)}\u201d: "))
        total += found.credit * response.credit
    if not seen:
        lines.append(Line("No obstacle was foreseen with the client.", ("kazantzis-2007",)))
    elif len(seen) < MAX_OBSTACLES:
        lines.append(Line(f"You foresaw {len(seen)} of the {MAX_OBSTACLES} obstacles the plan has "
                          "room for: each obstacle foreseen, with a plan, earns up to a point."))
    return min(total, MAX_POINTS["obstacles"]), lines


def _client(ctx: _Context) -> Criterion:
    asks: list[Ask] = ctx.answers.asks
    final = client_answer(ctx.options, ctx.answers.chosen_ids())
    title, most = TITLES["client"], MAX_POINTS["client"]
    rated = (f"With the plan as it stands, the client's willingness is {final.willingness}/10 "
             f"and confidence {final.confidence}/10.")
    if not asks:
        line = Line("The plan was never put to the client (Ask the client): a plan is agreed "
                    "with the client, not assumed. " + rated, ("tompkins-2002", "beck-2021"))
        return Criterion("client", title, most, 0.0, (line,))
    earlier_low = any(not client_answer(ctx.options, _ask_ids(a)).ready for a in asks)
    if final.ready:
        text = ("You checked with the client" + (", revised the plan after a low rating," if
                earlier_low else "") + " and they are willing and confident. " + rated)
        return Criterion("client", title, most, most, (Line(text, ("beck-2021",)),))
    text = (f"You asked the client, but a rating is still below {GOOD_RATING}/10: change the "
            "plan (smaller, easier, or at a better time) until they feel able. " + rated)
    return Criterion("client", title, most, most / 2, (Line(text, ("beck-2021",)),))


def _ask_ids(ask: Ask) -> list[str]:
    ids = list(ask.choices.values())
    for row in ask.obstacles:
        ids.extend(i for i in (row.obstacle, row.response) if i)
    return ids


def _gates(ctx: _Context, tasks: dict[str, Task]) -> tuple[Gate, ...]:
    gates = []
    for option_id in dict.fromkeys(ctx.answers.chosen_ids()):
        keyed = ctx.key.options.get(option_id)
        if keyed is not None and keyed.harm and ctx.options.part_of(option_id) is not None:
            gates.append(Gate(keyed.harm, tuple(keyed.sources), option_id))
    option = _task_option(ctx)
    task = tasks.get(option.task) if option is not None else None
    if task is not None:
        cautions = task.cautions_for(set(ctx.case.risk.flags), smaller=option.size == "smaller")
        met = set(ctx.key.mitigations.get(task.id, ())) & set(ctx.answers.chosen_ids())
        if cautions and not met:
            for caution in cautions:
                gates.append(Gate(f"A caution for '{task.name}' applies to this client and the "
                                  f"plan does not meet it: {caution.text.strip()}",
                                  tuple(caution.sources), option.id))
    return tuple(gates)


def score_plan(answers: PlanAnswers, case: Case, options: CaseOptions, key: CaseKey,
               tasks: dict[str, Task]) -> Scored:
    """Score a plan against every criterion. Pure: no I/O, no widgets."""
    ctx = _Context(answers, case, options, key)
    option = _task_option(ctx)
    criteria: list[Criterion] = []
    if option is not None and option.task == NO_TASK:
        share, lines = _no_task_factor(ctx)
        for cid in MAX_POINTS:
            if cid == "targets":
                criteria.append(_targets(ctx))
                continue
            if cid == "client":  # the decision is still put to the client
                client = _client(ctx)
                why = Line("You chose no new task this week; this part is also scored by that "
                           "decision, its reason and the next step.", (), "clinical-reasoning")
                criteria.append(Criterion(cid, TITLES[cid], client.max_points,
                                          client.raw_points * share, (*client.lines, why)))
                continue
            shown = tuple(lines) if cid == "task" else (
                Line("You chose no new task this week; this part is scored by that decision, "
                     "its reason and the next step.", (), "clinical-reasoning"),)
            criteria.append(Criterion(cid, TITLES[cid], MAX_POINTS[cid], MAX_POINTS[cid] * share,
                                      shown))
        return Scored(tuple(criteria), _gates(ctx, tasks))

    credit, lines = ctx.choice("task", answers.task)
    criteria.append(Criterion("task", TITLES["task"], 4, 4 * credit, tuple(lines)))
    criteria.append(_targets(ctx))
    spec_points, spec_lines = 0.0, []
    for part in SPECIFIC_PARTS:
        credit, lines = ctx.choice(part, getattr(answers, part))
        spec_points += credit
        spec_lines.extend(lines)
    criteria.append(Criterion("specifics", TITLES["specifics"], 4, spec_points, tuple(spec_lines)))
    ob_points, ob_lines = _obstacles(ctx)
    criteria.append(Criterion("obstacles", TITLES["obstacles"], 3, ob_points, tuple(ob_lines)))
    written, w_lines = ctx.choice("written", answers.written)
    reminder, r_lines = ctx.choice("reminder", answers.reminder)
    criteria.append(Criterion("written", TITLES["written"], 1, 0.5 * written + 0.5 * reminder,
                              tuple(w_lines + r_lines)))
    criteria.append(_client(ctx))
    credit, lines = ctx.choice("review", answers.review)
    criteria.append(Criterion("review", TITLES["review"], 1, credit, tuple(lines)))
    return Scored(tuple(criteria), _gates(ctx, tasks))
