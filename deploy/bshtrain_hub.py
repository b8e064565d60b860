"""The course on a JupyterHub: who is a trainee, who grades, and what each one's server gets.

Used by any hub's configuration (deploy/course_config.py for The Littlest JupyterHub or a
Zero to JupyterHub `hub.extraConfig`; deploy/jupyterhub_config.py for one machine). A cohort
file (TOML, see deploy/cohort.example.toml) names the users and the course's places:

- trainees: hub group `nbgrader-<course>`. Their server starts in their home folder, where
  `nbgrader fetch_assignment` puts each exercise; nbgrader's instructor tools (formgrader,
  create-assignment, course list) are off, and their own ~/.jupyter config is not read.
- instructors: hub group `formgrade-<course>` (nbgrader's names). Their server starts in the
  course root (the instructor's clone of this repository, solutions/ and keys included), with
  the formgrader, the exchange and the gradebook URL.
- anyone else cannot start a server.

Keys never reach a trainee's server: they live in solutions/ in the course root (readable by
the grading account only), are left out of the release, and are not copied into feedback.
This module is plain Python with no JupyterHub import at module level, so tests load it alone.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
COHORT_ENV = "BSHTRAIN_COHORT"
DEFAULT_COHORT = Path("/etc/bshtrain/cohort.toml")
TRAINEE_CONFIG = HERE / "trainee"  # JUPYTER_CONFIG_PATH of trainees' servers
INSTRUCTOR_CONFIG = HERE / "instructor"  # JUPYTER_CONFIG_PATH of instructors' servers
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


class CohortError(ValueError):
    """The cohort file is missing something or names a user twice."""


@dataclass(frozen=True)
class Cohort:
    """Who takes the course, who grades it, and where the course's places are."""

    trainees: tuple[str, ...]
    instructors: tuple[str, ...]
    course_root: Path
    exchange: Path = Path("/srv/nbgrader/exchange")
    gradebook_url: str = ""
    course_id: str = "bshtrain"
    user_env_bin: Path | None = None  # bin/ of the Python environment servers run from
    local: dict = field(default_factory=dict)  # one-machine settings (deploy/jupyterhub_config.py)

    @property
    def trainee_group(self) -> str:
        return f"nbgrader-{self.course_id}"

    @property
    def instructor_group(self) -> str:
        return f"formgrade-{self.course_id}"

    @classmethod
    def load(cls, path: Path | str | None = None) -> Cohort:
        path = Path(path or os.environ.get(COHORT_ENV) or DEFAULT_COHORT)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CohortError(f"{path}: no cohort file (set {COHORT_ENV} to its path)") from None
        except tomllib.TOMLDecodeError as exc:
            raise CohortError(f"{path}: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict, source: str = "cohort") -> Cohort:
        known = {"trainees", "instructors", "course_root", "exchange", "gradebook_url",
                 "course_id", "user_env_bin", "local"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise CohortError(f"{source}: unknown setting(s) {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known))}")
        for required in ("trainees", "instructors", "course_root"):
            if not data.get(required):
                raise CohortError(f"{source}: '{required}' is required")
        trainees, instructors = tuple(data["trainees"]), tuple(data["instructors"])
        both = sorted(set(trainees) & set(instructors))
        if both:
            raise CohortError(f"{source}: {', '.join(both)} listed as trainee and instructor")
        for group in (trainees, instructors):
            twice = sorted({u for u in group if group.count(u) > 1})
            if twice:
                raise CohortError(f"{source}: {', '.join(twice)} listed twice")
        env_bin = data.get("user_env_bin")
        return cls(trainees=trainees, instructors=instructors,
                   course_root=Path(data["course_root"]),
                   exchange=Path(data.get("exchange", "/srv/nbgrader/exchange")),
                   gradebook_url=data.get("gradebook_url", ""),
                   course_id=data.get("course_id", "bshtrain"),
                   user_env_bin=Path(env_bin) if env_bin else None,
                   local=dict(data.get("local", {})))

    def role(self, user: str) -> str | None:
        if user in self.instructors:
            return "instructor"
        if user in self.trainees:
            return "trainee"
        return None


@dataclass(frozen=True)
class ServerSettings:
    """What one user's single-user server gets."""

    role: str
    notebook_dir: str
    environment: dict[str, str]
    disable_user_config: bool


def server_settings(cohort: Cohort, user: str, default_bin: Path) -> ServerSettings:
    """The settings for `user`'s server; CohortError for anyone outside the cohort."""
    role = cohort.role(user)
    if role is None:
        raise CohortError(f"{user} is not in this course's cohort: ask the course's "
                          "administrator to add them as a trainee or an instructor")
    env_bin = cohort.user_env_bin or default_bin
    env = {
        # the environment's bin first: nbgrader needs `alembic` on PATH (design 3, trap 7)
        "PATH": f"{env_bin}:{SYSTEM_PATH}",
        "BSHTRAIN_COURSE_ID": cohort.course_id,
        "BSHTRAIN_EXCHANGE": str(cohort.exchange),
    }
    if role == "trainee":
        env["JUPYTER_CONFIG_PATH"] = str(TRAINEE_CONFIG)
        return ServerSettings(role, "~", env, disable_user_config=True)
    env["JUPYTER_CONFIG_PATH"] = str(INSTRUCTOR_CONFIG)
    env["BSHTRAIN_COURSE_ROOT"] = str(cohort.course_root)
    if cohort.gradebook_url:
        env["BSHTRAIN_GRADEBOOK_URL"] = cohort.gradebook_url
    return ServerSettings(role, str(cohort.course_root), env, disable_user_config=False)


def configure(c, cohort: Cohort, default_bin: Path) -> None:
    """Add the course to a hub's config `c`: allowed users, the two groups, and a
    pre-spawn hook that gives each server its settings (and refuses anyone else)."""
    allowed = set(c.Authenticator.get("allowed_users", set()))
    c.Authenticator.allowed_users = allowed | set(cohort.trainees) | set(cohort.instructors)
    groups = dict(c.JupyterHub.get("load_groups", {}))
    groups[cohort.trainee_group] = {"users": list(cohort.trainees)}
    groups[cohort.instructor_group] = {"users": list(cohort.instructors)}
    c.JupyterHub.load_groups = groups
    c.Spawner.default_url = "/lab"
    earlier_hook = c.Spawner.get("pre_spawn_hook")

    def pre_spawn_hook(spawner):
        if earlier_hook is not None:
            earlier_hook(spawner)
        settings = server_settings(cohort, spawner.user.name, default_bin)
        spawner.notebook_dir = settings.notebook_dir
        spawner.environment = {**spawner.environment, **settings.environment}
        spawner.disable_user_config = settings.disable_user_config

    c.Spawner.pre_spawn_hook = pre_spawn_hook
