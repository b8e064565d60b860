"""The shipped content: every data file validates, every source is cited by a real key,
and lessons cite what they claim."""

from __future__ import annotations

import ast
import json
import re

import pytest

from bshtrain.content.bibliography import bibliography, cited_labels
from bshtrain.content.cases import load_cases
from bshtrain.content.tasks import catalogue
from bshtrain.teaching.lesson import SelfCheckEntry, get_self_check
from bshtrain.teaching.rubric import CRITERIA

from .conftest import ROOT

LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
LABELS = {w.short(): key for key, w in bibliography().items()}
STATISTIC = re.compile(
    r"\b[rdgb] = -?\d*\.\d+|\bN = [\d,]+|\b\d+(?:\.\d+)?\s?%|\b\d[\d,]* (?:studies|clients|"
    r"therapists|participants|patients|dyads|sessions|psychologists|outpatients)\b")
SELF_CHECKS = ("self_check", "pick_next_line")
ABBREVIATIONS = {"et al.": "et al", "e.g.": "eg", "i.e.": "ie", "n.d.": "nd", "vs.": "vs"}


def test_shipped_data_loads():
    """Do the bibliography, the catalogue and every case load and cross-check?"""
    works, tasks = bibliography(), catalogue()
    cases = load_cases(task_ids=set(tasks))
    assert len(works) >= 40 and len(tasks) >= 12 and len(cases) >= 3


def test_every_caution_and_criterion_cites_a_known_work():
    """Does every task caution and rubric criterion rest on works in the bibliography?"""
    works = bibliography()
    for task in catalogue().values():
        for caution in task.cautions:
            assert caution.sources and set(caution.sources) <= set(works), task.id
    for criterion in CRITERIA:
        assert set(criterion.sources) <= set(works), criterion.id


def test_catalogue_spans_approaches():
    """Does the first catalogue hold tasks for at least six approaches?"""
    approaches = {a for t in catalogue().values() for a in t.approaches}
    assert len(approaches) >= 6


def _cells(path):
    return json.loads(path.read_text())["cells"]


_cited_labels = cited_labels


def _sentences(text: str) -> list[str]:
    for long, short in ABBREVIATIONS.items():
        text = text.replace(long, short)
    return [s for s in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n[-*|] ", text) if s.strip()]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_citations_are_real_and_listed(path):
    """Is every work the lesson cites, in its cells or in its self-checks (kept in the
    self-checks file), in the bibliography and in its references cell?"""
    text = "\n".join(["".join(c["source"]) for c in _cells(path)] + self_check_strings(path))
    cited = _cited_labels(text)
    assert cited, "a lesson cites its sources"
    unknown = sorted({label for label in cited if label not in LABELS})
    assert unknown == [], f"labels not in the bibliography: {unknown}"
    refs_cell = next("".join(c["source"]) for c in _cells(path)
                     if "show_references(" in "".join(c["source"]))
    listed = set(re.findall(r'"([a-z][a-z0-9-]*)"', refs_cell))
    assert {LABELS[label] for label in cited} == listed


def lesson_self_checks(path) -> list[tuple[str, SelfCheckEntry]]:
    """(function, entry) for each self-check and next-line dialogue a lesson shows, in order:
    the id its code calls, looked up in the self-checks file (read from the code, not run)."""
    found = []
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in SELF_CHECKS:
                found.append((node.func.id, get_self_check(ast.literal_eval(node.args[0]))))
    return found


def self_check_strings(path) -> list[str]:
    """Every string a lesson's self-checks show: the question or setting, the dialogue so far,
    and each option's text and explanation."""
    found: list[str] = []
    for _function, entry in lesson_self_checks(path):
        found.append(entry.shown_question())
        if entry.dialogue is not None:
            found.append(entry.dialogue.setting)
            found.extend(x for line in entry.dialogue.lines for x in (line.speaker, line.text))
        found.extend(x for option in entry.options for x in (option.text, option.explanation))
    return found


def _uncited_statistics(texts) -> list[str]:
    uncited = []
    for text in texts:
        for sentence in _sentences(text):
            restored = sentence.replace("et al", "et al.")
            if STATISTIC.search(sentence) and not _cited_labels(restored):
                uncited.append(sentence.strip()[:120])
    return uncited


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_statistics_sit_next_to_a_citation(path):
    """Does every number that looks like a statistic share its sentence with a citation, in the
    lesson's text and in its self-checks' questions, options and explanations?"""
    markdown = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown"]
    assert _uncited_statistics(markdown) == []
    assert _uncited_statistics(self_check_strings(path)) == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_structure(path):
    """Does the lesson state objectives and a time, end with key points and references?"""
    markdown = [("".join(c["source"])) for c in _cells(path) if c["cell_type"] == "markdown"]
    first = markdown[0]
    assert "By the end" in first and re.search(r"\b\d+ minutes\b", first)
    assert any(m.startswith("## Key points") for m in markdown)
    assert markdown[-1].startswith("## References")


READING_WORDS_PER_MINUTE = 150
MINUTES_PER_INTERACTIVE_CELL = 1.5


def _estimate(cells) -> float:
    words = sum(len("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")
    code = sum(1 for c in cells if c["cell_type"] == "code")
    return words / READING_WORDS_PER_MINUTE + code * MINUTES_PER_INTERACTIVE_CELL


def _parts(path):
    """The lesson's core cells, its optional "## More" cells (maybe none), before References."""
    cells = _cells(path)
    sources = ["".join(c["source"]) for c in cells]
    refs = next(i for i, s in enumerate(sources) if s.startswith("## References"))
    more = next((i for i, s in enumerate(sources[:refs]) if s.startswith("## More")), refs)
    return cells[:more], cells[more:refs]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_time_estimate_is_honest(path):
    """Is the stated time within 30% of the reading time plus time for each interactive cell,
    for the lesson itself and, where there is one, for its optional "More" section?"""
    core, more = _parts(path)
    stated = int(re.search(r"[Aa]bout (\d+) minutes", "".join(core[0]["source"])).group(1))
    estimate = _estimate(core)
    assert 0.7 * estimate <= stated <= 1.3 * estimate, (stated, round(estimate))
    if more:
        heading = "".join(more[0]["source"]).splitlines()[0]
        stated_more = int(re.search(r"about (\d+) minutes", heading).group(1))
        assert 0.7 * _estimate(more) <= stated_more <= 1.3 * _estimate(more), heading


def test_orientation_map_matches_the_lessons():
    """Does the course map in lesson 0 list every lesson with the time the lesson states?"""
    text = "\n".join("".join(c["source"]) for c in _cells(LESSONS[0]))
    mapped = dict(re.findall(r"^\| `(\d\d_[a-z_]+)`.*\| (\d+) minutes \|$", text, flags=re.M))
    stated = {p.stem: re.search(r"[Aa]bout (\d+) minutes", "".join(_cells(p)[0]["source"])).group(1)
              for p in LESSONS}
    assert mapped == stated


HELPERS = ("show_case(", "case_explorer(", "task_fit_explorer(", "compare_plans(", "rubric_sandbox(",
           "pick_next_line(", "show_log(", "show_effects(")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_has_worked_example_interaction_and_self_check(path):
    """Does the lesson show a weaker and a stronger version side by side, use an interactive
    element from the library, and end with an ungraded self-check?"""
    cells = _cells(path)
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert any(re.search(r"^\|.*\bweak(er)?\b.*\|.*\bstrong(er)?\b", m, flags=re.I | re.M)
               for m in markdown)
    assert any(helper in code for helper in HELPERS)
    assert "self_check(" in code or "pick_next_line(" in code
