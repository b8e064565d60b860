"""Grading a cohort with `bshtrain grade`, `feedback`, `export` and `report` (design 7, issue 12).

A small cohort (tests/fixtures/cohort/cohort.yaml) holds one submission of every kind the
commands must handle: full, partial, harmful and junk plans, an answers file with a byte-order
mark, and each problem (no answers file, an unreadable one, one in the wrong place, answers for
another case, no notebook, a duplicated cell, a notebook nbgrader cannot read). The same
submissions are graded by `bshtrain grade` and by one plain `nbgrader autograde`; expected
points come from the pure scorer and the key.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

from bshtrain.content.cases import get_case
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import read_key
from bshtrain.instructor import checks
from bshtrain.instructor.course import Course
from bshtrain.instructor.report import point_biserial, write_report
from bshtrain.skills.plan.model import PlanAnswers
from bshtrain.skills.plan.scorer import MAX_POINTS
from bshtrain.skills.plan.spec import POOL, SPEC

from .conftest import FIXTURES, ROOT
from .nbgrader_course import cell_scores, copy_course, run_nbgrader
from .plan_plans import fixtures, harmful_plans, junk_plan, model_plan

EXERCISE = "plan"
COHORT = FIXTURES / "cohort"
MANIFEST = yaml.safe_load((COHORT / "cohort.yaml").read_text(encoding="utf-8"))["submissions"]
KEY = read_key(ROOT / "solutions" / EXERCISE / "key.yaml")[0]
ZERO = dict.fromkeys(MAX_POINTS, 0.0)
HAND_GRADED = "bom"  # whose rationale the instructor grades by hand (6 of 8) after autograde


def student_for(case_id: str, name: str) -> str:
    n = 0
    while case_for(f"{name}-{n}", POOL) != case_id:
        n += 1
    return f"{name}-{n}"


STUDENTS = {student_for(item["case"], item["name"]): item for item in MANIFEST}
BY_NAME = {item["name"]: student for student, item in STUDENTS.items()}


def plan_for(item: dict) -> tuple[str, PlanAnswers] | None:
    """(case the file claims, plan) for a manifest entry; None for no or corrupt answers."""
    case_id, kind = item["case"], item["answers"]
    if kind == "model":
        return case_id, model_plan(case_id)
    if kind == "defensible":
        return case_id, PlanAnswers(**fixtures(case_id)["defensible"][0]["answers"])
    if kind == "harmful":
        return case_id, next(p for c, _n, p in harmful_plans() if c == case_id)
    if kind == "junk":
        return case_id, junk_plan(case_id)
    if kind == "another-case":
        other = next(c for c in POOL if c != case_id)
        return other, model_plan(other)
    return None


def answers_bytes(item: dict) -> bytes | None:
    if item["answers"] == "corrupt":
        return (COHORT / "corrupt-plan.json").read_bytes()
    found = plan_for(item)
    if found is None:
        return None
    case_id, plan = found
    text = json.dumps({"exercise": EXERCISE, "schema_version": 1, "case": case_id, "trainee": "",
                       "answers": plan.model_dump(mode="json")}, ensure_ascii=False)
    return (b"\xef\xbb\xbf" if item.get("bom") else b"") + text.encode("utf-8")


def expected_points(item: dict) -> dict[str, float]:
    """What each automatic criterion must score: the scorer's points for a usable answers file
    of the student's own case in the right place, with a notebook; else 0."""
    found = plan_for(item)
    usable = (found is not None and found[0] == item["case"] and item.get("where", "answers") ==
              "answers" and item.get("notebook", "release") != "none")
    if not usable:
        return dict(ZERO)
    scored = SPEC.score(found[1], get_case(item["case"]), KEY)
    return {cid: scored.points(cid) for cid in MAX_POINTS}


def notebook_for(release: Path, kind: str) -> str | None:
    if kind == "none":
        return None
    if kind == "broken":
        return '{"cells": [ this is not a notebook'
    nb = nbformat.read(release, as_version=4)
    if kind == "duplicate-task":
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "task":
                cells.append(nbformat.from_dict(json.loads(json.dumps(cell))))
        nb.cells = cells
    with warnings.catch_warnings():  # nbformat renames the copy's cell id, as Lab's paste does
        warnings.simplefilter("ignore")
        return nbformat.writes(nb)


