"""Hard constraints: a shop that fails one is never recommended, whatever its score.

Each reason is counted so a decision can say why candidates were dropped.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dispatch_core.capacity import CapacitySnapshot, is_closed, is_full
from dispatch_core.domain import Candidates, ClaimRequest, ShopData
from dispatch_core.strategy import Strategy

REASONS = ("excluded", "out_of_range", "not_authorized", "incapable", "closed", "full")


def authorized_for_make(shops: ShopData, rows: NDArray[np.int64], make: str | None) -> NDArray[np.bool_]:
    """Shops (n,) brand-authorized for `make`; with no make, any 4S dealer counts."""
    if make is None or make not in shops.makes:
        return np.asarray(shops.columns["shop_type"][rows] == shops.dealer_type)
    bit = shops.makes.index(make)
    return np.asarray((shops.columns["authorized_makes"][rows] & (1 << bit)) != 0)


def hard_filter(
    request: ClaimRequest,
    candidates: Candidates,
    shops: ShopData,
    snapshot: CapacitySnapshot,
    strategy: Strategy,
) -> tuple[NDArray[np.bool_], dict[str, int]]:
    """(keep mask of shape (n,), shops removed per reason). A shop counts under its first failing reason."""
    rows = candidates.rows
    banned = request.excluded_shop_ids | request.avoided_shop_ids
    max_km = request.max_distance_km or strategy.default_max_distance_km
    # Reasons that cannot apply to this request are None: they remove nobody.
    failing = {
        "excluded": np.isin(shops.columns["shop_id"][rows], list(banned)) if banned else None,
        "out_of_range": candidates.distance_km > max_km,
        "not_authorized": ~authorized_for_make(shops, rows, request.make)
        if request.wants_authorized
        else None,
        "incapable": candidates.coverage < 1.0,
        "closed": is_closed(snapshot),
        "full": is_full(snapshot),
    }
    applying = [(reason, fails) for reason, fails in failing.items() if fails is not None]
    counts = dict.fromkeys(REASONS, 0)
    (first, fails), *rest = applying  # out_of_range always applies
    counts[first], keep = int(np.count_nonzero(fails)), ~fails
    for reason, fails in rest:
        removed = keep & fails
        counts[reason] = int(np.count_nonzero(removed))
        if counts[reason]:
            keep ^= removed  # removed lies within keep: this is keep &= ~fails, one pass fewer
    return keep, counts
