"""`bshtrain score`: a trainee working on their own grades their own copy of an exercise with
the real nbgrader, and gets the feedback page an instructor's grading would give them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bshtrain.engine.identity import case_for
from bshtrain.skills.plan.scorer import MAX_POINTS
from bshtrain.skills.plan.spec import POOL

from .nbgrader_course import copy_course
from .plan_plans import model_plan

pytestmark = pytest.mark.nbgrader

TRAINEE = next(f"self-{n}" for n in range(1000) if case_for(f"self-{n}", POOL) == "li")


def _score(course, trainee: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUPYTERHUB_USER": trainee}
    env.pop("NBGRADER_EXECUTION", None)
    return subprocess.run([sys.executable, "-m", "bshtrain.instructor.cli", "score", "plan",
                           "--no-progress"], cwd=course.root, env=env, capture_output=True,
                          text=True, timeout=600)


def test_own_work_is_scored_with_every_reason(tmp_path):
    """Does a self-learner's model plan, answered in exercises/plan/, earn every automatic
    point, with the rationale left for a person and a feedback page naming each part?"""
    course = copy_course(tmp_path / "course")
    answers = course.exercises / "plan" / "answers"
    answers.mkdir()
    (answers / "plan.json").write_text(json.dumps({
        "exercise": "plan", "schema_version": 1, "case": "li", "trainee": TRAINEE,
        "answers": model_plan("li").model_dump(mode="json")}), encoding="utf-8")
    proc = _score(course, TRAINEE)
    total = sum(MAX_POINTS.values())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"plan, graded for {TRAINEE}: {total:g} of {total:g} automatic points." in proc.stdout
    assert "Scored by a person, not here: rationale" in proc.stdout
    page = course.root / "feedback" / TRAINEE / "plan" / "plan.html"
    assert page.is_file() and "Li" in page.read_text(encoding="utf-8")
    assert (course.root / "submitted" / TRAINEE / "plan" / "answers" / "plan.json").is_file()


def test_nothing_answered_says_what_to_do(tmp_path):
    """Without any answers saved, does `bshtrain score` say what to do, and fail?"""
    course = copy_course(tmp_path / "course")
    proc = _score(course, TRAINEE)
    assert proc.returncode != 0
    assert "Run All and answer in the form first" in proc.stdout + proc.stderr
    assert not (course.root / "submitted").exists()
