"""The docs stay true to the code: their examples validate and their commands exist."""

from __future__ import annotations

import re

from bshtrain.content.cases import load_case
from bshtrain.content.tasks import catalogue, load_tasks
from bshtrain.instructor.cli import make_parser

from .conftest import ROOT

AUTHORING = (ROOT / "docs" / "authoring.md").read_text()


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_annotated_case_in_authoring_guide_validates(tmp_path):
    """Does the annotated case in docs/authoring.md load as a valid case?"""
    path = tmp_path / "ines.yaml"
    path.write_text(_yaml_blocks(AUTHORING)[0])
    case = load_case(path, set(catalogue()))
    assert case.id == "ines" and case.homework_log[0].done == "partly"


def test_annotated_task_in_authoring_guide_validates(tmp_path):
    """Does the annotated task in docs/authoring.md load as a valid task file?"""
    path = tmp_path / "tasks.yaml"
    path.write_text(_yaml_blocks(AUTHORING)[1])
    assert list(load_tasks(path)) == ["worry-postponement"]


def test_documented_commands_exist():
    """Does every `bshtrain <command>` and `make <target>` the docs mention exist?"""
    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    subcommands = set(make_parser()._subparsers._group_actions[0].choices)
    used = set(re.findall(r"\bbshtrain (\w+)", docs)) - {"is", "and", "validate's"}
    assert used and used <= subcommands, used - subcommands
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, flags=re.M))
    assert set(re.findall(r"\bmake (\w+)", docs)) <= targets
