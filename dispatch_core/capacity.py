"""Live capacity of every shop (free bays, technicians, parts, open/closed), merged from capacity events.

Each field is a last-writer-wins register with its own timestamp: a field takes an event's value only if
the event is newer than the field's last value, and equal timestamps resolve to the smaller (more cautious)
value. The merge is therefore commutative: a batch, a shuffled stream or a replay gives the same state, and
a late event can never roll a newer value back, yet still fills in fields that no newer event carried.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
_PARAMS = ("stale_after_s", "half_life_s", "never_seen_floor", "max_clock_skew_s")
ABSENT = -1
"""Marks a field an event does not carry, in ``apply_arrays`` columns and for unknown parts stock."""
_BAD = -2  # a value that makes its event invalid; the merge counts it
_MAX_COUNT = 2**31  # larger counts are typos, and would overflow the int32 parts column
_STATUS = {None: ABSENT, "open": 1, "closed": 0}


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
    return np.maximum(np.exp2(-excess / half_life_s), floor)


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
            parts = np.full(rows.size, ABSENT, np.int32) if col is None else self.parts_[rows, col]
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
    if not np.all(np.isfinite(cycle) & (cycle > 0)):
        raise InvalidInputError("mean_cycle_days must be finite and > 0.")
    queued = np.zeros(snapshot.rows.size) if queue_len is None else np.asarray(queue_len, dtype=np.float64)
    if queued.shape != snapshot.rows.shape or np.any(queued < 0):
        raise InvalidInputError(
            f"queue_len must be >= 0 with shape {snapshot.rows.shape}, got {queued.shape}."
        )
    free_now = snapshot.is_open & (snapshot.free_bays > 0)
    with np.errstate(divide="ignore"):
        busy = cycle * (queued + 1.0) / snapshot.bays
    live = np.where(free_now, 0.0, busy)
    fresh = snapshot.freshness
    # Written as a select, not fresh * live + ..., so an inf live wait with freshness 0 gives the prior.
    return np.where(fresh > 0, fresh * live, 0.0) + (1.0 - fresh) * np.asarray(prior_days, dtype=np.float64)


def is_full(snapshot: CapacitySnapshot, include_stale: bool = False) -> NDArray[np.bool_]:
    """Shops (n,) reported without a free bay. A stale report is no hard fact: unless ``include_stale``,
    it is left to ``expected_wait_days`` to down-weight rather than filter out."""
    return (snapshot.free_bays <= 0) & (include_stale | ~snapshot.is_stale)


def is_closed(snapshot: CapacitySnapshot, include_stale: bool = False) -> NDArray[np.bool_]:
    """Shops (n,) reported closed; stale reports count only with ``include_stale`` (see ``is_full``)."""
    return ~snapshot.is_open & (include_stale | ~snapshot.is_stale)


_STATE = (
    "free_bays_", "technicians_on_duty_", "is_open_", "parts_", "last_update_ts_",
    "free_bays_ts_", "technicians_on_duty_ts_", "is_open_ts_", "parts_ts_",
)  # fmt: skip


@dataclass(frozen=True)
class _Columns:
    """k placed events as columns (k,) (-1 absent, -2 invalid); parts as (p,) triples of event index,
    make column and quantity; ``dropped`` events could not be placed (not a mapping, no string shop_id)."""

    rows: IntArray
    ts: FloatArray
    free_bays: IntArray
    technicians: IntArray
    is_open: IntArray
    part_event: IntArray
    part_col: IntArray
    part_qty: IntArray
    unknown_shop: int = 0
    dropped: int = 0


def _parse_events(
    events: Iterable[Mapping[str, Any]],
    row_of: dict[Any, int],
    make_col: dict[str, int],
    cache: dict[Any, float],
) -> _Columns:
    """One pass of plain Python over the dicts; every check that can wait is left to the vectorised merge.

    This loop is the cost of ``apply_events`` (about 1 µs an event), so it binds methods to locals and
    checks the common case (an int count, a cached timestamp text) inline before calling a helper.
    """
    rows: list[int] = []
    ts: list[float] = []
    free: list[int] = []
    techs: list[int] = []
    status: list[int] = []
    parts: list[tuple[int, int, int]] = []
    add_row, add_ts, add_free = rows.append, ts.append, free.append
    add_tech, add_status = techs.append, status.append
    find_row, cached, status_code = row_of.get, cache.get, _STATUS.get
    unknown = dropped = 0
    for event in events:
        try:
            get = event.get
            shop = get("shop_id")
            row = find_row(shop)
            stamp = get("ts")
            t = cached(stamp)
            f, h = get("free_bays"), get("technicians_on_duty")
            state = status_code(get("status"), _BAD)
            stock = get("parts_in_stock")
        except (AttributeError, TypeError):  # not a mapping, or an unhashable field
            dropped += 1
            continue
        if row is None:
            unknown, dropped = (unknown + 1, dropped) if type(shop) is str else (unknown, dropped + 1)
            continue
        if stock is not None:
            parts += [(len(rows), col, qty) for col, qty in _parts(stock, make_col)]
        add_row(row)
        add_ts(_epoch(stamp, cache) if t is None else t)
        add_free(f if type(f) is int and 0 <= f < _MAX_COUNT else _count(f))
        add_tech(h if type(h) is int and 0 <= h < _MAX_COUNT else _count(h))
        add_status(state)
    p = np.array(parts, dtype=np.int64).reshape(-1, 3)
    r, f_, h_, o = (np.array(c, dtype=np.int64) for c in (rows, free, techs, status))
    return _Columns(r, np.array(ts, dtype=np.float64), f_, h_, o, p[:, 0], p[:, 1], p[:, 2], unknown, dropped)


def _count(value: object) -> int:
    if value is None:
        return ABSENT
    if type(value) is int:
        return value if 0 <= value < _MAX_COUNT else _BAD
    if type(value) is float and value.is_integer() and 0 <= value < _MAX_COUNT:
        return int(value)
    return _BAD


def _epoch(stamp: object, cache: dict[str, float]) -> float:
    """Epoch seconds of an ISO-8601 string (naive means UTC) or a number; NaN when it is neither."""
    if type(stamp) is float or type(stamp) is int:
        return float(stamp)
    if type(stamp) is not str:
        return np.nan
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return np.nan
    seconds = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    # Minute-level sensing sends many events with the same timestamp text: parse each text once.
    if len(cache) >= 100_000:
        cache.clear()
    cache[stamp] = seconds
    return seconds


def _parts(stock: object, make_col: dict[str, int]) -> list[tuple[int, int]]:
    """(make column, quantity) pairs of the tracked makes; a non-mapping gives one invalid pair."""
    if not isinstance(stock, Mapping):
        return [(0, _BAD)]
    return [(col, _count(qty)) for make, qty in stock.items() if (col := make_col.get(make)) is not None]


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


def _counts(values: Any, shape: int | tuple[int, ...], name: str) -> IntArray:
    array = np.asarray(values)
    expected = (shape,) if isinstance(shape, int) else shape
    if array.shape != expected or not np.issubdtype(array.dtype, np.integer):
        raise InvalidInputError(
            f"{name} must be integers of shape {expected}, got {array.dtype} {array.shape}."
        )
    if np.any(array < 0):
        raise InvalidInputError(f"{name} must be >= 0 everywhere.")
    return array.astype(np.int64)


def _rows(rows: Any, n_shops: int) -> IntArray:
    array = np.asarray(rows)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise InvalidInputError(f"rows must be a 1-D integer array, got {array.dtype} {array.shape}.")
    if array.size and (array.min() < 0 or array.max() >= n_shops):
        raise InvalidInputError(f"rows must lie in [0, {n_shops}): the catalog has {n_shops} shops.")
    return array.astype(np.int64)


def _column(values: Any, k: int, name: str) -> IntArray:
    if values is None:
        return np.full(k, ABSENT, dtype=np.int64)
    array = np.asarray(values)
    if array.shape != (k,) or not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
        raise InvalidInputError(
            f"{name} must be integers of shape ({k},) like rows, got {array.dtype} {array.shape}."
        )
    return array.astype(np.int64)
