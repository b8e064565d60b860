"""Getting in (issue 14): the two routes into the course, as a new user meets them, and notebooks
that stay as committed.

- `make lab` prints an address that opens lesson 0; the trainee route has no news question, no
  Nbgrader menu, no Create Assignment panel, no Validate button and no Assignments panel.
- `make instructor` has all of nbgrader's pieces (and JupyterLab's defaults, news question
  included: the control that shows the trainee checks can fail).
- Running a lesson and saving it leaves git with nothing to show: JupyterLab saves course
  notebooks clean, and git's nbstripout filter cleans what is run elsewhere.

Servers start with the launcher's configuration (bshtrain/instructor/launch.py, which the
Makefile runs); browser waits are on JupyterLab's own promises or page state, never a sleep.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from bshtrain.instructor import launch

from .conftest import ROOT
from .jupyterlab_page import FIND_PANEL, SESSION_READY, close_and_shut_down, open_notebook, run_all
from .lab_server import CHROMIUM, CHROMIUM_ARGS, free_port, serving

VENV = Path(sys.executable).parent.parent
LESSON = launch.LESSON_0
SOLUTION = "solutions/plan/plan.ipynb"
COURSE_FILES = (".gitattributes", ".gitignore", "Makefile", "nbgrader_config.py")
COURSE_FOLDERS = ("lessons", "exercises", "solutions")
NEWS = "official Jupyter news"  # JupyterLab's question: "Would you like to get notified about ..."


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


def _course_repo(dest: Path) -> Path:
    """A git repository of the course's notebooks, .gitattributes, .gitignore and Makefile as
    they are in this work tree, committed; the nbstripout filter is not defined yet (as in a
    fresh clone before `make setup`). Built from the work tree rather than `git clone`, so
    the files under test count whether or not they are committed yet."""
    dest.mkdir(parents=True)
    for name in COURSE_FILES:
        shutil.copy2(ROOT / name, dest / name)
    for folder in COURSE_FOLDERS:
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns(
            "answers", ".ipynb_checkpoints", "*.unreadable-*"))
    _git(dest, "init", "--quiet")
    _git(dest, "add", "--all")
    _git(dest, "-c", "user.name=test", "-c", "user.email=test@example.invalid",
         "-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "course")
    return dest


def _make_dry_run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> list[list[str]]:
    """The commands `make <args>` would run from `cwd` (setup taken as done), split into argv."""
    out = subprocess.run(["make", "--no-print-directory", "-n", "-o", "setup", "-f",
                          str(ROOT / "Makefile"), f"VENV={VENV}", *args],
                         cwd=cwd, capture_output=True, text=True, check=True, env=env).stdout
    return [shlex.split(line) for line in out.splitlines() if line.strip()]


def _launcher_args(argv: list[str]) -> list[str]:
    i = argv.index("bshtrain.instructor.launch")
    assert argv[i - 1] == "-m" and Path(argv[0]) == VENV / "bin" / "python"
    return argv[i + 1:]


# ---------------------------------------------------------------- the launcher and the Makefile

def test_make_lab_passes_its_options_to_the_launcher(tmp_path):
    """Does `make lab HOST=0.0.0.0 BROWSER=no PORT=9999` start the trainee route on the course
    folder, on every interface, without a browser; and `make instructor` the instructor route
    on localhost:8888 with a browser, even when the shell exports HOST?"""
    [lab] = _make_dry_run(tmp_path, "lab", "HOST=0.0.0.0", "BROWSER=no", "PORT=9999")
    args = launch.make_parser().parse_args(_launcher_args(lab))
    assert (args.what, args.host, args.port, args.no_browser) == ("trainee", "0.0.0.0", 9999, True)
    assert (Path(args.root), args.start) == (tmp_path, LESSON)
    [instructor] = _make_dry_run(tmp_path, "instructor", env=dict(os.environ, HOST="somebox"))
    args = launch.make_parser().parse_args(_launcher_args(instructor))
    assert (args.what, args.host, args.port, args.no_browser) == ("instructor", "localhost", 8888, False)


def test_printed_addresses():
    """Does the trainee's address open lesson 0 with the token; does listening on every
    interface give this machine's name and loopback; does the instructor get JupyterLab and the
    formgrader?"""
    [(label, url)] = launch.addresses("trainee", "localhost", 8888, "abc")
    assert url == "http://localhost:8888/lab/tree/lessons/00_orientation.ipynb?token=abc"
    assert "Lesson 0" in label
    wide = [u for _, u in launch.addresses("trainee", "0.0.0.0", 8888, "abc")]
    assert len(wide) == 2 and wide[1].startswith("http://127.0.0.1:8888/lab/tree/")
    assert "0.0.0.0" not in wide[0]
    urls = [u for _, u in launch.addresses("instructor", "localhost", 8000, "t", base_url="/x/")]
    assert urls == ["http://localhost:8000/x/lab?token=t", "http://localhost:8000/x/formgrader?token=t"]
    text = launch.banner("trainee", launch.addresses("trainee", "localhost", 8888, "abc"), 8888)
    assert url in text and "ssh -L 8888:localhost:8888" in text


def test_routes_share_the_hub_trainee_config_and_differ_only_locally():
    """Does the trainee route read deploy/trainee (the hub's) after its local folder, does only
    the local folder turn off the Assignments panel and its menu, and does the instructor route
    leave nbgrader whole?"""
    trainee = launch.environment("trainee", base={"PATH": "/usr/bin"})["JUPYTER_CONFIG_PATH"]
    assert trainee.split(os.pathsep) == [str(ROOT / "local" / "trainee"), str(ROOT / "local" / "course"),
                                         str(ROOT / "deploy" / "trainee")]
    local = ROOT / "local" / "trainee"
    page = json.loads((local / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert page == {"@jupyter/nbgrader:assignment-list": True, "@jupyter/nbgrader:menu": True}
    server = json.loads((local / "jupyter_server_config.d" / "bshtrain-local-trainee.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.assignment_list": False}
    instructor = launch.environment("instructor", base={"PATH": "/usr/bin"})
    assert instructor["JUPYTER_CONFIG_PATH"] == str(ROOT / "local" / "course")
    assert not list((ROOT / "local" / "course").rglob("page_config.json")), "nothing disabled"
    assert instructor["PATH"].startswith(str(VENV / "bin")), "alembic must be on PATH (trap 7)"


def test_save_hook_writes_course_notebooks_as_committed():
    """Does the save hook turn a run solution (outputs, counts, widget state, timing, the
    kernel's language_info) back into the committed file, nbgrader metadata and cell ids
    kept, and leave notebooks outside the course folders alone?"""
    committed = (ROOT / SOLUTION).read_text()
    nb = json.loads(committed)
    assert any("nbgrader" in c["metadata"] for c in nb["cells"])
    for i, cell in enumerate(nb["cells"]):
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-12-01T10:00:00Z"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = i
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb["metadata"]["language_info"].update(  # as ipykernel reports it
        codemirror_mode={"name": "ipython", "version": 3}, file_extension=".py",
        mimetype="text/x-python", nbconvert_exporter="python", pygments_lexer="ipython3",
        version="3.11.7")
    ran = json.dumps(nb)

    model = {"type": "notebook", "content": json.loads(ran)}
    launch.save_clean(model, SOLUTION)
    assert nbformat.writes(model["content"]).rstrip("\n") == committed.rstrip("\n")
    elsewhere = {"type": "notebook", "content": json.loads(ran)}
    launch.save_clean(elsewhere, "submitted/ana/plan/plan.ipynb")
    assert elsewhere["content"] == json.loads(ran)


# ------------------------------------------------------------------------- the git filter

@pytest.mark.notebooks
def test_running_notebooks_outside_jupyterlab_leaves_git_diff_empty(tmp_path):
    """With the filter `make setup` defines, does git show nothing for a lesson and a solution
    run in real kernels and written back with outputs, widget state and run details (git
    without the filter does see them); does `git add` stage nothing, leaving the status clean;
    and does the committed solution keep nbgrader's cell metadata?"""
    repo = _course_repo(tmp_path / "course")
    subprocess.run(["make", "--no-print-directory", "notebook-filter", f"VENV={VENV}"],
                   cwd=repo, check=True, capture_output=True)
    assert _git(repo, "check-attr", "filter", "--", LESSON).stdout.strip().endswith("nbstripout")
    assert _git(repo, "config", "filter.nbstripout.clean").stdout.strip() == launch.git_filter_command()

    from nbclient import NotebookClient

    for path in (LESSON, SOLUTION):
        nb = nbformat.read(repo / path, as_version=4)
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str((repo / path).parent)}}).execute()
        assert any(c.get("outputs") for c in nb.cells) and "widgets" in nb.metadata
        nbformat.write(nb, repo / path)

    unfiltered = _git(repo, "-c", "filter.nbstripout.clean=cat", "diff", "--stat", "--", *COURSE_FOLDERS)
    assert LESSON in unfiltered.stdout and SOLUTION in unfiltered.stdout, "the run changed the files"
    assert _git(repo, "diff", "--stat", "--", *COURSE_FOLDERS).stdout == ""
    # git status compares sizes before it filters: it lists the files until `git add`, which
    # stages nothing (JupyterLab itself saves them as committed: see the trainee route test)
    _git(repo, "add", "--", *COURSE_FOLDERS)
    assert _git(repo, "diff", "--cached", "--stat").stdout == ""
    assert _git(repo, "status", "--porcelain").stdout == ""
    committed = json.loads(_git(repo, "show", f"HEAD:{SOLUTION}").stdout)
    assert sum("nbgrader" in c["metadata"] for c in committed["cells"]) >= 10


