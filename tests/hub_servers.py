"""A user's single-user server on the test hub, reached through the hub's proxy with that
user's own API token: contents, nbgrader's assignment list (a trainee's Fetch and Submit),
the formgrader's API (an instructor's Generate, Release, Collect, Autograde, grading and
feedback), and kernels run over the server's websocket, as a notebook's kernel is.
"""

from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import requests
import websocket

COURSE = "bshtrain"


class KernelError(AssertionError):
    """Code run in a user's kernel raised; the message holds the traceback."""


class UserServer:
    def __init__(self, hub_url: str, name: str, token: str):
        self.hub_url = hub_url.rstrip("/")
        self.name = name
        self.token = token

    def url(self, path: str = "") -> str:
        return f"{self.hub_url}/user/{self.name}/{path.lstrip('/')}"

    def request(self, method: str, path: str, expect: tuple[int, ...] = (200, 201, 204),
                timeout: float = 300, **kwargs) -> requests.Response:
        r = requests.request(method, self.url(path), timeout=timeout,
                             headers={"Authorization": f"token {self.token}"}, **kwargs)
        assert r.status_code in expect, f"{self.name}: {method} {path}: {r.status_code} {r.text[:800]}"
        return r

    # --- files, as the server shows them ---
    def listing(self, path: str = "") -> list[str]:
        model = self.request("GET", f"api/contents/{quote(path)}").json()
        return sorted(item["name"] for item in model["content"])

    def exists(self, path: str) -> bool:
        return self.request("GET", f"api/contents/{quote(path)}?content=0",
                            expect=(200, 404)).status_code == 200

    def text(self, path: str) -> str:
        return self.request("GET", f"api/contents/{quote(path)}?type=file&format=text").json()["content"]

    def all_files(self, path: str = "") -> list[str]:
        """Every file below `path` that the server's file browser shows."""
        found = []
        for item in self.request("GET", f"api/contents/{quote(path)}").json()["content"]:
            if item["type"] == "directory":
                found.extend(self.all_files(item["path"]))
            else:
                found.append(item["path"])
        return sorted(found)

    # --- nbgrader's assignment list (the trainee's Assignments panel) ---
    def assignments(self) -> list[dict]:
        r = self.request("GET", f"assignments?course_id={COURSE}").json()
        assert r["success"], r
        return r["value"]

    def assignment_action(self, action: str, exercise: str) -> list[dict]:
        r = self.request("POST", f"assignments/{action}",
                         data={"course_id": COURSE, "assignment_id": exercise}).json()
        assert not (isinstance(r, dict) and r.get("success") is False), f"{action}: {r}"
        return r["value"] if isinstance(r, dict) else r

    # --- the formgrader's API (the instructor's Manage Assignments page) ---
    def formgrader(self, method: str, path: str, **kwargs):
        r = self.request(method, f"formgrader/api/{path}", **kwargs).json()
        if isinstance(r, dict) and "success" in r:
            assert r["success"], f"formgrader {path}: {r.get('error') or r.get('log')}"
        return r

    # --- kernels ---
    @contextmanager
    def kernel(self, notebook_path: str, timeout: float = 240):
        """A kernel for `notebook_path` (started in its folder, as opening the notebook does)."""
        session = self.request("POST", "api/sessions", json={
            "path": notebook_path, "name": notebook_path.rsplit("/", 1)[-1], "type": "notebook",
            "kernel": {"name": "python3"}}).json()
        kernel = None
        try:
            kernel = Kernel(self.url(f"api/kernels/{session['kernel']['id']}/channels")
                            .replace("http", "ws", 1), self.token, timeout)
            yield kernel
        finally:
            if kernel is not None:
                kernel.close()
            self.request("DELETE", f"api/sessions/{session['id']}", expect=(204, 404))


class Kernel:
    """Execute code in a running kernel over jupyter_server's websocket."""

    def __init__(self, ws_url: str, token: str, timeout: float):
        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"],
                                              timeout=timeout)
        self.timeout = timeout
        # the kernel answers kernel_info once it is up: that is the wait for it to be ready
        self._request("kernel_info_request", {}, timeout, need_idle=False)

    def close(self) -> None:
        self.ws.close()

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": "", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
            "buffers": []}))
        return msg_id

    def _request(self, msg_type: str, content: dict, timeout: float,
                 need_idle: bool = True) -> list[dict]:
        """Send a request; return the iopub messages it caused, once its reply has come and
        (for an execution) the kernel is idle again."""
        msg_id = self._send(msg_type, content)
        deadline = time.monotonic() + timeout
        replied, idle = False, not need_idle
        outputs: list[dict] = []
        while not (replied and idle):
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            if time.monotonic() > deadline:
                raise TimeoutError(f"{msg_type}: no reply in {timeout:.0f} s")
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if msg["channel"] == "shell" and kind.endswith("_reply"):
                replied = True
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif msg["channel"] == "iopub" and kind != "status":
                outputs.append(msg)
        return outputs

    def run(self, code: str, timeout: float | None = None) -> str:
        """Run `code`; return what it printed (and its result). Raise KernelError on an error."""
        outputs = self._request("execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, timeout or self.timeout)
        text = []
        for msg in outputs:
            content = msg["content"]
            if msg["header"]["msg_type"] == "stream":
                text.append(content["text"])
            elif msg["header"]["msg_type"] == "execute_result":
                text.append(content["data"].get("text/plain", "") + "\n")
            elif msg["header"]["msg_type"] == "error":
                raise KernelError(f"{content['ename']}: {content['evalue']}\n"
                                  + "\n".join(content["traceback"]))
        return "".join(text)

    def run_json(self, code: str):
        """Run `code`, whose last printed line is JSON; return it parsed."""
        return json.loads(self.run(code).strip().splitlines()[-1])
