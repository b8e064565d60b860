"""`bshtrain report EXERCISE --out report.html`: the cohort on one self-contained page.

Per-criterion results are recomputed from each trainee's answers file with the exercise's
pure scorer and the key in solutions/ (read as the grade cells read them: the case from the
student id), then checked against the gradebook: each criterion's total over the cohort, and
each trainee's total. Where they differ the report says who and by how much (a key changed
since grading, or a score changed by hand in the formgrader).

The page holds: the score distribution; each criterion per case; who needs help (lowest
totals, harms that capped a plan, submissions with a problem); item analysis, so the key can
be revised: for every authored option of every case, how often it was chosen and its
discrimination, the point-biserial correlation between choosing it (1/0) and the trainee's
automatic total, among the trainees on that case. Plots are matplotlib PNGs inlined as base64,
so the file opens without the internet; every text from a trainee or a file is escaped.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bshtrain.instructor.checks import (
    FAILED,
    HAND_GRADING,
    NO_ANSWERS,
    NOTEBOOK_MISSING,
    Problem,
    assigned_case,
    check_submission,
    chosen_by_entry,
)
from bshtrain.instructor.course import Course, CourseError, nbgrader_settings
from bshtrain.instructor.gradebook import Graded, read_cohort

TOLERANCE = 0.001  # points: the gradebook stores floats
LOWEST = 10  # trainees listed under "lowest totals"


@dataclass
class Trainee:
    """One trainee's submission, as graded and as recomputed."""

    student: str
    case: str
    graded: Graded | None
    problem: str = ""  # why nothing was scored, from reading the answers file
    scored: Any = None  # the scorer's Scored, when the answers were usable
    recomputed: dict[str, float] = field(default_factory=dict)
    chosen: dict[str, set[str]] = field(default_factory=dict)  # key entry -> option ids

    @property
    def auto_total(self) -> float:
        return round(sum(self.recomputed.values()), 3)


@dataclass
class ReportResult:
    path: Path
    exercise: str
    trainees: int
    criterion_totals: dict[str, tuple[float, float]]  # criterion -> (gradebook, recomputed)
    mismatches: list[str]
    problems: dict[str, list[Problem]]

    def summary(self) -> str:
        lines = [f"Wrote {self.path}: {self.exercise}, {self.trainees} trainee(s)."]
        if self.mismatches:
            lines.append(f"Recomputed scores differ from the gradebook in {len(self.mismatches)} "
                         "place(s):")
            lines.extend(f"  {m}" for m in self.mismatches)
        else:
            lines.append("Every criterion's points recomputed from the answers files add up to "
                         "the gradebook's.")
        return "\n".join(lines)


@contextlib.contextmanager
def _grading_as(student: str) -> Iterator[None]:
    """Read answers exactly as a grade cell does while nbgrader grades `student`."""
    from bshtrain.engine.answers import GRADING_ENV
    from bshtrain.engine.identity import STUDENT_ENV

    saved = {k: os.environ.get(k) for k in (GRADING_ENV, STUDENT_ENV)}
    os.environ[GRADING_ENV] = "autograde"
    os.environ[STUDENT_ENV] = student
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def recompute(course: Course, exercise: str, graded: dict[str, Graded],
              folders: dict[str, Path]) -> list[Trainee]:
    """Score every trainee's answers file with the scorer and the key in solutions/."""
    from bshtrain.engine.grading import read_submission
    from bshtrain.engine.keys import KEY_FILE, read_key
    from bshtrain.engine.spec import spec_for

    spec = spec_for(exercise)
    key = read_key(course.solutions / exercise / KEY_FILE)[0]
    out = []
    for student in sorted(set(graded) | set(folders)):
        case = assigned_case(spec, student).id
        trainee = Trainee(student, case, graded.get(student))
        folder = folders.get(student)
        zero = dict.fromkeys(spec.criteria, 0.0)
        book = trainee.graded
        if book is not None and not _autograded(book, spec.criteria):
            trainee.problem = FAILED_TEXT
            trainee.recomputed = zero
            out.append(trainee)
            continue
        if folder is None or not (folder / f"{exercise}.ipynb").is_file():
            trainee.problem = "no notebook: nothing was graded"
            trainee.recomputed = zero
            out.append(trainee)
            continue
        with _grading_as(student):
            sub = read_submission(spec, folder)
        if sub.answers is None:
            trainee.problem = sub.problem
            trainee.recomputed = zero
        else:
            trainee.scored = spec.score(sub.answers, sub.case, key)
            trainee.recomputed = {c: trainee.scored.points(c) for c in spec.criteria}
            trainee.chosen = chosen_by_entry(spec, sub.answers, case)
        out.append(trainee)
    return out


