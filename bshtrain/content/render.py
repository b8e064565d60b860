"""Show cases, plans and rubric results as escaped HTML or as plain text."""

from __future__ import annotations

from html import escape

from bshtrain.content.cases import Case
from bshtrain.content.tasks import Task
from bshtrain.content.vocab import APPROACH_NAMES
from bshtrain.teaching.rubric import RubricResult

CARD_STYLE = (
    "<style>.bsh-card{border:1px solid #888;border-radius:6px;padding:0.8em 1.1em;"
    "max-width:60em;line-height:1.45}.bsh-card h3{margin:0.2em 0}.bsh-card h4{margin:0.9em 0 0.2em}"
    ".bsh-card dt{font-weight:bold}.bsh-card .bsh-line{margin:0.15em 0}"
    ".bsh-card .bsh-risk{border-left:4px solid #222;padding-left:0.6em}</style>"
)


def approach_name(approach: str) -> str:
    """A readable name for an approach id."""
    return APPROACH_NAMES.get(approach, approach)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def as_of(case: Case, session: int) -> Case:
    """The case as it stood when `session` began: the log holds the sessions before it, the
    last one as planned only (not yet reviewed), and nothing from later sessions is shown.
    For exercises set at an earlier point of a case (the review starts the next session)."""
    earlier = [e for e in case.homework_log if e.session < session - 1]
    last = [e.model_copy(update={"done": "not yet reviewed", "quality": None, "obstacles": "",
                                 "client_comment": "", "distress": "not yet reviewed"})
            for e in case.homework_log if e.session == session - 1]
    return case.model_construct(**{
        **dict(case), "session_number": session, "homework_log": [*earlier, *last],
        "homework_history": (f"The log below shows the homework up to session {session - 1}. "
                             "How the last task went is what this session's review finds out."),
    })


def case_html(case: Case, show_session: bool = True) -> str:
    """A readable case card; every text from the case file is escaped. `show_session=False`
    leaves out this session's material (for a case shown as of an earlier point)."""
    f = case.formulation
    c = case.constraints
    constraints = [f"Time on most days: about {c.minutes_per_day} minutes",
                   f"Reading and writing: {c.literacy}", f"Energy: {c.energy}"]
    constraints += [x for x in (c.caring_duties, c.money, c.privacy) if x] + list(c.other)
    excerpt = "".join(
        f"<p class='bsh-line'><strong>{escape(line.speaker.capitalize())}:</strong> "
        f"{escape(line.text)}</p>" for line in case.session.excerpt)
    parts = [
        CARD_STYLE,
        "<section class='bsh-card' aria-label='Case card'>",
        f"<h3>{escape(case.name)}, {case.age} ({escape(case.pronouns)})</h3>",
        f"<p><em>Fictional case.</em> {escape(case.context)}</p>",
        f"<p><strong>Setting:</strong> {escape(_sentence(case.setting))} <strong>Approach:</strong> "
        f"{escape(approach_name(case.approach))} (homework here is called "
        f"<q>{escape(case.homework_term)}</q>). "
        f"<strong>Session:</strong> {case.session_number}.</p>",
        f"<p><strong>Presenting problem:</strong> {escape(case.problem_summary)}</p>",
        (f"<p><strong>Caregiver:</strong> {escape(case.caregiver)}</p>" if case.caregiver else ""),
        "<h4>Formulation</h4><dl>",
        f"<dt>Triggers</dt><dd>{_ul(f.triggers)}</dd>",
        f"<dt>Thoughts</dt><dd>{_ul(f.thoughts)}</dd>",
        f"<dt>Behaviours</dt><dd>{_ul(f.behaviours)}</dd>",
        f"<dt>What keeps it going</dt><dd>{_ul([m.description for m in f.maintaining_factors])}</dd>",
        "</dl>",
        "<h4>Goals, in the client's words</h4>" + _ul([g.text for g in case.goals]),
        "<h4>Strengths</h4>" + _ul(case.strengths),
        "<h4>Constraints</h4>" + _ul(constraints),
        f"<h4>Risk</h4><p class='bsh-risk'>{escape(case.risk.notes)}</p>",
        f"<h4>Homework so far</h4><p>{escape(case.homework_history)}</p>",
        *([f"<h4>This session</h4><p>{escape(case.session.worked_on)}</p>",
           "<p><strong>What the client took away:</strong></p>"
           + _ul([t.text for t in case.session.takeaways]),
           f"<div aria-label='Session excerpt'>{excerpt}</div>"] if show_session else []),
        _log_html(case),
        "</section>",
    ]
    return "".join(parts)


TABLE_STYLE = (
    "<style>.bsh-table{border-collapse:collapse;margin:0.5em 0;max-width:70em}"
    ".bsh-table th,.bsh-table td{text-align:left !important;vertical-align:top;"
    "white-space:normal !important;padding:0.3em 0.6em;border-bottom:1px solid #ccc}"
    ".bsh-table caption{text-align:left;font-style:italic;padding-bottom:0.3em}</style>"
)
DONE_MARKS = {"done": "\u2714 done", "partly": "\u25d0 partly", "not-done": "\u2718 not done"}


