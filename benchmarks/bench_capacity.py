"""Capacity-event ingestion at full scale: 1,000,000 events over 110,000 shops.

Times ``CapacityState.apply_events`` on contract dicts with ISO-8601 timestamps (as ``POST
/v1/capacity/events`` receives them, in requests of ``--batch`` events) and ``apply_arrays`` on the
same stream as columns. Baseline in the same run: a first version's per-event loop over a dict of
per-shop dicts (parse the timestamp, compare, update). Also times ``snapshot`` of 200 rows.
Acceptance: >= 100,000 events/s. Usage: python -m benchmarks.bench_capacity [--events N] [--shops N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np

from benchmarks.common import latencies_ms, p
from dispatch_core.capacity import CapacityState
from retrieval.catalog.vocabulary import MAKE_NAMES

TARGET_EVENTS_PER_S = 100_000
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()


def make_stream(n_events: int, n_shops: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Shops report about once a minute; delivery jitter of ~20 s puts some events out of order."""
    rng = np.random.default_rng(seed)
    span = 60.0 * n_events / n_shops
    ts = np.round(T0 + np.linspace(0, span, n_events) + rng.normal(0, 20, n_events))
    return {
        "rows": rng.integers(0, n_shops, n_events),
        "ts": ts,
        "free_bays": rng.integers(0, 8, n_events),
        "technicians": rng.integers(0, 12, n_events),
        "is_open": (rng.random(n_events) < 0.95).astype(np.int64),
        "has_parts": rng.random(n_events) < 0.1,
        "part_make": rng.integers(0, len(MAKE_NAMES), n_events),
        "part_qty": rng.integers(0, 30, n_events),
    }


def as_events(stream: dict[str, np.ndarray], shop_ids: list[str]) -> list[dict[str, Any]]:
    # Timestamps are whole seconds, so events of the same second share one string, as a feed's would.
    texts = {
        t: datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z") for t in np.unique(stream["ts"])
    }
    columns = zip(*(stream[k].tolist() for k in stream), strict=True)
    events = []
    for row, t, free, techs, is_open, has_parts, make, qty in columns:
        event = {"shop_id": shop_ids[row], "ts": texts[t], "free_bays": free, "technicians_on_duty": techs}
        event["status"] = "open" if is_open else "closed"
        if has_parts:
            event["parts_in_stock"] = {MAKE_NAMES[make]: qty}
        events.append(event)
    return events


def naive_apply(shops: dict[str, dict[str, Any]], events: list[dict[str, Any]]) -> int:
    """A first version: one dict per shop, every event parsed and applied on its own."""
    applied = 0
    for event in events:
        shop = shops.get(event.get("shop_id"))
        if shop is None:
            continue
        ts = datetime.fromisoformat(event["ts"]).timestamp()
        if ts < shop["ts"]:
            continue
        shop["ts"] = ts
        for key in ("free_bays", "technicians_on_duty", "status"):
            if event.get(key) is not None:
                shop[key] = event[key]
        shop["parts"].update(event.get("parts_in_stock") or {})
        applied += 1
    return applied


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--batch", type=int, default=1_000, help="events per apply call (one API request)")
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    shop_ids = [f"shop-{i:06d}" for i in range(args.shops)]
    bays, techs = rng.integers(2, 20, args.shops), rng.integers(2, 30, args.shops)
    stream = make_stream(args.events, args.shops)
    events = as_events(stream, shop_ids)
    batches = range(0, args.events, args.batch)
    n = args.events
    print(f"capacity events: {n:,} events over {args.shops:,} shops, {args.batch:,} events per call")

    state = CapacityState(shop_ids, bays, techs, list(MAKE_NAMES))
    seconds, _ = timed(lambda: [state.apply_events(events[i : i + args.batch]) for i in batches])
    print(f"  apply_events (dicts, ISO ts): {n / seconds:>12,.0f} events/s  ({seconds:.2f} s)")
    ours = n / seconds

    fresh = CapacityState(shop_ids, bays, techs, list(MAKE_NAMES))
    cols = [stream[k] for k in ("rows", "ts", "free_bays", "technicians", "is_open")]
    array_s, _ = timed(lambda: [fresh.apply_arrays(*(c[i : i + args.batch] for c in cols)) for i in batches])
    print(f"  apply_arrays (columns):       {n / array_s:>12,.0f} events/s  ({array_s:.2f} s)")

    shops = {s: {"ts": -np.inf, "parts": {}} for s in shop_ids}
    naive_s, _ = timed(lambda: naive_apply(shops, events))
    print(f"  naive dict-per-shop baseline: {n / naive_s:>12,.0f} events/s  ({naive_s:.2f} s)")
    ratios = (
        f"apply_events / naive: {ours / (n / naive_s):.2f}x, apply_arrays / naive: {naive_s / array_s:.2f}x"
    )
    print(f"  speed-up {ratios}")

    # The parser caches timestamp texts; a feed whose every text differs pays a full parse per event.
    for i, event in enumerate(events):
        event["ts"] = datetime.fromtimestamp(stream["ts"][i] + (i % 1000) / 1000, UTC).isoformat()
    cold = CapacityState(shop_ids, bays, techs, list(MAKE_NAMES))
    cold_s, _ = timed(lambda: [cold.apply_events(events[i : i + args.batch]) for i in batches])
    print(f"  apply_events, every ts unique: {n / cold_s:>11,.0f} events/s  ({cold_s:.2f} s)")
    verdict = "PASS" if min(ours, n / array_s, n / cold_s) >= TARGET_EVENTS_PER_S else "FAIL"
    print(f"  target >= {TARGET_EVENTS_PER_S:,} events/s on every path: {verdict}")

    row_sets = [rng.choice(args.shops, 200, replace=False) for _ in range(500)]
    now = float(stream["ts"].max())
    lat = latencies_ms(lambda i: state.snapshot(row_sets[i % 500], now, make="Toyota"), 2000) * 1e3
    print(f"  snapshot(200 rows, make): p50 {p(lat, 50):.1f} µs  p99 {p(lat, 99):.1f} µs")


if __name__ == "__main__":
    main()
