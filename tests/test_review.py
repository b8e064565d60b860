"""The review exercise: the dialogue graphs, the key, the scorer, and the trainee's side."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from bshtrain.content.bibliography import bibliography
from bshtrain.content.cases import get_case
from bshtrain.content.loading import DataFileError
from bshtrain.engine.exercise import open_exercise
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import check_key, read_key
from bshtrain.engine.scoring import GATE_CAP
from bshtrain.skills.review.content import Dialogue, dialogue
from bshtrain.skills.review.model import ReviewAnswers
from bshtrain.skills.review.spec import POOL, SPEC, best_answers
from bshtrain.skills.review.walk import all_paths

from .conftest import FIXTURES, ROOT

KEY, WHERE = read_key(ROOT / "solutions" / "review" / "key.yaml")
LESSON_EXAMPLE = re.compile(r"(?:show_case|compare_plans|task_fit_explorer|show_log|rubric_sandbox)"
                            r"\(\\\"([a-z-]+)\\\"")


def fixtures(case_id: str) -> dict:
    return yaml.safe_load((FIXTURES / "review" / f"{case_id}.yaml").read_text(encoding="utf-8"))


def _score(case_id: str, answers: ReviewAnswers):
    return SPEC.score(answers, get_case(case_id), KEY)


def test_pool_cases_have_logs_with_unfinished_homework_and_are_not_lesson_examples():
    """Does every review case have a log entry not done or partly done, and none a lesson's
    worked example?"""
    lessons = (ROOT / "lessons").glob("*.ipynb")
    examples = {m for nb in lessons for m in LESSON_EXAMPLE.findall(nb.read_text())}
    assert examples and not examples & set(POOL)
    for case_id in POOL:
        entry = next(e for e in get_case(case_id).homework_log
                     if e.session == dialogue(case_id).reviews_session)
        assert entry.done in ("not-done", "partly"), case_id


def test_dialogues_are_sound_graphs():
    """No dead ends or loops, every turn reachable, every path 4-6 turns ending in a decision,
    every line coded, and an at-risk turn where the case's risk calls for one?"""
    for case_id in POOL:
        talk = dialogue(case_id)
        assert talk.graph_problems() == []
        assert all(line.codes for t in talk.turns for line in t.lines)
        assert {len(p) for p in all_paths(talk)} <= {4, 5, 6}
    assert any(t.state == "at-risk" for t in dialogue("elena").turns)


def test_graph_checker_names_a_dead_end_and_a_loop(tmp_path):
    """Does the loader refuse a dialogue whose line leads nowhere, or back on itself, naming
    the file, field and line?"""
    data = yaml.safe_load((ROOT / "bshtrain/data/exercises/review/dani.yaml").read_text())
    data["turns"][0]["lines"][0]["next"] = "nowhere"
    talk = Dialogue.model_validate(data)
    assert any("'nowhere' is neither a turn" in msg for _, msg in talk.graph_problems())
    data["turns"][0]["lines"][0]["next"] = data["start"]
    talk = Dialogue.model_validate(data)
    assert any("must not loop" in msg for _, msg in talk.graph_problems())
    bad = tmp_path / "dani.yaml"
    data["turns"][0]["lines"][0]["next"] = "nowhere"
    bad.write_text(yaml.safe_dump(data))
    from bshtrain.content.loading import read_model
    from bshtrain.skills.review import content
    found, where = read_model(Dialogue, bad)
    problems = [str(where.problem(loc, msg)) for loc, msg in found.graph_problems()]
    assert any("turns.0.lines.0.next" in p and ", line " in p for p in problems)
    with pytest.raises(DataFileError):
        content.dialogue.__wrapped__("does-not-exist")


def test_key_covers_every_line_and_decision():
    """Is every line and decision of every dialogue keyed, citing known works?"""
    assert [str(p) for p in check_key(KEY, WHERE, SPEC.key_ids(), set(bibliography()))] == []


@pytest.mark.parametrize("case_id", POOL)
def test_best_path_scores_full_and_fixtures_score_as_authored(case_id):
    """The best path earns 10 of 10; each gated path at most a quarter with its gate named;
    each defensible path exactly its authors' points?"""
    best, _ = best_answers(case_id, KEY.cases[case_id])
    assert _score(case_id, best).total == 10
    fx = fixtures(case_id)
    authored = ReviewAnswers(path=fx["best"]["path"], decision=fx["best"]["decision"])
    assert _score(case_id, authored).total == 10
    for item in fx.get("gated", []):
        scored = _score(case_id, ReviewAnswers(path=item["path"], decision=item["decision"]))
        assert scored.gates and scored.total <= GATE_CAP * 10, item["name"]
    for item in fx.get("defensible", []):
        scored = _score(case_id, ReviewAnswers(path=item["path"], decision=item["decision"]))
        got = {"path": scored.points("path"), "decision": scored.points("decision")}
        assert got == pytest.approx({k: float(v) for k, v in item["expected"].items()}), item["name"]


