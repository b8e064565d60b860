"""Select and review in a real JupyterLab, driven in headless Chromium: choose through the
widgets (mouse and keyboard), see the answers file, close and reopen, see it restored; for
review, walk four turns and read the client's replies. Waits are on app and kernel state."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bshtrain.engine.identity import case_for
from bshtrain.skills.review.content import dialogue
from bshtrain.skills.review.spec import POOL as REVIEW_POOL
from bshtrain.skills.select.draw import draw

from .jupyterlab_page import close_and_shut_down, open_notebook, run_all, wait_for_answers
from .lab_server import CHROMIUM, CHROMIUM_ARGS, serving
from .nbgrader_course import copy_course

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

TRAINEE = next(f"trainee-{n}" for n in range(1000) if case_for(f"trainee-{n}", REVIEW_POOL) == "dani")



@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    base = tmp_path_factory.mktemp("lab-exercises")
    course = copy_course(base / "course")
    shutil.rmtree(course.root / "solutions")
    with serving(course.root, base / "lab.log", env={"JUPYTERHUB_USER": TRAINEE}) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 1000})
        pg.set_default_timeout(60_000)
        yield pg
        browser.close()


def _open(page, lab, notebook: str) -> None:
    open_notebook(page, lab, notebook)
    assert run_all(page, notebook) == {"ok": True, "notRun": 0, "errors": 0}
    page.locator(".bsh-form").first.wait_for(state="visible")


def test_select_choices_are_saved_and_restored(lab, page):
    """Can a trainee answer a case by mouse and keyboard, find it in answers/select.json, and
    see it again after closing and reopening the notebook?"""
    notebook = "exercises/select/select.ipynb"
    answers = lab.root / "exercises" / "select" / "answers" / "select.json"
    _open(page, lab, notebook)
    item = draw(TRAINEE).items[0]
    page.get_by_role("radio", name=item.tasks[0].text, exact=True).check()
    page.get_by_role("checkbox", name=item.factors[0].text, exact=True).check()
    fact = page.get_by_role("radio", name=item.facts[0].text, exact=True)
    fact.check()
    fact.focus()
    page.keyboard.press("ArrowDown")  # the next fact in the order shown
    saved = wait_for_answers(answers, lambda d: d["answers"]["items"].get(item.id, {}).get("fact")
                      not in (None, "", item.facts[0].id))
    got = saved["answers"]["items"][item.id]
    assert got["task"] == item.tasks[0].id and got["factors"] == [item.factors[0].id]
    close_and_shut_down(page, notebook)
    _open(page, lab, notebook)
    assert page.get_by_role("radio", name=item.tasks[0].text, exact=True).is_checked()
    chosen = next(f for f in item.facts if f.id == got["fact"])
    assert page.get_by_role("radio", name=chosen.text, exact=True).is_checked()


def test_review_walks_four_turns_with_replies_and_restores(lab, page):
    """Can a trainee lead four turns, read each reply, find the path saved, and see the whole
    conversation again after reopening?"""
    notebook = "exercises/review/review.ipynb"
    answers = lab.root / "exercises" / "review" / "answers" / "review.json"
    _open(page, lab, notebook)
    talk = dialogue("dani")
    said = []
    for _ in range(4):
        if not page.get_by_role("button", name="Say this").is_visible():
            break
        group = page.locator(".bsh-choice").filter(has_text="What do you say?")
        group.locator("input").first.check()
        line_text = group.locator("label").first.inner_text().strip()
        page.get_by_role("button", name="Say this").click()
        line = next(ln for t in talk.turns for ln in t.lines if ln.text.strip() == line_text)
        said.append(line.id)
        page.locator("[role=log]").get_by_text(line.reply[:40]).wait_for()
    saved = wait_for_answers(answers, lambda d: d["answers"]["path"] == said)
    assert len(saved["answers"]["path"]) == len(said) >= 4 or not page.get_by_role(
        "button", name="Say this").is_visible()
    close_and_shut_down(page, notebook)
    _open(page, lab, notebook)
    last = next(ln for t in talk.turns for ln in t.lines if ln.id == said[-1])
    assert page.locator("[role=log]").get_by_text(last.reply[:40]).is_visible()
