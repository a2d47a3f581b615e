"""The API contract's Recommendation object (shared/contracts/API.md), JSON-safe.

JSON has no inf or NaN, and the object carries no nulls, so:
- `expected_wait_days` that is not finite (a shop with no bays has an unbounded wait) is reported as
  `UNBOUNDED_WAIT_DAYS` (365.0), the longest wait the API states;
- a factor whose value or contribution is not finite (the deadline slack of such a shop) is left out of
  `factors`; the explanation never cites one either;
- `score` and `distance_km` are finite by construction (contributions are weighted utilities in [0, 1],
  candidate distances are validated finite); were one not, it would be reported as 0.0.
Numbers are rounded to 6 decimals: float32 catalog columns then read 4.11, not 4.110000133514404.
"""

from __future__ import annotations

import math
from math import isfinite
from typing import Any

from assistant.explain.compose import explain
from assistant.explain.needs import ExplainNeeds
from assistant.explain.phrases import Language
from dispatch_core.domain import Recommendation
from retrieval.catalog.table import Shop

UNBOUNDED_WAIT_DAYS = 365.0
DECIMALS = 6


def recommendation_payload(
    rec: Recommendation,
    shop: Shop,
    language: Language = "en",
    make: str | None = None,
    needs: ExplainNeeds | None = None,
) -> dict[str, Any]:
    """The contract's Recommendation: shop_id, name (in `language`), rank, distance_km, authorized_makes,
    rating, expected_wait_days, score, exploration, explanation, factors [{name, value, contribution}]."""
    explanation = explain(rec, shop, language, make, needs)  # validates language and shop first
    wait = rec.expected_wait_days
    return {
        "shop_id": rec.shop_id,
        "name": shop.name_zh if language == "zh" else shop.name_en,
        "rank": int(rec.rank),
        "distance_km": _finite(rec.distance_km),
        "authorized_makes": list(shop.authorized_makes),
        "rating": _finite(shop.rating),
        "expected_wait_days": UNBOUNDED_WAIT_DAYS
        if math.isnan(wait) or wait > UNBOUNDED_WAIT_DAYS
        else _finite(wait),
        "score": _finite(rec.score),
        "exploration": bool(rec.exploration),
        "explanation": explanation,
        "factors": [
            {"name": f.name, "value": round6(f.value), "contribution": round6(f.contribution)}
            for f in rec.factors
            if isfinite(f.value) and isfinite(f.contribution)
        ],
    }


def round6(x: float) -> float:
    """`round(x, 6)`, the same value and type; an integral float is its own rounding, so it skips the call.

    `round(x, 6)` goes through a correctly rounded decimal string and back (~0.4 us); about a third of a
    payload's numbers are whole (flags, counts, zero contributions). An exact vectorised numpy version of all
    the rounding was measured no faster: a dozen numpy calls on ~46 numbers cost as much amid the rest.
    """
    return x if type(x) is float and x.is_integer() else round(x, DECIMALS)


def _finite(x: float) -> float:
    return round6(float(x)) if isfinite(x) else 0.0
