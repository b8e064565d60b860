"""What a locked grade cell costs (issue 12): `from bshtrain.api import grade`, then grade().

    python bench/grade_cell.py             # min of 5 fresh processes per figure
    python bench/grade_cell.py --runs 9
    python bench/grade_cell.py --source DIR  # the bshtrain in DIR (another copy), to compare

Each run is a fresh Python process that first imports what a running kernel has loaded
already (IPython, ipykernel), so the figures are what a grade cell adds in a warm kernel.
It runs in a folder laid out as autograde leaves it: key.yaml beside the notebook, the key's
best answers in answers/<exercise>.json, NBGRADER_EXECUTION=autograde, BSHTRAIN_STUDENT.

Figures are CPU ms (this process's time.process_time, steadier on a shared machine) and wall
ms, each the minimum over the runs, with the load average before and after; `-X importtime`
gives the import's own figure. Target (issue 12): import + first grade() under 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT  # where the measured processes import bshtrain from (--source)

STUDENT = "trainee01"
FIRST = {"plan": ("task", "targets"), "select": ("tasks", "factors"),
         "review": ("path", "decision")}
PROBE = """
import contextlib, io, json, sys, time
import IPython, ipykernel.ipkernel  # a running kernel has these already
marks = [(time.process_time(), time.perf_counter())]
from bshtrain.api import grade
marks.append((time.process_time(), time.perf_counter()))
points = []
for criterion in sys.argv[2:]:
    with contextlib.redirect_stdout(io.StringIO()):
        points.append(grade(sys.argv[1], criterion))
    marks.append((time.process_time(), time.perf_counter()))
steps = [[(b[i] - a[i]) * 1e3 for i in (0, 1)] for a, b in zip(marks, marks[1:])]
print(json.dumps({"steps": steps, "points": points}))
"""
IMPORTTIME = "import IPython, ipykernel.ipkernel, sys; print('-', file=sys.stderr); import bshtrain.api"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def best_answers(exercise: str, key_path: Path):
    """The key's own best answers for what STUDENT works on, and that case."""
    from bshtrain.engine.keys import read_key
    from bshtrain.engine.spec import spec_for

    spec = spec_for(exercise)
    key = read_key(key_path)[0]
    case = spec.case_for_student(STUDENT)
    if exercise != "select":
        return spec.best_answers(case.id, key.cases[case.id])[0], case
    items = {}
    for item in case.items:
        items.update(spec.best_answers(item.id, key.cases[item.id])[0].items)
    return spec.answers_model(items=items), case


def graded_folder(exercise: str, base: Path) -> Path:
    """A folder as autograde lays it out: the key beside the notebook, the answers file."""
    from bshtrain.engine.answers import AnswerStore
    from bshtrain.engine.spec import spec_for

    folder = base / exercise
    folder.mkdir(parents=True)
    shutil.copy2(ROOT / "solutions" / exercise / "key.yaml", folder / "key.yaml")
    answers, case = best_answers(exercise, folder / "key.yaml")
    result = AnswerStore(exercise, spec_for(exercise).answers_model, folder).save(
        case.id, answers, STUDENT)
    if result.error:
        raise SystemExit(f"could not write the answers for {exercise}: {result.error}")
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BSHTRAIN_CONTENT"}
    env.update(NBGRADER_EXECUTION="autograde", BSHTRAIN_STUDENT=STUDENT,
               PYTHONPATH=str(SOURCE) + os.pathsep + env.get("PYTHONPATH", ""))
    return env


def probe(exercise: str, folder: Path, runs: int) -> tuple[list[list[float]], list]:
    """Min over runs of [CPU ms, wall ms] for: the import, the first grade(), a later one."""
    found: list[list[list[float]]] = []
    points: list = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", PROBE, exercise, *FIRST[exercise]],
                              cwd=folder, env=_env(), capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        found.append(result["steps"])
        points = result["points"]
    best = [[min(run[step][i] for run in found) for i in (0, 1)] for step in range(3)]
    return best, points


def importtime(runs: int) -> float:
    """`-X importtime`'s cumulative ms for bshtrain.api after IPython (min over runs)."""
    figures = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORTTIME],
                              cwd=ROOT, env=_env(), capture_output=True, text=True, check=True)
        after = proc.stderr.split("\n-\n", 1)[-1]
        match = re.search(r"\|\s*(\d+) \| bshtrain\.api$", after, re.MULTILINE)
        figures.append(int(match.group(1)) / 1e3 if match else float("nan"))
    return min(figures)


def main(runs: int = 5) -> None:
    print(f"grade cell in a warm kernel: min of {runs} fresh processes, bshtrain from "
          f"{SOURCE} (load {_load()})")
    with tempfile.TemporaryDirectory(prefix="bshtrain-grade-cell-") as tmp:
        for exercise in FIRST:
            folder = graded_folder(exercise, Path(tmp))
            (imp, first, later), points = probe(exercise, folder, runs)
            print(f"  {exercise:<7} import bshtrain.api {imp[0]:6.1f} ms CPU ({imp[1]:6.1f} wall);"
                  f" first grade() {first[0]:6.1f} ms CPU ({first[1]:6.1f} wall); a later "
                  f"grade() {later[0]:5.1f} ms CPU; import + first {imp[0] + first[0]:6.1f} ms "
                  f"CPU ({imp[1] + first[1]:6.1f} wall); points {points}")
    print(f"  -X importtime: bshtrain.api {importtime(runs):.1f} ms (cumulative, after IPython)")
    print(f"  (target: import + first grade() < 150 ms; load now {_load()})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="measure the bshtrain package in this folder (default: this one)")
    args = parser.parse_args()
    SOURCE = args.source.resolve()
    main(args.runs)
