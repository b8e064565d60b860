"""Run the course's JupyterHub on this machine: PostgreSQL, system users, the hub and its proxy.

    sudo make hub                                      # start; Ctrl-C stops everything
    sudo .venv/bin/python deploy/localhub.py --help    # folder, port, user names
    sudo .venv/bin/python deploy/localhub.py --remove  # delete the users it made, and its folder

Everything lives in one folder (default /srv/bshtrain-hub): the users' homes, the exchange,
PostgreSQL's data, the hub's state and the logs. A second start picks up where the first left
off (same users and passwords, same gradebook). Every process started here is stopped by its
own process id. docs/hosting.md explains the pieces and how the same setup runs on The Littlest
JupyterHub or Kubernetes. The cohort test (tests/test_hub.py) drives this module.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENV_BIN = Path(sys.executable).parent
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
GRADER_ROLE = "bshtrain_grader"  # the PostgreSQL role that owns the gradebook
COURSE_FILES = ("nbgrader_config.py", "solutions", "exercises")
PROXY_COMMAND = "configurable-http-proxy"


class LocalHubError(RuntimeError):
    """The hub could not be set up or started; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, proc: subprocess.Popen | None = None,
              log: Path | None = None, interval: float = 0.2):
    """Poll `check()` until it returns something truthy; fail early if `proc` exits."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise LocalHubError(f"{what}: the process exited with {proc.returncode}\n{tail}")
        try:
            result = check()
        except LocalHubError:
            raise  # the check found a failure: no point in waiting
        except Exception as exc:  # not up yet: keep the last error for the message
            last, result = exc, None
        if result:
            return result
        time.sleep(interval)
    raise LocalHubError(f"timed out after {timeout:.0f} s waiting for {what}"
                        + (f" (last error: {last})" if last else ""))


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
    """Stop one process we started, by its own pid: `sig`, then SIGKILL after `timeout`."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return state.read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    return True


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def processes_of(uids: Iterable[int]) -> list[int]:
    """The live processes owned by these uids (read from /proc)."""
    wanted, found = set(uids), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid in wanted and pid_alive(int(entry.name)):
                    found.append(int(entry.name))
    return sorted(found)


def chown_tree(path: Path, user: str) -> None:
    info = pwd.getpwnam(user)
    for folder, dirs, files in os.walk(path):
        os.chown(folder, info.pw_uid, info.pw_gid)
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), info.pw_uid, info.pw_gid)


def readable_by_others(path: Path) -> bool:
    """Can a user other than the owner reach and read `path`?"""
    path = path.resolve()
    for folder in reversed(path.parents):
        if not folder.stat().st_mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        raise LocalHubError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


# --- system users ------------------------------------------------------------------------------
def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def create_user(name: str, home: Path, password: str) -> None:
    """A real system user with a private home folder and a password (for the hub's login)."""
    home.parent.mkdir(parents=True, exist_ok=True)
    _run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
          "--user-group", name])
    home.chmod(0o700)
    set_password(name, password)


def set_password(name: str, password: str) -> None:
    _run(["chpasswd"], input=f"{name}:{password}\n")


def remove_user(name: str) -> None:
    """Delete a user this module created, with their home folder."""
    if user_exists(name):
        _run(["userdel", "--remove", name])


# --- the users' Python environment ---------------------------------------------------------------
def user_python() -> str:
    """A Python 3.11+ that every user can run (this one may sit in root's home, as pyenv's
    does): the users' environment is built from it."""
    candidates = [os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
                  "/usr/bin/python3"]
    for candidate in dict.fromkeys(candidates):
        if not os.path.exists(candidate):
            continue
        try:
            nobody = pwd.getpwnam("nobody")
            probe = subprocess.run(
                [candidate, "-c", "import sys, venv, ensurepip; assert sys.version_info >= (3, 11)"],
                user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[], cwd="/",
                capture_output=True, check=False)
        except OSError:  # nobody may not even run it
            continue
        if probe.returncode == 0:
            return candidate
    raise LocalHubError("no Python 3.11+ with venv that every user can run: "
                        "`apt-get install python3 python3-venv`")


