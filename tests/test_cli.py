"""The `bshtrain` command: exit codes and messages an instructor can act on."""

from __future__ import annotations

import shutil

from bshtrain.cli import main

from .conftest import DATA


def test_validate_shipped_data_passes(capsys, monkeypatch):
    """Does `bshtrain validate` pass on the shipped files and say what it checked?"""
    monkeypatch.delenv("BSHTRAIN_CASES", raising=False)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("checked ") and out.rstrip().endswith("0 problem(s)")


def test_validate_reports_every_broken_file(tmp_path, capsys):
    """Does validate list each problem with file, field and line, and exit non-zero?"""
    shutil.copy(DATA / "case-x.yaml", tmp_path / "case-x.yaml")
    text = (DATA / "case-x.yaml").read_text()
    (tmp_path / "case-y.yaml").write_text(text.replace("id: case-x", "id: case-y")
                                          .replace("approach: behavioural-activation",
                                                   "approach: hypnosis"))
    (tmp_path / "case-z.yaml").write_text("id: case-z\nname: [oops\n")
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{tmp_path / 'case-x.yaml'}, field 'homework_log.0.task': unknown task id " \
           "'schedule-one-activity'" in out
    assert any(line.startswith(f"{tmp_path / 'case-y.yaml'}, line ") and "field 'approach'" in line
               and "got 'hypnosis'" in line for line in out)
    assert any(line.startswith(f"{tmp_path / 'case-z.yaml'}, line 3: is not valid YAML")
               for line in out)
    assert out[-1].endswith("3 problem(s)")


def test_build_outside_a_course_explains(tmp_path, capsys, monkeypatch):
    """Does `bshtrain build` outside a course exit 2 with a message saying why?"""
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    assert "no course found" in capsys.readouterr().err
