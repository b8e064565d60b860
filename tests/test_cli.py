"""The `bshtrain` command: exit codes and messages an instructor can act on."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

import bshtrain
import bshtrain.content.validate as validate_module
import bshtrain.instructor.course as course_module
from bshtrain.content.loading import DataFileError, Problem
from bshtrain.instructor.cli import main
from bshtrain.instructor.course import CourseError, build_exercises, find_course

from .conftest import DATA, FIXTURES

BROKEN = FIXTURES / "broken"


def test_validate_shipped_data_passes(capsys, monkeypatch):
    """Does `bshtrain validate` pass on the shipped files and say what it checked?"""
    monkeypatch.delenv("BSHTRAIN_CONTENT", raising=False)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("checked ") and out.rstrip().endswith("0 problem(s)")


def test_validate_reports_every_broken_file(capsys, monkeypatch):
    """Does validate print each problem (one file per kind of error) with file, field and line,
    exactly as expected, and exit non-zero?"""
    monkeypatch.delenv("BSHTRAIN_CONTENT", raising=False)
    assert main(["validate", str(BROKEN)]) == 1
    out = capsys.readouterr().out.splitlines()
    expected = (BROKEN / "expected.txt").read_text().splitlines()
    package = str(Path(bshtrain.__file__).parent)
    assert out[:-1] == [line.format(broken=BROKEN, package=package) for line in expected]
    assert out[-1].endswith(f"{len(expected)} problem(s)")


def test_author_folder_is_loaded_from_the_environment(tmp_path, monkeypatch):
    """Does a good case in $BSHTRAIN_CONTENT join the library and validate cleanly?"""
    (tmp_path / "cases").mkdir()
    text = (DATA / "case-x.yaml").read_text().replace("schedule-one-activity",
                                                       "activity-scheduling-valued")
    (tmp_path / "cases" / "case-x.yaml").write_text(text)
    monkeypatch.setenv("BSHTRAIN_CONTENT", str(tmp_path))
    assert main(["validate"]) == 0
    from bshtrain.content.cases import load_cases

    assert "case-x" in load_cases()


def test_build_outside_a_course_explains(tmp_path, capsys, monkeypatch):
    """Does `bshtrain build` outside a course exit 2 with a message saying why?"""
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    assert "no course found" in capsys.readouterr().err


def test_cases_and_tasks_listing(capsys, monkeypatch):
    """Do `bshtrain cases` and `bshtrain tasks` list the library, filtered, as CSV or a table?"""
    monkeypatch.delenv("BSHTRAIN_CONTENT", raising=False)
    assert main(["cases", "--problem", "ptsd", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,name,age,problem,approach")
    assert [line.split(",")[0] for line in lines[1:]] == ["samir"]
    assert main(["tasks", "--approach", "act"]) == 0
    out = capsys.readouterr().out
    assert "act-committed-action" in out and out.rstrip().endswith("row(s)")
    assert main(["cases", "--approach", "hypnosis"]) == 2
    assert "unknown approach 'hypnosis'" in capsys.readouterr().err


def test_case_card_in_the_terminal(capsys):
    """Does `bshtrain case ID` print the plain-text card, and name the known ids on a typo?"""
    assert main(["case", "samir"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Samir, 41 (he/him) - fictional case")
    assert "Interpreter:" in out and "Risk:" in out
    assert main(["case", "samirr"]) == 2
    assert "no case with id 'samirr'; known: amara, dani" in capsys.readouterr().err


# --- issue 9: build keeps trainees' answers -------------------------------------------------

def _course_with_answers(tmp_path: Path) -> Path:
    (tmp_path / "nbgrader_config.py").write_text("")
    (tmp_path / "solutions" / "plan").mkdir(parents=True)
    (tmp_path / "solutions" / "plan" / "plan.ipynb").write_text("{}")
    answers = tmp_path / "exercises" / "plan" / "answers"
    answers.mkdir(parents=True)
    (answers / "plan.json").write_text('{"rationale": "mine"}')
    (answers / "plan.json.unreadable-20250101-000000").write_text("{oops")
    (answers / ".plan.json.lock").write_text("")
    return tmp_path


def test_build_refuses_while_answers_are_in_the_release_folder(tmp_path, capsys, monkeypatch):
    """Does `bshtrain build` refuse (nbgrader --force would delete exercises/<ex>/answers/),
    naming every answers file and running nothing, until told --discard-answers?"""
    root = _course_with_answers(tmp_path)
    runs: list[tuple] = []
    monkeypatch.setattr(course_module, "run_nbgrader", lambda _course, *args: runs.append(args))
    assert main(["build", "--course", str(root)]) == 2
    err = capsys.readouterr().err
    assert "building would delete 2 answers file(s) in exercises/:" in err
    assert "exercises/plan/answers/plan.json\n" in err
    assert "exercises/plan/answers/plan.json.unreadable-20250101-000000\n" in err
    assert "--discard-answers" in err and ".lock" not in err
    assert runs == []
    kept = root / "exercises" / "plan" / "answers" / "plan.json"
    assert kept.read_text() == '{"rationale": "mine"}'
    assert main(["build", "--course", str(root), "--discard-answers"]) == 0
    assert runs == [("generate_assignment", "plan", "--force")]


def test_build_exercises_keyword_discard_answers(tmp_path, monkeypatch):
    """Does build_exercises refuse with CourseError, and build with discard_answers=True?"""
    course = find_course(_course_with_answers(tmp_path))
    monkeypatch.setattr(course_module, "run_nbgrader", lambda *_args: None)
    with pytest.raises(CourseError, match=r"plan\.json"):
        build_exercises(course, log=lambda _msg: None)
    assert build_exercises(course, log=lambda _msg: None, discard_answers=True) == ["plan"]


# --- issue 9: validate reports what would break the notebooks --------------------------------

def test_validate_reports_a_missing_content_folder(tmp_path, capsys, monkeypatch):
    """Does a BSHTRAIN_CONTENT naming a folder that does not exist (which breaks every
    notebook) fail validate, once, naming the folder?"""
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv("BSHTRAIN_CONTENT", str(missing))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{missing}: named in BSHTRAIN_CONTENT, but there is no such folder"
    assert out[-1].endswith(": 1 problem(s)")


def test_validate_reports_content_folder_that_is_a_file(tmp_path, capsys, monkeypatch):
    """Is a BSHTRAIN_CONTENT naming a file, not a folder, a problem?"""
    (tmp_path / "content").write_text("")
    monkeypatch.setenv("BSHTRAIN_CONTENT", str(tmp_path / "content"))
    assert main(["validate"]) == 1
    assert "content: named in BSHTRAIN_CONTENT, but it is a file" in capsys.readouterr().out


def test_validate_reports_an_author_cases_file(tmp_path, capsys, monkeypatch):
    """Is an author folder whose `cases` is a file (not a folder) a problem in validate, from
    the environment and when named? (A file, as root may read any folder.)"""
    (tmp_path / "cases").write_text("")
    (tmp_path / "tasks").mkdir()
    monkeypatch.setenv("BSHTRAIN_CONTENT", str(tmp_path))
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{tmp_path / 'cases'}: expected a folder, found a file")
    monkeypatch.delenv("BSHTRAIN_CONTENT")
    assert main(["validate", str(tmp_path)]) == 1
    assert f"{tmp_path / 'cases'}: expected a folder, found a file" in capsys.readouterr().out


def test_validate_reports_whatever_breaks_the_library(capsys, monkeypatch):
    """Whatever else would stop the notebooks loading the library is reported by validate."""
    def broken(**_kwargs):
        raise DataFileError([Problem("somewhere.yaml", "id", "breaks the library", 3)])

    monkeypatch.delenv("BSHTRAIN_CONTENT", raising=False)
    monkeypatch.setattr(validate_module, "load_cases", broken)
    assert main(["validate"]) == 1
    assert "somewhere.yaml, line 3, field 'id': breaks the library" in capsys.readouterr().out


# --- issue 9: unwritable standard output ----------------------------------------------------

class _FailingOutput:
    def __init__(self, error: OSError):
        self.error = error

    def write(self, _text):
        raise self.error

    def flush(self):
        raise self.error


def test_full_stdout_gives_one_line_and_nonzero(capsys, monkeypatch):
    """With standard output on a full disk, is there one line on stderr and exit 1, no
    traceback?"""
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(sys, "stdout", _FailingOutput(full))
    assert main(["tasks"]) == 1
    assert capsys.readouterr().err == "bshtrain: cannot write the output: No space left on device\n"


def test_closed_pipe_exits_quietly(capsys, monkeypatch):
    """With the reader gone (`| head -1`), does the command stop quietly, non-zero?"""
    monkeypatch.setattr(sys, "stdout", _FailingOutput(BrokenPipeError(32, "Broken pipe")))
    assert main(["cases"]) == 141
    assert capsys.readouterr().err == ""


def test_dev_full_from_the_shell():
    """`bshtrain cases > /dev/full` as a real process: one line on stderr, non-zero, and no
    'Exception ignored' when Python flushes at exit."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "bshtrain.instructor.cli", "cases"],
                              stdout=full, stderr=subprocess.PIPE, text=True, check=False,
                              cwd=Path(bshtrain.__file__).parent.parent)
    assert proc.returncode == 1
    assert proc.stderr == "bshtrain: cannot write the output: No space left on device\n"