FAILED_TEXT = "not graded: nbgrader could not grade it (see autograded/bshtrain-grade-<exercise>.log)"


def _autograded(book: Graded, criteria) -> bool:
    """Did autograde score this submission (nbgrader records a failure as a submission whose
    automatic cells have no score)?"""
    cells = [book.cells[c] for c in criteria if c in book.cells]
    return not cells or any(c.auto_score is not None or c.manual_score is not None for c in cells)


def point_biserial(chosen: list[int], totals: list[float]) -> float | None:
    """Pearson's r between a 0/1 variable and a score (the point-biserial correlation); None
    when either does not vary."""
    n = len(chosen)
    if n < 2:
        return None
    mx, my = sum(chosen) / n, sum(totals) / n
    sxx = sum((x - mx) ** 2 for x in chosen)
    syy = sum((y - my) ** 2 for y in totals)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(chosen, totals, strict=True))
    return sxy / math.sqrt(sxx * syy)


@dataclass(frozen=True)
class ItemRow:
    case: str
    group: str
    option: str
    text: str
    credit: float | None
    harm: bool
    chosen: int
    n: int
    r: float | None

    @property
    def rate(self) -> float:
        return self.chosen / self.n if self.n else 0.0

    @property
    def look(self) -> str:
        """A hint for revising the key."""
        if self.r is None or self.n < 5:
            return ""
        if self.credit is not None and self.credit >= 0.5 and self.r <= -0.2:
            return "keyed good, chosen more by weaker trainees"
        if self.credit is not None and self.credit < 0.5 and self.r >= 0.2:
            return "keyed weak, chosen more by stronger trainees"
        return ""


def _texts(exercise: str, entry: str) -> tuple[dict[str, str], dict[str, str]]:
    """Option id -> (text, part) for a key entry that has an options file; else empty."""
    from bshtrain.content.cases import get_case
    from bshtrain.engine.options import case_options

    texts: dict[str, str] = {}
    parts: dict[str, str] = {}
    try:
        options = case_options(exercise, entry)
    except (ValueError, OSError):  # DataFileError: no options file for this entry
        return texts, parts
    for part, spec in options.parts.items():
        for option in spec.options:
            texts[option.id], parts[option.id] = option.text, part
            for response in option.responses:
                texts[response.id], parts[response.id] = response.text, f"{part}: {option.id}"
    with contextlib.suppress(KeyError, ValueError):
        for factor in get_case(entry).formulation.maintaining_factors:
            texts[factor.id], parts[factor.id] = factor.description.strip(), "targets"
    return texts, parts


