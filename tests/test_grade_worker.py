"""`bshtrain grade`'s worker processes (issue 12): each notebook in a kernel of its own,
started ahead while the previous notebook runs, yet in the folder, search path and
environment a kernel started for it would have; nbgrader's gradebook and metadata checks
done once per process where nbgrader repeats them, with the same results. (Scores against
one `nbgrader autograde` are checked in tests/test_cohort.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bshtrain.engine.identity import STUDENT_ENV
from bshtrain.instructor import worker
from bshtrain.instructor.course import nbgrader_env

PROBE = ("import json, os, sys\n"
         "print(json.dumps({'cwd': os.getcwd(), 'path': sys.path, 'pid': os.getpid(),\n"
         "                  'student': os.environ.get('BSHTRAIN_STUDENT'),\n"
         "                  'marker': os.environ.get('BSHTRAIN_TEST_MARKER'),\n"
         "                  'left_over': 'secret' in globals() or '_bshtrain_move_in' in globals()}))\n"
         "secret = 'set by this notebook'")


def _run(folder: Path, student: str) -> dict:
    """Execute the probe notebook in `folder` for `student`, as a worker would."""
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    os.environ[STUDENT_ENV] = student
    worker.AheadExecute(timeout=120, startup_timeout=60).preprocess(
        nb, {"metadata": {"path": str(folder)}})
    return json.loads(nb.cells[0].outputs[0]["text"])


@pytest.fixture
def ahead(monkeypatch):
    """The worker's kernel started ahead, stopped after the test."""
    monkeypatch.setenv(STUDENT_ENV, "")
    monkeypatch.setenv("BSHTRAIN_TEST_MARKER", "worker environment")
    yield worker._AHEAD
    worker._AHEAD.stop()


def test_each_notebook_gets_a_fresh_kernel_started_ahead(tmp_path, ahead):
    """Does the second notebook run in the kernel started while the first ran (a new process,
    nothing of the first notebook in it), in its own folder, with its own student id and
    the same module search path as the first notebook's kernel, started for it?"""
    first = _run(tmp_path / "ana" / "plan", "ana")
    started_ahead = ahead.km.provisioner.pid
    second = _run(tmp_path / "bo" / "plan", "bo")
    assert second["pid"] == started_ahead != first["pid"]
    assert second["path"] == first["path"]
    for found, name in ((first, "ana"), (second, "bo")):
        folder = os.path.realpath(tmp_path / name / "plan")
        assert (found["cwd"], found["student"]) == (folder, name)
        assert found["marker"] == "worker environment" and not found["left_over"]


def test_move_in_code_sets_folder_path_and_environment(tmp_path):
    """Does the move-in code change the working folder, the search path's entry for the
    start folder and exactly the environment variables that differ, leaving no name?"""
    start, folder = tmp_path / "start", tmp_path / "folder"
    start.mkdir()
    folder.mkdir(parents=True)
    code = worker.move_in_code(str(folder), {"KEEP": "1", "GONE": "2", "CHANGE": "a"},
                               {"KEEP": "1", "CHANGE": "b", "NEW": "3"})
    check = (f"import os, sys\nbefore = set(globals())\nexec({code!r})\n"
             "print(os.getcwd(), sys.path[0], os.environ.get('GONE'), os.environ['CHANGE'],\n"
             "      os.environ['NEW'], os.environ['KEEP'], sorted(set(globals()) - before))")
    env = {"KEEP": "1", "GONE": "2", "CHANGE": "a", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(start)!r})\n"
                          + check], cwd=start, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    real = os.path.realpath(folder)
    assert out == [real, real, "None", "b", "3", "1", "['before']"]


def test_stopping_leaves_no_kernel_behind(tmp_path, ahead):
    """Is the kernel started ahead for a next notebook that never came stopped with the
    worker (no kernel process left running)?"""
    _run(tmp_path / "ana" / "plan", "ana")
    pid = ahead.km.provisioner.pid
    ahead.stop()
    assert ahead.km is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


WORKER_PATCHES = """
import json, sys
import jsonschema
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from bshtrain.instructor import worker

cell = {"cell_type": "code", "source": "", "metadata": {"nbgrader": {
    "schema_version": 3, "grade": True, "solution": False, "locked": True, "points": "x",
    "grade_id": "a", "task": False}}}

def verdict():
    from nbformat import from_dict
    try:
        MetadataValidator().validate_cell(from_dict(cell))
    except jsonschema.ValidationError as exc:
        return exc.message
    return "valid"

before = verdict()
worker._one_engine_per_gradebook()
worker._check_schema_once()
url = "sqlite:///" + sys.argv[1]
with Gradebook(url) as one:
    first = one.engine
with Gradebook(url) as two:
    two.add_student("ana")
    same = two.engine is first
with Gradebook(url) as three:
    students = [s.id for s in three.students]
print(json.dumps({"before": before, "after": verdict(), "same": same, "students": students}))
"""


def test_gradebook_and_metadata_checks_do_the_same_once(tmp_path):
    """In a worker, do gradebook openings share one engine and still read and write, and is
    a bad cell's metadata refused with the same message as nbgrader's own check gives?"""
    out = subprocess.run([sys.executable, "-c", WORKER_PATCHES, str(tmp_path / "gb.db")],
                         cwd=tmp_path, env=nbgrader_env(), capture_output=True, text=True,
                         check=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["before"] == found["after"] != "valid"
    assert found["same"] and found["students"] == ["ana"]
