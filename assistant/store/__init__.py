"""Persistence behind ports: sessions, decisions with their outcomes, capacity events.

`make_store` picks the adapter the settings ask for: PostgreSQL when a database URL is given, else an
embedded SQLite file in the data directory. `InMemoryStore` serves the terminal chat and unit tests.
"""

from __future__ import annotations

from pathlib import Path

from assistant.store.memory import InMemoryStore
from assistant.store.ports import (
    CapacityEventStore,
    DecisionStore,
    LoggedOutcome,
    Persistence,
    SessionStore,
    SessionSummary,
    StrategyTotals,
)
from assistant.store.sql import SqlStore

SQLITE_FILE = "rih.sqlite"


def make_store(database_url: str | None, data_dir: Path, sqlite_synchronous: str = "FULL") -> SqlStore:
    """A SQL store on `database_url`, or on SQLite at `data_dir / "rih.sqlite"` when it is None or empty."""
    if database_url:
        return SqlStore.from_url(database_url, sqlite_synchronous=sqlite_synchronous)
    path = Path(data_dir).resolve() / SQLITE_FILE
    return SqlStore.from_url(f"sqlite:///{path}", sqlite_synchronous=sqlite_synchronous)


__all__ = [
    "CapacityEventStore",
    "DecisionStore",
    "InMemoryStore",
    "LoggedOutcome",
    "Persistence",
    "SessionStore",
    "SessionSummary",
    "SqlStore",
    "StrategyTotals",
    "make_store",
]
