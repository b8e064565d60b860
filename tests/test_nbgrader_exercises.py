"""The select and review exercises through the real nbgrader: one batch each, with fixture
submissions named by their expected result (full, partial, gated, blank, missing, corrupt,
claims another case). Expected points come from the pure scorer on the same key; the full
submission must earn every automatic point; a gated review at most a quarter; in select, each
case with a harmful choice nothing."""

from __future__ import annotations

import json

import nbformat
import pytest

from bshtrain.engine.keys import read_key
from bshtrain.engine.spec import spec_for

from .conftest import ROOT
from .nbgrader_course import cell_scores, copy_course, outputs_text, place_submission, run_nbgrader

pytestmark = pytest.mark.nbgrader
EXERCISES = ("select", "review")


def _answers_json(exercise: str, case_id: str, answers) -> str:
    return json.dumps({"exercise": exercise, "schema_version": 1, "case": case_id,
                       "answers": answers.model_dump(mode="json")})


def _select_plans(student: str):
    from bshtrain.skills.select.draw import draw

    from .test_select import KEY, _best, _worst

    items = draw(student)
    best, worst = _best(items), _worst(items)
    partial = best.model_copy(deep=True)
    for item in items.items[:2]:  # two cases with a non-deciding fact
        wrong = next(f.id for f in item.facts if KEY.cases[item.id].options[f.id].credit == 0)
        partial.items[item.id] = partial.items[item.id].model_copy(update={"fact": wrong})
    gated = best.model_copy(deep=True)
    harmed = 0
    for item in items.items:
        harm = next((t.id for t in item.tasks if KEY.cases[item.id].options[t.id].harm), None)
        if harm:
            gated.items[item.id] = gated.items[item.id].model_copy(update={"task": harm})
            harmed += 1
    assert harmed, "the draw must include a case with a harmful option"
    return items, {"full": best, "partial": partial, "worst": worst, "gated": gated}, harmed


def _review_plans(student: str):
    from bshtrain.engine.identity import case_for
    from bshtrain.skills.review.model import ReviewAnswers
    from bshtrain.skills.review.spec import POOL, best_answers

    from .test_review import KEY, fixtures

    case_id = case_for(student, POOL)
    best, _ = best_answers(case_id, KEY.cases[case_id])
    fx = fixtures(case_id)
    gated = fx["gated"][0]
    plans = {"full": best, "gated": ReviewAnswers(path=gated["path"], decision=gated["decision"])}
    if fx.get("defensible"):
        d = fx["defensible"][0]
        plans["partial"] = ReviewAnswers(path=d["path"], decision=d["decision"])
    return case_id, plans


def _batch(exercise: str) -> dict[str, dict]:
    spec = spec_for(exercise)
    key = read_key(ROOT / "solutions" / exercise / "key.yaml")[0]
    subs: dict[str, dict] = {}
    for n, name in enumerate(("full", "partial", "gated", "worst")):
        student = f"{exercise}-{name}-{n}"
        case = spec.case_for_student(student)
        if exercise == "select":
            _, plans, harmed = _select_plans(student)
            gate_max = 24 - 4 * harmed  # a harm zeroes its own case (4 points)
        else:
            plans, gate_max = _review_plans(student)[1], 2.5  # a gate caps review at a quarter
        if name not in plans:
            continue
        scored = spec.score(plans[name], case, key)
        subs[student] = {"answers": _answers_json(exercise, case.id, plans[name]),
                         "expected": {c: scored.points(c) for c in spec.criteria}, "kind": name,
                         "gate_max": gate_max}
    zero = {c: 0.0 for c in spec.criteria}
    subs[f"{exercise}-missing"] = {"answers": None, "expected": zero, "kind": "missing",
                                   "message": "No answers were saved"}
    blank = spec.answers_model()
    case = spec.case_for_student(f"{exercise}-blank")
    subs[f"{exercise}-blank"] = {"answers": _answers_json(exercise, case.id, blank),
                                 "expected": zero, "kind": "blank", "message": "is empty"}
    subs[f"{exercise}-corrupt"] = {"answers": '{"exercise": "' + exercise + '", "answers": [',
                                   "expected": zero, "kind": "corrupt", "message": "could not be read"}
    other = next(s for s in subs if subs[s]["kind"] == "full")
    subs[f"{exercise}-claims-other"] = {
        "answers": subs[other]["answers"], "expected": zero, "kind": "other",
        "message": "Answers for another case are not graded"}
    if spec.case_for_student(f"{exercise}-claims-other").id == json.loads(subs[other]["answers"])["case"]:
        subs[f"{exercise}-claims-other"]["expected"] = subs[other]["expected"]
        subs[f"{exercise}-claims-other"].pop("message")
    return subs


@pytest.fixture(scope="module", params=EXERCISES)
def graded(request, tmp_path_factory):
    exercise = request.param
    subs = _batch(exercise)
    course = copy_course(tmp_path_factory.mktemp(f"nbgrader-{exercise}") / "course")
    run_nbgrader(course, "generate_assignment", exercise, "--force")
    release = course.exercises / exercise / f"{exercise}.ipynb"
    for student, spec in subs.items():
        place_submission(course, student, exercise, nbformat.read(release, as_version=4), spec["answers"])
    run_nbgrader(course, "autograde", exercise, "--force")
    run_nbgrader(course, "generate_feedback", exercise, "--force")
    return exercise, course, subs


def test_release_equals_committed_and_holds_no_key(graded):
    """Is the regenerated release exactly the committed one, without the key or a solution?"""
    exercise, course, _ = graded
    fresh = (course.exercises / exercise / f"{exercise}.ipynb").read_text()
    assert fresh == (ROOT / "exercises" / exercise / f"{exercise}.ipynb").read_text()
    assert sorted(p.name for p in (ROOT / "exercises" / exercise).iterdir()) == [f"{exercise}.ipynb"]
    assert "BEGIN SOLUTION" not in fresh and "load_key" not in fresh


def test_every_submission_scores_exactly(graded):
    """Does each fixture submission score exactly what its answers file earns, full marks for
    the full one, at most a quarter for the gated one and 0 for missing, blank, corrupt and
    another case's answers?"""
    exercise, course, subs = graded
    scores = cell_scores(course, exercise)
    spec = spec_for(exercise)
    for student, sub in subs.items():
        auto = {c: scores[student][c] for c in spec.criteria}
        assert auto == pytest.approx(sub["expected"]), student
        if sub["kind"] == "full":
            assert sum(auto.values()) == sum(spec.criteria.values())
        if sub["kind"] == "gated":
            assert 0 < sub["gate_max"] < sum(spec.criteria.values())
            assert sum(auto.values()) <= sub["gate_max"], student


def test_problem_submissions_say_why(graded):
    """Does the autograded notebook say, in words, why a problem submission scored nothing?"""
    exercise, course, subs = graded
    first = next(iter(spec_for(exercise).criteria))
    for student, sub in subs.items():
        if "message" in sub:
            nb = course.root / "autograded" / student / exercise / f"{exercise}.ipynb"
            assert sub["message"] in outputs_text(nb, first), student


def test_feedback_shows_the_answers_and_no_key(graded):
    """Does feedback hold the trainee's answers card and the reasons, but no key file?"""
    exercise, course, subs = graded
    assert list((course.root / "feedback").rglob("key.yaml")) == []
    full = next(s for s, v in subs.items() if v["kind"] == "full")
    html = (course.root / "feedback" / full / exercise / f"{exercise}.html").read_text()
    heading = "YOUR CHOICES" if exercise == "select" else "THE REVIEW, AS YOU LED IT"
    assert heading in html and "Sources:" in html
