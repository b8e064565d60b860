"""Clinical content rules that cut across files: cautions say what to do, the safety cautions
the evidence calls for exist and fire, key reasons cite what they name and do not contradict
the catalogue, the lessons' self-checks give nothing away by length or position, and the case
library does not tie a group to one story."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

import pytest
import yaml

from bshtrain.content.bibliography import bibliography
from bshtrain.content.cases import load_cases
from bshtrain.content.tasks import NO_TASK, catalogue
from bshtrain.engine.keys import read_key
from bshtrain.engine.options import case_options

from .conftest import ROOT
from .test_content import LESSONS, STATISTIC, _cited_labels, _sentences, lesson_self_checks

KEY_PATH = ROOT / "solutions" / "plan" / "key.yaml"

# What a caution asks the therapist to do (design section 4). Equivalents count as the verb
# they stand for; nothing else does ("avoid" alone is not an action).
ACTIONS = {
    "assess": r"assess(?:es|ed|ing|ment)?",
    "adapt": r"adapt(?:s|ed|ing|ation)?",
    "defer": r"defer(?:s|red|ring)?",
    "refer": r"refer(?:s|red|ring|ral)?",
}
EQUIVALENTS = {"screen": "assess", "consult": "refer", "postpone": "defer", "tailor": "adapt"}
ACTION = re.compile(r"\b(?:" + "|".join([*ACTIONS.values(), *EQUIVALENTS]) + r")\b", re.I)


def test_every_caution_names_an_action():
    """Does every caution in the catalogue say what to do: assess, adapt, defer or refer (or
    a defined equivalent), not only what to avoid?"""
    missing = [(t.id, c.text[:60]) for t in catalogue().values() for c in t.cautions
               if not ACTION.search(c.text)]
    assert missing == []


def test_action_pattern_rejects_a_bare_prohibition():
    """Would a caution that only forbids ('Do not set it') fail the action check?"""
    assert not ACTION.search("Do not set it for a client with current suicidal ideation.")
    assert ACTION.search("Assess first, then adapt it or defer it.")


def _cautions(task_id: str, flag: str | None = None):
    task = catalogue()[task_id]
    return [c for c in task.cautions if (flag in c.applies_to if flag else not c.applies_to)]


@pytest.mark.parametrize("task_id", ["alcohol-reduction-goal", "urge-surfing",
                                     "high-risk-situation-plan", "act-committed-action"])
def test_cutting_down_alcohol_is_planned_with_medical_input(task_id):
    """Does every task that can cut down or stop drinking carry a caution for possible
    dependence, on the smaller version too, citing the withdrawal guidance and saying refer?"""
    found = _cautions(task_id, "alcohol-dependence")
    assert found and all(c.also_smaller for c in found), task_id
    assert all({"nice-2010", "niaaa-nd"} & set(c.sources) for c in found)
    assert all(re.search(r"\brefer\b", c.text, re.I) for c in found)


def test_interoceptive_exposure_screens_for_medical_conditions():
    """Does symptom induction carry a screening caution for everyone and a 'defer until the
    doctor has advised' caution for a client with a physical condition (F6.1)?"""
    general = _cautions("interoceptive-exposure")
    assert any("clark-2010" in c.sources and re.search(r"\bassess\b", c.text, re.I)
               for c in general)
    flagged = _cautions("interoceptive-exposure", "physical-health-condition")
    assert flagged and flagged[0].also_smaller and re.search(r"\bdefer\b", flagged[0].text, re.I)


@pytest.mark.parametrize("task_id", ["stimulus-control", "fixed-sleep-window", "sleep-restriction"])
def test_sleep_tasks_plan_a_safety_line_for_safety_critical_work(task_id):
    """Does each task that can cut sleep carry a caution for drivers and safety-critical
    workers, citing Kyle et al. (2014) and saying the safety line is the course's inference?"""
    found = _cautions(task_id, "safety-critical-work")
    assert found, task_id
    assert all("kyle-2014" in c.sources and "inference" in c.text for c in found)


@pytest.mark.parametrize("task_id", ["pe-imaginal-recording", "trauma-narrative-alone"])
def test_suicidal_thoughts_are_assessed_not_excluded_from_trauma_work(task_id):
    """Does a caution for current suicidal thoughts on trauma-focused homework ask to assess
    and plan for the risk rather than exclude the client automatically (F4.5, F6.5)?"""
    found = _cautions(task_id, "suicidal-ideation-current")
    assert found
    for caution in found:
        assert "not excluded automatically" in caution.text
        assert not re.search(r"\bdo not set\b", caution.text, re.I)


