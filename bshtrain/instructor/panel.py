"""Build a key from a panel of raters (design 5.2): aggregate scoring, as in script
concordance tests. Each rater (a supervisor, an experienced colleague) takes the exercise on
the case they are given; their answers files go in one folder. For every group of competing
options, an option earns the share of raters who chose it divided by the modal share.

Reasons, sources and harms come from the base key (the authors'): a panel changes credits,
not clinical reasons, and never turns a harm into credit. Cases with fewer raters than the
minimum keep the base key's credits, and the summary says so.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bshtrain.engine.answers import AnswersFileError, AnswerStore
from bshtrain.engine.keys import ExerciseKey, panel_credits
from bshtrain.engine.spec import ExerciseSpec


@dataclass
class PanelResult:
    key: ExerciseKey
    raters: dict[str, int]  # case -> number of usable answers files
    skipped: list[str] = field(default_factory=list)  # files not used, with the reason
    notes: list[str] = field(default_factory=list)  # harms chosen by raters, kept cases


def _read_raters(spec: ExerciseSpec, folder: Path, skipped: list[str]) -> list[tuple[str, object]]:
    """(case id as saved, answers) for every usable answers file in the folder."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        store = AnswerStore(spec.id, spec.answers_model, path.parent)
        store.path = path
        try:
            saved = store.load()
        except AnswersFileError as exc:
            skipped.append(f"{path}: {exc}")
            continue
        if saved is None or saved.answers == spec.answers_model():
            skipped.append(f"{path}: no answers")
            continue
        found.append((saved.case, saved.answers))
    return found


def build_panel_key(spec: ExerciseSpec, base: ExerciseKey, folder: Path,
                    min_raters: int = 3) -> PanelResult:
    """A new key whose credits come from the raters' answers files in `folder`."""
    if spec.rater_choices is None:
        raise ValueError(f"exercise '{spec.id}' does not support panel keys")
    skipped: list[str] = []
    groups: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    raters: Counter = Counter()
    for case_id, answers in _read_raters(spec, Path(folder), skipped):
        chosen = spec.rater_choices(answers, case_id)
        for entry in {entry for entry, _ in chosen}:
            raters[entry] += 1
        for (entry, group), ids in chosen.items():
            groups[entry][group].update(dict.fromkeys(ids, 1))
    notes: list[str] = []
    cases = {}
    for entry, case_key in base.cases.items():
        if raters[entry] < min_raters:
            notes.append(f"{entry}: {raters[entry]} rater(s), fewer than {min_raters}: the base "
                         "key's credits are kept")
            cases[entry] = case_key
            continue
        credit: dict[str, float] = {}
        for counts in groups[entry].values():
            credit.update(panel_credits(counts.elements()))
        options = {}
        for option_id, keyed in case_key.options.items():
            new = credit.get(option_id, 0.0)
            if keyed.harm and new > 0:
                notes.append(f"{entry}: raters chose '{option_id}', keyed as a harm; it stays a "
                             "harm with no credit: review it with your panel")
                new = 0.0
            options[option_id] = keyed.model_copy(update={"credit": new})
        targets = {f: k.model_copy(update={"credit": credit.get(f, 0.0)})
                   for f, k in case_key.targets.items()}
        cases[entry] = case_key.model_copy(update={"options": options, "targets": targets})
    used = sum(raters.values()) and len(_read_raters(spec, Path(folder), []))
    panel = base.panel.model_copy(update={
        "kind": "raters", "raters": max(used, 1),
        "note": f"Aggregate credits from {used} raters' answers files in {Path(folder).name}/ "
                f"(share of raters choosing an option / the modal share); reasons, sources and "
                "harms from the authors' key."})
    key = ExerciseKey(exercise=base.exercise, panel=panel, cases=cases)
    return PanelResult(key, {entry: raters[entry] for entry in base.cases}, skipped, notes)


def key_yaml(key: ExerciseKey) -> str:
    """The key as YAML, with a header saying where its credits came from."""
    header = ("# Built by `bshtrain panel build`: credits from a panel of raters (design 5.2).\n"
              "# Instructors only: keep this file in solutions/<exercise>/key.yaml.\n")
    data = json.loads(key.model_dump_json())
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
