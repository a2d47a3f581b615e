"""`nearest`: the k nearest capable shops (the distance-only rule the seed case replaced)."""

from __future__ import annotations

import numpy as np

from simulator.policies.base import BoolArray, IntArray, Offer, RulePolicy, best_k


class Nearest(RulePolicy):
    name = "nearest"

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        return Offer(
            best_k(self.distance[claims].astype(np.float64), self.open_columns(claims, shown), self.k)
        )
