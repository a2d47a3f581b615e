"""The capacity feed: persisted before applied, counted, replayed at start, safe across threads."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from assistant.capacity_feed import CapacityFeed, IngestResult, live_capacity
from dispatch_core.capacity import CapacityState
from retrieval.errors import UnknownShopError

T0 = 1_790_000_000.0  # 2026-09-21, epoch s
MAKES = ["BMW", "Toyota", "BYD"]


class MemoryCapacityStore:
    """A CapacityEventStore in memory; events go through JSON like a real store's."""

    def __init__(self) -> None:
        self.batches: list[tuple[float, list[dict[str, Any]]]] = []
        self.fail = False
        self._busy = threading.Lock()

    def append_capacity_events(self, events: Sequence[Mapping[str, Any]], received_at: float) -> None:
        if not self._busy.acquire(blocking=False):
            raise AssertionError("two appends ran at the same time")
        try:
            if self.fail:
                raise OSError("the disk is full")
            self.batches.append((received_at, json.loads(json.dumps(list(events)))))
        finally:
            self._busy.release()

    def capacity_events_since(
        self, received_after: float, batch: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        rows = [event for at, events in self.batches if at > received_after for event in events]
        for start in range(0, len(rows), batch):
            yield rows[start : start + batch]

    def capacity_event_stats(self) -> tuple[int, float | None]:
        return sum(len(e) for _, e in self.batches), (self.batches[-1][0] if self.batches else None)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for _, events in self.batches for event in events]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class RecordingMetrics:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, int], float | None]] = []

    def capacity(self, result_counts: Mapping[str, int], newest_event_ts: float | None) -> None:
        self.calls.append((dict(result_counts), newest_event_ts))


def make_state(n: int = 10) -> CapacityState:
    rng = np.random.default_rng(3)
    return CapacityState([f"S{i}" for i in range(n)], rng.integers(1, 7, n), rng.integers(1, 9, n), MAKES)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def random_events(rng: np.random.Generator, k: int, n_shops: int = 10) -> list[dict[str, Any]]:
    events = []
    for _ in range(k):
        event: dict[str, Any] = {
            "shop_id": f"S{rng.integers(n_shops)}",
            "ts": iso(T0 + int(rng.integers(3600))),
        }
        if rng.random() < 0.7:
            event["free_bays"] = int(rng.integers(0, 6))
        if rng.random() < 0.5:
            event["technicians_on_duty"] = int(rng.integers(0, 9))
        if rng.random() < 0.3:
            event["status"] = "closed" if rng.random() < 0.3 else "open"
        if rng.random() < 0.3:
            event["parts_in_stock"] = {str(rng.choice(MAKES)): int(rng.integers(0, 50))}
        events.append(event)
    return events


def assert_same_state(a: CapacityState, b: CapacityState) -> None:
    left, right = a.to_arrays(), b.to_arrays()
    for name in left:
        np.testing.assert_array_equal(left[name], right[name], err_msg=name)


@pytest.fixture
def store() -> MemoryCapacityStore:
    return MemoryCapacityStore()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + 7200)


def test_a_batch_is_persisted_before_it_changes_the_live_state(
    store: MemoryCapacityStore, clock: Clock
) -> None:
    state = make_state()
    seen_at_append: list[int] = []
    append = store.append_capacity_events

    def spy(events: Sequence[Mapping[str, Any]], received_at: float) -> None:
        seen_at_append.append(int(state.free_bays_[1]))
        append(events, received_at)

    store.append_capacity_events = spy  # type: ignore[method-assign]
    CapacityFeed(state, store, clock=clock).ingest([{"shop_id": "S1", "ts": iso(T0), "free_bays": 0}], "test")
    assert seen_at_append == [int(state.bays[1])]  # still the baseline while persisting
    assert state.free_bays_[1] == 0
    assert store.batches == [(clock.now, [{"shop_id": "S1", "ts": iso(T0), "free_bays": 0}])]


def test_a_failing_store_raises_and_leaves_the_live_state_untouched(
    store: MemoryCapacityStore, clock: Clock
) -> None:
    state, baseline = make_state(), make_state()
    store.fail = True
    with pytest.raises(OSError, match="disk"):
        CapacityFeed(state, store, clock=clock).ingest(
            [{"shop_id": "S1", "ts": iso(T0), "free_bays": 0}], "t"
        )
    assert_same_state(state, baseline)


