"""Drive a notebook in JupyterLab the way a trainee does, waiting on app and kernel state.

Why not poll `kernel.status === 'idle'`: jupyter_server lists `kernel_info_request` among its
`untracked_message_types`, so JupyterLab ignores the busy/idle messages of its own kernel-info
probes. After a restart (or a reconnect) the new kernel's only tracked `starting -> idle` status
can be published before the websocket is connected again; `kernel.status` then stays at
`restarting` or `unknown` until the next execution, although the kernel is fine. That raced
under load (issue 7). So every wait here awaits a promise of JupyterLab's own: the document's
context and session are ready, a kernel-info round trip has come back, the Run All promise has
resolved.
"""

from __future__ import annotations

FIND_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app) return false;
  return [...app.shell.widgets('main')].some(w => w.context && w.context.path === path
                                                 && w.sessionContext);
}"""

_WITH_PANEL = """
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.context && w.context.path === path);
  if (!panel) throw new Error('notebook not open: ' + path);
  const deadline = (what) => new Promise((_, reject) => setTimeout(
      () => reject(new Error('timed out waiting for ' + what)), ms));
  const within = (what, promise) => Promise.race([promise, deadline(what)]);
"""

SESSION_READY = """async ([path, ms]) => {""" + _WITH_PANEL + """
  await within('app started', app.started);
  await within('app restored', app.restored);
  await within('document ready', panel.context.ready);
  await within('session ready', panel.sessionContext.ready);
  // A round trip to the kernel proves it is up; retry while the connection is being made.
  for (;;) {
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    try {
      if (kernel) { await within('kernel info', kernel.requestKernelInfo()); return true; }
    } catch (e) { if (String(e).includes('timed out')) throw e; }
    await new Promise(r => setTimeout(r, 100));
  }
}"""

RUN_ALL = """async ([path, ms]) => {""" + _WITH_PANEL + """
  app.shell.activateById(panel.id);
  const ok = await within('Run All', app.commands.execute('notebook:run-all-cells'));
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const notRun = cells.filter(c => c.model.executionCount === null).length;
  const errors = cells.filter(c => [...Array(c.model.outputs.length).keys()]
      .some(i => c.model.outputs.get(i).type === 'error')).length;
  return {ok, notRun, errors};
}"""

SAVE_SHUT_DOWN_AND_CLOSE = """async ([path, ms]) => {""" + _WITH_PANEL + """
  await within('save', panel.context.save());
  await within('kernel shutdown', panel.sessionContext.shutdown());
  panel.close();
  return true;
}"""


def open_notebook(page, lab, path: str, timeout_ms: int = 60_000) -> None:
    """Load JupyterLab on `path` and wait until its kernel answers."""
    page.goto(lab.url(f"lab/tree/{path}"), wait_until="domcontentloaded")
    page.wait_for_function(FIND_PANEL, arg=path, timeout=timeout_ms)
    page.evaluate(SESSION_READY, [path, timeout_ms])


def run_all(page, path: str, timeout_ms: int = 120_000) -> dict:
    """Run All, as the trainee does from the Run menu, and wait until the run has finished.

    Returns {ok, notRun, errors}: Run All stops at the first cell that raises (`ok` false).
    """
    return page.evaluate(RUN_ALL, [path, timeout_ms])


def close_and_shut_down(page, path: str, timeout_ms: int = 60_000) -> None:
    """File > Save, then Close and Shut Down Notebook: the trainee leaves for the day."""
    page.evaluate(SAVE_SHUT_DOWN_AND_CLOSE, [path, timeout_ms])
    page.wait_for_function(f"(p) => !({FIND_PANEL})(p)", arg=path, timeout=timeout_ms)


def wait_for_answers(path, check, timeout: float = 20) -> dict:
    """Poll the answers file on disk (the state that matters) until `check(data)` holds."""
    import json
    import time

    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if path.exists():
            try:
                last = json.loads(path.read_text())
            except json.JSONDecodeError:
                last = None  # cannot happen with atomic writes; retry anyway
            if last is not None and check(last):
                return last
        time.sleep(0.1)
    raise AssertionError(f"{path} never held the expected answers; last seen: {last}")
