"""Which short cases a trainee gets: six from the bank, at least three where the right
answer is smaller or none, chosen from the trainee's name (the grader's student id)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bshtrain.skills.select.content import SelectItem, item_bank

PER_TRAINEE = 6
SMALLER_OR_NONE = 3


@dataclass(frozen=True)
class ItemSet:
    """What one trainee works on: an ordered set of short cases."""

    id: str
    items: tuple[SelectItem, ...]

    @property
    def name(self) -> str:
        return ", ".join(item.name for item in self.items)

    def item(self, item_id: str) -> SelectItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def _rank(student: str, item_id: str) -> bytes:
    return hashlib.sha256(f"{student}:{item_id}".encode()).digest()


def draw(student: str, bank: dict[str, SelectItem] | None = None) -> ItemSet:
    """A stable draw for a student: the same name always gets the same six, in one order."""
    bank = item_bank() if bank is None else bank
    ranked = sorted(bank.values(), key=lambda i: _rank(student, i.id))
    smaller = [i for i in ranked if i.smaller_or_none][:SMALLER_OR_NONE]
    others = [i for i in ranked if not i.smaller_or_none][:PER_TRAINEE - len(smaller)]
    chosen = sorted([*smaller, *others], key=lambda i: _rank(student, "order:" + i.id))
    return ItemSet("+".join(sorted(i.id for i in chosen)), tuple(chosen))
