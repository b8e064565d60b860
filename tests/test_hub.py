"""A cohort on a real JupyterHub (design 9, issue 13).

Unit tests of the hub configuration (deploy/) run everywhere. The tests marked `hub` start
PostgreSQL, JupyterHub with configurable-http-proxy, and real system users (three trainees, one
instructor) on a free loopback port, with deploy/localhub.py, the code behind `make hub`. They
need root, PostgreSQL, configurable-http-proxy and Chromium: .ci/run installs what is missing.

The story, run once (the `story` fixture), in the order a cohort lives it:
1. The instructor generates and releases the plan exercise with the formgrader's API.
2. Two trainees fetch it in their Assignments panel's API, answer with the code twin in a kernel
   of their own server (in the exercise folder, as the notebook's kernel is), and submit.
3. The instructor collects and autogrades the first. Then the hub is killed (SIGKILL) and
   started again; PostgreSQL and the users' servers keep running.
4. The third trainee logs in with their password in Chromium, fetches and submits in the
   Assignments panel, and answers through the notebook's widgets.
5. The instructor collects again, autogrades the others, grades the rationale (and comments on
   it) through the formgrader's API, generates and releases feedback; each trainee fetches it.
6. From their own kernels, trainees try to read what is not theirs; the instructor exports.
The tests then check what each step left. Everything started is stopped by its own process
id, and the users and folders made are removed, on failure too.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import pwd
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bshtrain.content.cases import get_case
from bshtrain.engine.identity import case_for
from bshtrain.engine.keys import KEY_FILE, read_key
from bshtrain.engine.spec import spec_for
from bshtrain.skills.plan.model import PlanAnswers
from bshtrain.skills.plan.scorer import MAX_POINTS
from bshtrain.skills.plan.spec import POOL

from .conftest import ROOT
from .lab_server import CHROMIUM, CHROMIUM_ARGS
from .plan_plans import junk_plan, model_plan

DEPLOY = ROOT / "deploy"
EXERCISE = "plan"
NOTEBOOK = f"{EXERCISE}/{EXERCISE}.ipynb"


def _deploy_module(name: str):
    """deploy/<name>.py, imported as the hub's configuration imports it (by file name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DEPLOY / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bshtrain_hub = _deploy_module("bshtrain_hub")


# --- unit tests of the configuration (no hub) --------------------------------------------------
def _cohort_dict(**changes) -> dict:
    data = {"trainees": ["ana", "ben"], "instructors": ["ines"],
            "course_root": "/home/ines/bshtrain", "exchange": "/srv/nbgrader/exchange",
            "gradebook_url": "postgresql+psycopg2://bshtrain_grader@/bshtrain?host=/run/pg"}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "message"), [
    ({"instructors": ["ana"]}, "ana listed as trainee and instructor"),
    ({"trainees": ["ana", "ana"]}, "ana listed twice"),
    ({"trainees": []}, "'trainees' is required"),
    ({"graders": ["x"]}, "unknown setting(s) graders"),
])
def test_cohort_file_mistakes_are_named(changes, message):
    """Does a cohort file with a user in both roles, twice, none, or an unknown setting fail
    with a message that says which?"""
    with pytest.raises(bshtrain_hub.CohortError, match=re.escape(message)):
        bshtrain_hub.Cohort.from_dict(_cohort_dict(**changes))


def test_example_cohort_file_loads():
    """Does the documented example (deploy/cohort.example.toml) load, with both roles?"""
    cohort = bshtrain_hub.Cohort.load(DEPLOY / "cohort.example.toml")
    assert cohort.trainees and cohort.instructors and cohort.gradebook_url.startswith("postgresql")
    assert cohort.role(cohort.instructors[0]) == "instructor"


