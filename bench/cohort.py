"""Cohort benchmark (issue 12): grade 60 realistic plan submissions three ways and compare.

    python bench/cohort.py                 # what `make bench` runs
    python bench/cohort.py --keep DIR      # keep the course copy in DIR to look at

It makes a throw-away copy of the course and a cohort of 60 submissions with the project's
own plans (tests/fixtures/plan: the authors' model plans, defensible and harmful plans;
`bshtrain.skills.plan.best_plan`; junk plans from the key's worst options): 24 full, 18
partial, 12 wrong, 3 with no answers file and 3 with a corrupt one. Then it times, from the
same starting gradebook each time:

  1. `bshtrain grade plan` (one nbgrader process per core);
  2. one `nbgrader autograde plan --force` process;
  3. the floor: the same notebooks run with bare nbclient, a fresh kernel each, on as many
     worker processes as cores, with what the grade cells need (the key beside the notebook,
     NBGRADER_EXECUTION=autograde, BSHTRAIN_STUDENT) and nothing of nbgrader;

checks that every student's points per grade cell are identical in all three, prints the
figures, and ends with exactly one line:

  cohort 60: bshtrain grade is A.AA× faster than one nbgrader process; B.BB× the bare-kernel floor

Targets (issue 12): A >= 2, B <= 1.3, and a grade cell's imports under 150 ms in a warm
kernel. The machine may be shared: the figures include the load average before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXERCISE = "plan"
MIX = {"full": 24, "partial": 18, "wrong": 12, "missing": 3, "corrupt": 3}
CORRUPT = [
    b'{"exercise": "plan", "schema_version": 1, "case": "li", "answers": {"task": "task-',
    b"\xff\xfe{\x00\"\x00e\x00x\x00",  # UTF-16, from an editor that saved it so
    b'{"exercise": "plan", "schema_version": 7, "case": "li", "answers": {}}',
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("NBGRADER_EXECUTION", None)
    return env


class _Cpu:
    """CPU seconds used by the processes a run started (kernels included), load-independent."""

    def __enter__(self):
        self.start = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *_exc):
        end = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.seconds = (end.ru_utime + end.ru_stime) - (self.start.ru_utime + self.start.ru_stime)


def _load() -> str:
    try:
        return f"load {os.getloadavg()[0]:.2f}"
    except OSError:
        return "load ?"


# --- the cohort ----------------------------------------------------------------------------
def _answers(case_id: str, plan) -> bytes:
    return json.dumps({"exercise": EXERCISE, "schema_version": 1, "case": case_id, "trainee": "",
                       "answers": plan.model_dump(mode="json")}, ensure_ascii=False).encode()


def _variants(case_id: str, rng: random.Random):
    """Plans for one case, by kind, from the project's own models."""
    from bshtrain.content.cases import get_case
    from bshtrain.engine.options import case_options
    from bshtrain.skills.plan.best_plan import best_plan
    from tests.plan_plans import PlanAnswers, fixtures, harmful_plans, junk_plan, key, model_plan

    options = case_options(EXERCISE, case_id)
    best = best_plan(get_case(case_id), options, key().cases[case_id],
                     rationale=model_plan(case_id).rationale)
    defensible = [PlanAnswers(**d["answers"]) for d in fixtures(case_id).get("defensible", [])]

    def swapped(n: int):
        """The model plan with n single-choice parts changed to another authored option."""
        data = model_plan(case_id).model_dump()
        parts = [p for p in ("step", "when", "where", "dose", "written", "reminder", "review")
                 if p in options.parts and data.get(p)]
        for part in rng.sample(parts, min(n, len(parts))):
            others = [o.id for o in options.parts[part].options if o.id != data[part]]
            data[part] = rng.choice(others)
        return PlanAnswers(**data)

    harmful = [p for c, _n, p in harmful_plans() if c == case_id]
    return {
        "full": [model_plan(case_id), best],
        "partial": [*defensible, swapped(2), swapped(3), swapped(4)],
        "wrong": [*harmful, junk_plan(case_id)],
    }


def make_cohort(course, seed: int = 12) -> dict[str, str]:
    """60 submissions in submitted/<student>/plan/; returns student -> kind."""
    import nbformat

    from bshtrain.engine.identity import case_for
    from bshtrain.skills.plan.spec import POOL

    rng = random.Random(seed)
    kinds = [k for k, n in MIX.items() for _ in range(n)]
    rng.shuffle(kinds)
    release = nbformat.read(course.exercises / EXERCISE / f"{EXERCISE}.ipynb", as_version=4)
    text = nbformat.writes(release)
    cache: dict[str, dict] = {}
    cohort = {}
    for i, kind in enumerate(kinds, 1):
        student = f"trainee{i:02d}"
        case_id = case_for(student, POOL)
        folder = course.root / "submitted" / student / EXERCISE
        (folder / "answers").mkdir(parents=True)
        (folder / f"{EXERCISE}.ipynb").write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
        if kind == "corrupt":
            (folder / "answers" / f"{EXERCISE}.json").write_bytes(CORRUPT[i % len(CORRUPT)])
        elif kind != "missing":
            plans = cache.setdefault(case_id, _variants(case_id, rng))[kind]
            (folder / "answers" / f"{EXERCISE}.json").write_bytes(_answers(case_id, rng.choice(plans)))
        else:
            (folder / "answers").rmdir()
        cohort[student] = kind
    return cohort


