"""nbgrader configuration for the bshtrain course (design section 3).

The repository root is the course root: solutions/ is nbgrader's source, exercises/ its
release. An exception here is only logged by nbgrader, which then runs with defaults
(trap 3): tests/test_nbgrader_config.py loads this file and fails on any error.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters.generate_assignment import GenerateAssignment
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from bshtrain.engine.nbgrader_plugins import CODE_STUB, StripWidgetState, exclude_overwriting

ROOT = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "bshtrain"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Trap 1: a file under solutions/<ex>/answers/ would be copied over every trainee's file.
c.Autograde.exclude_overwriting = exclude_overwriting(ROOT / "solutions")
# Keep any instructor answers out of the release (scoped to generate_assignment only: the
# global CourseDirectory.ignore is shared with submit and autograde, trap 2).
c.GenerateAssignmentApp.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "answers",
]

# Trap 5: strip saved widget state and execution metadata from the release.
c.GenerateAssignment.preprocessors = [
    *GenerateAssignment.class_traits()["preprocessors"].default(),
    StripWidgetState,
]
# Trap 6: never show hidden tests in feedback (test cells also start with %xmode Minimal).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# A trainee who answers through the form must be able to Run All past the code cell.
c.ClearSolutions.code_stub = {"python": CODE_STUB}

c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
