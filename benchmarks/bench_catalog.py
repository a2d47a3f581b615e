"""Catalog build and load at full scale (110,000 shops).

Baseline in the same run: loading the same SQLite rows into one Python object per shop (the row-wise way
an ORM would), against our column load. Usage: python benchmarks/bench_catalog.py [--shops N]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import benchmarks.common  # noqa: F401  (single-thread setup)
from retrieval.catalog.generator import generate_catalog
from retrieval.catalog.store import SqliteCatalogStore
from retrieval.index import GeoIndex

BUDGET_S = 180.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteCatalogStore(Path(tmp) / "catalog.sqlite")
        t0 = time.perf_counter()
        table = generate_catalog(args.shops, seed=7)
        t1 = time.perf_counter()
        store.save(table, {"seed": 7})
        t2 = time.perf_counter()
        GeoIndex.build(table).save(Path(tmp) / "index")
        t3 = time.perf_counter()
        store.load()
        t4 = time.perf_counter()
        with sqlite3.connect(store.path) as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM shops")]
        t5 = time.perf_counter()
    build = t3 - t0
    print(f"catalog benchmark at {args.shops:,} shops (one core)")
    print(f"  generate          {t1 - t0:7.2f} s")
    print(f"  save to SQLite    {t2 - t1:7.2f} s")
    print(f"  build FAISS index {t3 - t2:7.2f} s")
    print(
        f"  total build       {build:7.2f} s   budget {BUDGET_S:.0f} s  -> {build / BUDGET_S:.1%} of budget"
    )
    print(f"  load as columns   {t4 - t3:7.2f} s")
    print(
        f"  baseline: load as {len(rows):,} row dicts {t5 - t4:7.2f} s   ratio columns/rows = "
        f"{(t4 - t3) / (t5 - t4):.2f}"
    )


if __name__ == "__main__":
    main()
