"""Interactive pieces for the lessons: case cards, plan comparisons, a rubric sandbox,
self-checks and reference lists. Nothing here saves answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

import ipywidgets as w
from IPython.display import HTML, display

from bshtrain.content.bibliography import references_html
from bshtrain.content.cases import get_case, load_cases
from bshtrain.content.fit import task_fit
from bshtrain.content.render import LOG_HEADERS, approach_name, case_html, log_rows, readable_table, task_html
from bshtrain.content.tasks import catalogue
from bshtrain.engine.choice_group import ChoiceGroup
from bshtrain.teaching.plan import HomeworkPlan
from bshtrain.teaching.rubric import score_plan


def show_case(case_id: str) -> None:
    """Show a case card from the library."""
    display(HTML(case_html(get_case(case_id))))


STATUS_MARKS = {"met": "\u2714 met", "partly": "\u25d0 partly", "not met": "\u2718 not met"}


def compare_plans(case_id: str, weak: dict, strong: dict) -> None:
    """Show two plans' rubric results side by side, criterion by criterion."""
    case, tasks = get_case(case_id), catalogue()
    results = [score_plan(HomeworkPlan(**p), case, tasks) for p in (weak, strong)]
    rows = [[a.title, f"{STATUS_MARKS[a.status]}: {a.message}", f"{STATUS_MARKS[b.status]}: {b.message}"]
            for a, b in zip(results[0].criteria, results[1].criteria, strict=True)]
    display(HTML(readable_table(
        "What the rubric says about each plan",
        ["Criterion", f"Weaker plan ({results[0].points:g} of {results[0].max_points:g})",
         f"Stronger plan ({results[1].points:g} of {results[1].max_points:g})"], rows)))


def rubric_sandbox(case_id: str, start: dict | None = None):
    """A plan form whose rubric feedback updates as the trainee edits. Nothing is saved."""
    from bshtrain.teaching.widgets import PlanForm

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
        self.choice = ChoiceGroup(label="Your answer",
                                  options=[[text, str(i)] for i, (text, _, _) in enumerate(options)])
        self.button = w.Button(description="Check")
        self.result = w.HTML()
        self.button.on_click(lambda _b: self.check())
        self.widget = w.VBox([w.HTML(f"<p><strong>{escape(question)}</strong></p>"), self.choice,
                              self.button, self.result])

    def check(self) -> bool | None:
        if not self.choice.value:
            self.result.value = "<p role='status'>Choose an answer first.</p>"
            return None
        _text, correct, why = self.options[int(self.choice.value)]
        verdict = "Yes." if correct else "Not quite."
        why = re.sub(r"^(yes|no|not quite)[.,!]\s*", "", why.strip(), flags=re.IGNORECASE)
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


def case_explorer(case_ids: Sequence[str] | None = None, start: str | None = None):
    """Pick a case from a labelled list and read its card."""
    cases = load_cases()
    ids = list(case_ids or sorted(cases))
    picker = w.Dropdown(
        options=[(f"{cases[i].name}, {cases[i].age}: {cases[i].presenting_problem.replace('-', ' ')}"
                  f" ({approach_name(cases[i].approach)})", i) for i in ids],
        value=start or ids[0], description="Case", style={"description_width": "initial"},
        layout=w.Layout(width="40em"))
    card = w.HTML()

    def show(_change=None):
        card.value = case_html(cases[picker.value])

    picker.observe(show, names="value")
    show()
    box = w.VBox([picker, card])
    display(box)
    return box


def task_fit_explorer(case_id: str):
    """For one case, pick a task and see what it targets, what it asks, and its cautions."""
    case, tasks = get_case(case_id), catalogue()
    picker = w.Dropdown(options=[(t.name, t.id) for t in sorted(tasks.values(), key=lambda t: t.name)],
                        description="Task", style={"description_width": "initial"},
                        layout=w.Layout(width="40em"))
    version = ChoiceGroup(label="Version", options=[["Full version", "full"],
                                                    ["Smaller version", "smaller"]], value="full")
    out = w.HTML()

    def show(_change=None):
        task = tasks[picker.value]
        fit = task_fit(task, case, version.value == "smaller")
        notes = []
        if fit.fits_formulation:
            notes.append("<strong>Fits the formulation:</strong> it works on "
                         + "; ".join(escape(f.description) for f in fit.hits))
        else:
            notes.append("<strong>Does not fit the formulation:</strong> nothing it targets is "
                         "named among what keeps this problem going.")
        if fit.other_approach:
            notes.append(f"<strong>Another approach:</strong> this task belongs to "
                         f"{escape(', '.join(approach_name(a) for a in task.approaches))}; this "
                         f"client's therapy is {escape(approach_name(case.approach))}.")
        if fit.too_long:
            notes.append(f"<strong>Too long:</strong> about {fit.minutes} minutes, and this client "
                         f"has about {case.constraints.minutes_per_day} on most days.")
        if fit.too_much_writing:
            notes.append("<strong>Too much reading and writing</strong> for this client now.")
        if fit.start_smaller:
            notes.append("<strong>Start smaller:</strong> with this client's low energy, the "
                         "smaller version is a safer first step.")
        for c in fit.cautions:
            from bshtrain.content.bibliography import cite

            notes.append(f"<strong>Caution for this client:</strong> {escape(c.text)} "
                         f"{escape(cite(*c.sources))}")
        out.value = task_html(task) + "<ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>"

    picker.observe(show, names="value")
    version.observe(show, names="value")
    show()
    box = w.VBox([picker, version, out])
    display(box)
    return box


def show_log(case_id: str):
    """A client's homework log as a table and a chart of engagement across sessions."""
    from bshtrain.content.homework_log import plot_log

    case = get_case(case_id)
    display(HTML(readable_table(f"{case.name}'s homework log, session by session", LOG_HEADERS,
                                log_rows(case))))
    fig = plot_log(case)
    display(fig)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def show_effects():
    """The meta-analytic effect sizes as a table and a chart, with sources."""
    from bshtrain.content.evidence import effects_chart, effects_table

    display(effects_table())
    fig = effects_chart()
    display(fig)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def pick_next_line(setting: str, lines: Sequence[tuple[str, str]],
                   options: Sequence[tuple[str, bool, str]]) -> SelfCheck:
    """A dialogue: show what has been said, let the trainee choose the therapist's next line,
    and explain every option. `lines` are (speaker, text) pairs."""
    said = "".join(f"<p><strong>{escape(who)}:</strong> {escape(text)}</p>" for who, text in lines)
    display(HTML(f"<div><p><em>{escape(setting)}</em></p>{said}</div>"))
    return self_check("What do you say next?", options)
