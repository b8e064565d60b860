"""The real nbgrader pipeline on a temporary copy of the course: generate, validate, autograde
one batch of honest and hostile submissions, manual grades, feedback and export.

Every submission is graded from its answers file alone: trainee code is blanked before
execution, the case comes from the student id, the key from solutions/. Expected points come
from the pure scorer on the same key (and the model plans must earn every point).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from bshtrain.content.cases import get_case
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import read_key
from bshtrain.skills.plan.model import PlanAnswers
from bshtrain.skills.plan.scorer import MAX_POINTS
from bshtrain.skills.plan.spec import POOL, SPEC

from .conftest import ROOT
from .nbgrader_course import cell_scores, copy_course, outputs_text, place_submission, run_nbgrader
from .plan_plans import harmful_plans, junk_plan, model_plan

pytestmark = pytest.mark.nbgrader

EXERCISE = "plan"
KEY = read_key(ROOT / "solutions" / EXERCISE / "key.yaml")[0]
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)> [link](javascript:alert(2))"
RATIONALE_POINTS = 8


def student_for(case_id: str, prefix: str) -> str:
    """A student id that the pool assigns to `case_id` (the grader decides the case)."""
    n = 0
    while case_for(f"{prefix}{n}", POOL) != case_id:
        n += 1
    return f"{prefix}{n}"


def answers_json(case_id: str, plan: PlanAnswers) -> str:
    return json.dumps({"exercise": EXERCISE, "schema_version": 1, "case": case_id, "trainee": "",
                       "answers": plan.model_dump(mode="json")}, ensure_ascii=False)


def expected_points(case_id: str, plan: PlanAnswers) -> dict[str, float]:
    scored = SPEC.score(plan, get_case(case_id), KEY)
    return {cid: scored.points(cid) for cid in MAX_POINTS}


ZERO = {cid: 0.0 for cid in MAX_POINTS}


def _submissions() -> dict[str, dict]:
    """student id -> {case, answers text, notebook edits, expected auto points, note}."""
    subs: dict[str, dict] = {}
    for case_id in POOL:
        plan = model_plan(case_id)
        subs[student_for(case_id, f"model-{case_id}-")] = {
            "case": case_id, "answers": answers_json(case_id, plan),
            "expected": {cid: float(p) for cid, p in MAX_POINTS.items()}}
    for i, (case_id, _name, plan) in enumerate(harmful_plans()):
        subs[student_for(case_id, f"harm-{case_id}-{i}-")] = {
            "case": case_id, "answers": answers_json(case_id, plan),
            "expected": expected_points(case_id, plan), "harmful": True}
    li, amara = "li", "amara"
    junk = junk_plan(li)
    subs[student_for(li, "junk-")] = {"case": li, "answers": answers_json(li, junk),
                                      "expected": expected_points(li, junk)}
    subs[student_for(li, "blank-")] = {"case": li, "answers": None, "expected": ZERO,
                                       "message": "No answers were saved"}
    subs[student_for(li, "blank-file-")] = {"case": li, "answers": answers_json(li, PlanAnswers()),
                                            "expected": ZERO, "message": "is empty"}
    corrupt = '{"exercise": "plan", "schema_version": 1, "case": "li", "answers": {"task": '
    subs[student_for(li, "corrupt-")] = {"case": li, "answers": corrupt, "expected": ZERO,
                                         "message": "could not be read"}
    other = model_plan(amara)
    subs[student_for(li, "claims-other-")] = {
        "case": li, "answers": answers_json(amara, other), "expected": ZERO,
        "message": "holds answers for the case 'amara'"}
    victim = next(s for s, v in subs.items() if v["case"] == li and s.startswith("model-"))
    subs[student_for(li, "patches-scorer-")] = {
        "case": li, "answers": answers_json(li, junk), "expected": expected_points(li, junk),
        "code": ("import bshtrain.engine.grading as g\n"
                 "g.grade = lambda *a, **k: 16\n"
                 "import bshtrain.api as api\napi.grade = g.grade\n"
                 "print(open('../../../solutions/plan/key.yaml').read())\n"
                 f"open('../../{victim}/plan/answers/plan.json', 'w').write('{{}}')\n")}
    subs[student_for(li, "forged-key-")] = {
        "case": li, "answers": answers_json(li, junk), "expected": expected_points(li, junk),
        "forged_key": True}
    subs[student_for(li, "locked-edit-")] = {
        "case": li, "answers": answers_json(li, junk), "expected": expected_points(li, junk),
        "edit_locked": {cid: str(p) for cid, p in MAX_POINTS.items()}}
    subs[student_for(li, "duplicated-cell-")] = {
        "case": li, "answers": answers_json(li, model_plan(li)),
        "expected": {cid: float(p) for cid, p in MAX_POINTS.items()}, "duplicate": "task"}
    subs[student_for(li, "deleted-cells-")] = {
        "case": li, "answers": answers_json(li, model_plan(li)),
        "expected": {cid: float(p) for cid, p in MAX_POINTS.items()},
        "delete": {"task", "obstacles", "rationale"}}
    scripted = model_plan(li).model_copy(update={"rationale": SCRIPT})
    subs[student_for(li, "script-rationale-")] = {
        "case": li, "answers": answers_json(li, scripted),
        "expected": {cid: float(p) for cid, p in MAX_POINTS.items()}, "script": True}
    return subs


SUBMISSIONS = _submissions()


def _notebook(release: Path, spec: dict) -> nbformat.NotebookNode:
    nb = nbformat.read(release, as_version=4)
    cells = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in spec.get("delete", ()):
            continue
        if grade_id == "answer_in_code" and spec.get("code"):
            cell.source = spec["code"]
        if grade_id in spec.get("edit_locked", {}):
            cell.source = spec["edit_locked"][grade_id]
        cells.append(cell)
        if grade_id == spec.get("duplicate"):
            cells.append(nbformat.from_dict(json.loads(json.dumps(cell))))
    if spec.get("script"):
        cells.append(nbformat.v4.new_markdown_cell(SCRIPT))
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course copy with the release rebuilt and every submission graded in one batch."""
    course = copy_course(tmp_path_factory.mktemp("nbgrader") / "course")
    run_nbgrader(course, "generate_assignment", EXERCISE, "--force")
    release = course.exercises / EXERCISE / f"{EXERCISE}.ipynb"
    for student, spec in SUBMISSIONS.items():
        folder = place_submission(course, student, EXERCISE, _notebook(release, spec), spec["answers"])
        if spec.get("forged_key"):
            forged = (ROOT / "solutions" / EXERCISE / "key.yaml").read_text()
            (folder / "key.yaml").write_text(re.sub(r"credit: [0-9.]+", "credit: 1", forged)
                                             .replace("harm:", "was_harm:"))
    run_nbgrader(course, "autograde", EXERCISE, "--force")
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for student in SUBMISSIONS:
            grade = gb.find_grade("rationale", EXERCISE, EXERCISE, student)
            if grade.needs_manual_grade:
                grade.manual_score = 6
        gb.db.commit()
    run_nbgrader(course, "generate_feedback", EXERCISE, "--force")
    run_nbgrader(course, "export", "--to", str(course.root / "grades.csv"))
    return course


