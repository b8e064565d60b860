"""nbgrader configuration for the bshtrain course (design section 3).

The repository root is the course root: solutions/ is nbgrader's source, exercises/ its
release. An exception here is only logged by nbgrader, which then runs with defaults
(trap 3): tests/test_nbgrader_config.py loads this file and fails on any error.
"""

from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters.autograde import Autograde
from nbgrader.converters.generate_assignment import GenerateAssignment
from nbgrader.preprocessors import ClearHiddenTests, DeduplicateIds, GetGrades

import bshtrain.instructor
from bshtrain.engine.keys import KEY_FILE
from bshtrain.engine.nbgrader_plugins import (
    CODE_STUB,
    DropDuplicateCellIds,
    GradeAnswersFileOnly,
    StripWidgetState,
    exclude_overwriting,
    quiet_known_noise,
    remove_after,
)

ROOT = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "bshtrain"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Trap 1: a file under solutions/<ex>/answers/ would be copied over every trainee's file.
c.Autograde.exclude_overwriting = exclude_overwriting(ROOT / "solutions")
# Keep instructor answers and the key out of the release (scoped to generate_assignment only:
# the global CourseDirectory.ignore is shared with submit and autograde, trap 2). Autograde
# copies solutions/<ex>/key.yaml beside each submission, where the grade cells read it.
c.GenerateAssignmentApp.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "answers", KEY_FILE,
]
# generate_feedback copies every other file of autograded/<student>/<ex>/ into the feedback
# that trainees fetch: the key must not go with it.
c.GenerateFeedbackApp.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", KEY_FILE,
]
# The formgrader's Generate and Feedback buttons run the converters without the app-scoped
# lists above: hooks remove the key (and any answers) after every conversion, however run.
c.GenerateAssignment.post_convert_hook = remove_after(ROOT, "exercises", [KEY_FILE, "answers"])
c.GenerateFeedback.post_convert_hook = remove_after(ROOT, "feedback", [KEY_FILE])

# A duplicated cell must not stop autograde for every later student (nbgrader's own
# DeduplicateIds leaves metadata that CheckCellMetadata rejects).
c.Autograde.sanitize_preprocessors = [
    DropDuplicateCellIds if pp is DeduplicateIds else pp
    for pp in Autograde.class_traits()["sanitize_preprocessors"].default()
]
# No trainee code runs at grading (design 3): before execution, trainee code cells are
# blanked, the student id is passed to the grade helpers, free text is copied in as text.
c.Autograde.autograde_preprocessors = [
    GradeAnswersFileOnly,
    *Autograde.class_traits()["autograde_preprocessors"].default(),
]

# Trap 5: strip saved widget state and execution metadata from the release.
c.GenerateAssignment.preprocessors = [
    *GenerateAssignment.class_traits()["preprocessors"].default(),
    StripWidgetState,
]
# Trap 6: never show hidden tests in feedback (test cells also start with %xmode Minimal).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
# The feedback page a trainee reads: nbgrader's own template, with each graded part named (not
# "Test cell"), printed text wrapped to the page, and no MathJax from the internet (issue 14).
TEMPLATES = Path(bshtrain.instructor.__file__).resolve().parent / "nbgrader_templates"
c.GenerateFeedback.HTMLExporter.template_file = str(TEMPLATES / "feedback.html.j2")
# The formgrader's manual grading page, without MathJax from the internet: offline, "MathJax is
# not defined" stopped nbgrader's page set-up (keyboard shortcuts). Only the formgrader renders
# with a plain HTMLExporter; generate_feedback takes the line above.
c.HTMLExporter.template_file = str(TEMPLATES / "formgrade.html.j2")
# nbgrader prints a few warnings on every run that say nothing about the submissions: filter
# exactly those (bshtrain.engine.nbgrader_plugins, docs/instructors.md "What nbgrader prints").
quiet_known_noise()

# A trainee who answers through the form must be able to Run All past the code cell.
c.ClearSolutions.code_stub = {"python": CODE_STUB}

c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
