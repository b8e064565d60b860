"""The review exercise's answers: the trainee's path through the dialogue (line ids in the
order said), the decision, and one line in their own words, graded by hand."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_PATH = 12
MAX_FREE_LINE = 2_000


class ReviewAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    path: list[str] = Field(default_factory=list, max_length=MAX_PATH)
    decision: str = ""
    free_line: str = Field(default="", max_length=MAX_FREE_LINE)
