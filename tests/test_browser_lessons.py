"""A lesson in a real JupyterLab, in headless Chromium: a self-check answered with the keyboard
only. The arrow keys move the choice within its group (one Tab stop per question), as the
lessons promise; Check then judges the choice the arrows made. Waits are on app and kernel
state (tests/jupyterlab_page.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bshtrain.teaching.lesson import read_self_checks

from .conftest import ROOT
from .jupyterlab_page import close_and_shut_down, open_notebook, run_all
from .lab_server import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

LESSON = "lessons/00_orientation.ipynb"
CHECK = "00-where-are-my-answers"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    base = tmp_path_factory.mktemp("lab-lessons")
    shutil.copytree(ROOT / "lessons", base / "course" / "lessons")
    with serving(base / "course", base / "lab.log") as lab, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 1000})
        pg.set_default_timeout(60_000)
        pg.lab = lab
        yield pg
        browser.close()


def test_arrow_keys_move_a_self_check_choice(page):
    """With the keyboard only: Tab reaches the question's choices as one stop, ArrowDown moves
    the choice to the next option, and Check judges that option (right or not quite)."""
    options = read_self_checks()[0][CHECK].options
    open_notebook(page, page.lab, LESSON)
    assert run_all(page, LESSON) == {"ok": True, "notRun": 0, "errors": 0}
    group = page.get_by_role("group", name="Your answer").first
    radios = group.get_by_role("radio")
    radios.first.wait_for()
    assert radios.count() == len(options)
    radios.nth(0).focus()
    page.keyboard.press("Space")
    assert radios.nth(0).is_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert radios.nth(2).is_checked() and not radios.nth(0).is_checked()
    assert radios.nth(2).evaluate("el => el === document.activeElement")
    page.keyboard.press("Tab")  # one stop for the whole group: Tab leaves it, to Check
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Check"
    page.keyboard.press("Enter")
    verdict = "Yes." if options[2].correct else "Not quite."
    result = page.locator("[role=status]", has_text=verdict).first
    result.wait_for()
    assert options[2].explanation.split(". ", 1)[1][:40] in result.inner_text()
    close_and_shut_down(page, LESSON)
