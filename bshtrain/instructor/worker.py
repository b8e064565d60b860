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
import shutil
import sqlite3
import sys
import tempfile
import time
from queue import Empty
from types import SimpleNamespace

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbgrader.preprocessors import Execute
from traitlets import default

from bshtrain.engine.identity import STUDENT_ENV

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


# --- in these processes only: the same nbgrader steps, with less waiting -------------------

class QuickReadyClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel has answered on the shell
    channel and spoken on IOPub. jupyter_client then also waits until IOPub has been quiet
    for 0.2 s (a fifth of a second for every notebook); nbclient matches every IOPub message
    to its request, so nothing left from start-up can be taken for a cell's output."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class QuickKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager with QuickReadyClient, which checks every 10 ms, not
    every 100 ms, whether a stopped kernel has gone."""

    @default("client_factory")
    def _quick_client(self) -> type:
        return QuickReadyClient

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


class _Ahead:
    """The kernel a worker starts while one notebook runs, for its next notebook.

    A new kernel process for each notebook, as nbgrader starts one: it has run nothing when
    it is handed over. It starts in an empty scratch folder with the worker's environment at
    that moment, minus the student id (the next notebook's folder and student are not known
    yet); at handover it is given the folder, search path and environment a kernel started
    then would have had (`move_in_code`)."""

    def __init__(self):
        self.km = None
        self.env: dict[str, str] = {}
        self.kernel_name = ""
        self._scratch = ""

    def scratch(self) -> str:
        if not self._scratch:
            self._scratch = tempfile.mkdtemp(prefix="bshtrain-kernel-")
        return self._scratch

    async def start(self, client) -> None:
        """Start a kernel like `client`'s, as `client` would start it, for the next notebook."""
        km = client.kernel_manager_class(kernel_name=client.kernel_name, config=client.config)
        env = {k: v for k, v in os.environ.items() if k != STUDENT_ENV}
        await km.start_kernel(extra_arguments=kernel_arguments(client, km), cwd=self.scratch(),
                              env=dict(env))
        self.km, self.env, self.kernel_name = km, env, client.kernel_name

    async def take(self, kernel_name: str):
        """The kernel started ahead and the environment it started with, if it is for
        `kernel_name` and still alive; else None (a kernel for another name is stopped)."""
        km, env, self.km = self.km, self.env, None
        if km is None:
            return None
        if self.kernel_name != kernel_name or not await km.is_alive():
            await km.shutdown_kernel(now=True)
            return None
        return km, env

    def stop(self) -> None:
        """Stop a kernel started ahead that no notebook took (the worker is ending)."""
        if self.km is not None and self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = ""


_AHEAD = _Ahead()


def kernel_arguments(client, km) -> list[str]:
    """The arguments nbclient starts an IPython kernel with (its history kept in memory)."""
    args = list(client.extra_arguments)
    if (getattr(km, "ipykernel", False) and client.ipython_hist_file
            and not any(a.startswith("--HistoryManager.hist_file") for a in args)):
        args.append(f"--HistoryManager.hist_file={client.ipython_hist_file}")
    return args


MOVE_IN = """\
def _bshtrain_move_in(os, sys):
    started_in = os.getcwd()
    os.chdir({folder!r})
    sys.path[:] = [os.getcwd() if p == started_in else p for p in sys.path]
    os.environ.update({changed!r})
    for name in {gone!r}:
        os.environ.pop(name, None)
_bshtrain_move_in(__import__("os"), __import__("sys"))
del _bshtrain_move_in
"""


def move_in_code(folder: str, started_with: dict[str, str], now: dict[str, str]) -> str:
    """Code that moves a kernel started ahead into `folder` (its working folder, and the
    module search path's entry for it) and gives it the environment `now` (it started with
    `started_with`), leaving no name behind in the kernel."""
    changed = {k: v for k, v in now.items() if started_with.get(k) != v}
    gone = sorted(set(started_with) - set(now))
    return MOVE_IN.format(folder=folder, changed=changed, gone=gone)


