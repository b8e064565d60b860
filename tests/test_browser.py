"""The trainee's whole path in a real JupyterLab, driven in headless Chromium.

Open the plan exercise, Run All, build a plan through the widgets (mouse and keyboard), ask
the client, revise, see the answers file on disk; close and shut down the notebook, open it
again, Run All, and see everything restored. Every wait is on app or kernel state
(tests/jupyterlab_page.py says why), never a sleep.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from bshtrain.engine.form_host import display_order
from bshtrain.engine.identity import case_for
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.spec import POOL

from .jupyterlab_page import close_and_shut_down, open_notebook, run_all, wait_for_answers
from .lab_server import CHROMIUM, CHROMIUM_ARGS, serving
from .nbgrader_course import copy_course
from .plan_plans import model_plan

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

NOTEBOOK = "exercises/plan/plan.ipynb"
RATIONALE = "Li, when you dropped the rehearsing, you could hear my question. <script>x=1</script>"
CASE = "li"
TRAINEE = next(f"trainee-{n}" for n in range(1000) if case_for(f"trainee-{n}", POOL) == CASE)



@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    base = tmp_path_factory.mktemp("lab")
    course = copy_course(base / "course")
    shutil.rmtree(course.root / "solutions")  # a trainee's view: the release only
    with serving(course.root, base / "lab.log", env={"JUPYTERHUB_USER": TRAINEE}) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (no browser download)."""
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(lab, browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 1000})
    pg.set_default_timeout(60_000)
    yield pg
    pg.close()


def _open_and_run_all(page, lab) -> None:
    open_notebook(page, lab, NOTEBOOK)
    run = run_all(page, NOTEBOOK)
    assert run == {"ok": True, "notRun": 0, "errors": 0}, "Run All must pass without errors"
    page.get_by_role("button", name="Ask the client").wait_for(state="visible")


def _in_view(page, locator) -> bool:
    """Is the element inside the notebook's visible area (not merely in the page)?"""
    box = locator.bounding_box()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
    view = panel.bounding_box()
    return bool(box and view and box["y"] >= view["y"] and box["y"] + min(box["height"], 40)
                <= view["y"] + view["height"])


def _option(part: str, index: int = 0):
    return case_options("plan", CASE).parts[part].options[index]


def _radio(page, part: str, index: int = 0):
    return page.get_by_role("radio", name=_option(part, index).text, exact=True)


def _dose_radio(page, option_id: str):
    return page.get_by_role("radio", name=case_options("plan", CASE).option(option_id).text, exact=True)


