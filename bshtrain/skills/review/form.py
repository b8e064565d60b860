"""The review form: lead the conversation a turn at a time, then decide together.

The transcript grows as the trainee chooses lines; the client's reply follows each line. A
line can be taken back (the path is saved as it stands after each step).
"""

from __future__ import annotations

from html import escape

import ipywidgets as w
from IPython.display import display

from bshtrain.engine.form_host import FORM_CSS, FormBase, display_order, heading, radio
from bshtrain.skills.review.content import dialogue
from bshtrain.skills.review.walk import walk


class ReviewForm(FormBase):
    def __init__(self, exercise):
        super().__init__(exercise)
        self.talk = dialogue(exercise.case.id)
        self.seed = f"{exercise.trainee}:{exercise.case.id}"
        self.transcript = w.HTML()
        self.client_now = w.HTML()
        self.lines = radio("What do you say?", [], "", lambda _v: None)
        self.say_button = w.Button(description="Say this", button_style="primary",
                                   tooltip="Say the chosen line to the client")
        self.say_button.on_click(lambda _: self.say())
        self.back_button = w.Button(description="Take back my last line",
                                    tooltip="Remove your last line and choose again")
        self.back_button.on_click(lambda _: self.take_back())
        self.turn_box = w.VBox([self.client_now, self.lines,
                                w.HBox([self.say_button, self.back_button]),
                                self.status_near("path")])
        self.decision = radio("What do you decide together about the task?",
                              [(d.text, d.id) for d in display_order(self.talk.decisions,
                                                                     f"{self.seed}:decision")],
                              exercise.answers.decision, lambda v: self._save(decision=v))
        self.free_line = w.Textarea(
            description=self.talk.free_line_prompt, value=exercise.answers.free_line,
            continuous_update=False, style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="62em", height="7em", flex_flow="column"))
        self.free_line.observe(lambda c: self._save(free_line=c["new"]), names="value")
        self.end_box = w.VBox([heading("The decision", 3), self.decision,
                               self.status_near("decision"), self.back_button_end()])
        self.check_button = w.Button(description="Check my review", tooltip="Hints, without the key")
        self.check_button.on_click(lambda _: self.show_hints())
        self.widget = w.VBox([
            w.HTML(FORM_CSS), self.status.widgets[0],
            w.HTML(f"<p style='max-width:62em'>{escape(self.talk.setting_the_scene.strip())}</p>"
                   f"<p style='color:#555'><i>{escape(self.talk.simulation_note)}</i></p>"),
            heading("The conversation", 3), self.transcript, self.turn_box, self.end_box,
            heading("Your next line, in your own words (graded by your instructor)", 3),
            self.free_line, self.status_near("free_line"), self.check_button, self.hints,
            self.status.widgets[1]])
        self.widget.add_class("bsh-form")
        self.refresh()
        self.say_loaded()

    def back_button_end(self) -> w.Button:
        button = w.Button(description="Take back my last line", tooltip="Go back into the conversation")
        button.on_click(lambda _: self.take_back())
        return button

    def say(self) -> None:
        if not self.lines.value:
            self.status.say("Choose a line first.", problem=True)
            return
        self._save(path=[*self.ex.answers.path, self.lines.value])
        self.refresh()

    def take_back(self) -> None:
        if self.ex.answers.path:
            self._save(path=self.ex.answers.path[:-1], decision="")
            self.refresh()

    def refresh(self) -> None:
        """Show the conversation as the answers stand."""
        from bshtrain.skills.review.spec import transcript

        self._quiet = True
        answers = self.ex.answers
        done = walk(self.talk, answers.path)
        said = transcript(answers, self.ex.case)
        if done.current is not None and done.current.client_says:
            said = said[:-1]  # shown below, with the lines to answer it
        rows = "".join(f"<p><b>{escape(speaker)}:</b> {escape(words)}</p>" for speaker, words in said)
        self.transcript.value = f"<div role='log' aria-live='polite'>{rows}</div>"
        if done.current is not None:
            turn = done.current
            now = turn.client_says or f"{self.ex.case.name} waits for you to begin."
            self.client_now.value = f"<p><b>{escape(self.ex.case.name)}:</b> {escape(now)}</p>"
            shown = display_order(turn.lines, f"{self.seed}:{turn.id}")
            self.lines.options = [[ln.text, ln.id] for ln in shown]
            self.lines.value = ""
            self.turn_box.layout.display = None
            self.end_box.layout.display = "none"
            self.back_button.disabled = not answers.path
        else:
            self.turn_box.layout.display = "none"
            self.end_box.layout.display = None
            ids = {o[1] for o in self.decision.options}
            self.decision.value = answers.decision if answers.decision in ids else ""
        self.free_line.value = answers.free_line
        self._quiet = False



def build_form(exercise) -> ReviewForm:
    form = ReviewForm(exercise)
    display(form.widget)
    return form
