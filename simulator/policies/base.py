"""What the engine asks of a dispatch policy, and the helpers the rule-based policies share.

A policy proposes, for a batch of claims, a slate of candidate *columns* (positions in each claim's row
of the candidate table), never showing a claim the same shop twice. It may watch capacity, learn from
outcomes and count accepted jobs; the rule-based baselines do none of that.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from simulator.floor import Floor
from simulator.world import World

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Offer(NamedTuple):
    """Slates for n claims: candidate `columns` (n, k), -1 for an empty slot, and the wait in days the
    policy quotes for each shop (n, k), or None when it quotes none."""

    columns: IntArray
    quoted_wait: FloatArray | None = None


class Policy(Protocol):
    name: str

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        """Slates for claims `claims` (n,); `shown` (n, K) marks columns already shown to each claim;
        `slate` counts from 0 (0 = first slate)."""
        ...

    def observe(self, floor: Floor, now_s: float) -> None:
        """See the floor at the start of a step (the hub reads capacity events from it)."""
        ...

    def accepted(self, claims: IntArray, shops: IntArray) -> None:
        """Claims `claims` were accepted at catalog rows `shops`."""
        ...

    def completed(self, shops: IntArray, rewards: FloatArray) -> None:
        """Repairs at `shops` ended with `rewards` (satisfaction in [0, 1])."""
        ...

    def new_month(self) -> None:
        """A calendar month starts (monthly targets reset)."""
        ...


class RulePolicy:
    """No-op hooks for the rule-based baselines: they neither watch capacity nor learn."""

    name = "rule"

    def __init__(self, world: World, floor: Floor) -> None:
        self.world, self.floor = world, floor
        self.k = world.config.slate_size
        self.rows = world.candidates.rows
        self.distance = world.candidates.distance_km

    def observe(self, floor: Floor, now_s: float) -> None:
        return None

    def accepted(self, claims: IntArray, shops: IntArray) -> None:
        return None

    def completed(self, shops: IntArray, rewards: FloatArray) -> None:
        return None

    def new_month(self) -> None:
        return None

    def open_columns(self, claims: IntArray, shown: BoolArray) -> BoolArray:
        """Columns that hold a shop not yet shown to the claim, (n, K)."""
        return np.asarray((self.rows[claims] >= 0) & ~shown)


def best_k(key: FloatArray, allowed: BoolArray, k: int) -> IntArray:
    """The k allowed columns with the smallest `key` per row (ties: left first), -1 where too few."""
    width = key.shape[1]
    masked = np.where(allowed, key, np.inf)
    order = np.argsort(masked, axis=1, kind="stable")[:, :k]
    ok = np.take_along_axis(allowed, order, axis=1)
    out = np.where(ok, order, -1).astype(np.int64)
    if out.shape[1] < k:  # fewer candidates than slots
        out = np.concatenate([out, np.full((len(out), k - width), -1, dtype=np.int64)], axis=1)
    return out
