"""The meta-analytic effect sizes the lessons teach: a table and a grayscale chart."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from bshtrain.content.bibliography import bibliography
from bshtrain.content.loading import DataFileError, Problem, load_model_list
from bshtrain.content.paths import package_dir


class Effect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    metric: Literal["r", "d", "g"]
    value: float
    ci: tuple[float, float] | None = None
    studies: int | None = Field(default=None, ge=1)
    design: Literal["comparison", "correlation"]
    source: str


@lru_cache(maxsize=1)
def effects() -> tuple[Effect, ...]:
    """The effect sizes, each checked against the bibliography."""
    path = package_dir() / "data" / "effect_sizes.yaml"
    items = load_model_list(Effect, path, "effects")
    works = bibliography()
    bad = [Problem(str(path), f"effects.{i}.source", f"unknown bibliography key '{e.source}'")
           for i, e in enumerate(items) if e.source not in works]
    if bad:
        raise DataFileError(bad)
    return tuple(items)


def effects_table() -> pd.DataFrame:
    """One row per effect, with its source as an author-year label."""
    works = bibliography()
    rows = [{
        "finding": e.label, "measure": e.metric, "value": e.value,
        "95% CI": f"{e.ci[0]:.2f} to {e.ci[1]:.2f}" if e.ci else "not reported",
        "studies": e.studies if e.studies else "",
        "kind": "comparison" if e.design == "comparison" else "correlation",
        "source": works[e.source].short(),
    } for e in effects()]
    return pd.DataFrame(rows)


def effects_chart():
    """Correlations (r) and standardised differences (d, g) in two panels, with 95% CIs.

    Grayscale: comparisons are filled squares, correlations open circles; every row names its
    source. Different measures are never drawn on one axis.
    """
    import matplotlib.pyplot as plt

    works = bibliography()
    groups = [("Correlation (r)", [e for e in effects() if e.metric == "r"]),
              ("Standardised difference (d or g)", [e for e in effects() if e.metric != "r"])]
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
    for ax, (title, items) in zip(axes, groups, strict=True):
        for y, e in enumerate(reversed(items)):
            filled = e.design == "comparison"
            if e.ci:
                ax.errorbar(e.value, y, xerr=[[e.value - e.ci[0]], [e.ci[1] - e.value]],
                            fmt="none", ecolor="0.3", capsize=3)
            ax.plot(e.value, y, marker="s" if filled else "o", markersize=8,
                    color="0.0", markerfacecolor="0.0" if filled else "white", linestyle="none")
            ax.annotate(f"{e.metric} = {e.value:g}", (e.value, y), textcoords="offset points",
                        xytext=(0, 8), ha="center", fontsize=8)
        ax.set_yticks(range(len(items)),
                      [f"{e.label}\n({works[e.source].short()})" for e in reversed(items)],
                      fontsize=8)
        ax.axvline(0, color="0.6", linewidth=0.8)
        ax.set_ylim(-0.6, len(items) - 0.3)
        right = max((e.ci[1] if e.ci else e.value) for e in items)
        ax.set_xlim(0, right * 1.15)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("Effect size (bar: 95% CI, where reported)", fontsize=8)
    filled = axes[0].plot([], [], marker="s", color="0.0", linestyle="none")[0]
    hollow = axes[0].plot([], [], marker="o", color="0.0", markerfacecolor="white",
                          linestyle="none")[0]
    fig.legend([filled, hollow], ["homework vs none (a comparison)",
                                  "how much or how well it was done, vs outcome (a correlation)"],
               loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    fig.suptitle("Between-session homework: what the meta-analyses found", fontsize=11)
    return fig
