"""PNG plots a person reads at a glance: metrics by policy, curves over time, utilisation across shops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display: must precede pyplot

import matplotlib.pyplot as plt
import numpy as np

from simulator.engine import PolicyRun
from simulator.metrics import CONTRACT_METRICS, gini

COLORS = {
    "hub": "#d62728",
    "nearest": "#1f77b4",
    "round_robin": "#2ca02c",
    "rating_priority": "#9467bd",
    "oracle": "#7f7f7f",
}
LOWER_IS_BETTER = {"mean_offers_to_accept", "mean_wait_days", "mean_cycle_days", "utilization_gini"}
LOWER_IS_BETTER |= {"mean_claim_cost", "regret_vs_oracle"}


def write_plots(runs: dict[str, PolicyRun], report: dict[str, Any], out: Path) -> list[Path]:
    """metrics_by_policy.png, learning_curves.png and utilization.png in `out`; returns their paths."""
    paths = [
        _metrics_by_policy(report["metrics"], out / "metrics_by_policy.png"),
        _learning_curves(report["curves"], out / "learning_curves.png"),
        _utilization(runs, out / "utilization.png"),
    ]
    plt.close("all")
    return paths


def _metrics_by_policy(metrics: dict[str, dict[str, float]], path: Path) -> Path:
    names = list(metrics)
    fig, axes = plt.subplots(2, 5, figsize=(18, 7))
    for ax, metric in zip(axes.ravel(), CONTRACT_METRICS, strict=True):
        values = [metrics[p][metric] for p in names]
        bars = ax.bar(range(len(names)), values, color=[COLORS.get(p, "#555") for p in names])
        ax.set_xticks(range(len(names)), names, rotation=35, ha="right", fontsize=8)
        better = "lower is better" if metric in LOWER_IS_BETTER else "higher is better"
        ax.set_title(f"{metric}\n({better})", fontsize=9)
        ax.bar_label(bars, labels=[f"{v:.3g}" for v in values], fontsize=7)
        ax.margins(y=0.15)
    fig.suptitle("Contract metrics by policy (same claims, same customers)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def _learning_curves(curves: dict[str, dict[str, list[float]]], path: Path) -> Path:
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
    panels = (
        ("regret_per_claim", "regret vs oracle per claim (by arrival day)"),
        ("acceptance_rate", "acceptance rate"),
        ("mean_wait_days", "mean wait (days)"),
    )
    for ax, (key, title) in zip(axes, panels, strict=True):
        for name, curve in curves.items():
            if key == "regret_per_claim" and name == "oracle":
                continue
            days = np.arange(1, len(curve[key]) + 1)
            ax.plot(
                days, curve[key], label=name, color=COLORS.get(name, "#555"), lw=2 if name == "hub" else 1.2
            )
        ax.set_title(title)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Learning curves over the run: the hub's regret should fall as it learns")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def _utilization(runs: dict[str, PolicyRun], path: Path) -> Path:
    fig, (hist, lorenz) = plt.subplots(1, 2, figsize=(13, 4.8))
    bins = np.linspace(0.0, 1.0, 41)
    for name, run in runs.items():
        color = COLORS.get(name, "#555")
        hist.hist(run.utilization, bins=bins, histtype="step", lw=1.5, color=color, label=name)
        x = np.sort(run.utilization)
        share = np.concatenate([[0.0], np.cumsum(x) / max(x.sum(), 1e-12)])
        lorenz.plot(np.linspace(0, 1, share.size), share, color=color, label=f"{name} (Gini {gini(x):.3f})")
    hist.set(title="bay utilisation across shops", xlabel="share of capacity used", ylabel="shops")
    lorenz.plot([0, 1], [0, 1], "k:", lw=0.8)
    lorenz.set(title="Lorenz curve of utilisation (closer to the diagonal = more even)", xlabel="shops")
    hist.legend(fontsize=8)
    lorenz.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
