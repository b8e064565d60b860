"""The `bshtrain` command: exit codes and messages an instructor can act on."""

from __future__ import annotations

from pathlib import Path

import bshtrain
from bshtrain.instructor.cli import main

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
