"""The review exercise's content: a branching dialogue per case (shipped, no credit).

The trainee leads the review of last week's homework at the start of the next session. Each
turn shows what the client says and offers three or four therapist lines; each line is coded
(collude, blame, explore, credit, link, own-part, revise, risk-check), leads to the client's
scripted reply and to the next turn, where the client's state (defensive, ashamed, engaged,
at-risk) shapes what comes next. Every path ends in a decision (keep, change, replace or stop
the task). Credits are in the key (solutions/review/key.yaml), never here.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bshtrain.content.loading import DataFileError, Problem, read_model
from bshtrain.engine.options import OPTION_ID, options_dir

EXERCISE = "review"
Code = Literal["collude", "blame", "explore", "credit", "link", "own-part", "revise", "risk-check",
               "neutral"]
State = Literal["defensive", "ashamed", "engaged", "at-risk", "guarded"]
Decision = Literal["keep", "change", "replace", "stop"]
END = "decision"  # a line whose `next` is this ends the dialogue: the trainee decides


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DialogueLine(_Strict):
    """A therapist line the trainee can choose, and what follows it."""

    id: str = Field(pattern=OPTION_ID)
    text: str = Field(min_length=1, max_length=400)
    codes: list[Code] = Field(min_length=1)
    reply: str = Field(min_length=1, max_length=600, description="the client's scripted reply")
    next: str = Field(description=f"the next turn's id, or '{END}'")


class Turn(_Strict):
    id: str = Field(pattern=OPTION_ID)
    state: State = Field(description="the client's state as this turn begins")
    client_says: str = Field(default="", max_length=800, description="what the client says first")
    lines: list[DialogueLine] = Field(min_length=3, max_length=4)


class DecisionChoice(_Strict):
    id: str = Field(pattern=OPTION_ID)
    decision: Decision
    text: str = Field(min_length=1, max_length=300)


class Dialogue(_Strict):
    """One case's review dialogue."""

    exercise: Literal["review"]
    case: str = Field(pattern=OPTION_ID)
    reviews_session: int = Field(ge=1, description="the homework log entry being reviewed")
    setting_the_scene: str = Field(min_length=20, max_length=1200)
    start: str
    turns: list[Turn] = Field(min_length=4)
    decisions: list[DecisionChoice] = Field(min_length=4, max_length=5)
    free_line_prompt: str = Field(min_length=10)
    simulation_note: str = Field(
        default="The client's replies are authored for practice, not a prediction of how a "
                "real client would respond.")

    def turn(self, turn_id: str) -> Turn | None:
        return next((t for t in self.turns if t.id == turn_id), None)

    def line(self, line_id: str) -> tuple[Turn, DialogueLine] | None:
        for turn in self.turns:
            for line in turn.lines:
                if line.id == line_id:
                    return turn, line
        return None

    def graph_problems(self) -> list[tuple[tuple, str]]:
        """Dead ends, unknown targets, cycles, unreachable turns, paths of the wrong length."""
        found: list[tuple[tuple, str]] = []
        ids = [t.id for t in self.turns]
        if len(ids) != len(set(ids)):
            found.append((("turns",), "turn ids must be unique"))
        line_ids = [ln.id for t in self.turns for ln in t.lines]
        if len(line_ids) != len(set(line_ids)):
            found.append((("turns",), "line ids must be unique across the dialogue"))
        if self.start not in ids:
            found.append((("start",), f"no turn '{self.start}'"))
            return found
        for i, turn in enumerate(self.turns):
            for j, line in enumerate(turn.lines):
                if line.next != END and line.next not in ids:
                    found.append((("turns", i, "lines", j, "next"),
                                  f"'{line.next}' is neither a turn nor '{END}' (a dead end)"))
        if found:
            return found
        lengths: set[int] = set()
        reached: set[str] = set()

        def walk(turn_id: str, depth: int, seen: tuple[str, ...]) -> None:
            if turn_id in seen:
                found.append((("turns",), f"a path returns to '{turn_id}': dialogues must not loop"))
                return
            reached.add(turn_id)
            for line in self.turn(turn_id).lines:
                if line.next == END:
                    lengths.add(depth)
                else:
                    walk(line.next, depth + 1, (*seen, turn_id))

        walk(self.start, 1, ())
        for turn_id in sorted(set(ids) - reached):
            found.append((("turns",), f"turn '{turn_id}' cannot be reached from the start"))
        if lengths and (min(lengths) < 4 or max(lengths) > 6):
            found.append((("turns",), f"every path must have 4 to 6 turns; found "
                                      f"{min(lengths)} to {max(lengths)}"))
        return found


@cache
def dialogue(case_id: str) -> Dialogue:
    path = options_dir(EXERCISE) / f"{case_id}.yaml"
    if not path.is_file():
        raise DataFileError([Problem(str(path), "", f"no review dialogue for case '{case_id}'")])
    found, where = read_model(Dialogue, path)
    problems = [where.problem(loc, msg) for loc, msg in found.graph_problems()]
    if found.case != path.stem:
        problems.append(where.problem(("case",), f"expected '{path.stem}' (the file name)"))
    if problems:
        raise DataFileError(problems)
    return found
