"""Run a whole simulation: build the world once, run the policies side by side, write metrics and plots.

Policies run in `workers` forked processes (the world is built before the fork, so it is shared, not
copied); the slowest (hub, oracle) start first. One progress bar follows simulated days of every policy.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from simulator.config import SimConfig
from simulator.engine import PolicyRun, run_policy
from simulator.metrics import CONTRACT_METRICS, daily_curves, policy_metrics, regret_trend
from simulator.plots import write_plots
from simulator.world import World, build_world

_WORLD: World | None = None  # set before forking: workers inherit it instead of unpickling it
_PROGRESS: Any = None
_ORDER = ("hub", "oracle", "round_robin", "rating_priority", "nearest")


def simulate(config: SimConfig, out: Path | None = None, show_progress: bool = True) -> dict[str, Any]:
    """Run `config`; write metrics.json, curves.json, run.json and the plots to `out` when given."""
    started = time.perf_counter()
    with tqdm(
        total=config.n_shops, desc="catalog", unit="shop", disable=not show_progress, leave=False
    ) as bar:
        world = build_world(config, progress=bar.update)
    built = time.perf_counter() - started
    runs = run_policies(world, config.all_policies, config.workers, show_progress)
    runs = {name: runs[name] for name in config.all_policies}  # report in the config's order
    report = summarise(world, runs, built, time.perf_counter() - started)
    if config.ope.enabled:
        from simulator.ope import evaluate_off_policy

        report["ope"] = evaluate_off_policy(world)
        report["run"]["total_seconds"] = round(time.perf_counter() - started, 2)
    if out is not None:
        write_report(world, runs, report, out)
    return report


def run_policies(
    world: World, names: tuple[str, ...], workers: int, show: bool = True
) -> dict[str, PolicyRun]:
    """Every policy of `names` on `world`, in `workers` processes (1 = in this process)."""
    ordered = sorted(names, key=lambda n: _ORDER.index(n) if n in _ORDER else len(_ORDER))
    bar = tqdm(total=world.config.days * len(names), desc="simulated days", unit="day", disable=not show)
    try:
        if workers <= 1 or len(names) == 1:
            return {name: run_policy(world, name, _days(bar.update)) for name in ordered}
        return _in_processes(world, ordered, min(workers, len(names)), bar)
    finally:
        bar.close()


def _in_processes(world: World, names: list[str], workers: int, bar: Any) -> dict[str, PolicyRun]:
    global _WORLD, _PROGRESS
    context = mp.get_context("fork")
    _WORLD, _PROGRESS = world, context.Queue()
    done = threading.Event()
    listener = threading.Thread(target=_follow, args=(_PROGRESS, bar, done), daemon=True)
    listener.start()
    try:
        with context.Pool(workers) as pool:
            results = pool.map(_run_in_worker, names, chunksize=1)
    finally:
        done.set()
        listener.join()
        _WORLD = _PROGRESS = None
    return dict(zip(names, results, strict=True))


def _run_in_worker(name: str) -> PolicyRun:
    assert _WORLD is not None
    progress = _PROGRESS
    return run_policy(_WORLD, name, _days(lambda n: progress.put(n)))


def _follow(updates: Any, bar: Any, done: threading.Event) -> None:
    while not done.is_set() or not updates.empty():
        try:
            bar.update(updates.get(timeout=0.2))
        except queue.Empty:
            continue


def _days(update: Callable[[int], object]) -> Callable[[int], None]:
    """Progress in simulated days from the engine's per-day callback (it passes steps)."""

    def report(_steps: int) -> None:
        update(1)

    return report


def summarise(world: World, runs: dict[str, PolicyRun], build_s: float, total_s: float) -> dict[str, Any]:
    """metrics (contract names first), daily curves, regret trends and run facts."""
    oracle = runs["oracle"]
    metrics = {name: policy_metrics(world, run, oracle) for name, run in runs.items()}
    curves = {name: daily_curves(world, run, oracle) for name, run in runs.items()}
    hub = runs.get("hub")
    return {
        "metrics": metrics,
        "curves": curves,
        "regret_trend": {name: regret_trend(curve) for name, curve in curves.items()},
        "run": {
            "n_shops": len(world.shops),
            "n_new_shops": int(world.shops.is_new.sum()),
            "n_claims": len(world.claims),
            "claims_without_candidates": int((world.candidates.rows[:, 0] < 0).sum()),
            "world_seconds": round(build_s, 2),
            "total_seconds": round(total_s, 2),
            "policy_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
            "hub": {k: v for k, v in hub.extras.items() if k != "ope_logs"} if hub else {},
        },
    }


def write_report(world: World, runs: dict[str, PolicyRun], report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ordered = {p: _ordered(report["metrics"][p]) for p in report["metrics"]}
    (out / "metrics.json").write_text(json.dumps(ordered, indent=2) + "\n")
    (out / "curves.json").write_text(json.dumps(report["curves"]) + "\n")
    extra = {k: v for k, v in report.items() if k not in ("metrics", "curves")}
    extra["config"] = _plain(world.config)
    (out / "run.json").write_text(json.dumps(extra, indent=2, default=float) + "\n")
    write_plots(runs, report, out)


def _ordered(metrics: dict[str, float]) -> dict[str, float]:
    first = {name: round(metrics[name], 6) for name in CONTRACT_METRICS}
    return first | {k: round(v, 6) for k, v in metrics.items() if k not in first}


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value.item() if isinstance(value, np.generic) else value