# ---------------------------------------------------------------------------- in the browser

SEEN = """async ([path, ms]) => {
  const app = window.jupyterapp;
  await app.restored;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  const menus = [...app.shell.widgets('menu')].flatMap(w => (w.menus || []).map(m => m.title.label));
  const news = await app.serviceManager.settings.fetch('@jupyterlab/apputils-extension:notification');
  const user = news.settings || {};
  return {
    newsQuestion: document.body.innerText.includes('official Jupyter news'),
    fetchNews: 'fetchNews' in user ? user.fetchNews : news.schema.properties.fetchNews.default,
    nbgraderMenu: menus.includes('Nbgrader'),
    createAssignment: [...app.shell.widgets('right')].some(w => w.title.label === 'Create Assignment'),
    validate: !!panel && [...panel.toolbar.children()].some(
        w => (w.props && w.props.label === 'Validate') || w.node.textContent.includes('Validate')),
    assignments: app.commands.hasCommand('nbgrader:open-assignment-list'),
    formgrader: app.commands.hasCommand('nbgrader:open-formgrader'),
  };
}"""

CURRENT = """(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.context && w.context.path === path);
}"""

OUTPUTS = """(path) => {
  const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
  return panel.content.widgets.reduce((n, c) => n + (c.model.outputs ? c.model.outputs.length : 0), 0);
}"""