def place(course: Course, student: str, item: dict) -> None:
    folder = course.root / "submitted" / student / EXERCISE
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
    text = notebook_for(course.exercises / EXERCISE / f"{EXERCISE}.ipynb",
                        item.get("notebook", "release"))
    if text is not None:
        (folder / f"{EXERCISE}.ipynb").write_text(text, encoding="utf-8")
    data = answers_bytes(item)
    if data is None:
        return
    target = folder / "answers" / f"{EXERCISE}.json"
    if item.get("where") == "beside":
        target = folder / f"{EXERCISE}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(data)


def bshtrain(course: Course, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bshtrain.instructor.cli", *args,
                           "--course", str(course.root)], cwd=course.root, capture_output=True,
                          text=True, check=False, timeout=900)


@dataclass
class Run:
    course: Course
    plain: Course
    proc: subprocess.CompletedProcess
    plain_proc: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    """The cohort graded twice from the same state: by `bshtrain grade` (two workers) and by
    one plain `nbgrader autograde --force`; then one rationale graded by hand."""
    base = tmp_path_factory.mktemp("cohort")
    course = copy_course(base / "course")
    run_nbgrader(course, "generate_assignment", EXERCISE, "--force")
    for student, item in STUDENTS.items():
        place(course, student, item)
    plain = Course(base / "plain")
    shutil.copytree(course.root, plain.root)
    proc = bshtrain(course, "grade", EXERCISE, "--workers", "2", "--no-progress")
    plain_proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", EXERCISE, "--force"],
                                cwd=plain.root, capture_output=True, text=True, check=False,
                                env={**os.environ, "PATH": f"{Path(sys.executable).parent}"
                                                           f"{os.pathsep}{os.environ['PATH']}"})
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        grade = gb.find_grade("rationale", EXERCISE, EXERCISE, BY_NAME[HAND_GRADED])
        grade.manual_score = 6
        gb.db.commit()
    return Run(course, plain, proc, plain_proc)


# --- bshtrain grade ----------------------------------------------------------------------------
@pytest.mark.nbgrader
@pytest.mark.parametrize("student", sorted(s for s, i in STUDENTS.items()
                                           if i.get("problem") != "grading failed"))
def test_grade_gives_expected_points_like_plain_nbgrader(run, student):
    """Does `bshtrain grade` give each submission exactly the scorer's points, the same as one
    plain `nbgrader autograde` of the same submissions (which skips a submission with no
    notebook, where bshtrain records 0)?"""
    ours = cell_scores(run.course, EXERCISE)[student]
    assert {c: ours[c] for c in MAX_POINTS} == expected_points(STUDENTS[student])
    plain = cell_scores(run.plain, EXERCISE)
    if STUDENTS[student].get("notebook") == "none":
        assert student not in plain
    else:
        assert {c: plain[student][c] for c in MAX_POINTS} == {c: ours[c] for c in MAX_POINTS}


@pytest.mark.nbgrader
def test_grade_lists_each_problem_with_its_reason(run):
    """Does the end table list every submission that needs a look, with its reason in words,
    and no submission without a problem (other than free text still to grade by hand)?"""
    out = run.proc.stdout
    listed = out.split("Needs a look:", 1)[1]
    for student, item in STUDENTS.items():
        problem = item.get("problem")
        lines = [line for line in listed.splitlines() if line.startswith(f"  {student} ")]
        if problem:
            assert lines, f"{student} ({problem}) is not listed:\n{out}"
            block = listed.split(f"  {student} ", 1)[1].split("\n  ", 1)[0]
            assert problem in block, (student, block)
        else:
            assert not lines, (student, lines)
    text = " ".join(out.split())
    assert "submitted/" + BY_NAME["beside"] + "/plan/plan.json" in text  # where the stray file is
    assert "kept exactly as submitted" in text  # where the unreadable file was kept
    assert "holds answers for the case" in text
    assert "appears 2 times" in text
    assert re.search(r"Free text not yet graded by hand \(rationale\) in \d+ submission", text)


