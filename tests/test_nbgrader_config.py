"""nbgrader_config.py loads cleanly (trap 3) and holds the settings design section 3 needs."""

from __future__ import annotations

import logging

from traitlets.config.loader import PyFileConfigLoader

from bshtrain.engine.nbgrader_plugins import CODE_STUB, StripWidgetState

from .conftest import ROOT


def _load(caplog):
    with caplog.at_level(logging.ERROR):
        loader = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT))
        return loader.load_config()


def test_config_loads_without_error(caplog):
    """Does the config load with no exception (nbgrader would only log it and run defaults)?"""
    config = _load(caplog)
    assert caplog.records == []
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "exercises"


def test_every_answers_file_is_protected_from_overwriting(caplog):
    """Is every exercise's answers file listed in Autograde.exclude_overwriting (trap 1)?"""
    config = _load(caplog)
    exercises = sorted(p.parent.name for p in (ROOT / "solutions").glob("*/*.ipynb"))
    assert exercises
    assert config.Autograde.exclude_overwriting == {ex: [f"answers/{ex}.json"] for ex in exercises}


def test_answers_ignored_only_when_generating(caplog):
    """Are answers kept out of the release without the global ignore that drops them (trap 2)?"""
    config = _load(caplog)
    assert "answers" in config.GenerateAssignmentApp.CourseDirectory.ignore
    assert "answers" not in config.CourseDirectory.get("ignore", [])


def test_release_and_feedback_preprocessors(caplog):
    """Are widget state stripped from the release and hidden tests cleared from feedback?"""
    config = _load(caplog)
    assert config.GenerateAssignment.preprocessors[-1] is StripWidgetState
    names = [p.__name__ for p in config.GenerateFeedback.preprocessors]
    assert "ClearHiddenTests" in names
    assert config.ClearSolutions.code_stub == {"python": CODE_STUB}
    assert "raise" not in CODE_STUB  # Run All must get past the optional code cell
    assert config.Execute.timeout == 120


def test_config_error_is_caught_by_the_course_tools(tmp_path):
    """Does `bshtrain build` fail loudly when nbgrader_config.py raises (nbgrader exits 0)?"""
    import shutil

    import pytest

    from bshtrain.instructor.course import CourseError, build_exercises

    from .nbgrader_course import copy_course

    course = copy_course(tmp_path / "course")
    config = course.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nraise TypeError('broken on purpose')\n")
    with pytest.raises(CourseError, match=r"nbgrader_config\.py failed to load"):
        build_exercises(course, log=lambda _m: None)
    shutil.rmtree(course.root)
