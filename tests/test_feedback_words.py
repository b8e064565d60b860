"""What grading prints and what is filtered from nbgrader's output (issue 14), without nbgrader
running: every part named even when nothing could be scored, every point lost explained, and
the noise filters dropping exactly the harmless messages and nothing else."""

from __future__ import annotations

import logging
import shutil
import warnings

from sqlalchemy.exc import SAWarning

from bshtrain.content.cases import get_case
from bshtrain.engine import grading
from bshtrain.engine.keys import read_key
from bshtrain.engine.nbgrader_plugins import (
    UNUSED_FEEDBACK_OPTION,
    KnownNbgraderNoise,
    quiet_known_noise,
)
from bshtrain.skills.plan.scorer import TITLES
from bshtrain.skills.plan.spec import SPEC

from .conftest import ROOT
from .plan_plans import model_plan

KEY = read_key(ROOT / "solutions" / "plan" / "key.yaml")[0]
AUTOFLUSH = ("Object of type <SubmittedAssignment> not in session, add operation along "
             "'Student.submissions' will not proceed (This warning originated from the Session "
             "'autoflush' process)")


def test_a_part_with_nothing_to_score_is_still_named(tmp_path, monkeypatch, capsys):
    """At grading, with no answers file, does each grade cell print its part's name and points
    first (the feedback page names the part from that line), then why, and score 0?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("BSHTRAIN_STUDENT", "ana")
    shutil.copy(ROOT / "solutions" / "plan" / "key.yaml", tmp_path / "key.yaml")
    assert grading.grade("plan", "task", tmp_path) == 0.0
    assert grading.grade("plan", "review", tmp_path) == 0.0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{TITLES['task']}: 0 of 4 points"
    assert out[1].startswith("No answers were saved")
    assert out[2] == f"{TITLES['review']}: 0 of 1 point"


def test_fewer_obstacles_than_the_plan_has_room_for_is_explained():
    """Does a plan with two obstacles say why it cannot earn the third point?"""
    plan = model_plan("li")
    two = plan.model_copy(update={"obstacles": plan.obstacles[:2]})
    scored = SPEC.score(two, get_case("li"), KEY)
    assert scored.points("obstacles") <= 2
    text = grading.explain(scored, "obstacles")
    assert "You foresaw 2 of the 3 obstacles the plan has room for" in text
    full = grading.explain(SPEC.score(plan, get_case("li"), KEY), "obstacles")
    assert "You foresaw" not in full


def test_no_new_task_says_why_the_client_part_is_scaled():
    """With 'no new task this week', does the client part say it is also scored by that
    decision (its points are scaled by it)?"""
    plan = model_plan("li").model_copy(update={"task": "task-none"})
    scored = SPEC.score(plan, get_case("li"), KEY)
    assert scored.points("client") < 1
    assert "also scored by that decision" in grading.explain(scored, "client")


def test_the_logging_filter_drops_only_the_known_message():
    """Does the filter drop exactly the ClearHiddenTests option warning, and let everything
    else through (a checksum change, a missing notebook)?"""
    noise = KnownNbgraderNoise()

    def record(msg: str, *args) -> logging.LogRecord:
        return logging.LogRecord("AutogradeApp", logging.WARNING, __file__, 1, msg, args, None)

    assert not noise.filter(record(UNUSED_FEEDBACK_OPTION))
    assert noise.filter(record("Attribute '%s' for cell %s has changed! (should be: %s, got: %s)",
                               "checksum", "task", "a", "b"))
    assert noise.filter(record("No notebooks were matched by '%s'", "submitted/x/plan/*.ipynb"))
    assert noise.filter(record(UNUSED_FEEDBACK_OPTION.replace("ClearHiddenTests", "GetGrades")))


def test_the_warnings_filter_drops_only_nbgraders_autoflush_warning():
    """Is SQLAlchemy's autoflush warning ignored only when nbgrader.api raises it, and another
    SQLAlchemy warning from nbgrader.api still shown? Is the logging filter installed once?"""
    name = "bshtrain-test-noise"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_known_noise(loggers=(name,))
        quiet_known_noise(loggers=(name,))
        warnings.warn_explicit(AUTOFLUSH, SAWarning, "api.py", 1, module="nbgrader.api")
        warnings.warn_explicit(AUTOFLUSH, SAWarning, "mine.py", 1, module="bshtrain.mine")
        warnings.warn_explicit("Another SQLAlchemy problem", SAWarning, "api.py", 2,
                               module="nbgrader.api")
    assert [str(w.message) for w in seen] == [AUTOFLUSH, "Another SQLAlchemy problem"]
    logger = logging.getLogger(name)
    assert sum(isinstance(f, KnownNbgraderNoise) for f in logger.filters) == 1
    for f in list(logger.filters):
        logger.removeFilter(f)


def test_apostrophes_and_quotes_in_free_text_stay_as_typed():
    """Does a rationale with an apostrophe and quotes render as typed in the formgrader and the
    feedback (Markdown, rendered by nbconvert's mistune), while tags, links and headings stay
    text?"""
    import mistune

    from bshtrain.engine.safe_text import markdown_text

    typed = 'You\'ve said "not yet" <b>twice</b> [link](http://x)\n# not a heading'
    rendered = mistune.html(markdown_text(typed))
    assert "&amp;#x27;" not in rendered and "#x27" not in rendered
    assert "You've said" in rendered
    assert "<b>" not in rendered and "<a " not in rendered and "<h1" not in rendered
