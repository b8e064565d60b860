"""The answer store under fault and bad input (issue 9): nothing a trainee does is lost.

These tests use a small model of their own, so they hold whatever the exercises' models are.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from bshtrain.engine.answers import AnswersFileError, AnswerStore

from .conftest import ROOT


class Answers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: str = ""
    when: str = ""
    how_often: Literal["daily", "weekly"] | int = "daily"
    note: str = Field(default="", max_length=100)


@pytest.fixture
def store(tmp_path):
    return AnswerStore("plan", Answers, tmp_path)


def _on_disk(store) -> dict:
    return json.loads(store.path.read_text(encoding="utf-8"))["answers"]


# --- A1: a failed save is never silent ------------------------------------------------------

def test_save_into_unwritable_place_reports_and_keeps_answers(store, tmp_path):
    """Does a save that cannot write say so (naming the file), keep the answers, and does the
    next save, once the place is writable again, write everything?

    The tests run as root, which ignores folder permissions, so the unwritable place is made
    by putting a regular file named `answers` where the folder should be."""
    (tmp_path / "answers").write_text("not a folder")
    first = store.save("case-x", Answers(task="worry-time"), "alice", changed={"task"})
    assert not first.written
    assert first.error == (
        "Your answers could not be saved to answers/plan.json: 'answers' is a file, not a "
        "folder. Nothing is lost yet: they are kept in this notebook until a save works. "
        "Tell your instructor.")
    assert first.answers == Answers(task="worry-time")
    second = store.save("case-x", Answers(task="worry-time", when="Friday"), "alice",
                        changed={"when"})
    assert not second.written and "answers/plan.json" in second.error
    (tmp_path / "answers").unlink()  # writable again
    third = store.save("case-x", Answers(task="worry-time", when="Friday", note="n"), "alice",
                       changed={"note"})
    assert third.written and not third.error
    assert store.load().answers == Answers(task="worry-time", when="Friday", note="n")


@pytest.mark.parametrize(("code", "reason"), [
    (errno.EROFS, "the folder is read-only"),
    (errno.ENOSPC, "the disk is full"),
    (errno.EACCES, "you do not have permission to write there"),
])
def test_os_errors_are_reported_in_a_trainees_words(store, monkeypatch, code, reason):
    """Do a read-only folder, a full disk and a refused permission each give the trainee's
    message, leave the earlier file as it was and no temp file behind?"""
    assert store.save("case-x", Answers(task="first")).written
    before = store.path.read_bytes()

    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", fail)
    result = store.save("case-x", Answers(task="second"), changed={"task"})
    assert not result.written
    assert result.error == (
        f"Your answers could not be saved to answers/plan.json: {reason}. Nothing is lost yet: "
        "they are kept in this notebook until a save works. Tell your instructor.")
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()
                  if not p.name.endswith(".lock")) == ["plan.json"]
    monkeypatch.undo()
    assert store.save("case-x", Answers(task="second", when="x"), changed={"when"}).written
    assert _on_disk(store)["task"] == "second"  # the change whose save failed is written too


def test_invalid_answers_on_save_are_reported_not_raised(store):
    """Is an answer the model refuses (too long) reported through `error`, naming the field?"""
    too_long = Answers.model_construct(task="t", when="", how_often="daily", note="x" * 101)
    result = store.save("case-x", too_long)
    assert not result.written
    assert "answers/plan.json: the answer 'note'" in result.error
    assert "at most 100 characters" in result.error
    assert not store.path.exists()


# --- A2: two kernels on one file ------------------------------------------------------------

def test_two_kernels_editing_different_fields_keep_both(store, tmp_path):
    """Do two kernels on one notebook (two stores on one file), each changing a different
    answer, keep both edits on disk?"""
    assert store.save("case-x", Answers(task="worry-time"), changed={"task"}).written
    kernel_a = AnswerStore("plan", Answers, tmp_path)
    kernel_b = AnswerStore("plan", Answers, tmp_path)
    plan_a = kernel_a.load().answers
    plan_b = kernel_b.load().answers
    a = kernel_a.save("case-x", plan_a.model_copy(update={"when": "after breakfast"}),
                      changed={"when"})
    b = kernel_b.save("case-x", plan_b.model_copy(update={"note": "from B"}), changed={"note"})
    assert a.written and b.written
    assert b.answers == Answers(task="worry-time", when="after breakfast", note="from B")
    assert store.load().answers == b.answers


def test_merge_save_waits_for_the_lock(store):
    """Does a save wait while another kernel holds the answers lock (read-modify-write is
    never interleaved)?"""
    store.save("case-x", Answers(task="first"))
    fd = os.open(store.lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (store.save("case-x", Answers(when="later"), changed={"when"}),
                        done.set()), daemon=True)
    thread.start()
    try:
        assert not done.wait(0.3), "the save did not wait for the lock"
    finally:
        os.close(fd)
    assert done.wait(10)
    assert _on_disk(store)["task"] == "first" and _on_disk(store)["when"] == "later"


def test_merge_save_over_an_unreadable_file_sets_it_aside(store):
    """With an unreadable file on disk, does a merge save keep it aside, never overwrite it?"""
    store.path.parent.mkdir()
    store.path.write_text("{oops")
    result = store.save("case-x", Answers(task="t"), changed={"task"})
    assert result.written and result.kept.read_text() == "{oops"
    assert store.load().answers == Answers(task="t")


# --- A3: files that cannot be read end in the same clear path -------------------------------

def test_deeply_nested_json_is_unreadable_not_a_crash(store):
    """Does a deeply nested JSON file (RecursionError in json) give the usual 'cannot be read'
    error, and is it kept aside on the next save?"""
    store.path.parent.mkdir()
    text = '{"exercise": "plan", "answers": ' + "[" * 200_000 + "]" * 200_000 + "}"
    store.path.write_text(text)
    with pytest.raises(AnswersFileError, match="nested too deeply"):
        store.load()
    result = store.save("case-x", Answers(task="t"))
    assert result.written and result.kept.read_text() == text


def test_named_pipe_at_the_answers_path_does_not_hang(store):
    """Does a named pipe (FIFO) at the answers path give an error at once instead of hanging
    the kernel, and is it set aside on the next save?"""
    store.path.parent.mkdir()
    os.mkfifo(store.path)
    outcome: list = []

    def load():
        try:
            store.load()
            outcome.append("loaded")
        except AnswersFileError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock the hung open() so the test run can go on
        os.close(os.open(store.path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load() hung on a named pipe")
    assert isinstance(outcome[0], AnswersFileError)
    assert "not a regular file" in str(outcome[0])
    result = store.save("case-x", Answers(task="t"))
    assert result.written and result.kept is not None and not result.kept.is_file()
    assert store.load().answers.task == "t"


def test_file_removed_while_being_set_aside(store, monkeypatch):
    """If the unreadable file disappears between the check and the rename (another kernel
    set it aside), is that 'nothing to keep' rather than a FileNotFoundError?"""
    store.path.parent.mkdir()
    store.path.write_text("{oops")
    real_rename = os.rename

    def racing_rename(src, dst):
        os.unlink(src)  # the other kernel got there first
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", racing_rename)
    assert store.set_aside() is None
    store.path.write_text("{oops")
    result = store.save("case-x", Answers(task="t"))
    assert result.written and result.kept is None
    monkeypatch.undo()
    assert store.load().answers.task == "t"


def test_byte_order_mark_is_read(store):
    """Is a file saved by an editor that adds a UTF-8 byte order mark read as it is?"""
    store.path.parent.mkdir()
    data = {"exercise": "plan", "schema_version": 1, "case": "case-x",
            "answers": {"task": "worry-time", "when": "朝"}}
    store.path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode())
    assert store.load().answers == Answers(task="worry-time", when="朝")


# --- A4: the field as the trainee knows it --------------------------------------------------

def test_error_names_the_field_not_pydantics_path(store):
    """Does a bad answer in a union field name `how_often`, not
    `answers.how_often.literal['daily','weekly']`?"""
    store.path.parent.mkdir()
    store.path.write_text(json.dumps({"exercise": "plan", "schema_version": 1, "case": "c",
                                      "answers": {"how_often": "hourly"}}))
    with pytest.raises(AnswersFileError) as err:
        store.load()
    problem = err.value.problems[0]
    assert problem.field == "how_often"
    assert "literal[" not in str(err.value)
    assert str(err.value).startswith(f"{store.path}, field 'how_often': expected: input should "
                                     "be 'daily' or 'weekly'; got 'hourly'")


# --- A5: kill -9 during 1000 saves ----------------------------------------------------------

SAVER = """
import sys
from pydantic import BaseModel
from bshtrain.engine.answers import AnswerStore

