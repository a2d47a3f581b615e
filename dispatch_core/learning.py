"""What each strategy has learned about each shop: a bandit policy plus a catalog prior for cold shops.

Every shop starts with one pseudo-observation worth its (shrunk) rating, so a brand-new shop is neither
ignored (mabwiser's UCB1 values an untried arm at 0) nor blindly trusted. The policy's optimism over that
evidence is the exploration bonus that lets promising new shops earn their first jobs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dispatch_core.domain import ShopData
from dispatch_core.errors import InvalidInputError, UnknownArmError
from dispatch_core.policies import POLICIES
from dispatch_core.policies.base import ArmStatePolicy
from dispatch_core.strategy import Strategy

CONTEXT_FREE = ("ucb1", "thompson")
FloatArray = NDArray[np.float64]


class ShopLearner:
    """Per-shop value estimates of one strategy. `mean_` is the evidence; the policy adds optimism."""

    def __init__(self, shops: ShopData, strategy: Strategy) -> None:
        if strategy.policy not in CONTEXT_FREE:
            raise InvalidInputError(
                f"Strategy {strategy.key} uses {strategy.policy!r}; per-request ranking supports "
                f"{CONTEXT_FREE} "
                "(contextual policies serve batch allocation)."
            )
        self.ids = np.asarray(shops.columns["shop_id"]).astype(str)
        self._row_of = {s: i for i, s in enumerate(self.ids.tolist())}
        reviews = shops.columns["review_count"].astype(np.float64)
        shrunk = (shops.columns["rating"] * reviews + 4.2 * 20.0) / (reviews + 20.0)
        prior = np.clip((shrunk - 2.5) / 2.5, 0.05, 0.95)
        self.policy: ArmStatePolicy = POLICIES[strategy.policy](
            arms=self.ids.tolist(), **dict(strategy.policy_params)
        )
        self.policy.partial_fit(self.ids, prior)
        self.n_ = np.ones(len(self.ids))
        self.sum_ = prior.astype(np.float64)

    def row_of(self, shop_id: str) -> int:
        try:
            return self._row_of[shop_id]
        except KeyError:
            raise UnknownArmError(f"No shop with id {shop_id!r} is known to the learner.") from None

    def values(self, rows: NDArray[np.int64], rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
        """(mean evidence, optimistic value) of `rows` (n,), both in [0, 1]."""
        mean = self.sum_[rows] / self.n_[rows]
        score = self.policy.score_rows(rows, rng=rng)  # policy rows are catalog rows (arms added in order)
        lift = score - mean
        # Squash the upside into [mean, 1): UCB bonuses of cold shops exceed 1 and would all tie when clipped.
        optimistic = np.where(lift > 0, mean + (1.0 - mean) * (1.0 - np.exp(-lift)), np.clip(score, 0.0, 1.0))
        return mean, optimistic

    def learn(self, shop_ids: Sequence[str], rewards: Sequence[float]) -> None:
        values = np.asarray(rewards, dtype=np.float64)
        if values.shape != (len(shop_ids),) or not np.all((values >= 0) & (values <= 1)):
            raise InvalidInputError("Rewards must be numbers in [0, 1], one per shop id.")
        rows = np.array([self.row_of(s) for s in shop_ids], dtype=np.int64)
        np.add.at(self.n_, rows, 1.0)
        np.add.at(self.sum_, rows, values)
        self.policy.partial_fit(list(shop_ids), values)
