"""The review exercise, as the engine sees it."""

from __future__ import annotations

import textwrap

from bshtrain.content.cases import Case, get_case
from bshtrain.content.loading import DataFileError, Problem
from bshtrain.engine.keys import CaseKey, ExerciseKey
from bshtrain.engine.options import options_dir
from bshtrain.engine.spec import ExerciseSpec
from bshtrain.skills.review.content import END, EXERCISE, dialogue
from bshtrain.skills.review.model import ReviewAnswers
from bshtrain.skills.review.scorer import MAX_POINTS, score_review
from bshtrain.skills.review.walk import all_paths, walk

# Cases with a multi-session homework log and a task not done; none is a lesson's worked
# example (tests/test_review.py checks both).
POOL = ("dani", "elena", "grace", "ruth")


def score(answers: ReviewAnswers, case: Case, key: ExerciseKey):
    if case.id not in key.cases:
        raise KeyError(f"the key has no entry for case '{case.id}'")
    return score_review(answers, dialogue(case.id), key.cases[case.id])


def transcript(answers: ReviewAnswers, case: Case) -> list[tuple[str, str]]:
    """(speaker, words) for the path so far, starting with how the client arrives."""
    talk = dialogue(case.id)
    done = walk(talk, answers.path)
    said: list[tuple[str, str]] = []
    for step in done.steps:
        if step.turn.client_says:
            said.append((case.name, step.turn.client_says))
        said.append(("You", step.line.text))
        said.append((case.name, step.line.reply))
    if done.current is not None and done.current.client_says:
        said.append((case.name, done.current.client_says))
    return said


def card(answers: ReviewAnswers, case: Case) -> str:
    """The conversation as the trainee led it, the decision and the free line."""
    talk = dialogue(case.id)
    out = ["THE REVIEW, AS YOU LED IT"]
    for speaker, words in transcript(answers, case):
        out.extend(textwrap.wrap(words, 88, initial_indent=f"{speaker}: ", subsequent_indent="    "))
    done = walk(talk, answers.path)
    if done.problem:
        out.append(f"(The rest of the saved path was not followed: {done.problem}.)")
    elif not done.finished:
        out.append("(The conversation stopped before the decision.)")
    decision = next((d for d in talk.decisions if d.id == answers.decision), None)
    out.append(f"Decision: {decision.text if decision else '(not made)'}")
    out.extend(textwrap.wrap(answers.free_line.strip() or "(none)", 88,
                             initial_indent="Your next line, in your words: ", subsequent_indent="    "))
    return "\n".join(out)


def check_ids(answers: ReviewAnswers, case: Case) -> list[str]:
    talk = dialogue(case.id)
    problems = []
    done = walk(talk, answers.path)
    if done.problem:
        problems.append(f"path: {done.problem}.")
    if answers.decision and answers.decision not in {d.id for d in talk.decisions}:
        problems.append(f"decision: '{answers.decision}' is not one of the decisions.")
    return problems


def choices_text(case: Case) -> str:
    talk = dialogue(case.id)
    out = ["Answer with ex.answer(path=[line ids in order], decision=id, free_line='...').",
           f"The conversation starts at turn '{talk.start}'. Each line leads to the turn named."]
    for turn in talk.turns:
        out.append(f"\nturn '{turn.id}': {case.name} says: {turn.client_says or '(arrives)'}")
        for line in turn.lines:
            nxt = "the decision" if line.next == END else f"turn '{line.next}'"
            out.append(f"  {line.id!r}: {line.text}  -> {nxt}")
    out.append("\ndecision:")
    out.extend(f"  {d.id!r}: {d.text}" for d in talk.decisions)
    return "\n".join(out)


def hints(answers: ReviewAnswers, case: Case) -> list[str]:
    """Where the conversation stands, and the course's general guidance (no key)."""
    talk = dialogue(case.id)
    done = walk(talk, answers.path)
    found = []
    if not answers.path:
        found.append("Start the review: it belongs early in the session.")
    elif not done.finished:
        found.append("The conversation is not finished: choose your next line.")
    elif not answers.decision:
        found.append("Decide with the client what happens to the task: keep, change, replace or stop.")
    if not answers.free_line.strip():
        found.append("Write your next line in your own words (graded by your instructor).")
    found.append("General guidance (lesson 4): ask what was done and learned, credit effort, explore "
                 "the moment it did not happen with curiosity rather than blame, without backing "
                 "off; if distress was high, check risk.")
    return found


def key_ids() -> dict[str, tuple[set[str], set[str]]]:
    found = {}
    for case_id in POOL:
        talk = dialogue(case_id)
        found[case_id] = ({ln.id for t in talk.turns for ln in t.lines} | {d.id for d in talk.decisions},
                          set())
    return found


def content_problems() -> list[Problem]:
    problems: list[Problem] = []
    folder = options_dir(EXERCISE)
    for case_id in POOL:
        try:
            talk = dialogue(case_id)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        log = {e.session for e in get_case(case_id).homework_log}
        if talk.reviews_session not in log:
            problems.append(Problem(str(folder / f"{case_id}.yaml"), "reviews_session",
                                    f"session {talk.reviews_session} is not in {case_id}'s "
                                    "homework log"))
    for path in sorted(folder.glob("*.yaml")):
        if path.stem not in POOL:
            problems.append(Problem(str(path), "", "not in the review pool (POOL in "
                                                   "bshtrain/skills/review/spec.py)"))
    return problems


def best_path(case_id: str, key: CaseKey) -> list[str]:
    """The complete path with the highest mean credit (shortest among equals)."""
    paths = all_paths(dialogue(case_id))
    best = max(paths, key=lambda p: (sum(key.options[ln.id].credit for ln in p) / len(p), -len(p)))
    return [ln.id for ln in best]


def best_answers(case_id: str, key: CaseKey):
    talk = dialogue(case_id)
    decision = max(talk.decisions, key=lambda d: key.options[d.id].credit)
    return ReviewAnswers(path=best_path(case_id, key), decision=decision.id), get_case(case_id)


def rater_choices(answers: ReviewAnswers, case_id: str) -> dict[tuple[str, str], list[str]]:
    """Each line said is a choice among its turn's lines; the decision among the decisions."""
    done = walk(dialogue(case_id), answers.path)
    groups = {(case_id, f"turn:{s.turn.id}"): [s.line.id] for s in done.steps}
    if answers.decision:
        groups[(case_id, "decision")] = [answers.decision]
    return groups


def _as_reviewed(case: Case) -> Case:
    from bshtrain.content.render import as_of  # content.render only when a card is shown

    return as_of(case, dialogue(case.id).reviews_session + 1)


def case_html(case: Case) -> str:
    """The case as it stood when the review begins: nothing from later sessions."""
    from bshtrain.content.render import case_html as render_case_html

    return render_case_html(_as_reviewed(case), show_session=False)


def case_text(case: Case) -> str:
    from bshtrain.content.render import case_text as render_case_text

    return render_case_text(_as_reviewed(case), show_session=False)


SPEC = ExerciseSpec(
    id=EXERCISE,
    title="Review the homework at the next session",
    answers_model=ReviewAnswers,
    pool=POOL,
    criteria=MAX_POINTS,
    score=score,
    card=card,
    form="bshtrain.skills.review.form:build_form",
    check_ids=check_ids,
    choices_text=choices_text,
    hints=hints,
    free_text={"free_line": "free_line"},
    rater_choices=rater_choices,
    key_ids=key_ids,
    content_problems=content_problems,
    best_answers=best_answers,
    case_html=case_html,
    case_text=case_text,
)
