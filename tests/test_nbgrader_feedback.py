"""After grading, through the real nbgrader on a course copy (issue 14): the feedback page a
trainee reads, and what `nbgrader autograde` prints.

One batch: a partly right plan (graded by hand too, with a comment) and an untouched
submission (the release as it is, answered through the form) are autograded one student at a
time, so each run's output is its own; then the feedback is generated. Two real problems, a
locked cell edited in the notebook and a submission without its notebook, are autograded
afterwards: what they print must still show.
"""

from __future__ import annotations

import html
import json
import re

import nbformat
import pytest
from nbgrader.api import Gradebook

from bshtrain.content.cases import get_case
from bshtrain.engine.keys import read_key
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.scorer import MAX_POINTS, TITLES
from bshtrain.skills.plan.spec import SPEC

from .conftest import ROOT
from .nbgrader_course import cell_scores, copy_course, place_submission, run_nbgrader
from .plan_plans import model_plan
from .test_nbgrader_pipeline import answers_json, student_for

pytestmark = pytest.mark.nbgrader

EXERCISE = "plan"
CASE = "li"
KEY = read_key(ROOT / "solutions" / EXERCISE / "key.yaml")[0]
TASK = "task-drop-rehearsing"  # defensible, half credit for Li: not harmful, not the best
RATIONALE_GIVEN = 5
COMMENT = "Name the goal Li gave you in their own words."
NOISE = ("SAWarning", "not in session", "Attribute 'checksum'", "display_data_priority")


def _partial_plan():
    plan = model_plan(CASE)
    return plan.model_copy(update={"task": TASK, "written": "written-therapist-card",
                                   "review": "review-end", "obstacles": plan.obstacles[:2]})