def item_analysis(exercise: str, trainees: list[Trainee], key) -> list[ItemRow]:
    """Every keyed option of every key entry (case, or item) that trainees met: how often it
    was chosen and its discrimination, among the trainees who met that entry."""
    rows = []
    met: dict[str, list[Trainee]] = {}
    for t in trainees:
        if t.scored is None:
            continue
        for entry in {t.case, *t.chosen}:
            if entry in key.cases:
                met.setdefault(entry, []).append(t)
    for entry in sorted(met):
        group = met[entry]
        totals = [t.auto_total for t in group]
        entry_key = key.cases[entry]
        texts, parts = _texts(exercise, entry)
        keyed = [*entry_key.options.items(), *entry_key.targets.items()]
        order = {option_id: i for i, option_id in enumerate(texts)}
        keyed.sort(key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        for option_id, item in keyed:
            chosen = [int(option_id in t.chosen.get(entry, ())) for t in group]
            part = parts.get(option_id) or ("targets" if option_id in entry_key.targets else "")
            rows.append(ItemRow(entry, part, option_id, texts.get(option_id, ""), item.credit,
                                bool(item.harm), sum(chosen), len(group),
                                point_biserial(chosen, totals)))
    return rows


# --- plots ---------------------------------------------------------------------------------
def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f"<img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'>"


def distribution_plot(totals: list[float], maximum: float) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    bins = max(4, min(16, int(maximum) or 4))
    ax.hist(totals, bins=bins, range=(0, maximum or 1), color="#3b6ea5", edgecolor="white")
    ax.set_xlabel(f"automatic points (of {maximum:g})")
    ax.set_ylabel("trainees")
    ax.set_title("Score distribution")
    return _img(_png(fig), f"Histogram of {len(totals)} trainees' automatic points out of "
                           f"{maximum:g}")


def criterion_case_plot(table: dict[str, dict[str, float]], criteria: list[str]) -> str:
    from matplotlib.figure import Figure

    cases = sorted(table)
    fig = Figure(figsize=(1.1 * len(criteria) + 2, 0.5 * len(cases) + 1.6))
    ax = fig.subplots()
    data = [[table[c].get(k, float("nan")) for k in criteria] for c in cases]
    image = ax.imshow(data, vmin=0, vmax=100, cmap="RdYlGn", aspect="auto")
    ax.set_xticks(range(len(criteria)), criteria, rotation=30, ha="right")
    ax.set_yticks(range(len(cases)), cases)
    for i, row in enumerate(data):
        for j, value in enumerate(row):
            if not math.isnan(value):
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="mean % of the criterion's points")
    ax.set_title("Each criterion per case")
    return _img(_png(fig), "Heat map: mean percentage of each criterion's points, per case")