def _constraints(python: str) -> str:
    """This environment's versions, as pip constraints, except those the target Python cannot
    install (its Requires-Python): the users run what the tests ran."""
    from importlib.metadata import distributions

    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    pins = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if not name or name.lower() in ("bshtrain", "pip"):
            continue
        try:
            if not SpecifierSet(dist.metadata.get("Requires-Python") or "").contains(version):
                continue
        except InvalidSpecifier:
            continue
        pins[name.lower()] = f"{name}=={dist.version}"
    return "\n".join(sorted(pins.values())) + "\n"


def build_user_env(env: Path, log: Path) -> Path:
    """The users' environment: the course installed as a package (not the repository, so no
    solutions/ or keys), with JupyterHub's single-user server and PostgreSQL's driver, at the
    versions this environment has. Built once; again when the package or pyproject.toml
    changes. Returns its bin/ folder."""
    import hashlib

    python = user_python()
    constraints = _constraints(python)
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes() + (constraints + python).encode())
    for path in sorted((REPO / "bshtrain").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    stamp = digest.hexdigest()
    stamp_file = env / ".bshtrain-stamp"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return env / "bin"
    shutil.rmtree(env, ignore_errors=True)
    old_umask = os.umask(0o022)  # readable by every user
    try:
        with open(log, "a") as out:
            subprocess.run([python, "-m", "venv", str(env)], stdout=out, stderr=subprocess.STDOUT,
                           check=True)
            (env / "constraints.txt").write_text(constraints)
            proc = subprocess.run(
                [str(env / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                 f"{REPO}[hub]", "-c", str(env / "constraints.txt")],
                stdout=out, stderr=subprocess.STDOUT, check=False, cwd="/")
        if proc.returncode != 0:
            raise LocalHubError(f"building the users' environment failed: see {log}")
    finally:
        os.umask(old_umask)
    stamp_file.write_text(stamp)
    return env / "bin"


# --- PostgreSQL --------------------------------------------------------------------------------
def postgres_bin() -> Path:
    """The folder of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<v>/bin)."""
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not versions:
        raise LocalHubError("PostgreSQL is not installed: `apt-get install postgresql` "
                            "(deploy/system-packages.sh installs what is missing)")
    return versions[-1].parent


@dataclass
class Postgres:
    """A private PostgreSQL server: its own data folder, a Unix socket only (no TCP), run as
    the `postgres` system user. Peer authentication: a system user may connect only as the
    PostgreSQL role the map in pg_ident.conf gives it (root -> postgres, each grader -> the
    gradebook's owner), so the gradebook URL holds no password and trainees cannot connect."""

    data: Path
    socket_dir: Path
    log: Path
    os_user: str = "postgres"
    database: str = "bshtrain"
    proc: subprocess.Popen | None = None

    def url(self, role: str = GRADER_ROLE, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{role}@/{self.database}?host={self.socket_dir}"

    def _as_postgres(self) -> dict:
        if not user_exists(self.os_user):
            raise LocalHubError(f"no '{self.os_user}' system user: install PostgreSQL from the "
                                "distribution (`apt-get install postgresql`)")
        return {"user": self.os_user, "group": self.os_user, "extra_groups": [], "cwd": "/"}

    def init(self, graders: Iterable[str]) -> None:
        """Create the data folder once; write who may connect as whom (every start)."""
        as_pg = self._as_postgres()
        for folder, mode in ((self.data, 0o700), (self.socket_dir, 0o755)):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.chown(folder, self.os_user, self.os_user)
            folder.chmod(mode)
        if not (self.data / "PG_VERSION").exists():
            _run([str(postgres_bin() / "initdb"), "--pgdata", str(self.data), "--username",
                  "postgres", "--auth-local", "peer", "--auth-host", "reject", "--no-locale",
                  "--encoding", "UTF8"], **as_pg)
        (self.data / "pg_hba.conf").write_text(
            "# written by deploy/localhub.py: local socket only, peer authentication with a map\n"
            "local all all peer map=bshtrain\n")
        ident = ["# system user -> PostgreSQL role (written by deploy/localhub.py)",
                 f"bshtrain {self.os_user} postgres", "bshtrain root postgres",
                 *(f"bshtrain {g} {GRADER_ROLE}" for g in graders)]
        (self.data / "pg_ident.conf").write_text("\n".join(ident) + "\n")
        for name in ("pg_hba.conf", "pg_ident.conf"):
            shutil.chown(self.data / name, self.os_user, self.os_user)

    def start(self, timeout: float = 120) -> None:
        log = open(self.log, "a")  # noqa: SIM115 (the server writes to it until it stops)
        self.proc = subprocess.Popen(
            [str(postgres_bin() / "postgres"), "-D", str(self.data), "-k", str(self.socket_dir),
             "-c", "listen_addresses=", "-c", "unix_socket_permissions=0777"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self._as_postgres())
        log.close()
        wait_for("PostgreSQL to accept connections", lambda: self.query("SELECT 1"), timeout,
                 self.proc, self.log)

    def connect(self, dbname: str = "postgres"):
        import psycopg2

        conn = psycopg2.connect(host=str(self.socket_dir), dbname=dbname, user="postgres")
        conn.autocommit = True
        return conn

    def query(self, sql: str, params: tuple = (), dbname: str = "postgres") -> list[tuple]:
        with contextlib.closing(self.connect(dbname)) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def ensure_gradebook(self) -> None:
        """The gradebook's role and (empty) database; nbgrader creates its tables on first use."""
        if not self.query("SELECT 1 FROM pg_roles WHERE rolname = %s", (GRADER_ROLE,)):
            self.query(f"CREATE ROLE {GRADER_ROLE} LOGIN")
        if not self.query("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)):
            self.query(f"CREATE DATABASE {self.database} OWNER {GRADER_ROLE}")
            self.query(f"REVOKE ALL ON DATABASE {self.database} FROM PUBLIC")

    def tables(self) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
            dbname=self.database)]

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster, by its pid)."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGINT, timeout=60)


# --- the hub -----------------------------------------------------------------------------------
@dataclass
class Hub:
    """The JupyterHub process (it starts configurable-http-proxy and the users' servers)."""

    state: Path
    cohort_file: Path
    log: Path
    public_url: str
    service_token: str
    proc: subprocess.Popen | None = None
    proxy_pids: set[int] = field(default_factory=set)  # every proxy a hub of ours started

    @property
    def api(self) -> str:
        return self.public_url.rstrip("/") + "/hub/api"

    def start(self, timeout: float = 180) -> None:
        """Start the hub; return once it answers through a proxy it started itself, with a
        route to every server that is running (after a crash, the servers kept running, and
        the old proxy is replaced)."""
        old_proxy = self.proxy_pid()
        env = {**os.environ, "BSHTRAIN_COHORT": str(self.cohort_file),
               "BSHTRAIN_HUB_SERVICE_TOKEN": self.service_token,
               "PATH": f"{ENV_BIN}:{os.environ.get('PATH', SYSTEM_PATH)}"}
        env.pop("CONFIGPROXY_AUTH_TOKEN", None)
        log = open(self.log, "a")  # noqa: SIM115 (the hub writes to it until it stops)
        self.proc = subprocess.Popen(
            [str(ENV_BIN / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
            cwd=self.state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        def new_proxy():
            pid = self.proxy_pid()
            return pid if pid and pid != old_proxy and self._up() else None

        self.proxy_pids.add(wait_for("JupyterHub to answer through its own proxy", new_proxy,
                                     timeout, self.proc, self.log))
        wait_for("the proxy's routes to the running servers", self._routes_ready, timeout,
                 self.proc, self.log)

    def _up(self) -> bool:
        r = requests.get(self.api + "/", timeout=5)
        return r.status_code == 200 and "version" in r.json()

    def _routes_ready(self) -> bool:
        routes = self.call("GET", "/proxy").json()
        running = [u["name"] for u in self.call("GET", "/users").json()
                   if (u.get("servers") or {}).get("", {}).get("ready")]
        return all(f"/user/{name}/" in routes for name in running)

    def proxy_pid(self) -> int | None:
        try:
            pid = int((self.state / "jupyterhub-proxy.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if PROXY_COMMAND in cmdline(pid) else None

    def kill(self) -> None:
        """A crash: SIGKILL, no clean-up (servers and the proxy keep running)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM: the hub stops its proxy (its servers are stopped before, through the API)."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGTERM, timeout=60)
        for pid in sorted(self.proxy_pids):
            if pid_alive(pid) and PROXY_COMMAND in cmdline(pid):
                os.kill(pid, signal.SIGTERM)
                with contextlib.suppress(LocalHubError):
                    wait_for(f"the proxy (pid {pid}) to stop", lambda p=pid: not pid_alive(p), 20)
                if pid_alive(pid):
                    os.kill(pid, signal.SIGKILL)

    # --- REST API, as the runner's own service ---
    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.service_token}"}
        r = requests.request(method, self.api + path, headers=headers, timeout=60, **kwargs)
        if r.status_code >= 400:
            raise LocalHubError(f"{method} {path}: {r.status_code} {r.text[:500]}")
        return r

    def user(self, name: str) -> dict:
        return self.call("GET", f"/users/{name}").json()

    def start_server(self, name: str) -> None:
        if not self.user(name).get("servers", {}).get(""):
            self.call("POST", f"/users/{name}/server")

    def wait_server(self, name: str, timeout: float = 240) -> None:
        seen = False

        def ready():
            nonlocal seen
            server = self.user(name).get("servers", {}).get("")
            if (seen and not server) or (server and not server.get("ready")
                                         and not server.get("pending")):
                raise LocalHubError(f"{name}'s server failed to start (see {self.log})")
            seen = seen or bool(server)
            return bool(server and server.get("ready"))

        wait_for(f"{name}'s server", ready, timeout, interval=0.5)

    def stop_server(self, name: str, timeout: float = 120) -> None:
        if self.user(name).get("servers", {}).get(""):
            self.call("DELETE", f"/users/{name}/server")
            wait_for(f"{name}'s server to stop",
                     lambda: not self.user(name).get("servers", {}).get(""), timeout, interval=0.5)

    def new_token(self, name: str, note: str = "bshtrain") -> str:
        return self.call("POST", f"/users/{name}/tokens", json={"note": note}).json()["token"]


# --- the whole thing -----------------------------------------------------------------------------
@dataclass
class LocalHub:
    """PostgreSQL, the users, the course and the hub, in one folder."""

    base: Path
    trainees: list[str]
    instructor: str
    port: int = 8000
    ip: str = "127.0.0.1"
    singleuser_args: list[str] = field(default_factory=list)
    postgres: Postgres = field(init=False)
    hub: Hub = field(init=False)
    passwords: dict[str, str] = field(default_factory=dict)
    env_bin: Path = ENV_BIN  # the users' environment (built in prepare())
    created: list[str] = field(default_factory=list)  # users made here (and only those removed)

    def __post_init__(self) -> None:
        self.base = Path(self.base)
        self.postgres = Postgres(self.base / "postgres", self.base / "pg-socket",
                                 self.base / "logs" / "postgres.log")
        self.hub = Hub(self.base / "hub", self.base / "cohort.toml", self.base / "logs" / "hub.log",
                       f"http://{self.ip}:{self.port}", secrets.token_hex(32))

    # places
    @property
    def users(self) -> list[str]:
        return [*self.trainees, self.instructor]

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    def home(self, user: str) -> Path:
        return self.base / "home" / user

    @property
    def course_root(self) -> Path:
        return self.home(self.instructor) / "bshtrain"

    @property
    def _record(self) -> Path:
        return self.base / "users.json"  # root only: the users made here and their passwords

    def _load_record(self) -> None:
        if self._record.exists():
            data = json.loads(self._record.read_text())
            self.created = list(data.get("created", []))
            self.passwords = dict(data.get("passwords", {}))

    def _save_record(self) -> None:
        self._record.write_text(json.dumps({"created": self.created, "passwords": self.passwords},
                                           indent=1))
        self._record.chmod(0o600)

    # setting up
    def prepare(self) -> None:
        """Folders, users, the course in the instructor's home, the users' environment,
        PostgreSQL's data, the cohort file."""
        if os.geteuid() != 0:
            raise LocalHubError("run as root: the hub creates system users and starts each "
                                "user's server as that user (e.g. `sudo make hub`)")
        if not shutil.which(PROXY_COMMAND, path=f"{ENV_BIN}:{os.environ.get('PATH', SYSTEM_PATH)}"):
            raise LocalHubError(f"{PROXY_COMMAND} is not installed: `npm install -g "
                                f"{PROXY_COMMAND}` (deploy/system-packages.sh installs it)")
        postgres_bin()
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)  # users must reach their homes and the exchange below it
        for folder in ("hub", "logs", "home"):
            (self.base / folder).mkdir(exist_ok=True)
            (self.base / folder).chmod(0o700 if folder in ("hub", "logs") else 0o755)
        self.exchange.mkdir(exist_ok=True)
        # nbgrader: every user must be able to write the exchange root (it resets the bits to
        # 0777 otherwise); the sticky bit (not in nbgrader's docs) keeps a trainee from renaming
        # the course's folder in it.
        self.exchange.chmod(0o1777)
        self._load_record()
        for user in self.users:
            if user_exists(user):
                if user not in self.created:
                    raise LocalHubError(f"a system user '{user}' exists already and was not made "
                                        "here: choose other names (it is left alone)")
                continue
            self.passwords[user] = secrets.token_urlsafe(12)
            create_user(user, self.home(user), self.passwords[user])
            self.created.append(user)
            self._save_record()
            if user in self.trainees and (REPO / "lessons").is_dir():
                shutil.copytree(REPO / "lessons", self.home(user) / "lessons",
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
                chown_tree(self.home(user) / "lessons", user)
        self._install_course()
        self.env_bin = build_user_env(self.base / "env", self.base / "logs" / "env.log")
        self.postgres.init(graders=[self.instructor])
        self._write_cohort()

    def _install_course(self) -> None:
        """The instructor's copy of the course (solutions and keys included), theirs alone."""
        if self.course_root.exists():
            return
        self.course_root.mkdir(mode=0o700)
        for name in COURSE_FILES:
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, self.course_root / name,
                                ignore=shutil.ignore_patterns("answers", ".ipynb_checkpoints",
                                                              "__pycache__"))
            else:
                shutil.copy2(src, self.course_root / name)
        chown_tree(self.course_root, self.instructor)

    def _write_cohort(self) -> None:
        def toml_list(items):
            return "[" + ", ".join(json.dumps(i) for i in items) + "]"

        hub_port, api_port = free_port(), free_port()
        text = "\n".join([
            "# written by deploy/localhub.py",
            f"trainees = {toml_list(self.trainees)}",
            f"instructors = {toml_list([self.instructor])}",
            f"course_root = {json.dumps(str(self.course_root))}",
            f"exchange = {json.dumps(str(self.exchange))}",
            f"gradebook_url = {json.dumps(self.postgres.url())}",
            f"user_env_bin = {json.dumps(str(self.env_bin))}",
            "",
            "[local]",
            f"state_dir = {json.dumps(str(self.hub.state))}",
            f"bind_url = {json.dumps(self.hub.public_url)}",
            f"hub_bind_url = {json.dumps(f'http://127.0.0.1:{hub_port}')}",
            f"proxy_api_url = {json.dumps(f'http://127.0.0.1:{api_port}')}",
            f"singleuser_args = {toml_list(self.singleuser_args)}",
            "",
        ])
        self.hub.cohort_file.write_text(text)
        self.hub.cohort_file.chmod(0o600)

    # running
    def start(self) -> None:
        """PostgreSQL (with the gradebook's empty database), then the hub and its proxy."""
        self.postgres.start()
        self.postgres.ensure_gradebook()
        self.hub.start()

    def restart_hub(self, crash: bool = True) -> None:
        """Kill (or stop) the hub and start it again; PostgreSQL and the servers keep running."""
        if crash:
            self.hub.kill()
        else:
            self.hub.stop()
        self.hub.start()

    def stop(self) -> list[str]:
        """Stop the servers (through the hub), the hub, its proxy, PostgreSQL. Returns what had
        to be stopped by force (left-over processes of the users made here)."""
        problems: list[str] = []
        if self.hub.proc is not None and self.hub.proc.poll() is None:
            for user in self.users:
                try:
                    self.hub.stop_server(user)
                except (LocalHubError, requests.RequestException) as exc:
                    problems.append(f"stopping {user}'s server: {exc}")
        for what, action in (("the hub and its proxy", self.hub.stop),
                             ("PostgreSQL", self.postgres.stop)):
            try:
                action()
            except Exception as exc:  # go on stopping the rest; report it
                problems.append(f"stopping {what}: {exc!r}")
        uids = [pwd.getpwnam(u).pw_uid for u in self.created if user_exists(u)]
        for pid in processes_of(uids):
            problems.append(f"left over: pid {pid} {cmdline(pid)[:120]}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(LocalHubError):
            wait_for("left-over processes to end", lambda: not processes_of(uids), 20)
        return problems

    def remove(self) -> None:
        """Delete the users made here (with their homes) and the whole folder."""
        self._load_record()
        failed = []
        for user in self.created:
            try:
                remove_user(user)
            except LocalHubError as exc:
                failed.append(str(exc))
        shutil.rmtree(self.base, ignore_errors=True)
        if failed:
            raise LocalHubError("; ".join(failed))

    def logins(self) -> str:
        rows = [f"  {u:<20} {self.passwords.get(u, '(set before)'):<20} "
                f"{'instructor' if u == self.instructor else 'trainee'}" for u in self.users]
        return "\n".join(rows)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", default="/srv/bshtrain-hub", help="the folder for everything")
    p.add_argument("--ip", default="127.0.0.1", help="the address to serve on")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--trainees", default="bsh-trainee1,bsh-trainee2,bsh-trainee3",
                   help="comma-separated user names")
    p.add_argument("--instructor", default="bsh-instructor")
    p.add_argument("--remove", action="store_true",
                   help="delete the users made here and the folder (stop the hub first)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    lh = LocalHub(Path(args.dir), [t for t in args.trainees.split(",") if t], args.instructor,
                  port=args.port, ip=args.ip)
    if args.remove:
        lh.remove()
        print(f"removed the users made here and {lh.base}")
        return 0
    stopping = False

    def on_signal(_sig, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        lh.prepare()
        if readable_by_others(REPO / "solutions"):
            print(f"note: {REPO / 'solutions'} (the keys) is readable by every local user, "
                  "trainees included. On a real hub keep the course only in the instructor's "
                  "home and install the package without the repository (docs/hosting.md).")
        lh.start()
        print(f"\nThe course's JupyterHub is at {lh.hub.public_url}\n\nLogins:\n{lh.logins()}\n\n"
              f"Everything is in {lh.base} (logs in {lh.base / 'logs'}). Ctrl-C stops it all.",
              flush=True)
        while not stopping:
            if lh.hub.proc is not None and lh.hub.proc.poll() is not None:
                print(f"the hub exited ({lh.hub.proc.returncode}); see {lh.hub.log}")
                break
            time.sleep(0.5)
    except LocalHubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping: servers, hub, proxy, PostgreSQL ...", flush=True)
        for problem in lh.stop():
            print("  " + problem)
        print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
