"""The answers file: how a trainee's widget answers reach nbgrader.

One JSON file per exercise, `answers/<exercise>.json` beside the notebook. It is written
only on the trainee's action, atomically, and never while nbgrader executes the notebook
(`NBGRADER_EXECUTION` is set by autograde and validate). A file that cannot be read is
reported, kept, and set aside under a new name before anything new is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from bshtrain.content.loading import DataFileError, Problem, describe_error

SCHEMA_VERSION = 1
GRADING_ENV = "NBGRADER_EXECUTION"
ANSWERS_DIR = "answers"

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
    """What a save did: whether it wrote, and where an unusable old file was kept."""

    written: bool
    kept: Path | None = None


class AnswerStore(Generic[ModelT]):
    """Reads and writes one exercise's answers file."""

    def __init__(self, exercise_id: str, model: type[ModelT], folder: Path | str = "."):
        self.exercise_id = exercise_id
        self.model = model
        self.path = Path(folder) / answers_relpath(exercise_id)
        self.unreadable = False  # set when load() found a file it could not use

    def _fail(self, field: str, message: str) -> AnswersFileError:
        return AnswersFileError([Problem(str(self.path), field, message)])

    def load(self) -> SavedAnswers[ModelT] | None:
        """Read the file: None if there is none; AnswersFileError if it cannot be used."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.unreadable = True
            raise self._fail("", f"cannot be read ({exc.strerror})") from None
        try:
            self.unreadable = False
            return self._parse(raw)
        except AnswersFileError:
            self.unreadable = True
            raise

    def _parse(self, raw: bytes) -> SavedAnswers[ModelT]:
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._fail("", "is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._fail("", f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
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
            field = "answers." + ".".join(str(p) for p in err["loc"])
            raise self._fail(field, describe_error(err)) from None
        return SavedAnswers(self.exercise_id, case, model,
                            str(data.get("saved_at", "")), str(data.get("trainee", "")))

    def set_aside(self) -> Path | None:
        """Rename an unusable file to a new, unused name; return that name."""
        if not self.path.exists():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            suffix = f".unreadable-{stamp}" + (f"-{n}" if n else "")
            target = self.path.with_name(self.path.name + suffix)
            if not target.exists():
                os.rename(self.path, target)
                return target
        raise OSError(f"could not find a free name to keep {self.path}")

    def save(self, case: str, answers: ModelT, trainee: str = "") -> SaveResult:
        """Write the answers atomically; write nothing while grading.

        If the existing file could not be read, it is first set aside, never overwritten.
        """
        if grading_mode():
            return SaveResult(written=False)
        kept = None
        if self.unreadable or self._existing_is_unusable():
            kept = self.set_aside()
            self.unreadable = False
        payload = {
            "exercise": self.exercise_id,
            "schema_version": SCHEMA_VERSION,
            "case": case,
            "trainee": trainee,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "answers": answers.model_dump(mode="json"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
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
        return SaveResult(written=True, kept=kept)

    def _existing_is_unusable(self) -> bool:
        if not self.path.exists():
            return False
        try:
            self._parse(self.path.read_bytes())
        except (AnswersFileError, OSError):
            return True
        return False
