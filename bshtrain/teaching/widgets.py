"""The plan form: ipywidgets controls, thin over HomeworkPlan.

Every control has a visible label tied to it (ipywidgets' `description` renders a
<label for=...>), works from the keyboard, and has a programmatic twin: set
`form.plan = ...` or call `form.check()` / `form.save()`.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from bshtrain.content.cases import Case
from bshtrain.content.render import rubric_html, task_html
from bshtrain.content.tasks import NO_TASK, Task
from bshtrain.content.vocab import BARRIER_CLASSES
from bshtrain.engine.choice_group import ChoiceGroup
from bshtrain.teaching.plan import (
    HOW_OFTEN,
    REMINDERS,
    REVIEW_LABELS,
    REVIEW_WHEN,
    HomeworkPlan,
    Obstacle,
)
from bshtrain.teaching.rubric import RubricResult, score_plan

LABEL = {"description_width": "15em"}
WIDE = w.Layout(width="95%", max_width="60em")
NARROW = w.Layout(width="30em")  # includes the 15em label
# Let long checkbox labels (maintaining factors) wrap instead of being cut off.
FORM_STYLE = (
    "<style>.bsh-form .widget-checkbox{height:auto;margin:0.25em 0}"
    ".bsh-form .widget-checkbox label, .bsh-form .widget-checkbox span"
    "{white-space:normal;overflow:visible;text-overflow:clip;line-height:1.35}</style>"
)
OBSTACLE_ROWS = 3
OBSTACLE_KINDS = BARRIER_CLASSES
KIND_CHOICES = [("- what kind? -", ""), *((kind, kind) for kind in OBSTACLE_KINDS)]
MINUTES = [("- choose -", 0), *((f"{m} minutes", m) for m in (2, 5, 10, 15, 20, 30, 45, 60, 90))]
NOT_ASKED = -1
RATINGS = [("not asked yet", NOT_ASKED)] + [(str(i), i) for i in range(11)]
REVIEW_OPTIONS = [("- choose -", ""), *((REVIEW_LABELS[r], r) for r in REVIEW_WHEN)]


def _heading(text: str) -> w.HTML:
    return w.HTML(f"<h4 style='margin:0.8em 0 0.2em'>{text}</h4>")


def _text(label: str, placeholder: str = "", area: bool = False) -> w.Text | w.Textarea:
    cls = w.Textarea if area else w.Text
    return cls(description=label, placeholder=placeholder, style=LABEL, layout=WIDE)


def _rating(value: int) -> int | None:
    return None if value == NOT_ASKED else value


class PlanForm:
    """A homework-plan form for one case. It holds no answers of its own: `plan` is derived."""

    def __init__(
        self,
        case: Case,
        catalogue: dict[str, Task],
        plan: HomeworkPlan | None = None,
        on_change: Callable[[HomeworkPlan], None] | None = None,
    ):
        self.case = case
        self.catalogue = catalogue
        self.on_change = on_change
        self._quiet = False
        self.last_result: RubricResult | None = None

        tasks = sorted(catalogue.values(), key=lambda t: t.name.lower())
        self.task = w.Dropdown(
            description="Task",
            options=[("- choose a task -", "")] + [(t.name, t.id) for t in tasks]
            + [("No task this week", NO_TASK)],
            style=LABEL, layout=WIDE)
        self.task_info = w.HTML()
        self.variant = ChoiceGroup(label="Version", value="full",
                                   options=[["Full version", "full"], ["Smaller version", "smaller"]])
        self.targets = [
            w.Checkbox(description=f.description, indent=False, layout=WIDE)
            for f in case.formulation.maintaining_factors]
        self.builds_on = w.Dropdown(
            description="Builds on (this session)",
            options=[("- choose -", "")] + [(t.text, t.id) for t in case.session.takeaways],
            style=LABEL, layout=WIDE)
        self.goal = w.Dropdown(
            description="Client goal it serves",
            options=[("- choose -", "")] + [(g.text, g.id) for g in case.goals],
            style=LABEL, layout=WIDE)
        self.rationale = _text("Rationale (short)", "Why this helps, in words the client uses",
                               area=True)
        self.what = _text("What exactly", "What the client will do, step by step", area=True)
        self.when = _text("When", "e.g. after breakfast on Monday, Wednesday and Friday")
        self.where = _text("Where", "e.g. at the kitchen table")
        self.how_often = w.Dropdown(description="How often",
                                    options=[("- choose -", "")] + [(h, h) for h in HOW_OFTEN],
                                    style=LABEL, layout=NARROW)
        self.minutes = w.Dropdown(description="Minutes each time", options=MINUTES,
                                  style=LABEL, layout=NARROW)
        self.client_input = _text("Client's own input", "What the client suggested or changed",
                                  area=True)
        self.client_chose = w.Checkbox(description="The client chose or shaped this task",
                                       indent=False)
        self.obstacle_rows = [
            (w.Dropdown(description=f"Obstacle {i + 1}: kind", options=KIND_CHOICES, value="",
                        style=LABEL, layout=NARROW),
             _text(f"Obstacle {i + 1}: what", "What might get in the way"),
             _text(f"Obstacle {i + 1}: plan", "What the client will do then"))
            for i in range(OBSTACLE_ROWS)]
        self.backup = _text("Backup plan", "If the plan cannot happen, the client will ...")
        self.written_summary = w.Checkbox(description="Written summary given to the client",
                                          indent=False)
        self.reminder = w.Dropdown(description="Reminder", options=list(REMINDERS), style=LABEL,
                                   layout=WIDE)
        self.willingness = w.Dropdown(description="Willingness (0-10)", options=RATINGS,
                                      style=LABEL, layout=NARROW)
        self.confidence = w.Dropdown(description="Confidence they can (0-10)", options=RATINGS,
                                     style=LABEL, layout=NARROW)
        self.review = w.Dropdown(description="Review", options=REVIEW_OPTIONS, style=LABEL,
                                 layout=WIDE)
        self.check_button = w.Button(description="Check my plan", button_style="info",
                                     tooltip="Show rubric hints for this plan")
        self.save_button = w.Button(description="Save now", tooltip="Save your answers to the file")
        self.feedback = w.HTML()
        self.status = w.HTML()

        self.widget = w.VBox([
            w.HTML(FORM_STYLE),
            _heading("1. Choose the task"), self.task, self.task_info, self.variant,
            w.HTML("<p>What keeps the problem going that this task targets (tick any):</p>"),
            *self.targets, self.builds_on,
            _heading("2. Why, and the client's part"), self.goal, self.rationale,
            self.client_input, self.client_chose,
            _heading("3. Make it specific"), self.what, self.when, self.where, self.how_often,
            self.minutes,
            _heading("4. Obstacles and a backup"),
            *[w.VBox(list(row)) for row in self.obstacle_rows], self.backup,
            _heading("5. Written down, agreed, reviewed"), self.written_summary, self.reminder,
            self.willingness, self.confidence, self.review,
            w.HBox([self.check_button, self.save_button]), self.status, self.feedback,
        ], layout=w.Layout(max_width="64em"))
        self.widget.add_class("bsh-form")

        self.plan = plan or HomeworkPlan()
        for control in self._controls():
            control.observe(self._changed, names="value")
        self.check_button.on_click(lambda _b: self.check())
        self.save_button.on_click(lambda _b: self.save())

    def _controls(self) -> list[w.ValueWidget]:
        rows = [c for row in self.obstacle_rows for c in row]
        return [self.task, self.variant, *self.targets, self.builds_on, self.goal, self.rationale,
                self.what, self.when, self.where, self.how_often, self.minutes, self.client_input,
                self.client_chose, *rows, self.backup, self.written_summary, self.reminder,
                self.willingness, self.confidence, self.review]

    @property
    def plan(self) -> HomeworkPlan:
        """The plan the controls show now."""
        factors = self.case.formulation.maintaining_factors
        return HomeworkPlan(
            task=self.task.value, variant=self.variant.value,
            targets=[f.id for f, box in zip(factors, self.targets, strict=True) if box.value],
            builds_on=self.builds_on.value, goal=self.goal.value, rationale=self.rationale.value,
            what=self.what.value, when=self.when.value, where=self.where.value,
            how_often=self.how_often.value, minutes=self.minutes.value,
            client_input=self.client_input.value, client_chose=self.client_chose.value,
            obstacles=[Obstacle(kind=k.value, obstacle=o.value, plan=p.value)
                       for k, o, p in self.obstacle_rows if o.value.strip() or p.value.strip()],
            backup=self.backup.value, written_summary=self.written_summary.value,
            reminder=self.reminder.value, willingness=_rating(self.willingness.value),
            confidence=_rating(self.confidence.value), review=self.review.value)

    @plan.setter
    def plan(self, plan: HomeworkPlan) -> None:
        self._quiet = True
        try:
            self.task.value = plan.task if plan.task in (*self.catalogue, NO_TASK) else ""
            self.variant.value = plan.variant
            factors = self.case.formulation.maintaining_factors
            for f, box in zip(factors, self.targets, strict=True):
                box.value = f.id in plan.targets
            self.builds_on.value = plan.builds_on if self.case.takeaway(plan.builds_on) else ""
            self.goal.value = plan.goal if self.case.goal(plan.goal) else ""
            if plan.minutes not in {m for _, m in self.minutes.options}:
                self.minutes.options = sorted({*self.minutes.options,
                                               (f"{plan.minutes} minutes", plan.minutes)},
                                              key=lambda o: o[1])
            for name in ("rationale", "what", "when", "where", "how_often", "minutes",
                         "client_input", "client_chose", "backup", "written_summary",
                         "reminder", "review"):
                getattr(self, name).value = getattr(plan, name)
            for name in ("willingness", "confidence"):
                rating = getattr(plan, name)
                getattr(self, name).value = NOT_ASKED if rating is None else rating
            for i, (kind, obstacle, how) in enumerate(self.obstacle_rows):
                given = plan.obstacles[i] if i < len(plan.obstacles) else None
                kind.value = given.kind if given else ""
                obstacle.value = given.obstacle if given else ""
                how.value = given.plan if given else ""
        finally:
            self._quiet = False
        self._show_task()

    def _show_task(self) -> None:
        task = self.catalogue.get(self.task.value)
        self.task_info.value = task_html(task, set(self.case.risk.flags)) if task else ""

    def _changed(self, change: dict) -> None:
        if change.get("owner") is self.task:
            self._show_task()
        if not self._quiet:
            self.save()

    def save(self) -> None:
        """Hand the current plan to whoever stores it (the trainee's action)."""
        if self.on_change is not None:
            self.on_change(self.plan)

    def check(self) -> RubricResult:
        """Score the plan with the rubric and show the hints."""
        self.last_result = score_plan(self.plan, self.case, self.catalogue)
        self.feedback.value = rubric_html(self.last_result)
        return self.last_result