def test_servers_get_their_role():
    """Does a trainee's server start in their home without instructor config or the gradebook,
    an instructor's in the course root with both, and anyone else's not at all?"""
    cohort = bshtrain_hub.Cohort.from_dict(_cohort_dict())
    trainee = bshtrain_hub.server_settings(cohort, "ana", Path("/env/bin"))
    assert trainee.notebook_dir == "~" and trainee.disable_user_config
    assert trainee.environment["JUPYTER_CONFIG_PATH"] == str(DEPLOY / "trainee")
    assert "BSHTRAIN_GRADEBOOK_URL" not in trainee.environment
    assert "BSHTRAIN_COURSE_ROOT" not in trainee.environment
    assert trainee.environment["PATH"].startswith("/env/bin:"), "alembic must be on PATH (trap 7)"
    instructor = bshtrain_hub.server_settings(cohort, "ines", Path("/env/bin"))
    assert instructor.notebook_dir == "/home/ines/bshtrain"
    assert instructor.environment["JUPYTER_CONFIG_PATH"] == str(DEPLOY / "instructor")
    assert instructor.environment["BSHTRAIN_GRADEBOOK_URL"].startswith("postgresql")
    with pytest.raises(bshtrain_hub.CohortError, match="not in this course's cohort"):
        bshtrain_hub.server_settings(cohort, "mallory", Path("/env/bin"))


def test_hub_config_loads_groups_and_hook(tmp_path, monkeypatch):
    """Does deploy/jupyterhub_config.py load with a cohort file, allow exactly the cohort, make
    nbgrader's two groups, and give each spawner its settings through the pre-spawn hook?"""
    from traitlets.config.loader import PyFileConfigLoader

    cohort_file = tmp_path / "cohort.toml"
    cohort_file.write_text('trainees = ["ana"]\ninstructors = ["ines"]\n'
                           'course_root = "/home/ines/bshtrain"\n[local]\nstate_dir = "/srv/x"\n')
    monkeypatch.setenv("BSHTRAIN_COHORT", str(cohort_file))
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()
    assert config.Authenticator.allowed_users == {"ana", "ines"}
    assert config.JupyterHub.load_groups == {"nbgrader-bshtrain": {"users": ["ana"]},
                                             "formgrade-bshtrain": {"users": ["ines"]}}
    assert config.JupyterHub.cleanup_servers is False, "a hub restart must not stop servers"

    class User:
        def __init__(self, name):
            self.name = name

    class Spawner:
        def __init__(self, name):
            self.user, self.environment = User(name), {"KEEP": "1"}

    spawner = Spawner("ines")
    config.Spawner.pre_spawn_hook(spawner)
    assert spawner.notebook_dir == "/home/ines/bshtrain" and spawner.environment["KEEP"] == "1"
    assert spawner.disable_user_config is False
    with pytest.raises(bshtrain_hub.CohortError):
        config.Spawner.pre_spawn_hook(Spawner("mallory"))