def test_plan_through_widgets_is_saved_and_restored(lab, page):
    """Can a trainee build a plan in the widgets (mouse and keyboard), ask the client, revise,
    and find it all in answers/plan.json and back in the form after reopening?"""
    answers = lab.root / "exercises" / "plan" / "answers" / "plan.json"
    _open_and_run_all(page, lab)
    assert not answers.exists(), "building the form must not write the answers file"
    # Run All leaves the trainee at the end: what they see there says where the case and form are
    where = page.locator(".jp-Notebook .jp-RenderedMarkdown strong",
                         has_text="After Run All you are here, at the end.")
    assert _in_view(page, where), "after Run All, the words saying where the case is are in view"
    text = page.inner_text(".jp-Notebook")
    assert "scored when your instructor grades" in text and "of 4 points" not in text
    unlabeled = page.evaluate("""() => [...document.querySelectorAll(
        '.bsh-form input, .bsh-form select, .bsh-form textarea, .bsh-form button')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.closest('label')
                      && !(el.tagName === 'BUTTON' && el.textContent.trim()))
        .map(el => el.outerHTML.slice(0, 80))""")
    assert unlabeled == [], "every control needs a label tied to it"

    _radio(page, "task", 1).check()
    page.get_by_role("checkbox").first.check()
    for part in ("step", "when", "where", "written", "reminder", "review"):
        _radio(page, part).check()
    dose_order = [o.id for o in display_order(case_options("plan", CASE).parts["dose"].options,
                                              f"{TRAINEE}:{CASE}:dose")]  # as the trainee sees them
    _dose_radio(page, dose_order[1]).check()
    obstacle = _option("obstacles")
    page.get_by_label("Obstacle 1", exact=True).select_option(label=obstacle.text)
    page.get_by_label("What to do about obstacle 1").select_option(label=obstacle.responses[0].text)
    page.get_by_role("button", name="Ask the client").click()
    page.get_by_text("Willingness", exact=False).first.wait_for()
    # keyboard only: focus the chosen dose and move the choice with an arrow key
    _dose_radio(page, dose_order[1]).focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Ask the client").focus()
    page.keyboard.press("Enter")
    rationale = "Li, rehearsing made you <b>more</b> anxious — 周四 we test it."
    page.get_by_label("Your rationale, as you would say it to the client").fill(rationale)
    page.keyboard.press("Tab")

    saved = wait_for_answers(answers, lambda d: len(d["answers"]["asks"]) == 2
                           and d["answers"]["rationale"] == rationale)
    plan = saved["answers"]
    assert saved["exercise"] == "plan" and saved["case"] == CASE and saved["trainee"] == TRAINEE
    assert plan["task"] == _option("task", 1).id
    assert plan["dose"] == dose_order[2], "ArrowDown moved the choice to the option shown below"
    names = page.evaluate("""() => [...document.querySelectorAll('.bsh-choice')]
        .map(g => new Set([...g.querySelectorAll('input')].map(i => i.name)))
        .map(s => [...s].join())""")
    assert len(names) == len(set(names)) and all("," not in n for n in names), "one group each"
    assert plan["asks"][0]["choices"]["dose"] == dose_order[1]
    assert plan["obstacles"] == [{"obstacle": obstacle.id, "response": obstacle.responses[0].id}]
    assert len(plan["targets"]) == 1
    assert page.locator(".jp-Notebook b", has_text="more").count() == 0, "trainee text is text"

    page.get_by_role("button", name="Check my plan").click()
    hints = page.locator(".bsh-hints li")
    hints.first.wait_for()
    assert "Still to answer" in hints.all_inner_texts()[0]  # obstacles 2 and 3 are open
    assert not any("point" in h for h in hints.all_inner_texts()), "Check never shows a score"

    # Reopen as a trainee does: save, close and shut down the notebook, open it again, Run All.
    close_and_shut_down(page, NOTEBOOK)
    _open_and_run_all(page, lab)
    assert _radio(page, "task", 1).is_checked()
    assert _dose_radio(page, dose_order[2]).is_checked()
    assert page.get_by_role("checkbox").first.is_checked()
    assert page.get_by_label("What to do about obstacle 1").evaluate(
        "s => s.options[s.selectedIndex].text").replace("\xa0", " ") == obstacle.responses[0].text
    assert page.get_by_label("Your rationale, as you would say it to the client").input_value() == rationale
    assert page.get_by_text("Your saved answers were loaded").first.is_visible()


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """A course with one autograded submission, served for the formgrader."""
    import nbformat

    from .nbgrader_course import place_submission, run_nbgrader

    base = tmp_path_factory.mktemp("formgrader")
    course = copy_course(base / "course")
    run_nbgrader(course, "generate_assignment", "plan", "--force")
    nb = nbformat.read(course.exercises / "plan" / "plan.ipynb", as_version=4)
    plan = model_plan(CASE).model_copy(update={"rationale": RATIONALE})
    answers = json.dumps({"exercise": "plan", "schema_version": 1, "case": CASE,
                          "answers": plan.model_dump(mode="json")})
    place_submission(course, TRAINEE, "plan", nb, answers)
    run_nbgrader(course, "autograde", "plan", "--force")
    with serving(course.root, base / "lab.log") as server:
        yield server


def test_rationale_is_graded_in_the_formgrader(instructor_lab, browser):
    """Can an instructor read the rationale in the formgrader, score it and comment, and does
    the gradebook keep both?"""
    from nbgrader.api import Gradebook

    context = browser.new_context(
        viewport={"width": 1280, "height": 1000},
        extra_http_headers={"Authorization": f"token {instructor_lab.token}"})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(instructor_lab.url("formgrader/gradebook/plan/plan"))
    page.click("td a")  # the one submission
    page.get_by_role("paragraph").filter(has_text="when you dropped the rehearsing").wait_for()
    assert page.locator("script", has_text="x=1").count() == 0, "trainee text must not run"
    assert page.get_by_text("<script>x=1</script>").count() >= 1, "it is shown as text"
    # the formgrader fetches grades and comments after the page loads: typing earlier is lost
    page.wait_for_function("() => window.formgrader && formgrader.grades && formgrader.comments "
                           "&& formgrader.grades.loaded && formgrader.comments.loaded")
    page.fill("#rationale", "3")
    page.fill("#rationale-comment", "Clear link to Li's goal; invite their view.")
    page.press("#rationale-comment", "Tab")
    gradebook = f"sqlite:///{instructor_lab.root / 'gradebook.db'}"
    deadline = time.monotonic() + 20
    while True:
        with Gradebook(gradebook) as gb:
            grade = gb.find_grade("rationale", "plan", "plan", TRAINEE)
            comment = gb.find_comment("rationale", "plan", "plan", TRAINEE)
            got = (grade.manual_score, comment.manual_comment)
        if got == (3.0, "Clear link to Li's goal; invite their view."):
            break
        assert time.monotonic() < deadline, f"formgrader did not save: {got}"
        time.sleep(0.2)
    with Gradebook(gradebook) as gb:
        submission = gb.find_submission("plan", TRAINEE)
        assert submission.score == 19.0  # the model plan's 16 autograded points + 3 given here
    context.close()