class AheadExecute(Execute):
    """nbgrader's Execute for `bshtrain grade`'s worker processes (not nbgrader_config.py).

    Each notebook runs in a kernel of its own that has run nothing before, never one reused
    between trainees; but that kernel was started while the previous notebook ran, so its
    start-up is not waited for. After its notebook it is stopped at once (nothing a grading
    kernel holds needs a clean exit). If the kernel started ahead fails, one is started
    then, as nbgrader would."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", QuickKernelManager)
        super().__init__(*args, **kwargs)

    @default("shutdown_kernel")
    def _stop_at_once(self) -> str:
        return "immediate"

    async def async_start_new_kernel(self, **kwargs) -> None:
        taken = await _AHEAD.take(self.kernel_name)
        self._started_with = None if taken is None else taken[1]
        if taken is None:
            await super().async_start_new_kernel(**kwargs)
        else:
            self.km = taken[0]

    async def async_start_new_kernel_client(self):
        try:
            kc = await super().async_start_new_kernel_client()
            if self._started_with is not None:
                await self._move_in()
        except Exception:
            if self._started_with is None:
                raise
            self.log.warning("The kernel started ahead did not answer: starting another")
            if self.km is not None:
                await self._async_cleanup_kernel()
            self._started_with = None
            self.km = self.create_kernel_manager()
            await super().async_start_new_kernel()
            kc = await super().async_start_new_kernel_client()
        try:
            await _AHEAD.start(self)
        except Exception as exc:  # the next notebook then starts its own kernel
            self.log.warning("Could not start a kernel ahead: %s", exc)
        return kc

    async def _move_in(self) -> None:
        folder = self.resources.get("metadata", {}).get("path") or os.getcwd()
        code = move_in_code(os.path.abspath(folder), self._started_with, dict(os.environ))
        msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False))
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError("the kernel started ahead could not be moved to the notebook")

    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


def _ahead_steps(app) -> None:
    """Autograde with AheadExecute in place of Execute, in this process only: the course's
    steps otherwise unchanged and in order (GradeAnswersFileOnly first)."""
    from nbgrader.converters import Autograde

    section = app.config.Autograde
    steps = (section.autograde_preprocessors if "autograde_preprocessors" in section
             else Autograde.class_traits()["autograde_preprocessors"].default())
    section.autograde_preprocessors = [AheadExecute if s is Execute else s for s in steps]


def _one_engine_per_gradebook() -> None:
    """nbgrader opens the gradebook about ten times a notebook, each time with a new database
    engine, so every query is compiled again. In this process, one engine per database
    serves them all (closing a gradebook still closes its connections): same queries, same
    writes, compiled once."""
    from nbgrader import api

    make, engines = api.create_engine, {}

    def create_engine(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = make(url, **kwargs)
        return engines[key]

    api.create_engine = create_engine


def _check_schema_once() -> None:
    """nbgrader validates each cell's metadata with jsonschema.validate, which first checks
    nbgrader's own schema file, unchanged, every time (nine tenths of the cost). In this
    process the schema is checked once; each cell is still validated against it, with the
    same error when it fails."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    checked: dict[str, jsonschema.protocols.Validator] = {}

    def validate(instance, schema) -> None:
        key = json.dumps(schema, sort_keys=True)
        if key not in checked:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            checked[key] = cls(schema)
        error = jsonschema.exceptions.best_match(checked[key].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = SimpleNamespace(validate=validate)


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
    if action == "autograde":
        _ahead_steps(app)
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
    _one_engine_per_gradebook()
    _check_schema_once()
    try:
        app, converter = _app(action, exercise)
    except SystemExit as stop:
        text = str(stop.code) if stop.code not in (None, 0) else "nbgrader could not start"
        say(json.loads(text) if text.startswith("{") else {"fatal": text})
        return 3
    say({"ready": True})
    try:
        for line in sys.stdin:
            student = line.strip()
            if not student:
                break
            say(_run_one(app, converter, json.loads(student)))
    finally:
        _AHEAD.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
