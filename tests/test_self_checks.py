"""The lessons' self-checks live in bshtrain/data/lessons/self_checks.yaml, not in the
notebooks: a lesson calls each by id, unfolding its cell shows no answer, and a broken entry
is refused with a message naming the file, the field and the line."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import pytest
import yaml

from bshtrain.content.bibliography import bibliography
from bshtrain.content.loading import DataFileError
from bshtrain.teaching import lesson

from .conftest import ROOT
from .test_content import LESSONS, _cells

SHIPPED = lesson.load_self_checks()


def _calls(path: Path) -> list[ast.Call]:
    """Every self_check(...) and pick_next_line(...) call in a lesson's code cells."""
    calls = []
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            calls += [node for node in ast.walk(ast.parse("".join(cell["source"])))
                      if isinstance(node, ast.Call)
                      and getattr(node.func, "id", None) in ("self_check", "pick_next_line")]
    return calls


def _called_ids() -> dict[str, list[str]]:
    """Lesson file name -> the ids its self-checks call, in order."""
    return {path.name: [node.args[0].value for node in _calls(path)] for path in LESSONS}


def _source(path: Path) -> str:
    """Everything a trainee can read in the notebook file, unfolded: every cell's source."""
    return "\n".join("".join(c["source"]) for c in _cells(path))


# --- The shipped lessons -------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_call_self_checks_by_id_only(path):
    """Does every self-check and dialogue in the lesson pass one string, its id, and nothing
    else: no question, options, correct flags or explanations written in the cell?"""
    calls = _calls(path)
    assert calls, "every lesson has a self-check"
    for node in calls:
        assert not node.keywords and len(node.args) == 1, ast.unparse(node)
        assert isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_self_check_cells_hold_no_correct_flags(path):
    """Does no self-check cell hold a True or False (the old inline correct flags), and no
    option of the lesson's checks appear as a (text, flag) pair anywhere in the lesson?"""
    for cell in _cells(path):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.search(r"\b(self_check|pick_next_line)\(", source):
            flags = [n for n in ast.walk(ast.parse(source))
                     if isinstance(n, ast.Constant) and isinstance(n.value, bool)]
            assert flags == [], cell.get("id")
    text = _source(path)
    assert not re.search(r"\bcorrect:\s*(true|false)\b", text, re.I)


def test_no_lesson_shows_an_explanation():
    """For every check in the self-checks file, is none of its options' explanations written
    anywhere in any lesson notebook (any cell, markdown or code)?"""
    sources = {path.name: _source(path) for path in LESSONS}
    leaks = [(name, check.id, option.explanation[:50])
             for check in SHIPPED.values() for option in check.options
             for name, text in sources.items() if option.explanation in text]
    assert leaks == []
    assert sum(len(c.options) for c in SHIPPED.values()) >= 80  # the check above has teeth


def test_every_called_id_exists_and_every_check_is_shown_once():
    """Does every id a lesson calls name a check in the file, belong to that lesson (its
    number starts the id), and is every check in the file shown by exactly one call?"""
    called = _called_ids()
    unknown = [(name, i) for name, ids in called.items() for i in ids if i not in SHIPPED]
    assert unknown == []
    wrong_lesson = [(name, i) for name, ids in called.items() for i in ids if i[:2] != name[:2]]
    assert wrong_lesson == []
    shown = [i for ids in called.values() for i in ids]
    assert sorted(shown) == sorted(SHIPPED), "a check shown twice, or one no lesson shows"


def test_dialogues_are_shown_as_dialogues():
    """Is pick_next_line called exactly on the checks that have a dialogue, and self_check on
    the others?"""
    for path in LESSONS:
        for node in _calls(path):
            has_dialogue = SHIPPED[node.args[0].value].dialogue is not None
            assert has_dialogue == (node.func.id == "pick_next_line"), node.args[0].value