def test_release_equals_committed_exercises(graded):
    """Does regenerating the release from solutions/ give exactly the committed exercises/?"""
    fresh = graded.exercises / EXERCISE / f"{EXERCISE}.ipynb"
    committed = ROOT / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    assert fresh.read_text() == committed.read_text(), "run `make exercises` and commit the result"
    fresh_files = sorted(p.relative_to(graded.exercises) for p in graded.exercises.rglob("*"))
    committed_files = sorted(p.relative_to(ROOT / "exercises") for p in (ROOT / "exercises").rglob("*"))
    assert fresh_files == committed_files


def test_solution_validates(graded):
    """Does `nbgrader validate` pass on the solution notebook, saving nothing in solutions/?"""
    proc = run_nbgrader(graded, "validate", f"solutions/{EXERCISE}/{EXERCISE}.ipynb")
    assert "Success! Your notebook passes all the tests." in proc.stdout + proc.stderr
    assert not (graded.solutions / EXERCISE / "answers").exists()


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_each_submission_scores_exactly_its_answers_file(graded, student):
    """Is every submission graded from its answers file alone, to the exact expected points?"""
    scores = cell_scores(graded, EXERCISE)[student]
    auto = {cid: scores[cid] for cid in MAX_POINTS}
    assert auto == SUBMISSIONS[student]["expected"]


