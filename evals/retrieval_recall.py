"""Bilingual retrieval quality: recall@k of the retriever against labelled needs, per language.

Each query in `datasets/retrieval_queries.jsonl` carries its city, its text (English or Chinese, twin pairs)
and the needs a person labelled. The relevant set is the k nearest shops that truly meet those needs (computed
by brute force over the catalog); recall@k is the share of that set the retriever returns from the text alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.catalog.cities import find_city
from retrieval.catalog.vocabulary import MAKE_INDEX, SHOP_TYPE_INDEX
from retrieval.geo import haversine_km
from retrieval.needs import Needs
from retrieval.retriever import Retriever

DATASET = Path(__file__).parent / "datasets" / "retrieval_queries.jsonl"


def load_queries(path: Path = DATASET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def true_nearest(retriever: Retriever, lat: float, lon: float, needs: Needs, k: int) -> set[str]:
    """Brute force: ids of the k nearest shops that meet `needs` exactly."""
    t = retriever.table
    bits = needs.capability_bits()
    ok = (t["capabilities"] & bits) == bits
    if needs.make is not None:
        authorized = (t["authorized_makes"] >> MAKE_INDEX[needs.make] & 1).astype(bool)
        dealer = t["shop_type"] == SHOP_TYPE_INDEX["4s_dealer"]
        ok &= authorized if needs.authorized_only else authorized | ~dealer
    elif needs.authorized_only:
        ok &= t["shop_type"] == SHOP_TYPE_INDEX["4s_dealer"]
    rows = np.flatnonzero(ok)
    order = np.argsort(haversine_km(lat, lon, t["lat"][rows], t["lon"][rows]), kind="stable")[:k]
    return {str(s) for s in t["shop_id"][rows[order]]}


def evaluate(retriever: Retriever, queries: list[dict[str, Any]], k: int = 10) -> dict[str, Any]:
    """recall@k per language, twin agreement (ZH and EN return the same top k), and per-query detail."""
    per_lang: dict[str, list[float]] = defaultdict(list)
    tops: dict[str, dict[str, set[str]]] = defaultdict(dict)
    detail = []
    for q in queries:
        city = find_city(q["city"])
        label = q["needs"]
        truth = true_nearest(
            retriever,
            city.lat,
            city.lon,
            Needs(tuple(label["capabilities"]), label["make"], label["authorized_only"]),
            k,
        )
        found = retriever.search(city.lat, city.lon, k=k, text=q["text"])
        got = {str(s) for s in found.shop_ids}
        recall = len(got & truth) / max(len(truth), 1)
        per_lang[q["lang"]].append(recall)
        tops[q["pair"]][q["lang"]] = got
        detail.append(
            {
                "id": q["id"],
                "recall": recall,
                "parsed": {
                    "capabilities": list(found.needs.capabilities),
                    "make": found.needs.make,
                    "authorized_only": found.needs.authorized_only,
                },
            }
        )
    pairs = [p for p in tops.values() if len(p) == 2]
    return {
        f"recall@{k}": {lang: float(np.mean(v)) for lang, v in sorted(per_lang.items())},
        "twin_agreement": float(np.mean([p["en"] == p["zh"] for p in pairs])) if pairs else None,
        "queries": len(queries),
        "misses": [d for d in detail if d["recall"] < 1.0],
    }
