"""Case cards and feedback: readable, and every text from a file or a trainee escaped."""

from __future__ import annotations

import yaml

from bshtrain.content.cases import Case, get_case
from bshtrain.content.render import case_html, case_text

from .conftest import DATA

ATTACK = "<img src=x onerror=alert(1)>"


def _poisoned_case() -> Case:
    """The fixture case with an HTML payload in every string field."""
    def poison(value):
        if isinstance(value, str):
            return value + ATTACK
        if isinstance(value, list):
            return [poison(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in IDS else poison(v)) for k, v in value.items()}
        return value

    data = yaml.safe_load((DATA / "case-x.yaml").read_text())
    return Case.model_validate(poison(data))


IDS = {"id", "mechanism", "presenting_problem", "approach", "literacy", "energy", "level",
       "flags", "speaker", "relates_to", "task", "done", "quality"}


def test_case_card_escapes_every_text_field():
    """Does no string from a case file reach the page as markup?"""
    page = case_html(_poisoned_case())
    assert ATTACK not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 20


def test_case_text_is_plain_and_complete():
    """Does the plain-text card carry the case's key parts for a screen reader?"""
    case = get_case("tomas")
    text = case_text(case)
    assert "<" not in text.replace("<-", "")
    for part in (case.name, case.goals[0].text, case.risk.notes, case.session.excerpt[0].text):
        assert part in text
    assert "Approach: behavioural activation" in text


def test_task_description_escapes_every_text_field():
    """Is every text of a task (name, description, materials, variant, caution) escaped?"""
    from bshtrain.content.render import task_html
    from bshtrain.content.tasks import catalogue

    task = catalogue()["activity-monitoring-diary"]
    poisoned = task.model_copy(update={
        "name": task.name + ATTACK, "description": ATTACK,
        "demands": task.demands.model_copy(update={"materials": ATTACK}),
        "smaller_variant": task.smaller_variant.model_copy(update={"description": ATTACK}),
        "cautions": [c.model_copy(update={"text": ATTACK}) for c in task.cautions]})
    page = task_html(poisoned, {"severe-depression"})
    assert ATTACK not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 5


def test_case_card_shows_the_log_as_a_table():
    """Does a case with a log show it as a captioned table with every session?"""
    case = get_case("joseph")
    page = case_html(case)
    assert "<caption>Homework set in earlier sessions" in page
    assert page.count("<tr><td>") == len(case.homework_log)


def test_log_table_is_readable():
    """Does the homework log read as people write: headers in words, task names not ids,
    marked statuses, left-aligned wrapping text, nothing cut off with '...'?"""
    from bshtrain.content.cases import get_case
    from bshtrain.content.render import case_html

    html = case_html(get_case("dani"))
    table = html[html.index("<table class='bsh-table'>"):]
    assert "client_comment" not in table and "In the client&#x27;s words" in table
    assert "\u2718 not done" in table and "\u25d0 partly" in table
    assert "drinking-diary" not in table
    assert "text-align:left" in html and "\u2026" not in table


def test_lesson_comparison_marks_each_status():
    """Does the plan comparison mark met, partly and not met with a sign and a word?"""
    from bshtrain.teaching.lesson import STATUS_MARKS

    assert STATUS_MARKS == {"met": "\u2714 met", "partly": "\u25d0 partly", "not met": "\u2718 not met"}
