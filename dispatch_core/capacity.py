"""Live capacity of every shop (free bays, technicians, parts, open/closed), merged from capacity events.

Each field is a last-writer-wins register with its own timestamp: a field takes an event's value only if
the event is newer than the field's last value, and equal timestamps resolve to the smaller (more cautious)
value. The merge is therefore commutative: a batch, a shuffled stream or a replay gives the same state, and
a late event can never roll a newer value back, yet still fills in fields that no newer event carried.

Events are parsed and checked in ``capacity_events``; ``CapacitySnapshot`` and the estimates read from it
(freshness, expected wait, full, closed) live in ``capacity_snapshot``; their public names are re-exported
here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from dispatch_core.capacity_events import _BAD, ABSENT, _column, _Columns, _counts, _parse_events, _rows
from dispatch_core.capacity_snapshot import (
    CapacitySnapshot,
    expected_wait_days,
    freshness_from_age,
    is_closed,
    is_full,
)
from dispatch_core.errors import InvalidInputError

__all__ = [
    "ABSENT",
    "ApplyResult",
    "CapacitySnapshot",
    "CapacityState",
    "FloatArray",
    "IntArray",
    "expected_wait_days",
    "freshness_from_age",
    "is_closed",
    "is_full",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
_PARAMS = ("stale_after_s", "half_life_s", "never_seen_floor", "max_clock_skew_s")


@dataclass(frozen=True)
class ApplyResult:
    """Counts of one batch; ``applied + stale_ignored + unknown_shop + invalid`` is the batch size.

    ``stale_ignored`` events changed nothing because newer data held every field they carry;
    ``clipped`` (a subset of ``applied``) reported more free bays than the shop has.
    """

    applied: int
    stale_ignored: int
    unknown_shop: int
    invalid: int
    clipped: int = 0


class CapacityState:
    """Capacity of every catalog shop, by row, updated in place from capacity events.

    Parameters
    ----------
    shop_ids : sequence of str, length n
        Catalog order: shop ``shop_ids[i]`` lives at row ``i``.
    bays, technicians : NDArray[int] of shape (n,)
        Catalog size; the baseline is every bay free, every technician on duty, the shop open.
    makes : sequence of str, length m
        Makes whose parts stock is tracked; stock of other makes in an event is ignored.
    stale_after_s : float, default 900
        Reports younger than this are fully trusted.
    half_life_s : float, default 3600
        Past ``stale_after_s``, trust halves every ``half_life_s``.
    never_seen_floor : float, default 0.25
        Trust in the catalog baseline of a shop never heard from, and the least trust any report gets.
    max_clock_skew_s : float, default 300
        When ``now`` is given to ``apply_*``, events stamped later than ``now + max_clock_skew_s`` are
        invalid: a clock in the future would otherwise pin a field until real time caught up.
    parts_stock : NDArray[int] of shape (n, m), optional
        Catalog parts stock used as the (never-heard-from) baseline; -1 (unknown) when omitted.

    Attributes
    ----------
    free_bays_, technicians_on_duty_ : NDArray[np.int64] of shape (n,)
    is_open_ : NDArray[np.bool_] of shape (n,)
    parts_ : NDArray[np.int32] of shape (n, m), -1 where unknown
    last_update_ts_ : NDArray[np.float64] of shape (n,)
        Newest event time per shop (epoch s), -inf if never heard from.
    free_bays_ts_, technicians_on_duty_ts_, is_open_ts_ : NDArray[np.float64] of shape (n,)
    parts_ts_ : NDArray[np.float64] of shape (n, m)
        Time of the value each field holds (-inf for the baseline).
    """

    def __init__(
        self,
        shop_ids: Sequence[str],
        bays: NDArray[np.integer[Any]],
        technicians: NDArray[np.integer[Any]],
        makes: Sequence[str],
        stale_after_s: float = 900.0,
        half_life_s: float = 3600.0,
        never_seen_floor: float = 0.25,
        max_clock_skew_s: float = 300.0,
        parts_stock: NDArray[np.integer[Any]] | None = None,
    ) -> None:
        self.shop_ids, self.makes = list(shop_ids), list(makes)
        n, m = len(self.shop_ids), len(self.makes)
        self.bays, self.technicians = _counts(bays, n, "bays"), _counts(technicians, n, "technicians")
        _check_params(stale_after_s, half_life_s, never_seen_floor, max_clock_skew_s)
        self.stale_after_s, self.half_life_s = float(stale_after_s), float(half_life_s)
        self.never_seen_floor, self.max_clock_skew_s = float(never_seen_floor), float(max_clock_skew_s)
        self.row_of = {shop: row for row, shop in enumerate(self.shop_ids)}
        self.make_col = {make: col for col, make in enumerate(self.makes)}
        if len(self.row_of) != n or len(self.make_col) != m:
            raise InvalidInputError("shop_ids and makes must not contain duplicates.")
        self.free_bays_, self.technicians_on_duty_ = self.bays.copy(), self.technicians.copy()
        self.is_open_ = np.ones(n, dtype=bool)
        self.parts_ = np.full((n, m), ABSENT, dtype=np.int32)
        if parts_stock is not None:
            self.parts_[:] = _counts(parts_stock, (n, m), "parts_stock")
        self.last_update_ts_ = np.full(n, -np.inf)
        self.free_bays_ts_, self.technicians_on_duty_ts_ = np.full(n, -np.inf), np.full(n, -np.inf)
        self.is_open_ts_, self.parts_ts_ = np.full(n, -np.inf), np.full((n, m), -np.inf)
        self._ts_cache: dict[str, float] = {}

    @property
    def n_shops(self) -> int:
        return len(self.shop_ids)

    def apply_events(self, events: Iterable[Mapping[str, Any]], now: float | None = None) -> ApplyResult:
        """Merge contract ``CapacityEvent`` dicts (``ts`` ISO-8601, 'Z' or offset, naive = UTC, or epoch s).

        Absent or None fields stay unchanged. Unknown shops and invalid messages (bad ``ts``, a negative
        or non-integer count, an unknown status) are counted, never raised: one bad message must not stop
        a feed. An invalid message is dropped whole.
        """
        return self._merge(_parse_events(events, self.row_of, self.make_col, self._ts_cache), now)

    def apply_arrays(
        self,
        rows: NDArray[np.integer[Any]],
        ts: NDArray[np.floating[Any]],
        free_bays: NDArray[np.integer[Any]] | None = None,
        technicians: NDArray[np.integer[Any]] | None = None,
        is_open: NDArray[Any] | None = None,
        now: float | None = None,
    ) -> ApplyResult:
        """Vectorised ``apply_events`` for trusted producers: k events as columns of shape (k,).

        ``ts`` is epoch seconds; in ``free_bays``, ``technicians`` and ``is_open`` (1 open, 0 closed,
        or a bool array) the value -1 means "absent"; None means absent for every event. Values below
        -1 or a non-finite ``ts`` make the event invalid (counted), rows outside the catalog raise.
        """
        rows = _rows(rows, self.n_shops)
        k = rows.size
        stamps = np.asarray(ts, dtype=np.float64)
        if stamps.shape != (k,):
            raise InvalidInputError(f"ts must have shape ({k},) like rows, got {stamps.shape}.")
        free, techs = _column(free_bays, k, "free_bays"), _column(technicians, k, "technicians")
        status = _column(is_open, k, "is_open")
        empty = np.zeros(0, dtype=np.int64)
        cols = _Columns(rows, stamps, free, techs, np.where(status > 1, _BAD, status), empty, empty, empty)
        return self._merge(cols, now)

    def snapshot(
        self, rows: NDArray[np.integer[Any]], now: float, make: str | None = None
    ) -> CapacitySnapshot:
        """Capacity of the shops at ``rows`` (n,) as of ``now`` (epoch s); see ``CapacitySnapshot``."""
        rows = _rows(rows, self.n_shops)
        age = now - self.last_update_ts_[rows]
        parts = None
        if make is not None:
            col = self.make_col.get(make)
            # A column view, then a 1-D gather: cheaper than mixed fancy indexing [rows, col].
            parts = np.full(rows.size, ABSENT, np.int32) if col is None else self.parts_[:, col][rows]
        return CapacitySnapshot(
            rows=rows,
            bays=self.bays[rows],
            free_bays=self.free_bays_[rows],
            technicians_on_duty=self.technicians_on_duty_[rows],
            is_open=self.is_open_[rows],
            age_s=age,
            freshness=freshness_from_age(age, self.stale_after_s, self.half_life_s, self.never_seen_floor),
            is_stale=age > self.stale_after_s,
            parts_for_make=parts,
        )

    def _merge(self, cols: _Columns, now: float | None) -> ApplyResult:
        rows, ts = cols.rows, cols.ts
        limit = np.inf if now is None else now + self.max_clock_skew_s
        lowest = np.minimum(np.minimum(cols.free_bays, cols.technicians), cols.is_open)
        bad = ~(np.isfinite(ts) & (ts <= limit)) | (lowest < ABSENT)
        bad[cols.part_event[cols.part_qty < ABSENT]] = True
        keep = ~bad
        over = (cols.free_bays > self.bays[rows]) & keep
        every = np.arange(rows.size)
        cells = rows[cols.part_event] * len(self.makes) + cols.part_col
        # Whether an event changes anything is judged against the state before the batch, as if the batch
        # had arrived in timestamp order; a duplicate or superseded message is then "stale", not "applied".
        changed = ts > self.last_update_ts_[rows]
        for values, stamps, where, new, event in (
            (
                self.free_bays_,
                self.free_bays_ts_,
                rows,
                np.where(over, self.bays[rows], cols.free_bays),
                every,
            ),
            (self.technicians_on_duty_, self.technicians_on_duty_ts_, rows, cols.technicians, every),
            (self.is_open_, self.is_open_ts_, rows, cols.is_open, every),
            (self.parts_.reshape(-1), self.parts_ts_.reshape(-1), cells, cols.part_qty, cols.part_event),
        ):
            use = (new >= 0) & keep[event]
            if use.any():
                changed[event[use][_merge_field(values, stamps, where[use], ts[event[use]], new[use])]] = True
        np.maximum.at(self.last_update_ts_, rows[keep], ts[keep])
        applied, n_bad = int(np.count_nonzero(changed & keep)), int(np.count_nonzero(bad))
        clipped = int(np.count_nonzero(over))
        return ApplyResult(
            applied, rows.size - applied - n_bad, cols.unknown_shop, n_bad + cols.dropped, clipped
        )

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The whole state as named numpy arrays (for ``np.savez``); ``from_arrays`` restores it."""
        state = {name: getattr(self, name) for name in _STATE}
        params = np.array([getattr(self, name) for name in _PARAMS])
        return {
            "shop_ids": np.array(self.shop_ids),
            "makes": np.array(self.makes, dtype=str),
            **state,
            "bays": self.bays,
            "technicians": self.technicians,
            "params": params,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, NDArray[Any]]) -> Self:
        """Rebuild a state saved by ``to_arrays``; raises InvalidInputError if a key or shape is wrong."""
        missing = {"shop_ids", "makes", "bays", "technicians", "params", *_STATE} - set(arrays)
        if missing:
            raise InvalidInputError(f"Saved capacity state lacks the arrays {sorted(missing)}.")
        params = np.asarray(arrays["params"], dtype=np.float64)
        if params.shape != (len(_PARAMS),):
            raise InvalidInputError(f"params must hold {len(_PARAMS)} numbers {_PARAMS}, got {params.shape}.")
        shop_ids, makes = [str(s) for s in arrays["shop_ids"]], [str(m) for m in arrays["makes"]]
        state = cls(shop_ids, arrays["bays"], arrays["technicians"], makes, *params.tolist())
        for name in _STATE:
            current = getattr(state, name)
            saved = np.asarray(arrays[name])
            if saved.shape != current.shape:
                raise InvalidInputError(f"Saved {name} has shape {saved.shape}, expected {current.shape}.")
            current[...] = saved
        return state


