"""Redis Streams adapter of the capacity feed.

Shops' systems ``XADD`` entries to a stream (``publish_capacity_events``); each entry carries a field
``event`` (one JSON CapacityEvent) or ``events`` (a JSON list of them). Events are checked by the HTTP
route's rules (``CapacityEvent``); an invalid one is counted and dropped, a malformed entry is counted and
acknowledged: neither ever blocks the stream.

The hub reads the stream in a consumer group and acknowledges an entry only after the feed has persisted
it, so an entry read by a consumer that dies before ``XACK`` stays pending and is processed again: by the
same consumer name when it restarts (its own pending entries come first), or by any other consumer once it
has been idle for ``claim_idle_ms`` (``XAUTOCLAIM``). Delivery is therefore at least once; the feed's
merge is idempotent.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from pydantic import ValidationError

from assistant.capacity_feed import CapacityEvent

log = logging.getLogger("rih.capacity.redis")

DEFAULT_STREAM = "rih:capacity"
DEFAULT_GROUP = "rih-hub"
PUBLISH_CHUNK = 500  # events per stream entry written by publish_capacity_events
_MAX_BACKOFF_S = 5.0


class Ingests(Protocol):
    def ingest(self, events: Sequence[Mapping[str, Any]], source: str, rejected: int = 0) -> Any: ...


@dataclass
class ConsumerStats:
    entries: int = 0  # stream entries acknowledged
    events: int = 0  # valid events handed to the feed
    invalid_events: int = 0  # events that are no CapacityEvent: reported to the feed as rejected, not stored
    malformed: int = 0  # entries acknowledged without events: bad JSON, wrong shape, or trimmed away
    errors: int = 0  # failed rounds (Redis or feed), retried after a back-off


class RedisCapacityConsumer:
    """Reads capacity events from a Redis Stream into ``feed.ingest(..., source="redis")``.

    ``start()`` runs the loop in a daemon thread and ``stop()`` ends it within about ``block_ms``;
    ``run_once()`` is one round of that loop (tests drive it directly). Redis or feed errors in the
    thread are logged and retried with an exponential back-off (up to 5 s); they never end it.

    ``consumer`` names this reader in the group; give each process a stable, unique name (a pod or
    host name) so that after a restart it finds its own unacknowledged entries at once. The default,
    host and pid, is unique but not stable: a restarted process's old entries wait ``claim_idle_ms``.
    """

    def __init__(
        self,
        redis_url: str,
        feed: Ingests,
        stream: str = DEFAULT_STREAM,
        group: str = DEFAULT_GROUP,
        consumer: str | None = None,
        batch: int = 500,
        block_ms: int = 1000,
        claim_idle_ms: int = 60_000,
        client: redis.Redis | None = None,
    ) -> None:
        if batch < 1 or block_ms < 1 or claim_idle_ms < 0:
            raise ValueError("batch and block_ms must be >= 1 and claim_idle_ms >= 0.")
        self.feed, self.stream, self.group = feed, stream, group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.batch, self.block_ms, self.claim_idle_ms = batch, block_ms, claim_idle_ms
        self._owns_client = client is None
        # Bytes, not decoded text: one entry that is not UTF-8 must not make every read of its batch fail.
        self._redis = client or redis.Redis.from_url(
            redis_url, socket_timeout=block_ms / 1000 + 10, socket_connect_timeout=5, health_check_interval=30
        )
        self.stats = ConsumerStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._group_ready = False
        self._own_pending = True  # this consumer's unacknowledged entries go before new ones
        self._claim_cursor = "0-0"
        self._next_claim = 0.0  # time.monotonic() of the next XAUTOCLAIM scan

    def start(self) -> None:
        """Run the loop in a daemon thread (no-op while one runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"rih-capacity-{self.consumer}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> bool:
        """Ask the loop to end and wait for it (default: ``block_ms`` plus 5 s); True if it has ended."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(self.block_ms / 1000 + 5.0 if timeout_s is None else timeout_s)
            if thread.is_alive():
                log.warning("capacity consumer %s did not stop in time", self.consumer)
                return False
        if self._owns_client:
            self._redis.close()
        return True

    def run_once(self) -> int:
        """One round: own pending entries, else idle entries of other consumers (on schedule), else new
        entries (blocking up to ``block_ms``). Returns the entries acknowledged; raises on errors."""
        try:
            self._ensure_group()
            if self._own_pending:
                pending = self._read("0", block_ms=None)
                if pending:
                    return self._handle(pending)
                self._own_pending = False
            if self._claim_cursor != "0-0" or time.monotonic() >= self._next_claim:
                claimed = self._claim()
                if claimed:
                    return self._handle(claimed)
            return self._handle(self._read(">", block_ms=self.block_ms))
        except BaseException:
            # Whatever was read and not acknowledged is now pending on this consumer: read it again first.
            self._group_ready, self._own_pending = False, True
            raise

    def _run(self) -> None:
        delay = 0.1
        log.info("capacity consumer %s reading %s as group %s", self.consumer, self.stream, self.group)
        while not self._stop.is_set():
            try:
                self.run_once()
                delay = 0.1
            except redis.RedisError as error:
                self._failed(f"Redis error {type(error).__name__}: {error}", delay, trace=False)
                delay = min(delay * 2, _MAX_BACKOFF_S)
            # The thread is an entrypoint: log, back off and retry; never die silently.
            except Exception as error:
                self._failed(f"unexpected {type(error).__name__}", delay, trace=True)
                delay = min(delay * 2, _MAX_BACKOFF_S)
        log.info("capacity consumer %s stopped", self.consumer)

    def _failed(self, what: str, delay: float, trace: bool) -> None:
        self.stats.errors += 1
        log.warning(
            "capacity consumer %s: %s; retrying in %.1f s", self.consumer, what, delay, exc_info=trace
        )
        self._stop.wait(delay)

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            # From the stream's start: entries published before the hub first ran were meant for it too.
            self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True

    def _read(self, start: str, block_ms: int | None) -> list[tuple[Any, Any]]:
        reply = self._redis.xreadgroup(
            self.group, self.consumer, {self.stream: start}, count=self.batch, block=block_ms
        )
        if isinstance(reply, dict):  # RESP3 shape
            return [entry for entries in reply.values() for entry in _flatten(entries)]
        return [entry for _stream, entries in reply or [] for entry in entries]

    def _claim(self) -> list[tuple[Any, Any]]:
        cursor, claimed, *_deleted = self._redis.xautoclaim(
            self.stream, self.group, self.consumer, self.claim_idle_ms, self._claim_cursor, count=self.batch
        )
        self._claim_cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
        if self._claim_cursor == "0-0":  # the scan reached the end of the pending list
            self._next_claim = time.monotonic() + self.claim_idle_ms / 1000
        return list(claimed)

    def _handle(self, entries: list[tuple[Any, Any]]) -> int:
        if not entries:
            return 0
        events: list[dict[str, Any]] = []
        rejected = 0
        for entry_id, fields in entries:
            raw = decode_entry(fields)
            if raw is None:
                self.stats.malformed += 1
                # The id only: the payload may hold anything a sender put there.
                log.warning("capacity stream %s: entry %s holds no events; skipped", self.stream, entry_id)
                continue
            valid = _valid_events(raw)
            events += valid
            rejected += len(raw) - len(valid)
        if events or rejected:
            # Returns once the events are persisted: only then may the entries be acknowledged.
            self.feed.ingest(events, source="redis", rejected=rejected)
        self._redis.xack(self.stream, self.group, *[entry_id for entry_id, _ in entries])
        self.stats.entries += len(entries)
        self.stats.events += len(events)
        self.stats.invalid_events += rejected
        return len(entries)


def _flatten(entries: Any) -> list[tuple[Any, Any]]:
    # redis-py's RESP3 parser nests each stream's entry list one level deeper than its RESP2 parser.
    if entries and isinstance(entries[0], list):
        return [entry for group in entries for entry in group]
    return list(entries)


def decode_entry(fields: Mapping[Any, Any] | None) -> list[Any] | None:
    """The raw events of one stream entry, or None when it is malformed (or was trimmed away): it must
    hold exactly one of the fields ``event`` (a JSON object) or ``events`` (a JSON list of objects)."""
    if not fields:
        return None
    text = {(k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)): v for k, v in fields.items()}
    if ("event" in text) == ("events" in text):
        return None
    try:
        value = json.loads(text["event"]) if "event" in text else json.loads(text["events"])
    except (ValueError, RecursionError):  # bad JSON or UTF-8, or nesting deep enough to exhaust the stack
        return None
    if "event" in text:
        return [value] if isinstance(value, dict) else None
    return value if isinstance(value, list) else None


def _valid_events(raw: list[Any]) -> list[dict[str, Any]]:
    """The CapacityEvents among ``raw`` (the HTTP route's rules), as plain dicts without absent fields."""
    valid = []
    for item in raw:
        try:
            valid.append(CapacityEvent.model_validate(item).model_dump(exclude_none=True))
        except ValidationError:
            continue
    return valid


def publish_capacity_events(
    redis_client_or_url: redis.Redis | str,
    events: Sequence[Mapping[str, Any]],
    stream: str = DEFAULT_STREAM,
    maxlen: int | None = 100_000,
) -> list[str]:
    """Append capacity events to ``stream``, ``PUBLISH_CHUNK`` per entry (field ``events``); returns the
    entry ids.

    ``maxlen`` caps the stream's entries (approximately, which is cheap); entries beyond it are
    trimmed oldest first, read or not, so keep it well above what the hub may lag behind. None: no cap.
    """
    if any(not isinstance(event, Mapping) for event in events):
        raise TypeError("Every capacity event must be a mapping (a JSON object).")
    payloads = [
        json.dumps([dict(e) for e in events[i : i + PUBLISH_CHUNK]], allow_nan=False, separators=(",", ":"))
        for i in range(0, len(events), PUBLISH_CHUNK)
    ]
    owned = isinstance(redis_client_or_url, str)
    client = (
        redis.Redis.from_url(redis_client_or_url)
        if isinstance(redis_client_or_url, str)
        else redis_client_or_url
    )
    try:
        pipe = client.pipeline(transaction=False)
        for payload in payloads:
            pipe.xadd(stream, {"events": payload}, maxlen=maxlen, approximate=True)
        ids = pipe.execute()
    finally:
        if owned:
            client.close()
    return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]
