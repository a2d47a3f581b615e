"""Catalog store port and its embedded SQLite adapter.

The whole catalog is read into columns at start-up (110,000 shops in about a second), because ranking
reads columns, not rows; SQLite is the durable copy and the thing other tools can query.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.catalog.table import COLUMNS, ShopTable
from retrieval.catalog.vocabulary import MAKE_NAMES
from retrieval.errors import CatalogMissingError

_SQL_TYPE = {
    "U8": "TEXT",
    "O": "TEXT",
    "f8": "REAL",
    "f4": "REAL",
    "i1": "INTEGER",
    "i2": "INTEGER",
    "i4": "INTEGER",
    "i8": "INTEGER",
    "?": "INTEGER",
}


class CatalogStore(Protocol):
    """Where the catalog lives between runs."""

    def save(self, table: ShopTable, meta: dict[str, Any]) -> None: ...

    def load(self) -> ShopTable: ...

    def meta(self) -> dict[str, Any]: ...

    def exists(self) -> bool: ...


class SqliteCatalogStore:
    """Catalog in one SQLite file: table `shops` (one row per shop) and `catalog_meta` (key -> JSON)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        if not self.path.exists():
            return False
        with self._connect() as db:
            row = db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='catalog_meta'"
            ).fetchone()
        return row is not None

    def save(self, table: ShopTable, meta: dict[str, Any]) -> None:
        """Replace the stored catalog atomically: readers see the old or the new one, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        with self._connect(tmp) as db:
            cols = ", ".join(f"{name} {_SQL_TYPE[dtype]}" for name, dtype in COLUMNS.items())
            db.execute(f"CREATE TABLE shops ({cols}, parts_stock BLOB, PRIMARY KEY (shop_id))")
            db.execute("CREATE TABLE catalog_meta (key TEXT PRIMARY KEY, value TEXT)")
            db.executemany(f"INSERT INTO shops VALUES ({', '.join('?' * (len(COLUMNS) + 1))})", _rows(table))
            db.execute("CREATE INDEX shops_city ON shops (city)")
            meta = {
                **meta,
                "n_shops": len(table),
                "fingerprint": table.fingerprint(),
                "makes": list(MAKE_NAMES),
            }
            db.executemany(
                "INSERT INTO catalog_meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
            )
        tmp.replace(self.path)

    def load(self) -> ShopTable:
        if not self.exists():
            raise CatalogMissingError(f"No catalog at {self.path}; build one with `rih catalog build`.")
        names = list(COLUMNS)
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(names)}, parts_stock FROM shops ORDER BY rowid").fetchall()
        by_column = list(zip(*rows, strict=True))
        columns = {name: np.array(by_column[i], dtype=COLUMNS[name]) for i, name in enumerate(names)}
        stock = np.frombuffer(b"".join(by_column[-1]), dtype="<i2").reshape(len(rows), len(MAKE_NAMES))
        return ShopTable.from_columns(columns, stock.copy())

    def meta(self) -> dict[str, Any]:
        if not self.exists():
            raise CatalogMissingError(f"No catalog at {self.path}; build one with `rih catalog build`.")
        with self._connect() as db:
            return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM catalog_meta")}

    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        return sqlite3.connect(path or self.path)


def _rows(table: ShopTable) -> Any:
    cols = [table[name].tolist() for name in COLUMNS]
    stock = np.ascontiguousarray(table.parts_stock.astype("<i2"))
    for i in range(len(table)):
        yield (*[c[i] for c in cols], stock[i].tobytes())
