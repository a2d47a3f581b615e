"""Value types of dispatch: what is asked (request, candidates), what is known (shop data), what is decided.

Plain frozen dataclasses over numpy arrays; the service layer translates API models into these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError

PRIORITIES = ("distance", "quality", "speed", "cost")


@dataclass(frozen=True)
class ClaimRequest:
    """One claim's needs and the customer's stated preferences, in plain values.

    `needed_capabilities` is a bitmask in the catalog's capability order; `wants_authorized` is True (4S
    dealer only), False (prefers independent) or None (no preference); `priorities` are weights in [0, 1].
    """

    now: float
    make: str | None = None
    needed_capabilities: int = 0
    wants_authorized: bool | None = None
    max_distance_km: float | None = None
    priorities: Mapping[str, float] = field(default_factory=dict)
    needs_courtesy_car: bool | None = None
    needs_pickup: bool | None = None
    deadline_days: int | None = None
    excluded_shop_ids: frozenset[str] = frozenset()
    avoided_shop_ids: frozenset[str] = frozenset()  # past bad experiences: never pushed again
    claim_id: str | None = None

    def __post_init__(self) -> None:
        if self.max_distance_km is not None and not self.max_distance_km > 0:
            raise InvalidInputError(f"max_distance_km must be > 0 when given, got {self.max_distance_km}.")
        if self.deadline_days is not None and self.deadline_days < 0:
            raise InvalidInputError(f"deadline_days must be >= 0 when given, got {self.deadline_days}.")
        unknown = set(self.priorities) - set(PRIORITIES)
        if unknown or any(not 0.0 <= w <= 1.0 for w in self.priorities.values()):
            raise InvalidInputError(
                f"priorities take weights in [0, 1] for {PRIORITIES}; got {dict(self.priorities)}."
            )


@dataclass(frozen=True)
class Candidates:
    """Shops retrieved for a claim: catalog rows with their distance and capability coverage, shape (n,)."""

    rows: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    coverage: NDArray[np.float64]

    def __post_init__(self) -> None:
        n = len(self.rows)
        if self.distance_km.shape != (n,) or self.coverage.shape != (n,):
            raise InvalidInputError(f"Candidate arrays must all have shape ({n},).")
        if n and (not np.isfinite(self.distance_km).all() or (self.distance_km < 0).any()):
            raise InvalidInputError("Candidate distances must be finite and >= 0 km.")

    def subset(self, at: NDArray[Any]) -> Candidates:
        """The candidates at a boolean mask or an index array (n,).

        Skips the checks: a subset of checked candidates passes them, and on the ranking hot path the checks
        cost more than the subset itself.
        """
        subset = object.__new__(Candidates)
        object.__setattr__(subset, "rows", self.rows[at])  # frozen: set as dataclasses' own __init__ does
        object.__setattr__(subset, "distance_km", self.distance_km[at])
        object.__setattr__(subset, "coverage", self.coverage[at])
        return subset


@dataclass(frozen=True)
class ShopData:
    """The catalog columns dispatch reads, aligned by row (see README for the column meanings).

    `columns` needs: shop_id, shop_type, authorized_makes, capabilities, certifications, rating, review_count,
    complaint_rate, rework_rate, mean_cycle_days, labour_rate_index, parts_price_index, courtesy_cars,
    pickup_service, monthly_target, bays. `parts_stock` is (n_shops, len(makes)).
    """

    columns: Mapping[str, NDArray[Any]]
    parts_stock: NDArray[np.integer[Any]]
    makes: tuple[str, ...]
    is_new: NDArray[np.bool_]
    dealer_type: int = 0
    certification_for_capability: Mapping[int, int] = field(
        default_factory=dict
    )  # capability bit -> cert bit

    def __len__(self) -> int:
        return len(self.columns["shop_id"])


class Factor(NamedTuple):
    """One factor of one recommendation: its raw value and what it added to the score.

    A NamedTuple, not a dataclass: every decision builds ~60 of them and a frozen dataclass's
    ``__init__`` costs several times more, on the ranking hot path.
    """

    name: str
    value: float
    contribution: float


@dataclass(frozen=True)
class Recommendation:
    shop_id: str
    row: int
    rank: int
    score: float
    exploration: bool
    propensity: float  # P(this shop at this rank | the ranks above), under the logging strategy
    expected_wait_days: float
    distance_km: float
    factors: tuple[Factor, ...]
    # What a contextual policy saw of this claim and shop; pass it back with the outcome. Empty otherwise.
    context: tuple[float, ...] = ()


@dataclass(frozen=True)
class Decision:
    """What was shown for one request, with everything needed to explain it and evaluate it off-policy."""

    recommendations: tuple[Recommendation, ...]
    strategy: str
    strategy_version: int
    considered: int
    filtered: Mapping[str, int]  # hard-filter reason -> shops removed for it
    slate_propensity: float
    seed: int | None = None