def _visible_text(page: str) -> str:
    """The words a reader sees, in one line: no style, script or tags, entities decoded, runs
    of white space (printed text is wrapped) as one space."""
    body = page[page.find("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("feedback") / "course")
    run_nbgrader(course, "generate_assignment", EXERCISE, "--force")
    release = nbformat.read(course.exercises / EXERCISE / f"{EXERCISE}.ipynb", as_version=4)
    partial = student_for(CASE, "partial-")
    untouched = student_for(CASE, "untouched-")
    place_submission(course, partial, EXERCISE, release, answers_json(CASE, _partial_plan()))
    place_submission(course, untouched, EXERCISE, release, answers_json(CASE, model_plan(CASE)))
    output = {}
    for student in (untouched, partial):
        proc = run_nbgrader(course, "autograde", EXERCISE, "--force", "--student", student)
        output[student] = proc.stdout + proc.stderr
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        gb.find_grade("rationale", EXERCISE, EXERCISE, partial).manual_score = RATIONALE_GIVEN
        gb.find_comment("rationale", EXERCISE, EXERCISE, partial).manual_comment = COMMENT
        gb.db.commit()
    proc = run_nbgrader(course, "generate_feedback", EXERCISE, "--force")
    output["feedback"] = proc.stdout + proc.stderr
    # Real problems, graded after the others: a locked grade cell edited, no notebook at all.
    edited = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "task":
            cell.source = "4"
    edited_student = student_for(CASE, "problem-edited-")
    place_submission(course, edited_student, EXERCISE, edited, answers_json(CASE, model_plan(CASE)))
    folder = place_submission(course, "problem-no-notebook", EXERCISE, release,
                              answers_json(CASE, model_plan(CASE)))
    (folder / f"{EXERCISE}.ipynb").unlink()
    proc = run_nbgrader(course, "autograde", EXERCISE, "--force", "--student", "problem-*")
    output["problems"] = proc.stdout + proc.stderr
    page = (course.root / "feedback" / partial / EXERCISE / f"{EXERCISE}.html").read_text()
    return {"course": course, "partial": partial, "untouched": untouched, "output": output,
            "edited": edited_student, "page": page, "text": _visible_text(page)}


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def test_an_untouched_submission_autogrades_quietly(graded):
    """Does autograde of an untouched submission print none of the known harmless warnings
    (SQLAlchemy's three, a checksum change), and does it still earn every automatic point?"""
    out = graded["output"][graded["untouched"]]
    assert "Autograding" in out  # the output was captured
    for noise in NOISE:
        assert noise not in out, f"{noise!r} in:\n{out}"
    scores = cell_scores(graded["course"], EXERCISE)[graded["untouched"]]
    assert {c: scores[c] for c in MAX_POINTS} == {c: float(p) for c, p in MAX_POINTS.items()}


def test_feedback_generation_is_quiet(graded):
    """Does generate_feedback print no warning about an option ClearHiddenTests ignores?"""
    assert "display_data_priority" not in graded["output"]["feedback"]
    assert "WARNING" not in graded["output"]["feedback"].replace("Removing existing", "")


def test_real_problems_still_show(graded):
    """Guard: are a locked cell edited in a submission and a missing notebook still reported
    (the filters drop exact harmless messages only)?"""
    out = graded["output"]["problems"]
    assert "Attribute 'checksum' for cell task has changed!" in out
    assert "No notebooks were matched by" in out and "problem-no-notebook" in out
    scores = cell_scores(graded["course"], EXERCISE)[graded["edited"]]
    assert scores["task"] == MAX_POINTS["task"]  # nbgrader put the cell back: graded as usual


def test_each_part_is_named_with_its_score(graded):
    """Does the feedback name every graded part with its score (in the list at the top and on
    its own panel), and never say "Test cell"?"""
    text = graded["text"]
    assert "Test cell" not in text and "Grade cell:" not in text
    assert "Written response" not in text and "Student's answer" not in text
    scored = SPEC.score(_partial_plan(), get_case(CASE), KEY)
    for cid, most in MAX_POINTS.items():
        heading = f"{TITLES[cid]} — {_points(scored.points(cid))} / {_points(most)}"
        assert text.count(heading) == 2, heading  # the list at the top and the part's panel
    rationale = f"Your rationale, as you would say it to the client — {RATIONALE_GIVEN} / 8"
    assert text.count(rationale) == 2
    assert COMMENT in text
    total = sum(scored.points(c) for c in MAX_POINTS) + RATIONALE_GIVEN
    assert f"Exercise: plan a homework task with your client — score {_points(total)} / 24" in text
    assert scored.points("task") < MAX_POINTS["task"]  # a partly right plan, as intended


def test_choices_are_shown_by_name_not_id(graded):
    """Is the chosen task shown by its words (the option and the catalogue task), never by an
    id, and the case by its name?"""
    text = graded["text"]
    option = case_options(EXERCISE, CASE).option(TASK)
    assert option.text.rstrip(".") in text
    assert TASK not in text and option.task not in text
    assert f"Case: {get_case(CASE).name}, assigned to {graded['partial']}" in text
    assert f"({CASE})" not in text


def test_every_point_lost_is_explained(graded):
    """Does every part that lost points say why: a stronger choice for the task and the written
    form, the missing obstacle, the later review?"""
    text = graded["text"]
    assert text.count("A stronger choice:") >= 3  # task, written down, review
    assert "You foresaw 2 of the 3 obstacles the plan has room for" in text


def test_case_and_reasons_read_as_wrapped_text(graded):
    """Is the case printed in the page's own font, wrapped to the page (not clipped monospace),
    with IPython's %xmode notice left out and no MathJax loaded from the internet?"""
    page, text = graded["page"], graded["text"]
    case = get_case(CASE)
    assert f"{case.name}, {case.age}" in text
    style = re.search(r"div\.output_stdout pre, div\.output_stderr pre \{(.*?)\}", page, re.S)
    assert style, "the course template's rule for printed text is missing"
    assert "white-space: pre-wrap" in style.group(1) and "monospace" not in style.group(1)
    assert "Exception reporting mode" not in text
    assert "mathjax" not in page.lower()
    assert re.search(r"<script[^>]+src=[\"']https?:", page) is None
