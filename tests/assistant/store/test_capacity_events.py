"""CapacityEventStore on every backend: events as received, back in arrival order and in batches."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.store.ports import Persistence
from tests.assistant.store.samples import T0


def events(n: int, first: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "shop_id": f"shop-{i:06d}",
            "ts": "2027-01-15T08:00:00Z",
            "free_bays": i % 5,
            "status": "open",
            "parts_in_stock": {"Toyota": i, "比亚迪": 2},
        }
        for i in range(first, first + n)
    ]


def test_events_come_back_as_received_in_arrival_order_and_batches(store: Persistence) -> None:
    store.append_capacity_events(events(4), received_at=T0 + 1)
    store.append_capacity_events(events(6, first=4), received_at=T0 + 2)
    batches = list(store.capacity_events_since(T0, batch=3))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [e for b in batches for e in b] == events(10)


def test_events_since_a_time_are_those_received_after_it(store: Persistence) -> None:
    store.append_capacity_events(events(2), received_at=T0 + 1)
    store.append_capacity_events(events(3, first=2), received_at=T0 + 2)
    assert [e for b in store.capacity_events_since(T0 + 1) for e in b] == events(3, first=2)
    assert list(store.capacity_events_since(T0 + 2)) == []


def test_a_request_of_thousands_of_events_is_stored_whole(store: Persistence) -> None:
    store.append_capacity_events(events(5_000), received_at=T0)
    batches = list(store.capacity_events_since(0.0, batch=2_000))
    assert [len(b) for b in batches] == [2_000, 2_000, 1_000]
    assert batches[-1][-1] == events(1, first=4_999)[0]
    assert store.capacity_event_stats() == (5_000, T0)


def test_stats_count_events_and_give_the_newest_arrival(store: Persistence) -> None:
    assert store.capacity_event_stats() == (0, None)
    store.append_capacity_events([], received_at=T0)  # an empty request stores nothing
    store.append_capacity_events(events(2), received_at=T0 + 7)
    store.append_capacity_events(events(1), received_at=T0 + 3)  # a late writer: newest stays T0 + 7
    assert store.capacity_event_stats() == (3, T0 + 7)


def test_events_without_a_shop_id_are_stored_as_received(store: Persistence) -> None:
    odd = [{"free_bays": 2}, {"shop_id": 12345, "free_bays": 1}]
    store.append_capacity_events(odd, received_at=T0)
    assert [e for b in store.capacity_events_since(0.0) for e in b] == odd


def test_batches_of_less_than_one_event_are_refused(store: Persistence) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(store.capacity_events_since(0.0, batch=0))
