"""Who the trainee is, and which case they get from an exercise's pool.

While a trainee works, the name is the JupyterHub user or the login name. At grading it is the
nbgrader student id, which the course's autograde preprocessor puts in BSHTRAIN_STUDENT; it
is never read from the trainee's files.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from bshtrain.engine.answers import grading_mode

STUDENT_ENV = "BSHTRAIN_STUDENT"


def trainee_name() -> str:
    """The JupyterHub user, else the login name, else 'trainee'."""
    name = os.environ.get("JUPYTERHUB_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "trainee"


def graded_student(folder: Path | str = ".") -> str:
    """The student being graded: set by the autograde preprocessor; else the autograded
    folder's name (<course>/autograded/<student>/<exercise>); else the trainee's own name."""
    student = os.environ.get(STUDENT_ENV)
    if student:
        return student
    here = Path(folder).resolve()
    if os.environ.get("NBGRADER_EXECUTION") == "autograde" and here.parent.parent.name == "autograded":
        return here.parent.name
    return trainee_name()


def current_student(folder: Path | str = ".") -> str:
    """Whoever the answers belong to now: the graded student while grading, else the trainee."""
    return graded_student(folder) if grading_mode() else trainee_name()


def case_for(trainee: str, case_ids: Sequence[str]) -> str:
    """A stable choice of case for a trainee: the same name always gets the same case,
    in every process (sha256, not Python's salted hash)."""
    if not case_ids:
        raise ValueError("an exercise needs at least one case")
    digest = hashlib.sha256(trainee.encode("utf-8")).digest()
    return case_ids[int.from_bytes(digest[:8], "big") % len(case_ids)]
