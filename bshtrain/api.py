"""The names that released notebooks import: a public contract (tests/test_api.py pins it).

Locked cells in `exercises/` run `from bshtrain.api import ...` for as long as a cohort
works on them; renaming or removing anything here breaks released notebooks.
"""

from bshtrain.engine.exercise import open_exercise
from bshtrain.engine.grading import grade, show_answers

__all__ = ["grade", "open_exercise", "show_answers"]