def test_self_check_file_cites_only_works_in_the_bibliography():
    """Does every author-year citation in the self-checks file (questions, options,
    explanations) name a work in bshtrain/data/bibliography.yaml?"""
    labels = {w.short() for w in bibliography().values()}
    checks, problems = lesson.read_self_checks(known_labels=labels)
    assert [str(p) for p in problems] == []
    cited = [label for c in checks.values() for o in c.options
             for label in lesson.cited_labels(o.explanation)]
    assert len(cited) >= 50  # the explanations do cite, and were all checked


def test_shown_self_check_uses_the_file():
    """Does self_check(id) show the file's question and options in order, and explain the
    chosen option with the file's explanation and verdict?"""
    entry = SHIPPED["02-kwame-next-task"]
    check = lesson.self_check("02-kwame-next-task")
    assert entry.question in html.unescape(check.widget.children[0].value)
    assert [text for text, _ in check.choice.options] == [o.text for o in entry.options]
    wrong = next(i for i, o in enumerate(entry.options) if not o.correct)
    check.choice.value = str(wrong)
    assert check.check() is False and "Not quite." in check.result.value
    right = next(i for i, o in enumerate(entry.options) if o.correct)
    check.choice.value = str(right)
    assert check.check() is True and "Yes." in check.result.value


def test_pick_next_line_by_id_shows_the_dialogue(monkeypatch):
    """Does pick_next_line(id) show the setting and the lines said so far, then ask "What do
    you say next?", and refuse an id whose check has no dialogue?"""
    shown = []
    monkeypatch.setattr(lesson, "display", lambda *objs: shown.extend(objs))
    check = lesson.pick_next_line("04-maya-every-day")
    assert "What do you say next?" in check.widget.children[0].value
    said = html.unescape(shown[0].data)
    assert "<strong>Maya:</strong> Fine. I did it every day, honestly." in said
    assert SHIPPED["04-maya-every-day"].dialogue.setting in said
    assert shown[1] is check.widget
    with pytest.raises(DataFileError, match=r"self_checks\.yaml, field 'checks\.dialogue'"):
        lesson.pick_next_line("02-kwame-next-task")


# --- Broken entries: clear messages naming the file and the field ----------------------------

GOOD = {
    "id": "09-example",
    "question": "Which is right?",
    "options": [
        {"text": "A", "correct": False, "explanation": "No. A misses X."},
        {"text": "B", "correct": True, "explanation": "Yes. B fits (Tompkins, 2002)."},
    ],
}


def _file(tmp_path: Path, *entries: dict) -> Path:
    path = tmp_path / "self_checks.yaml"
    path.write_text(yaml.safe_dump({"checks": list(entries)}, sort_keys=False), encoding="utf-8")
    return path


def _problems(path: Path) -> str:
    with pytest.raises(DataFileError) as caught:
        lesson.load_self_checks(path)
    return str(caught.value)


def _changed(**fields) -> dict:
    entry = json.loads(json.dumps(GOOD))
    entry.update(fields)
    return entry


def test_a_good_entry_loads(tmp_path):
    """Does a well-formed entry load, with its options in order and its right answer?"""
    checks = lesson.load_self_checks(_file(tmp_path, GOOD))
    assert [o.text for o in checks["09-example"].options] == ["A", "B"]
    assert checks["09-example"].as_options()[1] == ("B", True, "Yes. B fits (Tompkins, 2002).")


def test_missing_correct_option_is_named(tmp_path):
    """Is a check with no option marked correct refused, naming the file, the options field
    and its line, and saying what to do?"""
    options = [{**o, "correct": False} for o in GOOD["options"]]
    path = _file(tmp_path, GOOD, _changed(id="09-other", options=options))
    message = _problems(path)
    assert message.startswith(f"{path}, line ")
    assert "field 'checks.1.options'" in message and "'correct: true'" in message