# --- reading scores ------------------------------------------------------------------------
def gradebook_scores(course) -> dict[str, dict[str, float]]:
    """Points per student and grade cell, through nbgrader's gradebook API."""
    from tests.nbgrader_course import cell_scores

    return {student: {c: round(float(v or 0), 3) for c, v in cells.items()}
            for student, cells in cell_scores(course, EXERCISE).items()}


def _cell_points(cell) -> float | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            text = "".join(output.get("data", {}).get("text/plain", ""))
            try:
                return round(float(text), 3)
            except ValueError:
                return None
    return None


# --- the three runs ------------------------------------------------------------------------
def reset(course, snapshot: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{course.root / 'gradebook.db'}{suffix}").unlink(missing_ok=True)
    shutil.copy2(snapshot, course.root / "gradebook.db")
    shutil.rmtree(course.root / "autograded", ignore_errors=True)


def run_bshtrain(course, workers: int | None) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "bshtrain.instructor.cli", "grade", EXERCISE, "--no-progress"]
    if workers:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=course.root, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bshtrain grade failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds, proc.stdout


def run_nbgrader(course) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", EXERCISE, "--force"],
                          cwd=course.root, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"nbgrader autograde failed:\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def _quiet() -> None:
    """Pool processes (and the kernels they start) print nothing: nbgrader's go to its log."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _floor_one(args: tuple[str, str]) -> tuple[str, dict[str, float | None], float, int]:
    """Run one notebook as the grader would, with bare nbclient (in a pool process)."""
    import nbformat
    from nbclient import NotebookClient

    student, folder = args
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    os.environ["BSHTRAIN_STUDENT"] = student
    start = time.perf_counter()
    retries = 0
    while True:  # a kernel that never answers (seen here under load): start another
        nb = nbformat.read(Path(folder) / f"{EXERCISE}.ipynb", as_version=4)
        try:
            NotebookClient(nb, timeout=120, startup_timeout=30, kernel_name="python3",
                           allow_errors=True, resources={"metadata": {"path": folder}}).execute()
            break
        except RuntimeError:
            retries += 1
            if retries > 2:
                raise
    points = {c.metadata["nbgrader"]["grade_id"]: _cell_points(c) for c in nb.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    return student, points, time.perf_counter() - start, retries


def floor_folders(course, base: Path) -> dict[str, str]:
    """Each submission with the key beside it, as autograde lays it out (untimed)."""
    folders = {}
    for sub in sorted((course.root / "submitted").glob(f"*/{EXERCISE}")):
        dest = base / sub.parent.name / EXERCISE
        shutil.copytree(sub, dest)
        shutil.copy2(course.solutions / EXERCISE / "key.yaml", dest / "key.yaml")
        folders[sub.parent.name] = str(dest)
    return folders


def run_floor(folders: dict[str, str], workers: int):
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=_quiet) as pool:
        results = list(pool.map(_floor_one, sorted(folders.items()), chunksize=1))
    return (time.perf_counter() - start, {s: p for s, p, _, _ in results},
            [t for _, _, t, _ in results], sum(r for *_, r in results))


# --- what a grade cell costs in a warm kernel ----------------------------------------------
IMPORT_PROBE = """
import time as _t, io as _io, contextlib as _c
_a = _t.perf_counter(), _t.process_time()
import bshtrain.api
_b = _t.perf_counter(), _t.process_time()
with _c.redirect_stdout(_io.StringIO()):
    bshtrain.api.grade("plan", "task")
_d = _t.perf_counter(), _t.process_time()
with _c.redirect_stdout(_io.StringIO()):
    bshtrain.api.grade("plan", "targets")
_e = _t.perf_counter(), _t.process_time()
print(*(round((y[i] - x[i]) * 1e3, 1) for i in (0, 1) for x, y in ((_a, _b), (_b, _d), (_d, _e))))
"""


def grade_cell_costs(folder: str, student: str) -> tuple[float, ...]:
    """(import bshtrain.api, first grade call, a later grade call) in wall ms, then the same
    in the kernel's CPU ms (steadier on a shared machine), in a kernel that has started and
    run one cell (warm), in a graded submission's folder."""
    from jupyter_client.manager import start_new_kernel

    env = {**_env(), "NBGRADER_EXECUTION": "autograde", "BSHTRAIN_STUDENT": student}
    km, kc = start_new_kernel(kernel_name="python3", cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda _m: None)
        printed: list[str] = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        kc.execute_interactive(IMPORT_PROBE, timeout=120, output_hook=hook)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return tuple(float(x) for x in "".join(printed).split())


