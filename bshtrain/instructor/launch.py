"""Start the course in JupyterLab on this machine (`make lab`, `make instructor`), and keep its
notebooks as they are committed (`make setup` runs `git-filter`).

One source of each route's options, for the Makefile and for the tests (tests/test_first_hour.py
starts its servers with `environment()` and opens `addresses()`). Each route is a list of
JUPYTER_CONFIG_PATH folders (the first one wins):

- trainee (`make lab`): local/trainee, local/course, deploy/trainee. deploy/trainee is what the
  hub gives trainees' servers (so the two never drift apart): nbgrader's instructor pieces
  (formgrader, Create Assignment, course list) and Validate off, and JupyterLab's "official
  Jupyter news?" question off (labconfig/default_setting_overrides.json: a default, which a
  user's own setting still overrides). local/trainee also turns off what needs a hub's exchange:
  the Assignments panel and its Nbgrader menu. The address lands on lesson 0.
- instructor (`make instructor`): local/course only, so every nbgrader extension is on
  (formgrader, Create Assignment, Validate, Assignments); the address lands on JupyterLab, and
  the formgrader's is printed too.

local/course makes JupyterLab save the course's own notebooks (lessons/, exercises/, solutions/)
as they are committed (`save_clean`): no outputs, execution counts, widget state or kernel run
details; cell ids and nbgrader's cell metadata stay. Running a lesson and saving it then leaves
the file as git has it. Notebooks changed outside JupyterLab (nbclient, another editor) are
cleaned by the same rules in git's nbstripout filter, which `git-filter` defines (.gitattributes
names it).

Once the server answers, the launcher prints the address to open (with its token), so it works
without a desktop browser (SSH, WSL, a container). Ctrl-C stops JupyterLab as usual.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[2]
LESSON_0 = "lessons/00_orientation.ipynb"
ROUTES = ("trainee", "instructor")
CONFIG_PATH = {
    "trainee": (REPO / "local" / "trainee", REPO / "local" / "course", REPO / "deploy" / "trainee"),
    "instructor": (REPO / "local" / "course",),
}
WILDCARD_HOSTS = ("", "0.0.0.0", "::")

# What a committed notebook never holds (design 2), for the save hook and the git filter alike:
# nbstripout's own list (outputs and execution counts go too), and the kernel's run details that
# JupyterLab and nbclient add to language_info (committed notebooks keep only its name).
COURSE_NOTEBOOKS = ("lessons/", "exercises/", "solutions/")
STRIP_KEYS = (
    "metadata.signature", "metadata.widgets", "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime", "cell.metadata.execution", "cell.metadata.heading_collapsed",
    "cell.metadata.hidden", "cell.metadata.scrolled",
    *(f"metadata.language_info.{key}" for key in ("codemirror_mode", "file_extension", "mimetype",
                                                  "nbconvert_exporter", "pygments_lexer",
                                                  "version")),
)


def clean_notebook(nb):
    """`nb` (a NotebookNode) as it is committed: nbstripout with STRIP_KEYS, keeping cell ids."""
    from nbstripout import strip_output

    return strip_output(nb, keep_output=False, keep_count=False, keep_id=True,
                        extra_keys=list(STRIP_KEYS))


def save_clean(model: dict, path: str, contents_manager=None, **_kwargs) -> None:
    """jupyter_server pre-save hook (local/course): a course notebook is written as committed.
    Other files, and notebooks elsewhere (submitted/, autograded/, a trainee's own), as given."""
    if model.get("type") != "notebook" or not path.strip("/").startswith(COURSE_NOTEBOOKS):
        return
    import nbformat

    model["content"] = clean_notebook(nbformat.from_dict(model["content"]))


def git_filter_command() -> str:
    """The clean command of git's nbstripout filter: the same rules as `save_clean`."""
    return (f'"{sys.executable}" -m nbstripout --keep-id '
            f'--extra-keys "{" ".join(STRIP_KEYS)}"')


def install_git_filter(root: Path) -> bool:
    """Define the nbstripout filter that .gitattributes names, in `root`'s own git config.
    False (and nothing done) when `root` is not the top of a git work tree."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, text=True,
                             capture_output=True, check=False).stdout.strip()
    except FileNotFoundError:  # no git at all
        return False
    if not top or Path(top).resolve() != root.resolve():
        return False
    clean = git_filter_command()
    for key, value in (("filter.nbstripout.clean", clean), ("filter.nbstripout.smudge", "cat"),
                       ("filter.nbstripout.required", "true"),
                       ("diff.ipynb.textconv", clean + " --textconv")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    return True


def environment(route: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a route's JupyterLab runs in: `base` (default os.environ) with the
    route's JUPYTER_CONFIG_PATH, and this environment's bin first on PATH (nbgrader needs
    `alembic` there, design 3, trap 7)."""
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r}: one of {', '.join(ROUTES)}")
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(str(p) for p in CONFIG_PATH[route])
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    return env


