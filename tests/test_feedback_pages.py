"""The pages after grading, in headless Chromium with the internet shut out (issue 14): the
formgrader's manual grading page and the feedback page a trainee opens.

nbgrader's pages loaded MathJax from a CDN. Offline the grading page logged "MathJax is not
defined" and its set-up stopped half way (formgrader.loaded stayed false: no keyboard
shortcuts); the feedback page asked the CDN too, and its printed text was clipped monospace.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from .lab_server import CHROMIUM, CHROMIUM_ARGS, serving
from .nbgrader_course import copy_course, place_submission, run_nbgrader
from .plan_plans import model_plan
from .test_nbgrader_pipeline import answers_json, student_for

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

CASE = "li"
TRAINEE = student_for(CASE, "trainee-")
LOCAL = ("http://127.0.0.1:", "file://", "data:", "about:")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course copy with one submission autograded and its feedback generated."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    course = copy_course(tmp_path_factory.mktemp("pages") / "course")
    run_nbgrader(course, "generate_assignment", "plan", "--force")
    release = nbformat.read(course.exercises / "plan" / "plan.ipynb", as_version=4)
    plan = model_plan(CASE).model_copy(update={"task": "task-drop-rehearsing"})
    place_submission(course, TRAINEE, "plan", release, answers_json(CASE, plan))
    run_nbgrader(course, "autograde", "plan", "--force")
    run_nbgrader(course, "generate_feedback", "plan", "--force")
    return course


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _offline(context) -> dict[str, list[str]]:
    """Abort every request that leaves this machine; record it, page errors and console errors."""
    seen: dict[str, list[str]] = {"outside": [], "errors": []}

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("page", lambda page: (
        page.on("pageerror", lambda e: seen["errors"].append(f"pageerror: {e}")),
        page.on("console", lambda m: seen["errors"].append(f"console: {m.text}")
                if m.type == "error" else None)))
    return seen


def test_formgrader_grading_page_works_offline(course, browser):
    """Does the manual grading page of a submission load MathJax from nowhere, log no
    "MathJax is not defined" (nor any other error), and finish its set-up?"""
    with serving(course.root, course.root.parent / "lab.log") as server:
        context = browser.new_context(
            viewport={"width": 1280, "height": 1000},
            extra_http_headers={"Authorization": f"token {server.token}"})
        seen = _offline(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url("formgrader/gradebook/plan/plan"))
        page.click("td a")  # the one submission
        page.get_by_text("Task and size for this client").first.wait_for()
        # formgrade.js sets formgrader.loaded at the very end of its set-up
        page.wait_for_function("() => window.formgrader && formgrader.loaded === true")
        page.wait_for_function("() => formgrader.grades && formgrader.grades.loaded")
        assert seen["outside"] == [], seen["outside"]
        assert not [e for e in seen["errors"] if "MathJax" in e], seen["errors"]
        assert seen["errors"] == []
        context.close()


def test_feedback_page_reads_whole_offline(course, browser):
    """Opened as a file at a narrow width, does the feedback page ask nothing of the internet,
    log no error, name each part with its score, and show printed text (the case, the reasons)
    in the page's font, wrapped, with nothing wider than its box?"""
    page_file = course.root / "feedback" / TRAINEE / "plan" / "plan.html"
    context = browser.new_context(viewport={"width": 700, "height": 900})
    seen = _offline(context)
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.get_by_text("Task and size for this client — 2 / 4").first.wait_for()
    assert page.get_by_text("Test cell").count() == 0
    printed = page.locator("div.output_stdout pre")
    assert printed.count() > 5
    styles = printed.first.evaluate(
        "e => { const s = getComputedStyle(e); return [s.whiteSpace, s.fontFamily]; }")
    assert styles[0] == "pre-wrap" and "monospace" not in styles[1], styles
    wide = page.evaluate("""() => [...document.querySelectorAll('div.output_stdout pre')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60))""")
    assert wide == [], json.dumps(wide)
    assert page.locator("div.output_stdout pre", has_text="Li Wei, 20").count() == 1
    assert seen["outside"] == [] and seen["errors"] == [], seen
    context.close()