class Answers(BaseModel):
    n: int = 0
    text: str = ""

store = AnswerStore("plan", Answers, sys.argv[1])
for n in range(int(sys.argv[2]), int(sys.argv[3])):
    plan = Answers(n=n, text="x" * (40 * (n % 50)))
    result = store.save("case-x", plan, "t", changed={"n", "text"} if n % 2 else None)
    if not result.written:
        sys.exit(result.error)
    print(n, flush=True)
"""


def test_kill_during_1000_saves_never_leaves_a_broken_file(tmp_path):
    """Killing the saving process (SIGKILL) at random moments during 1000 saves: is the file
    always valid JSON holding a completed save (the last one reported, or the one after it,
    which may have finished before its report)?"""
    rng = random.Random(9)
    path = tmp_path / "answers" / "plan.json"
    total, kills, start = 1000, 0, 0
    while start < total:
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(tmp_path), str(start), str(total)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        last = start - 1
        if kills < 8:
            for _ in range(rng.randint(1, 100)):
                line = proc.stdout.readline()
                if not line:
                    break
                last = int(line)
            time.sleep(rng.random() * 0.004)
            proc.kill()
            kills += 1
        out = proc.stdout.read()  # not communicate(): it would skip what readline buffered
        err = proc.stderr.read()
        proc.wait(timeout=300)
        proc.stdout.close()
        proc.stderr.close()
        last = max([last, *(int(n) for n in out.split())])
        assert proc.returncode in (0, -9), err
        data = json.loads(path.read_text(encoding="utf-8"))
        n = data["answers"]["n"]
        assert n in (last, last + 1)
        assert data["answers"]["text"] == "x" * (40 * (n % 50))
        start = n + 1
    assert kills == 8 and json.loads(path.read_text())["answers"]["n"] == total - 1
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []  # a later save clears temp files left by a killed one


def test_stale_temp_file_from_a_killed_save_is_cleared(store):
    """Is a temp file left by a kernel killed mid-save removed by the next save?"""
    store.path.parent.mkdir()
    fd, name = tempfile.mkstemp(prefix=".plan.json.", suffix=".tmp", dir=store.path.parent)
    os.close(fd)
    assert store.save("case-x", Answers(task="t")).written
    assert not os.path.exists(name)
