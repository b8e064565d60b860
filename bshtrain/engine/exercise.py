"""An exercise as a trainee meets it: the case, the answers kept in the file, the code twin.

Generic over exercises: what differs (model, form, ids, hints) comes from the ExerciseSpec.
Answers are written only on the trainee's action, never while grading and never in the
instructor's solutions/ folder (design section 3).
"""

from __future__ import annotations

import importlib
import textwrap
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bshtrain.content.loading import describe_error
from bshtrain.engine.answers import AnswersFileError, AnswerStore, grading_mode
from bshtrain.engine.grading import in_instructor_source
from bshtrain.engine.identity import current_student
from bshtrain.engine.spec import ExerciseSpec, spec_for

# The exercise opened in this kernel in the instructor's solutions/ folder, where nothing is
# saved: `nbgrader validate` grades the solution from it (never used in a trainee's folder).
_PREVIEWS: dict[str, Exercise] = {}


def preview_answers(exercise_id: str, folder: Path | str = ".") -> Exercise | None:
    """The instructor preview opened in this kernel for `folder`, if any."""
    ex = _PREVIEWS.get(exercise_id)
    if ex is not None and ex.folder.resolve() == Path(folder).resolve():
        return ex
    return None


def notice(text: str, kind: str = "warning", detail: str = "") -> None:
    """A message in the notebook (plain text while grading); `detail` is folded below."""
    if grading_mode():
        print(text + (f"\n{detail}" if detail else ""))
        return
    from IPython.display import HTML, display  # not needed to grade: imported when shown

    border = "#b00" if kind == "warning" else "#555"
    folded = (f"<details><summary>Technical detail (for your instructor)</summary>"
              f"<pre style='white-space:pre-wrap'>{escape(detail)}</pre></details>" if detail else "")
    display(HTML(f"<div role='alert' style='border-left:4px solid {border};padding:0.4em 0.8em;"
                 f"white-space:pre-wrap'>{escape(text)}{folded}</div>"))


