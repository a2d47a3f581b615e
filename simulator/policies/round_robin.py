"""`round_robin`: rotate claims over the nearby capable shops, the least recently offered first.

The rotation group is the `round_robin_pool` nearest capable shops not yet shown to the claim; within it
the shops with the fewest offers so far go first (ties: nearer first). That is a per-area rotation list,
as rule-based dispatch desks run it: even in counts, blind to capacity, quality and preferences.
"""

from __future__ import annotations

import numpy as np

from simulator.floor import Floor
from simulator.policies.base import BoolArray, IntArray, Offer, RulePolicy, best_k
from simulator.world import World


class RoundRobin(RulePolicy):
    name = "round_robin"

    def __init__(self, world: World, floor: Floor) -> None:
        super().__init__(world, floor)
        self.pool = world.config.baselines.round_robin_pool
        self.offers = np.zeros(len(world.shops), dtype=np.int64)

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        allowed = self.open_columns(claims, shown)
        nearest_first = np.cumsum(allowed, axis=1)  # allowed columns are already nearest first
        group = allowed & (nearest_first <= self.pool)
        rows = self.rows[claims]
        key = np.asarray(
            self.offers[np.maximum(rows, 0)] * 1000.0 + np.arange(rows.shape[1]), dtype=np.float64
        )
        picks = best_k(key, group, self.k)
        offered = np.take_along_axis(rows, np.maximum(picks, 0), axis=1)[picks >= 0]
        np.add.at(self.offers, offered.astype(np.int64), 1)
        return Offer(picks)
