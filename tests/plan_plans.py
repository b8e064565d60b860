"""Plans for the shipped plan-exercise cases: the authors' model, harmful and defensible
plans (tests/fixtures/plan/<case>.yaml), and a junk plan built from the key's worst options."""

from __future__ import annotations

from functools import cache

import yaml

from bshtrain.engine.keys import read_key
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.model import CHOICE_PARTS, MAX_OBSTACLES, PlanAnswers
from bshtrain.skills.plan.spec import POOL

from .conftest import FIXTURES, ROOT

PLAN_FIXTURES = FIXTURES / "plan"


@cache
def key():
    return read_key(ROOT / "solutions" / "plan" / "key.yaml")[0]


@cache
def fixtures(case_id: str) -> dict:
    return yaml.safe_load((PLAN_FIXTURES / f"{case_id}.yaml").read_text(encoding="utf-8"))


def model_plan(case_id: str) -> PlanAnswers:
    return PlanAnswers(**fixtures(case_id)["model"]["answers"])


def harmful_plans() -> list[tuple[str, str, PlanAnswers]]:
    """(case, name, plan) for every harmful plan the authors wrote."""
    found = []
    for case_id in POOL:
        for item in fixtures(case_id).get("harmful", []):
            found.append((case_id, item["name"], PlanAnswers(**item["answers"])))
    return found


def defensible_plans() -> list[tuple[str, str, PlanAnswers, dict]]:
    found = []
    for case_id in POOL:
        for item in fixtures(case_id).get("defensible", []):
            found.append((case_id, item["name"], PlanAnswers(**item["answers"]), item["expected"]))
    return found


def junk_plan(case_id: str) -> PlanAnswers:
    """The worst-keyed option of every part, every factor ticked that is allowed, no ask:
    what a trainee who clicks anything gets."""
    options, case_key = case_options("plan", case_id), key().cases[case_id]

    def worst(part: str) -> str:
        return min(options.parts[part].options, key=lambda o: case_key.options[o.id].credit).id

    obstacles = []
    ranked = sorted(options.parts["obstacles"].options, key=lambda o: case_key.options[o.id].credit)
    for option in ranked[:MAX_OBSTACLES]:
        response = min(option.responses, key=lambda r: case_key.options[r.id].credit)
        obstacles.append({"obstacle": option.id, "response": response.id})
    targets = sorted(case_key.targets, key=lambda f: case_key.targets[f].credit)[:2]
    return PlanAnswers(**{p: worst(p) for p in CHOICE_PARTS}, targets=targets, obstacles=obstacles,
                       rationale="x")