def test_ingest_counts_every_outcome_and_reports_the_newest_time(
    store: MemoryCapacityStore, clock: Clock
) -> None:
    metrics = RecordingMetrics()
    feed = CapacityFeed(make_state(), store, metrics=metrics, clock=clock)
    first = feed.ingest(
        [
            {"shop_id": "S1", "ts": iso(T0 + 60), "free_bays": 1},
            {"shop_id": "S2", "ts": iso(T0 + 30), "status": "closed"},
            {"shop_id": "NOPE", "ts": iso(T0), "free_bays": 1},
            {"shop_id": "S3", "ts": iso(T0), "free_bays": -4},
            {"shop_id": "S4", "ts": iso(clock.now + 3600), "free_bays": 1},  # beyond the allowed clock skew
            "not an event",  # type: ignore[list-item]
        ],
        source="test",
    )
    assert (first.received, first.applied, first.stale_ignored) == (6, 2, 0)
    assert (first.unknown_shop, first.invalid, first.accepted) == (1, 3, 2)
    assert first.newest_event_ts == T0 + 60
    stale = feed.ingest([{"shop_id": "S1", "ts": iso(T0), "free_bays": 5}], source="test")
    assert (stale.applied, stale.stale_ignored, stale.accepted, stale.newest_event_ts) == (0, 1, 1, None)
    assert feed.state.free_bays_[1] == 1  # the older report did not roll the newer one back
    assert metrics.calls == [
        ({"applied": 2, "stale_ignored": 0, "unknown_shop": 1, "invalid": 3}, T0 + 60),
        ({"applied": 0, "stale_ignored": 1, "unknown_shop": 0, "invalid": 0}, None),
    ]


def test_the_newest_report_wins_whatever_the_arrival_order(store: MemoryCapacityStore, clock: Clock) -> None:
    in_order, reversed_order = make_state(), make_state()
    events = [{"shop_id": "S5", "ts": iso(T0 + i), "free_bays": i % 4} for i in range(20)]
    for event in events:
        CapacityFeed(in_order, MemoryCapacityStore(), clock=clock).ingest([event], "test")
    feed = CapacityFeed(reversed_order, store, clock=clock)
    for event in reversed(events):
        feed.ingest([event], "test")
    assert_same_state(in_order, reversed_order)
    assert reversed_order.free_bays_[5] == 19 % 4
    assert store.events == list(reversed(events))  # the store keeps arrival order


def test_rejected_events_count_as_invalid_and_are_not_stored(
    store: MemoryCapacityStore, clock: Clock
) -> None:
    metrics = RecordingMetrics()
    result = CapacityFeed(make_state(), store, metrics=metrics, clock=clock).ingest([], "redis", rejected=3)
    assert (result.received, result.invalid, result.accepted) == (3, 3, 0)
    assert store.batches == [] and metrics.calls[0][0]["invalid"] == 3


def test_a_failing_metrics_sink_does_not_fail_the_ingest(store: MemoryCapacityStore, clock: Clock) -> None:
    class Broken:
        def capacity(self, result_counts: Mapping[str, int], newest_event_ts: float | None) -> None:
            raise RuntimeError("metrics down")

    feed = CapacityFeed(make_state(), store, metrics=Broken(), clock=clock)
    assert feed.ingest([{"shop_id": "S1", "ts": iso(T0), "free_bays": 0}], "test").applied == 1


def test_restore_rebuilds_a_state_equal_to_the_original(store: MemoryCapacityStore, clock: Clock) -> None:
    rng = np.random.default_rng(17)
    original = CapacityFeed(make_state(), store, clock=clock)
    for _ in range(12):
        original.ingest(random_events(rng, int(rng.integers(1, 40))), "test")
        clock.now += 5
    restarted = CapacityFeed(make_state(), store, clock=clock)
    assert restarted.restore(since=0.0, batch=7) == len(store.events)
    assert_same_state(restarted.state, original.state)


