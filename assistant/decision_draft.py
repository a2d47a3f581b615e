"""`DecisionDraft`: a ranked decision not yet explained or logged, and `finish`, which does both.

Ranking reads and updates dispatch_core's live state (it runs on the service's dispatcher or its replica
in the rank process, `assistant.rank_process`), but what follows it does not: the explanations and API
payloads of the recommendations, and the audit record that holds them. Those read only the draft and the
catalog, so the decision writer process can build them on the other core, right before it commits the
record (`assistant.store.writer_process`), and answer with the payloads. Measured under load, building
them was ~19 % of the event loop's time.

A decision travels through pipes, so it is plain data (`PackedDecision`): each recommendation as a tuple
of numbers (the `Recommendation`s are rebuilt on the other side), its factor names once per decision.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, NamedTuple

from assistant.decision_log import DecisionRecord
from assistant.explain import ExplainNeeds, recommendation_payload
from dispatch_core.domain import Decision, Factor, Recommendation
from retrieval.catalog.table import ShopTable

Payload = dict[str, Any]


class NoCatalogError(ValueError):
    """A draft reached a writer without the service's catalog: whoever has it must finish the draft."""


class PackedDecision(NamedTuple):
    """A `Decision` as plain values, to cross a pipe: its recommendations `pack`ed, best first, their
    factor names once."""

    strategy: str
    strategy_version: int
    considered: int
    filtered: dict[str, int]
    slate_propensity: float
    seed: int | None
    factor_names: tuple[str, ...]
    shown: tuple[tuple[Any, ...], ...]

    @classmethod
    def of(cls, decision: Decision) -> PackedDecision:
        recs = decision.recommendations
        names = tuple(f.name for f in recs[0].factors) if recs else ()
        return cls(
            decision.strategy,
            decision.strategy_version,
            decision.considered,
            dict(decision.filtered),
            decision.slate_propensity,
            decision.seed,
            names,
            tuple(pack(rec, names) for rec in recs),
        )

    def decision(self) -> Decision:
        recs = tuple(unpack(shown, self.factor_names) for shown in self.shown)
        return Decision(
            recs,
            self.strategy,
            self.strategy_version,
            self.considered,
            self.filtered,
            self.slate_propensity,
            self.seed,
        )

    def rows(self) -> list[int]:
        """The catalog rows shown, best first (as the dispatcher counts them offered)."""
        return [shown[1] for shown in self.shown]


class DecisionDraft(NamedTuple):
    """`record` without its recommendations, and what `finish` needs to build them: `shown` holds one
    `pack`ed tuple per recommendation, best first."""

    record: DecisionRecord  # its `recommendations` stay empty until `finish`
    factor_names: tuple[str, ...]
    shown: tuple[tuple[Any, ...], ...]
    language: Literal["en", "zh"]
    make: str | None
    needs: ExplainNeeds

    @classmethod
    def of(
        cls,
        decision_id: str,
        created_at: float,
        decision: PackedDecision,
        request: dict[str, Any],
        session_id: str | None,
        claim_id: str | None,
        language: Literal["en", "zh"],
        make: str | None,
        needs: ExplainNeeds,
    ) -> DecisionDraft:
        record = DecisionRecord(
            decision_id=decision_id,
            created_at=created_at,
            strategy=decision.strategy,
            strategy_version=decision.strategy_version,
            session_id=session_id,
            claim_id=claim_id,
            request=request,
            recommendations=[],
            considered=decision.considered,
            filtered=dict(decision.filtered),
            slate_propensity=decision.slate_propensity,
        )
        return cls(record, decision.factor_names, decision.shown, language, make, needs)

    @property
    def decision_id(self) -> str:
        return self.record.decision_id

    def recommendations(self) -> list[Recommendation]:
        return [unpack(shown, self.factor_names) for shown in self.shown]

    def finish(self, catalog: ShopTable) -> tuple[list[Payload], DecisionRecord]:
        """The recommendations' API payloads, and the decision's record (the payloads plus each
        recommendation's propensity and context)."""
        recs = self.recommendations()
        payloads = payloads_of(recs, catalog, self.language, self.make, self.needs)
        logged = [
            {**p, "propensity": r.propensity, "context": list(r.context)}
            for p, r in zip(payloads, recs, strict=True)
        ]
        return payloads, replace(self.record, recommendations=logged)


def payloads_of(
    recs: Any,
    catalog: ShopTable,
    language: Literal["en", "zh"],
    make: str | None,
    needs: ExplainNeeds,
) -> list[Payload]:
    """The API payloads of `recs`, explained in `language`."""
    return [recommendation_payload(rec, catalog.shop(rec.shop_id), language, make, needs) for rec in recs]


def pack(rec: Recommendation, names: tuple[str, ...]) -> tuple[Any, ...]:
    """`rec` as plain values, its factors as two tuples in the order of `names`."""
    # One transposition of the (name, value, contribution) triples, at C speed.
    own, values, contributions = zip(*rec.factors, strict=True) if rec.factors else ((), (), ())
    if own != names:
        raise ValueError(f"Recommendation of {rec.shop_id} has factors other than the decision's.")
    return (
        rec.shop_id,
        rec.row,
        rec.rank,
        rec.score,
        rec.exploration,
        rec.propensity,
        rec.expected_wait_days,
        rec.distance_km,
        values,
        contributions,
        rec.context,
    )


def unpack(shown: tuple[Any, ...], names: tuple[str, ...]) -> Recommendation:
    shop_id, row, rank, score, exploration, propensity, wait, distance, values, contributions, context = shown
    factors = tuple(map(Factor, names, values, contributions))
    return Recommendation(
        shop_id, row, rank, score, exploration, propensity, wait, distance, factors, context
    )


def finish_item(
    item: DecisionDraft | DecisionRecord, catalog: ShopTable | None
) -> tuple[DecisionRecord, Any]:
    """What a decision writer stores for `item` and what it answers: a draft is finished against `catalog`
    (answer: its payloads); a record is stored as it is (answer: None)."""
    if isinstance(item, DecisionRecord):
        return item, None
    if catalog is None:
        raise NoCatalogError("A decision draft needs the catalog to be finished; this writer has none.")
    payloads, record = item.finish(catalog)
    return record, payloads