@pytest.mark.nbgrader
def test_grade_counts_and_exit_status(run):
    """Does the table count graded, full, partial and zero submissions, and does the command
    exit 1 because submissions need a look (while plain nbgrader also failed on the broken
    notebook but graded the rest)?"""
    assert run.proc.returncode == 1, run.proc.stdout + run.proc.stderr
    counts = dict(re.findall(r"^  (graded|full|partial|zero)\s+(\d+)", run.proc.stdout, re.M))
    usable = [s for s, i in STUDENTS.items() if i.get("problem") != "grading failed"]
    bands = [sum(expected_points(STUDENTS[s]).values()) for s in usable]
    assert int(counts["graded"]) == len(usable)
    assert int(counts["full"]) == sum(b == 16 for b in bands)
    assert int(counts["zero"]) == sum(b == 0 for b in bands)
    assert int(counts["partial"]) == len(bands) - int(counts["full"]) - int(counts["zero"])
    assert "no locking errors" in run.proc.stdout
    assert "There was an error processing" not in run.proc.stdout  # nbgrader's noise: in the log
    log = run.course.root / "autograded" / "bshtrain-grade-plan.log"
    assert "There was an error processing" in log.read_text()
    assert run.plain_proc.returncode != 0  # the broken notebook: nbgrader reports, graded others


