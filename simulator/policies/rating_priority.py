"""`rating_priority`: the best-rated capable shops within `rating_radius_km` (fixed-priority rule).

If fewer than a slate's worth lie within the radius, the nearest beyond it fill the slate.
"""

from __future__ import annotations

import numpy as np

from simulator.floor import Floor
from simulator.policies.base import BoolArray, IntArray, Offer, RulePolicy, best_k
from simulator.world import World


class RatingPriority(RulePolicy):
    name = "rating_priority"

    def __init__(self, world: World, floor: Floor) -> None:
        super().__init__(world, floor)
        self.radius = world.config.baselines.rating_radius_km
        self.rating = world.shops.table["rating"].astype(np.float64)

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        rows, distance = self.rows[claims], self.distance[claims].astype(np.float64)
        near = distance <= self.radius
        # Within the radius: by rating (best first); beyond it: by distance, after every shop within.
        key = np.where(near, -self.rating[np.maximum(rows, 0)], 10.0 + distance)
        return Offer(best_k(key, self.open_columns(claims, shown), self.k))
