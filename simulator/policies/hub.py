"""`hub`: the product's own dispatch, dispatch_core's Dispatcher (bandit + Pareto + fair exposure).

It sees what production sees: the catalog, the customer's stated needs and preferences (not the latent
ones), and live capacity events from shops with a feed. It learns from outcomes: each repair's
satisfaction goes to the strategy's bandit when the car is returned (days after the decision), and
accepted jobs count toward the shops' monthly targets when accepted. A step's claims are ranked in one
batch (`dispatch_core.batch.rank_batch`, the same ranking as `Dispatcher.rank`); `hub_batch = false`
ranks them one by one with `Dispatcher.rank` instead. When every candidate fails only the live
closed/full filters, the hub ranks them anyway rather than turn the customer away.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np

from dispatch_core.batch import BatchDecision, RequestBatch, rank_batch
from dispatch_core.capacity import expected_wait_days
from dispatch_core.domain import PRIORITIES, Candidates, ClaimRequest
from dispatch_core.errors import NoCandidatesError
from simulator.feed import CapacityFeed
from simulator.floor import Floor
from simulator.policies.base import BoolArray, FloatArray, IntArray, Offer
from simulator.policies.history import warm_start
from simulator.rng import stream
from simulator.wiring import build_dispatcher, load_hub_strategies
from simulator.world import World


class Hub:
    name = "hub"

    def __init__(self, world: World, floor: Floor, target: str | None = None) -> None:
        config = world.config
        self.world, self.key, self.k = world, config.hub_strategy, config.slate_size
        self.target = target  # a second strategy whose first-choice probabilities are logged (OPE)
        strategies = load_hub_strategies(config, self.key, *([target] if target else []))
        self.dispatcher = build_dispatcher(world.shops, strategies, self.key)
        self.feed = CapacityFeed(world, self.dispatcher.capacity)
        self.rng = stream(config.seed, "hub")
        self.now = config.start_epoch
        self.ids = world.shops.table["shop_id"]
        stated = world.customers.stated_priority
        self.priorities = np.zeros((len(stated), len(PRIORITIES)))
        self.priorities[np.flatnonzero(stated >= 0), stated[stated >= 0]] = 1.0
        self.logs: list[dict[str, Any]] = []
        self.relaxed = self.fallbacks = 0
        # The target strategy (off-policy evaluation) knows what the logging one knows: the same history
        # before the run and the same outcomes during it.
        self.learning = [self.key] + ([target] if target and target != self.key else [])
        for key in self.learning:
            warm_start(self.dispatcher.learners_[key], world, config.hub_history_months)

    def observe(self, floor: Floor, now_s: float) -> None:
        self.feed.publish(floor, now_s, int(now_s // floor.step_s))
        self.now = self.world.config.start_epoch + now_s

    def propose(self, claims: IntArray, shown: BoolArray, now_s: float, slate: int) -> Offer:
        if not self.world.config.hub_batch:
            return self._one_by_one(claims, shown)
        batch = self._batch(claims, shown)
        # The target's probabilities come first, in the very state the logging decision sees: once the
        # logged offers are recorded, exposure has moved and the two would no longer be comparable.
        target = self._rank(batch, self.target, record=False) if self.target and slate == 0 else None
        decision = self._rank(batch, self.key, record=True)
        self.relaxed += int(decision.relaxed.sum())
        if target is not None:
            self._log(claims, decision, target, batch)
        return Offer(decision.positions, decision.expected_wait_days)

    def _rank(self, batch: RequestBatch, key: str, record: bool) -> BatchDecision:
        """Rank; a customer who asked for a 4S dealer where none is in range is offered the best other
        shops instead (the assistant says so), rather than nothing."""
        relax = self.world.config.hub_relax_capacity
        decision = rank_batch(self.dispatcher, batch, self.k, key, self.rng, record, relax)
        retry = np.flatnonzero(decision.empty & (batch.wants_authorized == 1))
        if retry.size == 0:
            return decision
        self.fallbacks += int(retry.size)
        sub = _rows_of(batch, retry)
        again = rank_batch(
            self.dispatcher,
            replace(sub, wants_authorized=np.full(retry.size, -1)),
            self.k,
            key,
            self.rng,
            record,
            relax,
        )
        merged = {f.name: getattr(decision, f.name).copy() for f in fields(decision) if f.name != "strategy"}
        for name, values in merged.items():
            values[retry] = getattr(again, name)
        return BatchDecision(**merged, strategy=key)

    def accepted(self, claims: IntArray, shops: IntArray) -> None:
        self.dispatcher.exposure.record_assignments(shops)

    def completed(self, shops: IntArray, rewards: FloatArray) -> None:
        if shops.size:
            ids, values = self.ids[shops].tolist(), np.clip(rewards, 0.0, 1.0).tolist()
            for key in self.learning:
                self.dispatcher.learners_[key].learn(ids, values)

    def new_month(self) -> None:
        self.dispatcher.exposure.reset_month()

    def extras(self) -> dict[str, Any]:
        return {"relaxed_decisions": self.relaxed, "dealer_fallbacks": self.fallbacks, "ope_logs": self.logs}

    def _batch(self, claims: IntArray, shown: BoolArray) -> RequestBatch:
        w = self.world
        rows = w.candidates.rows[claims].astype(np.int64)
        return RequestBatch(
            now=self.now,
            rows=rows,
            distance_km=np.minimum(w.candidates.distance_km[claims].astype(np.float64), 1e6),
            coverage=np.ones(rows.shape),
            make=w.claims.make[claims],
            needed_capabilities=w.claims.capabilities[claims],
            wants_authorized=w.customers.wants_authorized[claims].astype(np.int64),
            max_distance_km=np.full(len(claims), np.nan),
            priorities=self.priorities[claims],
            needs_courtesy_car=w.customers.needs_courtesy_car[claims],
            needs_pickup=np.zeros(len(claims), dtype=bool),
            deadline_days=w.claims.deadline_days[claims],
            excluded=shown,
        )

    def _log(
        self, claims: IntArray, logged: BatchDecision, target: BatchDecision, batch: RequestBatch
    ) -> None:
        """Decision log for off-policy evaluation: the logged first shop, its propensity, and the target
        strategy's first-choice probabilities in the same state."""
        safe = np.maximum(batch.rows, 0)
        snapshot = self.dispatcher.capacity.snapshot(safe.ravel(), self.now)
        cycle = self.dispatcher.shops.columns["mean_cycle_days"][safe.ravel()].astype(np.float64)
        wait = expected_wait_days(snapshot, cycle).reshape(safe.shape)
        self.logs.append(
            {
                "claims": claims,
                "action": logged.positions[:, 0],
                "behaviour": logged.first_choice,
                "target": target.first_choice,
                "quoted_wait": wait,
            }
        )

    def _one_by_one(self, claims: IntArray, shown: BoolArray) -> Offer:
        """`Dispatcher.rank` per claim (slow; for checking the batched path). It has the 4S fallback but
        not `hub_relax_capacity`: a claim whose every candidate is reported full gets no slate."""
        out = np.full((len(claims), self.k), -1, dtype=np.int64)
        waits = np.full((len(claims), self.k), np.nan)
        batch = self._batch(claims, shown)
        for i, claim in enumerate(claims.tolist()):
            cols = np.flatnonzero((batch.rows[i] >= 0) & ~shown[i])
            if cols.size == 0:
                continue
            candidates = Candidates(batch.rows[i, cols], batch.distance_km[i, cols], np.ones(cols.size))
            request = self._request(i, batch, claim)
            try:
                decision = self.dispatcher.rank(request, candidates, self.k, self.key, self.rng)
            except NoCandidatesError:
                if not request.wants_authorized:
                    continue
                try:  # the 4S fallback of the batched path
                    request = replace(request, wants_authorized=None)
                    decision = self.dispatcher.rank(request, candidates, self.k, self.key, self.rng)
                except NoCandidatesError:
                    continue
            row_to_col = dict(zip(batch.rows[i, cols].tolist(), cols.tolist(), strict=True))
            picks = [row_to_col[r.row] for r in decision.recommendations]
            out[i, : len(picks)] = picks
            waits[i, : len(picks)] = [r.expected_wait_days for r in decision.recommendations]
        return Offer(out, waits)

    def _request(self, i: int, batch: RequestBatch, claim: int) -> ClaimRequest:
        wants = int(batch.wants_authorized[i])
        deadline = batch.deadline_days[i]
        return ClaimRequest(
            now=self.now,
            make=self.world.shops.data.makes[int(batch.make[i])],
            needed_capabilities=int(batch.needed_capabilities[i]),
            wants_authorized=None if wants < 0 else bool(wants),
            priorities={p: float(v) for p, v in zip(PRIORITIES, batch.priorities[i], strict=True) if v > 0},
            needs_courtesy_car=bool(batch.needs_courtesy_car[i]),
            deadline_days=None if np.isnan(deadline) else int(deadline),
            claim_id=str(claim),
        )


def _rows_of(batch: RequestBatch, rows: IntArray) -> RequestBatch:
    """The claims `rows` of a batch, as a batch of their own."""
    values = {f.name: getattr(batch, f.name) for f in fields(batch)}
    return RequestBatch(**{name: v if name == "now" else v[rows] for name, v in values.items()})
