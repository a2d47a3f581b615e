"""The SQL store's engine and what differs between its two databases (upserts, JSON, hour arithmetic).

`create_engine(url)` gives an engine for `sqlite:///path` (WAL, chosen `synchronous`, busy timeout) or
`postgresql+psycopg://...` (pre-ping, a pool sized for the service); `DIALECTS` the per-database pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from assistant.store.tables import decisions, dumps, outcomes

SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


@dataclass(frozen=True)
class _Dialect:
    """What differs between SQLite and PostgreSQL: upserts, reaching into a slate, flooring an hour."""

    insert: Callable[[sa.Table], Any]  # an insert with on_conflict_do_update / _do_nothing
    shown: Callable[[str, Any], Any]  # (field, type) -> that field of the outcome's shop in its slate
    hour: Callable[[Any], Any]  # epoch seconds -> whole hours since the epoch


def _sqlite_shown(field: str, type_: Any) -> Any:
    # Read inside the database: replaying a long history moves the one field, not every slate.
    slate = sa.func.json_each(decisions.c.recommendations).table_valued("value").alias("slate")
    value = sa.func.json_extract(slate.c.value, f"$.{field}")
    mine = sa.func.json_extract(slate.c.value, "$.shop_id") == outcomes.c.shop_id
    return sa.select(sa.type_coerce(value, type_)).where(mine).limit(1).scalar_subquery()


def _postgresql_shown(field: str, type_: Any) -> Any:
    slate = sa.func.jsonb_array_elements(decisions.c.recommendations).table_valued("value").alias("slate")
    value: Any
    if isinstance(type_, sa.JSON):
        value = slate.c.value.op("->", return_type=postgresql.JSONB())(sa.literal_column(f"'{field}'"))
    else:
        value = sa.cast(slate.c.value.op("->>")(sa.literal_column(f"'{field}'")), type_)
    mine = slate.c.value.op("->>")(sa.literal_column("'shop_id'")) == outcomes.c.shop_id
    return sa.select(value).where(mine).limit(1).scalar_subquery()


DIALECTS = {
    # Epoch seconds are positive, so SQLite's truncating cast floors them.
    "sqlite": _Dialect(sqlite.insert, _sqlite_shown, lambda ts: sa.cast(ts / 3600, sa.Integer)),
    "postgresql": _Dialect(postgresql.insert, _postgresql_shown, lambda ts: sa.func.floor(ts / 3600)),
}


def create_engine(url: str, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine for `url` with the settings this store relies on (see `_sqlite_engine`)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() not in DIALECTS:
        raise ValueError(f"The store runs on SQLite or PostgreSQL, got a {parsed.get_backend_name()!r} URL.")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_synchronous)
    # pre_ping: a connection the server closed (restart, idle timeout) is replaced, not handed to a request.
    return sa.create_engine(
        parsed, json_serializer=dumps, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_recycle=1800
    )


def _sqlite_engine(url: sa.URL, synchronous: str) -> Engine:
    if synchronous.upper() not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {SQLITE_SYNCHRONOUS}, got {synchronous!r}.")
    if url.database in (None, "", ":memory:"):
        raise ValueError("A SQL store needs a database file (sqlite:///path); use InMemoryStore for none.")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per thread from the pool (FastAPI's threadpool runs handlers on many threads).
    engine = sa.create_engine(
        url,
        json_serializer=dumps,
        connect_args={"check_same_thread": False},
        pool_size=8,
        max_overflow=32,
    )
    # WAL lets readers run beside the one writer; FULL syncs the WAL at every commit (NORMAL still survives a
    # killed process, only not a power cut); busy_timeout makes a writer wait for the lock instead of failing.
    pragmas = (
        "busy_timeout=5000",
        "journal_mode=WAL",
        f"synchronous={synchronous.upper()}",
        "foreign_keys=ON",
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine
