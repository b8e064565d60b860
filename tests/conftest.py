"""Shared fixtures: small test data, a course copy, the project's paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from bshtrain.content.bibliography import load_bibliography
from bshtrain.content.cases import load_case
from bshtrain.content.tasks import load_tasks

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA = FIXTURES / "data"


@pytest.fixture(autouse=True)
def _not_grading(monkeypatch):
    """Tests start outside grading mode unless they set it."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def works():
    return load_bibliography(DATA / "bibliography.yaml")


@pytest.fixture
def tasks():
    """A tiny catalogue; its cautions cite the shipped bibliography."""
    return load_tasks(DATA / "tasks.yaml")


@pytest.fixture
def case(tasks):
    return load_case(DATA / "case-x.yaml", set(tasks))
