"""Pareto ranking of candidate shops: non-dominated fronts, crowding distance and NSGA-II slates.

Every function takes an ``(n, m)`` objective array in which EVERY column is minimised (negate a
column such as "rating" before calling). Rows are candidates, columns are objectives.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dispatch_core.errors import InvalidInputError

# Caps each transient boolean block of the pairwise comparison at ~16 MB, so many thousands of
# candidates never allocate a full (n, n) temporary at once.
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
    dominates = np.empty((n, n), dtype=np.bool_)
    block = max(1, _BLOCK_CELLS // max(1, n))
    for start in range(0, n, block):
        left = values[start : start + block]
        # Column by column: reducing a short last axis with .all() is ~10x slower than m 2-D passes.
        no_worse = left[:, 0, None] <= values[None, :, 0]
        better = left[:, 0, None] < values[None, :, 0]
        for j in range(1, m):
            no_worse &= left[:, j, None] <= values[None, :, j]
            better |= left[:, j, None] < values[None, :, j]
        # Equal rows are not "no worse everywhere and better somewhere", so duplicates never dominate.
        dominates[start : start + block] = no_worse & better
    return dominates


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
    remaining = np.ones(n, dtype=np.bool_)
    fronts: list[NDArray[np.int64]] = []
    found, limit = 0, n if max_rows is None else max_rows
    while remaining.any() and found < limit:
        front = np.flatnonzero(remaining & (n_dominators == 0)).astype(np.int64)
        fronts.append(front)
        found += front.size
        remaining[front] = False
        # Peeling a front frees the rows it dominated; counts of removed rows are never read again.
        n_dominators -= dominates[front].sum(axis=0)
    return fronts


def _column_orders(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return (n, m) row orders, one per column, sorting ties by the whole row then by index.

    pymoo breaks ties by input position (stable sort); breaking them by the row's values instead
    keeps crowding invariant to row order and equals pymoo's result on lexicographically sorted rows.
    """
    row_rank = np.lexsort(values.T[::-1])  # rows in lexicographic order of (col 0, col 1, ...)
    # A stable sort of the lexicographically sorted rows breaks value ties by that order.
    return row_rank[np.argsort(values[row_rank], axis=0, kind="stable")].astype(np.int64)


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
    return _crowding(_as_objectives(objectives))


def _crowding(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``crowding_distance`` on checked values."""
    n, m = values.shape
    if n <= 2:
        return np.full(n, np.inf)
    order = _column_orders(values)
    columns = np.arange(m)
    ranked = values[order, columns]  # fancy indexing: same as take_along_axis, without its overhead
    span = ranked[-1] - ranked[0]
    padded = np.full((n + 1, m), np.inf)
    # A constant column would divide 0 (or inf) by 0; pymoo zeroes such terms, so do we.
    padded[1:-1] = (ranked[1:] - ranked[:-1]) / np.where(span > 0, span, 1.0)
    padded[:, span <= 0] = 0.0
    distance = np.empty((n, m))
    distance[order, columns] = padded[:-1] + padded[1:]
    return np.asarray(distance.sum(axis=1) / m, dtype=np.float64)


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
        if room <= 0:
            break
        if front.size > room:
            front = front[_crowded_order(values[front], weight)[:room]]
        chosen.append(front)
        room -= front.size
    return np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)


def _as_weights(weights: ArrayLike | None, m: int) -> NDArray[np.float64]:
    if weights is None:
        return np.full(m, 1.0 / max(m, 1))
    weight = np.asarray(weights, dtype=np.float64)
    if weight.shape != (m,) or not np.isfinite(weight).all() or (weight < 0).any():
        raise InvalidInputError(f"Weights must be {m} finite non-negative numbers, one per objective.")
    return weight


def _crowded_order(front: NDArray[np.float64], weight: NDArray[np.float64]) -> NDArray[np.int64]:
    """Order the members of one front: most isolated first, then the deterministic tie-breaks."""
    crowding = _crowding(front)
    weighted = (front * weight).sum(axis=1)
    # np.lexsort sorts by the LAST key first: crowding desc, weighted sum, row values, index.
    keys = (np.arange(front.shape[0]), *front.T[::-1], weighted, -crowding)
    return np.lexsort(keys).astype(np.int64)