def test_deleted_graded_cells_are_restored_and_scored(graded):
    """Are graded cells a trainee deleted put back and scored from the answers file, the
    rationale shown for hand grading, rather than left waiting for a grade by hand?"""
    student = next(s for s in SUBMISSIONS if s.startswith("deleted-cells-"))
    nb = nbformat.read(graded.root / "autograded" / student / EXERCISE / f"{EXERCISE}.ipynb", 4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert {"task", "obstacles", "rationale"} <= set(ids)
    rationale = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "rationale")
    assert model_plan("li").rationale.split()[1] in rationale.source
    with Gradebook(f"sqlite:///{graded.root / 'gradebook.db'}") as gb:
        task = gb.find_grade("task", EXERCISE, EXERCISE, student)
        assert task.auto_score == MAX_POINTS["task"] and not task.needs_manual_grade


def test_harmful_plans_are_capped(graded):
    """Does every ported harmful plan score at most a quarter of the 16 automatic points?"""
    harmful = [s for s, v in SUBMISSIONS.items() if v.get("harmful")]
    assert len(harmful) >= 2
    scores = cell_scores(graded, EXERCISE)
    for student in harmful:
        assert sum(scores[student][c] for c in MAX_POINTS) <= 4, student


@pytest.mark.parametrize("student", sorted(s for s, v in SUBMISSIONS.items() if "message" in v))
def test_autograded_notebook_says_why(graded, student):
    """Does the autograded notebook say, in the trainee's words, why nothing was scored?"""
    nb = graded.root / "autograded" / student / EXERCISE / f"{EXERCISE}.ipynb"
    assert SUBMISSIONS[student]["message"] in outputs_text(nb, "task")


def test_trainee_code_never_ran_at_grading(graded):
    """Did the hostile code cell leave no trace: no key printed, no other folder touched?"""
    student = next(s for s in SUBMISSIONS if s.startswith("patches-scorer-"))
    nb = json.loads((graded.root / "autograded" / student / EXERCISE / f"{EXERCISE}.ipynb").read_text())
    text = json.dumps(nb)
    assert "credit:" not in text and "g.grade = lambda" not in text
    victim = next(s for s, v in SUBMISSIONS.items() if v["case"] == "li" and s.startswith("model-"))
    kept = json.loads((graded.root / "autograded" / victim / EXERCISE / "answers" / "plan.json").read_text())
    assert kept["case"] == "li" and kept["answers"]["task"]


def test_corrupt_answers_file_left_untouched(graded):
    """Is a corrupt answers file graded 0 but left exactly as submitted (nothing renamed)?"""
    student = next(s for s in SUBMISSIONS if s.startswith("corrupt-"))
    folder = graded.root / "autograded" / student / EXERCISE / "answers"
    assert sorted(p.name for p in folder.iterdir()) == ["plan.json"]
    assert (folder / "plan.json").read_text() == SUBMISSIONS[student]["answers"]


def test_no_live_html_in_autograded_notebooks_or_feedback(graded):
    """Is trainee text shown as text: no script, event handler or javascript link anywhere?"""
    student = next(s for s in SUBMISSIONS if s.startswith("script-rationale-"))
    nb = nbformat.read(graded.root / "autograded" / student / EXERCISE / f"{EXERCISE}.ipynb", 4)
    rationale = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "rationale")
    assert "&lt;script&gt;" in rationale.source and "<script" not in rationale.source
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "<script" not in cell.source and "<img" not in cell.source
    for page in (graded.root / "feedback").rglob("*.html"):
        html = page.read_text()
        assert ("alert('x')</script>" not in html and "onerror=alert" not in html.replace("&#x27;", "'")) \
            or "&lt;img" in html, page
        assert re.search(r"<a [^>]*href=\"javascript:", html) is None, page


