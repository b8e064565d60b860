"""Score a review: a pure function of (answers, dialogue, key) -> Scored.

The path earns 8 x the mean keyed credit of the lines said (a path that stops before the
decision is averaged over the turns it still needed); the decision 2 x its credit. Gates
(design 5.3) cap the whole score at a quarter: a line that blames or colludes, a line or a
decision keyed as a harm, and a turn where the client was at risk answered without checking
risk.
"""

from __future__ import annotations

from bshtrain.engine.keys import CaseKey, Keyed
from bshtrain.engine.scoring import Criterion, Gate, Line, Scored
from bshtrain.skills.review.content import Dialogue
from bshtrain.skills.review.model import ReviewAnswers
from bshtrain.skills.review.walk import turns_to_end, walk

MAX_POINTS = {"path": 8.0, "decision": 2.0}
TITLES = {
    "path": "How you led the review: each line you chose, for this client at that moment",
    "decision": "What you decided together about the task",
}
GATE_CODES = {"blame": "blames the client", "collude": "colludes with not doing it (backing off, "
              "'that's fine', or quietly dropping the task)"}


def _line(keyed: Keyed, prefix: str) -> Line:
    return Line(prefix + keyed.reason, tuple(keyed.sources), keyed.basis)


def score_review(answers: ReviewAnswers, dialogue: Dialogue, key: CaseKey) -> Scored:
    """Score the path and the decision. Pure: no I/O, no widgets."""
    done = walk(dialogue, answers.path)
    lines: list[Line] = []
    gates: list[Gate] = []
    credits: list[float] = []
    for n, step in enumerate(done.steps, 1):
        keyed = key.options[step.line.id]
        credits.append(keyed.credit)
        lines.append(_line(keyed, f"Turn {n}: you said \u201c{step.line.text.rstrip('.')}\u201d. "))
        better = max((ln for ln in step.turn.lines), key=lambda ln: key.options[ln.id].credit)
        if keyed.credit < 1 and better.id != step.line.id:
            lines.append(_line(key.options[better.id], f"A stronger line: \u201c{better.text}\u201d. "))
        for code, what in GATE_CODES.items():
            if code in step.line.codes:
                gates.append(Gate(f"At turn {n} the line chosen {what}.", tuple(keyed.sources),
                                  step.line.id))
        if keyed.harm:
            gates.append(Gate(keyed.harm, tuple(keyed.sources), step.line.id))
        if step.turn.state == "at-risk" and "risk-check" not in step.line.codes:
            gates.append(Gate(f"At turn {n} the client's distress was high and risk was not "
                              "checked: ask about it directly, then review the safety plan.",
                              tuple(keyed.sources), step.line.id))
    needed = len(done.steps)
    if done.problem:
        lines.append(Line(f"The rest of the path was not followed: {done.problem}.", (),
                          "clinical-reasoning"))
    if done.current is not None:
        needed += turns_to_end(dialogue, done.current.id)
        lines.append(Line("The review stopped before a decision was reached.", (), "clinical-reasoning"))
    if not done.steps:
        lines.append(Line("No line was chosen.", (), "clinical-reasoning"))
    path_points = MAX_POINTS["path"] * sum(credits) / needed if needed else 0.0

    decision = next((d for d in dialogue.decisions if d.id == answers.decision), None)
    if not done.finished:
        d_points, d_lines = 0.0, [Line("The decision counts once the conversation has reached it.",
                                       (), "clinical-reasoning")]
    elif decision is None:
        said = "not made" if not answers.decision else f"'{answers.decision}' is not an option"
        d_points, d_lines = 0.0, [Line(f"The decision was {said}.", (), "clinical-reasoning")]
    else:
        keyed = key.options[decision.id]
        d_lines = [_line(keyed, f"You decided: \u201c{decision.text.rstrip('.')}\u201d. ")]
        best = max(dialogue.decisions, key=lambda d: key.options[d.id].credit)
        if keyed.credit < 1 and best.id != decision.id:
            d_lines.append(_line(key.options[best.id], f"A stronger decision: \u201c{best.text}\u201d. "))
        d_points = MAX_POINTS["decision"] * keyed.credit
        if keyed.harm:
            gates.append(Gate(keyed.harm, tuple(keyed.sources), decision.id))
    return Scored((Criterion("path", TITLES["path"], MAX_POINTS["path"], path_points, tuple(lines)),
                   Criterion("decision", TITLES["decision"], MAX_POINTS["decision"], d_points,
                             tuple(d_lines))),
                  tuple(gates))