def test_restore_replays_only_what_arrived_after_since(store: MemoryCapacityStore, clock: Clock) -> None:
    feed = CapacityFeed(make_state(), store, clock=clock)
    feed.ingest([{"shop_id": "S1", "ts": iso(T0), "free_bays": 0}], "test")
    cutoff = clock.now
    clock.now += 10
    feed.ingest([{"shop_id": "S2", "ts": iso(T0), "free_bays": 0}], "test")
    restarted = CapacityFeed(make_state(), store, clock=clock)
    assert restarted.restore(since=cutoff) == 1
    assert restarted.state.free_bays_[2] == 0 and restarted.state.free_bays_[1] == restarted.state.bays[1]


def test_concurrent_ingests_equal_one_sequential_ingest(store: MemoryCapacityStore, clock: Clock) -> None:
    rng = np.random.default_rng(5)
    batches = [random_events(rng, 25) for _ in range(80)]
    feed = CapacityFeed(make_state(), store, clock=clock)
    results: list[IngestResult] = []

    def worker(mine: list[list[dict[str, Any]]]) -> None:
        results.extend(feed.ingest(batch, "thread") for batch in mine)

    threads = [threading.Thread(target=worker, args=(batches[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sequential = make_state()
    sequential.apply_events([event for batch in batches for event in batch], now=clock.now)
    assert_same_state(feed.state, sequential)
    assert sum(r.received for r in results) == len(store.events) == 80 * 25
    assert all(r.applied + r.stale_ignored == r.received for r in results)


def test_the_given_lock_guards_the_merge_but_not_the_commit(store: MemoryCapacityStore, clock: Clock) -> None:
    lock, state = threading.RLock(), make_state()
    held: dict[str, bool] = {}
    append, apply = store.append_capacity_events, state.apply_events

    def spy_append(events: Sequence[Mapping[str, Any]], received_at: float) -> None:
        held["commit"] = lock._is_owned()  # type: ignore[attr-defined]
        append(events, received_at)

    def spy_apply(events: Any, now: float | None = None) -> Any:
        held["merge"] = lock._is_owned()  # type: ignore[attr-defined]
        return apply(events, now)

    store.append_capacity_events = spy_append  # type: ignore[method-assign]
    state.apply_events = spy_apply  # type: ignore[method-assign]
    CapacityFeed(state, store, clock=clock, lock=lock).ingest([{"shop_id": "S1", "ts": iso(T0)}], "t")
    assert held == {"commit": False, "merge": True}


def test_live_capacity_of_a_shop_never_heard_from_is_the_catalog_baseline() -> None:
    state = make_state()
    view = live_capacity(state, "S3", now=T0)
    assert view["free_bays"] == view["bays"] == int(state.bays[3]) and view["is_open"] is True
    assert view["last_update"] is None and view["age_s"] is None and view["stale"] is True
    assert view["freshness"] == pytest.approx(state.never_seen_floor) and view["parts_in_stock"] == {}


def test_live_capacity_shows_the_latest_report(store: MemoryCapacityStore, clock: Clock) -> None:
    feed = CapacityFeed(make_state(), store, clock=clock)
    event = {"shop_id": "S3", "ts": iso(T0), "free_bays": 0, "status": "closed", "parts_in_stock": {"BYD": 4}}
    feed.ingest([event], "test")
    view = live_capacity(feed.state, "S3", now=T0 + 60)
    assert view["free_bays"] == 0 and view["is_open"] is False and view["parts_in_stock"] == {"BYD": 4}
    assert view["last_update"] == "2026-09-21T14:13:20+00:00" and view["age_s"] == 60.0
    assert view["freshness"] == 1.0 and view["stale"] is False
    json.dumps(view)  # JSON-ready: no numpy scalars


def test_live_capacity_of_an_unknown_shop_raises() -> None:
    with pytest.raises(UnknownShopError, match="NOPE"):
        live_capacity(make_state(), "NOPE", now=T0)


def test_restore_through_the_in_memory_store_port(clock: Clock) -> None:
    from assistant.store.memory import InMemoryStore

    rng, store = np.random.default_rng(23), InMemoryStore()
    original = CapacityFeed(make_state(), store, clock=clock)
    for _ in range(5):
        original.ingest(random_events(rng, 30), "test")
        clock.now += 1
    restarted = CapacityFeed(make_state(), store, clock=clock)
    assert restarted.restore(since=0.0, batch=11) == 150
    assert_same_state(restarted.state, original.state)
