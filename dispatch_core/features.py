"""The factor matrix: for each candidate, every factor's raw value and its utility in [0, 1].

A factor belongs to a group (distance, quality, speed, cost, fit, amenities) whose weight comes from the
strategy, raised by the customer's stated priorities. Factors the customer did not ask about (a courtesy car
nobody needs) get weight 0, so they neither help nor hurt, and the explanation does not mention them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dispatch_core.domain import Candidates, ClaimRequest, ShopData
from dispatch_core.filters import authorized_for_make
from dispatch_core.strategy import Strategy

FloatArray = NDArray[np.float64]
PRIOR_RATING, PRIOR_REVIEWS = 4.2, 20.0  # shrink thin ratings toward the network mean
URBAN_KMH = 25.0
_NUMERIC = (
    "mean_cycle_days",
    "review_count",
    "rating",
    "labour_rate_index",
    "parts_price_index",
    "complaint_rate",
    "rework_rate",
    "courtesy_cars",
    "pickup_service",
)


@dataclass(frozen=True)
class FactorMatrix:
    """`values` and `utilities` have shape (n, f); `weights` (f,) sum to 1 over the active factors."""

    names: tuple[str, ...]
    values: FloatArray
    utilities: FloatArray
    weights: FloatArray

    def customer_utility(self) -> FloatArray:
        return np.asarray(self.utilities @ self.weights, dtype=np.float64)


def _clip01(x: FloatArray) -> FloatArray:
    return np.clip(x, 0.0, 1.0)


def build_factors(
    request: ClaimRequest,
    candidates: Candidates,
    shops: ShopData,
    wait_days: FloatArray,
    free_bays: FloatArray,
    parts: FloatArray,
    strategy: Strategy,
) -> FactorMatrix:
    """Factors of the candidates; `wait_days`, `free_bays`, `parts` (-1 = unknown) come from live capacity."""
    rows, d = candidates.rows, candidates.distance_km
    col = {name: shops.columns[name][rows].astype(np.float64) for name in _NUMERIC}  # one gather per column
    cycle, reviews = col["mean_cycle_days"], col["review_count"]
    shrunk = (col["rating"] * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
    cost = 0.6 * col["labour_rate_index"] + 0.4 * col["parts_price_index"]
    authorized = authorized_for_make(shops, rows, request.make).astype(np.float64)
    certified = _certified_share(request, shops, rows)
    turnaround = wait_days + cycle
    slack = (request.deadline_days or 0) - turnaround
    table: list[tuple[str, str, FloatArray, FloatArray]] = [
        ("distance_km", "distance", d, np.exp(-d / strategy.distance_scale_km)),
        ("travel_minutes", "info", d / URBAN_KMH * 60.0, np.zeros_like(d)),
        ("rating", "quality", col["rating"], _clip01((shrunk - 3.5) / 1.5)),
        ("review_count", "quality", reviews, 1.0 - 1.0 / np.sqrt(1.0 + reviews / 10.0)),
        ("complaint_rate", "quality", col["complaint_rate"], 1.0 - _clip01(col["complaint_rate"] / 0.08)),
        ("rework_rate", "quality", col["rework_rate"], 1.0 - _clip01(col["rework_rate"] / 0.06)),
        ("expected_wait_days", "speed", wait_days, np.exp(-wait_days / 2.0)),
        ("free_bays", "speed", free_bays, _clip01(free_bays / 3.0)),
        ("cycle_days", "speed", cycle, np.exp(-cycle / 6.0)),
        ("parts_in_stock", "speed", parts, np.where(parts < 0, 0.5, _clip01(parts / 5.0))),
        ("cost_index", "cost", cost, _clip01((1.8 - cost) / 1.2)),
        ("authorized_for_make", "fit", authorized, _dealer_utility(request, authorized)),
        ("certified_for_damage", "fit", certified, certified),
        ("courtesy_cars", "courtesy", col["courtesy_cars"], (col["courtesy_cars"] > 0).astype(np.float64)),
        ("pickup_service", "pickup", col["pickup_service"], col["pickup_service"]),
        ("deadline_slack_days", "deadline", slack, _clip01(np.exp(slack / 2.0))),
    ]
    names = tuple(t[0] for t in table)
    weights = _weights(request, strategy, [t[1] for t in table])
    return FactorMatrix(
        names=names,
        values=np.stack([t[2] for t in table], axis=1),
        utilities=np.stack([t[3] for t in table], axis=1),
        weights=weights,
    )


def _dealer_utility(request: ClaimRequest, authorized: FloatArray) -> FloatArray:
    if request.wants_authorized is False:
        return 1.0 - authorized
    # No stated preference: brand expertise is a mild plus (cost is weighed separately).
    return authorized if request.wants_authorized else 0.5 + 0.5 * authorized


def _certified_share(request: ClaimRequest, shops: ShopData, rows: NDArray[np.int64]) -> FloatArray:
    relevant = [
        cert
        for cap, cert in shops.certification_for_capability.items()
        if request.needed_capabilities >> cap & 1
    ]
    if not relevant:
        return np.full(len(rows), 0.5)
    certs = shops.columns["certifications"][rows]
    return np.asarray(np.mean([(certs >> cert) & 1 for cert in relevant], axis=0), dtype=np.float64)


def _weights(request: ClaimRequest, strategy: Strategy, groups: list[str]) -> FloatArray:
    base = dict(strategy.factor_weights)
    amenity = base.get("amenities", 0.5)
    base.update(
        courtesy=amenity if request.needs_courtesy_car else 0.0,
        pickup=amenity if request.needs_pickup else 0.0,
        deadline=base.get("speed", 0.8) if request.deadline_days is not None else 0.0,
        info=0.0,
    )
    # A stated priority can triple its group's weight; unstated priorities leave the strategy's weight.
    boosted = {g: w * (1.0 + 2.0 * request.priorities.get(g, 0.0)) for g, w in base.items()}
    per_group = {g: groups.count(g) for g in set(groups)}
    raw = np.array([boosted.get(g, 0.0) / per_group[g] for g in groups])
    total = raw.sum()
    return raw / total if total > 0 else raw
