"""The answers file: how a trainee's widget answers reach nbgrader.

One JSON file per exercise, `answers/<exercise>.json` beside the notebook. It is written
only on the trainee's action, atomically, and never while nbgrader executes the notebook
(`NBGRADER_EXECUTION` is set by autograde and validate). A file that cannot be read is
reported, kept, and set aside under a new name before anything new is written.

Every write holds an exclusive lock (`answers/.<exercise>.json.lock`), so two kernels on one
notebook take turns. A save given the names of the answers that changed writes only those on
top of what is on disk, so neither kernel wipes the other's answers. A save that fails never
raises: it says why, in words a trainee understands, and the store remembers what is unsaved
so that the next save that works writes it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from bshtrain.content.loading import DataFileError, Problem, describe_error, field_name

try:
    import fcntl
except ImportError:  # not on Windows; the course runs on Linux
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 1
GRADING_ENV = "NBGRADER_EXECUTION"
ANSWERS_DIR = "answers"
MAX_BYTES = 20_000_000  # far above any real answers file; keeps a stray huge file from hanging

ModelT = TypeVar("ModelT", bound=BaseModel)


def grading_mode() -> bool:
    """True while nbgrader autogrades or validates this notebook."""
    return bool(os.environ.get(GRADING_ENV))


def answers_relpath(exercise_id: str) -> str:
    """Where an exercise's answers live, relative to its notebook (used by nbgrader_config)."""
    return f"{ANSWERS_DIR}/{exercise_id}.json"


class AnswersFileError(DataFileError):
    """The answers file exists but cannot be used."""


@dataclass(frozen=True)
class SavedAnswers(Generic[ModelT]):
    """What an answers file holds."""

    exercise: str
    case: str
    answers: ModelT
    saved_at: str = ""
    trainee: str = ""


@dataclass(frozen=True)
class SaveResult:
    """What a save did.

    `written`: the file now holds the answers. `kept`: where an unusable old file was set
    aside. `error`: why nothing was written, for the trainee (empty when all went well).
    `answers`: the answers as now saved (for a merge save: what is on disk, others' changes
    included), or the caller's answers when nothing was written.
    """

    written: bool
    kept: Path | None = None
    error: str = ""
    answers: BaseModel | None = None


