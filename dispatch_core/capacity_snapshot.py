"""A ``CapacitySnapshot`` of some shops and what it says about them: trust in a report by its age, the
expected wait for a bay, and which shops are reported full or closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CapacitySnapshot:
    """Capacity of the shops at ``rows``; every array has shape (n,), aligned with ``rows``.

    ``age_s`` is inf for a shop never heard from; ``parts_for_make`` is -1 where stock is unknown
    and None when no make was asked for.
    """

    rows: IntArray
    bays: IntArray
    free_bays: IntArray
    technicians_on_duty: IntArray
    is_open: NDArray[np.bool_]
    age_s: FloatArray
    freshness: FloatArray
    is_stale: NDArray[np.bool_]
    parts_for_make: NDArray[np.int32] | None = None


def freshness_from_age(
    age_s: FloatArray, stale_after_s: float, half_life_s: float, floor: float
) -> FloatArray:
    """Trust in a report of age ``age_s`` (n,): 1 up to ``stale_after_s``, then halving every
    ``half_life_s``, never below ``floor`` (the trust in the catalog alone; inf age gives the floor)."""
    excess = np.maximum(np.asarray(age_s, dtype=np.float64) - stale_after_s, 0.0)
    # excess / -half_life is -excess / half_life exactly (IEEE division is symmetric in sign), one pass fewer.
    return np.maximum(np.exp2(excess / -half_life_s), floor)


def expected_wait_days(
    snapshot: CapacitySnapshot,
    mean_cycle_days: float | FloatArray,
    queue_len: NDArray[np.integer[Any]] | None = None,
    prior_days: float | FloatArray = 0.0,
) -> FloatArray:
    """Expected days until a bay takes the claim, shape (n,), for the shops of ``snapshot``.

    Live estimate: 0 when the shop is open with a free bay. Otherwise (all bays busy, or closed)
    the claim starts after ``queue_len + 1`` jobs leave; with ``bays`` busy bays each finishing
    a job every ``mean_cycle_days`` on average (exponential service, so the time to the next
    departure is ``mean_cycle_days / bays`` whatever has elapsed), that is
    ``mean_cycle_days * (queue_len + 1) / bays`` (inf for a shop without bays). Arrivals during
    the wait and the hours a closed shop stays closed are ignored.

    The live estimate is trusted in proportion to ``freshness``: the result is
    ``freshness * live + (1 - freshness) * prior_days``. The default prior, 0, is the catalog
    baseline (every bay free); pass a historical mean wait (scalar or (n,)) where one is known.
    """
    cycle = np.asarray(mean_cycle_days, dtype=np.float64)
    # min() and max() are NaN if any value is: the comparisons then fail as they should.
    if cycle.size and not (cycle.min() > 0 and np.isfinite(cycle.max())):
        raise InvalidInputError("mean_cycle_days must be finite and > 0.")
    if queue_len is not None:
        queued = np.asarray(queue_len, dtype=np.float64)
        if queued.shape != snapshot.rows.shape or np.any(queued < 0):
            raise InvalidInputError(
                f"queue_len must be >= 0 with shape {snapshot.rows.shape}, got {queued.shape}."
            )
        cycle = cycle * (queued + 1.0)  # queue_len + 1 departures; none queued is cycle * 1.0, cycle itself
    return unchecked_wait_days(snapshot, cycle, prior_days)


def unchecked_wait_days(
    snapshot: CapacitySnapshot, cycle_days: FloatArray, prior_days: float | FloatArray = 0.0
) -> FloatArray:
    """``expected_wait_days`` without a queue and without checking ``cycle_days`` (n,): for callers that
    know them finite and > 0, as ranking knows the catalog's once it has checked them."""
    with np.errstate(divide="ignore"):
        live = cycle_days / snapshot.bays  # a fresh array: changed in place below
    live[snapshot.is_open & (snapshot.free_bays > 0)] = 0.0  # a free bay now: no wait
    fresh = snapshot.freshness
    # A select, not fresh * live + ..., so an inf live wait with freshness 0 gives the prior.
    trusted = fresh * live
    trusted[~(fresh > 0)] = 0.0  # ~(> 0), not <= 0: NaN freshness selects 0 too
    return trusted + (1.0 - fresh) * np.asarray(prior_days, dtype=np.float64)


def is_full(snapshot: CapacitySnapshot, include_stale: bool = False) -> NDArray[np.bool_]:
    """Shops (n,) reported without a free bay. A stale report is no hard fact: unless ``include_stale``,
    it is left to ``expected_wait_days`` to down-weight rather than filter out."""
    full = snapshot.free_bays <= 0
    return full if include_stale else full & ~snapshot.is_stale


def is_closed(snapshot: CapacitySnapshot, include_stale: bool = False) -> NDArray[np.bool_]:
    """Shops (n,) reported closed; stale reports count only with ``include_stale`` (see ``is_full``)."""
    closed = ~snapshot.is_open
    return closed if include_stale else closed & ~snapshot.is_stale
