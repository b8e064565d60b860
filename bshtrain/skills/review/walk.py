"""Walking a dialogue: which turn a path has reached, and the transcript it makes."""

from __future__ import annotations

from dataclasses import dataclass

from bshtrain.skills.review.content import END, Dialogue, DialogueLine, Turn


@dataclass(frozen=True)
class Step:
    turn: Turn
    line: DialogueLine


@dataclass(frozen=True)
class Walk:
    """The valid part of a path, where it stands, and what was wrong with the rest."""

    steps: tuple[Step, ...]
    current: Turn | None  # the turn to answer next; None once the path reached the decision
    problem: str = ""  # why the rest of the path was not followed

    @property
    def finished(self) -> bool:
        return self.current is None and not self.problem


def walk(dialogue: Dialogue, path: list[str]) -> Walk:
    """Follow `path` from the start; stop at the first line not offered at that turn."""
    turn = dialogue.turn(dialogue.start)
    steps: list[Step] = []
    for line_id in path:
        if turn is None:
            return Walk(tuple(steps), None, f"'{line_id}' comes after the dialogue had ended")
        line = next((ln for ln in turn.lines if ln.id == line_id), None)
        if line is None:
            return Walk(tuple(steps), turn, f"'{line_id}' is not one of the lines offered at "
                                            "that point of the conversation")
        steps.append(Step(turn, line))
        turn = None if line.next == END else dialogue.turn(line.next)
    return Walk(tuple(steps), turn)


def turns_to_end(dialogue: Dialogue, turn_id: str) -> int:
    """The fewest turns from `turn_id` (included) to the decision."""
    turn = dialogue.turn(turn_id)
    return 1 + min(0 if ln.next == END else turns_to_end(dialogue, ln.next) for ln in turn.lines)


def all_paths(dialogue: Dialogue) -> list[list[DialogueLine]]:
    """Every complete path (the graphs are small: at most 4 lines a turn, 6 turns)."""
    found: list[list[DialogueLine]] = []

    def go(turn_id: str, so_far: list[DialogueLine]) -> None:
        for line in dialogue.turn(turn_id).lines:
            if line.next == END:
                found.append([*so_far, line])
            else:
                go(line.next, [*so_far, line])

    go(dialogue.start, [])
    return found
