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
CONTEXTUAL = ("linucb", "linear_thompson")
# What a contextual policy sees of a (claim, shop) pair: an intercept and the utilities in [0, 1] of the
# factors whose effect on the outcome plausibly differs by shop (a shop good for nearby BMW collision work
# may be poor for a far-away EV battery job). `context_of` builds it from the factor matrix.
CONTEXT_FACTORS: tuple[str, ...] = ("distance_km", "authorized_for_make", "certified_for_damage")
CONTEXT_FACTORS += ("expected_wait_days", "parts_in_stock")
N_CONTEXT = 1 + len(CONTEXT_FACTORS)
TYPICAL_CONTEXT = np.array([1.0] + [0.5] * len(CONTEXT_FACTORS))  # where the rating prior is placed
FloatArray = NDArray[np.float64]


def context_of(names: Sequence[str], utilities: FloatArray) -> FloatArray:
    """Contexts (n, N_CONTEXT) from a factor matrix's names and utilities (n, f)."""
    columns = [names.index(name) for name in CONTEXT_FACTORS]
    out = np.ones((utilities.shape[0], N_CONTEXT))
    out[:, 1:] = utilities[:, columns]
    return out


class ShopLearner:
    """Per-shop value estimates of one strategy. `mean_` is the evidence; the policy adds optimism.

    Context-free policies (UCB1, Beta Thompson) learn one value per shop. Contextual ones (LinUCB, linear
    Thompson) learn per shop how the outcome depends on the claim-and-shop context (`context_of`); their
    outcomes must then come with the context the shop was offered in (each recommendation carries it).
    """

    def __init__(self, shops: ShopData, strategy: Strategy) -> None:
        if strategy.policy not in CONTEXT_FREE + CONTEXTUAL:
            raise InvalidInputError(
                f"Strategy {strategy.key} uses {strategy.policy!r}; ranking supports "
                f"{CONTEXT_FREE + CONTEXTUAL}."
            )
        self.contextual = strategy.policy in CONTEXTUAL
        self.ids = np.asarray(shops.columns["shop_id"]).astype(str)
        self._row_of = {s: i for i, s in enumerate(self.ids.tolist())}
        reviews = shops.columns["review_count"].astype(np.float64)
        shrunk = (shops.columns["rating"] * reviews + 4.2 * 20.0) / (reviews + 20.0)
        prior = np.clip((shrunk - 2.5) / 2.5, 0.05, 0.95)
        params = dict(strategy.policy_params)
        if self.contextual:
            params["n_features"] = N_CONTEXT
        self.policy: ArmStatePolicy = POLICIES[strategy.policy](arms=self.ids.tolist(), **params)
        contexts = np.broadcast_to(TYPICAL_CONTEXT, (len(self.ids), N_CONTEXT)) if self.contextual else None
        self.policy.partial_fit(self.ids, prior, contexts)
        self.n_ = np.ones(len(self.ids))
        self.sum_ = prior.astype(np.float64)

    def knows(self, shop_id: str) -> bool:
        return shop_id in self._row_of

    def row_of(self, shop_id: str) -> int:
        try:
            return self._row_of[shop_id]
        except KeyError:
            raise UnknownArmError(f"No shop with id {shop_id!r} is known to the learner.") from None

    def values(
        self, rows: NDArray[np.int64], rng: np.random.Generator, contexts: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """(mean evidence, optimistic value) of `rows` (n,), both in [0, 1]; contextual policies judge
        each shop in its own context (n, N_CONTEXT)."""
        if self.contextual:
            if contexts is None:
                raise InvalidInputError("A contextual strategy needs the candidates' contexts.")
            mean = np.clip(self.policy.expect_pairs(rows, contexts), 0.0, 1.0)
            score = self.policy.score_pairs(rows, contexts, rng=rng)
        else:
            mean = self.sum_[rows] / self.n_[rows]
            score = self.policy.score_rows(
                rows, rng=rng
            )  # policy rows are catalog rows (arms added in order)
        # Squash the upside (score - mean > 0) into [mean, 1): UCB bonuses of cold shops exceed 1 and would
        # all tie when clipped. mean - score is -(score - mean) exactly, and score > mean is score - mean > 0.
        squashed = mean + (1.0 - mean) * (1.0 - np.exp(mean - score))
        optimistic = np.clip(score, 0.0, 1.0)  # not clip01: np.clip keeps the sign of a -0.0 score
        np.copyto(optimistic, squashed, where=score > mean)
        return mean, optimistic

    def learn(
        self, shop_ids: Sequence[str], rewards: Sequence[float], contexts: FloatArray | None = None
    ) -> None:
        values = np.asarray(rewards, dtype=np.float64)
        if values.shape != (len(shop_ids),) or not np.all((values >= 0) & (values <= 1)):
            raise InvalidInputError("Rewards must be numbers in [0, 1], one per shop id.")
        if self.contextual and contexts is None:
            raise InvalidInputError(
                "This strategy's policy is contextual: an outcome needs the context the shop was offered "
                "in (the recommendation's `context`)."
            )
        rows = np.array([self.row_of(s) for s in shop_ids], dtype=np.int64)
        np.add.at(self.n_, rows, 1.0)
        np.add.at(self.sum_, rows, values)
        self.policy.partial_fit(list(shop_ids), values, contexts if self.contextual else None)
