"""What a scorer returns: criteria with points and reasons, and the gates that cap them.

Scorers are pure functions `(answers, case, ...) -> Scored` (design 5.5). A gate (design 5.3)
caps every criterion at a quarter of its points, so a harmful answer can earn at most a
quarter of the automatic total whatever else it gets right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GATE_CAP = 0.25


@dataclass(frozen=True)
class Line:
    """One sentence of feedback and the works it rests on."""

    text: str
    sources: tuple[str, ...] = ()
    basis: str = "evidence"  # or "clinical-reasoning"


@dataclass(frozen=True)
class Criterion:
    """One scored criterion: its raw points (before any gate) and why."""

    id: str
    title: str
    max_points: float
    raw_points: float
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Gate:
    """A harm that caps the score, with its source."""

    harm: str
    sources: tuple[str, ...] = ()
    option: str = ""


@dataclass(frozen=True)
class Scored:
    """All criteria for one set of answers, and the gates that fired."""

    criteria: tuple[Criterion, ...]
    gates: tuple[Gate, ...] = field(default_factory=tuple)

    def points(self, criterion_id: str) -> float:
        """A criterion's points after any gate."""
        crit = self.get(criterion_id)
        if self.gates:
            return round(min(crit.raw_points, GATE_CAP * crit.max_points), 3)
        return round(crit.raw_points, 3)

    def get(self, criterion_id: str) -> Criterion:
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(f"no criterion '{criterion_id}'")

    @property
    def total(self) -> float:
        return round(sum(self.points(c.id) for c in self.criteria), 3)

    @property
    def max_total(self) -> float:
        return sum(c.max_points for c in self.criteria)
