"""Keys as validated data, and keys built from a panel of raters (aggregate scoring)."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from pydantic import ValidationError

from bshtrain.content.bibliography import bibliography
from bshtrain.content.cases import load_cases
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import Keyed, check_key, panel_credits, read_key
from bshtrain.engine.options import case_options
from bshtrain.instructor.cli import main
from bshtrain.instructor.panel import build_panel_key
from bshtrain.skills.plan.best_plan import best_plan
from bshtrain.skills.plan.spec import POOL, SPEC

from .conftest import ROOT
from .nbgrader_course import copy_course

KEY_PATH = ROOT / "solutions" / "plan" / "key.yaml"


def test_a_reason_without_sources_must_say_clinical_reasoning():
    """Is an unsourced reason refused unless it is labelled clinical reasoning?"""
    with pytest.raises(ValidationError, match="clinical-reasoning"):
        Keyed(credit=1, reason="Because.")
    assert Keyed(credit=1, reason="Because.", basis="clinical-reasoning").sources == []


def test_a_harm_earns_no_credit():
    """Is an option keyed as a harm refused any credit?"""
    with pytest.raises(ValidationError, match="harmful earns no credit"):
        Keyed(credit=0.5, reason="x", basis="clinical-reasoning", harm="hurts")


def test_check_key_names_unknown_sources_and_unkeyed_options(tmp_path):
    """Does the key check name, with file and line, a source not in the bibliography, an
    option left unkeyed and an option that does not exist?"""
    data = yaml.safe_load(KEY_PATH.read_text())
    amara = data["cases"]["amara"]["options"]
    first = next(iter(amara))
    amara[first]["sources"] = ["nobody-2099"]
    amara[first]["basis"] = "evidence"
    dropped = list(amara)[1]
    del amara[dropped]
    amara["no-such-option"] = {"credit": 0, "reason": "x", "basis": "clinical-reasoning"}
    path = tmp_path / "key.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    key, where = read_key(path)
    problems = [str(p) for p in check_key(key, where, SPEC.key_ids(), set(bibliography()))]
    assert any(f"cases.amara.options.{first}.sources" in p and "unknown bibliography key "
               "'nobody-2099'" in p and ", line " in p for p in problems), problems
    assert any(f"'{dropped}' is not keyed" in p for p in problems)
    assert any("no such id 'no-such-option'" in p for p in problems)


def test_panel_credits_are_share_over_modal_share():
    """Does aggregate scoring give the modal option 1 and others their share of it?"""
    assert panel_credits(["a", "a", "a", "a", "b", "b", "c"]) == {"a": 1.0, "b": 0.5, "c": 0.25}
    assert panel_credits([]) == {}


def _rater(folder, n, case_id, plan):
    path = folder / f"rater{n}.json"
    path.write_text(json.dumps({"exercise": "plan", "schema_version": 1, "case": case_id,
                                "answers": plan.model_dump(mode="json")}))


def test_panel_key_from_raters_keeps_reasons_and_harms(tmp_path):
    """From four raters on one case: does each option get share/modal credit, reasons stay
    the authors', harms stay harms, and cases with too few raters keep the base key?"""
    base = read_key(KEY_PATH)[0]
    options, key = case_options("plan", "li"), base.cases["li"]
    model = best_plan(load_cases()["li"], options, key)
    other_task = next(o.id for o in options.parts["task"].options
                      if o.id != model.task and not key.options[o.id].harm)
    harm_task = next(o.id for o in options.parts["task"].options if key.options[o.id].harm)
    for n in range(3):
        _rater(tmp_path, n, "li", model)
    _rater(tmp_path, 3, "li", model.model_copy(update={"task": harm_task}))
    _rater(tmp_path, 4, "li", model.model_copy(update={"task": other_task}))
    (tmp_path / "broken.json").write_text("{")
    result = build_panel_key(SPEC, base, tmp_path, min_raters=3)
    li = result.key.cases["li"].options
    assert li[model.task].credit == 1.0
    assert li[other_task].credit == pytest.approx(0.333)
    assert li[harm_task].credit == 0 and li[harm_task].harm == key.options[harm_task].harm
    assert li[other_task].reason == key.options[other_task].reason
    assert result.key.cases["amara"] == base.cases["amara"]
    assert result.raters["li"] == 5 and any("broken.json" in s for s in result.skipped)
    assert any(harm_task in note for note in result.notes)
    assert result.key.panel.kind == "raters"


def test_panel_build_command_writes_a_key_that_validates(tmp_path, monkeypatch, capsys):
    """Does `bshtrain panel build plan FOLDER --out FILE` write a key the course accepts?"""
    course = copy_course(tmp_path / "course")
    raters = tmp_path / "raters"
    raters.mkdir()
    base = read_key(KEY_PATH)[0]
    for n, case_id in enumerate(POOL * 3):
        case = load_cases()[case_id]
        _rater(raters, n, case_id, best_plan(case, case_options("plan", case_id), base.cases[case_id]))
    out = course.solutions / "plan" / "key.yaml"
    monkeypatch.chdir(course.root)
    assert main(["panel", "build", "plan", str(raters), "--out", str(out)]) == 0
    assert "Wrote" in capsys.readouterr().out
    key = read_key(out)[0]
    assert key.panel.kind == "raters" and key.panel.raters == 3 * len(POOL)
    assert main(["validate"]) == 0, capsys.readouterr().out
    shutil.rmtree(raters)


def test_case_for_rater_names_reaches_every_case():
    """Can an instructor find a rater name for every case (docs: calibrating the key)?"""
    assert {case_for(f"rater-{i}", POOL) for i in range(100)} == set(POOL)
