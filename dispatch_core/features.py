"""The factor matrix: for each candidate, every factor's raw value and its utility in [0, 1].

A factor belongs to a group (distance, quality, speed, cost, fit, amenities) whose weight comes from the
strategy, raised by the customer's stated priorities. Factors the customer did not ask about (a courtesy car
nobody needs) get weight 0, so they neither help nor hurt, and the explanation does not mention them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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


def clip01(x: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """x clipped to [0, 1], into `out` when given."""
    # np.clip's dispatch layers cost more than the work here.
    return np.minimum(np.maximum(x, 0.0), 1.0, out=out)


# Every factor in matrix order, with the group whose weight it takes.
FACTORS: tuple[tuple[str, str], ...] = (
    ("distance_km", "distance"),
    ("travel_minutes", "info"),
    ("rating", "quality"),
    ("review_count", "quality"),
    ("complaint_rate", "quality"),
    ("rework_rate", "quality"),
    ("expected_wait_days", "speed"),
    ("free_bays", "speed"),
    ("cycle_days", "speed"),
    ("parts_in_stock", "speed"),
    ("cost_index", "cost"),
    ("authorized_for_make", "fit"),
    ("certified_for_damage", "fit"),
    ("courtesy_cars", "courtesy"),
    ("pickup_service", "pickup"),
    ("deadline_slack_days", "deadline"),
)
FACTOR_NAMES = tuple(name for name, _ in FACTORS)
_COL = {name: j for j, name in enumerate(FACTOR_NAMES)}
_STATIC: tuple[str, ...] = ("rating", "review_count", "complaint_rate", "rework_rate", "cycle_days")
_STATIC += ("cost_index", "courtesy_cars", "pickup_service")
_STATIC_COLS = np.array([_COL[name] for name in _STATIC])
# For each factor, its column among the static ones (0 for the others, which build_factors overwrites).
_FROM_STATIC = np.zeros(len(FACTORS), dtype=np.int64)
_FROM_STATIC[_STATIC_COLS] = np.arange(len(_STATIC))


@dataclass(frozen=True)
class StaticFactors:
    """The factors that depend on the shop alone, precomputed once per catalog: `values` and `utilities`
    of shape (n_shops, 8) in `_STATIC` order. A ranking request then gathers them with one index each
    instead of recomputing a dozen columns per call."""

    values: FloatArray
    utilities: FloatArray

    @classmethod
    def build(cls, shops: ShopData, rows: NDArray[np.int64] | None = None) -> StaticFactors:
        """For every catalog shop, or for `rows` only (what a one-off call needs)."""
        take = slice(None) if rows is None else rows
        col = {name: shops.columns[name][take].astype(np.float64) for name in _NUMERIC}
        cycle, reviews, rating = col["mean_cycle_days"], col["review_count"], col["rating"]
        shrunk = (rating * reviews + PRIOR_RATING * PRIOR_REVIEWS) / (reviews + PRIOR_REVIEWS)
        cost = 0.6 * col["labour_rate_index"] + 0.4 * col["parts_price_index"]
        complaints, rework, courtesy = col["complaint_rate"], col["rework_rate"], col["courtesy_cars"]
        values = np.stack(
            [rating, reviews, complaints, rework, cycle, cost, courtesy, col["pickup_service"]], axis=1
        )
        utilities = np.stack(
            [
                clip01((shrunk - 3.5) / 1.5),
                1.0 - 1.0 / np.sqrt(1.0 + reviews / 10.0),
                1.0 - clip01(complaints / 0.08),
                1.0 - clip01(rework / 0.06),
                np.exp(-cycle / 6.0),
                clip01((1.8 - cost) / 1.2),
                (courtesy > 0).astype(np.float64),
                col["pickup_service"],
            ],
            axis=1,
        )
        return cls(values=values, utilities=utilities)


def build_factors(
    request: ClaimRequest,
    candidates: Candidates,
    shops: ShopData,
    wait_days: FloatArray,
    free_bays: FloatArray,
    parts: FloatArray,
    strategy: Strategy,
    static: StaticFactors | None = None,
) -> FactorMatrix:
    """Factors of the candidates; `wait_days`, `free_bays`, `parts` (-1 = unknown) come from live capacity.

    `static` is the catalog's precomputed `StaticFactors` (the hot path passes it); without it the static
    factors are computed for these candidates only.
    """
    rows, d = candidates.rows, candidates.distance_km
    if static is None:
        own = StaticFactors.build(shops, rows)
        static_values, static_utilities = own.values, own.utilities
    else:  # take() gathers rows at about half the cost of fancy indexing
        static_values, static_utilities = (
            static.values.take(rows, axis=0),
            static.utilities.take(rows, axis=0),
        )
    # Factor by factor as contiguous rows of (f, n) arrays, handed out transposed as (n, f) views (the
    # layout decides which BLAS kernel sums the customer utility, so it stays as it is). One take() spreads
    # the static columns into their rows; the request-dependent rows are then written in place.
    values, utilities = (
        static_values.T.take(_FROM_STATIC, axis=0),
        static_utilities.T.take(_FROM_STATIC, axis=0),
    )
    authorized = authorized_for_make(shops, rows, request.make).astype(np.float64)
    certified = _certified_share(request, shops, rows)
    # deadline - (wait + cycle), computed in its own row: one copy fewer.
    slack = np.add(wait_days, values[_COL["cycle_days"]], out=values[_COL["deadline_slack_days"]])
    np.subtract(request.deadline_days or 0, slack, out=slack)
    # d / -scale is -d / scale exactly (IEEE division is symmetric in sign), one operation fewer.
    np.exp(d / -strategy.distance_scale_km, out=utilities[_COL["distance_km"]])
    np.exp(wait_days / -2.0, out=utilities[_COL["expected_wait_days"]])
    clip01(free_bays / 3.0, out=utilities[_COL["free_bays"]])
    clip01(np.exp(slack / 2.0), out=utilities[_COL["deadline_slack_days"]])
    utilities[_COL["travel_minutes"]] = 0.0
    clip01(parts / 5.0, out=utilities[_COL["parts_in_stock"]])[parts < 0] = 0.5  # unknown stock: neutral
    utilities[_COL["authorized_for_make"]] = _dealer_utility(request, authorized)
    utilities[_COL["certified_for_damage"]] = certified
    for name, value in (
        ("distance_km", d),
        ("expected_wait_days", wait_days),
        ("free_bays", free_bays),
        ("parts_in_stock", parts),
        ("authorized_for_make", authorized),
        ("certified_for_damage", certified),
    ):
        values[_COL[name]] = value
    np.multiply(d, 60.0 / URBAN_KMH, out=values[_COL["travel_minutes"]])
    return FactorMatrix(
        names=FACTOR_NAMES,
        values=values.T,
        utilities=utilities.T,
        weights=factor_weights(request, strategy),
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
    held = (certs >> relevant[0]) & 1
    for cert in relevant[1:]:
        held = held + ((certs >> cert) & 1)
    # The mean of 0/1 flags: an exact integer count over the number of certifications, as np.mean computes it.
    return np.asarray(held / len(relevant), dtype=np.float64)


def factor_weights(request: ClaimRequest, strategy: Strategy) -> FloatArray:
    """Weights (f,) of the factors for this request, summing to 1 over the active factors."""
    return _weights(
        tuple(strategy.factor_weights.items()),
        bool(request.needs_courtesy_car),
        bool(request.needs_pickup),
        request.deadline_days is not None,
        tuple(sorted(request.priorities.items())),
    )


@lru_cache(maxsize=4096)
def _weights(
    strategy_weights: tuple[tuple[str, float], ...],
    courtesy: bool,
    pickup: bool,
    deadline: bool,
    priorities: tuple[tuple[str, float], ...],
) -> FloatArray:
    # Cached: a request's weights depend on a handful of flags, and the dict work costs more than the maths.
    base = dict(strategy_weights)
    amenity = base.get("amenities", 0.5)
    base.update(
        courtesy=amenity if courtesy else 0.0,
        pickup=amenity if pickup else 0.0,
        deadline=base.get("speed", 0.8) if deadline else 0.0,
        info=0.0,
    )
    # A stated priority can triple its group's weight; unstated priorities leave the strategy's weight.
    stated = dict(priorities)
    boosted = {g: w * (1.0 + 2.0 * stated.get(g, 0.0)) for g, w in base.items()}
    groups = [group for _, group in FACTORS]
    per_group = {g: groups.count(g) for g in set(groups)}
    raw = np.array([boosted.get(g, 0.0) / per_group[g] for g in groups])
    total = raw.sum()
    weights = raw / total if total > 0 else raw
    weights.flags.writeable = False  # shared between calls through the cache
    return weights
