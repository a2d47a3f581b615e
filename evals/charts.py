"""The report's PNG charts (matplotlib, Agg backend: no display needed). Each returns its file name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen before pyplot loads


def scenarios_chart(result: dict[str, Any], gates: dict[str, Any], out: Path) -> str:
    """pass^j for j = 1..k against the gates, and failures per check."""
    name = "scenarios.png"
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    js = [int(j) for j in result["pass_hat"]]
    left.plot(js, [result["pass_hat"][str(j)] for j in js], marker="o", color="#1f77b4", label="pass^j")
    left.axhline(
        gates["pass_1"], color="#2ca02c", linestyle="--", linewidth=1, label=f"pass^1 gate {gates['pass_1']}"
    )
    left.axhline(
        gates["pass_k"], color="#d62728", linestyle=":", linewidth=1, label=f"pass^k gate {gates['pass_k']}"
    )
    left.set(xlabel="j (runs that must all pass)", ylabel="pass^j", ylim=(0, 1.02), xticks=js)
    left.set_title(f"Reliability over {result['scenarios']} scenarios x {result['k']} seeds")
    left.legend(loc="lower left", fontsize=8)
    checks = result["checks"]
    names = list(checks)
    right.barh(names, [checks[n]["failed"] for n in names], color="#d62728")
    right.invert_yaxis()
    right.set(xlabel="failed runs", title="Failures per check")
    right.tick_params(axis="y", labelsize=8)
    return _save(fig, out / name)


def extraction_chart(result: dict[str, Any], out: Path) -> str:
    """Field accuracy per field, English against Chinese."""
    name = "extraction.png"
    fields = list(result["by_field"])
    fig, ax = plt.subplots(figsize=(11, 4.2))
    xs = range(len(fields))
    for offset, lang, color in ((-0.2, "en", "#1f77b4"), (0.2, "zh", "#ff7f0e")):
        values = [result["by_field"][f].get(lang, float("nan")) for f in fields]
        ax.bar([x + offset for x in xs], values, width=0.4, label=lang, color=color)
    ax.set_xticks(list(xs), fields, rotation=60, ha="right", fontsize=8)
    ax.set(
        ylim=(0, 1.05), ylabel="field accuracy", title=f"Extraction: {result['field_accuracy']:.3f} overall"
    )
    ax.legend(loc="lower right")
    return _save(fig, out / name)


def dispatch_chart(result: dict[str, Any], metrics: list[str], out: Path) -> str:
    """The gated simulator metrics per policy."""
    name = "dispatch.png"
    policies = list(result["metrics"])
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        values = [result["metrics"][p][metric] for p in policies]
        ax.bar(policies, values, color=["#2ca02c" if p == "hub" else "#7f7f7f" for p in policies])
        ax.set_title(metric)
    fig.suptitle(f"Short simulator run: {result['run']['n_claims']} claims, {result['run']['n_shops']} shops")
    return _save(fig, out / name)


def _save(fig: Any, path: Path) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name
