"""Pieces every exercise form is built from: labelled choices, status lines, display order.

Thin widgets over plain data: a form reads the exercise's answers, and each change calls
`exercise.update(...)`, which validates and saves. Every control has a visible label tied to
it and works from the keyboard (radio groups move with the arrow keys).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as w

from bshtrain.content.bibliography import CITATION
from bshtrain.engine.choice_group import ChoiceGroup

FORM_CSS = (
    "<style>"
    ".bsh-form .widget-radio-box label{white-space:normal;line-height:1.35;margin:0.2em 0;"
    "display:flex;gap:0.5em;align-items:flex-start;height:auto}"
    ".bsh-form .widget-radio-box input{margin-top:0.25em;flex:none}"
    ".bsh-form .widget-radio{width:100%;max-width:62em}"
    ".bsh-form .widget-radio .widget-label{font-weight:600;white-space:normal;width:100%;"
    "max-width:62em}"
    ".bsh-form .widget-radio{flex-direction:column;align-items:stretch}"
    ".bsh-form .widget-checkbox{height:auto;margin:0.3em 0;max-width:62em}"
    ".bsh-form .widget-checkbox label.widget-label-basic{display:flex;gap:0.55em;"
    "align-items:flex-start;height:auto;margin:0}"
    ".bsh-form .widget-checkbox input[type=checkbox]{flex:none;margin:0.2em 0 0 0.15em;"
    "align-self:flex-start}"
    ".bsh-form .widget-checkbox label,.bsh-form .widget-checkbox span{white-space:normal;"
    "overflow:visible;text-overflow:clip;line-height:1.35}"
    ".bsh-form .widget-dropdown{flex-wrap:wrap}"
    ".bsh-form .widget-dropdown .widget-label{white-space:normal;width:100%;font-weight:600}"
    ".bsh-form .widget-dropdown select{max-width:62em}"
    ".bsh-form textarea{font-family:inherit}"
    ".bsh-form textarea::placeholder{font-family:inherit}"
    ".bsh-status{margin:0.3em 0;color:#333}"
    ".bsh-status-near p{margin:0.2em 0 0.4em;font-size:0.92em}"
    ".bsh-hints{margin:0.3em 0;padding-left:1.4em}"
    ".bsh-hints li{margin:0.15em 0;line-height:1.35}"
    ".bsh-cite{color:#666;font-size:0.88em}"
    "</style>"
)
WIDE = w.Layout(width="100%", max_width="62em")


def display_order(items: Sequence, seed: str) -> list:
    """A stable, per-trainee order, so the best option is not always in one place."""
    def rank(item) -> bytes:
        return hashlib.sha256(f"{seed}:{getattr(item, 'id', item)}".encode()).digest()
    return sorted(items, key=rank)


def heading(text: str, level: int = 3) -> w.HTML:
    return w.HTML(f"<h{level} style='margin:0.9em 0 0.2em'>{escape(text)}</h{level}>")


def radio(label: str, choices: Sequence[tuple[str, str]], value: str,
          on_change: Callable[[str], None]) -> ChoiceGroup:
    """A labelled group of options (one Tab stop; arrow keys move the choice)."""
    ids = [v for _, v in choices]
    widget = ChoiceGroup(label=label, options=[list(c) for c in choices],
                         value=value if value in ids else "")
    widget.observe(lambda change: on_change(change["new"] or ""), names="value")
    return widget


def dropdown(label: str, choices: Sequence[tuple[str, str]], value: str,
             on_change: Callable[[str], None], placeholder: str = "- choose -") -> w.Dropdown:
    ids = [v for _, v in choices]
    widget = w.Dropdown(description=label, options=[(placeholder, ""), *choices],
                        value=value if value in ids else "",
                        style={"description_width": "initial"}, layout=WIDE)
    widget.observe(lambda change: on_change(change["new"] or ""), names="value")
    return widget


class StatusLine:
    """A live status line (role=status) at the top and the bottom of a form, and a short one
    beside each part of it (`near`), so a save is confirmed where the trainee is working."""

    def __init__(self) -> None:
        self.widgets = (w.HTML(), w.HTML())
        self.spots: list[w.HTML] = []
        for widget in self.widgets:
            widget.add_class("bsh-status")

    def near(self) -> w.HTML:
        """A status line to place beside one part of the form."""
        spot = w.HTML()
        spot.add_class("bsh-status")
        spot.add_class("bsh-status-near")
        self.spots.append(spot)
        return spot

    def say(self, text: str, problem: bool = False, near: w.HTML | None = None) -> None:
        """Say `text` at the top and the bottom, and beside the part `near` (the others'
        short lines are cleared, so only the last change is confirmed beside its part)."""
        role = "alert" if problem else "status"
        colour = "#b00" if problem else "#333"
        html = f"<p role='{role}' style='color:{colour}'>{escape(text)}</p>" if text else ""
        for widget in self.widgets:
            widget.value = html
        for spot in self.spots:
            spot.value = html if spot is near else ""


def hint_html(hint: str) -> str:
    """One hint as escaped HTML, its citations in parentheses set in a quieter style."""
    return CITATION.sub(lambda m: f"<span class='bsh-cite'>({m.group(1)})</span>", escape(hint))


class FormBase:
    """What every exercise form shares: each change saved through the exercise, the status
    lines at the top and the bottom, and the Check hints (from shipped content only)."""

    def __init__(self, exercise):
        self.ex = exercise
        self.status = StatusLine()
        self.hints = w.HTML()
        self._quiet = False  # set while the form fills itself, so nothing is saved
        self._near: dict[str, w.HTML] = {}  # answer field -> the status line beside its part

    def status_near(self, *fields: str) -> w.HTML:
        """A status line beside the part of the form that holds `fields`."""
        spot = self.status.near()
        for name in fields:
            self._near[name] = spot
        return spot

    def _save(self, *, near: w.HTML | None = None, **fields) -> None:
        """Save changed answers; say what happened where the trainee is working (`near`, or
        the status line placed beside these fields)."""
        if self._quiet:
            return
        near = near or next((self._near[name] for name in fields if name in self._near), None)
        try:
            note = self.ex.update(**fields)
        except ValueError as exc:
            self.status.say(f"That answer was not accepted: {exc}", problem=True, near=near)
            return
        self.status.say(note, problem=self.ex.save_failed, near=near)

    def say_loaded(self) -> None:
        """Say whether earlier answers were loaded, or why they could not be."""
        if self.ex.loaded:
            self.status.say(f"Your saved answers were loaded from {self.ex.store.path}.")
        elif self.ex.load_error:
            self.status.say(self.ex.load_error, problem=True)

    def show_hints(self) -> None:
        """Formative hints from shipped content (never the key), citations set quieter."""
        items = "".join(f"<li>{hint_html(h)}</li>"
                        for h in self.ex.spec.hints(self.ex.answers, self.ex.case))
        self.hints.value = f"<ul role='status' class='bsh-hints'>{items}</ul>"
