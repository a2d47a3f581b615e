"""What the operations dashboard shows: the decision log's totals plus dispatch_core's live state.

One pass over numpy columns for the per-shop pictures (110,000 shops in milliseconds); the decision
statistics come from the store's own aggregate queries, so the dashboard never loads the log.
"""

from __future__ import annotations

import calendar
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import numpy as np

from assistant.store.ports import CapacityEventStore, DecisionStore
from dispatch_core.ranking import Dispatcher

UTILIZATION_BINS = np.linspace(0.0, 1.0, 11)
PROGRESS_BINS = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 1.5, np.inf])
WAIT_BINS = np.array([0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0, np.inf])
# Age of a shop's newest capacity report: label, upper bound in seconds.
FRESHNESS = (("< 15 min", 900.0), ("15-60 min", 3600.0), ("1-24 h", 86_400.0), ("> 24 h", np.inf))
TIMELINE_HOURS = 24


def ops_summary(
    decisions: DecisionStore,
    events: CapacityEventStore,
    dispatcher: Dispatcher,
    now: float | None = None,
    lock: AbstractContextManager[object] | None = None,
) -> dict[str, Any]:
    """`lock` guards dispatch_core's live arrays; it is held only while they are read, never across the
    store's queries, so the dashboard does not stall recommendations."""
    now = time.time() if now is None else now
    with lock or nullcontext():
        utilization, new_shops = _utilization(dispatcher), _new_shops(dispatcher, now)
        last_ts = dispatcher.capacity.last_update_ts_.copy()
    n_decisions, n_outcomes = decisions.counts()
    strategies = [_strategy_row(t) for t in decisions.strategy_totals()]
    decided = sum(s["accepted"] + s["rejected"] for s in strategies)
    accepted = sum(s["accepted"] for s in strategies)
    return {
        "generated_at": now,
        "totals": {
            "decisions": n_decisions,
            "outcomes": n_outcomes,
            "acceptance_rate": accepted / decided if decided else None,
        },
        "offers_to_accept": _offers_to_accept(decisions.offers_to_accept()),
        "wait_days": _wait_days(decisions.accepted_waits()),
        "utilization": utilization,
        "new_shops": new_shops,
        "strategies": strategies,
        "capacity": _capacity(events, last_ts, now),
        "timeline": [
            {"hour": hour, "decisions": d, "accepted": a}
            for hour, d, a in decisions.hourly(TIMELINE_HOURS, now)
        ],
    }


def _strategy_row(t: Any) -> dict[str, Any]:
    decided = t.accepted + t.rejected
    return {
        "strategy": t.strategy,
        "strategy_version": t.strategy_version,
        "decisions": t.decisions,
        "accepted": t.accepted,
        "rejected": t.rejected,
        "acceptance_rate": t.accepted / decided if decided else None,
    }


def _offers_to_accept(histogram: dict[int, int]) -> dict[str, Any]:
    sessions = sum(histogram.values())
    mean = sum(k * v for k, v in histogram.items()) / sessions if sessions else None
    return {
        "mean": mean,
        "histogram": [{"slates": k, "sessions": histogram[k]} for k in sorted(histogram)],
    }


def _wait_days(waits: list[float]) -> dict[str, Any]:
    values = np.asarray([w for w in waits if w is not None and np.isfinite(w)], dtype=float)
    return {
        "mean": float(values.mean()) if values.size else None,
        "p90": float(np.quantile(values, 0.9)) if values.size else None,
        "histogram": _histogram(values, WAIT_BINS, "count"),
    }


def _utilization(dispatcher: Dispatcher) -> dict[str, Any]:
    """Busy share of bays per shop that has reported: the "ice and fire" picture (idle next to full)."""
    cap = dispatcher.capacity
    reported = np.isfinite(cap.free_bays_ts_)
    bays = cap.bays[reported].astype(float)
    busy = np.clip(1.0 - cap.free_bays_[reported] / np.where(bays > 0, bays, 1.0), 0.0, 1.0)
    return {
        "shops": int(cap.n_shops),
        "reported_shops": int(reported.sum()),
        "gini": _gini(busy),
        "idle_shops": int((busy <= 0.0).sum()),
        "full_shops": int((busy >= 1.0).sum()),
        "histogram": _histogram(busy, UTILIZATION_BINS, "shops"),
    }


def _new_shops(dispatcher: Dispatcher, now: float) -> dict[str, Any]:
    """Accepted jobs of new shops this month against their targets, pro-rated to today."""
    exposure = dispatcher.exposure
    rows = np.flatnonzero(exposure.is_new & (exposure.monthly_target > 0))
    day = datetime.fromtimestamp(now, UTC)
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    elapsed = min(days_in_month, (day.day - 1) + (day.hour * 3600 + day.minute * 60 + day.second) / 86_400)
    elapsed = max(elapsed, 1e-3)
    due = float(exposure.monthly_target[rows].sum()) * elapsed / days_in_month
    assigned = float(exposure.assigned_[rows].sum())
    progress = exposure.target_progress(rows, elapsed, days_in_month) if rows.size else np.zeros(0)
    return {
        "shops": int(rows.size),
        "target": due,
        "month_target": float(exposure.monthly_target[rows].sum()),
        "assigned": assigned,
        "progress": assigned / due if due > 0 else None,
        "histogram": _histogram(progress, PROGRESS_BINS, "shops"),
    }


def _capacity(events: CapacityEventStore, last_ts: np.ndarray, now: float) -> dict[str, Any]:
    """Capacity report ages; `last_ts` is each shop's newest report time (-inf never)."""
    stored, last_at = events.capacity_event_stats()
    heard = np.isfinite(last_ts)
    age = now - last_ts[heard]
    freshness, lower = [], -np.inf
    for label, upper in FRESHNESS:
        freshness.append({"label": label, "shops": int(((age > lower) & (age <= upper)).sum())})
        lower = upper
    freshness.append({"label": "never", "shops": int((~heard).sum())})
    newest = float(last_ts[heard].max()) if heard.any() else None
    return {
        "events": stored,
        "last_event_at": last_at,
        "lag_s": now - newest if newest is not None else None,
        "freshness": freshness,
    }


def _histogram(values: np.ndarray, edges: np.ndarray, key: str) -> list[dict[str, Any]]:
    counts, _ = np.histogram(values, bins=edges) if values.size else (np.zeros(edges.size - 1, int), None)
    return [
        {"from": float(lo), "to": float(hi) if np.isfinite(hi) else None, key: int(c)}
        for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]


def _gini(values: np.ndarray) -> float:
    """0 when every shop is equally busy; towards 1 when a few carry all the work."""
    if values.size == 0 or values.sum() <= 0:
        return 0.0
    v = np.sort(values)
    n = v.size
    return float((2 * np.arange(1, n + 1) - n - 1) @ v / (n * v.sum()))