def _first_visit(base: Path, route: str) -> dict[str, str]:
    """The route's environment for a first visit: no user settings (so JupyterLab's defaults
    show, news question included, unless the route changes them) and no user config."""
    for name in ("fresh-settings", "fresh-config"):
        (base / name).mkdir()
    env = launch.environment(route, base={"PATH": os.environ["PATH"]})
    env.update(JUPYTERLAB_SETTINGS_DIR=str(base / "fresh-settings"),
               JUPYTER_CONFIG_DIR=str(base / "fresh-config"))
    return env


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (no browser download)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()


def _read_address(proc: subprocess.Popen, log: Path, timeout: float = 180) -> str:
    """The lesson address in the launcher's printed box (its stdout), once the server listens."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline and (proc.poll() is None or not lines.empty()):
        try:
            seen.append(lines.get(timeout=1).rstrip())
        except queue.Empty:
            continue
        if len(seen) >= 2 and seen[-2].strip() == "Lesson 0:":
            return seen[-1].strip()
    raise AssertionError("the launcher printed no address:\n" + "\n".join(seen)
                         + "\nJupyterLab's log ends:\n" + log.read_text()[-3000:])


def _stop(proc: subprocess.Popen) -> None:
    """Stop the launcher (it stops its JupyterLab); its own process group if it does not."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.browser
