"""Start JupyterLab for browser tests on a free loopback port, and stop it by its own PID."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server rooted at `root`; `url(path)` gives a tokenised address."""

    def __init__(self, root: Path, log: Path, env: dict[str, str] | None = None):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        settings = root.parent / "lab-settings"
        (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True, exist_ok=True)
        (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
         ).write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        extra_env = env or {}
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTER_RUNTIME_DIR=str(root.parent / "runtime"),
                   JUPYTERLAB_WORKSPACES_DIR=str(root.parent / "workspaces"))
        env.pop("NBGRADER_EXECUTION", None)
        env.update(extra_env)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0"]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self._log = open(log, "w")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT)

    def url(self, path: str = "lab") -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("JupyterLab did not start")

    def stop(self) -> None:
        """Stop the server (its own PID: it was started directly, not through a shell)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@contextlib.contextmanager
def serving(root: Path, log: Path, env: dict[str, str] | None = None):
    """A running LabServer for `root`, stopped (by its own PID) when the block ends."""
    server = LabServer(root, log, env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
