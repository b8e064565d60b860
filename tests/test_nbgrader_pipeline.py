"""The real nbgrader pipeline on a temporary copy of the course: generate, validate,
autograde fixture submissions, manual grades, feedback and export."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

from .conftest import FIXTURES, ROOT
from .nbgrader_course import cell_scores, copy_course, outputs_text, place_submission, run_nbgrader

pytestmark = pytest.mark.nbgrader

EXERCISE = "plan"
SUBMISSIONS = FIXTURES / "submissions" / EXERCISE
EXPECTED = yaml.safe_load((SUBMISSIONS / "expected.yaml").read_text())
KEY_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "MODEL_PLANS",
               "TASK_KEY", "TARGET_KEY")
RATIONALE = "Tomás, last week you fixed the tap and felt a little more yourself afterwards."


def _submission_notebook(release: Path, spec: dict) -> nbformat.NotebookNode:
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "rationale_script" and spec.get("rationale"):
            cell.source = RATIONALE
        if grade_id in spec.get("edit_locked", {}):
            cell.source = spec["edit_locked"][grade_id]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course copy with the release rebuilt and every fixture submission graded."""
    course = copy_course(tmp_path_factory.mktemp("nbgrader") / "course")
    run_nbgrader(course, "generate_assignment", EXERCISE, "--force")
    release = course.exercises / EXERCISE / f"{EXERCISE}.ipynb"
    for student, spec in EXPECTED.items():
        if "answers_text" in spec:
            text = spec["answers_text"]
        elif spec["answers"]:
            text = (SUBMISSIONS / spec["answers"]).read_text(encoding="utf-8")
        else:
            text = None
        place_submission(course, student, EXERCISE, _submission_notebook(release, spec), text)
    run_nbgrader(course, "autograde", EXERCISE, "--force")
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for student, spec in EXPECTED.items():
            if spec.get("rationale"):
                grade = gb.find_grade("rationale_script", EXERCISE, EXERCISE, student)
                grade.manual_score = spec["rationale"]
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
    committed_files = sorted(p.relative_to(ROOT / "exercises")
                             for p in (ROOT / "exercises").rglob("*"))
    assert fresh_files == committed_files


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").rglob("*.ipynb")), ids=str)
def test_release_holds_no_key_and_no_state(path):
    """Does a trainee notebook hold no hidden test, solution, outputs or widget state?"""
    text = path.read_text()
    assert [m for m in KEY_MARKERS if m in text] == []
    nb = json.loads(text)
    assert "widgets" not in nb["metadata"]
    for cell in nb["cells"]:
        assert not cell.get("outputs") and not cell.get("execution_count")
        assert "execution" not in cell["metadata"]


def test_no_answers_files_in_source_or_release():
    """Are there no answers folders under solutions/ or exercises/ (trap 1)?"""
    found = [p for folder in ("solutions", "exercises") for p in (ROOT / folder).rglob("answers")]
    assert found == []


def test_installed_library_holds_no_key():
    """Does the bshtrain package itself hold none of the exercises' answer keys?"""
    package = ROOT / "bshtrain"
    text = "".join(p.read_text(errors="replace") for p in package.rglob("*") if p.is_file()
                   and p.suffix in {".py", ".yaml", ".json", ".txt"})
    assert [m for m in KEY_MARKERS[3:] if m in text] == []


def test_solution_validates(graded):
    """Does `nbgrader validate` pass on the solution notebook (hidden tests included)?"""
    proc = run_nbgrader(graded, "validate", f"solutions/{EXERCISE}/{EXERCISE}.ipynb")
    assert "Success! Your notebook passes all the tests." in proc.stdout + proc.stderr
    assert not (graded.solutions / EXERCISE / "answers").exists()


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_fixture_scores_exactly(graded, student):
    """Does each fixture submission score exactly what its name and the rubric say?"""
    scores = cell_scores(graded, EXERCISE)[student]
    expected = {cell: float(v) for cell, v in EXPECTED[student]["scores"].items()}
    assert scores == expected


@pytest.mark.parametrize("student", sorted(s for s in EXPECTED if "message" in EXPECTED[s]))
def test_autograded_notebook_explains_the_score(graded, student):
    """Does the autograded notebook say, in the trainee's words, why points were lost?"""
    nb = graded.root / "autograded" / student / EXERCISE / f"{EXERCISE}.ipynb"
    shown = "\n".join(outputs_text(nb, cell) for cell in ("rubric_score", "task_choice"))
    assert EXPECTED[student]["message"] in shown


def test_corrupt_answers_file_left_untouched(graded):
    """Is a corrupt answers file graded 0 but left exactly as submitted (nothing renamed)?"""
    folder = graded.root / "autograded" / "corrupt_answers_file" / EXERCISE / "answers"
    assert sorted(p.name for p in folder.iterdir()) == ["plan.json"]
    assert (folder / "plan.json").read_text() == EXPECTED["corrupt_answers_file"]["answers_text"]


def test_feedback_explains_without_hidden_tests(graded):
    """Does feedback show the rubric's explanation but no hidden-test source or key?"""
    pages = sorted((graded.root / "feedback").rglob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        html = page.read_text()
        assert [m for m in KEY_MARKERS if m in html] == [], page
    half = (graded.root / "feedback" / "half_right_li" / EXERCISE / f"{EXERCISE}.html").read_text()
    assert "Plan rubric: 6 of 10 points" in half
    assert "The plan does not say when or where." in half
    assert "Sources:" in half and "Tompkins, M. A. (2002)" in half  # full references, not keys


def test_exported_grades_match(graded):
    """Does the exported CSV hold each trainee's exact total out of 20?"""
    with open(graded.root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    for student, spec in EXPECTED.items():
        assert float(rows[student]["score"]) == sum(spec["scores"].values()), student
        assert float(rows[student]["max_score"]) == 20.0


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
