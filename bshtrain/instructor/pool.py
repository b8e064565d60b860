"""Run one nbgrader action over many students with several nbgrader processes (design 7).

Each worker process (worker.py) loads nbgrader once and is handed students one at a time,
so the split between workers follows how long each submission takes. nbgrader's output goes
to a log file; the terminal gets a progress bar. A submission that fails is reported and the
others go on; a worker that dies is replaced; a student whose gradebook write met a locked
SQLite database is tried again.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bshtrain.instructor.course import Course, CourseError, nbgrader_env

MAX_ATTEMPTS = 3  # per student, for a locked database or a worker that died
MAX_RESTARTS = 3  # per worker slot


@dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    ok: bool
    error: str = ""
    attempts: int = 1
    locked: int = 0  # attempts that met "database is locked"
    seconds: float = 0.0


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_env() -> dict[str, str]:
    env = nbgrader_env()
    # nbformat validates every notebook read and written (four times a submission): its
    # supported fastjsonschema validator does it in a tenth of the time, same verdicts.
    env.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
    return env


class _Slot:
    """One worker process and its log file."""

    def __init__(self, course: Course, action: str, exercise: str, log: Path):
        self.course, self.action, self.exercise, self.log = course, action, exercise, log
        self.proc: subprocess.Popen | None = None

    def launch(self) -> None:
        """Start the process (it loads nbgrader meanwhile); `hello` waits until it is ready."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bshtrain.instructor.worker", self.action, self.exercise],
                cwd=self.course.root, env=_worker_env(), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8", bufsize=1)

    def start(self) -> str:
        """Start the process; '' when ready, else why it could not start."""
        self.launch()
        return self.hello()

    def hello(self) -> str:
        assert self.proc is not None
        hello = self._read()
        if hello is None:
            return f"the nbgrader process could not start (exit {self.proc.wait()}); see {self.log}"
        if "fatal" in hello:
            return hello["fatal"]
        return ""

    def _read(self) -> dict | None:
        assert self.proc is not None and self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            return None
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return None

    def ask(self, student: str) -> dict | None:
        """Process one student; None if the process died."""
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(student) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        return self._read()

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill and self.proc.poll() is None:
            self.proc.kill()
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def launch_workers(course: Course, action: str, exercise: str, count: int) -> list[_Slot]:
    """Start `count` worker processes now, so they load nbgrader while the caller prepares
    (run_pool then uses them). Their output goes to temporary files until run_pool ends."""
    folder = Path(tempfile.mkdtemp(prefix="bshtrain-workers-"))
    slots = [_Slot(course, action, exercise, folder / f"worker-{i + 1}.log")
             for i in range(max(1, count))]
    for slot in slots:
        slot.launch()
    return slots


def stop_workers(slots: list[_Slot], kill: bool = False) -> None:
    """Stop worker processes (at once with `kill`, for a run that will not use them)."""
    for slot in slots:
        slot.stop(kill)
    for slot in slots:
        slot.log.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        slots[0].log.parent.rmdir()


def run_pool(course: Course, action: str, exercise: str, students: list[str], workers: int,
             log: Path, done: Callable[[Outcome], None] | None = None,
             slots: list[_Slot] | None = None) -> dict[str, Outcome]:
    """Run `action` (autograde or generate_feedback) for every student; return each outcome.

    `done` is called (from worker threads, one at a time) as each student finishes.
    nbgrader's output is written to `log` (one section per worker process). `slots`: worker
    processes already launched (launch_workers); more than there are students are stopped."""
    if slots is None:
        slots = launch_workers(course, action, exercise, max(1, min(workers, len(students))))
    if not students:
        stop_workers(slots)
        return {}
    queue: deque[tuple[str, int]] = deque((s, 1) for s in students)
    outcomes: dict[str, Outcome] = {}
    locked: dict[str, int] = {}
    lock = threading.Lock()
    fatal: list[str] = []
    count = max(1, min(len(slots), len(students)))
    for extra in slots[count:]:
        extra.stop(kill=True)
    logs = [slot.log for slot in slots]

    def finish(outcome: Outcome) -> None:
        with lock:
            outcomes[outcome.student] = outcome
            if done is not None:
                done(outcome)

    def take() -> tuple[str, int] | None:
        with lock:
            if fatal or not queue:
                return None
            return queue.popleft()

    def serve(index: int) -> None:
        slot = slots[index]
        restarts = 0
        why = slot.hello()
        if why:
            with lock:
                fatal.append(why)
            slot.stop()
            return
        while (item := take()) is not None:
            student, attempt = item
            reply = slot.ask(student)
            if reply is None:  # the process died: replace it, try the student again
                slot.stop()
                code = slot.proc.returncode if slot.proc else None
                if attempt < MAX_ATTEMPTS:
                    with lock:
                        queue.append((student, attempt + 1))
                else:
                    finish(Outcome(student, False, f"the nbgrader process stopped (exit {code}) "
                                                   f"while processing it, {attempt} times",
                                   attempt))
                restarts += 1
                if restarts > MAX_RESTARTS:
                    return
                why = slot.start()
                if why:
                    with lock:
                        fatal.append(why)
                    return
                continue
            if reply.get("locked"):
                with lock:
                    locked[student] = locked.get(student, 0) + 1
                if not reply.get("ok") and attempt < MAX_ATTEMPTS:
                    time.sleep(0.2 * attempt)
                    with lock:
                        queue.append((student, attempt + 1))
                    continue
            finish(Outcome(student, bool(reply.get("ok")), str(reply.get("error") or ""), attempt,
                           locked.get(student, 0), float(reply.get("seconds") or 0)))
        slot.stop()

    threads = [threading.Thread(target=serve, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _merge_logs(log, logs, action, exercise)
    stop_workers(slots)
    if fatal:
        raise CourseError(f"nbgrader {action} {exercise}: {fatal[0]}\n(log: {log})")
    for student in students:  # students never reached (every worker slot gave up)
        if student not in outcomes:
            outcomes[student] = Outcome(student, False, "not processed: the nbgrader processes "
                                                        f"kept stopping; see {log}", 0)
    return outcomes


def _merge_logs(log: Path, parts: list[Path], action: str, exercise: str) -> None:
    with open(log, "a", encoding="utf-8") as out:
        for i, part in enumerate(parts, 1):
            if not part.exists():
                continue
            out.write(f"\n===== nbgrader {action} {exercise}: worker {i} of {len(parts)} =====\n")
            out.write(part.read_text(encoding="utf-8", errors="replace"))
            part.unlink()
