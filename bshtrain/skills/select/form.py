"""The select form: for each drawn case, the task (or none and the next step), what it works
on, and the deciding line. Thin widgets over SelectAnswers; every change is saved."""

from __future__ import annotations

from html import escape

import ipywidgets as w
from IPython.display import display

from bshtrain.content.tasks import NO_TASK
from bshtrain.engine.form_host import FORM_CSS, FormBase, display_order, heading, radio
from bshtrain.skills.select.model import MAX_FACTORS, ItemAnswer


class SelectForm(FormBase):
    """One section per case; `refresh()` re-reads the answers."""

    def __init__(self, exercise):
        super().__init__(exercise)
        self.items = exercise.case.items
        self.rows: dict[str, dict] = {}
        sections = []
        for n, item in enumerate(self.items, 1):
            seed = f"{exercise.trainee}:{item.id}"
            answer = exercise.answers.items.get(item.id, ItemAnswer())
            row: dict = {}
            row["task"] = radio(f"{n}. {item.name}: which task, at which size, or none this week?",
                                [(t.text, t.id) for t in display_order(item.tasks, f"{seed}:task")],
                                answer.task, lambda v, i=item.id: self._set(i, task=v))
            row["next_step"] = radio(f"{item.name}: with no new task this week, what do you do instead?",
                                     [(s.text, s.id) for s in display_order(item.next_steps, f"{seed}:next")],
                                     answer.next_step, lambda v, i=item.id: self._set(i, next_step=v))
            row["factors"] = {f.id: w.Checkbox(description=f.text, indent=False, value=f.id in answer.factors,
                                               layout=w.Layout(width="100%"))
                              for f in display_order(item.factors, f"{seed}:factors")}
            for box in row["factors"].values():
                box.observe(lambda change, i=item.id: self._factors(i, change), names="value")
            row["note"] = w.HTML()
            row["saved"] = self.status.near()
            row["fact"] = radio(f"{item.name}: which one line of the case decides it?",
                                [(f.text, f.id) for f in display_order(item.facts, f"{seed}:facts")],
                                answer.fact, lambda v, i=item.id: self._set(i, fact=v))
            self.rows[item.id] = row
            sections.append(w.VBox([
                heading(f"Case {n} of {len(self.items)}: {item.name}, {item.age}", 3),
                w.HTML(f"<p style='max-width:62em'>{escape(item.vignette.strip())}</p>"),
                row["task"], row["next_step"],
                w.HTML(f"<p><b>What does your choice work on?</b> (at most {MAX_FACTORS})</p>"),
                w.VBox(list(row["factors"].values())), row["note"], row["fact"], row["saved"],
            ]))
        first = self.items[0].name if self.items else "your first case"
        self.justification = w.Textarea(
            description=f"Justify your choice for {first} in two sentences",
            value=exercise.answers.justification, continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="62em", height="8em", flex_flow="column"))
        self.justification.observe(lambda c: self._save(justification=c["new"]), names="value")
        self.check_button = w.Button(description="Check my choices", tooltip="Hints, without the key")
        self.check_button.on_click(lambda _: self.show_hints())
        self.widget = w.VBox([w.HTML(FORM_CSS), self.status.widgets[0],
                              w.HTML("<p>Every change is saved at once. Tab moves between groups; "
                                     "the arrow keys change a choice.</p>"),
                              *sections, heading("Your justification (graded by your instructor)", 3),
                              self.justification, self.status_near("justification"),
                              self.check_button, self.hints,
                              self.status.widgets[1]])
        self.widget.add_class("bsh-form")
        self._show_routes()
        self.say_loaded()

    def _answer(self, item_id: str) -> ItemAnswer:
        return self.ex.answers.items.get(item_id, ItemAnswer())

    def _set(self, item_id: str, **fields) -> None:
        if self._quiet:
            return
        answer = self._answer(item_id).model_copy(update=fields)
        self._save(items={item_id: answer.model_dump()}, near=self.rows[item_id]["saved"])
        self._show_routes()

    def _factors(self, item_id: str, change) -> None:
        if self._quiet:
            return
        row = self.rows[item_id]
        ticked = [fid for fid, box in row["factors"].items() if box.value]
        if len(ticked) > MAX_FACTORS:
            self._quiet = True
            change["owner"].value = False
            self._quiet = False
            row["note"].value = f"<p role='alert'>At most {MAX_FACTORS}.</p>"
            return
        row["note"].value = ""
        self._set(item_id, factors=ticked)

    def _show_routes(self) -> None:
        for item in self.items:
            choice = next((t for t in item.tasks if t.id == self._answer(item.id).task), None)
            no_task = choice is not None and choice.task == NO_TASK
            self.rows[item.id]["next_step"].layout.display = None if no_task else "none"

    def refresh(self) -> None:
        self._quiet = True
        for item in self.items:
            answer, row = self._answer(item.id), self.rows[item.id]
            for field in ("task", "next_step", "fact"):
                value = getattr(answer, field)
                row[field].value = value if value in {o[1] for o in row[field].options} else ""
            for fid, box in row["factors"].items():
                box.value = fid in answer.factors
        self.justification.value = self.ex.answers.justification
        self._quiet = False
        self._show_routes()


def build_form(exercise) -> SelectForm:
    form = SelectForm(exercise)
    display(form.widget)
    return form
