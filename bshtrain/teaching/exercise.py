"""The plan exercise as a trainee meets it: the case, the form, saving, the text fallback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from IPython.display import HTML, display

from bshtrain.content.cases import Case, get_case
from bshtrain.content.loading import Problem
from bshtrain.content.render import case_html, case_text
from bshtrain.content.tasks import NO_TASK, Task, catalogue
from bshtrain.engine.answers import AnswersFileError, AnswerStore, grading_mode
from bshtrain.engine.identity import case_for, trainee_name
from bshtrain.teaching.plan import HOW_OFTEN, REMINDERS, REVIEW_WHEN, HomeworkPlan
from bshtrain.teaching.rubric import RubricResult, score_plan

_OPEN: dict[str, PlanExercise] = {}


def _notice(text: str, kind: str = "warning") -> None:
    if grading_mode():
        print(text)
        return
    border = "#b00" if kind == "warning" else "#555"
    display(HTML(f"<div role='alert' style='border-left:4px solid {border};padding:0.4em 0.8em'>"
                 f"{escape(text)}</div>"))


class PlanExercise:
    """One trainee's work on a planning exercise, kept in `answers/<exercise>.json`."""

    def __init__(self, exercise_id: str, case_ids: Sequence[str], folder: Path | str = ".",
                 tasks: dict[str, Task] | None = None):
        self.exercise_id = exercise_id
        self.case_ids = list(case_ids)
        self.catalogue = tasks or catalogue()
        self.store: AnswerStore[HomeworkPlan] = AnswerStore(exercise_id, HomeworkPlan, folder)
        self.trainee = trainee_name()
        self.load_error: AnswersFileError | None = None
        self.source = "none"  # "file", "code", "none" or "error": where the answers came from
        self.plan = HomeworkPlan()
        self.case: Case = get_case(case_for(self.trainee, self.case_ids))
        self._form = None
        self.preview = in_instructor_source(Path(folder))
        self._load()
        if self.preview and not grading_mode():
            _notice("Instructor preview: this notebook is in solutions/, the nbgrader source, so "
                    "answers are not saved here (a saved file could overwrite trainees' answers "
                    "at autograde).", kind="info")
        _OPEN[exercise_id] = self

    def _load(self) -> None:
        try:
            saved = self.store.load()
        except AnswersFileError as exc:
            self.load_error = exc
            self.source = "error"
            _notice(f"Your saved answers could not be read: {exc}. The file has been kept; when "
                    "you next change an answer it will be renamed (nothing is deleted) and a "
                    "new file started. Ask your instructor if you need the old answers back.")
            return
        if saved is None:
            return
        try:
            self.case = get_case(saved.case)
        except KeyError:
            self.store.unreadable = True
            self.load_error = AnswersFileError(
                [Problem(str(self.store.path), "case", f"unknown case '{saved.case}'")])
            self.source = "error"
            _notice(f"Your saved answers name a case this course does not have ('{saved.case}'). "
                    "The file has been kept and will be renamed when you next change an answer.")
            return
        self.plan = saved.answers
        self.source = "file"

    # --- what the notebook shows -------------------------------------------------------
    def show_case(self, text: bool = False) -> None:
        """Show the case card (as plain text with text=True, or while grading)."""
        if text or grading_mode():
            print(case_text(self.case))
        else:
            display(HTML(case_html(self.case)))

    def form(self):
        """Display the plan form, filled with any saved answers. Inert while grading."""
        if grading_mode():
            print(f"(Form not shown while grading. Task: {self.plan.task or 'none'}.)")
            return None
        from bshtrain.teaching.widgets import PlanForm

        self._form = PlanForm(self.case, self.catalogue, self.plan, on_change=self._save)
        if self.source == "file":
            self._form.status.value = f"<p>Your saved answers were loaded from {self._where()}.</p>"
        display(self._form.widget)
        return self._form

    def _where(self) -> str:
        return escape(str(self.store.path))

    # --- saving ----------------------------------------------------------------------------
    def _save(self, plan: HomeworkPlan) -> None:
        self.plan = plan
        if self.preview:
            return
        result = self.store.save(self.case.id, plan, self.trainee)
        if not result.written:
            return
        self.load_error = None
        if self.source != "code":
            self.source = "file"
        note = f"Saved to {self._where()} at {datetime.now().strftime('%H:%M:%S')}."
        if result.kept is not None:
            note += f" Your unreadable earlier file was kept as {escape(str(result.kept))}."
        if self._form is not None:
            self._form.status.value = f"<p role='status'>{note}</p>"

    def answer(self, **fields) -> HomeworkPlan:
        """Set answers in code (for a trainee whose widgets do not show), then save them.

        Example: ex.answer(task="activity-scheduling", when="after breakfast", minutes=10)
        """
        plan = self.plan.model_copy(update={})
        for name, value in fields.items():
            if name not in HomeworkPlan.model_fields:
                known = ", ".join(HomeworkPlan.model_fields)
                raise ValueError(f"'{name}' is not an answer in this exercise; use one of: {known}")
            setattr(plan, name, value)  # validated on assignment
        plan = HomeworkPlan.model_validate(plan.model_dump())
        self._check_ids(plan)
        self.source = "code"
        if self._form is not None:
            self._form.plan = plan
        self._save(plan)
        self.plan = plan
        return plan

    def show_choices(self) -> None:
        """Print the ids a trainee answering in code can use."""
        print("Tasks (task=...):")
        for task in sorted(self.catalogue.values(), key=lambda t: t.name.lower()):
            print(f"  {task.id!r}: {task.name}")
        print("  'no-task': no task this week")
        print("Maintaining factors (targets=[...]):")
        for f in self.case.formulation.maintaining_factors:
            print(f"  {f.id!r}: {f.description}")
        print("What the client took from this session (builds_on=...):")
        for t in self.case.session.takeaways:
            print(f"  {t.id!r}: {t.text}")
        print("Goals (goal=...):")
        for g in self.case.goals:
            print(f"  {g.id!r}: {g.text}")
        print("how_often: " + ", ".join(repr(h) for h in HOW_OFTEN))
        print("reminder: " + ", ".join(repr(r) for r in REMINDERS))
        print("review: " + ", ".join(repr(r) for r in REVIEW_WHEN))
        print("obstacles=[{'kind': 'environment' | 'client' | 'task' | 'therapist', "
              "'obstacle': '...', 'plan': '...'}]")

    def _check_ids(self, plan: HomeworkPlan) -> None:
        """Reject ids that are not in the catalogue or this case, naming the field."""
        hint = " Run ex.show_choices() to see the ids you can use."
        if plan.task and plan.task not in (*self.catalogue, NO_TASK):
            raise ValueError(f"task: there is no task '{plan.task}'.{hint}")
        for factor in plan.targets:
            if self.case.factor(factor) is None:
                raise ValueError(f"targets: '{factor}' is not a maintaining factor in this case.{hint}")
        if plan.builds_on and self.case.takeaway(plan.builds_on) is None:
            raise ValueError(f"builds_on: '{plan.builds_on}' is not something the client took "
                             f"from this session.{hint}")
        if plan.goal and self.case.goal(plan.goal) is None:
            raise ValueError(f"goal: '{plan.goal}' is not one of this client's goals.{hint}")

    def check(self) -> RubricResult:
        """Score the current plan with the rubric and print the hints."""
        result = score_plan(self.plan, self.case, self.catalogue)
        print(result.explain())
        return result


def in_instructor_source(folder: Path) -> bool:
    """True for <course>/solutions/<exercise>: the nbgrader source, where no answers belong."""
    here = folder.resolve()
    return here.parent.name == "solutions" and (here.parent.parent / "nbgrader_config.py").is_file()


def open_plan_exercise(exercise_id: str, case_ids: Sequence[str],
                       folder: Path | str = ".") -> PlanExercise:
    """Start (or reopen) a planning exercise in the notebook's folder."""
    return PlanExercise(exercise_id, case_ids, folder)


def current(exercise_id: str) -> PlanExercise | None:
    """The exercise opened in this kernel, if any (grading helpers use it)."""
    return _OPEN.get(exercise_id)