def test_feedback_holds_no_key_and_explains(graded):
    """Does feedback show the plan and the reasons, but no key file and no key data?"""
    assert list((graded.root / "feedback").rglob("key.yaml")) == []
    student = next(s for s in SUBMISSIONS if s.startswith("junk-"))
    html = (graded.root / "feedback" / student / EXERCISE / f"{EXERCISE}.html").read_text()
    assert "THE PLAN" in html and "A stronger choice" in html and "Sources:" in html
    assert "credit:" not in html


def test_exported_grades_match(graded):
    """Does the exported CSV hold each trainee's exact total out of 24?"""
    with open(graded.root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    scores = cell_scores(graded, EXERCISE)
    for student, spec in SUBMISSIONS.items():
        manual = scores[student]["rationale"] or 0
        assert float(rows[student]["score"]) == pytest.approx(sum(spec["expected"].values()) + manual)
        assert float(rows[student]["max_score"]) == 16 + RATIONALE_POINTS


def test_generate_strips_widget_state_and_execution_metadata(tmp_path):
    """Guard: does the release lose saved widget state, outputs and execution metadata that a
    solution notebook carries (nbgrader keeps them, trap 5)?"""
    course = copy_course(tmp_path / "course")
    source = course.solutions / EXERCISE / f"{EXERCISE}.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": {}}}}
    for cell in nb.cells:
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-30T10:00:00Z"}
        if cell.cell_type == "code":
            cell.execution_count = 3
            cell.outputs = [nbformat.v4.new_output("stream", text="left over\n")]
    nbformat.write(nb, source)
    run_nbgrader(course, "generate_assignment", EXERCISE, "--force")
    released = json.loads((course.exercises / EXERCISE / f"{EXERCISE}.ipynb").read_text())
    assert "widgets" not in released["metadata"]
    assert all("execution" not in c["metadata"] for c in released["cells"])
    assert all(not c.get("outputs") and not c.get("execution_count") for c in released["cells"]
               if c["cell_type"] == "code")
    assert not (course.exercises / EXERCISE / "key.yaml").exists()


def test_stray_answers_in_solutions_block_the_build(tmp_path):
    """Does `bshtrain build` refuse, changing nothing, if answers were saved in solutions/?"""
    from bshtrain.instructor.course import CourseError, build_exercises

    course = copy_course(tmp_path / "course")
    stray = course.solutions / EXERCISE / "answers" / f"{EXERCISE}.json"
    stray.parent.mkdir()
    stray.write_text("{}")
    before = (course.exercises / EXERCISE / f"{EXERCISE}.ipynb").read_text()
    with pytest.raises(CourseError, match="answers saved inside solutions/"):
        build_exercises(course, log=lambda _m: None)
    assert stray.read_text() == "{}"
    assert (course.exercises / EXERCISE / f"{EXERCISE}.ipynb").read_text() == before
    shutil.rmtree(stray.parent)


def test_formgrader_generate_and_feedback_leave_the_key_out(graded):
    """Through nbgrader's own API, as the formgrader's Generate and Feedback buttons call it:
    is the key kept out of exercises/ and feedback/ (they bypass the command-line ignore lists)?"""
    import subprocess
    import sys

    code = (
        "from traitlets.config import Config\n"
        "from nbgrader.apps import NbGraderAPI\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "cfg = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "api = NbGraderAPI(CourseDirectory(config=cfg), config=cfg)\n"
        "r = api.generate_assignment('plan', force=True); assert r['success'], r\n"
        "student = sorted(api.get_submitted_students('plan'))[0]\n"
        "r = api.generate_feedback('plan', student, force=True); assert r['success'], r\n"
    )
    from bshtrain.instructor.course import nbgrader_env

    subprocess.run([sys.executable, "-c", code], cwd=graded.root, env=nbgrader_env(), check=True,
                   capture_output=True, text=True)
    assert not (graded.exercises / EXERCISE / "key.yaml").exists()
    assert list((graded.root / "feedback").rglob("key.yaml")) == []
