"""The facts one recommendation rests on: its factors (value and contribution) and its shop's fields.

Both the explanation and the faithfulness check read recommendations through this one view, so what may be
said and what is checked come from the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dispatch_core.domain import Recommendation
from retrieval.catalog.table import Shop

# Shop fields a text may cite as numbers (the factors hold the rest).
SHOP_NUMBERS = (
    "rating",
    "review_count",
    "bays",
    "technicians",
    "courtesy_cars",
    "mean_cycle_days",
    "complaint_rate",
    "rework_rate",
    "labour_rate_index",
    "parts_price_index",
    "warranty_months",
    "monthly_target",
    "open_hour",
    "close_hour",
)
DEALER = "4s_dealer"


@dataclass(frozen=True)
class Facts:
    """`values` and `contributions` by factor name; a missing factor's value is NaN, its contribution 0."""

    rec: Recommendation
    shop: Shop
    values: dict[str, float]
    contributions: dict[str, float]

    @classmethod
    def of(cls, rec: Recommendation, shop: Shop) -> Facts:
        if rec.shop_id != shop.shop_id:
            raise ValueError(f"Recommendation of {rec.shop_id} cannot be explained with shop {shop.shop_id}.")
        values = {f.name: f.value for f in rec.factors}
        contributions = {f.name: f.contribution for f in rec.factors}
        return cls(rec, shop, values, contributions)

    def value(self, name: str) -> float:
        return self.values.get(name, math.nan)

    def contribution(self, *names: str) -> float:
        return sum(self.contributions.get(name, 0.0) for name in names)

    def is_new_exploration(self) -> bool:
        """An exploration pick of a shop new to the network (`new_shop` factor, else the catalog's flag)."""
        new = self.values.get("new_shop")
        return self.rec.exploration and (new == 1.0 if new is not None else self.shop.is_new)

    def citeable(self) -> dict[str, list[float]]:
        """Every finite number a text may cite, by name: factor values, shop fields, the recommendation's."""
        out: dict[str, list[float]] = {}
        pairs = [*self.values.items(), *((n, float(getattr(self.shop, n))) for n in SHOP_NUMBERS)]
        pairs += [("distance_km", self.rec.distance_km), ("expected_wait_days", self.rec.expected_wait_days)]
        for name, value in pairs:
            if math.isfinite(value):
                out.setdefault(name, []).append(value)
        return out
