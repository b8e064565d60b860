"""The case library and the task catalogue as a whole: spread, logs, plots, tables."""

from __future__ import annotations

import io

import pytest

from bshtrain.content.cases import load_cases
from bshtrain.content.homework_log import log_frame, log_patterns, plot_log
from bshtrain.content.loading import DataFileError
from bshtrain.content.tables import FilterError, cases_table, coverage, coverage_text, tasks_table
from bshtrain.content.tasks import catalogue

from .conftest import DATA

PATTERNS = {"done and helpful", "partly done", "not done", "done with distress",
            "done in form, not in substance"}


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def test_library_spread(cases):
    """Does the library span enough problems, approaches, ages, contexts and risks?"""
    spread = coverage(cases)
    print("\n" + coverage_text(cases))
    assert len(cases) >= 14
    assert len(spread["problems"]) >= 9
    assert len(spread["approaches"]) >= 8
    assert {"adolescent", "older adult"} <= set(spread["ages"])
    assert len(spread["contexts"]) >= 6
    risky = [c for c in cases.values()
             if set(c.risk.flags) & {"suicidal-ideation-current", "suicidal-ideation-past",
                                     "trauma-exposure-risk", "severe-depression",
                                     "alliance-strain"}]
    assert len(risky) >= 4


def test_adolescents_have_a_caregiver_in_the_room(cases):
    """Is every client under 18 seen with a named caregiver who speaks in the excerpt?"""
    young = [c for c in cases.values() if c.age < 18]
    assert young
    for case in young:
        assert case.caregiver.strip()
        assert "caregiver" in {line.speaker for line in case.session.excerpt}


def test_each_case_names_its_therapy_word_for_homework(cases):
    """Does every case give the therapy's own word for homework and a real excerpt?"""
    for case in cases.values():
        assert case.homework_term.strip()
        assert {"therapist", "client"} <= {line.speaker for line in case.session.excerpt}


def test_multi_session_logs_show_every_review_pattern(cases):
    """Do at least five cases carry logs of four or more sessions, together showing every
    pattern the review lesson needs?"""
    logged = [c for c in cases.values() if len(c.homework_log) >= 4]
    assert len(logged) >= 5
    shown = set().union(*(log_patterns(c) for c in logged))
    assert shown == PATTERNS
    assert all(len(log_patterns(c)) >= 3 for c in logged)


def test_catalogue_size_and_spread():
    """Does the catalogue hold 30+ tasks across the approaches, each with a smaller variant?"""
    tasks = catalogue()
    assert len(tasks) >= 30
    approaches = {a for t in tasks.values() for a in t.approaches}
    assert len(approaches) >= 10
    for task in tasks.values():
        assert task.smaller_variant.minutes <= task.demands.minutes, task.id


def test_risky_cases_have_a_catalogue_task_that_would_harm_them(cases):
    """For each case with a risk flag, does the catalogue hold a plausible wrong choice
    (a task with a caution for that flag), so exercises can offer it?"""
    tasks = catalogue()
    for case in cases.values():
        for flag in set(case.risk.flags) - {"alliance-strain", "substance-use", "self-harm"}:
            assert any(t.cautions_for({flag}) for t in tasks.values()), (case.id, flag)


def test_log_frame(cases):
    """Does a log load as a DataFrame, indexed by session, with ordered categories?"""
    case = next(c for c in cases.values() if len(c.homework_log) >= 4)
    frame = log_frame(case)
    assert list(frame.index) == [e.session for e in case.homework_log]
    assert list(frame.columns) == ["task", "planned", "done", "quality", "distress", "obstacles",
                                   "client_comment"]
    assert frame["done"].cat.ordered and list(frame["done"].cat.categories) == [
        "not-done", "partly", "done"]
    not_done = frame[frame["done"] == "not-done"]
    assert not_done["quality"].isna().all()


def test_log_plot_renders_headless_and_is_labelled(cases):
    """Does the log plot render without a display, with a title, axis labels and a legend
    whose entries differ by pattern or marker (readable in grayscale)?"""
    case = next(c for c in cases.values() if len(c.homework_log) >= 4)
    fig = plot_log(case)
    ax = fig.axes[0]
    assert case.name in ax.get_title()
    assert ax.get_ylabel()
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == [
        f"Session {e.session}" for e in case.homework_log]
    lines = ax.get_lines()
    assert {ln.get_marker() for ln in lines} == {"o", "^"}
    assert {ln.get_linestyle() for ln in lines} == {"-", "--"}
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_of_empty_log_explains(cases):
    """Does plotting a case without a log say so, naming the case?"""
    case = cases["grace"].model_copy(update={"homework_log": []})
    with pytest.raises(ValueError, match=f"case '{case.id}' has no homework log"):
        plot_log(case)


def test_tables_filter(cases):
    """Do the library tables filter by problem, approach, risk and context, and refuse typos?"""
    table = cases_table(cases, risk="any")
    assert set(table["id"]) == {c.id for c in cases.values() if c.risk.flags}
    ptsd = cases_table(cases, problem="ptsd")
    assert set(ptsd["problem"]) == {"ptsd"} and len(ptsd) >= 1
    assert len(cases_table(cases)) == len(cases)
    with pytest.raises(FilterError, match="unknown approach 'behavioral-activation'"):
        cases_table(cases, approach="behavioral-activation")
    caution = tasks_table(catalogue(), risk="severe-depression")
    assert "activity-monitoring-diary" in set(caution["id"])


def test_broken_author_folder_never_half_loads(tmp_path):
    """With one broken case among good ones, does loading fail whole, naming the file?"""
    (tmp_path / "good.yaml").write_text((DATA / "case-x.yaml").read_text()
                                        .replace("id: case-x", "id: good"))
    (tmp_path / "bad.yaml").write_text("id: bad\nname: [\n")
    with pytest.raises(DataFileError, match=r"bad\.yaml, line 3: is not valid YAML"):
        load_cases([tmp_path], task_ids={"schedule-one-activity"})


def test_each_vocabulary_has_one_owner_and_its_names_cover_it():
    """Are approach names, level order, barrier classes and review labels defined once, in
    step with the vocabularies they name?"""
    from typing import get_args

    from bshtrain.content import vocab
    from bshtrain.teaching.plan import REVIEW_LABELS, REVIEW_WHEN

    assert set(vocab.APPROACH_NAMES) == set(get_args(vocab.Approach))
    assert tuple(vocab.LEVEL_ORDER) == get_args(vocab.Level)
    assert get_args(vocab.BarrierClass) == vocab.BARRIER_CLASSES
    assert tuple(REVIEW_LABELS) == REVIEW_WHEN


def test_fit_rules_are_shared_by_the_explorer_and_the_rubric():
    """Do the lesson's task-fit explorer and the teaching rubric read the same fit report?"""
    import inspect

    from bshtrain.teaching import lesson, rubric

    assert "task_fit(" in inspect.getsource(lesson.task_fit_explorer)
    assert "task_fit(" in inspect.getsource(rubric.score_doable)
    assert "LEVELS[" not in inspect.getsource(lesson) + inspect.getsource(rubric)
