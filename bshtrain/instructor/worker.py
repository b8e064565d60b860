"""One nbgrader process of a parallel `bshtrain grade` or `bshtrain feedback` (see pool.py).

Run as `python -m bshtrain.instructor.worker ACTION EXERCISE` in the course root. It loads
nbgrader and the course's nbgrader_config.py once, the way `nbgrader autograde EXERCISE
--force` (or `generate_feedback`) does, then takes student ids one per line on standard input
and runs nbgrader's own converter for each: the same config, the same preprocessors, the same
gradebook writes as the nbgrader command, without nbgrader's start-up for every student.

Standard output carries one JSON line per student for the parent; everything nbgrader, the
kernels and this process print goes to standard error, which the parent sends to a log file.

SQLite: every connection waits up to a minute for a busy database instead of failing at
once, and commits with `synchronous=NORMAL`. The parent puts the gradebook in WAL mode for
the run, where NORMAL never corrupts the database (a power cut can lose the last commits,
which grading again restores); in nbgrader's default rollback-journal mode every commit
waits for the disk (27 ms each here, about 33 commits a notebook).
"""

from __future__ import annotations

import glob
import json
import logging
import os
import sqlite3
import sys
import time

ACTIONS = ("autograde", "generate_feedback")
CONFIG_ERROR = "Exception while loading config file"
LOCKED = "database is locked"
BUSY_TIMEOUT_MS = 60_000


def _sqlite_pragmas() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised in subprocesses
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()


class _Collect(logging.Handler):
    """Keeps the error messages logged while one student is processed."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a badly formatted message must not stop the run
            self.messages.append(str(record.msg))


def _app(action: str, exercise: str):
    if action == "autograde":
        from nbgrader.apps.autogradeapp import AutogradeApp as App
        from nbgrader.converters import Autograde as Converter
    else:
        from nbgrader.apps.generatefeedbackapp import GenerateFeedbackApp as App
        from nbgrader.converters import GenerateFeedback as Converter
    app = App()
    watch = _Collect()
    watch.setLevel(logging.WARNING)
    app.log.addHandler(watch)
    app.initialize([exercise, "--force"])
    app.log.removeHandler(watch)
    failed = [m for m in watch.messages if CONFIG_ERROR in m]
    if failed:
        raise SystemExit(json.dumps({"fatal": "nbgrader_config.py failed to load, so nbgrader "
                                              "would run with defaults: " + failed[0]}))
    app.coursedir.assignment_id = exercise
    return app, Converter


def _run_one(app, converter_class, student: str) -> dict:
    from nbgrader.converters.base import NbGraderException

    watch = _Collect()
    app.log.addHandler(watch)
    app.log.info("===== %s =====", student)
    start = time.perf_counter()
    ok, error = True, ""
    app.coursedir.student_id = glob.escape(student)
    try:
        converter = converter_class(coursedir=app.coursedir, parent=app)
        converter.force = True
        converter.start()
    except NbGraderException:
        ok = False
    except Exception as exc:  # anything else nbgrader lets through: report, keep going
        ok = False
        app.log.exception("unexpected error for %s", student)
        watch.messages.append(f"{type(exc).__name__}: {exc}")
    finally:
        app.log.removeHandler(watch)
    text = "\n".join(watch.messages)
    if ok and watch.messages:
        ok = not any("There was an error processing" in m for m in watch.messages)
    if not ok:
        useful = [m for m in watch.messages if not m.startswith(("There was an error processing",
                                                                  "Please see"))]
        error = (useful or watch.messages or ["nbgrader failed (no message)"])[-1]
        error = error.strip().splitlines()[-1] if error.strip() else "nbgrader failed"
    return {"student": student, "ok": ok, "error": error, "locked": LOCKED in text,
            "seconds": round(time.perf_counter() - start, 3)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ACTIONS:
        print(f"usage: python -m bshtrain.instructor.worker {{{','.join(ACTIONS)}}} EXERCISE",
              file=sys.stderr)
        return 2
    action, exercise = args
    # Standard output is the parent's channel: keep a private copy of it, and send whatever
    # else writes to file descriptor 1 (nbgrader, kernels started from here) to the log.
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def say(message: dict) -> None:
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    _sqlite_pragmas()
    try:
        app, converter = _app(action, exercise)
    except SystemExit as stop:
        text = str(stop.code) if stop.code not in (None, 0) else "nbgrader could not start"
        say(json.loads(text) if text.startswith("{") else {"fatal": text})
        return 3
    say({"ready": True})
    for line in sys.stdin:
        student = line.strip()
        if not student:
            break
        say(_run_one(app, converter, json.loads(student)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
