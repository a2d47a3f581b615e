"""Nearest capable shops at full scale: the lat/lon grid in front of FAISS vs the flat FAISS search alone.

k=200 around population-weighted city centres (jittered ~5 km), with the capability/make masks the retriever
builds for the needs of the labelled query set; one core. Baseline, in the same run and interleaved call by
call: `GeoIndex.search_flat` (exact FAISS `IndexFlatL2` + `IDSelectorBitmap`). Every answer is checked
against the baseline: same distances bit for bit, same rows apart from ties at the k-th distance.
Usage: python -m benchmarks.bench_geo_grid [--shops N] [--queries N] [-k K]
"""

from __future__ import annotations

import argparse
import json
import time

import faiss
import numpy as np

from benchmarks.common import BENCH_DIR, cached_catalog, p
from evals.retrieval_recall import load_queries
from retrieval.catalog.cities import city_arrays
from retrieval.geo import unit_vectors
from retrieval.index import GeoIndex
from retrieval.needs import Needs
from retrieval.retriever import Retriever


def workload(retriever: Retriever, n_queries: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Query points (n, 3) and, per query, the mask of shops meeting every need (as `Retriever.search`)."""
    rng = np.random.default_rng(0)
    lat, lon, pop = city_arrays()
    cities = rng.choice(len(lat), size=n_queries, p=pop / pop.sum())
    jitter = rng.normal(0, 0.05, size=(n_queries, 2))
    points = unit_vectors(lat[cities] + jitter[:, 0], lon[cities] + jitter[:, 1])
    labels = [q["needs"] for q in load_queries()]
    masks = []
    for i in rng.integers(len(labels), size=n_queries):
        needs = Needs(tuple(labels[i]["capabilities"]), labels[i]["make"], labels[i]["authorized_only"])
        masks.append(retriever._need_masks(needs, needs.capability_bits())[1])
    return points, masks


def same_answer(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> bool:
    """Equal distances bit for bit, and equal rows except among ties at the k-th distance."""
    (gd, gr), (wd, wr) = got, want
    if not np.array_equal(gd, wd):
        return False
    return len(gd) == 0 or set(gr[gd < gd[-1]].tolist()) == set(wr[wd < wd[-1]].tolist())


def timed(call, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    out = call(*args)
    return out, (time.perf_counter() - started) * 1e3


def run(index: GeoIndex, points: np.ndarray, masks: list[np.ndarray], k: int) -> dict[str, float]:
    grid_ms, flat_ms, wrong = np.empty(len(points)), np.empty(len(points)), 0
    for i in range(-50, len(points)):  # the first 50 calls warm up, untimed
        args = (points[i % len(points)], k, masks[i % len(masks)])
        if i % 2:  # alternate which goes first, so neither always finds the mask in cache
            (want, flat), (got, grid) = timed(index.search_flat, *args), timed(index.nearest, *args)
        else:
            (got, grid), (want, flat) = timed(index.nearest, *args), timed(index.search_flat, *args)
        if i >= 0:
            flat_ms[i], grid_ms[i] = flat, grid
            wrong += not same_answer(got, want)
    assert index.grid is not None
    fell_back = [index.grid.nearest(q, k, m) is None for q, m in zip(points, masks, strict=True)]
    too_few = [int(m.sum()) < k for m in masks]
    return {
        "baseline_p50_ms": p(flat_ms, 50),
        "baseline_p99_ms": p(flat_ms, 99),
        "grid_p50_ms": p(grid_ms, 50),
        "grid_p99_ms": p(grid_ms, 99),
        "grid_mean_ms": float(grid_ms.mean()),
        "baseline_mean_ms": float(flat_ms.mean()),
        "speedup_p50": p(flat_ms, 50) / p(grid_ms, 50),
        "speedup_p99": p(flat_ms, 99) / p(grid_ms, 99),
        "speedup_mean": float(flat_ms.mean() / grid_ms.mean()),
        "fallback_rate": float(np.mean(fell_back)),
        "fallback_fewer_than_k_allowed": float(np.mean(too_few)),
        "answers_differing_from_baseline": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--queries", type=int, default=3_000)
    parser.add_argument("-k", type=int, default=200)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    table = cached_catalog(args.shops)
    started = time.perf_counter()
    index = GeoIndex.build(table)
    build_s = time.perf_counter() - started
    points, masks = workload(Retriever(table, index), args.queries)
    r = run(index, points, masks, args.k)
    print(f"nearest capable shops, k={args.k}, {args.shops:,} shops, {args.queries} queries, one core")
    print(
        f"  baseline FAISS flat + bitmap   p50 {r['baseline_p50_ms']:.3f} ms  "
        f"p99 {r['baseline_p99_ms']:.3f} ms"
    )
    print(f"  grid, FAISS fallback           p50 {r['grid_p50_ms']:.3f} ms  p99 {r['grid_p99_ms']:.3f} ms")
    print(
        f"  speed-up vs baseline           p50 x{r['speedup_p50']:.1f}  p99 x{r['speedup_p99']:.1f}  "
        f"mean x{r['speedup_mean']:.1f}"
    )
    print(
        f"  fell back to FAISS: {r['fallback_rate']:.1%} of calls "
        f"({r['fallback_fewer_than_k_allowed']:.1%} had fewer than k allowed shops)"
    )
    print(
        f"  answers differing from baseline: {r['answers_differing_from_baseline']}  "
        f"(index build incl. grid {build_s:.2f} s)"
    )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "geo_grid.json").write_text(json.dumps({**r, "build_s": build_s}, indent=2))
    if r["answers_differing_from_baseline"]:
        raise SystemExit("The grid disagreed with the exact FAISS search.")


if __name__ == "__main__":
    main()