def test_trainee_servers_turn_off_instructor_tools():
    """Are the formgrader, create-assignment and Validate off on trainees' servers (lab plugins
    and the server extension), JupyterLab's news question off by default, and the assignment
    list (with its Nbgrader menu) kept for fetching and submitting?"""
    page = json.loads((DEPLOY / "trainee" / "labconfig" / "page_config.json").read_text())
    off = {k for k, v in page["disabledExtensions"].items() if v}
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:validate-assignment"} <= off
    assert not off & {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"}
    overrides = json.loads((DEPLOY / "trainee" / "labconfig" / "default_setting_overrides.json")
                           .read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    server = json.loads((DEPLOY / "trainee" / "jupyter_server_config.d" / "bshtrain-trainee.json")
                        .read_text())["ServerApp"]["jpserver_extensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False
    assert "nbgrader.server_extensions.assignment_list" not in server


def test_instructor_config_loads_the_course_and_keeps_keys_out(tmp_path, monkeypatch, caplog):
    """Does the instructor's nbgrader config load the course's own config from the course
    root, take the gradebook URL, and remove the key from a release and from feedback however
    they were generated (the formgrader's buttons bypass the course config's scoping)?"""
    import logging

    from traitlets.config.loader import PyFileConfigLoader

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    (course / "solutions").mkdir()
    monkeypatch.setenv("BSHTRAIN_COURSE_ROOT", str(course))
    monkeypatch.setenv("BSHTRAIN_GRADEBOOK_URL", "postgresql+psycopg2://g@/db?host=/s")
    with caplog.at_level(logging.ERROR):
        config = PyFileConfigLoader("nbgrader_config.py", path=str(DEPLOY / "instructor")).load_config()
    assert caplog.records == []
    assert config.CourseDirectory.root == str(course)
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.db_url == "postgresql+psycopg2://g@/db?host=/s"
    release = course / "exercises" / EXERCISE
    (release / "answers").mkdir(parents=True)
    (release / KEY_FILE).write_text("x")
    (release / f"{EXERCISE}.ipynb").write_text("{}")
    config.GenerateAssignment.post_convert_hook(assignment=EXERCISE, student=".", notebooks=[])
    assert sorted(p.name for p in release.iterdir()) == [f"{EXERCISE}.ipynb"]
    feedback = course / "feedback" / "ana" / EXERCISE
    feedback.mkdir(parents=True)
    (feedback / KEY_FILE).write_text("x")
    (feedback / f"{EXERCISE}.html").write_text("x")
    config.GenerateFeedback.post_convert_hook(assignment=EXERCISE, student="ana", notebooks=[])
    assert sorted(p.name for p in feedback.iterdir()) == [f"{EXERCISE}.html"]


def test_instructor_config_without_course_config_fails(tmp_path, monkeypatch):
    """Does a course root without nbgrader_config.py raise (rather than run with defaults)?"""
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("BSHTRAIN_COURSE_ROOT", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"holds no nbgrader_config\.py"):
        PyFileConfigLoader("nbgrader_config.py", path=str(DEPLOY / "instructor")).load_config()


# --- the cohort on a real hub ------------------------------------------------------------------
def _names(tag: str) -> tuple[list[str], str]:
    """Three trainee names the pool gives three different cases, and an instructor's name."""
    trainees, cases = [], set()
    n = 0
    while len(trainees) < 3:
        name = f"bh{tag}t{n}"
        case = case_for(name, POOL)
        if case not in cases:
            trainees.append(name)
            cases.add(case)
        n += 1
    return trainees, f"bh{tag}ins"


def _require_machine() -> None:
    localhub = _deploy_module("localhub")
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the hub creates system users and runs servers as them)")
    if not shutil.which(localhub.PROXY_COMMAND):
        missing.append("configurable-http-proxy (npm)")
    try:
        localhub.postgres_bin()
    except localhub.LocalHubError:
        missing.append("PostgreSQL (apt-get install postgresql)")
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM}")
    if missing:
        pytest.fail("the hub tests need " + ", ".join(missing) + ": .ci/run installs them")


@dataclass
class Cohort:
    lh: object
    trainees: list[str]
    instructor: str
    servers: dict = field(default_factory=dict)  # name -> UserServer
    tables_at_start: list[str] = field(default_factory=list)

    @property
    def everyone(self) -> list[str]:
        return [*self.trainees, self.instructor]

    def case(self, trainee: str) -> str:
        return case_for(trainee, POOL)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """PostgreSQL, the hub and its proxy, four real users with running servers. Stopped and
    removed afterwards, also when anything failed; a process that had to be killed, or a user
    or folder left behind, fails the run here."""
    _require_machine()
    localhub = _deploy_module("localhub")
    from .hub_servers import UserServer

    base = Path(tempfile.mkdtemp(prefix="bshtrain-hub-", dir="/tmp"))
    tag = "".join(c for c in base.name.rsplit("-", 1)[-1].lower() if c.isalnum())[:5] or "x"
    trainees, instructor = _names(tag)
    lh = localhub.LocalHub(base, trainees, instructor, port=localhub.free_port(),
                           singleuser_args=["--LabApp.expose_app_in_browser=True"])
    started = time.monotonic()
    state = Cohort(lh, trainees, instructor)
    try:
        lh.prepare()
        lh.start()
        state.tables_at_start = lh.postgres.tables()
        for user in state.everyone:
            lh.hub.start_server(user)
        for user in state.everyone:
            lh.hub.wait_server(user)
            state.servers[user] = UserServer(lh.hub.public_url, user, lh.hub.new_token(user))
        print(f"hub up with {len(state.everyone)} servers in {time.monotonic() - started:.0f} s")
        yield state
    finally:
        problems, logs = [], tmp_path_factory.mktemp("hub-logs")
        try:
            problems = lh.stop()
        finally:
            if (base / "logs").is_dir():
                shutil.copytree(base / "logs", logs, dirs_exist_ok=True)
            lh.remove()
        left_users = [u for u in state.everyone if u in {p.pw_name for p in pwd.getpwall()}]
        alive = [p for p in (lh.hub.proc, lh.postgres.proc) if p is not None and p.poll() is None]
        proxies = [p for p in lh.hub.proxy_pids if localhub.pid_alive(p)]
        print(f"cohort run took {time.monotonic() - started:.0f} s; logs in {logs}")
        assert not (problems or left_users or alive or proxies or base.exists()), (
            f"left behind: {problems} users={left_users} processes={alive} proxies={proxies} "
            f"folder={base.exists()} (logs: {logs})")


@dataclass
class Story:
    """What each step of the story left, for the tests to check."""

    plans: dict[str, PlanAnswers] = field(default_factory=dict)
    manual: dict[str, float] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    release_files: list[str] = field(default_factory=list)
    tables_after_release: list[str] = field(default_factory=list)
    fetched: dict[str, list[str]] = field(default_factory=dict)  # trainee -> files of their home
    home_top: dict[str, list[str]] = field(default_factory=dict)
    kernel_case: dict[str, str] = field(default_factory=dict)
    saved: dict[str, dict] = field(default_factory=dict)  # trainee -> their answers file
    inbound_before_crash: list[str] = field(default_factory=list)
    inbound_after_crash: list[str] = field(default_factory=list)
    grades_before_crash: dict[str, float] = field(default_factory=dict)
    grades_after_crash: dict[str, float] = field(default_factory=dict)
    servers_before_crash: dict[str, list[int]] = field(default_factory=dict)
    servers_after_crash: dict[str, list[int]] = field(default_factory=dict)
    proxy_before_crash: int | None = None
    proxy_after_crash: int | None = None
    feedback: dict[str, str] = field(default_factory=dict)  # trainee -> feedback HTML
    trainee_files_after: dict[str, list[str]] = field(default_factory=dict)
    probes: dict[str, dict[str, str]] = field(default_factory=dict)
    grades: dict[str, dict[str, float]] = field(default_factory=dict)  # from PostgreSQL
    export_csv: str = ""
    durations: dict[str, float] = field(default_factory=dict)


def _inbound(cohort: Cohort) -> list[str]:
    inbound = cohort.lh.exchange / "bshtrain" / "inbound"
    return sorted(p.name for p in inbound.iterdir()) if inbound.is_dir() else []


def _grades(cohort: Cohort, student: str) -> dict[str, float]:
    """A submission's scores per cell, read from PostgreSQL as the database's administrator."""
    from nbgrader.api import Gradebook

    with Gradebook(cohort.lh.postgres.url("postgres"), "bshtrain") as gb:
        nb = gb.find_submission_notebook(EXERCISE, EXERCISE, student)
        return {g.name: g.score for g in nb.grades}


def _singleuser_pids(cohort: Cohort) -> dict[str, list[int]]:
    localhub = _deploy_module("localhub")
    return {u: [p for p in localhub.processes_of([pwd.getpwnam(u).pw_uid])
                if "jupyterhub-singleuser" in localhub.cmdline(p)] for u in cohort.everyone}


def _answer_in_kernel(server, plan: PlanAnswers) -> str:
    """The code twin, in a kernel started for the exercise notebook (its folder is the cwd)."""
    code = ("import json\nfrom bshtrain.api import open_exercise\n"
            "ex = open_exercise('plan')\n"
            f"ex.answer(**json.loads({json.dumps(plan.model_dump(mode='json'))!r}))\n"
            "print(json.dumps({'case': ex.case.id}))")
    with server.kernel(NOTEBOOK) as kernel:
        return kernel.run_json(code)["case"]


PROBE = r"""
import glob, json, os, sys
from pathlib import Path
def attempt(action):
    try:
        action()
    except PermissionError:
        return "denied"
    except FileNotFoundError:
        return "missing"
    except Exception as exc:
        return "refused: " + type(exc).__name__
    return "read"
def connect():
    import psycopg2
    psycopg2.connect(host=SOCKET, dbname="bshtrain", user="bshtrain_grader").close()
def env_keys():
    found = glob.glob(os.path.join(sys.prefix, "**", "key.yaml"), recursive=True)
    if found:
        raise AssertionError(found)
    import bshtrain
    if (Path(bshtrain.__file__).parents[1] / "solutions").exists():
        open(Path(bshtrain.__file__).parents[1] / "solutions" / "plan" / "key.yaml").read()
    raise FileNotFoundError
print(json.dumps({
    "list the exchange's inbound": attempt(lambda: os.listdir(INBOUND)),
    "guess a submission's folder": attempt(lambda: open(GUESS).read()),
    "list the released feedback": attempt(lambda: os.listdir(FEEDBACK)),
    "list another trainee's home": attempt(lambda: os.listdir(OTHER_HOME)),
    "read another trainee's answers": attempt(lambda: open(OTHER_ANSWERS).read()),
    "read the key in the course": attempt(lambda: open(COURSE_KEY).read()),
    "list the collected submissions": attempt(lambda: os.listdir(SUBMITTED)),
    "read the key beside a graded submission": attempt(lambda: open(GRADED_KEY).read()),
    "connect to the gradebook": attempt(connect),
    "find a key in the Python environment": attempt(env_keys),
}))
"""


def _probe(cohort: Cohort, trainee: str, other: str) -> dict[str, str]:
    lh = cohort.lh
    other_submission = next(n for n in _inbound(cohort) if n.startswith(f"{other}+"))
    values = {
        "SOCKET": str(lh.postgres.socket_dir),
        "INBOUND": str(lh.exchange / "bshtrain" / "inbound"),
        # nbgrader names a submission <student>+<exercise>+<time>+<random>: without the random part
        "GUESS": str(lh.exchange / "bshtrain" / "inbound" / other_submission.rsplit("+", 1)[0]
                     / NOTEBOOK.rsplit("/", 1)[-1]),
        "FEEDBACK": str(lh.exchange / "bshtrain" / "feedback"),
        "OTHER_HOME": str(lh.home(other)),
        "OTHER_ANSWERS": str(lh.home(other) / EXERCISE / "answers" / f"{EXERCISE}.json"),
        "COURSE_KEY": str(lh.course_root / "solutions" / EXERCISE / KEY_FILE),
        "SUBMITTED": str(lh.course_root / "submitted"),
        "GRADED_KEY": str(lh.course_root / "autograded" / other / EXERCISE / KEY_FILE),
    }
    code = "".join(f"{k} = {v!r}\n" for k, v in values.items()) + PROBE
    with cohort.servers[trainee].kernel(NOTEBOOK) as kernel:
        return kernel.run_json(code)


def _manual_grades(instructor, students: dict[str, float], comments: dict[str, str]) -> None:
    """The formgrader's Manual Grading page: score and comment the rationale cell."""
    submitted = instructor.formgrader("GET", f"submitted_notebooks/{EXERCISE}/{EXERCISE}")
    ids = {s["student"]: s["id"] for s in submitted}
    for student, score in students.items():
        grade = next(g for g in instructor.formgrader("GET", f"grades?submission_id={ids[student]}")
                     if g["name"] == "rationale")
        instructor.formgrader("PUT", f"grade/{grade['id']}", json={"manual_score": score})
        comment = next(c for c in instructor.formgrader("GET", f"comments?submission_id={ids[student]}")
                       if c["name"] == "rationale")
        instructor.formgrader("PUT", f"comment/{comment['id']}",
                              json={"manual_comment": comments[student]})


def _browser_trainee(cohort: Cohort, trainee: str, plan: PlanAnswers, story: Story) -> None:
    """Log in, fetch, answer through the widgets, save, submit: all in Chromium."""
    from playwright.sync_api import sync_playwright

    from .hub_browser import HubLab, answer_plan_in_widgets, fetch_in_panel, log_in, submit_in_panel

    lh = cohort.lh
    settings = lh.home(trainee) / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    _deploy_module("localhub").chown_tree(lh.home(trainee) / ".jupyter", trainee)
    lab = HubLab(lh.hub.public_url, trainee)
    answers = lh.home(trainee) / EXERCISE / "answers" / f"{EXERCISE}.json"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(120_000)
            log_in(page, lab, lh.passwords[trainee])
            fetch_in_panel(page, EXERCISE)
            answer_plan_in_widgets(page, lab, NOTEBOOK, cohort.case(trainee), plan, answers)
            from .hub_browser import save_and_close

            save_and_close(page, NOTEBOOK)
            submit_in_panel(page, EXERCISE)
        finally:
            browser.close()
    story.saved[trainee] = json.loads(answers.read_text())


@pytest.fixture(scope="module")
def story(cohort):
    lh, instructor = cohort.lh, cohort.servers[cohort.instructor]
    t1, t2, t3 = cohort.trainees
    s = Story()
    s.plans = {t1: model_plan(cohort.case(t1)), t2: junk_plan(cohort.case(t2)),
               t3: model_plan(cohort.case(t3))}
    s.manual = {t1: 7.0, t2: 3.0, t3: 6.0}
    s.comments = {t: f"Feedback for {t}: link the task to your client's goal." for t in cohort.trainees}
    clock = time.monotonic()

    def lap(name):
        nonlocal clock
        s.durations[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    # 1. generate and release, as the formgrader's buttons do
    instructor.formgrader("POST", f"assignment/{EXERCISE}/assign")
    instructor.formgrader("POST", f"assignment/{EXERCISE}/release")
    outbound = lh.exchange / "bshtrain" / "outbound" / EXERCISE
    s.release_files = sorted(str(p.relative_to(outbound)) for p in outbound.rglob("*"))
    s.tables_after_release = lh.postgres.tables()
    lap("release")

    # 2. two trainees fetch, answer in a kernel, submit
    for trainee in (t1, t2):
        server = cohort.servers[trainee]
        listed = server.assignment_action("fetch", EXERCISE)
        assert any(a["assignment_id"] == EXERCISE and a["status"] == "fetched" for a in listed), listed
        s.home_top[trainee] = server.listing("")
        s.kernel_case[trainee] = _answer_in_kernel(server, s.plans[trainee])
        s.fetched[trainee] = server.all_files(EXERCISE)
        s.saved[trainee] = json.loads((lh.home(trainee) / EXERCISE / "answers" / f"{EXERCISE}.json")
                                      .read_text())
        listed = server.assignment_action("submit", EXERCISE)
        assert any(a["status"] == "submitted" for a in listed), listed
    lap("two trainees")

    # 3. collect, grade one; then the hub crashes and comes back
    instructor.formgrader("POST", f"assignment/{EXERCISE}/collect")
    instructor.formgrader("POST", f"submission/{EXERCISE}/{t1}/autograde")
    s.inbound_before_crash = _inbound(cohort)
    s.grades_before_crash = _grades(cohort, t1)
    s.servers_before_crash = _singleuser_pids(cohort)
    s.proxy_before_crash = lh.hub.proxy_pid()
    lap("first grading")
    lh.restart_hub(crash=True)
    s.proxy_after_crash = lh.hub.proxy_pid()
    s.servers_after_crash = _singleuser_pids(cohort)
    s.inbound_after_crash = _inbound(cohort)
    s.grades_after_crash = _grades(cohort, t1)
    lap("hub crash and restart")

    # 4. the third trainee, in the browser, after the restart
    _browser_trainee(cohort, t3, s.plans[t3], s)
    lap("browser trainee")

    # 5. collect again, grade the rest, feedback
    instructor.formgrader("POST", f"assignment/{EXERCISE}/collect")
    for trainee in (t2, t3):
        instructor.formgrader("POST", f"submission/{EXERCISE}/{trainee}/autograde")
    _manual_grades(instructor, s.manual, s.comments)
    instructor.formgrader("POST", f"assignment/{EXERCISE}/generate_feedback")
    instructor.formgrader("POST", f"assignment/{EXERCISE}/release_feedback")
    for trainee in cohort.trainees:
        server = cohort.servers[trainee]
        server.assignment_action("fetch_feedback", EXERCISE)
        s.trainee_files_after[trainee] = server.all_files("")
        pages = [f for f in s.trainee_files_after[trainee]
                 if f.startswith(f"{EXERCISE}/feedback/") and f.endswith(".html")]
        assert len(pages) == 1, s.trainee_files_after[trainee]
        s.feedback[trainee] = server.text(pages[0])
    lap("grading and feedback")

    # 6. what trainees cannot read; the scores; the export
    s.probes = {t1: _probe(cohort, t1, t2), t3: _probe(cohort, t3, t1)}
    s.grades = {t: _grades(cohort, t) for t in cohort.trainees}
    with instructor.kernel("grades.ipynb") as kernel:
        s.export_csv = kernel.run(
            "import subprocess, sys\n"
            "p = subprocess.run([sys.executable, '-m', 'nbgrader', 'export', '--to', 'grades.csv'],"
            " capture_output=True, text=True)\n"
            "assert p.returncode == 0, p.stdout + p.stderr\n"
            "print(open('grades.csv').read())")
    lap("probes and export")
    print("story steps (s):", s.durations)
    return s


def _expected(cohort: Cohort, trainee: str, plan: PlanAnswers) -> dict[str, float]:
    key = read_key(cohort.lh.course_root / "solutions" / EXERCISE / KEY_FILE)[0]
    case = cohort.case(trainee)
    scored = spec_for(EXERCISE).score(plan, get_case(case), key)
    return {cid: scored.points(cid) for cid in MAX_POINTS}


@pytest.mark.hub
def test_gradebook_is_created_in_postgres_on_first_use(cohort, story):
    """Was the gradebook's database empty when the hub started, and filled with nbgrader's
    tables by the instructor's first action?"""
    assert cohort.tables_at_start == []
    assert {"assignment", "grade", "student", "submitted_assignment"} <= set(story.tables_after_release)


@pytest.mark.hub
def test_trainees_get_the_release_and_no_keys(cohort, story):
    """Did the release (made with the formgrader's buttons) hold the notebook only, and does
    each trainee's server show their home with what fetch gave them and no solutions or key?"""
    assert story.release_files == [f"{EXERCISE}.ipynb"]
    for trainee in cohort.trainees[:2]:
        assert "solutions" not in story.home_top[trainee]
        assert EXERCISE in story.home_top[trainee] and "lessons" in story.home_top[trainee]
        assert story.fetched[trainee] == [f"{EXERCISE}/answers/{EXERCISE}.json", NOTEBOOK]
    for trainee in cohort.trainees:
        files = story.trainee_files_after[trainee]
        assert not [f for f in files if f.endswith(KEY_FILE) or f.startswith("solutions/")], files


@pytest.mark.hub
def test_each_trainee_answers_on_their_own_case(cohort, story):
    """Did the code twin (two trainees, in their own kernels) and the widgets (one trainee, in
    Chromium) save each plan, for the case the trainee's hub name gives?"""
    for trainee in cohort.trainees:
        saved = story.saved[trainee]
        assert saved["case"] == cohort.case(trainee) and saved["trainee"] == trainee
        plan = story.plans[trainee]
        got = PlanAnswers(**saved["answers"])
        assert got.model_dump(exclude={"asks"}) == plan.model_dump(exclude={"asks"})
        assert [(a.choices, a.obstacles) for a in got.asks] == \
            [(a.choices, a.obstacles) for a in plan.asks], "asked the client with this plan"
    for trainee in cohort.trainees[:2]:
        assert story.kernel_case[trainee] == cohort.case(trainee)


@pytest.mark.hub
def test_hub_crash_loses_nothing_and_grading_goes_on(cohort, story):
    """After the hub was killed and started again: were the same servers still running, the
    old proxy replaced, every submission still in the exchange, the first grades still in
    PostgreSQL, and could a trainee submit and the instructor grade on?"""
    assert story.servers_after_crash == story.servers_before_crash
    assert all(story.servers_before_crash.values())
    assert story.proxy_after_crash and story.proxy_after_crash != story.proxy_before_crash
    assert story.inbound_after_crash == story.inbound_before_crash
    assert len(story.inbound_before_crash) == 2
    assert story.grades_after_crash == story.grades_before_crash
    assert story.grades_before_crash == {**_expected(cohort, cohort.trainees[0],
                                                     story.plans[cohort.trainees[0]]),
                                         "rationale": 0.0}  # not graded by hand yet
    third = cohort.trainees[2]
    assert any(n.startswith(f"{third}+") for n in _inbound(cohort)), "submitted after the restart"
    assert story.grades[third]["task"] is not None, "graded after the restart"


@pytest.mark.hub
def test_scores_in_postgres_equal_expected(cohort, story):
    """Does PostgreSQL hold, for every trainee, exactly the scorer's points for their plan on
    their case in each automatic cell, and the instructor's score for the rationale?"""
    for trainee in cohort.trainees:
        expected = {**_expected(cohort, trainee, story.plans[trainee]), "rationale": story.manual[trainee]}
        assert story.grades[trainee] == expected, trainee
    model = cohort.trainees[0]
    assert sum(story.grades[model][c] for c in MAX_POINTS) == sum(MAX_POINTS.values())
    junk = cohort.trainees[1]
    assert sum(story.grades[junk][c] for c in MAX_POINTS) < sum(MAX_POINTS.values()) / 2


@pytest.mark.hub
def test_feedback_reaches_only_its_trainee(cohort, story):
    """Did each trainee fetch one feedback page, with their own plan's feedback and the
    instructor's comment to them, and nobody else's comment?"""
    for trainee in cohort.trainees:
        html = story.feedback[trainee]
        assert story.comments[trainee] in html
        assert "THE PLAN" in html and "credit:" not in html
        for other in cohort.trainees:
            if other != trainee:
                assert story.comments[other] not in html


CANNOT = {  # what a trainee's own code gets, trying to reach what is not theirs
    "list the exchange's inbound": "denied",  # nbgrader's 2733: others may write, not list
    "guess a submission's folder": "missing",  # the random part of the name is not guessable
    "list the released feedback": "denied",  # 0711; each page's name is a keyed hash
    "list another trainee's home": "denied",
    "read another trainee's answers": "denied",
    "read the key in the course": "denied",  # the course root is in the instructor's home
    "list the collected submissions": "denied",
    "read the key beside a graded submission": "denied",
    "connect to the gradebook": "refused: OperationalError",  # peer authentication, no role
    "find a key in the Python environment": "missing",  # the package, not the repository
}


@pytest.mark.hub
def test_trainees_cannot_read_each_other_or_the_keys(cohort, story):
    """From a trainee's own kernel: is everything that is not theirs out of reach (the
    exchange's inbound and feedback listings, other homes, the course root and its keys, the
    gradebook), and does their Python environment hold no key?"""
    for trainee, probes in story.probes.items():
        assert probes == CANNOT, trainee


@pytest.mark.hub
def test_trainee_servers_have_no_instructor_tools(cohort):
    """On a trainee's running server: no formgrader (server extension and lab plugin), no
    create-assignment, and the assignment list there; on the instructor's: the formgrader,
    in the course root?"""
    trainee = cohort.servers[cohort.trainees[0]]
    trainee.request("GET", "formgrader", expect=(404,))
    html = trainee.request("GET", "lab").text
    page = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    disabled = set(page["disabledExtensions"])
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"} <= disabled
    assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert trainee.request("GET", "assignments?course_id=bshtrain").json()["success"]
    instructor = cohort.servers[cohort.instructor]
    assert instructor.formgrader("GET", "status") == {"status": True}
    assert {"solutions", "exercises", "nbgrader_config.py"} <= set(instructor.listing(""))


@pytest.mark.hub
def test_export_has_one_row_per_trainee(cohort, story):
    """Does `nbgrader export` in the instructor's server (gradebook in PostgreSQL) give one row
    per trainee for the exercise, with their total?"""
    rows = [r for r in csv.DictReader(io.StringIO(story.export_csv)) if r["assignment"] == EXERCISE]
    assert sorted(r["student_id"] for r in rows) == sorted(cohort.trainees)
    for row in rows:
        total = sum(story.grades[row["student_id"]].values())
        assert float(row["score"]) == pytest.approx(total)
        assert float(row["max_score"]) == sum(MAX_POINTS.values()) + 8
