"""The plan form: thin widgets over PlanAnswers. Every change is saved through the exercise.

Options are shown in a per-trainee order (so the best option is not always in one place).
"Ask the client" shows the client's scripted replies and the ratings the authored rules give,
and keeps that version of the plan in the answers file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import ipywidgets as w
from IPython.display import display

from bshtrain.content.tasks import NO_TASK
from bshtrain.engine.choice_group import ChoiceGroup
from bshtrain.engine.client import client_answer
from bshtrain.engine.form_host import FORM_CSS, FormBase, display_order, dropdown, heading, radio
from bshtrain.engine.options import case_options
from bshtrain.skills.plan.model import MAX_OBSTACLES, MAX_TARGETS, ObstacleChoice


class PlanForm(FormBase):
    """The plan form for one exercise session; `refresh()` re-reads the answers."""

    def __init__(self, exercise):
        super().__init__(exercise)
        self.options = case_options("plan", exercise.case.id)
        self.seed = f"{exercise.trainee}:{exercise.case.id}"
        self.choices: dict[str, ChoiceGroup] = {}
        for part in self.options.parts:
            if part == "obstacles":
                continue
            spec = self.options.parts[part]
            ordered = display_order(spec.options, f"{self.seed}:{part}")
            self.choices[part] = radio(spec.prompt, [(o.text, o.id) for o in ordered],
                                       getattr(exercise.answers, part, ""),
                                       lambda value, part=part: self._set(part, value))
        factors = exercise.case.formulation.maintaining_factors
        self.targets = {
            f.id: w.Checkbox(description=f.description.strip(), indent=False,
                             value=f.id in exercise.answers.targets, layout=w.Layout(width="100%"))
            for f in display_order(factors, f"{self.seed}:targets")}
        for widget in self.targets.values():
            widget.observe(self._targets_changed, names="value")
        self.target_note = w.HTML()
        self.obstacle_rows = [self._obstacle_row(i) for i in range(MAX_OBSTACLES)]
        self.ask_button = w.Button(description="Ask the client", button_style="primary",
                                   tooltip="Put this version of the plan to the client")
        self.ask_button.on_click(lambda _: self.ask_client())
        self.client_says = w.HTML()
        self.rationale = w.Textarea(
            description="Your rationale, as you would say it to the client",
            value=exercise.answers.rationale, continuous_update=False,
            placeholder="Four to six sentences, in plain words ...",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="62em", height="12em", flex_flow="column"))
        self.rationale.observe(lambda c: self._set("rationale", c["new"]), names="value")
        self.check_button = w.Button(description="Check my plan", tooltip="Hints, without the key")
        self.check_button.on_click(lambda _: self.show_hints())
        self.no_task_box = w.VBox([heading("No new task this week", 4),
                                   *(self.choices[p] for p in ("no_task_reason", "next_step")
                                     if p in self.choices),
                                   self.status_near("no_task_reason", "next_step")])
        plan_parts = [p for p in ("step", "when", "where", "dose") if p in self.choices]
        self.plan_box = w.VBox([
            heading("2. The plan, part by part", 3), *(self.choices[p] for p in plan_parts),
            self.status_near(*plan_parts),
            heading("3. Obstacles this client may meet, and what to do about each", 3),
            w.HTML(f"<p>{escape(self.options.parts['obstacles'].prompt)} Choose up to "
                   f"{MAX_OBSTACLES}, and for each the plan you agree.</p>"
                   if "obstacles" in self.options.parts else ""),
            *(row["box"] for row in self.obstacle_rows), self.status_near("obstacles"),
            heading("4. Written down, reminded, reviewed", 3),
            *(self.choices[p] for p in ("written", "reminder", "review") if p in self.choices),
            self.status_near("written", "reminder", "review"),
        ])
        self.widget = w.VBox([
            w.HTML(FORM_CSS), self.status.widgets[0],
            w.HTML("<p>Every change is saved at once. Use the Tab key to move between groups and "
                   "the arrow keys to change a choice.</p>"),
            heading("1. Task and size", 3), self.choices["task"],
            heading(f"What the task targets (at most {MAX_TARGETS})", 4),
            w.VBox(list(self.targets.values())), self.target_note,
            self.status_near("task", "targets"),
            self.no_task_box, self.plan_box,
            heading("5. Ask the client", 3), self.ask_button, self.client_says,
            self.status_near("asks"),
            heading("6. Your rationale (graded by your instructor)", 3), self.rationale,
            self.status_near("rationale"),
            self.check_button, self.hints, self.status.widgets[1],
        ])
        self.widget.add_class("bsh-form")
        self._show_route()
        self.say_loaded()

    # --- obstacles ---------------------------------------------------------------------
    def _obstacle_row(self, i: int) -> dict:
        spec = self.options.parts.get("obstacles")
        ordered = display_order(spec.options, f"{self.seed}:obstacles") if spec else []
        rows = self.ex.answers.obstacles
        current = rows[i] if i < len(rows) else ObstacleChoice()
        obstacle = dropdown(f"Obstacle {i + 1}", [(o.text, o.id) for o in ordered],
                            current.obstacle, lambda _v, i=i: self._obstacles_changed(i),
                            placeholder="- none -")
        response = dropdown(f"What to do about obstacle {i + 1}", [], "",
                            lambda _v, i=i: self._obstacles_changed(i), placeholder="- choose -")
        row = {"obstacle": obstacle, "response": response,
               "box": w.VBox([obstacle, response], layout=w.Layout(margin="0 0 0.6em 0"))}
        self._fill_responses(row, current.response)
        return row

    def _fill_responses(self, row: dict, value: str) -> None:
        option = self.options.option(row["obstacle"].value) if row["obstacle"].value else None
        responses = display_order(option.responses, f"{self.seed}:{option.id}") if option else []
        row["for"] = option.id if option else ""
        was = self._quiet
        self._quiet = True
        row["response"].options = [("- choose -", ""), *[(r.text, r.id) for r in responses]]
        row["response"].value = value if value in {r.id for r in responses} else ""
        row["response"].disabled = option is None
        self._quiet = was

    def _obstacles_changed(self, i: int) -> None:
        if self._quiet:
            return
        row = self.obstacle_rows[i]
        if row.get("for") != row["obstacle"].value:  # a new obstacle: offer its own plans
            self._fill_responses(row, "")
        chosen = [ObstacleChoice(obstacle=r["obstacle"].value, response=r["response"].value)
                  for r in self.obstacle_rows if r["obstacle"].value]
        self._save(obstacles=[c.model_dump() for c in chosen])

    # --- changes -----------------------------------------------------------------------
    def _set(self, part: str, value: str) -> None:
        if self._quiet:
            return
        self._save(**{part: value})
        if part == "task":
            self._show_route()

    def _targets_changed(self, change) -> None:
        if self._quiet:
            return
        ticked = [fid for fid, box in self.targets.items() if box.value]
        if len(ticked) > MAX_TARGETS:
            self._quiet = True
            change["owner"].value = False
            self._quiet = False
            self.target_note.value = (f"<p role='alert'>At most {MAX_TARGETS}: name the factors "
                                      "this task works on most directly.</p>")
            return
        self.target_note.value = ""
        # keep the trainee's order of ticking for the file; the order does not affect scoring
        previous = [t for t in self.ex.answers.targets if t in ticked]
        self._save(targets=previous + [t for t in ticked if t not in previous])

    def _show_route(self) -> None:
        option = self.options.option(self.ex.answers.task)
        no_task = option is not None and option.task == NO_TASK
        self.no_task_box.layout.display = None if no_task else "none"
        self.plan_box.layout.display = "none" if no_task else None

    # --- ask and check -------------------------------------------------------------------
    def ask_client(self) -> None:
        answers = self.ex.answers
        said = client_answer(self.options, answers.chosen_ids())
        asks = [*answers.asks, answers.snapshot(datetime.now(UTC).isoformat(timespec="seconds"))]
        self._save(asks=[a.model_dump() for a in asks[-50:]])
        replies = "".join(f"<li>\u201c{escape(r)}\u201d</li>" for r in said.replies) or \
            "<li>The client listens and waits for more detail.</li>"
        self.client_says.value = (
            f"<div role='status'><p><b>{escape(self.ex.case.name)} says:</b></p><ul>{replies}</ul>"
            f"<p>Willingness {said.willingness}/10, confidence {said.confidence}/10.</p>"
            f"<p style='color:#555'><i>{escape(self.options.simulation_note)}</i></p></div>")

    def refresh(self) -> None:
        """Show the exercise's current answers (after a code answer)."""
        self._quiet = True
        answers = self.ex.answers
        for part, widget in self.choices.items():
            value = getattr(answers, part, "")
            widget.value = value if value in {o[1] for o in widget.options} else ""
        for fid, box in self.targets.items():
            box.value = fid in answers.targets
        for i, row in enumerate(self.obstacle_rows):
            current = answers.obstacles[i] if i < len(answers.obstacles) else ObstacleChoice()
            ids = {o[1] for o in row["obstacle"].options}
            row["obstacle"].value = current.obstacle if current.obstacle in ids else ""
            self._fill_responses(row, current.response)
        self.rationale.value = answers.rationale
        self._quiet = False
        self._show_route()


def build_form(exercise) -> PlanForm:
    form = PlanForm(exercise)
    display(form.widget)
    return form
