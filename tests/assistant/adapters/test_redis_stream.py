"""The Redis Streams capacity consumer against a real redis-server (RIH_TEST_REDIS_URL).

Skipped when the variable is unset, except under CI (env CI set), where a missing Redis is a failure.
Locally: eval "$(bash scripts/services.sh)".
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from assistant.adapters.redis_stream import RedisCapacityConsumer, decode_entry, publish_capacity_events
from assistant.capacity_feed import CapacityFeed
from tests.assistant.test_capacity_feed import T0, Clock, MemoryCapacityStore, iso, make_state

GROUP = "rih-hub"


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = os.environ.get("RIH_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                'CI must exercise Redis: set RIH_TEST_REDIS_URL (eval "$(bash scripts/services.sh)").'
            )
        pytest.skip('RIH_TEST_REDIS_URL is not set (eval "$(bash scripts/services.sh)")')
    return url


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def stream(client: redis.Redis) -> Iterator[str]:
    name = f"rih:test:capacity:{uuid.uuid4().hex}"
    yield name
    client.delete(name)


@pytest.fixture
def feed() -> CapacityFeed:
    return CapacityFeed(make_state(), MemoryCapacityStore(), clock=Clock(T0 + 7200))


@pytest.fixture
def consumers(
    redis_url: str, feed: CapacityFeed, stream: str
) -> Iterator[Callable[..., RedisCapacityConsumer]]:
    made: list[RedisCapacityConsumer] = []

    def make(**options: object) -> RedisCapacityConsumer:
        made.append(RedisCapacityConsumer(redis_url, options.pop("feed", feed), stream=stream, **options))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for consumer in made:
        consumer.stop()


def drain(consumer: RedisCapacityConsumer) -> int:
    total = 0
    while handled := consumer.run_once():
        total += handled
    return total


def pending(client: redis.Redis, stream: str) -> int:
    return int(client.xpending(stream, GROUP)["pending"])


def test_published_events_reach_the_live_state_and_the_store_and_are_acknowledged(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumer = consumers(consumer="hub-1", block_ms=50)
    ids = publish_capacity_events(
        client,
        [
            {"shop_id": "S1", "ts": iso(T0), "free_bays": 0},
            {"shop_id": "S2", "ts": iso(T0), "status": "closed"},
        ],
        stream=stream,
    )
    client.xadd(stream, {"event": json.dumps({"shop_id": "S3", "ts": iso(T0), "technicians_on_duty": 1})})
    assert len(ids) == 1
    assert drain(consumer) == 2
    state = feed.state
    assert state.free_bays_[1] == 0 and not state.is_open_[2] and state.technicians_on_duty_[3] == 1
    assert len(feed.store.events) == 3  # type: ignore[attr-defined]
    assert pending(client, stream) == 0
    assert (consumer.stats.entries, consumer.stats.events, consumer.stats.malformed) == (2, 3, 0)


def test_publishing_by_url_splits_a_large_batch_into_entries(
    redis_url: str, client: redis.Redis, stream: str
) -> None:
    events = [{"shop_id": f"S{i % 10}", "ts": iso(T0 + i)} for i in range(1_200)]
    ids = publish_capacity_events(redis_url, events, stream=stream)
    assert len(ids) == 3 and client.xlen(stream) == 3
    with pytest.raises(TypeError, match="mapping"):
        publish_capacity_events(client, ["not an event"], stream=stream)  # type: ignore[list-item]


def test_malformed_entries_are_acknowledged_and_counted_without_blocking_the_stream(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumer = consumers(block_ms=50)
    malformed: list[dict[Any, Any]] = [
        {"event": b"{not json"},
        {"event": b"\xff\xfe"},  # not UTF-8
        {"events": b'{"shop_id": "S1"}'},  # `events` must be a list
        {"event": b"[1, 2]"},  # `event` must be an object
        {"events": b"[" * 100_000 + b"]" * 100_000},  # nesting deep enough to exhaust the parser's stack
        {"colour": b"red"},
        {"event": b"{}", "events": b"[]"},
    ]
    for fields in malformed:
        client.xadd(stream, fields)
    good, bad = {"shop_id": "S4", "ts": iso(T0), "free_bays": 0}, {"shop_id": "S5", "ts": "yesterday"}
    client.xadd(stream, {"events": json.dumps([good, bad, 7])})
    assert drain(consumer) == 8
    assert (consumer.stats.malformed, consumer.stats.invalid_events, consumer.stats.events) == (7, 2, 1)
    assert feed.state.free_bays_[4] == 0 and feed.store.events == [good]  # type: ignore[attr-defined]
    assert pending(client, stream) == 0


def test_a_consumer_that_restarts_reprocesses_what_it_read_but_did_not_acknowledge(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumers(consumer="hub-1", block_ms=10).run_once()  # creates the group
    publish_capacity_events(client, [{"shop_id": "S6", "ts": iso(T0), "free_bays": 0}], stream=stream)
    client.xreadgroup(GROUP, "hub-1", {stream: ">"}, count=10)  # read, then "killed" before XACK
    assert pending(client, stream) == 1
    restarted = consumers(consumer="hub-1", block_ms=50)  # same name: its own pending entries come first
    assert restarted.run_once() == 1
    assert feed.state.free_bays_[6] == 0 and pending(client, stream) == 0


def test_idle_entries_of_a_dead_consumer_are_claimed_by_another(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumers(consumer="setup", block_ms=10).run_once()
    publish_capacity_events(client, [{"shop_id": "S7", "ts": iso(T0), "free_bays": 0}], stream=stream)
    client.xreadgroup(GROUP, "dead-1", {stream: ">"}, count=10)
    survivor = consumers(consumer="hub-2", block_ms=50, claim_idle_ms=100)
    assert drain(survivor) == 0  # not idle long enough yet
    time.sleep(0.2)
    assert drain(survivor) == 1
    assert feed.state.free_bays_[7] == 0 and pending(client, stream) == 0


def test_a_failed_ingest_leaves_the_entry_pending_until_it_succeeds(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumer = consumers(block_ms=50)
    publish_capacity_events(client, [{"shop_id": "S8", "ts": iso(T0), "free_bays": 0}], stream=stream)
    feed.store.fail = True  # type: ignore[attr-defined]
    with pytest.raises(OSError):
        consumer.run_once()
    assert pending(client, stream) == 1 and feed.state.free_bays_[8] == feed.state.bays[8]
    feed.store.fail = False  # type: ignore[attr-defined]
    assert drain(consumer) == 1
    assert feed.state.free_bays_[8] == 0 and pending(client, stream) == 0


def test_the_thread_applies_new_entries_and_stops_promptly(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    consumer = consumers(block_ms=200)
    consumer.start()
    publish_capacity_events(client, [{"shop_id": "S9", "ts": iso(T0), "free_bays": 0}], stream=stream)
    deadline = time.monotonic() + 5
    while feed.state.free_bays_[9] != 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert feed.state.free_bays_[9] == 0
    started = time.monotonic()
    assert consumer.stop() is True
    assert time.monotonic() - started < 1.0
    assert not any(t.name.startswith("rih-capacity-") and t.is_alive() for t in threading.enumerate())


def test_the_thread_survives_an_unreachable_redis_and_still_stops(feed: CapacityFeed) -> None:
    consumer = RedisCapacityConsumer("redis://127.0.0.1:1/0", feed, stream="rih:test:none", block_ms=100)
    consumer.start()
    deadline = time.monotonic() + 5
    while consumer.stats.errors < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert consumer.stats.errors >= 2 and consumer._thread is not None and consumer._thread.is_alive()
    started = time.monotonic()
    assert consumer.stop() is True and time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({b"event": b'{"shop_id": "S1"}'}, [{"shop_id": "S1"}]),
        ({b"events": b'[{"shop_id": "S1"}, 3]'}, [{"shop_id": "S1"}, 3]),
        ({b"events": b"[]"}, []),
        ({}, None),  # trimmed away
        (None, None),
        ({b"event": b"3"}, None),
    ],
)
def test_decode_entry(fields: dict[bytes, bytes] | None, expected: list[object] | None) -> None:
    assert decode_entry(fields) == expected


def test_the_thread_retries_a_failing_store_until_the_batch_is_persisted(
    client: redis.Redis, stream: str, feed: CapacityFeed, consumers: Callable[..., RedisCapacityConsumer]
) -> None:
    feed.store.fail = True  # type: ignore[attr-defined]
    consumer = consumers(block_ms=50)
    consumer.start()
    publish_capacity_events(client, [{"shop_id": "S2", "ts": iso(T0), "free_bays": 0}], stream=stream)
    deadline = time.monotonic() + 5
    while consumer.stats.errors < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert consumer.stats.errors >= 2 and pending(client, stream) == 1
    feed.store.fail = False  # type: ignore[attr-defined]
    while feed.state.free_bays_[2] != 0 and time.monotonic() < deadline + 5:
        time.sleep(0.02)
    assert feed.state.free_bays_[2] == 0 and pending(client, stream) == 0
    assert consumer.stop() is True