def test_missed_risk_check_is_a_gate():
    """At an at-risk turn, does a line without a risk check cap the score and say so?"""
    talk = dialogue("elena")
    for path in all_paths(talk):
        turns = [(t, ln) for ln in path for t in talk.turns if ln in t.lines]
        missed = [ln for t, ln in turns if t.state == "at-risk" and "risk-check" not in ln.codes]
        if missed and not any({"blame", "collude"} & set(ln.codes) for ln in path):
            scored = _score("elena", ReviewAnswers(path=[ln.id for ln in path]))
            assert any("risk was not checked" in g.harm for g in scored.gates)
            return
    pytest.fail("no path in elena's dialogue misses a risk check at an at-risk turn")


def test_a_path_that_stops_early_is_averaged_over_what_it_still_needed():
    """Does an unfinished review earn less than the same lines finished, and no decision?"""
    best, _ = best_answers("dani", KEY.cases["dani"])
    half = ReviewAnswers(path=best.path[:2], decision=best.decision)
    scored = _score("dani", half)
    assert 0 < scored.points("path") < 8 and scored.points("decision") == 0
    wrong = ReviewAnswers(path=[best.path[0], "not-a-line"])
    said = " ".join(ln.text for ln in _score("dani", wrong).get("path").lines)
    assert "not one of the lines offered" in said


def test_form_walks_four_turns_and_restores(tmp_path, monkeypatch):
    """Does the form show each reply, save the path at every step, take a line back, and
    restore the conversation on reopening?"""
    name = next(f"t{n}" for n in range(500) if case_for(f"t{n}", POOL) == "dani")
    monkeypatch.setenv("JUPYTERHUB_USER", name)
    ex = open_exercise("review", tmp_path)
    form = ex.form()
    said = []
    for _ in range(4):
        if form.turn_box.layout.display == "none":
            break
        form.lines.value = form.lines.options[0][1]
        said.append(form.lines.value)
        form.say()
    saved = json.loads((tmp_path / "answers" / "review.json").read_text())["answers"]
    assert saved["path"] == said
    talk = dialogue("dani")
    reply = next(ln.reply for t in talk.turns for ln in t.lines if ln.id == said[0])
    assert reply[:40] in form.transcript.value.replace("&#x27;", "'").replace("&quot;", '"')
    form.take_back()
    assert json.loads((tmp_path / "answers" / "review.json").read_text())["answers"]["path"] == said[:-1]
    again = open_exercise("review", tmp_path).form()
    assert again.ex.answers.path == said[:-1]


def test_a_harmful_decision_is_a_gate():
    """Does a decision keyed as harmful cap the score even after the best path?"""
    for case_id in POOL:
        key = KEY.cases[case_id]
        harmful = [d for d in dialogue(case_id).decisions if key.options[d.id].harm]
        if harmful:
            best, _ = best_answers(case_id, key)
            scored = _score(case_id, best.model_copy(update={"decision": harmful[0].id}))
            assert scored.gates and scored.total <= GATE_CAP * 10
            return
    pytest.skip("no decision is keyed as harmful")


@pytest.mark.parametrize("case_id", POOL)
def test_case_card_shows_only_what_was_known_when_the_review_begins(case_id):
    """Does the review's case card leave out later sessions and how the reviewed task went,
    so the card does not give the answer away?"""
    case, talk = get_case(case_id), dialogue(case_id)
    reviewed = next(e for e in case.homework_log if e.session == talk.reviews_session)
    for render in (SPEC.case_text, SPEC.case_html):
        shown = render(case)
        assert case.session.worked_on[:60] not in shown
        assert case.homework_history[:60] not in shown
        if reviewed.obstacles:
            assert reviewed.obstacles[:40] not in shown
        for later in (e for e in case.homework_log if e.session > talk.reviews_session):
            assert later.planned[:50] not in shown


def test_the_best_line_is_not_given_away_by_length_or_position():
    """Across all turns of all dialogues: is the best line the longest in at most a third of
    turns, does no position hold most best lines, and do no ids say which line is good?"""
    from collections import Counter

    quality = re.compile(r"(^|-)(good|best|better|bad|poor|vague|harm|harmful|ideal|correct|model)(-|$)")
    longest, positions, turns = 0, Counter(), 0
    for case_id in POOL:
        key = KEY.cases[case_id]
        for turn in dialogue(case_id).turns:
            best = max(turn.lines, key=lambda ln: key.options[ln.id].credit)
            turns += 1
            longest += len(best.text) == max(len(ln.text) for ln in turn.lines)
            positions[turn.lines.index(best)] += 1
            ids = [ln.id for ln in turn.lines]
            shared = next((n for n in range(min(map(len, ids))) if len({i[n] for i in ids}) > 1),
                          min(map(len, ids)))  # a prefix all lines share (the turn's name) says nothing
            assert not any(quality.search(i[shared:]) for i in ids), turn.id
    assert longest <= turns / 3, f"best line longest in {longest} of {turns} turns"
    assert max(positions.values()) < turns / 2, positions
