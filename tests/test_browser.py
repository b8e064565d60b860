"""The trainee's whole path in a real JupyterLab, driven in headless Chromium.

Open the exercise, Run All, fill the plan through the widgets, see the answers file on
disk; close and shut down the notebook, open it again, Run All, and see the answers restored.
Every wait is on app or kernel state (tests/jupyterlab_page.py says why).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from .jupyterlab_page import close_and_shut_down, open_notebook, run_all
from .lab_server import CHROMIUM, CHROMIUM_ARGS, serving
from .nbgrader_course import copy_course

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

NOTEBOOK = "exercises/plan/plan.ipynb"


def _wait_for_file(path: Path, check, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if path.exists():
            try:
                last = json.loads(path.read_text())
            except json.JSONDecodeError:
                last = None  # cannot happen with atomic writes; retry anyway
            if last is not None and check(last):
                return last
        time.sleep(0.1)
    raise AssertionError(f"{path} never held the expected answers; last seen: {last}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    base = tmp_path_factory.mktemp("lab")
    course = copy_course(base / "course")
    shutil.rmtree(course.root / "solutions")  # a trainee's view: the release only
    with serving(course.root, base / "lab.log") as server:
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
    # Until the plan is complete the first locked check stops Run All with its message.
    assert run["errors"] <= 1 and run["notRun"] <= 2, run
    page.get_by_label("Task", exact=True).wait_for(state="visible")


def test_plan_through_widgets_is_saved_and_restored(lab, page):
    """Does a plan entered in the widgets reach answers/plan.json and come back after reopening?"""
    answers = lab.root / "exercises" / "plan" / "answers" / "plan.json"
    _open_and_run_all(page, lab)
    assert not answers.exists(), "building the form must not write the answers file"
    unlabeled = page.evaluate("""() => [...document.querySelectorAll(
        '.bsh-form input, .bsh-form select, .bsh-form textarea, .bsh-form button')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !(el.tagName === 'BUTTON' && el.textContent.trim()))
        .map(el => el.outerHTML.slice(0, 80))""")
    assert unlabeled == [], "every control needs a label tied to it"

    page.get_by_label("Task", exact=True).select_option(label="Behavioural experiment")
    page.get_by_label("Smaller version").check()
    first_factor = page.locator(".widget-checkbox input[type=checkbox]").first
    first_factor.check()
    page.get_by_label("When", exact=True).fill("Tuesday's seminar, 10 o'clock — 周二")
    page.get_by_label("Where", exact=True).fill("<b>Room 3</b>")
    page.get_by_label("Minutes each time").fill("15")
    page.get_by_label("Minutes each time").press("Enter")
    page.get_by_label("How often").select_option(label="once")
    page.get_by_label("Willingness (0-10)").select_option(label="8")
    # keyboard only: focus a checkbox and press Space, as a trainee without a mouse would
    page.get_by_label("The client chose or shaped this task").focus()
    page.keyboard.press("Space")
    page.get_by_label("Review", exact=True).select_option(label="At the start of the next session")

    saved = _wait_for_file(answers, lambda d: d["answers"]["review"] == "start-of-next-session")
    plan = saved["answers"]
    assert plan["task"] == "behavioural-experiment"
    assert plan["variant"] == "smaller"
    assert plan["when"] == "Tuesday's seminar, 10 o'clock — 周二"
    assert plan["where"] == "<b>Room 3</b>"
    assert (plan["minutes"], plan["how_often"], plan["willingness"]) == (15, "once", 8)
    assert plan["client_chose"] is True
    assert len(plan["targets"]) == 1
    assert saved["exercise"] == "plan" and saved["case"] in {"tomas", "amara", "li"}
    # trainee text is shown as text, never as markup
    assert page.locator(".jp-Notebook b", has_text="Room 3").count() == 0

    page.get_by_role("button", name="Check my plan").click()
    page.get_by_text("rubric points").first.wait_for()
    assert "The plan does not say what" in page.inner_text(".jp-Notebook")

    # Reopen as a trainee does: save, close and shut down the notebook, open it again, Run All.
    close_and_shut_down(page, NOTEBOOK)
    _open_and_run_all(page, lab)
    task_select = page.get_by_label("Task", exact=True)
    shown = task_select.evaluate("s => s.options[s.selectedIndex].text")
    assert shown.replace("\xa0", " ") == "Behavioural experiment"
    assert page.get_by_label("When", exact=True).input_value() == "Tuesday's seminar, 10 o'clock — 周二"
    assert page.get_by_label("Minutes each time").input_value() == "15"
    assert page.get_by_label("Smaller version").is_checked()
    assert page.locator(".widget-checkbox input[type=checkbox]").first.is_checked()
    assert page.get_by_text("Your saved answers were loaded").is_visible()


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """A course with one autograded submission, served for the formgrader."""
    import nbformat

    from .nbgrader_course import place_submission, run_nbgrader

    base = tmp_path_factory.mktemp("formgrader")
    course = copy_course(base / "course")
    run_nbgrader(course, "generate_assignment", "plan", "--force")
    nb = nbformat.read(course.exercises / "plan" / "plan.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "rationale_script":
            cell.source = "Li, when you dropped the rehearsing, you could hear my question."
    answers = Path(__file__).parent / "fixtures" / "submissions" / "plan" / "full_marks_li.json"
    place_submission(course, "trainee1", "plan", nb, answers.read_text())
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
    page.get_by_text("when you dropped the rehearsing").wait_for()
    # the formgrader fetches grades and comments after the page loads: typing earlier is lost
    page.wait_for_function("() => window.formgrader && formgrader.grades && formgrader.comments "
                           "&& formgrader.grades.loaded && formgrader.comments.loaded")
    page.fill("#rationale_script", "3")
    page.fill("#rationale_script-comment", "Clear link to Li's goal; invite their view.")
    page.press("#rationale_script-comment", "Tab")
    gradebook = f"sqlite:///{instructor_lab.root / 'gradebook.db'}"
    deadline = time.monotonic() + 20
    while True:
        with Gradebook(gradebook) as gb:
            grade = gb.find_grade("rationale_script", "plan", "plan", "trainee1")
            comment = gb.find_comment("rationale_script", "plan", "plan", "trainee1")
            got = (grade.manual_score, comment.manual_comment)
        if got == (3.0, "Clear link to Li's goal; invite their view."):
            break
        assert time.monotonic() < deadline, f"formgrader did not save: {got}"
        time.sleep(0.2)
    with Gradebook(gradebook) as gb:
        submission = gb.find_submission("plan", "trainee1")
        assert submission.score == 19.0  # 16 autograded + 3 given here
    context.close()