def readable_table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """A table people read: human headers, left-aligned wrapped text, every cell escaped."""
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return (f"{TABLE_STYLE}<table class='bsh-table'><caption>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def log_rows(case: Case) -> list[list[str]]:
    """The homework log as readable rows: the task's name, marked statuses, '-' for blanks."""
    from bshtrain.content.tasks import catalogue

    names = {t.id: t.name for t in catalogue().values()}
    return [[str(e.session), names.get(e.task, e.task), e.planned, DONE_MARKS.get(e.done, e.done),
             e.quality or "-", e.distress, e.obstacles or "-", e.client_comment or "-"]
            for e in case.homework_log]


LOG_HEADERS = ["Session", "Task", "What was planned", "Done?", "Quality", "Distress",
               "What got in the way", "In the client's words"]


def _log_html(case: Case) -> str:
    if not case.homework_log:
        return ""
    return "<h4>Homework log</h4>" + readable_table(
        "Homework set in earlier sessions and how it went", LOG_HEADERS, log_rows(case))


def case_text(case: Case, show_session: bool = True) -> str:
    """The same card as plain text, for a screen reader or a terminal."""
    f = case.formulation
    c = case.constraints
    out = [
        f"{case.name}, {case.age} ({case.pronouns}) - fictional case",
        case.context,
        f"Setting: {_sentence(case.setting)} Approach: {approach_name(case.approach)} "
        f"(homework here is called '{case.homework_term}'). Session {case.session_number}.",
        f"Presenting problem: {case.problem_summary}",
        *([f"Caregiver: {case.caregiver}"] if case.caregiver else []),
        "Triggers: " + "; ".join(f.triggers),
        "Thoughts: " + "; ".join(f.thoughts),
        "Behaviours: " + "; ".join(f.behaviours),
        "What keeps it going: " + "; ".join(m.description for m in f.maintaining_factors),
        "Goals: " + "; ".join(g.text for g in case.goals),
        "Strengths: " + "; ".join(case.strengths),
        f"Constraints: about {c.minutes_per_day} minutes on most days; reading and writing "
        f"{c.literacy}; energy {c.energy}"
        + "".join(f"; {x}" for x in (c.caring_duties, c.money, c.privacy, *c.other) if x),
        f"Risk: {case.risk.notes}",
        f"Homework so far: {case.homework_history}",
        *([f"This session: {case.session.worked_on}",
           "Took away: " + "; ".join(t.text for t in case.session.takeaways),
           "Excerpt:",
           *[f"  {line.speaker.capitalize()}: {line.text}" for line in case.session.excerpt]]
          if show_session else []),
        *(["Homework log:"] if case.homework_log else []),
        *[f"  Session {e.session}: {e.planned} - {e.done}"
          + (f", quality {e.quality}" if e.quality else "") + f", distress {e.distress}"
          + (f"; obstacles: {e.obstacles}" if e.obstacles else "")
          + (f"; client: {e.client_comment}" if e.client_comment else "")
          for e in case.homework_log],
    ]
    return "\n".join(out)


def task_html(task: Task, flags: set[str] | None = None) -> str:
    """A short description of a task, its demands, smaller version and cautions."""
    d = task.demands
    cautions = task.cautions_for(flags) if flags is not None else task.cautions
    rows = [
        f"<p><strong>{escape(task.name)}</strong>: {escape(task.description)}</p>",
        f"<p>About {d.minutes} minutes each time; reading and writing: {d.literacy}; "
        f"materials: {escape(d.materials)}; privacy needed: {d.privacy}.</p>",
        f"<p><strong>Smaller version:</strong> {escape(task.smaller_variant.description)} "
        f"(about {task.smaller_variant.minutes} minutes).</p>",
    ]
    if cautions:
        from bshtrain.content.bibliography import cite

        rows.append("<p><strong>Caution:</strong></p><ul>" + "".join(
            f"<li>{escape(c.text)} {escape(cite(*c.sources))}</li>" for c in cautions) + "</ul>")
    return "".join(rows)


def rubric_html(result: RubricResult) -> str:
    """Rubric feedback as an accessible HTML list; messages are escaped."""
    from bshtrain.content.bibliography import cite

    words = {"met": "Met", "partly": "Partly met", "not met": "Not met"}
    items = "".join(
        f"<li><strong>{words[c.status]}</strong> ({c.points:g}/{c.max_points:g}): "
        f"{escape(c.title)}. {escape(c.message)} <small>{escape(cite(*c.sources))}</small></li>"
        for c in result.criteria)
    return (f"<div role='status' aria-live='polite'><p><strong>Your plan meets "
            f"{result.points:g} of {result.max_points:g} rubric points.</strong></p>"
            f"<ul>{items}</ul></div>")
