"""A trainee on the test hub in headless Chromium: log in with their password, fetch and submit
in nbgrader's Assignments panel, answer the plan exercise through its widgets.

Every wait is on page, app or kernel state (tests/jupyterlab_page.py says why), never a sleep.
"""

from __future__ import annotations

import re
from pathlib import Path

from bshtrain.content.cases import get_case
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.model import CHOICE_PARTS, PlanAnswers

from .jupyterlab_page import close_and_shut_down, open_notebook, run_all, wait_for_answers

OPEN_ASSIGNMENTS = """async () => {
  await window.jupyterapp.started;
  await window.jupyterapp.commands.execute('nbgrader:open-assignment-list');
  return true;
}"""


class HubLab:
    """A user's JupyterLab behind the hub (what jupyterlab_page's helpers call `lab`)."""

    def __init__(self, hub_url: str, name: str):
        self.hub_url = hub_url.rstrip("/")
        self.name = name

    def url(self, path: str = "lab") -> str:
        return f"{self.hub_url}/user/{self.name}/{path}"


def log_in(page, lab: HubLab, password: str, timeout_ms: int = 120_000) -> None:
    """The hub's login form, then on to the user's (running) JupyterLab."""
    page.goto(f"{lab.hub_url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", lab.name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{re.escape(lab.name)}/lab"), timeout=timeout_ms)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=timeout_ms)
    page.evaluate("() => window.jupyterapp.started")


ROW = ".list_item:not(.nested_list_item)"  # an exercise's row (its notebooks are nested rows)


def _assignments_panel(page) -> None:
    page.evaluate(OPEN_ASSIGNMENTS)


def _row(page, section: str, exercise: str):
    return page.locator(f"#{section}_assignments_list {ROW}", has_text=exercise)


def fetch_in_panel(page, exercise: str) -> None:
    """Assignments panel: Fetch the released exercise; wait until it is listed as fetched."""
    _assignments_panel(page)
    _row(page, "released", exercise).get_by_role("button", name="Fetch").click()
    _row(page, "fetched", exercise).wait_for()


def submit_in_panel(page, exercise: str) -> None:
    """Assignments panel: Submit the fetched exercise; wait until a submission is listed."""
    _assignments_panel(page)
    _row(page, "fetched", exercise).get_by_role("button", name="Submit").click()
    _row(page, "submitted", exercise).first.wait_for()


def answer_plan_in_widgets(page, lab: HubLab, notebook: str, case_id: str, plan: PlanAnswers,
                           answers: Path) -> None:
    """Open the notebook, Run All, and give `plan` through the form: each choice in its own
    labelled group, the factors, the obstacles, Ask the client, the rationale.

    As a trainee waits to see an answer saved before the next, each step waits until the
    kernel has written it to `answers` (the file on disk): an obstacle's responses exist only
    once the kernel has filled them in for that obstacle."""
    options = case_options("plan", case_id)
    open_notebook(page, lab, notebook)
    run = run_all(page, notebook)
    assert run == {"ok": True, "notRun": 0, "errors": 0}, f"Run All must pass: {run}"
    page.get_by_role("button", name="Ask the client").wait_for(state="visible")

    def saved(check) -> None:
        wait_for_answers(answers, lambda d: check(d["answers"]), timeout=60)

    for part in CHOICE_PARTS:
        value = getattr(plan, part)
        if not value:
            continue
        group = page.get_by_role("group", name=options.parts[part].prompt, exact=True)
        group.get_by_role("radio", name=options.option(value).text, exact=True).check()
        saved(lambda a, part=part, value=value: a[part] == value)
    factors = {f.id: f.description.strip() for f in get_case(case_id).formulation.maintaining_factors}
    for n, factor in enumerate(plan.targets, 1):
        page.get_by_role("checkbox", name=factors[factor], exact=True).check()
        saved(lambda a, n=n: a["targets"] == plan.targets[:n])
    for i, row in enumerate(plan.obstacles, 1):
        obstacle = options.option(row.obstacle)
        page.get_by_label(f"Obstacle {i}", exact=True).select_option(label=obstacle.text)
        saved(lambda a, i=i, row=row: len(a["obstacles"]) >= i
              and a["obstacles"][i - 1]["obstacle"] == row.obstacle)
        response = next(r for r in obstacle.responses if r.id == row.response)
        page.get_by_label(f"What to do about obstacle {i}", exact=True).select_option(label=response.text)
        saved(lambda a, i=i, row=row: a["obstacles"][i - 1] == row.model_dump(mode="json"))
    page.get_by_role("button", name="Ask the client").click()
    page.get_by_text("Willingness", exact=False).first.wait_for()
    page.get_by_label("Your rationale, as you would say it to the client").fill(plan.rationale)
    page.keyboard.press("Tab")
    saved(lambda a: a["rationale"] == plan.rationale and len(a["asks"]) == 1)


def save_and_close(page, notebook: str) -> None:
    close_and_shut_down(page, notebook)
