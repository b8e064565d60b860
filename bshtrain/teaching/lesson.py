"""Interactive pieces for the lessons: case cards, plan comparisons, a rubric sandbox,
self-checks and reference lists. Nothing here saves answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from pathlib import Path

import ipywidgets as w
from IPython.display import HTML, display
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bshtrain.content.bibliography import cited_labels, references_html
from bshtrain.content.cases import get_case, load_cases
from bshtrain.content.fit import task_fit
from bshtrain.content.loading import DataFileError, Located, Problem, read_model_items
from bshtrain.content.paths import package_dir
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


# --- Self-checks -------------------------------------------------------------------------
# The questions, options, right answers and explanations live in SELF_CHECKS_FILE, not in the
# notebooks: a trainee who unfolds a lesson's self-check cell sees only its id.

SELF_CHECKS_FILE = package_dir() / "data" / "lessons" / "self_checks.yaml"
NEXT_LINE_QUESTION = "What do you say next?"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckOption(_Strict):
    """One answer a trainee can choose, whether it is right, and why (with its citations)."""

    text: str = Field(min_length=1)
    correct: bool
    explanation: str = Field(min_length=1)


class DialogueLine(_Strict):
    """One line already said in a next-line dialogue."""

    speaker: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Dialogue(_Strict):
    """What has been said before the trainee chooses the therapist's next line."""

    setting: str = Field(min_length=1)
    lines: list[DialogueLine] = Field(min_length=1)


class SelfCheckEntry(_Strict):
    """One self-check in SELF_CHECKS_FILE: a question, or a dialogue (whose question is
    "What do you say next?"), and its options in the order shown."""

    id: str = Field(pattern=r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$",
                    description="the lesson's number, then words: 02-kwame-next-task")
    question: str | None = Field(default=None, min_length=1)
    dialogue: Dialogue | None = None
    options: list[CheckOption] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _one_is_right(cls, options: list[CheckOption]) -> list[CheckOption]:
        if not any(o.correct for o in options):
            raise ValueError("at least one option with 'correct: true' (none is marked right)")
        return options

    def shown_question(self) -> str:
        return self.question or NEXT_LINE_QUESTION

    def as_options(self) -> list[tuple[str, bool, str]]:
        return [(o.text, o.correct, o.explanation) for o in self.options]


def _unknown_citations(entry: SelfCheckEntry, i: int, known_labels: set[str],
                       where: Located) -> list[Problem]:
    texts: list[tuple[tuple, str]] = [(("checks", i, "question"), entry.question or "")]
    if entry.dialogue is not None:
        texts.append((("checks", i, "dialogue", "setting"), entry.dialogue.setting))
    for j, option in enumerate(entry.options):
        texts += [(("checks", i, "options", j, "text"), option.text),
                  (("checks", i, "options", j, "explanation"), option.explanation)]
    return [where.problem(loc, f"cites '{label}', which names no work in the bibliography "
                               "(write it as the References list shows it)")
            for loc, text in texts for label in cited_labels(text) if label not in known_labels]


def read_self_checks(path: Path | None = None, known_labels: set[str] | None = None
                     ) -> tuple[dict[str, SelfCheckEntry], list[Problem]]:
    """The good self-checks in the file by id, and every problem: a bad field, a check with
    neither or both of `question` and `dialogue`, an id used twice, and (given the
    bibliography's author-year labels) a citation that names no work."""
    path = Path(path or SELF_CHECKS_FILE)
    items, problems, where = read_model_items(SelfCheckEntry, path, "checks")
    found: dict[str, SelfCheckEntry] = {}
    for i, entry in items:
        if known_labels is not None:
            problems.extend(_unknown_citations(entry, i, known_labels, where))
        if (entry.question is None) == (entry.dialogue is None):
            problems.append(where.problem(
                ("checks", i, "question"),
                "give either a 'question' or a 'dialogue' (for a next-line check), not "
                + ("both" if entry.question else "neither")))
        elif entry.id in found:
            problems.append(where.problem(("checks", i, "id"), f"duplicate id '{entry.id}'"))
        else:
            found[entry.id] = entry
    return found, problems


def load_self_checks(path: Path | None = None) -> dict[str, SelfCheckEntry]:
    """Every self-check in the file by id; DataFileError naming file, field and line if any
    entry is broken: never half-loaded."""
    found, problems = read_self_checks(path)
    if problems:
        raise DataFileError(problems)
    return found


@lru_cache(maxsize=1)
def _shipped_self_checks() -> dict[str, SelfCheckEntry]:
    return load_self_checks()


def get_self_check(check_id: str, path: Path | None = None) -> SelfCheckEntry:
    """One self-check by id; DataFileError naming the file and the field if no check has it."""
    checks = load_self_checks(path) if path else _shipped_self_checks()
    if check_id not in checks:
        same_lesson = [i for i in checks if i[:3] == str(check_id)[:3]]
        hint = f" (ids for this lesson: {', '.join(same_lesson)})" if same_lesson else ""
        raise DataFileError([Problem(str(path or SELF_CHECKS_FILE), "checks.id",
                                     f"no self-check has the id '{check_id}'{hint}")])
    return checks[check_id]


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


def _show_dialogue(setting: str, lines: Sequence[tuple[str, str]]) -> None:
    said = "".join(f"<p><strong>{escape(who)}:</strong> {escape(text)}</p>" for who, text in lines)
    display(HTML(f"<div><p><em>{escape(setting)}</em></p>{said}</div>"))


def self_check(question: str, options: Sequence[tuple[str, bool, str]] | None = None) -> SelfCheck:
    """Show an ungraded self-check. In a lesson, give only its id in the self-checks file
    (`self_check("02-kwame-next-task")`), so the notebook holds no answers; a question and
    its (text, correct, explanation) options given inline also work, for drafts and tests."""
    if options is None:
        entry = get_self_check(question)
        if entry.dialogue is not None:
            _show_dialogue(entry.dialogue.setting,
                           [(line.speaker, line.text) for line in entry.dialogue.lines])
        question, options = entry.shown_question(), entry.as_options()
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


def pick_next_line(setting: str, lines: Sequence[tuple[str, str]] | None = None,
                   options: Sequence[tuple[str, bool, str]] | None = None) -> SelfCheck:
    """A dialogue: show what has been said, let the trainee choose the therapist's next line,
    and explain every option. In a lesson, give only the id of a check with a `dialogue` in the
    self-checks file (`pick_next_line("04-maya-every-day")`); the inline form (setting,
    (speaker, text) lines, options) also works, for drafts and tests."""
    if lines is None and options is None:
        entry = get_self_check(setting)
        if entry.dialogue is None:
            raise DataFileError([Problem(str(SELF_CHECKS_FILE), "checks.dialogue",
                                         f"self-check '{setting}' has no dialogue: show it with "
                                         "self_check(), or give it a 'dialogue'")])
        return self_check(setting)
    if lines is None or options is None:
        raise TypeError("pick_next_line() takes a self-check id, or a setting, lines and options")
    _show_dialogue(setting, lines)
    return self_check(NEXT_LINE_QUESTION, options)
