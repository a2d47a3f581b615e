"""Fair exposure across shops: no shop starves of offers, none is flooded beyond its capacity.

Offers are counted with exponential decay per recorded offer, so "recent" means roughly the last
``half_life_offers`` offers whatever the traffic. The decay is lazy: counts are stored as
``raw * exp(-decay_rate * (offers_seen_ - ref_offer_))``, so recording k offers costs O(k), and the
raw counts are rescaled (O(n), rarely) before the exponent can overflow.
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError

FloatArray = NDArray[np.float64]
FLOOD_ADJUSTMENT = 0.9
"""|adjustment| of a shop whose offer share is ``flood_ratio`` times its expected share (or 1/that)."""
_MAX_EXPONENT = (
    200.0  # rescale before exp(decay_rate * elapsed) passes e**200; e**400 is still far from overflow
)
_PARAMS = ("half_life_offers", "new_shop_budget", "flood_ratio", "prior_offers")


class ExposureTracker:
    """Decayed offer counts and monthly assignments per shop row, and the fairness signals built on them.

    Parameters
    ----------
    n_shops : int
        Number of catalog rows.
    capacity_share : NDArray[float] of shape (n_shops,)
        Relative capacity (e.g. bays); >= 0 with a positive sum. The expected offer share is this, normalised.
    monthly_target : NDArray[int] of shape (n_shops,)
        Jobs promised to each shop per month (0: no target).
    is_new : NDArray[bool] of shape (n_shops,)
        Shops without a track record, eligible for exploration slots.
    half_life_offers : float, default 5000
        An offer's weight halves after this many later offers; >= 1.
    new_shop_budget : float, default 0.15
        Largest share of recent offers that may go to new shops, in [0, 1].
    flood_ratio : float, default 2.0
        Share / expected share at which the adjustment reaches ``-FLOOD_ADJUSTMENT``; > 1.
    prior_offers : float, default 1.0
        Pseudo-offers added to both a shop's count and its expected count, so a shop is not called
        under-exposed before it could have expected about one offer.

    Attributes
    ----------
    offers_raw_ : NDArray[np.float64] of shape (n_shops,)
        Decayed offer counts up to the common factor ``exp(-decay_rate * (offers_seen_ - ref_offer_))``.
    total_raw_, new_raw_ : float
        Sums of ``offers_raw_`` over all shops and over new shops.
    offers_seen_, ref_offer_ : int
        Offers recorded so far (the decay clock), and the clock value at which raw counts are true counts.
    assigned_ : NDArray[np.int64] of shape (n_shops,)
        Accepted jobs since the last ``reset_month``.
    """

    def __init__(
        self,
        n_shops: int,
        capacity_share: NDArray[np.floating[Any]],
        monthly_target: NDArray[np.integer[Any]],
        is_new: NDArray[np.bool_],
        half_life_offers: float = 5000.0,
        new_shop_budget: float = 0.15,
        flood_ratio: float = 2.0,
        prior_offers: float = 1.0,
    ) -> None:
        _check_params(n_shops, half_life_offers, new_shop_budget, flood_ratio, prior_offers)
        self.capacity_share: FloatArray = _column(capacity_share, n_shops, "capacity_share", np.float64)
        if not (
            np.all(np.isfinite(self.capacity_share) & (self.capacity_share >= 0))
            and self.capacity_share.sum() > 0
        ):
            raise InvalidInputError("capacity_share must be finite and >= 0 with a positive sum.")
        self._share_total = float(self.capacity_share.sum())  # read per request; summing 110k is not free
        self.monthly_target: NDArray[np.int64] = _column(monthly_target, n_shops, "monthly_target", np.int64)
        if np.any(self.monthly_target < 0):
            raise InvalidInputError("monthly_target must be >= 0 everywhere.")
        self.is_new: NDArray[np.bool_] = _column(is_new, n_shops, "is_new", np.bool_)
        self.n_shops, self.half_life_offers = int(n_shops), float(half_life_offers)
        self.new_shop_budget, self.flood_ratio = float(new_shop_budget), float(flood_ratio)
        self.prior_offers = float(prior_offers)
        self.decay_rate = math.log(2.0) / self.half_life_offers
        # Chosen so that tanh(gain * log(flood_ratio)) == FLOOD_ADJUSTMENT.
        self._gain = math.atanh(FLOOD_ADJUSTMENT) / math.log(self.flood_ratio)
        self.offers_raw_ = np.zeros(n_shops)
        self.total_raw_ = self.new_raw_ = 0.0
        self.offers_seen_ = self.ref_offer_ = 0
        self.assigned_ = np.zeros(n_shops, dtype=np.int64)

    def record_offers(
        self, rows: NDArray[np.integer[Any]], weights: NDArray[np.floating[Any]] | None = None
    ) -> Self:
        """Count one offer per entry of ``rows`` (k,), in order, optionally weighted by ``weights`` (k,) >= 0
        (e.g. by slate position); every entry advances the decay clock by one offer, whatever its weight."""
        rows = self._rows(rows)
        w = None if weights is None else np.asarray(weights, dtype=np.float64)
        if w is not None and (w.shape != rows.shape or not np.all(np.isfinite(w) & (w >= 0))):
            raise InvalidInputError(f"weights must be finite, >= 0 and of shape {rows.shape}, got {w.shape}.")
        chunk = max(1, int(_MAX_EXPONENT / self.decay_rate))
        for start in range(0, rows.size, chunk):
            if self.decay_rate * (self.offers_seen_ - self.ref_offer_) >= _MAX_EXPONENT:
                self._rescale()
            r = rows[start : start + chunk]
            # The j-th offer of the chunk, once recorded, is the latest: it counts w in true units.
            first = self.offers_seen_ + 1 - self.ref_offer_  # exact integers, as (seen + 1 + arange) - ref
            inc = np.exp(self.decay_rate * np.arange(first, first + r.size))
            if w is not None:  # unweighted offers count 1: skip the multiplication by ones (exact anyway)
                inc = w[start : start + chunk] * inc
            if r.size <= 16 and len(set(r.tolist())) == r.size:
                self.offers_raw_[r] += inc  # a slate: distinct rows, and fancy += beats np.add.at here
            else:
                np.add.at(self.offers_raw_, r, inc)
            if r.size < 8:  # a slate: in Python, as numpy sums fewer than 8 terms in order (same floats)
                increments = inc.tolist()
                self.total_raw_ += sum(increments)
                self.new_raw_ += sum(
                    x for x, new in zip(increments, self.is_new[r].tolist(), strict=True) if new
                )
            else:
                self.total_raw_ += float(inc.sum())
                self.new_raw_ += float(inc[self.is_new[r]].sum())
            self.offers_seen_ += r.size
        return self

    def record_assignments(self, rows: NDArray[np.integer[Any]]) -> Self:
        """Count one accepted job per entry of ``rows`` (k,) towards the monthly targets."""
        np.add.at(self.assigned_, self._rows(rows), 1)
        return self

    def reset_month(self) -> Self:
        """Start a new month of target progress; offer counts are untouched."""
        self.assigned_[:] = 0
        return self

    def target_progress(
        self, rows: NDArray[np.integer[Any]], day_of_month: float, days_in_month: int
    ) -> FloatArray:
        """Assigned jobs / pro-rated target (``monthly_target * day_of_month / days_in_month``), shape (k,).

        Below 1 the shop is behind its target. Shops without a target report 1.0 (on track).
        """
        if not 1 <= days_in_month <= 31:
            raise InvalidInputError(f"days_in_month must lie in [1, 31], got {days_in_month}.")
        if not 0 < day_of_month <= days_in_month:
            raise InvalidInputError(f"day_of_month must lie in (0, {days_in_month}], got {day_of_month}.")
        rows = self._rows(rows)
        due = self.monthly_target[rows] * (day_of_month / days_in_month)
        progress = np.empty(rows.size)
        progress.fill(1.0)  # on track, where there is no target
        np.divide(self.assigned_[rows], due, out=progress, where=due > 0)
        return progress

    def offer_counts(self, rows: NDArray[np.integer[Any]]) -> FloatArray:
        """Decayed offer counts of ``rows``, shape (k,)."""
        return self.offers_raw_[self._rows(rows)] * self._factor()

    def total_offers(self) -> float:
        """Decayed offer count over all shops."""
        return self.total_raw_ * self._factor()

    def share(self, rows: NDArray[np.integer[Any]]) -> FloatArray:
        """Each shop's share of recent (decayed) offers, shape (k,); all zeros before any offer."""
        counts = self.offers_raw_[self._rows(rows)]
        return counts / self.total_raw_ if self.total_raw_ > 0 else np.zeros(counts.size)

    def expected_share(self, rows: NDArray[np.integer[Any]]) -> FloatArray:
        """The share of offers each shop would get in proportion to capacity, shape (k,)."""
        share: FloatArray = self.capacity_share[self._rows(rows)] / self._share_total
        return share

    def exposure_adjustment(self, rows: NDArray[np.integer[Any]]) -> FloatArray:
        """Fairness adjustment in (-1, 1), shape (k,): > 0 under-exposed, < 0 over-exposed, 0 at parity.

        With decayed count ``c``, decayed total ``T``, expected share ``e`` and ``a = prior_offers``,
        ``ratio = (c + a) / (T * e + a)`` and the adjustment is ``-tanh(g * log(ratio))`` with ``g`` set
        so that ``ratio == flood_ratio`` gives ``-FLOOD_ADJUSTMENT`` (and ``1 / flood_ratio`` gives
        ``+FLOOD_ADJUSTMENT``). It is non-increasing in the shop's own count, and 0 for every shop
        before any offer.
        """
        rows = self._rows(rows)
        factor = self._factor()  # indexing directly: the public helpers would re-check rows three times
        expected = (self.total_raw_ * factor / self._share_total) * self.capacity_share[rows]
        ratio = (self.offers_raw_[rows] * factor + self.prior_offers) / (expected + self.prior_offers)
        return -np.tanh(self._gain * np.log(ratio))

    def exploration_allowed(self, n_slots: int) -> int:
        """Slots of an ``n_slots`` slate that may go to new shops now.

        The new shops' decayed offers plus the picks may not exceed ``new_shop_budget`` of the decayed
        total plus the slate: ``floor(budget * (T + n_slots) - T_new)``, so unused budget carries over
        but the long-run new-shop share stays within the budget. Per slate it is capped at
        ``ceil(budget * n_slots)`` so no customer gets a slate of untried shops only.
        """
        if n_slots < 0:
            raise InvalidInputError(f"n_slots must be >= 0, got {n_slots}.")
        if not self.is_new.any():
            return 0
        factor, budget = self._factor(), self.new_shop_budget
        # The 1e-9 keeps float noise such as 0.15 * 20 == 3.0000000000000004 from granting a slot.
        room = math.floor(budget * (self.total_raw_ * factor + n_slots) - self.new_raw_ * factor + 1e-9)
        return max(0, min(room, math.ceil(budget * n_slots - 1e-9)))

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The whole state as named numpy arrays (for ``np.savez``); ``from_arrays`` restores it."""
        return {
            "offers": self.offers_raw_ * self._factor(),
            "assigned": self.assigned_.copy(),
            "capacity_share": self.capacity_share,
            "monthly_target": self.monthly_target,
            "is_new": self.is_new,
            "params": np.array([getattr(self, name) for name in _PARAMS]),
            "offers_seen": np.array(self.offers_seen_),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]]) -> Self:
        """Rebuild a tracker saved by ``to_arrays``; raises InvalidInputError if a key or shape is wrong."""
        missing = {
            "offers",
            "assigned",
            "capacity_share",
            "monthly_target",
            "is_new",
            "params",
            "offers_seen",
        }
        if missing - set(arrays):
            raise InvalidInputError(f"Saved exposure state lacks the arrays {sorted(missing - set(arrays))}.")
        params = np.asarray(arrays["params"], dtype=np.float64)
        if params.shape != (len(_PARAMS),):
            raise InvalidInputError(f"params must hold {len(_PARAMS)} numbers {_PARAMS}, got {params.shape}.")
        share = np.asarray(arrays["capacity_share"])
        tracker = cls(share.size, share, arrays["monthly_target"], arrays["is_new"], *params.tolist())
        tracker.offers_raw_[:] = _column(arrays["offers"], share.size, "offers", np.float64)
        tracker.assigned_[:] = _column(arrays["assigned"], share.size, "assigned", np.int64)
        tracker.offers_seen_ = tracker.ref_offer_ = int(arrays["offers_seen"])
        tracker.total_raw_ = float(tracker.offers_raw_.sum())
        tracker.new_raw_ = float(tracker.offers_raw_[tracker.is_new].sum())
        return tracker

    def _factor(self) -> float:
        return math.exp(-self.decay_rate * (self.offers_seen_ - self.ref_offer_))

    def _rescale(self) -> None:
        factor = self._factor()
        self.offers_raw_ *= factor
        self.total_raw_ *= factor
        self.new_raw_ *= factor
        self.ref_offer_ = self.offers_seen_

    def _rows(self, rows: Any) -> NDArray[np.int64]:
        if type(rows) is np.ndarray and rows.dtype == np.int64 and rows.ndim == 1:  # the hot path
            # Viewed as unsigned, a negative row is huge: one max() checks both bounds.
            if rows.size and rows.view(np.uint64).max() >= self.n_shops:
                raise InvalidInputError(
                    f"rows must lie in [0, {self.n_shops}): the tracker has {self.n_shops} shops."
                )
            return rows
        array = np.asarray(rows)
        if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
            raise InvalidInputError(f"rows must be a 1-D integer array, got {array.dtype} {array.shape}.")
        if array.size and (array.min() < 0 or array.max() >= self.n_shops):
            raise InvalidInputError(
                f"rows must lie in [0, {self.n_shops}): the tracker has {self.n_shops} shops."
            )
        return array.astype(np.int64)


def _check_params(n_shops: int, half_life: float, budget: float, flood_ratio: float, prior: float) -> None:
    if n_shops < 1:
        raise InvalidInputError(f"n_shops must be >= 1, got {n_shops}.")
    if not (math.isfinite(half_life) and half_life >= 1):
        raise InvalidInputError(f"half_life_offers must be a finite number >= 1, got {half_life}.")
    if not 0.0 <= budget <= 1.0:
        raise InvalidInputError(f"new_shop_budget must lie in [0, 1], got {budget}.")
    if not (math.isfinite(flood_ratio) and flood_ratio > 1):
        raise InvalidInputError(f"flood_ratio must be a finite number > 1, got {flood_ratio}.")
    if not (math.isfinite(prior) and prior > 0):
        raise InvalidInputError(f"prior_offers must be a finite number > 0, got {prior}.")


def _column(values: Any, n: int, name: str, dtype: type[Any]) -> NDArray[Any]:
    array = np.asarray(values)
    if array.shape != (n,):
        raise InvalidInputError(f"{name} must have shape ({n},) like n_shops, got {array.shape}.")
    if dtype is not np.float64 and not np.can_cast(array.dtype, dtype, casting="same_kind"):
        raise InvalidInputError(f"{name} must hold {np.dtype(dtype).name} values, got {array.dtype}.")
    return array.astype(dtype)