@pytest.mark.nbgrader
def test_grade_exits_0_when_nothing_needs_a_look(run, tmp_path):
    """Once a clean submission's free text is graded by hand, does grading it again (forced:
    the hand grade is kept) exit 0 and say nothing needs a look?"""
    course = Course(tmp_path / "again")
    shutil.copytree(run.course.root, course.root)
    student = BY_NAME["full"]
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        gb.find_grade("rationale", EXERCISE, EXERCISE, student).manual_score = 7
        gb.db.commit()
    proc = bshtrain(course, "grade", EXERCISE, "--students", student, "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Nothing needs a look." in proc.stdout
    assert cell_scores(course, EXERCISE)[student]["rationale"] == 7


@pytest.mark.nbgrader
def test_bom_answers_file_is_read(run):
    """Is an answers file that starts with a UTF-8 byte-order mark graded like any other?"""
    student = BY_NAME["bom"]
    assert sum(cell_scores(run.course, EXERCISE)[student][c] for c in MAX_POINTS) == 16
    assert student not in run.proc.stdout.split("Needs a look:", 1)[1].split("Free text")[0]


# --- bshtrain export ---------------------------------------------------------------------------
@pytest.mark.nbgrader
def test_export_one_row_per_trainee_with_criteria_and_flag(run):
    """Does the CSV hold one row per trainee, each criterion's points, the total, and a flag
    for free text not yet graded by hand; and is the DataFrame the same?"""
    from bshtrain.instructor.export import grades_frame

    out = run.course.root / "grades.csv"
    proc = bshtrain(run.course, "export", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    scores = cell_scores(run.course, EXERCISE)
    assert set(rows) == set(scores)
    for student, cells in scores.items():
        row = rows[student]
        for cid in [*MAX_POINTS, "rationale"]:
            assert float(row[f"plan_{cid}"]) == pytest.approx(cells[cid] or 0), (student, cid)
        assert float(row["plan_total"]) == pytest.approx(sum(v or 0 for v in cells.values()))
        assert float(row["plan_max"]) == 24
    assert rows[BY_NAME[HAND_GRADED]]["plan_ungraded_by_hand"] == "0"
    assert rows[BY_NAME["full"]]["plan_ungraded_by_hand"] == "1"
    assert rows[BY_NAME["full"]]["plan_ungraded_parts"] == "rationale"
    assert rows[BY_NAME["no-answers"]]["plan_ungraded_by_hand"] == "0"  # nothing to grade
    frame = grades_frame(run.course)
    assert len(frame) == len(rows)
    assert list(frame.columns) == list(next(iter(rows.values())).keys())


# --- bshtrain report ---------------------------------------------------------------------------
@pytest.mark.nbgrader
def test_report_is_self_contained_and_adds_up(run):
    """Is the report one HTML file with its plots inline (no address to fetch), listing the
    problem submissions, with per-criterion totals recomputed from the answers files equal to
    the gradebook's?"""
    out = run.course.root / "report.html"
    proc = bshtrain(run.course, "report", EXERCISE, "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = out.read_text()
    assert page.count("src='data:image/png;base64,") >= 2
    assert not re.search(r"""(src|href)=['"]?(https?:)?//""", page)
    assert "<script" not in page
    section = page.split("Submissions that need a look", 1)[1].split("<h2>", 1)[0]
    for student, item in STUDENTS.items():
        if item.get("problem") and item["problem"] != "grading failed":
            assert student in section and item["problem"] in section, student
    assert "point-biserial" in page
    result = write_report(run.course, EXERCISE, run.course.root / "again.html")
    scores = cell_scores(run.course, EXERCISE)
    for cid in [*MAX_POINTS, "rationale"]:
        book, recomputed = result.criterion_totals[cid]
        assert book == pytest.approx(sum(s[cid] or 0 for s in scores.values()))
        assert recomputed == pytest.approx(book), cid
    assert result.mismatches == []
    assert "equal the gradebook" in page


@pytest.mark.nbgrader
def test_report_says_where_totals_differ(run, tmp_path):
    """Guard: when a score in the gradebook no longer matches the answers file (changed by
    hand), does the report name the trainee and criterion?"""
    course = Course(tmp_path / "changed")
    shutil.copytree(run.course.root, course.root)
    student = BY_NAME["partial"]
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        gb.find_grade("task", EXERCISE, EXERCISE, student).manual_score = 0.5
        gb.db.commit()
    result = write_report(course, EXERCISE, course.root / "report.html")
    assert any(m.startswith(f"{student}, task:") for m in result.mismatches)
    assert result.criterion_totals["task"][0] != result.criterion_totals["task"][1]
    assert "They differ in" in (course.root / "report.html").read_text()


# --- bshtrain feedback -------------------------------------------------------------------------
@pytest.mark.nbgrader
def test_feedback_shows_own_case_and_what_went_wrong(run):
    """Does feedback for a trainee without usable answers show their own case and say what
    went wrong, give a trainee without a notebook a page too, and hold no key?"""
    proc = bshtrain(run.course, "feedback", EXERCISE, "--no-release", "--workers", "2",
                    "--no-progress")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the broken notebook: no feedback
    root = run.course.root / "feedback"
    for name, said in [("no-answers", "no answers file"), ("beside", "not as answers/plan.json"),
                       ("corrupt", "could not be read"), ("other-case", "another client"),
                       ("no-notebook", "did not include the notebook")]:
        student = BY_NAME[name]
        page = (root / student / EXERCISE / f"{EXERCISE}.html").read_text()
        assert get_case(STUDENTS[student]["case"]).name in page, name
        assert said in page, name
        assert "bshtrain-grading-note" in page
    clean = (root / BY_NAME["full"] / EXERCISE / f"{EXERCISE}.html").read_text()
    assert "bshtrain-grading-note" not in clean and "THE PLAN" in clean
    assert list(root.rglob("key.yaml")) == []
    assert BY_NAME["broken"] in proc.stdout


# --- pieces, without nbgrader ------------------------------------------------------------------
def test_check_submission_names_each_problem(tmp_path):
    """Does reading a submission as the grader does give the right kind of problem for each
    fixture (and none for a clean one)?"""
    course = Course(tmp_path)
    release = ROOT / "exercises" / EXERCISE / f"{EXERCISE}.ipynb"
    (tmp_path / "exercises" / EXERCISE).mkdir(parents=True)
    shutil.copy2(release, tmp_path / "exercises" / EXERCISE / f"{EXERCISE}.ipynb")
    for student, item in STUDENTS.items():
        place(course, student, item)
        found = checks.check_submission(tmp_path, EXERCISE, student)
        kinds = [p.kind for p in found]
        problem = item.get("problem")
        if problem in (None, "grading failed"):
            assert kinds == [], (student, found)
        else:
            assert problem in kinds, (student, found)
            assert all(p.trainee for p in found)


def test_point_biserial_is_pearson():
    """Is the discrimination index the Pearson correlation of a 0/1 choice with the total?"""
    import pandas as pd

    chosen = [1, 1, 0, 0, 1, 0, 1]
    totals = [14.0, 12.5, 3.0, 6.0, 16.0, 2.0, 9.0]
    assert point_biserial(chosen, totals) == pytest.approx(pd.Series(chosen).corr(pd.Series(totals)))
    assert point_biserial([1, 1, 1], [1.0, 2.0, 3.0]) is None


def test_grade_stops_on_a_config_that_does_not_load(tmp_path):
    """Guard (trap 3): does `bshtrain grade` refuse to grade, exit 2 and say why, when
    nbgrader_config.py raises (nbgrader itself would only log it and grade with defaults)?"""
    course = copy_course(tmp_path / "course")
    with open(course.root / "nbgrader_config.py", "a") as fh:
        fh.write("\nraise RuntimeError('broken on purpose')\n")
    place(course, BY_NAME["full"], STUDENTS[BY_NAME["full"]])
    proc = bshtrain(course, "grade", EXERCISE, "--no-progress")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "nbgrader_config.py failed to load" in proc.stderr
    assert not (course.root / "autograded").exists()
