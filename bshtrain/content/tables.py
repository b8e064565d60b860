"""The case library and the task catalogue as pandas tables, with filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

import pandas as pd

from bshtrain.content.cases import Case
from bshtrain.content.tasks import Task
from bshtrain.content.vocab import Approach, Context, Mechanism, PresentingProblem, RiskFlag


class FilterError(ValueError):
    """A filter value that matches nothing the library knows."""


def _check(value: str | None, allowed: Iterable[str], name: str) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise FilterError(f"unknown {name} '{value}'; known: {', '.join(allowed)}")


def cases_table(cases: dict[str, Case], problem: str | None = None, approach: str | None = None,
                risk: str | None = None, context: str | None = None) -> pd.DataFrame:
    """One row per case. `risk` is a risk flag, or 'any' for every case with a flag."""
    _check(problem, get_args(PresentingProblem), "problem")
    _check(approach, get_args(Approach), "approach")
    _check(risk, ["any", *get_args(RiskFlag)], "risk flag")
    _check(context, get_args(Context), "context")
    rows = []
    for c in cases.values():
        if problem and c.presenting_problem != problem:
            continue
        if approach and c.approach != approach:
            continue
        if risk and not (c.risk.flags if risk == "any" else risk in c.risk.flags):
            continue
        if context and context not in c.contexts:
            continue
        rows.append({
            "id": c.id, "name": c.name, "age": c.age, "problem": c.presenting_problem,
            "approach": c.approach, "session": c.session_number,
            "contexts": ", ".join(c.contexts), "risk": c.risk.level,
            "risk flags": ", ".join(c.risk.flags), "logged sessions": len(c.homework_log),
        })
    columns = ["id", "name", "age", "problem", "approach", "session", "contexts", "risk",
               "risk flags", "logged sessions"]
    return pd.DataFrame(rows, columns=columns).sort_values("id", ignore_index=True)


def tasks_table(tasks: dict[str, Task], approach: str | None = None, target: str | None = None,
                risk: str | None = None) -> pd.DataFrame:
    """One row per task. `risk` keeps tasks with a caution for that risk flag."""
    _check(approach, get_args(Approach), "approach")
    _check(target, get_args(Mechanism), "target")
    _check(risk, get_args(RiskFlag), "risk flag")
    rows = []
    for t in tasks.values():
        if approach and approach not in t.approaches:
            continue
        if target and target not in t.targets:
            continue
        if risk and not t.cautions_for({risk}):
            continue
        flags = sorted({f for c in t.cautions for f in c.applies_to})
        rows.append({
            "id": t.id, "name": t.name, "approaches": ", ".join(t.approaches),
            "targets": ", ".join(t.targets), "minutes": t.demands.minutes,
            "literacy": t.demands.literacy, "smaller (min)": t.smaller_variant.minutes,
            "cautions": len(t.cautions), "caution flags": ", ".join(flags),
        })
    columns = ["id", "name", "approaches", "targets", "minutes", "literacy", "smaller (min)",
               "cautions", "caution flags"]
    return pd.DataFrame(rows, columns=columns).sort_values("id", ignore_index=True)


RISKS_THAT_CHANGE_THE_ANSWER = ("suicidal-ideation-current", "suicidal-ideation-past",
                                "trauma-exposure-risk", "severe-depression", "alliance-strain")


def age_band(age: int) -> str:
    if age < 18:
        return "adolescent"
    if age < 30:
        return "young adult"
    if age < 65:
        return "adult"
    return "older adult"


def coverage(cases: dict[str, Case]) -> dict[str, dict[str, int]]:
    """How the library spreads: cases per problem, approach, age band, context and risk."""
    def count(values: Iterable[str]) -> dict[str, int]:
        return dict(sorted(pd.Series(list(values), dtype="object").value_counts().items()))

    return {
        "problems": count(c.presenting_problem for c in cases.values()),
        "approaches": count(c.approach for c in cases.values()),
        "ages": count(age_band(c.age) for c in cases.values()),
        "contexts": count(t for c in cases.values() for t in c.contexts),
        "risks that change the answer": count(
            f for c in cases.values() for f in c.risk.flags if f in RISKS_THAT_CHANGE_THE_ANSWER),
    }


def coverage_text(cases: dict[str, Case]) -> str:
    """The coverage table as text: one line per dimension."""
    lines = []
    for dimension, counts in coverage(cases).items():
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        lines.append(f"{dimension} ({len(counts)}): {shown}")
    return "\n".join(lines)
