"""Shared helpers for benchmarks: single-thread setup, timing, a cached full-scale catalog."""

from __future__ import annotations

import os

# One core, as the acceptance figures are stated per core; set before numpy/faiss load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from retrieval.catalog.generator import generate_catalog  # noqa: E402
from retrieval.catalog.store import SqliteCatalogStore  # noqa: E402
from retrieval.catalog.table import ShopTable  # noqa: E402

BENCH_DIR = Path(os.environ.get("RIH_BENCH_DIR", "var/bench"))


def cached_catalog(n_shops: int, seed: int = 7) -> ShopTable:
    """The benchmark catalog of `n_shops`, generated once and then loaded from SQLite."""
    store = SqliteCatalogStore(BENCH_DIR / f"catalog_{n_shops}_{seed}.sqlite")
    if store.exists():
        return store.load()
    table = generate_catalog(n_shops, seed=seed)
    store.save(table, {"seed": seed})
    return table


def latencies_ms(run: Callable[[int], object], n: int, warmup: int = 20) -> np.ndarray:
    """Per-call wall time in ms of run(i) for i in range(n), after `warmup` untimed calls."""
    for i in range(warmup):
        run(i)
    out = np.empty(n)
    for i in range(n):
        started = time.perf_counter()
        run(i)
        out[i] = (time.perf_counter() - started) * 1e3
    return out


def p(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))
