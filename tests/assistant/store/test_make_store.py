"""Choosing and opening a store: SQLite by default with durable settings on every connection, or a URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.store import SqlStore, make_store
from tests.assistant.store.samples import state


def pragmas(store: SqlStore) -> dict[str, object]:
    with store.engine.connect() as conn:
        names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


def test_without_a_url_the_store_is_sqlite_in_the_data_dir_created_if_missing(tmp_path: Path) -> None:
    store = make_store(None, tmp_path / "var" / "data")
    try:
        store.save(state("s-1"))
        assert (tmp_path / "var" / "data" / "rih.sqlite").exists()
        assert store.engine.dialect.name == "sqlite"
    finally:
        store.close()


def test_sqlite_connections_use_wal_full_sync_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    store = make_store(None, tmp_path)
    try:
        assert pragmas(store) == {
            "journal_mode": "wal",
            "synchronous": 2,
            "busy_timeout": 5000,
            "foreign_keys": 1,
        }
    finally:
        store.close()


def test_sqlite_synchronous_may_be_normal(tmp_path: Path) -> None:
    store = make_store("", tmp_path, sqlite_synchronous="normal")
    try:
        assert pragmas(store)["synchronous"] == 1
    finally:
        store.close()


def test_a_database_url_is_used_when_given(sql_url: str, tmp_path: Path) -> None:
    store = make_store(sql_url, tmp_path / "unused")
    try:
        store.save(state("s-1"))
        assert not (tmp_path / "unused").exists()
    finally:
        store.close()
    reopened = SqlStore.from_url(sql_url)  # tables already there: opening again is harmless
    try:
        assert reopened.load("s-1") == state("s-1")
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("url", "synchronous", "message"),
    [
        ("sqlite:///x.sqlite", "OFF", "sqlite_synchronous must be one of"),
        ("sqlite://", "FULL", "needs a database file"),
        ("sqlite:///:memory:", "FULL", "needs a database file"),
        ("mysql://localhost/rih", "FULL", "SQLite or PostgreSQL"),
    ],
)
def test_unsupported_settings_are_refused_with_a_reason(url: str, synchronous: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SqlStore.from_url(url, sqlite_synchronous=synchronous)