def test_grief_tasks_alone_are_cautioned_for_suicidal_thoughts_and_drinking():
    """Does time alone with memories of a loss carry a caution for current suicidal thoughts
    and for drinking to cope?"""
    flags = {f for c in catalogue()["grief-memory-reflection"].cautions for f in c.applies_to}
    assert {"suicidal-ideation-current", "substance-use", "alcohol-dependence"} <= flags


def test_trauma_and_video_tasks_say_where_they_are_standard():
    """Are written trauma work and session recordings shown with the therapies in which they
    are standard (CPT's written work, video feedback in cognitive therapy for social anxiety),
    so that the harm is placed in the client's risk, not in the task (F6.3, F6.4)?"""
    tasks = catalogue()
    account = {s for c in tasks["trauma-narrative-alone"].cautions for s in c.sources}
    assert {"price-2016", "acf-nd"} <= account
    video = {s for c in tasks["session-recording-review"].cautions for s in c.sources}
    assert "warnock-parkes-2017" in video
    assert "prolonged-exposure" not in tasks["grounding-practice"].approaches


# --- The plan key's reasons --------------------------------------------------------------

YEAR = r"(?:\d{4}[a-z]?|n\.d\.)"
NARRATIVE = re.compile(r"([A-Z][\w'-]+(?: et al\.| (?:&|and) [A-Z][\w'-]+)?) \((" + YEAR + r")\)")
CONTRADICTS = re.compile(r"does not (?:work on|target)|not a maintaining factor|"
                         r"wrong for this formulation|nothing in (?:his|her|their) formulation",
                         re.I)


def _key_items():
    key, _ = read_key(KEY_PATH)
    for case_id, case_key in key.cases.items():
        for section in ("options", "targets"):
            for item_id, keyed in getattr(case_key, section).items():
                yield case_id, item_id, keyed


def _labels_in(text: str) -> list[str]:
    labels = _cited_labels(text)
    labels += [f"{who}, {year}" for who, year in NARRATIVE.findall(text)]
    return [label.replace(" and ", " & ") for label in labels]


def test_key_reasons_cite_only_known_works_that_they_list():
    """Does every author-year citation in a key reason or harm name a work in the bibliography,
    and is that work among the reason's sources?"""
    labels = {w.short(): k for k, w in bibliography().items()}
    problems = []
    for case_id, item_id, keyed in _key_items():
        for label in _labels_in(keyed.reason + " " + keyed.harm):
            if label not in labels:
                problems.append((case_id, item_id, label, "not in the bibliography"))
            elif labels[label] not in keyed.sources:
                problems.append((case_id, item_id, label, "not among its sources"))
    assert problems == []


def test_key_reasons_that_name_an_author_list_a_work_by_them():
    """Where a reason names a first author ("Westrup warns", "Bunnell et al.", "(Tompkins)"),
    is one of that author's works among its sources?"""
    by_author: dict[str, set[str]] = {}
    for key_id, work in bibliography().items():
        by_author.setdefault(work.authors[0].split(",")[0].strip(), set()).add(key_id)
    problems = []
    for case_id, item_id, keyed in _key_items():
        text = keyed.reason + " " + keyed.harm
        for surname, keys in by_author.items():
            named = re.search(r"(?<!and )(?<!& )\b" + re.escape(surname)
                              + r"(?: et al\.|'s| and | & |\)| warns| describes| names)", text)
            if len(surname) > 3 and named and not keys & set(keyed.sources):
                problems.append((case_id, item_id, surname))
    assert problems == []


def test_key_reasons_with_statistics_rest_on_sources():
    """Does every key reason that states a figure rest on at least one cited work?"""
    bare = [(c, i) for c, i, k in _key_items() for sentence in _sentences(k.reason + " " + k.harm)
            if STATISTIC.search(sentence) and not k.sources]
    assert bare == []


def test_key_reasons_do_not_contradict_the_catalogue():
    """Where the catalogue says a task works on a mechanism this client's formulation names,
    does the key's reason for that task avoid saying it does not (the old catch-all fault)?"""
    tasks, cases = catalogue(), load_cases()
    key, _ = read_key(KEY_PATH)
    problems = []
    for case_id, case_key in key.cases.items():
        mechanisms = {f.mechanism for f in cases[case_id].formulation.maintaining_factors}
        for option in case_options("plan", case_id).parts["task"].options:
            if option.task == NO_TASK:
                continue
            hits = mechanisms & set(tasks[option.task].targets)
            if hits and CONTRADICTS.search(case_key.options[option.id].reason):
                problems.append((case_id, option.id, sorted(hits)))
    assert problems == []


