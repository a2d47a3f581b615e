"""`oracle`: the reference for regret. It knows what no policy can: each shop's true quality, cycle time
and rework rate, the exact state of every shop floor, and each customer's latent preferences.

Per candidate it estimates P(accept) from the customer's true view of the shop and the value of the
repair (expected satisfaction minus the cost term of the utility), and shows the k best by their product.
It is greedy per claim, so it is a strong reference, not a proven optimum: a policy may beat it at times.
"""

from __future__ import annotations

import numpy as np

from simulator.costs import claim_cost, claim_utility
from simulator.customers import satisfaction, visible_utility
from simulator.floor import Floor
from simulator.policies.base import BoolArray, FloatArray, IntArray, Offer, RulePolicy, best_k
from simulator.world import World


class Oracle(RulePolicy):
    name = "oracle"

    def __init__(self, world: World, floor: Floor) -> None:
        super().__init__(world, floor)
        table = world.shops.table
        self.rating = table["rating"].astype(np.float64)
        self.amenities = (table["courtesy_cars"] > 0) | table["pickup_service"].astype(bool)
        self.dealer = table["shop_type"] == world.shops.data.dealer_type
        self.makes = table["authorized_makes"].astype(np.int64)

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        score, wait = self.scores(claims)
        columns = best_k(-score, self.open_columns(claims, shown), self.k)
        return Offer(columns, np.take_along_axis(wait, np.maximum(columns, 0), axis=1))

    def scores(self, claims: IntArray) -> tuple[FloatArray, FloatArray]:
        """Expected utility of offering each candidate and its expected wait in days, both (n, K)."""
        w, c = self.world, self.world.config
        rows = np.maximum(self.rows[claims], 0).astype(np.int64)
        distance = np.minimum(self.distance[claims].astype(np.float64), 1e3)
        authorized = self.dealer[rows] & ((self.makes[rows] >> w.claims.make[claims][:, None]) & 1).astype(
            bool
        )
        wait = self._expected_wait(rows)
        seen = visible_utility(
            w.customers, claims, distance, self.rating[rows], authorized, self.amenities[rows], wait
        )
        p_accept = 1.0 / (
            1.0 + np.exp(-c.customers.choice_scale * (seen - w.customers.reservation[claims][:, None]))
        )
        cycle = wait + w.shops.true_cycle_days[rows] * w.claims.size[claims][:, None]
        deadline = w.claims.deadline_days[claims][:, None]
        missed = np.where(np.isnan(deadline), 0.0, (cycle > deadline).astype(np.float64))
        rework = w.shops.rework_p[rows]
        shape, many = rows.shape, np.repeat(claims, rows.shape[1])
        sat = satisfaction(
            c,
            w.customers,
            many,
            w.shops.quality_z[rows].ravel(),
            wait.ravel(),
            distance.ravel(),
            authorized.ravel(),
            rework.ravel(),
            missed.ravel(),
            noise=False,
        ).reshape(shape)
        bill = w.claims.base_cost[claims][:, None]
        cost = claim_cost(c, bill, w.shops.price_index[rows], rework, w.claims.rental[claims][:, None], cycle)
        return np.asarray(p_accept * claim_utility(c, sat, cost, bill), dtype=np.float64), wait

    def _expected_wait(self, rows: IntArray) -> FloatArray:
        """Days until a bay takes a car booked now: 0 with a free bay, else the queue ahead cleared."""
        f = self.floor
        free = f.free_bays()[rows]
        working = np.maximum(f.capacity_today - f.background, 1)[rows]
        ahead = (f.queued[rows] + 1) * self.world.shops.true_cycle_days[rows] * 0.8 / working
        return np.asarray(np.where(free > 0, 0.0, ahead), dtype=np.float64)
