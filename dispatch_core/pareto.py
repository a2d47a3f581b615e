"""Pareto ranking of candidate shops: non-dominated fronts, crowding distance and NSGA-II slates.

Every function takes an ``(n, m)`` objective array in which EVERY column is minimised (negate a
column such as "rating" before calling). Rows are candidates, columns are objectives.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dispatch_core.errors import InvalidInputError

# Caps each transient boolean block of the pairwise comparison at ~16 MB, so many thousands of
# candidates never allocate a full (m, n, n) temporary at once.
_BLOCK_CELLS = 1 << 24


def _as_objectives(objectives: ArrayLike) -> NDArray[np.float64]:
    values = np.asarray(objectives, dtype=np.float64)
    if values.ndim != 2:
        raise InvalidInputError(f"Objectives must be a 2-D (n, m) array, got {values.ndim} dimension(s).")
    if values.shape[1] == 0:
        raise InvalidInputError("Objectives must have at least one column (objective).")
    if not np.isfinite(values).all():
        raise InvalidInputError("Objectives must be finite numbers; NaN or infinity was found.")
    return values


def _domination_matrix(values: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Return ``dominates`` of shape (n, n) where ``dominates[i, j]`` means row i dominates row j."""
    n, m = values.shape
    columns = values.T.copy()  # (m, n): each objective contiguous
    # "No worse everywhere and better somewhere" is "no worse, and the other row is not no worse than this
    # one" (both fail alike on NaN): half the comparisons. On booleans, a & ~b is a > b. Equal rows are each
    # no worse than the other, so duplicates never dominate.
    if m * n * n <= _BLOCK_CELLS:
        no_worse = _no_worse(columns, columns)
        return no_worse > no_worse.T
    dominates = np.empty((n, n), dtype=np.bool_)
    block = max(1, _BLOCK_CELLS // (m * n))
    for start in range(0, n, block):
        left = columns[:, start : start + block]
        dominates[start : start + block] = _no_worse(left, columns) > _no_worse(columns, left).T
    return dominates


def _no_worse(left: NDArray[np.float64], right: NDArray[np.float64]) -> NDArray[np.bool_]:
    """(l, r) from objectives by column, (m, l) and (m, r): whether left row i is <= right row j in all."""
    # One (m, l, r) comparison reduced over its first axis: reducing the short LAST axis of an (l, r, m)
    # one with .all() is ~10x slower, and m separate 2-D passes pay numpy's per-call overhead m times.
    no_worse: NDArray[np.bool_] = np.logical_and.reduce(left[:, :, None] <= right[:, None, :], axis=0)
    return no_worse


def non_dominated_fronts(objectives: ArrayLike, max_rows: int | None = None) -> list[NDArray[np.int64]]:
    """Split candidates into successive non-dominated fronts (fast non-dominated sort).

    Parameters
    ----------
    objectives : array-like of shape (n, m)
        Objective values, every column minimised.
    max_rows : int, optional
        Stop once the fronts found hold at least this many rows (selection needs no more).

    Returns
    -------
    list of NDArray[np.int64]
        Front 0 first; each front holds ascending row indices. The fronts partition
        ``range(n)``; an empty input gives an empty list. Identical rows share a front.

    Raises
    ------
    InvalidInputError
        If the input is not 2-D or holds NaN or infinity.
    """
    return _fronts(_as_objectives(objectives), max_rows)


def _fronts(values: NDArray[np.float64], max_rows: int | None) -> list[NDArray[np.int64]]:
    """``non_dominated_fronts`` on checked values (internal callers have checked them already)."""
    n = values.shape[0]
    dominates = _domination_matrix(values)
    n_dominators = dominates.sum(axis=0)
    fronts: list[NDArray[np.int64]] = []
    found, limit = 0, n if max_rows is None else min(n, max_rows)
    while found < limit:
        front = (n_dominators == 0).nonzero()[0].astype(np.int64, copy=False)
        fronts.append(front)
        found += front.size
        if found >= limit:
            break
        # Peeling a front frees the rows it dominated. A peeled row goes negative (counts only fall), so it
        # is never taken again.
        n_dominators[front] = -1
        n_dominators -= dominates[front].sum(axis=0)
    return fronts


def _lexicographic(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rows in lexicographic order of (col 0, col 1, ...), ties by index (np.lexsort is stable)."""
    return np.lexsort(values.T[::-1]).astype(np.int64, copy=False)


def _column_orders(values: NDArray[np.float64], row_rank: NDArray[np.int64]) -> NDArray[np.int64]:
    """Return (n, m) row orders, one per column, sorting ties by the whole row then by index.

    pymoo breaks ties by input position (stable sort); breaking them by the row's values instead
    keeps crowding invariant to row order and equals pymoo's result on lexicographically sorted rows.
    ``row_rank`` is ``_lexicographic(values)``.
    """
    # A stable sort of the lexicographically sorted rows breaks value ties by that order.
    return row_rank[values[row_rank].argsort(axis=0, kind="stable")]


def crowding_distance(objectives: ArrayLike) -> NDArray[np.float64]:
    """NSGA-II crowding distance of the rows of ONE front, as pymoo 0.6.2's ``calc_crowding_distance``.

    Parameters
    ----------
    objectives : array-like of shape (n, m)
        Objective values of the members of a single front.

    Returns
    -------
    NDArray[np.float64] of shape (n,)
        Mean over objectives of the normalised gap between each row's two neighbours.
        Boundary rows of a non-constant objective get ``inf``; a constant objective adds 0;
        with ``n <= 2`` every row gets ``inf`` (pymoo's "cd" convention).

    Notes
    -----
    Equal values within a column are ordered by the full row and not by input position, so the
    result is invariant to permuting rows (identical rows may swap values among themselves).
    """
    values = _as_objectives(objectives)
    return _crowding(values, _lexicographic(values))


def _crowding(values: NDArray[np.float64], row_rank: NDArray[np.int64]) -> NDArray[np.float64]:
    """``crowding_distance`` on checked values; ``row_rank`` is ``_lexicographic(values)``."""
    n, m = values.shape
    if n <= 2:
        return np.full(n, np.inf)
    # Flat C-order positions of (order[p, j], j): 1-D gathers and scatters cost less than 2-D fancy indexing.
    cells = _column_orders(values, row_rank) * m + np.arange(m)
    ranked = values.ravel()[cells]
    span = ranked[-1] - ranked[0]
    varies = span > 0
    padded = np.empty((n + 1, m))
    # A constant column would divide 0 by 0; pymoo zeroes such terms, so do we. Its gaps are 0 already
    # (the values are finite), which leaves its boundary terms, inf in a column that varies.
    padded[0] = padded[n] = np.where(varies, np.inf, 0.0)
    padded[1:-1] = (ranked[1:] - ranked[:-1]) / np.where(varies, span, 1.0)
    distance = np.empty(n * m)
    distance[cells] = padded[:-1] + padded[1:]
    crowding: NDArray[np.float64] = distance.reshape(n, m).sum(axis=1) / m
    return crowding


def select_slate(objectives: ArrayLike, k: int, weights: ArrayLike | None = None) -> NDArray[np.int64]:
    """Pick ``k`` diverse, good rows by NSGA-II survival: whole fronts first, then crowding.

    Parameters
    ----------
    objectives : array-like of shape (n, m)
        Objective values, every column minimised.
    k : int
        Slate size; ``min(k, n)`` rows are returned.
    weights : array-like of shape (m,), optional
        Non-negative tie-break weights for the objectives; equal weights by default.

    Returns
    -------
    NDArray[np.int64] of shape (min(k, n),)
        Selected row indices: earlier fronts first, the cut front by descending crowding.

    Notes
    -----
    Ties in crowding are broken by the weighted sum of objectives (smaller first), then by the
    row's values in lexicographic order, and only then by index. So the *values* of the selected
    rows never depend on input order; indices differ only among identical rows.
    """
    values = _as_objectives(objectives)
    if k <= 0:
        raise InvalidInputError(f"The slate size k must be a positive integer, got {k}.")
    weight = _as_weights(weights, values.shape[1])
    chosen: list[NDArray[np.int64]] = []
    room = min(k, values.shape[0])
    for front in _fronts(values, max_rows=room):
        if front.size > room:
            front = front[_crowded_order(values[front], weight)[:room]]
        chosen.append(front)
        room -= front.size  # _fronts stops once the fronts found fill the slate
    if len(chosen) == 1:
        return chosen[0]
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def _as_weights(weights: ArrayLike | None, m: int) -> NDArray[np.float64]:
    if weights is None:
        return np.full(m, 1.0 / max(m, 1))
    if isinstance(weights, tuple):  # ranking passes a strategy's tuple on every request: check it once
        try:
            return _checked_weights(weights, m)
        except TypeError:  # unhashable members: check them below, every time
            pass
    weight = np.asarray(weights, dtype=np.float64)
    if weight.shape != (m,) or not np.isfinite(weight).all() or (weight < 0).any():
        raise InvalidInputError(f"Weights must be {m} finite non-negative numbers, one per objective.")
    return weight


@lru_cache(maxsize=256)
def _checked_weights(weights: tuple[float, ...], m: int) -> NDArray[np.float64]:
    weight = _as_weights(list(weights), m)
    weight.flags.writeable = False  # shared between calls through the cache
    return weight


def _crowded_order(front: NDArray[np.float64], weight: NDArray[np.float64]) -> NDArray[np.int64]:
    """Order the members of one front: most isolated first, then the deterministic tie-breaks."""
    row_rank = _lexicographic(front)
    crowding = _crowding(front, row_rank)
    weighted = (front * weight).sum(axis=1)
    # By crowding desc, weighted sum, row values, index. row_rank is already in order of the last two, and
    # np.lexsort (the LAST key first) is stable: sorting its positions by the first two keys does the rest.
    return row_rank[np.lexsort((weighted[row_rank], -crowding[row_rank]))]
