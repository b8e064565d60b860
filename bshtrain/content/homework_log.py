"""A client's homework log as a table and as a chart of engagement across sessions."""

from __future__ import annotations

import textwrap

import pandas as pd

from bshtrain.content.cases import Case

COLUMNS = ["session", "task", "planned", "done", "quality", "distress", "obstacles",
           "client_comment"]
COMPLETION_SCORE = {"not-done": 0.0, "partly": 0.5, "done": 1.0}
LEVEL_SCORE = {"low": 1, "medium": 2, "high": 3}


def log_frame(case: Case) -> pd.DataFrame:
    """The homework log, one row per session, with ordered categories for done/quality/distress."""
    rows = [entry.model_dump() for entry in case.homework_log]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["done"] = pd.Categorical(frame["done"], categories=list(COMPLETION_SCORE), ordered=True)
    for column in ("quality", "distress"):
        frame[column] = pd.Categorical(frame[column], categories=list(LEVEL_SCORE), ordered=True)
    return frame.set_index("session")


def log_patterns(case: Case) -> set[str]:
    """Which review patterns the log shows (the review lesson teaches each)."""
    found = set()
    for e in case.homework_log:
        if e.done == "done" and e.quality == "high" and e.distress != "high":
            found.add("done and helpful")
        if e.done == "partly":
            found.add("partly done")
        if e.done == "not-done":
            found.add("not done")
        if e.done != "not-done" and e.distress == "high":
            found.add("done with distress")
        if e.done == "done" and e.quality == "low":
            found.add("done in form, not in substance")
    return found


def _plain(text: str) -> str:
    """Text shown as written: matplotlib would read a pair of '$' as mathtext (and may fail)."""
    return text.replace("$", r"\$")


def plot_log(case: Case, ax=None):
    """Draw completion, quality and distress per session; readable in grayscale.

    Completion is a bar (hatched by how far it was done), quality a solid line with circles,
    distress a dashed line with triangles; every session is labelled with its task.
    """
    if ax is None:
        import matplotlib.pyplot as plt  # headless, matplotlib falls back to Agg by itself

        fig, ax = plt.subplots(figsize=(8, 4.2))
    else:
        fig = ax.figure
    frame = log_frame(case)
    if frame.empty:
        raise ValueError(f"case '{case.id}' has no homework log to plot")
    x = list(range(len(frame)))
    hatches = {"done": "", "partly": "//", "not-done": "xx"}
    completion = [COMPLETION_SCORE[str(d)] * 3 for d in frame["done"]]
    for xi, height, done in zip(x, completion, frame["done"], strict=True):
        ax.bar(xi, max(height, 0.08), width=0.6, color="0.85", edgecolor="0.2",
               hatch=hatches[str(done)], label=f"Completion: {done}")
    quality = [LEVEL_SCORE.get(str(q), float("nan")) for q in frame["quality"]]
    distress = [LEVEL_SCORE[str(d)] for d in frame["distress"]]
    ax.plot(x, quality, color="0.0", marker="o", linestyle="-", linewidth=2, label="Quality")
    ax.plot(x, distress, color="0.35", marker="^", linestyle="--", linewidth=1.5,
            label="Distress")
    ax.set_xticks(x, [f"Session {s}\n" + "\n".join(_plain(part) for part in
                                                  textwrap.wrap(t.replace("-", " "), 14))
                      for s, t in zip(frame.index, frame["task"], strict=True)], fontsize=8)
    ax.set_yticks([0, 1, 2, 3], ["none", "low", "medium", "high"])
    ax.set_ylim(0, 3.4)
    ax.set_ylabel("Level (completion bar: full height = done)")
    ax.set_title(f"{_plain(case.name)}: homework across sessions")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