def test_contradiction_check_catches_the_old_catch_all():
    """Would the check have caught the old catch-all shown for graded exposure with Li?"""
    old = ("This task does not work on what keeps Li's social anxiety going (safety behaviours, "
           "untested predictions).")
    assert CONTRADICTS.search(old)


def test_validate_rejects_a_key_source_that_is_not_in_the_bibliography(tmp_path):
    """Does `bshtrain validate`'s key check reject a key reason citing an unknown work?"""
    from bshtrain.engine.check_exercises import check_exercises

    course = tmp_path / "course"
    (course / "solutions" / "plan").mkdir(parents=True)
    data = yaml.safe_load(KEY_PATH.read_text(encoding="utf-8"))
    data["cases"]["li"]["options"]["ob-mocked"]["sources"] = ["no-such-work-1999"]
    (course / "solutions" / "plan" / "key.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                            encoding="utf-8")
    problems = [str(p) for p in check_exercises(course) if "key.yaml" in p.path]
    assert any("unknown bibliography key 'no-such-work-1999'" in p for p in problems), problems
    shutil.copy(KEY_PATH, course / "solutions" / "plan" / "key.yaml")
    assert not [str(p) for p in check_exercises(course)
                if "solutions/plan/key.yaml" in p.path.replace("\\", "/")]


# --- The lessons' self-checks --------------------------------------------------------------

def _self_checks():
    """(lesson, options) for every self-check and next-line dialogue in the lessons, with the
    options as the self-checks file gives them to the lesson."""
    return [(path.name, entry.as_options()) for path in LESSONS
            for _function, entry in lesson_self_checks(path)]


def test_self_checks_do_not_give_the_answer_by_length_or_position():
    """Across all the lessons' self-checks: is the right option the longest in at most a third,
    the shortest in at most a third, and does no position hold half the right answers?"""
    checks = _self_checks()
    assert len(checks) >= 20
    longest = shortest = 0
    positions = Counter()
    for _lesson, options in checks:
        lengths = [len(text) for text, _, _ in options]
        right = [i for i, (_, correct, _) in enumerate(options) if correct]
        assert len(right) == 1
        longest += lengths[right[0]] == max(lengths)
        shortest += lengths[right[0]] == min(lengths)
        positions[right[0]] += 1
    assert longest <= len(checks) / 3, f"right option longest in {longest} of {len(checks)}"
    assert shortest <= len(checks) / 3, f"right option shortest in {shortest} of {len(checks)}"
    assert max(positions.values()) < len(checks) / 2, positions
    assert len(positions) == 4, positions


GROUNDED = re.compile(r"clinical reasoning|case notes|notes say|\bher notes\b|\bhis notes\b", re.I)


def test_self_check_answers_are_grounded():
    """In lessons 1 to 7, does the explanation of every right answer cite a work, say it is
    clinical reasoning, or point to the case notes it rests on?"""
    bare = [(lesson, text[:50]) for lesson, options in _self_checks() if not lesson.startswith("00")
            for text, correct, why in options
            if correct and not (_cited_labels(why) or GROUNDED.search(why))]
    assert bare == []


# --- The case library ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_faith_is_not_tied_to_migration(cases):
    """Is religious practice found among clients without a migration background, and are
    there clients with a migration background who are not tagged as religious?"""
    religious = {c.id for c in cases.values() if "religious-practice" in c.contexts}
    migrant = {c.id for c in cases.values() if "migration" in c.contexts}
    assert religious - migrant, "every religious client is a migrant"
    assert len(migrant - religious) >= 2


def test_lgbtq_clients_are_not_one_story(cases):
    """Do the LGBTQ+ clients' stories differ: not every one built on rejection by parents?"""
    lgbtq = [c for c in cases.values() if "lgbtq" in c.contexts]
    assert len(lgbtq) >= 3
    rejected = [c.id for c in lgbtq if re.search(r"could not accept|cut contact|"
                                                  r"didn't raise him", c.context)]
    assert len(rejected) <= 1, rejected


def test_real_discrimination_is_an_obstacle_in_a_case_and_a_lesson(cases):
    """Does at least one case plan for real discrimination (not a distortion), and does a
    lesson use it as an example?"""
    assert any("discrimination" in c.risk.notes for c in cases.values())
    lesson5 = json.loads((ROOT / "lessons" / "05_adapting_and_harms.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in lesson5["cells"])
    assert "Real discrimination is an obstacle, not a distortion" in text


def test_new_risk_flags_are_carried_by_cases(cases):
    """Are the alcohol-dependence and safety-critical-work flags on the cases whose notes
    call for them?"""
    assert "alcohol-dependence" in cases["gareth"].risk.flags
    assert "safety-critical-work" in cases["amara"].risk.flags