class Exercise:
    """One trainee's work on one exercise, kept in `answers/<exercise>.json`."""

    def __init__(self, spec: ExerciseSpec, folder: Path | str = "."):
        self.spec = spec
        self.folder = Path(folder)
        self.store = AnswerStore(spec.id, spec.answers_model, self.folder)
        self.trainee = current_student(self.folder)
        self.case = spec.case_for_student(self.trainee)
        self.answers: Any = spec.answers_model()
        self.loaded = False  # answers came from the file
        self.load_error = ""
        self.last_save = ""  # what the last save said, for the form's status lines
        self.save_failed = False
        self.preview = in_instructor_source(self.folder)
        self._form = None
        self._load()
        if self.preview:
            _PREVIEWS[spec.id] = self
        if self.preview and not grading_mode():
            notice("Instructor preview: this notebook is in solutions/, the nbgrader source, so "
                   "answers are not saved here (a saved file could overwrite trainees' answers "
                   "at autograde).", kind="info")

    def _load(self) -> None:
        try:
            saved = self.store.load()
        except AnswersFileError as exc:
            self.load_error = (f"Your saved answers file ({self.store.path}) could not be read, so "
                               "the form starts empty. Nothing is lost: the file is kept as it is, "
                               "and when you next change an answer it is renamed (not deleted) "
                               "and a new one started. If you need your earlier answers, ask your "
                               "instructor: they can recover them from the kept file.")
            notice(self.load_error, detail=str(exc))
            return
        if saved is None:
            return
        if saved.case != self.case.id:
            self.store.unreadable = True  # keep it; set it aside before the next save
            self.load_error = (f"Your answers file holds answers for another case "
                               f"('{saved.case}'); your case is {self.case.name}. The file has "
                               "been kept and will be renamed when you next change an answer.")
            notice(self.load_error)
            return
        self.answers = saved.answers
        self.loaded = True

    # --- what the notebook shows -------------------------------------------------------
    def show_case(self, text: bool = False) -> None:
        """Show the case card (plain text with text=True, or while grading)."""
        from bshtrain.content.render import case_html, case_text  # only when a card is shown

        if text or grading_mode():  # wrapped: feedback pages show printed text as it is
            card = (self.spec.case_text or case_text)(self.case)
            print("\n".join(textwrap.fill(line, 96, subsequent_indent="    ",
                                           replace_whitespace=False) or line
                             for line in card.splitlines()))
        else:
            from IPython.display import HTML, display

            display(HTML((self.spec.case_html or case_html)(self.case)))

    def form(self):
        """Display the form, filled with any saved answers. Not shown while grading."""
        if grading_mode():
            print("(The form is not shown while grading: the answers file is graded.)")
            return None
        module_name, _, func = self.spec.form.partition(":")
        build = getattr(importlib.import_module(module_name), func)
        self._form = build(self)
        return self._form

    # --- saving ----------------------------------------------------------------------------
    def update(self, **fields) -> str:
        """Change some answers (from the form or the code twin) and save them.

        Returns what the save says, for the form's status line.
        """
        data = self.answers.model_dump()
        for name, value in fields.items():
            if isinstance(data.get(name), dict) and isinstance(value, dict):
                data[name] = {**data[name], **value}  # answers by key (per case): merge
            else:
                data[name] = value
        try:
            answers = self.spec.answers_model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"][:1])
            raise ValueError(f"{field}: {describe_error(err)}") from None
        self.answers = answers
        return self._save(set(fields))

    def _save(self, changed: set[str]) -> str:
        """Save the changed fields on top of the file (another kernel's answers are kept)."""
        if self.preview or grading_mode():
            self.last_save = "Instructor preview: not saved."
            return self.last_save
        result = self.store.save(self.case.id, self.answers, self.trainee, changed=changed)
        self.save_failed = bool(result.error)
        if result.error:
            self.last_save = result.error
            return result.error
        if not result.written:
            return self.last_save
        self.load_error = ""
        if result.answers is not None and result.answers != self.answers:
            self.answers = result.answers  # answers saved meanwhile from another kernel
            if self._form is not None:
                self._form.refresh()
        note = f"Saved at {datetime.now().strftime('%H:%M:%S')} to {self.store.path}."
        if result.kept is not None:
            note += f" Your unreadable earlier file was kept as {result.kept}."
        self.last_save = note
        return note

    def answer(self, **fields) -> Any:
        """The code twin: give answers in code (ids as `show_choices()` lists them), saved
        to the same file and graded the same way. Example: ex.answer(task="task-sc-full")."""
        known = self.spec.answers_model.model_fields
        for name in fields:
            if name not in known:
                raise ValueError(f"'{name}' is not an answer in this exercise; use one of: "
                                 + ", ".join(known))
        current = self.answers.model_dump()
        merged = {name: ({**current[name], **value} if isinstance(current.get(name), dict)
                         and isinstance(value, dict) else value) for name, value in fields.items()}
        trial = self.spec.answers_model.model_validate({**current, **merged})
        problems = self.spec.check_ids(trial, self.case)
        if problems:
            raise ValueError(" ".join(problems) + " Run ex.show_choices() to see the ids.")
        note = self.update(**fields)
        if self._form is not None:
            self._form.refresh()
        print(note)
        return self.answers

    def show_choices(self) -> None:
        """Print the ids a trainee answering in code can use."""
        print(self.spec.choices_text(self.case))

    def check(self) -> list[str]:
        """Formative hints from what ships (general rules, cautions, the client's replies)."""
        hints = self.spec.hints(self.answers, self.case)
        for hint in hints:
            print("- " + hint)
        return hints


def open_exercise(exercise_id: str, folder: Path | str = ".") -> Exercise:
    """Start (or reopen) an exercise in the notebook's folder."""
    return Exercise(spec_for(exercise_id), folder)
