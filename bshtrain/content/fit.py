"""How well a catalogue task fits a case now: the one owner of the fit and size rules.

The lessons' task-fit explorer and the teaching rubric both read this report, so a trainee
never meets two versions of the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from bshtrain.content.cases import Case, MaintainingFactor
from bshtrain.content.tasks import Caution, Task
from bshtrain.content.vocab import LEVEL_ORDER

SMALL_FIRST_MINUTES = 10  # with low energy, a full task longer than this should start smaller


@dataclass(frozen=True)
class Fit:
    """What a task (at a size) means for one client."""

    hits: tuple[MaintainingFactor, ...]  # the formulation's factors the task works on
    other_approach: bool  # the task belongs to other therapies than the client's
    minutes: int
    too_long: bool  # more minutes than the client has on most days
    too_much_writing: bool  # more reading and writing than suits the client
    start_smaller: bool  # low energy and a long full version
    cautions: tuple[Caution, ...]  # cautions for this client's risk flags

    @property
    def fits_formulation(self) -> bool:
        return bool(self.hits)


def task_fit(task: Task, case: Case, smaller: bool = False) -> Fit:
    """The fit and size rules for `task` (full or smaller) and `case`."""
    literacy = task.smaller_variant.literacy if smaller else task.demands.literacy
    minutes = task.smaller_variant.minutes if smaller else task.demands.minutes
    hits = tuple(f for f in case.formulation.maintaining_factors if f.mechanism in task.targets)
    return Fit(
        hits=hits,
        other_approach=case.approach not in task.approaches,
        minutes=minutes,
        too_long=minutes > case.constraints.minutes_per_day,
        too_much_writing=LEVEL_ORDER[literacy] > LEVEL_ORDER[case.constraints.literacy],
        start_smaller=(case.constraints.energy == "low" and not smaller
                       and task.demands.minutes > SMALL_FIRST_MINUTES),
        cautions=tuple(task.cautions_for(set(case.risk.flags), smaller)),
    )