_REASONS = {
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "you do not have permission to write there",
    errno.EPERM: "you do not have permission to write there",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your storage quota is used up",
    errno.ENOTDIR: f"'{ANSWERS_DIR}' is a file, not a folder",
    errno.EEXIST: f"'{ANSWERS_DIR}' is a file, not a folder",
    errno.EISDIR: "a folder is in the way of the file",
    errno.EIO: "the disk reported an error",
}


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class AnswerStore(Generic[ModelT]):
    """Reads and writes one exercise's answers file."""

    def __init__(self, exercise_id: str, model: type[ModelT], folder: Path | str = "."):
        self.exercise_id = exercise_id
        self.model = model
        self.path = Path(folder) / answers_relpath(exercise_id)
        self.lock_path = self.path.with_name(f".{self.path.name}.lock")
        self.unreadable = False  # set when load() found a file it could not use
        self.unsaved: set[str] = set()  # answer fields whose last save failed
        self._loaded: tuple[int, int, int, int] | None = None  # the file load() last looked at
        self._seen: tuple[int, int, int, int] | None = None

    def _fail(self, field: str, message: str) -> AnswersFileError:
        return AnswersFileError([Problem(str(self.path), field, message)])

    # --- reading ---------------------------------------------------------------------------
    def _read_raw(self) -> bytes | None:
        """The file's bytes; None if there is none. Never blocks on a pipe or device.

        Records which file it looked at in `self._seen` (for `_loaded_unchanged`)."""
        self._seen = None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, NotADirectoryError):
            return None  # nothing saved yet ('answers' being a file is reported by save)
        except OSError as exc:
            raise self._fail("", f"cannot be read ({exc.strerror})") from None
        try:
            st = os.fstat(fd)
            self._seen = _identity(st)
            if not stat.S_ISREG(st.st_mode):
                kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
                raise self._fail("", f"is {kind}")
            if st.st_size > MAX_BYTES:
                raise self._fail("", f"is too large ({st.st_size:,} bytes)")
            chunks, total = [], 0
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_BYTES:
                    raise self._fail("", "is too large")
            return b"".join(chunks)
        except OSError as exc:
            raise self._fail("", f"cannot be read ({exc.strerror})") from None
        finally:
            os.close(fd)

    def load(self) -> SavedAnswers[ModelT] | None:
        """Read the file: None if there is none; AnswersFileError if it cannot be used."""
        try:
            raw = self._read_raw()
            saved = None if raw is None else self._parse(raw)
        except AnswersFileError:
            self.unreadable = True
            raise
        finally:
            self._loaded = self._seen
        self.unreadable = False
        return saved

    def _parse(self, raw: bytes) -> SavedAnswers[ModelT]:
        try:
            data = json.loads(raw.decode("utf-8-sig"))  # a BOM from a Windows editor is fine
        except UnicodeDecodeError:
            raise self._fail("", "is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._fail("", f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
        except RecursionError:
            raise self._fail("", "is nested too deeply to be an answers file") from None
        if not isinstance(data, dict):
            raise self._fail("", "expected a JSON object")
        if data.get("exercise") != self.exercise_id:
            raise self._fail("exercise", f"expected '{self.exercise_id}', got {data.get('exercise')!r}")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise self._fail("schema_version",
                             f"expected {SCHEMA_VERSION}, got {data.get('schema_version')!r}")
        case = data.get("case")
        if not isinstance(case, str) or not case:
            raise self._fail("case", f"expected a case id, got {case!r}")
        answers = data.get("answers")
        if not isinstance(answers, dict):
            raise self._fail("answers", "expected a JSON object of answers")
        try:
            model = self.model.model_validate(answers)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise self._fail(field_name(err["loc"]), describe_error(err)) from None
        except RecursionError:
            raise self._fail("answers", "is nested too deeply to be an answers file") from None
        return SavedAnswers(self.exercise_id, case, model,
                            str(data.get("saved_at", "")), str(data.get("trainee", "")))

    def _read_disk(self) -> SavedAnswers[ModelT] | None:
        """What is on disk now; AnswersFileError (or OSError) when it cannot be used."""
        raw = self._read_raw()
        return None if raw is None else self._parse(raw)

    # --- setting aside ---------------------------------------------------------------------
    def set_aside(self) -> Path | None:
        """Rename an unusable file to a new, unused name; return that name (None if gone)."""
        with self._locked():
            return self._set_aside()

    def _set_aside(self) -> Path | None:
        if not os.path.lexists(self.path):
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            suffix = f".unreadable-{stamp}" + (f"-{n}" if n else "")
            target = self.path.with_name(self.path.name + suffix)
            if os.path.lexists(target):
                continue
            try:
                os.rename(self.path, target)
            except FileNotFoundError:
                return None  # removed meanwhile (by the trainee, or another kernel set it aside)
            return target
        raise OSError(errno.EEXIST, f"could not find a free name to keep {self.path}")

    # --- writing ---------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[bool]:
        """Hold the exclusive write lock; yields whether a lock is really held."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield False
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                held = True
            except OSError as exc:  # a file system without locks: write as before
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
                    raise
                held = False
            yield held
        finally:
            os.close(fd)  # closing releases the lock

    def save(self, case: str, answers: ModelT, trainee: str = "",
             changed: set[str] | None = None) -> SaveResult:
        """Write the answers atomically; write nothing while grading. Never raises for a
        failed write: the result's `error` says why, for the trainee.

        With `changed` (names of answer fields), only those fields (and any whose earlier
        save failed) are written, on top of the answers now on disk: a second kernel's
        answers to other fields are kept. Without it, the whole set of answers is written.
        An existing file that cannot be used is first set aside, never overwritten.
        """
        if grading_mode():
            return SaveResult(written=False, answers=answers)
        fields = None
        if changed is not None:
            unknown = sorted(set(changed) - set(self.model.model_fields))
            if unknown:
                raise ValueError(f"not an answer field of {self.model.__name__}: "
                                 + ", ".join(unknown))
            fields = set(changed) | self.unsaved
        try:
            result = self._save(case, answers, trainee, fields)
        except OSError as exc:
            result = SaveResult(written=False, error=self._save_error(exc), answers=answers)
        except (ValidationError, ValueError) as exc:
            result = SaveResult(written=False, answers=answers,
                                error=self._save_error(None, self._invalid(exc)))
        if result.written:
            self.unsaved.clear()
        else:
            self.unsaved |= set(self.model.model_fields) if changed is None else set(changed)
        return result

    def _save(self, case: str, answers: ModelT, trainee: str,
              fields: set[str] | None) -> SaveResult:
        current = self.model.model_validate(answers.model_dump(mode="json"))
        with self._locked() as held:
            if held:
                self._remove_stale_temps()
            kept, on_disk = None, None
            try:
                on_disk = self._read_disk()
                if on_disk is not None and self.unreadable and self._loaded_unchanged():
                    raise self._fail("", "was reported unusable when loaded")
            except AnswersFileError:
                kept = self._set_aside()
                on_disk = None
            self.unreadable = False
            if fields is not None and on_disk is not None and on_disk.case == case:
                data = on_disk.answers.model_dump(mode="json")
                data.update({f: v for f, v in current.model_dump(mode="json").items()
                             if f in fields})
                current = self.model.model_validate(data)
            elif fields is not None and on_disk is not None:
                kept = self._set_aside()  # answers for another case: keep them, do not mix
            self._write(case, current, trainee)
        return SaveResult(written=True, kept=kept, answers=current)

    def _loaded_unchanged(self) -> bool:
        """Is the file on disk the one load() last looked at (no other kernel wrote since)?"""
        return self._loaded is None or self._seen == self._loaded

    def _write(self, case: str, answers: BaseModel, trainee: str) -> None:
        payload = {
            "exercise": self.exercise_id,
            "schema_version": SCHEMA_VERSION,
            "case": case,
            "trainee": trainee,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "answers": answers.model_dump(mode="json"),
        }
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._loaded = None

    def _remove_stale_temps(self) -> None:
        """Temp files left by a kernel killed mid-save (only a lock holder writes one)."""
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            tmp.unlink(missing_ok=True)

    # --- messages --------------------------------------------------------------------------
    def _invalid(self, exc: Exception) -> str:
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            name = field_name(err["loc"])
            return f"the answer '{name}' {describe_error(err)}" if name else describe_error(err)
        return str(exc)

    def _save_error(self, exc: OSError | None, reason: str = "") -> str:
        """Why a save failed, in a trainee's words, naming the file."""
        if exc is not None:
            reason = _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
        return (f"Your answers could not be saved to {answers_relpath(self.exercise_id)}: "
                f"{reason}. Nothing is lost yet: they are kept in this notebook until a save "
                "works. Tell your instructor.")