def landing_path(route: str, start: str = LESSON_0) -> str:
    """Where a route's address lands, relative to the server's base URL: the trainee on the
    notebook `start` (a path under the course root), the instructor on JupyterLab."""
    if route == "trainee":
        return "lab/tree/" + quote(start.strip("/"))
    return "lab"


def _hosts(host: str) -> list[str]:
    if host in WILDCARD_HOSTS:  # listening everywhere: this machine's name, and loopback
        return [socket.gethostname(), "127.0.0.1"]
    return [f"[{host}]" if ":" in host else host]


def addresses(route: str, host: str, port: int, token: str, start: str = LESSON_0,
              base_url: str = "/") -> list[tuple[str, str]]:
    """(what, URL) pairs to print: lesson 0 for a trainee; JupyterLab and the formgrader for
    an instructor. Each URL carries the token, so it opens without a login page."""
    paths = {"trainee": [("Lesson 0", landing_path(route, start))],
             "instructor": [("JupyterLab", "lab"), ("Formgrader", "formgrader")]}[route]
    query = "?" + urlencode({"token": token}) if token else ""
    base = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    return [(what if i == 0 else f"{what}, from this machine", f"http://{h}:{port}{base}{path}{query}")
            for what, path in paths for i, h in enumerate(_hosts(host))]


def command(route: str, root: Path, host: str, port: int, open_browser: bool,
            start: str = LESSON_0) -> list[str]:
    """The JupyterLab command line of a route (its configuration is in `environment`)."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
           f"--ServerApp.ip={host}", f"--ServerApp.port={port}",
           f"--LabApp.default_url=/{landing_path(route, start)}"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")  # root in a container; JupyterLab refuses otherwise
    return cmd


def banner(route: str, links: list[tuple[str, str]], port: int) -> str:
    """What is printed once the server answers."""
    what = {"trainee": "the course, for trainees",
            "instructor": "the course, for instructors (nbgrader's formgrader, Create "
                          "Assignment and Validate)"}[route]
    rule = "=" * min(100, max(len(url) for _, url in links) + 4)
    lines = [rule, f"bshtrain is running in JupyterLab: {what}.", "Open in your browser:"]
    for label, url in links:
        lines += [f"  {label}:", f"    {url}"]
    lines += ["No browser on this machine (SSH, WSL, a container)? Open the address in the browser",
              f"on yours; over SSH, first forward the port: ssh -L {port}:localhost:{port} you@this-machine",
              "Stop: Ctrl-C here (twice to skip JupyterLab's question).", rule]
    return "\n".join(lines)


def _server_info(proc: subprocess.Popen) -> dict | None:
    """The runtime file JupyterLab writes once it listens (jpserver-<pid>.json), or None if
    JupyterLab exited first."""
    from jupyter_core.paths import jupyter_runtime_dir

    info = Path(jupyter_runtime_dir()) / f"jpserver-{proc.pid}.json"
    while proc.poll() is None:
        try:
            return json.loads(info.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.2)  # a launcher waiting for its child to listen
    return None


def run(route: str, root: Path, host: str, port: int, open_browser: bool,
        start: str = LESSON_0) -> int:
    """Start JupyterLab, print where to open it, and wait until it stops."""
    if route == "trainee" and not (root / start).is_file():
        print(f"bshtrain: {root / start} does not exist (START= names the notebook to open)",
              file=sys.stderr)
        return 2
    print(f"Starting JupyterLab ({route}) on {root} ...", flush=True)
    proc = subprocess.Popen(command(route, root, host, port, open_browser, start),
                            cwd=root, env=environment(route))
    signal.signal(signal.SIGTERM, lambda signum, _frame: proc.send_signal(signum))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches JupyterLab itself
    info = _server_info(proc)
    if info is not None:
        links = addresses(route, host, info["port"], info.get("token", ""), start,
                          info.get("base_url", "/"))
        print("\n" + banner(route, links, info["port"]) + "\n", flush=True)
    return proc.wait()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bshtrain.instructor.launch",
                                     description="Start the course in JupyterLab (trainee or "
                                                 "instructor), or define git's notebook filter.")
    parser.add_argument("what", choices=[*ROUTES, "git-filter"])
    parser.add_argument("--root", default=str(REPO), help="the course folder (default: this one)")
    parser.add_argument("--host", default="localhost",
                        help="address to listen on (0.0.0.0: every interface, for a container "
                             "or another machine)")
    parser.add_argument("--port", type=int, default=8888,
                        help="port (default 8888; JupyterLab takes the next free one if busy)")
    parser.add_argument("--no-browser", action="store_true", help="only print the address")
    parser.add_argument("--start", default=LESSON_0,
                        help=f"trainee: the notebook to open (default {LESSON_0})")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    root = Path(args.root).resolve()
    if args.what == "git-filter":
        install_git_filter(root)
        return 0
    return run(args.what, root, args.host, args.port, not args.no_browser, args.start)


if __name__ == "__main__":
    sys.exit(main())