# --- main ----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="make the course copy here and keep it")
    parser.add_argument("--workers", type=int, help="bshtrain grade --workers (default: cores)")
    args = parser.parse_args()

    from bshtrain.instructor.pool import default_workers
    from tests.nbgrader_course import copy_course
    from tests.nbgrader_course import run_nbgrader as nbgrader

    cores = default_workers()
    workers = args.workers or cores
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="bshtrain-bench-")
    base = Path(args.keep or tmp.name)
    try:
        course = copy_course(base / "course")
        nbgrader(course, "generate_assignment", EXERCISE, "--force")
        cohort = make_cohort(course)
        snapshot = base / "gradebook.start.db"
        shutil.copy2(course.root / "gradebook.db", snapshot)
        n = len(cohort)
        print(f"cohort: {n} submissions of {EXERCISE} ("
              + ", ".join(f"{k} {v}" for k, v in MIX.items()) + f"); {cores} core(s)")

        folders = floor_folders(course, base / "floor")
        print(f"[{_load()}] floor: bare nbclient, {cores} worker(s) ...", flush=True)
        with _Cpu() as cpu:
            floor_s, floor_scores, per_nb, restarts = run_floor(folders, cores)
        print(f"  floor                        {floor_s:7.1f} s   {floor_s / n:5.2f} s a notebook"
              f"   CPU {cpu.seconds / n:4.2f} s a notebook (one notebook: median "
              f"{statistics.median(per_nb):.2f} s, slowest {max(per_nb):.2f} s; kernels that "
              f"never answered and were started again: {restarts})")

        reset(course, snapshot)
        print(f"[{_load()}] bshtrain grade, {workers} nbgrader process(es) ...", flush=True)
        with _Cpu() as cpu:
            ours_s, table = run_bshtrain(course, args.workers)
        ours = gradebook_scores(course)
        print(f"  bshtrain grade               {ours_s:7.1f} s   {ours_s / n:5.2f} s a notebook"
              f"   CPU {cpu.seconds / n:4.2f} s a notebook")
        locks = next((line.strip() for line in table.splitlines() if "locking" in line
                      or "locked" in line), "")
        print(f"  {locks}")

        reset(course, snapshot)
        print(f"[{_load()}] nbgrader autograde, one process ...", flush=True)
        with _Cpu() as cpu:
            plain_s, plain_log = run_nbgrader(course)
        plain = gradebook_scores(course)
        lines = plain_log.splitlines()
        print(f"  nbgrader autograde (1 proc.) {plain_s:7.1f} s   {plain_s / n:5.2f} s a notebook"
              f"   CPU {cpu.seconds / n:4.2f} s a notebook ({len(lines)} lines of output, "
              f"{sum('WARNING' in x for x in lines)} warnings)")

        auto = [c for c in next(iter(floor_scores.values()))]
        differ = []
        for student in sorted(cohort):
            a = {c: ours.get(student, {}).get(c) for c in auto}
            b = {c: plain.get(student, {}).get(c) for c in auto}
            f = floor_scores.get(student, {})
            if not (a == b == f):
                differ.append(f"{student}: bshtrain {a} nbgrader {b} floor {f}")
        bands = {"full": 0, "partial": 0, "zero": 0}
        for student in cohort:
            total = sum(ours[student][c] for c in auto)
            bands["full" if total >= 16 else "zero" if total <= 0 else "partial"] += 1
        print(f"  scores per student and grade cell identical in all three: "
              f"{'yes' if not differ else 'NO'} ({n} students x {len(auto)} cells; "
              + ", ".join(f"{k} {v}" for k, v in bands.items()) + ")")
        for line in differ[:10]:
            print(f"    {line}")

        student = sorted(cohort)[0]
        costs = [grade_cell_costs(folders[student], student) for _ in range(3)]
        imp, first, later, imp_cpu, first_cpu, _ = (statistics.median(c[i] for c in costs)
                                                    for i in range(6))
        print(f"  [{_load()}] grade cell in a warm kernel: import bshtrain.api {imp:.0f} ms, "
              f"first grade() {first:.0f} ms, a later grade() {later:.0f} ms; import + first "
              f"call {imp + first:.0f} ms, CPU {imp_cpu + first_cpu:.0f} ms (target < 150 ms; "
              "median of 3 kernels)")
        print(f"  vs one nbgrader process: {plain_s / ours_s:.2f}× (target >= 2); vs floor: "
              f"{ours_s / floor_s:.2f}× (target <= 1.3); nbgrader vs floor {plain_s / floor_s:.2f}×")
        print(f"cohort {n}: bshtrain grade is {plain_s / ours_s:.2f}× faster than one nbgrader "
              f"process; {ours_s / floor_s:.2f}× the bare-kernel floor")
        return 1 if differ else 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