# --- the page ------------------------------------------------------------------------------
def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(head: list[str], rows: list[list[object]], cls: str = "") -> str:
    out = [f"<table class='{cls}'><thead><tr>"
           + "".join(f"<th scope='col'>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


STYLE = """<style>
body{font-family:system-ui,sans-serif;max-width:72em;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:0.2em 0.5em;text-align:left;vertical-align:top;font-size:0.9em}
th{background:#eef2f7}.bad{color:#b00;font-weight:bold}.ok{color:#060}
img{max-width:100%}
</style>"""


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".") or "0"


def build_report(course: Course, exercise: str) -> tuple[str, ReportResult]:
    """The report's HTML and what it found."""
    from bshtrain.engine.keys import KEY_FILE, read_key
    from bshtrain.engine.spec import spec_for

    try:
        spec = spec_for(exercise)
    except KeyError as exc:
        raise CourseError(exc.args[0]) from None
    settings = nbgrader_settings(course)
    cohort = read_cohort(course, [exercise], settings)
    graded = cohort.exercises.get(exercise, {})
    if not graded:
        raise CourseError(f"the gradebook has no graded submissions of {exercise}: run "
                          f"`bshtrain grade {exercise}` first")
    folders = {}
    for student in graded:
        for base in (settings.autograded, settings.submitted):
            if (base / student / exercise).is_dir():
                folders[student] = base / student / exercise
                break
    trainees = recompute(course, exercise, graded, folders)
    key = read_key(course.solutions / exercise / KEY_FILE)[0]
    auto = list(spec.criteria)
    auto_max = sum(spec.criteria.values())
    by_hand = [name for name, hand, _ in cohort.cells.get(exercise, []) if hand]

    # checks against the gradebook
    mismatches: list[str] = []
    totals: dict[str, tuple[float, float]] = {}
    for criterion in auto + by_hand:
        book = sum(t.graded.cells[criterion].score for t in trainees
                   if t.graded and criterion in t.graded.cells)
        mine = sum(t.recomputed.get(criterion, 0.0) for t in trainees) if criterion in auto \
            else book  # graded by hand: only the gradebook has it
        totals[criterion] = (round(book, 3), round(mine, 3))
    for t in trainees:
        if t.graded is None:
            continue
        for criterion in auto:
            cell = t.graded.cells.get(criterion)
            book = cell.score if cell else 0.0
            if abs(book - t.recomputed.get(criterion, 0.0)) > TOLERANCE:
                mismatches.append(f"{t.student}, {criterion}: gradebook {book:g}, recomputed "
                                  f"{t.recomputed.get(criterion, 0.0):g}")
        expected = t.auto_total + sum(t.graded.cells[c].score for c in by_hand
                                      if c in t.graded.cells)
        penalty = sum(c.score for c in t.graded.cells.values()) - t.graded.score
        if abs(expected - penalty - t.graded.score) > TOLERANCE:
            mismatches.append(f"{t.student}, total: gradebook {t.graded.score:g}, recomputed "
                              f"{expected - penalty:g}")

    # problems, as `bshtrain grade` lists them
    problems: dict[str, list[Problem]] = {}
    for t in trainees:
        found = []
        if (settings.submitted / t.student / exercise).is_dir():
            found = check_submission(course.root, exercise, t.student,
                                     settings.submitted / t.student / exercise)
        elif t.problem:
            found = [Problem(t.student, NOTEBOOK_MISSING if "notebook" in t.problem else NO_ANSWERS,
                             t.problem)]
        if t.problem == FAILED_TEXT:
            found.append(Problem(t.student, FAILED, t.problem))
        if t.graded and t.problem != FAILED_TEXT:
            found += [Problem(t.student, HAND_GRADING, f"{c}: grade it in the formgrader")
                      for c in t.graded.ungraded]
        if found:
            problems[t.student] = found

    body: list[str] = []
    when = time.strftime("%Y-%m-%d %H:%M")
    body.append(f"<h1>Cohort report: {_e(spec.title)} ({_e(exercise)})</h1>")
    body.append(f"<p>{len(trainees)} trainee(s) in the gradebook; made {when}. Automatic points "
                f"are out of {auto_max:g}; parts graded by hand ({_e(', '.join(by_hand) or 'none')}) "
                "come from the gradebook.</p>")
    # 1. distribution
    body.append("<h2>Score distribution</h2>")
    body.append(distribution_plot([t.auto_total for t in trainees], auto_max))
    bands = {"full": 0, "partial": 0, "zero": 0}
    for t in trainees:
        bands["full" if t.auto_total >= auto_max else "zero" if t.auto_total <= 0 else "partial"] += 1
    body.append(_table(["full", "partial", "zero", "mean", "median"],
                       [[bands["full"], bands["partial"], bands["zero"],
                         _fmt(_mean([t.auto_total for t in trainees])),
                         _fmt(_median([t.auto_total for t in trainees]))]]))
    # 2. criterion x case
    body.append("<h2>Each criterion per case</h2>")
    table: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    for t in trainees:
        counts[t.case] = counts.get(t.case, 0) + 1
    rows = []
    for case_id in sorted(counts):
        group = [t for t in trainees if t.case == case_id]
        table[case_id] = {c: 100 * _mean([t.recomputed.get(c, 0.0) for t in group]) / spec.criteria[c]
                          for c in auto if spec.criteria[c]}
        rows.append([case_id, len(group)] + [_fmt(_mean([t.recomputed.get(c, 0.0) for t in group]))
                                             for c in auto])
    body.append(criterion_case_plot(table, auto))
    body.append(_table(["case", "trainees", *[f"{c} (of {spec.criteria[c]:g})" for c in auto]],
                       rows))
    # 3. who needs help
    body.append("<h2>Who needs help</h2><h3>Lowest automatic totals</h3>")
    lowest = sorted(trainees, key=lambda t: (t.auto_total, t.student))[:LOWEST]
    body.append(_table(["trainee", "case", f"automatic (of {auto_max:g})", "why"],
                       [[t.student, t.case, _fmt(t.auto_total), t.problem or
                         ("capped by a harm" if t.scored is not None and t.scored.gates else "")]
                        for t in lowest]))
    gated = [t for t in trainees if t.scored is not None and t.scored.gates]
    body.append(f"<h3>Harms that capped a plan ({len(gated)})</h3>")
    body.append(_table(["trainee", "case", "automatic", "harm"],
                       [[t.student, t.case, _fmt(t.auto_total), g.harm]
                        for t in gated for g in t.scored.gates]) if gated else "<p>None.</p>")
    body.append(f"<h3>Submissions that need a look ({len(problems)})</h3>")
    body.append(_table(["trainee", "problem", "reason"],
                       [[s, p.kind, p.text] for s in sorted(problems) for p in problems[s]])
                if problems else "<p>None.</p>")
    # 4. item analysis
    body.append("<h2>Item analysis</h2>")
    if spec.rater_choices is None:
        body.append("<p>This exercise does not say which options a trainee chose, so there is "
                    "no item analysis.</p>")
    else:
        items = item_analysis(exercise, trainees, key)
        body.append("<p>For each authored option, per case: how many of the trainees on that "
                    "case chose it, and its <strong>discrimination</strong>: the point-biserial "
                    "correlation (Pearson's r between choosing it, 1 or 0, and the trainee's "
                    "automatic total), among trainees with usable answers on that case. "
                    "Positive r: stronger trainees chose it more. The total includes the "
                    "option's own points, which lifts r for credited options a little; with "
                    "fewer than about 20 trainees on a case r is rough. Empty r: everyone or "
                    "no one chose it, or all totals were equal. 'Look at' marks options whose "
                    "key credit and discrimination disagree.</p>")
        body.append(_table(
            ["case", "part", "option", "text", "credit", "harm", "chosen", "rate", "r", "look at"],
            [[i.case, i.group, i.option, i.text, _fmt(i.credit), "harm" if i.harm else "",
              f"{i.chosen}/{i.n}", f"{100 * i.rate:.0f}%", _fmt(i.r), i.look] for i in items],
            "items"))
    # 5. checks
    body.append("<h2>Recomputed from the answers files, checked against the gradebook</h2>")
    body.append(_table(["criterion", "gradebook total", "recomputed total", "equal"],
                       [[c, _fmt(b, 3), _fmt(m, 3) + ("" if c in auto else " (graded by hand)"),
                         "yes" if abs(b - m) <= TOLERANCE else "NO"]
                        for c, (b, m) in totals.items()], "totals"))
    if mismatches:
        body.append(f"<p class='bad'>They differ in {len(mismatches)} place(s) (a key changed "
                    "since grading, or a score changed by hand):</p><ul>"
                    + "".join(f"<li>{_e(m)}</li>" for m in mismatches) + "</ul>")
    else:
        body.append("<p class='ok'>Every criterion's points, recomputed with the scorer and the "
                    "key in solutions/, equal the gradebook's, for every trainee.</p>")
    page = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Cohort report: {_e(exercise)}</title>{STYLE}</head><body>"
            + "\n".join(body) + "</body></html>\n")
    result = ReportResult(Path(), exercise, len(trainees), totals, mismatches, problems)
    return page, result


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return 0.0
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def write_report(course: Course, exercise: str, out: Path) -> ReportResult:
    page, result = build_report(course, exercise)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    result.path = out
    return result
