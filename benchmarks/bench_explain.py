"""Explanation latency per recommendation: `explain` (en, zh), `check_faithfulness` and the API payload, over
the recommendations of real decisions (200 candidates retrieved from the catalog, k=3), one core; and per
request, what the service's `_payloads` does: `catalog.shop` and `recommendation_payload` for its 3
recommendations, with the shops cached and decoded afresh (a cache miss).

Baseline in the same run: an f-string of distance and rating only (what a list view prints), so the ratio
shows what ranking the factors by contribution, bilingual wording and the honesty rules cost on top. A whole
chat turn must stay under 30 ms p50, so an explanation should take well under 1 ms.
Usage: python -m benchmarks.bench_explain [--shops N] [--decisions N] [--calls N]
"""

from __future__ import annotations

import argparse

import numpy as np

from assistant.dispatch_wiring import build_dispatcher
from assistant.explain import ExplainNeeds, check_faithfulness, explain, recommendation_payload
from benchmarks.bench_ranking import requests, servable
from benchmarks.common import cached_catalog, latencies_ms, p
from dispatch_core.strategy import load_strategies
from retrieval.index import GeoIndex
from retrieval.retriever import Retriever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--decisions", type=int, default=240)
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    table = cached_catalog(args.shops)
    dispatcher = build_dispatcher(table, load_strategies("strategies"))
    work = servable(dispatcher, requests(Retriever(table, GeoIndex.build(table)), args.decisions))
    rng = np.random.default_rng(1)
    recs, decisions = [], []
    for request, cands in work:
        ranked = dispatcher.rank(request, cands, k=3, rng=rng).recommendations
        needs = ExplainNeeds.from_request(request)
        decisions.append((ranked, request.make, needs))
        recs += [(rec, table.shop(rec.shop_id), request.make, needs) for rec in ranked]
    texts = {id(rec): explain(rec, shop, "en", make, needs) for rec, shop, make, needs in recs}

    def case(i: int):  # type: ignore[no-untyped-def]
        return recs[i % len(recs)]

    def baseline(i: int) -> str:
        rec, shop, _, _ = case(i)
        return f"{rec.distance_km:.1f} km away, rated {shop.rating:.1f}"

    def checked(i: int) -> object:
        rec, shop, _, _ = case(i)
        return check_faithfulness(texts[id(rec)], rec, shop)

    def per_request(i: int) -> list[dict[str, object]]:
        ranked, make, needs = decisions[i % len(decisions)]
        return [recommendation_payload(rec, table.shop(rec.shop_id), "en", make, needs) for rec in ranked]

    def per_request_miss(i: int) -> list[dict[str, object]]:
        for rec in decisions[i % len(decisions)][0]:
            table._shops.pop(rec.shop_id, None)  # the decoded-shop cache, private: a miss costs a decode
        return per_request(i)

    paths = {
        "baseline: f-string of distance and rating": baseline,
        "explain, English": lambda i: explain(*case(i)[:2], "en", *case(i)[2:]),
        "explain, Chinese": lambda i: explain(*case(i)[:2], "zh", *case(i)[2:]),
        "recommendation_payload (explain + factors)": lambda i: recommendation_payload(
            *case(i)[:2], "en", *case(i)[2:]
        ),
        "check_faithfulness (eval scorer)": checked,
        "per request: shop + payload x3, shops cached": per_request,
        "per request: shop + payload x3, shops decoded": per_request_miss,
    }
    timings = {name: latencies_ms(run, args.calls) for name, run in paths.items()}
    base = p(timings["baseline: f-string of distance and rating"], 50)
    print(
        f"explanation per recommendation, {len(recs)} recommendations of {len(work)} decisions "
        f"({args.shops:,} shops, k=3), {args.calls} calls per path, one core"
    )
    for name, ms in timings.items():
        print(
            f"  {name:<48} p50 {p(ms, 50) * 1e3:8.1f} us  p99 {p(ms, 99) * 1e3:8.1f} us  "
            f"ratio p50 x{p(ms, 50) / base:6.1f}"
        )
    print("  target: well under 1 ms (1,000 us) per recommendation; a chat turn p50 < 30 ms")


if __name__ == "__main__":
    main()
