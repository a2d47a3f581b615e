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
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.capacity import CapacityState, expected_wait_days
from dispatch_core.domain import Candidates, ClaimRequest, Decision, Factor, Recommendation, ShopData
from dispatch_core.errors import InvalidInputError, NoCandidatesError
from dispatch_core.exposure import ExposureTracker
from dispatch_core.features import FACTOR_NAMES, FactorMatrix, StaticFactors, build_factors, clip01
from dispatch_core.filters import hard_filter
from dispatch_core.learning import ShopLearner, context_of
from dispatch_core.pareto import select_slate
from dispatch_core.strategy import OBJECTIVES, Strategy

FloatArray = NDArray[np.float64]
_COST = FACTOR_NAMES.index("cost_index")
# Factors a recommendation carries beyond the customer's: the other objectives and the exploration terms.
_EXTRA_FACTORS = ("utilization_balance", "insurer_cost", "learned_value", "exploration_bonus", "new_shop")


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
        rng = rng if rng is not None else np.random.default_rng()
        # Catalog-row order from here on: every later tie is then broken by row, never by input position.
        candidates = _subset(candidates, np.argsort(candidates.rows, kind="stable"))
        snapshot = self.capacity.snapshot(candidates.rows, request.now, make=request.make)
        keep, filtered = hard_filter(request, candidates, self.shops, snapshot, chosen)
        if not keep.any():
            raise NoCandidatesError(
                f"All {len(candidates.rows)} candidates fail a hard constraint: {filtered}."
            )
        live = _subset(candidates, keep)
        cycle = self.shops.columns["mean_cycle_days"][candidates.rows].astype(np.float64)
        wait = expected_wait_days(snapshot, cycle)[keep]
        parts = self._parts(live.rows, snapshot.parts_for_make, keep, request.make)
        free_bays = snapshot.free_bays[keep].astype(np.float64)
        factors = build_factors(request, live, self.shops, wait, free_bays, parts, chosen, self.static_)
        objectives, parts_of_score = self._objectives(
            key, chosen, live, factors, snapshot.free_bays[keep], rng, request.now
        )
        slate, propensities, exploring = self._slate(chosen, objectives, parts_of_score, k, rng, live.rows)
        decision = self._decision(
            key,
            chosen,
            live,
            factors,
            parts_of_score,
            wait,
            slate,
            propensities,
            exploring,
            len(candidates.rows),
            filtered,
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
        self, rows: NDArray[np.int64], live_parts: Any, keep: NDArray[np.bool_], make: str | None
    ) -> FloatArray:
        if make is None or make not in self.shops.makes:
            return np.full(len(rows), -1.0)
        catalog = self.shops.parts_stock[rows, self.shops.makes.index(make)].astype(np.float64)
        if live_parts is None:
            return np.asarray(catalog, dtype=np.float64)
        reported = np.asarray(live_parts)[keep].astype(np.float64)
        return np.where(reported >= 0, reported, catalog)

    def _objectives(
        self,
        key: str,
        strategy: Strategy,
        live: Candidates,
        factors: FactorMatrix,
        free_bays: NDArray[Any],
        rng: np.random.Generator,
        now: float,
    ) -> tuple[FloatArray, dict[str, FloatArray]]:
        """Objectives (n, 4) to minimise, and each objective's weighted utility (its share of the score)."""
        bays = self.shops.columns["bays"][live.rows].astype(np.float64)
        # Balance: offers against capacity share (no shop starves or floods), free bays now, and how far the
        # shop is behind its pro-rated monthly production target (under-used and new shops catch up).
        behind = 1.0 - clip01(self.exposure.target_progress(live.rows, *_month_position(now)))
        exposure = 0.5 + 0.5 * self.exposure.exposure_adjustment(live.rows)
        balance = 0.45 * exposure + 0.3 * clip01(free_bays / bays) + 0.25 * behind
        learner = self.learners_[key]
        contexts = context_of(factors.names, factors.utilities) if learner.contextual else None
        mean, score = learner.values(live.rows, rng, contexts)
        utilities = {
            "customer": factors.customer_utility(),
            "utilization": balance,
            "cost": factors.utilities[:, _COST],
            "exploration": clip01(score),
        }
        total = sum(strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES)
        weighted = {o: strategy.objective_weights.get(o, 0.0) / total * utilities[o] for o in OBJECTIVES}
        weighted["learned"] = strategy.objective_weights.get("exploration", 0.0) / total * clip01(mean)
        objectives = np.empty((len(OBJECTIVES), len(live.rows)))
        for j, o in enumerate(OBJECTIVES):
            objectives[j] = utilities[o]
        return -objectives.T, weighted

    def _slate(
        self,
        strategy: Strategy,
        objectives: FloatArray,
        weighted: dict[str, FloatArray],
        k: int,
        rng: np.random.Generator,
        rows: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], FloatArray, NDArray[np.bool_]]:
        score: FloatArray = sum((weighted[o] for o in OBJECTIVES), np.zeros(len(rows)))
        shortlist = _shortlist(objectives, score, 3 * max(strategy.pool_size, k))
        pool = shortlist[
            select_slate(
                objectives[shortlist],
                min(len(shortlist), max(strategy.pool_size, k)),
                weights=[strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES],
            )
        ]
        # Best first; ties by position, which is catalog-row order.
        pool = pool[np.lexsort((pool, -score[pool]))]
        exploit = score[pool] - weighted["exploration"][pool] + weighted["learned"][pool]
        cut = np.sort(exploit)[::-1][min(k, len(pool)) - 1]
        exploring = exploit < cut - 1e-12  # in the pool only thanks to the exploration bonus
        # New shops get a bounded budget of such picks (the tracker keeps the long-run share); shops already
        # known may still be explored by the policy's own optimism.
        nurtured = exploring & self.shops.is_new[rows[pool]]
        allowed = self.exposure.exploration_allowed(k)
        if nurtured.sum() > allowed:  # drop the weakest new-shop exploration picks beyond the budget
            keep_mask = ~np.isin(pool, pool[nurtured][allowed:])
            pool, exploring = pool[keep_mask], exploring[keep_mask]
        picks, probabilities = _plackett_luce(score[pool], min(k, len(pool)), strategy.temperature, rng)
        return pool[picks], probabilities, exploring[picks]

    def _decision(
        self,
        key: str,
        strategy: Strategy,
        live: Candidates,
        factors: FactorMatrix,
        weighted: dict[str, FloatArray],
        wait: FloatArray,
        slate: NDArray[np.int64],
        propensities: FloatArray,
        exploring: NDArray[np.bool_],
        considered: int,
        filtered: dict[str, int],
    ) -> Decision:
        total = sum(strategy.objective_weights.get(o, 0.0) for o in OBJECTIVES)
        share = strategy.objective_weights.get("customer", 0.0) / total  # the customer objective's weight
        # Convert once to Python floats: per-element float() on numpy scalars dominates otherwise.
        values = factors.values[slate].tolist()
        contributions = (share * factors.weights * factors.utilities[slate]).tolist()
        bonus = weighted["exploration"][slate] - weighted["learned"][slate]
        extras = np.empty((5, len(slate)))
        extras[0] = weighted["utilization"][slate]
        extras[1] = factors.values[slate, _COST]
        extras[2] = weighted["learned"][slate]
        extras[3] = bonus
        extras[4] = self.shops.is_new[live.rows[slate]]
        extra_contrib = extras.copy()
        extra_contrib[1], extra_contrib[4] = weighted["cost"][slate], 0.0
        extras_by_shop, extra_contrib_by_shop = extras.T.tolist(), extra_contrib.T.tolist()
        contextual = self.learners_[key].contextual
        contexts = context_of(factors.names, factors.utilities[slate]).tolist() if contextual else None
        names = factors.names + _EXTRA_FACTORS
        rows = live.rows[slate].tolist()
        recommendations = []
        for j, row in enumerate(rows):
            items = tuple(
                map(Factor, names, values[j] + extras_by_shop[j], contributions[j] + extra_contrib_by_shop[j])
            )
            recommendations.append(
                Recommendation(
                    shop_id=str(self.shops.columns["shop_id"][row]),
                    row=row,
                    rank=j + 1,
                    score=sum(contributions[j]) + sum(extra_contrib_by_shop[j]),
                    exploration=bool(exploring[j]),
                    propensity=float(propensities[j]),
                    expected_wait_days=float(wait[slate[j]]),
                    distance_km=float(live.distance_km[slate[j]]),
                    factors=items,
                    context=tuple(contexts[j]) if contexts is not None else (),
                )
            )
        return Decision(
            recommendations=tuple(recommendations),
            strategy=key,
            strategy_version=strategy.version,
            considered=considered,
            filtered=filtered,
            slate_propensity=float(np.prod(propensities)),
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


def _shortlist(objectives: FloatArray, score: FloatArray, size: int) -> NDArray[np.int64]:
    """The `size` best by scalar score plus the two best on each single objective, ascending.

    NSGA-II selection then runs on this shortlist instead of every candidate: the domination matrix is
    quadratic, and a shop outside the scalar top that leads on no objective cannot enter a diverse pool of
    size/3 anyway. Keeping each objective's leaders keeps the extreme trade-offs eligible. Inputs are in
    catalog-row order, so the stable sorts break ties (common: a fresh network has equal utilisation
    everywhere) by catalog row, never by input position.
    """
    if len(score) <= size:
        return np.arange(len(score), dtype=np.int64)
    top = np.argsort(-score, kind="stable")[:size]
    leaders = np.argsort(objectives, axis=0, kind="stable")[:2].ravel()
    return np.unique(np.concatenate([top, leaders])).astype(np.int64)


def _plackett_luce(
    score: FloatArray, k: int, temperature: float, rng: np.random.Generator
) -> tuple[NDArray[np.int64], FloatArray]:
    """Draw k of n without replacement with P ∝ exp(score / T); return picks and P(pick | earlier picks)."""
    if temperature == 0:
        return np.arange(k, dtype=np.int64), np.ones(k)
    logits = (score - score.max()) / temperature
    gumbel = logits + rng.gumbel(size=len(score))  # Gumbel-top-k is an exact Plackett-Luce sample
    picks = np.argsort(-gumbel, kind="stable")[:k]
    weights = np.exp(logits)
    remaining = weights.sum() - np.concatenate([[0.0], np.cumsum(weights[picks])[:-1]])
    return picks.astype(np.int64), np.minimum(weights[picks] / remaining, 1.0)  # float noise can exceed 1


def _subset(candidates: Candidates, keep: NDArray[Any]) -> Candidates:
    """The candidates at a boolean mask or an index array."""
    return Candidates(
        rows=candidates.rows[keep],
        distance_km=candidates.distance_km[keep],
        coverage=candidates.coverage[keep],
    )
