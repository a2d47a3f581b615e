"""One ranking request end to end in dispatch_core: filter + features + policy + Pareto + propensities +
factor contributions, over 200 candidates retrieved from a 110,000-shop catalog, one core.

Baseline in the same run: a plain weighted-sum top-k over the same factor matrix (what a rule-based scorer
does), so the ratio shows what the bandit, the Pareto pool and the logging cost on top.
Usage: python -m benchmarks.bench_ranking [--shops N] [--requests N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assistant.dispatch_wiring import build_dispatcher
from benchmarks.common import cached_catalog, latencies_ms, p
from dispatch_core.domain import Candidates, ClaimRequest
from dispatch_core.errors import NoCandidatesError
from dispatch_core.features import build_factors
from dispatch_core.strategy import load_strategies
from evals.retrieval_recall import load_queries
from retrieval.catalog.cities import city_arrays
from retrieval.index import GeoIndex
from retrieval.needs import Needs
from retrieval.retriever import Retriever


def requests(retriever: Retriever, n: int) -> list[tuple[ClaimRequest, Candidates]]:
    rng = np.random.default_rng(0)
    lat, lon, pop = city_arrays()
    labels = [q["needs"] for q in load_queries()]
    out = []
    for i in range(n):
        c, label = rng.choice(len(lat), p=pop / pop.sum()), labels[i % len(labels)]
        needs = Needs(tuple(label["capabilities"]), label["make"], label["authorized_only"])
        found = retriever.search(lat[c], lon[c], k=200, needs=needs)
        request = ClaimRequest(
            now=time.time(),
            make=needs.make,
            needed_capabilities=needs.capability_bits(),
            wants_authorized=needs.authorized_only or None,
            priorities={"distance": 0.7},
        )
        out.append((request, Candidates(found.rows, found.distance_km, found.coverage)))
    return out


def servable(dispatcher, work):  # type: ignore[no-untyped-def]
    """Requests with at least one candidate passing the hard filters (small towns may have none in range)."""
    kept = []
    for request, cands in work:
        try:
            dispatcher.rank(request, cands, k=3, record=False)
        except NoCandidatesError:
            continue
        kept.append((request, cands))
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--requests", type=int, default=2_000)
    args = parser.parse_args()
    table = cached_catalog(args.shops)
    dispatcher = build_dispatcher(table, load_strategies("strategies"))
    work = servable(dispatcher, requests(Retriever(table, GeoIndex.build(table)), 240))
    strategy = dispatcher.strategies[dispatcher.default_strategy]
    rng = np.random.default_rng(1)

    def ours(i: int) -> object:
        request, cands = work[i % len(work)]
        return dispatcher.rank(request, cands, k=3, rng=rng)

    def baseline(i: int) -> object:
        request, cands = work[i % len(work)]
        n = len(cands.rows)
        factors = build_factors(
            request,
            cands,
            dispatcher.shops,
            np.zeros(n),
            np.ones(n),
            np.full(n, -1.0),
            strategy,
            dispatcher.static_,
        )
        return np.argsort(-factors.customer_utility())[:3]

    hub, base = latencies_ms(ours, args.requests), latencies_ms(baseline, args.requests)
    print(
        f"ranking one request, 200 candidates from {args.shops:,} shops, k=3, {args.requests} requests "
        f"({len(work)} distinct servable claims), one core"
    )
    print(
        f"  dispatch_core rank (filter+features+policy+Pareto+propensities+factors)  "
        f"p50 {p(hub, 50):.3f} ms  p99 {p(hub, 99):.3f} ms"
    )
    print(
        f"  baseline weighted-sum top-k over the same factors                        "
        f"p50 {p(base, 50):.3f} ms  p99 {p(base, 99):.3f} ms"
    )
    print(
        f"  ratio rank / baseline  p50 x{p(hub, 50) / p(base, 50):.2f}  p99 x{p(hub, 99) / p(base, 99):.2f}  "
        f"targets: p50 < 1 ms, p99 < 3 ms"
    )


if __name__ == "__main__":
    main()
