"""Real decisions for explanation tests: seeded requests ranked by dispatch_core over the small catalog."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.dispatch_wiring import build_dispatcher
from assistant.explain import ExplainNeeds
from dispatch_core.domain import Candidates, ClaimRequest, Recommendation
from dispatch_core.errors import NoCandidatesError
from dispatch_core.strategy import load_strategies
from retrieval.catalog.table import Shop, ShopTable
from retrieval.catalog.vocabulary import MAKE_NAMES
from retrieval.index import GeoIndex
from retrieval.needs import Needs
from retrieval.retriever import Retriever

NOW = 1_800_000_000.0


@dataclass(frozen=True)
class Case:
    """One recommendation with its shop and what the customer asked for."""

    rec: Recommendation
    shop: Shop
    make: str | None
    needs: ExplainNeeds
    request: ClaimRequest

    def factor(self, name: str) -> float:
        return next(f.value for f in self.rec.factors if f.name == name)


def sample_request(rng: np.random.Generator) -> ClaimRequest:
    make = str(rng.choice(MAKE_NAMES)) if rng.random() < 0.8 else None
    authorized = (True, False, None)[int(rng.integers(3))] if make else None
    return ClaimRequest(
        now=NOW,
        make=make,
        wants_authorized=authorized,
        needs_courtesy_car=True if rng.random() < 0.35 else None,
        needs_pickup=True if rng.random() < 0.35 else None,
        deadline_days=int(rng.integers(1, 12)) if rng.random() < 0.35 else None,
        priorities={"distance": 0.7} if rng.random() < 0.3 else {},
    )


def real_cases(table: ShopTable, index: GeoIndex, decisions: int = 200, seed: int = 17) -> list[Case]:
    """The recommendations of `decisions` ranked requests around shops of the catalog, both strategies."""
    dispatcher = build_dispatcher(table, load_strategies("strategies"))
    retriever = Retriever(table, index)
    rng = np.random.default_rng(seed)
    cases: list[Case] = []
    made = 0
    while made < decisions:
        request, at = sample_request(rng), int(rng.integers(len(table)))
        lat, lon = table["lat"][at] + rng.normal(0, 0.03), table["lon"][at] + rng.normal(0, 0.03)
        needs = Needs((), request.make, bool(request.wants_authorized))
        found = retriever.search(float(lat), float(lon), k=200, needs=needs)
        strategy = ("balanced@v1", "nurture@v1")[made % 2]
        try:
            decision = dispatcher.rank(
                request, Candidates(found.rows, found.distance_km, found.coverage), 3, strategy, rng
            )
        except NoCandidatesError:
            continue
        made += 1
        for rec in decision.recommendations:
            shop = table.shop(rec.shop_id)
            cases.append(Case(rec, shop, request.make, ExplainNeeds.from_request(request), request))
    return cases
