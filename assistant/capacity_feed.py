"""The capacity feed: capacity events from any source (HTTP, Redis Streams) persisted, then merged into the
dispatcher's live ``CapacityState``; replayed from the store at start-up so live capacity survives a restart.

``CapacityEvent`` is the contract's event as every source must send it (the HTTP route and the Redis consumer
validate with it). Free of FastAPI and Redis: those are adapters around ``CapacityFeed.ingest``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.store.ports import CapacityEventStore
from dispatch_core.capacity import ApplyResult, CapacityState
from retrieval.errors import UnknownShopError

log = logging.getLogger("rih.capacity")

MAX_COUNT = 10_000  # bays or technicians of one shop; more is a typo
MAX_PARTS = 1_000_000  # parts of one make in stock
MAX_MAKES = 200
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"  # no control characters (a NUL would poison a PostgreSQL JSONB column)

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Make = Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)]
PartsCount = Annotated[int, Field(strict=True, ge=0, le=MAX_PARTS)]


class CapacityEvent(BaseModel):
    """The contract's CapacityEvent, as every source (HTTP, Redis) must send it; an absent field leaves
    the shop's value unchanged. ``ts`` is ISO-8601 text (kept as sent); without an offset it means UTC."""

    model_config = ConfigDict(extra="forbid")

    shop_id: str = Field(min_length=1, max_length=64, pattern=_PRINTABLE)
    ts: str = Field(min_length=1, max_length=64)
    free_bays: Count | None = None
    technicians_on_duty: Count | None = None
    parts_in_stock: dict[Make, PartsCount] | None = Field(None, max_length=MAX_MAKES)
    status: Literal["open", "closed"] | None = None

    @field_validator("ts")
    @classmethod
    def _iso_8601(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("ts must be an ISO-8601 date-time such as 2026-11-21T09:30:00Z.") from None
        return value


class CapacityMetrics(Protocol):
    def capacity(self, result_counts: Mapping[str, int], newest_event_ts: float | None) -> None: ...


@dataclass(frozen=True)
class IngestResult:
    """Counts of one ingested batch; ``applied + stale_ignored + unknown_shop + invalid == received``.

    ``newest_event_ts`` (epoch s) is the newest event time that moved some shop's last update forward,
    None when no event did (all stale, unknown or invalid).
    """

    received: int
    applied: int
    stale_ignored: int
    unknown_shop: int
    invalid: int
    clipped: int = 0
    newest_event_ts: float | None = None

    @property
    def accepted(self) -> int:
        """Valid events about catalog shops: now part of the live state's history (a stale one changed
        nothing only because newer data was already held)."""
        return self.applied + self.stale_ignored

    def counts(self) -> dict[str, int]:
        """The four outcomes that partition the batch (what metrics count)."""
        return {
            "applied": self.applied,
            "stale_ignored": self.stale_ignored,
            "unknown_shop": self.unknown_shop,
            "invalid": self.invalid,
        }


class CapacityFeed:
    """Capacity events into the live state, each batch persisted before it is applied.

    Parameters
    ----------
    state : CapacityState
        The dispatcher's live state, mutated in place.
    store : CapacityEventStore
        Where every received batch is appended (committed) before it touches ``state``.
    metrics : object with ``capacity(result_counts, newest_event_ts)``, optional
    clock : callable returning epoch seconds
        ``now`` for the clock-skew check of the state and the arrival time of stored batches.
    lock : context manager, optional
        Held while a batch is merged into ``state``; pass the lock every other user of ``state`` holds
        (the dispatcher's) so rankings never read a half-merged batch. It is not held during the store's
        commit, which would stall rankings. A private lock by default.
    replica : callable ``(events, now)``, optional
        Told each batch right after it was merged, under the lock, to merge it into a replica of the
        state (the rank process's, `assistant.rank_process`).
    """

    def __init__(
        self,
        state: CapacityState,
        store: CapacityEventStore,
        metrics: CapacityMetrics | None = None,
        clock: Callable[[], float] = time.time,
        lock: AbstractContextManager[Any] | None = None,
        replica: Callable[[list[dict[str, Any]], float], None] | None = None,
    ) -> None:
        self.state, self.store, self.metrics, self.clock = state, store, metrics, clock
        self.replica = replica
        self._lock: AbstractContextManager[Any] = lock if lock is not None else threading.RLock()
        # One batch at a time from persist to merge: the store's arrival order is the order of merging.
        self._ingesting = threading.Lock()

    def ingest(self, events: Sequence[Mapping[str, Any]], source: str, rejected: int = 0) -> IngestResult:
        """Persist ``events`` (as received), then merge them into the live state.

        Returns only after the store committed the batch, so the caller may acknowledge it. If the store
        raises, the state is left unchanged and the error propagates (the sender should retry; merging is
        idempotent, so a retried batch does no harm). Items that are not mappings are counted invalid, and
        so are ``rejected`` events the caller already dropped (they are reported, never stored).
        """
        batch = [dict(event) for event in events if isinstance(event, Mapping)]
        with self._ingesting:
            now = self.clock()
            if batch:
                self.store.append_capacity_events(batch, received_at=now)
            with self._lock:
                before = self.state.last_update_ts_.copy()
                applied = self._merge(batch, now)
                newest = _newest_advance(before, self.state.last_update_ts_)
        result = _result(len(events) + rejected, applied, len(events) - len(batch) + rejected, newest)
        if result.unknown_shop or result.invalid:
            log.info(
                "capacity batch from %s: %d unknown shop, %d invalid of %d",
                source,
                result.unknown_shop,
                result.invalid,
                result.received,
            )
        self._report(result)
        return result

    def restore(self, since: float, batch: int = 10_000) -> int:
        """Replay events stored after ``since`` (arrival time, epoch s) into the state; returns how many.

        Merging is commutative, so live ingests may interleave with the replay. Events are checked
        against the clock now: one that was too far in the future on arrival but is not any more is
        applied on replay.
        """
        replayed = 0
        for events in self.store.capacity_events_since(since, batch=batch):
            with self._lock:
                self._merge(list(events), self.clock())
            replayed += len(events)
        return replayed

    def _merge(self, events: list[dict[str, Any]], now: float) -> ApplyResult:
        applied = self.state.apply_events(events, now=now)
        if self.replica is not None:
            self.replica(events, now)
        return applied

    def _report(self, result: IngestResult) -> None:
        if self.metrics is None:
            return
        try:
            self.metrics.capacity(result.counts(), result.newest_event_ts)
        except Exception:  # the batch is persisted and applied: a metrics fault must not make senders retry
            log.warning("capacity metrics failed", exc_info=True)


def _newest_advance(before: np.ndarray[Any, Any], after: np.ndarray[Any, Any]) -> float | None:
    moved = after > before
    return float(after[moved].max()) if moved.any() else None


def _result(received: int, applied: ApplyResult, not_mappings: int, newest: float | None) -> IngestResult:
    return IngestResult(
        received=received,
        applied=applied.applied,
        stale_ignored=applied.stale_ignored,
        unknown_shop=applied.unknown_shop,
        invalid=applied.invalid + not_mappings,
        clipped=applied.clipped,
        newest_event_ts=newest,
    )


def live_capacity(state: CapacityState, shop_id: str, now: float) -> dict[str, Any]:
    """Live capacity of one shop as of ``now`` (epoch s), JSON-ready; UnknownShopError if not in the catalog.

    ``parts_in_stock`` lists only makes whose stock is known; ``last_update`` (ISO-8601, UTC) and ``age_s``
    are None for a shop never heard from; ``freshness`` (0..1) is the trust in the report by its age.
    """
    row = state.row_of.get(shop_id)
    if row is None:
        raise UnknownShopError(f"No shop with id {shop_id!r} in the catalog.")
    snap = state.snapshot(np.array([row]), now)
    last = float(state.last_update_ts_[row])
    age = float(snap.age_s[0])
    parts = state.parts_[row]
    return {
        "free_bays": int(snap.free_bays[0]),
        "bays": int(snap.bays[0]),
        "technicians_on_duty": int(snap.technicians_on_duty[0]),
        "is_open": bool(snap.is_open[0]),
        "parts_in_stock": {make: int(parts[col]) for make, col in state.make_col.items() if parts[col] >= 0},
        "last_update": datetime.fromtimestamp(last, UTC).isoformat() if np.isfinite(last) else None,
        "age_s": round(age, 3) if np.isfinite(age) else None,
        "freshness": round(float(snap.freshness[0]), 4),
        "stale": bool(snap.is_stale[0]),
    }
