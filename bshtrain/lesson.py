"""Interactive pieces for the lessons: case cards, plan comparisons, a rubric sandbox,
self-checks and reference lists. Nothing here saves answers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import ipywidgets as w
from IPython.display import HTML, display

from .bibliography import references_html
from .cases import get_case
from .plan import HomeworkPlan
from .render import case_html
from .rubric import score_plan
from .tasks import catalogue


def show_case(case_id: str) -> None:
    """Show a case card from the library."""
    display(HTML(case_html(get_case(case_id))))


def compare_plans(case_id: str, weak: dict, strong: dict) -> None:
    """Show two plans' rubric results side by side, criterion by criterion."""
    case, tasks = get_case(case_id), catalogue()
    results = [score_plan(HomeworkPlan(**p), case, tasks) for p in (weak, strong)]
    rows = "".join(
        f"<tr><th scope='row'>{escape(a.title)}</th>"
        f"<td>{escape(a.status)}: {escape(a.message)}</td>"
        f"<td>{escape(b.status)}: {escape(b.message)}</td></tr>"
        for a, b in zip(results[0].criteria, results[1].criteria, strict=True))
    display(HTML(
        "<table><caption>Rubric results for the two plans</caption><thead><tr><th>Criterion</th>"
        f"<th>Weaker plan ({results[0].points:g}/{results[0].max_points:g})</th>"
        f"<th>Stronger plan ({results[1].points:g}/{results[1].max_points:g})</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"))


def rubric_sandbox(case_id: str, start: dict | None = None):
    """A plan form whose rubric feedback updates as the trainee edits. Nothing is saved."""
    from .widgets import PlanForm

    case, tasks = get_case(case_id), catalogue()
    form = PlanForm(case, tasks, HomeworkPlan(**(start or {})))
    form.on_change = lambda _plan: form.check()
    form.save_button.layout.display = "none"
    form.status.value = "<p><em>Practice only: nothing here is saved or graded.</em></p>"
    form.check()
    display(form.widget)
    return form


class SelfCheck:
    """A multiple-choice question with an explanation for every option."""

    def __init__(self, question: str, options: Sequence[tuple[str, bool, str]]):
        if not any(correct for _, correct, _ in options):
            raise ValueError(f"self-check '{question}' has no correct option")
        self.options = list(options)
        self.choice = w.RadioButtons(
            options=[(text, i) for i, (text, _, _) in enumerate(options)], value=None,
            description="Your answer", style={"description_width": "initial"},
            layout=w.Layout(width="auto"))
        self.button = w.Button(description="Check")
        self.result = w.HTML()
        self.button.on_click(lambda _b: self.check())
        self.widget = w.VBox([w.HTML(f"<p><strong>{escape(question)}</strong></p>"), self.choice,
                              self.button, self.result])

    def check(self) -> bool | None:
        if self.choice.value is None:
            self.result.value = "<p role='status'>Choose an answer first.</p>"
            return None
        _text, correct, why = self.options[self.choice.value]
        verdict = "Yes." if correct else "Not quite."
        self.result.value = f"<p role='status'><strong>{verdict}</strong> {escape(why)}</p>"
        return correct


def self_check(question: str, options: Sequence[tuple[str, bool, str]]) -> SelfCheck:
    """Show an ungraded self-check question."""
    check = SelfCheck(question, options)
    display(check.widget)
    return check


def show_references(keys: Sequence[str]) -> None:
    """Show the full references for the works a lesson cites."""
    display(HTML("<h3>References</h3>" + references_html(keys)))
