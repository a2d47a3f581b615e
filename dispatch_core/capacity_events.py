"""From capacity inputs to validated integer columns: contract event dicts (``apply_events``), trusted
array columns (``apply_arrays``), rows and catalog counts.

Parsing is lenient where a feed is concerned (a bad event is marked ``_BAD`` and counted by the merge, never
raised) and strict where the caller is (a wrong shape or dtype of an array argument raises).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.errors import InvalidInputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
ABSENT = -1
"""Marks a field an event does not carry, in ``apply_arrays`` columns and for unknown parts stock."""
_BAD = -2  # a value that makes its event invalid; the merge counts it
_MAX_COUNT = 2**31  # larger counts are typos, and would overflow the int32 parts column
_STATUS = {None: ABSENT, "open": 1, "closed": 0}


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
    if type(rows) is np.ndarray and rows.dtype == np.int64 and rows.ndim == 1:  # the hot path
        # Viewed as unsigned, a negative row is huge: one max() checks both bounds.
        if rows.size and rows.view(np.uint64).max() >= n_shops:
            raise InvalidInputError(f"rows must lie in [0, {n_shops}): the catalog has {n_shops} shops.")
        return rows.copy()
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
