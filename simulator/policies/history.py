"""The hub's memory of the network before the run: outcomes of established shops, none of new ones.

In production the hub's bandit has been learning for months when a new shop opens; an established
shop has a record of customer satisfaction, a new one only its catalog rating. So before the run the
hub's learner receives `hub_history_months` × the shop's monthly target of past outcomes for every
established shop, each a satisfaction drawn from the market model at a typical wait and distance.
New shops get no history: the bandit must find out how good they are, which is what its exploration
bonus is for.
"""

from __future__ import annotations

import numpy as np

from dispatch_core.learning import ShopLearner
from simulator.rng import stream
from simulator.world import World

TYPICAL_WAIT_DAYS = 0.5
TYPICAL_DISTANCE_SCALES = 0.8  # distance travelled, in units of the customer's distance scale
MAX_HISTORY = 200


def warm_start(learner: ShopLearner, world: World, months: float) -> None:
    """Feed each established shop's past outcomes to `learner` (new shops get none)."""
    shops, c = world.shops, world.config.customers
    count = np.where(shops.is_new, 0, np.minimum(np.round(shops.target * months), MAX_HISTORY)).astype(
        np.int64
    )
    if count.sum() == 0:
        return
    rows = np.repeat(np.arange(len(shops)), count)
    rng = stream(world.config.seed, "hub-history")
    logit = (
        c.satisfaction_base
        + c.satisfaction_quality * shops.quality_z[rows]
        - c.satisfaction_wait_per_day * TYPICAL_WAIT_DAYS * 1.25
        - c.satisfaction_distance * 1.25 * TYPICAL_DISTANCE_SCALES
        - c.satisfaction_rework * (rng.random(rows.size) < shops.rework_p[rows])
        + c.satisfaction_noise * rng.normal(size=rows.size)
    )
    rewards = 1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0)))
    learner.learn(shops.table["shop_id"][rows].tolist(), rewards.tolist())