def test_the_address_make_lab_prints_opens_lesson_0(tmp_path, page):
    """Run what `make lab BROWSER=no` runs (the Makefile's own command line), in a fresh copy
    of the course: does the address it prints open lesson 0 in the browser, as the current
    tab?"""
    repo = _course_repo(tmp_path / "course")
    port = free_port()
    [argv] = _make_dry_run(repo, "lab", "BROWSER=no", "HOST=127.0.0.1", f"PORT={port}")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    env.pop("JUPYTER_CONFIG_PATH", None)
    for name in ("JUPYTERLAB_SETTINGS_DIR", "JUPYTER_CONFIG_DIR"):
        env[name] = str(tmp_path / name.lower())
        os.makedirs(env[name])
    with open(tmp_path / "lab.log", "w") as log:
        proc = subprocess.Popen(argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=log,
                                text=True, start_new_session=True)
        try:
            url = _read_address(proc, tmp_path / "lab.log")
            assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/lessons/00_orientation.ipynb?token=")
            page.goto(url, wait_until="domcontentloaded")
            current = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
            current.filter(has_text="00_orientation.ipynb").wait_for()
            page.locator(".jp-NotebookPanel:visible h1", has_text="Lesson 0: Orientation").wait_for()
        finally:
            _stop(proc)
    assert proc.returncode is not None


@pytest.fixture(scope="module")
def trainee_lab(tmp_path_factory):
    """The trainee route (`make lab`'s configuration) on a git clone of the course."""
    base = tmp_path_factory.mktemp("trainee")
    repo = _course_repo(base / "course")
    with serving(repo, base / "lab.log", env=_first_visit(base, "trainee")) as server:
        yield server


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """The instructor route (`make instructor`'s configuration) on a git clone of the course."""
    base = tmp_path_factory.mktemp("instructor")
    repo = _course_repo(base / "course")
    with serving(repo, base / "lab.log", env=_first_visit(base, "instructor")) as server:
        yield server


@pytest.mark.browser
def test_trainee_route_lands_on_lesson_0_without_instructor_pieces(trainee_lab, page):
    """On the trainee route's address, is lesson 0 the current widget; after Run All, is there
    no news question (and the setting says never), no Nbgrader menu, Create Assignment panel,
    Validate button or Assignments panel; and after saving with outputs, does git see no
    change?"""
    repo = trainee_lab.root
    [(_, url)] = launch.addresses("trainee", "127.0.0.1", trainee_lab.port, trainee_lab.token)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(FIND_PANEL, arg=LESSON)
    page.evaluate(SESSION_READY, [LESSON, 120_000])
    page.wait_for_function(CURRENT, arg=LESSON)
    assert run_all(page, LESSON) == {"ok": True, "notRun": 0, "errors": 0}
    assert page.evaluate(OUTPUTS, LESSON) > 0, "the lesson shows outputs before it is saved"

    seen = page.evaluate(SEEN, [LESSON, 60_000])
    assert seen == {"newsQuestion": False, "fetchNews": "false", "nbgraderMenu": False,
                    "createAssignment": False, "validate": False, "assignments": False,
                    "formgrader": False}

    before = (repo / LESSON).stat().st_mtime_ns
    close_and_shut_down(page, LESSON)  # File > Save, then close: the trainee leaves
    assert (repo / LESSON).stat().st_mtime_ns != before, "JupyterLab saved the lesson"
    assert _git(repo, "status", "--porcelain").stdout == ""
    assert (repo / LESSON).read_text() == _git(repo, "show", f"HEAD:{LESSON}").stdout


@pytest.mark.browser
def test_instructor_route_has_nbgrader_and_prints_the_formgrader(instructor_lab, page):
    """On the instructor route, do the Nbgrader menu, Create Assignment, Validate on a
    solution, the Assignments panel and the formgrader command exist, and JupyterLab's news
    question show (the control for the trainee test); does the formgrader address it prints
    open the formgrader?"""
    lab_url, formgrader_url = (u for _, u in launch.addresses(
        "instructor", "127.0.0.1", instructor_lab.port, instructor_lab.token))
    page.goto(lab_url, wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp")
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    page.get_by_text(NEWS).wait_for()
    open_notebook(page, instructor_lab, SOLUTION, timeout_ms=120_000)
    page.wait_for_function("""(path) => {
      const panel = [...window.jupyterapp.shell.widgets('main')].find(
          w => w.context && w.context.path === path);
      return panel && panel.toolbar.node.textContent.includes('Validate');
    }""", arg=SOLUTION)
    page.get_by_text(NEWS).wait_for()
    seen = page.evaluate(SEEN, [SOLUTION, 60_000])
    assert seen == {"newsQuestion": True, "fetchNews": "none", "nbgraderMenu": True,
                    "createAssignment": True, "validate": True, "assignments": True,
                    "formgrader": True}

    page.goto(formgrader_url, wait_until="domcontentloaded")
    page.get_by_text("Manage Assignments").first.wait_for()