_STATE = (
    "free_bays_", "technicians_on_duty_", "is_open_", "parts_", "last_update_ts_",
    "free_bays_ts_", "technicians_on_duty_ts_", "is_open_ts_", "parts_ts_",
)  # fmt: skip


def _merge_field(
    values: NDArray[Any], stamps: FloatArray, where: IntArray, ts: FloatArray, new: IntArray
) -> NDArray[np.bool_]:
    """Last-writer-wins merge of k updates (k,) into ``values``/``stamps`` at ``where``, ties to the min.

    Returns which updates beat the value held before this merge (newer, or as new and smaller).
    """
    before = stamps[where]
    won: NDArray[np.bool_] = (ts > before) | ((ts == before) & (new < values[where]))
    # ufunc.at handles repeated targets in O(k); a sort would cost O(k log k).
    np.maximum.at(stamps, where, ts)
    newest = ts == stamps[where]
    # A target whose stamp moved forward forgets its old value before the min over the newest updates.
    values[where[newest & (ts > before)]] = np.iinfo(values.dtype).max if values.dtype != bool else True
    np.minimum.at(values, where[newest], new[newest].astype(values.dtype))
    return won


def _check_params(stale_after_s: float, half_life_s: float, floor: float, skew_s: float) -> None:
    if not (np.isfinite(stale_after_s) and stale_after_s >= 0):
        raise InvalidInputError(f"stale_after_s must be a finite number >= 0, got {stale_after_s}.")
    if not (np.isfinite(half_life_s) and half_life_s > 0):
        raise InvalidInputError(f"half_life_s must be a finite number > 0, got {half_life_s}.")
    if not 0.0 <= floor <= 1.0:
        raise InvalidInputError(f"never_seen_floor must lie in [0, 1], got {floor}.")
    if not (np.isfinite(skew_s) and skew_s >= 0):
        raise InvalidInputError(f"max_clock_skew_s must be a finite number >= 0, got {skew_s}.")
