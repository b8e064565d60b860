"""Benchmarks: print figures for the library's hot paths and for autograding.

    python bench/run.py              # library figures, then a grade cell's cost (bench/grade_cell.py)
    python bench/run.py --autograde 8  # also autograde 8 submissions with the real nbgrader
    python bench/run.py --lessons      # also time each lesson, executed in a fresh kernel
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def report(name: str, seconds: list[float], unit: str = "ms") -> None:
    scale = {"ms": 1e3, "us": 1e6, "s": 1}[unit]
    med = statistics.median(seconds) * scale
    p95 = sorted(seconds)[int(len(seconds) * 0.95) - 1] * scale
    print(f"{name:<48} median {med:9.2f} {unit}   p95 {p95:9.2f} {unit}   (n={len(seconds)})")


def _model_answers(case_id: str) -> str:
    """The key's best plan for a case, as an answers file."""
    from bshtrain.content.cases import get_case
    from bshtrain.engine.keys import read_key
    from bshtrain.engine.options import case_options
    from bshtrain.skills.plan.best_plan import best_plan

    key = read_key(ROOT / "solutions/plan/key.yaml")[0]
    plan = best_plan(get_case(case_id), case_options("plan", case_id), key.cases[case_id])
    return json.dumps({"exercise": "plan", "schema_version": 1, "case": case_id,
                       "answers": plan.model_dump(mode="json")})


def library() -> None:
    from bshtrain.content.bibliography import load_bibliography
    from bshtrain.content.cases import get_case, load_cases
    from bshtrain.content.tasks import load_tasks
    from bshtrain.engine.answers import AnswerStore
    from bshtrain.engine.keys import read_key
    from bshtrain.skills.plan.model import PlanAnswers
    from bshtrain.skills.plan.spec import SPEC

    report("load bibliography + catalogue + all cases",
           timed(lambda: load_cases(task_ids=set(load_tasks(known_sources=set(load_bibliography())))),
                 20))
    key = read_key(ROOT / "solutions/plan/key.yaml")[0]
    report("load and validate the plan key", timed(lambda: read_key(ROOT / "solutions/plan/key.yaml"), 20))
    plan = PlanAnswers(**json.loads(_model_answers("amara"))["answers"])
    case = get_case("amara")
    report("score a plan (7 criteria, options + key)", timed(lambda: SPEC.score(plan, case, key), 2000), "us")
    with tempfile.TemporaryDirectory() as tmp:
        store = AnswerStore("plan", PlanAnswers, tmp)
        report("answers save (atomic write + fsync)", timed(lambda: store.save("amara", plan), 200))
        report("answers load + validate", timed(store.load, 500))


def autograde(n: int) -> None:
    from bshtrain.engine.identity import case_for
    from bshtrain.instructor.course import Course, run_nbgrader
    from bshtrain.skills.plan.spec import POOL

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        root.mkdir()
        shutil.copy2(ROOT / "nbgrader_config.py", root)
        for folder in ("solutions", "exercises"):
            shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("answers"))
        course = Course(root)
        start = time.perf_counter()
        run_nbgrader(course, "generate_assignment", "plan", "--force")
        print(f"{'generate_assignment plan':<48} {time.perf_counter() - start:9.2f} s")
        for i in range(n):
            student = f"s{i:03d}"
            sub = root / "submitted" / student / "plan"
            (sub / "answers").mkdir(parents=True)
            shutil.copy2(root / "exercises/plan/plan.ipynb", sub / "plan.ipynb")
            (sub / "answers" / "plan.json").write_text(_model_answers(case_for(student, POOL)))
        start = time.perf_counter()
        run_nbgrader(course, "autograde", "plan", "--force")
        total = time.perf_counter() - start
        print(f"{f'autograde {n} submissions, one process':<48} {total:9.2f} s   "
              f"({total / n:.2f} s per submission)")


def lessons() -> None:
    import nbformat
    from nbclient import NotebookClient

    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        with tempfile.TemporaryDirectory() as tmp:
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": tmp}}).execute()
            print(f"{'execute ' + path.name:<48} {time.perf_counter() - start:9.2f} s")


def grade_cell() -> None:
    """What a locked grade cell costs in a warm kernel (bench/grade_cell.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import grade_cell as figures

    figures.main()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--autograde", type=int, default=0, metavar="N")
    parser.add_argument("--lessons", action="store_true", help="time each lesson's execution")
    args = parser.parse_args()
    library()
    grade_cell()
    if args.lessons:
        lessons()
    if args.autograde:
        autograde(args.autograde)


if __name__ == "__main__":
    main()