def test_unknown_id_is_named(tmp_path):
    """Does asking for an id that no check has name the file, the id field and the id, with
    the ids the lesson does have?"""
    path = _file(tmp_path, GOOD)
    with pytest.raises(DataFileError) as caught:
        lesson.get_self_check("09-exampel", path)
    message = str(caught.value)
    assert message.startswith(f"{path}, field 'checks.id'")
    assert "no self-check has the id '09-exampel'" in message and "09-example" in message
    with pytest.raises(DataFileError, match=r"self_checks\.yaml, field 'checks\.id': no self-check"):
        lesson.self_check("00-no-such-check")


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"options": [{"text": "A", "correct": True, "explantion": "typo"}, GOOD["options"][1]]},
     "checks.0.options.0.explantion", "is not a known field"),
    ({"options": [{"text": "A", "correct": True}, GOOD["options"][1]]},
     "checks.0.options.0.explanation", "is required but missing"),
    ({"options": [{"text": "A", "correct": "perhaps", "explanation": "x"}, GOOD["options"][1]]},
     "checks.0.options.0.correct", "valid boolean"),
    ({"options": GOOD["options"][:1]}, "checks.0.options", "at least 2 items"),
    ({"id": "Example"}, "checks.0.id", "pattern"),
    ({"answer": "B"}, "checks.0.answer", "is not a known field"),
    ({"question": None}, "checks.0.question", "either a 'question' or a 'dialogue'"),
    ({"dialogue": {"setting": "Session 3.", "lines": []}}, "checks.0.dialogue.lines",
     "at least 1 item"),
])
def test_bad_field_is_named(tmp_path, change, field, words):
    """Is each kind of broken field refused with the file, the dotted field and its line,
    and words saying what is wrong?"""
    path = _file(tmp_path, _changed(**change))
    message = _problems(path)
    named = re.compile(rf"{re.escape(str(path))}, line \d+, field '{re.escape(field)}': ")
    assert any(named.match(line) and words in line for line in message.splitlines()), message


def test_duplicate_id_is_named(tmp_path):
    """Is an id given to two checks refused, naming the second one's id field?"""
    message = _problems(_file(tmp_path, GOOD, GOOD))
    assert "field 'checks.1.id': duplicate id '09-example'" in message


def test_unknown_citation_is_named(tmp_path, monkeypatch):
    """Is a citation naming no work in the bibliography reported with the file and the
    explanation's field, by read_self_checks and by `bshtrain validate`?"""
    from bshtrain.content.validate import validate_paths

    options = [GOOD["options"][0], {**GOOD["options"][1],
                                    "explanation": "Yes. B fits (Nobody et al., 2099)."}]
    path = _file(tmp_path, _changed(options=options))
    labels = {w.short() for w in bibliography().values()}
    _, problems = lesson.read_self_checks(path, known_labels=labels)
    assert [p.field for p in problems] == ["checks.0.options.1.explanation"]
    assert "'Nobody et al., 2099'" in problems[0].message and problems[0].path == str(path)
    monkeypatch.setattr(lesson, "SELF_CHECKS_FILE", path)
    found, _summary = validate_paths([])
    assert [(p.path, p.field) for p in found] == [(str(path), "checks.0.options.1.explanation")]


def test_inline_form_still_works():
    """Does the inline form, self_check(question, options), still show a check (for drafts
    and the widget tests), while the lessons use ids?"""
    check = lesson.self_check("Q?", [("A", False, "x"), ("B", True, "y")])
    check.choice.value = "1"
    assert check.check() is True


def test_authoring_guide_example_loads(tmp_path):
    """Does the self-check example in docs/authoring.md load as a valid self-checks file?"""
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
                 if b.startswith("checks:"))
    path = tmp_path / "self_checks.yaml"
    path.write_text(block, encoding="utf-8")
    labels = {w.short() for w in bibliography().values()}
    checks, problems = lesson.read_self_checks(path, known_labels=labels)
    assert problems == [] and len(checks) == 2
