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
    ".bsh-form .widget-checkbox{height:auto;margin:0.25em 0}"
    ".bsh-form .widget-checkbox label,.bsh-form .widget-checkbox span{white-space:normal;"
    "overflow:visible;text-overflow:clip;line-height:1.35}"
    ".bsh-form .widget-dropdown{flex-wrap:wrap}"
    ".bsh-form .widget-dropdown .widget-label{white-space:normal;width:100%;font-weight:600}"
    ".bsh-form .widget-dropdown select{max-width:62em}"
    ".bsh-form textarea{font-family:inherit}"
    ".bsh-status{margin:0.3em 0;color:#333}"
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
    """A live status line (role=status), shown at the top and the bottom of a form."""

    def __init__(self) -> None:
        self.widgets = (w.HTML(), w.HTML())
        for widget in self.widgets:
            widget.add_class("bsh-status")

    def say(self, text: str, problem: bool = False) -> None:
        role = "alert" if problem else "status"
        colour = "#b00" if problem else "#333"
        html = f"<p role='{role}' style='color:{colour}'>{escape(text)}</p>" if text else ""
        for widget in self.widgets:
            widget.value = html
