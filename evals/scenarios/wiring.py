"""The product under evaluation: one seeded catalog per eval run, a freshly wired product per scenario run.

Each run gets its own dispatcher (capacity, exposure and learning start clean, so runs do not depend on
their order), its own decision log and a `RecordingDispatchService` seeded for that run. The recording
service is the real `DispatchService`; it also keeps each `Decision`'s recommendations (what the
faithfulness check needs) and the live capacity of every shop it offered and booked.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assistant.bootstrap import Container, bootstrap, build_catalog
from assistant.dispatch_service import DispatchResult, DispatchService
from assistant.settings import Settings
from assistant.store import InMemoryStore as InMemoryRecords
from dispatch_core.capacity_snapshot import is_closed, is_full
from dispatch_core.domain import Recommendation
from retrieval.catalog.table import ShopTable

CATALOG_SHOPS = 5_000
CATALOG_SEED = 7
Tamper = Callable[[Container], None]  # breaks a freshly wired product on purpose (regression tests)


class InMemoryStore:
    """A catalog store that keeps the one table of this eval run in memory."""

    def __init__(self) -> None:
        self._table: ShopTable | None = None
        self._meta: dict[str, Any] = {}

    def exists(self) -> bool:
        return self._table is not None

    def save(self, table: ShopTable, meta: dict[str, Any]) -> None:
        self._table, self._meta = table, dict(meta)

    def load(self) -> ShopTable:
        if self._table is None:
            raise RuntimeError("The eval catalog has not been built yet.")
        return self._table

    def meta(self) -> dict[str, Any]:
        return dict(self._meta)


class ConstantEmbedder:
    """The retrieval port's embedder, unused at query time in lexical mode: a constant unit vector."""

    name = "eval-constant"
    dim = 8

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        return np.full((len(texts), self.dim), 1.0 / np.sqrt(self.dim), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> NDArray[np.float32]:
        return self.embed_queries(texts)


@dataclass(frozen=True)
class Shown:
    """One recommendation as it was produced: its payload, the ranking's own object, the capacity then."""

    decision_id: str
    payload: dict[str, Any]
    rec: Recommendation
    full: bool
    closed: bool


@dataclass(frozen=True)
class Booking:
    decision_id: str
    shop_id: str
    full: bool
    closed: bool


class RecordingDispatchService(DispatchService):
    """The product's dispatch service, keeping what it showed and booked for the end-state checks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: list[Shown] = []
        self.bookings: list[Booking] = []
        self.decision_ids: list[str] = []

    def recommend(self, *args: Any, **kwargs: Any) -> DispatchResult:
        result = super().recommend(*args, **kwargs)
        if result.decision is not None and result.decision_id is not None:
            self.decision_ids.append(result.decision_id)
            for payload, rec in zip(result.recommendations, result.decision.recommendations, strict=True):
                full, closed = self.capacity_of(rec.shop_id)
                self.shown.append(Shown(result.decision_id, payload, rec, full, closed))
        return result

    def feedback(self, decision_id: str, shop_id: str, outcome: str, reason: str | None = None) -> None:
        if outcome == "accepted":
            full, closed = self.capacity_of(shop_id)
            self.bookings.append(Booking(decision_id, shop_id, full, closed))
        super().feedback(decision_id, shop_id, outcome, reason)

    def capacity_of(self, shop_id: str) -> tuple[bool, bool]:
        """(full, closed) by a fresh live report, as the hard filters read them."""
        rows = np.array([self.catalog.row_of(shop_id)], dtype=np.int64)
        snapshot = self.dispatcher.capacity.snapshot(rows, time.time())
        return bool(is_full(snapshot)[0]), bool(is_closed(snapshot)[0])


@dataclass
class EvalWorld:
    """The seeded catalog of one eval run and the settings every run is wired with."""

    settings: Settings
    store: InMemoryStore
    embedder: ConstantEmbedder = field(default_factory=ConstantEmbedder)
    _tmp: Any = None

    @classmethod
    def build(
        cls, n_shops: int = CATALOG_SHOPS, seed: int = CATALOG_SEED, data_dir: Path | None = None
    ) -> EvalWorld:
        tmp = None
        if data_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="rih-eval-")
            data_dir = Path(tmp.name)
        settings = Settings(  # type: ignore[call-arg]  # pydantic-settings fills the rest from RIH_*
            data_dir=data_dir, catalog_shops=n_shops, catalog_seed=seed, retrieval_mode="lexical"
        )
        store = InMemoryStore()
        build_catalog(store, n_shops, seed)
        return cls(settings, store, _tmp=tmp)

    @property
    def catalog(self) -> ShopTable:
        return self.store.load()

    def product(self, seed: tuple[int, ...], tamper: Tamper | None = None) -> Container:
        """A freshly wired product whose exploration draws come from `seed`."""
        # A fresh in-memory log per run: a run must not learn from the runs before it (pass^k, seeds).
        container = bootstrap(
            self.settings, store=self.store, embedder=self.embedder, persistence=InMemoryRecords()
        )
        container._dispatch = RecordingDispatchService(
            container.catalog,
            container.retriever,
            container.dispatcher,
            container.decisions,
            rng=np.random.default_rng(list(seed)),
            lock=container.dispatch_lock,
            metrics=container.metrics,
        )
        if tamper is not None:
            tamper(container)
        return container

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
