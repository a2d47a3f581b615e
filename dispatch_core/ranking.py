"""The ranking entry point: `Dispatcher.rank(request, candidates, k)` -> `Decision`.

One request runs: hard filters -> factor matrix -> four objectives (customer utility, utilisation balance,
insurer cost, learned value with its exploration bonus) -> NSGA-II selection of a diverse Pareto pool ->
exploration budget -> a Plackett-Luce draw of the slate by scalar score (temperature from the strategy), whose
per-rank probabilities are logged as propensities for off-policy evaluation. Every recommendation carries its
factors; their contributions add up to its score.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.capacity import CapacityState, expected_wait_days
from dispatch_core.capacity_snapshot import unchecked_wait_days
from dispatch_core.domain import Candidates, ClaimRequest, Decision, Factor, Recommendation, ShopData
from dispatch_core.errors import InvalidInputError, NoCandidatesError
from dispatch_core.exposure import ExposureTracker
from dispatch_core.features import FACTOR_NAMES, FactorMatrix, StaticFactors, build_factors, clip01
from dispatch_core.filters import hard_filter
from dispatch_core.learning import ShopLearner, context_of
from dispatch_core.pareto import select_slate
from dispatch_core.slate import plackett_luce, shortlist
from dispatch_core.strategy import OBJECTIVES, Strategy

FloatArray = NDArray[np.float64]
_COST = FACTOR_NAMES.index("cost_index")
_EXPLORATION, _LEARNED = OBJECTIVES.index("exploration"), len(OBJECTIVES)  # rows of the weighted utilities
# Factors a recommendation carries beyond the customer's: the other objectives and the exploration terms.
_EXTRA_FACTORS = ("utilization_balance", "insurer_cost", "learned_value", "exploration_bonus", "new_shop")


@dataclass(frozen=True)
class _Plan:
    """A strategy's objective weights in OBJECTIVES order, worked out once rather than on every request:
    `shares` of the score (over their sum; the learned value takes the exploration share), the raw weights
    that break crowding ties (a tuple, so select_slate checks them once and then finds them in its cache)."""

    key: str
    strategy: Strategy
    shares: tuple[float, ...]
    share_column: FloatArray  # shares as a (4, 1) column, to weight the (4, n) utilities at once
    pareto_weights: tuple[float, ...]

    @classmethod
    def of(cls, key: str, strategy: Strategy) -> _Plan:
        weights = tuple(strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES)
        total = sum(weights)
        shares = tuple(w / total for w in weights)
        return cls(key, strategy, shares, np.array(shares)[:, None], weights)


class Dispatcher:
    """Ranks candidates under named strategies and learns from outcomes. One instance per catalog."""

    def __init__(
        self,
        shops: ShopData,
        strategies: Mapping[str, Strategy],
        capacity: CapacityState,
        exposure: ExposureTracker,
        default_strategy: str | None = None,
    ) -> None:
        if not strategies:
            raise InvalidInputError("A dispatcher needs at least one strategy.")
        self.shops, self.strategies = shops, dict(strategies)
        self.capacity, self.exposure = capacity, exposure
        self.default_strategy = default_strategy or next(iter(self.strategies))
        self.learners_ = {key: ShopLearner(shops, s) for key, s in self.strategies.items()}
        self.static_ = StaticFactors.build(shops)
        # Catalog columns every request reads as float64: converted once, not per request.
        self._cycle_days = shops.columns["mean_cycle_days"].astype(np.float64)
        # Checked once here when the whole catalog passes; otherwise per request, for the candidates only.
        valid = np.isfinite(self._cycle_days) & (self._cycle_days > 0)
        self._wait_days = unchecked_wait_days if valid.all() else expected_wait_days
        self._bays = shops.columns["bays"].astype(np.float64)
        self._plans: dict[str, _Plan] = {}

    def rank(
        self,
        request: ClaimRequest,
        candidates: Candidates,
        k: int = 3,
        strategy: str | None = None,
        rng: np.random.Generator | None = None,
        record: bool = True,
    ) -> Decision:
        """Recommend up to k shops; `NoCandidatesError` when every candidate fails a hard constraint."""
        if k < 1:
            raise InvalidInputError(f"k must be a positive number of shops, got {k}.")
        key, chosen = self.resolve_strategy(strategy)
        plan = self._plans.get(key)
        if plan is None or plan.strategy is not chosen:  # a strategy swapped in under its key is replanned
            plan = self._plans[key] = _Plan.of(key, chosen)
        rng = rng if rng is not None else np.random.default_rng()
        snapshot = self.capacity.snapshot(candidates.rows, request.now, make=request.make)
        keep, filtered = hard_filter(request, candidates, self.shops, snapshot, chosen)
        considered = len(candidates.rows)
        if sum(filtered.values()) == considered:  # each failing candidate counts once
            raise NoCandidatesError(f"All {considered} candidates fail a hard constraint: {filtered}.")
        # The survivors in catalog-row order (a stable sort: as if sorted before filtering), from here on:
        # every later tie is then broken by row, never by input position.
        at = keep.nonzero()[0]
        at = at[candidates.rows[at].argsort(kind="stable")]
        live = candidates.subset(at)
        wait = self._wait_days(snapshot, self._cycle_days[candidates.rows])[at]
        parts = self._parts(live.rows, snapshot.parts_for_make, at, request.make)
        free_bays = snapshot.free_bays[at].astype(np.float64)
        factors = build_factors(request, live, self.shops, wait, free_bays, parts, chosen, self.static_)
        objectives, weighted = self._objectives(plan, live.rows, factors, free_bays, rng, request.now)
        slate, propensities, exploring = self._slate(plan, objectives, weighted, k, rng, live.rows)
        decision = self._decision(
            plan, live, factors, weighted, wait, slate, propensities, exploring, considered, filtered
        )
        if record:
            self.exposure.record_offers(live.rows[slate])
        return decision

    def resolve_strategy(self, strategy: str | None) -> tuple[str, Strategy]:
        """(key, strategy) of a named strategy, or of the default one when None."""
        key = strategy or self.default_strategy
        if key not in self.strategies:
            raise InvalidInputError(f"Unknown strategy {key!r}; known: {sorted(self.strategies)}.")
        return key, self.strategies[key]

    def record_outcome(
        self, strategy: str, shop_id: str, reward: float, context: tuple[float, ...] | None = None
    ) -> None:
        """Feed an outcome (reward in [0, 1]: accepted, completed, satisfied) to the strategy's learner.

        Contextual strategies need the recommendation's `context` (what the policy saw when it offered it).
        """
        if strategy not in self.learners_:
            raise InvalidInputError(f"Unknown strategy {strategy!r}; known: {sorted(self.learners_)}.")
        x = np.asarray([context], dtype=np.float64) if context else None
        self.learners_[strategy].learn([shop_id], [reward], x)
        if reward >= 0.5:
            self.exposure.record_assignments(np.array([self.learners_[strategy].row_of(shop_id)]))

    def _parts(
        self, rows: NDArray[np.int64], live_parts: Any, at: NDArray[np.intp], make: str | None
    ) -> FloatArray:
        if make is None or make not in self.shops.makes:
            return np.full(len(rows), -1.0)
        # A column view, then a 1-D gather: cheaper than mixed fancy indexing [rows, col].
        catalog = self.shops.parts_stock[:, self.shops.makes.index(make)][rows].astype(np.float64)
        if live_parts is None:
            return catalog
        reported = np.asarray(live_parts)[at].astype(np.float64)
        np.copyto(catalog, reported, where=reported >= 0)  # a live report wins over the catalog
        return catalog

    def _objectives(
        self,
        plan: _Plan,
        rows: NDArray[np.int64],
        factors: FactorMatrix,
        free_bays: FloatArray,
        rng: np.random.Generator,
        now: float,
    ) -> tuple[FloatArray, FloatArray]:
        """Objectives (n, 4) to minimise, and the weighted utilities (5, n): each objective's share of the
        score in OBJECTIVES order, then the learned value's (the exploration share of the mean evidence)."""
        # One utility per objective, in OBJECTIVES order, as rows of one array: negating and weighting them
        # then takes one operation each rather than one per objective.
        utilities = np.empty((len(OBJECTIVES), len(rows)))
        utilities[0] = factors.customer_utility()
        # Balance: offers against capacity share (no shop starves or floods), free bays now, and how far the
        # shop is behind its pro-rated monthly production target (under-used and new shops catch up).
        behind = 1.0 - clip01(self.exposure.target_progress(rows, *_month_position(now)))
        exposure = 0.5 + 0.5 * self.exposure.exposure_adjustment(rows)
        balance = 0.45 * exposure + 0.3 * clip01(free_bays / self._bays[rows])
        np.add(balance, 0.25 * behind, out=utilities[1])
        utilities[2] = factors.utilities[:, _COST]
        learner = self.learners_[plan.key]
        contexts = context_of(factors.names, factors.utilities) if learner.contextual else None
        mean, score = learner.values(rows, rng, contexts)
        clip01(score, out=utilities[3])
        objectives = np.negative(utilities)
        weighted = np.empty((len(OBJECTIVES) + 1, len(rows)))
        np.multiply(plan.share_column, utilities, out=weighted[: len(OBJECTIVES)])
        np.multiply(plan.shares[_EXPLORATION], clip01(mean), out=weighted[_LEARNED])
        return objectives.T, weighted

    def _slate(
        self,
        plan: _Plan,
        objectives: FloatArray,
        weighted: FloatArray,
        k: int,
        rng: np.random.Generator,
        rows: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], FloatArray, NDArray[np.bool_]]:
        score = weighted[0] + weighted[1]
        for j in range(2, len(OBJECTIVES)):
            score += weighted[j]
        room = max(plan.strategy.pool_size, k)
        short = shortlist(objectives, score, 3 * room)
        pool = short[select_slate(objectives[short], min(len(short), room), weights=plan.pareto_weights)]
        # Best first; ties by position, which is catalog-row order.
        pool.sort()
        pool = pool[(-score[pool]).argsort(kind="stable")]
        pool_score, pool_weighted = score[pool], weighted[:, pool]
        exploit = pool_score - pool_weighted[_EXPLORATION] + pool_weighted[_LEARNED]
        cut = np.sort(exploit)[len(pool) - min(k, len(pool))]  # the k-th best
        exploring = exploit < cut - 1e-12  # in the pool only thanks to the exploration bonus
        # New shops get a bounded budget of such picks (the tracker keeps the long-run share); shops already
        # known may still be explored by the policy's own optimism.
        nurtured = (exploring & self.shops.is_new[rows[pool]]).nonzero()[0]
        if nurtured.size and nurtured.size > (allowed := self.exposure.exploration_allowed(k)):
            keep = np.ones(len(pool), dtype=np.bool_)
            keep[nurtured[allowed:]] = False  # drop the weakest new-shop exploration picks beyond the budget
            pool, exploring, pool_score = pool[keep], exploring[keep], pool_score[keep]
        picks, probabilities = plackett_luce(pool_score, min(k, len(pool)), plan.strategy.temperature, rng)
        return pool[picks], probabilities, exploring[picks]

    def _decision(
        self,
        plan: _Plan,
        live: Candidates,
        factors: FactorMatrix,
        weighted: FloatArray,
        wait: FloatArray,
        slate: NDArray[np.int64],
        propensities: FloatArray,
        exploring: NDArray[np.bool_],
        considered: int,
        filtered: dict[str, int],
    ) -> Decision:
        # Convert once to Python floats: per-element float() on numpy scalars dominates otherwise.
        values = factors.values[slate].tolist()
        contributions = (plan.shares[0] * factors.weights * factors.utilities[slate]).tolist()
        _, utilization, cost, exploration, learned = weighted[:, slate].tolist()
        rows = live.rows[slate]
        is_new, shop_ids = self.shops.is_new[rows].tolist(), self.shops.columns["shop_id"][rows].tolist()
        contextual = self.learners_[plan.key].contextual
        contexts = context_of(factors.names, factors.utilities[slate]).tolist() if contextual else None
        names = factors.names + _EXTRA_FACTORS
        waits, distances = wait[slate].tolist(), live.distance_km[slate].tolist()
        shown, probabilities = exploring.tolist(), propensities.tolist()
        recommendations = []
        for j, row in enumerate(rows.tolist()):
            bonus = exploration[j] - learned[j]
            extra_values = [utilization[j], values[j][_COST], learned[j], bonus, 1.0 if is_new[j] else 0.0]
            extra_contributions = [utilization[j], cost[j], learned[j], bonus, 0.0]
            # tuple.__new__(Factor, t) is Factor(*t) without the Python-level __new__ (~60 per decision).
            factors_j = zip(
                names, values[j] + extra_values, contributions[j] + extra_contributions, strict=True
            )
            items = tuple(map(tuple.__new__, repeat(Factor), factors_j))
            recommendations.append(
                Recommendation(
                    shop_id=str(shop_ids[j]),
                    row=row,
                    rank=j + 1,
                    score=sum(contributions[j]) + sum(extra_contributions),
                    exploration=shown[j],
                    propensity=probabilities[j],
                    expected_wait_days=waits[j],
                    distance_km=distances[j],
                    factors=items,
                    context=tuple(contexts[j]) if contexts is not None else (),
                )
            )
        return Decision(
            recommendations=tuple(recommendations),
            strategy=plan.key,
            strategy_version=plan.strategy.version,
            considered=considered,
            filtered=filtered,
            slate_propensity=math.prod(probabilities),  # propensities.prod() (in order), without numpy
        )


def _month_position(now: float) -> tuple[float, int]:
    """(day of month incl. the elapsed fraction of today, days in that month) for an epoch time, UTC."""
    return _month_position_at(int(now))


@lru_cache(maxsize=64)
def _month_position_at(now: int) -> tuple[float, int]:
    # Cached by whole second: the calendar work costs more than the rest of the utilisation objective.
    moment = dt.datetime.fromtimestamp(now, tz=dt.UTC)
    days = calendar.monthrange(moment.year, moment.month)[1]
    return moment.day - 1 + (moment.hour * 3600 + moment.minute * 60 + moment.second + 1) / 86400, days
