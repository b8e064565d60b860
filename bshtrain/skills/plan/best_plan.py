"""The plan a key rates best, built from the key (for the solution notebook and tests).

It needs a key, so it only works where one is: in solutions/ and at grading.
"""

from __future__ import annotations

from bshtrain.content.cases import Case
from bshtrain.content.tasks import NO_TASK
from bshtrain.engine.keys import CaseKey
from bshtrain.engine.options import CaseOptions
from bshtrain.skills.plan.model import CHOICE_PARTS, MAX_OBSTACLES, MAX_TARGETS, NO_TASK_PARTS, PlanAnswers


def _best(options: CaseOptions, key: CaseKey, part: str) -> str:
    ranked = sorted(options.parts[part].options, key=lambda o: -key.options[o.id].credit)
    return ranked[0].id


def best_plan(case: Case, options: CaseOptions, key: CaseKey, rationale: str = "") -> PlanAnswers:
    """Every part at its best-keyed option, the best factors, and one ask of the final plan."""
    task = _best(options, key, "task")
    no_task = options.option(task).task == NO_TASK
    parts = ("task", *NO_TASK_PARTS) if no_task else CHOICE_PARTS
    choices = {part: _best(options, key, part) for part in parts if part in options.parts}
    top = max(k.credit for k in key.targets.values())
    targets = [f for f, k in key.targets.items() if k.credit == top][:MAX_TARGETS]
    obstacles = []
    if not no_task and "obstacles" in options.parts:
        ranked = sorted(options.parts["obstacles"].options, key=lambda o: -key.options[o.id].credit)
        for option in ranked[:MAX_OBSTACLES]:
            response = max(option.responses, key=lambda r: key.options[r.id].credit)
            obstacles.append({"obstacle": option.id, "response": response.id})
    plan = PlanAnswers(**choices, targets=targets, obstacles=obstacles, rationale=rationale)
    return plan.model_copy(update={"asks": [plan.snapshot()]})
