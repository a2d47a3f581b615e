"""The dispatch tool: preferences + claim -> retrieval -> dispatch_core ranking -> explained recommendations.

The dialogue (local or LLM-driven), the API and the copilot all call this one service, so every
recommendation is logged the same way, with its propensities and the factors that produced it.
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from assistant.claim import Claim
from assistant.decision_draft import DecisionDraft, PackedDecision, payloads_of
from assistant.decision_log import DecisionLog, Outcome
from assistant.errors import InvalidFeedbackError
from assistant.explain import ExplainNeeds
from assistant.preferences import Preferences
from assistant.rank_process import Found, Query, Ranking, RankJob, RankProcess, rank_found, search_here
from assistant.store.group_commit import DecisionWriter
from dispatch_core.domain import ClaimRequest, Decision
from dispatch_core.ranking import Dispatcher
from retrieval.catalog.cities import find_city
from retrieval.catalog.table import ShopTable
from retrieval.catalog.vocabulary import MAKE_NAMES
from retrieval.errors import UnknownCityError
from retrieval.needs import Needs
from retrieval.retriever import Retriever

CANDIDATES = 200  # retrieved per request; ranking then filters and scores them


@dataclass(frozen=True)
class Situation:
    """What dispatch needs, resolved from the preferences first and the claim second."""

    lat: float | None
    lon: float | None
    place: str | None
    make: str | None
    damage_types: tuple[str, ...]
    missing: tuple[str, ...]  # "location", "make", "damage": what to ask for, most important first


@dataclass
class DispatchResult:
    decision_id: str | None
    recommendations: list[dict[str, Any]]
    decision: Decision | None = None
    unmet: dict[str, int] = field(default_factory=dict)  # when no shop qualifies: candidates per reason
    situation: Situation | None = None


def resolve(prefs: Preferences, claim: Claim | None) -> Situation:
    """Where, which car and which damage, from what was said (wins) and what the claim knows."""
    lat, lon, place = _location(prefs, claim)
    make = prefs.vehicle.make if prefs.vehicle and prefs.vehicle.make else None
    if make is None and claim and claim.vehicle and claim.vehicle.make:
        make = claim.vehicle.make
    damage = tuple(prefs.damage.types) if prefs.damage and prefs.damage.types else ()
    if not damage and claim and claim.damage and claim.damage.types:
        damage = tuple(claim.damage.types)
    missing = tuple(
        name
        for name, known in (
            ("location", lat is not None),
            ("make", make is not None),
            ("damage", bool(damage)),
        )
        if not known
    )
    return Situation(lat, lon, place, make, damage, missing)


def _location(prefs: Preferences, claim: Claim | None) -> tuple[float | None, float | None, str | None]:
    loc = prefs.location
    if loc is not None and loc.lat is not None and loc.lon is not None:
        return loc.lat, loc.lon, loc.text
    profile = claim.customer if claim else None
    ref = getattr(prefs, "location_ref", None)
    if ref in ("home", "work") and profile is not None:
        point = profile.home if ref == "home" else profile.work
        if point is not None:
            return point.lat, point.lon, ref
    if prefs.city:
        try:
            city = find_city(prefs.city)
        except UnknownCityError:
            pass
        else:
            return city.lat, city.lon, city.name
    if claim and claim.location:
        return claim.location.lat, claim.location.lon, "accident location"
    return None, None, None


class DispatchService:
    def __init__(
        self,
        catalog: ShopTable,
        retriever: Retriever,
        dispatcher: Dispatcher,
        log: DecisionLog,
        rng: np.random.Generator | None = None,
        lock: AbstractContextManager[object] | None = None,
        metrics: Any | None = None,
        writer: DecisionWriter | None = None,
        ranker: RankProcess | None = None,
    ) -> None:
        self.catalog, self.retriever, self.dispatcher, self.log = catalog, retriever, dispatcher, log
        self.writer = writer  # group commit for `recommend_async`; None: it records like `recommend`
        self.ranker = ranker  # search and ranking off the loop for `recommend_async`; None: they run here
        self.rng = rng if rng is not None else np.random.default_rng()  # exploration draws; seeded in tests
        # Ranking mutates exposure counts and reads learners and capacity: one thread at a time.
        self.lock = lock if lock is not None else threading.RLock()
        self.metrics = metrics

    def recommend(
        self,
        prefs: Preferences,
        claim: Claim | None = None,
        k: int = 3,
        exclude: tuple[str, ...] = (),
        session_id: str | None = None,
        language: str = "en",
        strategy: str | None = None,
    ) -> DispatchResult:
        """Up to k explained recommendations, logged; an empty list when information is missing."""
        ranked = self._rank(prefs, claim, k, exclude=exclude, strategy=strategy)
        draft = self._draft(ranked, session_id, language)
        if draft is None:
            return ranked.result(None, [])
        payloads, record = draft.finish(self.catalog)
        self.log.record(record)
        return self._counted(ranked.result(draft.decision_id, payloads))

    async def recommend_async(
        self,
        prefs: Preferences,
        claim: Claim | None = None,
        k: int = 3,
        exclude: tuple[str, ...] = (),
        session_id: str | None = None,
        language: str = "en",
        strategy: str | None = None,
    ) -> DispatchResult:
        """`recommend` for the event loop: awaits the ranking (done by a child process, see
        `assistant.rank_process`), then awaits the writer, which explains the decision and commits its
        record (see `assistant.decision_draft`, `assistant.store.group_commit`), so the loop parses and
        answers other requests meanwhile."""
        if self.writer is None:
            return self.recommend(prefs, claim, k, exclude, session_id, language, strategy)
        if self.ranker is None:
            ranked = self._rank(prefs, claim, k, exclude=exclude, strategy=strategy)
        else:
            situation, query = self._query(prefs, claim)
            if query is None:
                return _Ranked(situation).result(None, [])
            request = self._request(prefs, claim, query.needs.make, query.needs, exclude)
            job = RankJob(query, request, k, strategy, True, self._seed())
            ranked = _Ranked.of(situation, request, await self.ranker.rank(job))
        draft = self._draft(ranked, session_id, language)
        if draft is None:
            return ranked.result(None, [])
        payloads = await self.writer.record(draft)
        return self._counted(ranked.result(draft.decision_id, payloads))

    def _seed(self) -> int:
        """A seed for one ranking's exploration draws, from the service's generator (seeded in tests)."""
        with self.lock:
            return int(self.rng.integers(2**63))

    def _draft(self, ranked: _Ranked, session_id: str | None, language: str) -> DecisionDraft | None:
        """The decision to explain and log (None when nothing was recommended)."""
        if ranked.decision is None or ranked.request is None:
            return None
        request, situation = ranked.request, ranked.situation
        return DecisionDraft.of(
            uuid.uuid4().hex,
            request.now,
            ranked.packed or PackedDecision.of(ranked.decision),
            {
                "lat": situation.lat,
                "lon": situation.lon,
                "make": request.make,
                "damage_types": list(situation.damage_types),
                "wants_authorized": request.wants_authorized,
                "max_distance_km": request.max_distance_km,
                "priorities": dict(request.priorities),
                "excluded_shop_ids": sorted(request.excluded_shop_ids),
            },
            session_id,
            request.claim_id,
            _language(language),
            ranked.make,
            ExplainNeeds.from_request(request),
        )

    def _counted(self, result: DispatchResult) -> DispatchResult:
        if self.metrics is not None and result.decision is not None:
            self.metrics.decision(result.decision.strategy)
        return result

    def preview(
        self, prefs: Preferences, claim: Claim | None = None, k: int = 3, language: str = "en"
    ) -> list[dict[str, Any]]:
        """Recommendations an agent may look at before offering: ranked, but not logged as offered."""
        ranked = self._rank(prefs, claim, k, record=False)
        if ranked.decision is None:
            return []
        recs = ranked.decision.recommendations
        needs = ExplainNeeds.from_request(ranked.request) if ranked.request else ExplainNeeds()
        return payloads_of(recs, self.catalog, _language(language), ranked.make, needs)

    def _rank(self, prefs: Preferences, claim: Claim | None, k: int = 3, **options: Any) -> _Ranked:
        """Search here and rank; `options`: exclude, strategy, record (see `_ranked`)."""
        situation, query = self._query(prefs, claim)
        found = None if query is None else search_here(self.retriever, query)
        return self._ranked(situation, query, found, prefs, claim, k, **options)

    def _query(self, prefs: Preferences, claim: Claim | None) -> tuple[Situation, Query | None]:
        """What was asked, and the candidate search it needs (None without a location)."""
        situation = resolve(prefs, claim)
        if situation.lat is None or situation.lon is None:
            return situation, None
        make = situation.make if situation.make in MAKE_NAMES else None
        needs = Needs(situation.damage_types, make, prefs.dealer_preference == "authorized")
        return situation, Query(situation.lat, situation.lon, CANDIDATES, needs, prefs.max_distance_km)

    def _ranked(
        self,
        situation: Situation,
        query: Query | None,
        found: Found | None,
        prefs: Preferences,
        claim: Claim | None,
        k: int,
        exclude: tuple[str, ...] = (),
        strategy: str | None = None,
        record: bool = True,
    ) -> _Ranked:
        """The candidates `found` for `query`, ranked; `record`: count them as offered (exposure)."""
        if query is None or found is None:
            return _Ranked(situation)
        request = self._request(prefs, claim, query.needs.make, query.needs, exclude)
        job = RankJob(query, request, k, strategy, record, seed=0)  # the draws come from self.rng
        with self.lock:
            ranking = rank_found(self.dispatcher, job, found, rng=self.rng)
            if record and self.ranker is not None and isinstance(ranking, PackedDecision):
                self.ranker.offered(ranking.rows())  # the ranker's replica counts the offers too
        return _Ranked.of(situation, request, ranking)

    def feedback(self, decision_id: str, shop_id: str, outcome: str, reason: str | None = None) -> None:
        """Record an outcome and teach the strategy that made the decision (accepted = 1, rejected = 0)."""
        record = self.log.get(decision_id)
        shown = {r["shop_id"]: r for r in record.recommendations}
        if outcome not in ("accepted", "rejected"):
            raise InvalidFeedbackError(f"outcome must be 'accepted' or 'rejected', got {outcome!r}.")
        if shop_id not in shown:
            raise InvalidFeedbackError(f"Decision {decision_id} did not recommend shop {shop_id!r}.")
        self.log.add_outcome(decision_id, Outcome(shop_id, outcome, reason, time.time()))
        context = tuple(shown[shop_id].get("context") or ()) or None
        if record.strategy in self.dispatcher.learners_:  # a strategy retired since the decision teaches none
            with self.lock:
                reward = 1.0 if outcome == "accepted" else 0.0
                self.dispatcher.record_outcome(record.strategy, shop_id, reward, context)
                if self.ranker is not None:  # and so does its replica
                    self.ranker.learned(record.strategy, shop_id, reward, context)
        if self.metrics is not None:
            self.metrics.feedback(outcome)

    def _request(
        self,
        prefs: Preferences,
        claim: Claim | None,
        make: str | None,
        needs: Needs,
        exclude: tuple[str, ...],
    ) -> ClaimRequest:
        priorities = {k: float(v) for k, v in (prefs.priorities or {}).items() if k in _PRIORITIES}
        if prefs.top_priority:
            priorities[prefs.top_priority] = 1.0
        wants = {"authorized": True, "independent": False}.get(prefs.dealer_preference or "")
        profile = claim.customer if claim else None
        return ClaimRequest(
            now=time.time(),
            make=make,
            needed_capabilities=needs.capability_bits(),
            wants_authorized=wants,
            max_distance_km=prefs.max_distance_km,
            priorities=priorities,
            needs_courtesy_car=prefs.needs_courtesy_car,
            needs_pickup=prefs.needs_pickup,
            deadline_days=prefs.deadline_days,
            excluded_shop_ids=frozenset(exclude) | frozenset(prefs.rejected_shop_ids or ()),
            avoided_shop_ids=profile.disliked_shops() if profile else frozenset(),
            claim_id=claim.claim_id if claim else None,
        )


_PRIORITIES = ("distance", "quality", "speed", "cost")


@dataclass
class _Ranked:
    situation: Situation
    decision: Decision | None = None
    make: str | None = None
    request: ClaimRequest | None = None
    unmet: dict[str, int] = field(default_factory=dict)
    packed: PackedDecision | None = None  # `decision` as it came from the rank process

    @classmethod
    def of(cls, situation: Situation, request: ClaimRequest, ranking: Ranking) -> _Ranked:
        if isinstance(ranking, int):  # candidates were found, and every one failed a hard constraint
            return cls(situation, make=request.make, request=request, unmet={"candidates": ranking})
        return cls(situation, ranking.decision(), request.make, request, packed=ranking)

    def result(self, decision_id: str | None, payloads: list[dict[str, Any]]) -> DispatchResult:
        return DispatchResult(
            decision_id, payloads, decision=self.decision, unmet=self.unmet, situation=self.situation
        )


def _language(language: str) -> Literal["en", "zh"]:
    return "zh" if language == "zh" else "en"
